/*
 * QEMUFile: buffered big-endian stream over a QIOChannel (see
 * include/migration/qemu-file.h for the error-latching rules).
 *
 *     output: buf[0 .. buf_index) is pending, written out when full
 *             and on qemu_fflush()
 *     input:  buf[buf_index .. buf_size) is unread; refilled (after
 *             moving the unread tail to the front) when a get needs more
 */
#include "qemu/osdep.h"
#include "migration/qemu-file.h"
#include "io/channel-buffer.h"

struct QEMUFile {
    QIOChannel *ioc;
    bool is_writable;
    bool eof;
    int shutdown;               /* atomic: set by qemu_file_shutdown() */
    int last_error;
    Error *last_error_obj;
    size_t buf_index;
    size_t buf_size;
    uint64_t total;
    uint64_t rate_limit_max;
    uint64_t rate_limit_used;
    uint8_t buf[IO_BUF_SIZE];
};

static QEMUFile *qemu_file_new(QIOChannel *ioc, bool writable)
{
    QEMUFile *f = g_new0(QEMUFile, 1);

    f->ioc = qio_channel_ref(ioc);
    f->is_writable = writable;
    return f;
}

QEMUFile *qemu_file_new_output(QIOChannel *ioc)
{
    return qemu_file_new(ioc, true);
}

QEMUFile *qemu_file_new_input(QIOChannel *ioc)
{
    return qemu_file_new(ioc, false);
}

int qemu_file_get_error(QEMUFile *f)
{
    if (!f->last_error && g_atomic_int_get(&f->shutdown)) {
        return -EIO;
    }
    return f->last_error;
}

int qemu_file_get_error_obj(QEMUFile *f, Error **errp)
{
    int ret = qemu_file_get_error(f);

    if (ret && errp) {
        if (f->last_error_obj) {
            *errp = error_copy(f->last_error_obj);
        } else {
            error_setg_errno(errp, -ret, "Stream on channel '%s' failed",
                             qio_channel_get_name(f->ioc));
        }
    }
    return ret;
}

void qemu_file_set_error_obj(QEMUFile *f, int ret, Error *err)
{
    if (f->last_error || ret >= 0) {
        error_free(err);
        return;
    }
    f->last_error = ret;
    f->last_error_obj = err;
}

void qemu_file_set_error(QEMUFile *f, int ret)
{
    qemu_file_set_error_obj(f, ret, NULL);
}

bool qemu_file_is_writable(QEMUFile *f)
{
    return f->is_writable;
}

QIOChannel *qemu_file_get_ioc(QEMUFile *f)
{
    return f->ioc;
}

uint64_t qemu_file_transferred(QEMUFile *f)
{
    return f->total;
}

/* ---- Output ---- */

void qemu_fflush(QEMUFile *f)
{
    Error *err = NULL;

    if (!f->is_writable || !f->buf_index) {
        return;
    }
    if (!qemu_file_get_error(f) &&
        !qio_channel_write_all(f->ioc, f->buf, f->buf_index, &err)) {
        int ret = qio_channel_buffer_of(f->ioc) ? -ENOSPC : -EIO;

        qemu_file_set_error_obj(f, ret, err);
    }
    f->buf_index = 0;
}

void qemu_put_buffer(QEMUFile *f, const uint8_t *buf, size_t size)
{
    if (qemu_file_get_error(f)) {
        return;
    }
    f->total += size;
    f->rate_limit_used += size;
    while (size) {
        size_t n = MIN(size, IO_BUF_SIZE - f->buf_index);

        memcpy(f->buf + f->buf_index, buf, n);
        f->buf_index += n;
        buf += n;
        size -= n;
        if (f->buf_index == IO_BUF_SIZE) {
            qemu_fflush(f);
        }
    }
}

void qemu_put_byte(QEMUFile *f, uint8_t v)
{
    qemu_put_buffer(f, &v, 1);
}

void qemu_put_be16(QEMUFile *f, uint16_t v)
{
    uint16_t be = GUINT16_TO_BE(v);

    qemu_put_buffer(f, (uint8_t *)&be, sizeof(be));
}

void qemu_put_be32(QEMUFile *f, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);

    qemu_put_buffer(f, (uint8_t *)&be, sizeof(be));
}

