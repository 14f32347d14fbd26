/*
 * BlockBackend (include/system/block-backend.h): device-facing handle
 * with an id, a root node and asynchronous requests.
 *
 * Asynchronous requests run in a process-wide GThreadPool (the block
 * layer's workers): the worker performs the request synchronously on
 * the root node and schedules the completion as a one-shot bottom half
 * in the backend's GMainContext.  The root node counts the request as
 * in flight from submission until the worker is done with it, so graph
 * changes (which drain first) never run under a request.
 */
#include "qemu/osdep.h"
#include "system/block-backend.h"
#include "block/block_int.h"
#include "qemu/main-loop.h"
#include "trace/trace-block.h"

#define BLK_MAX_WORKERS 16

struct BlockBackend {
    char *name;
    BlockDriverState *root;
    char *dev_id;
    const BlockDevOps *dev_ops;
    void *dev_opaque;
    bool removable;
    bool writethrough;
    bool perm_write;        /* blk_set_perm() */
    bool perm_unshare_write;
    GMainContext *ctx;

    GMutex lock;            /* protects in_flight */
    GCond idle;
    int in_flight;
};

typedef enum BlkAioOp {
    BLK_AIO_READ,
    BLK_AIO_WRITE,
    BLK_AIO_FLUSH,
    BLK_AIO_DISCARD,
    BLK_AIO_ZEROES,
} BlkAioOp;

struct BlockAIOCB {
    BlockBackend *blk;
    BlockDriverState *bs;
    BlkAioOp op;
    int64_t offset;
    int64_t bytes;
    QEMUIOVector *qiov;
    int flags;
    int ret;
    BlockCompletionFunc *cb;
    void *opaque;
};

static GList *backends;     /* named ones, main thread */
static GList *all_backends; /* named and anonymous */
static GThreadPool *workers;

/* Lookup */

BlockBackend *blk_by_name(const char *name)
{
    GList *l;

    for (l = backends; l; l = l->next) {
        BlockBackend *blk = l->data;

        if (!strcmp(blk->name, name)) {
            return blk;
        }
    }
    return NULL;
}

BlockBackend *blk_next(BlockBackend *blk)
{
    GList *l;

    if (!blk) {
        return backends ? backends->data : NULL;
    }
    l = g_list_find(backends, blk);
    return l && l->next ? l->next->data : NULL;
}

static bool id_valid(const char *id)
{
    const char *p;

    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.", *p)) {
            return false;
        }
    }
    return true;
}

BlockBackend *blk_new(const char *name, Error **errp)
{
    BlockBackend *blk;

    if (name && *name) {
        if (!id_valid(name)) {
            error_setg(errp, "Invalid device name");
            return NULL;
        }
        if (blk_by_name(name)) {
            error_setg(errp, "Device with id '%s' already exists", name);
            return NULL;
        }
        if (bdrv_find_node(name)) {
            error_setg(errp, "Device name '%s' conflicts with an existing "
                       "node name", name);
            return NULL;
        }
    }
    blk = g_new0(BlockBackend, 1);
    blk->name = g_strdup(name ? name : "");
    g_mutex_init(&blk->lock);
    g_cond_init(&blk->idle);
    if (*blk->name) {
        backends = g_list_append(backends, blk);
    }
    all_backends = g_list_append(all_backends, blk);
    return blk;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk) {
        return;
    }
    blk_remove_bs(blk);
    backends = g_list_remove(backends, blk);
    all_backends = g_list_remove(all_backends, blk);
    g_mutex_clear(&blk->lock);
    g_cond_clear(&blk->idle);
    g_free(blk->dev_id);
    g_free(blk->name);
    g_free(blk);
}

const char *blk_name(const BlockBackend *blk)
{
    return blk->name;
}

BlockDriverState *blk_bs(BlockBackend *blk)
{
    return blk->root;
}

bool blk_is_inserted(BlockBackend *blk)
{
    return blk->root != NULL;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return blk->root ? bdrv_is_read_only(blk->root) : false;
}

static const char *blk_user_name(BlockBackend *blk)
{
    return blk->dev_id ? blk->dev_id : blk->name;
}

/* Does a user of @root other than @self conflict with (write, share)? */
static BlockBackend *perm_conflict(BlockBackend *self,
                                   BlockDriverState *root, bool write,
                                   bool share_write)
{
    GList *l;

    for (l = all_backends; l; l = l->next) {
        BlockBackend *other = l->data;

        if (other == self || other->root != root) {
            continue;
        }
        if ((write && other->perm_unshare_write) ||
            (other->perm_write && !share_write)) {
            return other;
        }
    }
    return NULL;
}

