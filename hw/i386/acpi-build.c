/*
 * ACPI tables of the pc machine: RSDP, RSDT/XSDT, FADT, FACS, MADT, DSDT.
 *
 * The tables and the platform contract (PM block, SCI, S5 value, PCI INTx
 * routing) are described in include/hw/i386/acpi-build.h.  The blob is laid
 * out from the configured base:
 *
 *   +0x00  RSDP (36 bytes)
 *   +0x40  FACS (64 bytes, 64-byte aligned)
 *   +0x80  DSDT, then FADT, MADT, RSDT, XSDT, each 16-byte aligned
 *
 * Every table starts with the 36-byte SDT header: signature, length,
 * revision, checksum (all bytes sum to 0), OEM id "TANDEM", OEM table id
 * "TANDEMPC", OEM revision 1, creator "TNDM", creator revision 1.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/acpi/aml-build.h"
#include "hw/i386/acpi-build.h"
#include "trace/trace-hw_i386.h"

#define SDT_HEADER_LEN      36
#define RSDP_LEN            36
#define FACS_OFS            0x40
#define FACS_LEN            64
#define DSDT_OFS            0x80
#define FADT_LEN            244
#define FADT_REVISION       3

/* FADT flags */
#define FADT_WBINVD         (1u << 0)
#define FADT_PROC_C1        (1u << 2)
#define FADT_PWR_BUTTON     (1u << 4)   /* set: no fixed power button */
#define FADT_SLP_BUTTON     (1u << 5)
#define FADT_FIX_RTC        (1u << 6)
#define FADT_RESET_REG_SUP  (1u << 10)
/* IA-PC boot architecture flags: legacy devices, 8042 */
#define FADT_BOOT_LEGACY    0x0003

#define GAS_SYSTEM_IO       1

uint8_t acpi_checksum(const uint8_t *data, size_t len)
{
    uint8_t sum = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        sum += data[i];
    }
    return -sum;
}

static void put_le(GByteArray *b, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        uint8_t c = v >> (8 * i);

        g_byte_array_append(b, &c, 1);
    }
}

static void put_str(GByteArray *b, const char *s, unsigned len)
{
    g_byte_array_append(b, (const uint8_t *)s, len);
}

static void set_le(GByteArray *b, size_t ofs, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        b->data[ofs + i] = v >> (8 * i);
    }
}

static void pad_to(GByteArray *b, size_t align)
{
    while (b->len % align) {
        put_le(b, 0, 1);
    }
}

/* Starts an SDT at the current end of @b; returns its offset. */
static size_t table_begin(GByteArray *b, const char *sig, uint8_t rev)
{
    size_t ofs = b->len;

    put_str(b, sig, 4);
    put_le(b, 0, 4);                /* length, set by table_end */
    put_le(b, rev, 1);
    put_le(b, 0, 1);                /* checksum */
    put_str(b, "TANDEM", 6);
    put_str(b, "TANDEMPC", 8);
    put_le(b, 1, 4);
    put_str(b, "TNDM", 4);
    put_le(b, 1, 4);
    return ofs;
}

static void table_end(GByteArray *b, size_t ofs, uint64_t base)
{
    uint32_t len = b->len - ofs;
    char sig[5] = { 0 };

    set_le(b, ofs + 4, len, 4);
    b->data[ofs + 9] = acpi_checksum(b->data + ofs, len);
    memcpy(sig, b->data + ofs, 4);
    trace_acpi_build_table(sig, base + ofs, len);
}

/* Generic Address Structure for an I/O port block. */
static void put_gas_io(GByteArray *b, uint16_t port, uint8_t bits,
                       uint8_t access)
{
    put_le(b, port ? GAS_SYSTEM_IO : 0, 1);
    put_le(b, port ? bits : 0, 1);
    put_le(b, 0, 1);
    put_le(b, port ? access : 0, 1);
    put_le(b, port, 8);
}

static AcpiBuildConfig config_defaults(const AcpiBuildConfig *in)
{
    AcpiBuildConfig c = *in;

    c.base = c.base ? c.base : ACPI_TABLES_BASE;
    c.size = c.size ? c.size : ACPI_TABLES_SIZE;
    c.pm_io_base = c.pm_io_base ? c.pm_io_base : ACPI_PM_IO_BASE;
    c.num_cpus = c.num_cpus ? c.num_cpus : 1;
    c.pci_slots = c.pci_slots ? MIN(c.pci_slots, X86_PCI_MAX_SLOTS)
                              : X86_PCI_MAX_SLOTS;
    c.pci_hole_start = c.pci_hole_start ? c.pci_hole_start : c.ram_size;
    return c;
}

