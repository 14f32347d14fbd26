/*
 * Block layer synchronous I/O entry points: argument checks, read-only
 * enforcement, detect-zeroes and in-flight accounting around the driver
 * callbacks.  Runs in whatever thread calls it (block_int.h).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "trace/trace-block.h"

static bool req_valid(int64_t offset, int64_t bytes)
{
    return offset >= 0 && bytes >= 0 && offset <= INT64_MAX - bytes;
}

int bdrv_node_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, int flags)
{
    int ret;

    if (!req_valid(offset, bytes) || qiov->size < (size_t)bytes) {
        return -EINVAL;
    }
    if (!bs->drv->bdrv_preadv) {
        return -ENOTSUP;
    }
    if (bytes == 0) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_preadv(bs, offset, bytes, qiov, flags);
    bdrv_dec_in_flight(bs);
    return ret;
}

int bdrv_node_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int flags)
{
    int ret;

    if (!req_valid(offset, bytes)) {
        return -EINVAL;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (bytes == 0) {
        return 0;
    }
    if (!bs->discard_unmap) {
        flags &= ~BDRV_REQ_MAY_UNMAP;
    }
    bdrv_inc_in_flight(bs);
    ret = -ENOTSUP;
    if (bs->drv->bdrv_pwrite_zeroes) {
        ret = bs->drv->bdrv_pwrite_zeroes(bs, offset, bytes, flags);
    }
    if (ret == -ENOTSUP && !(flags & BDRV_REQ_NO_FALLBACK)) {
        /* fall back to writing a zeroed buffer, in bounded pieces */
        int64_t chunk = MIN(bytes, 1 << 20);
        g_autofree void *zeroes = g_malloc0(chunk);

        ret = 0;
        while (bytes > 0 && ret == 0) {
            QEMUIOVector qiov;
            int64_t n = MIN(bytes, chunk);

            qemu_iovec_init_buf(&qiov, zeroes, n);
            ret = bs->drv->bdrv_pwritev(bs, offset, n, &qiov, 0);
            offset += n;
            bytes -= n;
        }
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

int bdrv_node_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, int flags)
{
    int ret;

    if (!req_valid(offset, bytes) || qiov->size < (size_t)bytes) {
        return -EINVAL;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!bs->drv->bdrv_pwritev) {
        return -ENOTSUP;
    }
    if (bytes == 0) {
        return 0;
    }
    if (bs->detect_zeroes != BDRV_DETECT_ZEROES_OFF &&
        qemu_iovec_is_zero(qiov, 0, bytes)) {
        int zflags = bs->detect_zeroes == BDRV_DETECT_ZEROES_UNMAP ?
                     BDRV_REQ_MAY_UNMAP : 0;

        return bdrv_node_pwrite_zeroes(bs, offset, bytes, zflags);
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_pwritev(bs, offset, bytes, qiov, flags);
    if (ret == 0 && (flags & BDRV_REQ_FUA)) {
        ret = bdrv_flush(bs);
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

int bdrv_node_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    int ret = 0;

    if (!req_valid(offset, bytes)) {
        return -EINVAL;
    }
    if (bs->read_only) {
        return -EPERM;
    }
    if (!bs->discard_unmap || !bs->drv->bdrv_pdiscard || bytes == 0) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_pdiscard(bs, offset, bytes);
    bdrv_dec_in_flight(bs);
    return ret == -ENOTSUP ? 0 : ret;
}

int bdrv_flush(BlockDriverState *bs)
{
    int ret = 0;

    if (!bs || !bs->drv->bdrv_flush || bs->read_only) {
        return 0;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_flush(bs);
    bdrv_dec_in_flight(bs);
    return ret;
}

int bdrv_preadv(BdrvChild *child, int64_t offset, int64_t bytes,
                QEMUIOVector *qiov, int flags)
{
    return bdrv_node_preadv(child->bs, offset, bytes, qiov, flags);
}

int bdrv_pwritev(BdrvChild *child, int64_t offset, int64_t bytes,
                 QEMUIOVector *qiov, int flags)
{
    return bdrv_node_pwritev(child->bs, offset, bytes, qiov, flags);
}

int bdrv_pread(BdrvChild *child, int64_t offset, int64_t bytes, void *buf,
               int flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, buf, bytes);
    return bdrv_node_preadv(child->bs, offset, bytes, &qiov, flags);
}

int bdrv_pwrite(BdrvChild *child, int64_t offset, int64_t bytes,
                const void *buf, int flags)
{
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return bdrv_node_pwritev(child->bs, offset, bytes, &qiov, flags);
}

int bdrv_pwrite_zeroes(BdrvChild *child, int64_t offset, int64_t bytes,
                       int flags)
{
    return bdrv_node_pwrite_zeroes(child->bs, offset, bytes, flags);
}

int bdrv_pdiscard(BdrvChild *child, int64_t offset, int64_t bytes)
{
    return bdrv_node_pdiscard(child->bs, offset, bytes);
}

int64_t bdrv_getlength(BlockDriverState *bs)
{
    if (!bs->drv->bdrv_getlength) {
        return -ENOMEDIUM;
    }
    return bs->drv->bdrv_getlength(bs);
}

bool bdrv_truncate(BdrvChild *child, int64_t offset, Error **errp)
{
    return bdrv_node_truncate(child->bs, offset, errp);
}

bool bdrv_node_truncate(BlockDriverState *bs, int64_t offset, Error **errp)
{
    if (bs->read_only) {
        error_setg(errp, "Image is read-only");
        return false;
    }
    if (!bs->drv->bdrv_truncate) {
        error_setg(errp, "Image format '%s' does not support resizing",
                   bs->drv->format_name);
        return false;
    }
    return bs->drv->bdrv_truncate(bs, offset, errp);
}

int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      int64_t *pnum)
{
    *pnum = bytes;
    if (!bs->drv->bdrv_block_status) {
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    }
    return bs->drv->bdrv_block_status(bs, offset, bytes, pnum);
}

int bdrv_make_empty(BlockDriverState *bs)
{
    int ret;

    if (bs->read_only) {
        return -EPERM;
    }
    if (!bs->drv->bdrv_make_empty) {
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_make_empty(bs);
    bdrv_dec_in_flight(bs);
    return ret;
}
