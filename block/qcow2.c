/*
 * Format driver "qcow2" (v2 and v3): header validation, guest reads and
 * writes, zero clusters, discard, flush and resize.  Layout, caches and
 * write ordering: block/qcow2.h.  Image creation: qcow2-create.c.
 *
 * Not supported (refused with an error): internal snapshots for
 * writing, encryption, external data files, extended L2 entries.
 * Compressed clusters are read, and rewritten by copy-on-write into a
 * normal cluster (qcow2-compress.c); we never write compressed data.
 *
 * Everything read from the image is untrusted: table sizes and offsets
 * are bounded at open, every table entry is checked before use, and a
 * bad entry fails the request with -EIO.
 */
#include "qemu/osdep.h"
#include "block/qcow2.h"
#include "qemu/cutils.h"
#include "trace/trace-block.h"

#define L2_CACHE_SIZE       32
#define REFBLOCK_CACHE_SIZE 8

static uint32_t be32_at(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static uint64_t be64_at(const uint8_t *p)
{
    return ((uint64_t)be32_at(p) << 32) | be32_at(p + 4);
}

/* Options QEMU's qcow2 accepts that have no effect here */
static const char *const ignored_options[] = {
    "pass-discard-request", "pass-discard-snapshot", "pass-discard-other",
    "overlap-check", "cache-size", "l2-cache-size", "l2-cache-entry-size",
    "refcount-cache-size", "cache-clean-interval", "lazy-refcounts",
};

static bool parse_extensions(BlockDriverState *bs, const uint8_t *hdr,
                             uint64_t start, uint64_t end, Error **errp)
{
    uint64_t off = start;
    int count = 0;

    while (off + 8 <= end) {
        uint32_t type = be32_at(hdr + off);
        uint32_t len = be32_at(hdr + off + 4);

        if (type == QCOW2_EXT_END) {
            return true;
        }
        if (++count > 1024 || len > end - off - 8) {
            error_setg(errp, "Invalid extension length");
            return false;
        }
        switch (type) {
        case QCOW2_EXT_BACKING_FMT:
            if (len >= sizeof(bs->backing_format)) {
                error_setg(errp, "ERROR: ext_backing_format: len=%u too "
                           "large (>=%zu)", len, sizeof(bs->backing_format));
                return false;
            }
            memcpy(bs->backing_format, hdr + off + 8, len);
            bs->backing_format[len] = 0;
            break;
        case QCOW2_EXT_DATA_FILE:
            error_setg(errp, "qcow2 images with an external data file are "
                       "not supported");
            return false;
        default:
            break;
        }
        off += 8 + QEMU_ALIGN_UP((uint64_t)len, 8);
    }
    return true;
}

/* Bounded, aligned, inside the file */
static bool table_ok(BDRVQcow2State *s, uint64_t offset, uint64_t bytes,
                     int64_t file_len)
{
    return !qcow2_offset_into_cluster(s, offset) &&
           offset <= (uint64_t)file_len && bytes <= file_len - offset;
}

static bool parse_header(BlockDriverState *bs, const uint8_t *h,
                         int64_t file_len, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t backing_off = be64_at(h + QH_BACKING_OFFSET);
    uint32_t backing_len = be32_at(h + QH_BACKING_SIZE);
    uint64_t required_l1, ext_end;

    s->size = be64_at(h + QH_SIZE);
    s->l1_size = be32_at(h + QH_L1_SIZE);
    s->l1_table_offset = be64_at(h + QH_L1_OFFSET);
    s->refcount_table_offset = be64_at(h + QH_RT_OFFSET);
    s->refcount_table_clusters = be32_at(h + QH_RT_CLUSTERS);
    s->nb_snapshots = be32_at(h + QH_NB_SNAPSHOTS);
    if (s->version >= 3) {
        s->incompat = be64_at(h + QH_INCOMPAT);
        s->compat = be64_at(h + QH_COMPAT);
        s->autoclear = be64_at(h + QH_AUTOCLEAR);
        if (be32_at(h + QH_REFCOUNT_ORDER) > 6) {
            error_setg(errp, "Reference count entry width too large; may "
                       "not exceed 64 bits");
            return false;
        }
        s->refcount_order = be32_at(h + QH_REFCOUNT_ORDER);
        s->header_length = be32_at(h + QH_HEADER_LENGTH);
        if (s->header_length < QH_V3_LENGTH ||
            s->header_length > s->cluster_size) {
            error_setg(errp, "qcow2 header exceeds cluster size");
            return false;
        }
        if (s->header_length > QH_COMPRESSION_TYPE &&
            h[QH_COMPRESSION_TYPE] > 1) {
            error_setg(errp, "qcow2: unknown compression type: %u",
                       h[QH_COMPRESSION_TYPE]);
            return false;
        }
    } else {
        s->refcount_order = 4;
        s->header_length = QH_V2_LENGTH;
    }
    if (s->incompat & ~(QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT |
                        QCOW2_INCOMPAT_COMPRESSION)) {
        uint64_t unknown = s->incompat & ~(QCOW2_INCOMPAT_DIRTY |
                                           QCOW2_INCOMPAT_CORRUPT |
                                           QCOW2_INCOMPAT_COMPRESSION);

        error_setg(errp, "Unsupported qcow2 feature(s): 0x%" PRIx64,
                   unknown);
        return false;
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not "
                   "exceed 64 bits");
        return false;
    }
    if (be32_at(h + QH_CRYPT)) {
        error_setg(errp, "Encrypted qcow2 images are not supported");
        return false;
    }
    if (s->size > (1ULL << 61)) {
        error_setg(errp, "Image is too big");
        return false;
    }
    if ((uint64_t)s->l1_size * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "Active L1 table too large");
        return false;
    }
    required_l1 = DIV_ROUND_UP(s->size, s->cluster_size << s->l2_bits);
    if (s->l1_size < required_l1) {
        error_setg(errp, "L1 table is too small");
        return false;
    }
    if (s->l1_size && !table_ok(s, s->l1_table_offset, s->l1_size * 8ULL,
                                file_len)) {
        error_setg(errp, "Invalid L1 table offset");
        return false;
    }
    if (s->refcount_table_clusters == 0 ||
        (uint64_t)s->refcount_table_clusters << s->cluster_bits >
        QCOW2_MAX_RT_BYTES) {
        error_setg(errp, "Reference count table too large");
        return false;
    }
    if (!table_ok(s, s->refcount_table_offset,
                  (uint64_t)s->refcount_table_clusters << s->cluster_bits,
                  file_len)) {
        error_setg(errp, "Invalid reference count table offset");
        return false;
    }
    ext_end = s->cluster_size;
    if (backing_off) {
        if (backing_off > s->cluster_size ||
            backing_len > QCOW2_MAX_BACKING_NAME ||
            backing_len > s->cluster_size - backing_off) {
            error_setg(errp, "Backing file name too long");
            return false;
        }
        memcpy(bs->backing_file, h + backing_off, backing_len);
        bs->backing_file[backing_len] = 0;
        if (backing_off > s->header_length) {
            ext_end = backing_off;
        }
    }
    return parse_extensions(bs, h, s->header_length, ext_end, errp);
}

