/*
 * Self-announce core: the RARP frame and the round schedule (layout and
 * timing: include/net/announce.h).  Pure: no timers, no clients.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "net/announce.h"

const AnnounceTiming announce_timing_default = {
    .initial = 50,
    .max = 550,
    .rounds = 5,
    .step = 100,
};

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

size_t announce_rarp_frame(uint8_t buf[ANNOUNCE_FRAME_LEN],
                           const uint8_t mac[6])
{
    memset(buf, 0, ANNOUNCE_FRAME_LEN);
    memset(buf, 0xff, 6);
    memcpy(buf + 6, mac, 6);
    put_be16(buf + 12, ANNOUNCE_ETH_P_RARP);
    put_be16(buf + 14, 1);              /* Ethernet */
    put_be16(buf + 16, 0x0800);         /* IPv4 */
    buf[18] = 6;
    buf[19] = 4;
    put_be16(buf + 20, 3);              /* reverse request */
    memcpy(buf + 22, mac, 6);           /* sha; spa stays 0 */
    memcpy(buf + 32, mac, 6);           /* tha; tpa stays 0 */
    return ANNOUNCE_FRAME_LEN;
}

int64_t announce_round_delay_ms(const AnnounceTiming *t, int64_t round)
{
    int64_t d;

    if (round < 0 || t->step < 0 || t->initial < 0 ||
        __builtin_mul_overflow(round, t->step, &d) ||
        __builtin_add_overflow(d, t->initial, &d) || d > t->max) {
        return t->max;
    }
    return d;
}

static bool check(int64_t v, int64_t max, const char *name, Error **errp)
{
    if (v < 0 || v > max) {
        error_setg(errp, "Parameter '%s' expects a value between 0 and %"
                   PRId64, name, max);
        return false;
    }
    return true;
}

bool announce_timing_check(const AnnounceTiming *t, Error **errp)
{
    return check(t->initial, ANNOUNCE_MAX_MS, "initial", errp) &&
           check(t->max, ANNOUNCE_MAX_MS, "max", errp) &&
           check(t->rounds, ANNOUNCE_MAX_ROUNDS, "rounds", errp) &&
           check(t->step, ANNOUNCE_MAX_STEP_MS, "step", errp);
}
