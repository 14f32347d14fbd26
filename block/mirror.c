/*
 * Mirror job and drive-mirror: copy a drive to a target image and keep
 * copying new writes until the job is cancelled or completed.  COLO's
 * re-protection runs drive-mirror to the new secondary's NBD export,
 * waits for BLOCK_JOB_READY, stops the VM and cancels the job (a
 * cancelled READY mirror ends with BLOCK_JOB_COMPLETED: the target is
 * an exact copy).
 *
 *   BlockBackend "colo-disk0"              job thread
 *         | root                           ----------
 *   x-mirror-top filter  --- marks dirty --> dirty bitmap (64 KiB chunks)
 *         | file                                |  take a chunk, clear
 *   source node          <---- read ------------+  its bit, copy it
 *                                               v
 *                                        target node (raw over nbd/file)
 *
 * The filter is inserted as the root of every BlockBackend whose root
 * was the source, so guest writes are seen; it marks chunks after the
 * write to the source, and the job clears a chunk's bit before reading
 * it, so no write is lost.  Once nothing is dirty the job is READY and
 * sleeps until a write, a cancel or a complete wakes it.  Complete
 * replaces the source by the target in those BlockBackends.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/blockjob.h"
#include "qemu/cutils.h"
#include "system/block-backend.h"
#include "qapi/qapi-commands-block-export.h"
#include "qapi/qmp/dispatch.h"
#include "trace/trace-nbd.h"

QMP_COMMAND_IMPLEMENTED(drive_mirror);

#define MIRROR_CHUNK (64 * 1024)

typedef struct MirrorState {
    BlockJob *job;
    BlockDriverState *source;
    BlockDriverState *target;
    BlockDriverState *filter;
    GSList *backends;           /* BlockBackend * given the filter */
    GMutex lock;                /* protects dirty, n_dirty, cursor */
    uint8_t *dirty;             /* one byte per chunk */
    int64_t cursor;             /* where the next scan starts */
    int64_t n_chunks;
    int64_t n_dirty;
    int64_t done;
    int64_t len;
} MirrorState;

typedef struct MirrorTopState {
    MirrorState *m;             /* NULL once the job has ended */
} MirrorTopState;

static void mirror_mark_dirty(MirrorState *m, int64_t offset, int64_t bytes)
{
    int64_t first = offset / MIRROR_CHUNK;
    int64_t last = (offset + bytes - 1) / MIRROR_CHUNK;
    int64_t i;

    if (bytes <= 0) {
        return;
    }
    g_mutex_lock(&m->lock);
    for (i = first; i <= last && i < m->n_chunks; i++) {
        if (!m->dirty[i]) {
            m->dirty[i] = 1;
            m->n_dirty++;
        }
    }
    g_mutex_unlock(&m->lock);
    block_job_kick(m->job);
}

/* The next dirty chunk, its bit cleared; -1 if none */
static int64_t mirror_take_dirty(MirrorState *m)
{
    int64_t i, n;

    g_mutex_lock(&m->lock);
    for (n = 0; m->n_dirty && n < m->n_chunks; n++) {
        i = (m->cursor + n) % m->n_chunks;
        if (m->dirty[i]) {
            m->dirty[i] = 0;
            m->n_dirty--;
            m->cursor = i + 1;
            g_mutex_unlock(&m->lock);
            return i;
        }
    }
    g_mutex_unlock(&m->lock);
    return -1;
}

static bool mirror_has_dirty(MirrorState *m)
{
    bool r;

    g_mutex_lock(&m->lock);
    r = m->n_dirty > 0;
    g_mutex_unlock(&m->lock);
    return r;
}

/* The filter driver */

static bool mirror_top_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    if (!bdrv_open_child(bs, opts, "file", BDRV_CHILD_FILE, false, errp)) {
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), bs->file->bs->filename);
    return true;
}

static void mirror_top_written(BlockDriverState *bs, int ret, int64_t offset,
                               int64_t bytes)
{
    MirrorTopState *t = bs->opaque;
    MirrorState *m = __atomic_load_n(&t->m, __ATOMIC_ACQUIRE);

    if (m) {
        /* even a failed write may have changed part of the range */
        mirror_mark_dirty(m, offset, bytes);
    }
}

static int mirror_top_preadv(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, QEMUIOVector *qiov, int flags)
{
    return bdrv_preadv(bs->file, offset, bytes, qiov, flags);
}

static int mirror_top_pwritev(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, QEMUIOVector *qiov, int flags)
{
    int ret = bdrv_pwritev(bs->file, offset, bytes, qiov, flags);

    mirror_top_written(bs, ret, offset, bytes);
    return ret;
}

static int mirror_top_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                    int64_t bytes, int flags)
{
    int ret = bdrv_pwrite_zeroes(bs->file, offset, bytes, flags);

    mirror_top_written(bs, ret, offset, bytes);
    return ret;
}

