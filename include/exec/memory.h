/*
 * Guest memory: RAM blocks, MMIO/port regions, DMA and dirty tracking.
 *
 * Data layout
 * -----------
 *   RAMBlock      one memfd, mapped once MAP_SHARED at @host; a global
 *                 "ram address" space gives every block a unique range
 *                 [ram_addr, ram_addr + size) so that caches (the CPU's
 *                 decoded-code cache) can key pages independently of how
 *                 often a block is mapped into the guest.
 *   MemoryRegion  RAM window (a range of one block), I/O region (ops +
 *                 opaque) or container (holds subregions).  Regions are
 *                 owned by their creators; this file only links them.
 *   AddressSpace  a root container (system memory, system I/O) plus its
 *                 current FlatView: the sorted, non-overlapping list of
 *                 ranges obtained by rendering the region tree
 *                 (higher priority wins, later-added wins among equals).
 *
 * Concurrency: the region tree is changed under the big lock.  Each change
 * builds a new FlatView and publishes it with one atomic pointer store; the
 * vCPU thread reads views without the lock.  Retired views are freed only
 * once every registered reader reported a quiescent point after the
 * retirement (memory_reader_quiescent()), so a lock-free reader never sees
 * a freed view.  Listeners (the CPU's soft TLB) are told to flush on each
 * change through memory_set_map_hook().
 *
 * Dirty tracking: one bitmap per client per block; a set bit means "this
 * page was written since the client last cleared it".  A page is
 * *fast-writable* for the CPU only when every active client already has it
 * dirty; otherwise the first store goes through physmem_note_write(),
 * which sets the bits (and, for the CODE client, invalidates decoded
 * code).  Clearing bits calls the re-arm hook so the CPU drops its
 * fast-write TLB entries.  The CODE client is always active; its bit is
 * cleared when code is decoded from the page ("page has code").
 */
#ifndef EXEC_MEMORY_H
#define EXEC_MEMORY_H

#include "qapi/error.h"

#define TARGET_PAGE_BITS 12
#define TARGET_PAGE_SIZE (1ULL << TARGET_PAGE_BITS)
#define TARGET_PAGE_MASK (~(TARGET_PAGE_SIZE - 1))

typedef uint64_t ram_addr_t;

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,         /* device reported an error */
    MEMTX_DECODE_ERROR = 2,  /* nothing (or not RAM, for map/DMA) there */
} MemTxResult;

typedef enum DirtyClient {
    DIRTY_CLIENT_MIGRATION,
    DIRTY_CLIENT_COLO,
    DIRTY_CLIENT_CODE,
    DIRTY_CLIENT_COW,
    DIRTY_CLIENT__MAX,
} DirtyClient;

typedef struct RAMBlock RAMBlock;
typedef struct MemoryRegion MemoryRegion;
typedef struct FlatView FlatView;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t val, unsigned size);
    /* Accesses outside [min, max] are split or widened; 0 means 1 / 8. */
    unsigned min_access_size;
    unsigned max_access_size;
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_KIND_CONTAINER,
    MR_KIND_RAM,
    MR_KIND_IO,
} MemoryRegionKind;

struct MemoryRegion {
    /* set by memory_region_init_* */
    MemoryRegionKind kind;
    const char *name;
    uint64_t size;
    const MemoryRegionOps *ops;
    void *opaque;
    RAMBlock *ram_block;
    uint64_t ram_offset;
    /* set while mapped */
    MemoryRegion *parent;
    hwaddr addr;
    int priority;
    uint64_t seq;            /* insertion order among siblings */
    GPtrArray *children;     /* containers only */
};

typedef struct AddressSpace {
    const char *name;
    MemoryRegion *root;
    FlatView *view;          /* atomic; see file comment */
} AddressSpace;

/*
 * Result of a lookup: either RAM (host != NULL) or an I/O region (mr) or
 * nothing.  @len is how many bytes from the address stay in this range.
 */
typedef struct MemoryLookup {
    MemoryRegion *mr;        /* NULL: unassigned */
    hwaddr offset;           /* offset within mr */
    hwaddr len;
    uint8_t *host;           /* RAM only */
    RAMBlock *block;         /* RAM only */
    uint64_t block_offset;   /* RAM only */
} MemoryLookup;

extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;

/* RAM blocks */

/**
 * ram_block_new: create a memfd-backed RAM block of @size bytes (rounded up
 * to a page) and map it once.  The block joins the global block list.
 */
RAMBlock *ram_block_new(const char *name, uint64_t size, Error **errp);
/** ram_block_free: unlink and unmap a block no region uses any more. */
void ram_block_free(RAMBlock *rb);
uint8_t *ram_block_host(RAMBlock *rb);
uint64_t ram_block_size(RAMBlock *rb);
const char *ram_block_name(RAMBlock *rb);
int ram_block_fd(RAMBlock *rb);
ram_addr_t ram_block_ram_addr(RAMBlock *rb);
/** ram_block_next: iterate blocks in creation order; NULL starts/ends. */
RAMBlock *ram_block_next(RAMBlock *prev);
/** ram_block_by_name: find a block by name, or NULL. */
RAMBlock *ram_block_by_name(const char *name);
/** ram_block_from_host: the block holding @host (and its offset), or NULL. */
RAMBlock *ram_block_from_host(const void *host, uint64_t *offset);
/** ram_addr_to_host: host pointer for a global ram address, or NULL. */
uint8_t *ram_addr_to_host(ram_addr_t addr, RAMBlock **rbp);

