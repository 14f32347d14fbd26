/*
 * "socket" chardev: TCP or unix stream socket, server or client.
 *
 * State machine (one connection at a time):
 *
 *            server: accept()              client: connect() done
 *   DISCONNECTED ---------------------------------------> CONNECTED
 *        ^   |  client with reconnect: timer -> CONNECTING --^
 *        |   +-- (connect fails: report once, re-arm timer)
 *        +---------------- EOF / error / disconnect ---------+
 *
 * A server watches its listening socket only while DISCONNECTED, so a
 * second client waits in the kernel's backlog until the first leaves.
 * All sources (listen, read, connect, reconnect timer) live in
 * chr->gcontext and are moved when a frontend sets another context.
 * chr_write_lock protects fd/state against writers in other threads;
 * events are emitted without it.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "chardev/char.h"
#include "char-io.h"
#include "trace/trace-chardev.h"
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

typedef enum SocketState {
    SOCKET_DISCONNECTED,
    SOCKET_CONNECTING,
    SOCKET_CONNECTED,
} SocketState;

typedef struct SocketChardev {
    Chardev parent;

    /* configuration */
    bool is_listen;
    bool is_unix;
    bool is_telnet;
    bool nodelay;
    bool ipv4;
    bool ipv6;
    bool unlink_path;
    int64_t reconnect_ms;
    char *path;
    char *host;
    char *port;
    char *addr_desc;            /* "tcp:H:P,server=on" for "disconnected:" */

    /* state (chr_write_lock for fd/state) */
    SocketState state;
    int listen_fd;
    int fd;
    int connect_fd;
    bool connect_err_reported;
    bool disconnect_pending;    /* a write failed; BH queued */
    GSource *listen_source;
    GSource *read_source;
    GSource *connect_source;
    QEMUTimer *reconnect_timer;
    GMainContext *timer_ctx;
} SocketChardev;

#define SOCKET_CHARDEV(obj) \
    OBJECT_CHECK(SocketChardev, (obj), TYPE_CHARDEV_SOCKET)

static void tcp_chr_listen_ready(void *opaque, GIOCondition revents);
static void tcp_chr_read(void *opaque, GIOCondition revents, int max);
static void tcp_chr_connect_ready(void *opaque, GIOCondition revents);
static void tcp_chr_start_connect(SocketChardev *s);

/* Addresses */

static char *sockaddr_str(const struct sockaddr *sa, socklen_t len,
                          bool with_brackets)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    bool v6 = sa->sa_family == AF_INET6;

    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return g_strdup("unknown");
    }
    return g_strdup_printf("%s%s%s:%s", v6 && with_brackets ? "[" : "", host,
                           v6 && with_brackets ? "]" : "", serv);
}

/* query-chardev filename of a connected socket, QEMU's format. */
static char *tcp_chr_connected_filename(SocketChardev *s)
{
    struct sockaddr_storage ss, ps;
    socklen_t sl = sizeof(ss), pl = sizeof(ps);
    g_autofree char *local = NULL;
    g_autofree char *peer = NULL;
    const char *srv = s->is_listen ? ",server=on" : "";

    if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0) {
        return g_strdup("unknown");
    }
    if (ss.ss_family == AF_UNIX) {
        struct sockaddr_un *su = (struct sockaddr_un *)&ss;

        if (sl <= offsetof(struct sockaddr_un, sun_path)) {
            su->sun_path[0] = 0;
        }
        return g_strdup_printf("unix:%s%s", su->sun_path, srv);
    }
    if (getpeername(s->fd, (struct sockaddr *)&ps, &pl) < 0) {
        return g_strdup("unknown");
    }
    local = sockaddr_str((struct sockaddr *)&ss, sl, true);
    peer = sockaddr_str((struct sockaddr *)&ps, pl, true);
    return g_strdup_printf("%s:%s%s <-> %s", s->is_telnet ? "telnet" : "tcp",
                           local, srv, peer);
}

static void tcp_chr_set_disconnected_filename(SocketChardev *s)
{
    g_autofree char *f = g_strdup_printf("disconnected:%s", s->addr_desc);

    qemu_chr_set_filename((Chardev *)s, f);
}

