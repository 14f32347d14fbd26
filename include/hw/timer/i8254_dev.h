/*
 * Machine glue for the PIT device (TYPE_I8254, "isa-pit", ports
 * 0x40-0x43, IRQ0 from isa_get_irq(0)) and the port 0x61 device
 * (TYPE_PORT61 "isa-pcspk") that gates channel 2.  Big lock held.
 */
#ifndef HW_TIMER_I8254_DEV_H
#define HW_TIMER_I8254_DEV_H

#include "hw/qdev-core.h"
#include "hw/timer/i8254.h"

DeviceState *i8254_new(Error **errp);
PITState *i8254_get_state(DeviceState *dev);
/** port61_new: port 0x61 bound to the PIT device @pit. */
DeviceState *port61_new(DeviceState *pit, Error **errp);

#endif