void qemu_put_be64(QEMUFile *f, uint64_t v)
{
    uint64_t be = GUINT64_TO_BE(v);

    qemu_put_buffer(f, (uint8_t *)&be, sizeof(be));
}

void qemu_put_counted_string(QEMUFile *f, const char *str)
{
    size_t len = strlen(str);

    assert(len < 256);
    qemu_put_byte(f, len);
    qemu_put_buffer(f, (const uint8_t *)str, len);
}

/* ---- Input ---- */

/* Reads more from the channel; false if nothing more can come. */
static bool qemu_fill_buffer(QEMUFile *f)
{
    size_t pending = f->buf_size - f->buf_index;
    Error *err = NULL;
    ssize_t n;

    if (f->is_writable || f->eof || qemu_file_get_error(f)) {
        return false;
    }
    if (pending && f->buf_index) {
        memmove(f->buf, f->buf + f->buf_index, pending);
    }
    f->buf_index = 0;
    f->buf_size = pending;
    if (pending == IO_BUF_SIZE) {
        return true;
    }
    for (;;) {
        n = qio_channel_read(f->ioc, f->buf + f->buf_size,
                             IO_BUF_SIZE - f->buf_size, &err);
        if (n == QIO_CHANNEL_ERR_BLOCK) {
            qio_channel_wait(f->ioc, G_IO_IN, -1);
            if (g_atomic_int_get(&f->shutdown)) {
                return false;
            }
            continue;
        }
        break;
    }
    if (n < 0) {
        qemu_file_set_error_obj(f, -EIO, err);
        return false;
    }
    if (n == 0) {
        f->eof = true;
        return false;
    }
    f->buf_size += n;
    return true;
}

size_t qemu_get_buffer(QEMUFile *f, uint8_t *buf, size_t size)
{
    size_t done = 0;

    while (done < size) {
        size_t avail = f->buf_size - f->buf_index;
        size_t n;

        if (!avail) {
            if (!qemu_fill_buffer(f)) {
                qemu_file_set_error(f, -EIO);
                memset(buf + done, 0, size - done);
                break;
            }
            continue;
        }
        n = MIN(avail, size - done);
        memcpy(buf + done, f->buf + f->buf_index, n);
        f->buf_index += n;
        f->total += n;
        done += n;
    }
    return done;
}

uint8_t qemu_get_byte(QEMUFile *f)
{
    uint8_t v;

    qemu_get_buffer(f, &v, 1);
    return v;
}

uint16_t qemu_get_be16(QEMUFile *f)
{
    uint16_t be;

    if (qemu_get_buffer(f, (uint8_t *)&be, sizeof(be)) != sizeof(be)) {
        return 0;
    }
    return GUINT16_FROM_BE(be);
}

uint32_t qemu_get_be32(QEMUFile *f)
{
    uint32_t be;

    if (qemu_get_buffer(f, (uint8_t *)&be, sizeof(be)) != sizeof(be)) {
        return 0;
    }
    return GUINT32_FROM_BE(be);
}

uint64_t qemu_get_be64(QEMUFile *f)
{
    uint64_t be;

    if (qemu_get_buffer(f, (uint8_t *)&be, sizeof(be)) != sizeof(be)) {
        return 0;
    }
    return GUINT64_FROM_BE(be);
}

size_t qemu_get_counted_string(QEMUFile *f, char buf[256])
{
    size_t len = qemu_get_byte(f);

    if (qemu_get_buffer(f, (uint8_t *)buf, len) != len ||
        qemu_file_get_error(f)) {
        buf[0] = '\0';
        return 0;
    }
    buf[len] = '\0';
    return len;
}

size_t qemu_peek_buffer(QEMUFile *f, uint8_t **buf, size_t size,
                        size_t offset)
{
    size_t avail;

    assert(offset + size <= IO_BUF_SIZE);
    while (f->buf_size - f->buf_index < offset + size) {
        if (!qemu_fill_buffer(f)) {
            break;
        }
    }
    avail = f->buf_size - f->buf_index;
    *buf = f->buf + f->buf_index + offset;
    if (avail <= offset) {
        return 0;
    }
    return MIN(avail - offset, size);
}

int qemu_peek_byte(QEMUFile *f, size_t offset)
{
    uint8_t *p;

    if (qemu_peek_buffer(f, &p, 1, offset) != 1) {
        return -1;
    }
    return *p;
}

