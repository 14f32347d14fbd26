/*
 * Direct kernel boot loader: ELF and bzImage loading, boot_params, e820,
 * identity page tables, initrd placement and error handling.
 *
 * The images are synthetic: a two-segment ELF64, and a bzImage-like file
 * whose payload is that ELF compressed here with liblzma (BCJ-x86 +
 * LZMA2) followed by the 4-byte size, like mkpiggy's output.  If the test
 * guest has been built (tests/guest/build.sh, $TANDEM_GUEST_DIR, default
 * /tmp/tandem-guest), its real Debian bzImage is loaded too.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/x86-loader.h"

#include <lzma.h>

#define MIB             (1024 * 1024ull)
#define RAM_SIZE        (256 * MIB)
#define SEG_A_PADDR     0x1000000ull
#define SEG_A_FILESZ    0x180
#define SEG_A_MEMSZ     0x3000
#define SEG_B_PADDR     0x1400000ull
#define SEG_B_VADDR     0xffffffff81400000ull
#define SEG_B_FILESZ    0x40
#define ENTRY           (SEG_A_PADDR + 0x10)

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v);
    put32(p + 4, v >> 32);
}

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

static void put_phdr(uint8_t *ph, uint64_t off, uint64_t vaddr,
                     uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    put32(ph, 1);                   /* PT_LOAD */
    put32(ph + 4, 7);
    put64(ph + 8, off);
    put64(ph + 16, vaddr);
    put64(ph + 24, paddr);
    put64(ph + 32, filesz);
    put64(ph + 40, memsz);
    put64(ph + 48, 0x1000);
}

/* A 64-bit ELF with segment A (text + bss) and segment B (linked high). */
static GByteArray *make_elf(uint64_t entry)
{
    GByteArray *b = g_byte_array_new();
    uint8_t *e;
    size_t i;

    g_byte_array_set_size(b, 0x1000);
    e = b->data;
    memset(e, 0, b->len);
    memcpy(e, "\177ELF", 4);
    e[4] = 2;                       /* ELFCLASS64 */
    e[5] = 1;                       /* little endian */
    e[6] = 1;
    put16(e + 16, 2);               /* ET_EXEC */
    put16(e + 18, 62);              /* EM_X86_64 */
    put32(e + 20, 1);
    put64(e + 24, entry);
    put64(e + 32, 64);              /* e_phoff */
    put16(e + 52, 64);
    put16(e + 54, 56);
    put16(e + 56, 3);
    put_phdr(e + 64, 0x400, SEG_A_PADDR, SEG_A_PADDR, SEG_A_FILESZ,
             SEG_A_MEMSZ);
    put_phdr(e + 120, 0x800, SEG_B_VADDR, SEG_B_PADDR, SEG_B_FILESZ,
             SEG_B_FILESZ);
    put32(e + 176, 4);              /* PT_NOTE: must be ignored */
    for (i = 0; i < SEG_A_FILESZ; i++) {
        e[0x400 + i] = 0x90 + i;
    }
    memset(e + 0x800, 0xcc, SEG_B_FILESZ);
    return b;
}

static GByteArray *xz_compress(const uint8_t *data, size_t len)
{
    lzma_options_lzma opt;
    lzma_filter filters[] = {
        { .id = LZMA_FILTER_X86 },
        { .id = LZMA_FILTER_LZMA2, .options = &opt },
        { .id = LZMA_VLI_UNKNOWN },
    };
    GByteArray *out = g_byte_array_new();
    size_t pos = 0;

    g_assert_false(lzma_lzma_preset(&opt, 6));
    g_byte_array_set_size(out, lzma_stream_buffer_bound(len));
    g_assert_cmpint(lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32,
                                              NULL, data, len, out->data,
                                              &pos, out->len), ==, LZMA_OK);
    g_byte_array_set_size(out, pos);
    return out;
}

