/*
 * Guest memory API: RAM mapping, MMIO dispatch and overlap, DMA bounds,
 * per-client dirty tracking with re-arm.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"

#define MiB (1024 * 1024ULL)

typedef struct FakeDev {
    uint64_t regs[4];
    unsigned reads, writes;
    unsigned last_size;
    hwaddr last_addr;
} FakeDev;

static uint64_t fake_read(void *opaque, hwaddr addr, unsigned size)
{
    FakeDev *d = opaque;

    d->reads++;
    d->last_size = size;
    d->last_addr = addr;
    return d->regs[(addr / 4) % 4] & (~0ULL >> (64 - size * 8));
}

static void fake_write(void *opaque, hwaddr addr, uint64_t val, unsigned size)
{
    FakeDev *d = opaque;

    d->writes++;
    d->last_size = size;
    d->last_addr = addr;
    d->regs[(addr / 4) % 4] = val;
}

static const MemoryRegionOps fake_ops = {
    .read = fake_read,
    .write = fake_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

static RAMBlock *ram;
static MemoryRegion ram_lo, ram_hi;

/* One 16 MiB block mapped at 0 (12 MiB) and at 4 GiB (last 4 MiB). */
static void setup_ram(void)
{
    if (ram) {
        return;
    }
    ram = ram_block_new("pc.ram", 16 * MiB, &error_abort);
    memory_region_init_ram(&ram_lo, ram, 0, "ram-lo", 12 * MiB);
    memory_region_init_ram(&ram_hi, ram, 12 * MiB, "ram-hi", 4 * MiB);
    memory_region_add_subregion(get_system_memory(), 0, &ram_lo);
    memory_region_add_subregion(get_system_memory(), 0x100000000ULL, &ram_hi);
}

static void test_ram_mapping(void)
{
    uint8_t *host;
    uint32_t v = 0;
    MemoryLookup l;

    setup_ram();
    host = ram_block_host(ram);
    g_assert_cmpuint(ram_block_size(ram), ==, 16 * MiB);
    g_assert(ram_block_next(NULL) == ram);
    g_assert(ram_block_by_name("pc.ram") == ram);
    g_assert_cmpint(ram_block_fd(ram), >=, 0);

    g_assert_cmpint(address_space_write(&address_space_memory, 0x1000,
                                        "\x11\x22\x33\x44", 4), ==, MEMTX_OK);
    g_assert_cmpuint(host[0x1000], ==, 0x11);
    host[12 * MiB + 8] = 0x5a;
    g_assert_cmpint(address_space_read(&address_space_memory,
                                       0x100000008ULL, &v, 1), ==, MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x5a);

    address_space_lookup(&address_space_memory, 0x100000010ULL, &l);
    g_assert(l.host == host + 12 * MiB + 0x10);
    g_assert_cmpuint(l.len, ==, 4 * MiB - 0x10);
    /* the hole between 12 MiB and 4 GiB is unassigned */
    address_space_lookup(&address_space_memory, 12 * MiB, &l);
    g_assert_null(l.mr);
    g_assert_cmpuint(l.len, ==, 0x100000000ULL - 12 * MiB);
    g_assert(ram_addr_to_host(ram_block_ram_addr(ram) + 5, NULL) == host + 5);
}

