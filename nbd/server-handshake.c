/*
 * NBD server: the handshake's option phase (fixed newstyle):
 * EXPORT_NAME, ABORT, LIST, STARTTLS (refused), INFO, GO,
 * STRUCTURED_REPLY, LIST/SET_META_CONTEXT (base:allocation).  Replies are
 * appended to the client's output buffer; the caller flushes it.
 */
#include "qemu/osdep.h"
#include "nbd/server-internal.h"
#include "system/block-backend.h"
#include "trace/trace-nbd.h"

static void opt_reply(NBDClient *c, uint32_t type, const void *data,
                      uint32_t len)
{
    nbd_put_option_reply(c->out, c->opt, type, data, len);
}

static void opt_error(NBDClient *c, uint32_t type, const char *msg)
{
    opt_reply(c, type, msg, msg ? strlen(msg) : 0);
}

static NBDExport *server_lookup(NBDServer *srv, const char *name)
{
    NBDExport *exp = nbd_export_find(srv, name);

    if (!exp && !*name && srv->exports && !srv->exports->next) {
        exp = srv->exports->data;       /* "" is the only export */
    }
    return exp;
}

static uint16_t export_flags(NBDClient *c, NBDExport *exp)
{
    uint16_t f = NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
                 NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_CACHE;

    if (exp->writable) {
        f |= NBD_FLAG_SEND_TRIM | NBD_FLAG_SEND_WRITE_ZEROES;
    } else {
        f |= NBD_FLAG_READ_ONLY | NBD_FLAG_CAN_MULTI_CONN;
    }
    if (c->structured) {
        f |= NBD_FLAG_SEND_DF;
    }
    return f;
}

uint64_t nbd_export_size(NBDExport *exp)
{
    int64_t len = blk_getlength(exp->blk);

    return len < 0 ? 0 : len;
}

static void opt_send_info(NBDClient *c, NBDExport *exp, uint16_t type)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    const char *s;

    nbd_put16(b, type);
    switch (type) {
    case NBD_INFO_EXPORT:
        nbd_put64(b, nbd_export_size(exp));
        nbd_put16(b, export_flags(c, exp));
        break;
    case NBD_INFO_NAME:
    case NBD_INFO_DESCRIPTION:
        s = type == NBD_INFO_NAME ? exp->name : exp->description;
        if (!s) {
            return;
        }
        g_byte_array_append(b, (const uint8_t *)s, strlen(s));
        break;
    case NBD_INFO_BLOCK_SIZE:
        nbd_put32(b, 1);
        nbd_put32(b, 4096);
        nbd_put32(b, NBD_MAX_PAYLOAD);
        break;
    default:
        return;
    }
    opt_reply(c, NBD_REP_INFO, b->data, b->len);
}

static void opt_go(NBDClient *c, const uint8_t *data)
{
    NBDOptGo go;
    NBDExport *exp;
    int i;

    if (!nbd_parse_opt_go(data, c->opt_len, &go)) {
        opt_error(c, NBD_REP_ERR_INVALID, "malformed NBD_OPT_GO/INFO");
        return;
    }
    exp = server_lookup(c->srv, go.name);
    if (!exp) {
        opt_error(c, NBD_REP_ERR_UNKNOWN, "export not found");
        nbd_opt_go_clear(&go);
        return;
    }
    opt_send_info(c, exp, NBD_INFO_EXPORT);
    for (i = 0; i < go.n_info; i++) {
        if (go.info[i] != NBD_INFO_EXPORT) {
            opt_send_info(c, exp, go.info[i]);
        }
    }
    opt_reply(c, NBD_REP_ACK, NULL, 0);
    nbd_opt_go_clear(&go);
    if (c->opt == NBD_OPT_GO) {
        c->exp = exp;
        nbd_client_expect(c, NBD_CS_REQ_HEADER, NBD_REQUEST_SIZE);
    }
}

static bool opt_export_name(NBDClient *c, const uint8_t *data)
{
    g_autofree char *name = g_strndup((const char *)data, c->opt_len);
    g_autoptr(GByteArray) b = g_byte_array_new();
    NBDExport *exp = server_lookup(c->srv, name);

    if (!exp || strlen(name) != c->opt_len) {
        return false;
    }
    nbd_put64(b, nbd_export_size(exp));
    nbd_put16(b, export_flags(c, exp));
    g_byte_array_append(c->out, b->data, b->len);
    if (!c->no_zeroes) {
        static const uint8_t zeroes[124];

        g_byte_array_append(c->out, zeroes, sizeof(zeroes));
    }
    c->exp = exp;
    nbd_client_expect(c, NBD_CS_REQ_HEADER, NBD_REQUEST_SIZE);
    return true;
}

