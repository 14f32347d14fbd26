/*
 * qcow2 driver: mapping, allocation, refcounts, refcount table growth,
 * COW of partial clusters, backing files, zero clusters, resize, a
 * fuzzed image never crashing, and interoperability with qemu-img.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/qcow2.h"
#include "block-test-util.h"

#define MiB (1024 * 1024)

static void pwrite_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                           int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;

    memset(buf, pattern, len);
    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_pwritev(bs, off, len, &qiov, 0), ==, 0);
}

static void assert_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                           int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;
    int64_t i;

    memset(buf, ~pattern, len);
    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_preadv(bs, off, len, &qiov, 0), ==, 0);
    for (i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)pattern) {
            g_error("offset %" PRId64 ": 0x%02x, expected 0x%02x",
                    off + i, buf[i], pattern);
        }
    }
}

/* qemu-img check reports no errors and no leaks */
static void assert_image_clean(const char *path)
{
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    int status;

    if (!blk_test_have_tool("qemu-img")) {
        return;
    }
    cmd = g_strdup_printf("qemu-img check -f qcow2 '%s'", path);
    status = blk_test_run(cmd, &out);
    if (status != 0) {
        g_error("qemu-img check failed (%d): %s", status, out);
    }
}

/* qemu-io reads @pattern at [off, +len) */
static void assert_qemu_io_pattern(const char *path, const char *fmt,
                                   int64_t off, int64_t len, int pattern)
{
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;

    if (!blk_test_have_tool("qemu-io")) {
        return;
    }
    cmd = g_strdup_printf("qemu-io -r -f %s -c 'read -P 0x%x %" PRId64 " %"
                          PRId64 "' '%s'", fmt, pattern, off, len, path);
    g_assert_cmpint(blk_test_run(cmd, &out), ==, 0);
    if (strstr(out, "Pattern verification failed") || strstr(out, "fail")) {
        g_error("qemu-io: %s", out);
    }
}

static char *new_qcow2(const char *name, int64_t size, int cluster_bits,
                       const char *backing, const char *backing_fmt)
{
    char *path = blk_test_path(name);
    QDict *opts = qdict_new();
    BlockDriverState *file;

    g_assert(g_file_set_contents(path, "", 0, NULL));
    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    file = bdrv_open(opts, &error_abort);
    g_assert(qcow2_create(file, size, cluster_bits, backing, backing_fmt,
                          &error_abort));
    bdrv_unref(file);
    return path;
}

static void test_create_open(void)
{
    g_autofree char *path = new_qcow2("create.qcow2", 64 * MiB, 16, NULL,
                                      NULL);
    BlockDriverState *bs = blk_test_open(path, "qcow2", false);
    BlockDriverInfo bdi;

    g_assert_cmpint(bdrv_getlength(bs), ==, 64 * MiB);
    g_assert_cmpstr(bdrv_get_format_name(bs), ==, "qcow2");
    g_assert_cmpstr(bdrv_get_format_name(bdrv_file_bs(bs)), ==, "file");
    bdrv_get_info(bs, &bdi);
    g_assert_cmpint(bdi.cluster_size, ==, 65536);
    g_assert_cmpstr(bdi.compat, ==, "1.1");
    assert_pattern(bs, 0, 1 * MiB, 0);
    bdrv_unref(bs);
    assert_image_clean(path);
}

