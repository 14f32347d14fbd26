/*
 * QIOChannel: a small byte-channel abstraction for migration and COLO.
 *
 * A channel is a plain struct whose first member is QIOChannel, with an
 * ops table per kind (no QOM: channels are not user-creatable):
 *
 *     QIOChannelSocket   tcp / unix stream sockets   io/channel-socket.c
 *     QIOChannelFile     any fd (fd:, files, pipes)  io/channel-file.c
 *     QIOChannelCommand  /bin/sh -c CMD over pipes   io/channel-command.c
 *     QIOChannelBuffer   growable memory buffer      io/channel-buffer.c
 *
 * Reads and writes follow one convention: >0 bytes moved, 0 end of file
 * (reads only), QIO_CHANNEL_ERR_BLOCK when a non-blocking channel would
 * block, -1 with @errp set on error.  Channels are reference counted.
 */
#ifndef IO_CHANNEL_H
#define IO_CHANNEL_H

#include <sys/uio.h>
#include "qapi/error.h"

typedef struct QIOChannel QIOChannel;
typedef struct QIOChannelOps QIOChannelOps;

#define QIO_CHANNEL_ERR_BLOCK -2

typedef enum QIOChannelShutdown {
    QIO_CHANNEL_SHUTDOWN_READ = 1,
    QIO_CHANNEL_SHUTDOWN_WRITE = 2,
    QIO_CHANNEL_SHUTDOWN_BOTH = 3,
} QIOChannelShutdown;

/* Watch callback: return G_SOURCE_CONTINUE to keep watching. */
typedef gboolean (*QIOChannelFunc)(QIOChannel *ioc, GIOCondition condition,
                                   gpointer data);

struct QIOChannelOps {
    const char *kind;
    ssize_t (*readv)(QIOChannel *ioc, const struct iovec *iov, size_t niov,
                     Error **errp);
    ssize_t (*writev)(QIOChannel *ioc, const struct iovec *iov, size_t niov,
                      Error **errp);
    bool (*set_blocking)(QIOChannel *ioc, bool enabled, Error **errp);
    bool (*shutdown)(QIOChannel *ioc, QIOChannelShutdown how, Error **errp);
    bool (*close)(QIOChannel *ioc, Error **errp);
    /* fd to poll for @cond, or -1 if the channel is always ready */
    int (*poll_fd)(QIOChannel *ioc, GIOCondition cond);
    void (*finalize)(QIOChannel *ioc);
};

struct QIOChannel {
    const QIOChannelOps *ops;
    int refcount;
    char *name;
    bool blocking;
    bool closed;
    int timeout_ms;     /* 0: none; see qio_channel_set_timeout() */
};

#define QIO_CHANNEL(obj) (&(obj)->parent)

/* For channel implementations: set up the common part (refcount 1). */
void qio_channel_init(QIOChannel *ioc, const QIOChannelOps *ops);

QIOChannel *qio_channel_ref(QIOChannel *ioc);
/* Drops a reference; the last one closes (if open) and frees. */
void qio_channel_unref(QIOChannel *ioc);

/* A name for traces and errors ("migration-socket-outgoing" ...). */
void qio_channel_set_name(QIOChannel *ioc, const char *name);
const char *qio_channel_get_name(QIOChannel *ioc);
const char *qio_channel_kind(QIOChannel *ioc);

ssize_t qio_channel_readv(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, Error **errp);
ssize_t qio_channel_writev(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, Error **errp);
ssize_t qio_channel_read(QIOChannel *ioc, void *buf, size_t len,
                         Error **errp);
ssize_t qio_channel_write(QIOChannel *ioc, const void *buf, size_t len,
                          Error **errp);

/**
 * qio_channel_read_all_eof: read exactly @len bytes, waiting on
 * non-blocking channels.  Returns 1 on success, 0 on EOF before the
 * first byte, -1 (with @errp) on error or EOF part-way.
 */
int qio_channel_read_all_eof(QIOChannel *ioc, void *buf, size_t len,
                             Error **errp);
/* Read exactly @len bytes; EOF is an error ("Unexpected end-of-file"). */
bool qio_channel_read_all(QIOChannel *ioc, void *buf, size_t len,
                          Error **errp);
/* Write all of @buf (or @iov), waiting on non-blocking channels. */
bool qio_channel_write_all(QIOChannel *ioc, const void *buf, size_t len,
                           Error **errp);
bool qio_channel_writev_all(QIOChannel *ioc, const struct iovec *iov,
                            size_t niov, Error **errp);

bool qio_channel_set_blocking(QIOChannel *ioc, bool enabled, Error **errp);

/**
 * qio_channel_set_timeout: make every read or write that would wait
 * longer than @ms milliseconds for the peer fail with "Timed out ..."
 * (0: wait forever, the default).  For peer channels (migration, COLO)
 * whose peer may vanish without closing the connection.
 */
void qio_channel_set_timeout(QIOChannel *ioc, int ms);
/**
 * qio_channel_set_tcp_user_timeout: on a TCP socket, data left
 * unacknowledged by the peer for @ms breaks the connection (so a writer
 * notices a peer that went silent).  Returns false if @ioc is not TCP.
 */
bool qio_channel_set_tcp_user_timeout(QIOChannel *ioc, unsigned ms);
bool qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                          Error **errp);
/* Closes the underlying fds; further I/O fails.  Idempotent. */
bool qio_channel_close(QIOChannel *ioc, Error **errp);

/**
 * qio_channel_wait: block until @cond (G_IO_IN / G_IO_OUT) may hold, or
 * @timeout_ms passes (-1: forever).  Returns false on timeout.
 */
bool qio_channel_wait(QIOChannel *ioc, GIOCondition cond, int timeout_ms);

/**
 * qio_channel_create_watch: a GSource dispatching @func when @cond
 * holds (always, for buffer channels).  The source holds a channel
 * reference.  qio_channel_add_watch attaches it to @ctx (NULL: the
 * default context) and returns its id.
 */
GSource *qio_channel_create_watch(QIOChannel *ioc, GIOCondition cond);
guint qio_channel_add_watch(QIOChannel *ioc, GIOCondition cond,
                            QIOChannelFunc func, gpointer user_data,
                            GDestroyNotify notify, GMainContext *ctx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QIOChannel, qio_channel_unref)

#endif
