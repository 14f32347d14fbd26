/*
 * Direct Linux boot for x86-64: bzImage/vmlinux loading, boot_params,
 * identity page tables and the 64-bit entry state.
 *
 * The layout in guest memory is drawn in include/hw/i386/x86-loader.h.
 * A bzImage is laid out as
 *
 *   0x000  boot sector; setup header at 0x1f1 .. 0x202 + byte[0x201]
 *   (setup_sects + 1) * 512: protected-mode part; its payload_offset
 *          bytes in, payload_length bytes of compressed vmlinux, whose last
 *          4 bytes are the decompressed size (little endian)
 *
 * Everything read from the image is bounds checked: a malformed kernel
 * gives an Error, never a crash.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/i386/x86-loader.h"
#include "trace/trace-hw_i386.h"

#include <lzma.h>

#define ELF_HDR_SIZE        64
#define ELF_PHDR_SIZE       56
#define ELF_PT_LOAD         1
#define ELF_EM_X86_64       62
#define PAGE_SIZE_4K        0x1000ull
#define PAGE_SIZE_2M        0x200000ull
#define GIB                 (1ull << 30)
#define FOUR_GIB            (4ull << 30)
/* Largest vmlinux we accept from a payload (Debian's is 63 MiB). */
#define MAX_VMLINUX_SIZE    (512ull << 20)
/* Largest kernel file we read (a bare vmlinux with symbols is ~500 MiB). */
#define MAX_KERNEL_FILE_SIZE (1ull << 30)

#define GDT_CODE64          0x00af9b000000ffffull
#define GDT_DATA            0x00cf93000000ffffull
#define TSS_LIMIT           0x67

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | ((uint32_t)rd16(p + 2) << 16);
}

static uint64_t rd64(const uint8_t *p)
{
    return rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, v);
    wr16(p + 2, v >> 16);
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, v);
    wr32(p + 4, v >> 32);
}

/* True if [start, start + len) lies inside [0, limit). */
static bool range_ok(uint64_t start, uint64_t len, uint64_t limit)
{
    return start <= limit && len <= limit - start;
}

size_t x86_build_e820(uint64_t ram_size, uint64_t above_4g_size,
                      X86E820Entry *table, size_t max)
{
    X86E820Entry all[5];
    size_t n = 0, i;

    all[n++] = (X86E820Entry) { 0, MIN(ram_size, X86_BOOT_EBDA_START),
                                X86_E820_RAM };
    all[n++] = (X86E820Entry) { X86_BOOT_EBDA_START,
                                0xa0000 - X86_BOOT_EBDA_START,
                                X86_E820_RESERVED };
    all[n++] = (X86E820Entry) { X86_BOOT_BIOS_START,
                                X86_BOOT_HIGH_RAM - X86_BOOT_BIOS_START,
                                X86_E820_RESERVED };
    if (ram_size > X86_BOOT_HIGH_RAM) {
        all[n++] = (X86E820Entry) { X86_BOOT_HIGH_RAM,
                                    ram_size - X86_BOOT_HIGH_RAM,
                                    X86_E820_RAM };
    }
    if (above_4g_size) {
        all[n++] = (X86E820Entry) { FOUR_GIB, above_4g_size, X86_E820_RAM };
    }
    n = MIN(n, max);
    for (i = 0; i < n; i++) {
        table[i] = all[i];
    }
    return n;
}

uint8_t *x86_xz_decompress(const uint8_t *in, size_t in_size,
                           size_t out_size, Error **errp)
{
    g_autofree uint8_t *out = g_try_malloc(MAX(out_size, 1));
    uint64_t memlimit = UINT64_MAX;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret ret;

    if (!out) {
        error_setg(errp, "cannot allocate %zu bytes for the kernel",
                   out_size);
        return NULL;
    }
    ret = lzma_stream_buffer_decode(&memlimit, 0, NULL, in, &in_pos, in_size,
                                    out, &out_pos, out_size);
    if (ret != LZMA_OK) {
        error_setg(errp, "xz payload does not decode (liblzma error %d)",
                   (int)ret);
        return NULL;
    }
    if (out_pos != out_size) {
        error_setg(errp, "xz payload decodes to %zu bytes, header says %zu",
                   out_pos, out_size);
        return NULL;
    }
    return g_steal_pointer(&out);
}

