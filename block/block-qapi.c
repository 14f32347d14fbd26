/*
 * query-block, query-named-block-nodes and HMP "info block": the
 * BlockInfo / BlockDeviceInfo / ImageInfo shapes of QEMU 7.2 built from
 * the graph.
 */
#include "qemu/osdep.h"
#include <sys/stat.h>
#include "block/blockdev.h"
#include "block/block_int.h"
#include "qapi/qapi-commands-block-core.h"
#include "qapi/qmp/dispatch.h"

static int64_t actual_size(BlockDriverState *bs)
{
    struct stat st;

    while (bs->file) {
        bs = bs->file->bs;
    }
    if (!bs->drv->protocol || stat(bs->filename, &st) < 0) {
        return -1;
    }
    return (int64_t)st.st_blocks * 512;
}

static ImageInfo *image_info(BlockDriverState *bs, bool chain)
{
    ImageInfo *info = g_new0(ImageInfo, 1);
    BlockDriverInfo bdi;
    int64_t asize = actual_size(bs);

    info->filename = g_strdup(bs->filename);
    info->format = g_strdup(bs->drv->format_name);
    info->virtual_size = MAX(bdrv_getlength(bs), 0);
    if (asize >= 0) {
        info->has_actual_size = true;
        info->actual_size = asize;
    }
    info->has_dirty_flag = true;
    bdrv_get_info(bs, &bdi);
    info->dirty_flag = bdi.dirty;
    if (bdi.cluster_size) {
        info->has_cluster_size = true;
        info->cluster_size = bdi.cluster_size;
    }
    if (bdi.has_compat) {
        ImageInfoSpecificQCow2 *q = g_new0(ImageInfoSpecificQCow2, 1);

        q->compat = g_strdup(bdi.compat);
        q->refcount_bits = bdi.refcount_bits;
        if (!strcmp(bdi.compat, "1.1")) {
            q->has_lazy_refcounts = q->has_corrupt = true;
            q->corrupt = bdi.corrupt;
            q->has_extended_l2 = true;
            q->has_compression_type = true;
            q->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
        }
        info->has_format_specific = true;
        info->format_specific = g_new0(ImageInfoSpecific, 1);
        info->format_specific->type = IMAGE_INFO_SPECIFIC_KIND_QCOW2;
        info->format_specific->u.qcow2.data = q;
    }
    if (bs->backing_file[0]) {
        info->has_backing_filename = true;
        info->backing_filename = g_strdup(bs->backing_file);
        if (bs->backing) {
            info->has_full_backing_filename = true;
            info->full_backing_filename =
                g_strdup(bs->backing->bs->filename);
        }
        if (bs->backing_format[0]) {
            info->has_backing_filename_format = true;
            info->backing_filename_format = g_strdup(bs->backing_format);
        }
    }
    if (chain && bs->backing) {
        info->has_backing_image = true;
        info->backing_image = image_info(bs->backing->bs, true);
    }
    return info;
}

static BlockDeviceInfo *device_info(BlockDriverState *bs, bool writeback,
                                    bool chain)
{
    BlockDeviceInfo *info = g_new0(BlockDeviceInfo, 1);
    BlockDriverState *b;

    info->file = g_strdup(bs->filename);
    info->has_node_name = true;
    info->node_name = g_strdup(bs->node_name);
    info->ro = bs->read_only;
    info->drv = g_strdup(bs->drv->format_name);
    if (bs->backing_file[0]) {
        info->has_backing_file = true;
        info->backing_file = g_strdup(bs->backing_file);
    }
    for (b = bdrv_backing_bs(bs); b && chain; b = bdrv_backing_bs(b)) {
        info->backing_file_depth++;
    }
    info->encrypted = false;
    info->detect_zeroes = (BlockdevDetectZeroesOptions)bs->detect_zeroes;
    info->image = image_info(bs, chain);
    info->cache = g_new0(BlockdevCacheInfo, 1);
    info->cache->writeback = writeback;
    info->cache->direct = bs->cache_direct;
    info->cache->no_flush = bs->cache_no_flush;
    return info;
}

