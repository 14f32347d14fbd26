/*
 * AML encodings and the pc machine's ACPI tables: signatures, lengths,
 * checksums, the FADT's PM/reset registers, the MADT entries and the AML
 * bytes of \_SB.PCI0, _PRT and \_S5.  If acpica-tools is installed, the
 * DSDT is also disassembled by iasl and its \_S5, _PRT and _CRS evaluated
 * by acpiexec.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/acpi/aml-build.h"
#include "hw/i386/acpi-build.h"

#define MIB (1024 * 1024ull)

static uint16_t get16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

static char *hex(const uint8_t *p, size_t n)
{
    GString *s = g_string_new(NULL);
    size_t i;

    for (i = 0; i < n; i++) {
        g_string_append_printf(s, "%02x ", p[i]);
    }
    return g_string_free(s, false);
}

/* Encodes @a and compares with the @n expected bytes. */
static void check_aml(Aml *a, const uint8_t *want, size_t n)
{
    GByteArray *b = aml_finish(a);
    g_autofree char *got = NULL;

    if (b->len != n || memcmp(b->data, want, n)) {
        got = hex(b->data, b->len);
        g_test_message("got  %s", got);
        g_free(got);
        got = hex(want, n);
        g_test_message("want %s", got);
    }
    g_assert_cmpmem(b->data, b->len, want, n);
    g_byte_array_unref(b);
}

#define CHECK_AML(a, ...) do { \
    static const uint8_t want_[] = { __VA_ARGS__ }; \
    check_aml(a, want_, sizeof(want_)); \
} while (0)

static bool contains(const GByteArray *hay, const uint8_t *needle, size_t n)
{
    return memmem(hay->data, hay->len, needle, n) != NULL;
}

#define ASSERT_CONTAINS(hay, ...) do { \
    static const uint8_t needle_[] = { __VA_ARGS__ }; \
    g_assert_true(contains(hay, needle_, sizeof(needle_))); \
} while (0)

static void test_pkglen(void)
{
    uint8_t out[4];

    g_assert_cmpuint(aml_pkglen_encode(0, out), ==, 1);
    g_assert_cmphex(out[0], ==, 0x01);
    g_assert_cmpuint(aml_pkglen_encode(62, out), ==, 1);
    g_assert_cmphex(out[0], ==, 0x3f);
    /* 63 bytes of body: 65 with a 2-byte PkgLength. */
    g_assert_cmpuint(aml_pkglen_encode(63, out), ==, 2);
    g_assert_cmphex(out[0], ==, 0x41);
    g_assert_cmphex(out[1], ==, 0x04);
    g_assert_cmpuint(aml_pkglen_encode(0xffd, out), ==, 2);
    g_assert_cmphex(out[0], ==, 0x4f);
    g_assert_cmphex(out[1], ==, 0xff);
    g_assert_cmpuint(aml_pkglen_encode(0xffe, out), ==, 3);
    g_assert_cmphex(out[0], ==, 0x81);
    g_assert_cmphex(out[1], ==, 0x00);
    g_assert_cmphex(out[2], ==, 0x01);
    g_assert_cmpuint(aml_pkglen_encode(0x100000, out), ==, 4);
    g_assert_cmphex(out[0], ==, 0xc4);
    g_assert_cmphex(out[1], ==, 0x00);
    g_assert_cmphex(out[2], ==, 0x00);
    g_assert_cmphex(out[3], ==, 0x01);
}

static void test_integers(void)
{
    CHECK_AML(aml_int(0), 0x00);
    CHECK_AML(aml_int(1), 0x01);
    CHECK_AML(aml_int(0x12), 0x0a, 0x12);
    CHECK_AML(aml_int(0x1234), 0x0b, 0x34, 0x12);
    CHECK_AML(aml_int(0x12345678), 0x0c, 0x78, 0x56, 0x34, 0x12);
    CHECK_AML(aml_int(0x123456789ull), 0x0e, 0x89, 0x67, 0x45, 0x23, 0x01,
              0, 0, 0);
    CHECK_AML(aml_int(UINT64_MAX), 0xff);
}

