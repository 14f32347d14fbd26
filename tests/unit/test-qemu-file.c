/*
 * QEMUFile: big-endian helpers, buffering over sockets and memory,
 * error latching, peeking, rate limiting, shutdown.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "migration/qemu-file.h"
#include "io/channel-buffer.h"
#include "io/channel-socket.h"

static void test_be_helpers(void)
{
    static const uint8_t expect[] = {
        0xab,
        0x12, 0x34,
        0xde, 0xad, 0xbe, 0xef,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        3, 'a', 'b', 'c',
        'x', 'y',
    };
    QEMUFile *f = qemu_file_new_buffer_output(0, 0);
    QEMUFile *in;
    const uint8_t *data;
    char str[256];
    uint8_t xy[2];
    size_t len;

    qemu_put_byte(f, 0xab);
    qemu_put_be16(f, 0x1234);
    qemu_put_be32(f, 0xdeadbeef);
    qemu_put_be64(f, 0x0102030405060708ULL);
    qemu_put_counted_string(f, "abc");
    qemu_put_buffer(f, (const uint8_t *)"xy", 2);
    g_assert_cmpuint(qemu_file_transferred(f), ==, sizeof(expect));
    data = qemu_file_buffer_data(f, &len);
    g_assert_cmpmem(data, len, expect, sizeof(expect));

    in = qemu_file_new_buffer_input(data, len);
    g_assert_cmpuint(qemu_get_byte(in), ==, 0xab);
    g_assert_cmpuint(qemu_get_be16(in), ==, 0x1234);
    g_assert_cmpuint(qemu_get_be32(in), ==, 0xdeadbeef);
    g_assert_cmpuint(qemu_get_be64(in), ==, 0x0102030405060708ULL);
    g_assert_cmpuint(qemu_get_counted_string(in, str), ==, 3);
    g_assert_cmpstr(str, ==, "abc");
    g_assert_cmpuint(qemu_get_buffer(in, xy, 2), ==, 2);
    g_assert_cmpmem(xy, 2, "xy", 2);
    g_assert_true(qemu_file_at_eof(in));
    g_assert_cmpint(qemu_file_get_error(in), ==, 0);
    g_assert_cmpuint(qemu_file_transferred(in), ==, sizeof(expect));
    g_assert_cmpint(qemu_fclose(in), ==, 0);
    g_assert_cmpint(qemu_fclose(f), ==, 0);
}

static void test_error_latching(void)
{
    static const uint8_t data[] = { 0x11, 0x22, 0x33 };
    QEMUFile *in = qemu_file_new_buffer_input(data, sizeof(data));
    uint8_t buf[8];
    Error *err = NULL;

    /* a be32 with 3 bytes left: zero, and the error latches */
    g_assert_cmpuint(qemu_get_be32(in), ==, 0);
    g_assert_cmpint(qemu_file_get_error(in), ==, -EIO);
    g_assert_false(qemu_file_at_eof(in));
    /* later reads return zeroes, never stale data */
    memset(buf, 0xff, sizeof(buf));
    g_assert_cmpuint(qemu_get_buffer(in, buf, sizeof(buf)), ==, 0);
    g_assert_cmpuint(buf[0], ==, 0);
    g_assert_cmpuint(qemu_get_byte(in), ==, 0);
    /* the first error wins */
    qemu_file_set_error(in, -EINVAL);
    g_assert_cmpint(qemu_file_get_error_obj(in, &err), ==, -EIO);
    g_assert_nonnull(err);
    error_free(err);
    g_assert_cmpint(qemu_fclose(in), ==, -EIO);
}

static void test_set_error_obj(void)
{
    QEMUFile *f = qemu_file_new_buffer_output(0, 0);
    Error *err = NULL, *mine = NULL;
    size_t len;

    error_setg(&mine, "peer said no");
    qemu_file_set_error_obj(f, -ECONNRESET, mine);
    qemu_put_be32(f, 1);        /* dropped */
    g_assert_cmpint(qemu_file_get_error_obj(f, &err), ==, -ECONNRESET);
    g_assert_cmpstr(error_get_pretty(err), ==, "peer said no");
    error_free(err);
    qemu_file_buffer_data(f, &len);
    g_assert_cmpuint(len, ==, 0);
    g_assert_cmpint(qemu_fclose(f), ==, -ECONNRESET);
}

static void test_buffer_cap(void)
{
    QEMUFile *f = qemu_file_new_buffer_output(16, 100 * 1000);
    uint8_t chunk[1000] = { 0 };
    const uint8_t *data;
    size_t len;
    int i;

    for (i = 0; i < 100; i++) {
        qemu_put_buffer(f, chunk, sizeof(chunk));
    }
    data = qemu_file_buffer_data(f, &len);
    g_assert_nonnull(data);
    g_assert_cmpuint(len, ==, 100 * 1000);
    g_assert_cmpint(qemu_file_get_error(f), ==, 0);
    qemu_put_byte(f, 1);
    qemu_fflush(f);
    g_assert_cmpint(qemu_file_get_error(f), ==, -ENOSPC);
    g_assert_cmpint(qemu_fclose(f), ==, -ENOSPC);
}

