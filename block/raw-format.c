/*
 * Format driver "raw": the guest sees the "file" child as is, or the
 * window [offset, offset + size) of it.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qemu/cutils.h"

typedef struct BDRVRawState {
    int64_t offset;
    int64_t size;       /* -1: up to the end of the child */
} BDRVRawState;

static bool raw_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    int64_t len;

    if (!bdrv_opt_take_int(opts, "offset", 0, &s->offset, errp) ||
        !bdrv_opt_take_int(opts, "size", -1, &s->size, errp)) {
        return false;
    }
    if (!bdrv_open_child(bs, opts, "file", BDRV_CHILD_FILE, false, errp)) {
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), bs->file->bs->filename);
    len = bdrv_getlength(bs->file->bs);
    if (len < 0) {
        error_setg_errno(errp, -len, "Could not get the size of '%s'",
                         bs->filename);
        return false;
    }
    if (s->offset > len) {
        error_setg(errp, "The sum of offset (%" PRId64 ") and size (0) has "
                   "to be smaller or equal to the  actual size of the "
                   "containing file (%" PRId64 ")", s->offset, len);
        return false;
    }
    if (s->size >= 0 && s->offset + s->size > len) {
        error_setg(errp, "The sum of offset (%" PRId64 ") and size (%"
                   PRId64 ") has to be smaller or equal to the  actual size "
                   "of the containing file (%" PRId64 ")",
                   s->offset, s->size, len);
        return false;
    }
    return true;
}

static int64_t raw_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    int64_t len;

    if (s->size >= 0) {
        return s->size;
    }
    len = bdrv_getlength(bs->file->bs);
    return len < 0 ? len : MAX(len - s->offset, 0);
}

/* Clamp a request to the window; false if it starts outside it. */
static bool raw_window(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVRawState *s = bs->opaque;

    return s->size < 0 || offset + bytes <= s->size;
}

static int raw_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, int flags)
{
    BDRVRawState *s = bs->opaque;

    if (!raw_window(bs, offset, bytes)) {
        return -EIO;
    }
    return bdrv_preadv(bs->file, s->offset + offset, bytes, qiov, flags);
}

/*
 * A probed raw image must not become something else: refuse writes
 * that would put a qcow2 magic at offset 0 (the guest could otherwise
 * make the next probe open it as qcow2, backing file and all).
 */
static bool raw_write_makes_format(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, QEMUIOVector *qiov)
{
    uint8_t head[4] = { 0 };
    QEMUIOVector hq;

    if (!bs->probed || offset >= 4) {
        return false;
    }
    qemu_iovec_init_buf(&hq, head, sizeof(head));
    if (offset > 0 || bytes < 4) {
        raw_preadv(bs, 0, 4, &hq, 0);
    }
    qemu_iovec_to_buf(qiov, 0, head + offset, MIN(bytes, 4 - offset));
    return !memcmp(head, "QFI\xfb", 4);
}

static int raw_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, int flags)
{
    BDRVRawState *s = bs->opaque;

    if (!raw_window(bs, offset, bytes)) {
        return -EIO;
    }
    if (raw_write_makes_format(bs, offset, bytes, qiov)) {
        return -EPERM;
    }
    return bdrv_pwritev(bs->file, s->offset + offset, bytes, qiov, flags);
}

static int raw_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int flags)
{
    BDRVRawState *s = bs->opaque;

    if (!raw_window(bs, offset, bytes)) {
        return -EIO;
    }
    return bdrv_pwrite_zeroes(bs->file, s->offset + offset, bytes, flags);
}

static int raw_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVRawState *s = bs->opaque;

    if (!raw_window(bs, offset, bytes)) {
        return -EIO;
    }
    return bdrv_pdiscard(bs->file, s->offset + offset, bytes);
}

static int raw_flush(BlockDriverState *bs)
{
    return bdrv_flush(bs->file->bs);
}

static bool raw_truncate(BlockDriverState *bs, int64_t offset, Error **errp)
{
    BDRVRawState *s = bs->opaque;

    if (s->offset || s->size >= 0) {
        error_setg(errp, "Cannot resize a raw node with offset or size");
        return false;
    }
    return bdrv_truncate(bs->file, offset, errp);
}

static int raw_block_status(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int64_t *pnum)
{
    BDRVRawState *s = bs->opaque;

    return bdrv_block_status(bs->file->bs, s->offset + offset, bytes, pnum) |
           BDRV_BLOCK_ALLOCATED;
}

static void raw_refresh_limits(BlockDriverState *bs)
{
    bs->request_alignment = bs->file->bs->request_alignment;
}

static bool raw_reopen_rw(BlockDriverState *bs, bool read_only,
                          Error **errp)
{
    return true;    /* the file child did the work */
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .instance_size = sizeof(BDRVRawState),
    .is_format = true,
    .bdrv_open = raw_open,
    .bdrv_reopen_rw = raw_reopen_rw,
    .bdrv_preadv = raw_preadv,
    .bdrv_pwritev = raw_pwritev,
    .bdrv_pwrite_zeroes = raw_pwrite_zeroes,
    .bdrv_pdiscard = raw_pdiscard,
    .bdrv_flush = raw_flush,
    .bdrv_getlength = raw_getlength,
    .bdrv_truncate = raw_truncate,
    .bdrv_block_status = raw_block_status,
    .bdrv_refresh_limits = raw_refresh_limits,
};
