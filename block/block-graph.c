/*
 * Block graph edges: opening and attaching children (file, backing,
 * named children), references by node name or drive id, child
 * replacement and x-blockdev-change at run time, backing files from
 * image headers, and switching a node between read-only and read-write.
 * Main thread only, in drained sections (block_int.h).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qobject/qdict-flat.h"
#include "qobject/qstring.h"
#include "system/block-backend.h"
#include "trace/trace-block.h"

/* Children */

BdrvChild *bdrv_attach_child(BlockDriverState *parent,
                             BlockDriverState *child_bs, const char *name,
                             BdrvChildRole role, Error **errp)
{
    BdrvChild *c;
    BlockDriverState *p;

    /* No cycles: @parent must not be below @child_bs */
    for (p = parent; p; p = p->backing ? p->backing->bs : NULL) {
        if (p == child_bs) {
            error_setg(errp, "Making '%s' a %s child of '%s' would create "
                       "a cycle", child_bs->node_name, name,
                       parent->node_name);
            return NULL;
        }
    }
    if (!parent->read_only && child_bs->read_only &&
        role == BDRV_CHILD_FILE) {
        error_setg(errp, "Block node is read-only");
        return NULL;
    }
    c = g_new0(BdrvChild, 1);
    c->name = g_strdup(name);
    c->role = role;
    c->bs = child_bs;
    c->parent = parent;
    child_bs->refcnt++;
    parent->children = g_slist_append(parent->children, c);
    child_bs->parents = g_slist_append(child_bs->parents, c);
    if (role == BDRV_CHILD_FILE && !strcmp(name, "file")) {
        parent->file = c;
    } else if (role == BDRV_CHILD_BACKING) {
        parent->backing = c;
    }
    trace_bdrv_attach_child(parent->node_name, name, child_bs->node_name);
    return c;
}

void bdrv_unref_child(BlockDriverState *parent, BdrvChild *child)
{
    BlockDriverState *bs = child->bs;

    parent->children = g_slist_remove(parent->children, child);
    if (parent->file == child) {
        parent->file = NULL;
    }
    if (parent->backing == child) {
        parent->backing = NULL;
    }
    if (bs) {
        bs->parents = g_slist_remove(bs->parents, child);
    }
    g_free(child->name);
    g_free(child);
    if (bs) {
        bdrv_unref(bs);
    }
}

/* A reference: a BlockBackend's id (its root) or a node name */
static BlockDriverState *bdrv_lookup_ref(const char *name)
{
    BlockBackend *blk = blk_by_name(name);

    if (blk && blk_bs(blk)) {
        return blk_bs(blk);
    }
    return bdrv_find_node(name);
}

BdrvChild *bdrv_open_child(BlockDriverState *parent, QDict *options,
                           const char *name, BdrvChildRole role,
                           bool allow_none, Error **errp)
{
    g_autofree char *prefix = g_strdup_printf("%s.", name);
    QObject *ref = qdict_get(options, name);
    QDict *sub = NULL;
    BlockDriverState *child_bs;
    BdrvChild *c;

    if (ref) {
        QString *qs = qobject_to(QString, ref);

        if (!qs) {
            /* null: explicitly no child */
            qdict_del(options, name);
            if (!allow_none) {
                error_setg(errp, "A block device must be specified for "
                           "\"%s\"", name);
            }
            return NULL;
        }
        child_bs = bdrv_lookup_ref(qstring_get_str(qs));
        if (!child_bs) {
            error_setg(errp, "Cannot find device='' nor node-name='%s'",
                       qstring_get_str(qs));
            return NULL;
        }
        qdict_del(options, name);
        return bdrv_attach_child(parent, child_bs, name, role, errp);
    }

    qdict_extract_subqdict(options, &sub, prefix);
    if (!sub || !qdict_size(sub)) {
        qobject_unref(sub);
        if (!allow_none) {
            error_setg(errp, "A block device must be specified for \"%s\"",
                       name);
        }
        return NULL;
    }
    if (role == BDRV_CHILD_BACKING) {
        qdict_put_bool(sub, "read-only", true);
    } else if (!qdict_haskey(sub, "read-only")) {
        qdict_put_bool(sub, "read-only", parent->read_only);
    }
    if (!qdict_haskey(sub, "cache.direct")) {
        qdict_put_bool(sub, "cache.direct", parent->cache_direct);
    }
    if (!qdict_haskey(sub, "cache.no-flush")) {
        qdict_put_bool(sub, "cache.no-flush", parent->cache_no_flush);
    }
    if (!qdict_haskey(sub, "discard") && parent->discard_unmap) {
        qdict_put_str(sub, "discard", "unmap");
    }
    if (!qdict_haskey(sub, "auto-read-only") && parent->auto_read_only) {
        qdict_put_bool(sub, "auto-read-only", true);
    }
    if (role == BDRV_CHILD_FILE && !qdict_haskey(sub, "driver") &&
        qdict_haskey(sub, "filename")) {
        qdict_put_str(sub, "driver", "file");
    }
    child_bs = bdrv_open(sub, errp);
    if (!child_bs) {
        return NULL;
    }
    c = bdrv_attach_child(parent, child_bs, name, role, errp);
    bdrv_unref(child_bs);
    return c;
}