static void test_peek(void)
{
    static const uint8_t data[] = { 5, 6, 7, 8 };
    QEMUFile *in = qemu_file_new_buffer_input(data, sizeof(data));
    uint8_t *p;

    g_assert_cmpint(qemu_peek_byte(in, 0), ==, 5);
    g_assert_cmpint(qemu_peek_byte(in, 3), ==, 8);
    g_assert_cmpint(qemu_peek_byte(in, 4), ==, -1);
    g_assert_cmpint(qemu_file_get_error(in), ==, 0);
    g_assert_cmpuint(qemu_peek_buffer(in, &p, 8, 1), ==, 3);
    g_assert_cmpmem(p, 3, data + 1, 3);
    qemu_file_skip(in, 2);
    g_assert_cmpuint(qemu_get_byte(in), ==, 7);
    qemu_file_skip(in, 5);
    g_assert_cmpint(qemu_file_get_error(in), ==, -EIO);
    qemu_fclose(in);
}

static void test_rate_limit(void)
{
    QEMUFile *f = qemu_file_new_buffer_output(0, 0);
    uint8_t chunk[500] = { 0 };

    g_assert_false(qemu_file_rate_limit(f));
    qemu_file_set_rate_limit(f, 1000);
    g_assert_cmpuint(qemu_file_get_rate_limit(f), ==, 1000);
    qemu_put_buffer(f, chunk, 500);
    qemu_put_buffer(f, chunk, 499);
    g_assert_false(qemu_file_rate_limit(f));
    qemu_put_byte(f, 0);
    g_assert_true(qemu_file_rate_limit(f));
    qemu_file_reset_rate_limit(f);
    g_assert_false(qemu_file_rate_limit(f));
    qemu_fclose(f);
}

/* ---- Over a socketpair, with a writer thread ---- */

#define STREAM_WORDS (300 * 1000)   /* 1.2 MB: many buffer refills */

static gpointer writer_thread(gpointer opaque)
{
    QEMUFile *f = opaque;
    uint32_t i;

    for (i = 0; i < STREAM_WORDS; i++) {
        qemu_put_be32(f, i * 2654435761u);
        if (i % 50000 == 0) {
            g_usleep(2000);     /* let the reader catch up and block */
        }
    }
    qemu_put_be64(f, 0x5a5a5a5a5a5a5a5aULL);
    return GINT_TO_POINTER(qemu_fclose(f));
}

static void socket_stream(bool nonblocking)
{
    int sv[2];
    QIOChannelSocket *a, *b;
    QEMUFile *out, *in;
    GThread *thread;
    uint32_t i;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    a = qio_channel_socket_new_fd(sv[0], &error_abort);
    b = qio_channel_socket_new_fd(sv[1], &error_abort);
    out = qemu_file_new_output(QIO_CHANNEL(a));
    in = qemu_file_new_input(QIO_CHANNEL(b));
    qio_channel_unref(QIO_CHANNEL(a));
    qio_channel_unref(QIO_CHANNEL(b));
    if (nonblocking) {
        qio_channel_set_blocking(QIO_CHANNEL(b), false, &error_abort);
    }
    thread = g_thread_new("writer", writer_thread, out);
    for (i = 0; i < STREAM_WORDS; i++) {
        uint32_t v = qemu_get_be32(in);

        if (v != i * 2654435761u) {
            g_assert_cmpuint(v, ==, i * 2654435761u);
        }
    }
    g_assert_cmpuint(qemu_get_be64(in), ==, 0x5a5a5a5a5a5a5a5aULL);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(thread)), ==, 0);
    g_assert_true(qemu_file_at_eof(in));
    g_assert_cmpuint(qemu_file_transferred(in), ==, STREAM_WORDS * 4 + 8);
    /* reading past the writer's close is an error, not a hang */
    qemu_get_byte(in);
    g_assert_cmpint(qemu_file_get_error(in), ==, -EIO);
    qemu_fclose(in);
}

static void test_socket_blocking(void)
{
    socket_stream(false);
}

static void test_socket_nonblocking(void)
{
    socket_stream(true);
}

static gpointer shutdown_thread(gpointer opaque)
{
    g_usleep(50 * 1000);
    qemu_file_shutdown(opaque);
    return NULL;
}

static void test_shutdown_unblocks_reader(void)
{
    int sv[2];
    QIOChannelSocket *b;
    QEMUFile *in;
    GThread *thread;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    b = qio_channel_socket_new_fd(sv[1], &error_abort);
    in = qemu_file_new_input(QIO_CHANNEL(b));
    qio_channel_unref(QIO_CHANNEL(b));
    thread = g_thread_new("yank", shutdown_thread, in);
    /* the peer is silent: only the shutdown can end this read */
    qemu_get_be32(in);
    g_assert_cmpint(qemu_file_get_error(in), ==, -EIO);
    g_thread_join(thread);
    qemu_fclose(in);
    close(sv[0]);
}

