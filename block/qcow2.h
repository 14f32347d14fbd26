/*
 * qcow2 driver internals.
 *
 * On-disk layout (all numbers big-endian; see QEMU's docs/interop/
 * qcow2.txt for the specification):
 *
 *   cluster 0   header (72 bytes v2, header_length v3), extensions
 *               (type, length, data padded to 8) ending with type 0,
 *               backing file name
 *   L1 table    l1_size x u64: L2 table offset | COPIED(63)
 *   L2 tables   cluster_size/8 x u64: host cluster offset (bits 9-55)
 *               | COPIED(63) | COMPRESSED(62) | ZERO(0, v3)
 *   refcount table  u64 offsets of refcount blocks
 *   refcount blocks cluster_size*8/refcount_bits entries
 *
 *   guest offset -> l1_index = off >> (cluster_bits + l2_bits)
 *                   l2_index = (off >> cluster_bits) & (l2_size - 1)
 *
 * In memory: the L1 and refcount tables are kept whole (bounded at
 * open); L2 tables and refcount blocks go through two small write-back
 * caches.  Everything is protected by one mutex per node; a request
 * holds it from start to end (block_int.h: no coroutines).
 *
 * Write ordering: guest data is written before the L2 entry that points
 * at it; dirty refcount blocks are written before dirty L2 tables and
 * before any L1 update; a flush writes refcount blocks, flushes the
 * file, writes L2 tables, and flushes again.  A crash can leak clusters
 * but not leave a reference to a cluster with refcount 0.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block_int.h"

#define QCOW2_MAGIC             0x514649fbU
#define QCOW2_MIN_CLUSTER_BITS  9
#define QCOW2_MAX_CLUSTER_BITS  21
#define QCOW2_MAX_L1_BYTES      (32 * 1024 * 1024)
#define QCOW2_MAX_RT_BYTES      (8 * 1024 * 1024)
#define QCOW2_MAX_BACKING_NAME  1023

#define QCOW_OFLAG_COPIED       (1ULL << 63)
#define QCOW_OFLAG_COMPRESSED   (1ULL << 62)
#define QCOW_OFLAG_ZERO         (1ULL << 0)
#define L1E_OFFSET_MASK         0x00fffffffffffe00ULL
#define L2E_OFFSET_MASK         0x00fffffffffffe00ULL
#define REFT_OFFSET_MASK        0xfffffffffffffe00ULL

#define QCOW2_INCOMPAT_DIRTY    (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT  (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2    (1ULL << 4)

#define QCOW2_EXT_END           0x00000000U
#define QCOW2_EXT_BACKING_FMT   0xe2792acaU
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857U
#define QCOW2_EXT_DATA_FILE     0x44415441U
#define QCOW2_EXT_CRYPTO        0x0537be77U

/* Header field offsets */
#define QH_BACKING_OFFSET       8
#define QH_BACKING_SIZE         16
#define QH_CLUSTER_BITS         20
#define QH_SIZE                 24
#define QH_CRYPT                32
#define QH_L1_SIZE              36
#define QH_L1_OFFSET            40
#define QH_RT_OFFSET            48
#define QH_RT_CLUSTERS          56
#define QH_NB_SNAPSHOTS         60
#define QH_SNAPSHOTS_OFFSET     64
#define QH_INCOMPAT             72
#define QH_COMPAT               80
#define QH_AUTOCLEAR            88
#define QH_REFCOUNT_ORDER       96
#define QH_HEADER_LENGTH        100
#define QH_COMPRESSION_TYPE     104
#define QH_V2_LENGTH            72
#define QH_V3_LENGTH            104

typedef struct Qcow2CacheEntry {
    uint64_t offset;            /* 0: free slot */
    uint8_t *buf;
    bool dirty;
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    Qcow2CacheEntry *entries;
    int size;
    uint64_t lru_counter;
    bool is_l2;
} Qcow2Cache;

typedef enum Qcow2ClusterType {
    QCOW2_CLUSTER_UNALLOCATED,
    QCOW2_CLUSTER_ZERO,         /* reads as zeroes (v3 flag) */
    QCOW2_CLUSTER_NORMAL,
    QCOW2_CLUSTER_COMPRESSED,
} Qcow2ClusterType;

typedef struct BDRVQcow2State {
    QemuMutex lock;
    int version;
    int cluster_bits;
    uint64_t cluster_size;
    int l2_bits;
    uint64_t l2_size;           /* entries per L2 table */
    uint64_t size;              /* virtual disk size */
    uint32_t header_length;

    uint64_t *l1_table;         /* host endianness */
    uint32_t l1_size;
    uint64_t l1_table_offset;

    uint64_t *refcount_table;   /* host endianness */
    uint64_t refcount_table_size;   /* entries */
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    int refcount_order;
    uint64_t refblock_entries;
    uint64_t refcount_max;

    uint64_t incompat;
    uint64_t compat;
    uint64_t autoclear;
    uint32_t nb_snapshots;

    uint64_t free_cluster_index;   /* no free cluster below this */
    uint64_t alloc_end;             /* first cluster past all in use */

    Qcow2Cache l2_cache;
    Qcow2Cache refblock_cache;
} BDRVQcow2State;

/* qcow2-cache.c */
void qcow2_cache_init(Qcow2Cache *c, int size, uint64_t cluster_size,
                      bool is_l2);
void qcow2_cache_destroy(Qcow2Cache *c);
int qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                    bool read, uint8_t **buf);
void qcow2_cache_mark_dirty(Qcow2Cache *c, uint8_t *buf);
int qcow2_cache_flush(BlockDriverState *bs, Qcow2Cache *c);
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset);

/* qcow2-refcount.c */
int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster,
                       uint64_t *refcount);
int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int addend);
int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t n);
uint64_t qcow2_refblock_get(const uint8_t *rb, int order, uint64_t i);
void qcow2_refblock_set(uint8_t *rb, int order, uint64_t i, uint64_t v);

/* qcow2-compress.c */
void qcow2_compressed_range(BDRVQcow2State *s, uint64_t l2e,
                            uint64_t *offset, uint64_t *bytes);
int qcow2_read_compressed(BlockDriverState *bs, uint64_t l2e, uint8_t *out);
int qcow2_release_compressed(BlockDriverState *bs, uint64_t l2e);

/* qcow2-cluster.c */
Qcow2ClusterType qcow2_classify(BlockDriverState *bs, uint64_t l2e,
                                uint64_t *host);
int qcow2_get_l2_entry(BlockDriverState *bs, uint64_t guest_offset,
                       uint64_t *l2e);
int qcow2_set_l2_entry(BlockDriverState *bs, uint64_t guest_offset,
                       uint64_t l2e);
int qcow2_flush_metadata(BlockDriverState *bs);
int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index);

static inline void qcow2_put_be32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_BE(v);
    memcpy(p, &v, 4);
}

static inline void qcow2_put_be64(uint8_t *p, uint64_t v)
{
    v = GUINT64_TO_BE(v);
    memcpy(p, &v, 8);
}

static inline uint64_t qcow2_offset_into_cluster(BDRVQcow2State *s,
                                                 uint64_t off)
{
    return off & (s->cluster_size - 1);
}

#endif
