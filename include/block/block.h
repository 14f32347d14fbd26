/*
 * Block layer: public node API (see block_int.h for the graph and the
 * I/O model, docs/devel/block.rst for the overview).
 *
 * Options are QDicts in the flat form QEMU uses for -drive:
 *   { "driver": "qcow2", "node-name": "n0",
 *     "file.driver": "file", "file.filename": "a.qcow2",
 *     "backing": null }
 * Nested JSON dicts (-blockdev '{...}', blockdev-add) are flattened
 * first.  Values may be typed (JSON) or strings (keyval, QemuOpts).
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "qapi/error.h"
#include "qemu/iov.h"
#include "qobject/qdict.h"

typedef struct BlockDriverState BlockDriverState;
typedef struct BdrvChild BdrvChild;

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1ULL << BDRV_SECTOR_BITS)

/* Request flags */
#define BDRV_REQ_FUA            0x1
#define BDRV_REQ_MAY_UNMAP      0x2
#define BDRV_REQ_NO_FALLBACK    0x4
/* answer from the host page cache or fail with -EAGAIN (file-posix.h) */
#define BDRV_REQ_NOWAIT         0x8

/* bdrv_block_status() result flags */
#define BDRV_BLOCK_DATA         0x1
#define BDRV_BLOCK_ZERO         0x2
#define BDRV_BLOCK_ALLOCATED    0x4

typedef enum BdrvDetectZeroes {
    BDRV_DETECT_ZEROES_OFF,
    BDRV_DETECT_ZEROES_ON,
    BDRV_DETECT_ZEROES_UNMAP,
} BdrvDetectZeroes;

/* Format-specific facts for query-block / info block */
typedef struct BlockDriverInfo {
    int cluster_size;
    bool has_compat;
    char compat[8];             /* "0.10" / "1.1" */
    bool dirty;
    bool corrupt;
    int refcount_bits;
} BlockDriverInfo;

/**
 * bdrv_open: create a node from @options (consumed: the reference is
 * taken over).
 * @options: flat or nested QDict: "driver" (or "filename" alone for the
 *           file protocol with format probing), "node-name",
 *           "read-only", "auto-read-only", "cache.direct",
 *           "cache.no-flush", "discard", "detect-zeroes", driver options
 *           and children ("file", "file.*", "backing"...)
 *
 * Returns: the node with one reference held by the caller, or NULL.
 */
BlockDriverState *bdrv_open(QDict *options, Error **errp);

/**
 * bdrv_open_image: open @filename with driver @format (NULL: probe).
 * Convenience wrapper for tests and tools.
 */
BlockDriverState *bdrv_open_image(const char *filename, const char *format,
                                  bool read_only, Error **errp);

void bdrv_ref(BlockDriverState *bs);
void bdrv_unref(BlockDriverState *bs);

/** bdrv_find_node: node by node-name, or NULL. */
BlockDriverState *bdrv_find_node(const char *node_name);

/**
 * bdrv_next_node: iterate over all nodes (NULL starts); order of
 * creation.
 */
BlockDriverState *bdrv_next_node(BlockDriverState *bs);

/** bdrv_get_node_name / bdrv_get_format_name / bdrv_get_filename */
const char *bdrv_get_node_name(const BlockDriverState *bs);
const char *bdrv_get_format_name(const BlockDriverState *bs);
const char *bdrv_get_filename(const BlockDriverState *bs);
bool bdrv_is_read_only(const BlockDriverState *bs);

/** bdrv_child_bs: the node of child @name ("file", "backing"...), or NULL */
BlockDriverState *bdrv_child_bs(BlockDriverState *bs, const char *name);
BlockDriverState *bdrv_backing_bs(BlockDriverState *bs);
BlockDriverState *bdrv_file_bs(BlockDriverState *bs);

/**
 * bdrv_replace_child_bs: make child @name of @parent point at @new_bs
 * (attaching it if absent; @new_bs NULL detaches).  Drains first.
 */
bool bdrv_replace_child_bs(BlockDriverState *parent, const char *name,
                           BlockDriverState *new_bs, Error **errp);

