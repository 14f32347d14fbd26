/*
 * ACPI tables for the Tandem pc machine, and the platform facts the
 * firmware tables promise (the device models must follow them).
 *
 * Tables, written by acpi_build_tables() from @base (default 0xe0000,
 * 16-byte aligned, e820 reserved):
 *
 *   RSDP (rev 2, 36 B) -> RSDT (32-bit) and XSDT (64-bit) -> FADT, MADT
 *   FADT (rev 3, 244 B) -> FACS (64 B, 64-byte aligned), DSDT
 *   MADT: LAPIC 0xfee00000 (PCAT_COMPAT), one Processor Local APIC per
 *         CPU (UID = APIC id = index), IOAPIC id 0 at 0xfec00000 GSI
 *         base 0, ISO IRQ0 -> GSI2 (conforming), ISO IRQ9 -> GSI9 level
 *         active-high, Local APIC NMI on LINT1 for all processors
 *   DSDT: \_SB.PCI0 (PNP0A03, _UID 0, _BBN 0, _CRS, _PRT), \_SB.Cnnn
 *         (ACPI0007 per CPU), \_S5
 *
 * Power management block at PM io base (default 0x600, 16 ports):
 *
 *   base + 0  PM1a_EVT_BLK: PM1_STS (16 bit) and +2 PM1_EN (16 bit)
 *   base + 4  PM1a_CNT_BLK (16 bit): bit 0 SCI_EN (reads as 1: no SMI_CMD,
 *             the machine is always in ACPI mode), bits 12:10 SLP_TYP,
 *             bit 13 SLP_EN
 *   base + 8  PM_TMR_BLK: 24-bit counter at 3.579545 MHz (TMR_VAL_EXT=0)
 *   Fixed-feature power button: PM1_STS/PM1_EN bit 8 (FADT PWR_BUTTON
 *   flag clear), so system_powerdown can raise PWRBTN_STS; no sleep
 *   button (SLP_BUTTON set), no RTC wake (FIX_RTC set).
 *   SCI: ISA IRQ 9 = GSI 9, level triggered, active high
 *   Power-off: a write to PM1a_CNT with SLP_EN set and SLP_TYP ==
 *   ACPI_PM_SLP_TYP_S5 (5) means S5; the PM device should end the VM.
 *   Reset register: I/O port 0xcf9, value 0x06 (RESET_REG_SUP).
 *   No GPE blocks, no HPET, no MCFG (PCI config through 0xcf8/0xcfc).
 *
 * PCI INTx routing (the same in the _PRT and the MP table):
 *   device in slot S (0-31), pin P (0 = INTA .. 3 = INTD) raises
 *   GSI = IOAPIC pin 16 + ((S + P) & 7), level triggered, active low.
 *   The IOAPIC model should treat a device's asserted line as active
 *   whatever the polarity bit says (the board inverts it).
 */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#include "qapi/error.h"

#define X86_LAPIC_ADDR              0xfee00000u
#define X86_IOAPIC_ADDR             0xfec00000u
#define X86_IOAPIC_ID               0
#define X86_IOAPIC_PINS             24
#define X86_PCI_HOLE_END            0xfec00000ull   /* exclusive */

#define ACPI_TABLES_BASE            0xe0000ull
#define ACPI_TABLES_SIZE            0x10000ull
#define ACPI_PM_IO_BASE             0x600
#define ACPI_PM_IO_LEN              0x10
#define ACPI_PM1_EVT_OFS            0x0
#define ACPI_PM1_CNT_OFS            0x4
#define ACPI_PM_TMR_OFS             0x8
#define ACPI_PM1_CNT_SCI_EN         (1u << 0)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT  10
#define ACPI_PM1_CNT_SLP_TYP_MASK   (7u << 10)
#define ACPI_PM1_CNT_SLP_EN         (1u << 13)
#define ACPI_PM_SLP_TYP_S5          5
#define ACPI_PM_TIMER_HZ            3579545
#define ACPI_SCI_IRQ                9
#define ACPI_RESET_PORT             0xcf9
#define ACPI_RESET_VALUE            0x06

#define X86_PCI_INTX_GSI_BASE       16
#define X86_PCI_MAX_SLOTS           32

/**
 * x86_pci_intx_to_gsi: the GSI (IOAPIC pin) raised by INTx pin @pin
 * (0 = INTA .. 3 = INTD) of the device in PCI slot @slot on bus 0.
 */
static inline unsigned x86_pci_intx_to_gsi(unsigned slot, unsigned pin)
{
    return X86_PCI_INTX_GSI_BASE + ((slot + pin) & 7);
}

/*
 * AcpiBuildConfig: the machine as the tables describe it.  Zero fields
 * take the defaults: @base ACPI_TABLES_BASE, @size ACPI_TABLES_SIZE,
 * @pm_io_base ACPI_PM_IO_BASE, @num_cpus 1, @pci_slots 32,
 * @pci_hole_start @ram_size (RAM below 4 GiB).
 */
typedef struct AcpiBuildConfig {
    uint64_t ram_size;          /* RAM below 4 GiB */
    uint64_t pci_hole_start;    /* start of the 32-bit PCI MMIO window */
    unsigned pci_slots;         /* _PRT covers slots 0 .. pci_slots-1 */
    uint16_t pm_io_base;
    unsigned num_cpus;
    uint64_t base;              /* where the tables go in guest memory */
    uint64_t size;              /* room there */
} AcpiBuildConfig;

/**
 * acpi_build_blob: build all tables as they must appear at @cfg->base
 * (pointers inside are absolute).  Returns the bytes (free with
 * g_byte_array_unref) and stores the RSDP's address in @rsdp_addr.
 */
GByteArray *acpi_build_blob(const AcpiBuildConfig *cfg, uint64_t *rsdp_addr,
                            Error **errp);

/**
 * acpi_build_tables: build the tables and copy them into @ram (guest
 * memory from GPA 0, @ram_size bytes) at @cfg->base.  @rsdp_addr gets the
 * RSDP address for boot_params.acpi_rsdp_addr.
 */
bool acpi_build_tables(const AcpiBuildConfig *cfg, uint8_t *ram,
                       uint64_t ram_size, uint64_t *rsdp_addr, Error **errp);

/**
 * acpi_build_dsdt_aml: the DSDT's AML body (without the table header),
 * exposed for tests.  Free with g_byte_array_unref.
 */
GByteArray *acpi_build_dsdt_aml(const AcpiBuildConfig *cfg);

/**
 * acpi_checksum: the byte that makes the @len bytes at @data sum to 0
 * when stored in place of a zero byte.
 */
uint8_t acpi_checksum(const uint8_t *data, size_t len);

#endif
