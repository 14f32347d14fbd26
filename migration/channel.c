/*
 * Migration URIs: parsing, outgoing connections and incoming listeners
 * (see migration/channel.h).
 */
#include "qemu/osdep.h"
#include "migration/channel.h"
#include "migration/misc.h"
#include "io/channel-command.h"
#include "io/channel-file.h"
#include "trace/trace-migration.h"

static MigrationFdResolver fd_resolver;

void migration_set_fd_resolver(MigrationFdResolver resolver)
{
    fd_resolver = resolver;
}

bool migration_uri_parse(const char *uri, MigrationUri *out, Error **errp)
{
    const char *rest;

    memset(out, 0, sizeof(*out));
    if (g_str_has_prefix(uri, "tcp:")) {
        out->type = MIGRATION_URI_TCP;
        return io_socket_address_parse_inet(uri + 4, &out->addr, errp);
    }
    if (g_str_has_prefix(uri, "unix:")) {
        rest = uri + 5;
        out->type = MIGRATION_URI_UNIX;
        out->addr.type = IO_SOCKET_UNIX;
        out->addr.path = g_strdup(rest);
    } else if (g_str_has_prefix(uri, "exec:")) {
        rest = uri + 5;
        out->type = MIGRATION_URI_EXEC;
        out->command = g_strdup(rest);
    } else if (g_str_has_prefix(uri, "fd:")) {
        rest = uri + 3;
        out->type = MIGRATION_URI_FD;
        out->fd_name = g_strdup(rest);
    } else {
        error_setg(errp, "unknown migration protocol: %s", uri);
        return false;
    }
    if (!*rest) {
        error_setg(errp, "Missing %s in migration URI '%s'",
                   out->type == MIGRATION_URI_UNIX ? "path" :
                   out->type == MIGRATION_URI_EXEC ? "command" : "fd name",
                   uri);
        migration_uri_clear(out);
        return false;
    }
    return true;
}

void migration_uri_clear(MigrationUri *uri)
{
    io_socket_address_clear(&uri->addr);
    g_free(uri->command);
    g_free(uri->fd_name);
    memset(uri, 0, sizeof(*uri));
}

/* "fd:NAME": a number, or a name the monitor knows. */
static int migration_resolve_fd(const char *name, Error **errp)
{
    char *end;
    long fd;

    errno = 0;
    fd = strtol(name, &end, 10);
    if (!*end && !errno && fd >= 0 && fd <= INT_MAX) {
        if (fcntl((int)fd, F_GETFD) < 0) {
            error_setg_errno(errp, errno, "File descriptor %ld is not open",
                             fd);
            return -1;
        }
        return (int)fd;
    }
    if (!fd_resolver) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   name);
        return -1;
    }
    return fd_resolver(name, errp);
}

static QIOChannel *migration_fd_channel(const char *name, Error **errp)
{
    int fd = migration_resolve_fd(name, errp);

    if (fd < 0) {
        return NULL;
    }
    return QIO_CHANNEL(qio_channel_file_new_fd(fd));
}

QIOChannel *migration_channel_connect(const char *uri, Error **errp)
{
    MigrationUri u;
    QIOChannel *ioc = NULL;
    QIOChannelSocket *sioc;
    QIOChannelCommand *cioc;

    if (!migration_uri_parse(uri, &u, errp)) {
        return NULL;
    }
    trace_migration_channel_connect(uri);
    switch (u.type) {
    case MIGRATION_URI_TCP:
    case MIGRATION_URI_UNIX:
        sioc = qio_channel_socket_connect_sync(&u.addr, errp);
        ioc = sioc ? QIO_CHANNEL(sioc) : NULL;
        break;
    case MIGRATION_URI_EXEC:
        cioc = qio_channel_command_new_spawn(u.command, errp);
        ioc = cioc ? QIO_CHANNEL(cioc) : NULL;
        break;
    case MIGRATION_URI_FD:
        ioc = migration_fd_channel(u.fd_name, errp);
        break;
    }
    if (ioc) {
        qio_channel_set_name(ioc, "migration-outgoing");
    }
    migration_uri_clear(&u);
    return ioc;
}

/* ---- Incoming ---- */

struct MigrationListener {
    char *uri;
    GMainContext *ctx;
    MigrationIncomingFunc func;
    void *opaque;
    QIOChannelSocket *listener;     /* tcp, unix */
    QIOChannel *ready;              /* exec, fd: delivered from an idle */
    GSource *source;
};

