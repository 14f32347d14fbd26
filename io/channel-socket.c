/*
 * QIOChannelSocket: stream sockets over TCP and Unix addresses.
 */
#include "qemu/osdep.h"
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include "io/channel-socket.h"
#include "io/channel-util.h"

/* ---- Addresses ---- */

bool io_socket_address_parse_inet(const char *str, IOSocketAddress *addr,
                                  Error **errp)
{
    const char *colon;

    memset(addr, 0, sizeof(*addr));
    addr->type = IO_SOCKET_INET;
    if (str[0] == '[') {
        const char *end = strchr(str, ']');

        if (!end || end[1] != ':' || end == str + 1) {
            error_setg(errp, "error parsing IPv6 address '%s'", str);
            return false;
        }
        addr->host = g_strndup(str + 1, end - str - 1);
        colon = end + 1;
    } else {
        colon = strrchr(str, ':');
        if (!colon || memchr(str, ':', colon - str)) {
            error_setg(errp, "error parsing address '%s'", str);
            return false;
        }
        addr->host = g_strndup(str, colon - str);
    }
    if (!colon[1]) {
        error_setg(errp, "error parsing address '%s': port is missing", str);
        io_socket_address_clear(addr);
        return false;
    }
    addr->port = g_strdup(colon + 1);
    return true;
}

void io_socket_address_clear(IOSocketAddress *addr)
{
    g_free(addr->host);
    g_free(addr->port);
    g_free(addr->path);
    memset(addr, 0, sizeof(*addr));
}

char *io_socket_address_to_string(const IOSocketAddress *addr)
{
    if (addr->type == IO_SOCKET_UNIX) {
        return g_strdup_printf("unix:%s", addr->path);
    }
    if (strchr(addr->host, ':')) {
        return g_strdup_printf("[%s]:%s", addr->host, addr->port);
    }
    return g_strdup_printf("%s:%s", addr->host, addr->port);
}

/* ---- Channel ops ---- */

static QIOChannelSocket *sioc_of(QIOChannel *ioc)
{
    return container_of(ioc, QIOChannelSocket, parent);
}

static ssize_t socket_readv(QIOChannel *ioc, const struct iovec *iov,
                            size_t niov, Error **errp)
{
    return qio_fd_readv(sioc_of(ioc)->fd, iov, niov, errp);
}

static ssize_t socket_writev(QIOChannel *ioc, const struct iovec *iov,
                             size_t niov, Error **errp)
{
    return qio_fd_writev(sioc_of(ioc)->fd, iov, niov, true, errp);
}

static bool socket_set_blocking(QIOChannel *ioc, bool enabled, Error **errp)
{
    return qio_fd_set_blocking(sioc_of(ioc)->fd, enabled, errp);
}

static bool socket_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                            Error **errp)
{
    int mode = how == QIO_CHANNEL_SHUTDOWN_READ ? SHUT_RD :
               how == QIO_CHANNEL_SHUTDOWN_WRITE ? SHUT_WR : SHUT_RDWR;

    if (shutdown(sioc_of(ioc)->fd, mode) < 0 && errno != ENOTCONN) {
        error_setg_errno(errp, errno, "Unable to shut down socket");
        return false;
    }
    return true;
}

static bool socket_close(QIOChannel *ioc, Error **errp)
{
    QIOChannelSocket *sioc = sioc_of(ioc);
    int fd = sioc->fd;

    sioc->fd = -1;
    if (fd >= 0 && close(fd) < 0) {
        error_setg_errno(errp, errno, "Unable to close socket");
        return false;
    }
    return true;
}

static int socket_poll_fd(QIOChannel *ioc, GIOCondition cond)
{
    return sioc_of(ioc)->fd;
}

static void socket_finalize(QIOChannel *ioc)
{
    g_free(sioc_of(ioc));
}

static const QIOChannelOps socket_ops = {
    .kind = "socket",
    .readv = socket_readv,
    .writev = socket_writev,
    .set_blocking = socket_set_blocking,
    .shutdown = socket_shutdown,
    .close = socket_close,
    .poll_fd = socket_poll_fd,
    .finalize = socket_finalize,
};

static QIOChannelSocket *socket_wrap(int fd)
{
    QIOChannelSocket *sioc = g_new0(QIOChannelSocket, 1);

    qio_channel_init(&sioc->parent, &socket_ops);
    sioc->fd = fd;
    sioc->parent.blocking = !(fcntl(fd, F_GETFL) & O_NONBLOCK);
    return sioc;
}

QIOChannelSocket *qio_channel_socket_new_fd(int fd, Error **errp)
{
    struct stat st;
    int listening = 0;
    socklen_t len = sizeof(listening);
    QIOChannelSocket *sioc;

    if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        error_setg(errp, "File descriptor %d is not a socket", fd);
        return NULL;
    }
    sioc = socket_wrap(fd);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0) {
        sioc->listening = listening;
    }
    return sioc;
}

