/*
 * QMP commands of chardev/: query-chardev, query-chardev-backends,
 * chardev-add/-change/-remove/-send-break, ringbuf-write/-read.
 *
 * chardev-add's ChardevBackend is converted to the same flat options
 * QDict that -chardev produces (chardev_backend_to_qdict()), so both
 * paths share one parser per backend.  QMP defaults differ from the
 * command line in one place: a socket server does not wait (wait=off)
 * unless "wait": true is given.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-char.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"

static void put_common(QDict *d, ChardevCommon *c)
{
    if (c->has_logfile) {
        qdict_put_str(d, "logfile", c->logfile);
    }
    if (c->has_logappend) {
        qdict_put_bool(d, "logappend", c->logappend);
    }
}

static bool put_socket(QDict *d, ChardevSocket *sock, Error **errp)
{
    SocketAddressLegacy *addr = sock->addr;

    put_common(d, qapi_ChardevSocket_base(sock));
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET: {
        InetSocketAddress *inet = addr->u.inet.data;

        qdict_put_str(d, "host", inet->host);
        qdict_put_str(d, "port", inet->port);
        if (inet->has_ipv4) {
            qdict_put_bool(d, "ipv4", inet->ipv4);
        }
        if (inet->has_ipv6) {
            qdict_put_bool(d, "ipv6", inet->ipv6);
        }
        break;
    }
    case SOCKET_ADDRESS_TYPE_UNIX:
        qdict_put_str(d, "path", addr->u.q_unix.data->path);
        break;
    case SOCKET_ADDRESS_TYPE_FD:
        qdict_put_str(d, "fd", addr->u.fd.data->str);
        break;
    default:
        error_setg(errp, "socket address type '%s' is not supported",
                   SocketAddressType_str(addr->type));
        return false;
    }
    qdict_put_bool(d, "server", sock->has_server && sock->server);
    if (sock->has_server && sock->server) {
        qdict_put_bool(d, "wait", sock->has_wait && sock->wait);
    } else if (sock->has_wait) {
        qdict_put_bool(d, "wait", sock->wait);
    }
    if (sock->has_nodelay) {
        qdict_put_bool(d, "nodelay", sock->nodelay);
    }
    if (sock->has_telnet) {
        qdict_put_bool(d, "telnet", sock->telnet);
    }
    if (sock->has_reconnect) {
        qdict_put_int(d, "reconnect", sock->reconnect);
    }
    if (sock->has_tls_creds) {
        qdict_put_str(d, "tls-creds", sock->tls_creds);
    }
    if (sock->has_websocket && sock->websocket) {
        qdict_put_bool(d, "websocket", true);
    }
    return true;
}

/* ChardevBackend -> flat -chardev style options (new reference). */
static QDict *chardev_backend_to_qdict(ChardevBackend *backend,
                                       Error **errp)
{
    g_autoptr(QDict) d = qdict_new();
    const char *kind = ChardevBackendKind_str(backend->type);

    qdict_put_str(d, "backend", kind);
    switch (backend->type) {
    case CHARDEV_BACKEND_KIND_FILE: {
        ChardevFile *f = backend->u.file.data;

        put_common(d, qapi_ChardevFile_base(f));
        if (f->has_in) {
            error_setg(errp, "file chardev input ('in') is not supported");
            return NULL;
        }
        qdict_put_str(d, "path", f->out);
        if (f->has_append) {
            qdict_put_bool(d, "append", f->append);
        }
        break;
    }
    case CHARDEV_BACKEND_KIND_SERIAL:
    case CHARDEV_BACKEND_KIND_PARALLEL:
    case CHARDEV_BACKEND_KIND_PIPE: {
        ChardevHostdev *h = backend->u.pipe.data;

        put_common(d, qapi_ChardevHostdev_base(h));
        qdict_put_str(d, "path", h->device);
        break;
    }
    case CHARDEV_BACKEND_KIND_SOCKET:
        if (!put_socket(d, backend->u.socket.data, errp)) {
            return NULL;
        }
        break;
    case CHARDEV_BACKEND_KIND_STDIO: {
        ChardevStdio *s = backend->u.stdio.data;

        put_common(d, qapi_ChardevStdio_base(s));
        if (s->has_signal) {
            qdict_put_bool(d, "signal", s->signal);
        }
        break;
    }
    case CHARDEV_BACKEND_KIND_RINGBUF:
    case CHARDEV_BACKEND_KIND_MEMORY: {
        ChardevRingbuf *r = backend->u.ringbuf.data;

        put_common(d, qapi_ChardevRingbuf_base(r));
        if (r->has_size) {
            qdict_put_int(d, "size", r->size);
        }
        break;
    }
    case CHARDEV_BACKEND_KIND_MUX:
        put_common(d, qapi_ChardevMux_base(backend->u.mux.data));
        qdict_put_str(d, "chardev", backend->u.mux.data->chardev);
        break;
    case CHARDEV_BACKEND_KIND_PTY:
    case CHARDEV_BACKEND_KIND_NULL:
        put_common(d, backend->u.null.data);
        break;
    default:
        break;      /* "'x' is not a valid char driver name" follows */
    }
    return g_steal_pointer(&d);
}

