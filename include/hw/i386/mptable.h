/*
 * Intel MultiProcessor Specification 1.4 tables for the pc machine, used
 * by guests booted without ACPI (acpi=off, -no-acpi).
 *
 * Written by mptable_build() at @base (default 0xf0000, e820 reserved,
 * inside the 0xf0000-0xfffff range the kernel scans):
 *
 *   base + 0x00  floating pointer "_MP_" (16 bytes): config table address,
 *                length 1, spec 1.4, checksum, feature bytes 0 (config
 *                table present, virtual wire mode)
 *   base + 0x10  config table "PCMP": 44-byte header (LAPIC 0xfee00000)
 *                then entries:
 *                  processor (20 B) per CPU, APIC id = index, CPU 0 is BP
 *                  bus (8 B): id 0 "PCI   ", id 1 "ISA   "
 *                  I/O APIC (8 B): id 0, version 0x20, 0xfec00000
 *                  I/O interrupt (8 B): ISA IRQ 0 -> pin 2, ISA IRQ n ->
 *                    pin n (n = 1, 3-15), conforming polarity/trigger;
 *                    PCI bus 0, source irq (slot << 2) | pin ->
 *                    x86_pci_intx_to_gsi(slot, pin), level, active low
 *                  local interrupt (8 B): ExtINT -> LINT0, NMI -> LINT1
 *
 * The PCI routing rule is x86_pci_intx_to_gsi() in acpi-build.h, shared
 * with the ACPI _PRT.
 */
#ifndef HW_I386_MPTABLE_H
#define HW_I386_MPTABLE_H

#include "qapi/error.h"
#include "hw/i386/acpi-build.h"

#define MPTABLE_BASE            0xf0000ull
#define MPTABLE_SIZE            0x10000ull
#define MPTABLE_PCI_BUS         0
#define MPTABLE_ISA_BUS         1
#define MPTABLE_IOAPIC_VERSION  0x20

/*
 * MpTableConfig: zero fields take defaults: @base MPTABLE_BASE, @size
 * MPTABLE_SIZE, @num_cpus 1, @pci_slots 32.  @cpu_signature and
 * @cpu_features are CPUID 1 EAX and EDX (0 is allowed).
 */
typedef struct MpTableConfig {
    unsigned num_cpus;
    unsigned pci_slots;
    uint32_t cpu_signature;
    uint32_t cpu_features;
    uint64_t base;
    uint64_t size;
} MpTableConfig;

/**
 * mptable_build_blob: the floating pointer and the config table as they
 * must appear at @cfg->base; free with g_byte_array_unref.
 */
GByteArray *mptable_build_blob(const MpTableConfig *cfg, Error **errp);

/**
 * mptable_build: build the tables and copy them into @ram (guest memory
 * from GPA 0, @ram_size bytes) at @cfg->base.
 */
bool mptable_build(const MpTableConfig *cfg, uint8_t *ram,
                   uint64_t ram_size, Error **errp);

#endif
