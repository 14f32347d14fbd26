/*
 * QIOChannelFile: a channel over one fd of any kind (regular file, pipe,
 * character device, or a socket passed in with fd:).  The channel owns
 * the fd and closes it.
 */
#ifndef IO_CHANNEL_FILE_H
#define IO_CHANNEL_FILE_H

#include "io/channel.h"

typedef struct QIOChannelFile {
    QIOChannel parent;
    int fd;
    bool is_socket;
} QIOChannelFile;

/* Wraps @fd (ownership moves to the channel). */
QIOChannelFile *qio_channel_file_new_fd(int fd);

/* Opens @path with open(2) @flags and @mode. */
QIOChannelFile *qio_channel_file_new_path(const char *path, int flags,
                                          mode_t mode, Error **errp);

#endif
