/*
 * NBD server: fixed newstyle handshake, structured replies, NBD_OPT_GO,
 * read/write/flush/trim/write-zeroes/cache/block status.  This file has
 * the clients' I/O, the transmission phase and the exports; the option
 * phase is in server-handshake.c, the shared types in server-internal.h.
 *
 * Everything runs in the main loop with the BQL held.  Each client is a
 * state machine fed by a non-blocking socket:
 *
 *   CLIENT_FLAGS --> OPT_HEADER <--> OPT_DATA
 *                        | GO / EXPORT_NAME
 *                        v
 *                    REQ_HEADER <--> REQ_PAYLOAD (writes)
 *                        | NBD_CMD_DISC, protocol error, EOF
 *                        v
 *                    CLOSING (waits for in-flight requests) --> freed
 *
 * The input buffer holds exactly what the current state needs
 * (in_need bytes).  Replies are appended to an output buffer drained
 * by the write handler.  At most NBD_MAX_INFLIGHT requests per client
 * are in flight and the output buffer is bounded: past either limit the
 * client's socket is not read until requests complete.  Requests run
 * on the export's BlockBackend asynchronously (the block layer's worker
 * threads); completions come back in the main loop.  A client holds a
 * reference per in-flight request, so it outlives its socket.
 */
#include "qemu/osdep.h"
#include "block/nbd.h"
#include "block/block_int.h"
#include "system/block-backend.h"
#include "io/channel-socket.h"
#include "io/channel-util.h"
#include "qemu/main-loop.h"
#include "trace/trace-nbd.h"
#include "nbd/server-internal.h"

#define NBD_MAX_OUT_BYTES (64 * 1024 * 1024)

static void client_update_handlers(NBDClient *c);
static void client_close(NBDClient *c, int reason);

static void client_unref(NBDClient *c)
{
    if (--c->refcnt == 0) {
        g_byte_array_unref(c->out);
        if (c->in != c->hdr) {
            g_free(c->in);
        }
        g_free(c);
    }
}

void nbd_client_expect(NBDClient *c, NBDClientState state, uint32_t need)
{
    c->state = state;
    if (c->in != c->hdr) {
        g_free(c->in);
    }
    /* payloads get their own buffer: they are handed over */
    c->in = state == NBD_CS_OPT_DATA || state == NBD_CS_REQ_PAYLOAD ?
            g_malloc(need) : c->hdr;
    c->in_len = 0;
    c->in_need = need;
}

static bool client_readable(NBDClient *c)
{
    return c->fd >= 0 && c->state != NBD_CS_CLOSING &&
           c->inflight < NBD_MAX_INFLIGHT &&
           c->out->len - c->out_pos < NBD_MAX_OUT_BYTES;
}

static void client_flush_out(NBDClient *c)
{
    while (c->fd >= 0 && c->out_pos < c->out->len) {
        ssize_t n = send(c->fd, c->out->data + c->out_pos,
                         c->out->len - c->out_pos, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            client_close(c, NBD_CLOSE_EOF);
            return;
        }
        c->out_pos += n;
    }
    if (c->out_pos == c->out->len) {
        g_byte_array_set_size(c->out, 0);
        c->out_pos = 0;
    }
}

static void client_write_cb(void *opaque)
{
    NBDClient *c = opaque;

    c->refcnt++;
    client_flush_out(c);
    if (c->fd >= 0 && c->state == NBD_CS_CLOSING && !c->inflight &&
        c->out->len == 0) {
        client_close(c, NBD_CLOSE_DISC);
    }
    client_update_handlers(c);
    client_unref(c);
}

static void client_read_cb(void *opaque);

static void client_update_handlers(NBDClient *c)
{
    if (c->fd < 0) {
        return;
    }
    qemu_set_fd_handler(c->fd, client_readable(c) ? client_read_cb : NULL,
                        c->out->len > c->out_pos ? client_write_cb : NULL,
                        c);
}

static void client_close(NBDClient *c, int reason)
{
    if (c->fd < 0) {
        return;
    }
    trace_nbd_server_client_close(c->fd, reason);
    qemu_set_fd_handler(c->fd, NULL, NULL, NULL);
    close(c->fd);
    c->fd = -1;
    c->state = NBD_CS_CLOSING;
    c->srv->clients = g_list_remove(c->srv->clients, c);
    client_unref(c);
}

