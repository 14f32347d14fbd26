/*
 * I/O channels and migration URIs: tcp (IPv4/IPv6) and unix listen +
 * connect on loopback, exec: pipes, fd:, non-blocking reads, watches.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "io/channel-buffer.h"
#include "io/channel-command.h"
#include "io/channel-file.h"
#include "io/channel-socket.h"
#include "migration/channel.h"
#include "migration/misc.h"

static void test_uri_parse(void)
{
    static const struct {
        const char *uri, *error;
    } bad[] = {
        { "foo:bar", "unknown migration protocol: foo:bar" },
        { "tcp:nohost", "error parsing address 'nohost'" },
        { "tcp:[::1:4444", "error parsing IPv6 address '[::1:4444'" },
        { "tcp:::1:4444", "error parsing address '::1:4444'" },
        { "tcp:host:", "error parsing address 'host:': port is missing" },
        { "unix:", "Missing path in migration URI 'unix:'" },
        { "exec:", "Missing command in migration URI 'exec:'" },
        { "fd:", "Missing fd name in migration URI 'fd:'" },
    };
    MigrationUri u;
    Error *err = NULL;
    size_t i;

    g_assert_true(migration_uri_parse("tcp:0.0.0.0:9998", &u, &error_abort));
    g_assert_cmpint(u.type, ==, MIGRATION_URI_TCP);
    g_assert_cmpstr(u.addr.host, ==, "0.0.0.0");
    g_assert_cmpstr(u.addr.port, ==, "9998");
    migration_uri_clear(&u);
    g_assert_true(migration_uri_parse("tcp:[::1]:4444", &u, &error_abort));
    g_assert_cmpstr(u.addr.host, ==, "::1");
    g_assert_cmpstr(u.addr.port, ==, "4444");
    migration_uri_clear(&u);
    g_assert_true(migration_uri_parse("tcp::4444", &u, &error_abort));
    g_assert_cmpstr(u.addr.host, ==, "");
    migration_uri_clear(&u);
    g_assert_true(migration_uri_parse("unix:/tmp/x.sock", &u, &error_abort));
    g_assert_cmpint(u.type, ==, MIGRATION_URI_UNIX);
    g_assert_cmpstr(u.addr.path, ==, "/tmp/x.sock");
    migration_uri_clear(&u);
    g_assert_true(migration_uri_parse("exec:gzip -c > f.gz", &u,
                                      &error_abort));
    g_assert_cmpstr(u.command, ==, "gzip -c > f.gz");
    migration_uri_clear(&u);
    g_assert_true(migration_uri_parse("fd:migfd", &u, &error_abort));
    g_assert_cmpstr(u.fd_name, ==, "migfd");
    migration_uri_clear(&u);

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(migration_uri_parse(bad[i].uri, &u, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, bad[i].error);
        error_free_or_abort(&err);
    }
}

/* ---- Listen + connect through migration_listener_new ---- */

typedef struct Incoming {
    QIOChannel *ioc;
} Incoming;

static void incoming_cb(QIOChannel *ioc, void *opaque)
{
    ((Incoming *)opaque)->ioc = ioc;
}

static QIOChannel *wait_incoming(Incoming *in, GMainContext *ctx)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!in->ioc && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(ctx, TRUE);
    }
    g_assert_nonnull(in->ioc);
    return in->ioc;
}

/* Sends a message each way over a connected pair. */
static void exchange(QIOChannel *a, QIOChannel *b)
{
    char buf[6] = { 0 };

    g_assert_true(qio_channel_write_all(a, "hello", 5, &error_abort));
    g_assert_true(qio_channel_read_all(b, buf, 5, &error_abort));
    g_assert_cmpstr(buf, ==, "hello");
    g_assert_true(qio_channel_write_all(b, "world", 5, &error_abort));
    g_assert_true(qio_channel_read_all(a, buf, 5, &error_abort));
    g_assert_cmpstr(buf, ==, "world");
}

static void listen_connect(const char *listen_uri, const char *prefix)
{
    GMainContext *ctx = g_main_context_new();
    Incoming in = { 0 };
    MigrationListener *l;
    QIOChannel *out, *acc;
    g_autofree char *uri = NULL;

    l = migration_listener_new(listen_uri, ctx, incoming_cb, &in,
                               &error_abort);
    uri = migration_listener_uri(l);
    g_assert_true(g_str_has_prefix(uri, prefix));
    out = migration_channel_connect(uri, &error_abort);
    acc = wait_incoming(&in, ctx);
    exchange(out, acc);
    /* the peer closing shows up as EOF */
    qio_channel_unref(out);
    {
        char c;

        g_assert_cmpint(qio_channel_read(acc, &c, 1, &error_abort), ==, 0);
    }
    qio_channel_unref(acc);
    migration_listener_free(l);
    g_main_context_unref(ctx);
}

static void test_tcp_ipv4(void)
{
    listen_connect("tcp:127.0.0.1:0", "tcp:127.0.0.1:");
}