static void test_mmio_dispatch(void)
{
    FakeDev d = { .regs = { 0x11223344, 0xaabbccdd } };
    MemoryRegion mr;
    uint64_t v;

    setup_ram();
    memory_region_init_io(&mr, &fake_ops, &d, "fake", 0x1000);
    memory_region_add_subregion(get_system_memory(), 0xfee00000, &mr);

    g_assert_cmpint(address_space_ld(&address_space_memory, 0xfee00004, 4,
                                     &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xaabbccdd);
    g_assert_cmpuint(d.last_addr, ==, 4);
    /* 8-byte access split into two 4-byte ones */
    g_assert_cmpint(address_space_ld(&address_space_memory, 0xfee00000, 8,
                                     &v), ==, MEMTX_OK);
    g_assert_cmphex(v, ==, 0xaabbccdd11223344ULL);
    address_space_st(&address_space_memory, 0xfee00008, 4, 0xcafe);
    g_assert_cmphex(d.regs[2], ==, 0xcafe);

    /* unassigned reads all-ones */
    g_assert_cmpint(address_space_ld(&address_space_memory, 0xfed00000, 4,
                                     &v), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(v, ==, 0xffffffff);

    /* moving the region (PCI BAR) */
    memory_region_set_address(&mr, 0xfeb00000);
    address_space_ld(&address_space_memory, 0xfee00004, 4, &v);
    g_assert_cmphex(v, ==, 0xffffffff);
    address_space_ld(&address_space_memory, 0xfeb00004, 4, &v);
    g_assert_cmphex(v, ==, 0xaabbccdd);
    memory_region_del_subregion(get_system_memory(), &mr);
    address_space_ld(&address_space_memory, 0xfeb00004, 4, &v);
    g_assert_cmphex(v, ==, 0xffffffff);
}

static void test_overlap_priority(void)
{
    FakeDev a = { .regs = { 1 } }, b = { .regs = { 2 } };
    MemoryRegion ma, mb;
    uint64_t v;
    MemoryLookup l;

    setup_ram();
    /* a device window over RAM at 0xa0000 wins with higher priority */
    memory_region_init_io(&ma, &fake_ops, &a, "vga", 0x20000);
    memory_region_add_subregion_overlap(get_system_memory(), 0xa0000, &ma, 1);
    address_space_ld(&address_space_memory, 0xa0000, 4, &v);
    g_assert_cmpuint(v, ==, 1);
    address_space_lookup(&address_space_memory, 0x9ffff, &l);
    g_assert_nonnull(l.host);
    g_assert_cmpuint(l.len, ==, 1);
    address_space_lookup(&address_space_memory, 0xc0000, &l);
    g_assert_nonnull(l.host);

    /* lower priority region beneath does not show */
    memory_region_init_io(&mb, &fake_ops, &b, "under", 0x1000);
    memory_region_add_subregion_overlap(get_system_memory(), 0xa0000, &mb, 0);
    address_space_ld(&address_space_memory, 0xa0000, 4, &v);
    g_assert_cmpuint(v, ==, 1);
    memory_region_del_subregion(get_system_memory(), &ma);
    address_space_ld(&address_space_memory, 0xa0000, 4, &v);
    g_assert_cmpuint(v, ==, 2);
    memory_region_del_subregion(get_system_memory(), &mb);
    address_space_lookup(&address_space_memory, 0xa0000, &l);
    g_assert_nonnull(l.host);
    g_assert_cmpuint(l.len, ==, 12 * MiB - 0xa0000);
}

static void test_port_io(void)
{
    FakeDev d = { .regs = { 0x42 } };
    MemoryRegion mr;
    uint64_t v;

    memory_region_init_io(&mr, &fake_ops, &d, "uart", 8);
    memory_region_add_subregion(get_system_io(), 0x3f8, &mr);
    address_space_st(&address_space_io, 0x3f8, 1, 0x41);
    g_assert_cmpuint(d.writes, ==, 1);
    g_assert_cmpuint(d.last_size, ==, 1);
    address_space_ld(&address_space_io, 0x3f8, 1, &v);
    g_assert_cmpuint(v, ==, 0x41);
    g_assert_cmpint(address_space_ld(&address_space_io, 0x80, 1, &v), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0xff);
    memory_region_del_subregion(get_system_io(), &mr);
}

static void test_dma_bounds(void)
{
    FakeDev d = { 0 };
    MemoryRegion mr;
    uint8_t buf[64];
    hwaddr len;
    void *p;

    setup_ram();
    memset(buf, 0x77, sizeof(buf));
    /* crossing the end of low RAM into the hole: partial copy + error */
    g_assert_cmpint(address_space_write(&address_space_memory,
                                        12 * MiB - 16, buf, 32), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(ram_block_host(ram)[12 * MiB - 1], ==, 0x77);
    g_assert_cmpint(address_space_read(&address_space_memory,
                                       0xfffffffffffffff0ULL, buf, 64), ==,
                    MEMTX_DECODE_ERROR);
    g_assert_cmpuint(buf[63], ==, 0xff);

    /* DMA never reaches device registers */
    memory_region_init_io(&mr, &fake_ops, &d, "dev", 0x1000);
    memory_region_add_subregion(get_system_memory(), 0xfe000000, &mr);
    g_assert_cmpint(address_space_write(&address_space_memory, 0xfe000000,
                                        buf, 4), ==, MEMTX_DECODE_ERROR);
    g_assert_cmpuint(d.writes, ==, 0);

    len = 1 * MiB;
    p = address_space_map(&address_space_memory, 12 * MiB - 4096, &len, true);
    g_assert(p == ram_block_host(ram) + 12 * MiB - 4096);
    g_assert_cmpuint(len, ==, 4096);
    len = 16;
    g_assert_null(address_space_map(&address_space_memory, 0xfe000000, &len,
                                    false));
    g_assert_cmpuint(len, ==, 0);
    memory_region_del_subregion(get_system_memory(), &mr);
}

typedef struct RearmLog {
    unsigned calls;
    ram_addr_t code_page;
    unsigned code_calls;
} RearmLog;

static void rearm(void *opaque, RAMBlock *rb, uint64_t off, uint64_t len)
{
    ((RearmLog *)opaque)->calls++;
}

static void code_written(void *opaque, ram_addr_t page)
{
    RearmLog *log = opaque;

    log->code_calls++;
    log->code_page = page;
}

static void test_dirty_clients(void)
{
    RearmLog log = { 0 };
    unsigned long *bm;
    uint64_t n;
    hwaddr len;
    void *p;

    setup_ram();
    physmem_set_rearm_hook(rearm, &log);
    physmem_set_code_hook(code_written, &log);
    bm = g_new0(unsigned long, (16 * MiB / 4096) / (8 * sizeof(long)));

    dirty_log_start(DIRTY_CLIENT_MIGRATION);
    g_assert_true(dirty_log_active(DIRTY_CLIENT_MIGRATION));
    g_assert_false(dirty_log_active(DIRTY_CLIENT_COLO));
    /* everything starts dirty, so all pages are fast-writable */
    g_assert_true(physmem_page_fast_writable(ram, 0x5000));
    n = dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION, ram, bm);
    g_assert_cmpuint(n, ==, 16 * MiB / 4096);
    g_assert_cmpuint(log.calls, ==, 1);
    /* after the clear the slow path is armed again */
    g_assert_false(physmem_page_fast_writable(ram, 0x5000));

    /* a DMA write through the high mapping marks the block page */
    address_space_write(&address_space_memory, 0x100000000ULL + 0x2000,
                        "x", 1);
    g_assert_true(dirty_page_test(DIRTY_CLIENT_MIGRATION, ram,
                                  12 * MiB + 0x2000));
    /* a map/unmap write marks all touched pages */
    len = 3 * 4096;
    p = address_space_map(&address_space_memory, 0x10800, &len, true);
    address_space_unmap(&address_space_memory, p, len, true, 2 * 4096);
    /* a CPU-style note */
    physmem_note_write(ram, 0x5000, 4);
    g_assert_true(physmem_page_fast_writable(ram, 0x5000));

    n = dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION, ram, bm);
    g_assert_cmpuint(n, ==, 5);
    g_assert_true(bm[0] & (1UL << 5));
    g_assert_true(bm[0] & (1UL << 0x10));
    g_assert_true(bm[0] & (1UL << 0x11));
    g_assert_true(bm[0] & (1UL << 0x12));
    g_assert_false(bm[0] & (1UL << 0x13));
    g_assert_cmpuint(dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION,
                                                 ram, NULL), ==, 0);

    /* a second client keeps its own bits */
    dirty_log_start(DIRTY_CLIENT_COLO);
    dirty_bitmap_test_and_clear(DIRTY_CLIENT_COLO, ram, NULL);
    physmem_note_write(ram, 0x7000, 1);
    g_assert_cmpuint(dirty_bitmap_test_and_clear(DIRTY_CLIENT_COLO, ram,
                                                 NULL), ==, 1);
    g_assert_cmpuint(dirty_bitmap_test_and_clear(DIRTY_CLIENT_MIGRATION,
                                                 ram, NULL), ==, 1);
    dirty_log_stop(DIRTY_CLIENT_COLO);
    dirty_log_stop(DIRTY_CLIENT_MIGRATION);
    g_assert_true(physmem_page_fast_writable(ram, 0x7000));

    /* code pages: clearing CODE makes the page slow; a write reports it */
    dirty_range_clear(DIRTY_CLIENT_CODE, ram, 0x9000, 1);
    g_assert_false(physmem_page_fast_writable(ram, 0x9000));
    address_space_write(&address_space_memory, 0x9010, "y", 1);
    g_assert_cmpuint(log.code_calls, ==, 1);
    g_assert_cmpuint(log.code_page, ==, ram_block_ram_addr(ram) + 0x9000);
    g_assert_true(physmem_page_fast_writable(ram, 0x9000));
    address_space_write(&address_space_memory, 0x9010, "y", 1);
    g_assert_cmpuint(log.code_calls, ==, 1);

    physmem_set_rearm_hook(NULL, NULL);
    physmem_set_code_hook(NULL, NULL);
    g_free(bm);
}

