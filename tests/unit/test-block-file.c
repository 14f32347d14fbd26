/*
 * file protocol and raw format: options, image locking, O_DIRECT
 * bouncing, discard, raw windows; BlockBackend synchronous and
 * asynchronous I/O with completions in the main loop and in another
 * thread's context; node names and graph references; BDRV_REQ_NOWAIT
 * (page-cache-only requests).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/file-posix.h"
#include "qemu/main-loop.h"
#include "qobject/qdict-flat.h"
#include "system/block-backend.h"
#include "block-test-util.h"

static BlockDriverState *open_file(const char *path, const char *extra,
                                   Error **errp)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    if (extra) {
        g_auto(GStrv) kv = g_strsplit(extra, ",", 0);
        int i;

        for (i = 0; kv[i]; i++) {
            g_auto(GStrv) p = g_strsplit(kv[i], "=", 2);

            qdict_put_str(opts, p[0], p[1]);
        }
    }
    return bdrv_open(opts, errp);
}

static void test_open_errors(void)
{
    g_autofree char *path = blk_test_path("f-err.img");
    Error *err = NULL;
    QDict *opts;

    g_assert(!open_file("/nonexistent/x.img", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not open '/nonexistent/x.img': No such file or "
                    "directory");
    error_free(err);
    err = NULL;

    blk_test_write_file(path, 65536, 0);
    g_assert(!open_file(path, "aio=native", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "aio=native was specified, but it requires "
                    "cache.direct=on, which was not specified.");
    error_free(err);
    err = NULL;

    g_assert(!open_file(path, "bogus=1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Block protocol 'file' doesn't support the option "
                    "'bogus'");
    error_free(err);
    err = NULL;

    opts = qdict_new();
    qdict_put_str(opts, "driver", "nosuch");
    g_assert(!bdrv_open(opts, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Unknown driver 'nosuch'");
    error_free(err);
    err = NULL;

    g_assert(!open_file(path, "node-name=1bad", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid node-name: '1bad'");
    error_free(err);
}

static void test_locking(void)
{
    g_autofree char *path = blk_test_path("f-lock.img");
    BlockDriverState *a, *b;
    Error *err = NULL;

    blk_test_write_file(path, 65536, 0);
    a = open_file(path, NULL, &error_abort);
    /* a second writer: refused */
    g_assert(!open_file(path, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Failed to get \"write\" lock");
    error_free(err);
    err = NULL;
    /* a reader that does not share writes: refused */
    g_assert(!open_file(path, "read-only=on", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Failed to get shared \"write\" lock");
    error_free(err);
    err = NULL;
    /* force-share reader, or locking=off: fine */
    b = open_file(path, "read-only=on,force-share=on", &error_abort);
    bdrv_unref(b);
    b = open_file(path, "locking=off", &error_abort);
    bdrv_unref(b);
    bdrv_unref(a);
    /* the lock goes with the node */
    b = open_file(path, NULL, &error_abort);
    bdrv_unref(b);

    /* two readers share */
    a = open_file(path, "read-only=on", &error_abort);
    b = open_file(path, "read-only=on", &error_abort);
    bdrv_unref(a);
    bdrv_unref(b);

    /* qemu-io sees our lock */
    if (blk_test_have_tool("qemu-io")) {
        g_autofree char *cmd = g_strdup_printf(
            "qemu-io -f raw -c 'write 0 512' '%s'", path);
        g_autofree char *out = NULL;

        a = open_file(path, NULL, &error_abort);
        blk_test_run(cmd, &out);
        g_assert(strstr(out, "Failed to get \"write\" lock"));
        bdrv_unref(a);
    }
}

static void rw_check(BlockDriverState *bs, int64_t off, int64_t len, int pat)
{
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree uint8_t *back = g_malloc(len);
    QEMUIOVector qiov;

    memset(buf, pat, len);
    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_pwritev(bs, off, len, &qiov, 0), ==, 0);
    qemu_iovec_init_buf(&qiov, back, len);
    g_assert_cmpint(bdrv_node_preadv(bs, off, len, &qiov, 0), ==, 0);
    g_assert(!memcmp(buf, back, len));
}

