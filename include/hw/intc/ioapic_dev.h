/*
 * Machine glue for the IOAPIC device (TYPE_IOAPIC, "ioapic", MMIO at
 * 0xfec00000).  Its 24 input lines are the GSIs; interrupt messages go to
 * the hook given at creation (the LAPIC's apic_dev_deliver_msi).  Call
 * with the big lock held.
 */
#ifndef HW_INTC_IOAPIC_DEV_H
#define HW_INTC_IOAPIC_DEV_H

#include "hw/qdev-core.h"
#include "hw/irq.h"
#include "hw/intc/ioapic.h"

DeviceState *ioapic_new(IOAPICDeliverFn *deliver, void *opaque,
                        Error **errp);
/** ioapic_get_gsi: input line of pin @gsi (0-23). */
qemu_irq ioapic_get_gsi(DeviceState *dev, int gsi);
/** ioapic_dev_eoi: the LAPIC's EOI broadcast for a level @vector. */
void ioapic_dev_eoi(DeviceState *dev, int vector);

#endif
