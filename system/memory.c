/*
 * Memory regions, flat views and access dispatch.
 *
 * The region tree is rendered into a FlatView (sorted, non-overlapping
 * ranges) after every change under the big lock; the view pointer is
 * published atomically and old views are kept until every lock-free
 * reader has reported a quiescent point (see include/exec/memory.h).
 */
#include "qemu/osdep.h"
#include "exec/memory.h"

typedef struct FlatRange {
    hwaddr start;
    hwaddr end;             /* exclusive; 0 with start 0 means 2^64 */
    MemoryRegion *mr;
    hwaddr offset;          /* offset in mr of start */
} FlatRange;

struct FlatView {
    FlatRange *ranges;
    unsigned nr;
    unsigned alloc;
    uint64_t retired_gen;
    FlatView *next_retired;
};

#define MAX_READERS 8

static MemoryRegion system_memory_root;
static MemoryRegion system_io_root;
AddressSpace address_space_memory = { .name = "memory" };
AddressSpace address_space_io = { .name = "I/O" };
static uint64_t map_gen = 1;
static uint64_t reader_seen[MAX_READERS];
static int nr_readers;
static FlatView *retired;
static MemoryMapHook *map_hook;
static void *map_hook_opaque;
static uint64_t next_seq;

static void root_init(MemoryRegion *mr, AddressSpace *as, const char *name,
                      uint64_t size)
{
    if (!as->root) {
        memory_region_init(mr, name, size);
        as->root = mr;
    }
}

MemoryRegion *get_system_memory(void)
{
    root_init(&system_memory_root, &address_space_memory, "system", 0);
    return &system_memory_root;
}

MemoryRegion *get_system_io(void)
{
    root_init(&system_io_root, &address_space_io, "io", 0x10000);
    return &system_io_root;
}

void memory_region_init(MemoryRegion *mr, const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = MR_KIND_CONTAINER;
    mr->name = name;
    mr->size = size;        /* 0: unbounded (2^64) */
    mr->children = g_ptr_array_new();
}

void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = MR_KIND_IO;
    mr->ops = ops;
    mr->opaque = opaque;
    mr->name = name;
    mr->size = size;
}

void memory_region_init_ram(MemoryRegion *mr, RAMBlock *rb, uint64_t offset,
                            const char *name, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->kind = MR_KIND_RAM;
    mr->ram_block = rb;
    mr->ram_offset = offset;
    mr->name = name;
    assert(offset <= ram_block_size(rb) &&
           size <= ram_block_size(rb) - offset);
    mr->size = size;
}

/* Rendering */

static void fv_insert(FlatView *fv, unsigned at, FlatRange r)
{
    if (fv->nr == fv->alloc) {
        fv->alloc = fv->alloc ? fv->alloc * 2 : 16;
        fv->ranges = g_renew(FlatRange, fv->ranges, fv->alloc);
    }
    memmove(&fv->ranges[at + 1], &fv->ranges[at],
            (fv->nr - at) * sizeof(FlatRange));
    fv->ranges[at] = r;
    fv->nr++;
}

static void fv_remove(FlatView *fv, unsigned at)
{
    memmove(&fv->ranges[at], &fv->ranges[at + 1],
            (fv->nr - at - 1) * sizeof(FlatRange));
    fv->nr--;
}

/* Paint [start, end) over whatever is there; end > start, end <= 2^64-1. */
static void fv_paint(FlatView *fv, hwaddr start, hwaddr end,
                     MemoryRegion *mr, hwaddr offset)
{
    unsigned i = 0;
    FlatRange n = { start, end, mr, offset };

    while (i < fv->nr) {
        FlatRange *r = &fv->ranges[i];

        if (r->end <= start) {
            i++;
            continue;
        }
        if (r->start >= end) {
            break;
        }
        if (r->start < start && r->end > end) {
            /* split around the new range */
            FlatRange tail = *r;
            tail.offset += end - r->start;
            tail.start = end;
            r->end = start;
            fv_insert(fv, i + 1, tail);
            i++;
            break;
        }
        if (r->start < start) {
            r->end = start;
            i++;
            continue;
        }
        if (r->end > end) {
            r->offset += end - r->start;
            r->start = end;
            break;
        }
        fv_remove(fv, i);
    }
    fv_insert(fv, i, n);
}

