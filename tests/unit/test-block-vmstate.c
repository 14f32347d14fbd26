/*
 * The block layer drains when the VM stops: a read submitted while the
 * VM runs has landed in its buffer (guest RAM for a device) by the time
 * vm_stop() returns, without the main loop running in between; its
 * completion callback runs at the next main loop iteration.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "block/block-vmstate.h"
#include "system/block-backend.h"
#include "system/runstate.h"
#include "block-test-util.h"

typedef struct ReadReq {
    bool done;
    int ret;
} ReadReq;

static void read_done(void *opaque, int ret)
{
    ReadReq *r = opaque;

    r->done = true;
    r->ret = ret;
}

static void test_stop_drains(void)
{
    g_autofree char *path = blk_test_path("disk.raw");
    BlockDriverState *bs;
    BlockBackend *blk;
    uint8_t buf[4096];
    QEMUIOVector qiov;
    ReadReq r = { 0 };

    blk_test_write_file(path, 1 << 20, 0x5a);
    bs = blk_test_open(path, "raw", true);
    blk = blk_new(NULL, &error_abort);
    g_assert_true(blk_insert_bs(blk, bs, &error_abort));
    bdrv_unref(bs);
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    memset(buf, 0, sizeof(buf));

    block_vmstate_init();
    vm_start();
    g_assert_true(runstate_is_running());
    blk_aio_preadv(blk, 8192, &qiov, 0, read_done, &r);
    g_assert_false(r.done);
    vm_stop(RUN_STATE_PAUSED);
    g_assert_cmphex(buf[0], ==, 0x5a);
    g_assert_cmphex(buf[sizeof(buf) - 1], ==, 0x5a);
    while (!r.done) {
        main_loop_wait(false);
    }
    g_assert_cmpint(r.ret, ==, 0);
    blk_unref(blk);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    g_test_add_func("/block/vmstate/stop-drains", test_stop_drains);
    return g_test_run();
}
