/*
 * COLO secondary RAM cache (pure core: plain memory, no RAM blocks).
 *
 * The secondary keeps, per guest RAM block, a private copy ("cache") of
 * the primary's memory as of the last checkpoint, plus a bitmap of the
 * pages the primary sent since the last flush (PVM-dirty).  The SVM runs
 * on its own RAM meanwhile; its writes are tracked elsewhere
 * (SVM-dirty).  At a checkpoint, once everything arrived:
 *
 *     for page in PVM-dirty | SVM-dirty:  ram[page] = cache[page]
 *
 * which makes the SVM's RAM equal to the PVM's at the checkpoint.  The
 * flush can keep an undo log (old RAM pages) so that a checkpoint whose
 * device state then fails to load is rolled back as a whole.
 *
 * Layout: ColoCache { blocks[n] { key, ram, cache, pages, pvm_dirty } }.
 */
#ifndef MIGRATION_COLO_CACHE_H
#define MIGRATION_COLO_CACHE_H

#define COLO_CACHE_PAGE_SIZE 4096ULL

typedef struct ColoCache ColoCache;
typedef struct ColoUndo ColoUndo;

ColoCache *colo_cache_new(void);
void colo_cache_free(ColoCache *c);

/**
 * colo_cache_add_block: track @ram (@size bytes, a multiple of the page
 * size) under @key; allocates a zeroed cache of the same size.
 * Returns: the block index.
 */
int colo_cache_add_block(ColoCache *c, const void *key, uint8_t *ram,
                         uint64_t size);
/** colo_cache_find: the index of @key's block, or -1. */
int colo_cache_find(ColoCache *c, const void *key);
unsigned colo_cache_nblocks(ColoCache *c);
uint8_t *colo_cache_data(ColoCache *c, int idx);
uint64_t colo_cache_pages(ColoCache *c, int idx);

/** colo_cache_backup_page: cache[page] = ram[page] (precopy hook). */
void colo_cache_backup_page(ColoCache *c, int idx, uint64_t offset);
/** colo_cache_backup_all: cache = ram for every block. */
void colo_cache_backup_all(ColoCache *c);
/** colo_cache_mark: the primary sent the page at @offset. */
void colo_cache_mark(ColoCache *c, int idx, uint64_t offset);
/** colo_cache_pvm_dirty_count: pages marked since the last flush. */
uint64_t colo_cache_pvm_dirty_count(ColoCache *c);

/**
 * colo_cache_flush_block: copy the pages in (PVM-dirty | @svm_dirty)
 * of block @idx from the cache to RAM and clear its PVM-dirty bits.
 * @svm_dirty: one bit per page (bit i of word i / BITS_PER_LONG), may be
 * NULL.  @undo: if not NULL, the old RAM pages are appended to it.
 * Returns: the number of pages copied.
 */
uint64_t colo_cache_flush_block(ColoCache *c, int idx,
                                const unsigned long *svm_dirty,
                                ColoUndo *undo);

ColoUndo *colo_undo_new(void);
/**
 * colo_undo_clear: forget the saved pages but keep the memory, so that
 * the next flush reuses it (no allocation or page faults in the pause).
 */
void colo_undo_clear(ColoUndo *u);
/** colo_undo_apply: writes the saved pages back into RAM. */
void colo_undo_apply(ColoCache *c, ColoUndo *u);
/**
 * colo_undo_foreach: @fn(@opaque, key, offset) for each page saved in
 * @u, i.e. each page of RAM that the flush filling @u wrote.
 */
void colo_undo_foreach(ColoCache *c, ColoUndo *u,
                       void (*fn)(void *opaque, const void *key,
                                  uint64_t offset),
                       void *opaque);
void colo_undo_free(ColoUndo *u);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ColoUndo, colo_undo_free)

#endif
