/*
 * Block job framework and its QMP commands (see include/block/blockjob.h
 * for the life cycle): query-block-jobs, block-job-cancel,
 * block-job-complete; BLOCK_JOB_READY/COMPLETED/CANCELLED and
 * JOB_STATUS_CHANGE events, always emitted from the main loop.
 */
#include "qemu/osdep.h"
#include "block/blockjob.h"
#include "qemu/main-loop.h"
#include "qapi/qapi-commands-block-export.h"
#include "qapi/qapi-events-block-export.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/util.h"
#include "trace/trace-nbd.h"

QMP_COMMAND_IMPLEMENTED(query_block_jobs);
QMP_COMMAND_IMPLEMENTED(block_job_cancel);
QMP_COMMAND_IMPLEMENTED(block_job_complete);

struct BlockJob {
    const BlockJobDriver *drv;
    void *opaque;
    char *id;
    JobStatus status;           /* main loop only */
    GMutex lock;                /* protects the fields below */
    GCond cond;
    bool kicked;
    bool cancelled;
    bool should_complete;
    bool ready;
    int64_t offset;
    int64_t len;
    int64_t speed;
    int ret;
    char *error;
    GThread *thread;
    QEMUBH *ready_bh;
    QEMUBH *done_bh;
};

/* All jobs, main loop only */
static GList *jobs;

static void job_set_status(BlockJob *job, JobStatus status)
{
    job->status = status;
    trace_block_job_status(job->id, status);
    qapi_event_send_job_status_change(job->id, status);
}

BlockJob *block_job_find(const char *id)
{
    GList *l;

    for (l = jobs; l; l = l->next) {
        BlockJob *job = l->data;

        if (!strcmp(job->id, id)) {
            return job;
        }
    }
    return NULL;
}

static void job_ready_bh(void *opaque)
{
    BlockJob *job = opaque;

    if (job->status != JOB_STATUS_RUNNING) {
        return;
    }
    job_set_status(job, JOB_STATUS_READY);
    g_mutex_lock(&job->lock);
    qapi_event_send_block_job_ready(job->drv->type_enum, job->id, job->len,
                                    job->offset, job->speed);
    g_mutex_unlock(&job->lock);
}

static void job_done_bh(void *opaque)
{
    BlockJob *job = opaque;
    bool cancelled;

    g_thread_join(job->thread);
    job->thread = NULL;
    job_set_status(job, JOB_STATUS_WAITING);
    job_set_status(job, JOB_STATUS_PENDING);
    if (job->drv->clean) {
        job->drv->clean(job, job->ret);
    }
    cancelled = job->ret == -ECANCELED;
    if (cancelled) {
        qapi_event_send_block_job_cancelled(job->drv->type_enum, job->id,
                                            job->len, job->offset,
                                            job->speed);
    } else {
        qapi_event_send_block_job_completed(job->drv->type_enum, job->id,
                                            job->len, job->offset,
                                            job->speed, job->ret < 0,
                                            job->error);
    }
    job_set_status(job, JOB_STATUS_CONCLUDED);
    job_set_status(job, JOB_STATUS_NULL);
    jobs = g_list_remove(jobs, job);
    if (job->drv->free) {
        job->drv->free(job);
    }
    qemu_bh_delete(job->ready_bh);
    qemu_bh_delete(job->done_bh);
    g_mutex_clear(&job->lock);
    g_cond_clear(&job->cond);
    g_free(job->error);
    g_free(job->id);
    g_free(job);
}

BlockJob *block_job_create(const char *id, const BlockJobDriver *drv,
                           void *opaque, int64_t speed, Error **errp)
{
    BlockJob *job;

    if (block_job_find(id)) {
        error_setg(errp, "Job ID '%s' already in use", id);
        return NULL;
    }
    job = g_new0(BlockJob, 1);
    job->drv = drv;
    job->opaque = opaque;
    job->id = g_strdup(id);
    job->speed = speed;
    g_mutex_init(&job->lock);
    g_cond_init(&job->cond);
    job->ready_bh = qemu_bh_new(job_ready_bh, job);
    job->done_bh = qemu_bh_new(job_done_bh, job);
    jobs = g_list_append(jobs, job);
    job_set_status(job, JOB_STATUS_CREATED);
    return job;
}

