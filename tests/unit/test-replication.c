/*
 * replication driver with small qcow2/raw images in a temp dir, set up
 * as COLO-FT does it:
 *   secondary: BlockBackend "parent0" (the disk, written by the NBD
 *   export), replication over active -> hidden -> parent0, quorum top;
 *   primary: quorum over the local image + a replication child that
 *   dies.
 * Checked: SVM read-after-write, NBD writes hidden from the SVM,
 * checkpoint emptying both overlays, failover commit, the primary
 * continuing after its child died, participant registration.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/quorum.h"
#include "block/replication.h"
#include "migration/colo.h"
#include "system/block-backend.h"
#include "block-test-util.h"

#define SIZE (4 * 1024 * 1024)
#define CL 65536

static void pwrite_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                           int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;

    memset(buf, pattern, len);
    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_pwritev(bs, off, len, &qiov, 0), ==, 0);
}

static void nbd_write(BlockBackend *blk, int64_t off, int64_t len,
                      int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);

    memset(buf, pattern, len);
    g_assert_cmpint(blk_pwrite(blk, off, len, buf, 0), ==, 0);
}

static void assert_pattern(BlockDriverState *bs, int64_t off, int64_t len,
                           int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    QEMUIOVector qiov;
    int64_t i;

    qemu_iovec_init_buf(&qiov, buf, len);
    g_assert_cmpint(bdrv_node_preadv(bs, off, len, &qiov, 0), ==, 0);
    for (i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)pattern) {
            g_error("%s offset %" PRId64 ": 0x%02x, expected 0x%02x",
                    bs->node_name, off + i, buf[i], pattern);
        }
    }
}

static bool overlay_empty(BlockDriverState *bs)
{
    int64_t off = 0, pnum;

    while (off < SIZE) {
        int st = bdrv_block_status(bs, off, SIZE - off, &pnum);

        g_assert_cmpint(st, >=, 0);
        if (st & BDRV_BLOCK_ALLOCATED) {
            return false;
        }
        off += pnum;
    }
    return true;
}

static char *new_qcow2(const char *name)
{
    char *path = blk_test_path(name);

    g_assert(qcow2_create_file(path, SIZE, NULL, NULL, &error_abort));
    return path;
}

typedef struct Secondary {
    BlockBackend *parent0;      /* what the NBD export writes through */
    BlockDriverState *disk;
    BlockDriverState *repl;     /* childs0 */
    BlockDriverState *top;      /* colo-disk0 (quorum) */
    BlockDriverState *active;
    BlockDriverState *hidden;
} Secondary;

static void secondary_open(Secondary *s, const char *tag)
{
    g_autofree char *dname = g_strdup_printf("%s-disk.raw", tag);
    g_autofree char *aname = g_strdup_printf("%s-active.qcow2", tag);
    g_autofree char *hname = g_strdup_printf("%s-hidden.qcow2", tag);
    g_autofree char *disk = blk_test_path(dname);
    g_autofree char *active = new_qcow2(aname);
    g_autofree char *hidden = new_qcow2(hname);
    QDict *opts;

    blk_test_write_file(disk, SIZE, 0xaa);
    s->disk = blk_test_open(disk, "raw", false);
    s->parent0 = blk_new("parent0", &error_abort);
    g_assert(blk_insert_bs(s->parent0, s->disk, &error_abort));

    opts = qdict_new();
    qdict_put_str(opts, "driver", "replication");
    qdict_put_str(opts, "node-name", "childs0");
    qdict_put_str(opts, "mode", "secondary");
    qdict_put_str(opts, "top-id", "colo-disk0");
    qdict_put_str(opts, "file.driver", "qcow2");
    qdict_put_str(opts, "file.file.filename", active);
    qdict_put_str(opts, "file.backing.driver", "qcow2");
    qdict_put_str(opts, "file.backing.file.filename", hidden);
    qdict_put_str(opts, "file.backing.backing", "parent0");
    s->repl = bdrv_open(opts, &error_abort);

    opts = qdict_new();
    qdict_put_str(opts, "driver", "quorum");
    qdict_put_str(opts, "node-name", "colo-disk0");
    qdict_put_str(opts, "read-pattern", "fifo");
    qdict_put_int(opts, "vote-threshold", 1);
    qdict_put_str(opts, "children.0", "childs0");
    s->top = bdrv_open(opts, &error_abort);
    s->active = bdrv_file_bs(s->repl);
    s->hidden = bdrv_backing_bs(s->active);
    g_assert(bdrv_backing_bs(s->hidden) == s->disk);
    /* the NBD side now writes through the copy-before-write filter */
    g_assert(blk_bs(s->parent0) != s->disk);
    g_assert(bdrv_file_bs(blk_bs(s->parent0)) == s->disk);
}

