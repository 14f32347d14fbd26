/*
 * RAM in the migration stream (format and design: ram.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "migration/ram.h"

#define PAGE TARGET_PAGE_SIZE
#define LONG_BITS (sizeof(unsigned long) * 8)

/*
 * One cached extent of a block's memfd, [start, end), that is a hole
 * (never written: zero without reading it) or data.  Whoever writes the
 * block (the guest between syncs, the loader) must drop the cache.
 */
typedef struct RamExtent {
    int fd;                     /* -1: no SEEK_DATA, every page is read */
    uint64_t size;
    uint64_t start;
    uint64_t end;
    bool hole;
} RamExtent;

typedef struct RamSendBlock {
    RAMBlock *rb;
    uint64_t pages;
    unsigned long *todo;        /* pages still to send */
    RamExtent ext;              /* reset at every sync */
} RamSendBlock;

struct RamSaveState {
    DirtyClient client;
    bool started_log;
    bool need_barrier;          /* a sync cleared bits; no barrier yet */
    RamSendBlock *blocks;
    size_t nblocks;
    size_t cur_block;           /* where the walk resumes */
    uint64_t cur_page;
    RAMBlock *last_sent;        /* block of the previous page record */
    uint64_t todo_pages;
    int64_t last_sync_us;
    RamSyncNotify *notify;
    void *notify_opaque;
    RamStats stats;
};

static size_t bitmap_longs(uint64_t pages)
{
    return (pages + LONG_BITS - 1) / LONG_BITS;
}

static void extent_forget(RamExtent *e)
{
    e->start = e->end = 0;
}

/* The page at @offset lies in a hole of the block's memfd (reads as 0). */
static bool page_in_hole(RamExtent *e, uint64_t offset)
{
    off_t data, hole;

    if (e->fd < 0) {
        return false;
    }
    if (offset >= e->start && offset < e->end) {
        return e->hole;
    }
    data = lseek(e->fd, offset, SEEK_DATA);
    e->start = offset;
    if (data < 0) {
        if (errno != ENXIO) {
            e->fd = -1;         /* no SEEK_DATA here: read every page */
            return false;
        }
        e->end = e->size;
        e->hole = true;
    } else if ((uint64_t)data > offset) {
        e->end = MIN((uint64_t)data, e->size);
        e->hole = true;
    } else {
        hole = lseek(e->fd, offset, SEEK_HOLE);
        e->end = hole < 0 ? e->size : MIN((uint64_t)hole, e->size);
        e->hole = false;
    }
    if (e->end <= offset) {
        e->end = offset + PAGE;
    }
    return e->hole;
}

RamSaveState *ram_save_new(DirtyClient client, RAMBlock *const *blocks,
                           size_t n)
{
    RamSaveState *rs = g_new0(RamSaveState, 1);
    g_autoptr(GPtrArray) all = g_ptr_array_new();

    if (n == 0) {
        for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
            g_ptr_array_add(all, rb);
        }
        blocks = (RAMBlock *const *)all->pdata;
        n = all->len;
    }
    rs->client = client;
    rs->blocks = g_new0(RamSendBlock, n);
    rs->nblocks = n;
    for (size_t i = 0; i < n; i++) {
        rs->blocks[i].rb = blocks[i];
        rs->blocks[i].pages = ram_block_size(blocks[i]) / PAGE;
        rs->blocks[i].todo = g_new0(unsigned long,
                                    bitmap_longs(rs->blocks[i].pages));
        rs->blocks[i].ext.fd = ram_block_fd(blocks[i]);
        rs->blocks[i].ext.size = ram_block_size(blocks[i]);
        rs->stats.total_bytes += ram_block_size(blocks[i]);
    }
    if (!dirty_log_active(client)) {
        dirty_log_start(client);
        rs->started_log = true;
    }
    rs->last_sync_us = g_get_monotonic_time();
    return rs;
}

void ram_save_free(RamSaveState *rs)
{
    if (!rs) {
        return;
    }
    if (rs->started_log) {
        dirty_log_stop(rs->client);
    }
    for (size_t i = 0; i < rs->nblocks; i++) {
        g_free(rs->blocks[i].todo);
    }
    g_free(rs->blocks);
    g_free(rs);
}

void ram_save_set_sync_notify(RamSaveState *rs, RamSyncNotify *fn,
                              void *opaque)
{
    rs->notify = fn;
    rs->notify_opaque = opaque;
}

