/*
 * The file protocol driver (block/file-posix.c) as seen by devices that
 * complete requests in the thread that submits them.
 *
 * A request flagged BDRV_REQ_NOWAIT runs synchronously in the caller's
 * thread and either completes from the host page cache without
 * sleeping (preadv2/pwritev2 with RWF_NOWAIT) or fails with -EAGAIN
 * before changing anything visible, and the caller then submits it
 * normally (blk_aio_*).  Only a graph of a file node, or a raw format
 * node directly over one, honours the flag; bdrv_file_nowait_usable()
 * says whether a node is such a graph.
 */
#ifndef BLOCK_FILE_POSIX_H
#define BLOCK_FILE_POSIX_H

#include "block/block_int.h"

/**
 * bdrv_file_nowait_usable: whether a BDRV_REQ_NOWAIT request on @bs is
 * honoured: @bs is a file node, or a raw format node over one, opened
 * without O_DIRECT (a direct read always waits for the device), whose
 * file system has not refused non-blocking I/O in that direction, and
 * for @write with detect-zeroes off (its zero path ignores the flag).
 * A false answer only means "submit it normally".
 */
bool bdrv_file_nowait_usable(BlockDriverState *bs, bool write);

#endif