static void migration_listener_stop(MigrationListener *l)
{
    if (l->source) {
        g_source_destroy(l->source);
        g_source_unref(l->source);
        l->source = NULL;
    }
    if (l->listener) {
        qio_channel_unref(QIO_CHANNEL(l->listener));
        l->listener = NULL;
    }
}

static gboolean migration_listener_accept(QIOChannel *ioc,
                                          GIOCondition cond, gpointer data)
{
    MigrationListener *l = data;
    QIOChannelSocket *sioc;
    Error *err = NULL;

    sioc = qio_channel_socket_accept(l->listener, &err);
    if (!sioc) {
        /* e.g. the client went away between poll and accept */
        error_free(err);
        return G_SOURCE_CONTINUE;
    }
    trace_migration_listener_accept(l->uri);
    qio_channel_set_name(QIO_CHANNEL(sioc), "migration-socket-incoming");
    /* one connection only: stop listening before handing it over */
    g_source_unref(l->source);
    l->source = NULL;
    qio_channel_unref(QIO_CHANNEL(l->listener));
    l->listener = NULL;
    l->func(QIO_CHANNEL(sioc), l->opaque);
    return G_SOURCE_REMOVE;
}

static gboolean migration_listener_deliver(gpointer data)
{
    MigrationListener *l = data;
    QIOChannel *ioc = l->ready;

    l->ready = NULL;
    g_source_unref(l->source);
    l->source = NULL;
    l->func(ioc, l->opaque);
    return G_SOURCE_REMOVE;
}

static bool migration_listener_open(MigrationListener *l, MigrationUri *u,
                                    Error **errp)
{
    QIOChannelCommand *cioc;

    switch (u->type) {
    case MIGRATION_URI_TCP:
    case MIGRATION_URI_UNIX:
        l->listener = qio_channel_socket_listen_sync(&u->addr, 1, errp);
        if (!l->listener) {
            return false;
        }
        qio_channel_set_name(QIO_CHANNEL(l->listener),
                             "migration-socket-listener");
        /* a client gone between poll and accept must not block us */
        if (!qio_channel_set_blocking(QIO_CHANNEL(l->listener), false,
                                      errp)) {
            return false;
        }
        l->source = qio_channel_create_watch(QIO_CHANNEL(l->listener),
                                             G_IO_IN);
        g_source_set_callback(l->source,
                              (GSourceFunc)migration_listener_accept, l,
                              NULL);
        break;
    case MIGRATION_URI_EXEC:
        cioc = qio_channel_command_new_spawn(u->command, errp);
        if (!cioc) {
            return false;
        }
        l->ready = QIO_CHANNEL(cioc);
        break;
    case MIGRATION_URI_FD:
        l->ready = migration_fd_channel(u->fd_name, errp);
        if (!l->ready) {
            return false;
        }
        break;
    }
    if (l->ready) {
        qio_channel_set_name(l->ready, "migration-incoming");
        l->source = g_idle_source_new();
        g_source_set_callback(l->source, migration_listener_deliver, l,
                              NULL);
    }
    g_source_attach(l->source, l->ctx);
    return true;
}

MigrationListener *migration_listener_new(const char *uri, GMainContext *ctx,
                                          MigrationIncomingFunc func,
                                          void *opaque, Error **errp)
{
    MigrationListener *l;
    MigrationUri u;
    bool ok;

    if (!migration_uri_parse(uri, &u, errp)) {
        return NULL;
    }
    l = g_new0(MigrationListener, 1);
    l->uri = g_strdup(uri);
    l->ctx = ctx;
    l->func = func;
    l->opaque = opaque;
    trace_migration_listener_listen(uri);
    ok = migration_listener_open(l, &u, errp);
    migration_uri_clear(&u);
    if (!ok) {
        migration_listener_free(l);
        return NULL;
    }
    return l;
}

char *migration_listener_uri(MigrationListener *l)
{
    IOSocketAddress addr;
    char *str, *uri;

    if (!l->listener ||
        !qio_channel_socket_get_local_address(l->listener, &addr, NULL)) {
        return g_strdup(l->uri);
    }
    str = io_socket_address_to_string(&addr);
    io_socket_address_clear(&addr);
    if (g_str_has_prefix(str, "unix:")) {
        return str;
    }
    uri = g_strdup_printf("tcp:%s", str);
    g_free(str);
    return uri;
}

void migration_listener_free(MigrationListener *l)
{
    if (!l) {
        return;
    }
    migration_listener_stop(l);
    qio_channel_unref(l->ready);
    g_free(l->uri);
    g_free(l);
}