static void test_write_read(void)
{
    g_autofree char *path = new_qcow2("rw.qcow2", 64 * MiB, 16, NULL, NULL);
    BlockDriverState *bs = blk_test_open(path, "qcow2", false);
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2e, host, rc;

    pwrite_pattern(bs, 0, 65536, 0xab);             /* whole cluster */
    pwrite_pattern(bs, 3 * 65536 + 100, 1000, 0xcd); /* partial */
    pwrite_pattern(bs, 60 * MiB - 512, 1024, 0xef);  /* spans clusters */
    assert_pattern(bs, 0, 65536, 0xab);
    assert_pattern(bs, 3 * 65536, 100, 0);
    assert_pattern(bs, 3 * 65536 + 100, 1000, 0xcd);
    assert_pattern(bs, 3 * 65536 + 1100, 65536 - 1100, 0);
    assert_pattern(bs, 60 * MiB - 512, 1024, 0xef);

    /* mapping: allocated, COPIED, refcount 1; untouched unallocated */
    qemu_mutex_lock(&s->lock);
    g_assert_cmpint(qcow2_get_l2_entry(bs, 0, &l2e), ==, 0);
    g_assert_cmpint(qcow2_classify(bs, l2e, &host), ==,
                    QCOW2_CLUSTER_NORMAL);
    g_assert(l2e & QCOW_OFLAG_COPIED);
    g_assert_cmpint(qcow2_get_refcount(bs, host >> 16, &rc), ==, 0);
    g_assert_cmpint(rc, ==, 1);
    g_assert_cmpint(qcow2_get_l2_entry(bs, 65536, &l2e), ==, 0);
    g_assert_cmpint(qcow2_classify(bs, l2e, &host), ==,
                    QCOW2_CLUSTER_UNALLOCATED);
    g_assert_cmpint(qcow2_get_refcount(bs, 0, &rc), ==, 0);
    g_assert_cmpint(rc, ==, 1);     /* the header */
    qemu_mutex_unlock(&s->lock);

    /* overwrite in place keeps the mapping */
    pwrite_pattern(bs, 512, 512, 0x12);
    assert_pattern(bs, 512, 512, 0x12);
    assert_pattern(bs, 1024, 1024, 0xab);
    bdrv_unref(bs);

    bs = blk_test_open(path, "qcow2", true);
    assert_pattern(bs, 0, 512, 0xab);
    assert_pattern(bs, 512, 512, 0x12);
    assert_pattern(bs, 3 * 65536 + 100, 1000, 0xcd);
    assert_pattern(bs, 60 * MiB - 512, 1024, 0xef);
    bdrv_unref(bs);

    assert_image_clean(path);
    assert_qemu_io_pattern(path, "qcow2", 3 * 65536 + 100, 1000, 0xcd);
    assert_qemu_io_pattern(path, "qcow2", 60 * MiB - 512, 1024, 0xef);
    assert_qemu_io_pattern(path, "qcow2", 1024, 64512, 0xab);
}

/* 512-byte clusters: one refcount table cluster covers 8 MiB */
static void test_refcount_growth(void)
{
    g_autofree char *path = new_qcow2("grow.qcow2", 32 * MiB, 9, NULL, NULL);
    BlockDriverState *bs = blk_test_open(path, "qcow2", false);
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_rt = s->refcount_table_offset;
    int i;

    for (i = 0; i < 20; i++) {
        pwrite_pattern(bs, i * MiB, MiB, 0x40 + i);
    }
    g_assert_cmpint(s->refcount_table_offset, !=, old_rt);
    g_assert_cmpint(s->refcount_table_clusters, >, 1);
    for (i = 0; i < 20; i++) {
        assert_pattern(bs, i * MiB, MiB, 0x40 + i);
    }
    bdrv_unref(bs);
    assert_image_clean(path);
    assert_qemu_io_pattern(path, "qcow2", 19 * MiB, MiB, 0x40 + 19);

    bs = blk_test_open(path, "qcow2", true);
    assert_pattern(bs, 7 * MiB, MiB, 0x47);
    bdrv_unref(bs);
}

