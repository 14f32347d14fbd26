/*
 * QIOChannelBuffer: a growable, capped memory buffer channel (layout in
 * include/io/channel-buffer.h).
 */
#include "qemu/osdep.h"
#include "io/channel-buffer.h"

static QIOChannelBuffer *bioc_of(QIOChannel *ioc)
{
    return container_of(ioc, QIOChannelBuffer, parent);
}

static ssize_t buffer_readv(QIOChannel *ioc, const struct iovec *iov,
                            size_t niov, Error **errp)
{
    QIOChannelBuffer *b = bioc_of(ioc);
    ssize_t done = 0;
    size_t i;

    for (i = 0; i < niov && b->offset < b->usage; i++) {
        size_t n = MIN(iov[i].iov_len, b->usage - b->offset);

        memcpy(iov[i].iov_base, b->data + b->offset, n);
        b->offset += n;
        done += n;
    }
    return done;
}

static bool buffer_reserve(QIOChannelBuffer *b, size_t want, Error **errp)
{
    size_t cap;

    if (want > b->max) {
        error_setg(errp, "Buffer channel data of %zu bytes exceeds the "
                   "limit of %zu bytes", want, b->max);
        return false;
    }
    if (want <= b->capacity) {
        return true;
    }
    cap = MAX(b->capacity, (size_t)4096);
    while (cap < want) {
        cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
    }
    cap = MIN(cap, b->max);
    b->data = g_realloc(b->data, cap);
    b->capacity = cap;
    return true;
}

static ssize_t buffer_writev(QIOChannel *ioc, const struct iovec *iov,
                             size_t niov, Error **errp)
{
    QIOChannelBuffer *b = bioc_of(ioc);
    size_t total = 0;
    size_t i;

    for (i = 0; i < niov; i++) {
        if (iov[i].iov_len > SIZE_MAX - total - b->usage) {
            error_setg(errp, "Buffer channel size overflow");
            return -1;
        }
        total += iov[i].iov_len;
    }
    if (!buffer_reserve(b, b->usage + total, errp)) {
        return -1;
    }
    for (i = 0; i < niov; i++) {
        memcpy(b->data + b->usage, iov[i].iov_base, iov[i].iov_len);
        b->usage += iov[i].iov_len;
    }
    return total;
}

static bool buffer_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                            Error **errp)
{
    return true;
}

static void buffer_finalize(QIOChannel *ioc)
{
    QIOChannelBuffer *b = bioc_of(ioc);

    g_free(b->data);
    g_free(b);
}

static const QIOChannelOps buffer_ops = {
    .kind = "buffer",
    .readv = buffer_readv,
    .writev = buffer_writev,
    .shutdown = buffer_shutdown,
    .finalize = buffer_finalize,
};

QIOChannelBuffer *qio_channel_buffer_new(size_t initial, size_t max)
{
    QIOChannelBuffer *b = g_new0(QIOChannelBuffer, 1);

    qio_channel_init(&b->parent, &buffer_ops);
    b->max = max ? max : SIZE_MAX;
    b->capacity = MIN(initial, b->max);
    b->data = b->capacity ? g_malloc(b->capacity) : NULL;
    return b;
}

QIOChannelBuffer *qio_channel_buffer_new_from(const uint8_t *data,
                                              size_t len)
{
    QIOChannelBuffer *b = qio_channel_buffer_new(len, 0);

    if (len) {
        memcpy(b->data, data, len);
    }
    b->usage = len;
    return b;
}

QIOChannelBuffer *qio_channel_buffer_of(QIOChannel *ioc)
{
    return ioc && ioc->ops == &buffer_ops ? bioc_of(ioc) : NULL;
}

void qio_channel_buffer_reset(QIOChannelBuffer *bioc)
{
    bioc->usage = 0;
    bioc->offset = 0;
}

void qio_channel_buffer_rewind(QIOChannelBuffer *bioc)
{
    bioc->offset = 0;
}
