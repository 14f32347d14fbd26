/*
 * 8254 PIT core: modes 0/2/3/4, IRQ0 transitions through the armed timer,
 * counter latch, read-back, access modes, channel 2 gate/OUT via 0x61
 * (the sequence of Linux's quick_pit_calibrate()).
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/timer/i8254.h"
#include "hw/misc/port61.h"

typedef struct Fake {
    int64_t armed;
    int level;
    int rising;
} Fake;

static Fake fake;

static void fake_irq(void *opaque, int n, int level)
{
    if (level && !fake.level) {
        fake.rising++;
    }
    fake.level = level;
}

static void fake_arm(void *opaque, int64_t when)
{
    fake.armed = when;
}

static PITState *new_pit(void)
{
    PITState *s = g_new0(PITState, 1);

    memset(&fake, 0, sizeof(fake));
    fake.armed = -1;
    pit_core_init(s, qemu_allocate_irq(fake_irq, NULL, 0), fake_arm, NULL);
    return s;
}

static void free_pit(PITState *s)
{
    qemu_free_irq(s->irq);
    g_free(s);
}

/* ns for @ticks of the 1.193182 MHz clock */
static int64_t t(uint64_t ticks)
{
    return (int64_t)(ticks * 1000000000ULL / PIT_FREQ) + 1;
}

static void run_until(PITState *s, int64_t now)
{
    while (fake.armed >= 0 && fake.armed <= now) {
        pit_timer_expired(s, fake.armed);
    }
}

/*
 * Read a lobyte/hibyte counter: low byte at @t_lo, then high byte at @t_hi.
 * Two statements, because C leaves the evaluation order of the operands of
 * "|" unspecified.
 */
static unsigned read16(PITState *s, int ch, int64_t t_lo, int64_t t_hi)
{
    unsigned lo = pit_ioport_read(s, ch, t_lo);
    unsigned hi = pit_ioport_read(s, ch, t_hi);

    return lo | (hi << 8);
}

static void test_mode2_periodic_irq(void)
{
    PITState *s = new_pit();

    /* Linux: 0x34 = ch0, lobyte/hibyte, mode 2; LATCH for HZ=250 */
    pit_ioport_write(s, 3, 0x34, 0);
    pit_ioport_write(s, 0, 4772 & 0xff, 0);
    pit_ioport_write(s, 0, 4772 >> 8, 0);
    fake.rising = 0;
    run_until(s, t(4772 * 10 + 1));
    g_assert_cmpint(fake.rising, ==, 10);
    g_assert_cmpint(fake.level, ==, 1);
    /* counter value through a latch */
    pit_ioport_write(s, 3, 0x00, t(100));
    g_assert_cmpint(read16(s, 0, t(200), t(300)), ==, 4772 - 100);
    free_pit(s);
}

static void test_mode0_oneshot(void)
{
    PITState *s = new_pit();

    pit_ioport_write(s, 3, 0x30, 0);             /* ch0 mode 0 */
    g_assert_cmpint(pit_get_out(s, 0, 0), ==, 0);
    pit_ioport_write(s, 0, 0x00, 0);
    pit_ioport_write(s, 0, 0x10, 0);             /* 0x1000 */
    g_assert_cmpint(fake.level, ==, 0);
    run_until(s, t(0x0fff));
    g_assert_cmpint(fake.level, ==, 0);
    run_until(s, t(0x1000));
    g_assert_cmpint(fake.level, ==, 1);
    g_assert_cmpint(fake.armed, ==, -1);         /* no further edge */
    /* counter wraps and keeps counting down */
    pit_ioport_write(s, 3, 0x00, t(0x1005));
    g_assert_cmphex(read16(s, 0, 0, 0), ==, 0xfffb);
    free_pit(s);
}

static void test_mode3_square_and_mode4(void)
{
    PITState *s = new_pit();

    pit_ioport_write(s, 3, 0x16, 0);             /* ch0 LSB only mode 3 */
    pit_ioport_write(s, 0, 100, 0);
    fake.rising = 0;
    g_assert_cmpint(pit_get_out(s, 0, t(10)), ==, 1);
    g_assert_cmpint(pit_get_out(s, 0, t(60)), ==, 0);
    g_assert_cmpint(pit_get_out(s, 0, t(110)), ==, 1);
    run_until(s, t(1000));
    g_assert_cmpint(fake.rising, ==, 10);
    /* mode 4: one low strobe at terminal count */
    pit_ioport_write(s, 3, 0x58, 0);             /* ch1 LSB mode 4 */
    pit_ioport_write(s, 1, 50, 0);
    g_assert_cmpint(pit_get_out(s, 1, t(49)), ==, 1);
    g_assert_cmpint(pit_get_out(s, 1, t(50)), ==, 0);
    g_assert_cmpint(pit_get_out(s, 1, t(51)), ==, 1);
    free_pit(s);
}