static void test_backing_cow(void)
{
    g_autofree char *base = blk_test_path("base.raw");
    g_autofree char *top = NULL;
    BlockDriverState *bs;

    blk_test_write_file(base, 4 * MiB, 0x11);
    top = new_qcow2("top.qcow2", 8 * MiB, 16, base, "raw");
    bs = blk_test_open(top, "qcow2", false);
    g_assert(bdrv_backing_bs(bs));
    g_assert_cmpstr(bdrv_get_format_name(bdrv_backing_bs(bs)), ==, "raw");
    g_assert(bdrv_is_read_only(bdrv_backing_bs(bs)));

    assert_pattern(bs, 0, 4 * MiB, 0x11);
    assert_pattern(bs, 4 * MiB, 4 * MiB, 0);        /* past the backing */
    pwrite_pattern(bs, 1000, 512, 0x22);            /* partial: COW */
    assert_pattern(bs, 0, 1000, 0x11);
    assert_pattern(bs, 1000, 512, 0x22);
    assert_pattern(bs, 1512, 65536 - 1512, 0x11);
    /* COW across the end of the backing file */
    pwrite_pattern(bs, 4 * MiB - 100, 200, 0x33);
    assert_pattern(bs, 4 * MiB - 65536, 65536 - 100, 0x11);
    assert_pattern(bs, 4 * MiB - 100, 200, 0x33);
    assert_pattern(bs, 4 * MiB + 100, 65536 - 100, 0);
    bdrv_unref(bs);

    assert_image_clean(top);
    assert_qemu_io_pattern(top, "qcow2", 0, 1000, 0x11);
    assert_qemu_io_pattern(top, "qcow2", 1000, 512, 0x22);
    assert_qemu_io_pattern(top, "qcow2", 1512, 65536 - 1512, 0x11);

    /* "backing": null hides the backing file */
    {
        QDict *opts = qdict_new();

        qdict_put_str(opts, "driver", "qcow2");
        qdict_put_str(opts, "file.filename", top);
        qdict_put_null(opts, "backing");
        bs = bdrv_open(opts, &error_abort);
        g_assert(!bdrv_backing_bs(bs));
        assert_pattern(bs, 2 * MiB, 65536, 0);     /* not from backing */
        assert_pattern(bs, 0, 1000, 0x11);         /* copied on write */
        assert_pattern(bs, 1000, 512, 0x22);
        bdrv_unref(bs);
    }
}

static void test_make_empty(void)
{
    g_autofree char *base = blk_test_path("me-base.raw");
    g_autofree char *top = NULL;
    BlockDriverState *bs;

    blk_test_write_file(base, 4 * MiB, 0x42);
    top = new_qcow2("me.qcow2", 4 * MiB, 16, base, "raw");
    bs = blk_test_open(top, "qcow2", false);
    pwrite_pattern(bs, 0, 3 * MiB, 0x43);
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 3 * MiB, 65536, 0), ==, 0);
    assert_pattern(bs, 3 * MiB, 65536, 0);
    g_assert_cmpint(bdrv_make_empty(bs), ==, 0);
    assert_pattern(bs, 0, 4 * MiB, 0x42);       /* all from backing */
    pwrite_pattern(bs, 100, 100, 0x44);          /* usable again */
    bdrv_unref(bs);
    assert_image_clean(top);
    assert_qemu_io_pattern(top, "qcow2", 200, 65336, 0x42);
    assert_qemu_io_pattern(top, "qcow2", 100, 100, 0x44);
}