/* The address the user gave (clients) or the bound one (servers). */
static void tcp_chr_set_addr_desc(SocketChardev *s, int bound_fd)
{
    const char *srv = s->is_listen ? ",server=on" : "";
    const char *proto = s->is_telnet ? "telnet" : "tcp";
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    g_free(s->addr_desc);
    if (bound_fd >= 0 &&
        getsockname(bound_fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_UNIX) {
            s->addr_desc = g_strdup_printf(
                "unix:%s%s", ((struct sockaddr_un *)&ss)->sun_path, srv);
            return;
        }
        if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
            g_autofree char *a = sockaddr_str((struct sockaddr *)&ss, sl,
                                              false);
            s->addr_desc = g_strdup_printf("%s:%s%s", proto, a, srv);
            return;
        }
    }
    if (s->is_unix) {
        s->addr_desc = g_strdup_printf("unix:%s%s", s->path, srv);
    } else {
        s->addr_desc = g_strdup_printf("%s:%s:%s%s", proto, s->host, s->port,
                                       srv);
    }
}

static const char *tcp_chr_target(SocketChardev *s, char **buf)
{
    if (s->is_unix) {
        return s->path;
    }
    *buf = g_strdup_printf("%s:%s", s->host, s->port);
    return *buf;
}

static struct addrinfo *tcp_chr_resolve(SocketChardev *s, Error **errp)
{
    struct addrinfo hints = { 0 };
    struct addrinfo *res = NULL;
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | (s->is_listen ? AI_PASSIVE : 0);
    hints.ai_family = s->ipv4 && !s->ipv6 ? AF_INET :
                      s->ipv6 && !s->ipv4 ? AF_INET6 : AF_UNSPEC;
    rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    if (rc != 0 && (hints.ai_flags & AI_ADDRCONFIG)) {
        /* Loopback-only hosts (test namespaces) have no "configured"
         * address families. */
        hints.ai_flags &= ~AI_ADDRCONFIG;
        rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    }
    if (rc != 0) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   s->host, s->port, gai_strerror(rc));
        return NULL;
    }
    return res;
}

static bool unix_sockaddr(SocketChardev *s, struct sockaddr_un *su,
                          Error **errp)
{
    memset(su, 0, sizeof(*su));
    su->sun_family = AF_UNIX;
    if (strlen(s->path) >= sizeof(su->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", s->path);
        return false;
    }
    strcpy(su->sun_path, s->path);
    return true;
}

static int tcp_chr_listen(SocketChardev *s, Error **errp)
{
    struct addrinfo *res, *ai;
    struct sockaddr_un su;
    int fd, one = 1, err = 0;

    if (s->is_unix) {
        if (!unix_sockaddr(s, &su, errp)) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        unlink(s->path);
        if (fd < 0 || bind(fd, (struct sockaddr *)&su, sizeof(su)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s",
                             s->path);
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        s->unlink_path = true;
        return fd;
    }
    res = tcp_chr_resolve(s, errp);
    if (!res) {
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
            listen(fd, 1) == 0) {
            freeaddrinfo(res);
            return fd;
        }
        err = errno;
        close(fd);
    }
    freeaddrinfo(res);
    error_setg_errno(errp, err, "Failed to bind socket");
    return -1;
}

/*
 * Creates a socket and starts connecting.  Returns the fd (connected or
 * in progress: *in_progress) or -1.  @blocking: wait for the result.
 */
static int tcp_chr_connect_fd(SocketChardev *s, bool blocking,
                              bool *in_progress, Error **errp)
{
    g_autofree char *tbuf = NULL;
    struct addrinfo *res = NULL, *ai;
    struct sockaddr_un su;
    int fd = -1, err = ECONNREFUSED;

    *in_progress = false;
    if (s->is_unix) {
        if (!unix_sockaddr(s, &su, errp)) {
            return -1;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
                             (blocking ? 0 : SOCK_NONBLOCK), 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&su, sizeof(su)) == 0) {
            return fd;
        }
        err = errno;
    } else {
        res = tcp_chr_resolve(s, errp);
        if (!res) {
            return -1;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            if (fd >= 0) {
                close(fd);
            }
            fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
                                       (blocking ? 0 : SOCK_NONBLOCK), 0);
            if (fd < 0) {
                err = errno;
                continue;
            }
            if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
                freeaddrinfo(res);
                return fd;
            }
            err = errno;
            if (!blocking && err == EINPROGRESS) {
                *in_progress = true;
                freeaddrinfo(res);
                return fd;
            }
        }
        freeaddrinfo(res);
    }
    if (fd >= 0) {
        close(fd);
    }
    error_setg_errno(errp, err, "Failed to connect to '%s'",
                     tcp_chr_target(s, &tbuf));
    return -1;
}

