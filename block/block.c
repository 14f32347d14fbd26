/*
 * Block layer core: driver table, option helpers, node names, node
 * creation from options (with format probing), references and
 * in-flight accounting.  Graph edges: block-graph.c; I/O: io.c.
 *
 * See include/block/block_int.h for the graph and threading model.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qemu/cutils.h"
#include "system/block-backend.h"
#include "qemu/main-loop.h"
#include "qemu/bh-poll.h"
#include "qobject/qbool.h"
#include "qobject/qdict-flat.h"
#include "qobject/qnull.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "trace/trace-block.h"

#define MAX_DRIVERS 32

static const BlockDriver *drivers[MAX_DRIVERS] = {
    &bdrv_file, &bdrv_raw, &bdrv_qcow2,
};
static int n_drivers = 3;

/* All nodes, in creation order (main thread only). */
static GList *all_nodes;
static uint64_t node_name_counter;

/* Global in-flight accounting for bdrv_drain_all() */
static GMutex drain_lock;
static GCond drain_cond;
static int drain_in_flight;

void bdrv_register(const BlockDriver *drv)
{
    assert(n_drivers < MAX_DRIVERS);
    if (!bdrv_find_format(drv->format_name)) {
        drivers[n_drivers++] = drv;
    }
}

const BlockDriver *bdrv_find_format(const char *name)
{
    int i;

    for (i = 0; i < n_drivers; i++) {
        if (!strcmp(drivers[i]->format_name, name)) {
            return drivers[i];
        }
    }
    return NULL;
}

/* Options */

bool bdrv_opt_take_bool(QDict *opts, const char *key, bool def,
                        bool *val, Error **errp)
{
    QObject *obj = qdict_get(opts, key);
    QBool *qb;
    QString *qs;

    *val = def;
    if (!obj) {
        return true;
    }
    qb = qobject_to(QBool, obj);
    qs = qobject_to(QString, obj);
    if (qb) {
        *val = qbool_get_bool(qb);
    } else if (qs && (!strcmp(qstring_get_str(qs), "on") ||
                      !strcmp(qstring_get_str(qs), "true") ||
                      !strcmp(qstring_get_str(qs), "yes"))) {
        *val = true;
    } else if (qs && (!strcmp(qstring_get_str(qs), "off") ||
                      !strcmp(qstring_get_str(qs), "false") ||
                      !strcmp(qstring_get_str(qs), "no"))) {
        *val = false;
    } else {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    qdict_del(opts, key);
    return true;
}

bool bdrv_opt_take_int(QDict *opts, const char *key, int64_t def,
                       int64_t *val, Error **errp)
{
    QObject *obj = qdict_get(opts, key);
    QNum *qn;
    QString *qs;

    *val = def;
    if (!obj) {
        return true;
    }
    qn = qobject_to(QNum, obj);
    qs = qobject_to(QString, obj);
    if (qn && qnum_get_try_int(qn, val)) {
        /* done */
    } else if (qs) {
        uint64_t u;

        if (qemu_strtosz(qstring_get_str(qs), NULL, &u) < 0 ||
            u > INT64_MAX) {
            error_setg(errp, "Parameter '%s' expects a non-negative number "
                       "below 2^64", key);
            return false;
        }
        *val = u;
    } else {
        error_setg(errp, "Invalid parameter type for '%s', expected: "
                   "integer", key);
        return false;
    }
    qdict_del(opts, key);
    return true;
}

char *bdrv_opt_take_str(QDict *opts, const char *key)
{
    QString *qs = qobject_to(QString, qdict_get(opts, key));
    char *s;

    if (!qs) {
        return NULL;
    }
    s = g_strdup(qstring_get_str(qs));
    qdict_del(opts, key);
    return s;
}

/* Node names */

static bool node_name_valid(const char *name)
{
    const char *p;

    if (!g_ascii_isalpha(name[0]) || strlen(name) >= 32) {
        return false;
    }
    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.", *p)) {
            return false;
        }
    }
    return true;
}

