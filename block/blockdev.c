/*
 * Command-line and QMP glue of the block layer (include/block/blockdev.h):
 * -drive (legacy options mapped onto node options + a BlockBackend),
 * -blockdev and blockdev-add (validated by the QAPI BlockdevOptions
 * type, then turned back into an option QDict for bdrv_open()),
 * blockdev-del, x-blockdev-change, drive_add, drive_del.
 */
#include "qemu/osdep.h"
#include "block/blockdev.h"
#include "block/block_int.h"
#include "qapi/qapi-commands-block-core.h"
#include "qapi/qapi-visit-block-core.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qobject-output-visitor.h"
#include "qapi/visitor.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qobject/qdict-flat.h"
#include "qobject/qstring.h"

static const char *const if_name[IF_COUNT] = {
    [IF_NONE] = "none", [IF_IDE] = "ide", [IF_VIRTIO] = "virtio",
    [IF_SCSI] = "scsi", [IF_FLOPPY] = "floppy", [IF_PFLASH] = "pflash",
    [IF_SD] = "sd",
};

static GList *drives;       /* DriveInfo *, command-line order */

GList *drive_get_list(void)
{
    return drives;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    GList *l;

    for (l = drives; l; l = l->next) {
        DriveInfo *d = l->data;

        if (d->type == type && d->bus == bus && d->unit == unit) {
            return d;
        }
    }
    return NULL;
}

static void drive_info_free(DriveInfo *d)
{
    g_free(d->id);
    g_free(d->serial);
    g_free(d->addr);
    g_free(d);
}

/* -drive: legacy options */

typedef struct DriveLegacy {
    BlockInterfaceType type;
    int64_t bus, unit, index;
    bool cdrom;
    bool writeback;
    char *id;
} DriveLegacy;

static bool parse_if(const char *s, BlockInterfaceType *type, Error **errp)
{
    int i;

    for (i = 0; i < IF_COUNT; i++) {
        if (!strcmp(s, if_name[i])) {
            *type = i;
            return true;
        }
    }
    error_setg(errp, "unsupported bus type '%s'", s);
    return false;
}

/* cache=MODE -> cache.direct, cache.no-flush and the writeback flag */
static bool parse_cache_mode(QDict *opts, const char *mode, bool *writeback,
                             Error **errp)
{
    bool direct = false, no_flush = false;

    *writeback = true;
    if (!strcmp(mode, "none") || !strcmp(mode, "off")) {
        direct = true;
    } else if (!strcmp(mode, "writeback")) {
        /* defaults */
    } else if (!strcmp(mode, "writethrough")) {
        *writeback = false;
    } else if (!strcmp(mode, "directsync")) {
        direct = true;
        *writeback = false;
    } else if (!strcmp(mode, "unsafe")) {
        no_flush = true;
    } else {
        error_setg(errp, "invalid cache option");
        return false;
    }
    if (!qdict_haskey(opts, "cache.direct")) {
        qdict_put_bool(opts, "cache.direct", direct);
    }
    if (!qdict_haskey(opts, "cache.no-flush")) {
        qdict_put_bool(opts, "cache.no-flush", no_flush);
    }
    return true;
}

static bool take_error_action(QDict *opts, const char *key, Error **errp)
{
    g_autofree char *v = bdrv_opt_take_str(opts, key);

    if (v && strcmp(v, "ignore") && strcmp(v, "stop") &&
        strcmp(v, "report") && strcmp(v, "enospc")) {
        error_setg(errp, "'%s' invalid %s error action", v,
                   !strcmp(key, "werror") ? "write" : "read");
        return false;
    }
    return true;
}

