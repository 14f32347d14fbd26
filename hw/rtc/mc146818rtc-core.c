/*
 * MC146818 RTC + CMOS: pure model.  See include/hw/rtc/mc146818rtc.h.
 */
#include "qemu/osdep.h"
#include "hw/rtc/mc146818rtc.h"
#include "migration/vmstate.h"

#define NS_PER_SEC 1000000000LL
#define UIP_WINDOW_NS 244000LL

#define REG_A_UIP   0x80
#define REG_B_SET   0x80
#define REG_B_PIE   0x40
#define REG_B_AIE   0x20
#define REG_B_UIE   0x10
#define REG_B_DM    0x04
#define REG_B_24H   0x02
#define REG_C_IRQF  0x80
#define REG_C_PF    0x40
#define REG_C_AF    0x20
#define REG_C_UF    0x10
#define REG_D_VRT   0x80

enum {
    SEC = 0, SEC_ALARM = 1, MIN = 2, MIN_ALARM = 3, HOUR = 4,
    HOUR_ALARM = 5, WDAY = 6, MDAY = 7, MONTH = 8, YEAR = 9,
};

/* ---- value encoding ---- */

static bool rtc_binary(RTCState *s)
{
    return s->cmos_data[RTC_REG_B] & REG_B_DM;
}

static uint8_t to_reg(RTCState *s, int v)
{
    return rtc_binary(s) ? v : ((v / 10) << 4) | (v % 10);
}

static int from_reg(RTCState *s, uint8_t v)
{
    return rtc_binary(s) ? v : (v >> 4) * 10 + (v & 0xf);
}

