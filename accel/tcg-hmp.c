/*
 * HMP "info jit" for the interpreter accelerator: retired guest
 * instructions and the decoded-instruction cache's counters, so a
 * benchmark (bench/boot/run) can compute MIPS of a running guest.
 *
 * The counters belong to the vCPU thread; this reads them from the main
 * loop with relaxed atomic loads (a snapshot, possibly a few instructions
 * old, which is all a rate needs).
 */
#include "qemu/osdep.h"
#include "hw/core/cpu.h"
#include "cpus-internal.h"
#include "../monitor/monitor-internal.h"

static void hmp_info_jit(Monitor *mon, int argc, char **argv)
{
    CPUX86State *env;

    if (!first_cpu || first_cpu->ops != &tcg_accel_ops) {
        monitor_printf(mon, "JIT information is only available with "
                       "accel=tcg\n");
        return;
    }
    env = first_cpu->env;
    monitor_printf(mon, env->jit_hot ? "Interpreter, hot blocks compiled "
                   "to native code\n" : "Interpreter (native code off)\n");
    monitor_printf(mon, "guest instructions retired  %" PRIu64 "\n",
                   __atomic_load_n(&env->icount, __ATOMIC_RELAXED));
    monitor_printf(mon, "decoded-insn cache misses   %" PRIu64 "\n",
                   __atomic_load_n(&env->fast_misses, __ATOMIC_RELAXED));
    monitor_printf(mon, "decoded blocks run          %" PRIu64 "\n",
                   __atomic_load_n(&env->fast_runs, __ATOMIC_RELAXED));
    monitor_printf(mon, "... entered through links   %" PRIu64 "\n",
                   __atomic_load_n(&env->fast_chained, __ATOMIC_RELAXED));
    monitor_printf(mon, "full-decoder instructions   %" PRIu64 "\n",
                   __atomic_load_n(&env->slow_insns, __ATOMIC_RELAXED));
    monitor_printf(mon, "blocks compiled to native   %" PRIu64 "\n",
                   __atomic_load_n(&env->jit_blocks, __ATOMIC_RELAXED));
    monitor_printf(mon, "native code bytes in use    %zu\n",
                   __atomic_load_n(&env->jit_used, __ATOMIC_RELAXED));
    monitor_printf(mon, "code invalidations          %" PRIu32 "\n",
                   __atomic_load_n(&env->code_epoch, __ATOMIC_RELAXED));
    monitor_printf(mon, "TLB flushes                 %" PRIu64 "\n",
                   __atomic_load_n(&env->tlb_flush_count, __ATOMIC_RELAXED));
    g_mutex_lock(&first_cpu->lock);
    monitor_printf(mon, "dirty-barrier waits         %" PRIu64
                   " (%" PRIu64 " us in all, longest %" PRIu64 " us)\n",
                   first_cpu->rearm_waits, first_cpu->rearm_wait_us,
                   first_cpu->rearm_wait_max_us);
    g_mutex_unlock(&first_cpu->lock);
}

static const HMPCommand hmp_tcg_info_cmds[] = {
    { "jit", "", "show the interpreter's instruction counters", 0, 0,
      false, hmp_info_jit },
    { NULL },
};

static void hmp_tcg_init(void) __attribute__((constructor));
static void hmp_tcg_init(void)
{
    hmp_register_commands(NULL, hmp_tcg_info_cmds);
}