static bool take_legacy(QDict *opts, DriveLegacy *l, char **serial,
                        char **addr, Error **errp)
{
    g_autofree char *ifs = bdrv_opt_take_str(opts, "if");
    g_autofree char *media = bdrv_opt_take_str(opts, "media");
    g_autofree char *cache = bdrv_opt_take_str(opts, "cache");
    bool snapshot, cor, ro;
    static const char *const ignored[] = { "boot", "trans", "cyls", "heads",
                                           "secs", "throttling.group" };
    size_t i;

    l->id = bdrv_opt_take_str(opts, "id");
    *serial = bdrv_opt_take_str(opts, "serial");
    *addr = bdrv_opt_take_str(opts, "addr");
    l->type = IF_IDE;       /* the pc machine's default */
    if (ifs && !parse_if(ifs, &l->type, errp)) {
        return false;
    }
    if (!bdrv_opt_take_int(opts, "bus", -1, &l->bus, errp) ||
        !bdrv_opt_take_int(opts, "unit", -1, &l->unit, errp) ||
        !bdrv_opt_take_int(opts, "index", -1, &l->index, errp) ||
        !bdrv_opt_take_bool(opts, "snapshot", false, &snapshot, errp) ||
        !bdrv_opt_take_bool(opts, "copy-on-read", false, &cor, errp) ||
        !bdrv_opt_take_bool(opts, "readonly", false, &ro, errp) ||
        !take_error_action(opts, "werror", errp) ||
        !take_error_action(opts, "rerror", errp)) {
        return false;
    }
    if (snapshot) {
        error_setg(errp, "snapshot=on is not supported");
        return false;
    }
    if (cor) {
        error_setg(errp, "copy-on-read=on is not supported");
        return false;
    }
    if (media && strcmp(media, "disk") && strcmp(media, "cdrom")) {
        error_setg(errp, "'%s' invalid media", media);
        return false;
    }
    l->cdrom = media && !strcmp(media, "cdrom");
    if (ro || l->cdrom) {
        qdict_put_bool(opts, "read-only", true);
    }
    l->writeback = true;
    if (cache && !parse_cache_mode(opts, cache, &l->writeback, errp)) {
        return false;
    }
    if (!bdrv_opt_take_bool(opts, "cache.writeback", l->writeback,
                            &l->writeback, errp)) {
        return false;
    }
    for (i = 0; i < ARRAY_SIZE(ignored); i++) {
        qdict_del(opts, ignored[i]);
    }
    return true;
}

/* Pick bus/unit and the default id as QEMU does */
static bool assign_slot(DriveLegacy *l, Error **errp)
{
    int max_devs = l->type == IF_IDE ? 2 : l->type == IF_SCSI ? 7 : 0;

    if (l->index >= 0) {
        if (l->bus >= 0 || l->unit >= 0) {
            error_setg(errp, "index cannot be used with bus and unit");
            return false;
        }
        l->bus = max_devs ? l->index / max_devs : 0;
        l->unit = max_devs ? l->index % max_devs : l->index;
    }
    if (l->bus < 0) {
        l->bus = 0;
    }
    if (l->unit < 0) {
        l->unit = 0;
        while (drive_get(l->type, l->bus, l->unit)) {
            l->unit++;
            if (max_devs && l->unit >= max_devs) {
                l->unit = 0;
                l->bus++;
            }
        }
    }
    if (max_devs && l->unit >= max_devs) {
        error_setg(errp, "unit %" PRId64 " too big (max is %d)", l->unit,
                   max_devs - 1);
        return false;
    }
    if (l->type != IF_NONE && drive_get(l->type, l->bus, l->unit)) {
        error_setg(errp, "drive with bus=%" PRId64 ", unit=%" PRId64
                   " (index=%" PRId64 ") exists", l->bus, l->unit,
                   l->index < 0 ? l->bus * MAX(max_devs, 1) + l->unit
                                : l->index);
        return false;
    }
    if (!l->id) {
        const char *media = l->cdrom ? "-cd" : "-hd";

        if (max_devs) {
            l->id = g_strdup_printf("%s%" PRId64 "%s%" PRId64,
                                    if_name[l->type], l->bus, media,
                                    l->unit);
        } else {
            l->id = g_strdup_printf("%s%s%" PRId64, if_name[l->type],
                                    l->type == IF_NONE ? "" :
                                    (l->cdrom ? "-cd" : ""), l->unit);
        }
    }
    return true;
}