static void test_tcp_ipv6(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    if (fd < 0) {
        g_test_skip("no IPv6");
        return;
    }
    close(fd);
    listen_connect("tcp:[::1]:0", "tcp:[::1]:");
}

static void test_tcp_refused(void)
{
    Error *err = NULL;
    QIOChannelSocket *l;
    IOSocketAddress addr;
    g_autofree char *uri = NULL;

    /* a port that was just free */
    io_socket_address_parse_inet("127.0.0.1:0", &addr, &error_abort);
    l = qio_channel_socket_listen_sync(&addr, 1, &error_abort);
    io_socket_address_clear(&addr);
    qio_channel_socket_get_local_address(l, &addr, &error_abort);
    uri = g_strdup_printf("tcp:127.0.0.1:%s", addr.port);
    io_socket_address_clear(&addr);
    qio_channel_unref(QIO_CHANNEL(l));
    g_assert_null(migration_channel_connect(uri, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Failed to connect"));
    error_free(err);
}

static void test_unix(void)
{
    g_autofree char *dir = g_dir_make_tmp("tandem-io-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "mig.sock", NULL);
    g_autofree char *uri = g_strdup_printf("unix:%s", path);

    listen_connect(uri, "unix:");
    /* listening again replaces the stale socket file */
    listen_connect(uri, "unix:");
    unlink(path);
    rmdir(dir);
}

/* ---- exec: ---- */

static void test_exec_outgoing(void)
{
    g_autofree char *dir = g_dir_make_tmp("tandem-io-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out", NULL);
    g_autofree char *uri = g_strdup_printf("exec:cat > '%s'", path);
    g_autofree char *contents = NULL;
    QIOChannel *ioc;
    gsize len;

    ioc = migration_channel_connect(uri, &error_abort);
    g_assert_cmpstr(qio_channel_kind(ioc), ==, "command");
    g_assert_true(qio_channel_write_all(ioc, "migration data", 14,
                                        &error_abort));
    /* closing reaps cat, so the file is complete afterwards */
    g_assert_true(qio_channel_close(ioc, &error_abort));
    qio_channel_unref(ioc);
    g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
    g_assert_cmpmem(contents, len, "migration data", 14);
    unlink(path);
    rmdir(dir);
}

static void test_exec_incoming(void)
{
    Incoming in = { 0 };
    MigrationListener *l;
    QIOChannel *ioc;
    char buf[16] = { 0 };

    l = migration_listener_new("exec:printf 'QEVM-data'", NULL, incoming_cb,
                               &in, &error_abort);
    ioc = wait_incoming(&in, NULL);
    g_assert_cmpint(qio_channel_read_all_eof(ioc, buf, 9, &error_abort),
                    ==, 1);
    g_assert_cmpstr(buf, ==, "QEVM-data");
    g_assert_cmpint(qio_channel_read_all_eof(ioc, buf, 1, &error_abort),
                    ==, 0);
    qio_channel_unref(ioc);
    migration_listener_free(l);
}

static void test_exec_failure(void)
{
    Error *err = NULL;
    QIOChannel *ioc = migration_channel_connect("exec:exit 3", &error_abort);
    char c;

    /* the child exits: EOF, a clear exit status, and no SIGPIPE death */
    g_assert_cmpint(qio_channel_read(ioc, &c, 1, &error_abort), ==, 0);
    g_usleep(20 * 1000);
    while (qio_channel_write(ioc, "x", 1, NULL) > 0) {
        /* until the pipe reports EPIPE */
    }
    g_assert_false(qio_channel_close(ioc, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Command exited with status 0x300");
    error_free(err);
    qio_channel_unref(ioc);
}

static gpointer yank_thread(gpointer opaque)
{
    g_usleep(50 * 1000);
    qio_channel_shutdown(opaque, QIO_CHANNEL_SHUTDOWN_BOTH, &error_abort);
    return NULL;
}

static void test_exec_shutdown(void)
{
    QIOChannel *ioc = migration_channel_connect("exec:sleep 30",
                                                &error_abort);
    GThread *thread = g_thread_new("yank", yank_thread, ioc);
    gint64 start = g_get_monotonic_time();
    Error *err = NULL;
    char c;

    /* blocked on a silent child until the shutdown terminates it */
    g_assert_cmpint(qio_channel_read(ioc, &c, 1, &error_abort), ==, 0);
    g_thread_join(thread);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
    g_assert_false(qio_channel_close(ioc, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "exited with status"));
    error_free(err);
    qio_channel_unref(ioc);
}

/* ---- fd: ---- */

static int fake_getfd(const char *name, Error **errp)
{
    int fds[2];

    if (strcmp(name, "migfd")) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   name);
        return -1;
    }
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
    close(fds[1]);
    return fds[0];
}

static void test_fd(void)
{
    int fds[2];
    char buf[8] = { 0 };
    g_autofree char *uri = NULL;
    QIOChannel *ioc;
    Error *err = NULL;

    g_assert_cmpint(pipe(fds), ==, 0);
    uri = g_strdup_printf("fd:%d", fds[1]);
    ioc = migration_channel_connect(uri, &error_abort);
    g_assert_cmpstr(qio_channel_kind(ioc), ==, "file");
    g_assert_true(qio_channel_write_all(ioc, "piped", 5, &error_abort));
    qio_channel_unref(ioc);         /* closes fds[1] */
    g_assert_cmpint(read(fds[0], buf, sizeof(buf)), ==, 5);
    g_assert_cmpstr(buf, ==, "piped");
    g_assert_cmpint(read(fds[0], buf, sizeof(buf)), ==, 0);
    close(fds[0]);

    g_assert_null(migration_channel_connect("fd:migfd", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "File descriptor named 'migfd' has not been found");
    error_free_or_abort(&err);
    migration_set_fd_resolver(fake_getfd);
    ioc = migration_channel_connect("fd:migfd", &error_abort);
    /* a socket passed by name can be shut down (yank) */
    g_assert_true(qio_channel_shutdown(ioc, QIO_CHANNEL_SHUTDOWN_BOTH,
                                       &error_abort));
    qio_channel_unref(ioc);
    g_assert_null(migration_channel_connect("fd:other", &err));
    error_free_or_abort(&err);
    migration_set_fd_resolver(NULL);
    g_assert_null(migration_channel_connect("fd:99999", &err));
    error_free_or_abort(&err);
}

/* ---- Non-blocking I/O and watches ---- */

static gboolean watch_cb(QIOChannel *ioc, GIOCondition cond, gpointer data)
{
    *(int *)data += 1;
    return G_SOURCE_REMOVE;
}

static void test_nonblocking_watch(void)
{
    GMainContext *ctx = g_main_context_new();
    int sv[2], fired = 0;
    QIOChannelSocket *a, *b;
    char c;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    a = qio_channel_socket_new_fd(sv[0], &error_abort);
    b = qio_channel_socket_new_fd(sv[1], &error_abort);
    qio_channel_set_blocking(QIO_CHANNEL(b), false, &error_abort);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), &c, 1, &error_abort),
                    ==, QIO_CHANNEL_ERR_BLOCK);
    g_assert_false(qio_channel_wait(QIO_CHANNEL(b), G_IO_IN, 10));

    qio_channel_add_watch(QIO_CHANNEL(b), G_IO_IN, watch_cb, &fired, NULL,
                          ctx);
    g_assert_false(g_main_context_iteration(ctx, FALSE));
    g_assert_cmpint(fired, ==, 0);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(a), "!", 1, &error_abort),
                    ==, 1);
    while (!fired) {
        g_main_context_iteration(ctx, TRUE);
    }
    g_assert_true(qio_channel_wait(QIO_CHANNEL(b), G_IO_IN, 0));
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), &c, 1, &error_abort),
                    ==, 1);
    g_assert_cmpint(c, ==, '!');
    qio_channel_unref(QIO_CHANNEL(a));
    qio_channel_unref(QIO_CHANNEL(b));
    g_main_context_unref(ctx);
}

