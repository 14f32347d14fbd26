/*
 * Direct Linux boot for x86-64 (-kernel/-initrd/-append), 64-bit entry.
 *
 * The kernel is entered in long mode at the vmlinux entry point, as in the
 * "64-bit Boot Protocol" of Documentation/x86/boot.rst: a bzImage's XZ
 * payload is decompressed on the host (liblzma) and the resulting vmlinux
 * ELF's PT_LOAD segments are copied to their p_paddr, so the guest never
 * runs the in-kernel decompressor.  A bare vmlinux ELF is loaded the same
 * way with a synthesised setup header.
 *
 * Guest physical layout written by x86_setup_linux_boot():
 *
 *   0x000500  GDT: 0x00 null, 0x08 null, 0x10 __BOOT_CS (64-bit code),
 *             0x18 __BOOT_DS (flat data), 0x20 64-bit TSS (16 bytes)
 *   0x000580  TSS (104 bytes, zero: no IST, iomap beyond limit)
 *   0x007000  boot_params ("zero page", 4 KiB)       -> RSI
 *   0x008ff0  initial stack top                      -> RSP
 *   0x009000  PML4, 0x00a000 PDPT, 0x00b000-0x00efff four PDs:
 *             identity map of 0-4 GiB with 2 MiB pages (P|RW|PS)
 *   0x020000  kernel command line (NUL terminated)
 *   0x09fc00-0x0fffff  EBDA + firmware tables (ACPI, MP): e820 reserved
 *   p_paddr   vmlinux PT_LOADs (0x1000000 for Debian's 6.1)
 *   top of low RAM: initrd, page aligned, below initrd_addr_max and
 *             above the kernel's p_paddr + init_size
 *
 * e820: RAM 0-0x9fc00, reserved 0x9fc00-0xa0000 and 0xe0000-0x100000,
 * RAM 1 MiB - end of low RAM, RAM 4 GiB - 4 GiB + above_4g_size.
 *
 * A pc machine with -kernel does (tables first, so the RSDP is known):
 *
 *   MpTableConfig mp = { .num_cpus = 1 };
 *   AcpiBuildConfig acpi = { .ram_size = below_4g };
 *   X86LinuxBootConfig boot = { kernel, initrd, append, ram, below_4g,
 *                               above_4g, 0 };
 *   mptable_build(&mp, ram, below_4g, errp);
 *   acpi_build_tables(&acpi, ram, below_4g, &boot.rsdp_addr, errp);
 *                                           (skipped with -no-acpi)
 *   x86_load_linux(&boot, &state, errp);    then load @state into the vCPU
 */
#ifndef HW_I386_X86_LOADER_H
#define HW_I386_X86_LOADER_H

#include "qapi/error.h"

#define X86_BOOT_GDT_ADDR       0x500
#define X86_BOOT_TSS_ADDR       0x580
#define X86_BOOT_ZERO_PAGE      0x7000
#define X86_BOOT_STACK_TOP      0x8ff0
#define X86_BOOT_PML4_ADDR      0x9000
#define X86_BOOT_PDPT_ADDR      0xa000
#define X86_BOOT_PD_ADDR        0xb000
#define X86_BOOT_CMDLINE_ADDR   0x20000
#define X86_BOOT_CMDLINE_MAX    0x10000
#define X86_BOOT_EBDA_START     0x9fc00
#define X86_BOOT_BIOS_START     0xe0000
#define X86_BOOT_HIGH_RAM       0x100000

#define X86_BOOT_CS             0x10
#define X86_BOOT_DS             0x18
#define X86_BOOT_TR             0x20

/* Control register and EFER bits set at entry. */
#define X86_BOOT_CR0_PE         (1u << 0)
#define X86_BOOT_CR0_MP         (1u << 1)
#define X86_BOOT_CR0_ET         (1u << 4)
#define X86_BOOT_CR0_NE         (1u << 5)
#define X86_BOOT_CR0_PG         (1u << 31)
#define X86_BOOT_CR4_PAE        (1u << 5)
#define X86_BOOT_EFER_LME       (1u << 8)
#define X86_BOOT_EFER_LMA       (1u << 10)

/* e820 types */
#define X86_E820_RAM            1
#define X86_E820_RESERVED       2
#define X86_E820_ACPI           3
#define X86_E820_MAX_ENTRIES_ZP 128

/* boot_params offsets (Documentation/x86/zero-page.rst, boot.rst) */
#define BP_ACPI_RSDP_ADDR       0x070
#define BP_EXT_RAMDISK_IMAGE    0x0c0
#define BP_EXT_RAMDISK_SIZE     0x0c4
#define BP_EXT_CMD_LINE_PTR     0x0c8
#define BP_E820_ENTRIES         0x1e8
#define BP_SETUP_SECTS          0x1f1
#define BP_VID_MODE             0x1fa
#define BP_BOOT_FLAG            0x1fe
#define BP_JUMP                 0x200
#define BP_HEADER               0x202
#define BP_VERSION              0x206
#define BP_TYPE_OF_LOADER       0x210
#define BP_LOADFLAGS            0x211
#define BP_CODE32_START         0x214
#define BP_RAMDISK_IMAGE        0x218
#define BP_RAMDISK_SIZE         0x21c
#define BP_CMD_LINE_PTR         0x228
#define BP_INITRD_ADDR_MAX      0x22c
#define BP_KERNEL_ALIGNMENT     0x230
#define BP_RELOCATABLE          0x234
#define BP_XLOADFLAGS           0x236
#define BP_CMDLINE_SIZE         0x238
#define BP_PAYLOAD_OFFSET       0x248
#define BP_PAYLOAD_LENGTH       0x24c
#define BP_PREF_ADDRESS         0x258
#define BP_INIT_SIZE            0x260
#define BP_E820_TABLE           0x2d0

