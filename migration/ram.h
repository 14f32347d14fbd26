/*
 * RAM in the migration stream: the live section "ram".
 *
 * Wire format (payload of the START/PART/END sections, version 1).  Each
 * record opens with be64 (offset | flags); offsets are page aligned, so
 * the flags live in the low 12 bits:
 *
 *   MEM_SIZE  offset = total bytes;  be32 nblocks;  per block:
 *             u8 len + name, be64 size        (START only; destination
 *                                               checks every block)
 *   ZERO      [u8 len + name unless CONTINUE]  u8 fill byte
 *   PAGE      [u8 len + name unless CONTINUE]  4096 bytes
 *   EOS       end of this section's records
 *
 * CONTINUE means "same block as the previous page record".
 *
 * Source: a RamSaveState keeps a private "to send" bitmap per block; a
 * sync ORs in (and clears) one dirty client's bits.  Sending walks that
 * bitmap, so "send the dirty pages of client X" is ram_save_sync() +
 * ram_save_send_pages() — the COLO checkpoint reuses both with
 * DIRTY_CLIENT_COLO.  Destination: a RamLoadState writes pages to the
 * block (or, via RamLoadOps, to any buffer of the block's size, e.g.
 * COLO's RAM cache); every name, size, offset and flag from the peer is
 * validated before anything is written.
 */
#ifndef MIGRATION_RAM_H
#define MIGRATION_RAM_H

#include "exec/memory.h"
#include "migration/qemu-file.h"

#define RAM_SAVE_FLAG_ZERO      0x02
#define RAM_SAVE_FLAG_MEM_SIZE  0x04
#define RAM_SAVE_FLAG_PAGE      0x08
#define RAM_SAVE_FLAG_EOS       0x10
#define RAM_SAVE_FLAG_CONTINUE  0x20
#define RAM_SAVE_FLAG_MASK      0xfff

#define RAM_SECTION_VERSION     1
/* Most blocks a stream may announce. */
#define RAM_MAX_BLOCKS          256

typedef struct RamStats {
    uint64_t total_bytes;       /* sum of the block sizes */
    uint64_t normal_pages;      /* pages sent with data */
    uint64_t duplicate_pages;   /* pages sent as ZERO */
    uint64_t bytes;             /* bytes of records written */
    uint64_t dirty_sync_count;
    uint64_t dirty_pages_rate;  /* pages/s dirtied, last sync */
    uint64_t last_sync_pages;   /* pages found dirty by the last sync */
} RamStats;

typedef struct RamSaveState RamSaveState;
typedef void RamSyncNotify(void *opaque, uint64_t pass);

/**
 * ram_save_new: a sender for @client's dirty pages of @blocks (@n of
 * them; n == 0 means every block that exists now).  Starts the client's
 * dirty log if it is not running (every page starts dirty for it); it
 * is stopped again by ram_save_free() in that case.
 */
RamSaveState *ram_save_new(DirtyClient client, RAMBlock *const *blocks,
                           size_t n);
void ram_save_free(RamSaveState *rs);
/* Called after each sync with the pass number (1, 2, ...). */
void ram_save_set_sync_notify(RamSaveState *rs, RamSyncNotify *fn,
                              void *opaque);
/* Writes the MEM_SIZE record (block names and sizes). */
void ram_save_write_blocks(RamSaveState *rs, QEMUFile *f);
/* Moves the client's dirty bits into the send bitmap; returns their count. */
uint64_t ram_save_sync(RamSaveState *rs);
/* Bytes still in the send bitmap. */
uint64_t ram_save_pending(RamSaveState *rs);
/**
 * ram_save_send_pages: send pages from the send bitmap until it is empty
 * or (@rate_limited) the file's rate limit is reached.  No EOS.
 * Returns the number of pages sent.
 */
uint64_t ram_save_send_pages(RamSaveState *rs, QEMUFile *f,
                             bool rate_limited);
