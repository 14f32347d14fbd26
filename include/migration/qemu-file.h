/*
 * QEMUFile: a buffered, one-direction byte stream over a QIOChannel.
 *
 * The migration stream, the COLO checkpoint channel and device-state
 * buffers are all QEMUFiles.  Integers are big-endian on the wire.
 *
 *     writer:  qemu_put_*() --> 32 KiB buffer --flush--> channel
 *     reader:  channel --fill--> 32 KiB buffer --> qemu_get_*()
 *
 * Errors latch: the first failure (I/O error, EOF in the middle of a
 * read, a caller's qemu_file_set_error()) is kept, and from then on puts
 * are dropped and gets return zeroes.  Code may therefore do a run of
 * qemu_get_*() calls and check qemu_file_get_error() once afterwards;
 * a truncated stream can never make a reader run past its buffer.
 *
 * A QEMUFile holds a reference on its channel.  If the channel is
 * non-blocking, reads and writes wait for it with qio_channel_wait(), so
 * use a QEMUFile from a thread that may block (migration/COLO thread),
 * or over a buffer channel.
 */
#ifndef MIGRATION_QEMU_FILE_H
#define MIGRATION_QEMU_FILE_H

#include "qapi/error.h"
#include "io/channel.h"

typedef struct QEMUFile QEMUFile;

/* Size of the internal buffer; also the largest qemu_peek_buffer(). */
#define IO_BUF_SIZE 32768

/**
 * qemu_file_new_output / qemu_file_new_input: wrap @ioc (a reference is
 * taken; qemu_fclose() drops it).
 */
QEMUFile *qemu_file_new_output(QIOChannel *ioc);
QEMUFile *qemu_file_new_input(QIOChannel *ioc);

/**
 * qemu_fclose: flush (output), release the channel reference and free.
 * Returns 0 or the latched negative errno.  @f may be NULL.
 */
int qemu_fclose(QEMUFile *f);

/* Writes buffered data to the channel; errors latch. */
void qemu_fflush(QEMUFile *f);

void qemu_put_byte(QEMUFile *f, uint8_t v);
void qemu_put_be16(QEMUFile *f, uint16_t v);
void qemu_put_be32(QEMUFile *f, uint32_t v);
void qemu_put_be64(QEMUFile *f, uint64_t v);
void qemu_put_buffer(QEMUFile *f, const uint8_t *buf, size_t size);
/* u8 length + bytes; @str must be shorter than 256 bytes. */
void qemu_put_counted_string(QEMUFile *f, const char *str);

static inline void qemu_put_sbyte(QEMUFile *f, int8_t v)
{
    qemu_put_byte(f, (uint8_t)v);
}

/* Each returns 0 (after latching -EIO) when the stream ends early. */
uint8_t qemu_get_byte(QEMUFile *f);
uint16_t qemu_get_be16(QEMUFile *f);
uint32_t qemu_get_be32(QEMUFile *f);
uint64_t qemu_get_be64(QEMUFile *f);

static inline int8_t qemu_get_sbyte(QEMUFile *f)
{
    return (int8_t)qemu_get_byte(f);
}

/**
 * qemu_get_buffer: read exactly @size bytes into @buf.
 * Returns the number of bytes read; less than @size means the stream
 * ended or failed (the error is latched and the rest of @buf is zeroed).
 */
size_t qemu_get_buffer(QEMUFile *f, uint8_t *buf, size_t size);

/**
 * qemu_get_counted_string: read a u8 length and that many bytes into
 * @buf (256 bytes), NUL-terminated.  Returns the length, or 0 on error.
 */
size_t qemu_get_counted_string(QEMUFile *f, char buf[256]);

/**
 * qemu_peek_byte / qemu_peek_buffer: look ahead without consuming.
 * qemu_peek_byte returns the byte at @offset from the read position, or
 * -1 if the stream ends first (nothing latched).  qemu_peek_buffer makes
 * @size bytes at @offset available at *@buf (valid until the next get)
 * and returns how many are available (@offset + @size <= IO_BUF_SIZE).
 */
int qemu_peek_byte(QEMUFile *f, size_t offset);
size_t qemu_peek_buffer(QEMUFile *f, uint8_t **buf, size_t size,
                        size_t offset);

/* Discards @size bytes (latching an error if the stream ends first). */
void qemu_file_skip(QEMUFile *f, size_t size);

/**
 * qemu_file_get_error: the latched error as a negative errno, or 0.
 * qemu_file_get_error_obj: same, and copies the detailed Error (if any)
 * into @errp.
 */
int qemu_file_get_error(QEMUFile *f);
int qemu_file_get_error_obj(QEMUFile *f, Error **errp);

/**
 * qemu_file_set_error: latch @ret (negative errno) unless an error is
 * already latched.  qemu_file_set_error_obj also keeps @err (consumed).
 */
void qemu_file_set_error(QEMUFile *f, int ret);
void qemu_file_set_error_obj(QEMUFile *f, int ret, Error *err);

/* True if the stream reached a clean end (read side, nothing latched). */
bool qemu_file_at_eof(QEMUFile *f);

/* Bytes put (output) or consumed (input) since creation. */
uint64_t qemu_file_transferred(QEMUFile *f);

/**
 * Rate limiting (output).  qemu_file_set_rate_limit() sets how many
 * bytes may be sent per period (0: unlimited); qemu_file_rate_limit()
 * tells the producer to pause when the current period's budget is
 * spent; the caller's period timer calls qemu_file_reset_rate_limit().
 */
void qemu_file_set_rate_limit(QEMUFile *f, uint64_t bytes_per_period);
uint64_t qemu_file_get_rate_limit(QEMUFile *f);
bool qemu_file_rate_limit(QEMUFile *f);
void qemu_file_reset_rate_limit(QEMUFile *f);

bool qemu_file_is_writable(QEMUFile *f);
QIOChannel *qemu_file_get_ioc(QEMUFile *f);

/**
 * qemu_file_shutdown: shut the channel down in both directions so that a
 * thread blocked on it returns (yank, failover).  Latches -EIO.
 */
int qemu_file_shutdown(QEMUFile *f);

/**
 * qemu_file_new_buffer_output: a QEMUFile writing into a growable memory
 * buffer of at most @max bytes (writing more latches -ENOSPC).
 * qemu_file_new_buffer_input: a QEMUFile reading a copy of @data.
 * Both own their QIOChannelBuffer; qemu_file_get_ioc() reaches it.
 */
QEMUFile *qemu_file_new_buffer_output(size_t initial, size_t max);
QEMUFile *qemu_file_new_buffer_input(const uint8_t *data, size_t len);

/**
 * qemu_file_buffer_data: flush @f (a buffer output) and return its data
 * and length; the memory stays owned by the channel.
 */
const uint8_t *qemu_file_buffer_data(QEMUFile *f, size_t *len);

/**
 * qemu_put_blob: write be64 @len and @len bytes (e.g. a device-state
 * buffer from qemu_file_buffer_data()).
 */
void qemu_put_blob(QEMUFile *f, const uint8_t *data, uint64_t len);

/**
 * qemu_get_blob: read what qemu_put_blob() wrote into a new input
 * QEMUFile over a memory buffer, so that it is parsed only once it has
 * fully arrived.  A length above @max fails ("... exceeds the limit")
 * before anything is allocated, and memory grows only as data arrives.
 * Returns NULL with @errp on a bad length or a short/failing stream.
 */
QEMUFile *qemu_get_blob(QEMUFile *f, uint64_t max, Error **errp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QEMUFile, qemu_fclose)

#endif
