/*
 * Block driver "replication": the disk side of COLO.
 *
 * Secondary (mode=secondary,top-id=colo-disk0):
 *
 *   SVM --> quorum colo-disk0 --> replication childs0
 *                                        | file
 *                                   active.qcow2   (SVM writes land here)
 *                                        | backing
 *                                   hidden.qcow2   (old disk contents)
 *                                        | backing
 *   NBD export "parent0" --> cbw --> secondary disk (PVM writes via NBD)
 *
 *   Before a write from the NBD side reaches the secondary disk, the
 *   old contents of every not yet saved range are copied into the
 *   hidden overlay (copy-before-write), so the SVM keeps seeing the disk
 *   as of the last checkpoint.  The cbw filter is inserted as the root
 *   of every BlockBackend that had the secondary disk as its root.
 *   At a checkpoint both overlays are emptied (the SVM now has the PVM's
 *   state, whose disk is the secondary disk).  At failover the SVM's
 *   view (active over hidden) is committed into the secondary disk and
 *   the node then passes I/O straight to the disk; guest requests wait
 *   (they do not fail) while the commit runs.
 *
 * Primary (mode=primary): the "file" child is the NBD connection to the
 * secondary's export; it is a child of the primary's quorum.  When a
 * request on it fails the node turns broken: every later request fails
 * at once with -EIO, so quorum (vote-threshold=1) carries on with the
 * local image and reports the failed child; get_error reports it too.
 *
 * Stages (one transition function, traced):
 *   RUNNING --failover--> FAILOVER --commit done--> DONE
 *   RUNNING --child error (primary)--> BROKEN
 *
 * Both modes register a COLO participant (include/migration/colo.h).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/quorum.h"
#include "block/replication.h"
#include "migration/colo.h"
#include "qemu/cutils.h"
#include "system/block-backend.h"
#include "trace/trace-nbd.h"

#define COMMIT_CHUNK (1 * 1024 * 1024)

typedef struct BDRVReplicationState {
    ReplicationMode mode;
    ReplicationStage stage;
    char *top_id;
    BlockDriverState *hidden;       /* secondary: backing of active */
    BlockDriverState *disk;         /* secondary: backing of hidden */
    BlockDriverState *cbw;          /* secondary: filter above disk */
    GRWLock io_lock;                /* readers: I/O; writer: failover */
    ColoParticipant *participant;
    int last_error;
} BDRVReplicationState;

/* The cbw filter: file = secondary disk; copies old data into hidden. */
typedef struct BDRVCbwState {
    BlockDriverState *replication;  /* owning node (no reference) */
    GMutex lock;                    /* serialises copy + write */
} BDRVCbwState;

static const BlockDriver bdrv_replication_cbw;

static const char *const stage_names[] = {
    [REPLICATION_STAGE_RUNNING] = "running",
    [REPLICATION_STAGE_FAILOVER] = "failover",
    [REPLICATION_STAGE_DONE] = "done",
    [REPLICATION_STAGE_BROKEN] = "broken",
};

const char *replication_stage_str(ReplicationStage stage)
{
    return stage < ARRAY_SIZE(stage_names) ? stage_names[stage] : "?";
}

static ReplicationStage replication_set_stage(BlockDriverState *bs,
                                              ReplicationStage new_stage)
{
    BDRVReplicationState *s = bs->opaque;
    ReplicationStage old = __atomic_exchange_n(&s->stage, new_stage,
                                               __ATOMIC_SEQ_CST);

    if (old != new_stage) {
        trace_replication_state(bs->node_name, old, new_stage);
    }
    return old;
}

ReplicationStage replication_get_stage(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;

    return __atomic_load_n(&s->stage, __ATOMIC_SEQ_CST);
}

static bool replication_is_secondary(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;

    return s->mode == REPLICATION_MODE_SECONDARY;
}

/* Copy-before-write: save the disk's old contents of a range. */

