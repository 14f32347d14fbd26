/*
 * Private helpers of the fd-based chardev backends.
 *
 * chr_io_read_source_new() watches @fd for input, but only while the
 * frontend can take data (qemu_chr_be_can_write() > 0): the source's
 * prepare step re-checks that on every iteration, so a throttled
 * frontend leaves the data in the kernel until it calls
 * qemu_chr_fe_accept_input().
 */
#ifndef CHARDEV_CHAR_IO_H
#define CHARDEV_CHAR_IO_H

#include "chardev/char.h"

/* @max: bytes the frontend accepts; @revents: poll result. */
typedef void ChrIOReadFunc(void *opaque, GIOCondition revents, int max);

/* Created attached to @ctx (NULL: main loop); g_source_destroy+unref. */
GSource *chr_io_read_source_new(Chardev *chr, int fd, GMainContext *ctx,
                                ChrIOReadFunc *fn, void *opaque);

/* Destroys and unrefs *@src, setting it to NULL. */
void chr_io_source_remove(GSource **src);

/* A plain fd watch for @cond (no throttling), e.g. accept/connect. */
typedef void ChrIOWatchFunc(void *opaque, GIOCondition revents);
GSource *chr_io_watch_new(int fd, GIOCondition cond, GMainContext *ctx,
                          ChrIOWatchFunc *fn, void *opaque);

/* Sets O_NONBLOCK; false on failure. */
bool chr_fd_set_nonblock(int fd);

/* write() loop for blocking-style backends (file, stdio); bytes or -1. */
int chr_fd_write(int fd, const uint8_t *buf, int len);

#endif