static bool read_table(BlockDriverState *bs, uint64_t offset,
                       uint64_t entries, uint64_t **table, Error **errp)
{
    int ret;
    uint64_t i;

    *table = g_try_new0(uint64_t, MAX(entries, 1));
    if (!*table) {
        error_setg(errp, "Could not allocate metadata table");
        return false;
    }
    if (!entries) {
        return true;
    }
    ret = bdrv_pread(bs->file, offset, entries * 8, *table, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read metadata table");
        return false;
    }
    for (i = 0; i < entries; i++) {
        (*table)[i] = GUINT64_FROM_BE((*table)[i]);
    }
    return true;
}

static bool check_writable(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->incompat & QCOW2_INCOMPAT_CORRUPT) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return false;
    }
    if (s->incompat & QCOW2_INCOMPAT_DIRTY) {
        error_setg(errp, "qcow2 image has the dirty flag set");
        error_append_hint(errp, "Repair it with 'qemu-img check -r all' "
                          "first.\n");
        return false;
    }
    if (s->nb_snapshots) {
        error_setg(errp, "Writing to qcow2 images with internal snapshots "
                   "is not supported");
        return false;
    }
    if (s->autoclear) {
        /* drop the extensions we do not maintain (bitmaps...) */
        uint64_t zero = 0;

        if (bdrv_pwrite(bs->file, QH_AUTOCLEAR, 8, &zero, 0) < 0) {
            error_setg(errp, "Could not update qcow2 header");
            return false;
        }
        s->autoclear = 0;
    }
    return true;
}

