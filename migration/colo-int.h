/*
 * COLO internals shared by migration/colo*.c (not a public interface).
 */
#ifndef MIGRATION_COLO_INT_H
#define MIGRATION_COLO_INT_H

#include "qapi/qapi-types-migration.h"
#include "migration/colo.h"
#include "migration/colo-cache.h"
#include "migration/colo-stats.h"

/* Every read/write to the peer inside a checkpoint has this timeout. */
#define COLO_IO_TIMEOUT_MS      5000
/* Largest device-state buffer accepted from the peer. */
#define COLO_DEVSTATE_MAX       (256 * 1024 * 1024)

/* ---- colo-failover.c: the FailoverStatus state machine ---- */

FailoverStatus failover_get_state(void);
/**
 * failover_set_state: moves the failover state from @old to @new_state
 * if it is @old.  Returns: the state found (== @old on success).
 */
FailoverStatus failover_set_state(FailoverStatus old,
                                  FailoverStatus new_state);
/* Back to none at the start of a COLO session. */
void failover_reset(void);

/* ---- colo-ram.c: the secondary's RAM cache on the real RAM blocks ---- */

/* Installs the precopy page_loaded hook (at start-up). */
void colo_ram_init(void);
/* The cache for every RAM block, filled from RAM if precopy did not.
 * Returns the full-copy time in µs (0 if precopy filled it). */
uint64_t colo_ram_cache_prepare(void);
/* RamLoadOps that load a checkpoint's pages into the cache. */
const struct RamLoadOps *colo_ram_checkpoint_ops(void);
/* Starts the SVM-side COLO dirty log with every bit clear. */
void colo_ram_dirty_log_start(void);
void colo_ram_dirty_log_stop(void);
/**
 * colo_ram_flush: copies (PVM-dirty | SVM-dirty) pages from the cache
 * into RAM (BQL held, VM stopped), keeping the old pages in an undo log
 * until the next flush.  Returns: the number of pages copied.
 */
uint64_t colo_ram_flush(void);
/* colo_ram_undo: puts back the RAM pages the last flush overwrote. */
void colo_ram_undo(void);
void colo_ram_cache_release(void);

/* ---- colo.c ---- */

/* x-colo-background-bandwidth: bytes/s between checkpoints, 0 = off
 * (default 64 MiB/s: far below a 10 GbE link, enough to empty most
 * checkpoints). */
uint64_t colo_background_bandwidth(void);

/* ---- colo-debug.c: DEBUG/TEST ONLY page hashes at a checkpoint ---- */

/* The next checkpoint on this side records per-page hashes of RAM. */
void colo_debug_page_hashes_arm(void);
/* Called at checkpoint @checkpoint with the VM stopped and consistent. */
void colo_debug_checkpoint_hook(uint64_t checkpoint);
/* Writes the recorded hashes to @path; *@checkpoint = their checkpoint. */
bool colo_debug_page_hashes_save(const char *path, uint64_t *checkpoint,
                                 Error **errp);

/* A snapshot of the statistics (any thread). */
void colo_stats_get(ColoStats *out);
/* Adds background-transfer bytes. */
void colo_stats_add_background(uint64_t bytes);

#endif
