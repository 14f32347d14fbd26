/*
 * QMP glue of the NBD server: nbd-server-start/add/remove/stop,
 * block-export-add/del, query-block-exports.  One server per process,
 * as in QEMU.
 */
#include "qemu/osdep.h"
#include "block/nbd.h"
#include "block/block_int.h"
#include "block/quorum.h"
#include "io/channel-socket.h"
#include "system/block-backend.h"
#include "qapi/qapi-commands-block-export.h"
#include "qapi/qapi-events-block-export.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"

QMP_COMMAND_IMPLEMENTED(nbd_server_start);
QMP_COMMAND_IMPLEMENTED(nbd_server_add);
QMP_COMMAND_IMPLEMENTED(nbd_server_remove);
QMP_COMMAND_IMPLEMENTED(nbd_server_stop);
QMP_COMMAND_IMPLEMENTED(block_export_add);
QMP_COMMAND_IMPLEMENTED(block_export_del);
QMP_COMMAND_IMPLEMENTED(query_block_exports);

static NBDServer *nbd_server;

static void export_deleted(void *opaque, const char *id)
{
    qapi_event_send_block_export_deleted(id);
}

bool nbd_qmp_server_start(const IOSocketAddress *addr,
                          uint32_t max_connections, Error **errp)
{
    NBDServer *srv;

    if (nbd_server) {
        error_setg(errp, "NBD server already running");
        return false;
    }
    srv = nbd_server_new(max_connections, export_deleted, NULL);
    if (!nbd_server_listen(srv, addr, errp)) {
        nbd_server_free(srv);
        return false;
    }
    nbd_server = srv;
    return true;
}

NBDServer *nbd_qmp_server(void)
{
    return nbd_server;
}

void qmp_nbd_server_start(SocketAddressLegacy *addr, bool has_tls_creds,
                          const char *tls_creds, bool has_tls_authz,
                          const char *tls_authz, bool has_max_connections,
                          uint32_t max_connections, Error **errp)
{
    IOSocketAddress a = { 0 };

    if (has_tls_creds || has_tls_authz) {
        error_setg(errp, "TLS is not supported by this NBD server");
        return;
    }
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET:
        a.type = IO_SOCKET_INET;
        a.host = addr->u.inet.data->host;
        a.port = addr->u.inet.data->port;
        break;
    case SOCKET_ADDRESS_TYPE_UNIX:
        a.type = IO_SOCKET_UNIX;
        a.path = addr->u.q_unix.data->path;
        break;
    default:
        error_setg(errp, "Unsupported socket address type '%s'",
                   SocketAddressType_str(addr->type));
        return;
    }
    nbd_qmp_server_start(&a, has_max_connections ? max_connections : 0,
                         errp);
}

/* A drive id (its root node) or a node name */
static BlockDriverState *lookup_node(const char *name, Error **errp)
{
    BlockBackend *blk = blk_by_name(name);
    BlockDriverState *bs;

    if (blk) {
        if (!blk_bs(blk)) {
            error_setg(errp, "Device '%s' has no medium", name);
            return NULL;
        }
        return blk_bs(blk);
    }
    bs = bdrv_find_node(name);
    if (!bs) {
        error_setg(errp, "Cannot find device='%s' nor node-name='%s'",
                   name, name);
    }
    return bs;
}

bool nbd_qmp_export_add(const char *id, const char *device,
                        const char *name, const char *description,
                        bool writable, Error **errp)
{
    BlockDriverState *bs;

    if (!nbd_server) {
        error_setg(errp, "NBD server not running");
        return false;
    }
    bs = lookup_node(device, errp);
    if (!bs) {
        return false;
    }
    return nbd_export_add(nbd_server, id, name ? name : device, description,
                          bs, writable, errp) != NULL;
}

void qmp_nbd_server_add(NbdServerAddOptions *arg, Error **errp)
{
    if (arg->has_bitmap) {
        error_setg(errp, "Dirty bitmaps are not supported");
        return;
    }
    nbd_qmp_export_add(NULL, arg->device,
                       arg->has_name ? arg->name : NULL,
                       arg->has_description ? arg->description : NULL,
                       arg->has_writable && arg->writable, errp);
}

bool nbd_qmp_export_remove(const char *name, bool by_id, bool hard,
                           Error **errp)
{
    NBDExport *exp;

    if (!nbd_server) {
        error_setg(errp, "NBD server not running");
        return false;
    }
    exp = by_id ? nbd_export_find_id(nbd_server, name) :
          nbd_export_find(nbd_server, name);
    if (!exp) {
        error_setg(errp, "Export '%s' is not found", name);
        return false;
    }
    return nbd_export_remove(nbd_server, exp, hard, errp);
}