BlockDriverState *bdrv_find_node(const char *node_name)
{
    GList *l;

    for (l = all_nodes; l; l = l->next) {
        BlockDriverState *bs = l->data;

        if (!strcmp(bs->node_name, node_name)) {
            return bs;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_next_node(BlockDriverState *bs)
{
    GList *l;

    if (!bs) {
        return all_nodes ? all_nodes->data : NULL;
    }
    l = g_list_find(all_nodes, bs);
    return l && l->next ? l->next->data : NULL;
}

static bool assign_node_name(BlockDriverState *bs, const char *name,
                             Error **errp)
{
    if (!name) {
        do {
            snprintf(bs->node_name, sizeof(bs->node_name),
                     "#block%" PRIu64 "%02d", ++node_name_counter,
                     g_random_int_range(0, 100));
        } while (bdrv_find_node(bs->node_name));
        return true;
    }
    if (!node_name_valid(name)) {
        error_setg(errp, "Invalid node-name: '%s'", name);
        return false;
    }
    if (blk_by_name(name)) {
        error_setg(errp, "node-name=%s is conflicting with a device id",
                   name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Duplicate nodes with node-name='%s'", name);
        return false;
    }
    pstrcpy(bs->node_name, sizeof(bs->node_name), name);
    return true;
}

/* Opening */

static bool take_common_options(BlockDriverState *bs, QDict *opts,
                                Error **errp)
{
    g_autofree char *discard = bdrv_opt_take_str(opts, "discard");
    g_autofree char *dz = bdrv_opt_take_str(opts, "detect-zeroes");

    if (!bdrv_opt_take_bool(opts, "read-only", false, &bs->read_only,
                            errp) ||
        !bdrv_opt_take_bool(opts, "auto-read-only", false,
                            &bs->auto_read_only, errp) ||
        !bdrv_opt_take_bool(opts, "cache.direct", false, &bs->cache_direct,
                            errp) ||
        !bdrv_opt_take_bool(opts, "cache.no-flush", false,
                            &bs->cache_no_flush, errp) ||
        !bdrv_opt_take_bool(opts, "force-share", false, &bs->force_share,
                            errp)) {
        return false;
    }
    if (!discard || !strcmp(discard, "ignore") || !strcmp(discard, "off")) {
        bs->discard_unmap = false;
    } else if (!strcmp(discard, "unmap") || !strcmp(discard, "on")) {
        bs->discard_unmap = true;
    } else {
        error_setg(errp, "Invalid discard option");
        return false;
    }
    if (!dz || !strcmp(dz, "off")) {
        bs->detect_zeroes = BDRV_DETECT_ZEROES_OFF;
    } else if (!strcmp(dz, "on")) {
        bs->detect_zeroes = BDRV_DETECT_ZEROES_ON;
    } else if (!strcmp(dz, "unmap")) {
        bs->detect_zeroes = BDRV_DETECT_ZEROES_UNMAP;
    } else {
        error_setg(errp, "Parameter 'detect-zeroes' does not accept value "
                   "'%s'", dz);
        return false;
    }
    if (bs->detect_zeroes == BDRV_DETECT_ZEROES_UNMAP &&
        !bs->discard_unmap) {
        error_setg(errp, "setting detect-zeroes to unmap is not allowed "
                   "without setting discard operation to unmap");
        return false;
    }
    return true;
}

static bool check_leftover_options(BlockDriverState *bs, QDict *opts,
                                   Error **errp)
{
    const QDictEntry *e = qdict_first(opts);

    if (!e) {
        return true;
    }
    if (bs->drv->protocol) {
        error_setg(errp, "Block protocol '%s' doesn't support the option "
                   "'%s'", bs->drv->format_name, qdict_entry_key(e));
    } else {
        error_setg(errp, "Block format '%s' does not support the option "
                   "'%s'", bs->drv->format_name, qdict_entry_key(e));
    }
    return false;
}

static void bdrv_free(BlockDriverState *bs)
{
    all_nodes = g_list_remove(all_nodes, bs);
    qobject_unref(bs->options);
    qemu_mutex_destroy(&bs->lock);
    qemu_cond_destroy(&bs->drained);
    g_free(bs->opaque);
    g_free(bs);
}

static void bdrv_detach_all_children(BlockDriverState *bs)
{
    while (bs->children) {
        bdrv_unref_child(bs, bs->children->data);
    }
}

/* Magic-based format probe of a protocol node: "qcow2" or "raw" */
static const char *probe_format(BlockDriverState *file)
{
    uint8_t buf[512];
    QEMUIOVector qiov;

    memset(buf, 0, sizeof(buf));
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    if (bdrv_getlength(file) >= 4 &&
        bdrv_node_preadv(file, 0, MIN(sizeof(buf), bdrv_getlength(file)),
                         &qiov, 0) == 0 &&
        !memcmp(buf, "QFI\xfb", 4)) {
        return "qcow2";
    }
    return "raw";
}

static void inherit_option(QDict *child, QDict *parent, const char *key)
{
    if (!qdict_haskey(child, key) && qdict_haskey(parent, key)) {
        qdict_copy_default(child, parent, key);
    }
}

/*
 * -drive file=NAME without a format: open the protocol node, probe, and
 * open the format on top of it.
 */
static BlockDriverState *open_probed(QDict *options, Error **errp)
{
    g_autoptr(QDict) opts = options;
    g_autoptr(QDict) fopts = qdict_new();
    BlockDriverState *file, *bs;
    const char *fmt;
    static const char *const inherited[] = {
        "read-only", "auto-read-only", "cache.direct", "cache.no-flush",
        "discard", "locking", "aio", "force-share",
    };
    size_t i;

    qdict_copy_default(fopts, opts, "filename");
    qdict_del(opts, "filename");
    qdict_put_str(fopts, "driver", "file");
    for (i = 0; i < ARRAY_SIZE(inherited); i++) {
        inherit_option(fopts, opts, inherited[i]);
    }
    qdict_del(opts, "locking");
    qdict_del(opts, "aio");
    file = bdrv_open(qobject_ref(fopts), errp);
    if (!file) {
        return NULL;
    }
    fmt = probe_format(file);
    if (!strcmp(fmt, "raw")) {
        warn_report("Image format was not specified for '%s' and probing "
                    "guessed raw.", file->filename);
        error_printf("         Automatically detecting the format is "
                     "dangerous for raw images, write operations on block "
                     "0 will be restricted.\n"
                     "         Specify the 'raw' format explicitly to "
                     "remove the restrictions.\n");
    }
    qdict_put_str(opts, "driver", fmt);
    qdict_put_str(opts, "file", file->node_name);
    bs = bdrv_open(qobject_ref(opts), errp);
    bdrv_unref(file);           /* the format node holds its own ref */
    if (bs) {
        bs->probed = true;
    }
    return bs;
}

BlockDriverState *bdrv_open(QDict *options, Error **errp)
{
    g_autoptr(QDict) opts = options;
    g_autofree char *driver = NULL;
    g_autofree char *node_name = NULL;
    const BlockDriver *drv;
    BlockDriverState *bs;

    qdict_flatten(opts);
    driver = bdrv_opt_take_str(opts, "driver");
    if (!driver) {
        if (qdict_haskey(opts, "filename")) {
            return open_probed(qobject_ref(opts), errp);
        }
        error_setg(errp, "Must specify either driver or file");
        return NULL;
    }
    drv = bdrv_find_format(driver);
    if (!drv) {
        error_setg(errp, "Unknown driver '%s'", driver);
        return NULL;
    }
    node_name = bdrv_opt_take_str(opts, "node-name");

    bs = g_new0(BlockDriverState, 1);
    bs->drv = drv;
    bs->refcnt = 1;
    bs->request_alignment = 1;
    bs->options = qdict_clone_shallow(opts);
    if (node_name) {
        qdict_put_str(bs->options, "node-name", node_name);
    }
    qdict_put_str(bs->options, "driver", driver);
    qemu_mutex_init(&bs->lock);
    qemu_cond_init(&bs->drained);
    if (!assign_node_name(bs, node_name, errp) ||
        !take_common_options(bs, opts, errp)) {
        goto fail_free;
    }
    bs->opaque = g_malloc0(MAX(drv->instance_size, 1));
    all_nodes = g_list_append(all_nodes, bs);
    if (!drv->bdrv_open(bs, opts, errp)) {
        goto fail_children;
    }
    if (!check_leftover_options(bs, opts, errp)) {
        if (drv->bdrv_close) {
            drv->bdrv_close(bs);
        }
        goto fail_children;
    }
    if (drv->bdrv_refresh_limits) {
        drv->bdrv_refresh_limits(bs);
    }
    trace_bdrv_open(bs->node_name, driver, bs->read_only);
    return bs;

fail_children:
    bdrv_detach_all_children(bs);
fail_free:
    bdrv_free(bs);
    return NULL;
}

BlockDriverState *bdrv_open_image(const char *filename, const char *format,
                                  bool read_only, Error **errp)
{
    QDict *opts = qdict_new();

    if (format) {
        qdict_put_str(opts, "driver", format);
        qdict_put_str(opts, "file.driver", "file");
        qdict_put_str(opts, "file.filename", filename);
    } else {
        qdict_put_str(opts, "filename", filename);
    }
    qdict_put_bool(opts, "read-only", read_only);
    return bdrv_open(opts, errp);
}

/* References */

void bdrv_ref(BlockDriverState *bs)
{
    bs->refcnt++;
}

void bdrv_unref(BlockDriverState *bs)
{
    if (!bs) {
        return;
    }
    assert(bs->refcnt > 0);
    if (--bs->refcnt > 0) {
        return;
    }
    trace_bdrv_close(bs->node_name);
    bdrv_drain_all();
    if (bs->drv->bdrv_close) {
        bs->drv->bdrv_close(bs);
    }
    bdrv_detach_all_children(bs);
    bdrv_free(bs);
}

bool bdrv_del_monitor_node(const char *node_name, Error **errp)
{
    BlockDriverState *bs = bdrv_find_node(node_name);

    if (!bs) {
        error_setg(errp, "Failed to find node with node-name='%s'",
                   node_name);
        return false;
    }
    if (!bs->monitor_owned) {
        error_setg(errp, "Node %s is not owned by the monitor", node_name);
        return false;
    }
    if (bs->refcnt > 1) {
        error_setg(errp, "Node '%s' is busy: node is used as backing hd "
                   "of another node or is attached to a device", node_name);
        return false;
    }
    bs->monitor_owned = false;
    bdrv_unref(bs);
    return true;
}

void bdrv_close_all(void)
{
    GList *l, *owned = NULL;

    bdrv_drain_all();
    for (l = all_nodes; l; l = l->next) {
        BlockDriverState *bs = l->data;

        if (bs->monitor_owned) {
            owned = g_list_prepend(owned, bs);
        }
    }
    for (l = owned; l; l = l->next) {
        BlockDriverState *bs = l->data;

        bs->monitor_owned = false;
        bdrv_unref(bs);
    }
    g_list_free(owned);
}

/* Accessors */

const char *bdrv_get_node_name(const BlockDriverState *bs)
{
    return bs->node_name;
}

const char *bdrv_get_format_name(const BlockDriverState *bs)
{
    return bs->drv->format_name;
}

const char *bdrv_get_filename(const BlockDriverState *bs)
{
    return bs->filename;
}

bool bdrv_is_read_only(const BlockDriverState *bs)
{
    return bs->read_only;
}

void bdrv_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    memset(bdi, 0, sizeof(*bdi));
    if (bs->drv->bdrv_get_info) {
        bs->drv->bdrv_get_info(bs, bdi);
    }
}

/* In-flight accounting */

void bdrv_inc_in_flight(BlockDriverState *bs)
{
    g_mutex_lock(&drain_lock);
    bs->in_flight++;
    drain_in_flight++;
    g_mutex_unlock(&drain_lock);
}

void bdrv_dec_in_flight(BlockDriverState *bs)
{
    g_mutex_lock(&drain_lock);
    bs->in_flight--;
    if (--drain_in_flight == 0) {
        g_cond_broadcast(&drain_cond);
    }
    g_mutex_unlock(&drain_lock);
}

/*
 * Wait until no request is in flight, then run the completions (bottom
 * halves of the main context) so that devices have seen every result
 * before the caller saves or changes anything; a completion may submit
 * more, hence the loop.  Without the BQL the completions cannot run
 * here: they stay queued for the main loop.
 */
void bdrv_drain_all(void)
{
    bool again;

    do {
        g_mutex_lock(&drain_lock);
        while (drain_in_flight > 0) {
            g_cond_wait(&drain_cond, &drain_lock);
        }
        g_mutex_unlock(&drain_lock);
        if (!bql_locked() || !aio_bh_poll(NULL)) {
            break;
        }
        g_mutex_lock(&drain_lock);
        again = drain_in_flight > 0;
        g_mutex_unlock(&drain_lock);
    } while (again);
}