/* State changes (chr->gcontext) */

static GMainContext *tcp_chr_ctx(SocketChardev *s)
{
    return ((Chardev *)s)->gcontext;
}

/* Called with chr_write_lock held. */
static void tcp_chr_watch_listen_locked(SocketChardev *s)
{
    chr_io_source_remove(&s->listen_source);
    if (s->listen_fd >= 0 && s->state == SOCKET_DISCONNECTED) {
        s->listen_source = chr_io_watch_new(s->listen_fd, G_IO_IN,
                                            tcp_chr_ctx(s),
                                            tcp_chr_listen_ready, s);
    }
}

/* Adopts @fd as the connection and emits OPENED. */
static void tcp_chr_new_client(SocketChardev *s, int fd)
{
    Chardev *chr = (Chardev *)s;
    g_autofree char *fname = NULL;
    int one = 1;

    chr_fd_set_nonblock(fd);
    g_mutex_lock(&chr->chr_write_lock);
    if (s->nodelay && !s->is_unix) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    s->state = SOCKET_CONNECTED;
    s->connect_err_reported = false;
    chr_io_source_remove(&s->listen_source);
    chr_io_source_remove(&s->read_source);
    s->read_source = chr_io_read_source_new(chr, fd, tcp_chr_ctx(s),
                                            tcp_chr_read, s);
    fname = tcp_chr_connected_filename(s);
    g_mutex_unlock(&chr->chr_write_lock);
    qemu_chr_set_filename(chr, fname);
    trace_chardev_socket_connected(chr->label, fname);
    qemu_chr_be_event(chr, CHR_EVENT_OPENED);
}

static void tcp_chr_arm_reconnect(SocketChardev *s)
{
    if (s->reconnect_ms > 0 && s->reconnect_timer) {
        timer_mod(s->reconnect_timer,
                  qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->reconnect_ms);
    }
}

/* Drops the connection (if any) in chr->gcontext's thread. */
static void tcp_chr_disconnect_now(SocketChardev *s)
{
    Chardev *chr = (Chardev *)s;
    bool was_connected;

    g_mutex_lock(&chr->chr_write_lock);
    s->disconnect_pending = false;
    was_connected = s->state == SOCKET_CONNECTED;
    chr_io_source_remove(&s->read_source);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (was_connected) {
        s->state = SOCKET_DISCONNECTED;
    }
    tcp_chr_watch_listen_locked(s);
    g_mutex_unlock(&chr->chr_write_lock);
    if (!was_connected) {
        return;
    }
    tcp_chr_set_disconnected_filename(s);
    trace_chardev_socket_disconnected(chr->label);
    qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
    if (!s->is_listen) {
        tcp_chr_arm_reconnect(s);
    }
}

static void tcp_chr_disconnect_bh(void *opaque)
{
    SocketChardev *s = opaque;

    tcp_chr_disconnect_now(s);
    object_unref(OBJECT(s));
}

static void tcp_chr_disconnect(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    GMainContext *ctx = chr->gcontext ? chr->gcontext
                                      : g_main_context_default();

    if (g_main_context_is_owner(ctx)) {
        tcp_chr_disconnect_now(s);
        return;
    }
    object_ref(OBJECT(chr));
    aio_bh_schedule_oneshot(chr->gcontext, tcp_chr_disconnect_bh, s);
}

static void tcp_chr_set_nodelay(Chardev *chr, bool on)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int v = on;

    g_mutex_lock(&chr->chr_write_lock);
    s->nodelay = on;
    if (s->fd >= 0 && !s->is_unix) {
        /* TCP_NODELAY also pushes out what Nagle holds at the moment */
        setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v));
    }
    g_mutex_unlock(&chr->chr_write_lock);
}

/* Callbacks */

