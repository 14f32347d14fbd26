/*
 * ACPI PM block core: S5 power-off request, SCI_EN always set, PM timer
 * rate and 24-bit wrap, TMR_STS/PWRBTN_STS write-1-to-clear and SCI.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/acpi/pm.h"

static int requests;
static PMRequest last_req;
static int sci;
static int64_t armed = -1;

static void fake_request(void *opaque, PMRequest req, int typ)
{
    requests++;
    last_req = req;
}

static void fake_arm(void *opaque, int64_t when)
{
    armed = when;
}

static void fake_sci(void *opaque, int n, int level)
{
    sci = level;
}

static const PMOps ops = {
    .request = fake_request,
    .timer_arm = fake_arm,
};

static PMState *new_pm(void)
{
    PMState *s = g_new0(PMState, 1);

    requests = 0;
    sci = 0;
    pm_core_init(s, qemu_allocate_irq(fake_sci, NULL, 0), 5, &ops, NULL);
    return s;
}

static void free_pm(PMState *s)
{
    qemu_free_irq(s->sci);
    g_free(s);
}

static void test_poweroff(void)
{
    PMState *s = new_pm();

    g_assert_cmphex(pm_ioport_read(s, 4, 2, 0), ==, 0x0001);
    /* SLP_TYP alone does nothing; S1 is reported as suspend */
    pm_ioport_write(s, 4, 5 << 10, 2, 0);
    g_assert_cmpint(requests, ==, 0);
    pm_ioport_write(s, 4, (1 << 10) | (1 << 13), 2, 0);
    g_assert_cmpint(requests, ==, 1);
    g_assert_cmpint(last_req, ==, PM_REQUEST_SUSPEND);
    /* Linux acpi_hw_legacy_sleep(): SLP_TYP then SLP_TYP|SLP_EN */
    pm_ioport_write(s, 4, 5 << 10 | 1, 2, 0);
    pm_ioport_write(s, 4, 5 << 10 | 1 | (1 << 13), 2, 0);
    g_assert_cmpint(requests, ==, 2);
    g_assert_cmpint(last_req, ==, PM_REQUEST_POWEROFF);
    /* SLP_EN reads 0 */
    g_assert_cmphex(pm_ioport_read(s, 4, 2, 0) & (1 << 13), ==, 0);
    /* byte-wise write of the high byte also works */
    pm_ioport_write(s, 5, (5 << 2) | (1 << 5), 1, 0);
    g_assert_cmpint(requests, ==, 3);
    free_pm(s);
}

static void test_timer(void)
{
    PMState *s = new_pm();
    int64_t sec = 1000000000;

    g_assert_cmpuint(pm_ioport_read(s, 8, 4, 0), ==, 0);
    g_assert_cmpuint(pm_ioport_read(s, 8, 4, sec), ==, 3579545);
    /* 24-bit wrap after 2^24 ticks (~4.69 s) */
    g_assert_cmpuint(pm_ioport_read(s, 8, 4, 5 * sec), ==,
                     (5ULL * 3579545) & 0xffffff);
    /* bit 23 toggled: TMR_STS, write 1 clears */
    g_assert_cmphex(pm_ioport_read(s, 0, 2, 5 * sec) & 1, ==, 1);
    pm_ioport_write(s, 0, 1, 2, 5 * sec);
    g_assert_cmphex(pm_ioport_read(s, 0, 2, 5 * sec) & 1, ==, 0);
    /* TMR_EN: SCI at the next toggle */
    pm_ioport_write(s, 2, 1, 2, 5 * sec);
    g_assert_cmpint(armed, >, 5 * sec);
    g_assert_cmpint(sci, ==, 0);
    pm_timer_expired(s, armed);
    g_assert_cmpint(sci, ==, 1);
    pm_ioport_write(s, 0, 1, 2, armed);
    g_assert_cmpint(sci, ==, 0);
    free_pm(s);
}

static void test_power_button(void)
{
    PMState *s = new_pm();

    pm_power_button(s);
    g_assert_cmpint(sci, ==, 0);              /* not enabled */
    pm_ioport_write(s, 2, 0x0100, 2, 0);
    g_assert_cmpint(sci, ==, 1);
    g_assert_cmphex(pm_ioport_read(s, 0, 4, 0), ==, 0x01000100);
    pm_ioport_write(s, 1, 0x01, 1, 0);
    g_assert_cmpint(sci, ==, 0);
    free_pm(s);
}

static void test_vmstate(void)
{
    PMState *s = new_pm();
    PMState *d = g_new0(PMState, 1);

    pm_ioport_write(s, 2, 0x0100, 2, 0);
    pm_power_button(s);
    vmstate_test_roundtrip(&vmstate_pm_core, s, d);
    d->ops = s->ops;
    d->sci = s->sci;
    sci = 0;
    pm_core_post_load(d, 0);
    g_assert_cmpint(sci, ==, 1);
    g_free(d);
    free_pm(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/acpi/pm/poweroff", test_poweroff);
    g_test_add_func("/hw/acpi/pm/timer", test_timer);
    g_test_add_func("/hw/acpi/pm/power-button", test_power_button);
    g_test_add_func("/hw/acpi/pm/vmstate", test_vmstate);
    return g_test_run();
}