static bool elf_check_header(const uint8_t *elf, size_t size, Error **errp)
{
    if (size < ELF_HDR_SIZE || memcmp(elf, "\177ELF", 4) != 0) {
        error_setg(errp, "not a bzImage or ELF kernel");
        return false;
    }
    if (elf[4] != 2 || elf[5] != 1 || rd16(elf + 18) != ELF_EM_X86_64) {
        error_setg(errp, "ELF kernel is not a little-endian x86-64 image");
        return false;
    }
    if (rd16(elf + 54) != ELF_PHDR_SIZE) {
        error_setg(errp, "ELF kernel has bad program header size %u",
                   rd16(elf + 54));
        return false;
    }
    if (!range_ok(rd64(elf + 32), (uint64_t)rd16(elf + 56) * ELF_PHDR_SIZE,
                  size)) {
        error_setg(errp, "ELF kernel is truncated (program headers)");
        return false;
    }
    return true;
}

/*
 * Copies the PT_LOADs of a checked ELF into RAM; records the load range and
 * the physical entry point (e_entry, translated from a virtual address if
 * it falls into a segment's p_vaddr range rather than its p_paddr range).
 */
static bool elf_load(const uint8_t *elf, size_t size, uint8_t *ram,
                     uint64_t ram_size, X86KernelInfo *info, Error **errp)
{
    uint64_t phoff = rd64(elf + 32), entry = rd64(elf + 24);
    unsigned phnum = rd16(elf + 56), i, loads = 0;
    bool entry_found = false;

    info->load_start = UINT64_MAX;
    info->load_end = 0;
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + (uint64_t)i * ELF_PHDR_SIZE;
        uint64_t off = rd64(ph + 8), vaddr = rd64(ph + 16);
        uint64_t paddr = rd64(ph + 24), filesz = rd64(ph + 32);
        uint64_t memsz = rd64(ph + 40);

        if (rd32(ph) != ELF_PT_LOAD || memsz == 0) {
            continue;
        }
        if (filesz > memsz || !range_ok(off, filesz, size)) {
            error_setg(errp, "ELF segment %u is truncated or malformed", i);
            return false;
        }
        if (paddr < X86_BOOT_HIGH_RAM || !range_ok(paddr, memsz, ram_size)) {
            error_setg(errp, "ELF segment %u at 0x%" PRIx64 "+0x%" PRIx64
                       " does not fit in RAM (0x%" PRIx64 " bytes)",
                       i, paddr, memsz, ram_size);
            return false;
        }
        memcpy(ram + paddr, elf + off, filesz);
        memset(ram + paddr + filesz, 0, memsz - filesz);
        trace_x86_loader_segment(paddr, filesz, memsz);
        info->load_start = MIN(info->load_start, paddr);
        info->load_end = MAX(info->load_end, paddr + memsz);
        if (!entry_found && entry >= paddr && entry - paddr < memsz) {
            info->entry = entry;
            entry_found = true;
        } else if (!entry_found && entry >= vaddr && entry - vaddr < memsz) {
            info->entry = paddr + (entry - vaddr);
            entry_found = true;
        }
        loads++;
    }
    if (loads == 0) {
        error_setg(errp, "ELF kernel has no loadable segments");
        return false;
    }
    if (!entry_found) {
        error_setg(errp, "ELF entry point 0x%" PRIx64 " is outside the "
                   "loaded segments", entry);
        return false;
    }
    return true;
}

