/*
 * qcow2 refcounts: lookup, update, cluster allocation and growth of the
 * refcount table.
 *
 * Allocation scans from free_cluster_index for n clusters with refcount
 * 0.  A refcount block that does not exist yet is placed inside the
 * range it describes (its clusters are all free, by definition) and
 * counts itself.  When the refcount table is too small, a new bigger
 * table is placed past the end of everything in use, followed by the
 * new refcount blocks describing the table and themselves; the header
 * is switched over with one write, then the old table is freed.
 */
#include "qemu/osdep.h"
#include "block/qcow2.h"
#include "trace/trace-block.h"

uint64_t qcow2_refblock_get(const uint8_t *rb, int order, uint64_t i)
{
    int bits = 1 << order;

    switch (order) {
    case 0:
    case 1:
    case 2:
        return (rb[i * bits / 8] >> ((i * bits) % 8)) & ((1 << bits) - 1);
    case 3:
        return rb[i];
    case 4:
        return ((uint64_t)rb[2 * i] << 8) | rb[2 * i + 1];
    case 5:
        return ((uint64_t)rb[4 * i] << 24) | (rb[4 * i + 1] << 16) |
               (rb[4 * i + 2] << 8) | rb[4 * i + 3];
    default:
        return ((uint64_t)qcow2_refblock_get(rb, 5, 2 * i) << 32) |
               qcow2_refblock_get(rb, 5, 2 * i + 1);
    }
}

void qcow2_refblock_set(uint8_t *rb, int order, uint64_t i, uint64_t v)
{
    int bits = 1 << order;
    uint8_t mask;

    switch (order) {
    case 0:
    case 1:
    case 2:
        mask = ((1 << bits) - 1) << ((i * bits) % 8);
        rb[i * bits / 8] = (rb[i * bits / 8] & ~mask) |
                           ((v << ((i * bits) % 8)) & mask);
        break;
    case 3:
        rb[i] = v;
        break;
    case 4:
        rb[2 * i] = v >> 8;
        rb[2 * i + 1] = v;
        break;
    case 5:
        qcow2_put_be32(rb + 4 * i, v);
        break;
    default:
        qcow2_put_be64(rb + 8 * i, v);
        break;
    }
}

/* Offset of the refcount block for table index @rt_index, 0 if none */
static int refblock_offset(BlockDriverState *bs, uint64_t rt_index,
                           uint64_t *offset)
{
    BDRVQcow2State *s = bs->opaque;

    *offset = 0;
    if (rt_index >= s->refcount_table_size) {
        return 0;
    }
    *offset = s->refcount_table[rt_index] & REFT_OFFSET_MASK;
    if (*offset && qcow2_offset_into_cluster(s, *offset)) {
        trace_qcow2_corrupt(bs->node_name, "refblock", *offset);
        return -EIO;
    }
    return 0;
}

int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster,
                       uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rb_off;
    uint8_t *rb;
    int ret;

    *refcount = 0;
    ret = refblock_offset(bs, cluster / s->refblock_entries, &rb_off);
    if (ret < 0 || !rb_off) {
        return ret;
    }
    ret = qcow2_cache_get(bs, &s->refblock_cache, rb_off, true, &rb);
    if (ret < 0) {
        return ret;
    }
    *refcount = qcow2_refblock_get(rb, s->refcount_order,
                                   cluster % s->refblock_entries);
    return 0;
}

static void forget_cluster(BlockDriverState *bs, uint64_t cluster)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = cluster << s->cluster_bits;

    qcow2_cache_discard(&s->l2_cache, off);
    qcow2_cache_discard(&s->refblock_cache, off);
    if (cluster < s->free_cluster_index) {
        s->free_cluster_index = cluster;
    }
}