static Aml *build_pci0_crs(const AcpiBuildConfig *cfg)
{
    Aml *crs = aml_resource_template();

    aml_append(crs, aml_word_bus_number(0x00, 0xff));
    aml_append(crs, aml_io(0x0cf8, 0x0cf8, 0x01, 0x08));
    aml_append(crs, aml_word_io(0x0000, 0x0cf7));
    aml_append(crs, aml_word_io(0x0d00, 0xffff));
    if (cfg->pci_hole_start < X86_PCI_HOLE_END) {
        aml_append(crs, aml_dword_memory(cfg->pci_hole_start,
                                         X86_PCI_HOLE_END - 1, false));
    }
    return crs;
}

static Aml *build_prt(const AcpiBuildConfig *cfg)
{
    Aml *prt = aml_package();
    unsigned slot, pin;

    for (slot = 0; slot < cfg->pci_slots; slot++) {
        for (pin = 0; pin < 4; pin++) {
            Aml *entry = aml_package();

            aml_append(entry, aml_int(((uint64_t)slot << 16) | 0xffff));
            aml_append(entry, aml_int(pin));
            aml_append(entry, aml_int(0));   /* source: global GSI */
            aml_append(entry, aml_int(x86_pci_intx_to_gsi(slot, pin)));
            aml_append(prt, entry);
        }
    }
    return prt;
}

GByteArray *acpi_build_dsdt_aml(const AcpiBuildConfig *in)
{
    AcpiBuildConfig c = config_defaults(in);
    const AcpiBuildConfig *cfg = &c;
    Aml *dsdt = aml_block();
    Aml *sb = aml_scope("\\_SB");
    Aml *pci0 = aml_device("PCI0");
    Aml *s5 = aml_package();
    unsigned i;

    aml_append(pci0, aml_name_decl("_HID", aml_eisaid("PNP0A03")));
    aml_append(pci0, aml_name_decl("_UID", aml_int(0)));
    aml_append(pci0, aml_name_decl("_BBN", aml_int(0)));
    aml_append(pci0, aml_name_decl("_CRS", build_pci0_crs(cfg)));
    aml_append(pci0, aml_name_decl("_PRT", build_prt(cfg)));
    aml_append(sb, pci0);
    for (i = 0; i < cfg->num_cpus; i++) {
        g_autofree char *name = g_strdup_printf("C%03X", i);
        Aml *cpu = aml_device(name);

        aml_append(cpu, aml_name_decl("_HID", aml_string("ACPI0007")));
        aml_append(cpu, aml_name_decl("_UID", aml_int(i)));
        aml_append(sb, cpu);
    }
    aml_append(dsdt, sb);

    /* \_S5: {PM1a SLP_TYP, PM1b SLP_TYP, reserved, reserved} */
    aml_append(s5, aml_int(ACPI_PM_SLP_TYP_S5));
    aml_append(s5, aml_int(ACPI_PM_SLP_TYP_S5));
    aml_append(s5, aml_int(0));
    aml_append(s5, aml_int(0));
    aml_append(dsdt, aml_name_decl("\\_S5", s5));
    return aml_finish(dsdt);
}

static void build_facs(GByteArray *b)
{
    put_str(b, "FACS", 4);
    put_le(b, FACS_LEN, 4);
    put_le(b, 0, 4);                /* hardware signature */
    put_le(b, 0, 4);                /* firmware waking vector */
    put_le(b, 0, 4);                /* global lock */
    put_le(b, 0, 4);                /* flags */
    put_le(b, 0, 8);                /* X firmware waking vector */
    put_le(b, 2, 1);                /* version */
    while (b->len < FACS_OFS + FACS_LEN) {
        put_le(b, 0, 1);
    }
}

