/*
 * QIOChannelBuffer: a channel over a growable memory buffer.
 *
 *     data [0 ........ offset ........ usage ........ capacity]   <= max
 *           already read   readable     free space
 *
 * Writes append at usage (growing the allocation up to @max bytes; a
 * write that would pass @max fails with "exceeds the limit"); reads
 * consume from offset and return 0 (EOF) at usage.  COLO saves device
 * state into one and loads it from another only once fully received.
 */
#ifndef IO_CHANNEL_BUFFER_H
#define IO_CHANNEL_BUFFER_H

#include "io/channel.h"

typedef struct QIOChannelBuffer {
    QIOChannel parent;
    uint8_t *data;
    size_t capacity;
    size_t usage;
    size_t offset;
    size_t max;
} QIOChannelBuffer;

/**
 * qio_channel_buffer_new: empty buffer; @initial bytes preallocated,
 * never more than @max bytes (0: SIZE_MAX).
 */
QIOChannelBuffer *qio_channel_buffer_new(size_t initial, size_t max);

/* A buffer holding a copy of @data, positioned at its start. */
QIOChannelBuffer *qio_channel_buffer_new_from(const uint8_t *data,
                                              size_t len);

/* Downcast; NULL if @ioc is not a buffer channel. */
QIOChannelBuffer *qio_channel_buffer_of(QIOChannel *ioc);

/* Forget the contents (keeps the allocation) for reuse. */
void qio_channel_buffer_reset(QIOChannelBuffer *bioc);

/* Rewind the read position to the start. */
void qio_channel_buffer_rewind(QIOChannelBuffer *bioc);

#endif