void ram_save_write_eos(QEMUFile *f);
const RamStats *ram_save_stats(RamSaveState *rs);

/**
 * ram_save_pending_exact: re-sync the client's dirty log (a pass, like
 * ram_save_sync()) and return the bytes then waiting.  ram_save_pending()
 * is the cheap estimate: it ignores pages dirtied since the last sync.
 */
uint64_t ram_save_pending_exact(RamSaveState *rs);

/*
 * The precopy switch-over decision, in two steps (QEMU does the same): a
 * cheap estimate first; only if that fits, an exact count after a sync,
 * and the stop is decided on the exact count.
 */
typedef enum RamSwitchover {
    RAM_SWITCHOVER_CONTINUE,    /* keep iterating */
    RAM_SWITCHOVER_SYNC,        /* estimate fits: sync, then decide again */
    RAM_SWITCHOVER_COMPLETE,    /* exact count fits: stop and copy */
} RamSwitchover;

/**
 * ram_switchover_decide: @pending bytes left (@exact: counted right after
 * a sync), @bw_bytes_per_ms the measured bandwidth (0: none measured
 * yet), @downtime_ms the limit.  The rest fits when pending <= bw *
 * downtime; nothing left at all (exact) always fits.
 */
RamSwitchover ram_switchover_decide(uint64_t pending, bool exact,
                                    double bw_bytes_per_ms,
                                    uint64_t downtime_ms);

/*
 * Fitting the downtime limit is necessary, not sufficient: QEMU stops as
 * soon as the exact count fits bandwidth x downtime-limit (300 ms by
 * default), so the pages the guest dirtied during a long first pass all
 * go into the downtime.  While the passes still shrink the rest quickly,
 * one more pass with the guest running costs little total time and
 * takes those pages out of the downtime.
 */
/* Pending bytes cheap enough to copy with the guest stopped. */
#define RAM_SWITCHOVER_SMALL        (256 * 1024)
/* Most extra passes once the rest fits the limit. */
#define RAM_SWITCHOVER_EXTRA_PASSES 8

/**
 * ram_switchover_another_pass: whether to keep iterating although the
 * exact count fits the downtime limit.  @prev_pending: bytes waiting at
 * the previous exact count; @sent: page bytes sent since then (zero
 * pages count as a page); @pending: bytes waiting now; @extra: passes
 * already added this way.  Another pass is worth it while the guest
 * dirtied less than half of what was sent in between (the rest at least
 * shrinks by a quarter of what a pass sends), the rest is above
 * RAM_SWITCHOVER_SMALL and fewer than RAM_SWITCHOVER_EXTRA_PASSES were
 * added.
 */
bool ram_switchover_another_pass(uint64_t prev_pending, uint64_t sent,
                                 uint64_t pending, unsigned extra);

/**
 * RamLoadOps: where the destination puts pages.  Every member optional.
 * @find_block: the local block for a stream name (default
 *              ram_block_by_name)
 * @target:     base of the buffer receiving @rb's pages, which must be
 *              ram_block_size(rb) bytes (default ram_block_host; COLO:
 *              its RAM cache)
 * @page_loaded: after a page at @offset of @rb was written
 */
typedef struct RamLoadOps {
    RAMBlock *(*find_block)(void *opaque, const char *name);
    uint8_t *(*target)(void *opaque, RAMBlock *rb);
    void (*page_loaded)(void *opaque, RAMBlock *rb, uint64_t offset);
} RamLoadOps;

typedef struct RamLoadState RamLoadState;

RamLoadState *ram_load_new(const RamLoadOps *ops, void *opaque);
void ram_load_free(RamLoadState *ls);
/* Reads records up to and including EOS. */
bool ram_load(RamLoadState *ls, QEMUFile *f, Error **errp);
/* Pages written so far (normal, zero). */
void ram_load_counts(RamLoadState *ls, uint64_t *normal, uint64_t *zero);

#endif
