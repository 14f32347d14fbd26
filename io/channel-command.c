/*
 * QIOChannelCommand: a channel to a shell command over two pipes.
 */
#include "qemu/osdep.h"
#include <sys/wait.h>
#include "io/channel-command.h"
#include "io/channel-util.h"

static QIOChannelCommand *cioc_of(QIOChannel *ioc)
{
    return container_of(ioc, QIOChannelCommand, parent);
}

static ssize_t command_readv(QIOChannel *ioc, const struct iovec *iov,
                             size_t niov, Error **errp)
{
    return qio_fd_readv(cioc_of(ioc)->readfd, iov, niov, errp);
}

static ssize_t command_writev(QIOChannel *ioc, const struct iovec *iov,
                              size_t niov, Error **errp)
{
    return qio_fd_writev(cioc_of(ioc)->writefd, iov, niov, false, errp);
}

static bool command_set_blocking(QIOChannel *ioc, bool enabled,
                                 Error **errp)
{
    QIOChannelCommand *cioc = cioc_of(ioc);

    return qio_fd_set_blocking(cioc->readfd, enabled, errp) &&
           qio_fd_set_blocking(cioc->writefd, enabled, errp);
}

static void command_close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static bool command_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                             Error **errp)
{
    QIOChannelCommand *cioc = cioc_of(ioc);

    /*
     * Half-closing the write side gives the child EOF on its stdin.  To
     * unblock another thread stuck on the channel (yank), terminate the
     * child instead of closing fds under that thread's feet: its end of
     * both pipes closes, so reads see EOF and writes EPIPE.
     */
    if (how == QIO_CHANNEL_SHUTDOWN_WRITE) {
        command_close_fd(&cioc->writefd);
    } else if (cioc->pid > 0 && cioc->exit_status == -1) {
        kill(-cioc->pid, SIGTERM);
    }
    return true;
}

/* Reaps the child, waiting up to @ms milliseconds. */
static bool command_reap(QIOChannelCommand *cioc, int ms)
{
    int status;
    pid_t ret;

    for (;;) {
        ret = waitpid(cioc->pid, &status, WNOHANG);
        if (ret == cioc->pid) {
            cioc->exit_status = status;
            return true;
        }
        if (ret < 0 && errno != EINTR) {
            return true;        /* not our child any more */
        }
        if (ms <= 0) {
            return false;
        }
        g_usleep(10 * 1000);
        ms -= 10;
    }
}

static bool command_close(QIOChannel *ioc, Error **errp)
{
    QIOChannelCommand *cioc = cioc_of(ioc);

    command_close_fd(&cioc->writefd);
    command_close_fd(&cioc->readfd);
    if (cioc->pid <= 0) {
        return true;
    }
    if (!command_reap(cioc, 1000)) {
        kill(-cioc->pid, SIGTERM);
        if (!command_reap(cioc, 1000)) {
            kill(-cioc->pid, SIGKILL);
            command_reap(cioc, 1000);
        }
    }
    cioc->pid = 0;
    if (cioc->exit_status != 0) {
        error_setg(errp, "Command exited with status 0x%x",
                   cioc->exit_status);
        return false;
    }
    return true;
}

static int command_poll_fd(QIOChannel *ioc, GIOCondition cond)
{
    QIOChannelCommand *cioc = cioc_of(ioc);

    return cond & G_IO_OUT ? cioc->writefd : cioc->readfd;
}

static void command_finalize(QIOChannel *ioc)
{
    g_free(cioc_of(ioc));
}

static const QIOChannelOps command_ops = {
    .kind = "command",
    .readv = command_readv,
    .writev = command_writev,
    .set_blocking = command_set_blocking,
    .shutdown = command_shutdown,
    .close = command_close,
    .poll_fd = command_poll_fd,
    .finalize = command_finalize,
};

/*
 * The shell and whatever it starts get a process group of their own, so
 * that terminating the channel reaches the command that holds the pipes
 * (sh -c does not always exec it).
 */
static void command_child_setup(gpointer data)
{
    setpgid(0, 0);
}

QIOChannelCommand *qio_channel_command_new_spawn(const char *command,
                                                 Error **errp)
{
    const char *argv[] = { "/bin/sh", "-c", command, NULL };
    QIOChannelCommand *cioc;
    GError *gerr = NULL;
    GPid pid;
    int in_fd, out_fd;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD,
                                  command_child_setup, NULL,
                                  &pid, &in_fd, &out_fd, NULL, &gerr)) {
        error_setg(errp, "Unable to spawn command '%s': %s", command,
                   gerr->message);
        g_error_free(gerr);
        return NULL;
    }
    setpgid(pid, pid);          /* also from here: no window for kill */
    fcntl(in_fd, F_SETFD, FD_CLOEXEC);
    fcntl(out_fd, F_SETFD, FD_CLOEXEC);
    cioc = g_new0(QIOChannelCommand, 1);
    qio_channel_init(&cioc->parent, &command_ops);
    cioc->writefd = in_fd;
    cioc->readfd = out_fd;
    cioc->pid = pid;
    cioc->exit_status = -1;
    return cioc;
}