static void test_names_strings(void)
{
    CHECK_AML(aml_eisaid("PNP0A03"), 0x0c, 0x41, 0xd0, 0x0a, 0x03);
    g_assert_cmphex(aml_eisaid_value("PNP0501"), ==, 0x0105d041);
    CHECK_AML(aml_string("ACPI0007"), 0x0d, 'A', 'C', 'P', 'I', '0', '0',
              '0', '7', 0x00);
    CHECK_AML(aml_name("\\_SB.PCI0"), '\\', 0x2e, '_', 'S', 'B', '_',
              'P', 'C', 'I', '0');
    CHECK_AML(aml_name("\\_SB.PCI0.S08"), '\\', 0x2f, 3, '_', 'S', 'B', '_',
              'P', 'C', 'I', '0', 'S', '0', '8', '_');
    CHECK_AML(aml_name("^PCI0"), '^', 'P', 'C', 'I', '0');
    CHECK_AML(aml_name_decl("_UID", aml_int(0)), 0x08, '_', 'U', 'I', 'D',
              0x00);
}

static void test_blocks(void)
{
    Aml *dev = aml_device("PCI0");
    Aml *method = aml_method("_PIC", 1, false);
    Aml *smethod = aml_method("_STA", 0, true);
    Aml *scope = aml_scope("\\_SB");
    Aml *pkg = aml_package();
    static const uint8_t data[] = { 1, 2, 3 };

    aml_append(dev, aml_name_decl("_UID", aml_int(0)));
    CHECK_AML(dev, 0x5b, 0x82, 0x0b, 'P', 'C', 'I', '0',
              0x08, '_', 'U', 'I', 'D', 0x00);
    aml_append(method, aml_return(aml_int(1)));
    CHECK_AML(method, 0x14, 0x08, '_', 'P', 'I', 'C', 0x01, 0xa4, 0x01);
    aml_append(smethod, aml_return(aml_int(0xf)));
    CHECK_AML(smethod, 0x14, 0x09, '_', 'S', 'T', 'A', 0x08, 0xa4, 0x0a,
              0x0f);
    CHECK_AML(scope, 0x10, 0x06, '\\', '_', 'S', 'B', '_');
    aml_append(pkg, aml_int(1));
    aml_append(pkg, aml_int(2));
    CHECK_AML(pkg, 0x12, 0x05, 0x02, 0x01, 0x0a, 0x02);
    CHECK_AML(aml_buffer(data, 3), 0x11, 0x06, 0x0a, 0x03, 1, 2, 3);
}

static void test_long_block(void)
{
    Aml *scope = aml_scope("\\_SB");
    GByteArray *b;
    unsigned i;

    /* 20 x 6-byte Name() = 120 bytes + 5 name: a 2-byte PkgLength. */
    for (i = 0; i < 20; i++) {
        aml_append(scope, aml_name_decl("_UID", aml_int(0)));
    }
    b = aml_finish(scope);
    g_assert_cmpuint(b->len, ==, 1 + 2 + 5 + 120);
    g_assert_cmphex(b->data[1], ==, 0x40 | ((127) & 0xf));
    g_assert_cmphex(b->data[2], ==, 127 >> 4);
    g_byte_array_unref(b);
}

static void test_resources(void)
{
    Aml *rt = aml_resource_template();
    uint32_t irq = 9;

    aml_append(rt, aml_io(0x0cf8, 0x0cf8, 0x01, 0x08));
    CHECK_AML(rt, 0x11, 0x0d, 0x0a, 0x0a,
              0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08, 0x79, 0x00);
    CHECK_AML(aml_word_bus_number(0, 0xff),
              0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
              0xff, 0x00, 0x00, 0x00, 0x00, 0x01);
    CHECK_AML(aml_word_io(0x0d00, 0xffff),
              0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03, 0x00, 0x00, 0x00, 0x0d,
              0xff, 0xff, 0x00, 0x00, 0x00, 0xf3);
    CHECK_AML(aml_dword_memory(0x20000000, 0xfebfffff, false),
              0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
              0, 0, 0, 0, 0x00, 0x00, 0x00, 0x20, 0xff, 0xff, 0xbf, 0xfe,
              0, 0, 0, 0, 0x00, 0x00, 0xc0, 0xde);
    CHECK_AML(aml_interrupt(true, false, false, &irq, 1),
              0x89, 0x06, 0x00, 0x01, 0x01, 0x09, 0x00, 0x00, 0x00);
}

