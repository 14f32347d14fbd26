/*
 * I/O APIC core: version/ID registers, redirection entries, edge and
 * level delivery, remote IRR and EOI (broadcast and EOI register), masks.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/intc/ioapic.h"

typedef struct Msg {
    int count;
    uint64_t addr;
    uint32_t data;
} Msg;

static void record(void *opaque, uint64_t addr, uint32_t data)
{
    Msg *m = opaque;

    m->count++;
    m->addr = addr;
    m->data = data;
}

static void write_entry(IOAPICState *s, int pin, uint64_t e)
{
    ioapic_mem_writel(s, 0x00, 0x11 + 2 * pin);
    ioapic_mem_writel(s, 0x10, e >> 32);
    ioapic_mem_writel(s, 0x00, 0x10 + 2 * pin);
    ioapic_mem_writel(s, 0x10, (uint32_t)e);
}

static uint32_t read_reg(IOAPICState *s, uint8_t index)
{
    ioapic_mem_writel(s, 0x00, index);
    return ioapic_mem_readl(s, 0x10);
}

static void test_registers(void)
{
    IOAPICState s;
    Msg m = { 0 };

    ioapic_core_init(&s, record, &m);
    g_assert_cmphex(read_reg(&s, 0x01), ==, 0x00170020);
    ioapic_mem_writel(&s, 0x00, 0x00);
    ioapic_mem_writel(&s, 0x10, 0x02000000);
    g_assert_cmphex(read_reg(&s, 0x00), ==, 0x02000000);
    g_assert_cmphex(ioapic_mem_readl(&s, 0x00), ==, 0x00);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 5), ==, 0x10000);
    write_entry(&s, 5, 0x0100000000002931ULL);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 5), ==, 0x2931);
    g_assert_cmphex(read_reg(&s, 0x11 + 2 * 5), ==, 0x01000000);
    /* status bits are read-only */
    write_entry(&s, 6, IOAPIC_LVT_REMOTE_IRR | IOAPIC_LVT_DELIV_STATUS |
                IOAPIC_LVT_TRIGGER | 0x40);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 6), ==, 0x8040);
    /* out of range index */
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 24), ==, 0xffffffff);
}

static void test_edge(void)
{
    IOAPICState s;
    Msg m = { 0 };

    ioapic_core_init(&s, record, &m);
    write_entry(&s, 2, 0x30);                     /* PIT on pin 2 */
    ioapic_set_irq(&s, 2, 1);
    g_assert_cmpint(m.count, ==, 1);
    g_assert_cmphex(m.addr, ==, 0xfee00000);
    g_assert_cmphex(m.data, ==, 0x30);
    ioapic_set_irq(&s, 2, 1);                     /* no new edge */
    g_assert_cmpint(m.count, ==, 1);
    ioapic_set_irq(&s, 2, 0);
    ioapic_set_irq(&s, 2, 1);
    g_assert_cmpint(m.count, ==, 2);
    /* masked edge is held and sent on unmask */
    ioapic_set_irq(&s, 2, 0);
    write_entry(&s, 2, IOAPIC_LVT_MASKED | 0x30);
    ioapic_set_irq(&s, 2, 1);
    g_assert_cmpint(m.count, ==, 2);
    write_entry(&s, 2, 0x30);
    g_assert_cmpint(m.count, ==, 3);
    /* logical destination */
    write_entry(&s, 4, 0x0300000000000800ULL | 0x41);
    ioapic_set_irq(&s, 4, 1);
    g_assert_cmphex(m.addr, ==, 0xfee03004);
}

static void test_level_remote_irr(void)
{
    IOAPICState s;
    Msg m = { 0 };

    ioapic_core_init(&s, record, &m);
    write_entry(&s, 9, IOAPIC_LVT_TRIGGER | 0x49);
    ioapic_set_irq(&s, 9, 1);
    g_assert_cmpint(m.count, ==, 1);
    g_assert_cmphex(m.data & 0x8000, ==, 0x8000);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 9) & IOAPIC_LVT_REMOTE_IRR, !=,
                    0);
    /* still asserted but remote IRR blocks a second message */
    ioapic_set_irq(&s, 9, 1);
    g_assert_cmpint(m.count, ==, 1);
    /* EOI while still asserted: re-delivered */
    ioapic_eoi_broadcast(&s, 0x49);
    g_assert_cmpint(m.count, ==, 2);
    /* line drops; EOI clears remote IRR without a new message */
    ioapic_set_irq(&s, 9, 0);
    ioapic_eoi_broadcast(&s, 0x49);
    g_assert_cmpint(m.count, ==, 2);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 9) & IOAPIC_LVT_REMOTE_IRR, ==,
                    0);
    /* EOI register (version 0x20) works too */
    ioapic_set_irq(&s, 9, 1);
    g_assert_cmpint(m.count, ==, 3);
    ioapic_set_irq(&s, 9, 0);
    ioapic_mem_writel(&s, 0x40, 0x49);
    g_assert_cmphex(read_reg(&s, 0x10 + 2 * 9) & IOAPIC_LVT_REMOTE_IRR, ==,
                    0);
    /* an EOI for another vector does nothing */
    ioapic_set_irq(&s, 9, 1);
    ioapic_eoi_broadcast(&s, 0x50);
    g_assert_cmpint(m.count, ==, 4);
    /* masked level pin: nothing until unmasked */
    ioapic_set_irq(&s, 9, 0);
    ioapic_eoi_broadcast(&s, 0x49);
    write_entry(&s, 9, IOAPIC_LVT_MASKED | IOAPIC_LVT_TRIGGER | 0x49);
    ioapic_set_irq(&s, 9, 1);
    g_assert_cmpint(m.count, ==, 4);
    write_entry(&s, 9, IOAPIC_LVT_TRIGGER | 0x49);
    g_assert_cmpint(m.count, ==, 5);
}

static void test_vmstate(void)
{
    IOAPICState s, d;
    Msg m = { 0 };

    ioapic_core_init(&s, record, &m);
    write_entry(&s, 9, IOAPIC_LVT_TRIGGER | 0x49);
    ioapic_set_irq(&s, 9, 1);
    memset(&d, 0, sizeof(d));
    vmstate_test_roundtrip(&vmstate_ioapic_core, &s, &d);
    d.deliver = record;
    d.opaque = &m;
    ioapic_core_post_load(&d);
    g_assert_cmpint(m.count, ==, 1);           /* remote IRR kept */
    ioapic_eoi_broadcast(&d, 0x49);
    g_assert_cmpint(m.count, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/ioapic/registers", test_registers);
    g_test_add_func("/hw/ioapic/edge", test_edge);
    g_test_add_func("/hw/ioapic/level-remote-irr", test_level_remote_irr);
    g_test_add_func("/hw/ioapic/vmstate", test_vmstate);
    return g_test_run();
}
