/*
 * virtio-blk-pci on a real raw image (BlockBackend "d0".."dN") and a
 * fake guest memory: write/read/flush through the ring, requests past
 * the end or misaligned -> IOERR, GET_ID, unknown types -> UNSUPP,
 * write-zeroes and discard, a read-only drive, a chain without a header
 * -> DEVICE_NEEDS_RESET, an in-flight write migrated to a second
 * device that re-issues it, and requests completed inline (from the
 * page cache, inside the notify) only while the VM runs.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci-host/i440fx.h"
#include "hw/virtio/virtio-blk.h"
#include "system/runstate.h"
#include "test-virtio-mem.h"

#define QN          16
#define IMG_SIZE    (1024 * 1024)
#define HDR         0x80000
#define DATA        0x90000
#define STATUS      0xa0000

typedef struct Env {
    FakeMem m;
    char *path;
    BlockBackend *blk;
    DeviceState *dev;
    VirtIOBlock *s;
    uint16_t next_desc;
    uint16_t done;
} Env;

static unsigned int env_count;
static char *tmpdir;

static void env_device(Env *e, const char *serial)
{
    uint64_t f = (1ULL << VIRTIO_F_VERSION_1) |
                 (1ULL << VIRTIO_BLK_F_FLUSH) |
                 (1ULL << VIRTIO_BLK_F_DISCARD) |
                 (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
    VirtIODevice *vdev;

    e->dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
    qdev_prop_set_string(e->dev, "drive", blk_name(e->blk));
    if (serial) {
        qdev_prop_set_string(e->dev, "serial", serial);
    }
    g_assert_true(qdev_realize(e->dev, NULL, &error_abort));
    e->s = &VIRTIO_BLK_PCI(e->dev)->blk;
    vdev = &e->s->vdev;
    vdev->mem = e->m.mem;
    virtio_set_guest_features(vdev, 0, f & vdev->host_features);
    virtio_set_guest_features(vdev, 1, f >> 32);
    virtio_set_status(vdev, 0xb);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    drv_setup(e->s->vq, QN);
    virtio_set_status(vdev, 0xf);
}

static void env_init(Env *e, bool read_only, const char *serial)
{
    g_autofree char *name = g_strdup_printf("d%u", env_count);
    g_autofree uint8_t *zero = g_malloc0(IMG_SIZE);

    memset(e, 0, sizeof(*e));
    fake_mem_init(&e->m);
    e->path = g_strdup_printf("%s/img%u.raw", tmpdir, env_count++);
    g_assert_true(g_file_set_contents(e->path, (char *)zero, IMG_SIZE,
                                      NULL));
    e->blk = blk_new(name, &error_abort);
    g_assert_true(blk_insert_bs(e->blk, bdrv_open_image(e->path, "raw",
                                                        read_only,
                                                        &error_abort),
                                &error_abort));
    bdrv_unref(blk_bs(e->blk));
    env_device(e, serial);
}

static void env_done(Env *e)
{
    qdev_unplug_and_remove(e->dev);
    blk_unref(e->blk);
    g_assert_cmpint(e->m.maps, ==, 0);
    fake_mem_free(&e->m);
    unlink(e->path);
    g_free(e->path);
}

/*
 * Queue one request: header, optional data (out or in), status.
 * Returns the head.  Data lives at DATA + 0x1000 * head.
 */
static uint16_t submit(Env *e, uint32_t type, uint64_t sector,
                       uint32_t len, bool data_in)
{
    uint16_t head = e->next_desc;
    uint16_t d = head;
    uint8_t *h = e->m.ram + HDR + 16 * head;
    uint32_t t = GUINT32_TO_LE(type);
    uint64_t sec = GUINT64_TO_LE(sector);

    memcpy(h, &t, 4);
    memset(h + 4, 0, 4);
    memcpy(h + 8, &sec, 8);
    e->m.ram[STATUS + head] = 0xff;
    drv_desc(&e->m, d, HDR + 16 * head, 16, VRING_DESC_F_NEXT, d + 1);
    d++;
    if (len) {
        drv_desc(&e->m, d, DATA + 0x1000 * head, len,
                 VRING_DESC_F_NEXT | (data_in ? VRING_DESC_F_WRITE : 0),
                 d + 1);
        d++;
    }
    drv_desc(&e->m, d, STATUS + head, 1, VRING_DESC_F_WRITE, 0);
    e->next_desc = (d + 1) % QN;
    drv_kick(&e->m, QN, head);
    return head;
}

static void kick(Env *e)
{
    virtio_queue_notify(&e->s->vdev, 0);
}