/**
 * bdrv_add_child / bdrv_del_child: x-blockdev-change; the driver of
 * @parent decides the child's name (quorum: "children.N").
 */
bool bdrv_add_child(BlockDriverState *parent, BlockDriverState *child,
                    Error **errp);
bool bdrv_del_child(BlockDriverState *parent, const char *child_name,
                    Error **errp);

/**
 * bdrv_reopen_read_only: make @bs (and its "file" child, for formats)
 * read-only or read-write at run time, as QEMU's bdrv_reopen_set_read_only()
 * (replication makes its hidden/active disks writable this way).  Drains
 * first.  The file protocol reopens its descriptor and retakes its image
 * locks, so it fails like an open would on a conflict.
 */
bool bdrv_reopen_read_only(BlockDriverState *bs, bool read_only,
                           Error **errp);

/**
 * bdrv_make_empty: make every cluster of overlay @bs unallocated again
 * (reads go to the backing node), as replication does to its active and
 * hidden disks at each checkpoint.
 * Returns: 0 or -errno (-ENOTSUP if the format cannot).
 */
int bdrv_make_empty(BlockDriverState *bs);

/* Synchronous I/O (any thread): 0 or -errno */
int bdrv_preadv(BdrvChild *child, int64_t offset, int64_t bytes,
                QEMUIOVector *qiov, int flags);
int bdrv_pwritev(BdrvChild *child, int64_t offset, int64_t bytes,
                 QEMUIOVector *qiov, int flags);
int bdrv_pread(BdrvChild *child, int64_t offset, int64_t bytes, void *buf,
               int flags);
int bdrv_pwrite(BdrvChild *child, int64_t offset, int64_t bytes,
                const void *buf, int flags);
int bdrv_pwrite_zeroes(BdrvChild *child, int64_t offset, int64_t bytes,
                       int flags);
int bdrv_pdiscard(BdrvChild *child, int64_t offset, int64_t bytes);
int bdrv_flush(BlockDriverState *bs);

/* The same on a node (used by BlockBackend and tests) */
int bdrv_node_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, int flags);
int bdrv_node_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, int flags);
int bdrv_node_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int flags);
int bdrv_node_pdiscard(BlockDriverState *bs, int64_t offset,
                       int64_t bytes);

/** bdrv_getlength: size in bytes or -errno */
int64_t bdrv_getlength(BlockDriverState *bs);
bool bdrv_truncate(BdrvChild *child, int64_t offset, Error **errp);
bool bdrv_node_truncate(BlockDriverState *bs, int64_t offset, Error **errp);

/**
 * bdrv_block_status: status of a prefix of [@offset, +@bytes), length in
 * *@pnum.  Returns BDRV_BLOCK_* flags or -errno.
 */
int bdrv_block_status(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      int64_t *pnum);

/** bdrv_get_info: format facts (zeroed if the driver has none) */
void bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi);

/**
 * bdrv_drain_all: wait until no request is in flight on any node.
 * Call without the locks a request could need.
 */
void bdrv_drain_all(void);

/** bdrv_close_all: drop every monitor-owned node (at exit). */
void bdrv_close_all(void);

/**
 * bdrv_del_monitor_node: blockdev-del of @node_name.
 * Fails if the node is in use ("Node 'x' is busy: ...").
 */
bool bdrv_del_monitor_node(const char *node_name, Error **errp);

/**
 * qcow2_create: create an empty qcow2 v3 image in the (raw, writable)
 * node @file.
 * @size: virtual size in bytes
 * @cluster_bits: 9..21 (16 = 64 KiB, as qemu-img)
 * @backing_file / @backing_fmt: optional backing file name and format
 */
bool qcow2_create(BlockDriverState *file, int64_t size, int cluster_bits,
                  const char *backing_file, const char *backing_fmt,
                  Error **errp);

/** qcow2_create_file: the same into a new host file @filename. */
bool qcow2_create_file(const char *filename, int64_t size,
                       const char *backing_file, const char *backing_fmt,
                       Error **errp);

#endif