static bool qcow2_open(BlockDriverState *bs, QDict *opts, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *h = NULL;
    uint8_t first[QH_V3_LENGTH];
    int64_t file_len;
    size_t i;
    int ret;

    qemu_mutex_init(&s->lock);
    for (i = 0; i < ARRAY_SIZE(ignored_options); i++) {
        qdict_del(opts, ignored_options[i]);
    }
    if (!bdrv_open_child(bs, opts, "file", BDRV_CHILD_FILE, false, errp)) {
        return false;
    }
    pstrcpy(bs->filename, sizeof(bs->filename), bs->file->bs->filename);
    file_len = bdrv_getlength(bs->file->bs);
    if (file_len < QH_V2_LENGTH) {
        error_setg(errp, "Image is not in qcow2 format");
        return false;
    }
    ret = bdrv_pread(bs->file, 0, sizeof(first), first, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return false;
    }
    s->version = be32_at(first + 4);
    s->cluster_bits = be32_at(first + QH_CLUSTER_BITS);
    if (be32_at(first) != QCOW2_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return false;
    }
    if (s->version < 2 || s->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %d", s->version);
        return false;
    }
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%d", s->cluster_bits);
        return false;
    }
    s->cluster_size = 1ULL << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_size = 1ULL << s->l2_bits;
    h = g_malloc0(s->cluster_size);
    ret = bdrv_pread(bs->file, 0, s->cluster_size, h, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return false;
    }
    if (!parse_header(bs, h, file_len, errp)) {
        return false;
    }
    s->refblock_entries = 1ULL << (s->cluster_bits + 3 - s->refcount_order);
    s->refcount_max = s->refcount_order == 6 ? UINT64_MAX :
                      (1ULL << (1 << s->refcount_order)) - 1;
    s->refcount_table_size =
        ((uint64_t)s->refcount_table_clusters << s->cluster_bits) / 8;
    if (!read_table(bs, s->l1_table_offset, s->l1_size, &s->l1_table,
                    errp) ||
        !read_table(bs, s->refcount_table_offset, s->refcount_table_size,
                    &s->refcount_table, errp)) {
        goto fail;
    }
    s->free_cluster_index = 1;
    s->alloc_end = DIV_ROUND_UP(file_len, s->cluster_size);
    qcow2_cache_init(&s->l2_cache, L2_CACHE_SIZE, s->cluster_size, true);
    qcow2_cache_init(&s->refblock_cache, REFBLOCK_CACHE_SIZE,
                     s->cluster_size, false);
    if (!bs->read_only && !check_writable(bs, errp)) {
        goto fail;
    }
    if (!bdrv_open_backing(bs, opts, errp)) {
        goto fail;
    }
    trace_qcow2_open(bs->node_name, s->version, s->cluster_bits, s->size);
    return true;

fail:
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->refblock_cache);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    qemu_mutex_destroy(&s->lock);
    return false;
}

static bool qcow2_reopen_rw(BlockDriverState *bs, bool read_only,
                            Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (read_only) {
        qemu_mutex_lock(&s->lock);
        ret = qcow2_flush_metadata(bs);
        qemu_mutex_unlock(&s->lock);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush qcow2 metadata");
            return false;
        }
        return true;
    }
    return check_writable(bs, errp);
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (!bs->read_only) {
        qcow2_flush_metadata(bs);
        bdrv_flush(bs->file->bs);
    }
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->refblock_cache);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    qemu_mutex_destroy(&s->lock);
}

/* Read [offset, +bytes) of the backing node into @qiov at @qoff */
static int read_backing(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, QEMUIOVector *qiov, size_t qoff)
{
    BlockDriverState *backing = bdrv_backing_bs(bs);
    int64_t blen = backing ? bdrv_getlength(backing) : 0;
    uint64_t avail = 0;
    int ret = 0;

    if (blen < 0) {
        return blen;
    }
    if (offset < (uint64_t)blen) {
        avail = MIN(bytes, blen - offset);
    }
    if (avail) {
        QEMUIOVector part;

        qemu_iovec_init(&part, qiov->niov);
        qemu_iovec_concat(&part, qiov, qoff, avail);
        ret = bdrv_node_preadv(backing, offset, avail, &part, 0);
        qemu_iovec_destroy(&part);
    }
    qemu_iovec_memset(qiov, qoff + avail, 0, bytes - avail);
    return ret;
}