static int mirror_top_pdiscard(BlockDriverState *bs, int64_t offset,
                               int64_t bytes)
{
    int ret = bdrv_pdiscard(bs->file, offset, bytes);

    mirror_top_written(bs, ret, offset, bytes);
    return ret;
}

static int mirror_top_flush(BlockDriverState *bs)
{
    return bdrv_flush(bs->file->bs);
}

static int64_t mirror_top_getlength(BlockDriverState *bs)
{
    return bdrv_getlength(bs->file->bs);
}

static int mirror_top_block_status(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, int64_t *pnum)
{
    return bdrv_block_status(bs->file->bs, offset, bytes, pnum);
}

static bool mirror_top_reopen_rw(BlockDriverState *bs, bool read_only,
                                 Error **errp)
{
    return true;
}

static const BlockDriver bdrv_mirror_top = {
    .format_name = "x-mirror-top",
    .instance_size = sizeof(MirrorTopState),
    .is_filter = true,
    .bdrv_open = mirror_top_open,
    .bdrv_reopen_rw = mirror_top_reopen_rw,
    .bdrv_preadv = mirror_top_preadv,
    .bdrv_pwritev = mirror_top_pwritev,
    .bdrv_pwrite_zeroes = mirror_top_pwrite_zeroes,
    .bdrv_pdiscard = mirror_top_pdiscard,
    .bdrv_flush = mirror_top_flush,
    .bdrv_getlength = mirror_top_getlength,
    .bdrv_block_status = mirror_top_block_status,
};

static void __attribute__((constructor)) mirror_register(void)
{
    bdrv_register(&bdrv_mirror_top);
}

/* The job */

static int mirror_copy_chunk(MirrorState *m, int64_t chunk, uint8_t *buf)
{
    int64_t off = chunk * MIRROR_CHUNK;
    int64_t n = MIN(MIRROR_CHUNK, m->len - off);
    QEMUIOVector qiov;
    int ret;

    trace_mirror_copy(block_job_id(m->job), off, n);
    qemu_iovec_init_buf(&qiov, buf, n);
    ret = bdrv_node_preadv(m->source, off, n, &qiov, 0);
    if (ret == 0) {
        ret = bdrv_node_pwritev(m->target, off, n, &qiov, 0);
    }
    return ret;
}

static int mirror_run(BlockJob *job)
{
    MirrorState *m = block_job_opaque(job);
    g_autofree uint8_t *buf = g_malloc(MIRROR_CHUNK);

    for (;;) {
        int64_t chunk;
        int ret;

        if (block_job_is_cancelled(job) && !block_job_is_ready(job)) {
            return -ECANCELED;
        }
        chunk = mirror_take_dirty(m);
        if (chunk >= 0) {
            ret = mirror_copy_chunk(m, chunk, buf);
            if (ret < 0) {
                return ret;
            }
            m->done += MIN(MIRROR_CHUNK, m->len - chunk * MIRROR_CHUNK);
            g_mutex_lock(&m->lock);
            block_job_progress(job, m->done,
                               m->done + m->n_dirty * MIRROR_CHUNK);
            g_mutex_unlock(&m->lock);
            continue;
        }
        ret = bdrv_flush(m->target);
        if (ret < 0) {
            return ret;
        }
        if (!block_job_is_ready(job)) {
            block_job_set_ready(job);
        }
        if (block_job_is_cancelled(job) || block_job_should_complete(job)) {
            /* writes that came before the cancel must reach the target */
            if (!mirror_has_dirty(m)) {
                return 0;
            }
            continue;
        }
        block_job_sleep(job, 100);
    }
}

static void mirror_restore_backends(MirrorState *m, BlockDriverState *root)
{
    GSList *l;

    for (l = m->backends; l; l = l->next) {
        BlockBackend *blk = l->data;

        if (blk_bs(blk) == m->filter) {
            blk_remove_bs(blk);
            blk_insert_bs(blk, root, NULL);
        }
    }
    g_slist_free(m->backends);
    m->backends = NULL;
}

static void mirror_clean(BlockJob *job, int ret)
{
    MirrorState *m = block_job_opaque(job);
    MirrorTopState *t = m->filter->opaque;
    bool pivot = ret == 0 && block_job_should_complete(job) &&
                 !block_job_is_cancelled(job);

    bdrv_drain_all();
    __atomic_store_n(&t->m, NULL, __ATOMIC_RELEASE);
    mirror_restore_backends(m, pivot ? m->target : m->source);
}

static void mirror_free(BlockJob *job)
{
    MirrorState *m = block_job_opaque(job);

    bdrv_unref(m->filter);
    bdrv_unref(m->target);
    bdrv_unref(m->source);
    g_mutex_clear(&m->lock);
    g_free(m->dirty);
    g_free(m);
}

static const BlockJobDriver mirror_job_driver = {
    .type = "mirror",
    .type_enum = JOB_TYPE_MIRROR,
    .run = mirror_run,
    .clean = mirror_clean,
    .free = mirror_free,
};

/* drive-mirror */

