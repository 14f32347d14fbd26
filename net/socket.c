/*
 * -netdev socket: frames over TCP (listen=/connect=) or UDP (udp= with
 * localaddr=), or an inherited socket (fd=).  Wire formats, as QEMU:
 *
 *   TCP:  be32 length | frame  (repeated; no vnet header)
 *   UDP:  one datagram per frame
 *
 * A TCP listener serves one connection at a time and listens again when
 * it closes.  Outgoing data that the socket cannot take at once is kept
 * (one packet at most) and the peer's queue waits until it is written.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "net/net.h"
#include "net/colo-framing.h"
#include "clients.h"
#include "trace/trace-net.h"

typedef struct NetSocketState {
    NetClientState nc;
    int listen_fd;
    int fd;
    bool stream;
    bool read_enabled;
    struct sockaddr_in dgram_dst;
    ColoFrameDecoder dec;
    GByteArray *out;            /* unsent bytes of the last packet */
} NetSocketState;

static void net_socket_update_fd_handler(NetSocketState *s);

static void net_socket_send_completed(NetClientState *nc, ssize_t len)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    if (!s->read_enabled) {
        s->read_enabled = true;
        net_socket_update_fd_handler(s);
    }
}

static void net_socket_frame(void *opaque, const uint8_t *frame, size_t len,
                             size_t vnet_hdr_len)
{
    NetSocketState *s = opaque;

    if (qemu_send_packet_async(&s->nc, frame, len,
                               net_socket_send_completed) == 0) {
        s->read_enabled = false;
        net_socket_update_fd_handler(s);
    }
}

static void net_socket_listen_again(NetSocketState *s);

static void net_socket_disconnect(NetSocketState *s)
{
    trace_net_socket_disconnect(s->nc.name);
    qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
    close(s->fd);
    s->fd = -1;
    g_byte_array_set_size(s->out, 0);
    colo_frame_decoder_reset(&s->dec);
    s->nc.info_str[0] = '\0';
    if (s->listen_fd >= 0) {
        net_socket_listen_again(s);
    }
}

static void net_socket_read(void *opaque)
{
    NetSocketState *s = opaque;
    uint8_t buf[65536 + 8];
    ssize_t n;

    if (s->stream) {
        Error *err = NULL;

        n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        if (n <= 0) {
            net_socket_disconnect(s);
            return;
        }
        if (!colo_frame_decoder_feed(&s->dec, buf, n, net_socket_frame, s,
                                     &err)) {
            warn_report("netdev %s: %s", s->nc.name, error_get_pretty(err));
            error_free(err);
            net_socket_disconnect(s);
        }
        return;
    }
    n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
        net_socket_frame(s, buf, n, 0);
    }
}

static void net_socket_flush_out(NetSocketState *s)
{
    while (s->out->len) {
        ssize_t n = send(s->fd, s->out->data, s->out->len,
                         MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            return;
        }
        if (n < 0) {
            g_byte_array_set_size(s->out, 0);
            return;
        }
        g_byte_array_remove_range(s->out, 0, n);
    }
}

static void net_socket_writable(void *opaque)
{
    NetSocketState *s = opaque;

    net_socket_flush_out(s);
    if (!s->out->len) {
        net_socket_update_fd_handler(s);
        qemu_flush_queued_packets(&s->nc);
    }
}

static void net_socket_update_fd_handler(NetSocketState *s)
{
    if (s->fd < 0) {
        return;
    }
    qemu_set_fd_handler(s->fd, s->read_enabled ? net_socket_read : NULL,
                        s->out->len ? net_socket_writable : NULL, s);
}

static ssize_t net_socket_receive(NetClientState *nc, const uint8_t *buf,
                                  size_t size)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);
    uint32_t hdr = htonl(size);

    if (s->fd < 0) {
        return size;            /* not connected: dropped */
    }
    if (!s->stream) {
        sendto(s->fd, buf, size, MSG_DONTWAIT,
               (struct sockaddr *)&s->dgram_dst, sizeof(s->dgram_dst));
        return size;
    }
    if (s->out->len) {
        return 0;               /* wait for net_socket_writable() */
    }
    g_byte_array_append(s->out, (uint8_t *)&hdr, 4);
    g_byte_array_append(s->out, buf, size);
    net_socket_flush_out(s);
    if (s->out->len) {
        net_socket_update_fd_handler(s);
    }
    return size;
}

static void net_socket_cleanup(NetClientState *nc)
{
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    if (s->fd >= 0) {
        qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
    }
    colo_frame_decoder_destroy(&s->dec);
    g_byte_array_free(s->out, true);
}

static const NetClientInfo net_socket_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(NetSocketState),
    .receive = net_socket_receive,
    .cleanup = net_socket_cleanup,
};

static NetSocketState *net_socket_new(const char *name, int fd, bool stream)
{
    NetClientState *nc = qemu_new_net_client(&net_socket_info, NULL,
                                             "socket", name);
    NetSocketState *s = container_of(nc, NetSocketState, nc);

    nc->is_netdev = true;
    s->fd = fd;
    s->listen_fd = -1;
    s->stream = stream;
    s->read_enabled = true;
    s->out = g_byte_array_new();
    colo_frame_decoder_init(&s->dec, false);
    if (fd >= 0) {
        g_unix_set_fd_nonblocking(fd, TRUE, NULL);
        net_socket_update_fd_handler(s);
    }
    return s;
}

