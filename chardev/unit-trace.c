/*
 * Definitions of the chardev trace events for unit tests, which link
 * chardev_files without libtandem (where the generated trace-chardev.c
 * lives).  Not part of the emulator binary.
 */
#include "qemu/osdep.h"
#include "chardev/unit-trace-chardev.c.inc"