static int read_chunk(BlockDriverState *bs, uint64_t offset, uint64_t n,
                      QEMUIOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2e, host;
    QEMUIOVector part;
    int ret;

    ret = qcow2_get_l2_entry(bs, offset, &l2e);
    if (ret < 0) {
        return ret;
    }
    switch (qcow2_classify(bs, l2e, &host)) {
    case QCOW2_CLUSTER_UNALLOCATED:
        return read_backing(bs, offset, n, qiov, qoff);
    case QCOW2_CLUSTER_ZERO:
        qemu_iovec_memset(qiov, qoff, 0, n);
        return 0;
    case QCOW2_CLUSTER_NORMAL:
        qemu_iovec_init(&part, qiov->niov);
        qemu_iovec_concat(&part, qiov, qoff, n);
        ret = bdrv_preadv(bs->file,
                          host + qcow2_offset_into_cluster(s, offset), n,
                          &part, 0);
        qemu_iovec_destroy(&part);
        return ret;
    default: {
        g_autofree uint8_t *buf = g_malloc(s->cluster_size);

        ret = qcow2_read_compressed(bs, l2e, buf);
        if (ret == 0) {
            qemu_iovec_from_buf(qiov, qoff,
                                buf + qcow2_offset_into_cluster(s, offset),
                                n);
        }
        return ret;
    }
    }
}

static bool in_disk(BDRVQcow2State *s, int64_t offset, int64_t bytes)
{
    return (uint64_t)offset <= s->size && (uint64_t)bytes <= s->size - offset;
}

static int qcow2_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t done = 0;
    int ret = 0;

    if (!in_disk(s, offset, bytes)) {
        return -EIO;
    }
    qemu_mutex_lock(&s->lock);
    while (done < bytes && ret == 0) {
        uint64_t cur = offset + done;
        uint64_t n = MIN(bytes - done,
                         s->cluster_size - qcow2_offset_into_cluster(s, cur));

        ret = read_chunk(bs, cur, n, qiov, done);
        done += n;
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

/* Write back the L2 tables, then drop the old cluster's reference */
static int release_old_cluster(BlockDriverState *bs, uint64_t host)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = qcow2_cache_flush(bs, &s->l2_cache);

    if (ret < 0) {
        return ret;
    }
    return qcow2_update_refcount(bs, host, s->cluster_size, -1);
}

/* The same for a compressed cluster's host range */
static int release_compressed(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = qcow2_cache_flush(bs, &s->l2_cache);

    return ret < 0 ? ret : qcow2_release_compressed(bs, l2e);
}

/*
 * Copy-on-write of one cluster: a new cluster gets the old content
 * (host cluster, zeroes or backing data) around the guest's bytes.
 */
static int write_new_cluster(BlockDriverState *bs, uint64_t offset,
                             uint64_t n, QEMUIOVector *qiov, size_t qoff,
                             uint64_t l2e)
{
    Qcow2ClusterType type;
    uint64_t host;
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = offset - qcow2_offset_into_cluster(s, offset);
    g_autofree uint8_t *buf = NULL;
    QEMUIOVector whole;
    int64_t new;
    int ret = 0;

    type = qcow2_classify(bs, l2e, &host);
    new = qcow2_alloc_clusters(bs, 1);
    if (new < 0) {
        return new;
    }
    if (n == s->cluster_size) {
        QEMUIOVector part;

        qemu_iovec_init(&part, qiov->niov);
        qemu_iovec_concat(&part, qiov, qoff, n);
        ret = bdrv_pwritev(bs->file, new, n, &part, 0);
        qemu_iovec_destroy(&part);
    } else {
        buf = g_malloc0(s->cluster_size);
        qemu_iovec_init_buf(&whole, buf, s->cluster_size);
        if (type == QCOW2_CLUSTER_NORMAL) {
            ret = bdrv_pread(bs->file, host, s->cluster_size, buf, 0);
        } else if (type == QCOW2_CLUSTER_UNALLOCATED) {
            ret = read_backing(bs, start, s->cluster_size, &whole, 0);
        } else if (type == QCOW2_CLUSTER_COMPRESSED) {
            ret = qcow2_read_compressed(bs, l2e, buf);
        }
        if (ret == 0) {
            qemu_iovec_to_buf(qiov, qoff, buf + (offset - start), n);
            ret = bdrv_pwrite(bs->file, new, s->cluster_size, buf, 0);
        }
    }
    if (ret == 0) {
        ret = qcow2_set_l2_entry(bs, offset, new | QCOW_OFLAG_COPIED);
    }
    if (ret < 0) {
        qcow2_update_refcount(bs, new, s->cluster_size, -1);
        return ret;
    }
    if (host && (type == QCOW2_CLUSTER_NORMAL ||
                 type == QCOW2_CLUSTER_ZERO)) {
        return release_old_cluster(bs, host);
    }
    if (type == QCOW2_CLUSTER_COMPRESSED) {
        return release_compressed(bs, l2e);
    }
    return 0;
}