static void test_read_back(void)
{
    PITState *s = new_pit();

    pit_ioport_write(s, 3, 0xb0, 0);             /* ch2 word mode 0 */
    pit_ioport_write(s, 2, 0xff, 0);
    pit_ioport_write(s, 2, 0xff, 0);
    pit_set_gate(s, 2, 1, 0);
    /* read-back: latch status and count of channel 2 */
    pit_ioport_write(s, 3, 0xc8, t(0x100));
    g_assert_cmphex(pit_ioport_read(s, 2, 0), ==, 0x30);  /* OUT 0, mode 0 */
    g_assert_cmphex(pit_ioport_read(s, 2, 0), ==, 0xff);
    g_assert_cmphex(pit_ioport_read(s, 2, 0), ==, 0xfe);
    /* a second latch before reading keeps the first value */
    pit_ioport_write(s, 3, 0x80, t(0x200));
    pit_ioport_write(s, 3, 0x80, t(0x300));
    g_assert_cmphex(pit_ioport_read(s, 2, 0), ==, 0xff);
    g_assert_cmphex(pit_ioport_read(s, 2, 0), ==, 0xfd);
    /* MSB-only access */
    pit_ioport_write(s, 3, 0xa0, 0);
    pit_ioport_write(s, 2, 0x12, 0);
    g_assert_cmphex(pit_ioport_read(s, 2, t(0x100)), ==, 0x11);
    free_pit(s);
}

static void test_port61_calibration(void)
{
    PITState *s = new_pit();
    Port61State p;
    int64_t now = 0;
    uint8_t msb, expect = 0xff;
    int polls = 0;

    port61_core_init(&p, s);
    g_assert_cmphex(port61_read(&p, 0) & 0x03, ==, 0x00);
    /* quick_pit_calibrate(): gate high, speaker off, ch2 mode 0, 0xffff */
    port61_write(&p, (port61_read(&p, 0) & ~0x02) | 0x01, 0);
    pit_ioport_write(s, 3, 0xb0, 0);
    pit_ioport_write(s, 2, 0xff, 0);
    pit_ioport_write(s, 2, 0xff, 0);
    g_assert_cmphex(port61_read(&p, 0) & 0x01, ==, 0x01);
    /* pit_expect_msb(): the MSB must step down 0xff, 0xfe, ... */
    while (expect > 0xf0) {
        pit_ioport_read(s, 2, now);
        msb = pit_ioport_read(s, 2, now);
        if (msb != expect) {
            g_assert_cmphex(msb, ==, expect - 1);
            expect--;
        }
        now += 2000;
        polls++;
    }
    g_assert_cmpint(polls, >, 100);
    /* OUT2 rises at terminal count */
    g_assert_cmphex(port61_read(&p, t(0xfffe)) & 0x20, ==, 0);
    g_assert_cmphex(port61_read(&p, t(0xffff)) & 0x20, ==, 0x20);
    /* gate low then high restarts mode 2 counting */
    pit_ioport_write(s, 3, 0xb4, 0);
    pit_ioport_write(s, 2, 0x00, 0);
    pit_ioport_write(s, 2, 0x10, 0);
    port61_write(&p, 0x00, t(0x800));
    port61_write(&p, 0x01, t(0x800));
    pit_ioport_write(s, 3, 0x80, t(0x900));
    g_assert_cmphex(read16(s, 2, 0, 0), ==, 0x1000 - 0x100);
    free_pit(s);
}

static void test_vmstate(void)
{
    PITState *s = new_pit();
    PITState *d;

    pit_ioport_write(s, 3, 0x34, 0);
    pit_ioport_write(s, 0, 0x00, 0);
    pit_ioport_write(s, 0, 0x10, 0);
    pit_ioport_write(s, 3, 0x00, t(0x100));     /* latch pending */
    d = g_new0(PITState, 1);
    vmstate_test_roundtrip(&vmstate_pit_core, s, d);
    d->timer_arm = fake_arm;
    d->irq = s->irq;
    fake.armed = -1;
    pit_core_post_load(d, t(0x200));
    g_assert_cmpint(fake.armed, ==, s->next_irq_time);
    g_assert_cmphex(read16(d, 0, 0, 0), ==, 0x1000 - 0x100);
    g_free(d);
    free_pit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/i8254/mode2-periodic-irq", test_mode2_periodic_irq);
    g_test_add_func("/hw/i8254/mode0-oneshot", test_mode0_oneshot);
    g_test_add_func("/hw/i8254/mode3-mode4", test_mode3_square_and_mode4);
    g_test_add_func("/hw/i8254/read-back", test_read_back);
    g_test_add_func("/hw/i8254/port61-calibration", test_port61_calibration);
    g_test_add_func("/hw/i8254/vmstate", test_vmstate);
    return g_test_run();
}