void ram_save_write_blocks(RamSaveState *rs, QEMUFile *f)
{
    qemu_put_be64(f, rs->stats.total_bytes | RAM_SAVE_FLAG_MEM_SIZE);
    qemu_put_be32(f, rs->nblocks);
    rs->stats.bytes += 12;
    for (size_t i = 0; i < rs->nblocks; i++) {
        const char *name = ram_block_name(rs->blocks[i].rb);

        qemu_put_counted_string(f, name);
        qemu_put_be64(f, ram_block_size(rs->blocks[i].rb));
        rs->stats.bytes += 1 + strlen(name) + 8;
    }
}

uint64_t ram_save_sync(RamSaveState *rs)
{
    uint64_t found = 0;
    int64_t now = g_get_monotonic_time();

    for (size_t i = 0; i < rs->nblocks; i++) {
        RamSendBlock *b = &rs->blocks[i];
        size_t nl = bitmap_longs(b->pages);
        g_autofree unsigned long *bits = g_new0(unsigned long, nl);

        found += dirty_bitmap_test_and_clear(rs->client, b->rb, bits);
        extent_forget(&b->ext);
        for (size_t j = 0; j < nl; j++) {
            unsigned long add = bits[j] & ~b->todo[j];

            b->todo[j] |= bits[j];
            rs->todo_pages += __builtin_popcountl(add);
        }
    }
    rs->need_barrier = true;
    rs->stats.dirty_sync_count++;
    rs->stats.last_sync_pages = found;
    if (now > rs->last_sync_us) {
        rs->stats.dirty_pages_rate = found * G_USEC_PER_SEC /
                                     (now - rs->last_sync_us);
    }
    rs->last_sync_us = now;
    if (rs->notify) {
        rs->notify(rs->notify_opaque, rs->stats.dirty_sync_count);
    }
    return found;
}

uint64_t ram_save_pending(RamSaveState *rs)
{
    return rs->todo_pages * PAGE;
}

uint64_t ram_save_pending_exact(RamSaveState *rs)
{
    ram_save_sync(rs);
    return ram_save_pending(rs);
}

RamSwitchover ram_switchover_decide(uint64_t pending, bool exact,
                                    double bw_bytes_per_ms,
                                    uint64_t downtime_ms)
{
    bool fits;

    if (pending == 0) {
        fits = true;
    } else {
        fits = bw_bytes_per_ms > 0 &&
               (double)pending <= bw_bytes_per_ms * (double)downtime_ms;
    }
    if (!fits) {
        return RAM_SWITCHOVER_CONTINUE;
    }
    return exact ? RAM_SWITCHOVER_COMPLETE : RAM_SWITCHOVER_SYNC;
}

bool ram_switchover_another_pass(uint64_t prev_pending, uint64_t sent,
                                 uint64_t pending, unsigned extra)
{
    uint64_t left, dirtied;

    if (pending <= RAM_SWITCHOVER_SMALL ||
        extra >= RAM_SWITCHOVER_EXTRA_PASSES || sent == 0) {
        return false;
    }
    /* pending = what was left of the previous count + what was dirtied */
    left = prev_pending > sent ? prev_pending - sent : 0;
    dirtied = pending > left ? pending - left : 0;
    return dirtied < sent / 2;
}

static bool page_is_zero(const uint8_t *p)
{
    const uint64_t *w = (const uint64_t *)p;

    for (size_t i = 0; i < PAGE / 8; i += 4) {
        if (w[i] | w[i + 1] | w[i + 2] | w[i + 3]) {
            return false;
        }
    }
    return true;
}

static void send_page(RamSaveState *rs, QEMUFile *f, RamSendBlock *b,
                      uint64_t offset)
{
    RAMBlock *rb = b->rb;
    const uint8_t *host = ram_block_host(rb) + offset;
    /*
     * Only the first pass sends never-written pages; later ones send
     * pages the guest wrote, which are data, so the lseek() (slow on a
     * large populated memfd) would only cost downtime.
     */
    bool zero = (rs->stats.dirty_sync_count <= 1 &&
                 page_in_hole(&b->ext, offset)) || page_is_zero(host);
    uint64_t flags = zero ? RAM_SAVE_FLAG_ZERO : RAM_SAVE_FLAG_PAGE;

    if (rb == rs->last_sent) {
        flags |= RAM_SAVE_FLAG_CONTINUE;
    }
    qemu_put_be64(f, offset | flags);
    rs->stats.bytes += 8;
    if (rb != rs->last_sent) {
        qemu_put_counted_string(f, ram_block_name(rb));
        rs->stats.bytes += 1 + strlen(ram_block_name(rb));
        rs->last_sent = rb;
    }
    if (zero) {
        qemu_put_byte(f, 0);
        rs->stats.bytes += 1;
        rs->stats.duplicate_pages++;
    } else {
        qemu_put_buffer(f, host, PAGE);
        rs->stats.bytes += PAGE;
        rs->stats.normal_pages++;
    }
}

