/*
 * RAM blocks and per-client dirty tracking.
 *
 * Every block owns one memfd mapped once (MAP_SHARED) and one bitmap per
 * dirty client (bit set = page written since the client last cleared it).
 * Bits are set with atomic OR from any thread and cleared with atomic
 * exchange, so a clear never loses a concurrent set.  After a clear the
 * re-arm hook tells the CPU to drop fast-write TLB entries; a store that
 * is already past its TLB check when the clear happens may land unrecorded
 * (a window of a few host instructions), so clients that need an exact
 * cut (COLO checkpoint, migration completion) clear with the vCPU parked.
 * See include/exec/memory.h for the model.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include <sys/mman.h>

#define BITS_PER_LONG (sizeof(unsigned long) * 8)
#define RAM_ADDR_ALIGN (1ULL << 30)

struct RAMBlock {
    char *name;
    uint64_t size;
    uint64_t pages;
    uint8_t *host;
    int fd;
    ram_addr_t ram_addr;
    unsigned long *dirty[DIRTY_CLIENT__MAX];
    RAMBlock *next;
};

static RAMBlock *ram_blocks;
static ram_addr_t next_ram_addr;
static unsigned dirty_active = 1u << DIRTY_CLIENT_CODE;
static DirtyRearmHook *rearm_hook;
static void *rearm_opaque;
static DirtyBarrierHook *barrier_hook;
static void *barrier_opaque;
static CodeWriteHook *code_hook;
static void *code_opaque;

static size_t bitmap_longs(uint64_t pages)
{
    return DIV_ROUND_UP(pages, BITS_PER_LONG);
}

static void bitmap_fill_all(unsigned long *map, uint64_t pages)
{
    size_t i, n = bitmap_longs(pages);

    for (i = 0; i < n; i++) {
        __atomic_store_n(&map[i], ~0UL, __ATOMIC_RELAXED);
    }
}

RAMBlock *ram_block_new(const char *name, uint64_t size, Error **errp)
{
    RAMBlock *rb, **pp;
    void *host;
    int fd, c;

    size = QEMU_ALIGN_UP(size, TARGET_PAGE_SIZE);
    if (size == 0) {
        error_setg(errp, "RAM block '%s' has zero size", name);
        return NULL;
    }
    fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create memfd for '%s'", name);
        return NULL;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "cannot size RAM block '%s'", name);
        close(fd);
        return NULL;
    }
    host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (host == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map RAM block '%s'", name);
        close(fd);
        return NULL;
    }
    rb = g_new0(RAMBlock, 1);
    rb->name = g_strdup(name);
    rb->size = size;
    rb->pages = size >> TARGET_PAGE_BITS;
    rb->host = host;
    rb->fd = fd;
    rb->ram_addr = next_ram_addr;
    next_ram_addr += QEMU_ALIGN_UP(size, RAM_ADDR_ALIGN);
    for (c = 0; c < DIRTY_CLIENT__MAX; c++) {
        rb->dirty[c] = g_new0(unsigned long, bitmap_longs(rb->pages));
        bitmap_fill_all(rb->dirty[c], rb->pages);
    }
    for (pp = &ram_blocks; *pp; pp = &(*pp)->next) {
        /* append */
    }
    *pp = rb;
    return rb;
}

void ram_block_free(RAMBlock *rb)
{
    RAMBlock **pp;
    int c;

    for (pp = &ram_blocks; *pp; pp = &(*pp)->next) {
        if (*pp == rb) {
            *pp = rb->next;
            break;
        }
    }
    munmap(rb->host, rb->size);
    close(rb->fd);
    for (c = 0; c < DIRTY_CLIENT__MAX; c++) {
        g_free(rb->dirty[c]);
    }
    g_free(rb->name);
    g_free(rb);
}

uint8_t *ram_block_host(RAMBlock *rb)
{
    return rb->host;
}

uint64_t ram_block_size(RAMBlock *rb)
{
    return rb->size;
}

const char *ram_block_name(RAMBlock *rb)
{
    return rb->name;
}

int ram_block_fd(RAMBlock *rb)
{
    return rb->fd;
}

ram_addr_t ram_block_ram_addr(RAMBlock *rb)
{
    return rb->ram_addr;
}

RAMBlock *ram_block_next(RAMBlock *prev)
{
    return prev ? prev->next : ram_blocks;
}

RAMBlock *ram_block_by_name(const char *name)
{
    RAMBlock *rb;

    for (rb = ram_blocks; rb; rb = rb->next) {
        if (!strcmp(rb->name, name)) {
            return rb;
        }
    }
    return NULL;
}

RAMBlock *ram_block_from_host(const void *host, uint64_t *offset)
{
    const uint8_t *h = host;
    RAMBlock *rb;

    for (rb = ram_blocks; rb; rb = rb->next) {
        if (h >= rb->host && h < rb->host + rb->size) {
            if (offset) {
                *offset = h - rb->host;
            }
            return rb;
        }
    }
    return NULL;
}

uint8_t *ram_addr_to_host(ram_addr_t addr, RAMBlock **rbp)
{
    RAMBlock *rb;

    for (rb = ram_blocks; rb; rb = rb->next) {
        if (addr >= rb->ram_addr && addr - rb->ram_addr < rb->size) {
            if (rbp) {
                *rbp = rb;
            }
            return rb->host + (addr - rb->ram_addr);
        }
    }
    return NULL;
}

/* Dirty tracking */

static bool test_bit_atomic(const unsigned long *map, uint64_t nr)
{
    unsigned long w = __atomic_load_n(&map[nr / BITS_PER_LONG],
                                      __ATOMIC_RELAXED);

    return (w >> (nr % BITS_PER_LONG)) & 1;
}

