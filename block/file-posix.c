/*
 * Protocol driver "file": a host file or block device.
 *
 * Options: filename (required), aio=threads|native, locking=on|off|auto,
 * plus the common ones.  cache.direct=on opens with O_DIRECT and bounces
 * every request through an aligned buffer; aio=native (requires
 * cache.direct=on, as QEMU) does that buffer's I/O with Linux AIO
 * (block/linux-aio.c) instead of preadv/pwritev.  Either way a request
 * runs synchronously in a block layer thread (block_int.h).  A request
 * flagged BDRV_REQ_NOWAIT (include/block/file-posix.h) instead runs in
 * its caller's thread and only from the page cache (RWF_NOWAIT), or
 * returns -EAGAIN.
 *
 * Image locking (as QEMU, so that QEMU and Tandem see each other's
 * locks): shared OFD locks on single bytes of the file.
 *
 *   byte 100 + bit   "this open holds permission bit"
 *   byte 200 + bit   "this open does not let others have bit"
 *
 *   bit 0 consistent read, 1 write, 2 write unchanged, 3 resize
 *
 * An open that wants permission P fails if another open holds 200+P
 * ('Failed to get "write" lock'); an open that unshares P fails if
 * another open holds 100+P ('Failed to get shared "write" lock').
 * Writable opens take {consistent read, write, resize} and unshare
 * {write, resize}; read-only opens take {consistent read} and unshare
 * {write, resize} unless force-share=on.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "block/block_int.h"
#include "block/file-posix.h"
#include "block/raw-aio.h"
#include "qemu/cutils.h"
#include "trace/trace-block.h"

#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200
#define DIRECT_ALIGN     4096
#define NOWAIT_NO_READ   1
#define NOWAIT_NO_WRITE  2

typedef struct BDRVFileState {
    int fd;
    bool use_lock;
    bool aio_native;
    int nowait_unsupported;    /* NOWAIT_NO_READ/WRITE: EOPNOTSUPP seen */
} BDRVFileState;

static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize",
};

static int lock_byte(int fd, int byte, short type, int cmd)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = byte,
        .l_len = 1,
        .l_type = type,
    };
    int ret = fcntl(fd, cmd, &fl);

    if (ret < 0) {
        return -errno;
    }
    if (cmd == F_OFD_GETLK) {
        return fl.l_type == F_UNLCK ? 0 : -EAGAIN;
    }
    return 0;
}

static bool file_lock(BlockDriverState *bs, int fd, uint64_t perm,
                      uint64_t unshared, Error **errp)
{
    int bit, ret;

    for (bit = 0; bit < 4; bit++) {
        if ((perm & (1 << bit)) &&
            lock_byte(fd, LOCK_PERM_BASE + bit, F_RDLCK, F_OFD_SETLK) < 0) {
            goto fail_perm;
        }
        if ((unshared & (1 << bit)) &&
            lock_byte(fd, LOCK_SHARED_BASE + bit, F_RDLCK,
                      F_OFD_SETLK) < 0) {
            goto fail_shared;
        }
    }
    for (bit = 0; bit < 4; bit++) {
        if (perm & (1 << bit)) {
            ret = lock_byte(fd, LOCK_SHARED_BASE + bit, F_WRLCK,
                            F_OFD_GETLK);
            if (ret < 0) {
                goto fail_perm;
            }
        }
        if (unshared & (1 << bit)) {
            ret = lock_byte(fd, LOCK_PERM_BASE + bit, F_WRLCK, F_OFD_GETLK);
            if (ret < 0) {
                goto fail_shared;
            }
        }
    }
    return true;

fail_perm:
    trace_file_lock_conflict(bs->filename, LOCK_SHARED_BASE + bit);
    error_setg(errp, "Failed to get \"%s\" lock", perm_names[bit]);
    error_append_hint(errp, "Is another process using the image [%s]?\n",
                      bs->filename);
    return false;
fail_shared:
    trace_file_lock_conflict(bs->filename, LOCK_PERM_BASE + bit);
    error_setg(errp, "Failed to get shared \"%s\" lock", perm_names[bit]);
    error_append_hint(errp, "Is another process using the image [%s]?\n",
                      bs->filename);
    return false;
}