static uint8_t hour_to_reg(RTCState *s, int hour)
{
    int h12;

    if (s->cmos_data[RTC_REG_B] & REG_B_24H) {
        return to_reg(s, hour);
    }
    h12 = hour % 12 ? hour % 12 : 12;
    return to_reg(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static int hour_from_reg(RTCState *s, uint8_t v)
{
    int h;

    if (s->cmos_data[RTC_REG_B] & REG_B_24H) {
        return from_reg(s, v);
    }
    h = from_reg(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* ---- the clock ---- */

int64_t rtc_get_epoch_ns(RTCState *s, int64_t now)
{
    return now + s->offset_ns;
}

static bool rtc_running(RTCState *s)
{
    return !(s->cmos_data[RTC_REG_B] & REG_B_SET) &&
           ((s->cmos_data[RTC_REG_A] >> 4) & 7) == 2;
}

/* Render the clock into the time registers. */
static void rtc_render_time(RTCState *s, int64_t now)
{
    time_t secs = rtc_get_epoch_ns(s, now) / NS_PER_SEC;
    struct tm tm = { 0 };
    int year;

    if (!gmtime_r(&secs, &tm)) {
        return;              /* out of range: keep the registers */
    }
    year = tm.tm_year + 1900;
    s->cmos_data[SEC] = to_reg(s, tm.tm_sec);
    s->cmos_data[MIN] = to_reg(s, tm.tm_min);
    s->cmos_data[HOUR] = hour_to_reg(s, tm.tm_hour);
    s->cmos_data[WDAY] = to_reg(s, tm.tm_wday + 1);
    s->cmos_data[MDAY] = to_reg(s, tm.tm_mday);
    s->cmos_data[MONTH] = to_reg(s, tm.tm_mon + 1);
    s->cmos_data[YEAR] = to_reg(s, year % 100);
    s->cmos_data[RTC_CENTURY] = to_reg(s, year / 100);
}

/* Set the clock from the time registers, keeping the sub-second phase. */
static void rtc_load_time(RTCState *s, int64_t now, bool keep_phase)
{
    struct tm tm = { 0 };
    int64_t secs, frac;
    int century = from_reg(s, s->cmos_data[RTC_CENTURY]);

    tm.tm_sec = from_reg(s, s->cmos_data[SEC]);
    tm.tm_min = from_reg(s, s->cmos_data[MIN]);
    tm.tm_hour = hour_from_reg(s, s->cmos_data[HOUR]);
    tm.tm_mday = from_reg(s, s->cmos_data[MDAY]);
    tm.tm_mon = from_reg(s, s->cmos_data[MONTH]) - 1;
    if (century < 19 || century > 99) {
        century = 20;
    }
    tm.tm_year = century * 100 + from_reg(s, s->cmos_data[YEAR]) - 1900;
    secs = timegm(&tm);
    frac = keep_phase ? rtc_get_epoch_ns(s, now) % NS_PER_SEC : 0;
    s->offset_ns = secs * NS_PER_SEC + frac - now;
}

/* ---- interrupts ---- */

static int64_t rtc_period_ns(RTCState *s)
{
    int rate = s->cmos_data[RTC_REG_A] & 0xf;

    if (rate == 0) {
        return 0;
    }
    if (rate <= 2) {
        rate += 7;
    }
    /* 32768 Hz >> (rate - 1) */
    return (NS_PER_SEC << (rate - 1)) / 32768;
}

/* Whether a multiple of @period (in the @base + t time line) is in (a, b]. */
static bool crossed(int64_t a, int64_t b, int64_t base, int64_t period)
{
    if (b <= a || period <= 0) {
        return false;
    }
    return (b + base) / period != (a + base) / period;
}

static bool rtc_alarm_matches(RTCState *s)
{
    static const int pairs[3][2] = {
        { SEC_ALARM, SEC }, { MIN_ALARM, MIN }, { HOUR_ALARM, HOUR },
    };
    int i;

    for (i = 0; i < 3; i++) {
        uint8_t alarm = s->cmos_data[pairs[i][0]];

        if ((alarm & 0xc0) != 0xc0 && alarm != s->cmos_data[pairs[i][1]]) {
            return false;
        }
    }
    return true;
}

static void rtc_update_irq(RTCState *s)
{
    uint8_t c = s->cmos_data[RTC_REG_C];
    uint8_t b = s->cmos_data[RTC_REG_B];
    int level;

    if ((c & REG_C_PF && b & REG_B_PIE) || (c & REG_C_AF && b & REG_B_AIE) ||
        (c & REG_C_UF && b & REG_B_UIE)) {
        c |= REG_C_IRQF;
    }
    s->cmos_data[RTC_REG_C] = c;
    level = !!(c & REG_C_IRQF);
    if (level != s->irq_level) {
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/* Latch PF/UF/AF for events in (last_check, now]. */
static void rtc_check_flags(RTCState *s, int64_t now)
{
    int64_t period = rtc_period_ns(s);

    if (crossed(s->last_check, now, 0, period)) {
        s->cmos_data[RTC_REG_C] |= REG_C_PF;
    }
    if (rtc_running(s) &&
        crossed(s->last_check, now, s->offset_ns, NS_PER_SEC)) {
        s->cmos_data[RTC_REG_C] |= REG_C_UF;
        rtc_render_time(s, now);
        if (rtc_alarm_matches(s)) {
            s->cmos_data[RTC_REG_C] |= REG_C_AF;
        }
    }
    if (now > s->last_check) {
        s->last_check = now;
    }
    rtc_update_irq(s);
}

static int64_t next_multiple(int64_t now, int64_t base, int64_t period)
{
    return ((now + base) / period + 1) * period - base;
}

static void rtc_rearm(RTCState *s, int64_t now)
{
    uint8_t b = s->cmos_data[RTC_REG_B];
    int64_t next = -1, period = rtc_period_ns(s), t;

    if ((b & REG_B_PIE) && period) {
        next = next_multiple(now, 0, period);
    }
    if ((b & (REG_B_UIE | REG_B_AIE)) && rtc_running(s)) {
        t = next_multiple(now, s->offset_ns, NS_PER_SEC);
        next = next < 0 ? t : MIN(next, t);
    }
    s->next_time = next;
    if (s->timer_arm) {
        s->timer_arm(s->opaque, next);
    }
}

void rtc_timer_expired(RTCState *s, int64_t now)
{
    if (s->next_time < 0 || now < s->next_time) {
        return;
    }
    rtc_check_flags(s, now);
    rtc_rearm(s, now);
}

/* ---- ports ---- */

static bool rtc_uip(RTCState *s, int64_t now)
{
    int64_t frac;

    if (!rtc_running(s)) {
        return false;
    }
    frac = rtc_get_epoch_ns(s, now) % NS_PER_SEC;
    return frac >= NS_PER_SEC - UIP_WINDOW_NS;
}

static uint8_t rtc_read_data(RTCState *s, int64_t now)
{
    uint8_t idx = s->cmos_index, val;

    switch (idx) {
    case SEC:
    case MIN:
    case HOUR:
    case WDAY ... YEAR:
    case RTC_CENTURY:
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_render_time(s, now);
        }
        return s->cmos_data[idx];
    case RTC_REG_A:
        val = s->cmos_data[RTC_REG_A] & ~REG_A_UIP;
        return val | (rtc_uip(s, now) ? REG_A_UIP : 0);
    case RTC_REG_C:
        rtc_check_flags(s, now);
        val = s->cmos_data[RTC_REG_C];
        s->cmos_data[RTC_REG_C] = 0;
        rtc_update_irq(s);
        return val;
    case RTC_REG_D:
        return REG_D_VRT;
    default:
        return s->cmos_data[idx];
    }
}

static void rtc_write_data(RTCState *s, uint8_t val, int64_t now)
{
    uint8_t idx = s->cmos_index;
    uint8_t old;

    switch (idx) {
    case SEC:
    case MIN:
    case HOUR:
    case WDAY ... YEAR:
    case RTC_CENTURY:
        if (!(s->cmos_data[RTC_REG_B] & REG_B_SET)) {
            rtc_render_time(s, now);
            s->cmos_data[idx] = val;
            rtc_load_time(s, now, true);
        } else {
            s->cmos_data[idx] = val;
        }
        break;
    case RTC_REG_A:
        rtc_check_flags(s, now);
        s->cmos_data[RTC_REG_A] = val & 0x7f;
        rtc_rearm(s, now);
        break;
    case RTC_REG_B:
        rtc_check_flags(s, now);
        old = s->cmos_data[RTC_REG_B];
        if ((val & REG_B_SET) && !(old & REG_B_SET)) {
            /* freeze: the registers now hold the time being set */
            rtc_render_time(s, now);
            val &= ~REG_B_UIE;
        }
        s->cmos_data[RTC_REG_B] = val;
        if (!(val & REG_B_SET) && (old & REG_B_SET)) {
            rtc_load_time(s, now, false);
            s->last_check = now;
        }
        rtc_update_irq(s);
        rtc_rearm(s, now);
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        break;           /* read-only */
    default:
        s->cmos_data[idx] = val;
        break;
    }
}

uint8_t rtc_ioport_read(RTCState *s, int addr, int64_t now)
{
    if ((addr & 1) == 0) {
        return 0xff;
    }
    return rtc_read_data(s, now);
}

void rtc_ioport_write(RTCState *s, int addr, uint8_t val, int64_t now)
{
    if ((addr & 1) == 0) {
        s->cmos_index = val & 0x7f;
        s->nmi_masked = val >> 7;
        return;
    }
    rtc_write_data(s, val, now);
}

/* ---- memory sizes and life cycle ---- */

void rtc_set_memory(RTCState *s, int addr, uint8_t val)
{
    if (addr > RTC_REG_D && addr < 128) {
        s->cmos_data[addr] = val;
    }
}

void rtc_set_memory_sizes(RTCState *s, uint64_t below_4g, uint64_t above_4g)
{
    uint64_t kb, units;

    rtc_set_memory(s, 0x15, 640 & 0xff);
    rtc_set_memory(s, 0x16, 640 >> 8);
    kb = below_4g > 1024 * 1024 ? (below_4g - 1024 * 1024) / 1024 : 0;
    kb = MIN(kb, 0xfc00);     /* 63 MiB limit of the 16-bit field */
    rtc_set_memory(s, 0x17, kb);
    rtc_set_memory(s, 0x18, kb >> 8);
    rtc_set_memory(s, 0x30, kb);
    rtc_set_memory(s, 0x31, kb >> 8);
    units = below_4g > 16 * 1024 * 1024 ?
            (below_4g - 16 * 1024 * 1024) / 65536 : 0;
    units = MIN(units, 0xffff);
    rtc_set_memory(s, 0x34, units);
    rtc_set_memory(s, 0x35, units >> 8);
    units = above_4g / 65536;
    units = MIN(units, 0xffffff);
    rtc_set_memory(s, 0x5b, units);
    rtc_set_memory(s, 0x5c, units >> 8);
    rtc_set_memory(s, 0x5d, units >> 16);
}

void rtc_core_init(RTCState *s, qemu_irq irq,
                   void (*timer_arm)(void *opaque, int64_t when),
                   void *opaque, int64_t epoch_ns, int64_t now)
{
    memset(s, 0, sizeof(*s));
    s->irq = irq;
    s->timer_arm = timer_arm;
    s->opaque = opaque;
    s->next_time = -1;
    s->cmos_data[RTC_REG_A] = 0x26;      /* 32.768 kHz, 1024 Hz rate */
    s->cmos_data[RTC_REG_B] = REG_B_24H;
    s->cmos_data[RTC_REG_D] = REG_D_VRT;
    s->offset_ns = epoch_ns - now;
    s->last_check = now;
    rtc_render_time(s, now);
}

void rtc_core_reset(RTCState *s, int64_t now)
{
    /* the clock and CMOS RAM survive; interrupt sources do not */
    s->cmos_data[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | 0x08);
    s->cmos_data[RTC_REG_C] = 0;
    s->last_check = now;
    rtc_update_irq(s);
    rtc_rearm(s, now);
}

void rtc_core_post_load(RTCState *s, int64_t now)
{
    /* keep now + offset far from overflow whatever the stream said */
    const int64_t limit = 1LL << 62;

    if (s->offset_ns > limit || s->offset_ns < -limit) {
        s->offset_ns = 0;
    }
    if (s->last_check > now) {
        s->last_check = now;
    }
    s->cmos_index &= 0x7f;
    s->irq_level = -1;
    rtc_update_irq(s);
    rtc_rearm(s, now);
}

/* ---- migration ---- */

const VMStateDescription vmstate_rtc_core = {
    .name = "mc146818rtc-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(cmos_data, RTCState, 128),
        VMSTATE_UINT8(cmos_index, RTCState),
        VMSTATE_UINT8(nmi_masked, RTCState),
        VMSTATE_INT64(offset_ns, RTCState),
        VMSTATE_INT64(last_check, RTCState),
        VMSTATE_INT64(next_time, RTCState),
        VMSTATE_END_OF_LIST()
    },
};