static void tcp_chr_listen_ready(void *opaque, GIOCondition revents)
{
    SocketChardev *s = opaque;
    int fd;

    if (s->state != SOCKET_DISCONNECTED) {
        return;
    }
    fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    tcp_chr_new_client(s, fd);
}

static void tcp_chr_read(void *opaque, GIOCondition revents, int max)
{
    SocketChardev *s = opaque;
    uint8_t buf[CHR_READ_BUF_LEN];
    ssize_t n;

    if (s->fd < 0) {
        return;
    }
    n = recv(s->fd, buf, MIN(max, (int)sizeof(buf)), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        tcp_chr_disconnect_now(s);
        return;
    }
    qemu_chr_be_write((Chardev *)s, buf, n);
}

static void tcp_chr_connect_failed(SocketChardev *s, Error *err)
{
    Chardev *chr = (Chardev *)s;

    g_mutex_lock(&chr->chr_write_lock);
    s->state = SOCKET_DISCONNECTED;
    g_mutex_unlock(&chr->chr_write_lock);
    if (!s->connect_err_reported) {
        error_prepend(&err, "Unable to connect character device %s: ",
                      chr->label);
        error_report_err(err);
        s->connect_err_reported = true;
    } else {
        error_free(err);
    }
    tcp_chr_arm_reconnect(s);
}

static void tcp_chr_connect_ready(void *opaque, GIOCondition revents)
{
    SocketChardev *s = opaque;
    g_autofree char *tbuf = NULL;
    int fd = s->connect_fd;
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    Error *err = NULL;

    g_mutex_lock(&((Chardev *)s)->chr_write_lock);
    chr_io_source_remove(&s->connect_source);
    s->connect_fd = -1;
    g_mutex_unlock(&((Chardev *)s)->chr_write_lock);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
        soerr = errno;
    }
    if (soerr) {
        close(fd);
        error_setg_errno(&err, soerr, "Failed to connect to '%s'",
                         tcp_chr_target(s, &tbuf));
        tcp_chr_connect_failed(s, err);
        return;
    }
    tcp_chr_new_client(s, fd);
}

static void tcp_chr_start_connect(SocketChardev *s)
{
    Error *err = NULL;
    bool in_progress;
    int fd;

    if (s->state != SOCKET_DISCONNECTED) {
        return;
    }
    s->state = SOCKET_CONNECTING;
    fd = tcp_chr_connect_fd(s, false, &in_progress, &err);
    if (fd < 0) {
        tcp_chr_connect_failed(s, err);
        return;
    }
    if (!in_progress) {
        tcp_chr_new_client(s, fd);
        return;
    }
    g_mutex_lock(&((Chardev *)s)->chr_write_lock);
    s->connect_fd = fd;
    s->connect_source = chr_io_watch_new(fd, G_IO_OUT, tcp_chr_ctx(s),
                                         tcp_chr_connect_ready, s);
    g_mutex_unlock(&((Chardev *)s)->chr_write_lock);
}

static void tcp_chr_reconnect_timer(void *opaque)
{
    tcp_chr_start_connect(opaque);
}

/* ChardevClass hooks */

static int tcp_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    ssize_t n;

    if (s->state != SOCKET_CONNECTED || s->fd < 0) {
        errno = EIO;
        return -1;
    }
    n = send(s->fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        int saved = errno;

        /* The peer is gone; the read side may not notice while the
         * frontend is throttled, so drop the connection soon (not here:
         * chr_write_lock is held). */
        if (!s->disconnect_pending) {
            s->disconnect_pending = true;
            object_ref(OBJECT(chr));
            aio_bh_schedule_oneshot(chr->gcontext, tcp_chr_disconnect_bh, s);
        }
        errno = saved;
    }
    return n;
}

static int tcp_chr_write_fd(Chardev *chr)
{
    return SOCKET_CHARDEV(chr)->fd;
}

