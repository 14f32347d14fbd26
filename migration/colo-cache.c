/*
 * COLO secondary RAM cache; see colo-cache.h for the layout.
 */
#include "qemu/osdep.h"
#include "migration/colo-cache.h"

#define PAGE COLO_CACHE_PAGE_SIZE
#define LONG_BITS (sizeof(unsigned long) * 8)

typedef struct ColoCacheBlock {
    const void *key;
    uint8_t *ram;
    uint8_t *cache;
    uint64_t pages;
    unsigned long *pvm_dirty;
    /* cache pages that may be non-zero (untouched ones are zero and
     * cost no memory; zero RAM pages are not copied over them) */
    unsigned long *written;
} ColoCacheBlock;

struct ColoCache {
    GArray *blocks;             /* of ColoCacheBlock */
    uint64_t pvm_dirty;
};

typedef struct ColoUndoPage {
    int idx;
    uint64_t offset;
} ColoUndoPage;

struct ColoUndo {
    GArray *where;              /* of ColoUndoPage */
    GByteArray *data;           /* PAGE bytes per entry of @where */
};

static ColoCacheBlock *blk(ColoCache *c, int idx)
{
    g_assert(idx >= 0 && (unsigned)idx < c->blocks->len);
    return &g_array_index(c->blocks, ColoCacheBlock, idx);
}

static bool test_bit_ul(const unsigned long *map, uint64_t i)
{
    return (map[i / LONG_BITS] >> (i % LONG_BITS)) & 1;
}

static void set_bit_ul(unsigned long *map, uint64_t i)
{
    map[i / LONG_BITS] |= 1UL << (i % LONG_BITS);
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *q = (const uint64_t *)p;

    for (size_t i = 0; i < PAGE / sizeof(uint64_t); i++) {
        if (q[i]) {
            return false;
        }
    }
    return true;
}

/* cache[page] = ram[page], leaving never-written cache pages untouched
 * when RAM holds zeros there. */
static void backup_one(ColoCacheBlock *b, uint64_t page)
{
    uint64_t off = page * PAGE;

    if (!test_bit_ul(b->written, page) && page_is_zero(b->ram + off)) {
        return;
    }
    memcpy(b->cache + off, b->ram + off, PAGE);
    set_bit_ul(b->written, page);
}

ColoCache *colo_cache_new(void)
{
    ColoCache *c = g_new0(ColoCache, 1);

    c->blocks = g_array_new(false, true, sizeof(ColoCacheBlock));
    return c;
}

void colo_cache_free(ColoCache *c)
{
    if (!c) {
        return;
    }
    for (unsigned i = 0; i < c->blocks->len; i++) {
        ColoCacheBlock *b = blk(c, i);

        g_free(b->cache);
        g_free(b->pvm_dirty);
        g_free(b->written);
    }
    g_array_free(c->blocks, true);
    g_free(c);
}

int colo_cache_add_block(ColoCache *c, const void *key, uint8_t *ram,
                         uint64_t size)
{
    ColoCacheBlock b = {
        .key = key,
        .ram = ram,
        .pages = size / PAGE,
    };

    /* Large zeroed allocations are mmap'ed: untouched pages cost nothing. */
    b.cache = g_malloc0(b.pages * PAGE);
    b.pvm_dirty = g_new0(unsigned long, (b.pages + LONG_BITS - 1) /
                         LONG_BITS + 1);
    b.written = g_new0(unsigned long, (b.pages + LONG_BITS - 1) /
                       LONG_BITS + 1);
    g_array_append_val(c->blocks, b);
    return c->blocks->len - 1;
}

int colo_cache_find(ColoCache *c, const void *key)
{
    for (unsigned i = 0; i < c->blocks->len; i++) {
        if (blk(c, i)->key == key) {
            return i;
        }
    }
    return -1;
}

unsigned colo_cache_nblocks(ColoCache *c)
{
    return c->blocks->len;
}

uint8_t *colo_cache_data(ColoCache *c, int idx)
{
    return blk(c, idx)->cache;
}

uint64_t colo_cache_pages(ColoCache *c, int idx)
{
    return blk(c, idx)->pages;
}

void colo_cache_backup_page(ColoCache *c, int idx, uint64_t offset)
{
    ColoCacheBlock *b = blk(c, idx);

    if (offset / PAGE < b->pages) {
        backup_one(b, offset / PAGE);
    }
}

void colo_cache_backup_all(ColoCache *c)
{
    for (unsigned i = 0; i < c->blocks->len; i++) {
        ColoCacheBlock *b = blk(c, i);

        for (uint64_t p = 0; p < b->pages; p++) {
            backup_one(b, p);
        }
    }
}

void colo_cache_mark(ColoCache *c, int idx, uint64_t offset)
{
    ColoCacheBlock *b = blk(c, idx);
    uint64_t page = offset / PAGE;

    if (page < b->pages && !test_bit_ul(b->pvm_dirty, page)) {
        set_bit_ul(b->pvm_dirty, page);
        set_bit_ul(b->written, page);
        c->pvm_dirty++;
    }
}

uint64_t colo_cache_pvm_dirty_count(ColoCache *c)
{
    return c->pvm_dirty;
}

uint64_t colo_cache_flush_block(ColoCache *c, int idx,
                                const unsigned long *svm_dirty,
                                ColoUndo *undo)
{
    ColoCacheBlock *b = blk(c, idx);
    uint64_t copied = 0;

    for (uint64_t w = 0; w * LONG_BITS < b->pages; w++) {
        unsigned long bits = b->pvm_dirty[w] | (svm_dirty ? svm_dirty[w] : 0);

        while (bits) {
            uint64_t page = w * LONG_BITS + __builtin_ctzl(bits);
            uint64_t off = page * PAGE;

            bits &= bits - 1;
            if (page >= b->pages) {
                break;
            }
            if (undo) {
                ColoUndoPage where = { idx, off };

                g_array_append_val(undo->where, where);
                g_byte_array_append(undo->data, b->ram + off, PAGE);
            }
            memcpy(b->ram + off, b->cache + off, PAGE);
            copied++;
        }
        if (b->pvm_dirty[w]) {
            c->pvm_dirty -= __builtin_popcountl(b->pvm_dirty[w]);
            b->pvm_dirty[w] = 0;
        }
    }
    return copied;
}

ColoUndo *colo_undo_new(void)
{
    ColoUndo *u = g_new0(ColoUndo, 1);

    u->where = g_array_new(false, false, sizeof(ColoUndoPage));
    u->data = g_byte_array_new();
    return u;
}

void colo_undo_clear(ColoUndo *u)
{
    g_array_set_size(u->where, 0);
    g_byte_array_set_size(u->data, 0);
}

void colo_undo_apply(ColoCache *c, ColoUndo *u)
{
    for (unsigned i = 0; i < u->where->len; i++) {
        ColoUndoPage *w = &g_array_index(u->where, ColoUndoPage, i);

        memcpy(blk(c, w->idx)->ram + w->offset, u->data->data + i * PAGE,
               PAGE);
    }
}

void colo_undo_foreach(ColoCache *c, ColoUndo *u,
                       void (*fn)(void *opaque, const void *key,
                                  uint64_t offset),
                       void *opaque)
{
    for (unsigned i = 0; i < u->where->len; i++) {
        ColoUndoPage *w = &g_array_index(u->where, ColoUndoPage, i);

        fn(opaque, blk(c, w->idx)->key, w->offset);
    }
}

void colo_undo_free(ColoUndo *u)
{
    if (!u) {
        return;
    }
    g_array_free(u->where, true);
    g_byte_array_free(u->data, true);
    g_free(u);
}
