/*
 * Port 0x61: PIT channel 2 gate and OUT, refresh toggle.
 * See include/hw/misc/port61.h.
 */
#include "qemu/osdep.h"
#include "hw/misc/port61.h"
#include "migration/vmstate.h"

#define REFRESH_PERIOD_NS 15085

void port61_core_init(Port61State *s, PITState *pit)
{
    s->pit = pit;
    s->data_on = 0;
}

uint8_t port61_read(Port61State *s, int64_t now)
{
    uint8_t val = 0;

    val |= pit_get_gate(s->pit, 2) ? 0x01 : 0;
    val |= s->data_on ? 0x02 : 0;
    val |= ((now / REFRESH_PERIOD_NS) & 1) << 4;
    val |= pit_get_out(s->pit, 2, now) ? 0x20 : 0;
    return val;
}

void port61_write(Port61State *s, uint8_t val, int64_t now)
{
    pit_set_gate(s->pit, 2, val & 1, now);
    s->data_on = (val >> 1) & 1;
}

const VMStateDescription vmstate_port61_core = {
    .name = "port61-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(data_on, Port61State),
        VMSTATE_END_OF_LIST()
    },
};