BlockDriverState *bdrv_child_bs(BlockDriverState *bs, const char *name)
{
    GSList *l;

    for (l = bs->children; l; l = l->next) {
        BdrvChild *c = l->data;

        if (!strcmp(c->name, name)) {
            return c->bs;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_backing_bs(BlockDriverState *bs)
{
    return bs->backing ? bs->backing->bs : NULL;
}

BlockDriverState *bdrv_file_bs(BlockDriverState *bs)
{
    return bs->file ? bs->file->bs : NULL;
}

bool bdrv_replace_child_bs(BlockDriverState *parent, const char *name,
                           BlockDriverState *new_bs, Error **errp)
{
    GSList *l;
    BdrvChild *old = NULL;
    BdrvChildRole role = !strcmp(name, "backing") ? BDRV_CHILD_BACKING :
                         !strcmp(name, "file") ? BDRV_CHILD_FILE :
                         BDRV_CHILD_OTHER;

    bdrv_drain_all();
    for (l = parent->children; l; l = l->next) {
        BdrvChild *c = l->data;

        if (!strcmp(c->name, name)) {
            old = c;
        }
    }
    if (old && new_bs) {
        BlockDriverState *old_bs = old->bs;

        for (BlockDriverState *p = parent; p; p = bdrv_backing_bs(p)) {
            if (p == new_bs) {
                error_setg(errp, "Making '%s' a %s child of '%s' would "
                           "create a cycle", new_bs->node_name, name,
                           parent->node_name);
                return false;
            }
        }
        new_bs->refcnt++;
        old_bs->parents = g_slist_remove(old_bs->parents, old);
        old->bs = new_bs;
        new_bs->parents = g_slist_append(new_bs->parents, old);
        bdrv_unref(old_bs);
        return true;
    }
    if (old) {
        bdrv_unref_child(parent, old);
        return true;
    }
    if (new_bs) {
        return bdrv_attach_child(parent, new_bs, name, role, errp) != NULL;
    }
    return true;
}

/* Backing files */

static bool qdict_has_prefix(const QDict *d, const char *prefix)
{
    const QDictEntry *e;

    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        if (g_str_has_prefix(qdict_entry_key(e), prefix)) {
            return true;
        }
    }
    return false;
}

static char *backing_path(BlockDriverState *bs)
{
    g_autofree char *dir = NULL;

    if (g_path_is_absolute(bs->backing_file) || !bs->file) {
        return g_strdup(bs->backing_file);
    }
    dir = g_path_get_dirname(bs->file->bs->filename);
    return g_build_filename(dir, bs->backing_file, NULL);
}

bool bdrv_open_backing(BlockDriverState *bs, QDict *options, Error **errp)
{
    Error *local_err = NULL;
    g_autofree char *path = NULL;
    QDict *opts;
    BlockDriverState *backing;
    BdrvChild *c;

    if (qdict_haskey(options, "backing") ||
        qdict_has_prefix(options, "backing.")) {
        c = bdrv_open_child(bs, options, "backing", BDRV_CHILD_BACKING, true,
                            &local_err);
        if (!c && local_err) {
            error_propagate(errp, local_err);
            return false;
        }
        return true;
    }
    if (!bs->backing_file[0]) {
        return true;
    }
    path = backing_path(bs);
    opts = qdict_new();
    if (bs->backing_format[0]) {
        qdict_put_str(opts, "driver", bs->backing_format);
        qdict_put_str(opts, "file.driver", "file");
        qdict_put_str(opts, "file.filename", path);
    } else {
        qdict_put_str(opts, "filename", path);
    }
    qdict_put_bool(opts, "read-only", true);
    qdict_put_bool(opts, "cache.direct", bs->cache_direct);
    qdict_put_bool(opts, "cache.no-flush", bs->cache_no_flush);
    backing = bdrv_open(opts, errp);
    if (!backing) {
        error_prepend(errp, "Could not open backing file: ");
        return false;
    }
    c = bdrv_attach_child(bs, backing, "backing", BDRV_CHILD_BACKING, errp);
    bdrv_unref(backing);
    return c != NULL;
}

/* x-blockdev-change */

bool bdrv_add_child(BlockDriverState *parent, BlockDriverState *child,
                    Error **errp)
{
    if (!parent->drv->bdrv_add_child) {
        error_setg(errp, "The node %s does not support adding a child",
                   parent->node_name);
        return false;
    }
    if (g_slist_length(child->parents)) {
        error_setg(errp, "The node %s already has a parent",
                   child->node_name);
        return false;
    }
    bdrv_drain_all();
    return parent->drv->bdrv_add_child(parent, child, errp);
}

bool bdrv_del_child(BlockDriverState *parent, const char *child_name,
                    Error **errp)
{
    GSList *l;

    for (l = parent->children; l; l = l->next) {
        BdrvChild *c = l->data;

        if (!strcmp(c->name, child_name) ||
            !strcmp(c->bs->node_name, child_name)) {
            if (!parent->drv->bdrv_del_child) {
                error_setg(errp, "The node %s does not support removing a "
                           "child", parent->node_name);
                return false;
            }
            bdrv_drain_all();
            return parent->drv->bdrv_del_child(parent, c, errp);
        }
    }
    error_setg(errp, "Node '%s' does not have child '%s'",
               parent->node_name, child_name);
    return false;
}

/* Run-time read-only switch */

bool bdrv_reopen_read_only(BlockDriverState *bs, bool read_only,
                           Error **errp)
{
    BlockDriverState *file = bdrv_file_bs(bs);

    if (bs->read_only == read_only) {
        return true;
    }
    if (!read_only && !bs->drv->bdrv_reopen_rw) {
        error_setg(errp, "Node '%s' cannot be made writable",
                   bs->node_name);
        return false;
    }
    bdrv_drain_all();
    if (!read_only && file && !bdrv_reopen_read_only(file, false, errp)) {
        return false;
    }
    if (bs->drv->bdrv_reopen_rw &&
        !bs->drv->bdrv_reopen_rw(bs, read_only, errp)) {
        return false;
    }
    bs->read_only = read_only;
    /* a read-only parent leaves its file child writable (shared) */
    return true;
}