static void test_buffer_channel(void)
{
    QIOChannelBuffer *b = qio_channel_buffer_new(0, 8);
    Error *err = NULL;
    char buf[8];
    int fired = 0;

    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(b), "12345", 5,
                                      &error_abort), ==, 5);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(b), "6789", 4, &err),
                    ==, -1);
    g_assert_nonnull(strstr(error_get_pretty(err), "exceeds the limit"));
    error_free_or_abort(&err);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, 8, &error_abort),
                    ==, 5);
    g_assert_cmpmem(buf, 5, "12345", 5);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, 8, &error_abort),
                    ==, 0);
    qio_channel_buffer_rewind(b);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, 2, &error_abort),
                    ==, 2);
    qio_channel_buffer_reset(b);
    g_assert_cmpuint(b->usage, ==, 0);
    /* a buffer is always ready */
    qio_channel_add_watch(QIO_CHANNEL(b), G_IO_IN, watch_cb, &fired, NULL,
                          NULL);
    while (!fired) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_true(qio_channel_close(QIO_CHANNEL(b), &error_abort));
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, 1, &err), ==, -1);
    error_free_or_abort(&err);
    qio_channel_unref(QIO_CHANNEL(b));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/io/channel/uri-parse", test_uri_parse);
    g_test_add_func("/io/channel/tcp-ipv4", test_tcp_ipv4);
    g_test_add_func("/io/channel/tcp-ipv6", test_tcp_ipv6);
    g_test_add_func("/io/channel/tcp-refused", test_tcp_refused);
    g_test_add_func("/io/channel/unix", test_unix);
    g_test_add_func("/io/channel/exec-outgoing", test_exec_outgoing);
    g_test_add_func("/io/channel/exec-incoming", test_exec_incoming);
    g_test_add_func("/io/channel/exec-failure", test_exec_failure);
    g_test_add_func("/io/channel/exec-shutdown", test_exec_shutdown);
    g_test_add_func("/io/channel/fd", test_fd);
    g_test_add_func("/io/channel/nonblocking-watch", test_nonblocking_watch);
    g_test_add_func("/io/channel/buffer", test_buffer_channel);
    return g_test_run();
}