static void test_direct_native(void)
{
    g_autofree char *path = blk_test_path("f-direct.img");
    g_autofree char *data = NULL;
    BlockDriverState *bs;
    Error *err = NULL;
    gsize len;

    blk_test_write_file(path, 1 << 20, 0x01);
    bs = open_file(path, "cache.direct=on,aio=native", &err);
    if (!bs) {
        /* tmpfs has no O_DIRECT */
        g_test_skip(error_get_pretty(err));
        error_free(err);
        return;
    }
    g_assert_cmpint(bs->request_alignment, ==, 4096);
    rw_check(bs, 100, 1000, 0x02);          /* unaligned: bounced */
    rw_check(bs, 8192, 8192, 0x03);
    bdrv_unref(bs);
    g_assert(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpint(data[99], ==, 0x01);
    g_assert_cmpint(data[100], ==, 0x02);
    g_assert_cmpint(data[1099], ==, 0x02);
    g_assert_cmpint(data[1100], ==, 0x01);
    g_assert_cmpint(data[8192], ==, 0x03);
}

static void test_discard(void)
{
    g_autofree char *path = blk_test_path("f-discard.img");
    BlockDriverState *bs;
    uint8_t buf[4096];

    blk_test_write_file(path, 1 << 20, 0x7f);
    bs = open_file(path, "discard=unmap", &error_abort);
    g_assert_cmpint(bdrv_node_pdiscard(bs, 65536, 65536), ==, 0);
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 0, 4096,
                                            BDRV_REQ_MAY_UNMAP), ==, 0);
    {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
        g_assert_cmpint(bdrv_node_preadv(bs, 65536, 4096, &qiov, 0), ==, 0);
        g_assert_cmpint(buf[0], ==, 0);
        g_assert_cmpint(bdrv_node_preadv(bs, 0, 4096, &qiov, 0), ==, 0);
        g_assert_cmpint(buf[4095], ==, 0);
        g_assert_cmpint(bdrv_node_preadv(bs, 4096, 4096, &qiov, 0), ==, 0);
        g_assert_cmpint(buf[0], ==, 0x7f);
    }
    g_assert_cmpint(bdrv_getlength(bs), ==, 1 << 20);
    bdrv_unref(bs);
}

