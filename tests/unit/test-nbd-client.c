/*
 * The nbd block driver (block/nbd.c, libnbd) against Tandem's own NBD
 * server in this process: the server runs in the main loop of this
 * thread, the driver is used from a second thread (as block layer
 * workers do).  Checked: data both ways, large requests split, write
 * zeroes, option errors, and a server that goes away making requests
 * fail instead of hanging (what the COLO primary relies on).
 */
#include "qemu/osdep.h"
#include "block/nbd.h"
#include "block/block_int.h"
#include "io/channel-socket.h"
#include "qemu/main-loop.h"
#include "block-test-util.h"

#define SIZE (64 * 1024 * 1024)

typedef struct Scenario {
    char *sock;
    bool connected;             /* the client did its first part */
    bool server_gone;           /* the main thread stopped the server */
    bool done;
} Scenario;

static BlockDriverState *open_client(const char *sock, const char *exp,
                                     Error **errp)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "nbd");
    qdict_put_str(opts, "server.type", "unix");
    qdict_put_str(opts, "server.path", sock);
    qdict_put_str(opts, "export", exp);
    return bdrv_open(opts, errp);
}

static gpointer client_thread(gpointer opaque)
{
    Scenario *sc = opaque;
    BlockDriverState *bs;
    g_autofree uint8_t *buf = g_malloc(40 * 1024 * 1024);
    g_autofree uint8_t *rbuf = g_malloc(40 * 1024 * 1024);
    Error *err = NULL;
    int64_t i;

    bs = open_client(sc->sock, "nope", &err);
    g_assert_null(bs);
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "Failed to connect to NBD server"));
    error_free(err);

    bs = open_client(sc->sock, "disk", &error_abort);
    g_assert_cmpint(bdrv_getlength(bs), ==, SIZE);
    /* 40 MiB: more than one NBD request */
    for (i = 0; i < 40 * 1024 * 1024; i++) {
        buf[i] = i * 7;
    }
    {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, 40 * 1024 * 1024);
        g_assert_cmpint(bdrv_node_pwritev(bs, 4096, 40 * 1024 * 1024, &qiov,
                                          0), ==, 0);
        qemu_iovec_init_buf(&qiov, rbuf, 40 * 1024 * 1024);
        g_assert_cmpint(bdrv_node_preadv(bs, 4096, 40 * 1024 * 1024, &qiov,
                                         0), ==, 0);
        g_assert(!memcmp(buf, rbuf, 40 * 1024 * 1024));
        g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 4096, 65536, 0), ==, 0);
        qemu_iovec_init_buf(&qiov, rbuf, 65536);
        g_assert_cmpint(bdrv_node_preadv(bs, 4096, 65536, &qiov, 0), ==, 0);
        for (i = 0; i < 65536; i++) {
            g_assert_cmpint(rbuf[i], ==, 0);
        }
        g_assert_cmpint(bdrv_flush(bs), ==, 0);
        /* beyond the end: an error from the server, not a hang */
        qemu_iovec_init_buf(&qiov, rbuf, 8192);
        g_assert_cmpint(bdrv_node_preadv(bs, SIZE - 4096, 8192, &qiov, 0),
                        <, 0);
    }

    /* the server goes away */
    __atomic_store_n(&sc->connected, true, __ATOMIC_SEQ_CST);
    qemu_notify_event();
    while (!__atomic_load_n(&sc->server_gone, __ATOMIC_SEQ_CST)) {
        g_usleep(1000);
    }
    {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, 4096);
        g_assert_cmpint(bdrv_node_pwritev(bs, 0, 4096, &qiov, 0), <, 0);
        g_assert_cmpint(bdrv_node_preadv(bs, 0, 4096, &qiov, 0), <, 0);
    }
    bdrv_unref(bs);
    __atomic_store_n(&sc->done, true, __ATOMIC_SEQ_CST);
    qemu_notify_event();
    return NULL;
}

static void test_client_against_server(void)
{
    g_autofree char *img = blk_test_path("client.raw");
    Scenario sc = { .sock = blk_test_path("nbd.sock") };
    IOSocketAddress addr = { .type = IO_SOCKET_UNIX, .path = sc.sock };
    BlockDriverState *disk;
    NBDServer *srv;
    GThread *t;
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    g_assert(qemu_init_main_loop(&error_abort));
    blk_test_write_file(img, SIZE, 0x5c);
    disk = blk_test_open(img, "raw", false);
    srv = nbd_server_new(0, NULL, NULL);
    g_assert(nbd_server_listen(srv, &addr, &error_abort));
    g_assert(nbd_export_add(srv, NULL, "disk", NULL, disk, true,
                            &error_abort));
    t = g_thread_new("nbd-client", client_thread, &sc);
    while (!__atomic_load_n(&sc.connected, __ATOMIC_SEQ_CST)) {
        main_loop_wait(true);
        g_usleep(100);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
    nbd_server_free(srv);
    __atomic_store_n(&sc.server_gone, true, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&sc.done, __ATOMIC_SEQ_CST)) {
        main_loop_wait(true);
        g_usleep(100);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
    g_thread_join(t);
    {
        g_autofree uint8_t *buf = g_malloc(8192);

        g_assert_cmpint(bdrv_pread(disk->file, 0, 8192, buf, 0), ==, 0);
        g_assert_cmphex(buf[0], ==, 0x5c);
        g_assert_cmphex(buf[4095], ==, 0x5c);
        g_assert_cmphex(buf[4096], ==, 0);
    }
    bdrv_unref(disk);
    g_free(sc.sock);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nbd/client/against-server", test_client_against_server);
    return g_test_run();
}