/* Re-creates every source in chr->gcontext (frontend changed it). */
static void tcp_chr_update_read_handler(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int64_t deadline = -1;

    g_mutex_lock(&chr->chr_write_lock);
    tcp_chr_watch_listen_locked(s);
    chr_io_source_remove(&s->read_source);
    if (s->state == SOCKET_CONNECTED) {
        s->read_source = chr_io_read_source_new(chr, s->fd, chr->gcontext,
                                                tcp_chr_read, s);
    }
    if (s->connect_source) {
        chr_io_source_remove(&s->connect_source);
        s->connect_source = chr_io_watch_new(s->connect_fd, G_IO_OUT,
                                             chr->gcontext,
                                             tcp_chr_connect_ready, s);
    }
    g_mutex_unlock(&chr->chr_write_lock);
    if (s->reconnect_timer && s->timer_ctx != chr->gcontext) {
        deadline = timer_expire_time_ns(s->reconnect_timer);
        timer_free(s->reconnect_timer);
        s->timer_ctx = chr->gcontext;
        s->reconnect_timer = timer_new_ctx(s->timer_ctx, QEMU_CLOCK_REALTIME,
                                           SCALE_MS, tcp_chr_reconnect_timer,
                                           s);
        if (deadline >= 0) {
            timer_mod_ns(s->reconnect_timer, deadline);
        }
    }
}

static int tcp_chr_wait_connected(Chardev *chr, Error **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    g_autofree char *fname = qemu_chr_get_filename(chr);
    int fd;

    if (!s->is_listen) {
        return s->state == SOCKET_CONNECTED ? 0 : -1;
    }
    if (s->state == SOCKET_CONNECTED) {
        return 0;
    }
    info_report("QEMU waiting for connection on: %s", fname);
    do {
        struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };

        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            error_setg_errno(errp, errno, "Failed to wait for a connection");
            return -1;
        }
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN ||
                        errno == ECONNABORTED));
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to accept a connection");
        return -1;
    }
    tcp_chr_new_client(s, fd);
    return 0;
}

/* Options */

static bool tcp_chr_parse(SocketChardev *s, QDict *opts, bool *wait,
                          int *inherited_fd, Error **errp)
{
    const char *path = qemu_chr_opt_str(opts, "path");
    const char *host = qemu_chr_opt_str(opts, "host");
    const char *port = qemu_chr_opt_str(opts, "port");
    const char *fdstr = qemu_chr_opt_str(opts, "fd");
    uint64_t reconnect_s, reconnect_ms;
    bool delay;

    *inherited_fd = -1;
    if (!qemu_chr_opt_bool(opts, "server", false, &s->is_listen, errp) ||
        !qemu_chr_opt_bool(opts, "wait", true, wait, errp) ||
        !qemu_chr_opt_bool(opts, "telnet", false, &s->is_telnet, errp) ||
        !qemu_chr_opt_bool(opts, "delay", true, &delay, errp) ||
        !qemu_chr_opt_bool(opts, "nodelay", !delay, &s->nodelay, errp) ||
        !qemu_chr_opt_bool(opts, "ipv4", false, &s->ipv4, errp) ||
        !qemu_chr_opt_bool(opts, "ipv6", false, &s->ipv6, errp) ||
        !qemu_chr_opt_uint(opts, "reconnect", 0, &reconnect_s, errp) ||
        !qemu_chr_opt_uint(opts, "reconnect-ms", 0, &reconnect_ms, errp)) {
        return false;
    }
    if (qdict_haskey(opts, "tls-creds") || qdict_haskey(opts, "websocket")) {
        error_setg(errp, "TLS and websocket chardevs are not supported");
        return false;
    }
    s->reconnect_ms = reconnect_ms ? reconnect_ms : reconnect_s * 1000;
    if (s->is_listen && s->reconnect_ms) {
        error_setg(errp, "'reconnect' option is incompatible with "
                   "socket in server listen mode");
        return false;
    }
    if (!s->is_listen && qdict_haskey(opts, "wait")) {
        error_setg(errp, "'wait' option is incompatible with "
                   "socket in client connect mode");
        return false;
    }
    if (!!path + !!(host || port) + !!fdstr != 1) {
        if (!path && !host && !port && !fdstr) {
            error_setg(errp, "chardev: socket: no host given");
        } else {
            error_setg(errp, "chardev: socket: only one of path, host/port "
                       "and fd may be given");
        }
        return false;
    }
    if (fdstr) {
        char *end;
        long v = strtol(fdstr, &end, 10);

        if (*end || v < 0 || v > INT_MAX || fcntl(v, F_GETFD) < 0) {
            error_setg(errp, "Invalid file descriptor '%s'", fdstr);
            return false;
        }
        *inherited_fd = v;
        return true;
    }
    if (path) {
        s->is_unix = true;
        s->path = g_strdup(path);
        return true;
    }
    if (!port) {
        error_setg(errp, "chardev: socket: no port given");
        return false;
    }
    s->host = g_strdup(host ? host : (s->is_listen ? "" : "localhost"));
    s->port = g_strdup(port);
    return true;
}

