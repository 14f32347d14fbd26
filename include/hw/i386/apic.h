/*
 * Machine and CPU glue for the local APIC device (TYPE_APIC, "apic").
 *
 * The machine creates the device, gives it its outward hooks (CPU INTR
 * and NMI lines, the 8259's INTA for ExtINT, the IOAPIC's EOI broadcast,
 * the TSC-to-virtual-time conversion) and connects the 8259's INTR to
 * LINT0.  The CPU side calls the apic_cpu_* functions below when it takes
 * an external interrupt, on rdmsr/wrmsr of MSR 0x1b and 0x6e0, and on
 * CR8 accesses.  All of them must be called with the big lock held; they
 * read QEMU_CLOCK_VIRTUAL themselves.
 */
#ifndef HW_I386_APIC_H
#define HW_I386_APIC_H

#include "hw/qdev-core.h"
#include "hw/irq.h"
#include "hw/intc/apic.h"

/**
 * apic_new: create and realize the LAPIC with @id, mapped at 0xfee00000.
 * @ops: set_intr, nmi, extint_ack, eoi_broadcast, tsc_to_ns (timer_arm
 * is the device's own and ignored here); @opaque is passed to them.
 */
DeviceState *apic_new(uint8_t id, const APICOps *ops, void *opaque,
                      Error **errp);
/** apic_get_state: the register model inside the device. */
APICState *apic_get_state(DeviceState *dev);
/** apic_get_lint: input line LINT0 (@pin 0, 8259 INTR) or LINT1. */
qemu_irq apic_get_lint(DeviceState *dev, int pin);

/** apic_cpu_get_interrupt: INTA: vector to deliver (see apic.h). */
int apic_cpu_get_interrupt(DeviceState *dev);
bool apic_cpu_has_interrupt(DeviceState *dev);
uint64_t apic_cpu_get_base(DeviceState *dev);
void apic_cpu_set_base(DeviceState *dev, uint64_t val);
uint64_t apic_cpu_get_tsc_deadline(DeviceState *dev);
void apic_cpu_set_tsc_deadline(DeviceState *dev, uint64_t val);
uint8_t apic_cpu_get_cr8(DeviceState *dev);
void apic_cpu_set_cr8(DeviceState *dev, uint8_t val);
/** apic_dev_deliver_msi: PCI MSI/MSI-X and IOAPIC messages. */
void apic_dev_deliver_msi(DeviceState *dev, uint64_t addr, uint32_t data);

#endif
