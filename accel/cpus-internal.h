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
};

CPUState *cpu_create_with_ops(const AccelOps *ops, CPUX86State *env,
                              Error **errp);
bool cpu_thread_wait_io_event(CPUState *cpu);

#endif
