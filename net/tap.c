/*
 * -netdev tap: a host TAP interface, created here (ifname=, needs
 * /dev/net/tun and CAP_NET_ADMIN) or inherited (fd=, as libvirt passes
 * it).  No scripts are run: script=/downscript= must be absent or "no";
 * helper=, br=, vhost=on and multiqueue are refused.
 *
 * vnet headers: with vnet_hdr=on (the default when the kernel has
 * IFF_VNET_HDR) the tap carries a virtio-net header before each frame.
 * Until the peer NIC asks for headers (qemu_set_vnet_hdr_len), the
 * header is stripped on input and a zero one is added on output, so the
 * rest of the stack sees plain Ethernet frames.
 *
 * Offloads (include/net/tap.h): the kernel hands us only finished frames
 * (checksummed, at most one MTU) until the NIC, in vnet-header mode,
 * turns on what its guest driver accepts with TUNSETOFFLOAD; frames from
 * the NIC may always ask for a checksum or segmentation in their header.
 */
#include "qemu/osdep.h"
#include <glib-unix.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "net/net.h"
#include "net/tap.h"
#include "clients.h"
#include "trace/trace-net.h"

#define TAP_VNET_HDR_DEFAULT 10     /* struct virtio_net_hdr */
#define TAP_BUFSIZE (65536 + 64)

typedef struct TAPState {
    NetClientState nc;
    int fd;
    int host_vnet_hdr_len;      /* what the kernel adds/expects (0: none) */
    bool read_enabled;
    bool write_pending;
    bool offload_ok;            /* the kernel takes TUNSETOFFLOAD */
} TAPState;

static void tap_update_fd_handler(TAPState *s);
static const NetClientInfo net_tap_info;

static void tap_send_completed(NetClientState *nc, ssize_t len)
{
    TAPState *s = container_of(nc, TAPState, nc);

    s->read_enabled = true;
    tap_update_fd_handler(s);
}

static void tap_send(void *opaque)
{
    TAPState *s = opaque;
    uint8_t buf[TAP_BUFSIZE];

    for (int i = 0; i < 64 && s->read_enabled; i++) {
        ssize_t n = read(s->fd, buf, sizeof(buf));
        int skip = 0;

        if (n <= 0) {
            return;
        }
        if (s->host_vnet_hdr_len && !s->nc.vnet_hdr_len) {
            skip = s->host_vnet_hdr_len;
        }
        if (n <= skip) {
            continue;
        }
        if (qemu_send_packet_async(&s->nc, buf + skip, n - skip,
                                   tap_send_completed) == 0) {
            s->read_enabled = false;
            tap_update_fd_handler(s);
        }
    }
}

static void tap_writable(void *opaque)
{
    TAPState *s = opaque;

    s->write_pending = false;
    tap_update_fd_handler(s);
    qemu_flush_queued_packets(&s->nc);
}

static void tap_update_fd_handler(TAPState *s)
{
    qemu_set_fd_handler(s->fd, s->read_enabled ? tap_send : NULL,
                        s->write_pending ? tap_writable : NULL, s);
}

static ssize_t tap_receive(NetClientState *nc, const uint8_t *buf,
                           size_t size)
{
    TAPState *s = container_of(nc, TAPState, nc);
    uint8_t zero_hdr[64] = { 0 };
    struct iovec iov[2];
    int n = 0;
    ssize_t ret;

    if (s->host_vnet_hdr_len && !nc->vnet_hdr_len) {
        iov[n].iov_base = zero_hdr;
        iov[n++].iov_len = s->host_vnet_hdr_len;
    }
    iov[n].iov_base = (void *)buf;
    iov[n++].iov_len = size;
    do {
        ret = writev(s->fd, iov, n);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0 && errno == EAGAIN) {
        s->write_pending = true;
        tap_update_fd_handler(s);
        return 0;
    }
    return size;
}

static void tap_set_vnet_hdr_len(NetClientState *nc, int len)
{
    TAPState *s = container_of(nc, TAPState, nc);

    if (len && s->host_vnet_hdr_len &&
        ioctl(s->fd, TUNSETVNETHDRSZ, &len) == 0) {
        s->host_vnet_hdr_len = len;
    }
}

static TAPState *tap_of(NetClientState *nc)
{
    return nc && nc->info == &net_tap_info ?
           container_of(nc, TAPState, nc) : NULL;
}

bool tap_can_offload(NetClientState *nc)
{
    TAPState *s = tap_of(nc);

    return s && s->host_vnet_hdr_len && s->offload_ok;
}

bool tap_set_offload(NetClientState *nc, bool csum, bool tso4, bool tso6)
{
    TAPState *s = tap_of(nc);
    unsigned int flags = 0;

    if (!tap_can_offload(nc) || ((tso4 || tso6) && !csum)) {
        return false;
    }
    if (csum) {
        flags |= TUN_F_CSUM;
    }
    if (tso4) {
        flags |= TUN_F_TSO4;
    }
    if (tso6) {
        flags |= TUN_F_TSO6;
    }
    if (ioctl(s->fd, TUNSETOFFLOAD, flags) < 0) {
        trace_net_tap_offload(s->nc.name, flags, errno);
        return false;
    }
    trace_net_tap_offload(s->nc.name, flags, 0);
    return true;
}

static void tap_cleanup(NetClientState *nc)
{
    TAPState *s = container_of(nc, TAPState, nc);

    qemu_set_fd_handler(s->fd, NULL, NULL, NULL);
    close(s->fd);
}

