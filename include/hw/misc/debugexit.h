/*
 * isa-debug-exit: a write of value v to its I/O range ends the process
 * with exit status (v << 1) | 1 (so a test ROM/kernel can report
 * pass/fail without ever producing status 0).
 */
#ifndef HW_MISC_DEBUGEXIT_H
#define HW_MISC_DEBUGEXIT_H

#include "qapi/error.h"

#define TYPE_ISA_DEBUG_EXIT "isa-debug-exit"

/** debug_exit_status: the process exit status for a written @val. */
static inline int debug_exit_status(uint64_t val)
{
    return (int)(((val << 1) | 1) & 0xff);
}

typedef struct DeviceState DeviceState;

/** isa_debug_exit_new: create and realize the device at @iobase. */
DeviceState *isa_debug_exit_new(uint32_t iobase, uint32_t iosize,
                                Error **errp);

#endif