static ChardevReturn *chardev_return_for(Chardev *chr)
{
    ChardevReturn *ret = g_new0(ChardevReturn, 1);
    const char *pty = qemu_chr_pty_name(chr);

    if (pty) {
        ret->has_pty = true;
        ret->pty = g_strdup(pty);
    }
    return ret;
}

Chardev *qemu_chr_new_from_backend(const char *id, ChardevBackend *backend,
                                   GMainContext *context, Error **errp)
{
    g_autoptr(QDict) opts = chardev_backend_to_qdict(backend, errp);

    return opts ? qemu_chr_new_from_qdict(id, opts, context, errp) : NULL;
}

ChardevReturn *qmp_chardev_add(const char *id, ChardevBackend *backend,
                               Error **errp)
{
    Chardev *chr = qemu_chr_new_from_backend(id, backend, NULL, errp);

    return chr ? chardev_return_for(chr) : NULL;
}
QMP_COMMAND_IMPLEMENTED(chardev_add);

ChardevReturn *qmp_chardev_change(const char *id, ChardevBackend *backend,
                                  Error **errp)
{
    g_autoptr(QDict) opts = NULL;
    Chardev *chr = qemu_chr_find(id);

    if (!chr) {
        error_setg(errp, "Chardev '%s' does not exist", id);
        return NULL;
    }
    if (qemu_chr_is_busy(chr)) {
        error_setg(errp, "Chardev '%s' is busy", id);
        return NULL;
    }
    opts = chardev_backend_to_qdict(backend, errp);
    if (!opts || !qemu_chr_delete(id, errp)) {
        return NULL;
    }
    chr = qemu_chr_new_from_qdict(id, opts, NULL, errp);
    return chr ? chardev_return_for(chr) : NULL;
}
QMP_COMMAND_IMPLEMENTED(chardev_change);

void qmp_chardev_remove(const char *id, Error **errp)
{
    qemu_chr_delete(id, errp);
}
QMP_COMMAND_IMPLEMENTED(chardev_remove);

void qmp_chardev_send_break(const char *id, Error **errp)
{
    Chardev *chr = qemu_chr_find(id);

    if (!chr) {
        error_setg(errp, "Chardev '%s' not found", id);
        return;
    }
    qemu_chr_be_event(chr, CHR_EVENT_BREAK);
}
QMP_COMMAND_IMPLEMENTED(chardev_send_break);

static void query_one(Chardev *chr, void *opaque)
{
    ChardevInfoList **list = opaque;
    ChardevInfo *info = g_new0(ChardevInfo, 1);

    info->label = g_strdup(chr->label);
    info->filename = qemu_chr_get_filename(chr);
    info->frontend_open = chr->be && chr->be->fe_open;
    QAPI_LIST_PREPEND(*list, info);
}

ChardevInfoList *qmp_query_chardev(Error **errp)
{
    ChardevInfoList *list = NULL;

    qemu_chr_foreach(query_one, &list);
    return list;
}
QMP_COMMAND_IMPLEMENTED(query_chardev);

static void backend_one(ObjectClass *oc, void *opaque)
{
    ChardevBackendInfoList **list = opaque;
    ChardevBackendInfo *info;
    const char *name = object_class_get_name(oc);

    if (!g_str_has_prefix(name, "chardev-")) {
        return;
    }
    info = g_new0(ChardevBackendInfo, 1);
    info->name = g_strdup(name + strlen("chardev-"));
    QAPI_LIST_PREPEND(*list, info);
}

ChardevBackendInfoList *qmp_query_chardev_backends(Error **errp)
{
    ChardevBackendInfoList *list = NULL;

    object_class_foreach(backend_one, TYPE_CHARDEV, false, &list);
    return list;
}
QMP_COMMAND_IMPLEMENTED(query_chardev_backends);

void qmp_ringbuf_write(const char *device, const char *data,
                       bool has_format, DataFormat format, Error **errp)
{
    g_autofree guchar *decoded = NULL;
    const uint8_t *bytes = (const uint8_t *)data;
    size_t len = strlen(data);

    if (has_format && format == DATA_FORMAT_BASE64) {
        gsize dlen;

        decoded = g_base64_decode(data, &dlen);
        bytes = decoded;
        len = dlen;
    }
    qemu_chr_ringbuf_write(device, bytes, len, errp);
}
QMP_COMMAND_IMPLEMENTED(ringbuf_write);

char *qmp_ringbuf_read(const char *device, int64_t size, bool has_format,
                       DataFormat format, Error **errp)
{
    g_autofree uint8_t *raw = NULL;
    size_t len;

    raw = qemu_chr_ringbuf_read(device, size, &len, errp);
    if (!raw) {
        return NULL;
    }
    if (has_format && format == DATA_FORMAT_BASE64) {
        return g_base64_encode(raw, len);
    }
    /* JSON strings must be valid UTF-8: invalid bytes become U+FFFD. */
    return g_utf8_make_valid((const char *)raw, len);
}
QMP_COMMAND_IMPLEMENTED(ringbuf_read);