static const uint8_t *find_table(const GByteArray *blob, uint64_t base,
                                 uint64_t addr, const char *sig)
{
    const uint8_t *t;

    g_assert_cmphex(addr, >=, base);
    g_assert_cmphex(addr - base + 36, <=, blob->len);
    t = blob->data + (addr - base);
    g_assert_cmpmem(t, 4, sig, 4);
    g_assert_cmphex(addr - base + get32(t + 4), <=, blob->len);
    g_assert_cmphex(sum(t, get32(t + 4)), ==, 0);
    return t;
}

static GByteArray *build(uint64_t *rsdp)
{
    AcpiBuildConfig cfg = { .ram_size = 512 * MIB };

    return acpi_build_blob(&cfg, rsdp, &error_abort);
}

static void test_rsdp_xsdt(void)
{
    uint64_t rsdp, base = ACPI_TABLES_BASE;
    g_autoptr(GByteArray) b = build(&rsdp);
    const uint8_t *r = b->data, *xsdt, *rsdt;
    bool fadt = false, madt = false;
    unsigned i, n;

    g_assert_cmphex(rsdp, ==, base);
    g_assert_cmphex(rsdp % 16, ==, 0);
    g_assert_cmpmem(r, 8, "RSD PTR ", 8);
    g_assert_cmphex(sum(r, 20), ==, 0);
    g_assert_cmphex(sum(r, 36), ==, 0);
    g_assert_cmpuint(r[15], ==, 2);
    g_assert_cmpuint(get32(r + 20), ==, 36);
    xsdt = find_table(b, base, get64(r + 24), "XSDT");
    rsdt = find_table(b, base, get32(r + 16), "RSDT");
    n = (get32(xsdt + 4) - 36) / 8;
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint((get32(rsdt + 4) - 36) / 4, ==, n);
    for (i = 0; i < n; i++) {
        uint64_t addr = get64(xsdt + 36 + i * 8);

        g_assert_cmphex(get32(rsdt + 36 + i * 4), ==, addr);
        if (!memcmp(b->data + addr - base, "FACP", 4)) {
            find_table(b, base, addr, "FACP");
            fadt = true;
        } else {
            find_table(b, base, addr, "APIC");
            madt = true;
        }
    }
    g_assert_true(fadt && madt);
    g_assert_cmpmem(xsdt + 10, 6, "TANDEM", 6);
}

static const uint8_t *get_fadt(const GByteArray *b, uint64_t rsdp)
{
    const uint8_t *xsdt = b->data + get64(b->data + 24) - rsdp;

    return find_table(b, rsdp, get64(xsdt + 36), "FACP");
}