static bool target_is_uri(const char *target)
{
    return g_str_has_prefix(target, "nbd:") ||
           g_str_has_prefix(target, "nbd+");
}

static BlockDriverState *mirror_open_target(DriveMirror *arg, int64_t len,
                                            Error **errp)
{
    const char *fmt = arg->has_format ? arg->format : "raw";
    bool existing = !arg->has_mode || arg->mode == NEW_IMAGE_MODE_EXISTING;
    QDict *opts = qdict_new();

    if (strcmp(fmt, "raw") && strcmp(fmt, "qcow2")) {
        error_setg(errp, "Unsupported target format '%s'", fmt);
        qobject_unref(opts);
        return NULL;
    }
    if (!target_is_uri(arg->target) && !existing &&
        !g_file_test(arg->target, G_FILE_TEST_EXISTS)) {
        bool ok;

        if (!strcmp(fmt, "qcow2")) {
            ok = qcow2_create_file(arg->target, len, NULL, NULL, errp);
        } else {
            int fd = open(arg->target, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

            ok = fd >= 0 && ftruncate(fd, len) == 0;
            if (!ok) {
                error_setg_errno(errp, errno, "Could not create '%s'",
                                 arg->target);
            }
            if (fd >= 0) {
                close(fd);
            }
        }
        if (!ok) {
            qobject_unref(opts);
            return NULL;
        }
    }
    qdict_put_str(opts, "driver", fmt);
    qdict_put_str(opts, "file.driver",
                  target_is_uri(arg->target) ? "nbd" : "file");
    qdict_put_str(opts, "file.filename", arg->target);
    if (arg->has_node_name) {
        qdict_put_str(opts, "node-name", arg->node_name);
    }
    return bdrv_open(opts, errp);
}

void qmp_drive_mirror(DriveMirror *arg, Error **errp)
{
    BlockBackend *blk = blk_by_name(arg->device);
    BlockDriverState *source = blk ? blk_bs(blk) : bdrv_find_node(arg->device);
    const char *id = arg->has_job_id ? arg->job_id : arg->device;
    MirrorState *m;
    QDict *opts;
    int64_t len, tlen;

    if (!source) {
        error_setg(errp, "Cannot find device='%s' nor node-name='%s'",
                   arg->device, arg->device);
        return;
    }
    if (block_job_find(id)) {
        error_setg(errp, "Job ID '%s' already in use", id);
        return;
    }
    if (arg->sync != MIRROR_SYNC_MODE_FULL &&
        arg->sync != MIRROR_SYNC_MODE_TOP &&
        arg->sync != MIRROR_SYNC_MODE_NONE) {
        error_setg(errp, "Sync mode '%s' not supported",
                   MirrorSyncMode_str(arg->sync));
        return;
    }
    len = bdrv_getlength(source);
    if (len < 0) {
        error_setg_errno(errp, -len, "Cannot get the size of '%s'",
                         arg->device);
        return;
    }
    m = g_new0(MirrorState, 1);
    g_mutex_init(&m->lock);
    m->len = len;
    m->n_chunks = DIV_ROUND_UP(len, MIRROR_CHUNK);
    m->dirty = g_malloc0(MAX(m->n_chunks, 1));
    m->source = source;
    bdrv_ref(source);
    m->target = mirror_open_target(arg, len, errp);
    if (!m->target) {
        goto fail;
    }
    tlen = bdrv_getlength(m->target);
    if (tlen != len) {
        error_setg(errp, "Source and target image have different sizes");
        goto fail;
    }
    opts = qdict_new();
    qdict_put_str(opts, "driver", bdrv_mirror_top.format_name);
    qdict_put_str(opts, "file", bdrv_get_node_name(source));
    qdict_put_bool(opts, "read-only", bdrv_is_read_only(source));
    m->filter = bdrv_open(opts, errp);
    if (!m->filter) {
        goto fail;
    }
    m->job = block_job_create(id, &mirror_job_driver, m,
                              arg->has_speed ? arg->speed : 0, errp);
    if (!m->job) {
        goto fail;
    }
    if (arg->sync != MIRROR_SYNC_MODE_NONE) {
        memset(m->dirty, 1, m->n_chunks);
        m->n_dirty = m->n_chunks;
    }
    block_job_progress(m->job, 0, len);
    /* from now on, writes through the drives are tracked */
    ((MirrorTopState *)m->filter->opaque)->m = m;
    bdrv_drain_all();
    for (blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        if (blk_bs(blk) == source) {
            blk_remove_bs(blk);
            blk_insert_bs(blk, m->filter, &error_abort);
            m->backends = g_slist_prepend(m->backends, blk);
        }
    }
    block_job_start(m->job);
    return;

fail:
    if (m->filter) {
        bdrv_unref(m->filter);
    }
    if (m->target) {
        bdrv_unref(m->target);
    }
    bdrv_unref(m->source);
    g_mutex_clear(&m->lock);
    g_free(m->dirty);
    g_free(m);
}