static void net_socket_accept(void *opaque)
{
    NetSocketState *s = opaque;
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = accept(s->listen_fd, (struct sockaddr *)&sa, &len);

    if (fd < 0) {
        return;
    }
    qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
    s->fd = fd;
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    snprintf(s->nc.info_str, sizeof(s->nc.info_str),
             "socket: connection from %s:%d", inet_ntoa(sa.sin_addr),
             ntohs(sa.sin_port));
    trace_net_socket_connected(s->nc.name);
    net_socket_update_fd_handler(s);
}

static void net_socket_listen_again(NetSocketState *s)
{
    qemu_set_fd_handler(s->listen_fd, net_socket_accept, NULL, s);
}

static int net_socket_open(int type, Error **errp)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    int on = 1;

    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create socket");
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    return fd;
}

static bool net_socket_listen_init(const char *name, const char *addr,
                                   Error **errp)
{
    struct sockaddr_in sa;
    NetSocketState *s;
    int fd;

    if (!net_parse_host_port(&sa, addr, true, errp)) {
        return false;
    }
    fd = net_socket_open(SOCK_STREAM, errp);
    if (fd < 0) {
        return false;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "can't bind ip=%s to socket",
                         inet_ntoa(sa.sin_addr));
        close(fd);
        return false;
    }
    s = net_socket_new(name, -1, true);
    s->listen_fd = fd;
    net_socket_listen_again(s);
    return true;
}

static bool net_socket_connect_init(const char *name, const char *addr,
                                    Error **errp)
{
    struct sockaddr_in sa;
    NetSocketState *s;
    int fd;

    if (!net_parse_host_port(&sa, addr, false, errp)) {
        return false;
    }
    fd = net_socket_open(SOCK_STREAM, errp);
    if (fd < 0) {
        return false;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        error_setg_errno(errp, errno, "can't connect socket");
        close(fd);
        return false;
    }
    s = net_socket_new(name, fd, true);
    snprintf(s->nc.info_str, sizeof(s->nc.info_str),
             "socket: connect to %s:%d", inet_ntoa(sa.sin_addr),
             ntohs(sa.sin_port));
    return true;
}

static bool net_socket_udp_init(const char *name, const char *rhost,
                                const char *lhost, Error **errp)
{
    struct sockaddr_in raddr, laddr;
    NetSocketState *s;
    int fd;

    if (!net_parse_host_port(&raddr, rhost, false, errp) ||
        !net_parse_host_port(&laddr, lhost, true, errp)) {
        return false;
    }
    fd = net_socket_open(SOCK_DGRAM, errp);
    if (fd < 0) {
        return false;
    }
    if (bind(fd, (struct sockaddr *)&laddr, sizeof(laddr)) < 0) {
        error_setg_errno(errp, errno, "can't bind ip=%s to socket",
                         inet_ntoa(laddr.sin_addr));
        close(fd);
        return false;
    }
    s = net_socket_new(name, fd, false);
    s->dgram_dst = raddr;
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: udp=%s:%d",
             inet_ntoa(raddr.sin_addr), ntohs(raddr.sin_port));
    return true;
}

static bool net_socket_fd_init(const char *name, const char *fdstr,
                               Error **errp)
{
    NetSocketState *s;
    int type = 0;
    socklen_t len = sizeof(type);
    char *end;
    long fd = strtol(fdstr, &end, 10);

    if (*end || fd < 0 || fd > INT_MAX) {
        error_setg(errp, "Invalid file descriptor number '%s'", fdstr);
        return false;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        error_setg(errp, "file descriptor %ld is not a socket", fd);
        return false;
    }
    if (type != SOCK_STREAM && type != SOCK_DGRAM) {
        error_setg(errp, "socket type=%d for fd=%ld must be either "
                   "SOCK_DGRAM or SOCK_STREAM", type, fd);
        return false;
    }
    s = net_socket_new(name, fd, type == SOCK_STREAM);
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: fd=%ld", fd);
    if (type == SOCK_DGRAM) {
        socklen_t alen = sizeof(s->dgram_dst);

        getpeername(fd, (struct sockaddr *)&s->dgram_dst, &alen);
    }
    return true;
}

bool net_init_socket(const Netdev *netdev, const char *name, Error **errp)
{
    const NetdevSocketOptions *o = &netdev->u.socket;

    if (o->has_fd + o->has_listen + o->has_connect + o->has_mcast +
        o->has_udp != 1) {
        error_setg(errp, "exactly one of listen=, connect=, mcast= or udp= "
                   "is required");
        return false;
    }
    if (o->has_localaddr && !o->has_udp && !o->has_mcast) {
        error_setg(errp, "localaddr= is only valid with mcast= or udp=");
        return false;
    }
    if (o->has_fd) {
        return net_socket_fd_init(name, o->fd, errp);
    }
    if (o->has_listen) {
        return net_socket_listen_init(name, o->listen, errp);
    }
    if (o->has_connect) {
        return net_socket_connect_init(name, o->connect, errp);
    }
    if (o->has_mcast) {
        error_setg(errp, "mcast= is not supported by this build");
        return false;
    }
    if (!o->has_localaddr) {
        error_setg(errp, "localaddr= is mandatory with udp=");
        return false;
    }
    return net_socket_udp_init(name, o->udp, o->localaddr, errp);
}
