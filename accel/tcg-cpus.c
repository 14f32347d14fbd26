/*
 * The interpreter accelerator ("tcg"): the vCPU thread runs
 * x86_cpu_exec() without the big lock; the hooks below take it around
 * device accesses.  All guest-visible time comes from
 * qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) (stops while the VM is stopped).
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "cpus-internal.h"

#define TCG_SLICE 200000    /* instructions between bookkeeping points */

static uint64_t tcg_io_read(void *opaque, uint16_t port, unsigned size)
{
    uint64_t v;

    bql_lock();
    address_space_ld(&address_space_io, port, size, &v);
    bql_unlock();
    return v;
}

static void tcg_io_write(void *opaque, uint16_t port, uint64_t val,
                         unsigned size)
{
    bql_lock();
    address_space_st(&address_space_io, port, size, val);
    bql_unlock();
}

static uint64_t tcg_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    uint64_t v;

    bql_lock();
    address_space_ld(&address_space_memory, addr, size, &v);
    bql_unlock();
    return v;
}

static void tcg_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    bql_lock();
    address_space_st(&address_space_memory, addr, size, val);
    bql_unlock();
}

static int tcg_irq_vector(void *opaque)
{
    CPUState *cpu = opaque;
    int v = -1;

    if (cpu->machine.get_interrupt_vector) {
        bql_lock();
        v = cpu->machine.get_interrupt_vector(cpu->machine.opaque);
        bql_unlock();
    }
    return v;
}

static bool tcg_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    CPUState *cpu = opaque;
    bool ok = false;

    if (cpu->machine.msr_read) {
        bql_lock();
        ok = cpu->machine.msr_read(cpu->machine.opaque, msr, val);
        bql_unlock();
    }
    return ok;
}

static bool tcg_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    CPUState *cpu = opaque;
    bool ok = false;

    if (cpu->machine.msr_write) {
        bql_lock();
        ok = cpu->machine.msr_write(cpu->machine.opaque, msr, val);
        bql_unlock();
    }
    return ok;
}

static uint64_t tcg_get_tpr(void *opaque)
{
    CPUState *cpu = opaque;
    uint64_t v;

    bql_lock();
    v = cpu->machine.get_tpr(cpu->machine.opaque);
    bql_unlock();
    return v;
}

static void tcg_set_tpr(void *opaque, uint64_t tpr)
{
    CPUState *cpu = opaque;

    bql_lock();
    cpu->machine.set_tpr(cpu->machine.opaque, tpr);
    bql_unlock();
}

static int64_t tcg_clock(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void tcg_reset_request(void *opaque)
{
    CPUState *cpu = opaque;

    if (cpu->machine.reset_request) {
        bql_lock();
        cpu->machine.reset_request(cpu->machine.opaque);
        bql_unlock();
    }
}

/* dirty tracking re-armed: drop fast-write TLB entries (any thread) */
static void tcg_rearm(void *opaque, RAMBlock *rb, uint64_t off, uint64_t len)
{
    CPUState *cpu = opaque;

    x86_cpu_tlb_flush_writes(cpu->env);
}

/* the memory map changed (BAR moved): full TLB flush at the next insn */
static void tcg_map_changed(void *opaque)
{
    CPUState *cpu = opaque;

    x86_cpu_interrupt(cpu->env, CPU_INTERRUPT_TLB);
}

static void tcg_run(CPUState *cpu)
{
    CPUX86State *env = cpu->env;

    while (cpu_thread_wait_io_event(cpu)) {
        X86ExecExit r = x86_cpu_exec(env, TCG_SLICE);

        memory_reader_quiescent(cpu->reader);
        if (r == X86_EXIT_RESET) {
            /* the machine resets us while paused; sleep until then */
            env->reset_requested = false;
            env->halted = true;
            env->eflags &= ~(uint64_t)IF_MASK;
        }
    }
}

static void tcg_kick(CPUState *cpu)
{
    x86_cpu_interrupt(cpu->env, CPU_INTERRUPT_EXIT);
}

static void tcg_destroy(CPUState *cpu)
{
    physmem_set_rearm_hook(NULL, NULL);
    memory_set_map_hook(NULL, NULL);
    x86_cpu_finalize(cpu->env);
    g_free(cpu->env);
    cpu->env = NULL;
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .run = tcg_run,
    .kick = tcg_kick,
    .destroy = tcg_destroy,
};

CPUState *cpu_x86_create(const CPUMachineHooks *hooks, Error **errp)
{
    CPUX86State *env = g_new0(CPUX86State, 1);
    CPUState *cpu;
    X86CPUHooks *h;

    /* the thread starts parked, so the hooks can be set after creation */
    cpu = cpu_create_with_ops(&tcg_accel_ops, env, errp);
    if (!cpu) {
        g_free(env);
        return NULL;
    }
    if (hooks) {
        cpu->machine = *hooks;
    }
    h = &cpu->hooks;
    h->opaque = cpu;
    h->io_read = tcg_io_read;
    h->io_write = tcg_io_write;
    h->mmio_read = tcg_mmio_read;
    h->mmio_write = tcg_mmio_write;
    h->get_interrupt_vector = tcg_irq_vector;
    h->msr_read = tcg_msr_read;
    h->msr_write = tcg_msr_write;
    if (cpu->machine.get_tpr && cpu->machine.set_tpr) {
        h->get_tpr = tcg_get_tpr;
        h->set_tpr = tcg_set_tpr;
    }
    h->clock_ns = tcg_clock;
    h->reset_request = tcg_reset_request;
    x86_cpu_init(env, h);
    physmem_set_rearm_hook(tcg_rearm, cpu);
    memory_set_map_hook(tcg_map_changed, cpu);
    return cpu;
}

void cpu_x86_load_boot_state(CPUState *cpu, const X86BootState *bs)
{
    x86_cpu_load_boot_state(cpu->env, bs);
}

void cpu_reset(CPUState *cpu)
{
    x86_cpu_reset(cpu->env);
}
