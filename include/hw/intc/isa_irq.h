/*
 * ISA interrupt lines of the pc machine.  There is no ISA bus object: the
 * machine registers the 16 lines (each one fanned out to the 8259 input
 * and the matching IOAPIC GSI, with IRQ0 going to GSI2) before it creates
 * ISA devices, and device shells look their line up at realize.
 */
#ifndef HW_INTC_ISA_IRQ_H
#define HW_INTC_ISA_IRQ_H

#include "hw/irq.h"

#define ISA_NUM_IRQS 16

/** isa_irq_set_lines: the machine's 16 ISA IRQ lines (copied). */
void isa_irq_set_lines(const qemu_irq *lines);
/** isa_get_irq: line @isairq (0-15), NULL when none is registered. */
qemu_irq isa_get_irq(int isairq);

#endif