/* A setup header for a bare vmlinux, as a 2.15 bzImage would carry. */
static void synthesise_setup(X86KernelInfo *info)
{
    uint8_t *bp = info->setup;

    wr16(bp + BP_VID_MODE, 0xffff);
    wr16(bp + BP_BOOT_FLAG, 0xaa55);
    bp[BP_JUMP] = 0xeb;
    bp[BP_JUMP + 1] = BP_INIT_SIZE + 4 - BP_HEADER;
    memcpy(bp + BP_HEADER, "HdrS", 4);
    wr16(bp + BP_VERSION, 0x020f);
    bp[BP_LOADFLAGS] = BP_LOADED_HIGH;
    wr32(bp + BP_CODE32_START, info->load_start);
    wr32(bp + BP_INITRD_ADDR_MAX, 0x7fffffff);
    wr32(bp + BP_KERNEL_ALIGNMENT, PAGE_SIZE_2M);
    wr32(bp + BP_CMDLINE_SIZE, 0x7ff);
    wr64(bp + BP_PREF_ADDRESS, info->load_start);
    wr32(bp + BP_INIT_SIZE, info->load_end - info->load_start);
    info->setup_end = BP_INIT_SIZE + 4;
}

/* Fills the header-derived fields of @info from info->setup. */
static void setup_limits(X86KernelInfo *info)
{
    const uint8_t *bp = info->setup;
    uint64_t init_size = 0;

    info->protocol = rd16(bp + BP_VERSION);
    info->initrd_addr_max = info->protocol >= 0x203 ?
        rd32(bp + BP_INITRD_ADDR_MAX) : 0x37ffffff;
    info->cmdline_size = info->protocol >= 0x206 ?
        rd32(bp + BP_CMDLINE_SIZE) : 255;
    if (info->protocol >= 0x20a) {
        init_size = rd32(bp + BP_INIT_SIZE);
    }
    info->reserve_end = MAX(info->load_end, info->load_start + init_size);
}

static bool bzimage_load(const uint8_t *data, size_t size, uint8_t *ram,
                         uint64_t ram_size, X86KernelInfo *info,
                         Error **errp)
{
    g_autofree uint8_t *vmlinux = NULL;
    uint64_t pm_start, payload, len;
    uint32_t hdr_end, out_size;
    unsigned setup_sects;

    info->protocol = rd16(data + BP_VERSION);
    if (info->protocol < 0x208) {
        error_setg(errp, "boot protocol %u.%02u is too old (need 2.08)",
                   info->protocol >> 8, info->protocol & 0xff);
        return false;
    }
    hdr_end = BP_HEADER + data[BP_JUMP + 1];
    if (hdr_end > sizeof(info->setup) || hdr_end > size) {
        error_setg(errp, "bzImage setup header is truncated");
        return false;
    }
    memcpy(info->setup + BP_SETUP_SECTS, data + BP_SETUP_SECTS,
           hdr_end - BP_SETUP_SECTS);
    info->setup_end = hdr_end;

    setup_sects = data[BP_SETUP_SECTS] ? data[BP_SETUP_SECTS] : 4;
    pm_start = (setup_sects + 1) * 512ull;
    payload = pm_start + rd32(data + BP_PAYLOAD_OFFSET);
    len = rd32(data + BP_PAYLOAD_LENGTH);
    if (len < 4 || !range_ok(payload, len, size)) {
        error_setg(errp, "bzImage is truncated (payload at 0x%" PRIx64
                   "+0x%" PRIx64 ", file 0x%zx bytes)", payload, len, size);
        return false;
    }
    if (len < 6 || memcmp(data + payload, "\xfd" "7zXZ\0", 6) != 0) {
        error_setg(errp, "bzImage payload is not XZ compressed");
        return false;
    }
    /* mkpiggy appends the decompressed size; it is not part of the .xz. */
    out_size = rd32(data + payload + len - 4);
    if (out_size < ELF_HDR_SIZE || out_size > MAX_VMLINUX_SIZE) {
        error_setg(errp, "bzImage payload size %u is implausible", out_size);
        return false;
    }
    vmlinux = x86_xz_decompress(data + payload, len - 4, out_size, errp);
    if (!vmlinux) {
        return false;
    }
    trace_x86_loader_decompressed(len, out_size);
    if (!elf_check_header(vmlinux, out_size, errp)) {
        error_prepend(errp, "bzImage payload: ");
        return false;
    }
    return elf_load(vmlinux, out_size, ram, ram_size, info, errp);
}

