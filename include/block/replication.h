/*
 * Block replication for COLO (block/replication.c): the node's stage
 * machine and the operations the COLO participant runs.  Normally they
 * are driven through the COLO participant registry
 * (include/migration/colo.h); tests and the monitor call them directly.
 */
#ifndef BLOCK_REPLICATION_H
#define BLOCK_REPLICATION_H

#include "block/block.h"

typedef enum ReplicationMode {
    REPLICATION_MODE_PRIMARY,
    REPLICATION_MODE_SECONDARY,
} ReplicationMode;

typedef enum ReplicationStage {
    REPLICATION_STAGE_RUNNING,      /* replicating */
    REPLICATION_STAGE_FAILOVER,     /* secondary: committing */
    REPLICATION_STAGE_DONE,         /* stopped after a failover */
    REPLICATION_STAGE_BROKEN,       /* a child failed */
} ReplicationStage;

const char *replication_stage_str(ReplicationStage stage);

/** bdrv_is_replication: @bs is a "replication" node */
bool bdrv_is_replication(BlockDriverState *bs);

/** replication_get_stage: the stage of replication node @bs */
ReplicationStage replication_get_stage(BlockDriverState *bs);

/**
 * replication_do_checkpoint: secondary: empty the active and hidden
 * overlays (VM stopped).  No-op on the primary.
 */
bool replication_do_checkpoint(BlockDriverState *bs, Error **errp);

/**
 * replication_failover: secondary: commit active + hidden into the
 * secondary disk, then pass I/O straight to it; guest requests wait
 * meanwhile.  Primary: stop replicating.
 */
bool replication_failover(BlockDriverState *bs, Error **errp);

/** replication_get_error: false (and @errp) if the node is broken */
bool replication_get_error(BlockDriverState *bs, Error **errp);

#endif
