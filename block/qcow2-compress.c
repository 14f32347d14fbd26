/*
 * qcow2 compressed clusters (reading, and the host range to release when
 * such a cluster is rewritten).
 *
 * Compressed L2 entry (x = 62 - (cluster_bits - 8)):
 *   bits 0 .. x-1   host byte offset of the deflate data (unaligned)
 *   bits x .. 61    number of 512-byte sectors beyond the first
 *   bit 62          COMPRESSED
 * The data is raw deflate (no zlib header, window 2^12) of one cluster.
 * Compressed clusters are never rewritten in place: a write decompresses
 * into a new cluster (copy-on-write) and releases the old range.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "block/qcow2.h"
#include "trace/trace-block.h"

void qcow2_compressed_range(BDRVQcow2State *s, uint64_t l2e,
                            uint64_t *offset, uint64_t *bytes)
{
    int x = 62 - (s->cluster_bits - 8);
    uint64_t nb_sectors = ((l2e >> x) & ((1ULL << (s->cluster_bits - 8)) -
                                         1)) + 1;

    *offset = l2e & ((1ULL << x) - 1);
    *bytes = nb_sectors * 512 - (*offset & 511);
}

int qcow2_read_compressed(BlockDriverState *bs, uint64_t l2e, uint8_t *out)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t offset, bytes;
    g_autofree uint8_t *in = NULL;
    z_stream strm;
    int ret;

    qcow2_compressed_range(s, l2e, &offset, &bytes);
    in = g_malloc(bytes);
    ret = bdrv_pread(bs->file, offset, bytes, in, 0);
    if (ret < 0) {
        return ret;
    }
    memset(&strm, 0, sizeof(strm));
    if (inflateInit2(&strm, -12) != Z_OK) {
        return -EIO;
    }
    strm.next_in = in;
    strm.avail_in = bytes;
    strm.next_out = out;
    strm.avail_out = s->cluster_size;
    ret = inflate(&strm, Z_FINISH);
    inflateEnd(&strm);
    if ((ret != Z_STREAM_END && ret != Z_BUF_ERROR) || strm.avail_out) {
        trace_qcow2_corrupt(bs->node_name, "compressed", offset);
        return -EIO;
    }
    return 0;
}

int qcow2_release_compressed(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t offset, bytes;

    qcow2_compressed_range(s, l2e, &offset, &bytes);
    return qcow2_update_refcount(bs, offset, bytes, -1);
}