static void test_zero_clusters(void)
{
    g_autofree char *base = blk_test_path("zbase.raw");
    g_autofree char *top = NULL;
    BlockDriverState *bs;
    BDRVQcow2State *s;
    uint64_t l2e, host;

    blk_test_write_file(base, 1 * MiB, 0x55);
    top = new_qcow2("zero.qcow2", 1 * MiB, 16, base, "raw");
    bs = blk_test_open(top, "qcow2", false);
    s = bs->opaque;
    bs->discard_unmap = true;

    pwrite_pattern(bs, 0, 2 * 65536, 0x66);
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 0, 65536, 0), ==, 0);
    assert_pattern(bs, 0, 65536, 0);
    assert_pattern(bs, 65536, 65536, 0x66);
    qemu_mutex_lock(&s->lock);
    g_assert_cmpint(qcow2_get_l2_entry(bs, 0, &l2e), ==, 0);
    g_assert_cmpint(qcow2_classify(bs, l2e, &host), ==, QCOW2_CLUSTER_ZERO);
    qemu_mutex_unlock(&s->lock);

    /* zeroes over unallocated clusters mask the backing file */
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 4 * 65536, 65536, 0), ==, 0);
    assert_pattern(bs, 4 * 65536, 65536, 0);
    assert_pattern(bs, 5 * 65536, 65536, 0x55);
    /* partial zeroes write through COW */
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 6 * 65536 + 10, 20, 0), ==,
                    0);
    assert_pattern(bs, 6 * 65536, 10, 0x55);
    assert_pattern(bs, 6 * 65536 + 10, 20, 0);
    assert_pattern(bs, 6 * 65536 + 30, 100, 0x55);
    /* discard with a backing file leaves zero clusters */
    g_assert_cmpint(bdrv_node_pdiscard(bs, 65536, 65536), ==, 0);
    assert_pattern(bs, 65536, 65536, 0);
    /* then writing into a zero cluster allocates again */
    pwrite_pattern(bs, 100, 10, 0x77);
    assert_pattern(bs, 0, 100, 0);
    assert_pattern(bs, 100, 10, 0x77);
    bdrv_unref(bs);

    assert_image_clean(top);
    assert_qemu_io_pattern(top, "qcow2", 4 * 65536, 65536, 0);
    assert_qemu_io_pattern(top, "qcow2", 5 * 65536, 65536, 0x55);
    assert_qemu_io_pattern(top, "qcow2", 100, 10, 0x77);
}

static void test_discard_no_backing(void)
{
    g_autofree char *path = new_qcow2("discard.qcow2", 4 * MiB, 16, NULL,
                                      NULL);
    BlockDriverState *bs = blk_test_open(path, "qcow2", false);
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2e, host;

    bs->discard_unmap = true;
    pwrite_pattern(bs, 0, 4 * 65536, 0x99);
    g_assert_cmpint(bdrv_node_pdiscard(bs, 65536, 2 * 65536), ==, 0);
    assert_pattern(bs, 65536, 2 * 65536, 0);
    assert_pattern(bs, 3 * 65536, 65536, 0x99);
    qemu_mutex_lock(&s->lock);
    g_assert_cmpint(qcow2_get_l2_entry(bs, 65536, &l2e), ==, 0);
    g_assert_cmpint(qcow2_classify(bs, l2e, &host), ==,
                    QCOW2_CLUSTER_UNALLOCATED);
    qemu_mutex_unlock(&s->lock);
    /* the freed clusters are reused */
    pwrite_pattern(bs, 2 * MiB, 65536, 0x98);
    bdrv_unref(bs);
    assert_image_clean(path);
    assert_qemu_io_pattern(path, "qcow2", 2 * MiB, 65536, 0x98);
}

static void test_truncate(void)
{
    g_autofree char *path = new_qcow2("trunc.qcow2", 1 * MiB, 16, NULL, NULL);
    BlockDriverState *bs = blk_test_open(path, "qcow2", false);
    Error *err = NULL;
    BdrvChild fake = { .bs = bs };

    pwrite_pattern(bs, 0, 65536, 0x21);
    g_assert(bdrv_truncate(&fake, 1024 * MiB, &error_abort));
    g_assert_cmpint(bdrv_getlength(bs), ==, 1024 * MiB);
    pwrite_pattern(bs, 1000 * MiB, 65536, 0x22);
    g_assert(!bdrv_truncate(&fake, 1 * MiB, &err));
    error_free_or_abort(&err);
    bdrv_unref(bs);

    bs = blk_test_open(path, "qcow2", true);
    g_assert_cmpint(bdrv_getlength(bs), ==, 1024 * MiB);
    assert_pattern(bs, 0, 65536, 0x21);
    assert_pattern(bs, 1000 * MiB, 65536, 0x22);
    bdrv_unref(bs);
    assert_image_clean(path);
}