/* Next page to send at or after the cursor, wrapping once; false if none. */
static bool find_next(RamSaveState *rs, size_t *blk, uint64_t *page)
{
    for (size_t k = 0; k <= rs->nblocks; k++) {
        size_t bi = (rs->cur_block + k) % rs->nblocks;
        RamSendBlock *b = &rs->blocks[bi];
        uint64_t p = k == 0 ? rs->cur_page : 0;

        while (p < b->pages) {
            unsigned long w = b->todo[p / LONG_BITS] >> (p % LONG_BITS);

            if (w) {
                *blk = bi;
                *page = p + __builtin_ctzl(w);
                return true;
            }
            p = (p / LONG_BITS + 1) * LONG_BITS;
        }
    }
    return false;
}

uint64_t ram_save_send_pages(RamSaveState *rs, QEMUFile *f,
                             bool rate_limited)
{
    uint64_t sent = 0;
    size_t bi;
    uint64_t page;

    rs->last_sent = NULL;       /* each section names its first block */
    if (rs->need_barrier && rs->todo_pages) {
        /* stores begun before the sync's clear land before the copies */
        physmem_dirty_barrier();
        rs->need_barrier = false;
    }
    while (rs->todo_pages && rs->nblocks) {
        if (rate_limited && qemu_file_rate_limit(f)) {
            break;
        }
        if (qemu_file_get_error(f) || !find_next(rs, &bi, &page)) {
            break;
        }
        rs->blocks[bi].todo[page / LONG_BITS] &= ~(1UL << (page % LONG_BITS));
        rs->todo_pages--;
        send_page(rs, f, &rs->blocks[bi], page * PAGE);
        rs->cur_block = bi;
        rs->cur_page = page + 1;
        sent++;
    }
    return sent;
}

void ram_save_write_eos(QEMUFile *f)
{
    qemu_put_be64(f, RAM_SAVE_FLAG_EOS);
}

const RamStats *ram_save_stats(RamSaveState *rs)
{
    return &rs->stats;
}

/* ---- Destination ---- */

struct RamLoadState {
    RamLoadOps ops;
    void *opaque;
    RAMBlock *last;
    /*
     * Holes of the last block's memfd: a ZERO record for a page there
     * needs no write, and no read either (reading a shmem hole through
     * the mapping allocates and clears a page).  Only when pages go to
     * the block itself (no ops.target), dropped at every write.
     */
    RAMBlock *ext_block;
    RamExtent ext;
    uint64_t normal;
    uint64_t zero;
    uint8_t page[PAGE];
};

RamLoadState *ram_load_new(const RamLoadOps *ops, void *opaque)
{
    RamLoadState *ls = g_new0(RamLoadState, 1);

    if (ops) {
        ls->ops = *ops;
    }
    ls->opaque = opaque;
    return ls;
}

void ram_load_free(RamLoadState *ls)
{
    g_free(ls);
}

void ram_load_counts(RamLoadState *ls, uint64_t *normal, uint64_t *zero)
{
    *normal = ls->normal;
    *zero = ls->zero;
}

static RAMBlock *find_block(RamLoadState *ls, const char *name)
{
    return ls->ops.find_block ? ls->ops.find_block(ls->opaque, name)
                              : ram_block_by_name(name);
}

static uint8_t *target_of(RamLoadState *ls, RAMBlock *rb)
{
    return ls->ops.target ? ls->ops.target(ls->opaque, rb)
                          : ram_block_host(rb);
}

/* Reads a counted name; false (with @errp) on a stream error. */
static bool get_name(QEMUFile *f, char name[256], Error **errp)
{
    size_t len = qemu_get_counted_string(f, name);

    if (qemu_file_get_error(f) || len == 0) {
        error_setg(errp, "RAM stream: bad or missing block name");
        return false;
    }
    return true;
}

static bool load_blocks(RamLoadState *ls, QEMUFile *f, uint64_t total,
                        Error **errp)
{
    uint32_t n = qemu_get_be32(f);
    uint64_t sum = 0;
    char name[256];

    if (qemu_file_get_error(f)) {
        error_setg(errp, "RAM stream ended in the block list");
        return false;
    }
    if (n > RAM_MAX_BLOCKS) {
        error_setg(errp, "RAM stream announces %u blocks (limit %u)", n,
                   RAM_MAX_BLOCKS);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint64_t size;
        RAMBlock *rb;

        if (!get_name(f, name, errp)) {
            return false;
        }
        size = qemu_get_be64(f);
        rb = find_block(ls, name);
        if (!rb) {
            error_setg(errp, "Unknown RAM block '%s'", name);
            return false;
        }
        if (size != ram_block_size(rb)) {
            error_setg(errp, "RAM block '%s' has size 0x%" PRIx64 " in the "
                       "stream but 0x%" PRIx64 " here", name, size,
                       ram_block_size(rb));
            return false;
        }
        sum += size;
    }
    if (sum != total) {
        error_setg(errp, "RAM stream total 0x%" PRIx64 " does not match its "
                   "blocks (0x%" PRIx64 ")", total, sum);
        return false;
    }
    return true;
}