static size_t build_fadt(GByteArray *b, const AcpiBuildConfig *cfg,
                         uint64_t facs, uint64_t dsdt)
{
    uint16_t pm = cfg->pm_io_base;
    size_t ofs = table_begin(b, "FACP", FADT_REVISION);

    put_le(b, facs, 4);
    put_le(b, dsdt, 4);
    put_le(b, 0, 1);                /* reserved */
    put_le(b, 0, 1);                /* preferred PM profile: unspecified */
    put_le(b, ACPI_SCI_IRQ, 2);
    put_le(b, 0, 4);                /* SMI_CMD: none, always ACPI mode */
    put_le(b, 0, 4);                /* ACPI_ENABLE/DISABLE/S4BIOS/PSTATE */
    put_le(b, pm + ACPI_PM1_EVT_OFS, 4);
    put_le(b, 0, 4);                /* PM1b_EVT_BLK */
    put_le(b, pm + ACPI_PM1_CNT_OFS, 4);
    put_le(b, 0, 4);                /* PM1b_CNT_BLK */
    put_le(b, 0, 4);                /* PM2_CNT_BLK */
    put_le(b, pm + ACPI_PM_TMR_OFS, 4);
    put_le(b, 0, 4);                /* GPE0_BLK */
    put_le(b, 0, 4);                /* GPE1_BLK */
    put_le(b, 4, 1);                /* PM1_EVT_LEN */
    put_le(b, 2, 1);                /* PM1_CNT_LEN */
    put_le(b, 0, 1);                /* PM2_CNT_LEN */
    put_le(b, 4, 1);                /* PM_TMR_LEN */
    put_le(b, 0, 4);                /* GPE0/1 lengths, GPE1 base, CST_CNT */
    put_le(b, 0xfff, 2);            /* P_LVL2_LAT: no C2 */
    put_le(b, 0xffff, 2);           /* P_LVL3_LAT: no C3 */
    put_le(b, 0, 4);                /* flush size/stride */
    put_le(b, 0, 4);                /* duty offset/width, day/mon alarm */
    put_le(b, 0x32, 1);             /* CMOS century index */
    put_le(b, FADT_BOOT_LEGACY, 2);
    put_le(b, 0, 1);
    /* PWR_BUTTON clear: the fixed-feature power button exists. */
    put_le(b, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
           FADT_RESET_REG_SUP, 4);
    put_gas_io(b, ACPI_RESET_PORT, 8, 1);
    put_le(b, ACPI_RESET_VALUE, 1);
    put_le(b, 0, 3);                /* ARM boot arch, minor version */
    put_le(b, 0, 8);                /* X_FIRMWARE_CTRL: FIRMWARE_CTRL set */
    put_le(b, dsdt, 8);             /* X_DSDT */
    put_gas_io(b, pm + ACPI_PM1_EVT_OFS, 32, 0);
    put_gas_io(b, 0, 0, 0);         /* X_PM1b_EVT_BLK */
    put_gas_io(b, pm + ACPI_PM1_CNT_OFS, 16, 0);
    put_gas_io(b, 0, 0, 0);         /* X_PM1b_CNT_BLK */
    put_gas_io(b, 0, 0, 0);         /* X_PM2_CNT_BLK */
    put_gas_io(b, pm + ACPI_PM_TMR_OFS, 32, 0);
    put_gas_io(b, 0, 0, 0);         /* X_GPE0_BLK */
    put_gas_io(b, 0, 0, 0);         /* X_GPE1_BLK */
    g_assert(b->len - ofs == FADT_LEN);
    return ofs;
}

static size_t build_madt(GByteArray *b, const AcpiBuildConfig *cfg)
{
    size_t ofs = table_begin(b, "APIC", 3);
    unsigned i;

    put_le(b, X86_LAPIC_ADDR, 4);
    put_le(b, 1, 4);                /* PCAT_COMPAT: dual 8259 present */
    for (i = 0; i < cfg->num_cpus; i++) {
        put_le(b, 0, 1);            /* Processor Local APIC */
        put_le(b, 8, 1);
        put_le(b, i, 1);            /* ACPI processor UID */
        put_le(b, i, 1);            /* APIC id */
        put_le(b, 1, 4);            /* enabled */
    }
    put_le(b, 1, 1);                /* I/O APIC */
    put_le(b, 12, 1);
    put_le(b, X86_IOAPIC_ID, 1);
    put_le(b, 0, 1);
    put_le(b, X86_IOAPIC_ADDR, 4);
    put_le(b, 0, 4);                /* GSI base */
    /* Interrupt source overrides: ISA IRQ0 -> GSI2; SCI level/high. */
    put_le(b, 2, 1);
    put_le(b, 10, 1);
    put_le(b, 0, 1);                /* bus ISA */
    put_le(b, 0, 1);                /* source IRQ */
    put_le(b, 2, 4);                /* GSI */
    put_le(b, 0, 2);                /* flags: conforms to the bus */
    put_le(b, 2, 1);
    put_le(b, 10, 1);
    put_le(b, 0, 1);
    put_le(b, ACPI_SCI_IRQ, 1);
    put_le(b, ACPI_SCI_IRQ, 4);
    put_le(b, 0x000d, 2);           /* active high (1), level (3 << 2) */
    put_le(b, 4, 1);                /* Local APIC NMI */
    put_le(b, 6, 1);
    put_le(b, 0xff, 1);             /* all processors */
    put_le(b, 0, 2);                /* flags: conforms */
    put_le(b, 1, 1);                /* LINT1 */
    return ofs;
}