bool blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp)
{
    if (blk->root) {
        error_setg(errp, "Device '%s' already has a medium", blk->name);
        return false;
    }
    if (blk->perm_write || blk->perm_unshare_write) {
        BlockBackend *other = perm_conflict(blk, bs, blk->perm_write,
                                            !blk->perm_unshare_write);

        if (other) {
            error_setg(errp, "Conflicts with use by %s as 'root', which "
                       "does not allow 'write' on %s", blk_user_name(other),
                       bdrv_get_node_name(bs));
            return false;
        }
    }
    bdrv_ref(bs);
    bs->n_backends++;
    blk->root = bs;
    if (blk->dev_ops && blk->dev_ops->change_media_cb) {
        blk->dev_ops->change_media_cb(blk->dev_opaque, true);
    }
    return true;
}

void blk_remove_bs(BlockBackend *blk)
{
    BlockDriverState *bs = blk->root;

    if (!bs) {
        return;
    }
    blk_drain(blk);
    blk->root = NULL;
    bs->n_backends--;
    if (blk->dev_ops && blk->dev_ops->change_media_cb) {
        blk->dev_ops->change_media_cb(blk->dev_opaque, false);
    }
    bdrv_unref(bs);
}

bool blk_attach_dev(BlockBackend *blk, const char *dev_id, Error **errp)
{
    if (blk->dev_id) {
        error_setg(errp, "Drive '%s' is already in use by another device",
                   blk->name);
        return false;
    }
    blk->dev_id = g_strdup(dev_id);
    return true;
}

void blk_detach_dev(BlockBackend *blk)
{
    g_free(blk->dev_id);
    blk->dev_id = NULL;
    blk->dev_ops = NULL;
    blk->dev_opaque = NULL;
    blk->perm_write = false;
    blk->perm_unshare_write = false;
}

const char *blk_get_attached_dev_id(BlockBackend *blk)
{
    return blk->dev_id;
}

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque)
{
    blk->dev_ops = ops;
    blk->dev_opaque = opaque;
}

bool blk_set_perm(BlockBackend *blk, bool write, bool share_write,
                  Error **errp)
{
    BlockBackend *other;

    if (write && blk->root && bdrv_is_read_only(blk->root)) {
        error_setg(errp, "Block node is read-only");
        return false;
    }
    other = blk->root ? perm_conflict(blk, blk->root, write, share_write)
                      : NULL;
    if (other) {
        error_setg(errp, "Conflicts with use by %s as 'root', which %s "
                   "'write' on %s", blk_user_name(other),
                   other->perm_unshare_write ? "does not allow" : "uses",
                   bdrv_get_node_name(blk->root));
        return false;
    }
    blk->perm_write = write;
    blk->perm_unshare_write = !share_write;
    return true;
}

void blk_set_removable(BlockBackend *blk, bool removable)
{
    blk->removable = removable;
}

bool blk_is_removable(BlockBackend *blk)
{
    return blk->removable;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool wce)
{
    blk->writethrough = !wce;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return !blk->writethrough;
}

void blk_set_aio_context(BlockBackend *blk, GMainContext *ctx)
{
    blk_drain(blk);
    blk->ctx = ctx;
}

GMainContext *blk_get_aio_context(BlockBackend *blk)
{
    return blk->ctx;
}

/* Synchronous I/O */

static bool blk_req_ok(BlockBackend *blk, int64_t offset, int64_t bytes,
                       int *ret)
{
    int64_t len;

    if (!blk->root) {
        *ret = -ENOMEDIUM;
        return false;
    }
    if (offset < 0 || bytes < 0) {
        *ret = -EIO;
        return false;
    }
    len = bdrv_getlength(blk->root);
    if (len < 0) {
        *ret = len;
        return false;
    }
    if (offset > len || bytes > len - offset) {
        *ret = -EIO;
        return false;
    }
    return true;
}

int blk_preadv(BlockBackend *blk, int64_t offset, int64_t bytes,
               QEMUIOVector *qiov, int flags)
{
    int ret;

    if (!blk_req_ok(blk, offset, bytes, &ret)) {
        return ret;
    }
    return bdrv_node_preadv(blk->root, offset, bytes, qiov, flags);
}

int blk_pwritev(BlockBackend *blk, int64_t offset, int64_t bytes,
                QEMUIOVector *qiov, int flags)
{
    int ret;

    if (!blk_req_ok(blk, offset, bytes, &ret)) {
        return ret;
    }
    if (blk->writethrough) {
        flags |= BDRV_REQ_FUA;
    }
    return bdrv_node_pwritev(blk->root, offset, bytes, qiov, flags);
}

int blk_pread(BlockBackend *blk, int64_t offset, int64_t bytes, void *buf,
              int flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, bytes);
    return blk_preadv(blk, offset, bytes, &qiov, flags);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, int64_t bytes,
               const void *buf, int flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_pwritev(blk, offset, bytes, &qiov, flags);
}

int blk_pwrite_zeroes(BlockBackend *blk, int64_t offset, int64_t bytes,
                      int flags)
{
    int ret;

    if (!blk_req_ok(blk, offset, bytes, &ret)) {
        return ret;
    }
    return bdrv_node_pwrite_zeroes(blk->root, offset, bytes, flags);
}

int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int ret;

    if (!blk_req_ok(blk, offset, bytes, &ret)) {
        return ret;
    }
    return bdrv_node_pdiscard(blk->root, offset, bytes);
}