bool x86_load_kernel_image(const uint8_t *data, size_t size,
                           uint8_t *ram, uint64_t ram_size,
                           X86KernelInfo *info, Error **errp)
{
    memset(info, 0, sizeof(*info));
    if (size >= BP_HEADER + 4 && rd16(data + BP_BOOT_FLAG) == 0xaa55 &&
        memcmp(data + BP_HEADER, "HdrS", 4) == 0) {
        if (size < BP_INIT_SIZE + 4) {
            error_setg(errp, "bzImage is truncated (setup header)");
            return false;
        }
        info->is_bzimage = true;
        if (!bzimage_load(data, size, ram, ram_size, info, errp)) {
            return false;
        }
    } else {
        if (!elf_check_header(data, size, errp) ||
            !elf_load(data, size, ram, ram_size, info, errp)) {
            return false;
        }
        synthesise_setup(info);
    }
    setup_limits(info);
    trace_x86_loader_kernel(info->is_bzimage, info->protocol, info->entry,
                            info->load_start, info->reserve_end);
    return true;
}

bool x86_place_initrd(const X86KernelInfo *info, uint64_t ram_size,
                      uint64_t size, uint64_t *addr, Error **errp)
{
    uint64_t top = MIN((uint64_t)info->initrd_addr_max + 1, ram_size);
    uint64_t floor = QEMU_ALIGN_UP(info->reserve_end, PAGE_SIZE_4K);

    if (top < floor || size > top - floor) {
        error_setg(errp, "initrd is too large (%" PRIu64 " bytes, at most %"
                   PRIu64 " fit between the kernel and the end of RAM)",
                   size, top > floor ? top - floor : 0);
        return false;
    }
    *addr = QEMU_ALIGN_DOWN(top - size, PAGE_SIZE_4K);
    return true;
}

static void write_gdt(uint8_t *ram)
{
    uint8_t *gdt = ram + X86_BOOT_GDT_ADDR;
    uint64_t tss = X86_BOOT_TSS_ADDR;

    memset(gdt, 0, X86_BOOT_TR + 16);
    wr64(gdt + X86_BOOT_CS, GDT_CODE64);
    wr64(gdt + X86_BOOT_DS, GDT_DATA);
    /* 64-bit available TSS (type 9), present, base tss, limit 0x67. */
    wr64(gdt + X86_BOOT_TR, TSS_LIMIT | ((tss & 0xffffff) << 16) |
         (0x89ull << 40) | (((tss >> 24) & 0xff) << 56));
    wr64(gdt + X86_BOOT_TR + 8, tss >> 32);
    memset(ram + X86_BOOT_TSS_ADDR, 0, TSS_LIMIT + 1);
    /* I/O map base beyond the limit: no I/O permission bitmap. */
    wr16(ram + X86_BOOT_TSS_ADDR + 0x66, TSS_LIMIT + 1);
}

static void write_page_tables(uint8_t *ram)
{
    uint64_t i;

    memset(ram + X86_BOOT_PML4_ADDR, 0, PAGE_SIZE_4K * 2);
    wr64(ram + X86_BOOT_PML4_ADDR, X86_BOOT_PDPT_ADDR | 0x3);
    for (i = 0; i < 4; i++) {
        wr64(ram + X86_BOOT_PDPT_ADDR + i * 8,
             (X86_BOOT_PD_ADDR + i * PAGE_SIZE_4K) | 0x3);
    }
    for (i = 0; i < 4 * 512; i++) {
        wr64(ram + X86_BOOT_PD_ADDR + i * 8, (i * PAGE_SIZE_2M) | 0x83);
    }
}

