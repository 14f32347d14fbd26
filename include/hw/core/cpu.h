/*
 * The vCPU as seen by the machine and the run-state code.
 *
 * One CPUState per vCPU (Tandem runs one).  Its thread executes guest code
 * without the big lock; port I/O, MMIO and the machine hooks below are
 * called with the big lock held.  The accelerator behind it is chosen at
 * creation (include/accel/accel-ops.h): the interpreter ("tcg") today,
 * KVM later.
 *
 * Pause protocol: cpu_pause_all() sets a stop request and kicks; the vCPU
 * parks at the next instruction boundary (or while halted), acknowledges
 * under the big lock, and cpu_pause_all() returns only then.  It must be
 * called with the big lock held (it is dropped while waiting).
 *
 * Nondeterminism enters the vCPU only through: cpu_interrupt() +
 * get_interrupt_vector (injection), port/MMIO reads (the memory API),
 * the virtual clock (RDTSC, kvmclock, TSC deadline) and msr_read; the
 * vCPU counts retired instructions (cpu_icount()).
 */
#ifndef HW_CORE_CPU_H
#define HW_CORE_CPU_H

#include "qapi/error.h"
#include "target/i386/cpu.h"

#define CPU_INTERRUPT_FLUSH_TLB CPU_INTERRUPT_TLB

typedef struct CPUState CPUState;

/* Provided by the machine (pc): all called with the big lock held. */
typedef struct CPUMachineHooks {
    void *opaque;
    /* external interrupt acknowledge (PIC/APIC): vector or -1 */
    int (*get_interrupt_vector)(void *opaque);
    /* MSRs the CPU does not implement itself (0x1b, 0x6e0, ...) */
    bool (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    bool (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    /* CR8 <-> LAPIC TPR */
    uint64_t (*get_tpr)(void *opaque);
    void (*set_tpr)(void *opaque, uint64_t tpr);
    /* triple fault */
    void (*reset_request)(void *opaque);
} CPUMachineHooks;

extern CPUState *first_cpu;

/**
 * cpu_x86_create: create the vCPU and its (parked) thread.  Guest state is
 * the reset state; load the loader's state with cpu_x86_load_boot_state().
 * The vCPU runs after cpu_resume_all().
 */
CPUState *cpu_x86_create(const CPUMachineHooks *hooks, Error **errp);
/*
 * -accel tcg,x-native=on|off: whether the interpreter compiles hot
 * decoded blocks to native code (target/i386/jit.c.inc); on by default
 */
extern bool tcg_native_code;
/** cpu_destroy: stop and join the thread, free the vCPU. */
void cpu_destroy(CPUState *cpu);
/** cpu_env: architectural state; touch only while paused. */
CPUX86State *cpu_env(CPUState *cpu);
void cpu_x86_load_boot_state(CPUState *cpu, const X86BootState *bs);
/** cpu_reset: architectural reset (while paused). */
void cpu_reset(CPUState *cpu);

/** cpu_interrupt / cpu_reset_interrupt: any thread; wake a halted vCPU. */
void cpu_interrupt(CPUState *cpu, uint32_t mask);
void cpu_reset_interrupt(CPUState *cpu, uint32_t mask);
/** cpu_kick: make the vCPU leave guest code and re-check its requests. */
void cpu_kick(CPUState *cpu);

/** cpu_pause_all: park every vCPU; BQL held (dropped while waiting). */
void cpu_pause_all(void);
/** cpu_resume_all: let parked vCPUs run. */
void cpu_resume_all(void);
bool cpu_is_paused(CPUState *cpu);
/**
 * cpus_register_run_hooks: make vm_stop()/vm_start() pause and resume the
 * vCPUs (accel/tcg-accel.c; call once after cpu_x86_create()).
 */
void cpus_register_run_hooks(void);
/** cpu_icount: instructions retired so far. */
uint64_t cpu_icount(CPUState *cpu);

#endif
