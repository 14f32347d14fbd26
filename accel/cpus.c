/*
 * Generic vCPU thread management: creation, the park/resume protocol and
 * kicks (see include/hw/core/cpu.h).  The accelerator's run() executes
 * guest code and calls cpu_thread_wait_io_event() when it must stop or
 * has nothing to do (halted).
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "cpus-internal.h"

CPUState *first_cpu;
static GCond park_cond;     /* tied to the BQL */

static bool cpu_can_wake(CPUState *cpu)
{
    CPUX86State *env = cpu->env;
    uint32_t req = __atomic_load_n(&env->interrupt_request,
                                   __ATOMIC_ACQUIRE);

    if (!env->halted) {
        return true;
    }
    if (req & (CPU_INTERRUPT_NMI | CPU_INTERRUPT_INIT | CPU_INTERRUPT_EXIT |
               CPU_INTERRUPT_TLB)) {
        return true;
    }
    return (req & CPU_INTERRUPT_HARD) && (env->eflags & IF_MASK);
}

/*
 * Called by the vCPU thread between runs: parks while a stop is requested
 * and sleeps while halted with nothing to wake it.  Returns false when the
 * thread must exit.
 */
bool cpu_thread_wait_io_event(CPUState *cpu)
{
    g_mutex_lock(&cpu->lock);
    for (;;) {
        if (cpu->quit) {
            g_mutex_unlock(&cpu->lock);
            return false;
        }
        if (cpu->stop) {
            if (!cpu->parked) {
                /* acknowledge under the BQL so pause_all cannot miss it */
                g_mutex_unlock(&cpu->lock);
                memory_reader_quiescent(cpu->reader);
                bql_lock();
                g_mutex_lock(&cpu->lock);
                cpu->parked = true;
                g_cond_broadcast(&park_cond);
                bql_unlock();
                continue;
            }
            g_cond_wait(&cpu->cond, &cpu->lock);
            continue;
        }
        cpu->parked = false;
        if (cpu_can_wake(cpu)) {
            break;
        }
        memory_reader_quiescent(cpu->reader);
        g_cond_wait(&cpu->cond, &cpu->lock);
    }
    g_mutex_unlock(&cpu->lock);
    return true;
}

static gpointer cpu_thread_fn(gpointer opaque)
{
    CPUState *cpu = opaque;

    cpu->ops->run(cpu);
    return NULL;
}

CPUState *cpu_create_with_ops(const AccelOps *ops, CPUX86State *env,
                              Error **errp)
{
    CPUState *cpu = g_new0(CPUState, 1);

    cpu->ops = ops;
    cpu->env = env;
    cpu->stop = true;       /* created parked; cpu_resume_all() starts */
    cpu->reader = memory_reader_register();
    g_mutex_init(&cpu->lock);
    g_cond_init(&cpu->cond);
    g_cond_init(&cpu->exit_cond);
    cpu->thread = g_thread_try_new("vcpu", cpu_thread_fn, cpu, NULL);
    if (!cpu->thread) {
        error_setg(errp, "cannot create the vCPU thread");
        g_free(cpu);
        return NULL;
    }
    if (!first_cpu) {
        first_cpu = cpu;
    }
    return cpu;
}

void cpu_destroy(CPUState *cpu)
{
    g_mutex_lock(&cpu->lock);
    cpu->quit = true;
    g_cond_broadcast(&cpu->cond);
    g_mutex_unlock(&cpu->lock);
    cpu_kick(cpu);
    g_thread_join(cpu->thread);
    if (cpu->ops->destroy) {
        cpu->ops->destroy(cpu);
    }
    if (first_cpu == cpu) {
        first_cpu = NULL;
    }
    g_mutex_clear(&cpu->lock);
    g_cond_clear(&cpu->cond);
    g_cond_clear(&cpu->exit_cond);
    g_free(cpu);
}

CPUX86State *cpu_env(CPUState *cpu)
{
    return cpu->env;
}

void cpu_kick(CPUState *cpu)
{
    cpu->ops->kick(cpu);
    g_mutex_lock(&cpu->lock);
    g_cond_broadcast(&cpu->cond);
    g_mutex_unlock(&cpu->lock);
}

void cpu_interrupt(CPUState *cpu, uint32_t mask)
{
    x86_cpu_interrupt(cpu->env, mask);
    g_mutex_lock(&cpu->lock);
    g_cond_broadcast(&cpu->cond);
    g_mutex_unlock(&cpu->lock);
}

void cpu_reset_interrupt(CPUState *cpu, uint32_t mask)
{
    x86_cpu_reset_interrupt(cpu->env, mask);
}

static void cpu_pause(CPUState *cpu)
{
    g_mutex_lock(&cpu->lock);
    cpu->stop = true;
    g_mutex_unlock(&cpu->lock);
    cpu_kick(cpu);
}

void cpu_pause_all(void)
{
    CPUState *cpu = first_cpu;
    bool took = false;

    if (!cpu) {
        return;
    }
    if (!bql_locked()) {
        bql_lock();
        took = true;
    }
    cpu_pause(cpu);
    while (!cpu_is_paused(cpu)) {
        bql_cond_wait(&park_cond);
    }
    if (took) {
        bql_unlock();
    }
}

void cpu_resume_all(void)
{
    CPUState *cpu = first_cpu;

    if (!cpu) {
        return;
    }
    g_mutex_lock(&cpu->lock);
    cpu->stop = false;
    g_cond_broadcast(&cpu->cond);
    g_mutex_unlock(&cpu->lock);
}

bool cpu_is_paused(CPUState *cpu)
{
    bool p;

    g_mutex_lock(&cpu->lock);
    p = cpu->parked && cpu->stop;
    g_mutex_unlock(&cpu->lock);
    return p;
}

uint64_t cpu_icount(CPUState *cpu)
{
    return __atomic_load_n(&cpu->env->icount, __ATOMIC_RELAXED);
}