/* file=NAME and format=FMT onto node options */
static bool map_file_and_format(QDict *opts, Error **errp)
{
    g_autofree char *file = NULL;
    g_autofree char *format = bdrv_opt_take_str(opts, "format");
    const char *driver = qdict_get_try_str(opts, "driver");
    static const char *const protocol_opts[] = { "aio", "locking" };
    size_t i;

    if (format) {
        if (driver) {
            error_setg(errp, "Cannot specify both 'driver' and 'format'");
            return false;
        }
        if (is_help_option(format)) {
            error_setg(errp, "Supported formats: file qcow2 raw");
            return false;
        }
        qdict_put_str(opts, "driver", format);
        driver = format;
    }
    if (qobject_to(QString, qdict_get(opts, "file"))) {
        file = bdrv_opt_take_str(opts, "file");
    }
    if (!file) {
        return true;
    }
    if (!driver) {
        qdict_put_str(opts, "filename", file);    /* probe the format */
        return true;
    }
    if (!strcmp(driver, "file")) {
        qdict_put_str(opts, "filename", file);
        return true;
    }
    qdict_put_str(opts, "file.filename", file);
    if (!qdict_haskey(opts, "file.driver")) {
        qdict_put_str(opts, "file.driver", "file");
    }
    for (i = 0; i < ARRAY_SIZE(protocol_opts); i++) {
        g_autofree char *key = g_strdup_printf("file.%s", protocol_opts[i]);

        if (qdict_haskey(opts, protocol_opts[i]) && !qdict_haskey(opts, key)) {
            qdict_put_obj(opts, key,
                          qobject_ref(qdict_get(opts, protocol_opts[i])));
        }
        qdict_del(opts, protocol_opts[i]);
    }
    return true;
}

static QDict *parse_drive_opts(const char *optarg, Error **errp)
{
    QDict *opts = keyval_parse(optarg, NULL, NULL, errp);

    if (opts) {
        qdict_flatten(opts);
    }
    return opts;
}

DriveInfo *drive_new_from_str(const char *optarg, Error **errp)
{
    g_autoptr(QDict) opts = parse_drive_opts(optarg, errp);
    DriveLegacy l = { 0 };
    g_autofree char *serial = NULL;
    g_autofree char *addr = NULL;
    BlockBackend *blk = NULL;
    BlockDriverState *bs;
    DriveInfo *dinfo;

    if (!opts) {
        return NULL;
    }
    if (!take_legacy(opts, &l, &serial, &addr, errp) ||
        !assign_slot(&l, errp) ||
        !map_file_and_format(opts, errp)) {
        goto fail;
    }
    if (blk_by_name(l.id)) {
        error_setg(errp, "Duplicate ID '%s' for drive", l.id);
        goto fail;
    }
    blk = blk_new(l.id, errp);
    if (!blk) {
        goto fail;
    }
    blk_set_enable_write_cache(blk, l.writeback);
    blk_set_removable(blk, true);
    if (qdict_haskey(opts, "driver") || qdict_haskey(opts, "filename")) {
        bs = bdrv_open(qobject_ref(opts), errp);
        if (!bs) {
            goto fail;
        }
        blk_insert_bs(blk, bs, &error_abort);
        bdrv_unref(bs);
    } else {
        /* empty drive: the medium options do not matter yet */
        qdict_del(opts, "read-only");
        qdict_del(opts, "cache.direct");
        qdict_del(opts, "cache.no-flush");
        if (qdict_size(opts)) {
            error_setg(errp, "Must specify either driver or file");
            goto fail;
        }
    }
    dinfo = g_new0(DriveInfo, 1);
    dinfo->type = l.type;
    dinfo->bus = l.bus;
    dinfo->unit = l.unit;
    dinfo->is_cdrom = l.cdrom;
    dinfo->id = g_steal_pointer(&l.id);
    dinfo->blk = blk;
    dinfo->serial = g_steal_pointer(&serial);
    dinfo->addr = g_steal_pointer(&addr);
    drives = g_list_append(drives, dinfo);
    return dinfo;

fail:
    blk_unref(blk);
    g_free(l.id);
    return NULL;
}

bool drive_add_from_str(const char *optarg, Error **errp)
{
    return drive_new_from_str(optarg, errp) != NULL;
}

bool drive_add_node_from_str(const char *optarg, Error **errp)
{
    g_autoptr(QDict) opts = parse_drive_opts(optarg, errp);
    BlockDriverState *bs;

    if (!opts) {
        return false;
    }
    if (!qdict_get_try_str(opts, "node-name")) {
        error_setg(errp, "'node-name' needs to be specified");
        return false;
    }
    if (!map_file_and_format(opts, errp)) {
        return false;
    }
    bs = bdrv_open(qobject_ref(opts), errp);
    if (!bs) {
        return false;
    }
    bs->monitor_owned = true;
    return true;
}