static void secondary_close(Secondary *s)
{
    bdrv_unref(s->top);
    bdrv_unref(s->repl);
    blk_unref(s->parent0);
    bdrv_unref(s->disk);
}

static void test_secondary_read_after_write(void)
{
    Secondary s;

    secondary_open(&s, "raw");
    g_assert_cmpint(replication_get_stage(s.repl), ==,
                    REPLICATION_STAGE_RUNNING);
    assert_pattern(s.top, 0, SIZE, 0xaa);
    /* the SVM's own writes go to the active overlay only */
    pwrite_pattern(s.top, CL + 512, 1024, 0x01);
    assert_pattern(s.top, CL + 512, 1024, 0x01);
    assert_pattern(s.top, CL, 512, 0xaa);
    assert_pattern(s.disk, CL, CL, 0xaa);
    g_assert_false(overlay_empty(s.active));
    g_assert_true(overlay_empty(s.hidden));

    /* NBD writes reach the disk; the SVM keeps its view */
    nbd_write(s.parent0, 3 * CL, 4096, 0x02);
    assert_pattern(s.disk, 3 * CL, 4096, 0x02);
    assert_pattern(s.top, 3 * CL, CL, 0xaa);
    g_assert_false(overlay_empty(s.hidden));
    /* a second NBD write to the same place keeps the oldest contents */
    nbd_write(s.parent0, 3 * CL, CL, 0x03);
    assert_pattern(s.top, 3 * CL, CL, 0xaa);
    /* write-zeroes from the NBD side is copied before, too */
    g_assert_cmpint(blk_pwrite_zeroes(s.parent0, 5 * CL, CL, 0), ==, 0);
    assert_pattern(s.disk, 5 * CL, CL, 0);
    assert_pattern(s.top, 5 * CL, CL, 0xaa);
    secondary_close(&s);
}

static void test_secondary_checkpoint(void)
{
    Secondary s;

    secondary_open(&s, "ckpt");
    pwrite_pattern(s.top, 0, CL, 0x11);
    nbd_write(s.parent0, 2 * CL, CL, 0x22);
    g_assert_false(overlay_empty(s.active));
    g_assert_false(overlay_empty(s.hidden));

    /* through the COLO participant registry, as migration/colo.c does */
    g_assert_cmpuint(colo_participants_count(), >=, 1);
    colo_participants_checkpoint();
    g_assert_true(overlay_empty(s.active));
    g_assert_true(overlay_empty(s.hidden));
    /* the SVM now sees the PVM's disk */
    assert_pattern(s.top, 0, CL, 0xaa);
    assert_pattern(s.top, 2 * CL, CL, 0x22);
    g_assert_true(colo_participants_get_error(&error_abort));

    /* and replication keeps working after it */
    nbd_write(s.parent0, 2 * CL, CL, 0x23);
    assert_pattern(s.top, 2 * CL, CL, 0x22);
    g_assert(replication_do_checkpoint(s.repl, &error_abort));
    assert_pattern(s.top, 2 * CL, CL, 0x23);
    secondary_close(&s);
    g_assert_cmpuint(colo_participants_count(), ==, 0);
}

