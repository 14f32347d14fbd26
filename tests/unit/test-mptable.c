/*
 * MP specification tables: floating pointer, config table header and
 * checksums, processor/bus/IOAPIC entries, ISA and PCI interrupt routing
 * (checked against the ACPI _PRT rule), local interrupts, error cases.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/mptable.h"

static uint16_t get16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

typedef struct MpSummary {
    unsigned cpus, bsp, buses, ioapics, lints;
    int isa_pin[16];                /* -1: no entry */
    int pci_pin[32][4];
    uint16_t pci_flags;
    bool pci_bus_seen, isa_bus_seen;
    int lint_type[2];
} MpSummary;

static void parse(const GByteArray *b, uint64_t base, MpSummary *s)
{
    const uint8_t *mpf = b->data, *mpc, *e;
    unsigned len, count, i;

    memset(s, 0, sizeof(*s));
    memset(s->isa_pin, -1, sizeof(s->isa_pin));
    memset(s->pci_pin, -1, sizeof(s->pci_pin));
    memset(s->lint_type, -1, sizeof(s->lint_type));

    g_assert_cmpmem(mpf, 4, "_MP_", 4);
    g_assert_cmphex(base % 16, ==, 0);
    g_assert_cmpuint(mpf[8], ==, 1);
    g_assert_cmpuint(mpf[9], ==, 4);
    g_assert_cmphex(sum(mpf, 16), ==, 0);
    g_assert_cmphex(mpf[11], ==, 0);    /* config table present */
    g_assert_cmphex(get32(mpf + 4), ==, base + 16);

    mpc = b->data + 16;
    g_assert_cmpmem(mpc, 4, "PCMP", 4);
    len = get16(mpc + 4);
    g_assert_cmpuint(16 + len, ==, b->len);
    g_assert_cmphex(sum(mpc, len), ==, 0);
    g_assert_cmpuint(mpc[6], ==, 4);
    g_assert_cmphex(get32(mpc + 36), ==, 0xfee00000);
    count = get16(mpc + 34);

    e = mpc + 44;
    for (i = 0; i < count; i++) {
        g_assert_cmphex(e - mpc, <, len);
        switch (e[0]) {
        case 0:
            s->cpus++;
            g_assert_cmphex(e[3] & 1, ==, 1);
            s->bsp += (e[3] & 2) != 0;
            e += 20;
            continue;
        case 1:
            s->buses++;
            if (!memcmp(e + 2, "PCI   ", 6)) {
                g_assert_cmpuint(e[1], ==, MPTABLE_PCI_BUS);
                s->pci_bus_seen = true;
            } else {
                g_assert_cmpmem(e + 2, 6, "ISA   ", 6);
                g_assert_cmpuint(e[1], ==, MPTABLE_ISA_BUS);
                s->isa_bus_seen = true;
            }
            break;
        case 2:
            s->ioapics++;
            g_assert_cmpuint(e[1], ==, X86_IOAPIC_ID);
            g_assert_cmphex(e[3] & 1, ==, 1);
            g_assert_cmphex(get32(e + 4), ==, 0xfec00000);
            break;
        case 3:
            g_assert_cmpuint(e[1], ==, 0);          /* INT */
            g_assert_cmpuint(e[6], ==, X86_IOAPIC_ID);
            if (e[4] == MPTABLE_ISA_BUS) {
                g_assert_cmpint(s->isa_pin[e[5]], ==, -1);
                g_assert_cmphex(get16(e + 2), ==, 0);
                s->isa_pin[e[5]] = e[7];
            } else {
                g_assert_cmpuint(e[4], ==, MPTABLE_PCI_BUS);
                g_assert_cmpint(s->pci_pin[e[5] >> 2][e[5] & 3], ==, -1);
                s->pci_pin[e[5] >> 2][e[5] & 3] = e[7];
                s->pci_flags = get16(e + 2);
            }
            break;
        case 4:
            s->lints++;
            g_assert_cmpuint(e[6], ==, 0xff);
            g_assert_cmpuint(e[7], <=, 1);
            s->lint_type[e[7]] = e[1];
            break;
        default:
            g_assert_not_reached();
        }
        e += 8;
    }
    g_assert_cmpuint(e - mpc, ==, len);
}