/* fd=N: a listening socket makes a server, anything else a client. */
static bool tcp_chr_adopt_fd(SocketChardev *s, int fd, Error **errp)
{
    int listening = 0;
    socklen_t len = sizeof(listening);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
        error_setg_errno(errp, errno, "fd %d is not a socket", fd);
        return false;
    }
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        s->is_unix = ss.ss_family == AF_UNIX;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (listening) {
        s->is_listen = true;
        s->listen_fd = fd;
        chr_fd_set_nonblock(fd);
        tcp_chr_set_addr_desc(s, fd);
        return true;
    }
    s->is_listen = false;
    s->addr_desc = g_strdup_printf("fd:%d", fd);
    tcp_chr_new_client(s, fd);
    return true;
}

static bool tcp_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                         Error **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    bool wait, in_progress;
    int fd;

    *be_opened = false;
    if (!tcp_chr_parse(s, opts, &wait, &fd, errp)) {
        return false;
    }
    s->timer_ctx = chr->gcontext;
    s->reconnect_timer = timer_new_ctx(s->timer_ctx, QEMU_CLOCK_REALTIME,
                                       SCALE_MS, tcp_chr_reconnect_timer, s);
    if (fd >= 0) {
        if (!tcp_chr_adopt_fd(s, fd, errp)) {
            return false;
        }
    } else if (s->is_listen) {
        s->listen_fd = tcp_chr_listen(s, errp);
        if (s->listen_fd < 0) {
            return false;
        }
        chr_fd_set_nonblock(s->listen_fd);
        tcp_chr_set_addr_desc(s, s->listen_fd);
    } else {
        tcp_chr_set_addr_desc(s, -1);
    }
    if (s->state != SOCKET_CONNECTED) {
        tcp_chr_set_disconnected_filename(s);
    }
    if (s->is_listen) {
        g_mutex_lock(&chr->chr_write_lock);
        tcp_chr_watch_listen_locked(s);
        g_mutex_unlock(&chr->chr_write_lock);
        if (wait && tcp_chr_wait_connected(chr, errp) < 0) {
            return false;
        }
        return true;
    }
    if (s->state == SOCKET_CONNECTED) {
        return true;
    }
    if (s->reconnect_ms > 0) {
        /* Background connect; failures are retried every period. */
        tcp_chr_start_connect(s);
        return true;
    }
    fd = tcp_chr_connect_fd(s, true, &in_progress, errp);
    if (fd < 0) {
        return false;
    }
    tcp_chr_new_client(s, fd);
    return true;
}

static void tcp_chr_init(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    s->listen_fd = -1;
    s->fd = -1;
    s->connect_fd = -1;
}

static void tcp_chr_finalize(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    chr_io_source_remove(&s->listen_source);
    chr_io_source_remove(&s->read_source);
    chr_io_source_remove(&s->connect_source);
    timer_free(s->reconnect_timer);
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->connect_fd >= 0) {
        close(s->connect_fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
    }
    if (s->unlink_path && s->path) {
        unlink(s->path);
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
    g_free(s->addr_desc);
}

static void tcp_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->supports_gcontext = true;
    cc->open = tcp_chr_open;
    cc->chr_write = tcp_chr_write;
    cc->chr_write_fd = tcp_chr_write_fd;
    cc->chr_update_read_handler = tcp_chr_update_read_handler;
    cc->chr_disconnect = tcp_chr_disconnect;
    cc->chr_set_nodelay = tcp_chr_set_nodelay;
    cc->chr_wait_connected = tcp_chr_wait_connected;
}

static const TypeInfo tcp_chr_type_info = {
    .name = TYPE_CHARDEV_SOCKET,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(SocketChardev),
    .instance_init = tcp_chr_init,
    .instance_finalize = tcp_chr_finalize,
    .class_init = tcp_chr_class_init,
};

static void register_types(void)
{
    type_register_static(&tcp_chr_type_info);
}

type_init(register_types);