/* Regions */

void memory_region_init(MemoryRegion *mr, const char *name, uint64_t size);
void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);
/** memory_region_init_ram: a window of @size bytes at @offset of @rb. */
void memory_region_init_ram(MemoryRegion *mr, RAMBlock *rb, uint64_t offset,
                            const char *name, uint64_t size);
void memory_region_add_subregion(MemoryRegion *parent, hwaddr offset,
                                 MemoryRegion *mr);
void memory_region_add_subregion_overlap(MemoryRegion *parent, hwaddr offset,
                                         MemoryRegion *mr, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *mr);
/** memory_region_set_address: move a mapped region (PCI BAR update). */
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
bool memory_region_is_mapped(MemoryRegion *mr);

MemoryRegion *get_system_memory(void);
MemoryRegion *get_system_io(void);

/* Lookups and DMA (any thread; callers other than the vCPU hold the BQL) */

/** address_space_lookup: classify @addr in the current view. */
void address_space_lookup(AddressSpace *as, hwaddr addr, MemoryLookup *l);
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, void *buf,
                               hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr,
                                const void *buf, hwaddr len);
/**
 * address_space_rw_io: one access of @size (1/2/4/8) bytes, dispatched to
 * RAM or to a device.  Unassigned reads return all-ones.
 */
MemTxResult address_space_ld(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t *val);
MemTxResult address_space_st(AddressSpace *as, hwaddr addr, unsigned size,
                             uint64_t val);
/**
 * address_space_map: zero-copy access to guest RAM.  *@plen is shortened
 * to the contiguous RAM range; returns NULL if @addr is not RAM.
 * address_space_unmap with is_write marks @access_len bytes dirty.
 */
void *address_space_map(AddressSpace *as, hwaddr addr, hwaddr *plen,
                        bool is_write);
void address_space_unmap(AddressSpace *as, void *host, hwaddr len,
                         bool is_write, hwaddr access_len);

/* Lock-free readers (the vCPU) */

/** memory_reader_register: returns a reader id for quiescent reports. */
int memory_reader_register(void);
/** memory_reader_quiescent: the reader holds no pointer into old views. */
void memory_reader_quiescent(int reader);
/** memory_map_generation: bumps on every change of any view. */
uint64_t memory_map_generation(void);
typedef void MemoryMapHook(void *opaque);
/** memory_set_map_hook: called (under the BQL) after each view change. */
void memory_set_map_hook(MemoryMapHook *fn, void *opaque);

/* Dirty tracking */

/** dirty_log_start: activate @client; all pages start dirty for it. */
void dirty_log_start(DirtyClient client);
void dirty_log_stop(DirtyClient client);
bool dirty_log_active(DirtyClient client);
/** physmem_page_fast_writable: every active client sees the page dirty. */
bool physmem_page_fast_writable(RAMBlock *rb, uint64_t offset);
/**
 * physmem_note_write: record a write of @len bytes at @offset of @rb for
 * all active clients.  Pages that had code get invalidated through the
 * code hook.
 */
void physmem_note_write(RAMBlock *rb, uint64_t offset, uint64_t len);
/**
 * physmem_code_written: @len bytes at @offset of @rb were written behind
 * the CPU's back by a writer that keeps its own record of them (incoming
 * migration, the COLO secondary's checkpoint flush): decoded code on
 * those pages is dropped through the code hook; the other dirty clients
 * are not told.
 */
void physmem_code_written(RAMBlock *rb, uint64_t offset, uint64_t len);
bool dirty_page_test(DirtyClient client, RAMBlock *rb, uint64_t offset);
/**
 * dirty_bitmap_test_and_clear: copy @client's bitmap of @rb (one bit per
 * page, bit i = page i, as unsigned longs) into @out (if not NULL), clear
 * it and re-arm the CPU's slow write path.  Returns the number of pages
 * that were dirty.
 */
uint64_t dirty_bitmap_test_and_clear(DirtyClient client, RAMBlock *rb,
                                     unsigned long *out);
/** dirty_range_clear: clear @client's bits for a byte range of @rb. */
void dirty_range_clear(DirtyClient client, RAMBlock *rb, uint64_t offset,
                       uint64_t len);
typedef void DirtyRearmHook(void *opaque, RAMBlock *rb, uint64_t offset,
                            uint64_t len);
typedef void CodeWriteHook(void *opaque, ram_addr_t page);
/** Called after bits were cleared: drop fast-write TLB entries. */
void physmem_set_rearm_hook(DirtyRearmHook *fn, void *opaque);
typedef void DirtyBarrierHook(void *opaque);
/**
 * physmem_dirty_barrier: returns once every store a vCPU began before
 * the last dirty-bit clear is in memory.  A store passes its soft-TLB
 * check and then writes; one that passed just before a clear (or the
 * rest of a page of rep stos) lands afterwards without setting a bit.
 * Call it after clearing and before copying the pages, preferably
 * without the big lock (it may wait for the vCPU to be scheduled).
 */
void physmem_dirty_barrier(void);
void physmem_set_barrier_hook(DirtyBarrierHook *fn, void *opaque);
/** Called when a page with decoded code is written (any thread). */
void physmem_set_code_hook(CodeWriteHook *fn, void *opaque);

#endif
