/*
 * Local APIC core: timer modes against a fake clock, IRR/ISR priority
 * with TPR, EOI broadcast, self-IPI, ExtINT virtual wire, MSI decode.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/intc/apic.h"

typedef struct Fake {
    int intr;
    int nmis;
    int64_t armed;
    int eoi_vector;
    int extint_vector;
} Fake;

static void fake_set_intr(void *opaque, int level)
{
    ((Fake *)opaque)->intr = level;
}

static void fake_nmi(void *opaque)
{
    ((Fake *)opaque)->nmis++;
}

static void fake_timer_arm(void *opaque, int64_t when)
{
    ((Fake *)opaque)->armed = when;
}

static void fake_eoi(void *opaque, int vector)
{
    ((Fake *)opaque)->eoi_vector = vector;
}

static int fake_extint(void *opaque)
{
    return ((Fake *)opaque)->extint_vector;
}

/* TSC at 2 GHz starting at 0 */
static int64_t fake_tsc_to_ns(void *opaque, uint64_t tsc)
{
    return tsc / 2;
}

static const APICOps fake_ops = {
    .set_intr = fake_set_intr,
    .nmi = fake_nmi,
    .timer_arm = fake_timer_arm,
    .eoi_broadcast = fake_eoi,
    .extint_ack = fake_extint,
    .tsc_to_ns = fake_tsc_to_ns,
};

static void setup(APICState *s, Fake *f)
{
    memset(f, 0, sizeof(*f));
    f->armed = -1;
    f->eoi_vector = -1;
    apic_core_init(s, 0, &fake_ops, f);
    apic_mem_writel(s, 0xf0, 0x1ff, 0);            /* SVR: enable, 0xff */
}

/* Runs the fake clock up to @now, firing the timer as the shell would. */
static void run_until(APICState *s, Fake *f, int64_t now)
{
    while (f->armed >= 0 && f->armed <= now) {
        apic_timer_expired(s, f->armed);
    }
}

static void test_registers(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    g_assert_cmphex(apic_mem_readl(&s, 0x30, 0), ==, 0x00050014);
    g_assert_cmphex(apic_mem_readl(&s, 0x20, 0), ==, 0);
    g_assert_cmphex(apic_mem_readl(&s, 0xe0, 0), ==, 0xffffffff);
    apic_mem_writel(&s, 0xd0, 0x01000000, 0);
    g_assert_cmphex(apic_mem_readl(&s, 0xd0, 0), ==, 0x01000000);
    g_assert_cmphex(apic_get_base(&s), ==, 0xfee00900);
    /* BSP virtual wire at reset */
    g_assert_cmphex(apic_mem_readl(&s, 0x350, 0), ==, 0x700);
    g_assert_cmphex(apic_mem_readl(&s, 0x360, 0), ==, APIC_LVT_MASKED);
}

static void test_oneshot(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    apic_mem_writel(&s, 0x3e0, 0x3, 0);           /* divide by 16 */
    apic_mem_writel(&s, 0x320, 0xec, 0);          /* one-shot, vec 0xec */
    apic_mem_writel(&s, 0x380, 1000, 100);
    g_assert_cmpint(f.armed, ==, 100 + 16000);
    g_assert_cmpuint(apic_mem_readl(&s, 0x390, 100 + 1600), ==, 900);
    run_until(&s, &f, 16100);
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpint(f.armed, ==, -1);
    g_assert_cmpuint(apic_mem_readl(&s, 0x390, 20000), ==, 0);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0xec);
    g_assert_cmpint(f.intr, ==, 0);
    /* ISR bit visible, PPR raised to the in-service class */
    g_assert_cmphex(apic_mem_readl(&s, 0x170, 0), ==, 1U << (0xec & 31));
    g_assert_cmphex(apic_mem_readl(&s, 0xa0, 0), ==, 0xe0);
    apic_mem_writel(&s, 0xb0, 0, 0);
    g_assert_cmphex(apic_mem_readl(&s, 0x170, 0), ==, 0);
    /* edge vector: no EOI broadcast */
    g_assert_cmpint(f.eoi_vector, ==, -1);
    /* writing 0 stops a running timer */
    apic_mem_writel(&s, 0x380, 50, 30000);
    g_assert_cmpint(f.armed, >=, 0);
    apic_mem_writel(&s, 0x380, 0, 30001);
    g_assert_cmpint(f.armed, ==, -1);
}