static size_t build_sdt_list(GByteArray *b, const char *sig,
                             const uint64_t *tables, unsigned n,
                             unsigned ptr_size)
{
    size_t ofs = table_begin(b, sig, 1);
    unsigned i;

    for (i = 0; i < n; i++) {
        put_le(b, tables[i], ptr_size);
    }
    return ofs;
}

static void set_rsdp(GByteArray *b, uint64_t rsdt, uint64_t xsdt)
{
    memcpy(b->data, "RSD PTR ", 8);
    memcpy(b->data + 9, "TANDEM", 6);
    b->data[15] = 2;                /* revision: ACPI 2.0+ */
    set_le(b, 16, rsdt, 4);
    set_le(b, 20, RSDP_LEN, 4);
    set_le(b, 24, xsdt, 8);
    b->data[8] = acpi_checksum(b->data, 20);
    b->data[32] = acpi_checksum(b->data, RSDP_LEN);
}

GByteArray *acpi_build_blob(const AcpiBuildConfig *in, uint64_t *rsdp_addr,
                            Error **errp)
{
    AcpiBuildConfig cfg = config_defaults(in);
    GByteArray *b = g_byte_array_new();
    GByteArray *aml;
    uint64_t base = cfg.base, ptrs[2], rsdt, xsdt;
    size_t dsdt, fadt, madt;

    if (cfg.num_cpus > 255 || base % 16 || base + cfg.size > 0x100000000ull) {
        error_setg(errp, "ACPI: bad table area 0x%" PRIx64 "+0x%" PRIx64
                   " or CPU count %u", base, cfg.size, cfg.num_cpus);
        g_byte_array_unref(b);
        return NULL;
    }
    g_byte_array_set_size(b, FACS_OFS);
    memset(b->data, 0, FACS_OFS);
    build_facs(b);

    dsdt = table_begin(b, "DSDT", 2);
    aml = acpi_build_dsdt_aml(&cfg);
    g_byte_array_append(b, aml->data, aml->len);
    g_byte_array_unref(aml);
    table_end(b, dsdt, base);
    pad_to(b, 16);

    fadt = build_fadt(b, &cfg, base + FACS_OFS, base + dsdt);
    table_end(b, fadt, base);
    pad_to(b, 16);
    madt = build_madt(b, &cfg);
    table_end(b, madt, base);
    pad_to(b, 16);

    ptrs[0] = base + fadt;
    ptrs[1] = base + madt;
    rsdt = build_sdt_list(b, "RSDT", ptrs, 2, 4);
    table_end(b, rsdt, base);
    pad_to(b, 16);
    xsdt = build_sdt_list(b, "XSDT", ptrs, 2, 8);
    table_end(b, xsdt, base);
    set_rsdp(b, base + rsdt, base + xsdt);

    if (b->len > cfg.size) {
        error_setg(errp, "ACPI tables need %u bytes, only %" PRIu64
                   " reserved", b->len, cfg.size);
        g_byte_array_unref(b);
        return NULL;
    }
    *rsdp_addr = base;
    return b;
}

bool acpi_build_tables(const AcpiBuildConfig *cfg, uint8_t *ram,
                       uint64_t ram_size, uint64_t *rsdp_addr, Error **errp)
{
    GByteArray *b = acpi_build_blob(cfg, rsdp_addr, errp);

    if (!b) {
        return false;
    }
    if (*rsdp_addr > ram_size || b->len > ram_size - *rsdp_addr) {
        error_setg(errp, "ACPI tables at 0x%" PRIx64 " do not fit in RAM",
                   *rsdp_addr);
        g_byte_array_unref(b);
        return false;
    }
    memcpy(ram + *rsdp_addr, b->data, b->len);
    g_byte_array_unref(b);
    return true;
}
