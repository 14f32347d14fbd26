/*
 * The "isa-serial" device: a 16550A at iobase (default by index: 0x3f8,
 * 0x2f8, 0x3e8, 0x2e8) raising ISA irq (default 4, 3, 4, 3), connected
 * to a chardev.  Properties: chardev, index, iobase, irq.
 */
#ifndef HW_CHAR_SERIAL_ISA_H
#define HW_CHAR_SERIAL_ISA_H

#include "hw/qdev-core.h"
#include "chardev/char.h"
#include "hw/char/serial.h"

#define MAX_ISA_SERIAL_PORTS 4

/**
 * serial_isa_new: create and realize port @index bound to @chr (may be
 * NULL: output is dropped) -- what the machine does for -serial.
 */
DeviceState *serial_isa_new(int index, Chardev *chr, Error **errp);

#endif