/* Images made by qemu-img open, and what we write reads back there */
static void test_qemu_img_interop(void)
{
    g_autofree char *base = blk_test_path("qi-base.qcow2");
    g_autofree char *top = blk_test_path("qi-top.qcow2");
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    BlockDriverState *bs;

    if (!blk_test_have_tool("qemu-img")) {
        g_test_skip("qemu-img not installed");
        return;
    }
    cmd = g_strdup_printf("qemu-img create -q -f qcow2 '%s' 16M", base);
    g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
    g_free(cmd);
    cmd = g_strdup_printf("qemu-io -f qcow2 -c 'write -P 0x5a 0 128k' '%s'",
                          base);
    g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
    g_free(cmd);
    cmd = g_strdup_printf("qemu-img create -q -f qcow2 -b '%s' -F qcow2 "
                          "'%s'", base, top);
    g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);

    bs = bdrv_open_image(top, NULL, false, &error_abort);   /* probed */
    g_assert_cmpstr(bdrv_get_format_name(bs), ==, "qcow2");
    g_assert_cmpstr(bdrv_get_format_name(bdrv_backing_bs(bs)), ==, "qcow2");
    assert_pattern(bs, 0, 128 * 1024, 0x5a);
    pwrite_pattern(bs, 64 * 1024 + 512, 4096, 0xab);
    pwrite_pattern(bs, 8 * MiB, 64 * 1024, 0xac);
    bdrv_unref(bs);

    assert_image_clean(top);
    assert_image_clean(base);
    assert_qemu_io_pattern(top, "qcow2", 64 * 1024, 512, 0x5a);
    assert_qemu_io_pattern(top, "qcow2", 64 * 1024 + 512, 4096, 0xab);
    assert_qemu_io_pattern(top, "qcow2", 8 * MiB, 64 * 1024, 0xac);
    g_free(cmd);
    cmd = g_strdup_printf("qemu-img compare '%s' '%s'", base, top);
    g_assert_cmpint(blk_test_run(cmd, &out), !=, 0);   /* differ now */
}

/*
 * Other layouts qemu-img makes: v2 (compat=0.10), small clusters,
 * refcount widths 1 and 64 bits; enough writes to need new refcount
 * blocks and a bigger refcount table.
 */
static void test_qemu_img_layouts(void)
{
    static const char *const layouts[] = {
        "compat=0.10,cluster_size=4096",
        "refcount_bits=1,cluster_size=4096",
        "refcount_bits=64,cluster_size=512",
        "refcount_bits=8,cluster_size=2048",
    };
    size_t i;

    if (!blk_test_have_tool("qemu-img")) {
        g_test_skip("qemu-img not installed");
        return;
    }
    for (i = 0; i < ARRAY_SIZE(layouts); i++) {
        g_autofree char *path = blk_test_path("layout.qcow2");
        g_autofree char *cmd = g_strdup_printf(
            "qemu-img create -q -f qcow2 -o %s '%s' 64M", layouts[i], path);
        BlockDriverState *bs;
        int k;

        g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
        bs = blk_test_open(path, "qcow2", false);
        for (k = 0; k < 24; k++) {
            pwrite_pattern(bs, k * 2 * MiB + 777, 300 * 1024, 0x60 + k);
        }
        bdrv_node_pwrite_zeroes(bs, 0, 64 * 1024, 0);
        bdrv_unref(bs);
        assert_image_clean(path);
        assert_qemu_io_pattern(path, "qcow2", 23 * 2 * MiB + 777,
                               300 * 1024, 0x60 + 23);
        assert_qemu_io_pattern(path, "qcow2", 0, 64 * 1024, 0);
        bs = blk_test_open(path, "qcow2", true);
        assert_pattern(bs, 5 * 2 * MiB + 777, 300 * 1024, 0x65);
        bdrv_unref(bs);
    }
}

