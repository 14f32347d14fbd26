/*
 * Reset and exit controls of the platform.  i8042 core: the Linux i8042
 * driver's probe (flush, self-test, CTR read/write), keyboard ID, AUX
 * loopback, the 0xfe reset pulse; isa-debug-exit's status formula.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/input/i8042.h"
#include "hw/misc/debugexit.h"

static int resets;
static int irq1;

static void fake_reset(void *opaque)
{
    resets++;
}

static void fake_irq1(void *opaque, int n, int level)
{
    irq1 = level;
}

static void test_probe(void)
{
    I8042State s;
    qemu_irq kbd = qemu_allocate_irq(fake_irq1, NULL, 1);
    uint8_t ctr;

    resets = 0;
    i8042_core_init(&s, kbd, NULL, fake_reset, NULL);
    /* kb_wait(): input buffer empty */
    g_assert_cmphex(i8042_read(&s, 1) & 0x02, ==, 0);
    /* self-test */
    i8042_write(&s, 1, 0xaa);
    g_assert_cmphex(i8042_read(&s, 1) & 0x01, ==, 0x01);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0x55);
    g_assert_cmphex(i8042_read(&s, 1) & 0x05, ==, 0x04);
    /* CTR read, modify, write back, read again */
    i8042_write(&s, 1, 0x20);
    ctr = i8042_read(&s, 0);
    g_assert_cmphex(ctr & 0x04, ==, 0x04);
    i8042_write(&s, 1, 0x60);
    i8042_write(&s, 0, ctr & ~0x03);
    i8042_write(&s, 1, 0x20);
    g_assert_cmphex(i8042_read(&s, 0), ==, ctr & ~0x03);
    /* keyboard identify with IRQ1 enabled */
    i8042_write(&s, 1, 0x60);
    i8042_write(&s, 0, ctr | 0x01);
    i8042_write(&s, 0, 0xf2);
    g_assert_cmpint(irq1, ==, 1);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0xfa);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0xab);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0x41);
    g_assert_cmpint(irq1, ==, 0);
    /* LEDs take an argument */
    i8042_write(&s, 0, 0xed);
    i8042_write(&s, 0, 0x07);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0xfa);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0xfa);
    /* AUX loopback sets the AUX flag */
    i8042_write(&s, 1, 0xd3);
    i8042_write(&s, 0, 0x5a);
    g_assert_cmphex(i8042_read(&s, 1) & 0x21, ==, 0x21);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0x5a);
    /* no mouse: timeout */
    i8042_write(&s, 1, 0xd4);
    i8042_write(&s, 0, 0xf2);
    g_assert_cmphex(i8042_read(&s, 1) & 0x61, ==, 0x61);
    g_assert_cmphex(i8042_read(&s, 0), ==, 0xfe);
    g_assert_cmpint(resets, ==, 0);
    qemu_free_irq(kbd);
}

static void test_reset(void)
{
    I8042State s;

    resets = 0;
    i8042_core_init(&s, NULL, NULL, fake_reset, NULL);
    i8042_write(&s, 1, 0xfe);
    g_assert_cmpint(resets, ==, 1);
    i8042_write(&s, 1, 0xff);        /* pulses nothing */
    g_assert_cmpint(resets, ==, 1);
    i8042_write(&s, 1, 0xd1);
    i8042_write(&s, 0, 0x02);
    g_assert_cmpint(resets, ==, 2);
}

static void test_debug_exit_status(void)
{
    g_assert_cmpint(debug_exit_status(0), ==, 1);
    g_assert_cmpint(debug_exit_status(1), ==, 3);
    g_assert_cmpint(debug_exit_status(0x10), ==, 0x21);
}

static void test_vmstate(void)
{
    I8042State s, d;

    i8042_core_init(&s, NULL, NULL, fake_reset, NULL);
    i8042_write(&s, 1, 0xaa);
    memset(&d, 0, sizeof(d));
    vmstate_test_roundtrip(&vmstate_i8042_core, &s, &d);
    g_assert_true(i8042_core_post_load(&d));
    g_assert_cmphex(i8042_read(&d, 0), ==, 0x55);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/i8042/probe", test_probe);
    g_test_add_func("/hw/i8042/reset", test_reset);
    g_test_add_func("/hw/misc/debug-exit/status", test_debug_exit_status);
    g_test_add_func("/hw/i8042/vmstate", test_vmstate);
    return g_test_run();
}