static int cbw_copy_range(BlockDriverState *hidden, BlockDriverState *disk,
                          int64_t offset, int64_t bytes)
{
    g_autofree uint8_t *buf = NULL;
    int64_t end = offset + bytes;
    int64_t len = bdrv_getlength(disk);

    if (len < 0) {
        return len;
    }
    end = MIN(end, len);
    while (offset < end) {
        int64_t pnum;
        int st = bdrv_block_status(hidden, offset, end - offset, &pnum);
        QEMUIOVector qiov;
        int ret;

        if (st < 0) {
            return st;
        }
        pnum = MIN(pnum, COMMIT_CHUNK);
        if (pnum <= 0) {
            return -EIO;
        }
        if (!(st & BDRV_BLOCK_ALLOCATED)) {
            buf = g_realloc(buf, pnum);
            ret = bdrv_node_preadv(disk, offset, pnum,
                                   (qemu_iovec_init_buf(&qiov, buf, pnum),
                                    &qiov), 0);
            if (ret == 0) {
                ret = bdrv_node_pwritev(hidden, offset, pnum, &qiov, 0);
            }
            if (ret < 0) {
                return ret;
            }
        }
        offset += pnum;
    }
    return 0;
}

static bool cbw_active(BlockDriverState *bs)
{
    BDRVCbwState *c = bs->opaque;

    return c->replication &&
           replication_get_stage(c->replication) ==
           REPLICATION_STAGE_RUNNING;
}

static int cbw_before_write(BlockDriverState *bs, int64_t offset,
                            int64_t bytes)
{
    BDRVCbwState *c = bs->opaque;
    BDRVReplicationState *s;
    int ret;

    if (!cbw_active(bs)) {
        return 0;
    }
    s = c->replication->opaque;
    trace_replication_cbw(c->replication->node_name, offset, bytes);
    ret = cbw_copy_range(s->hidden, bs->file->bs, offset, bytes);
    if (ret < 0) {
        s->last_error = ret;
    }
    return ret;
}

static bool cbw_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVCbwState *c = bs->opaque;

    g_mutex_init(&c->lock);
    if (!bdrv_open_child(bs, opts, "file", BDRV_CHILD_FILE, false, errp)) {
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), bs->file->bs->filename);
    return true;
}

static void cbw_close(BlockDriverState *bs)
{
    BDRVCbwState *c = bs->opaque;

    g_mutex_clear(&c->lock);
}

static int cbw_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, int flags)
{
    return bdrv_preadv(bs->file, offset, bytes, qiov, flags);
}

static int cbw_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, int flags)
{
    BDRVCbwState *c = bs->opaque;
    int ret;

    g_mutex_lock(&c->lock);
    ret = cbw_before_write(bs, offset, bytes);
    if (ret == 0) {
        ret = bdrv_pwritev(bs->file, offset, bytes, qiov, flags);
    }
    g_mutex_unlock(&c->lock);
    return ret;
}

static int cbw_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int flags)
{
    BDRVCbwState *c = bs->opaque;
    int ret;

    g_mutex_lock(&c->lock);
    ret = cbw_before_write(bs, offset, bytes);
    if (ret == 0) {
        ret = bdrv_pwrite_zeroes(bs->file, offset, bytes, flags);
    }
    g_mutex_unlock(&c->lock);
    return ret;
}

static int cbw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVCbwState *c = bs->opaque;
    int ret;

    g_mutex_lock(&c->lock);
    ret = cbw_before_write(bs, offset, bytes);
    if (ret == 0) {
        ret = bdrv_pdiscard(bs->file, offset, bytes);
    }
    g_mutex_unlock(&c->lock);
    return ret;
}

static int cbw_flush(BlockDriverState *bs)
{
    return bdrv_flush(bs->file->bs);
}

static int64_t cbw_getlength(BlockDriverState *bs)
{
    return bdrv_getlength(bs->file->bs);
}