static void test_periodic(void)
{
    APICState s;
    Fake f;
    int fired = 0;

    setup(&s, &f);
    apic_mem_writel(&s, 0x3e0, 0xb, 0);           /* divide by 1 */
    apic_mem_writel(&s, 0x320, APIC_LVT_TIMER_PERIODIC | 0x30, 0);
    apic_mem_writel(&s, 0x380, 1000, 0);
    while (f.armed >= 0 && f.armed <= 10500) {
        apic_timer_expired(&s, f.armed);
        if (f.intr) {
            g_assert_cmpint(apic_get_interrupt(&s), ==, 0x30);
            apic_mem_writel(&s, 0xb0, 0, 0);
            fired++;
        }
    }
    g_assert_cmpint(fired, ==, 10);
    g_assert_cmpint(f.armed, ==, 11000);
    g_assert_cmpuint(apic_mem_readl(&s, 0x390, 10250), ==, 750);
    /* masked: counts on, no interrupt */
    apic_mem_writel(&s, 0x320, APIC_LVT_MASKED | APIC_LVT_TIMER_PERIODIC |
                    0x30, 10600);
    run_until(&s, &f, 12000);
    g_assert_cmpint(f.intr, ==, 0);
    g_assert_cmpint(f.armed, ==, 13000);
}

static void test_tsc_deadline(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    /* ignored outside deadline mode */
    apic_set_tsc_deadline(&s, 5000, 0);
    g_assert_cmpint(f.armed, ==, -1);
    g_assert_cmpuint(apic_get_tsc_deadline(&s), ==, 0);
    apic_mem_writel(&s, 0x320, APIC_LVT_TIMER_TSCDEADLINE | 0xef, 0);
    /* initial count is ignored in deadline mode */
    apic_mem_writel(&s, 0x380, 100, 0);
    g_assert_cmpint(f.armed, ==, -1);
    apic_set_tsc_deadline(&s, 20000, 10);
    g_assert_cmpint(f.armed, ==, 10000);
    g_assert_cmpuint(apic_get_tsc_deadline(&s), ==, 20000);
    apic_timer_expired(&s, 9999);                 /* early: ignored */
    g_assert_cmpint(f.intr, ==, 0);
    apic_timer_expired(&s, 10000);
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpuint(apic_get_tsc_deadline(&s), ==, 0);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0xef);
    apic_mem_writel(&s, 0xb0, 0, 0);
    /* re-arm and cancel with 0 */
    apic_set_tsc_deadline(&s, 40000, 11000);
    g_assert_cmpint(f.armed, ==, 20000);
    apic_set_tsc_deadline(&s, 0, 11000);
    g_assert_cmpint(f.armed, ==, -1);
}

static void test_priority_tpr_eoi(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    apic_set_irq(&s, 0x41, false);
    apic_set_irq(&s, 0x61, true);                 /* level (IOAPIC) */
    g_assert_cmphex(apic_mem_readl(&s, 0x230, 0), ==, 1U << 1 | 1U << 1);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0x61);
    /* 0x41 is below the in-service class: not signalled */
    g_assert_cmpint(f.intr, ==, 0);
    apic_mem_writel(&s, 0xb0, 0, 0);
    g_assert_cmpint(f.eoi_vector, ==, 0x61);
    g_assert_cmpint(f.intr, ==, 1);
    /* TPR blocks classes <= 4 */
    apic_set_cr8(&s, 4);
    g_assert_cmphex(apic_mem_readl(&s, 0x80, 0), ==, 0x40);
    g_assert_cmpint(f.intr, ==, 0);
    apic_mem_writel(&s, 0x80, 0x30, 0);
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpint(apic_get_cr8(&s), ==, 3);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0x41);
    /* nothing left: no vector for the CPU */
    g_assert_cmpint(apic_get_interrupt(&s), ==, -1);
    /* illegal vector sets ESR after the write-to-latch */
    apic_set_irq(&s, 3, false);
    apic_mem_writel(&s, 0x280, 0, 0);
    g_assert_cmphex(apic_mem_readl(&s, 0x280, 0), ==,
                    APIC_ESR_RECV_ILLEGAL_VECTOR);
}

