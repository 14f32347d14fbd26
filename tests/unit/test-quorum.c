/*
 * quorum driver: fifo and voting reads, write threshold, a failing
 * child, option errors, x-blockdev-change (add and remove a child).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/quorum.h"
#include "block-test-util.h"

#define SIZE (1024 * 1024)

static void pwrite_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                           int pattern, int expect)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;

    memset(buf, pattern, len);
    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_pwritev(bs, off, len, &qiov, 0), ==, expect);
}

static int read_check(BlockDriverState *bs, int64_t off, int64_t len,
                      int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;
    int64_t i;
    int ret;

    qemu_iovec_init_buf(&qiov, buf, len);
    ret = bdrv_node_preadv(bs, off, len, &qiov, 0);
    if (ret < 0) {
        return ret;
    }
    for (i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)pattern) {
            g_error("offset %" PRId64 ": 0x%02x, expected 0x%02x", off + i,
                    buf[i], pattern);
        }
    }
    return 0;
}

/* A raw file of SIZE bytes filled with @pattern; returns its path */
static char *new_raw(const char *name, int pattern)
{
    char *path = blk_test_path(name);

    blk_test_write_file(path, SIZE, pattern);
    return path;
}

static void file_check(const char *path, int64_t off, int64_t len,
                       int pattern)
{
    BlockDriverState *bs = blk_test_open(path, "raw", true);

    g_assert_cmpint(read_check(bs, off, len, pattern), ==, 0);
    bdrv_unref(bs);
}

/* Quorum over raw files; extra options as key=value pairs */
static BlockDriverState *open_quorum(char **paths, int n, int threshold,
                                     const char *pattern, Error **errp)
{
    QDict *opts = qdict_new();
    int i;

    qdict_put_str(opts, "driver", "quorum");
    qdict_put_int(opts, "vote-threshold", threshold);
    if (pattern) {
        qdict_put_str(opts, "read-pattern", pattern);
    }
    for (i = 0; i < n; i++) {
        g_autofree char *d = g_strdup_printf("children.%d.driver", i);
        g_autofree char *f = g_strdup_printf("children.%d.file.filename", i);

        qdict_put_str(opts, d, "raw");
        qdict_put_str(opts, f, paths[i]);
    }
    return bdrv_open(opts, errp);
}

static void test_fifo(void)
{
    g_autofree char *a = new_raw("fifo-a.raw", 0x11);
    g_autofree char *b = new_raw("fifo-b.raw", 0x22);
    char *paths[] = { a, b };
    BlockDriverState *q = open_quorum(paths, 2, 1, "fifo", &error_abort);

    /* fifo: the first child answers */
    g_assert_cmpint(read_check(q, 0, 4096, 0x11), ==, 0);
    g_assert_cmpint(bdrv_getlength(q), ==, SIZE);
    g_assert_cmpstr(bdrv_child_bs(q, "children.1")->drv->format_name, ==,
                    "raw");
    /* writes reach every child */
    pwrite_pattern(q, 8192, 4096, 0x5a, 0);
    g_assert_cmpint(bdrv_flush(q), ==, 0);
    bdrv_unref(q);
    file_check(a, 8192, 4096, 0x5a);
    file_check(b, 8192, 4096, 0x5a);
    file_check(b, 0, 4096, 0x22);
}

static void test_vote(void)
{
    g_autofree char *a = new_raw("vote-a.raw", 0x33);
    g_autofree char *b = new_raw("vote-b.raw", 0x44);
    g_autofree char *c = new_raw("vote-c.raw", 0x33);
    char *paths[] = { a, b, c };
    BlockDriverState *q = open_quorum(paths, 3, 2, NULL, &error_abort);

    /* two of three agree: the majority wins, the odd one is reported */
    g_assert_cmpint(quorum_failures(q), ==, 0);
    g_assert_cmpint(read_check(q, 0, 4096, 0x33), ==, 0);
    g_assert_cmpint(quorum_failures(q), ==, 1);
    bdrv_unref(q);

    /* all three differ: no quorum */
    blk_test_write_file(c, SIZE, 0x55);
    q = open_quorum(paths, 3, 2, "quorum", &error_abort);
    g_assert_cmpint(read_check(q, 0, 512, 0), ==, -EIO);
    /* after a write they agree again */
    pwrite_pattern(q, 0, 512, 0x66, 0);
    g_assert_cmpint(read_check(q, 0, 512, 0x66), ==, 0);
    bdrv_unref(q);
}