static int cbw_block_status(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int64_t *pnum)
{
    return bdrv_block_status(bs->file->bs, offset, bytes, pnum);
}

static bool cbw_reopen_rw(BlockDriverState *bs, bool read_only,
                          Error **errp)
{
    return true;
}

static const BlockDriver bdrv_replication_cbw = {
    .format_name = "x-replication-cbw",
    .instance_size = sizeof(BDRVCbwState),
    .is_filter = true,
    .bdrv_open = cbw_open,
    .bdrv_close = cbw_close,
    .bdrv_reopen_rw = cbw_reopen_rw,
    .bdrv_preadv = cbw_preadv,
    .bdrv_pwritev = cbw_pwritev,
    .bdrv_pwrite_zeroes = cbw_pwrite_zeroes,
    .bdrv_pdiscard = cbw_pdiscard,
    .bdrv_flush = cbw_flush,
    .bdrv_getlength = cbw_getlength,
    .bdrv_block_status = cbw_block_status,
};

/*
 * Put a cbw filter above @disk, as the root of every BlockBackend
 * whose root is @disk (the NBD export reads and writes through it).
 */
static bool replication_insert_cbw(BlockDriverState *bs, Error **errp)
{
    BDRVReplicationState *s = bs->opaque;
    QDict *opts = qdict_new();
    BlockBackend *blk;
    BDRVCbwState *c;

    qdict_put_str(opts, "driver", bdrv_replication_cbw.format_name);
    qdict_put_str(opts, "file", s->disk->node_name);
    qdict_put_bool(opts, "read-only", false);
    s->cbw = bdrv_open(opts, errp);
    if (!s->cbw) {
        return false;
    }
    c = s->cbw->opaque;
    c->replication = bs;
    for (blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        if (blk_bs(blk) != s->disk) {
            continue;
        }
        blk_remove_bs(blk);
        if (!blk_insert_bs(blk, s->cbw, errp)) {
            blk_insert_bs(blk, s->disk, NULL);
            return false;
        }
    }
    return true;
}

static void replication_remove_cbw(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;
    BDRVCbwState *c;
    BlockBackend *blk;

    if (!s->cbw) {
        return;
    }
    c = s->cbw->opaque;
    c->replication = NULL;
    for (blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        if (blk_bs(blk) == s->cbw) {
            blk_remove_bs(blk);
            blk_insert_bs(blk, s->disk, NULL);
        }
    }
    bdrv_unref(s->cbw);
    s->cbw = NULL;
}

/* Checkpoint and failover */

static int replication_empty_overlays(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;
    int ret;

    ret = bdrv_make_empty(bs->file->bs);
    if (ret == 0) {
        ret = bdrv_make_empty(s->hidden);
    }
    return ret;
}

bool replication_do_checkpoint(BlockDriverState *bs, Error **errp)
{
    BDRVReplicationState *s = bs->opaque;
    int ret;

    if (!replication_is_secondary(bs) ||
        replication_get_stage(bs) != REPLICATION_STAGE_RUNNING) {
        return true;
    }
    trace_replication_checkpoint(bs->node_name);
    bdrv_drain_all();
    ret = replication_empty_overlays(bs);
    if (ret < 0) {
        s->last_error = ret;
        error_setg_errno(errp, -ret, "Cannot make active disk empty");
        return false;
    }
    return true;
}