/* Transmission */

static void reply_error(NBDClient *c, uint64_t cookie, int err,
                        const char *msg)
{
    uint32_t e = nbd_errno_to_wire(err);

    trace_nbd_server_reply(cookie, e);
    if (c->structured) {
        nbd_put_error_chunk(c->out, cookie, e, msg);
    } else {
        nbd_put_simple_reply(c->out, e, cookie);
    }
}

static void reply_ok(NBDClient *c, uint64_t cookie)
{
    trace_nbd_server_reply(cookie, 0);
    nbd_put_simple_reply(c->out, 0, cookie);
}

static void request_done(void *opaque, int ret)
{
    NBDRequestData *r = opaque;
    NBDClient *c = r->client;

    c->inflight--;
    if (c->fd >= 0) {
        if (ret == 0 && (r->req.flags & NBD_CMD_FLAG_FUA) && c->exp &&
            r->req.type != NBD_CMD_READ) {
            ret = blk_flush(c->exp->blk);
        }
        if (ret < 0) {
            reply_error(c, r->req.cookie, ret, "I/O error");
        } else if (r->req.type == NBD_CMD_READ && c->structured) {
            nbd_put_chunk_header(c->out, NBD_REPLY_FLAG_DONE,
                                 NBD_REPLY_TYPE_OFFSET_DATA, r->req.cookie,
                                 8 + r->req.len);
            nbd_put64(c->out, r->req.offset);
            g_byte_array_append(c->out, r->buf, r->req.len);
        } else {
            reply_ok(c, r->req.cookie);
            if (r->req.type == NBD_CMD_READ) {
                g_byte_array_append(c->out, r->buf, r->req.len);
            }
        }
        client_flush_out(c);
        if (c->fd >= 0 && c->state == NBD_CS_CLOSING && !c->inflight &&
            c->out->len == 0) {
            client_close(c, NBD_CLOSE_DISC);
        }
        client_update_handlers(c);
    }
    g_free(r->buf);
    g_free(r);
    client_unref(c);
}

static NBDRequestData *request_new(NBDClient *c, uint8_t *buf)
{
    NBDRequestData *r = g_new0(NBDRequestData, 1);

    r->client = c;
    r->req = c->req;
    r->buf = buf;
    if (buf) {
        qemu_iovec_init_buf(&r->qiov, buf, c->req.len);
    }
    c->refcnt++;
    c->inflight++;
    return r;
}

static void client_block_status(NBDClient *c)
{
    NBDRequest *req = &c->req;
    BlockDriverState *bs = blk_bs(c->exp->blk);
    g_autoptr(GByteArray) d = g_byte_array_new();
    uint64_t off = req->offset, end = req->offset + req->len;
    unsigned n = 0;

    nbd_put32(d, NBD_META_ID_BASE_ALLOCATION);
    while (off < end && n < NBD_MAX_STATUS_EXTENTS) {
        int64_t pnum = end - off;
        int st = bs ? bdrv_block_status(bs, off, end - off, &pnum) :
                 BDRV_BLOCK_DATA;
        uint32_t flags = 0;

        if (st < 0) {
            reply_error(c, req->cookie, st, "block status failed");
            return;
        }
        if (pnum <= 0 || pnum > end - off) {
            pnum = end - off;
        }
        if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA)) {
            flags = NBD_STATE_ZERO | NBD_STATE_HOLE;
        }
        nbd_put32(d, pnum);
        nbd_put32(d, flags);
        off += pnum;
        n++;
        if (req->flags & NBD_CMD_FLAG_REQ_ONE) {
            break;
        }
    }
    nbd_put_chunk_header(c->out, NBD_REPLY_FLAG_DONE,
                         NBD_REPLY_TYPE_BLOCK_STATUS, req->cookie, d->len);
    g_byte_array_append(c->out, d->data, d->len);
}

/* Checks common to every command; replies itself and returns false. */
static bool request_valid(NBDClient *c, bool is_write)
{
    NBDRequest *req = &c->req;
    uint64_t size = nbd_export_size(c->exp);

    if (is_write && !c->exp->writable) {
        reply_error(c, req->cookie, -EPERM, "export is read-only");
        return false;
    }
    if (req->offset > size || req->len > size - req->offset) {
        reply_error(c, req->cookie, is_write ? -ENOSPC : -EINVAL,
                    "request out of bounds");
        return false;
    }
    return true;
}