static void test_raw_window_and_graph(void)
{
    g_autofree char *path = blk_test_path("f-raw.img");
    g_autofree char *opts_json = NULL;
    BlockDriverState *file, *raw;
    QDict *opts;
    uint8_t buf[16];
    QEMUIOVector qiov;
    Error *err = NULL;

    blk_test_write_file(path, 8192, 0x10);
    /* libvirt style: storage node, then format node referencing it */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    qdict_put_str(opts, "node-name", "libvirt-1-storage");
    qdict_put_bool(opts, "auto-read-only", true);
    qdict_put_str(opts, "discard", "unmap");
    file = bdrv_open(opts, &error_abort);
    g_assert(bdrv_find_node("libvirt-1-storage") == file);

    opts = qdict_new();
    qdict_put_str(opts, "driver", "raw");
    qdict_put_str(opts, "node-name", "libvirt-1-format");
    qdict_put_str(opts, "file", "libvirt-1-storage");
    qdict_put_int(opts, "offset", 4096);
    qdict_put_int(opts, "size", 1024);
    raw = bdrv_open(opts, &error_abort);
    g_assert(bdrv_file_bs(raw) == file);
    g_assert_cmpint(file->refcnt, ==, 2);
    g_assert_cmpint(bdrv_getlength(raw), ==, 1024);
    rw_check(raw, 0, 16, 0x20);
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    g_assert_cmpint(bdrv_node_preadv(file, 4096, 16, &qiov, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x20);
    g_assert_cmpint(bdrv_node_preadv(raw, 1020, 16, &qiov, 0), ==, -EIO);

    /* duplicate node name, dangling reference */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "raw");
    qdict_put_str(opts, "node-name", "libvirt-1-format");
    qdict_put_str(opts, "file", "libvirt-1-storage");
    g_assert(!bdrv_open(opts, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Duplicate nodes with node-name='libvirt-1-format'");
    error_free(err);
    err = NULL;
    opts = qdict_new();
    qdict_put_str(opts, "driver", "raw");
    qdict_put_str(opts, "file", "nope");
    g_assert(!bdrv_open(opts, &err));
    error_free_or_abort(&err);

    /* auto-generated node names (and format probing) */
    {
        g_autofree char *p2 = blk_test_path("f-raw2.img");
        BlockDriverState *probed;

        blk_test_write_file(p2, 4096, 0);
        probed = bdrv_open_image(p2, NULL, true, &error_abort);
        g_assert_cmpstr(bdrv_get_format_name(probed), ==, "raw");
        g_assert(g_str_has_prefix(bdrv_get_node_name(probed), "#block"));
        g_assert(g_str_has_prefix(bdrv_get_node_name(bdrv_file_bs(probed)),
                                  "#block"));
        bdrv_unref(probed);
        /* a probed raw image cannot be turned into a qcow2 header */
        probed = bdrv_open_image(p2, NULL, false, &error_abort);
        memcpy(buf, "QFI\xfb", 4);
        qemu_iovec_init_buf(&qiov, buf, 4);
        g_assert_cmpint(bdrv_node_pwritev(probed, 0, 4, &qiov, 0), ==,
                        -EPERM);
        memcpy(buf, "QFI\x00", 4);
        g_assert_cmpint(bdrv_node_pwritev(probed, 0, 4, &qiov, 0), ==, 0);
        qemu_iovec_init_buf(&qiov, buf, 1);
        buf[0] = 0xfb;
        g_assert_cmpint(bdrv_node_pwritev(probed, 3, 1, &qiov, 0), ==,
                        -EPERM);
        bdrv_unref(probed);
    }

    bdrv_unref(raw);
    g_assert_cmpint(file->refcnt, ==, 1);
    bdrv_unref(file);
    g_assert(!bdrv_find_node("libvirt-1-storage"));
}

/* Asynchronous requests */

typedef struct AioResult {
    int ret;
    bool done;
    GThread *thread;
} AioResult;

static void aio_done(void *opaque, int ret)
{
    AioResult *r = opaque;

    r->ret = ret;
    r->done = true;
    r->thread = g_thread_self();
}

static void test_backend_aio_main(void)
{
    g_autofree char *path = blk_test_path("f-aio.img");
    BlockBackend *blk;
    uint8_t wbuf[4096], rbuf[4096];
    QEMUIOVector wq, rq;
    AioResult w = { 0 }, r = { 0 }, f = { 0 };
    Error *err = NULL;

    g_assert(qemu_init_main_loop(&error_abort));
    blk_test_write_file(path, 1 << 20, 0);
    blk = blk_new("drive0", &error_abort);
    g_assert(blk_by_name("drive0") == blk);
    g_assert(!blk_new("drive0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device with id 'drive0' already exists");
    error_free(err);
    g_assert_cmpint(blk_pread(blk, 0, 512, rbuf, 0), ==, -ENOMEDIUM);
    g_assert(blk_insert_bs(blk, bdrv_open_image(path, "raw", false,
                                                &error_abort),
                           &error_abort));
    bdrv_unref(blk_bs(blk));        /* the backend holds the node */
    g_assert_cmpint(blk_getlength(blk), ==, 1 << 20);

    memset(wbuf, 0xa5, sizeof(wbuf));
    qemu_iovec_init_buf(&wq, wbuf, sizeof(wbuf));
    qemu_iovec_init_buf(&rq, rbuf, sizeof(rbuf));
    blk_aio_pwritev(blk, 8192, &wq, 0, aio_done, &w);
    g_assert(!w.done);              /* never before returning */
    while (!w.done) {
        main_loop_wait(false);
    }
    g_assert_cmpint(w.ret, ==, 0);
    g_assert(w.thread == g_thread_self());
    blk_aio_preadv(blk, 8192, &rq, 0, aio_done, &r);
    blk_aio_flush(blk, aio_done, &f);
    while (!r.done || !f.done) {
        main_loop_wait(false);
    }
    g_assert_cmpint(r.ret, ==, 0);
    g_assert(!memcmp(wbuf, rbuf, sizeof(rbuf)));
    /* out of range */
    r.done = false;
    blk_aio_preadv(blk, (1 << 20) - 512, &rq, 0, aio_done, &r);
    while (!r.done) {
        main_loop_wait(false);
    }
    g_assert_cmpint(r.ret, ==, -EIO);
    blk_unref(blk);
    g_assert(!blk_by_name("drive0"));
}

/* Two devices on one node: writes must be shared (share-rw) */
static void test_backend_perm(void)
{
    g_autofree char *path = blk_test_path("perm.raw");
    BlockDriverState *bs;
    BlockBackend *a, *b;
    Error *err = NULL;
    g_autofree char *msg = NULL;

    blk_test_write_file(path, 65536, 0);
    bs = bdrv_open_image(path, "raw", false, &error_abort);
    a = blk_new(NULL, &error_abort);
    b = blk_new(NULL, &error_abort);
    g_assert(blk_insert_bs(a, bs, &error_abort));
    g_assert(blk_insert_bs(b, bs, &error_abort));
    g_assert(blk_attach_dev(a, "/machine/peripheral/disk-a", &error_abort));
    g_assert(blk_set_perm(a, true, false, &error_abort));
    g_assert(!blk_set_perm(b, true, false, &err));
    msg = g_strdup_printf("Conflicts with use by /machine/peripheral/disk-a "
                          "as 'root', which does not allow 'write' on %s",
                          bdrv_get_node_name(bs));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    err = NULL;
    /* a reader that does not share writes conflicts with the writer too */
    g_assert(!blk_set_perm(b, false, false, &err));
    error_free_or_abort(&err);
    /* both share-rw=on: fine */
    g_assert(blk_set_perm(a, true, true, &error_abort));
    g_assert(blk_set_perm(b, true, true, &error_abort));
    blk_unref(a);
    blk_unref(b);
    bdrv_unref(bs);
}

typedef struct CtxThread {
    GMainContext *ctx;
    AioResult *res;
    int n;
} CtxThread;

static gpointer ctx_thread_fn(gpointer opaque)
{
    CtxThread *t = opaque;
    int i;

    g_main_context_push_thread_default(t->ctx);
    for (;;) {
        bool all = true;

        for (i = 0; i < t->n; i++) {
            all = all && t->res[i].done;
        }
        if (all) {
            break;
        }
        g_main_context_iteration(t->ctx, TRUE);
    }
    g_main_context_pop_thread_default(t->ctx);
    return NULL;
}

static void test_backend_aio_iothread(void)
{
    g_autofree char *path = blk_test_path("f-aio-io.qcow2");
    BlockBackend *blk;
    BlockDriverState *bs;
    enum { N = 32 };
    AioResult res[N];
    uint8_t bufs[N][512];
    QEMUIOVector qiov[N];
    CtxThread t;
    GThread *thr;
    int i;

    g_assert(qemu_init_main_loop(&error_abort));
    g_assert(qcow2_create_file(path, 16 << 20, NULL, NULL, &error_abort));
    bs = bdrv_open_image(path, "qcow2", false, &error_abort);
    blk = blk_new(NULL, &error_abort);
    g_assert(blk_insert_bs(blk, bs, &error_abort));
    bdrv_unref(bs);
    t.ctx = g_main_context_new();
    t.res = res;
    t.n = N;
    blk_set_aio_context(blk, t.ctx);
    memset(res, 0, sizeof(res));
    for (i = 0; i < N; i++) {
        memset(bufs[i], i + 1, 512);
        qemu_iovec_init_buf(&qiov[i], bufs[i], 512);
    }
    thr = g_thread_new("ctx", ctx_thread_fn, &t);
    /* concurrent allocating writes to distinct clusters */
    for (i = 0; i < N; i++) {
        blk_aio_pwritev(blk, i * 65536 + 512, &qiov[i], 0, aio_done,
                        &res[i]);
    }
    g_thread_join(thr);
    for (i = 0; i < N; i++) {
        uint8_t back[512];

        g_assert_cmpint(res[i].ret, ==, 0);
        g_assert(res[i].thread == thr);
        g_assert_cmpint(blk_pread(blk, i * 65536 + 512, 512, back, 0), ==,
                        0);
        g_assert_cmpint(back[0], ==, i + 1);
    }
    blk_unref(blk);
    g_main_context_unref(t.ctx);
    if (blk_test_have_tool("qemu-img")) {
        g_autofree char *cmd = g_strdup_printf("qemu-img check '%s'", path);

        g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
    }
}

static void test_graph_replace_child(void)
{
    g_autofree char *a = blk_test_path("g-a.raw");
    g_autofree char *b = blk_test_path("g-b.raw");
    g_autofree char *top = blk_test_path("g-top.qcow2");
    BlockDriverState *bs, *na, *nb;
    g_autofree char *expected = NULL;
    Error *err = NULL;
    uint8_t buf[512];
    QEMUIOVector qiov;

    blk_test_write_file(a, 1 << 20, 0xaa);
    blk_test_write_file(b, 1 << 20, 0xbb);
    g_assert(qcow2_create_file(top, 1 << 20, a, "raw", &error_abort));
    bs = bdrv_open_image(top, "qcow2", false, &error_abort);
    na = bdrv_backing_bs(bs);
    g_assert(na);
    nb = bdrv_open_image(b, "raw", true, &error_abort);
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    g_assert_cmpint(bdrv_node_preadv(bs, 0, 512, &qiov, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0xaa);

    g_assert(bdrv_replace_child_bs(bs, "backing", nb, &error_abort));
    g_assert(bdrv_backing_bs(bs) == nb);
    g_assert_cmpint(nb->refcnt, ==, 2);
    g_assert_cmpint(bdrv_node_preadv(bs, 0, 512, &qiov, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0xbb);

    /* no cycles */
    g_assert(!bdrv_replace_child_bs(bs, "backing", bs, &err));
    g_assert(strstr(error_get_pretty(err), "would create a cycle"));
    error_free(err);
    err = NULL;

    /* qcow2 has no x-blockdev-change */
    g_assert(!bdrv_add_child(bs, nb, &err));
    expected = g_strdup_printf("The node %s does not support adding a "
                               "child", bdrv_get_node_name(bs));
    g_assert_cmpstr(error_get_pretty(err), ==, expected);
    error_free(err);
    err = NULL;
    g_assert(!bdrv_del_child(bs, "nosuch", &err));
    error_free_or_abort(&err);

    /* detach: reads fall back to zeroes */
    g_assert(bdrv_replace_child_bs(bs, "backing", NULL, &error_abort));
    g_assert_cmpint(bdrv_node_preadv(bs, 0, 512, &qiov, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0);
    g_assert_cmpint(nb->refcnt, ==, 1);
    bdrv_unref(nb);
    bdrv_unref(bs);
}

static void test_detect_zeroes_writethrough(void)
{
    g_autofree char *path = blk_test_path("dz.qcow2");
    BlockBackend *blk;
    QDict *opts = qdict_new();
    BlockDriverState *bs;
    uint8_t zero[65536] = { 0 };
    int64_t pnum;

    g_assert(qcow2_create_file(path, 1 << 20, NULL, NULL, &error_abort));
    qdict_put_str(opts, "driver", "qcow2");
    qdict_put_str(opts, "file.filename", path);
    qdict_put_str(opts, "detect-zeroes", "on");
    bs = bdrv_open(opts, &error_abort);
    blk = blk_new(NULL, &error_abort);
    blk_insert_bs(blk, bs, &error_abort);
    bdrv_unref(bs);
    blk_set_enable_write_cache(blk, false);
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(zero), zero, 0), ==, 0);
    /* no data cluster allocated: reads as zeroes */
    g_assert_cmpint(bdrv_block_status(bs, 0, 65536, &pnum) &
                    (BDRV_BLOCK_ZERO | BDRV_BLOCK_DATA), ==,
                    BDRV_BLOCK_ZERO);
    zero[0] = 1;
    g_assert_cmpint(blk_pwrite(blk, 65536, sizeof(zero), zero, 0), ==, 0);
    g_assert_cmpint(bdrv_block_status(bs, 65536, 65536, &pnum), ==,
                    BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED);
    blk_unref(blk);
}

/* Replication makes backing (hidden) disks writable at run time */
static void test_reopen_read_only(void)
{
    g_autofree char *base = blk_test_path("ro-base.qcow2");
    g_autofree char *top = blk_test_path("ro-top.qcow2");
    BlockDriverState *bs, *backing, *other;
    Error *err = NULL;
    uint8_t buf[512];
    QEMUIOVector qiov;

    g_assert(qcow2_create_file(base, 1 << 20, NULL, NULL, &error_abort));
    g_assert(qcow2_create_file(top, 1 << 20, base, "qcow2", &error_abort));
    bs = bdrv_open_image(top, "qcow2", false, &error_abort);
    backing = bdrv_backing_bs(bs);
    g_assert(bdrv_is_read_only(backing));
    g_assert(bdrv_is_read_only(bdrv_file_bs(backing)));
    memset(buf, 0x3c, sizeof(buf));
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    g_assert_cmpint(bdrv_node_pwritev(backing, 0, 512, &qiov, 0), ==,
                    -EPERM);

    g_assert(bdrv_reopen_read_only(backing, false, &error_abort));
    g_assert(!bdrv_is_read_only(backing));
    g_assert(!bdrv_is_read_only(bdrv_file_bs(backing)));
    g_assert_cmpint(bdrv_node_pwritev(backing, 0, 512, &qiov, 0), ==, 0);
    /* now a writer holds the base image */
    other = bdrv_open_image(base, "qcow2", false, &err);
    g_assert(!other);
    g_assert(strstr(error_get_pretty(err), "lock"));
    error_free(err);
    err = NULL;

    g_assert(bdrv_reopen_read_only(backing, true, &error_abort));
    g_assert_cmpint(bdrv_node_pwritev(backing, 0, 512, &qiov, 0), ==,
                    -EPERM);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(bdrv_node_preadv(bs, 0, 512, &qiov, 0), ==, 0);
    g_assert_cmpint(buf[511], ==, 0x3c);
    bdrv_unref(bs);
    if (blk_test_have_tool("qemu-img")) {
        g_autofree char *cmd = g_strdup_printf("qemu-img check '%s'", base);

        g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
    }
}

/*
 * BDRV_REQ_NOWAIT: a cached read through raw/file completes in the
 * caller's thread with the right data; a write either completes or
 * says -EAGAIN without having changed the file (ext4 has no
 * non-blocking buffered writes; it is then not offered again); an
 * O_DIRECT node and a qcow2 graph are not usable and answer -EAGAIN.
 */
static void test_nowait(void)
{
    g_autofree char *path = blk_test_path("f-nowait.img");
    g_autofree char *qpath = blk_test_path("f-nowait.qcow2");
    g_autofree char *data = NULL;
    BlockDriverState *raw, *direct;
    uint8_t buf[4096];
    QEMUIOVector qiov;
    Error *err = NULL;
    gsize len;
    int ret;

    blk_test_write_file(path, 1 << 20, 0x11);
    raw = blk_test_open(path, "raw", false);
    g_assert_true(bdrv_file_nowait_usable(raw, false));
    g_assert_true(bdrv_file_nowait_usable(raw->file->bs, false));
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(bdrv_node_preadv(raw, 8192, 4096, &qiov,
                                     BDRV_REQ_NOWAIT), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x11);
    g_assert_cmpint(buf[4095], ==, 0x11);

    memset(buf, 0x22, sizeof(buf));
    ret = bdrv_node_pwritev(raw, 8192, 4096, &qiov, BDRV_REQ_NOWAIT);
    g_assert_true(ret == 0 || ret == -EAGAIN);
    if (ret == -EAGAIN) {
        g_assert_false(bdrv_file_nowait_usable(raw, true));
    }
    bdrv_unref(raw);
    g_assert(g_file_get_contents(path, &data, &len, NULL));
    g_assert_cmpint(data[8192], ==, ret == 0 ? 0x22 : 0x11);
    g_assert_cmpint(data[8191], ==, 0x11);

    direct = open_file(path, "cache.direct=on", &err);
    if (direct) {
        g_assert_false(bdrv_file_nowait_usable(direct, false));
        g_assert_cmpint(bdrv_node_preadv(direct, 0, 4096, &qiov,
                                         BDRV_REQ_NOWAIT), ==, -EAGAIN);
        bdrv_unref(direct);
    } else {
        error_free(err);            /* tmpfs has no O_DIRECT */
    }

    if (blk_test_have_tool("qemu-img")) {
        g_autofree char *cmd = g_strdup_printf("qemu-img create -q -f qcow2 "
                                               "%s 1M", qpath);
        BlockDriverState *q;

        g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
        q = blk_test_open(qpath, "qcow2", false);
        g_assert_false(bdrv_file_nowait_usable(q, false));
        bdrv_unref(q);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/block/file/open-errors", test_open_errors);
    g_test_add_func("/block/file/locking", test_locking);
    g_test_add_func("/block/file/direct-native", test_direct_native);
    g_test_add_func("/block/file/discard", test_discard);
    g_test_add_func("/block/file/nowait", test_nowait);
    g_test_add_func("/block/raw/window-and-graph",
                    test_raw_window_and_graph);
    g_test_add_func("/block/backend/aio-main-loop", test_backend_aio_main);
    g_test_add_func("/block/backend/perm", test_backend_perm);
    g_test_add_func("/block/backend/aio-iothread",
                    test_backend_aio_iothread);
    g_test_add_func("/block/graph/replace-child", test_graph_replace_child);
    g_test_add_func("/block/graph/reopen-read-only", test_reopen_read_only);
    g_test_add_func("/block/backend/detect-zeroes-writethrough",
                    test_detect_zeroes_writethrough);
    return g_test_run();
}
