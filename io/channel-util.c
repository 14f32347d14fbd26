/*
 * fd helpers shared by the socket, file and command channels.
 */
#include "qemu/osdep.h"
#include <pthread.h>
#include <sys/socket.h>
#include "io/channel-util.h"

ssize_t qio_fd_readv(int fd, const struct iovec *iov, size_t niov,
                     Error **errp)
{
    ssize_t ret;

    do {
        ret = readv(fd, iov, MIN(niov, (size_t)IOV_MAX));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return QIO_CHANNEL_ERR_BLOCK;
        }
        error_setg_errno(errp, errno, "Unable to read from channel");
        return -1;
    }
    return ret;
}

static ssize_t qio_socket_writev(int fd, const struct iovec *iov,
                                 size_t niov)
{
    struct msghdr msg = {
        .msg_iov = (struct iovec *)iov,
        .msg_iovlen = MIN(niov, (size_t)IOV_MAX),
    };

    return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

/*
 * writev() on a pipe whose reader is gone raises SIGPIPE, which would
 * kill the process unless it is ignored.  Block it around the write and
 * swallow the one this write caused.
 */
static ssize_t qio_pipe_writev(int fd, const struct iovec *iov, size_t niov)
{
    sigset_t pipe_set, old_set, pending;
    bool was_pending;
    ssize_t ret;
    int err;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    ret = writev(fd, iov, MIN(niov, (size_t)IOV_MAX));
    err = errno;
    if (ret < 0 && err == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };

        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    errno = err;
    return ret;
}

ssize_t qio_fd_writev(int fd, const struct iovec *iov, size_t niov,
                      bool is_socket, Error **errp)
{
    ssize_t ret;

    do {
        ret = is_socket ? qio_socket_writev(fd, iov, niov)
                        : qio_pipe_writev(fd, iov, niov);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return QIO_CHANNEL_ERR_BLOCK;
        }
        error_setg_errno(errp, errno, "Unable to write to channel");
        return -1;
    }
    return ret;
}

bool qio_fd_set_blocking(int fd, bool enabled, Error **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        error_setg_errno(errp, errno, "Unable to get fd flags");
        return false;
    }
    flags = enabled ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
    if (fcntl(fd, F_SETFL, flags) < 0) {
        error_setg_errno(errp, errno, "Unable to set fd flags");
        return false;
    }
    return true;
}