/* Write every range the SVM sees differently from the disk into it. */
static int replication_commit(BlockDriverState *bs, int64_t *committed)
{
    BDRVReplicationState *s = bs->opaque;
    BlockDriverState *active = bs->file->bs;
    int64_t len = bdrv_getlength(s->disk);
    g_autofree uint8_t *buf = g_malloc(COMMIT_CHUNK);
    int64_t off = 0;

    *committed = 0;
    if (len < 0) {
        return len;
    }
    while (off < len) {
        int64_t pa, ph, n;
        int sa = bdrv_block_status(active, off, MIN(len - off, COMMIT_CHUNK),
                                   &pa);
        int sh = bdrv_block_status(s->hidden, off, pa, &ph);
        QEMUIOVector qiov;
        int ret;

        if (sa < 0 || sh < 0) {
            return sa < 0 ? sa : sh;
        }
        n = (sa & BDRV_BLOCK_ALLOCATED) ? pa : ph;
        if (n <= 0) {
            return -EIO;
        }
        if ((sa | sh) & BDRV_BLOCK_ALLOCATED) {
            qemu_iovec_init_buf(&qiov, buf, n);
            ret = bdrv_node_preadv(active, off, n, &qiov, 0);
            if (ret == 0) {
                ret = bdrv_node_pwritev(s->disk, off, n, &qiov, 0);
            }
            if (ret < 0) {
                return ret;
            }
            *committed += n;
        }
        off += n;
    }
    return bdrv_flush(s->disk);
}

bool replication_failover(BlockDriverState *bs, Error **errp)
{
    BDRVReplicationState *s = bs->opaque;
    int64_t committed = 0;
    int ret;

    if (!replication_is_secondary(bs)) {
        if (replication_get_stage(bs) == REPLICATION_STAGE_RUNNING) {
            replication_set_stage(bs, REPLICATION_STAGE_DONE);
        }
        return true;
    }
    if (replication_get_stage(bs) != REPLICATION_STAGE_RUNNING) {
        return true;
    }
    /* Guest requests wait here; new NBD writes skip the copy. */
    g_rw_lock_writer_lock(&s->io_lock);
    replication_set_stage(bs, REPLICATION_STAGE_FAILOVER);
    ret = replication_commit(bs, &committed);
    if (ret == 0) {
        ret = replication_empty_overlays(bs);
    }
    trace_replication_failover_commit(bs->node_name, committed);
    if (ret < 0) {
        /* keep using the overlays: the SVM's view is still intact */
        s->last_error = ret;
        replication_set_stage(bs, REPLICATION_STAGE_BROKEN);
        g_rw_lock_writer_unlock(&s->io_lock);
        error_setg_errno(errp, -ret, "Failover commit failed");
        return false;
    }
    replication_set_stage(bs, REPLICATION_STAGE_DONE);
    g_rw_lock_writer_unlock(&s->io_lock);
    return true;
}

static void replication_colo_checkpoint(void *opaque)
{
    Error *err = NULL;

    if (!replication_do_checkpoint(opaque, &err)) {
        error_report_err(err);
    }
}

static void replication_colo_failover(void *opaque)
{
    Error *err = NULL;

    if (!replication_failover(opaque, &err)) {
        error_report_err(err);
    }
}

bool replication_get_error(BlockDriverState *bs, Error **errp)
{
    BDRVReplicationState *s = bs->opaque;

    if (replication_get_stage(bs) == REPLICATION_STAGE_BROKEN) {
        error_setg_errno(errp, -s->last_error, "Replication node '%s' is "
                         "broken", bs->node_name);
        return false;
    }
    return true;
}

static bool replication_colo_get_error(void *opaque, Error **errp)
{
    return replication_get_error(opaque, errp);
}

static const ColoParticipantOps replication_colo_ops = {
    .name = "replication",
    .checkpoint = replication_colo_checkpoint,
    .failover = replication_colo_failover,
    .get_error = replication_colo_get_error,
};

/* The node itself */

