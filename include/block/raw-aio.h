/*
 * Linux native AIO (aio=native) for the file protocol.
 *
 * Requests still run synchronously in a block layer thread (block_int.h):
 * the thread submits one iocb on its own io_context (created on first
 * use, destroyed when the thread exits) and waits for its completion.
 * Builds without libaio get stubs: laio_available() is false.
 */
#ifndef BLOCK_RAW_AIO_H
#define BLOCK_RAW_AIO_H

#include "qemu/iov.h"

/** laio_available: true if this build has Linux AIO */
bool laio_available(void);

/**
 * laio_rw: positioned read or write of @qiov (aligned for O_DIRECT)
 * through io_submit/io_getevents.  Reads past EOF return zeroes.
 * Returns: 0 or -errno.
 */
int laio_rw(int fd, int64_t offset, QEMUIOVector *qiov, bool write);

#endif