static void test_fadt(void)
{
    uint64_t rsdp;
    g_autoptr(GByteArray) b = build(&rsdp);
    const uint8_t *f = get_fadt(b, rsdp), *facs;

    g_assert_cmpuint(get32(f + 4), ==, 244);
    g_assert_cmpuint(f[8], ==, 3);
    g_assert_cmpuint(get16(f + 46), ==, 9);                 /* SCI */
    g_assert_cmpuint(get32(f + 48), ==, 0);                 /* SMI_CMD */
    g_assert_cmphex(get32(f + 56), ==, 0x600);              /* PM1a_EVT */
    g_assert_cmphex(get32(f + 64), ==, 0x604);              /* PM1a_CNT */
    g_assert_cmphex(get32(f + 76), ==, 0x608);              /* PM_TMR */
    g_assert_cmpuint(f[88], ==, 4);
    g_assert_cmpuint(f[89], ==, 2);
    g_assert_cmpuint(f[91], ==, 4);
    g_assert_cmphex(get32(f + 112) & (1u << 10), !=, 0);   /* RESET_REG */
    g_assert_cmphex(get32(f + 112) & (1u << 8), ==, 0);    /* 24-bit tmr */
    g_assert_cmphex(get32(f + 112) & (1u << 4), ==, 0);    /* power btn */
    g_assert_cmpuint(f[116], ==, 1);                        /* SystemIO */
    g_assert_cmpuint(f[117], ==, 8);
    g_assert_cmphex(get64(f + 120), ==, 0xcf9);
    g_assert_cmphex(f[128], ==, 0x06);
    /* X_ fields agree with the 32-bit ones. */
    g_assert_cmphex(get64(f + 140), ==, get32(f + 40));
    /* Only one of FIRMWARE_CTRL and X_FIRMWARE_CTRL may be set. */
    g_assert_cmphex(get64(f + 132), ==, 0);
    g_assert_cmphex(f[148], ==, 1);
    g_assert_cmphex(f[149], ==, 32);
    g_assert_cmphex(get64(f + 152), ==, 0x600);
    g_assert_cmphex(f[173], ==, 16);
    g_assert_cmphex(get64(f + 176), ==, 0x604);
    g_assert_cmphex(get64(f + 212), ==, 0x608);
    find_table(b, rsdp, get32(f + 40), "DSDT");
    facs = b->data + get32(f + 36) - rsdp;
    g_assert_cmphex(get32(f + 36) % 64, ==, 0);
    g_assert_cmpmem(facs, 4, "FACS", 4);
    g_assert_cmpuint(get32(facs + 4), ==, 64);
}

static void test_madt(void)
{
    uint64_t rsdp;
    g_autoptr(GByteArray) b = build(&rsdp);
    const uint8_t *xsdt = b->data + get64(b->data + 24) - rsdp;
    const uint8_t *m = find_table(b, rsdp, get64(xsdt + 44), "APIC");
    unsigned len = get32(m + 4), ofs = 44;
    unsigned cpus = 0, ioapics = 0, isos = 0, nmis = 0;

    g_assert_cmphex(get32(m + 36), ==, 0xfee00000);
    g_assert_cmphex(get32(m + 40) & 1, ==, 1);
    while (ofs < len) {
        const uint8_t *e = m + ofs;

        g_assert_cmpuint(e[1], >=, 2);
        switch (e[0]) {
        case 0:
            g_assert_cmpuint(e[3], ==, cpus);
            g_assert_cmphex(get32(e + 4), ==, 1);
            cpus++;
            break;
        case 1:
            g_assert_cmphex(get32(e + 4), ==, 0xfec00000);
            g_assert_cmphex(get32(e + 8), ==, 0);
            ioapics++;
            break;
        case 2:
            if (e[3] == 0) {
                g_assert_cmpuint(get32(e + 4), ==, 2);
            } else {
                g_assert_cmpuint(e[3], ==, 9);
                g_assert_cmpuint(get32(e + 4), ==, 9);
                g_assert_cmphex(get16(e + 8), ==, 0x000d);
            }
            isos++;
            break;
        case 4:
            g_assert_cmphex(e[2], ==, 0xff);
            g_assert_cmpuint(e[5], ==, 1);
            nmis++;
            break;
        default:
            g_assert_not_reached();
        }
        ofs += e[1];
    }
    g_assert_cmpuint(ofs, ==, len);
    g_assert_cmpuint(cpus, ==, 1);
    g_assert_cmpuint(ioapics, ==, 1);
    g_assert_cmpuint(isos, ==, 2);
    g_assert_cmpuint(nmis, ==, 1);
}

/* An independent AML integer encoder for building expected bytes. */
static size_t enc_int(uint8_t *p, uint64_t v)
{
    size_t n, i;

    if (v <= 1) {
        p[0] = v;
        return 1;
    }
    n = v <= 0xff ? 1 : v <= 0xffff ? 2 : 4;
    p[0] = n == 1 ? 0x0a : n == 2 ? 0x0b : 0x0c;
    for (i = 0; i < n; i++) {
        p[1 + i] = v >> (8 * i);
    }
    return n + 1;
}