static bool file_parse_options(BlockDriverState *bs, QDict *opts,
                               BDRVFileState *s, Error **errp)
{
    g_autofree char *aio = bdrv_opt_take_str(opts, "aio");
    g_autofree char *locking = bdrv_opt_take_str(opts, "locking");

    if (!aio || !strcmp(aio, "threads")) {
        s->aio_native = false;
    } else if (!strcmp(aio, "native")) {
        s->aio_native = true;
    } else {
        error_setg(errp, "Parameter 'aio' does not accept value '%s'", aio);
        return false;
    }
    if (s->aio_native && !laio_available()) {
        error_setg(errp, "aio=native was specified, but is not supported "
                   "in this build.");
        return false;
    }
    if (s->aio_native && !bs->cache_direct) {
        error_setg(errp, "aio=native was specified, but it requires "
                   "cache.direct=on, which was not specified.");
        return false;
    }
    if (!locking || !strcmp(locking, "auto") || !strcmp(locking, "on")) {
        s->use_lock = true;
    } else if (!strcmp(locking, "off")) {
        s->use_lock = false;
    } else {
        error_setg(errp, "Parameter 'locking' does not accept value '%s'",
                   locking);
        return false;
    }
    if (bs->force_share && !bs->read_only) {
        error_setg(errp, "force-share=on can only be used with read-only "
                   "images");
        return false;
    }
    qdict_del(opts, "aio-max-batch");
    qdict_del(opts, "drop-cache");
    return true;
}

static int file_open_fd(BlockDriverState *bs, Error **errp)
{
    int flags = O_CLOEXEC | (bs->cache_direct ? O_DIRECT : 0);
    int fd;

    fd = open(bs->filename, flags | (bs->read_only ? O_RDONLY : O_RDWR));
    if (fd < 0 && !bs->read_only && bs->auto_read_only &&
        (errno == EACCES || errno == EROFS || errno == EPERM)) {
        bs->read_only = true;
        fd = open(bs->filename, flags | O_RDONLY);
    }
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", bs->filename);
        return -1;
    }
    return fd;
}

static bool file_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVFileState *s = bs->opaque;
    g_autofree char *filename = bdrv_opt_take_str(opts, "filename");
    uint64_t perm, unshared;
    struct stat st;

    s->fd = -1;
    if (!filename) {
        error_setg(errp, "Parameter 'filename' is missing");
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), filename);
    if (!file_parse_options(bs, opts, s, errp)) {
        return false;
    }
    s->fd = file_open_fd(bs, errp);
    if (s->fd < 0) {
        return false;
    }
    if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        error_setg(errp, "'%s' is a directory", filename);
        goto fail;
    }
    perm = BLK_PERM_CONSISTENT_READ |
           (bs->read_only ? 0 : BLK_PERM_WRITE | BLK_PERM_RESIZE);
    unshared = bs->force_share ? 0 : BLK_PERM_WRITE | BLK_PERM_RESIZE;
    if (s->use_lock && !file_lock(bs, s->fd, perm, unshared, errp)) {
        goto fail;
    }
    bs->request_alignment = bs->cache_direct ? DIRECT_ALIGN : 1;
    trace_file_open(filename, s->fd, !bs->read_only, bs->cache_direct);
    return true;

fail:
    close(s->fd);
    s->fd = -1;
    return false;
}

/* New descriptor in the new mode, with the locks of that mode */
static bool file_reopen_rw(BlockDriverState *bs, bool read_only,
                           Error **errp)
{
    BDRVFileState *s = bs->opaque;
    bool old_ro = bs->read_only;
    uint64_t perm = BLK_PERM_CONSISTENT_READ |
                    (read_only ? 0 : BLK_PERM_WRITE | BLK_PERM_RESIZE);
    uint64_t unshared = bs->force_share ? 0
                                        : BLK_PERM_WRITE | BLK_PERM_RESIZE;
    int fd;

    if (!read_only && bs->force_share) {
        error_setg(errp, "force-share=on can only be used with read-only "
                   "images");
        return false;
    }
    bs->read_only = read_only;
    fd = file_open_fd(bs, errp);
    bs->read_only = old_ro;
    if (fd < 0) {
        return false;
    }
    /* our old descriptor's locks would conflict with the new one's */
    if (s->use_lock) {
        int bit;

        for (bit = 0; bit < 4; bit++) {
            lock_byte(s->fd, LOCK_PERM_BASE + bit, F_UNLCK, F_OFD_SETLK);
            lock_byte(s->fd, LOCK_SHARED_BASE + bit, F_UNLCK, F_OFD_SETLK);
        }
        if (!file_lock(bs, fd, perm, unshared, errp)) {
            uint64_t old_perm = BLK_PERM_CONSISTENT_READ |
                (old_ro ? 0 : BLK_PERM_WRITE | BLK_PERM_RESIZE);

            close(fd);
            file_lock(bs, s->fd, old_perm, unshared, NULL);
            return false;
        }
    }
    close(s->fd);
    s->fd = fd;
    return true;
}

