/*
 * System control port B (0x61) of the PC/AT:
 *   bit 0 (rw) PIT channel 2 gate        bit 1 (rw) speaker data enable
 *   bit 4 (ro) refresh request toggle, flips every ~15 us
 *   bit 5 (ro) PIT channel 2 OUT         other bits read 0
 * Linux calibrates the TSC by gating channel 2 here and polling bit 5.
 */
#ifndef HW_MISC_PORT61_H
#define HW_MISC_PORT61_H

#include "migration/vmstate.h"

#include "hw/timer/i8254.h"

#define TYPE_PORT61 "isa-pcspk"

typedef struct Port61State {
    PITState *pit;
    uint8_t data_on;         /* bit 1 as written */
} Port61State;

void port61_core_init(Port61State *s, PITState *pit);
uint8_t port61_read(Port61State *s, int64_t now);
void port61_write(Port61State *s, uint8_t val, int64_t now);

extern const VMStateDescription vmstate_port61_core;

#endif