static void test_self_ipi(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    apic_mem_writel(&s, 0x300, (1 << 18) | 0xf6, 0);   /* self shorthand */
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0xf6);
    apic_mem_writel(&s, 0xb0, 0, 0);
    /* physical destination = own ID 0 */
    apic_mem_writel(&s, 0x310, 0, 0);
    apic_mem_writel(&s, 0x300, 0xf7, 0);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0xf7);
    apic_mem_writel(&s, 0xb0, 0, 0);
    /* all-excluding-self reaches nobody */
    apic_mem_writel(&s, 0x300, (3 << 18) | 0xf8, 0);
    g_assert_cmpint(f.intr, ==, 0);
    /* NMI to self */
    apic_mem_writel(&s, 0x300, (1 << 18) | (APIC_DM_NMI << 8), 0);
    g_assert_cmpint(f.nmis, ==, 1);
    g_assert_cmphex(apic_mem_readl(&s, 0x300, 0) & (1 << 12), ==, 0);
}

static void test_extint_and_msi(void)
{
    APICState s;
    Fake f;

    setup(&s, &f);
    f.extint_vector = 0x30;
    apic_set_lint(&s, 0, 1);
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0x30);
    apic_set_lint(&s, 0, 0);
    g_assert_cmpint(f.intr, ==, 0);
    /* masking LINT0 cuts the 8259 off */
    apic_mem_writel(&s, 0x350, APIC_LVT_MASKED | 0x700, 0);
    apic_set_lint(&s, 0, 1);
    g_assert_cmpint(f.intr, ==, 0);
    /* LINT1 as NMI on a rising edge */
    apic_mem_writel(&s, 0x360, APIC_DM_NMI << 8, 0);
    apic_set_lint(&s, 1, 1);
    g_assert_cmpint(f.nmis, ==, 1);
    /* MSI: physical dest 0, vector 0x51, edge */
    apic_deliver_msi(&s, 0xfee00000, 0x51);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0x51);
    apic_mem_writel(&s, 0xb0, 0, 0);
    /* another destination is dropped */
    apic_deliver_msi(&s, 0xfee05000, 0x52);
    g_assert_cmpuint(s.dropped_msi, ==, 1);
    /* logical flat destination */
    apic_mem_writel(&s, 0xd0, 0x01000000, 0);
    apic_deliver_msi(&s, 0xfee01004, 0x8053);
    g_assert_cmpint(apic_get_interrupt(&s), ==, 0x53);
    apic_mem_writel(&s, 0xb0, 0, 0);
    g_assert_cmpint(f.eoi_vector, ==, 0x53);
}

static void test_vmstate(void)
{
    APICState s, d;
    Fake f;

    setup(&s, &f);
    apic_mem_writel(&s, 0x320, APIC_LVT_TIMER_PERIODIC | 0x30, 0);
    apic_mem_writel(&s, 0x380, 1000, 5);
    apic_set_irq(&s, 0x61, true);
    apic_set_cr8(&s, 2);
    memset(&d, 0, sizeof(d));
    vmstate_test_roundtrip(&vmstate_apic_core, &s, &d);
    d.ops = s.ops;
    d.opaque = s.opaque;
    d.bus_cycle_ns = 1;
    f.armed = -1;
    g_assert_true(apic_core_post_load(&d, 500));
    g_assert_cmpint(f.armed, ==, 2005);      /* divide by 2 */
    g_assert_cmpint(f.intr, ==, 1);
    g_assert_cmpuint(apic_mem_readl(&d, 0x390, 505), ==, 750);
    g_assert_cmpint(apic_get_interrupt(&d), ==, 0x61);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/apic/registers", test_registers);
    g_test_add_func("/hw/apic/timer/oneshot", test_oneshot);
    g_test_add_func("/hw/apic/timer/periodic", test_periodic);
    g_test_add_func("/hw/apic/timer/tsc-deadline", test_tsc_deadline);
    g_test_add_func("/hw/apic/priority-tpr-eoi", test_priority_tpr_eoi);
    g_test_add_func("/hw/apic/self-ipi", test_self_ipi);
    g_test_add_func("/hw/apic/extint-msi", test_extint_and_msi);
    g_test_add_func("/hw/apic/vmstate", test_vmstate);
    return g_test_run();
}