static void file_close(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;

    if (s->fd >= 0) {
        close(s->fd);   /* drops the OFD locks */
        s->fd = -1;
    }
}

/*
 * Plain positioned I/O; reads past EOF return zeroes.  With @nowait
 * (RWF_NOWAIT) the kernel answers only from the page cache: anything
 * that would block returns -EAGAIN (a partial transfer is redone in
 * full by the caller's fallback; both directions are idempotent).
 */
static int file_rw_iov(int fd, int64_t offset, QEMUIOVector *qiov,
                       int64_t bytes, bool write, bool nowait)
{
    int rwf = nowait ? RWF_NOWAIT : 0;
    int64_t done = 0;

    while (done < bytes) {
        QEMUIOVector part;
        ssize_t n;

        qemu_iovec_init(&part, qiov->niov);
        qemu_iovec_concat(&part, qiov, done, bytes - done);
        n = write ? pwritev2(fd, part.iov, part.niov, offset + done, rwf)
                  : preadv2(fd, part.iov, part.niov, offset + done, rwf);
        qemu_iovec_destroy(&part);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            if (write) {
                return -EIO;
            }
            qemu_iovec_memset(qiov, done, 0, bytes - done);
            return 0;
        }
        done += n;
    }
    return 0;
}

/*
 * A BDRV_REQ_NOWAIT request: -EAGAIN unless it completes from the page
 * cache without sleeping.  O_DIRECT always waits for the device, so it
 * is never tried; a file system without non-blocking buffered writes
 * (EOPNOTSUPP, ext4) or reads is remembered and not asked again.
 */
static int file_rw_nowait(BlockDriverState *bs, int64_t offset,
                          QEMUIOVector *qiov, int64_t bytes, bool write)
{
    BDRVFileState *s = bs->opaque;
    int no = write ? NOWAIT_NO_WRITE : NOWAIT_NO_READ;
    int ret;

    if (bs->cache_direct || (g_atomic_int_get(&s->nowait_unsupported) & no)) {
        return -EAGAIN;
    }
    ret = file_rw_iov(s->fd, offset, qiov, bytes, write, true);
    if (ret == -EOPNOTSUPP || ret == -EINVAL) {
        g_atomic_int_or(&s->nowait_unsupported, no);
        ret = -EAGAIN;
    }
    return ret;
}

/*
 * O_DIRECT: read/modify/write through an aligned bounce buffer covering
 * the aligned range.  (Concurrent unaligned writes to one block are not
 * serialised; devices issue sector-aligned requests.)
 */
static int file_rw_direct(int fd, int64_t offset, QEMUIOVector *qiov,
                          int64_t bytes, bool write, bool native)
{
    int64_t start = QEMU_ALIGN_DOWN(offset, DIRECT_ALIGN);
    int64_t end = QEMU_ALIGN_UP(offset + bytes, DIRECT_ALIGN);
    void *buf;
    QEMUIOVector bounce;
    int ret;

    if (posix_memalign(&buf, DIRECT_ALIGN, end - start)) {
        return -ENOMEM;
    }
    qemu_iovec_init_buf(&bounce, buf, end - start);
    if (!write || start != offset || end != offset + bytes) {
        ret = native ? laio_rw(fd, start, &bounce, false)
                     : file_rw_iov(fd, start, &bounce, end - start, false,
                                   false);
        if (ret < 0) {
            goto out;
        }
    }
    if (write) {
        qemu_iovec_to_buf(qiov, 0, (uint8_t *)buf + (offset - start), bytes);
        ret = native ? laio_rw(fd, start, &bounce, true)
                     : file_rw_iov(fd, start, &bounce, end - start, true,
                                   false);
    } else {
        qemu_iovec_from_buf(qiov, 0, (uint8_t *)buf + (offset - start),
                            bytes);
        ret = 0;
    }
out:
    free(buf);
    return ret;
}