#define BZ_SETUP_SECTS  1
#define BZ_PM_START     ((BZ_SETUP_SECTS + 1) * 512)
#define BZ_PAYLOAD_OFS  0x40
#define BZ_INIT_SIZE    0x3000000u

/* A bzImage with a 2.15 setup header and the ELF above as XZ payload. */
static GByteArray *make_bzimage(void)
{
    g_autoptr(GByteArray) elf = make_elf(ENTRY);
    g_autoptr(GByteArray) xz = xz_compress(elf->data, elf->len);
    GByteArray *b = g_byte_array_new();
    uint8_t *h;

    g_byte_array_set_size(b, BZ_PM_START + BZ_PAYLOAD_OFS + xz->len + 4);
    h = b->data;
    memset(h, 0, b->len);
    h[0x1f1] = BZ_SETUP_SECTS;
    put16(h + 0x1fe, 0xaa55);
    h[0x200] = 0xeb;
    h[0x201] = 0x66;                /* header ends at 0x268 */
    memcpy(h + 0x202, "HdrS", 4);
    put16(h + 0x206, 0x020f);
    h[0x211] = 0x01;
    put32(h + 0x214, 0x100000);
    put32(h + 0x22c, 0x7fffffff);
    put32(h + 0x230, 0x200000);
    h[0x234] = 1;
    put16(h + 0x236, 0x7f);
    put32(h + 0x238, 0x7ff);
    put32(h + 0x248, BZ_PAYLOAD_OFS);
    put32(h + 0x24c, xz->len + 4);
    put64(h + 0x258, 0x1000000);
    put32(h + 0x260, BZ_INIT_SIZE);
    memcpy(h + BZ_PM_START + BZ_PAYLOAD_OFS, xz->data, xz->len);
    put32(h + BZ_PM_START + BZ_PAYLOAD_OFS + xz->len, elf->len);
    return b;
}

static uint8_t *new_ram(void)
{
    uint8_t *ram = g_malloc(RAM_SIZE);

    memset(ram, 0xaa, RAM_SIZE);
    return ram;
}

static void check_segments(const uint8_t *ram)
{
    size_t i;

    for (i = 0; i < SEG_A_FILESZ; i++) {
        g_assert_cmphex(ram[SEG_A_PADDR + i], ==, (uint8_t)(0x90 + i));
    }
    for (i = SEG_A_FILESZ; i < SEG_A_MEMSZ; i++) {
        g_assert_cmphex(ram[SEG_A_PADDR + i], ==, 0);   /* bss */
    }
    g_assert_cmphex(ram[SEG_A_PADDR + SEG_A_MEMSZ], ==, 0xaa);
    g_assert_cmphex(ram[SEG_B_PADDR], ==, 0xcc);
    g_assert_cmphex(ram[SEG_B_PADDR + SEG_B_FILESZ - 1], ==, 0xcc);
    g_assert_cmphex(ram[SEG_B_PADDR + SEG_B_FILESZ], ==, 0xaa);
}

static void test_elf_load(void)
{
    g_autoptr(GByteArray) elf = make_elf(ENTRY);
    g_autofree uint8_t *ram = new_ram();
    X86KernelInfo info;

    g_assert_true(x86_load_kernel_image(elf->data, elf->len, ram, RAM_SIZE,
                                        &info, &error_abort));
    check_segments(ram);
    g_assert_false(info.is_bzimage);
    g_assert_cmphex(info.entry, ==, ENTRY);
    g_assert_cmphex(info.load_start, ==, SEG_A_PADDR);
    g_assert_cmphex(info.load_end, ==, SEG_B_PADDR + SEG_B_FILESZ);
    g_assert_cmphex(info.reserve_end, ==, info.load_end);
    g_assert_cmphex(info.protocol, ==, 0x020f);
    g_assert_cmpuint(info.cmdline_size, ==, 0x7ff);
    g_assert_cmphex(info.initrd_addr_max, ==, 0x7fffffff);
    g_assert_cmphex(get16(info.setup + BP_BOOT_FLAG), ==, 0xaa55);
    g_assert_cmpmem(info.setup + BP_HEADER, 4, "HdrS", 4);
}

