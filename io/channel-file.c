/*
 * QIOChannelFile: a channel over a single owned fd.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "io/channel-file.h"
#include "io/channel-util.h"

static QIOChannelFile *fioc_of(QIOChannel *ioc)
{
    return container_of(ioc, QIOChannelFile, parent);
}

static ssize_t file_readv(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, Error **errp)
{
    return qio_fd_readv(fioc_of(ioc)->fd, iov, niov, errp);
}

static ssize_t file_writev(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, Error **errp)
{
    QIOChannelFile *fioc = fioc_of(ioc);

    return qio_fd_writev(fioc->fd, iov, niov, fioc->is_socket, errp);
}

static bool file_set_blocking(QIOChannel *ioc, bool enabled, Error **errp)
{
    return qio_fd_set_blocking(fioc_of(ioc)->fd, enabled, errp);
}

static bool file_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                          Error **errp)
{
    QIOChannelFile *fioc = fioc_of(ioc);
    int mode = how == QIO_CHANNEL_SHUTDOWN_READ ? SHUT_RD :
               how == QIO_CHANNEL_SHUTDOWN_WRITE ? SHUT_WR : SHUT_RDWR;

    if (!fioc->is_socket) {
        error_setg(errp, "Channel '%s' (not a socket) cannot be shut down",
                   qio_channel_get_name(ioc));
        return false;
    }
    if (shutdown(fioc->fd, mode) < 0) {
        error_setg_errno(errp, errno, "Unable to shut down socket");
        return false;
    }
    return true;
}

static bool file_close(QIOChannel *ioc, Error **errp)
{
    QIOChannelFile *fioc = fioc_of(ioc);
    int fd = fioc->fd;

    fioc->fd = -1;
    if (fd >= 0 && close(fd) < 0) {
        error_setg_errno(errp, errno, "Unable to close file");
        return false;
    }
    return true;
}

static int file_poll_fd(QIOChannel *ioc, GIOCondition cond)
{
    return fioc_of(ioc)->fd;
}

static void file_finalize(QIOChannel *ioc)
{
    g_free(fioc_of(ioc));
}

static const QIOChannelOps file_ops = {
    .kind = "file",
    .readv = file_readv,
    .writev = file_writev,
    .set_blocking = file_set_blocking,
    .shutdown = file_shutdown,
    .close = file_close,
    .poll_fd = file_poll_fd,
    .finalize = file_finalize,
};

QIOChannelFile *qio_channel_file_new_fd(int fd)
{
    QIOChannelFile *fioc = g_new0(QIOChannelFile, 1);
    struct stat st;

    qio_channel_init(&fioc->parent, &file_ops);
    fioc->fd = fd;
    fioc->is_socket = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
    fioc->parent.blocking = !(fcntl(fd, F_GETFL) & O_NONBLOCK);
    return fioc;
}

QIOChannelFile *qio_channel_file_new_path(const char *path, int flags,
                                          mode_t mode, Error **errp)
{
    int fd = open(path, flags | O_CLOEXEC, mode);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Unable to open '%s'", path);
        return NULL;
    }
    return qio_channel_file_new_fd(fd);
}
