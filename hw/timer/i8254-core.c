/*
 * 8254 PIT: pure counter model.  See include/hw/timer/i8254.h.
 */
#include "qemu/osdep.h"
#include "hw/timer/i8254.h"
#include "migration/vmstate.h"

enum {
    RW_LATCH = 0,
    RW_LSB = 1,
    RW_MSB = 2,
    RW_WORD0 = 3,     /* LSB next, then MSB */
    RW_WORD1 = 4,     /* MSB next */
};

static uint64_t ns_to_ticks(int64_t ns)
{
    return (uint64_t)(((unsigned __int128)ns * PIT_FREQ) / 1000000000ULL);
}

static int64_t ticks_to_ns(uint64_t ticks)
{
    /* first ns at which ns_to_ticks() reaches @ticks */
    return (int64_t)(((unsigned __int128)ticks * 1000000000ULL +
                      PIT_FREQ - 1) / PIT_FREQ);
}

static uint64_t chan_ticks(PITChannel *c, int64_t now)
{
    if (now <= c->count_load_time) {
        return 0;
    }
    return ns_to_ticks(now - c->count_load_time);
}

static uint16_t chan_value(PITChannel *c, int64_t now)
{
    uint64_t d;

    if (c->stopped) {
        return c->count & 0xffff;
    }
    d = chan_ticks(c, now);
    switch (c->mode) {
    case 2:
        return c->count - d % c->count;
    case 3:
        return (c->count - (2 * d) % c->count) & 0xfffe;
    default:
        return (c->count - d) & 0xffff;
    }
}

static int chan_out_at(PITChannel *c, uint64_t d)
{
    uint64_t r;

    switch (c->mode) {
    case 0:
    case 1:
        return d >= c->count;
    case 2:
        if (c->count < 2) {
            return 1;
        }
        return d % c->count != c->count - 1;
    case 3:
        r = d % c->count;
        return r < (c->count + 1) / 2;
    default:  /* 4, 5 */
        return d != c->count;
    }
}

static int chan_out(PITChannel *c, int64_t now)
{
    if (c->stopped) {
        return c->mode != 0;
    }
    if ((c->mode == 2 || c->mode == 3) && !c->gate) {
        return 1;
    }
    return chan_out_at(c, chan_ticks(c, now));
}

/* Tick count of the next OUT change after @d, or UINT64_MAX. */
static uint64_t chan_next_transition(PITChannel *c, uint64_t d)
{
    uint64_t base, r, half;

    switch (c->mode) {
    case 0:
    case 1:
        return d < c->count ? c->count : UINT64_MAX;
    case 2:
        if (c->count < 2) {
            return UINT64_MAX;
        }
        base = d - d % c->count;
        r = d % c->count;
        return r < c->count - 1 ? base + c->count - 1 : base + c->count;
    case 3:
        if (c->count < 2) {
            return UINT64_MAX;   /* OUT never changes */
        }
        base = d - d % c->count;
        r = d % c->count;
        half = (c->count + 1) / 2;
        return r < half ? base + half : base + c->count;
    default:
        if (d < c->count) {
            return c->count;
        }
        return d == c->count ? c->count + 1 : UINT64_MAX;
    }
}