static void test_dsdt_aml(void)
{
    AcpiBuildConfig cfg = { .ram_size = 512 * MIB, .pci_slots = 32,
                            .num_cpus = 1 };
    g_autoptr(GByteArray) aml = acpi_build_dsdt_aml(&cfg);
    unsigned slot, pin;

    /* Scope(\_SB) { Device(PCI0) { Name(_HID, EisaId("PNP0A03")) ... */
    ASSERT_CONTAINS(aml, 0x10);
    g_assert_cmphex(aml->data[0], ==, 0x10);
    ASSERT_CONTAINS(aml, 0x5b, 0x82);
    ASSERT_CONTAINS(aml, 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D',
                    0x0c, 0x41, 0xd0, 0x0a, 0x03);
    ASSERT_CONTAINS(aml, 0x08, '_', 'B', 'B', 'N', 0x00);
    /* Name(\_S5, Package() { 5, 5, 0, 0 }) */
    ASSERT_CONTAINS(aml, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
                    0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00);
    /* _CRS: bus 0-255, the 0xcf8 ports, memory from the end of RAM. */
    ASSERT_CONTAINS(aml, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0xff, 0x00);
    ASSERT_CONTAINS(aml, 0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08);
    ASSERT_CONTAINS(aml, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01, 0, 0, 0, 0,
                    0x00, 0x00, 0x00, 0x20, 0xff, 0xff, 0xbf, 0xfe);
    /* CPU device. */
    ASSERT_CONTAINS(aml, 'C', '0', '0', '0', 0x08, '_', 'H', 'I', 'D',
                    0x0d, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0x00);
    /* _PRT entries follow x86_pci_intx_to_gsi(). */
    ASSERT_CONTAINS(aml, 0x08, '_', 'P', 'R', 'T', 0x12);
    for (slot = 0; slot < 32; slot++) {
        for (pin = 0; pin < 4; pin++) {
            uint8_t e[32] = { 0x12, 0x00, 0x04 };
            size_t n = 3;

            n += enc_int(e + n, ((uint64_t)slot << 16) | 0xffff);
            n += enc_int(e + n, pin);
            n += enc_int(e + n, 0);
            n += enc_int(e + n, x86_pci_intx_to_gsi(slot, pin));
            e[1] = n - 1;           /* PkgLength counts itself */
            g_assert_true(contains(aml, e, n));
        }
    }
}

static void test_routing_rule(void)
{
    unsigned slot, pin, hits[8] = { 0 };

    for (slot = 0; slot < 32; slot++) {
        for (pin = 0; pin < 4; pin++) {
            unsigned gsi = x86_pci_intx_to_gsi(slot, pin);

            g_assert_cmpuint(gsi, >=, 16);
            g_assert_cmpuint(gsi, <=, 23);
            hits[gsi - 16]++;
        }
        /* The four pins of one slot never share a GSI. */
        g_assert_cmpuint(x86_pci_intx_to_gsi(slot, 0), !=,
                         x86_pci_intx_to_gsi(slot, 3));
    }
    for (pin = 0; pin < 8; pin++) {
        g_assert_cmpuint(hits[pin], ==, 16);
    }
}

static void test_into_ram(void)
{
    AcpiBuildConfig cfg = { .ram_size = 2 * MIB };
    g_autofree uint8_t *ram = g_malloc0(2 * MIB);
    uint64_t rsdp = 0;
    Error *err = NULL;

    g_assert_true(acpi_build_tables(&cfg, ram, 2 * MIB, &rsdp,
                                    &error_abort));
    g_assert_cmphex(rsdp, ==, 0xe0000);
    g_assert_cmpmem(ram + rsdp, 8, "RSD PTR ", 8);
    /* No room: a 64-byte area. */
    cfg.size = 64;
    g_assert_false(acpi_build_tables(&cfg, ram, 2 * MIB, &rsdp, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "bytes"));
    error_free_or_abort(&err);
    /* RAM ends before the table area. */
    cfg.size = 0;
    g_assert_false(acpi_build_tables(&cfg, ram, 0x80000, &rsdp, &err));
    error_free_or_abort(&err);
    /* Unaligned base. */
    cfg.base = 0xe0004;
    g_assert_false(acpi_build_tables(&cfg, ram, 2 * MIB, &rsdp, &err));
    error_free_or_abort(&err);
}