static X86Segment flat_segment(uint16_t sel, uint16_t attr)
{
    return (X86Segment) { .selector = sel, .base = 0, .limit = 0xffffffff,
                          .attr = attr };
}

static void fill_boot_state(const X86KernelInfo *info, X86BootState *st)
{
    memset(st, 0, sizeof(*st));
    st->rip = info->entry;
    st->rsp = X86_BOOT_STACK_TOP;
    st->rsi = X86_BOOT_ZERO_PAGE;
    st->rflags = 0x2;
    st->cr0 = X86_BOOT_CR0_PE | X86_BOOT_CR0_MP | X86_BOOT_CR0_ET |
              X86_BOOT_CR0_NE | X86_BOOT_CR0_PG;
    st->cr3 = X86_BOOT_PML4_ADDR;
    st->cr4 = X86_BOOT_CR4_PAE;
    st->efer = X86_BOOT_EFER_LME | X86_BOOT_EFER_LMA;
    /* Access rights: code 0xa09b (G, L, P, S, exec/read, accessed). */
    st->cs = flat_segment(X86_BOOT_CS, 0xa09b);
    st->ds = flat_segment(X86_BOOT_DS, 0xc093);
    st->es = st->ds;
    st->ss = st->ds;
    st->fs = st->ds;
    st->gs = st->ds;
    st->tr = (X86Segment) { .selector = X86_BOOT_TR,
                            .base = X86_BOOT_TSS_ADDR,
                            .limit = TSS_LIMIT, .attr = 0x8b };
    st->ldtr = (X86Segment) { .attr = 0x82 };
    st->gdt = (X86DescTable) { X86_BOOT_GDT_ADDR, X86_BOOT_TR + 16 - 1 };
    st->idt = (X86DescTable) { 0, 0 };
}

bool x86_setup_linux_boot(const X86KernelInfo *info,
                          const X86LinuxBootConfig *cfg,
                          uint64_t initrd_addr, uint64_t initrd_size,
                          X86BootState *st, Error **errp)
{
    const char *cmdline = cfg->cmdline ? cfg->cmdline : "";
    size_t cmdlen = strlen(cmdline), n, i;
    X86E820Entry e820[X86_E820_MAX_ENTRIES_ZP];
    uint8_t *bp = cfg->ram + X86_BOOT_ZERO_PAGE;

    if (cfg->ram_size < X86_BOOT_HIGH_RAM) {
        error_setg(errp, "RAM is too small for a direct kernel boot");
        return false;
    }
    if (cmdlen > info->cmdline_size || cmdlen >= X86_BOOT_CMDLINE_MAX) {
        error_setg(errp, "kernel command line is too long (%zu bytes, "
                   "the kernel accepts %u)", cmdlen,
                   MIN(info->cmdline_size, X86_BOOT_CMDLINE_MAX - 1));
        return false;
    }
    if (!range_ok(initrd_addr, initrd_size, cfg->ram_size) ||
        initrd_addr > UINT32_MAX) {
        error_setg(errp, "initrd at 0x%" PRIx64 " is outside low RAM",
                   initrd_addr);
        return false;
    }

    memset(bp, 0, PAGE_SIZE_4K);
    memcpy(bp + BP_SETUP_SECTS, info->setup + BP_SETUP_SECTS,
           info->setup_end - BP_SETUP_SECTS);
    wr16(bp + BP_VID_MODE, 0xffff);
    if (rd16(bp + BP_VERSION) == 0) {
        wr16(bp + BP_VERSION, 0x020f);
    }
    bp[BP_TYPE_OF_LOADER] = BP_TYPE_UNDEFINED;
    bp[BP_LOADFLAGS] |= BP_LOADED_HIGH;
    wr32(bp + BP_CMD_LINE_PTR, X86_BOOT_CMDLINE_ADDR);
    wr32(bp + BP_EXT_CMD_LINE_PTR, 0);
    wr32(bp + BP_RAMDISK_IMAGE, initrd_size ? initrd_addr : 0);
    wr32(bp + BP_RAMDISK_SIZE, initrd_size);
    wr32(bp + BP_EXT_RAMDISK_IMAGE, 0);
    wr32(bp + BP_EXT_RAMDISK_SIZE, 0);
    wr64(bp + BP_ACPI_RSDP_ADDR, cfg->rsdp_addr);

    n = x86_build_e820(cfg->ram_size, cfg->above_4g_size, e820,
                       ARRAY_SIZE(e820));
    bp[BP_E820_ENTRIES] = n;
    for (i = 0; i < n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20;

        wr64(e, e820[i].addr);
        wr64(e + 8, e820[i].size);
        wr32(e + 16, e820[i].type);
    }

    memcpy(cfg->ram + X86_BOOT_CMDLINE_ADDR, cmdline, cmdlen + 1);
    write_gdt(cfg->ram);
    write_page_tables(cfg->ram);
    fill_boot_state(info, st);
    trace_x86_loader_boot(st->rip, initrd_addr, initrd_size, cmdlen);
    return true;
}