static const NetClientInfo net_tap_info = {
    .type = NET_CLIENT_DRIVER_TAP,
    .size = sizeof(TAPState),
    .receive = tap_receive,
    .cleanup = tap_cleanup,
    .set_vnet_hdr_len = tap_set_vnet_hdr_len,
};

static bool tap_script_is_no(bool has, const char *script)
{
    return !has || strcmp(script, "no") == 0 || script[0] == '\0';
}

static bool tap_check_options(const NetdevTapOptions *o, Error **errp)
{
    if (o->has_helper || o->has_br) {
        error_setg(errp, "helper= and br= (qemu-bridge-helper) are not "
                   "supported");
        error_append_hint(errp, "Create the tap device beforehand and use "
                          "ifname= or fd=.\n");
        return false;
    }
    if (o->has_vhost && o->vhost) {
        error_setg(errp, "vhost-net is not supported, use vhost=off");
        return false;
    }
    if (o->has_vhostfd || o->has_vhostfds || (o->has_vhostforce &&
                                               o->vhostforce)) {
        error_setg(errp, "vhost-net is not supported");
        return false;
    }
    if (o->has_fds || (o->has_queues && o->queues > 1)) {
        error_setg(errp, "multiqueue tap is not supported");
        return false;
    }
    if (!tap_script_is_no(o->has_script, o->script) ||
        !tap_script_is_no(o->has_downscript, o->downscript)) {
        error_setg(errp, "tap scripts are not supported, use script=no "
                   "and downscript=no");
        return false;
    }
    if (o->has_fd && o->has_ifname) {
        error_setg(errp, "ifname= is invalid with fd=");
        return false;
    }
    return true;
}

static int tap_open(const char *ifname, bool *vnet_hdr, bool required,
                    char *out_name, Error **errp)
{
    struct ifreq ifr = { 0 };
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    unsigned int features = 0;

    if (fd < 0) {
        error_setg_errno(errp, errno, "could not open /dev/net/tun");
        return -1;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (*vnet_hdr && ioctl(fd, TUNGETFEATURES, &features) == 0 &&
        (features & IFF_VNET_HDR)) {
        ifr.ifr_flags |= IFF_VNET_HDR;
    } else if (*vnet_hdr && required) {
        error_setg(errp, "vnet_hdr=1 requested, but no kernel support for "
                   "IFF_VNET_HDR available");
        close(fd);
        return -1;
    } else {
        *vnet_hdr = false;
    }
    if (ifname) {
        g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error_setg_errno(errp, errno, "could not configure /dev/net/tun "
                         "(%s)", ifname ? ifname : "tap%d");
        close(fd);
        return -1;
    }
    g_strlcpy(out_name, ifr.ifr_name, IFNAMSIZ);
    return fd;
}

bool net_init_tap(const Netdev *netdev, const char *name, Error **errp)
{
    const NetdevTapOptions *o = &netdev->u.tap;
    bool vnet_hdr = !o->has_vnet_hdr || o->vnet_hdr;
    char ifname[IFNAMSIZ] = "";
    NetClientState *nc;
    TAPState *s;
    int fd;

    if (!tap_check_options(o, errp)) {
        return false;
    }
    if (o->has_fd) {
        char *end;
        long v = strtol(o->fd, &end, 10);
        struct ifreq ifr = { 0 };

        if (*end || v < 0 || v > INT_MAX || fcntl(v, F_GETFD) < 0) {
            error_setg(errp, "Invalid file descriptor number '%s'", o->fd);
            return false;
        }
        fd = v;
        vnet_hdr = ioctl(fd, TUNGETIFF, &ifr) == 0 &&
                   (ifr.ifr_flags & IFF_VNET_HDR);
        if (o->has_vnet_hdr && o->vnet_hdr && !vnet_hdr) {
            error_setg(errp, "vnet_hdr=1 requested, but the tap fd has no "
                       "IFF_VNET_HDR");
            return false;
        }
    } else {
        fd = tap_open(o->has_ifname ? o->ifname : NULL, &vnet_hdr,
                      o->has_vnet_hdr && o->vnet_hdr, ifname, errp);
        if (fd < 0) {
            return false;
        }
    }
    if (vnet_hdr) {
        int len = TAP_VNET_HDR_DEFAULT;

        if (ioctl(fd, TUNSETVNETHDRSZ, &len) < 0) {
            vnet_hdr = false;
        }
    }
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    trace_net_tap_open(ifname, fd, vnet_hdr);

    nc = qemu_new_net_client(&net_tap_info, NULL, "tap", name);
    nc->is_netdev = true;
    nc->has_vnet_hdr = vnet_hdr;
    s = container_of(nc, TAPState, nc);
    s->fd = fd;
    s->host_vnet_hdr_len = vnet_hdr ? TAP_VNET_HDR_DEFAULT : 0;
    s->read_enabled = true;
    /* no offloads until the NIC asks (also for an inherited fd) */
    s->offload_ok = vnet_hdr && ioctl(fd, TUNSETOFFLOAD, 0) == 0;
    if (o->has_fd) {
        snprintf(nc->info_str, sizeof(nc->info_str), "fd=%d", fd);
    } else {
        snprintf(nc->info_str, sizeof(nc->info_str),
                 "ifname=%s,script=no,downscript=no", ifname);
    }
    tap_update_fd_handler(s);
    return true;
}
