/*
 * Linux native AIO for aio=native (include/block/raw-aio.h).
 */
#include "qemu/osdep.h"
#include <libaio.h>
#include "block/raw-aio.h"

static void ctx_free(gpointer p)
{
    io_destroy(p);
}

static GPrivate thread_ctx = G_PRIVATE_INIT(ctx_free);

static io_context_t get_ctx(void)
{
    io_context_t ctx = g_private_get(&thread_ctx);

    if (!ctx && io_setup(8, &ctx) == 0) {
        g_private_set(&thread_ctx, ctx);
    }
    return ctx;
}

bool laio_available(void)
{
    return true;
}

int laio_rw(int fd, int64_t offset, QEMUIOVector *qiov, bool write)
{
    io_context_t ctx = get_ctx();
    struct iocb iocb, *iocbs[1] = { &iocb };
    struct io_event ev;
    long res;
    int ret;

    if (!ctx) {
        return -EAGAIN;
    }
    if (write) {
        io_prep_pwritev(&iocb, fd, qiov->iov, qiov->niov, offset);
    } else {
        io_prep_preadv(&iocb, fd, qiov->iov, qiov->niov, offset);
    }
    ret = io_submit(ctx, 1, iocbs);
    if (ret != 1) {
        return ret < 0 ? ret : -EIO;
    }
    do {
        ret = io_getevents(ctx, 1, 1, &ev, NULL);
    } while (ret == -EINTR);
    if (ret != 1) {
        return ret < 0 ? ret : -EIO;
    }
    res = (long)ev.res;
    if (res < 0) {
        return res;
    }
    if ((size_t)res < qiov->size) {
        if (write) {
            return -EIO;
        }
        qemu_iovec_memset(qiov, res, 0, qiov->size - res);
    }
    return 0;
}