/* Compressed clusters (qemu-img convert -c): read, then rewritten */
static void test_compressed(void)
{
    g_autofree char *raw = blk_test_path("c-src.raw");
    g_autofree char *img = blk_test_path("c.qcow2");
    g_autofree char *cmd = NULL;
    g_autofree uint8_t *data = g_malloc(2 * MiB);
    BlockDriverState *bs;
    QEMUIOVector qiov;
    int i;

    if (!blk_test_have_tool("qemu-img")) {
        g_test_skip("qemu-img not installed");
        return;
    }
    for (i = 0; i < 2 * MiB; i++) {
        data[i] = (i / 4096) * 7 + (i % 13 == 0);     /* compressible */
    }
    g_assert(g_file_set_contents(raw, (char *)data, 2 * MiB, NULL));
    cmd = g_strdup_printf("qemu-img convert -c -f raw -O qcow2 '%s' '%s'",
                          raw, img);
    g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);

    bs = blk_test_open(img, "qcow2", false);
    {
        g_autofree uint8_t *back = g_malloc(2 * MiB);

        qemu_iovec_init_buf(&qiov, back, 2 * MiB);
        g_assert_cmpint(bdrv_node_preadv(bs, 0, 2 * MiB, &qiov, 0), ==, 0);
        g_assert(!memcmp(back, data, 2 * MiB));
    }
    pwrite_pattern(bs, 70000, 100, 0x99);            /* COW of one */
    memset(data + 70000, 0x99, 100);
    pwrite_pattern(bs, 3 * 65536, 65536, 0x98);       /* whole cluster */
    memset(data + 3 * 65536, 0x98, 65536);
    g_assert_cmpint(bdrv_node_pwrite_zeroes(bs, 5 * 65536, 65536, 0), ==, 0);
    memset(data + 5 * 65536, 0, 65536);
    bdrv_unref(bs);

    assert_image_clean(img);
    bs = blk_test_open(img, "qcow2", true);
    {
        g_autofree uint8_t *back = g_malloc(2 * MiB);

        qemu_iovec_init_buf(&qiov, back, 2 * MiB);
        g_assert_cmpint(bdrv_node_preadv(bs, 0, 2 * MiB, &qiov, 0), ==, 0);
        g_assert(!memcmp(back, data, 2 * MiB));
    }
    bdrv_unref(bs);
    g_free(cmd);
    g_assert(g_file_set_contents(raw, (char *)data, 2 * MiB, NULL));
    cmd = g_strdup_printf("qemu-img compare -f raw -F qcow2 '%s' '%s'", raw,
                          img);
    g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
}

/*
 * Corrupted images: random bytes in the header and in the metadata
 * tables; opening, reading and writing must fail cleanly or work.
 */