static bool replication_open_secondary(BlockDriverState *bs, Error **errp)
{
    BDRVReplicationState *s = bs->opaque;
    BlockDriverState *active = bs->file->bs;
    int64_t la, lh, ld;

    s->hidden = bdrv_backing_bs(active);
    s->disk = s->hidden ? bdrv_backing_bs(s->hidden) : NULL;
    if (!s->hidden || !s->disk) {
        error_setg(errp, "Active disk or hidden disk doesn't have a "
                   "backing file");
        return false;
    }
    if (!active->drv->bdrv_make_empty || !s->hidden->drv->bdrv_make_empty) {
        error_setg(errp, "Active disk or hidden disk doesn't support "
                   "make_empty");
        return false;
    }
    la = bdrv_getlength(active);
    lh = bdrv_getlength(s->hidden);
    ld = bdrv_getlength(s->disk);
    if (la < 0 || lh < 0 || ld < 0 || la != lh || lh != ld) {
        error_setg(errp, "Active disk, hidden disk, secondary disk's "
                   "length are not the same");
        return false;
    }
    if (!bdrv_reopen_read_only(s->hidden, false, errp) ||
        !bdrv_reopen_read_only(s->disk, false, errp)) {
        return false;
    }
    if (replication_empty_overlays(bs) < 0) {
        error_setg(errp, "Cannot make active disk empty");
        return false;
    }
    return replication_insert_cbw(bs, errp);
}

static bool replication_open_state(BlockDriverState *bs, QDict *opts,
                                   Error **errp)
{
    BDRVReplicationState *s = bs->opaque;
    g_autofree char *mode = bdrv_opt_take_str(opts, "mode");

    s->top_id = bdrv_opt_take_str(opts, "top-id");
    if (!mode) {
        error_setg(errp, "Parameter 'mode' is missing");
        return false;
    }
    if (!strcmp(mode, "primary")) {
        s->mode = REPLICATION_MODE_PRIMARY;
        if (s->top_id) {
            error_setg(errp, "The primary side does not support option "
                       "top-id");
            return false;
        }
    } else if (!strcmp(mode, "secondary")) {
        s->mode = REPLICATION_MODE_SECONDARY;
        if (!s->top_id) {
            error_setg(errp, "The option 'top-id' is required when the "
                       "mode is secondary");
            return false;
        }
    } else {
        error_setg(errp, "The option mode's value should be primary or "
                   "secondary");
        return false;
    }
    if (!bdrv_open_child(bs, opts, "file", BDRV_CHILD_FILE, false, errp)) {
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), bs->file->bs->filename);
    if (s->mode == REPLICATION_MODE_SECONDARY &&
        !replication_open_secondary(bs, errp)) {
        replication_remove_cbw(bs);
        return false;
    }
    s->stage = REPLICATION_STAGE_RUNNING;
    s->participant = colo_participant_register(&replication_colo_ops, bs);
    return true;
}

/*
 * bdrv_open() skips .bdrv_close when .bdrv_open fails, so undo
 * what replication_open_state() set up before the failure.
 */
static bool replication_open(BlockDriverState *bs, QDict *opts,
                             Error **errp)
{
    BDRVReplicationState *s = bs->opaque;

    g_rw_lock_init(&s->io_lock);
    if (!replication_open_state(bs, opts, errp)) {
        g_free(s->top_id);
        s->top_id = NULL;
        g_rw_lock_clear(&s->io_lock);
        return false;
    }
    return true;
}

static void replication_close(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;

    colo_participant_unregister(s->participant);
    replication_remove_cbw(bs);
    g_free(s->top_id);
    g_rw_lock_clear(&s->io_lock);
}

/* Primary: a failed request breaks the node for good. */
static int replication_child_result(BlockDriverState *bs, int ret)
{
    BDRVReplicationState *s = bs->opaque;

    if (ret < 0 && s->mode == REPLICATION_MODE_PRIMARY &&
        replication_set_stage(bs, REPLICATION_STAGE_BROKEN) !=
        REPLICATION_STAGE_BROKEN) {
        s->last_error = ret;
        trace_replication_primary_broken(bs->node_name, ret);
    }
    return ret;
}

/* The child requests go to: active (secondary, running) or the disk. */
static BdrvChild *replication_target(BlockDriverState *bs)
{
    return bs->file;
}

static bool replication_bypass(BlockDriverState *bs)
{
    return replication_is_secondary(bs) &&
           replication_get_stage(bs) == REPLICATION_STAGE_DONE;
}