static void wait_done(Env *e, uint16_t count)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (drv_used_idx(&e->m) < e->done + count) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        main_loop_wait(false);
    }
    e->done += count;
}

static uint8_t status_of(Env *e, uint16_t head)
{
    return e->m.ram[STATUS + head];
}

static void test_read_write_flush(void)
{
    Env e;
    uint16_t w, f, r;
    uint8_t file[1024];
    uint32_t id, len;
    FILE *fp;
    int i;

    env_init(&e, false, NULL);
    g_assert_cmpuint(virtio_config_read(&e.s->vdev, 0, 4), ==,
                     IMG_SIZE / 512);
    g_assert_cmpuint(virtio_config_read(&e.s->vdev, 20, 4), ==, 512);
    for (i = 0; i < 1024; i++) {
        e.m.ram[DATA + i] = i * 3;
    }
    w = submit(&e, VIRTIO_BLK_T_OUT, 4, 1024, false);
    memcpy(e.m.ram + DATA + 0x1000 * w, e.m.ram + DATA, 1024);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, w), ==, VIRTIO_BLK_S_OK);
    f = submit(&e, VIRTIO_BLK_T_FLUSH, 0, 0, false);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, f), ==, VIRTIO_BLK_S_OK);

    fp = fopen(e.path, "rb");
    g_assert_nonnull(fp);
    g_assert_cmpint(fseek(fp, 4 * 512, SEEK_SET), ==, 0);
    g_assert_cmpuint(fread(file, 1, sizeof(file), fp), ==, sizeof(file));
    fclose(fp);
    g_assert_cmpmem(file, 1024, e.m.ram + DATA, 1024);

    r = submit(&e, VIRTIO_BLK_T_IN, 4, 1024, true);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpmem(e.m.ram + DATA + 0x1000 * r, 1024, file, 1024);
    drv_used_elem(&e.m, QN, 2, &id, &len);
    g_assert_cmpuint(id, ==, r);
    g_assert_cmpuint(len, ==, 1025);

    /* block_resize: new capacity and a config interrupt */
    g_assert_true(blk_truncate(e.blk, 2 * IMG_SIZE, &error_abort));
    g_assert_cmpuint(virtio_config_read(&e.s->vdev, 0, 4), ==,
                     2 * IMG_SIZE / 512);
    g_assert_cmpuint(e.s->vdev.generation, ==, 1);
    g_assert_true(e.s->vdev.isr & VIRTIO_ISR_CONFIG);
    env_done(&e);
}