static void opt_list(NBDClient *c)
{
    GList *l;

    if (c->opt_len) {
        opt_error(c, NBD_REP_ERR_INVALID, "NBD_OPT_LIST has no payload");
        return;
    }
    for (l = c->srv->exports; l; l = l->next) {
        NBDExport *exp = l->data;
        g_autoptr(GByteArray) b = g_byte_array_new();

        nbd_put32(b, strlen(exp->name));
        g_byte_array_append(b, (const uint8_t *)exp->name,
                            strlen(exp->name));
        if (exp->description) {
            g_byte_array_append(b, (const uint8_t *)exp->description,
                                strlen(exp->description));
        }
        opt_reply(c, NBD_REP_SERVER, b->data, b->len);
    }
    opt_reply(c, NBD_REP_ACK, NULL, 0);
}

static bool meta_query_matches(const char *q)
{
    return !strcmp(q, "base:allocation") || !strcmp(q, "base:");
}

static void opt_meta_context(NBDClient *c, const uint8_t *data)
{
    g_autofree char *name = NULL;
    g_autoptr(GPtrArray) queries = NULL;
    bool set = c->opt == NBD_OPT_SET_META_CONTEXT;
    bool found = false;
    guint i;

    if (set && !c->structured) {
        opt_error(c, NBD_REP_ERR_INVALID, "structured replies required");
        return;
    }
    if (!nbd_parse_meta_queries(data, c->opt_len, &name, &queries)) {
        opt_error(c, NBD_REP_ERR_INVALID, "malformed meta context request");
        return;
    }
    if (!server_lookup(c->srv, name)) {
        opt_error(c, NBD_REP_ERR_UNKNOWN, "export not found");
        return;
    }
    for (i = 0; i < queries->len; i++) {
        found |= set ? !strcmp(queries->pdata[i], "base:allocation") :
                 meta_query_matches(queries->pdata[i]);
    }
    if (!set && queries->len == 0) {
        found = true;
    }
    if (set) {
        c->meta_base = found;
    }
    if (found) {
        g_autoptr(GByteArray) b = g_byte_array_new();

        nbd_put32(b, set ? NBD_META_ID_BASE_ALLOCATION : 0);
        g_byte_array_append(b, (const uint8_t *)"base:allocation", 15);
        opt_reply(c, NBD_REP_META_CONTEXT, b->data, b->len);
    }
    opt_reply(c, NBD_REP_ACK, NULL, 0);
}

/* Returns false on a protocol error (close the client). */
bool nbd_client_handle_option(NBDClient *c, const uint8_t *data)
{
    trace_nbd_server_option(c->opt, c->opt_len);
    nbd_client_expect(c, NBD_CS_OPT_HEADER, NBD_OPTION_HEADER_SIZE);
    switch (c->opt) {
    case NBD_OPT_EXPORT_NAME:
        return opt_export_name(c, data);
    case NBD_OPT_ABORT:
        opt_reply(c, NBD_REP_ACK, NULL, 0);
        c->state = NBD_CS_CLOSING;
        return true;
    case NBD_OPT_LIST:
        opt_list(c);
        return true;
    case NBD_OPT_STARTTLS:
        opt_error(c, NBD_REP_ERR_POLICY, "TLS not configured");
        return true;
    case NBD_OPT_INFO:
    case NBD_OPT_GO:
        opt_go(c, data);
        return true;
    case NBD_OPT_STRUCTURED_REPLY:
        if (c->opt_len) {
            opt_error(c, NBD_REP_ERR_INVALID, "no payload expected");
        } else {
            c->structured = true;
            opt_reply(c, NBD_REP_ACK, NULL, 0);
        }
        return true;
    case NBD_OPT_LIST_META_CONTEXT:
    case NBD_OPT_SET_META_CONTEXT:
        opt_meta_context(c, data);
        return true;
    default:
        opt_error(c, NBD_REP_ERR_UNSUP, "option not supported");
        return true;
    }
}

bool nbd_client_got_opt_header(NBDClient *c)
{
    if (nbd_get64(c->in) != NBD_OPTS_MAGIC ||
        ++c->n_opts > NBD_MAX_OPTIONS) {
        return false;
    }
    c->opt = nbd_get32(c->in + 8);
    c->opt_len = nbd_get32(c->in + 12);
    if (c->opt_len > NBD_MAX_OPTION_LEN) {
        return false;
    }
    if (c->opt_len == 0) {
        return nbd_client_handle_option(c, NULL);
    }
    nbd_client_expect(c, NBD_CS_OPT_DATA, c->opt_len);
    return true;
}
