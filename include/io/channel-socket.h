/*
 * QIOChannelSocket: TCP (IPv4/IPv6) and Unix stream sockets, connecting
 * and listening.
 *
 * Addresses:
 *     IO_SOCKET_INET  host + port; host "" or "0.0.0.0" listens on every
 *                     IPv4 address, "::" (written "[::]") on every
 *                     address; IPv6 literals are bracketed in strings
 *                     ("[::1]:4444")
 *     IO_SOCKET_UNIX  path
 */
#ifndef IO_CHANNEL_SOCKET_H
#define IO_CHANNEL_SOCKET_H

#include <sys/socket.h>
#include "io/channel.h"

typedef enum IOSocketAddressType {
    IO_SOCKET_INET,
    IO_SOCKET_UNIX,
} IOSocketAddressType;

typedef struct IOSocketAddress {
    IOSocketAddressType type;
    char *host;     /* INET: without brackets */
    char *port;     /* INET: number or service name */
    char *path;     /* UNIX */
} IOSocketAddress;

/**
 * io_socket_address_parse_inet: parse "HOST:PORT" ("[V6]:PORT",
 * ":PORT").  Returns false with "error parsing address '...'" on error.
 */
bool io_socket_address_parse_inet(const char *str, IOSocketAddress *addr,
                                  Error **errp);
void io_socket_address_clear(IOSocketAddress *addr);
/* "host:port" / "[v6]:port" / "unix:path" (g_free). */
char *io_socket_address_to_string(const IOSocketAddress *addr);

typedef struct QIOChannelSocket {
    QIOChannel parent;
    int fd;
    bool listening;
} QIOChannelSocket;

/* Wraps a connected or listening socket @fd (ownership moves). */
QIOChannelSocket *qio_channel_socket_new_fd(int fd, Error **errp);

/* Blocking connect to @addr (every resolved address in turn). */
QIOChannelSocket *qio_channel_socket_connect_sync(const IOSocketAddress *addr,
                                                  Error **errp);

/*
 * A listening socket bound to @addr (SO_REUSEADDR; a stale Unix socket
 * file is replaced).  Accept with qio_channel_socket_accept(), usually
 * from a G_IO_IN watch on it.
 */
QIOChannelSocket *qio_channel_socket_listen_sync(const IOSocketAddress *addr,
                                                 int backlog, Error **errp);

/* Accepts one connection (blocking unless the listener is not). */
QIOChannelSocket *qio_channel_socket_accept(QIOChannelSocket *listener,
                                            Error **errp);

/* Local address (e.g. to learn the port after listening on port 0). */
bool qio_channel_socket_get_local_address(QIOChannelSocket *sioc,
                                          IOSocketAddress *addr,
                                          Error **errp);

#endif
