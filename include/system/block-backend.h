/*
 * BlockBackend: the device-facing handle of a block graph.
 *
 * A BlockBackend has an id (the -drive id, empty for anonymous
 * backends created by devices with drive=NODE), a root node (or none:
 * empty drive), the device it is attached to and that device's
 * callbacks.  Devices do I/O through it, synchronously or with
 * callbacks:
 *
 *   blk_aio_preadv(blk, offset, qiov, 0, done_cb, req)
 *     -> runs in a worker thread of the block layer's pool
 *     -> done_cb(req, ret) in the backend's GMainContext (the main loop
 *        unless blk_set_aio_context() gave an iothread's context)
 *
 * The caller keeps @qiov and its buffers alive until the callback.
 */
#ifndef SYSTEM_BLOCK_BACKEND_H
#define SYSTEM_BLOCK_BACKEND_H

#include "block/block.h"

typedef struct BlockBackend BlockBackend;
typedef struct BlockAIOCB BlockAIOCB;
typedef void BlockCompletionFunc(void *opaque, int ret);

/* Callbacks of the device a BlockBackend is attached to */
typedef struct BlockDevOps {
    /* medium inserted (@load) or removed */
    void (*change_media_cb)(void *opaque, bool load);
    /* the size of the medium changed */
    void (*resize_cb)(void *opaque);
    bool (*is_tray_open)(void *opaque);
    bool (*is_medium_locked)(void *opaque);
} BlockDevOps;

/**
 * blk_new: create a BlockBackend.
 * @name: its id ("" or NULL: anonymous, not listed by blk_by_name)
 *
 * Fails if @name is invalid or used by another backend or a node.
 */
BlockBackend *blk_new(const char *name, Error **errp);

/**
 * blk_unref: destroy @blk (drains, removes its root).  Completion
 * callbacks still queued in the backend's context run afterwards: the
 * caller must expect them (they do not touch @blk).
 */
void blk_unref(BlockBackend *blk);

/** blk_by_name: backend with id @name, or NULL. */
BlockBackend *blk_by_name(const char *name);

/** blk_next: iterate over named backends (NULL starts). */
BlockBackend *blk_next(BlockBackend *blk);

const char *blk_name(const BlockBackend *blk);
BlockDriverState *blk_bs(BlockBackend *blk);
bool blk_is_inserted(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);

/**
 * blk_insert_bs: make @bs the root of @blk (takes a reference).
 */
bool blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp);

/** blk_remove_bs: drop the root node (drains first). */
void blk_remove_bs(BlockBackend *blk);

/**
 * blk_attach_dev: record that device @dev_id (qdev id or path) uses
 * @blk.  Fails if another device already does.
 */
bool blk_attach_dev(BlockBackend *blk, const char *dev_id, Error **errp);
void blk_detach_dev(BlockBackend *blk);
/** blk_get_attached_dev_id: the device's id, or NULL */
const char *blk_get_attached_dev_id(BlockBackend *blk);

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque);

/**
 * blk_set_perm: what the user of @blk does with its root node: writes
 * (@write) and lets other users write (@share_write, a device's
 * share-rw=on).  Fails, as QEMU, if another BlockBackend on the same
 * node conflicts: "Conflicts with use by DEV as 'root', which does not
 * allow 'write' on NODE".  Backends start with no write and sharing.
 */
bool blk_set_perm(BlockBackend *blk, bool write, bool share_write,
                  Error **errp);

/** blk_set_removable: removable media (cdrom/floppy) for query-block */
void blk_set_removable(BlockBackend *blk, bool removable);
bool blk_is_removable(BlockBackend *blk);

/**
 * blk_set_enable_write_cache: writeback (true, default) or writethrough
 * (every write is followed by a flush).
 */
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);
bool blk_enable_write_cache(BlockBackend *blk);

/**
 * blk_set_aio_context: deliver completions of asynchronous requests in
 * @ctx (NULL: main loop).  Drains first.
 */
void blk_set_aio_context(BlockBackend *blk, GMainContext *ctx);
GMainContext *blk_get_aio_context(BlockBackend *blk);

/* Synchronous I/O: 0 or -errno (-ENOMEDIUM without a root) */
int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              int flags);
int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, int flags);
int blk_preadv(BlockBackend *blk, int64_t offset, int64_t bytes,
               QEMUIOVector *qiov, int flags);
int blk_pwritev(BlockBackend *blk, int64_t offset, int64_t bytes,
                QEMUIOVector *qiov, int flags);
int blk_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                      int flags);
int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);
int blk_flush(BlockBackend *blk);
int64_t blk_getlength(BlockBackend *blk);
bool blk_truncate(BlockBackend *blk, int64_t offset, Error **errp);

/*
 * Asynchronous I/O: @cb(@opaque, ret) runs once, in the backend's
 * context, never before the function returns.
 */
BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, int flags,
                           BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, int flags,
                            BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque);
BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, int flags,
                                  BlockCompletionFunc *cb, void *opaque);

/**
 * blk_drain: wait until every asynchronous request of @blk has run
 * (their callbacks may still be pending in the backend's context).
 */
void blk_drain(BlockBackend *blk);

#endif