/* ---- Connecting and listening ---- */

static int unix_sockaddr(const char *path, struct sockaddr_un *un,
                         Error **errp)
{
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(un->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(un->sun_path, path);
    return 0;
}

static int unix_connect(const char *path, Error **errp)
{
    struct sockaddr_un un;
    int fd;

    if (unix_sockaddr(path, &un, errp) < 0) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    while (connect(fd, (struct sockaddr *)&un, sizeof(un)) < 0) {
        if (errno != EINTR) {
            error_setg_errno(errp, errno, "Failed to connect to '%s'",
                             path);
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int unix_listen(const char *path, int backlog, Error **errp)
{
    struct sockaddr_un un;
    struct stat st;
    int fd;

    if (unix_sockaddr(path, &un, errp) < 0) {
        return -1;
    }
    if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0 ||
        listen(fd, backlog) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

static struct addrinfo *inet_resolve(const IOSocketAddress *addr,
                                     bool passive, Error **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = passive ? AI_PASSIVE : 0,
    };
    struct addrinfo *res = NULL;
    const char *host = addr->host && addr->host[0] ? addr->host : NULL;
    int ret;

    if (passive && !host) {
        host = "0.0.0.0";
    }
    ret = getaddrinfo(host, addr->port, &hints, &res);
    if (ret) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   host ? host : "", addr->port, gai_strerror(ret));
        return NULL;
    }
    return res;
}

/* connect(), riding out EINTR (the connection then goes on in the
 * background and a repeated connect() reports EALREADY/EISCONN). */
static bool inet_connect_one(int fd, const struct addrinfo *ai)
{
    int ret = connect(fd, ai->ai_addr, ai->ai_addrlen);

    while (ret < 0 && (errno == EINTR || errno == EALREADY)) {
        ret = connect(fd, ai->ai_addr, ai->ai_addrlen);
    }
    return ret == 0 || errno == EISCONN;
}

static int inet_connect(const IOSocketAddress *addr, Error **errp)
{
    struct addrinfo *res = inet_resolve(addr, false, errp), *ai;
    int fd = -1, err = 0;

    if (!res) {
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (inet_connect_one(fd, ai)) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to connect to '%s:%s'",
                         addr->host, addr->port);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    return fd;
}

static int inet_listen(const IOSocketAddress *addr, int backlog,
                       Error **errp)
{
    struct addrinfo *res = inet_resolve(addr, true, errp), *ai;
    int fd = -1, err = 0;

    if (!res) {
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
        if (ai->ai_family == AF_INET6) {
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 0 },
                       sizeof(int));
        }
        if (!bind(fd, ai->ai_addr, ai->ai_addrlen) &&
            !listen(fd, backlog)) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to listen on '%s:%s'",
                         addr->host, addr->port);
    }
    return fd;
}

QIOChannelSocket *qio_channel_socket_connect_sync(const IOSocketAddress *addr,
                                                  Error **errp)
{
    int fd = addr->type == IO_SOCKET_UNIX ? unix_connect(addr->path, errp)
                                          : inet_connect(addr, errp);

    return fd < 0 ? NULL : socket_wrap(fd);
}

QIOChannelSocket *qio_channel_socket_listen_sync(const IOSocketAddress *addr,
                                                 int backlog, Error **errp)
{
    int fd = addr->type == IO_SOCKET_UNIX
             ? unix_listen(addr->path, backlog, errp)
             : inet_listen(addr, backlog, errp);
    QIOChannelSocket *sioc;

    if (fd < 0) {
        return NULL;
    }
    sioc = socket_wrap(fd);
    sioc->listening = true;
    return sioc;
}

QIOChannelSocket *qio_channel_socket_accept(QIOChannelSocket *listener,
                                            Error **errp)
{
    int fd;

    do {
        fd = accept4(listener->fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Unable to accept connection");
        return NULL;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
    return socket_wrap(fd);
}

bool qio_channel_socket_get_local_address(QIOChannelSocket *sioc,
                                          IOSocketAddress *addr,
                                          Error **errp)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], port[NI_MAXSERV];

    memset(addr, 0, sizeof(*addr));
    if (getsockname(sioc->fd, (struct sockaddr *)&ss, &len) < 0) {
        error_setg_errno(errp, errno, "Unable to query local address");
        return false;
    }
    if (ss.ss_family == AF_UNIX) {
        addr->type = IO_SOCKET_UNIX;
        addr->path = g_strdup(((struct sockaddr_un *)&ss)->sun_path);
        return true;
    }
    if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) {
        error_setg(errp, "Unable to format local address");
        return false;
    }
    addr->type = IO_SOCKET_INET;
    addr->host = g_strdup(host);
    addr->port = g_strdup(port);
    return true;
}