static void test_secondary_failover(void)
{
    Secondary s;

    secondary_open(&s, "fo");
    pwrite_pattern(s.top, 0, CL, 0x31);             /* SVM write */
    pwrite_pattern(s.top, 10 * CL + 7, 100, 0x32);  /* partial cluster */
    nbd_write(s.parent0, 4 * CL, CL, 0x33);         /* PVM write */
    assert_pattern(s.top, 4 * CL, CL, 0xaa);

    colo_participants_failover();
    g_assert_cmpint(replication_get_stage(s.repl), ==,
                    REPLICATION_STAGE_DONE);
    /* the disk now holds exactly what the SVM saw */
    assert_pattern(s.disk, 0, CL, 0x31);
    assert_pattern(s.disk, 10 * CL, 7, 0xaa);
    assert_pattern(s.disk, 10 * CL + 7, 100, 0x32);
    assert_pattern(s.disk, 10 * CL + 107, CL - 107, 0xaa);
    assert_pattern(s.disk, 4 * CL, CL, 0xaa);
    g_assert_true(overlay_empty(s.active));
    g_assert_true(overlay_empty(s.hidden));
    /* the guest keeps running on the disk directly */
    pwrite_pattern(s.top, 20 * CL, CL, 0x34);
    assert_pattern(s.disk, 20 * CL, CL, 0x34);
    assert_pattern(s.top, 0, CL, 0x31);
    g_assert_true(overlay_empty(s.active));
    /* a checkpoint after failover changes nothing */
    colo_participants_checkpoint();
    assert_pattern(s.top, 20 * CL, CL, 0x34);
    secondary_close(&s);
}

static void test_secondary_open_errors(void)
{
    g_autofree char *active = new_qcow2("e-active.qcow2");
    QDict *opts = qdict_new();
    Error *err = NULL;

    qdict_put_str(opts, "driver", "replication");
    qdict_put_str(opts, "mode", "secondary");
    qdict_put_str(opts, "file.driver", "qcow2");
    qdict_put_str(opts, "file.file.filename", active);
    g_assert_null(bdrv_open(qdict_clone_shallow(opts), &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "The option 'top-id' is "
                    "required when the mode is secondary");
    error_free(err);
    err = NULL;

    qdict_put_str(opts, "top-id", "colo-disk0");
    g_assert_null(bdrv_open(qdict_clone_shallow(opts), &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Active disk or hidden disk "
                    "doesn't have a backing file");
    error_free(err);
    err = NULL;

    qdict_put_str(opts, "mode", "primary");
    g_assert_null(bdrv_open(opts, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "The primary side does not "
                    "support option top-id");
    error_free(err);
    g_assert_cmpuint(colo_participants_count(), ==, 0);
}

/* A protocol driver standing in for the NBD connection: it can die. */
typedef struct FakeNbd {
    uint8_t data[SIZE];
} FakeNbd;

static bool fake_nbd_dead;
static int fake_nbd_writes;

static bool fake_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    return true;
}

static int fake_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, int flags)
{
    FakeNbd *f = bs->opaque;

    if (fake_nbd_dead) {
        return -ECONNRESET;
    }
    qemu_iovec_from_buf(qiov, 0, f->data + offset, bytes);
    return 0;
}

static int fake_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, int flags)
{
    FakeNbd *f = bs->opaque;

    if (fake_nbd_dead) {
        return -ECONNRESET;
    }
    fake_nbd_writes++;
    qemu_iovec_to_buf(qiov, 0, f->data + offset, bytes);
    return 0;
}

static int fake_flush(BlockDriverState *bs)
{
    return fake_nbd_dead ? -ECONNRESET : 0;
}

static int64_t fake_getlength(BlockDriverState *bs)
{
    return SIZE;
}