static void test_write_to_closed_peer(void)
{
    int sv[2];
    QIOChannelSocket *a;
    QEMUFile *out;
    uint8_t chunk[IO_BUF_SIZE] = { 0 };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    close(sv[1]);
    a = qio_channel_socket_new_fd(sv[0], &error_abort);
    out = qemu_file_new_output(QIO_CHANNEL(a));
    qio_channel_unref(QIO_CHANNEL(a));
    qemu_put_buffer(out, chunk, sizeof(chunk));     /* flushes: EPIPE */
    g_assert_cmpint(qemu_file_get_error(out), ==, -EIO);
    g_assert_cmpint(qemu_fclose(out), ==, -EIO);
}

static void test_timeout(void)
{
    int sv[2];
    QIOChannelSocket *b;
    QEMUFile *in;
    Error *err = NULL;
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    b = qio_channel_socket_new_fd(sv[1], &error_abort);
    qio_channel_set_timeout(QIO_CHANNEL(b), 50);
    in = qemu_file_new_input(QIO_CHANNEL(b));
    qio_channel_unref(QIO_CHANNEL(b));
    /* a peer that stays connected but silent */
    g_assert_cmpuint(qemu_get_be32(in), ==, 0);
    g_assert_cmpint(qemu_file_get_error_obj(in, &err), ==, -EIO);
    g_assert_nonnull(strstr(error_get_pretty(err), "Timed out after 50 ms"));
    error_free(err);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 45 * 1000);
    qemu_fclose(in);
    close(sv[0]);
}

static void test_blob(void)
{
    QEMUFile *dev = qemu_file_new_buffer_output(0, 1 << 20);
    QEMUFile *wire = qemu_file_new_buffer_output(0, 0);
    QEMUFile *in, *blob;
    const uint8_t *data;
    size_t len, dlen;
    Error *err = NULL;
    int i;

    for (i = 0; i < 10000; i++) {
        qemu_put_be32(dev, i);
    }
    data = qemu_file_buffer_data(dev, &dlen);
    qemu_put_blob(wire, data, dlen);
    qemu_put_byte(wire, 0xee);
    data = qemu_file_buffer_data(wire, &len);
    g_assert_cmpuint(len, ==, 8 + 40000 + 1);

    in = qemu_file_new_buffer_input(data, len);
    blob = qemu_get_blob(in, 40000, &error_abort);
    g_assert_cmpuint(qemu_get_byte(in), ==, 0xee);
    for (i = 0; i < 10000; i++) {
        g_assert_cmpuint(qemu_get_be32(blob), ==, i);
    }
    g_assert_true(qemu_file_at_eof(blob));
    qemu_fclose(blob);
    qemu_fclose(in);

    /* over the limit: refused before reading or allocating */
    in = qemu_file_new_buffer_input(data, len);
    g_assert_null(qemu_get_blob(in, 39999, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Data block of 40000 bytes exceeds the limit of 39999 "
                    "bytes");
    error_free_or_abort(&err);
    g_assert_cmpuint(qemu_file_transferred(in), ==, 8);
    qemu_fclose(in);

    /* a huge announced length from a peer */
    in = qemu_file_new_buffer_input((const uint8_t *)
                                    "\xff\xff\xff\xff\xff\xff\xff\xf0",
                                    8);
    g_assert_null(qemu_get_blob(in, 64 << 20, &err));
    error_free_or_abort(&err);
    qemu_fclose(in);

    /* truncated */
    in = qemu_file_new_buffer_input(data, 8 + 1000);
    g_assert_null(qemu_get_blob(in, 1 << 20, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Stream ended after 0 of 40000 bytes of a data block");
    error_free_or_abort(&err);
    qemu_fclose(in);
    qemu_fclose(wire);
    qemu_fclose(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/qemu-file/be-helpers", test_be_helpers);
    g_test_add_func("/migration/qemu-file/error-latching",
                    test_error_latching);
    g_test_add_func("/migration/qemu-file/set-error-obj", test_set_error_obj);
    g_test_add_func("/migration/qemu-file/buffer-cap", test_buffer_cap);
    g_test_add_func("/migration/qemu-file/peek", test_peek);
    g_test_add_func("/migration/qemu-file/rate-limit", test_rate_limit);
    g_test_add_func("/migration/qemu-file/socket-blocking",
                    test_socket_blocking);
    g_test_add_func("/migration/qemu-file/socket-nonblocking",
                    test_socket_nonblocking);
    g_test_add_func("/migration/qemu-file/shutdown-unblocks-reader",
                    test_shutdown_unblocks_reader);
    g_test_add_func("/migration/qemu-file/write-to-closed-peer",
                    test_write_to_closed_peer);
    g_test_add_func("/migration/qemu-file/timeout", test_timeout);
    g_test_add_func("/migration/qemu-file/blob", test_blob);
    return g_test_run();
}