#define BP_LOADED_HIGH          0x01
#define BP_TYPE_UNDEFINED       0xff

typedef struct X86E820Entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} X86E820Entry;

/*
 * X86Segment: a segment register with its hidden part.  @attr uses the
 * VMX access-rights layout (descriptor bits 40-47 and 52-55):
 * bits 0-3 type, 4 S, 5-6 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G.
 */
typedef struct X86Segment {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;     /* in bytes, already scaled by G */
    uint16_t attr;
} X86Segment;

typedef struct X86DescTable {
    uint64_t base;
    uint16_t limit;
} X86DescTable;

/*
 * X86BootState: the vCPU state at kernel entry.  Registers not listed are
 * zero; x87/SSE state is the CPU's reset state (FCW 0x37f, MXCSR 0x1f80).
 */
typedef struct X86BootState {
    uint64_t rip;
    uint64_t rsp;
    uint64_t rsi;
    uint64_t rflags;
    uint64_t cr0;
    uint64_t cr3;
    uint64_t cr4;
    uint64_t efer;
    X86Segment cs, ds, es, ss, fs, gs, tr, ldtr;
    X86DescTable gdt, idt;
} X86BootState;

/*
 * X86KernelInfo: what x86_load_kernel_image() found.  @setup holds the
 * setup header bytes (boot_params offsets 0x1f1..@setup_end) copied from a
 * bzImage, or synthesised for a bare ELF.
 */
typedef struct X86KernelInfo {
    bool is_bzimage;
    uint16_t protocol;          /* 0x020f for 2.15 */
    uint64_t entry;             /* physical entry point (RIP) */
    uint64_t load_start;        /* lowest PT_LOAD p_paddr */
    uint64_t load_end;          /* end of the highest PT_LOAD (memsz) */
    uint64_t reserve_end;       /* max(load_end, load_start + init_size) */
    uint32_t initrd_addr_max;   /* highest byte an initrd may occupy */
    uint32_t cmdline_size;      /* max command line length, without NUL */
    uint32_t setup_end;         /* end offset of @setup in boot_params */
    uint8_t setup[0x400];       /* boot_params image with the header */
} X86KernelInfo;

/*
 * X86LinuxBootConfig: the inputs of a direct Linux boot.
 * @ram is guest RAM from GPA 0, @ram_size bytes (RAM below the PCI hole);
 * @above_4g_size is RAM mapped at 4 GiB (only described in e820).
 * @rsdp_addr is the ACPI RSDP (0: none, the kernel scans 0xe0000-0xfffff).
 * @initrd_path may be NULL; @cmdline may be NULL (empty).
 */
typedef struct X86LinuxBootConfig {
    const char *kernel_path;
    const char *initrd_path;
    const char *cmdline;
    uint8_t *ram;
    uint64_t ram_size;
    uint64_t above_4g_size;
    uint64_t rsdp_addr;
} X86LinuxBootConfig;

/**
 * x86_build_e820: fill @table (room for @max entries) with the memory map
 * for @ram_size bytes of low RAM and @above_4g_size bytes at 4 GiB.
 * Returns the number of entries written (at most @max).
 */
size_t x86_build_e820(uint64_t ram_size, uint64_t above_4g_size,
                      X86E820Entry *table, size_t max);

/**
 * x86_xz_decompress: decode one .xz stream (any filter chain liblzma
 * supports, e.g. BCJ-x86 + LZMA2) of exactly @out_size bytes of output.
 * Returns a g_malloc'ed buffer, or NULL with @errp set.
 */
uint8_t *x86_xz_decompress(const uint8_t *in, size_t in_size,
                           size_t out_size, Error **errp);

/**
 * x86_load_kernel_image: parse @data (a bzImage with an XZ payload, or a
 * 64-bit vmlinux ELF), copy its PT_LOAD segments into @ram at p_paddr
 * (zero-filling to p_memsz) and describe it in @info.  Fails if the image
 * is malformed, truncated, unsupported or does not fit into @ram_size.
 */
bool x86_load_kernel_image(const uint8_t *data, size_t size,
                           uint8_t *ram, uint64_t ram_size,
                           X86KernelInfo *info, Error **errp);

/**
 * x86_place_initrd: choose the guest address of an initrd of @size bytes:
 * page aligned, as high as possible in @ram_size and below
 * @info->initrd_addr_max, and above @info->reserve_end.
 */
bool x86_place_initrd(const X86KernelInfo *info, uint64_t ram_size,
                      uint64_t size, uint64_t *addr, Error **errp);

/**
 * x86_setup_linux_boot: write boot_params (setup header, cmdline pointer,
 * initrd, e820, RSDP), the command line, GDT, TSS and page tables into
 * @cfg->ram, and fill @st with the 64-bit entry state.  @initrd_addr and
 * @initrd_size describe an initrd already in RAM (size 0: none).
 */
bool x86_setup_linux_boot(const X86KernelInfo *info,
                          const X86LinuxBootConfig *cfg,
                          uint64_t initrd_addr, uint64_t initrd_size,
                          X86BootState *st, Error **errp);

/**
 * x86_load_linux: the whole -kernel/-initrd/-append sequence: read and
 * load the kernel, place and read the initrd, write the boot data, fill
 * @st.  Errors read like QEMU's ("could not load kernel '...': ...").
 */
bool x86_load_linux(const X86LinuxBootConfig *cfg, X86BootState *st,
                    Error **errp);

#endif
