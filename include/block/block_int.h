/*
 * Block layer internals: nodes, children and the driver interface.
 *
 * The graph (all changes in the main thread with the BQL held, after
 * bdrv_drain_all()):
 *
 *   BlockBackend "ide0-hd0"      (device-facing handle, include/system/)
 *        | root
 *   BlockDriverState "#block123"  drv = qcow2
 *        | "file"          \ "backing"
 *   BDS "#block045"         BDS "base"  drv = qcow2
 *   drv = file                  | "file"
 *                              BDS drv = file
 *
 * A node (BlockDriverState) is refcounted: each BdrvChild edge and each
 * BlockBackend holds one reference, and a node created by -blockdev or
 * blockdev-add holds one "monitor" reference until blockdev-del.
 * Children have a role (BDRV_CHILD_FILE, BDRV_CHILD_BACKING or a named
 * child such as "children.0") and can be replaced at run time
 * (bdrv_replace_child_bs()).
 *
 * I/O model (no coroutines): every request runs synchronously, from
 * start to end, in one thread -- the caller's thread for the synchronous
 * API, or a worker of the block layer's thread pool for the asynchronous
 * API (block-backend.c), whose completion callback is then delivered by
 * a one-shot bottom half in the requesting GMainContext.  Drivers call
 * their children synchronously (bdrv_preadv() and friends).  Drivers
 * with mutable metadata (qcow2) serialise it with a per-node QemuMutex.
 * Every request counts itself in the node's in-flight counter;
 * bdrv_drain_all() waits until all counters drop to zero, and graph
 * changes run only in drained sections.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block.h"
#include "qemu/thread.h"
#include "qobject/qdict.h"

typedef struct BlockDriver BlockDriver;

/* Child roles */
typedef enum BdrvChildRole {
    BDRV_CHILD_FILE,        /* protocol/storage child of a format node */
    BDRV_CHILD_BACKING,     /* COW backing of a format node */
    BDRV_CHILD_OTHER,       /* named child of a filter (quorum...) */
} BdrvChildRole;

/* Permissions (bit numbers match the lock bytes of file-posix) */
#define BLK_PERM_CONSISTENT_READ  0x01
#define BLK_PERM_WRITE            0x02
#define BLK_PERM_WRITE_UNCHANGED  0x04
#define BLK_PERM_RESIZE           0x08
#define BLK_PERM_ALL              0x0f

struct BdrvChild {
    char *name;                 /* "file", "backing", "children.0" */
    BdrvChildRole role;
    BlockDriverState *bs;       /* the child node (holds a reference) */
    BlockDriverState *parent;
};

struct BlockDriver {
    const char *format_name;
    size_t instance_size;
    bool is_format;             /* has a "file" child */
    bool is_filter;             /* passes I/O to one child unchanged */
    bool protocol;              /* opens host resources (filename) */

    /*
     * Open the node.  @options is flat (dotted keys); the driver removes
     * each option it consumes; leftovers are an error.  Children are
     * opened with bdrv_open_child().
     */
    bool (*bdrv_open)(BlockDriverState *bs, QDict *options, Error **errp);
    void (*bdrv_close)(BlockDriverState *bs);

