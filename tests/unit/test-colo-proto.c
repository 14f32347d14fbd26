/*
 * COLO checkpoint channel (migration/colo-proto.c) over a socketpair:
 * handshake incl. version N-1 and mismatch, message framing, truncated
 * or oversized device state, a silent peer with a short timeout.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "io/channel-socket.h"
#include "migration/colo-proto.h"

typedef struct Pair {
    QIOChannel *a, *b;
    QEMUFile *a_in, *a_out, *b_in, *b_out;
} Pair;

static void pair_open(Pair *p)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    p->a = QIO_CHANNEL(qio_channel_socket_new_fd(sv[0], &error_abort));
    p->b = QIO_CHANNEL(qio_channel_socket_new_fd(sv[1], &error_abort));
    p->a_in = qemu_file_new_input(p->a);
    p->a_out = qemu_file_new_output(p->a);
    p->b_in = qemu_file_new_input(p->b);
    p->b_out = qemu_file_new_output(p->b);
}

static void pair_close(Pair *p)
{
    qemu_fclose(p->a_in);
    qemu_fclose(p->a_out);
    qemu_fclose(p->b_in);
    qemu_fclose(p->b_out);
    qio_channel_close(p->a, NULL);
    qio_channel_close(p->b, NULL);
    qio_channel_unref(p->a);
    qio_channel_unref(p->b);
}

/* a = primary speaking @pv, b = secondary speaking COLO_PROTO_VERSION */
static void handshake(Pair *p, uint32_t pv, uint32_t *sv, uint32_t *pvn,
                      Error **serr, Error **perr)
{
    g_assert_true(colo_proto_hello_send(p->a_out, pv, &error_abort));
    *sv = colo_proto_hello_answer(p->b_in, p->b_out, COLO_PROTO_VERSION,
                                  serr);
    *pvn = colo_proto_hello_reply_recv(p->a_in, pv, perr);
}

static void test_handshake_ok(void)
{
    Pair p;
    uint32_t sv, pv;

    pair_open(&p);
    handshake(&p, COLO_PROTO_VERSION, &sv, &pv, &error_abort, &error_abort);
    g_assert_cmpuint(sv, ==, COLO_PROTO_VERSION);
    g_assert_cmpuint(pv, ==, COLO_PROTO_VERSION);
    pair_close(&p);
}

static void test_handshake_previous(void)
{
    Pair p;
    uint32_t sv, pv;

    pair_open(&p);
    handshake(&p, COLO_PROTO_VERSION - 1, &sv, &pv, &error_abort,
              &error_abort);
    g_assert_cmpuint(sv, ==, COLO_PROTO_VERSION - 1);
    g_assert_cmpuint(pv, ==, COLO_PROTO_VERSION - 1);
    pair_close(&p);
}

static void test_handshake_mismatch(void)
{
    Pair p;
    uint32_t sv, pv;
    Error *serr = NULL, *perr = NULL;

    pair_open(&p);
    handshake(&p, COLO_PROTO_VERSION + 5, &sv, &pv, &serr, &perr);
    g_assert_cmpuint(sv, ==, 0);
    g_assert_cmpuint(pv, ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(serr), "version mismatch"));
    g_assert_nonnull(strstr(error_get_pretty(perr), "refused"));
    error_free(serr);
    error_free(perr);
    pair_close(&p);
}

static void test_handshake_bad_magic(void)
{
    Pair p;
    Error *err = NULL;

    pair_open(&p);
    qemu_put_be32(p.a_out, 0x5145564d);     /* "QEVM": a plain stream */
    qemu_put_be32(p.a_out, 3);
    qemu_fflush(p.a_out);
    g_assert_cmpuint(colo_proto_hello_answer(p.b_in, p.b_out,
                                             COLO_PROTO_VERSION, &err),
                     ==, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "bad magic"));
    error_free(err);
    pair_close(&p);
}

