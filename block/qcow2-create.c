/*
 * qcow2 image creation (v3, 16-bit refcounts, like qemu-img create):
 *
 *   cluster 0   header (112 bytes) + backing format extension + end
 *               extension + backing file name
 *   cluster 1   refcount table (1 cluster)
 *   cluster 2   refcount block 0
 *   cluster 3.. L1 table (all zero)
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include "block/qcow2.h"

bool qcow2_create(BlockDriverState *file, int64_t size, int cluster_bits,
                  const char *backing_file, const char *backing_fmt,
                  Error **errp)
{
    uint64_t cs = 1ULL << cluster_bits;
    uint64_t l1_size, l1_clusters, meta_clusters, i;
    g_autofree uint8_t *buf = NULL;
    uint32_t off = 112;
    QEMUIOVector qiov;
    int ret;

    if (cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "Cluster size must be a power of two between 512 "
                   "and 2048k");
        return false;
    }
    if (size < 0 || size > (1LL << 61)) {
        error_setg(errp, "Image size is too large");
        return false;
    }
    if (backing_file && strlen(backing_file) > QCOW2_MAX_BACKING_NAME) {
        error_setg(errp, "Backing file name too long");
        return false;
    }
    if (backing_fmt && strlen(backing_fmt) > 15) {
        error_setg(errp, "Invalid backing format");
        return false;
    }
    l1_size = DIV_ROUND_UP((uint64_t)size, cs * (cs / 8));
    l1_clusters = MAX(DIV_ROUND_UP(l1_size * 8, cs), 1);
    meta_clusters = 3 + l1_clusters;
    if (l1_size * 8 > QCOW2_MAX_L1_BYTES ||
        meta_clusters > cs * 8 / 16) {
        error_setg(errp, "Image size is too large for this cluster size");
        return false;
    }

    buf = g_malloc0(meta_clusters * cs);
    /* header */
    qcow2_put_be32(buf, QCOW2_MAGIC);
    qcow2_put_be32(buf + 4, 3);
    qcow2_put_be32(buf + QH_CLUSTER_BITS, cluster_bits);
    qcow2_put_be64(buf + QH_SIZE, size);
    qcow2_put_be32(buf + QH_L1_SIZE, l1_size);
    qcow2_put_be64(buf + QH_L1_OFFSET, 3 * cs);
    qcow2_put_be64(buf + QH_RT_OFFSET, cs);
    qcow2_put_be32(buf + QH_RT_CLUSTERS, 1);
    qcow2_put_be32(buf + QH_REFCOUNT_ORDER, 4);
    qcow2_put_be32(buf + QH_HEADER_LENGTH, 112);
    if (backing_fmt) {
        uint32_t len = strlen(backing_fmt);

        qcow2_put_be32(buf + off, QCOW2_EXT_BACKING_FMT);
        qcow2_put_be32(buf + off + 4, len);
        memcpy(buf + off + 8, backing_fmt, len);
        off += 8 + QEMU_ALIGN_UP(len, 8);
    }
    off += 8;       /* end of extensions */
    if (backing_file) {
        uint32_t len = strlen(backing_file);

        if (off + len > cs) {
            error_setg(errp, "Backing file name too long");
            return false;
        }
        qcow2_put_be64(buf + QH_BACKING_OFFSET, off);
        qcow2_put_be32(buf + QH_BACKING_SIZE, len);
        memcpy(buf + off, backing_file, len);
    }
    /* refcount table -> refcount block 0 at cluster 2 */
    qcow2_put_be64(buf + cs, 2 * cs);
    for (i = 0; i < meta_clusters; i++) {
        qcow2_refblock_set(buf + 2 * cs, 4, i, 1);
    }

    if (!bdrv_node_truncate(file, 0, errp)) {
        return false;
    }
    qemu_iovec_init_buf(&qiov, buf, meta_clusters * cs);
    ret = bdrv_node_pwritev(file, 0, meta_clusters * cs, &qiov, 0);
    if (ret == 0) {
        ret = bdrv_flush(file);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
        return false;
    }
    return true;
}

bool qcow2_create_file(const char *filename, int64_t size,
                       const char *backing_file, const char *backing_fmt,
                       Error **errp)
{
    QDict *opts;
    BlockDriverState *file;
    bool ok;
    int fd;

    fd = open(filename, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not create '%s'", filename);
        return false;
    }
    close(fd);
    opts = qdict_new();
    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", filename);
    file = bdrv_open(opts, errp);
    if (!file) {
        return false;
    }
    ok = qcow2_create(file, size, 16, backing_file, backing_fmt, errp);
    bdrv_unref(file);
    return ok;
}