static void pit_set_irq_level(PITState *s, int level)
{
    if (level != s->irq_level) {
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/* Drive IRQ0 from channel 0 and arm for its next transition. */
static void pit_irq_update(PITState *s, int64_t now)
{
    PITChannel *c = &s->channels[0];
    uint64_t next;

    pit_set_irq_level(s, chan_out(c, now));
    if (c->stopped || ((c->mode == 2 || c->mode == 3) && !c->gate)) {
        next = UINT64_MAX;
    } else {
        next = chan_next_transition(c, chan_ticks(c, now));
    }
    if (next == UINT64_MAX) {
        s->next_irq_time = -1;
    } else {
        s->next_irq_time = c->count_load_time + ticks_to_ns(next);
        if (s->next_irq_time <= now) {
            s->next_irq_time = now + 1;
        }
    }
    if (s->timer_arm) {
        s->timer_arm(s->opaque, s->next_irq_time);
    }
}

void pit_timer_expired(PITState *s, int64_t now)
{
    PITChannel *c = &s->channels[0];
    int64_t fired = s->next_irq_time;

    if (fired < 0 || now < fired) {
        return;
    }
    /*
     * Make sure the guest sees the edge the timer was armed for even if
     * the callback runs late and the level is already back (mode 2).
     */
    if (!c->stopped) {
        int out = chan_out_at(c, chan_ticks(c, fired));

        if (out != s->irq_level) {
            pit_set_irq_level(s, out);
        }
    }
    pit_irq_update(s, now);
}

static void chan_load_count(PITState *s, int n, uint32_t val, int64_t now)
{
    PITChannel *c = &s->channels[n];

    c->count = val ? val : 0x10000;
    c->count_load_time = now;
    c->stopped = 0;
    if (n == 0) {
        pit_irq_update(s, now);
    }
}

static void chan_latch_count(PITChannel *c, int64_t now)
{
    if (!c->count_latched) {
        c->latched_count = chan_value(c, now);
        c->count_latched = c->rw_mode;
    }
}

static void pit_read_back(PITState *s, uint8_t val, int64_t now)
{
    int n;

    for (n = 0; n < 3; n++) {
        PITChannel *c = &s->channels[n];

        if (!(val & (2 << n))) {
            continue;
        }
        if (!(val & 0x20)) {
            chan_latch_count(c, now);
        }
        if (!(val & 0x10) && !c->status_latched) {
            c->status = (chan_out(c, now) << 7) | (c->stopped << 6) |
                        (c->rw_mode << 4) | (c->mode << 1) | c->bcd;
            c->status_latched = 1;
        }
    }
}

static void pit_write_control(PITState *s, uint8_t val, int64_t now)
{
    int n = val >> 6;
    int access = (val >> 4) & 3;
    PITChannel *c;

    if (n == 3) {
        pit_read_back(s, val, now);
        return;
    }
    c = &s->channels[n];
    if (access == RW_LATCH) {
        chan_latch_count(c, now);
        return;
    }
    c->rw_mode = access;
    c->read_state = access;
    c->write_state = access;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5) {
        c->mode -= 4;        /* 6 and 7 alias 2 and 3 */
    }
    c->bcd = val & 1;
    c->stopped = 1;
    if (n == 0) {
        pit_irq_update(s, now);
    }
}

void pit_ioport_write(PITState *s, int addr, uint8_t val, int64_t now)
{
    PITChannel *c;
    int n = addr & 3;

    if (n == 3) {
        pit_write_control(s, val, now);
        return;
    }
    c = &s->channels[n];
    switch (c->write_state) {
    case RW_LSB:
        chan_load_count(s, n, val, now);
        break;
    case RW_MSB:
        chan_load_count(s, n, val << 8, now);
        break;
    case RW_WORD0:
        c->write_latch = val;
        c->write_state = RW_WORD1;
        break;
    case RW_WORD1:
        chan_load_count(s, n, c->write_latch | (val << 8), now);
        c->write_state = RW_WORD0;
        break;
    default:
        break;       /* no control word written yet */
    }
}

static uint8_t chan_read_latched(PITChannel *c)
{
    uint8_t ret;

    switch (c->count_latched) {
    case RW_LSB:
        ret = c->latched_count & 0xff;
        c->count_latched = 0;
        break;
    case RW_MSB:
        ret = c->latched_count >> 8;
        c->count_latched = 0;
        break;
    case RW_WORD0:
        ret = c->latched_count & 0xff;
        c->count_latched = RW_MSB;
        break;
    default:
        ret = c->latched_count >> 8;
        c->count_latched = 0;
        break;
    }
    return ret;
}

uint8_t pit_ioport_read(PITState *s, int addr, int64_t now)
{
    PITChannel *c;
    uint16_t v;
    uint8_t ret;

    if ((addr & 3) == 3) {
        return 0xff;         /* control register is write-only */
    }
    c = &s->channels[addr & 3];
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->count_latched) {
        return chan_read_latched(c);
    }
    v = chan_value(c, now);
    switch (c->read_state) {
    case RW_LSB:
        ret = v & 0xff;
        break;
    case RW_MSB:
        ret = v >> 8;
        break;
    case RW_WORD0:
        ret = v & 0xff;
        c->read_state = RW_WORD1;
        break;
    case RW_WORD1:
        ret = v >> 8;
        c->read_state = RW_WORD0;
        break;
    default:
        ret = 0;
        break;
    }
    return ret;
}