static void test_out_of_range(void)
{
    Env e;
    uint16_t a, b, c, d;

    env_init(&e, false, NULL);
    a = submit(&e, VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, 1024, true);
    b = submit(&e, VIRTIO_BLK_T_OUT, UINT64_MAX - 1, 512, false);
    c = submit(&e, VIRTIO_BLK_T_IN, 0, 100, true);      /* not 512 */
    d = submit(&e, VIRTIO_BLK_T_IN, IMG_SIZE / 512 - 1, 512, true);
    kick(&e);
    wait_done(&e, 4);
    g_assert_cmpuint(status_of(&e, a), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(status_of(&e, b), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(status_of(&e, c), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(status_of(&e, d), ==, VIRTIO_BLK_S_OK);
    g_assert_false(e.s->vdev.broken);
    env_done(&e);
}

static void test_get_id_unsupp(void)
{
    Env e;
    uint16_t a, b;

    env_init(&e, false, "SN-1234");
    a = submit(&e, VIRTIO_BLK_T_GET_ID, 0, 20, true);
    b = submit(&e, 99, 0, 0, false);
    kick(&e);
    wait_done(&e, 2);
    g_assert_cmpuint(status_of(&e, a), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpstr((char *)e.m.ram + DATA + 0x1000 * a, ==, "SN-1234");
    g_assert_cmpuint(status_of(&e, b), ==, VIRTIO_BLK_S_UNSUPP);
    env_done(&e);
}

static uint16_t submit_seg(Env *e, uint32_t type, uint64_t sector,
                           uint32_t n, uint32_t flags)
{
    uint16_t head = submit(e, type, 0, 16, false);
    uint8_t *p = e->m.ram + DATA + 0x1000 * head;

    sector = GUINT64_TO_LE(sector);
    n = GUINT32_TO_LE(n);
    flags = GUINT32_TO_LE(flags);
    memcpy(p, &sector, 8);
    memcpy(p + 8, &n, 4);
    memcpy(p + 12, &flags, 4);
    return head;
}

static void test_write_zeroes_discard(void)
{
    Env e;
    uint16_t w, z, r, dsc, bad;

    env_init(&e, false, NULL);
    g_assert_true(virtio_vdev_has_feature(&e.s->vdev,
                                          VIRTIO_BLK_F_WRITE_ZEROES));
    w = submit(&e, VIRTIO_BLK_T_OUT, 8, 1024, false);
    memset(e.m.ram + DATA + 0x1000 * w, 0x5a, 1024);
    kick(&e);
    wait_done(&e, 1);
    z = submit_seg(&e, VIRTIO_BLK_T_WRITE_ZEROES, 9, 1, 0);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, z), ==, VIRTIO_BLK_S_OK);
    r = submit(&e, VIRTIO_BLK_T_IN, 8, 1024, true);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(e.m.ram[DATA + 0x1000 * r], ==, 0x5a);
    g_assert_cmpuint(e.m.ram[DATA + 0x1000 * r + 512], ==, 0);
    dsc = submit_seg(&e, VIRTIO_BLK_T_DISCARD, 0, 8, 0);
    bad = submit_seg(&e, VIRTIO_BLK_T_DISCARD, IMG_SIZE / 512, 1, 0);
    kick(&e);
    wait_done(&e, 2);
    g_assert_cmpuint(status_of(&e, dsc), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(status_of(&e, bad), ==, VIRTIO_BLK_S_IOERR);
    env_done(&e);
}

static void test_read_only(void)
{
    Env e;
    uint16_t w, r;

    env_init(&e, true, NULL);
    g_assert_true(e.s->vdev.host_features & (1ULL << VIRTIO_BLK_F_RO));
    w = submit(&e, VIRTIO_BLK_T_OUT, 0, 512, false);
    r = submit(&e, VIRTIO_BLK_T_IN, 0, 512, true);
    kick(&e);
    wait_done(&e, 2);
    g_assert_cmpuint(status_of(&e, w), ==, VIRTIO_BLK_S_IOERR);
    g_assert_cmpuint(status_of(&e, r), ==, VIRTIO_BLK_S_OK);
    env_done(&e);
}

static void test_bad_chain(void)
{
    Env e;

    env_init(&e, false, NULL);
    /* a chain with only 8 readable bytes: no header, no status */
    drv_desc(&e.m, 0, HDR, 8, 0, 0);
    drv_kick(&e.m, QN, 0);
    kick(&e);
    g_assert_true(e.s->vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    /* reset recovers */
    virtio_set_status(&e.s->vdev, 0);
    g_assert_false(e.s->vdev.broken);
    env_done(&e);
}

/* No drive, an unknown drive, a drive already in use. */
static void test_realize_errors(void)
{
    Env e;
    DeviceState *dev;
    Error *err = NULL;

    dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
    g_assert_false(qdev_realize(dev, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "drive property not set");
    error_free(err);
    err = NULL;
    object_unref(OBJECT(dev));
    dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
    qdev_prop_set_string(dev, "drive", "nope");
    g_assert_false(qdev_realize(dev, NULL, &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));

    env_init(&e, false, NULL);
    dev = qdev_new(TYPE_VIRTIO_BLK_PCI);
    qdev_prop_set_string(dev, "drive", blk_name(e.blk));
    g_assert_false(qdev_realize(dev, NULL, &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));
    env_done(&e);
}

/*
 * Migration with a write in flight: the source saves before the write
 * completes; RAM is copied; the destination (another drive) re-issues
 * the write after the load and completes it in its copy of RAM.
 */
static void test_migrate_inflight(void)
{
    Env src, dst;
    g_autofree uint8_t *stream = NULL;
    size_t len;
    uint16_t w, old;
    uint8_t file[512];
    FILE *fp;

    env_init(&src, false, NULL);
    env_init(&dst, false, NULL);
    w = submit(&src, VIRTIO_BLK_T_OUT, 1, 512, false);
    memset(src.m.ram + DATA + 0x1000 * w, 0x77, 512);
    kick(&src);
    g_assert_cmpuint(g_list_length(src.s->inflight), ==, 1);
    stream = vmstate_test_save(&vmstate_virtio_blk_pci, src.dev, &len);
    /* the destination is busy too (a COLO secondary): that is dropped */
    dst.next_desc = 8;
    old = submit(&dst, VIRTIO_BLK_T_IN, 0, 512, true);
    kick(&dst);
    g_assert_cmpuint(g_list_length(dst.s->inflight), ==, 1);
    memcpy(dst.m.ram, src.m.ram, FAKE_MEM_SIZE);   /* RAM migration */
    g_assert_true(vmstate_test_load(&vmstate_virtio_blk_pci, dst.dev,
                                    stream, len, 1, &error_abort));
    g_assert_cmpuint(dst.s->inflight_count, ==, 1);
    g_assert_cmpuint(dst.s->vq->inuse, ==, 1);
    dst.done = drv_used_idx(&dst.m);
    wait_done(&dst, 1);                /* restart BH, then the write */
    g_assert_cmpuint(status_of(&dst, w), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(dst.s->vq->inuse, ==, 0);
    g_assert_cmpuint(g_list_length(dst.s->inflight), ==, 0);
    g_assert_cmpuint(drv_used_idx(&dst.m), ==, 1);
    g_assert_cmpuint(status_of(&dst, old), ==, 0);   /* src RAM's value */
    fp = fopen(dst.path, "rb");
    g_assert_cmpint(fseek(fp, 512, SEEK_SET), ==, 0);
    g_assert_cmpuint(fread(file, 1, sizeof(file), fp), ==, sizeof(file));
    fclose(fp);
    g_assert_cmpuint(file[0], ==, 0x77);
    g_assert_cmpuint(file[511], ==, 0x77);
    wait_done(&src, 1);
    /* a plain round trip of a quiet device */
    vmstate_test_roundtrip(&vmstate_virtio_blk_pci, dst.dev, dst.dev);
    env_done(&src);
    env_done(&dst);
}

/*
 * While the VM runs, a cached read completes inside the notify: the
 * used ring and the data are there when virtio_queue_notify() returns,
 * without a main-loop iteration.  A write completes inline or through
 * the pool (file systems without non-blocking buffered writes), with
 * the same result.  Once stopped (a COLO checkpoint), nothing is
 * completed into guest RAM until the main loop runs the completion.
 */
static void test_inline_running_only(void)
{
    Env e;
    uint16_t w, r, r2;
    uint32_t id, len;
    uint64_t tried;

    env_init(&e, false, NULL);
    g_assert_true(runstate_set(RUN_STATE_RUNNING));

    w = submit(&e, VIRTIO_BLK_T_OUT, 8, 4096, false);
    memset(e.m.ram + DATA + 0x1000 * w, 0x5a, 4096);
    kick(&e);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, w), ==, VIRTIO_BLK_S_OK);
    tried = e.s->inline_completions + e.s->inline_fallbacks;
    g_assert_cmpuint(tried, <=, 1);

    r = submit(&e, VIRTIO_BLK_T_IN, 8, 4096, true);
    kick(&e);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, e.done + 1);   /* no loop */
    e.done++;
    g_assert_cmpuint(status_of(&e, r), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(e.m.ram[DATA + 0x1000 * r], ==, 0x5a);
    g_assert_cmpuint(e.m.ram[DATA + 0x1000 * r + 4095], ==, 0x5a);
    drv_used_elem(&e.m, QN, 1, &id, &len);
    g_assert_cmpuint(id, ==, r);
    g_assert_cmpuint(len, ==, 4097);
    g_assert_cmpuint(g_list_length(e.s->inflight), ==, 0);
    g_assert_cmpuint(e.s->inline_completions, >=, 1);

    g_assert_true(runstate_set(RUN_STATE_PAUSED));
    r2 = submit(&e, VIRTIO_BLK_T_IN, 8, 4096, true);
    kick(&e);
    g_assert_cmpuint(g_list_length(e.s->inflight), ==, 1);
    g_assert_cmpuint(status_of(&e, r2), ==, 0xff);
    wait_done(&e, 1);
    g_assert_cmpuint(status_of(&e, r2), ==, VIRTIO_BLK_S_OK);
    g_assert_cmpuint(e.m.ram[DATA + 0x1000 * r2], ==, 0x5a);
    g_assert_true(runstate_set(RUN_STATE_PRELAUNCH));
    env_done(&e);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    g_assert_nonnull(i440fx_host_new(&error_abort));
    tmpdir = g_dir_make_tmp("test-virtio-blk-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/virtio/blk/read-write-flush", test_read_write_flush);
    g_test_add_func("/virtio/blk/out-of-range", test_out_of_range);
    g_test_add_func("/virtio/blk/get-id-unsupp", test_get_id_unsupp);
    g_test_add_func("/virtio/blk/write-zeroes-discard",
                    test_write_zeroes_discard);
    g_test_add_func("/virtio/blk/read-only", test_read_only);
    g_test_add_func("/virtio/blk/bad-chain", test_bad_chain);
    g_test_add_func("/virtio/blk/realize-errors", test_realize_errors);
    g_test_add_func("/virtio/blk/migrate-inflight", test_migrate_inflight);
    g_test_add_func("/virtio/blk/inline-running-only",
                    test_inline_running_only);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