static void test_elf_virtual_entry(void)
{
    g_autoptr(GByteArray) elf = make_elf(SEG_B_VADDR + 0x20);
    g_autofree uint8_t *ram = new_ram();
    X86KernelInfo info;

    g_assert_true(x86_load_kernel_image(elf->data, elf->len, ram, RAM_SIZE,
                                        &info, &error_abort));
    g_assert_cmphex(info.entry, ==, SEG_B_PADDR + 0x20);
}

static void test_bzimage_load(void)
{
    g_autoptr(GByteArray) bz = make_bzimage();
    g_autofree uint8_t *ram = new_ram();
    X86KernelInfo info;

    g_assert_true(x86_load_kernel_image(bz->data, bz->len, ram, RAM_SIZE,
                                        &info, &error_abort));
    check_segments(ram);
    g_assert_true(info.is_bzimage);
    g_assert_cmphex(info.protocol, ==, 0x020f);
    g_assert_cmphex(info.entry, ==, ENTRY);
    g_assert_cmphex(info.reserve_end, ==, 0x1000000 + BZ_INIT_SIZE);
    g_assert_cmpuint(info.setup_end, ==, 0x268);
    g_assert_cmphex(get32(info.setup + BP_INIT_SIZE), ==, BZ_INIT_SIZE);
    g_assert_cmphex(info.setup[BP_SETUP_SECTS], ==, BZ_SETUP_SECTS);
}

static void test_xz_decompress(void)
{
    static const uint8_t text[] = "tandem tandem tandem tandem tandem";
    g_autoptr(GByteArray) xz = xz_compress(text, sizeof(text));
    g_autofree uint8_t *out = NULL;
    Error *err = NULL;

    out = x86_xz_decompress(xz->data, xz->len, sizeof(text), &error_abort);
    g_assert_cmpmem(out, sizeof(text), text, sizeof(text));
    g_assert_null(x86_xz_decompress(xz->data, xz->len, sizeof(text) + 1,
                                    &err));
    error_free_or_abort(&err);
    g_assert_null(x86_xz_decompress(xz->data, xz->len / 2, sizeof(text),
                                    &err));
    error_free_or_abort(&err);
}

static void test_e820(void)
{
    X86E820Entry e[8];
    size_t n;

    n = x86_build_e820(3 * 1024 * MIB, 1024 * MIB, e, ARRAY_SIZE(e));
    g_assert_cmpuint(n, ==, 5);
    g_assert_cmphex(e[0].addr, ==, 0);
    g_assert_cmphex(e[0].size, ==, 0x9fc00);
    g_assert_cmpuint(e[0].type, ==, X86_E820_RAM);
    g_assert_cmphex(e[1].addr, ==, 0x9fc00);
    g_assert_cmphex(e[1].addr + e[1].size, ==, 0xa0000);
    g_assert_cmpuint(e[1].type, ==, X86_E820_RESERVED);
    g_assert_cmphex(e[2].addr, ==, 0xe0000);
    g_assert_cmphex(e[2].addr + e[2].size, ==, 0x100000);
    g_assert_cmpuint(e[2].type, ==, X86_E820_RESERVED);
    g_assert_cmphex(e[3].addr, ==, 0x100000);
    g_assert_cmphex(e[3].addr + e[3].size, ==, 3 * 1024 * MIB);
    g_assert_cmpuint(e[3].type, ==, X86_E820_RAM);
    g_assert_cmphex(e[4].addr, ==, 4 * 1024 * MIB);
    g_assert_cmphex(e[4].size, ==, 1024 * MIB);

    n = x86_build_e820(RAM_SIZE, 0, e, ARRAY_SIZE(e));
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(e[3].addr + e[3].size, ==, RAM_SIZE);
    g_assert_cmpuint(x86_build_e820(RAM_SIZE, 0, e, 2), ==, 2);
}