bool drive_del(const char *id, Error **errp)
{
    BlockBackend *blk = blk_by_name(id);
    GList *l;

    if (!blk) {
        /* Like QEMU 7.2, a monitor-owned node (drive_add -n) is deleted
         * by node name: COLO-FT does "drive_del replication0". */
        if (bdrv_find_node(id)) {
            Error *local_err = NULL;

            qmp_blockdev_del(id, &local_err);
            if (local_err) {
                error_propagate(errp, local_err);
                return false;
            }
            return true;
        }
        error_setg(errp, "Device '%s' not found", id);
        return false;
    }
    blk_remove_bs(blk);
    if (blk_get_attached_dev_id(blk)) {
        return true;    /* the device keeps an empty drive */
    }
    for (l = drives; l; l = l->next) {
        DriveInfo *d = l->data;

        if (d->blk == blk) {
            drives = g_list_delete_link(drives, l);
            drive_info_free(d);
            break;
        }
    }
    blk_unref(blk);
    return true;
}

void blockdev_close_all(void)
{
    while (drives) {
        DriveInfo *d = drives->data;

        drives = g_list_delete_link(drives, drives);
        blk_unref(d->blk);
        drive_info_free(d);
    }
    bdrv_close_all();
}

/* -blockdev and blockdev-add */

static bool blockdev_add_options(BlockdevOptions *options, Error **errp)
{
    QObject *obj = NULL;
    Visitor *v;
    BlockDriverState *bs;

    if (!options->has_node_name) {
        error_setg(errp, "'node-name' must be specified for the root node");
        return false;
    }
    v = qobject_output_visitor_new(&obj);
    visit_type_BlockdevOptions(v, NULL, &options, &error_abort);
    visit_complete(v, &obj);
    visit_free(v);
    bs = bdrv_open(qobject_to(QDict, obj), errp);
    if (!bs) {
        return false;
    }
    bs->monitor_owned = true;
    return true;
}

bool blockdev_add_from_str(const char *optarg, Error **errp)
{
    g_autoptr(QDict) d = qobject_input_from_option(optarg, "driver", errp);
    BlockdevOptions *options = NULL;
    Visitor *v;
    bool ok;

    if (!d) {
        return false;
    }
    v = optarg[0] == '{' ? qobject_input_visitor_new(QOBJECT(d))
                         : qobject_input_visitor_new_keyval(QOBJECT(d));
    ok = visit_type_BlockdevOptions(v, NULL, &options, errp);
    visit_free(v);
    if (ok) {
        ok = blockdev_add_options(options, errp);
    }
    qapi_free_BlockdevOptions(options);
    return ok;
}

void qmp_blockdev_add(BlockdevOptions *arg, Error **errp)
{
    blockdev_add_options(arg, errp);
}
QMP_COMMAND_IMPLEMENTED(blockdev_add);

void qmp_blockdev_del(const char *node_name, Error **errp)
{
    bdrv_del_monitor_node(node_name, errp);
}
QMP_COMMAND_IMPLEMENTED(blockdev_del);

static BlockDriverState *lookup_bs(const char *name, Error **errp)
{
    BlockBackend *blk = blk_by_name(name);
    BlockDriverState *bs;

    if (blk && blk_bs(blk)) {
        return blk_bs(blk);
    }
    bs = bdrv_find_node(name);
    if (!bs) {
        error_setg(errp, "Cannot find device='%s' nor node-name='%s'",
                   name, name);
    }
    return bs;
}

void qmp_x_blockdev_change(const char *parent, bool has_child,
                           const char *child, bool has_node,
                           const char *node, Error **errp)
{
    BlockDriverState *p = lookup_bs(parent, errp);
    BlockDriverState *n;

    if (!p) {
        return;
    }
    if (has_child == has_node) {
        error_setg(errp, has_child ? "The parameters child and node are in "
                                     "conflict"
                                   : "Either child or node must be "
                                     "specified");
        return;
    }
    if (has_node) {
        n = bdrv_find_node(node);
        if (!n) {
            error_setg(errp, "Node '%s' not found", node);
            return;
        }
        bdrv_add_child(p, n, errp);
    } else {
        bdrv_del_child(p, child, errp);
    }
}
QMP_COMMAND_IMPLEMENTED(x_blockdev_change);
