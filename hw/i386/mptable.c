/*
 * MP specification 1.4 floating pointer and configuration table.
 * Layout and routing: include/hw/i386/mptable.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/mptable.h"
#include "trace/trace-hw_i386.h"

#define MPF_LEN             16
#define MPC_HEADER_LEN      44
#define MP_SPEC_REV         4

#define MP_PROCESSOR        0
#define MP_BUS              1
#define MP_IOAPIC           2
#define MP_INTSRC           3
#define MP_LINTSRC          4

#define MP_INT              0
#define MP_NMI              1
#define MP_EXTINT           3

/* I/O interrupt flags: polarity bits 1:0, trigger bits 3:2. */
#define MP_IRQ_CONFORMING   0x0000
#define MP_IRQ_LEVEL_LOW    0x000f

#define MP_CPU_ENABLED      0x01
#define MP_CPU_BSP          0x02
#define MP_LAPIC_VERSION    0x14

static void put_le(GByteArray *b, uint64_t v, unsigned bytes)
{
    unsigned i;

    for (i = 0; i < bytes; i++) {
        uint8_t c = v >> (8 * i);

        g_byte_array_append(b, &c, 1);
    }
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while (len--) {
        sum += *p++;
    }
    return -sum;
}

static void put_intsrc(GByteArray *b, uint8_t type, uint16_t flags,
                       uint8_t bus, uint8_t bus_irq, uint8_t pin)
{
    put_le(b, MP_INTSRC, 1);
    put_le(b, type, 1);
    put_le(b, flags, 2);
    put_le(b, bus, 1);
    put_le(b, bus_irq, 1);
    put_le(b, X86_IOAPIC_ID, 1);
    put_le(b, pin, 1);
}

static void put_lintsrc(GByteArray *b, uint8_t type, uint8_t lint)
{
    put_le(b, MP_LINTSRC, 1);
    put_le(b, type, 1);
    put_le(b, MP_IRQ_CONFORMING, 2);
    put_le(b, MPTABLE_ISA_BUS, 1);
    put_le(b, 0, 1);
    put_le(b, 0xff, 1);             /* all local APICs */
    put_le(b, lint, 1);
}

/* Appends the config table entries; returns how many. */
static unsigned put_entries(GByteArray *b, const MpTableConfig *cfg)
{
    unsigned n = 0, i, slot, pin;

    for (i = 0; i < cfg->num_cpus; i++, n++) {
        put_le(b, MP_PROCESSOR, 1);
        put_le(b, i, 1);
        put_le(b, MP_LAPIC_VERSION, 1);
        put_le(b, MP_CPU_ENABLED | (i == 0 ? MP_CPU_BSP : 0), 1);
        put_le(b, cfg->cpu_signature, 4);
        put_le(b, cfg->cpu_features, 4);
        put_le(b, 0, 8);
    }
    put_le(b, MP_BUS, 1);
    put_le(b, MPTABLE_PCI_BUS, 1);
    g_byte_array_append(b, (const uint8_t *)"PCI   ", 6);
    put_le(b, MP_BUS, 1);
    put_le(b, MPTABLE_ISA_BUS, 1);
    g_byte_array_append(b, (const uint8_t *)"ISA   ", 6);
    put_le(b, MP_IOAPIC, 1);
    put_le(b, X86_IOAPIC_ID, 1);
    put_le(b, MPTABLE_IOAPIC_VERSION, 1);
    put_le(b, 1, 1);                /* enabled */
    put_le(b, X86_IOAPIC_ADDR, 4);
    n += 3;
    for (i = 0; i < 16; i++) {
        if (i == 2) {
            continue;               /* cascade */
        }
        put_intsrc(b, MP_INT, MP_IRQ_CONFORMING, MPTABLE_ISA_BUS, i,
                   i == 0 ? 2 : i);
        n++;
    }
    for (slot = 0; slot < cfg->pci_slots; slot++) {
        for (pin = 0; pin < 4; pin++, n++) {
            put_intsrc(b, MP_INT, MP_IRQ_LEVEL_LOW, MPTABLE_PCI_BUS,
                       slot << 2 | pin, x86_pci_intx_to_gsi(slot, pin));
        }
    }
    put_lintsrc(b, MP_EXTINT, 0);
    put_lintsrc(b, MP_NMI, 1);
    return n + 2;
}