static void test_messages(void)
{
    Pair p;
    Error *err = NULL;
    ColoMsg m;

    pair_open(&p);
    g_assert_true(colo_proto_send(p.a_out, COLO_MSG_CHECKPOINT_REQUEST,
                                  &error_abort));
    g_assert_true(colo_proto_expect(p.b_in, COLO_MSG_CHECKPOINT_REQUEST,
                                    &error_abort));
    /* wire value is the be32 QAPI index */
    g_assert_true(colo_proto_send(p.a_out, COLO_MSG_VMSTATE_LOADED,
                                  &error_abort));
    g_assert_cmpuint(qemu_get_be32(p.b_in), ==, 6);
    /* a message other than the expected one */
    colo_proto_send(p.a_out, COLO_MSG_VMSTATE_SEND, &error_abort);
    g_assert_false(colo_proto_expect(p.b_in, COLO_MSG_CHECKPOINT_REPLY,
                                     &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Unexpected COLO message "
                    "vmstate-send, expected checkpoint-reply");
    error_free(err);
    err = NULL;
    /* an invalid value */
    qemu_put_be32(p.a_out, 77);
    qemu_fflush(p.a_out);
    g_assert_false(colo_proto_recv(p.b_in, &m, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid COLO message 0x4d");
    error_free(err);
    g_assert_cmpstr(colo_msg_name(COLO_MSG_VMSTATE_SIZE), ==,
                    "vmstate-size");
    pair_close(&p);
}

static void test_blob_ok_and_limits(void)
{
    Pair p;
    Error *err = NULL;
    uint8_t data[100];
    QEMUFile *blob;

    memset(data, 0xab, sizeof(data));
    pair_open(&p);
    g_assert_true(colo_proto_send_blob(p.a_out, data, sizeof(data),
                                       &error_abort));
    g_assert_true(colo_proto_expect(p.b_in, COLO_MSG_VMSTATE_SIZE,
                                    &error_abort));
    blob = qemu_get_blob(p.b_in, 1000, &error_abort);
    g_assert_cmpuint(qemu_get_byte(blob), ==, 0xab);
    qemu_fclose(blob);
    /* a size above the limit is refused before allocation */
    qemu_put_be32(p.a_out, COLO_MSG_VMSTATE_SIZE);
    qemu_put_be64(p.a_out, UINT64_MAX / 2);
    qemu_fflush(p.a_out);
    g_assert_true(colo_proto_expect(p.b_in, COLO_MSG_VMSTATE_SIZE,
                                    &error_abort));
    g_assert_null(qemu_get_blob(p.b_in, 1000, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "limit"));
    error_free(err);
    pair_close(&p);
}

static void test_blob_truncated(void)
{
    Pair p;
    Error *err = NULL;
    uint8_t data[10] = { 0 };

    pair_open(&p);
    qemu_put_be32(p.a_out, COLO_MSG_VMSTATE_SIZE);
    qemu_put_be64(p.a_out, 1000);
    qemu_put_buffer(p.a_out, data, sizeof(data));
    qemu_fflush(p.a_out);
    qio_channel_shutdown(p.a, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    g_assert_true(colo_proto_expect(p.b_in, COLO_MSG_VMSTATE_SIZE,
                                    &error_abort));
    g_assert_null(qemu_get_blob(p.b_in, 4096, &err));
    g_assert_nonnull(err);
    error_free(err);
    pair_close(&p);
}

static void test_peer_closed(void)
{
    Pair p;
    Error *err = NULL;

    pair_open(&p);
    qio_channel_shutdown(p.a, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    g_assert_false(colo_proto_expect(p.b_in, COLO_MSG_CHECKPOINT_REPLY,
                                     &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "Can't receive COLO message"));
    error_free(err);
    pair_close(&p);
}

static void test_peer_silent(void)
{
    Pair p;
    Error *err = NULL;
    int64_t t0;

    pair_open(&p);
    qio_channel_set_timeout(p.b, 100);
    t0 = g_get_monotonic_time();
    g_assert_false(colo_proto_expect(p.b_in, COLO_MSG_VMSTATE_LOADED,
                                     &err));
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
    g_assert_nonnull(strstr(error_get_pretty(err), "Timed out"));
    error_free(err);
    pair_close(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/proto/handshake/ok", test_handshake_ok);
    g_test_add_func("/colo/proto/handshake/previous-version",
                    test_handshake_previous);
    g_test_add_func("/colo/proto/handshake/mismatch",
                    test_handshake_mismatch);
    g_test_add_func("/colo/proto/handshake/bad-magic",
                    test_handshake_bad_magic);
    g_test_add_func("/colo/proto/messages", test_messages);
    g_test_add_func("/colo/proto/blob/limits", test_blob_ok_and_limits);
    g_test_add_func("/colo/proto/blob/truncated", test_blob_truncated);
    g_test_add_func("/colo/proto/peer/closed", test_peer_closed);
    g_test_add_func("/colo/proto/peer/silent", test_peer_silent);
    return g_test_run();
}
