/*
 * COLO secondary RAM cache on the machine's RAM blocks (shell around the
 * pure colo-cache.c).
 *
 * Precopy: with x-colo set on the incoming side, every page loaded into
 * guest RAM is also copied into the cache (page_loaded hook), so entering
 * COLO needs no full copy with the guest paused.  Without it, the cache
 * is filled at COLO entry (the pause then grows with RAM size).
 *
 * Checkpoints load the PVM's pages into the cache (RamLoadOps target) and
 * mark them; colo_ram_flush() then copies PVM-dirty | SVM-dirty pages,
 * SVM-dirty coming from the COLO dirty client of the SVM's RAM.
 */
#include "qemu/osdep.h"
#include "exec/memory.h"
#include "migration/migration.h"
#include "migration/ram.h"
#include "migration/colo-int.h"
#include "trace/trace-migration.h"

static ColoCache *cache;
static bool filled_in_precopy;
static bool missed_in_precopy;

static int block_index(RAMBlock *rb)
{
    int idx;

    if (!cache) {
        cache = colo_cache_new();
    }
    idx = colo_cache_find(cache, rb);
    if (idx < 0) {
        idx = colo_cache_add_block(cache, rb, ram_block_host(rb),
                                   ram_block_size(rb));
    }
    return idx;
}

static void precopy_page_loaded(void *opaque, RAMBlock *rb, uint64_t off)
{
    if (!migrate_cap_enabled(MIGRATION_CAPABILITY_X_COLO)) {
        missed_in_precopy = true;
        return;
    }
    filled_in_precopy = true;
    colo_cache_backup_page(cache, block_index(rb), off);
}

static const RamLoadOps precopy_ops = {
    .page_loaded = precopy_page_loaded,
};

void colo_ram_init(void)
{
    migration_incoming_set_ram_ops(&precopy_ops, NULL);
}

uint64_t colo_ram_cache_prepare(void)
{
    int64_t t0 = g_get_monotonic_time();
    bool full = !filled_in_precopy || missed_in_precopy;

    for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        block_index(rb);
    }
    /* From now on incoming pages go to the cache only. */
    migration_incoming_set_ram_ops(NULL, NULL);
    if (full) {
        colo_cache_backup_all(cache);
    }
    trace_colo_ram_cache_prepare(full, g_get_monotonic_time() - t0);
    return full ? g_get_monotonic_time() - t0 : 0;
}

static uint8_t *checkpoint_target(void *opaque, RAMBlock *rb)
{
    return colo_cache_data(cache, block_index(rb));
}

static void checkpoint_page_loaded(void *opaque, RAMBlock *rb,
                                   uint64_t off)
{
    colo_cache_mark(cache, block_index(rb), off);
}

static const RamLoadOps checkpoint_ops = {
    .target = checkpoint_target,
    .page_loaded = checkpoint_page_loaded,
};

const RamLoadOps *colo_ram_checkpoint_ops(void)
{
    return &checkpoint_ops;
}

static bool started_log;

void colo_ram_dirty_log_start(void)
{
    if (!dirty_log_active(DIRTY_CLIENT_COLO)) {
        dirty_log_start(DIRTY_CLIENT_COLO);
        started_log = true;
    }
    for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        dirty_bitmap_test_and_clear(DIRTY_CLIENT_COLO, rb, NULL);
    }
}

void colo_ram_dirty_log_stop(void)
{
    if (started_log) {
        dirty_log_stop(DIRTY_CLIENT_COLO);
        started_log = false;
    }
}

/* The undo log of the last flush; its memory is kept between flushes. */
static ColoUndo *undo;

/* RAM page @off of block @key changed under the CPU's decoded code */
static void page_rewritten(void *opaque, const void *key, uint64_t off)
{
    physmem_code_written((RAMBlock *)key, off, TARGET_PAGE_SIZE);
}

uint64_t colo_ram_flush(void)
{
    int64_t t0 = g_get_monotonic_time();
    uint64_t pages = 0;

    if (!undo) {
        undo = colo_undo_new();
    }
    colo_undo_clear(undo);
    for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        int idx = block_index(rb);
        uint64_t npages = colo_cache_pages(cache, idx);
        g_autofree unsigned long *svm =
            g_new0(unsigned long, npages / (sizeof(long) * 8) + 2);

        dirty_bitmap_test_and_clear(DIRTY_CLIENT_COLO, rb, svm);
        pages += colo_cache_flush_block(cache, idx, svm, undo);
    }
    /* the undo log lists exactly the pages the flush wrote */
    colo_undo_foreach(cache, undo, page_rewritten, NULL);
    trace_colo_ram_flushed(pages, g_get_monotonic_time() - t0);
    return pages;
}

void colo_ram_undo(void)
{
    colo_undo_apply(cache, undo);
    colo_undo_foreach(cache, undo, page_rewritten, NULL);
}

void colo_ram_cache_release(void)
{
    colo_cache_free(cache);
    cache = NULL;
    colo_undo_free(undo);
    undo = NULL;
    filled_in_precopy = false;
    missed_in_precopy = false;
}
