/*
 * QIOChannel: reference counting, the read/write-all helpers that wait on
 * non-blocking channels, and GSource watches.  The kinds of channel live
 * in io/channel-*.c.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "io/channel.h"

void qio_channel_init(QIOChannel *ioc, const QIOChannelOps *ops)
{
    ioc->ops = ops;
    ioc->refcount = 1;
    ioc->blocking = true;
}

QIOChannel *qio_channel_ref(QIOChannel *ioc)
{
    g_atomic_int_inc(&ioc->refcount);
    return ioc;
}

void qio_channel_unref(QIOChannel *ioc)
{
    if (!ioc || !g_atomic_int_dec_and_test(&ioc->refcount)) {
        return;
    }
    qio_channel_close(ioc, NULL);
    g_free(ioc->name);
    ioc->ops->finalize(ioc);
}

void qio_channel_set_name(QIOChannel *ioc, const char *name)
{
    g_free(ioc->name);
    ioc->name = g_strdup(name);
}

const char *qio_channel_get_name(QIOChannel *ioc)
{
    return ioc->name ? ioc->name : ioc->ops->kind;
}

const char *qio_channel_kind(QIOChannel *ioc)
{
    return ioc->ops->kind;
}

void qio_channel_set_timeout(QIOChannel *ioc, int ms)
{
    ioc->timeout_ms = MAX(ms, 0);
}

bool qio_channel_set_tcp_user_timeout(QIOChannel *ioc, unsigned ms)
{
    int fd = ioc->ops->poll_fd ? ioc->ops->poll_fd(ioc, G_IO_OUT) : -1;

    return fd >= 0 &&
           setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms,
                      sizeof(ms)) == 0;
}

/* Checks that @ioc is usable and, with a timeout, ready for @cond. */
static bool qio_channel_io_ready(QIOChannel *ioc, GIOCondition cond,
                                 Error **errp)
{
    if (ioc->closed) {
        error_setg(errp, "Channel '%s' is closed", qio_channel_get_name(ioc));
        return false;
    }
    if (ioc->timeout_ms && !qio_channel_wait(ioc, cond, ioc->timeout_ms)) {
        error_setg_errno(errp, ETIMEDOUT, "Timed out after %d ms %s "
                         "channel '%s'", ioc->timeout_ms,
                         cond == G_IO_IN ? "reading from" : "writing to",
                         qio_channel_get_name(ioc));
        return false;
    }
    return true;
}

ssize_t qio_channel_readv(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, Error **errp)
{
    if (!qio_channel_io_ready(ioc, G_IO_IN, errp)) {
        return -1;
    }
    return ioc->ops->readv(ioc, iov, niov, errp);
}

ssize_t qio_channel_writev(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, Error **errp)
{
    if (!qio_channel_io_ready(ioc, G_IO_OUT, errp)) {
        return -1;
    }
    return ioc->ops->writev(ioc, iov, niov, errp);
}

ssize_t qio_channel_read(QIOChannel *ioc, void *buf, size_t len,
                         Error **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };

    return qio_channel_readv(ioc, &iov, 1, errp);
}

ssize_t qio_channel_write(QIOChannel *ioc, const void *buf, size_t len,
                          Error **errp)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return qio_channel_writev(ioc, &iov, 1, errp);
}

bool qio_channel_wait(QIOChannel *ioc, GIOCondition cond, int timeout_ms)
{
    struct pollfd pfd;
    int fd = ioc->ops->poll_fd ? ioc->ops->poll_fd(ioc, cond) : -1;
    int ret;

    if (fd < 0) {
        return true;
    }
    pfd.fd = fd;
    pfd.events = (cond & G_IO_IN ? POLLIN : 0) |
                 (cond & G_IO_OUT ? POLLOUT : 0);
    do {
        ret = poll(&pfd, 1, timeout_ms);
    } while (ret < 0 && errno == EINTR);
    return ret != 0;
}

int qio_channel_read_all_eof(QIOChannel *ioc, void *buf, size_t len,
                             Error **errp)
{
    uint8_t *p = buf;
    size_t done = 0;

    while (done < len) {
        ssize_t n = qio_channel_read(ioc, p + done, len - done, errp);

        if (n == QIO_CHANNEL_ERR_BLOCK) {
            qio_channel_wait(ioc, G_IO_IN, -1);
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            if (done == 0) {
                return 0;
            }
            error_setg(errp, "Unexpected end-of-file before all data "
                       "were read");
            return -1;
        }
        done += n;
    }
    return 1;
}

bool qio_channel_read_all(QIOChannel *ioc, void *buf, size_t len,
                          Error **errp)
{
    int ret = qio_channel_read_all_eof(ioc, buf, len, errp);

    if (ret == 0 && len) {
        error_setg(errp, "Unexpected end-of-file before all data were "
                   "read");
    }
    return ret > 0 || len == 0;
}