static void test_layout(void)
{
    MpTableConfig cfg = { .cpu_signature = 0x60fb1 };
    g_autoptr(GByteArray) b = mptable_build_blob(&cfg, &error_abort);
    MpSummary s;

    parse(b, MPTABLE_BASE, &s);
    g_assert_cmpuint(s.cpus, ==, 1);
    g_assert_cmpuint(s.bsp, ==, 1);
    g_assert_cmpuint(s.buses, ==, 2);
    g_assert_true(s.pci_bus_seen && s.isa_bus_seen);
    g_assert_cmpuint(s.ioapics, ==, 1);
    g_assert_cmpuint(s.lints, ==, 2);
    g_assert_cmpint(s.lint_type[0], ==, 3);        /* ExtINT on LINT0 */
    g_assert_cmpint(s.lint_type[1], ==, 1);        /* NMI on LINT1 */
}

static void test_isa_routing(void)
{
    MpTableConfig cfg = { 0 };
    g_autoptr(GByteArray) b = mptable_build_blob(&cfg, &error_abort);
    MpSummary s;
    unsigned irq;

    parse(b, MPTABLE_BASE, &s);
    g_assert_cmpint(s.isa_pin[0], ==, 2);          /* timer override */
    g_assert_cmpint(s.isa_pin[2], ==, -1);         /* cascade */
    for (irq = 1; irq < 16; irq++) {
        if (irq != 2) {
            g_assert_cmpint(s.isa_pin[irq], ==, irq);
        }
    }
}

static void test_pci_routing(void)
{
    MpTableConfig cfg = { .pci_slots = 32 };
    g_autoptr(GByteArray) b = mptable_build_blob(&cfg, &error_abort);
    MpSummary s;
    unsigned slot, pin;

    parse(b, MPTABLE_BASE, &s);
    g_assert_cmphex(s.pci_flags, ==, 0x000f);      /* level, active low */
    for (slot = 0; slot < 32; slot++) {
        for (pin = 0; pin < 4; pin++) {
            /* The same rule as the ACPI _PRT. */
            g_assert_cmpint(s.pci_pin[slot][pin], ==,
                            x86_pci_intx_to_gsi(slot, pin));
        }
    }

    /* Fewer slots: no entries beyond them. */
    cfg.pci_slots = 4;
    g_byte_array_unref(b);
    b = mptable_build_blob(&cfg, &error_abort);
    parse(b, MPTABLE_BASE, &s);
    g_assert_cmpint(s.pci_pin[3][3], ==, x86_pci_intx_to_gsi(3, 3));
    g_assert_cmpint(s.pci_pin[4][0], ==, -1);
}

static void test_multi_cpu(void)
{
    MpTableConfig cfg = { .num_cpus = 4 };
    g_autoptr(GByteArray) b = mptable_build_blob(&cfg, &error_abort);
    MpSummary s;

    parse(b, MPTABLE_BASE, &s);
    g_assert_cmpuint(s.cpus, ==, 4);
    g_assert_cmpuint(s.bsp, ==, 1);
}

static void test_into_ram(void)
{
    MpTableConfig cfg = { 0 };
    g_autofree uint8_t *ram = g_malloc0(0x100000);
    Error *err = NULL;

    g_assert_true(mptable_build(&cfg, ram, 0x100000, &error_abort));
    g_assert_cmpmem(ram + 0xf0000, 4, "_MP_", 4);
    g_assert_cmpmem(ram + 0xf0010, 4, "PCMP", 4);

    g_assert_false(mptable_build(&cfg, ram, 0xa0000, &err));
    error_free_or_abort(&err);
    cfg.size = 32;
    g_assert_false(mptable_build(&cfg, ram, 0x100000, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "bytes"));
    error_free_or_abort(&err);
    cfg.size = 0;
    cfg.base = 0xf0008;
    g_assert_false(mptable_build(&cfg, ram, 0x100000, &err));
    error_free_or_abort(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/mptable/layout", test_layout);
    g_test_add_func("/x86/mptable/isa-routing", test_isa_routing);
    g_test_add_func("/x86/mptable/pci-routing", test_pci_routing);
    g_test_add_func("/x86/mptable/multi-cpu", test_multi_cpu);
    g_test_add_func("/x86/mptable/into-ram", test_into_ram);
    return g_test_run();
}
