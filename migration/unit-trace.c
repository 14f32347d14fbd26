/*
 * Definitions of the migration/ trace events for unit tests, which link
 * the pure cores of this directory without libtandem (where the generated
 * trace-migration.c lives).  Not part of the emulator binary.
 */
#include "qemu/osdep.h"
#include "migration/unit-trace-migration.c.inc"