bool qio_channel_writev_all(QIOChannel *ioc, const struct iovec *iov,
                            size_t niov, Error **errp)
{
    g_autofree struct iovec *local = g_memdup2(iov, niov * sizeof(*iov));
    struct iovec *cur = local;

    while (niov) {
        ssize_t n = qio_channel_writev(ioc, cur, niov, errp);

        if (n == QIO_CHANNEL_ERR_BLOCK) {
            qio_channel_wait(ioc, G_IO_OUT, -1);
            continue;
        }
        if (n < 0) {
            return false;
        }
        while (niov && (size_t)n >= cur->iov_len) {
            n -= cur->iov_len;
            cur++;
            niov--;
        }
        if (niov) {
            cur->iov_base = (uint8_t *)cur->iov_base + n;
            cur->iov_len -= n;
        }
        /* skip empty trailing vectors */
        while (niov && cur->iov_len == 0) {
            cur++;
            niov--;
        }
    }
    return true;
}

bool qio_channel_write_all(QIOChannel *ioc, const void *buf, size_t len,
                           Error **errp)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return qio_channel_writev_all(ioc, &iov, 1, errp);
}

bool qio_channel_set_blocking(QIOChannel *ioc, bool enabled, Error **errp)
{
    if (ioc->ops->set_blocking &&
        !ioc->ops->set_blocking(ioc, enabled, errp)) {
        return false;
    }
    ioc->blocking = enabled;
    return true;
}

bool qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                          Error **errp)
{
    if (!ioc->ops->shutdown) {
        error_setg(errp, "Channel '%s' does not support shutdown",
                   qio_channel_get_name(ioc));
        return false;
    }
    return ioc->ops->shutdown(ioc, how, errp);
}

bool qio_channel_close(QIOChannel *ioc, Error **errp)
{
    if (ioc->closed) {
        return true;
    }
    ioc->closed = true;
    return ioc->ops->close ? ioc->ops->close(ioc, errp) : true;
}

/* ---- Watches ---- */

typedef struct QIOChannelSource {
    GSource parent;
    QIOChannel *ioc;
    GIOCondition cond;
    gpointer tag;       /* unix fd tag, NULL for always-ready channels */
} QIOChannelSource;

static gboolean qio_source_prepare(GSource *source, gint *timeout)
{
    QIOChannelSource *s = (QIOChannelSource *)source;

    *timeout = -1;
    return s->tag == NULL;
}

static gboolean qio_source_check(GSource *source)
{
    QIOChannelSource *s = (QIOChannelSource *)source;

    if (!s->tag) {
        return TRUE;
    }
    return (g_source_query_unix_fd(source, s->tag) &
            (s->cond | G_IO_HUP | G_IO_ERR)) != 0;
}

static gboolean qio_source_dispatch(GSource *source, GSourceFunc callback,
                                    gpointer user_data)
{
    QIOChannelSource *s = (QIOChannelSource *)source;
    QIOChannelFunc func = (QIOChannelFunc)callback;
    GIOCondition cond = s->cond;

    if (s->tag) {
        cond = g_source_query_unix_fd(source, s->tag) &
               (s->cond | G_IO_HUP | G_IO_ERR);
    }
    if (!func) {
        return G_SOURCE_REMOVE;
    }
    return func(s->ioc, cond, user_data);
}

static void qio_source_finalize(GSource *source)
{
    QIOChannelSource *s = (QIOChannelSource *)source;

    qio_channel_unref(s->ioc);
}

static GSourceFuncs qio_source_funcs = {
    .prepare = qio_source_prepare,
    .check = qio_source_check,
    .dispatch = qio_source_dispatch,
    .finalize = qio_source_finalize,
};

GSource *qio_channel_create_watch(QIOChannel *ioc, GIOCondition cond)
{
    GSource *source = g_source_new(&qio_source_funcs,
                                   sizeof(QIOChannelSource));
    QIOChannelSource *s = (QIOChannelSource *)source;
    int fd = ioc->ops->poll_fd ? ioc->ops->poll_fd(ioc, cond) : -1;

    s->ioc = qio_channel_ref(ioc);
    s->cond = cond;
    if (fd >= 0) {
        s->tag = g_source_add_unix_fd(source, fd, cond);
    }
    g_source_set_name(source, qio_channel_get_name(ioc));
    return source;
}

guint qio_channel_add_watch(QIOChannel *ioc, GIOCondition cond,
                            QIOChannelFunc func, gpointer user_data,
                            GDestroyNotify notify, GMainContext *ctx)
{
    GSource *source = qio_channel_create_watch(ioc, cond);
    guint id;

    g_source_set_callback(source, (GSourceFunc)func, user_data, notify);
    id = g_source_attach(source, ctx);
    g_source_unref(source);
    return id;
}
