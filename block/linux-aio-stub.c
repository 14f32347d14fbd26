/*
 * Stubs for builds without libaio (include/block/raw-aio.h).
 */
#include "qemu/osdep.h"
#include "block/raw-aio.h"

bool laio_available(void)
{
    return false;
}

int laio_rw(int fd, int64_t offset, QEMUIOVector *qiov, bool write)
{
    return -ENOTSUP;
}