static int file_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, int flags)
{
    BDRVFileState *s = bs->opaque;

    if (flags & BDRV_REQ_NOWAIT) {
        return file_rw_nowait(bs, offset, qiov, bytes, false);
    }
    if (bs->cache_direct) {
        return file_rw_direct(s->fd, offset, qiov, bytes, false,
                              s->aio_native);
    }
    return file_rw_iov(s->fd, offset, qiov, bytes, false, false);
}

static int file_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, int flags)
{
    BDRVFileState *s = bs->opaque;

    if (flags & BDRV_REQ_NOWAIT) {
        return file_rw_nowait(bs, offset, qiov, bytes, true);
    }
    if (bs->cache_direct) {
        return file_rw_direct(s->fd, offset, qiov, bytes, true,
                              s->aio_native);
    }
    return file_rw_iov(s->fd, offset, qiov, bytes, true, false);
}

static int file_flush(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;

    if (bs->cache_no_flush) {
        return 0;
    }
    return fdatasync(s->fd) < 0 ? -errno : 0;
}

static int64_t file_getlength(BlockDriverState *bs)
{
    BDRVFileState *s = bs->opaque;
    struct stat st;
    off_t end;

    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    if (S_ISREG(st.st_mode)) {
        return st.st_size;
    }
    end = lseek(s->fd, 0, SEEK_END);
    return end < 0 ? -errno : end;
}

static int file_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BDRVFileState *s = bs->opaque;

    if (fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  offset, bytes) < 0) {
        return errno == EOPNOTSUPP ? -ENOTSUP : -errno;
    }
    return 0;
}

static int file_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, int flags)
{
    BDRVFileState *s = bs->opaque;
    int64_t len = file_getlength(bs);

    if ((flags & BDRV_REQ_MAY_UNMAP) && len >= offset + bytes &&
        file_pdiscard(bs, offset, bytes) == 0) {
        return 0;
    }
    if (fallocate(s->fd, FALLOC_FL_ZERO_RANGE, offset, bytes) == 0) {
        return 0;
    }
    return -ENOTSUP;
}

static bool file_truncate(BlockDriverState *bs, int64_t offset,
                          Error **errp)
{
    BDRVFileState *s = bs->opaque;

    if (ftruncate(s->fd, offset) < 0) {
        error_setg_errno(errp, errno, "Failed to resize file");
        return false;
    }
    return true;
}

static int file_block_status(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int64_t *pnum)
{
    BDRVFileState *s = bs->opaque;
    off_t data = lseek(s->fd, offset, SEEK_DATA);
    off_t hole;

    *pnum = bytes;
    if (data < 0) {
        /* ENXIO: only a hole up to EOF */
        return errno == ENXIO ? BDRV_BLOCK_ZERO : BDRV_BLOCK_DATA;
    }
    if (data > offset) {
        *pnum = MIN(bytes, data - offset);
        return BDRV_BLOCK_ZERO;
    }
    hole = lseek(s->fd, offset, SEEK_HOLE);
    if (hole > offset) {
        *pnum = MIN(bytes, hole - offset);
    }
    return BDRV_BLOCK_DATA;
}

const BlockDriver bdrv_file = {
    .format_name = "file",
    .instance_size = sizeof(BDRVFileState),
    .protocol = true,
    .bdrv_open = file_open,
    .bdrv_close = file_close,
    .bdrv_reopen_rw = file_reopen_rw,
    .bdrv_preadv = file_preadv,
    .bdrv_pwritev = file_pwritev,
    .bdrv_flush = file_flush,
    .bdrv_pdiscard = file_pdiscard,
    .bdrv_pwrite_zeroes = file_pwrite_zeroes,
    .bdrv_getlength = file_getlength,
    .bdrv_truncate = file_truncate,
    .bdrv_block_status = file_block_status,
};

bool bdrv_file_nowait_usable(BlockDriverState *bs, bool write)
{
    BDRVFileState *s;

    if (bs && bs->drv == &bdrv_raw) {
        if (write && bs->detect_zeroes != BDRV_DETECT_ZEROES_OFF) {
            return false;
        }
        bs = bs->file ? bs->file->bs : NULL;
    }
    if (!bs || bs->drv != &bdrv_file || bs->cache_direct) {
        return false;
    }
    s = bs->opaque;
    if (g_atomic_int_get(&s->nowait_unsupported) &
        (write ? NOWAIT_NO_WRITE : NOWAIT_NO_READ)) {
        return false;
    }
    return !write || bs->detect_zeroes == BDRV_DETECT_ZEROES_OFF;
}
