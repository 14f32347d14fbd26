/*
 * Quorum and replication drivers: the few entry points outside the
 * BlockDriver table (block/quorum.c, block/replication.c).
 */
#ifndef BLOCK_QUORUM_H
#define BLOCK_QUORUM_H

#include "block/block_int.h"

extern const BlockDriver bdrv_quorum;
extern const BlockDriver bdrv_replication;

/* The operation a report is about (values of QAPI QuorumOpType) */
typedef enum QuorumOp {
    QUORUM_OP_READ,
    QUORUM_OP_WRITE,
    QUORUM_OP_FLUSH,
} QuorumOp;

/*
 * QuorumReportFn: a child of quorum node @bs failed a request (or
 * disagreed in a vote, @ret = -EIO).  Called in the request's thread.
 * The QMP layer installs one that emits QUORUM_REPORT_BAD.
 */
typedef void QuorumReportFn(void *opaque, BlockDriverState *bs,
                            BlockDriverState *child, QuorumOp op,
                            int64_t offset, int64_t bytes, int ret);

/** quorum_set_default_report: the reporter of quorum nodes opened later */
void quorum_set_default_report(QuorumReportFn *fn, void *opaque);

/** quorum_set_report: the reporter of quorum node @bs */
void quorum_set_report(BlockDriverState *bs, QuorumReportFn *fn,
                       void *opaque);

/** quorum_failures: child request failures seen by quorum node @bs */
uint64_t quorum_failures(BlockDriverState *bs);

bool bdrv_is_quorum(BlockDriverState *bs);

#endif