static X86KernelInfo load_elf_info(uint8_t *ram)
{
    g_autoptr(GByteArray) elf = make_elf(ENTRY);
    X86KernelInfo info;

    g_assert_true(x86_load_kernel_image(elf->data, elf->len, ram, RAM_SIZE,
                                        &info, &error_abort));
    return info;
}

static void test_initrd_placement(void)
{
    g_autofree uint8_t *ram = new_ram();
    X86KernelInfo info = load_elf_info(ram);
    uint64_t size = 10 * MIB + 123, addr;
    Error *err = NULL;

    g_assert_true(x86_place_initrd(&info, RAM_SIZE, size, &addr,
                                   &error_abort));
    g_assert_cmphex(addr % 4096, ==, 0);
    g_assert_cmphex(addr + size, <=, RAM_SIZE);
    g_assert_cmphex(addr + size, >, RAM_SIZE - 4096);
    g_assert_cmphex(addr, >=, info.reserve_end);

    /* The header's initrd_addr_max wins over the end of RAM. */
    info.initrd_addr_max = 0x7ffffff;
    g_assert_true(x86_place_initrd(&info, RAM_SIZE, size, &addr,
                                   &error_abort));
    g_assert_cmphex(addr + size - 1, <=, 0x7ffffff);

    /* Too large: would overlap the kernel. */
    g_assert_false(x86_place_initrd(&info, RAM_SIZE,
                                    0x8000000 - info.reserve_end + 4096,
                                    &addr, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "initrd is too large"));
    error_free_or_abort(&err);
}

/* Translates @va through the 4-level tables at @cr3 (2 MiB pages only). */
static bool walk(const uint8_t *ram, uint64_t cr3, uint64_t va,
                 uint64_t *pa)
{
    uint64_t pml4e = get64(ram + cr3 + ((va >> 39) & 511) * 8);
    uint64_t pdpte, pde;

    if (!(pml4e & 1)) {
        return false;
    }
    pdpte = get64(ram + (pml4e & ~0xfffull) + ((va >> 30) & 511) * 8);
    if (!(pdpte & 1)) {
        return false;
    }
    pde = get64(ram + (pdpte & ~0xfffull) + ((va >> 21) & 511) * 8);
    if ((pde & 0x83) != 0x83) {
        return false;
    }
    *pa = (pde & ~0x1fffffull) + (va & 0x1fffff);
    return true;
}

