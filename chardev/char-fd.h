/*
 * Base of the fd-backed chardevs (file, pipe, stdio, pty): an input fd
 * watched in chr->gcontext and an output fd written directly.
 */
#ifndef CHARDEV_CHAR_FD_H
#define CHARDEV_CHAR_FD_H

#include "chardev/char.h"

typedef struct FDChardev {
    Chardev parent;
    int fd_in;                  /* -1: no input */
    int fd_out;                 /* -1: output discarded */
    GSource *read_source;
    bool close_fds;             /* finalize closes fd_in/fd_out */
} FDChardev;

#define FD_CHARDEV(obj) OBJECT_CHECK(FDChardev, (obj), TYPE_CHARDEV_FD)

/* Adopt @fd_in/@fd_out (either may be -1) and start reading. */
void qemu_chr_open_fd(Chardev *chr, int fd_in, int fd_out);

#endif