    /* I/O: return 0 or -errno; called in any thread. */
    int (*bdrv_preadv)(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, int flags);
    int (*bdrv_pwritev)(BlockDriverState *bs, int64_t offset,
                        int64_t bytes, QEMUIOVector *qiov, int flags);
    int (*bdrv_flush)(BlockDriverState *bs);
    int (*bdrv_pdiscard)(BlockDriverState *bs, int64_t offset,
                         int64_t bytes);
    int (*bdrv_pwrite_zeroes)(BlockDriverState *bs, int64_t offset,
                              int64_t bytes, int flags);
    int64_t (*bdrv_getlength)(BlockDriverState *bs);
    bool (*bdrv_truncate)(BlockDriverState *bs, int64_t offset,
                          Error **errp);
    /* Optional: BDRV_BLOCK_* flags for a prefix of [offset, +bytes) */
    int (*bdrv_block_status)(BlockDriverState *bs, int64_t offset,
                             int64_t bytes, int64_t *pnum);
    void (*bdrv_refresh_limits)(BlockDriverState *bs);
    /*
     * Optional: switch between read-only and read-write at run time
     * (bdrv_reopen_read_only() has already switched the "file" child
     * when going read-write).  bs->read_only still has the old value.
     */
    bool (*bdrv_reopen_rw)(BlockDriverState *bs, bool read_only,
                           Error **errp);
    /* Optional: drop every allocation (overlays: read from backing) */
    int (*bdrv_make_empty)(BlockDriverState *bs);
    /* Optional: x-blockdev-change (quorum) */
    bool (*bdrv_add_child)(BlockDriverState *bs, BlockDriverState *child,
                           Error **errp);
    bool (*bdrv_del_child)(BlockDriverState *bs, BdrvChild *child,
                           Error **errp);
    /* Optional: fill format-specific ImageInfo fields */
    void (*bdrv_get_info)(BlockDriverState *bs, BlockDriverInfo *bdi);
};

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;               /* drv->instance_size bytes */
    char node_name[32];
    char filename[4096];        /* exact_filename as QEMU shows it */
    char backing_file[1024];    /* from the image header, if any */
    char backing_format[16];
    int refcnt;
    bool read_only;
    bool auto_read_only;
    bool cache_direct;
    bool cache_no_flush;
    bool discard_unmap;
    bool force_share;
    bool monitor_owned;         /* created by -blockdev/blockdev-add */
    bool probed;                /* format guessed (raw: guard sector 0) */
    BdrvDetectZeroes detect_zeroes;
    uint32_t request_alignment;
    int64_t total_sectors_hint;
    uint64_t perm;              /* taken on children by format drivers */
    QDict *options;             /* the options it was opened with */

    BdrvChild *file;            /* shortcuts into children */
    BdrvChild *backing;
    GSList *children;           /* BdrvChild *, in attach order */
    GSList *parents;            /* BdrvChild * whose bs is this node */
    int n_backends;             /* BlockBackends using it as root */

    QemuMutex lock;             /* protects in_flight */
    QemuCond drained;
    int in_flight;
};

/* Built-in drivers (block/file-posix.c, raw-format.c, qcow2.c) */
extern const BlockDriver bdrv_file;
extern const BlockDriver bdrv_raw;
extern const BlockDriver bdrv_qcow2;

/**
 * bdrv_open_backing: open the "backing" child of format node @bs:
 * from @options ("backing": node-name or null, "backing.*") or else
 * from bs->backing_file (relative to the image) and bs->backing_format.
 */
bool bdrv_open_backing(BlockDriverState *bs, QDict *options, Error **errp);

/**
 * bdrv_register: add @drv to the driver table (called by each driver's
 * constructor, i.e. at start-up).
 */
void bdrv_register(const BlockDriver *drv);

/** bdrv_find_format: the driver called @name, or NULL. */
const BlockDriver *bdrv_find_format(const char *name);

/**
 * bdrv_open_child: open the child @name of @parent from @options.
 * @options: the parent's flat options; "NAME" (a node-name reference,
 *           or null) and "NAME.*" are consumed
 * @allow_none: no such option is not an error (returns NULL, errp unset)
 *
 * The child inherits read-only and cache.* from @parent unless set.
 * Returns: the new edge, or NULL.
 */
BdrvChild *bdrv_open_child(BlockDriverState *parent, QDict *options,
                           const char *name, BdrvChildRole role,
                           bool allow_none, Error **errp);

/**
 * bdrv_attach_child: add @child_bs as child @name of @parent.
 * Takes a new reference on @child_bs.
 */
BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child_bs, const char *name,
                             BdrvChildRole role, Error **errp);

/** bdrv_unref_child: detach @child and drop its reference. */
void bdrv_unref_child(BlockDriverState *parent, BdrvChild *child);

/* Option helpers: accept typed (JSON) or string (keyval) values. */
bool bdrv_opt_take_bool(QDict *opts, const char *key, bool def,
                        bool *val, Error **errp);
bool bdrv_opt_take_int(QDict *opts, const char *key, int64_t def,
                       int64_t *val, Error **errp);
/* Returns a new string (free it) or NULL if absent */
char *bdrv_opt_take_str(QDict *opts, const char *key);

/**
 * bdrv_inc_in_flight / bdrv_dec_in_flight: request accounting for
 * bdrv_drain_all().
 */
void bdrv_inc_in_flight(BlockDriverState *bs);
void bdrv_dec_in_flight(BlockDriverState *bs);

#endif