static void test_fuzz(void)
{
    g_autofree char *path = new_qcow2("fuzz-src.qcow2", 4 * MiB, 12, NULL,
                                      NULL);
    g_autofree char *victim = blk_test_path("fuzz.qcow2");
    g_autofree uint8_t *orig = NULL;
    gsize orig_len;
    GRand *rand = g_rand_new_with_seed(0x7a9d);
    BlockDriverState *bs;
    int iter, n = g_test_quick() ? 300 : 1500;
    g_autofree uint8_t *comp = NULL;
    gsize comp_len = 0;

    bs = blk_test_open(path, "qcow2", false);
    pwrite_pattern(bs, 0, 64 * 1024, 0x31);
    pwrite_pattern(bs, 3 * MiB, 8 * 1024, 0x32);
    bdrv_unref(bs);
    g_assert(g_file_get_contents(path, (char **)&orig, &orig_len, NULL));
    if (blk_test_have_tool("qemu-img")) {
        /* a compressed image too (4k clusters: the tables are early) */
        g_autofree char *c = blk_test_path("fuzz-comp.qcow2");
        g_autofree char *cmd = g_strdup_printf(
            "qemu-img convert -c -O qcow2 -o cluster_size=4096 '%s' '%s'",
            path, c);

        g_assert_cmpint(blk_test_run(cmd, NULL), ==, 0);
        g_assert(g_file_get_contents(c, (char **)&comp, &comp_len, NULL));
    }

    for (iter = 0; iter < n; iter++) {
        bool use_comp = comp && (iter % 3 == 2);
        gsize len = use_comp ? comp_len : orig_len;
        g_autofree uint8_t *img = g_memdup2(use_comp ? comp : orig, len);
        int k, nflips = g_rand_int_range(rand, 1, 8);
        Error *err = NULL;

        for (k = 0; k < nflips; k++) {
            /* mostly the header, sometimes anywhere in the metadata */
            gsize at = g_rand_boolean(rand) ?
                       g_rand_int_range(rand, 0, 112) :
                       g_rand_int_range(rand, 0, MIN(len, 6 * 4096));
            img[at] = g_rand_boolean(rand) ? g_rand_int_range(rand, 0, 256)
                                           : img[at] ^ (1 << (k % 8));
        }
        g_assert(g_file_set_contents(victim, (char *)img, len, NULL));
        bs = bdrv_open_image(victim, "qcow2", iter & 1, &err);
        if (!bs) {
            error_free(err);
            continue;
        }
        for (k = 0; k < 8; k++) {
            int64_t size = bdrv_getlength(bs);
            int64_t off = size > 0 ? g_rand_int_range(rand, 0,
                                                      MIN(size, 1 << 30))
                                   : 0;
            uint8_t buf[3000];
            QEMUIOVector qiov;
            int64_t cnt = MIN((int64_t)sizeof(buf), size - off);

            if (cnt <= 0) {
                break;
            }
            qemu_iovec_init_buf(&qiov, buf, cnt);
            bdrv_node_preadv(bs, off, cnt, &qiov, 0);
            if (!bdrv_is_read_only(bs)) {
                memset(buf, 0x44, sizeof(buf));
                bdrv_node_pwritev(bs, off, cnt, &qiov, 0);
                bdrv_node_pwrite_zeroes(bs, off, cnt, 0);
            }
        }
        bdrv_unref(bs);
    }
    g_rand_free(rand);
}

static void test_bad_headers(void)
{
    g_autofree char *path = blk_test_path("bad.qcow2");
    Error *err = NULL;
    uint8_t hdr[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };

    /* cluster_bits 0 */
    g_assert(g_file_set_contents(path, (char *)hdr, sizeof(hdr), NULL));
    g_assert(!bdrv_open_image(path, "qcow2", true, &err));
    g_assert(strstr(error_get_pretty(err), "cluster size"));
    error_free(err);
    err = NULL;
    /* not qcow2 */
    g_assert(g_file_set_contents(path, "hello world", 11, NULL));
    g_assert(!bdrv_open_image(path, "qcow2", true, &err));
    error_free_or_abort(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/block/qcow2/create-open", test_create_open);
    g_test_add_func("/block/qcow2/write-read", test_write_read);
    g_test_add_func("/block/qcow2/refcount-table-growth",
                    test_refcount_growth);
    g_test_add_func("/block/qcow2/backing-cow", test_backing_cow);
    g_test_add_func("/block/qcow2/zero-clusters", test_zero_clusters);
    g_test_add_func("/block/qcow2/make-empty", test_make_empty);
    g_test_add_func("/block/qcow2/discard", test_discard_no_backing);
    g_test_add_func("/block/qcow2/truncate", test_truncate);
    g_test_add_func("/block/qcow2/qemu-img-interop", test_qemu_img_interop);
    g_test_add_func("/block/qcow2/qemu-img-layouts", test_qemu_img_layouts);
    g_test_add_func("/block/qcow2/compressed", test_compressed);
    g_test_add_func("/block/qcow2/bad-headers", test_bad_headers);
    g_test_add_func("/block/qcow2/fuzz", test_fuzz);
    return g_test_run();
}