int blk_flush(BlockBackend *blk)
{
    return blk->root ? bdrv_flush(blk->root) : 0;
}

int64_t blk_getlength(BlockBackend *blk)
{
    return blk->root ? bdrv_getlength(blk->root) : -ENOMEDIUM;
}

bool blk_truncate(BlockBackend *blk, int64_t offset, Error **errp)
{
    if (!blk->root) {
        error_setg(errp, "No medium inserted");
        return false;
    }
    if (!bdrv_node_truncate(blk->root, offset, errp)) {
        return false;
    }
    if (blk->dev_ops && blk->dev_ops->resize_cb) {
        blk->dev_ops->resize_cb(blk->dev_opaque);
    }
    return true;
}

/* Asynchronous I/O */

static int aio_run(BlockAIOCB *acb)
{
    BlockBackend *blk = acb->blk;

    switch (acb->op) {
    case BLK_AIO_READ:
        return blk_preadv(blk, acb->offset, acb->bytes, acb->qiov,
                          acb->flags);
    case BLK_AIO_WRITE:
        return blk_pwritev(blk, acb->offset, acb->bytes, acb->qiov,
                           acb->flags);
    case BLK_AIO_FLUSH:
        return blk_flush(blk);
    case BLK_AIO_DISCARD:
        return blk_pdiscard(blk, acb->offset, acb->bytes);
    default:
        return blk_pwrite_zeroes(blk, acb->offset, acb->bytes, acb->flags);
    }
}

static void aio_complete_bh(void *opaque)
{
    BlockAIOCB *acb = opaque;

    /* @blk may be gone (blk_unref() only waits for the workers) */
    trace_blk_aio_complete(acb, acb->op, acb->ret);
    acb->cb(acb->opaque, acb->ret);
    g_free(acb);
}

static void aio_worker(gpointer data, gpointer user_data)
{
    BlockAIOCB *acb = data;
    BlockBackend *blk = acb->blk;
    BlockDriverState *bs = acb->bs;

    acb->ret = aio_run(acb);
    /*
     * The completion is queued before the request stops counting as in
     * flight, so a drain that sees nothing in flight also finds the
     * completion to run.  (@acb may be gone once it is queued.)
     */
    aio_bh_schedule_oneshot(blk->ctx, aio_complete_bh, acb);
    if (bs) {
        bdrv_dec_in_flight(bs);
    }
    g_mutex_lock(&blk->lock);
    if (--blk->in_flight == 0) {
        g_cond_broadcast(&blk->idle);
    }
    g_mutex_unlock(&blk->lock);
}

static GThreadPool *get_workers(void)
{
    static gsize once;

    if (g_once_init_enter(&once)) {
        workers = g_thread_pool_new(aio_worker, NULL, BLK_MAX_WORKERS,
                                    FALSE, NULL);
        g_once_init_leave(&once, 1);
    }
    return workers;
}

static BlockAIOCB *aio_submit(BlockBackend *blk, BlkAioOp op,
                              int64_t offset, int64_t bytes,
                              QEMUIOVector *qiov, int flags,
                              BlockCompletionFunc *cb, void *opaque)
{
    BlockAIOCB *acb = g_new0(BlockAIOCB, 1);

    acb->blk = blk;
    acb->bs = blk->root;
    acb->op = op;
    acb->offset = offset;
    acb->bytes = bytes;
    acb->qiov = qiov;
    acb->flags = flags;
    acb->cb = cb;
    acb->opaque = opaque;
    trace_blk_aio_submit(blk->name, acb, op, offset, bytes);
    if (acb->bs) {
        bdrv_inc_in_flight(acb->bs);
    }
    g_mutex_lock(&blk->lock);
    blk->in_flight++;
    g_mutex_unlock(&blk->lock);
    g_thread_pool_push(get_workers(), acb, NULL);
    return acb;
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, int flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    return aio_submit(blk, BLK_AIO_READ, offset, qiov->size, qiov, flags,
                      cb, opaque);
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, int flags,
                            BlockCompletionFunc *cb, void *opaque)
{
    return aio_submit(blk, BLK_AIO_WRITE, offset, qiov->size, qiov, flags,
                      cb, opaque);
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque)
{
    return aio_submit(blk, BLK_AIO_FLUSH, 0, 0, NULL, 0, cb, opaque);
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque)
{
    return aio_submit(blk, BLK_AIO_DISCARD, offset, bytes, NULL, 0, cb,
                      opaque);
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, int flags,
                                  BlockCompletionFunc *cb, void *opaque)
{
    return aio_submit(blk, BLK_AIO_ZEROES, offset, bytes, NULL, flags, cb,
                      opaque);
}

void blk_drain(BlockBackend *blk)
{
    g_mutex_lock(&blk->lock);
    while (blk->in_flight > 0) {
        g_cond_wait(&blk->idle, &blk->lock);
    }
    g_mutex_unlock(&blk->lock);
}
