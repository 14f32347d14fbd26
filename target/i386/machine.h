/*
 * Migration description of the x86 vCPU (target/i386/machine.c).
 *
 * The section's opaque is the CPUX86State itself; the machine registers
 * it as idstr "cpu", instance 0 (QEMU's name for CPU 0).
 */
#ifndef TARGET_I386_MACHINE_H
#define TARGET_I386_MACHINE_H

#include "migration/vmstate.h"

/*
 * vmstate_x86_cpu: the architectural state of one CPUX86State.  Saving
 * materialises the lazy arithmetic flags; loading validates the stream,
 * re-raises pending NMI/INIT/external interrupt requests and drops the
 * soft TLB and the decoded-instruction cache.  Save only while the vCPU
 * is paused.
 */
extern const VMStateDescription vmstate_x86_cpu;

#endif