void qmp_nbd_server_remove(const char *name, bool has_mode,
                           BlockExportRemoveMode mode, Error **errp)
{
    nbd_qmp_export_remove(name, false,
                          has_mode && mode == BLOCK_EXPORT_REMOVE_MODE_HARD,
                          errp);
}

bool nbd_qmp_server_stop(Error **errp)
{
    if (!nbd_server) {
        error_setg(errp, "NBD server not running");
        return false;
    }
    nbd_server_free(nbd_server);
    nbd_server = NULL;
    return true;
}

void qmp_nbd_server_stop(Error **errp)
{
    nbd_qmp_server_stop(errp);
}

void qmp_block_export_add(BlockExportOptions *arg, Error **errp)
{
    BlockExportOptionsNbd *nbd = &arg->u.nbd;

    if (arg->has_iothread) {
        error_setg(errp, "iothread is not supported for block exports");
        return;
    }
    if (arg->has_writethrough && arg->writethrough) {
        error_setg(errp, "writethrough is not supported");
        return;
    }
    if (nbd->has_bitmaps || (nbd->has_allocation_depth &&
                             nbd->allocation_depth)) {
        error_setg(errp, "Dirty bitmaps and allocation depth are not "
                   "supported");
        return;
    }
    nbd_qmp_export_add(arg->id, arg->node_name,
                       nbd->has_name ? nbd->name : NULL,
                       nbd->has_description ? nbd->description : NULL,
                       arg->has_writable && arg->writable, errp);
}

void qmp_block_export_del(const char *id, bool has_mode,
                          BlockExportRemoveMode mode, Error **errp)
{
    nbd_qmp_export_remove(id, true,
                          has_mode && mode == BLOCK_EXPORT_REMOVE_MODE_HARD,
                          errp);
}

BlockExportInfoList *qmp_query_block_exports(Error **errp)
{
    BlockExportInfoList *head = NULL, **tail = &head;
    GList *l;

    for (l = nbd_server ? nbd_server_exports(nbd_server) : NULL; l;
         l = l->next) {
        BlockExportInfo *info = g_new0(BlockExportInfo, 1);

        info->id = g_strdup(nbd_export_id(l->data));
        info->type = BLOCK_EXPORT_TYPE_NBD;
        info->node_name = g_strdup(nbd_export_node_name(l->data));
        info->shutting_down = false;
        QAPI_LIST_APPEND(tail, info);
    }
    return head;
}

/*
 * QUORUM_REPORT_BAD: quorum reports from request threads; the event is
 * emitted from the main loop (an idle source of the default context),
 * at most once a second per child node, as QEMU's monitor throttles it.
 */
typedef struct QuorumBad {
    QuorumOp op;
    char *node;
    int64_t sector;
    int64_t count;
    int ret;
} QuorumBad;

static GMutex quorum_bad_lock;
static GHashTable *quorum_bad_last;     /* node name -> gint64 time */

static gboolean quorum_bad_emit(gpointer opaque)
{
    QuorumBad *b = opaque;

    qapi_event_send_quorum_report_bad((QuorumOpType)b->op, b->ret < 0,
                                      b->ret < 0 ? g_strerror(-b->ret) :
                                      NULL, b->node, b->sector, b->count);
    g_free(b->node);
    g_free(b);
    return G_SOURCE_REMOVE;
}

static void quorum_bad_report(void *opaque, BlockDriverState *bs,
                              BlockDriverState *child, QuorumOp op,
                              int64_t offset, int64_t bytes, int ret)
{
    const char *node = bdrv_get_node_name(child);
    gint64 now = g_get_monotonic_time();
    gpointer last;
    QuorumBad *b;

    g_mutex_lock(&quorum_bad_lock);
    if (!quorum_bad_last) {
        quorum_bad_last = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                g_free, NULL);
    }
    last = g_hash_table_lookup(quorum_bad_last, node);
    if (last && now - GPOINTER_TO_SIZE(last) < G_USEC_PER_SEC) {
        g_mutex_unlock(&quorum_bad_lock);
        return;
    }
    g_hash_table_insert(quorum_bad_last, g_strdup(node),
                        GSIZE_TO_POINTER(now));
    g_mutex_unlock(&quorum_bad_lock);
    b = g_new0(QuorumBad, 1);
    b->op = op;
    b->node = g_strdup(node);
    b->sector = offset / BDRV_SECTOR_SIZE;
    b->count = DIV_ROUND_UP(offset + bytes, BDRV_SECTOR_SIZE) - b->sector;
    b->ret = ret;
    g_idle_add(quorum_bad_emit, b);
}

static void __attribute__((constructor)) quorum_qmp_init(void)
{
    quorum_set_default_report(quorum_bad_report, NULL);
}