static void test_iasl(void)
{
    uint64_t rsdp;
    g_autoptr(GByteArray) b = build(&rsdp);
    const uint8_t *f = get_fadt(b, rsdp);
    const uint8_t *dsdt = b->data + get32(f + 40) - rsdp;
    g_autofree char *iasl = g_find_program_in_path("iasl");
    g_autofree char *dir = NULL, *aml = NULL, *dsl = NULL, *text = NULL;
    g_autofree char *out = NULL, *errout = NULL;
    const char *argv[] = { NULL, "-d", NULL, NULL };
    int status;

    if (!iasl) {
        g_test_skip("iasl not installed (apt-get install acpica-tools)");
        return;
    }
    dir = g_dir_make_tmp("test-acpi-XXXXXX", NULL);
    aml = g_build_filename(dir, "dsdt.aml", NULL);
    dsl = g_build_filename(dir, "dsdt.dsl", NULL);
    g_assert_true(g_file_set_contents(aml, (const char *)dsdt,
                                      get32(dsdt + 4), NULL));
    argv[0] = iasl;
    argv[2] = aml;
    g_assert_true(g_spawn_sync(dir, (char **)argv, NULL, 0, NULL, NULL,
                               &out, &errout, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_true(g_file_get_contents(dsl, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "Device (PCI0)"));
    g_assert_nonnull(strstr(text, "EisaId (\"PNP0A03\")"));
    g_assert_nonnull(strstr(text, "WordBusNumber (ResourceProducer"));
    g_assert_nonnull(strstr(text, "DWordMemory (ResourceProducer"));
    g_assert_nonnull(strstr(text, "Name (_PRT, Package (0x80)"));
    g_assert_nonnull(strstr(text, "Name (\\_S5, Package (0x04)"));
    g_assert_null(strstr(text, "Unknown"));

    /* ACPICA's interpreter evaluates the objects the kernel will use. */
    g_free(iasl);
    iasl = g_find_program_in_path("acpiexec");
    if (iasl) {
        const char *eargv[] = {
            iasl, "-b", "evaluate \\_S5; evaluate \\_SB.PCI0._PRT; "
            "evaluate \\_SB.PCI0._CRS", aml, NULL,
        };

        g_free(out);
        g_free(errout);
        g_assert_true(g_spawn_sync(dir, (char **)eargv, NULL, 0, NULL, NULL,
                                   &out, &errout, &status, NULL));
        g_assert_true(g_spawn_check_wait_status(status, NULL));
        g_assert_nonnull(strstr(out, "Evaluation of \\_S5 returned"));
        g_assert_nonnull(strstr(out, "[Package] Contains 4 Elements:\n"
                                "    [Integer] = 0000000000000005\n"
                                "    [Integer] = 0000000000000005\n"));
        g_assert_nonnull(strstr(out, "[Package] Contains 128 Elements"));
        g_assert_nonnull(strstr(out, "[Buffer] Length 54 ="));
        g_assert_null(strstr(out, "AE_"));
        g_test_message("acpiexec evaluated \\_S5, _PRT and _CRS");
    }
    unlink(aml);
    unlink(dsl);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi/aml/pkglen", test_pkglen);
    g_test_add_func("/acpi/aml/integers", test_integers);
    g_test_add_func("/acpi/aml/names-strings", test_names_strings);
    g_test_add_func("/acpi/aml/blocks", test_blocks);
    g_test_add_func("/acpi/aml/long-block", test_long_block);
    g_test_add_func("/acpi/aml/resources", test_resources);
    g_test_add_func("/acpi/tables/rsdp-xsdt", test_rsdp_xsdt);
    g_test_add_func("/acpi/tables/fadt", test_fadt);
    g_test_add_func("/acpi/tables/madt", test_madt);
    g_test_add_func("/acpi/tables/dsdt-aml", test_dsdt_aml);
    g_test_add_func("/acpi/tables/into-ram", test_into_ram);
    g_test_add_func("/acpi/routing-rule", test_routing_rule);
    g_test_add_func("/acpi/tables/acpica-tools", test_iasl);
    return g_test_run();
}