static void test_boot_params(void)
{
    g_autofree uint8_t *ram = new_ram();
    X86KernelInfo info = load_elf_info(ram);
    X86LinuxBootConfig cfg = {
        .cmdline = "console=ttyS0 tandem.ip=10.0.0.2/24",
        .ram = ram, .ram_size = RAM_SIZE, .above_4g_size = 0,
        .rsdp_addr = 0xe0000,
    };
    const uint8_t *bp = ram + X86_BOOT_ZERO_PAGE;
    uint64_t initrd = RAM_SIZE - 0x200000, va, pa;
    X86BootState st;
    unsigned i;

    g_assert_true(x86_setup_linux_boot(&info, &cfg, initrd, 0x1234, &st,
                                       &error_abort));
    /* Zero page. */
    g_assert_cmphex(bp[0], ==, 0);  /* screen_info stays zero */
    g_assert_cmphex(get16(bp + BP_BOOT_FLAG), ==, 0xaa55);
    g_assert_cmpmem(bp + BP_HEADER, 4, "HdrS", 4);
    g_assert_cmphex(get16(bp + BP_VERSION), ==, 0x020f);
    g_assert_cmphex(get16(bp + BP_VID_MODE), ==, 0xffff);
    g_assert_cmphex(bp[BP_TYPE_OF_LOADER], ==, 0xff);
    g_assert_cmphex(bp[BP_LOADFLAGS] & BP_LOADED_HIGH, ==, BP_LOADED_HIGH);
    g_assert_cmphex(get32(bp + BP_CMD_LINE_PTR), ==, X86_BOOT_CMDLINE_ADDR);
    g_assert_cmpstr((const char *)ram + X86_BOOT_CMDLINE_ADDR, ==,
                    cfg.cmdline);
    g_assert_cmphex(get32(bp + BP_RAMDISK_IMAGE), ==, initrd);
    g_assert_cmphex(get32(bp + BP_RAMDISK_SIZE), ==, 0x1234);
    g_assert_cmphex(get64(bp + BP_ACPI_RSDP_ADDR), ==, 0xe0000);
    g_assert_cmpuint(bp[BP_E820_ENTRIES], ==, 4);
    g_assert_cmphex(get64(bp + BP_E820_TABLE + 3 * 20), ==, 0x100000);
    g_assert_cmphex(get64(bp + BP_E820_TABLE + 3 * 20 + 8), ==,
                    RAM_SIZE - 0x100000);
    g_assert_cmpuint(get32(bp + BP_E820_TABLE + 3 * 20 + 16), ==,
                     X86_E820_RAM);
    g_assert_cmphex(bp[0x1ef], ==, 0);  /* sentinel */

    /* Entry state. */
    g_assert_cmphex(st.rip, ==, ENTRY);
    g_assert_cmphex(st.rsi, ==, X86_BOOT_ZERO_PAGE);
    g_assert_cmphex(st.rflags, ==, 2);
    g_assert_cmphex(st.cr0 & 0x80000001, ==, 0x80000001);
    g_assert_cmphex(st.cr4 & 0x20, ==, 0x20);
    g_assert_cmphex(st.efer, ==, 0x500);
    g_assert_cmphex(st.cr3, ==, X86_BOOT_PML4_ADDR);
    g_assert_cmphex(st.cs.selector, ==, 0x10);
    g_assert_cmphex(st.cs.attr & 0x2000, ==, 0x2000);    /* L */
    g_assert_cmphex(st.cs.attr & 0x4000, ==, 0);         /* D clear */
    g_assert_cmphex(st.ds.selector, ==, 0x18);
    g_assert_cmphex(st.ss.selector, ==, 0x18);
    g_assert_cmphex(st.es.selector, ==, 0x18);
    g_assert_cmphex(st.idt.limit, ==, 0);
    g_assert_cmphex(st.gdt.base, ==, X86_BOOT_GDT_ADDR);
    g_assert_cmphex(st.gdt.limit, >=, 0x1f);
    g_assert_cmphex(get64(ram + X86_BOOT_GDT_ADDR + 0x10), ==,
                    0x00af9b000000ffffull);
    g_assert_cmphex(get64(ram + X86_BOOT_GDT_ADDR + 0x18), ==,
                    0x00cf93000000ffffull);
    g_assert_cmphex(get64(ram + X86_BOOT_GDT_ADDR), ==, 0);
    /* The stack is in mapped, unused low RAM. */
    g_assert_cmphex(st.rsp, <, X86_BOOT_PML4_ADDR);
    g_assert_cmphex(st.rsp, >, X86_BOOT_ZERO_PAGE + 4096);

    /* Identity map: kernel, zero page, cmdline, initrd, 4 GiB - 1. */
    for (i = 0; i < 7; i++) {
        static const uint64_t vas[] = {
            ENTRY, SEG_B_PADDR + 8, X86_BOOT_ZERO_PAGE,
            X86_BOOT_CMDLINE_ADDR, RAM_SIZE - 0x200000 + 0x1233,
            0x3fffffff + 0x1000, 0xffffffffull,
        };
        va = vas[i];
        g_assert_true(walk(ram, st.cr3, va, &pa));
        g_assert_cmphex(pa, ==, va);
    }
    g_assert_false(walk(ram, st.cr3, 0x100000000ull, &pa));
}

