/*
 * Shared fd helpers for the fd-based channels (socket, file, command).
 */
#ifndef IO_CHANNEL_UTIL_H
#define IO_CHANNEL_UTIL_H

#include "io/channel.h"

/*
 * readv/writev on @fd with the channel conventions: EINTR retried,
 * EAGAIN -> QIO_CHANNEL_ERR_BLOCK, other errors -> -1 + @errp.  Writes
 * never raise SIGPIPE (a closed peer is an EPIPE error).
 */
ssize_t qio_fd_readv(int fd, const struct iovec *iov, size_t niov,
                     Error **errp);
ssize_t qio_fd_writev(int fd, const struct iovec *iov, size_t niov,
                      bool is_socket, Error **errp);
bool qio_fd_set_blocking(int fd, bool enabled, Error **errp);

#endif