static void client_dispatch(NBDClient *c, uint8_t *payload)
{
    NBDRequest *req = &c->req;
    NBDRequestData *r;
    BlockBackend *blk = c->exp->blk;
    int zflags;

    trace_nbd_server_request(req->type, req->cookie, req->offset, req->len);
    switch (req->type) {
    case NBD_CMD_READ:
        if (req->len > NBD_MAX_PAYLOAD) {
            reply_error(c, req->cookie, -EINVAL, "request too large");
            break;
        }
        if (!request_valid(c, false)) {
            break;
        }
        r = request_new(c, g_malloc(MAX(req->len, 1)));
        blk_aio_preadv(blk, req->offset, &r->qiov, 0, request_done, r);
        break;
    case NBD_CMD_WRITE:
        if (!request_valid(c, true)) {
            g_free(payload);
            break;
        }
        r = request_new(c, payload);
        blk_aio_pwritev(blk, req->offset, &r->qiov,
                        req->flags & NBD_CMD_FLAG_FUA ? BDRV_REQ_FUA : 0,
                        request_done, r);
        break;
    case NBD_CMD_DISC:
        c->state = NBD_CS_CLOSING;
        break;
    case NBD_CMD_FLUSH:
        r = request_new(c, NULL);
        blk_aio_flush(blk, request_done, r);
        break;
    case NBD_CMD_TRIM:
        if (!request_valid(c, true)) {
            break;
        }
        r = request_new(c, NULL);
        blk_aio_pdiscard(blk, req->offset, req->len, request_done, r);
        break;
    case NBD_CMD_WRITE_ZEROES:
        if (!request_valid(c, true)) {
            break;
        }
        if (req->flags & NBD_CMD_FLAG_FAST_ZERO) {
            reply_error(c, req->cookie, -ENOTSUP, "fast zero unsupported");
            break;
        }
        zflags = req->flags & NBD_CMD_FLAG_NO_HOLE ? 0 : BDRV_REQ_MAY_UNMAP;
        r = request_new(c, NULL);
        blk_aio_pwrite_zeroes(blk, req->offset, req->len, zflags,
                              request_done, r);
        break;
    case NBD_CMD_CACHE:
        if (request_valid(c, false)) {
            reply_ok(c, req->cookie);
        }
        break;
    case NBD_CMD_BLOCK_STATUS:
        if (!c->structured || !c->meta_base) {
            reply_error(c, req->cookie, -EINVAL, "no meta context set");
        } else if (req->len == 0) {
            reply_error(c, req->cookie, -EINVAL, "zero length");
        } else if (request_valid(c, false)) {
            client_block_status(c);
        }
        break;
    default:
        reply_error(c, req->cookie, -EINVAL, "unknown command");
        break;
    }
}

static bool client_got_req_header(NBDClient *c)
{
    NBDRequest *req = &c->req;

    if (!nbd_parse_request(c->in, req)) {
        return false;
    }
    if (req->type == NBD_CMD_WRITE) {
        if (req->len > NBD_MAX_PAYLOAD) {
            return false;       /* cannot skip that much payload */
        }
        if (req->len) {
            nbd_client_expect(c, NBD_CS_REQ_PAYLOAD, req->len);
            return true;
        }
    }
    client_dispatch(c, req->type == NBD_CMD_WRITE ? g_malloc(1) : NULL);
    if (c->state != NBD_CS_CLOSING) {
        nbd_client_expect(c, NBD_CS_REQ_HEADER, NBD_REQUEST_SIZE);
    }
    return true;
}

static bool client_got_input(NBDClient *c)
{
    uint8_t *payload;
    uint32_t flags;

    switch (c->state) {
    case NBD_CS_CLIENT_FLAGS:
        flags = nbd_get32(c->in);
        if (flags & ~(NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES)) {
            return false;
        }
        c->no_zeroes = flags & NBD_FLAG_C_NO_ZEROES;
        nbd_client_expect(c, NBD_CS_OPT_HEADER, NBD_OPTION_HEADER_SIZE);
        return true;
    case NBD_CS_OPT_HEADER:
        return nbd_client_got_opt_header(c);
    case NBD_CS_OPT_DATA:
        payload = c->in;
        c->in = c->hdr;         /* keep the payload across client_expect */
        if (!nbd_client_handle_option(c, payload)) {
            g_free(payload);
            return false;
        }
        g_free(payload);
        return true;
    case NBD_CS_REQ_HEADER:
        return client_got_req_header(c);
    case NBD_CS_REQ_PAYLOAD:
        payload = c->in;
        c->in = c->hdr;
        client_dispatch(c, payload);    /* takes the payload */
        nbd_client_expect(c, NBD_CS_REQ_HEADER, NBD_REQUEST_SIZE);
        return true;
    default:
        return true;
    }
}