static void count_gen(void *opaque)
{
    (*(unsigned *)opaque)++;
}

static void test_map_hook_and_readers(void)
{
    unsigned changes = 0;
    uint64_t gen;
    MemoryRegion mr;
    FakeDev d = { 0 };
    int r;

    setup_ram();
    r = memory_reader_register();
    memory_set_map_hook(count_gen, &changes);
    gen = memory_map_generation();
    memory_region_init_io(&mr, &fake_ops, &d, "bar", 0x100);
    memory_region_add_subregion(get_system_memory(), 0xfd000000, &mr);
    memory_region_set_address(&mr, 0xfd100000);
    memory_region_del_subregion(get_system_memory(), &mr);
    g_assert_cmpuint(changes, ==, 3);
    g_assert_cmpuint(memory_map_generation(), ==, gen + 3);
    memory_reader_quiescent(r);
    memory_set_map_hook(NULL, NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/ram/mapping", test_ram_mapping);
    g_test_add_func("/memory/mmio/dispatch", test_mmio_dispatch);
    g_test_add_func("/memory/mmio/overlap", test_overlap_priority);
    g_test_add_func("/memory/io/port", test_port_io);
    g_test_add_func("/memory/dma/bounds", test_dma_bounds);
    g_test_add_func("/memory/dirty/clients", test_dirty_clients);
    g_test_add_func("/memory/view/readers", test_map_hook_and_readers);
    return g_test_run();
}