/* Returns the previous value of the bit. */
static bool set_bit_atomic(unsigned long *map, uint64_t nr)
{
    unsigned long bit = 1UL << (nr % BITS_PER_LONG);
    unsigned long *w = &map[nr / BITS_PER_LONG];

    if (__atomic_load_n(w, __ATOMIC_RELAXED) & bit) {
        return true;
    }
    return __atomic_fetch_or(w, bit, __ATOMIC_SEQ_CST) & bit;
}

void dirty_log_start(DirtyClient client)
{
    RAMBlock *rb;

    for (rb = ram_blocks; rb; rb = rb->next) {
        bitmap_fill_all(rb->dirty[client], rb->pages);
    }
    __atomic_fetch_or(&dirty_active, 1u << client, __ATOMIC_SEQ_CST);
}

void dirty_log_stop(DirtyClient client)
{
    if (client == DIRTY_CLIENT_CODE) {
        return;
    }
    __atomic_fetch_and(&dirty_active, ~(1u << client), __ATOMIC_SEQ_CST);
}

bool dirty_log_active(DirtyClient client)
{
    return __atomic_load_n(&dirty_active, __ATOMIC_RELAXED) & (1u << client);
}

bool physmem_page_fast_writable(RAMBlock *rb, uint64_t offset)
{
    unsigned active = __atomic_load_n(&dirty_active, __ATOMIC_SEQ_CST);
    uint64_t page = offset >> TARGET_PAGE_BITS;
    int c;

    for (c = 0; c < DIRTY_CLIENT__MAX; c++) {
        if ((active & (1u << c)) && !test_bit_atomic(rb->dirty[c], page)) {
            return false;
        }
    }
    return true;
}

/*
 * Sets the bits of the @clients (a mask) for the pages of @len bytes at
 * @offset of @rb; a page whose CODE bit was clear (code was decoded from
 * it) goes to the code hook.
 */
static void note_pages(RAMBlock *rb, uint64_t offset, uint64_t len,
                       unsigned clients)
{
    uint64_t page, last;
    int c;

    if (len == 0 || offset >= rb->size) {
        return;
    }
    len = MIN(len, rb->size - offset);
    last = (offset + len - 1) >> TARGET_PAGE_BITS;
    for (page = offset >> TARGET_PAGE_BITS; page <= last; page++) {
        for (c = 0; c < DIRTY_CLIENT__MAX; c++) {
            if (!(clients & (1u << c))) {
                continue;
            }
            if (!set_bit_atomic(rb->dirty[c], page) &&
                c == DIRTY_CLIENT_CODE && code_hook) {
                code_hook(code_opaque,
                          rb->ram_addr + (page << TARGET_PAGE_BITS));
            }
        }
    }
}

void physmem_note_write(RAMBlock *rb, uint64_t offset, uint64_t len)
{
    note_pages(rb, offset, len,
               __atomic_load_n(&dirty_active, __ATOMIC_SEQ_CST));
}

void physmem_code_written(RAMBlock *rb, uint64_t offset, uint64_t len)
{
    note_pages(rb, offset, len, 1u << DIRTY_CLIENT_CODE);
}

bool dirty_page_test(DirtyClient client, RAMBlock *rb, uint64_t offset)
{
    if (offset >= rb->size) {
        return false;
    }
    return test_bit_atomic(rb->dirty[client], offset >> TARGET_PAGE_BITS);
}

uint64_t dirty_bitmap_test_and_clear(DirtyClient client, RAMBlock *rb,
                                     unsigned long *out)
{
    size_t i, n = bitmap_longs(rb->pages);
    uint64_t count = 0;

    for (i = 0; i < n; i++) {
        unsigned long w = __atomic_exchange_n(&rb->dirty[client][i], 0UL,
                                              __ATOMIC_SEQ_CST);
        if (i == n - 1 && rb->pages % BITS_PER_LONG) {
            w &= (1UL << (rb->pages % BITS_PER_LONG)) - 1;
        }
        if (out) {
            out[i] = w;
        }
        count += __builtin_popcountl(w);
    }
    if (rearm_hook) {
        rearm_hook(rearm_opaque, rb, 0, rb->size);
    }
    return count;
}

void dirty_range_clear(DirtyClient client, RAMBlock *rb, uint64_t offset,
                       uint64_t len)
{
    uint64_t page, last;

    if (len == 0 || offset >= rb->size) {
        return;
    }
    len = MIN(len, rb->size - offset);
    last = (offset + len - 1) >> TARGET_PAGE_BITS;
    for (page = offset >> TARGET_PAGE_BITS; page <= last; page++) {
        unsigned long bit = 1UL << (page % BITS_PER_LONG);
        __atomic_fetch_and(&rb->dirty[client][page / BITS_PER_LONG], ~bit,
                           __ATOMIC_SEQ_CST);
    }
    if (rearm_hook) {
        rearm_hook(rearm_opaque, rb, offset, len);
    }
}

void physmem_dirty_barrier(void)
{
    if (barrier_hook) {
        barrier_hook(barrier_opaque);
    }
}

void physmem_set_barrier_hook(DirtyBarrierHook *fn, void *opaque)
{
    barrier_opaque = opaque;
    barrier_hook = fn;
}

void physmem_set_rearm_hook(DirtyRearmHook *fn, void *opaque)
{
    rearm_opaque = opaque;
    rearm_hook = fn;
}

void physmem_set_code_hook(CodeWriteHook *fn, void *opaque)
{
    code_opaque = opaque;
    code_hook = fn;
}
