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

static __thread CPUState *current_tcg_cpu;

/*
 * The vCPU thread runs guest code (where stores may go straight to host
 * memory through fast-write TLB entries) between guest_enter() and
 * guest_leave().  Taking the BQL counts as leaving: a thread that holds
 * it and waits in tcg_dirty_barrier() must not wait for a vCPU that waits for
 * the lock; the instruction that does device I/O looks its RAM operands
 * up again after the access.
 */
static void guest_enter(CPUState *cpu)
{
    __atomic_store_n(&cpu->in_guest, true, __ATOMIC_SEQ_CST);
}

static void guest_leave(CPUState *cpu)
{
    __atomic_store_n(&cpu->in_guest, false, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&cpu->guest_exits, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&cpu->exit_waiters, __ATOMIC_SEQ_CST)) {
        g_mutex_lock(&cpu->lock);
        g_cond_broadcast(&cpu->exit_cond);
        g_mutex_unlock(&cpu->lock);
    }
}

static void vcpu_bql_lock(CPUState *cpu)
{
    if (current_tcg_cpu == cpu) {
        guest_leave(cpu);
    }
    bql_lock();
}

static void vcpu_bql_unlock(CPUState *cpu)
{
    bql_unlock();
    if (current_tcg_cpu == cpu) {
        guest_enter(cpu);
    }
}

static uint64_t tcg_io_read(void *opaque, uint16_t port, unsigned size)
{
    CPUState *cpu = opaque;
    uint64_t v;

    vcpu_bql_lock(cpu);
    address_space_ld(&address_space_io, port, size, &v);
    vcpu_bql_unlock(cpu);
    return v;
}

static void tcg_io_write(void *opaque, uint16_t port, uint64_t val,
                         unsigned size)
{
    CPUState *cpu = opaque;

    vcpu_bql_lock(cpu);
    address_space_st(&address_space_io, port, size, val);
    vcpu_bql_unlock(cpu);
}

static uint64_t tcg_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    CPUState *cpu = opaque;
    uint64_t v;

    vcpu_bql_lock(cpu);
    address_space_ld(&address_space_memory, addr, size, &v);
    vcpu_bql_unlock(cpu);
    return v;
}

static void tcg_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    CPUState *cpu = opaque;

    vcpu_bql_lock(cpu);
    address_space_st(&address_space_memory, addr, size, val);
    vcpu_bql_unlock(cpu);
}

static int tcg_irq_vector(void *opaque)
{
    CPUState *cpu = opaque;
    int v = -1;

    if (cpu->machine.get_interrupt_vector) {
        vcpu_bql_lock(cpu);
        v = cpu->machine.get_interrupt_vector(cpu->machine.opaque);
        vcpu_bql_unlock(cpu);
    }
    return v;
}

static bool tcg_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    CPUState *cpu = opaque;
    bool ok = false;

    if (cpu->machine.msr_read) {
        vcpu_bql_lock(cpu);
        ok = cpu->machine.msr_read(cpu->machine.opaque, msr, val);
        vcpu_bql_unlock(cpu);
    }
    return ok;
}

static bool tcg_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    CPUState *cpu = opaque;
    bool ok = false;

    if (cpu->machine.msr_write) {
        vcpu_bql_lock(cpu);
        ok = cpu->machine.msr_write(cpu->machine.opaque, msr, val);
        vcpu_bql_unlock(cpu);
    }
    return ok;
}

static uint64_t tcg_get_tpr(void *opaque)
{
    CPUState *cpu = opaque;
    uint64_t v;

    vcpu_bql_lock(cpu);
    v = cpu->machine.get_tpr(cpu->machine.opaque);
    vcpu_bql_unlock(cpu);
    return v;
}

static void tcg_set_tpr(void *opaque, uint64_t tpr)
{
    CPUState *cpu = opaque;

    vcpu_bql_lock(cpu);
    cpu->machine.set_tpr(cpu->machine.opaque, tpr);
    vcpu_bql_unlock(cpu);
}

static int64_t tcg_clock(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void tcg_reset_request(void *opaque)
{
    CPUState *cpu = opaque;

    if (cpu->machine.reset_request) {
        vcpu_bql_lock(cpu);
        cpu->machine.reset_request(cpu->machine.opaque);
        vcpu_bql_unlock(cpu);
    }
}

/* Dirty tracking re-armed (any thread): drop fast-write TLB entries. */
static void tcg_rearm(void *opaque, RAMBlock *rb, uint64_t off, uint64_t len)
{
    CPUState *cpu = opaque;

    x86_cpu_tlb_flush_writes(cpu->env);
}

/*
 * physmem_dirty_barrier(): wait until the vCPU is past the instruction
 * it may be executing.  A store that instruction makes through an entry
 * it looked up before the flush (one mov, or a whole page of rep stos)
 * is then in memory before the caller copies the page; every later store
 * takes the slow path and marks the page dirty again.  Without the wait,
 * a page copied for migration or a COLO checkpoint could miss such a
 * store for good.
 *
 * It waits for the vCPU's next own exit from guest code (the end of its
 * slice, device I/O, hlt: about a millisecond) rather than kicking it
 * out: with a kick at every background sync, one COLO pair in six lost
 * the secondary's outgoing packets (tests/colo, 2026-11-22; cause not
 * found, see docs/devel/migration.rst).
 */
static void tcg_dirty_barrier(void *opaque)
{
    CPUState *cpu = opaque;
    uint64_t exits;

    if (current_tcg_cpu == cpu) {
        return;     /* the vCPU itself: its next access sees the flush */
    }
    __atomic_fetch_add(&cpu->exit_waiters, 1, __ATOMIC_SEQ_CST);
    exits = __atomic_load_n(&cpu->guest_exits, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&cpu->in_guest, __ATOMIC_SEQ_CST)) {
        int64_t t0 = g_get_monotonic_time();
        uint64_t us;

        g_mutex_lock(&cpu->lock);
        while (__atomic_load_n(&cpu->guest_exits, __ATOMIC_SEQ_CST) ==
               exits) {
            /* timed: a safety net, the vCPU broadcasts when it leaves */
            g_cond_wait_until(&cpu->exit_cond, &cpu->lock,
                              g_get_monotonic_time() + 1000);
        }
        us = g_get_monotonic_time() - t0;
        cpu->rearm_waits++;
        cpu->rearm_wait_us += us;
        cpu->rearm_wait_max_us = MAX(cpu->rearm_wait_max_us, us);
        g_mutex_unlock(&cpu->lock);
    }
    __atomic_fetch_sub(&cpu->exit_waiters, 1, __ATOMIC_SEQ_CST);
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

    current_tcg_cpu = cpu;
    while (cpu_thread_wait_io_event(cpu)) {
        X86ExecExit r;

        guest_enter(cpu);
        r = x86_cpu_exec(env, TCG_SLICE);
        guest_leave(cpu);

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
    physmem_set_barrier_hook(NULL, NULL);
    memory_set_map_hook(NULL, NULL);
    x86_cpu_finalize(cpu->env);
    g_free(cpu->env);
    cpu->env = NULL;
}

bool tcg_native_code = true;

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
    if (!tcg_native_code) {
        env->jit_hot = 0;
    }
    physmem_set_rearm_hook(tcg_rearm, cpu);
    physmem_set_barrier_hook(tcg_dirty_barrier, cpu);
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