/* The page at @offset of ls->last is a hole of its own memfd. */
static bool load_in_hole(RamLoadState *ls, uint64_t offset)
{
    if (ls->ops.target) {
        return false;
    }
    if (ls->ext_block != ls->last) {
        ls->ext_block = ls->last;
        ls->ext.fd = ram_block_fd(ls->last);
        ls->ext.size = ram_block_size(ls->last);
        extent_forget(&ls->ext);
    }
    return page_in_hole(&ls->ext, offset);
}

/*
 * Before writing the page at @offset of ls->last: into guest RAM, the
 * CPU drops what it decoded from the page (the vCPU is stopped).
 */
static void load_wrote(RamLoadState *ls, uint64_t offset)
{
    if (!ls->ops.target) {
        physmem_code_written(ls->last, offset, PAGE);
    }
    if (ls->ext_block == ls->last && offset >= ls->ext.start &&
        offset < ls->ext.end) {
        extent_forget(&ls->ext);
    }
}

static bool load_page(RamLoadState *ls, QEMUFile *f, uint64_t offset,
                      uint64_t flags, Error **errp)
{
    char name[256];
    uint8_t *host;

    if (!(flags & RAM_SAVE_FLAG_CONTINUE)) {
        if (!get_name(f, name, errp)) {
            return false;
        }
        ls->last = find_block(ls, name);
        if (!ls->last) {
            error_setg(errp, "Unknown RAM block '%s'", name);
            return false;
        }
    } else if (!ls->last) {
        error_setg(errp, "RAM page record continues no block");
        return false;
    }
    if (offset >= ram_block_size(ls->last) ||
        ram_block_size(ls->last) - offset < PAGE) {
        error_setg(errp, "RAM page offset 0x%" PRIx64 " is outside block "
                   "'%s' (size 0x%" PRIx64 ")", offset,
                   ram_block_name(ls->last), ram_block_size(ls->last));
        return false;
    }
    host = target_of(ls, ls->last) + offset;
    if (flags & RAM_SAVE_FLAG_ZERO) {
        uint8_t fill = qemu_get_byte(f);

        if (!qemu_file_get_error(f) &&
            (fill || !(load_in_hole(ls, offset) || page_is_zero(host)))) {
            load_wrote(ls, offset);
            memset(host, fill, PAGE);
        }
        ls->zero++;
    } else {
        /* Through a bounce buffer: a short page never reaches RAM. */
        if (qemu_get_buffer(f, ls->page, PAGE) == PAGE &&
            !qemu_file_get_error(f)) {
            load_wrote(ls, offset);
            memcpy(host, ls->page, PAGE);
        }
        ls->normal++;
    }
    if (qemu_file_get_error(f)) {
        error_setg(errp, "RAM stream ended inside a page of '%s'",
                   ram_block_name(ls->last));
        return false;
    }
    if (ls->ops.page_loaded) {
        ls->ops.page_loaded(ls->opaque, ls->last, offset);
    }
    return true;
}

bool ram_load(RamLoadState *ls, QEMUFile *f, Error **errp)
{
    ls->last = NULL;
    for (;;) {
        uint64_t hdr = qemu_get_be64(f);
        uint64_t flags = hdr & RAM_SAVE_FLAG_MASK;
        uint64_t addr = hdr & ~(uint64_t)RAM_SAVE_FLAG_MASK;

        if (qemu_file_get_error(f)) {
            error_setg(errp, "RAM stream ended before its end marker");
            return false;
        }
        switch (flags & ~(uint64_t)RAM_SAVE_FLAG_CONTINUE) {
        case RAM_SAVE_FLAG_EOS:
            if (addr || (flags & RAM_SAVE_FLAG_CONTINUE)) {
                break;
            }
            return true;
        case RAM_SAVE_FLAG_MEM_SIZE:
            if (flags & RAM_SAVE_FLAG_CONTINUE) {
                break;
            }
            if (!load_blocks(ls, f, addr, errp)) {
                return false;
            }
            continue;
        case RAM_SAVE_FLAG_ZERO:
        case RAM_SAVE_FLAG_PAGE:
            if (!load_page(ls, f, addr, flags, errp)) {
                return false;
            }
            continue;
        default:
            break;
        }
        error_setg(errp, "RAM stream: unknown record flags 0x%" PRIx64,
                   flags);
        return false;
    }
}