static BlockInfo *block_info(BlockBackend *blk)
{
    BlockInfo *info = g_new0(BlockInfo, 1);
    const char *dev = blk_get_attached_dev_id(blk);

    info->device = g_strdup(blk_name(blk));
    info->type = g_strdup("unknown");
    info->locked = false;
    info->removable = !dev || blk_is_removable(blk);
    if (dev) {
        info->has_qdev = true;
        info->qdev = g_strdup(dev);
        info->has_io_status = true;
        info->io_status = BLOCK_DEVICE_IO_STATUS_OK;
        if (blk_is_removable(blk)) {
            info->has_tray_open = true;
        }
    }
    if (blk_bs(blk)) {
        info->has_inserted = true;
        info->inserted = device_info(blk_bs(blk),
                                     blk_enable_write_cache(blk), true);
    }
    return info;
}

BlockInfoList *qmp_query_block(Error **errp)
{
    BlockInfoList *head = NULL, **tail = &head;
    BlockBackend *blk;

    for (blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        QAPI_LIST_APPEND(tail, block_info(blk));
    }
    return head;
}
QMP_COMMAND_IMPLEMENTED(query_block);

BlockDeviceInfoList *qmp_query_named_block_nodes(bool has_flat, bool flat,
                                                 Error **errp)
{
    BlockDeviceInfoList *head = NULL, **tail = &head;
    BlockDriverState *bs;

    for (bs = bdrv_next_node(NULL); bs; bs = bdrv_next_node(bs)) {
        QAPI_LIST_APPEND(tail, device_info(bs, true, !(has_flat && flat)));
    }
    return head;
}
QMP_COMMAND_IMPLEMENTED(query_named_block_nodes);

/* HMP "info block" */

static void print_block(GString *out, BlockInfo *info, BlockDeviceInfo *ins,
                        const char *node_name)
{
    if (info) {
        g_string_append(out, info->device);
        if (ins && ins->has_node_name) {
            g_string_append_printf(out, " (%s)", ins->node_name);
        }
    } else {
        g_string_append(out, node_name);
    }
    if (ins) {
        g_string_append_printf(out, ": %s (%s%s%s)\n", ins->file, ins->drv,
                               ins->ro ? ", read-only" : "",
                               ins->encrypted ? ", encrypted" : "");
    } else {
        g_string_append(out, ": [not inserted]\n");
    }
    if (info) {
        if (info->has_qdev) {
            g_string_append_printf(out, "    Attached to:      %s\n",
                                   info->qdev);
        }
        if (info->removable) {
            g_string_append_printf(out, "    Removable device: %slocked, "
                                   "tray %s\n", info->locked ? "" : "not ",
                                   info->tray_open ? "open" : "closed");
        }
    }
    if (!ins) {
        return;
    }
    g_string_append_printf(out, "    Cache mode:       %s%s%s\n",
                           ins->cache->writeback ? "writeback"
                                                 : "writethrough",
                           ins->cache->direct ? ", direct" : "",
                           ins->cache->no_flush ? ", ignore flushes" : "");
    if (ins->has_backing_file) {
        g_string_append_printf(out, "    Backing file:     %s (chain depth: "
                               "%" PRId64 ")\n", ins->backing_file,
                               ins->backing_file_depth);
    }
    if (ins->detect_zeroes != BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF) {
        g_string_append_printf(out, "    Detect zeroes:    %s\n",
                               BlockdevDetectZeroesOptions_str(
                                   ins->detect_zeroes));
    }
}

char *block_info_text(const char *device, bool nodes)
{
    GString *out = g_string_new("");
    BlockInfoList *list = qmp_query_block(NULL), *l;
    bool first = true;

    for (l = list; l; l = l->next) {
        if (device && strcmp(device, l->value->device)) {
            continue;
        }
        if (!first) {
            g_string_append(out, "\n");
        }
        first = false;
        print_block(out, l->value,
                    l->value->has_inserted ? l->value->inserted : NULL, NULL);
    }
    qapi_free_BlockInfoList(list);
    if (nodes) {
        BlockDeviceInfoList *nl = qmp_query_named_block_nodes(true, true,
                                                              NULL), *n;

        for (n = nl; n; n = n->next) {
            if (device && strcmp(device, n->value->node_name)) {
                continue;
            }
            if (!first) {
                g_string_append(out, "\n");
            }
            first = false;
            print_block(out, NULL, n->value, n->value->node_name);
        }
        qapi_free_BlockDeviceInfoList(nl);
    }
    return g_string_free(out, FALSE);
}