static const BlockDriver bdrv_fake_nbd = {
    .format_name = "test-fake-nbd",
    .instance_size = sizeof(FakeNbd),
    .protocol = true,
    .bdrv_open = fake_open,
    .bdrv_preadv = fake_preadv,
    .bdrv_pwritev = fake_pwritev,
    .bdrv_flush = fake_flush,
    .bdrv_getlength = fake_getlength,
};

static void test_primary_child_dies(void)
{
    g_autofree char *local = blk_test_path("primary.raw");
    BlockDriverState *top, *repl;
    QDict *opts;
    Error *err = NULL;

    bdrv_register(&bdrv_fake_nbd);
    blk_test_write_file(local, SIZE, 0xcc);
    opts = qdict_new();
    qdict_put_str(opts, "driver", "quorum");
    qdict_put_str(opts, "node-name", "colo-disk0");
    qdict_put_str(opts, "read-pattern", "fifo");
    qdict_put_int(opts, "vote-threshold", 1);
    qdict_put_str(opts, "children.0.driver", "raw");
    qdict_put_str(opts, "children.0.file.filename", local);
    top = bdrv_open(opts, &error_abort);

    /* drive_add -n buddy driver=replication,mode=primary,file.driver=... */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "replication");
    qdict_put_str(opts, "node-name", "replication0");
    qdict_put_str(opts, "mode", "primary");
    qdict_put_str(opts, "file.driver", "test-fake-nbd");
    repl = bdrv_open(opts, &error_abort);
    /* x-blockdev-change parent=colo-disk0 node=replication0 */
    g_assert(bdrv_add_child(top, repl, &error_abort));

    fake_nbd_dead = false;
    pwrite_pattern(top, 0, CL, 0x41);
    g_assert_cmpint(fake_nbd_writes, ==, 1);
    assert_pattern(bdrv_file_bs(repl), 0, CL, 0x41);
    g_assert_true(colo_participants_get_error(&error_abort));

    /* the secondary goes away: the guest does not notice */
    fake_nbd_dead = true;
    pwrite_pattern(top, CL, CL, 0x42);
    pwrite_pattern(top, 2 * CL, CL, 0x43);
    assert_pattern(top, CL, CL, 0x42);
    g_assert_cmpint(bdrv_flush(top), ==, 0);
    g_assert_cmpint(replication_get_stage(repl), ==,
                    REPLICATION_STAGE_BROKEN);
    g_assert_cmpint(quorum_failures(top), >=, 2);
    /* and it is reported */
    g_assert_false(colo_participants_get_error(&err));
    g_assert_nonnull(strstr(error_get_pretty(err), "replication0"));
    error_free(err);
    /* a broken child stays broken (no slow retries on a dead peer) */
    fake_nbd_dead = false;
    pwrite_pattern(top, 3 * CL, CL, 0x44);
    g_assert_cmpint(fake_nbd_writes, ==, 1);

    /* failover procedure: x-blockdev-change child=children.1 */
    g_assert(bdrv_del_child(top, "children.1", &error_abort));
    bdrv_unref(repl);
    bdrv_unref(top);
    g_assert_cmpuint(colo_participants_count(), ==, 0);
    {
        BlockDriverState *bs = blk_test_open(local, "raw", true);

        assert_pattern(bs, 0, CL, 0x41);
        assert_pattern(bs, CL, CL, 0x42);
        assert_pattern(bs, 2 * CL, CL, 0x43);
        assert_pattern(bs, 3 * CL, CL, 0x44);
        bdrv_unref(bs);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/block/replication/secondary/read-after-write",
                    test_secondary_read_after_write);
    g_test_add_func("/block/replication/secondary/checkpoint",
                    test_secondary_checkpoint);
    g_test_add_func("/block/replication/secondary/failover",
                    test_secondary_failover);
    g_test_add_func("/block/replication/secondary/open-errors",
                    test_secondary_open_errors);
    g_test_add_func("/block/replication/primary/child-dies",
                    test_primary_child_dies);
    return g_test_run();
}