static void client_read_cb(void *opaque)
{
    NBDClient *c = opaque;

    c->refcnt++;
    while (client_readable(c)) {
        ssize_t n = recv(c->fd, c->in + c->in_len, c->in_need - c->in_len,
                         0);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            client_close(c, NBD_CLOSE_EOF);
            break;
        }
        c->in_len += n;
        if (c->in_len < c->in_need) {
            continue;
        }
        if (!client_got_input(c)) {
            client_close(c, NBD_CLOSE_PROTOCOL);
            break;
        }
        if (c->state == NBD_CS_CLOSING && !c->inflight) {
            client_flush_out(c);
            if (c->out->len == 0) {
                client_close(c, NBD_CLOSE_DISC);
            }
            break;
        }
    }
    client_flush_out(c);
    client_update_handlers(c);
    client_unref(c);
}

void nbd_server_add_client(NBDServer *srv, int fd)
{
    NBDClient *c = g_new0(NBDClient, 1);

    if (!qio_fd_set_blocking(fd, false, NULL) ||
        (srv->max_connections &&
         g_list_length(srv->clients) >= srv->max_connections)) {
        close(fd);
        g_free(c);
        return;
    }
    trace_nbd_server_client_new(fd);
    c->srv = srv;
    c->fd = fd;
    c->refcnt = 1;              /* dropped by client_close() */
    c->out = g_byte_array_new();
    c->in = c->hdr;
    srv->clients = g_list_append(srv->clients, c);
    nbd_put64(c->out, NBD_MAGIC);
    nbd_put64(c->out, NBD_OPTS_MAGIC);
    nbd_put16(c->out, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    nbd_client_expect(c, NBD_CS_CLIENT_FLAGS, 4);
    client_flush_out(c);
    client_update_handlers(c);
}

unsigned nbd_server_client_count(NBDServer *srv)
{
    return g_list_length(srv->clients);
}

/* Server and exports */

static void server_accept_cb(void *opaque)
{
    NBDServer *srv = opaque;
    int fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (fd >= 0) {
        nbd_server_add_client(srv, fd);
    }
}

NBDServer *nbd_server_new(uint32_t max_connections,
                          NBDExportDeletedFn *deleted_cb, void *opaque)
{
    NBDServer *srv = g_new0(NBDServer, 1);

    srv->listen_fd = -1;
    srv->port = -1;
    srv->max_connections = max_connections;
    srv->deleted_cb = deleted_cb;
    srv->deleted_opaque = opaque;
    return srv;
}

bool nbd_server_listen(NBDServer *srv, const IOSocketAddress *addr,
                       Error **errp)
{
    QIOChannelSocket *sioc = qio_channel_socket_listen_sync(addr, 16, errp);
    IOSocketAddress local = { 0 };

    if (!sioc) {
        return false;
    }
    srv->listen_fd = dup(sioc->fd);
    if (addr->type == IO_SOCKET_INET &&
        qio_channel_socket_get_local_address(sioc, &local, NULL)) {
        srv->port = atoi(local.port);
        io_socket_address_clear(&local);
    }
    qio_channel_unref(&sioc->parent);
    if (srv->listen_fd < 0 ||
        !qio_fd_set_blocking(srv->listen_fd, false, errp)) {
        error_setg_errno(errp, errno, "Cannot set up the NBD listener");
        return false;
    }
    qemu_set_fd_handler(srv->listen_fd, server_accept_cb, NULL, srv);
    return true;
}

int nbd_server_get_port(NBDServer *srv)
{
    return srv->port;
}

static void export_disconnect_clients(NBDServer *srv, NBDExport *exp)
{
    GList *l, *next;

    for (l = srv->clients; l; l = next) {
        NBDClient *c = l->data;

        next = l->next;
        if (!exp || c->exp == exp) {
            client_close(c, NBD_CLOSE_SERVER);
        }
    }
}

static bool export_in_use(NBDServer *srv, NBDExport *exp)
{
    GList *l;

    for (l = srv->clients; l; l = l->next) {
        NBDClient *c = l->data;

        if (c->exp == exp) {
            return true;
        }
    }
    return false;
}

static void export_free(NBDServer *srv, NBDExport *exp)
{
    GList *l;

    /* requests still in flight must not see the export */
    blk_drain(exp->blk);
    for (l = srv->clients; l; l = l->next) {
        NBDClient *c = l->data;

        if (c->exp == exp) {
            c->exp = NULL;
        }
    }
    srv->exports = g_list_remove(srv->exports, exp);
    blk_unref(exp->blk);
    if (srv->deleted_cb) {
        srv->deleted_cb(srv->deleted_opaque, exp->id);
    }
    g_free(exp->id);
    g_free(exp->name);
    g_free(exp->description);
    g_free(exp->node_name);
    g_free(exp);
}

void nbd_server_free(NBDServer *srv)
{
    if (!srv) {
        return;
    }
    if (srv->listen_fd >= 0) {
        qemu_set_fd_handler(srv->listen_fd, NULL, NULL, NULL);
        close(srv->listen_fd);
    }
    export_disconnect_clients(srv, NULL);
    while (srv->exports) {
        export_free(srv, srv->exports->data);
    }
    g_free(srv);
}

NBDExport *nbd_export_add(NBDServer *srv, const char *id, const char *name,
                          const char *description, BlockDriverState *bs,
                          bool writable, Error **errp)
{
    NBDExport *exp;
    BlockBackend *blk;

    if (strlen(name) > NBD_MAX_STRING) {
        error_setg(errp, "export name '%s' too long", name);
        return NULL;
    }
    if (description && strlen(description) > NBD_MAX_STRING) {
        error_setg(errp, "description '%s' too long", description);
        return NULL;
    }
    if (nbd_export_find(srv, name)) {
        error_setg(errp, "NBD server already has export named '%s'", name);
        return NULL;
    }
    if (nbd_export_find_id(srv, id ? id : name)) {
        error_setg(errp, "Block export id '%s' is already in use",
                   id ? id : name);
        return NULL;
    }
    if (writable && bdrv_is_read_only(bs)) {
        error_setg(errp, "Cannot export read-only node as writable");
        return NULL;
    }
    blk = blk_new(NULL, errp);
    if (!blk) {
        return NULL;
    }
    if (!blk_insert_bs(blk, bs, errp)) {
        blk_unref(blk);
        return NULL;
    }
    exp = g_new0(NBDExport, 1);
    exp->srv = srv;
    exp->id = g_strdup(id ? id : name);
    exp->name = g_strdup(name);
    exp->description = g_strdup(description);
    exp->node_name = g_strdup(bdrv_get_node_name(bs));
    exp->blk = blk;
    exp->writable = writable;
    srv->exports = g_list_append(srv->exports, exp);
    return exp;
}

NBDExport *nbd_export_find(NBDServer *srv, const char *name)
{
    GList *l;

    for (l = srv->exports; l; l = l->next) {
        NBDExport *exp = l->data;

        if (!strcmp(exp->name, name)) {
            return exp;
        }
    }
    return NULL;
}

NBDExport *nbd_export_find_id(NBDServer *srv, const char *id)
{
    GList *l;

    for (l = srv->exports; l; l = l->next) {
        NBDExport *exp = l->data;

        if (!strcmp(exp->id, id)) {
            return exp;
        }
    }
    return NULL;
}

bool nbd_export_remove(NBDServer *srv, NBDExport *exp, bool hard,
                       Error **errp)
{
    if (!hard && export_in_use(srv, exp)) {
        error_setg(errp, "export '%s' still in use", exp->name);
        error_append_hint(errp, "Use mode='hard' to force client "
                          "disconnect\n");
        return false;
    }
    export_disconnect_clients(srv, exp);
    export_free(srv, exp);
    return true;
}

const char *nbd_export_name(NBDExport *exp)
{
    return exp->name;
}

const char *nbd_export_id(NBDExport *exp)
{
    return exp->id;
}

const char *nbd_export_node_name(NBDExport *exp)
{
    return exp->node_name;
}

GList *nbd_server_exports(NBDServer *srv)
{
    return srv->exports;
}
