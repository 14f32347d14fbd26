/*
 * qcow2 guest-to-host mapping: L1/L2 lookup and update, L2 table
 * allocation, and the metadata flush order (qcow2.h).  Caller holds
 * s->lock.
 */
#include "qemu/osdep.h"
#include "block/qcow2.h"
#include "trace/trace-block.h"

Qcow2ClusterType qcow2_classify(BlockDriverState *bs, uint64_t l2e,
                                uint64_t *host)
{
    BDRVQcow2State *s = bs->opaque;

    *host = l2e & L2E_OFFSET_MASK;
    if (l2e & QCOW_OFLAG_COMPRESSED) {
        *host = 0;      /* see qcow2_compressed_range() */
        return QCOW2_CLUSTER_COMPRESSED;
    }
    if ((l2e & QCOW_OFLAG_ZERO) && s->version >= 3) {
        return QCOW2_CLUSTER_ZERO;
    }
    return *host ? QCOW2_CLUSTER_NORMAL : QCOW2_CLUSTER_UNALLOCATED;
}

static int l2_table_offset(BlockDriverState *bs, uint32_t l1_index,
                           uint64_t *off)
{
    BDRVQcow2State *s = bs->opaque;

    *off = 0;
    if (l1_index >= s->l1_size) {
        return 0;
    }
    *off = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    if (qcow2_offset_into_cluster(s, *off)) {
        trace_qcow2_corrupt(bs->node_name, "l2_table", *off);
        return -EIO;
    }
    return 0;
}

int qcow2_get_l2_entry(BlockDriverState *bs, uint64_t guest_offset,
                       uint64_t *l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2_off, host;
    uint8_t *l2;
    int ret;

    *l2e = 0;
    ret = l2_table_offset(bs, guest_offset >> (s->cluster_bits + s->l2_bits),
                          &l2_off);
    if (ret < 0 || !l2_off) {
        return ret;
    }
    ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, true, &l2);
    if (ret < 0) {
        return ret;
    }
    *l2e = GUINT64_FROM_BE(((uint64_t *)l2)[(guest_offset >> s->cluster_bits)
                                            & (s->l2_size - 1)]);
    if (qcow2_classify(bs, *l2e, &host) == QCOW2_CLUSTER_NORMAL &&
        qcow2_offset_into_cluster(s, host)) {
        trace_qcow2_corrupt(bs->node_name, "data_cluster", host);
        return -EIO;
    }
    return 0;
}

int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t be = GUINT64_TO_BE(s->l1_table[index]);
    int ret;

    ret = qcow2_cache_flush(bs, &s->refblock_cache);
    if (ret < 0) {
        return ret;
    }
    return bdrv_pwrite(bs->file, s->l1_table_offset + index * 8ULL, 8, &be,
                       0);
}

/* Offset of a writable (COPIED) L2 table for @l1_index, allocating one */
static int l2_for_write(BlockDriverState *bs, uint32_t l1_index,
                        uint64_t *l2_off)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *l2;
    int64_t new;
    int ret;

    if (l1_index >= s->l1_size) {
        return -EIO;
    }
    ret = l2_table_offset(bs, l1_index, l2_off);
    if (ret < 0) {
        return ret;
    }
    if (*l2_off) {
        /* shared L2 tables only exist with internal snapshots */
        return (s->l1_table[l1_index] & QCOW_OFLAG_COPIED) ? 0 : -ENOTSUP;
    }
    new = qcow2_alloc_clusters(bs, 1);
    if (new < 0) {
        return new;
    }
    ret = qcow2_cache_get(bs, &s->l2_cache, new, false, &l2);
    if (ret < 0) {
        return ret;
    }
    /* the empty table reaches the disk before the L1 entry */
    ret = qcow2_cache_flush(bs, &s->l2_cache);
    if (ret < 0) {
        return ret;
    }
    s->l1_table[l1_index] = new | QCOW_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(bs, l1_index);
    if (ret < 0) {
        s->l1_table[l1_index] = 0;
        return ret;
    }
    trace_qcow2_l2_alloc(l1_index, new);
    *l2_off = new;
    return 0;
}

int qcow2_set_l2_entry(BlockDriverState *bs, uint64_t guest_offset,
                       uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l2_off;
    uint8_t *l2;
    int ret;

    ret = l2_for_write(bs, guest_offset >> (s->cluster_bits + s->l2_bits),
                       &l2_off);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, true, &l2);
    if (ret < 0) {
        return ret;
    }
    ((uint64_t *)l2)[(guest_offset >> s->cluster_bits) & (s->l2_size - 1)] =
        GUINT64_TO_BE(l2e);
    qcow2_cache_mark_dirty(&s->l2_cache, l2);
    return 0;
}

int qcow2_flush_metadata(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    ret = qcow2_cache_flush(bs, &s->refblock_cache);
    if (ret < 0) {
        return ret;
    }
    ret = bdrv_flush(bs->file->bs);
    if (ret < 0) {
        return ret;
    }
    return qcow2_cache_flush(bs, &s->l2_cache);
}
