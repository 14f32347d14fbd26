/*
 * MC146818 core: time read-out in BCD/binary and 12/24 h, setting the
 * clock with SET, UIP window, periodic/update/alarm interrupts, status C
 * clear-on-read, NMI mask bit, CMOS memory-size fields.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/rtc/mc146818rtc.h"

#define SEC_NS 1000000000LL
/* 2026-11-22 13:45:30 UTC, a Sunday */
#define EPOCH 1795355130LL

static int64_t armed;
static int irq_level;
static int irq_rises;

static void fake_arm(void *opaque, int64_t when)
{
    armed = when;
}

static void fake_irq(void *opaque, int n, int level)
{
    if (level && !irq_level) {
        irq_rises++;
    }
    irq_level = level;
}

static RTCState *new_rtc(void)
{
    RTCState *s = g_new0(RTCState, 1);

    armed = -1;
    irq_level = irq_rises = 0;
    rtc_core_init(s, qemu_allocate_irq(fake_irq, NULL, 0), fake_arm, NULL,
                  EPOCH * SEC_NS, 1000);
    return s;
}

static void free_rtc(RTCState *s)
{
    qemu_free_irq(s->irq);
    g_free(s);
}

static uint8_t cmos_read(RTCState *s, uint8_t idx, int64_t now)
{
    rtc_ioport_write(s, 0, idx, now);
    return rtc_ioport_read(s, 1, now);
}

static void cmos_write(RTCState *s, uint8_t idx, uint8_t val, int64_t now)
{
    rtc_ioport_write(s, 0, idx, now);
    rtc_ioport_write(s, 1, val, now);
}

static void test_read_time(void)
{
    RTCState *s = new_rtc();

    g_assert_cmphex(cmos_read(s, 0x00, 1000), ==, 0x30);
    g_assert_cmphex(cmos_read(s, 0x02, 1000), ==, 0x45);
    g_assert_cmphex(cmos_read(s, 0x04, 1000), ==, 0x13);
    g_assert_cmphex(cmos_read(s, 0x06, 1000), ==, 0x01);
    g_assert_cmphex(cmos_read(s, 0x07, 1000), ==, 0x22);
    g_assert_cmphex(cmos_read(s, 0x08, 1000), ==, 0x11);
    g_assert_cmphex(cmos_read(s, 0x09, 1000), ==, 0x26);
    g_assert_cmphex(cmos_read(s, 0x32, 1000), ==, 0x20);
    g_assert_cmphex(cmos_read(s, 0x0d, 1000), ==, 0x80);
    /* the virtual clock advances it */
    g_assert_cmphex(cmos_read(s, 0x00, 1000 + 45 * SEC_NS), ==, 0x15);
    g_assert_cmphex(cmos_read(s, 0x02, 1000 + 45 * SEC_NS), ==, 0x46);
    /* binary, 12-hour mode: 13h -> 1 PM */
    cmos_write(s, 0x0b, 0x04, 2000);
    g_assert_cmphex(cmos_read(s, 0x04, 2000), ==, 0x81);
    g_assert_cmphex(cmos_read(s, 0x02, 2000), ==, 45);
    /* NMI mask bit does not change the index */
    rtc_ioport_write(s, 0, 0x80 | 0x09, 2000);
    g_assert_cmpint(s->nmi_masked, ==, 1);
    g_assert_cmphex(rtc_ioport_read(s, 1, 2000), ==, 26);
    free_rtc(s);
}

static void test_set_time(void)
{
    RTCState *s = new_rtc();

    cmos_write(s, 0x0b, 0x82, 5000);               /* SET, 24 h, BCD */
    cmos_write(s, 0x00, 0x59, 5000);
    cmos_write(s, 0x02, 0x59, 5000);
    cmos_write(s, 0x04, 0x23, 5000);
    cmos_write(s, 0x07, 0x31, 5000);
    cmos_write(s, 0x08, 0x12, 5000);
    cmos_write(s, 0x09, 0x99, 5000);
    cmos_write(s, 0x32, 0x19, 5000);
    /* frozen while SET */
    g_assert_cmphex(cmos_read(s, 0x00, 5000 + 3 * SEC_NS), ==, 0x59);
    g_assert_cmphex(cmos_read(s, 0x0a, 5000) & 0x80, ==, 0);
    cmos_write(s, 0x0b, 0x02, 10 * SEC_NS);
    /* one second later: 2000-01-01 00:00:00, a Saturday */
    g_assert_cmphex(cmos_read(s, 0x00, 11 * SEC_NS), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x04, 11 * SEC_NS), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x09, 11 * SEC_NS), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x32, 11 * SEC_NS), ==, 0x20);
    g_assert_cmphex(cmos_read(s, 0x06, 11 * SEC_NS), ==, 0x07);
    g_assert_cmpint(rtc_get_epoch_ns(s, 11 * SEC_NS), ==,
                    946684800LL * SEC_NS);
    free_rtc(s);
}