static void test_errors(void)
{
    g_autoptr(GByteArray) elf = make_elf(ENTRY);
    g_autoptr(GByteArray) bz = make_bzimage();
    g_autofree uint8_t *ram = new_ram();
    g_autofree char *longcmd = g_strnfill(0x800, 'x');
    static const char text[] = "#!/bin/sh\necho this is not a kernel\n";
    X86LinuxBootConfig cfg = { .ram = ram, .ram_size = RAM_SIZE };
    X86KernelInfo info;
    X86BootState st;
    Error *err = NULL;
    uint64_t addr;

    /* Not a kernel at all. */
    g_assert_false(x86_load_kernel_image((const uint8_t *)text, sizeof(text),
                                         ram, RAM_SIZE, &info, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "not a bzImage or ELF kernel");
    error_free_or_abort(&err);
    g_assert_false(x86_load_kernel_image(elf->data, 0, ram, RAM_SIZE, &info,
                                         &err));
    error_free_or_abort(&err);

    /* Truncated ELF: program headers, then segment data. */
    g_assert_false(x86_load_kernel_image(elf->data, 100, ram, RAM_SIZE,
                                         &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "truncated"));
    error_free_or_abort(&err);
    g_assert_false(x86_load_kernel_image(elf->data, 0x480, ram, RAM_SIZE,
                                         &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "truncated"));
    error_free_or_abort(&err);

    /* Segment beyond the end of RAM. */
    g_assert_false(x86_load_kernel_image(elf->data, elf->len, ram,
                                         SEG_B_PADDR, &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "does not fit in RAM"));
    error_free_or_abort(&err);

    /* Truncated bzImage, at every interesting length. */
    g_assert_false(x86_load_kernel_image(bz->data, 0x250, ram, RAM_SIZE,
                                         &info, &err));
    error_free_or_abort(&err);
    g_assert_false(x86_load_kernel_image(bz->data, bz->len - 1, ram,
                                         RAM_SIZE, &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "truncated"));
    error_free_or_abort(&err);

    /* Corrupt XZ payload. */
    bz->data[BZ_PM_START + BZ_PAYLOAD_OFS + 40] ^= 0xff;
    g_assert_false(x86_load_kernel_image(bz->data, bz->len, ram, RAM_SIZE,
                                         &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "xz"));
    error_free_or_abort(&err);
    bz->data[BZ_PM_START + BZ_PAYLOAD_OFS + 40] ^= 0xff;

    /* Not XZ compressed (gzip magic). */
    bz->data[BZ_PM_START + BZ_PAYLOAD_OFS] = 0x1f;
    g_assert_false(x86_load_kernel_image(bz->data, bz->len, ram, RAM_SIZE,
                                         &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "not XZ"));
    error_free_or_abort(&err);
    bz->data[BZ_PM_START + BZ_PAYLOAD_OFS] = 0xfd;

    /*
     * init_size beyond RAM: the vmlinux itself fits, so it loads (init_size
     * only sizes the in-guest decompressor), but no initrd fits above it.
     */
    g_assert_true(x86_load_kernel_image(bz->data, bz->len, ram, 32 * MIB,
                                        &info, &error_abort));
    g_assert_false(x86_place_initrd(&info, 32 * MIB, 4096, &addr, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "initrd is too large"));
    error_free_or_abort(&err);

    /* Old boot protocol. */
    put16(bz->data + 0x206, 0x0204);
    g_assert_false(x86_load_kernel_image(bz->data, bz->len, ram, RAM_SIZE,
                                         &info, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "too old"));
    error_free_or_abort(&err);

    /* Command line longer than the header allows. */
    g_assert_true(x86_load_kernel_image(elf->data, elf->len, ram, RAM_SIZE,
                                        &info, &error_abort));
    cfg.cmdline = longcmd;
    g_assert_false(x86_setup_linux_boot(&info, &cfg, 0, 0, &st, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "command line"));
    error_free_or_abort(&err);
}

/* Corrupted headers give an error or a load inside RAM, never a crash. */
static void test_fuzz_headers(void)
{
    g_autoptr(GByteArray) elf = make_elf(ENTRY);
    g_autoptr(GByteArray) bz = make_bzimage();
    g_autofree uint8_t *ram = g_malloc(RAM_SIZE);
    g_autoptr(GRand) rand = g_rand_new_with_seed(42);
    unsigned i, ok = 0, failed = 0;

    for (i = 0; i < 3000; i++) {
        bool is_bz = i & 1;
        GByteArray *src = is_bz ? bz : elf;
        g_autofree uint8_t *img = g_malloc(src->len);
        size_t hdr_lo = is_bz ? 0x1f0 : 0, hdr_hi = is_bz ? 0x270 : 0xc0;
        unsigned n = g_rand_int_range(rand, 1, 6), k;
        size_t len = src->len;
        X86KernelInfo info;
        Error *err = NULL;

        memcpy(img, src->data, src->len);
        for (k = 0; k < n; k++) {
            img[g_rand_int_range(rand, hdr_lo, hdr_hi)] = g_rand_int(rand);
        }
        if (g_rand_boolean(rand)) {
            len = g_rand_int_range(rand, 0, len + 1);
        }
        if (x86_load_kernel_image(img, len, ram, RAM_SIZE, &info, &err)) {
            g_assert_cmphex(info.entry, <, RAM_SIZE);
            g_assert_cmphex(info.load_end, <=, RAM_SIZE);
            ok++;
        } else {
            error_free_or_abort(&err);
            failed++;
        }
    }
    g_test_message("fuzz: %u loaded, %u rejected", ok, failed);
    g_assert_cmpuint(failed, >, 0);
}

static char *write_tmp(const char *dir, const char *name, const void *data,
                       size_t len)
{
    char *path = g_build_filename(dir, name, NULL);

    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

static void test_load_linux_files(void)
{
    g_autoptr(GByteArray) bz = make_bzimage();
    g_autofree char *dir = g_dir_make_tmp("test-x86-loader-XXXXXX", NULL);
    g_autofree char *kpath = write_tmp(dir, "bzImage", bz->data, bz->len);
    g_autofree uint8_t *initrd_data = g_malloc(3 * MIB + 5);
    g_autofree char *ipath = NULL;
    g_autofree char *missing = g_build_filename(dir, "missing", NULL);
    g_autofree uint8_t *ram = new_ram();
    g_autofree char *want = NULL;
    X86LinuxBootConfig cfg = {
        .kernel_path = kpath, .cmdline = "console=ttyS0",
        .ram = ram, .ram_size = RAM_SIZE,
    };
    const uint8_t *bp = ram + X86_BOOT_ZERO_PAGE;
    uint32_t iaddr;
    X86BootState st;
    Error *err = NULL;
    size_t i;

    for (i = 0; i < 3 * MIB + 5; i++) {
        initrd_data[i] = i * 7;
    }
    ipath = write_tmp(dir, "initrd.img", initrd_data, 3 * MIB + 5);
    cfg.initrd_path = ipath;
    g_assert_true(x86_load_linux(&cfg, &st, &error_abort));
    check_segments(ram);
    g_assert_cmphex(st.rip, ==, ENTRY);
    iaddr = get32(bp + BP_RAMDISK_IMAGE);
    g_assert_cmphex(get32(bp + BP_RAMDISK_SIZE), ==, 3 * MIB + 5);
    g_assert_cmphex(iaddr % 4096, ==, 0);
    g_assert_cmphex(iaddr, >=, 0x1000000 + BZ_INIT_SIZE);
    g_assert_cmpmem(ram + iaddr, 3 * MIB + 5, initrd_data, 3 * MIB + 5);
    /* The bzImage's own header fields reach the zero page. */
    g_assert_cmphex(get32(bp + BP_INIT_SIZE), ==, BZ_INIT_SIZE);
    g_assert_cmphex(bp[BP_SETUP_SECTS], ==, BZ_SETUP_SECTS);

    /* Missing kernel. */
    cfg.kernel_path = missing;
    g_assert_false(x86_load_linux(&cfg, &st, &err));
    want = g_strdup_printf("could not load kernel '%s': ", missing);
    g_assert_true(g_str_has_prefix(error_get_pretty(err), want));
    error_free_or_abort(&err);

    /* Initrd that does not fit above the kernel's init_size. */
    cfg.kernel_path = kpath;
    cfg.ram_size = 0x1000000 + BZ_INIT_SIZE + 2 * MIB;
    g_assert_false(x86_load_linux(&cfg, &st, &err));
    g_free(want);
    want = g_strdup_printf("could not load initrd '%s': initrd is too large",
                           ipath);
    g_assert_true(g_str_has_prefix(error_get_pretty(err), want));
    error_free_or_abort(&err);

    /* Missing initrd. */
    cfg.ram_size = RAM_SIZE;
    cfg.initrd_path = missing;
    g_assert_false(x86_load_linux(&cfg, &st, &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "could not load initrd"));
    error_free_or_abort(&err);

    unlink(kpath);
    unlink(ipath);
    rmdir(dir);
}

/* The Debian bzImage of the test guest, when it has been built. */
static void test_real_bzimage(void)
{
    const char *dir = g_getenv("TANDEM_GUEST_DIR");
    g_autofree char *path = g_build_filename(dir ? dir : "/tmp/tandem-guest",
                                             "bzImage", NULL);
    g_autofree uint8_t *ram = NULL;
    X86LinuxBootConfig cfg = { .kernel_path = path, .cmdline = "" };
    const uint8_t *bp;
    X86BootState st;
    gint64 t0;

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_skip("test guest not built (tests/guest/build.sh)");
        return;
    }
    ram = g_malloc0(RAM_SIZE);
    cfg.ram = ram;
    cfg.ram_size = RAM_SIZE;
    t0 = g_get_monotonic_time();
    g_assert_true(x86_load_linux(&cfg, &st, &error_abort));
    g_test_message("loaded %s in %.3f s", path,
                   (g_get_monotonic_time() - t0) / 1e6);
    bp = ram + X86_BOOT_ZERO_PAGE;
    g_assert_cmphex(st.rip, ==, 0x1000000);
    g_assert_cmphex(get16(bp + BP_VERSION), >=, 0x020c);
    g_assert_cmphex(get32(bp + BP_INIT_SIZE), >, 0x1000000);
    /* startup_64 begins with "lea _text(%rip), %rdi" or similar. */
    g_assert_cmphex(ram[0x1000000], !=, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x86/loader/elf/load", test_elf_load);
    g_test_add_func("/x86/loader/elf/virtual-entry", test_elf_virtual_entry);
    g_test_add_func("/x86/loader/bzimage/xz-payload", test_bzimage_load);
    g_test_add_func("/x86/loader/xz/decompress", test_xz_decompress);
    g_test_add_func("/x86/loader/e820", test_e820);
    g_test_add_func("/x86/loader/initrd/placement", test_initrd_placement);
    g_test_add_func("/x86/loader/boot-params", test_boot_params);
    g_test_add_func("/x86/loader/errors", test_errors);
    g_test_add_func("/x86/loader/errors/fuzz-headers", test_fuzz_headers);
    g_test_add_func("/x86/loader/load-linux/files", test_load_linux_files);
    g_test_add_func("/x86/loader/load-linux/debian-bzimage",
                    test_real_bzimage);
    return g_test_run();
}