int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int addend)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first = offset >> s->cluster_bits;
    uint64_t last = (offset + length - 1) >> s->cluster_bits;
    uint64_t c;

    if (length == 0) {
        return 0;
    }
    for (c = first; c <= last; c++) {
        uint64_t rb_off, v;
        uint8_t *rb;
        int ret;

        ret = refblock_offset(bs, c / s->refblock_entries, &rb_off);
        if (ret < 0) {
            return ret;
        }
        if (!rb_off) {
            trace_qcow2_corrupt(bs->node_name, "no_refblock", c);
            return -EIO;
        }
        ret = qcow2_cache_get(bs, &s->refblock_cache, rb_off, true, &rb);
        if (ret < 0) {
            return ret;
        }
        v = qcow2_refblock_get(rb, s->refcount_order,
                               c % s->refblock_entries);
        if ((addend < 0 && v < (uint64_t)-addend) ||
            (addend > 0 && v + addend > s->refcount_max)) {
            trace_qcow2_corrupt(bs->node_name, "refcount", c);
            return -EINVAL;
        }
        v += addend;
        qcow2_refblock_set(rb, s->refcount_order, c % s->refblock_entries,
                           v);
        qcow2_cache_mark_dirty(&s->refblock_cache, rb);
        if (v == 0) {
            forget_cluster(bs, c);
        } else if (c >= s->alloc_end) {
            s->alloc_end = c + 1;
        }
    }
    return 0;
}

/*
 * Create the missing refcount block for table index @rt_index, placed
 * at the first cluster of its range outside [avoid, avoid + n).
 */
static int create_refblock(BlockDriverState *bs, uint64_t rt_index,
                           uint64_t avoid, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t c = rt_index * s->refblock_entries;
    uint64_t end = c + s->refblock_entries;
    uint64_t be;
    uint8_t *rb;
    int ret;

    if (rt_index == 0) {
        /* the header's own refblock cannot be missing in a valid image */
        trace_qcow2_corrupt(bs->node_name, "refblock0", 0);
        return -EIO;
    }
    while (c >= avoid && c < avoid + n) {
        c++;
    }
    if (c >= end) {
        return -ENOSPC;
    }
    ret = qcow2_cache_get(bs, &s->refblock_cache, c << s->cluster_bits,
                          false, &rb);
    if (ret < 0) {
        return ret;
    }
    qcow2_refblock_set(rb, s->refcount_order, c % s->refblock_entries, 1);
    ret = qcow2_cache_flush(bs, &s->refblock_cache);
    if (ret < 0) {
        return ret;
    }
    be = GUINT64_TO_BE(c << s->cluster_bits);
    ret = bdrv_pwrite(bs->file, s->refcount_table_offset + rt_index * 8, 8,
                      &be, 0);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[rt_index] = c << s->cluster_bits;
    if (c >= s->alloc_end) {
        s->alloc_end = c + 1;
    }
    return 0;
}

static bool rt_index_missing(BDRVQcow2State *s, uint64_t idx)
{
    return idx >= s->refcount_table_size || !s->refcount_table[idx];
}

/* Number of refblocks missing for clusters [start, start + n) */
static uint64_t missing_refblocks(BDRVQcow2State *s, uint64_t start,
                                  uint64_t n, uint64_t *max_idx)
{
    uint64_t first = start / s->refblock_entries;
    uint64_t last = (start + n - 1) / s->refblock_entries;
    uint64_t idx, count = 0;

    *max_idx = last;
    for (idx = first; idx <= last; idx++) {
        count += rt_index_missing(s, idx);
    }
    return count;
}

