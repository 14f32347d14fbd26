/*
 * Migration URIs and the channels they open.
 *
 *     tcp:HOST:PORT     connect, or listen ("tcp:0.0.0.0:4444",
 *                       "tcp::4444", "tcp:[::1]:4444", port 0 = any)
 *     unix:PATH         Unix stream socket
 *     exec:CMD          /bin/sh -c CMD; the source writes to its stdin,
 *                       the destination reads its stdout
 *     fd:NAME|NUMBER    an already open fd (monitor getfd name or number)
 *
 * Outgoing: migration_channel_connect() returns a connected channel.
 * Incoming: migration_listener_new() listens (tcp/unix), spawns (exec)
 * or wraps (fd), and calls back once, from @ctx, with the channel of the
 * first (and only) incoming connection.
 */
#ifndef MIGRATION_CHANNEL_H
#define MIGRATION_CHANNEL_H

#include "io/channel.h"
#include "io/channel-socket.h"

typedef enum MigrationUriType {
    MIGRATION_URI_TCP,
    MIGRATION_URI_UNIX,
    MIGRATION_URI_EXEC,
    MIGRATION_URI_FD,
} MigrationUriType;

typedef struct MigrationUri {
    MigrationUriType type;
    IOSocketAddress addr;   /* TCP, UNIX */
    char *command;          /* EXEC */
    char *fd_name;          /* FD */
} MigrationUri;

/**
 * migration_uri_parse: split @uri.  Errors: "unknown migration protocol:
 * URI", "error parsing address 'HOST:PORT'", empty path/command/name.
 */
bool migration_uri_parse(const char *uri, MigrationUri *out, Error **errp);
void migration_uri_clear(MigrationUri *uri);

/* Opens the outgoing channel for @uri (blocking connect / spawn). */
QIOChannel *migration_channel_connect(const char *uri, Error **errp);

typedef struct MigrationListener MigrationListener;
/* Receives a reference on @ioc (qio_channel_unref when done). */
typedef void (*MigrationIncomingFunc)(QIOChannel *ioc, void *opaque);

/**
 * migration_listener_new: start waiting for an incoming stream on @uri.
 * @ctx: context of the callback (NULL: default)
 * Fails at once on a bad URI or if listening/spawning fails.
 */
MigrationListener *migration_listener_new(const char *uri, GMainContext *ctx,
                                          MigrationIncomingFunc func,
                                          void *opaque, Error **errp);

/**
 * migration_listener_uri: the URI actually listened on ("tcp:127.0.0.1:
 * 41234" after asking for port 0), or the given one (g_free).
 */
char *migration_listener_uri(MigrationListener *l);

/* Stops listening (no callback after this) and frees. */
void migration_listener_free(MigrationListener *l);

#endif