/* A child that fails beyond its first 4 KiB (raw size window) */
static BlockDriverState *open_with_short_child(const char *a,
                                               const char *b, int threshold)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "quorum");
    qdict_put_int(opts, "vote-threshold", threshold);
    qdict_put_str(opts, "read-pattern", threshold == 1 ? "fifo" : "quorum");
    qdict_put_str(opts, "children.0.driver", "raw");
    qdict_put_str(opts, "children.0.file.filename", a);
    qdict_put_str(opts, "children.1.driver", "raw");
    qdict_put_int(opts, "children.1.size", 4096);
    qdict_put_str(opts, "children.1.file.filename", b);
    return bdrv_open(opts, &error_abort);
}

static void test_write_threshold(void)
{
    g_autofree char *a = new_raw("thr-a.raw", 0);
    g_autofree char *b = new_raw("thr-b.raw", 0);
    BlockDriverState *q = open_with_short_child(a, b, 1);

    /* threshold 1: one failing child does not fail the write */
    pwrite_pattern(q, 65536, 4096, 0x77, 0);
    g_assert_cmpint(quorum_failures(q), ==, 1);
    g_assert_cmpint(read_check(q, 65536, 4096, 0x77), ==, 0);
    bdrv_unref(q);
    file_check(a, 65536, 4096, 0x77);
    file_check(b, 65536, 4096, 0);

    /* threshold 2: it does */
    q = open_with_short_child(a, b, 2);
    pwrite_pattern(q, 131072, 4096, 0x78, -EIO);
    pwrite_pattern(q, 0, 4096, 0x79, 0);
    bdrv_unref(q);
}

static void expect_open_error(char **paths, int n, int threshold,
                              const char *pattern, const char *msg)
{
    Error *err = NULL;

    g_assert_null(open_quorum(paths, n, threshold, pattern, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_open_errors(void)
{
    g_autofree char *a = new_raw("err-a.raw", 0);
    g_autofree char *b = new_raw("err-b.raw", 0);
    char *paths[] = { a, b };

    expect_open_error(paths, 2, 3, NULL,
                      "threshold may not exceed children count");
    expect_open_error(paths, 0, 1, NULL,
                      "Number of provided children must be 1 or more");
    expect_open_error(paths, 2, 0, NULL,
                      "Parameter 'vote-threshold' must be 1 or more");
    expect_open_error(paths, 2, 2, "fifo",
                      "threshold=2 is invalid for read-pattern=fifo; only "
                      "threshold=1 is supported");
    expect_open_error(paths, 2, 1, "random",
                      "Parameter 'read-pattern' does not accept value "
                      "'random'");
}

static void test_change_children(void)
{
    g_autofree char *a = new_raw("chg-a.raw", 0);
    g_autofree char *b = new_raw("chg-b.raw", 0);
    char *paths[] = { a };
    BlockDriverState *q = open_quorum(paths, 1, 1, "fifo", &error_abort);
    BlockDriverState *nb = blk_test_open(b, "raw", false);
    Error *err = NULL;

    /* x-blockdev-change node=...: becomes children.1 */
    g_assert(bdrv_add_child(q, nb, &error_abort));
    g_assert(bdrv_child_bs(q, "children.1") == nb);
    /* a node may have only one parent */
    g_assert_false(bdrv_add_child(q, nb, &err));
    error_free_or_abort(&err);
    pwrite_pattern(q, 0, 4096, 0x42, 0);
    /* x-blockdev-change child=children.1 */
    g_assert(bdrv_del_child(q, "children.1", &error_abort));
    g_assert_null(bdrv_child_bs(q, "children.1"));
    g_assert_cmpint(g_slist_length(nb->parents), ==, 0);
    /* not below the threshold */
    g_assert_false(bdrv_del_child(q, "children.0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "The number of children "
                    "cannot be lower than the vote threshold 1");
    error_free(err);
    err = NULL;
    g_assert_false(bdrv_del_child(q, "children.7", &err));
    error_free_or_abort(&err);
    /* a re-added child gets a new name */
    g_assert(bdrv_add_child(q, nb, &error_abort));
    g_assert(bdrv_child_bs(q, "children.2") == nb);
    pwrite_pattern(q, 4096, 4096, 0x43, 0);
    bdrv_unref(nb);
    bdrv_unref(q);
    file_check(b, 0, 4096, 0x42);
    file_check(b, 4096, 4096, 0x43);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/block/quorum/fifo", test_fifo);
    g_test_add_func("/block/quorum/vote", test_vote);
    g_test_add_func("/block/quorum/write-threshold", test_write_threshold);
    g_test_add_func("/block/quorum/open-errors", test_open_errors);
    g_test_add_func("/block/quorum/change-children", test_change_children);
    return g_test_run();
}