static void test_uip(void)
{
    RTCState *s = new_rtc();
    int64_t second_end = SEC_NS - 1000 + 1000;   /* epoch is whole */

    g_assert_cmphex(cmos_read(s, 0x0a, 1000) & 0x80, ==, 0);
    g_assert_cmphex(cmos_read(s, 0x0a, second_end - 100000) & 0x80, ==,
                    0x80);
    g_assert_cmphex(cmos_read(s, 0x0a, second_end - 300000) & 0x80, ==, 0);
    g_assert_cmphex(cmos_read(s, 0x0a, 1000) & 0x7f, ==, 0x26);
    free_rtc(s);
}

static void test_interrupts(void)
{
    RTCState *s = new_rtc();
    int64_t now = 1000;
    int i;

    /* periodic at 1024 Hz (rate 6) */
    cmos_write(s, 0x0b, 0x42, now);
    g_assert_cmpint(armed, >, now);
    g_assert_cmpint(armed, <=, now + SEC_NS / 1024 + 1);
    for (i = 0; i < 5; i++) {
        now = armed;
        rtc_timer_expired(s, now);
        g_assert_cmpint(irq_level, ==, 1);
        g_assert_cmphex(cmos_read(s, 0x0c, now), ==, 0xc0);
        g_assert_cmpint(irq_level, ==, 0);
    }
    g_assert_cmpint(irq_rises, ==, 5);
    /* status C reads 0 when nothing happened since */
    g_assert_cmphex(cmos_read(s, 0x0c, now), ==, 0x00);
    /* update-ended interrupt once per second */
    cmos_write(s, 0x0b, 0x12, now);
    g_assert_cmpint((armed + s->offset_ns) % SEC_NS, ==, 0);
    now = armed;
    rtc_timer_expired(s, now);
    /* PF keeps being latched (PIE only gates the IRQ) */
    g_assert_cmphex(cmos_read(s, 0x0c, now) & 0x90, ==, 0x90);
    /* alarm at hh:mm:35, any hour/minute */
    cmos_write(s, 0x01, 0x35, now);
    cmos_write(s, 0x03, 0xff, now);
    cmos_write(s, 0x05, 0xff, now);
    cmos_write(s, 0x0b, 0x22, now);
    irq_rises = 0;
    while (irq_rises == 0) {
        now = armed;
        rtc_timer_expired(s, now);
    }
    g_assert_cmphex(cmos_read(s, 0x00, now), ==, 0x35);
    g_assert_cmphex(cmos_read(s, 0x0c, now) & 0xa0, ==, 0xa0);
    /* system reset: enables and flags go, the time stays */
    cmos_write(s, 0x0b, 0x72, now);
    rtc_core_reset(s, now);
    g_assert_cmphex(cmos_read(s, 0x0b, now), ==, 0x02);
    g_assert_cmpint(armed, ==, -1);
    g_assert_cmpint(irq_level, ==, 0);
    g_assert_cmphex(cmos_read(s, 0x00, now), ==, 0x35);
    free_rtc(s);
}

static void test_memory_sizes(void)
{
    RTCState *s = new_rtc();

    rtc_set_memory_sizes(s, 512ULL << 20, 1ULL << 30);
    g_assert_cmphex(cmos_read(s, 0x34, 0) | cmos_read(s, 0x35, 0) << 8, ==,
                    (512 - 16) * 16);
    g_assert_cmphex(cmos_read(s, 0x5b, 0) | cmos_read(s, 0x5c, 0) << 8 |
                    cmos_read(s, 0x5d, 0) << 16, ==, 1 << 14);
    g_assert_cmphex(cmos_read(s, 0x30, 0) | cmos_read(s, 0x31, 0) << 8, ==,
                    0xfc00);
    /* plain CMOS RAM */
    cmos_write(s, 0x40, 0xa5, 0);
    g_assert_cmphex(cmos_read(s, 0x40, 0), ==, 0xa5);
    free_rtc(s);
}

static void test_vmstate(void)
{
    RTCState *s = new_rtc();
    RTCState *d = g_new0(RTCState, 1);

    cmos_write(s, 0x0b, 0x42, 1000);
    cmos_write(s, 0x40, 0x77, 1000);
    vmstate_test_roundtrip(&vmstate_rtc_core, s, d);
    d->timer_arm = fake_arm;
    armed = -1;
    rtc_core_post_load(d, 2000);
    g_assert_cmpint(armed, >, 2000);
    g_assert_cmphex(cmos_read(d, 0x40, 2000), ==, 0x77);
    g_assert_cmphex(cmos_read(d, 0x02, 2000), ==, 0x45);
    g_free(d);
    free_rtc(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/rtc/read-time", test_read_time);
    g_test_add_func("/hw/rtc/set-time", test_set_time);
    g_test_add_func("/hw/rtc/uip", test_uip);
    g_test_add_func("/hw/rtc/interrupts", test_interrupts);
    g_test_add_func("/hw/rtc/memory-sizes", test_memory_sizes);
    g_test_add_func("/hw/rtc/vmstate", test_vmstate);
    return g_test_run();
}