GByteArray *mptable_build_blob(const MpTableConfig *in, Error **errp)
{
    MpTableConfig cfg = *in;
    GByteArray *b;
    uint64_t mpc;
    unsigned n;

    cfg.base = cfg.base ? cfg.base : MPTABLE_BASE;
    cfg.size = cfg.size ? cfg.size : MPTABLE_SIZE;
    cfg.num_cpus = cfg.num_cpus ? cfg.num_cpus : 1;
    cfg.pci_slots = cfg.pci_slots ? MIN(cfg.pci_slots, X86_PCI_MAX_SLOTS)
                                  : X86_PCI_MAX_SLOTS;
    if (cfg.num_cpus > 254 || cfg.base % 16 ||
        cfg.base + cfg.size > 0x100000ull) {
        error_setg(errp, "MP table: bad area 0x%" PRIx64 "+0x%" PRIx64
                   " or CPU count %u", cfg.base, cfg.size, cfg.num_cpus);
        return NULL;
    }
    mpc = cfg.base + MPF_LEN;
    b = g_byte_array_new();
    g_byte_array_append(b, (const uint8_t *)"_MP_", 4);
    put_le(b, mpc, 4);
    put_le(b, 1, 1);                /* length in 16-byte units */
    put_le(b, MP_SPEC_REV, 1);
    put_le(b, 0, 1);                /* checksum */
    put_le(b, 0, 5);                /* features: config table, no IMCR */
    b->data[10] = checksum(b->data, MPF_LEN);

    g_byte_array_append(b, (const uint8_t *)"PCMP", 4);
    put_le(b, 0, 2);                /* base table length */
    put_le(b, MP_SPEC_REV, 1);
    put_le(b, 0, 1);                /* checksum */
    g_byte_array_append(b, (const uint8_t *)"TANDEM  TANDEMPC    ", 20);
    put_le(b, 0, 4);                /* OEM table pointer */
    put_le(b, 0, 2);                /* OEM table size */
    put_le(b, 0, 2);                /* entry count */
    put_le(b, X86_LAPIC_ADDR, 4);
    put_le(b, 0, 4);                /* extended table length/checksum */
    n = put_entries(b, &cfg);
    b->data[MPF_LEN + 4] = (b->len - MPF_LEN) & 0xff;
    b->data[MPF_LEN + 5] = (b->len - MPF_LEN) >> 8;
    b->data[MPF_LEN + 34] = n & 0xff;
    b->data[MPF_LEN + 35] = n >> 8;
    b->data[MPF_LEN + 7] = checksum(b->data + MPF_LEN, b->len - MPF_LEN);
    if (b->len > cfg.size) {
        error_setg(errp, "MP table needs %u bytes, only %" PRIu64
                   " reserved", b->len, cfg.size);
        g_byte_array_unref(b);
        return NULL;
    }
    trace_mptable_build(cfg.base, b->len, n);
    return b;
}

bool mptable_build(const MpTableConfig *cfg, uint8_t *ram,
                   uint64_t ram_size, Error **errp)
{
    uint64_t base = cfg->base ? cfg->base : MPTABLE_BASE;
    GByteArray *b = mptable_build_blob(cfg, errp);

    if (!b) {
        return false;
    }
    if (base > ram_size || b->len > ram_size - base) {
        error_setg(errp, "MP table at 0x%" PRIx64 " does not fit in RAM",
                   base);
        g_byte_array_unref(b);
        return false;
    }
    memcpy(ram + base, b->data, b->len);
    g_byte_array_unref(b);
    return true;
}
