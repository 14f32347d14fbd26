/*
 * Accelerator seam.  An accelerator runs one vCPU thread per CPUState
 * (include/hw/core/cpu.h) and implements these operations; the generic
 * cpu_* functions call them.  "tcg" is the interpreter in target/i386
 * (accel/tcg-cpus.c); a KVM accelerator would implement the same table
 * with KVM_RUN in its thread, the memory API's RAM blocks as memory slots
 * and the dirty-log ioctls feeding physmem's per-client bitmaps.
 */
#ifndef ACCEL_ACCEL_OPS_H
#define ACCEL_ACCEL_OPS_H

#include "hw/core/cpu.h"

typedef struct AccelOps {
    const char *name;
    /* the thread body: run guest code until @cpu is stopped */
    void (*run)(CPUState *cpu);
    /* interrupt the guest code so the thread re-checks its requests */
    void (*kick)(CPUState *cpu);
    /* after the thread exited: drop hooks that point at @cpu */
    void (*destroy)(CPUState *cpu);
} AccelOps;

extern const AccelOps tcg_accel_ops;

#endif
