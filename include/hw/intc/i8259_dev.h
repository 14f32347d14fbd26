/*
 * Machine glue for the 8259 pair device (TYPE_I8259, "isa-i8259"): ports
 * 0x20-0x21, 0xa0-0xa1 and the ELCR at 0x4d0-0x4d1.  Call with the big
 * lock held.
 */
#ifndef HW_INTC_I8259_DEV_H
#define HW_INTC_I8259_DEV_H

#include "hw/qdev-core.h"
#include "hw/intc/i8259.h"

/** i8259_new: the pair; @int_out is INTR (the LAPIC's LINT0). */
DeviceState *i8259_new(qemu_irq int_out, Error **errp);
/** i8259_get_input: ISA IRQ @n (0-15) input line. */
qemu_irq i8259_get_input(DeviceState *dev, int n);
/** i8259_dev_read_irq: INTA cycle, returns the vector. */
int i8259_dev_read_irq(DeviceState *dev);

#endif