/* Reads @path (@size bytes) into @dst. */
static bool read_file_into(const char *path, uint8_t *dst, uint64_t size,
                           Error **errp)
{
    uint64_t done = 0;
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open");
        return false;
    }
    while (done < size) {
        r = read(fd, dst + done, MIN(size - done, 1u << 30));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            if (r < 0) {
                error_setg_errno(errp, errno, "read failed");
            } else {
                error_setg(errp, "file shrank while reading");
            }
            close(fd);
            return false;
        }
        done += r;
    }
    close(fd);
    return true;
}

static bool load_initrd(const X86KernelInfo *info,
                        const X86LinuxBootConfig *cfg,
                        uint64_t *addr, uint64_t *size, Error **errp)
{
    struct stat stbuf;

    if (stat(cfg->initrd_path, &stbuf) < 0) {
        error_setg_errno(errp, errno, "cannot open");
        return false;
    }
    if (!S_ISREG(stbuf.st_mode)) {
        error_setg(errp, "not a regular file");
        return false;
    }
    *size = stbuf.st_size;
    return x86_place_initrd(info, cfg->ram_size, *size, addr, errp) &&
           read_file_into(cfg->initrd_path, cfg->ram + *addr, *size, errp);
}

bool x86_load_linux(const X86LinuxBootConfig *cfg, X86BootState *st,
                    Error **errp)
{
    g_autofree gchar *image = NULL;
    g_autoptr(GError) gerr = NULL;
    uint64_t initrd_addr = 0, initrd_size = 0;
    X86KernelInfo info;
    struct stat stbuf;
    gsize size;

    if (stat(cfg->kernel_path, &stbuf) == 0 &&
        stbuf.st_size > MAX_KERNEL_FILE_SIZE) {
        error_setg(errp, "could not load kernel '%s': file is too large "
                   "(%" PRIu64 " bytes)", cfg->kernel_path,
                   (uint64_t)stbuf.st_size);
        return false;
    }
    if (!g_file_get_contents(cfg->kernel_path, &image, &size, &gerr)) {
        error_setg(errp, "could not load kernel '%s': %s", cfg->kernel_path,
                   gerr->message);
        return false;
    }
    if (!x86_load_kernel_image((const uint8_t *)image, size, cfg->ram,
                               cfg->ram_size, &info, errp)) {
        error_prepend(errp, "could not load kernel '%s': ", cfg->kernel_path);
        return false;
    }
    if (cfg->initrd_path &&
        !load_initrd(&info, cfg, &initrd_addr, &initrd_size, errp)) {
        error_prepend(errp, "could not load initrd '%s': ",
                      cfg->initrd_path);
        return false;
    }
    return x86_setup_linux_boot(&info, cfg, initrd_addr, initrd_size, st,
                                errp);
}