static gpointer job_thread(gpointer opaque)
{
    BlockJob *job = opaque;
    int ret = job->drv->run(job);

    g_mutex_lock(&job->lock);
    job->ret = ret;
    if (ret < 0 && ret != -ECANCELED) {
        job->error = g_strdup(g_strerror(-ret));
    }
    g_mutex_unlock(&job->lock);
    qemu_bh_schedule(job->done_bh);
    return NULL;
}

void block_job_start(BlockJob *job)
{
    job_set_status(job, JOB_STATUS_RUNNING);
    job->thread = g_thread_new("block-job", job_thread, job);
}

void *block_job_opaque(BlockJob *job)
{
    return job->opaque;
}

const char *block_job_id(BlockJob *job)
{
    return job->id;
}

bool block_job_is_cancelled(BlockJob *job)
{
    bool r;

    g_mutex_lock(&job->lock);
    r = job->cancelled;
    g_mutex_unlock(&job->lock);
    return r;
}

bool block_job_should_complete(BlockJob *job)
{
    bool r;

    g_mutex_lock(&job->lock);
    r = job->should_complete;
    g_mutex_unlock(&job->lock);
    return r;
}

bool block_job_is_ready(BlockJob *job)
{
    bool r;

    g_mutex_lock(&job->lock);
    r = job->ready;
    g_mutex_unlock(&job->lock);
    return r;
}

void block_job_set_ready(BlockJob *job)
{
    g_mutex_lock(&job->lock);
    job->ready = true;
    g_mutex_unlock(&job->lock);
    qemu_bh_schedule(job->ready_bh);
}

void block_job_progress(BlockJob *job, int64_t done, int64_t total)
{
    g_mutex_lock(&job->lock);
    job->offset = done;
    job->len = total;
    g_mutex_unlock(&job->lock);
}

void block_job_sleep(BlockJob *job, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;

    g_mutex_lock(&job->lock);
    while (!job->kicked && !job->cancelled && !job->should_complete) {
        if (!g_cond_wait_until(&job->cond, &job->lock, end)) {
            break;
        }
    }
    job->kicked = false;
    g_mutex_unlock(&job->lock);
}

void block_job_kick(BlockJob *job)
{
    g_mutex_lock(&job->lock);
    job->kicked = true;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
}

bool block_job_cancel(BlockJob *job, Error **errp)
{
    if (job->status != JOB_STATUS_RUNNING &&
        job->status != JOB_STATUS_READY) {
        error_setg(errp, "Job '%s' in state '%s' cannot accept command "
                   "verb 'cancel'", job->id, JobStatus_str(job->status));
        return false;
    }
    g_mutex_lock(&job->lock);
    job->cancelled = true;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
    if (job->status == JOB_STATUS_RUNNING) {
        job_set_status(job, JOB_STATUS_ABORTING);
    }
    return true;
}

bool block_job_complete(BlockJob *job, Error **errp)
{
    if (job->status != JOB_STATUS_READY) {
        error_setg(errp, "Job '%s' in state '%s' cannot accept command "
                   "verb 'complete'", job->id, JobStatus_str(job->status));
        return false;
    }
    g_mutex_lock(&job->lock);
    job->should_complete = true;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
    return true;
}

/* QMP */

static BlockJob *find_job(const char *id, Error **errp)
{
    BlockJob *job = block_job_find(id);

    if (!job) {
        error_setg(errp, "Block job '%s' not found", id);
    }
    return job;
}

void qmp_block_job_cancel(const char *device, bool has_force, bool force,
                          Error **errp)
{
    BlockJob *job = find_job(device, errp);

    if (job) {
        block_job_cancel(job, errp);
    }
}

void qmp_block_job_complete(const char *device, Error **errp)
{
    BlockJob *job = find_job(device, errp);

    if (job) {
        block_job_complete(job, errp);
    }
}

BlockJobInfoList *qmp_query_block_jobs(Error **errp)
{
    BlockJobInfoList *head = NULL, **tail = &head;
    GList *l;

    for (l = jobs; l; l = l->next) {
        BlockJob *job = l->data;
        BlockJobInfo *info = g_new0(BlockJobInfo, 1);

        g_mutex_lock(&job->lock);
        info->type = g_strdup(job->drv->type);
        info->device = g_strdup(job->id);
        info->len = job->len;
        info->offset = job->offset;
        info->busy = job->status == JOB_STATUS_RUNNING;
        info->speed = job->speed;
        info->io_status = BLOCK_DEVICE_IO_STATUS_OK;
        info->ready = job->ready;
        info->status = job->status;
        info->auto_finalize = true;
        info->auto_dismiss = true;
        g_mutex_unlock(&job->lock);
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}