static int replication_preadv(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVReplicationState *s = bs->opaque;
    int ret;

    if (!replication_is_secondary(bs) &&
        replication_get_stage(bs) == REPLICATION_STAGE_BROKEN) {
        return -EIO;
    }
    g_rw_lock_reader_lock(&s->io_lock);
    if (replication_bypass(bs)) {
        ret = bdrv_node_preadv(s->disk, offset, bytes, qiov, flags);
    } else {
        ret = bdrv_preadv(replication_target(bs), offset, bytes, qiov,
                          flags);
    }
    g_rw_lock_reader_unlock(&s->io_lock);
    return replication_child_result(bs, ret);
}

static int replication_pwritev(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVReplicationState *s = bs->opaque;
    int ret;

    if (!replication_is_secondary(bs) &&
        replication_get_stage(bs) != REPLICATION_STAGE_RUNNING) {
        return -EIO;
    }
    g_rw_lock_reader_lock(&s->io_lock);
    if (replication_bypass(bs)) {
        ret = bdrv_node_pwritev(s->disk, offset, bytes, qiov, flags);
    } else {
        ret = bdrv_pwritev(replication_target(bs), offset, bytes, qiov,
                           flags);
    }
    g_rw_lock_reader_unlock(&s->io_lock);
    return replication_child_result(bs, ret);
}

static int replication_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                     int64_t bytes, int flags)
{
    g_autofree uint8_t *buf = g_malloc0(MIN(bytes, COMMIT_CHUNK));
    int64_t done = 0;

    /* zeroes as data: the overlays must hide what lies below */
    while (done < bytes) {
        int64_t n = MIN(bytes - done, COMMIT_CHUNK);
        QEMUIOVector qiov;
        int ret;

        qemu_iovec_init_buf(&qiov, buf, n);
        ret = replication_pwritev(bs, offset + done, n, &qiov, flags);
        if (ret < 0) {
            return ret;
        }
        done += n;
    }
    return 0;
}

static int replication_pdiscard(BlockDriverState *bs, int64_t offset,
                                int64_t bytes)
{
    return 0;   /* discard is advisory; the overlays must keep data */
}

static int replication_flush(BlockDriverState *bs)
{
    BDRVReplicationState *s = bs->opaque;
    int ret;

    if (!replication_is_secondary(bs) &&
        replication_get_stage(bs) != REPLICATION_STAGE_RUNNING) {
        return -EIO;
    }
    g_rw_lock_reader_lock(&s->io_lock);
    ret = bdrv_flush(replication_bypass(bs) ? s->disk : bs->file->bs);
    g_rw_lock_reader_unlock(&s->io_lock);
    return replication_child_result(bs, ret);
}

static int64_t replication_getlength(BlockDriverState *bs)
{
    return bdrv_getlength(bs->file->bs);
}

static bool replication_reopen_rw(BlockDriverState *bs, bool read_only,
                                  Error **errp)
{
    return true;
}

const BlockDriver bdrv_replication = {
    .format_name = "replication",
    .instance_size = sizeof(BDRVReplicationState),
    .is_filter = true,
    .bdrv_open = replication_open,
    .bdrv_close = replication_close,
    .bdrv_reopen_rw = replication_reopen_rw,
    .bdrv_preadv = replication_preadv,
    .bdrv_pwritev = replication_pwritev,
    .bdrv_pwrite_zeroes = replication_pwrite_zeroes,
    .bdrv_pdiscard = replication_pdiscard,
    .bdrv_flush = replication_flush,
    .bdrv_getlength = replication_getlength,
};

bool bdrv_is_replication(BlockDriverState *bs)
{
    return bs->drv == &bdrv_replication;
}

static void __attribute__((constructor)) replication_register(void)
{
    bdrv_register(&bdrv_replication);
    bdrv_register(&bdrv_replication_cbw);
}