static int write_chunk(BlockDriverState *bs, uint64_t offset, uint64_t n,
                       QEMUIOVector *qiov, size_t qoff)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2ClusterType type;
    uint64_t l2e, host;
    QEMUIOVector part;
    int ret;

    ret = qcow2_get_l2_entry(bs, offset, &l2e);
    if (ret < 0) {
        return ret;
    }
    type = qcow2_classify(bs, l2e, &host);
    if (type == QCOW2_CLUSTER_NORMAL && (l2e & QCOW_OFLAG_COPIED)) {
        qemu_iovec_init(&part, qiov->niov);
        qemu_iovec_concat(&part, qiov, qoff, n);
        ret = bdrv_pwritev(bs->file,
                           host + qcow2_offset_into_cluster(s, offset), n,
                           &part, 0);
        qemu_iovec_destroy(&part);
        return ret;
    }
    return write_new_cluster(bs, offset, n, qiov, qoff, l2e);
}

static int qcow2_pwritev(BlockDriverState *bs, int64_t offset,
                         int64_t bytes, QEMUIOVector *qiov, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t done = 0;
    int ret = 0;

    if (!in_disk(s, offset, bytes)) {
        return -EIO;
    }
    qemu_mutex_lock(&s->lock);
    while (done < bytes && ret == 0) {
        uint64_t cur = offset + done;
        uint64_t n = MIN(bytes - done,
                         s->cluster_size - qcow2_offset_into_cluster(s, cur));

        ret = write_chunk(bs, cur, n, qiov, done);
        done += n;
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

/*
 * Set whole cluster at @offset to @new_l2e (ZERO flag or 0), releasing
 * its host cluster.
 */
static int reset_cluster(BlockDriverState *bs, uint64_t offset,
                         uint64_t new_l2e)
{
    Qcow2ClusterType type;
    uint64_t l2e, host;
    int ret;

    ret = qcow2_get_l2_entry(bs, offset, &l2e);
    if (ret < 0) {
        return ret;
    }
    if (l2e == new_l2e) {
        return 0;
    }
    type = qcow2_classify(bs, l2e, &host);
    if (type == QCOW2_CLUSTER_COMPRESSED) {
        ret = qcow2_set_l2_entry(bs, offset, new_l2e);
        return ret < 0 ? ret : release_compressed(bs, l2e);
    }
    if (type == QCOW2_CLUSTER_UNALLOCATED && !bdrv_backing_bs(bs) &&
        new_l2e == QCOW_OFLAG_ZERO) {
        return 0;       /* reads as zeroes already */
    }
    if (host && !(l2e & QCOW_OFLAG_COPIED)) {
        return -ENOTSUP;
    }
    ret = qcow2_set_l2_entry(bs, offset, new_l2e);
    if (ret < 0) {
        return ret;
    }
    return host ? release_old_cluster(bs, host) : 0;
}

static int qcow2_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t done = 0;
    int ret = 0;

    if (s->version < 3) {
        return -ENOTSUP;
    }
    if (!in_disk(s, offset, bytes)) {
        return -EIO;
    }
    qemu_mutex_lock(&s->lock);
    while (done < bytes && ret == 0) {
        uint64_t cur = offset + done;
        uint64_t n = MIN(bytes - done,
                         s->cluster_size - qcow2_offset_into_cluster(s, cur));

        if (n == s->cluster_size) {
            ret = reset_cluster(bs, cur, QCOW_OFLAG_ZERO);
        } else {
            g_autofree void *zero = g_malloc0(n);
            QEMUIOVector qiov;

            qemu_iovec_init_buf(&qiov, zero, n);
            ret = write_chunk(bs, cur, n, &qiov, 0);
        }
        done += n;
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_pdiscard(BlockDriverState *bs, int64_t offset,
                          int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = QEMU_ALIGN_UP(offset, s->cluster_size);
    uint64_t end = QEMU_ALIGN_DOWN(offset + bytes, s->cluster_size);
    uint64_t new_l2e = 0;
    int ret = 0;

    if (!in_disk(s, offset, bytes)) {
        return -EIO;
    }
    if (offset + bytes == (int64_t)s->size) {
        end = QEMU_ALIGN_UP(s->size, s->cluster_size);
    }
    if (bdrv_backing_bs(bs)) {
        if (s->version < 3) {
            return 0;   /* would expose the backing data */
        }
        new_l2e = QCOW_OFLAG_ZERO;
    }
    qemu_mutex_lock(&s->lock);
    for (; start < end && ret == 0; start += s->cluster_size) {
        ret = reset_cluster(bs, start, new_l2e);
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

/*
 * Every guest cluster back to unallocated; L2 tables are kept.  The
 * cleared L2 tables reach the disk before the clusters are released.
 */
static int qcow2_make_empty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_span = s->cluster_size << s->l2_bits;
    g_autoptr(GArray) freed = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_autoptr(GArray) compressed = g_array_new(FALSE, FALSE,
                                               sizeof(uint64_t));
    uint64_t off, l2e, host;
    uint32_t i;
    guint k;
    int ret = 0;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < s->l1_size && ret == 0; i++) {
        if (!(s->l1_table[i] & L1E_OFFSET_MASK)) {
            continue;
        }
        for (off = (uint64_t)i * l1_span;
             off < MIN((uint64_t)(i + 1) * l1_span, s->size) && ret == 0;
             off += s->cluster_size) {
            ret = qcow2_get_l2_entry(bs, off, &l2e);
            if (ret < 0 || l2e == 0) {
                continue;
            }
            if (qcow2_classify(bs, l2e, &host) == QCOW2_CLUSTER_COMPRESSED) {
                g_array_append_val(compressed, l2e);
            } else if (host && !(l2e & QCOW_OFLAG_COPIED)) {
                ret = -ENOTSUP;
                break;
            }
            ret = qcow2_set_l2_entry(bs, off, 0);
            if (ret == 0 && host) {
                g_array_append_val(freed, host);
            }
        }
    }
    if (ret == 0) {
        ret = qcow2_cache_flush(bs, &s->l2_cache);
    }
    for (k = 0; k < freed->len && ret == 0; k++) {
        ret = qcow2_update_refcount(bs, g_array_index(freed, uint64_t, k),
                                    s->cluster_size, -1);
    }
    for (k = 0; k < compressed->len && ret == 0; k++) {
        ret = qcow2_release_compressed(bs, g_array_index(compressed,
                                                         uint64_t, k));
    }
    if (ret == 0) {
        ret = qcow2_flush_metadata(bs);
    }
    qemu_mutex_unlock(&s->lock);
    return ret;
}

static int qcow2_flush(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    qemu_mutex_lock(&s->lock);
    ret = qcow2_flush_metadata(bs);
    qemu_mutex_unlock(&s->lock);
    return ret < 0 ? ret : bdrv_flush(bs->file->bs);
}

static int64_t qcow2_getlength(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->size;
}

/* Grow the L1 table to @new_size entries (relocating it) */
static int grow_l1(BlockDriverState *bs, uint32_t new_size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = QEMU_ALIGN_UP((uint64_t)new_size * 8, s->cluster_size);
    g_autofree uint64_t *table = g_malloc0(bytes);
    uint64_t old_offset = s->l1_table_offset;
    uint64_t old_bytes = QEMU_ALIGN_UP((uint64_t)s->l1_size * 8,
                                       s->cluster_size);
    uint8_t hdr[12];
    int64_t new;
    uint32_t i;
    int ret;

    new = qcow2_alloc_clusters(bs, bytes >> s->cluster_bits);
    if (new < 0) {
        return new;
    }
    for (i = 0; i < s->l1_size; i++) {
        table[i] = GUINT64_TO_BE(s->l1_table[i]);
    }
    ret = qcow2_cache_flush(bs, &s->refblock_cache);
    if (ret < 0 ||
        (ret = bdrv_pwrite(bs->file, new, bytes, table, 0)) < 0 ||
        (ret = bdrv_flush(bs->file->bs)) < 0) {
        return ret;
    }
    qcow2_put_be32(hdr, new_size);
    qcow2_put_be64(hdr + 4, new);
    ret = bdrv_pwrite(bs->file, QH_L1_SIZE, sizeof(hdr), hdr, 0);
    if (ret < 0) {
        return ret;
    }
    for (i = 0; i < s->l1_size; i++) {
        table[i] = s->l1_table[i];
    }
    g_free(s->l1_table);
    s->l1_table = g_steal_pointer(&table);
    s->l1_table_offset = new;
    s->l1_size = new_size;
    if (old_bytes) {
        return qcow2_update_refcount(bs, old_offset, old_bytes, -1);
    }
    return 0;
}

static bool qcow2_truncate(BlockDriverState *bs, int64_t offset,
                           Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t need_l1, be;
    int ret = 0;

    if ((uint64_t)offset < s->size) {
        error_setg(errp, "qcow2 doesn't support shrinking images yet");
        return false;
    }
    if (offset > (1LL << 61)) {
        error_setg(errp, "Image is too big");
        return false;
    }
    need_l1 = DIV_ROUND_UP((uint64_t)offset, s->cluster_size << s->l2_bits);
    if (need_l1 * 8 > QCOW2_MAX_L1_BYTES) {
        error_setg(errp, "Active L1 table too large");
        return false;
    }
    qemu_mutex_lock(&s->lock);
    if (need_l1 > s->l1_size) {
        ret = grow_l1(bs, need_l1);
    }
    if (ret == 0) {
        be = GUINT64_TO_BE((uint64_t)offset);
        ret = bdrv_pwrite(bs->file, QH_SIZE, 8, &be, 0);
    }
    if (ret == 0) {
        s->size = offset;
    }
    qemu_mutex_unlock(&s->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to grow the qcow2 image");
        return false;
    }
    return true;
}

static int qcow2_block_status(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, int64_t *pnum)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2e, host;
    int ret;

    *pnum = MIN((uint64_t)bytes,
                s->cluster_size - qcow2_offset_into_cluster(s, offset));
    qemu_mutex_lock(&s->lock);
    ret = qcow2_get_l2_entry(bs, offset, &l2e);
    qemu_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    switch (qcow2_classify(bs, l2e, &host)) {
    case QCOW2_CLUSTER_UNALLOCATED:
        return bdrv_backing_bs(bs) ? 0 : BDRV_BLOCK_ZERO;
    case QCOW2_CLUSTER_ZERO:
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
    default:
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    }
}

static void qcow2_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BDRVQcow2State *s = bs->opaque;

    bdi->cluster_size = s->cluster_size;
    bdi->has_compat = true;
    pstrcpy(bdi->compat, sizeof(bdi->compat),
            s->version >= 3 ? "1.1" : "0.10");
    bdi->dirty = s->incompat & QCOW2_INCOMPAT_DIRTY;
    bdi->corrupt = s->incompat & QCOW2_INCOMPAT_CORRUPT;
    bdi->refcount_bits = 1 << s->refcount_order;
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .is_format = true,
    .bdrv_open = qcow2_open,
    .bdrv_close = qcow2_close,
    .bdrv_reopen_rw = qcow2_reopen_rw,
    .bdrv_preadv = qcow2_preadv,
    .bdrv_pwritev = qcow2_pwritev,
    .bdrv_pwrite_zeroes = qcow2_pwrite_zeroes,
    .bdrv_pdiscard = qcow2_pdiscard,
    .bdrv_flush = qcow2_flush,
    .bdrv_make_empty = qcow2_make_empty,
    .bdrv_getlength = qcow2_getlength,
    .bdrv_truncate = qcow2_truncate,
    .bdrv_block_status = qcow2_block_status,
    .bdrv_get_info = qcow2_get_info,
};
