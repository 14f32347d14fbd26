/*
 * CPUState internals shared by accel/cpus.c and the accelerators.
 */
#ifndef ACCEL_CPUS_INTERNAL_H
#define ACCEL_CPUS_INTERNAL_H

#include "accel/accel-ops.h"

struct CPUState {
    const AccelOps *ops;
    CPUX86State *env;
    X86CPUHooks hooks;          /* interpreter hooks (tcg) */
    CPUMachineHooks machine;
    GThread *thread;
    GMutex lock;                /* protects stop/parked/quit + sleeping */
    GCond cond;
    bool stop;
    bool parked;
    bool quit;
    int reader;                 /* memory_reader id of the thread */
    /*
     * tcg: true while the thread runs guest code outside the BQL, where
     * it may hold a fast-write TLB entry; guest_exits counts the times it
     * stopped doing so (see tcg_rearm()).
     */
    bool in_guest;
    uint64_t guest_exits;
    int exit_waiters;           /* threads in tcg_rearm() waiting */
    GCond exit_cond;            /* with @lock: guest_exits moved */
    /* tcg_rearm() waits for the vCPU: count, total and longest (us) */
    uint64_t rearm_waits, rearm_wait_us, rearm_wait_max_us;
};

CPUState *cpu_create_with_ops(const AccelOps *ops, CPUX86State *env,
                              Error **errp);
bool cpu_thread_wait_io_event(CPUState *cpu);

#endif