static int grow_refcount_table(BlockDriverState *bs, uint64_t min_entries)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t entries = MAX(min_entries, s->refcount_table_size * 2);
    uint64_t pos = s->alloc_end;
    uint64_t table_clusters, nblocks, total, max_idx, i, j;
    uint64_t old_offset = s->refcount_table_offset;
    uint64_t old_clusters = s->refcount_table_clusters;
    g_autofree uint64_t *table = NULL;
    g_autofree uint8_t *rb = NULL;
    uint8_t hdr[12];
    int ret;

    /* Find a layout whose table covers the table and its refblocks */
    for (;;) {
        entries = QEMU_ALIGN_UP(entries, per_cluster);
        table_clusters = entries / per_cluster;
        nblocks = 0;
        do {
            total = table_clusters + nblocks;
            nblocks = missing_refblocks(s, pos, total, &max_idx);
        } while (table_clusters + nblocks != total);
        if (max_idx < entries) {
            break;
        }
        entries = max_idx + 1;
    }
    if (entries * 8 > QCOW2_MAX_RT_BYTES) {
        return -EFBIG;
    }
    trace_qcow2_grow_refcount_table(pos << s->cluster_bits, entries);

    /* New refblocks at pos + table_clusters ..., counting [pos, +total) */
    table = g_new0(uint64_t, entries);
    for (i = 0; i < s->refcount_table_size; i++) {
        table[i] = GUINT64_TO_BE(s->refcount_table[i]);
    }
    rb = g_malloc(s->cluster_size);
    j = 0;
    for (i = pos / s->refblock_entries;
         i <= (pos + total - 1) / s->refblock_entries; i++) {
        uint64_t c, blk = pos + table_clusters + j;

        if (!rt_index_missing(s, i)) {
            continue;
        }
        memset(rb, 0, s->cluster_size);
        for (c = MAX(pos, i * s->refblock_entries);
             c < MIN(pos + total, (i + 1) * s->refblock_entries); c++) {
            qcow2_refblock_set(rb, s->refcount_order,
                               c % s->refblock_entries, 1);
        }
        ret = bdrv_pwrite(bs->file, blk << s->cluster_bits,
                          s->cluster_size, rb, 0);
        if (ret < 0) {
            return ret;
        }
        table[i] = GUINT64_TO_BE(blk << s->cluster_bits);
        j++;
    }
    ret = bdrv_pwrite(bs->file, pos << s->cluster_bits, entries * 8, table,
                      0);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_cache_flush(bs, &s->refblock_cache);
    if (ret < 0 || (ret = bdrv_flush(bs->file->bs)) < 0) {
        return ret;
    }
    /* Switch the header over: offset (8 bytes) + clusters (4 bytes) */
    qcow2_put_be64(hdr, pos << s->cluster_bits);
    qcow2_put_be32(hdr + 8, table_clusters);
    ret = bdrv_pwrite(bs->file, QH_RT_OFFSET, sizeof(hdr), hdr, 0);
    if (ret < 0 || (ret = bdrv_flush(bs->file->bs)) < 0) {
        return ret;
    }

    for (i = 0; i < entries; i++) {
        table[i] = GUINT64_FROM_BE(table[i]);
    }
    g_free(s->refcount_table);
    s->refcount_table = g_steal_pointer(&table);
    s->refcount_table_size = entries;
    s->refcount_table_offset = pos << s->cluster_bits;
    s->refcount_table_clusters = table_clusters;
    s->alloc_end = MAX(s->alloc_end, pos + total);

    /* Clusters of [pos, +total) described by refblocks that existed */
    for (i = pos; i < pos + total; i++) {
        uint64_t v;

        ret = qcow2_get_refcount(bs, i, &v);
        if (ret < 0) {
            return ret;
        }
        if (v == 0) {
            ret = qcow2_update_refcount(bs, i << s->cluster_bits, 1, 1);
            if (ret < 0) {
                return ret;
            }
        }
    }
    return qcow2_update_refcount(bs, old_offset,
                                 old_clusters << s->cluster_bits, -1);
}

int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t limit = 1ULL << (56 - s->cluster_bits);
    uint64_t start, c, found, idx, max_idx, first_free;
    int ret;

retry:
    start = c = MAX(s->free_cluster_index, 1);
    first_free = 0;
    found = 0;
    while (found < n) {
        uint64_t v;

        if (c >= limit) {
            return -EFBIG;
        }
        ret = qcow2_get_refcount(bs, c, &v);
        if (ret < 0) {
            return ret;
        }
        if (v == 0) {
            if (!first_free) {
                first_free = c;
            }
            if (found++ == 0) {
                start = c;
            }
        } else {
            found = 0;
        }
        c++;
    }
    missing_refblocks(s, start, n, &max_idx);
    if (max_idx >= s->refcount_table_size) {
        ret = grow_refcount_table(bs, max_idx + 1);
        if (ret < 0) {
            return ret;
        }
        goto retry;
    }
    for (idx = start / s->refblock_entries; idx <= max_idx; idx++) {
        if (rt_index_missing(s, idx)) {
            ret = create_refblock(bs, idx, start, n);
            if (ret < 0) {
                return ret;
            }
        }
    }
    ret = qcow2_update_refcount(bs, start << s->cluster_bits,
                                n << s->cluster_bits, 1);
    if (ret < 0) {
        return ret;
    }
    s->free_cluster_index = first_free == start ? start + n : first_free;
    trace_qcow2_alloc_clusters(start << s->cluster_bits, n);
    return start << s->cluster_bits;
}