void pit_set_gate(PITState *s, int n, int level, int64_t now)
{
    PITChannel *c = &s->channels[n & 3];
    bool rising = level && !c->gate;

    c->gate = !!level;
    /* modes 1, 2, 3 and 5 restart on a rising gate edge */
    if (rising && !c->stopped && c->mode != 0 && c->mode != 4) {
        c->count_load_time = now;
    }
    if (n == 0) {
        pit_irq_update(s, now);
    }
}

int pit_get_gate(PITState *s, int n)
{
    return s->channels[n & 3].gate;
}

int pit_get_out(PITState *s, int n, int64_t now)
{
    return chan_out(&s->channels[n & 3], now);
}

void pit_core_reset(PITState *s, int64_t now)
{
    int n;

    for (n = 0; n < 3; n++) {
        PITChannel *c = &s->channels[n];

        memset(c, 0, sizeof(*c));
        c->mode = 3;
        c->gate = n != 2;
        c->count = 0x10000;
        c->count_load_time = now;
        c->stopped = 1;
    }
    pit_irq_update(s, now);
}

void pit_core_init(PITState *s, qemu_irq irq,
                   void (*timer_arm)(void *opaque, int64_t when),
                   void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->irq = irq;
    s->timer_arm = timer_arm;
    s->opaque = opaque;
    s->next_irq_time = -1;
    pit_core_reset(s, 0);
}

void pit_core_post_load(PITState *s, int64_t now)
{
    int n;

    for (n = 0; n < 3; n++) {
        PITChannel *c = &s->channels[n];

        /* guest-controlled values: keep the model's invariants */
        if (c->count == 0 || c->count > 0x10000) {
            c->count = 0x10000;
        }
        if (c->mode > 5) {
            c->mode = 2;
        }
        c->rw_mode &= 3;
    }
    s->irq_level = -1;
    pit_irq_update(s, now);
}

/* ---- migration ---- */

static const VMStateDescription vmstate_pit_channel = {
    .name = "i8254-channel",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(count, PITChannel),
        VMSTATE_UINT16(latched_count, PITChannel),
        VMSTATE_UINT8(count_latched, PITChannel),
        VMSTATE_UINT8(status_latched, PITChannel),
        VMSTATE_UINT8(status, PITChannel),
        VMSTATE_UINT8(read_state, PITChannel),
        VMSTATE_UINT8(write_state, PITChannel),
        VMSTATE_UINT8(write_latch, PITChannel),
        VMSTATE_UINT8(rw_mode, PITChannel),
        VMSTATE_UINT8(mode, PITChannel),
        VMSTATE_UINT8(bcd, PITChannel),
        VMSTATE_UINT8(gate, PITChannel),
        VMSTATE_UINT8(stopped, PITChannel),
        VMSTATE_INT64(count_load_time, PITChannel),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_pit_core = {
    .name = "i8254-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(channels, PITState, 3, 1, vmstate_pit_channel,
                             PITChannel),
        VMSTATE_INT64(next_irq_time, PITState),
        VMSTATE_END_OF_LIST()
    },
};