static gint child_cmp(gconstpointer a, gconstpointer b)
{
    const MemoryRegion *x = *(MemoryRegion * const *)a;
    const MemoryRegion *y = *(MemoryRegion * const *)b;

    if (x->priority != y->priority) {
        return x->priority < y->priority ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static void render(FlatView *fv, MemoryRegion *mr, hwaddr base,
                   hwaddr clip_lo, hwaddr clip_hi)
{
    hwaddr lo = base, hi;
    unsigned i;

    hi = mr->size ? base + mr->size : UINT64_MAX;
    if (hi < lo) {
        hi = UINT64_MAX;
    }
    lo = MAX(lo, clip_lo);
    hi = MIN(hi, clip_hi);
    if (lo >= hi) {
        return;
    }
    if (mr->kind != MR_KIND_CONTAINER) {
        fv_paint(fv, lo, hi, mr, lo - base);
        return;
    }
    g_ptr_array_sort(mr->children, child_cmp);
    for (i = 0; i < mr->children->len; i++) {
        MemoryRegion *c = g_ptr_array_index(mr->children, i);
        render(fv, c, base + c->addr, lo, hi);
    }
}

static MemoryRegion *root_of(MemoryRegion *mr)
{
    while (mr->parent) {
        mr = mr->parent;
    }
    return mr;
}

static void free_retired(void)
{
    uint64_t min = UINT64_MAX;
    FlatView **pp = &retired;
    int i;

    for (i = 0; i < nr_readers; i++) {
        min = MIN(min, __atomic_load_n(&reader_seen[i], __ATOMIC_ACQUIRE));
    }
    while (*pp) {
        FlatView *fv = *pp;
        if (fv->retired_gen < min) {
            *pp = fv->next_retired;
            g_free(fv->ranges);
            g_free(fv);
        } else {
            pp = &fv->next_retired;
        }
    }
}

static void as_update(AddressSpace *as)
{
    FlatView *fv = g_new0(FlatView, 1);
    FlatView *old;

    render(fv, as->root, 0, 0, UINT64_MAX);
    old = __atomic_exchange_n(&as->view, fv, __ATOMIC_SEQ_CST);
    if (old) {
        old->retired_gen = __atomic_fetch_add(&map_gen, 1, __ATOMIC_SEQ_CST);
        old->next_retired = retired;
        retired = old;
    } else {
        __atomic_fetch_add(&map_gen, 1, __ATOMIC_SEQ_CST);
    }
    free_retired();
    if (map_hook) {
        map_hook(map_hook_opaque);
    }
}

static void topology_changed(MemoryRegion *mr)
{
    MemoryRegion *root = root_of(mr);

    if (root == address_space_memory.root) {
        as_update(&address_space_memory);
    } else if (root == address_space_io.root) {
        as_update(&address_space_io);
    }
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *mr, int priority)
{
    assert(parent->kind == MR_KIND_CONTAINER && !mr->parent);
    mr->parent = parent;
    mr->addr = offset;
    mr->priority = priority;
    mr->seq = next_seq++;
    g_ptr_array_add(parent->children, mr);
    topology_changed(parent);
}

void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *mr)
{
    memory_region_add_subregion_overlap(parent, offset, mr, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *mr)
{
    assert(mr->parent == parent);
    g_ptr_array_remove(parent->children, mr);
    mr->parent = NULL;
    topology_changed(parent);
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    mr->addr = addr;
    if (mr->parent) {
        topology_changed(mr->parent);
    }
}

bool memory_region_is_mapped(MemoryRegion *mr)
{
    return mr->parent != NULL;
}

/* Readers */

int memory_reader_register(void)
{
    assert(nr_readers < MAX_READERS);
    reader_seen[nr_readers] = __atomic_load_n(&map_gen, __ATOMIC_SEQ_CST);
    return nr_readers++;
}

void memory_reader_quiescent(int reader)
{
    __atomic_store_n(&reader_seen[reader],
                     __atomic_load_n(&map_gen, __ATOMIC_SEQ_CST),
                     __ATOMIC_RELEASE);
}

uint64_t memory_map_generation(void)
{
    return __atomic_load_n(&map_gen, __ATOMIC_ACQUIRE);
}

void memory_set_map_hook(MemoryMapHook *fn, void *opaque)
{
    map_hook_opaque = opaque;
    map_hook = fn;
}

/* Lookup and dispatch */

static AddressSpace *as_ready(AddressSpace *as)
{
    if (!as->root) {
        if (as == &address_space_memory) {
            get_system_memory();
        } else {
            get_system_io();
        }
    }
    return as;
}

void address_space_lookup(AddressSpace *as, hwaddr addr, MemoryLookup *l)
{
    FlatView *fv = __atomic_load_n(&as_ready(as)->view, __ATOMIC_ACQUIRE);
    unsigned lo = 0, hi = fv ? fv->nr : 0;

    memset(l, 0, sizeof(*l));
    l->len = 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        FlatRange *r = &fv->ranges[mid];

        if (addr < r->start) {
            hi = mid;
        } else if (addr >= r->end) {
            lo = mid + 1;
        } else {
            l->mr = r->mr;
            l->offset = r->offset + (addr - r->start);
            l->len = r->end - addr;
            if (r->mr->kind == MR_KIND_RAM) {
                l->block = r->mr->ram_block;
                l->block_offset = r->mr->ram_offset + l->offset;
                l->host = ram_block_host(l->block) + l->block_offset;
            }
            return;
        }
    }
    /* unassigned: length up to the next range */
    if (fv && lo < fv->nr) {
        l->len = fv->ranges[lo].start - addr;
    } else {
        l->len = addr ? -addr : UINT64_MAX;
    }
}

static uint64_t io_read(MemoryRegion *mr, hwaddr off, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned mn = ops->min_access_size ? ops->min_access_size : 1;
    unsigned mx = ops->max_access_size ? ops->max_access_size : 8;
    uint64_t val = 0;
    unsigned i;

    if (!ops->read) {
        return ~0ULL >> (64 - size * 8);
    }
    if (size >= mn && size <= mx) {
        return ops->read(mr->opaque, off, size);
    }
    if (size < mn) {
        hwaddr a = QEMU_ALIGN_DOWN(off, mn);
        uint64_t v = ops->read(mr->opaque, a, mn);
        return (v >> ((off - a) * 8)) & (~0ULL >> (64 - size * 8));
    }
    for (i = 0; i < size; i += mx) {
        val |= ops->read(mr->opaque, off + i, mx) << (i * 8);
    }
    return val;
}

static void io_write(MemoryRegion *mr, hwaddr off, uint64_t val,
                     unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned mn = ops->min_access_size ? ops->min_access_size : 1;
    unsigned mx = ops->max_access_size ? ops->max_access_size : 8;
    unsigned i;

    if (!ops->write) {
        return;
    }
    if (size >= mn && size <= mx) {
        ops->write(mr->opaque, off, val, size);
        return;
    }
    if (size < mn) {
        /* widen: zero-extended, as most devices expect for sub-accesses */
        hwaddr a = QEMU_ALIGN_DOWN(off, mn);
        ops->write(mr->opaque, a, val << ((off - a) * 8), mn);
        return;
    }
    for (i = 0; i < size; i += mx) {
        ops->write(mr->opaque, off + i, val >> (i * 8), mx);
    }
}

MemTxResult address_space_ld(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t *val)
{
    MemoryLookup l;

    address_space_lookup(as, addr, &l);
    if (l.mr && l.len >= size) {
        if (l.host) {
            uint64_t v = 0;
            memcpy(&v, l.host, size);
            *val = v;
        } else {
            *val = io_read(l.mr, l.offset, size);
        }
        return MEMTX_OK;
    }
    if (!l.mr && l.len >= size) {
        *val = ~0ULL >> (64 - size * 8);
        return MEMTX_DECODE_ERROR;
    }
    /* straddles ranges: byte by byte */
    {
        uint64_t v = 0, b;
        MemTxResult res = MEMTX_OK;
        unsigned i;

        for (i = 0; i < size; i++) {
            res |= address_space_ld(as, addr + i, 1, &b);
            v |= b << (i * 8);
        }
        *val = v;
        return res;
    }
}

MemTxResult address_space_st(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t val)
{
    MemoryLookup l;
    unsigned i;
    MemTxResult res = MEMTX_OK;

    address_space_lookup(as, addr, &l);
    if (l.mr && l.len >= size) {
        if (l.host) {
            memcpy(l.host, &val, size);
            physmem_note_write(l.block, l.block_offset, size);
        } else {
            io_write(l.mr, l.offset, val, size);
        }
        return MEMTX_OK;
    }
    if (!l.mr && l.len >= size) {
        return MEMTX_DECODE_ERROR;
    }
    for (i = 0; i < size; i++) {
        res |= address_space_st(as, addr + i, 1, val >> (i * 8));
    }
    return res;
}

/*
 * DMA copies touch RAM only: a device reading or writing another device's
 * registers through DMA is not supported and reported as a decode error.
 */
static MemTxResult dma_rw(AddressSpace *as, hwaddr addr, uint8_t *buf,
                          hwaddr len, bool is_write)
{
    MemTxResult res = MEMTX_OK;

    while (len) {
        MemoryLookup l;
        hwaddr n;

        address_space_lookup(as, addr, &l);
        n = MIN(len, l.len);
        if (l.host) {
            if (is_write) {
                memcpy(l.host, buf, n);
                physmem_note_write(l.block, l.block_offset, n);
            } else {
                memcpy(buf, l.host, n);
            }
        } else {
            if (!is_write) {
                memset(buf, 0xff, n);
            }
            res = MEMTX_DECODE_ERROR;
        }
        len -= n;
        buf += n;
        addr += n;
        if (len && addr == 0) {
            /* wrapped around the address space */
            if (!is_write) {
                memset(buf, 0xff, len);
            }
            return MEMTX_DECODE_ERROR;
        }
    }
    return res;
}

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len)
{
    return dma_rw(as, addr, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len)
{
    return dma_rw(as, addr, (uint8_t *)buf, len, true);
}

void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write)
{
    MemoryLookup l;

    address_space_lookup(as, addr, &l);
    if (!l.host || *plen == 0) {
        *plen = 0;
        return NULL;
    }
    *plen = MIN(*plen, l.len);
    return l.host;
}

void address_space_unmap(AddressSpace *as, void *host, hwaddr len,
                         bool is_write, hwaddr access_len)
{
    RAMBlock *rb;

    if (!is_write || !access_len) {
        return;
    }
    for (rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        uint8_t *base = ram_block_host(rb);
        if ((uint8_t *)host >= base &&
            (uint8_t *)host < base + ram_block_size(rb)) {
            physmem_note_write(rb, (uint8_t *)host - base,
                               MIN(access_len, len));
            return;
        }
    }
}