void qemu_file_skip(QEMUFile *f, size_t size)
{
    while (size) {
        size_t avail = f->buf_size - f->buf_index;
        size_t n;

        if (!avail && !qemu_fill_buffer(f)) {
            qemu_file_set_error(f, -EIO);
            return;
        }
        avail = f->buf_size - f->buf_index;
        n = MIN(avail, size);
        f->buf_index += n;
        f->total += n;
        size -= n;
    }
}

bool qemu_file_at_eof(QEMUFile *f)
{
    if (f->is_writable || qemu_file_get_error(f)) {
        return false;
    }
    if (f->buf_index < f->buf_size) {
        return false;
    }
    return !qemu_fill_buffer(f) && f->eof && !qemu_file_get_error(f);
}

/* ---- Rate limiting ---- */

void qemu_file_set_rate_limit(QEMUFile *f, uint64_t bytes_per_period)
{
    f->rate_limit_max = bytes_per_period;
}

uint64_t qemu_file_get_rate_limit(QEMUFile *f)
{
    return f->rate_limit_max;
}

bool qemu_file_rate_limit(QEMUFile *f)
{
    if (qemu_file_get_error(f)) {
        return true;
    }
    return f->rate_limit_max && f->rate_limit_used >= f->rate_limit_max;
}

void qemu_file_reset_rate_limit(QEMUFile *f)
{
    f->rate_limit_used = 0;
}

/* ---- Lifetime ---- */

int qemu_file_shutdown(QEMUFile *f)
{
    g_atomic_int_set(&f->shutdown, 1);
    if (!qio_channel_shutdown(f->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL)) {
        return -ENOSYS;
    }
    return 0;
}

int qemu_fclose(QEMUFile *f)
{
    int ret;

    if (!f) {
        return 0;
    }
    qemu_fflush(f);
    ret = qemu_file_get_error(f);
    qio_channel_unref(f->ioc);
    error_free(f->last_error_obj);
    g_free(f);
    return ret;
}

/* ---- Memory buffers ---- */

QEMUFile *qemu_file_new_buffer_output(size_t initial, size_t max)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_new(initial, max);
    QEMUFile *f = qemu_file_new_output(QIO_CHANNEL(bioc));

    qio_channel_unref(QIO_CHANNEL(bioc));
    return f;
}

QEMUFile *qemu_file_new_buffer_input(const uint8_t *data, size_t len)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_new_from(data, len);
    QEMUFile *f = qemu_file_new_input(QIO_CHANNEL(bioc));

    qio_channel_unref(QIO_CHANNEL(bioc));
    return f;
}

const uint8_t *qemu_file_buffer_data(QEMUFile *f, size_t *len)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_of(f->ioc);

    assert(bioc);
    qemu_fflush(f);
    *len = bioc->usage;
    return bioc->data;
}

void qemu_put_blob(QEMUFile *f, const uint8_t *data, uint64_t len)
{
    qemu_put_be64(f, len);
    qemu_put_buffer(f, data, len);
}

QEMUFile *qemu_get_blob(QEMUFile *f, uint64_t max, Error **errp)
{
    uint64_t len = qemu_get_be64(f);
    QIOChannelBuffer *bioc;
    QEMUFile *in;
    uint8_t chunk[4096];

    if (qemu_file_get_error(f)) {
        error_setg(errp, "Stream ended before the length of a data block");
        return NULL;
    }
    if (len > max) {
        error_setg(errp, "Data block of %" PRIu64 " bytes exceeds the "
                   "limit of %" PRIu64 " bytes", len, max);
        return NULL;
    }
    bioc = qio_channel_buffer_new(MIN(len, (uint64_t)65536), len);
    while (bioc->usage < len) {
        size_t n = MIN(sizeof(chunk), len - bioc->usage);

        if (qemu_get_buffer(f, chunk, n) != n) {
            error_setg(errp, "Stream ended after %zu of %" PRIu64 " bytes "
                       "of a data block", bioc->usage, len);
            qio_channel_unref(QIO_CHANNEL(bioc));
            return NULL;
        }
        qio_channel_write(QIO_CHANNEL(bioc), chunk, n, &error_abort);
    }
    in = qemu_file_new_input(QIO_CHANNEL(bioc));
    qio_channel_unref(QIO_CHANNEL(bioc));
    return in;
}
