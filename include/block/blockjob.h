/*
 * Block jobs (block/blockjob.c): long-running operations on the block
 * graph that run in their own thread and report through QMP
 * (query-block-jobs, block-job-cancel/complete, BLOCK_JOB_* and
 * JOB_STATUS_CHANGE events).  The only job type is mirror (block/mirror.c,
 * drive-mirror), which COLO's re-protection procedure uses.
 *
 * Life cycle (status names are QAPI JobStatus):
 *
 *   created -> running --(driver: block_job_set_ready)--> ready
 *      |          |                                          |
 *      |          +---------- run() returns -----------------+
 *      v                        v
 *                   waiting -> pending -> concluded -> null (freed)
 *
 * run() executes in the job thread; every other callback and every
 * event runs in the main loop (bottom halves), with the BQL.
 */
#ifndef BLOCK_BLOCKJOB_H
#define BLOCK_BLOCKJOB_H

#include "qapi/error.h"

typedef struct BlockJob BlockJob;

typedef struct BlockJobDriver {
    const char *type;           /* "mirror" */
    int type_enum;              /* QAPI JobType value */
    /* job thread: the work; 0 or -errno (-ECANCELED if cancelled) */
    int (*run)(BlockJob *job);
    /* main loop, after run(): undo graph changes, pivot if completed */
    void (*clean)(BlockJob *job, int ret);
    /* main loop: free the driver's state */
    void (*free)(BlockJob *job);
} BlockJobDriver;

/**
 * block_job_create: a job in state "created" (not yet running).
 * @id: unique among jobs
 * Returns: the job, or NULL if @id is in use.
 */
BlockJob *block_job_create(const char *id, const BlockJobDriver *drv,
                           void *opaque, int64_t speed, Error **errp);
/** block_job_start: start the job's thread */
void block_job_start(BlockJob *job);

void *block_job_opaque(BlockJob *job);
const char *block_job_id(BlockJob *job);

/* Job thread side */
bool block_job_is_cancelled(BlockJob *job);
bool block_job_should_complete(BlockJob *job);
/** block_job_set_ready: the job can be completed (BLOCK_JOB_READY) */
void block_job_set_ready(BlockJob *job);
bool block_job_is_ready(BlockJob *job);
/** block_job_progress: work done / total so far */
void block_job_progress(BlockJob *job, int64_t done, int64_t total);
/** block_job_sleep: wait until kicked, cancelled or @ms passed */
void block_job_sleep(BlockJob *job, int ms);
/** block_job_kick: wake a sleeping job (any thread) */
void block_job_kick(BlockJob *job);

/* Main loop side */
BlockJob *block_job_find(const char *id);
bool block_job_cancel(BlockJob *job, Error **errp);
bool block_job_complete(BlockJob *job, Error **errp);

#endif
