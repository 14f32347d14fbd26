/*
 * I/O vectors (include/qemu/iov.h).
 */
#include "qemu/osdep.h"
#include "qemu/iov.h"

size_t iov_size(const struct iovec *iov, unsigned int niov)
{
    size_t len = 0;
    unsigned int i;

    for (i = 0; i < niov; i++) {
        len += iov[i].iov_len;
    }
    return len;
}

/*
 * Walk @bytes of @iov from @offset, calling @fn on each piece with the
 * position inside the caller's linear buffer.
 */
typedef void IovPieceFn(void *piece, size_t len, size_t done, void *opaque);

static size_t iov_walk(const struct iovec *iov, unsigned int niov,
                       size_t offset, size_t bytes, IovPieceFn *fn,
                       void *opaque)
{
    size_t done = 0;
    unsigned int i;

    for (i = 0; i < niov && done < bytes; i++) {
        size_t len = iov[i].iov_len;
        size_t n;

        if (offset >= len) {
            offset -= len;
            continue;
        }
        n = MIN(len - offset, bytes - done);
        fn((uint8_t *)iov[i].iov_base + offset, n, done, opaque);
        done += n;
        offset = 0;
    }
    return done;
}

static void piece_from(void *piece, size_t len, size_t done, void *opaque)
{
    memcpy(piece, (const uint8_t *)opaque + done, len);
}

static void piece_to(void *piece, size_t len, size_t done, void *opaque)
{
    memcpy((uint8_t *)opaque + done, piece, len);
}

static void piece_set(void *piece, size_t len, size_t done, void *opaque)
{
    memset(piece, *(int *)opaque, len);
}

static void piece_zero(void *piece, size_t len, size_t done, void *opaque)
{
    const uint8_t *p = piece;
    bool *zero = opaque;
    size_t i;

    for (i = 0; i < len && *zero; i++) {
        if (p[i]) {
            *zero = false;
        }
    }
}

size_t iov_from_buf(const struct iovec *iov, unsigned int niov,
                    size_t offset, const void *buf, size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_from, (void *)buf);
}

size_t iov_to_buf(const struct iovec *iov, unsigned int niov,
                  size_t offset, void *buf, size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_to, buf);
}

size_t iov_memset(const struct iovec *iov, unsigned int niov,
                  size_t offset, int c, size_t bytes)
{
    return iov_walk(iov, niov, offset, bytes, piece_set, &c);
}

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint)
{
    memset(qiov, 0, sizeof(*qiov));
    qiov->nalloc = MAX(alloc_hint, 1);
    qiov->iov = g_new(struct iovec, qiov->nalloc);
}

void qemu_iovec_init_buf(QEMUIOVector *qiov, void *buf, size_t len)
{
    memset(qiov, 0, sizeof(*qiov));
    qiov->local.iov_base = buf;
    qiov->local.iov_len = len;
    qiov->iov = &qiov->local;
    qiov->niov = 1;
    qiov->nalloc = -1;
    qiov->size = len;
}

void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len)
{
    assert(qiov->nalloc != -1);
    if (len == 0) {
        return;
    }
    if (qiov->niov == qiov->nalloc) {
        qiov->nalloc = 2 * qiov->nalloc + 1;
        qiov->iov = g_renew(struct iovec, qiov->iov, qiov->nalloc);
    }
    qiov->iov[qiov->niov].iov_base = base;
    qiov->iov[qiov->niov].iov_len = len;
    qiov->niov++;
    qiov->size += len;
}

void qemu_iovec_concat(QEMUIOVector *dst, QEMUIOVector *src,
                       size_t soffset, size_t sbytes)
{
    int i;

    for (i = 0; i < src->niov && sbytes > 0; i++) {
        size_t len = src->iov[i].iov_len;
        size_t n;

        if (soffset >= len) {
            soffset -= len;
            continue;
        }
        n = MIN(len - soffset, sbytes);
        qemu_iovec_add(dst, (uint8_t *)src->iov[i].iov_base + soffset, n);
        sbytes -= n;
        soffset = 0;
    }
}

void qemu_iovec_reset(QEMUIOVector *qiov)
{
    assert(qiov->nalloc != -1);
    qiov->niov = 0;
    qiov->size = 0;
}

void qemu_iovec_destroy(QEMUIOVector *qiov)
{
    if (qiov->nalloc != -1) {
        g_free(qiov->iov);
    }
    memset(qiov, 0, sizeof(*qiov));
}

size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes)
{
    return iov_to_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes)
{
    return iov_from_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset, int c,
                         size_t bytes)
{
    return iov_memset(qiov->iov, qiov->niov, offset, c, bytes);
}

bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t offset, size_t bytes)
{
    bool zero = true;

    iov_walk(qiov->iov, qiov->niov, offset, bytes, piece_zero, &zero);
    return zero;
}
