/*
 * -netdev user: the user-mode network stack (libslirp).
 *
 * Main loop integration: one GSource per stack in the main context.
 * Its prepare() asks libslirp for the fds it wants polled
 * (slirp_pollfds_fill) and the timeout; dispatch() lets it handle what
 * the poll found (slirp_pollfds_poll).  libslirp's own timers (IPv6 RA)
 * are QEMUTimers.  Everything runs in the main loop with the BQL.
 *
 * Supported options: net=, host=, dhcpstart=, dns=, hostname=,
 * domainname=, dnssearch=, tftp=, bootfile=, tftp-server-name=,
 * restrict=, ipv4=, ipv6= (with ipv6-prefix=, ipv6-prefixlen=,
 * ipv6-host=, ipv6-dns=), hostfwd= (repeatable).  smb= and guestfwd=
 * are refused.
 */
#include "qemu/osdep.h"
#include <arpa/inet.h>
#include <libslirp.h>
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "net/net.h"
#include "clients.h"
#include "trace/trace-net.h"

typedef struct SlirpSource SlirpSource;

typedef struct NetSlirpState {
    NetClientState nc;
    Slirp *slirp;
    SlirpSource *source;
    GPtrArray *pollfds;         /* GPollFD *, indexes given to libslirp */
    guint npoll;                /* entries filled by the current prepare */
    GPtrArray *timers;          /* NetSlirpTimer * */
} NetSlirpState;

struct SlirpSource {
    GSource source;
    NetSlirpState *s;
};

typedef struct NetSlirpTimer {
    NetSlirpState *s;
    SlirpTimerId id;
    void *cb_opaque;
    QEMUTimer *timer;
} NetSlirpTimer;

/* ---- libslirp callbacks ---- */

static ssize_t net_slirp_send_packet(const void *buf, size_t len,
                                           void *opaque)
{
    NetSlirpState *s = opaque;

    qemu_send_packet(&s->nc, buf, len);
    return len;
}

static void net_slirp_guest_error(const char *msg, void *opaque)
{
    warn_report("user network: %s", msg);
}

static int64_t net_slirp_clock_get_ns(void *opaque)
{
    return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

static void net_slirp_timer_cb(void *opaque)
{
    NetSlirpTimer *t = opaque;

    slirp_handle_timer(t->s->slirp, t->id, t->cb_opaque);
}

static void *net_slirp_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
                                        void *opaque)
{
    NetSlirpState *s = opaque;
    NetSlirpTimer *t = g_new0(NetSlirpTimer, 1);

    t->s = s;
    t->id = id;
    t->cb_opaque = cb_opaque;
    t->timer = timer_new_ms(QEMU_CLOCK_REALTIME, net_slirp_timer_cb, t);
    g_ptr_array_add(s->timers, t);
    return t;
}

static void net_slirp_timer_free_one(gpointer p)
{
    NetSlirpTimer *t = p;

    timer_free(t->timer);
    g_free(t);
}

static void net_slirp_timer_free(void *timer, void *opaque)
{
    NetSlirpState *s = opaque;

    g_ptr_array_remove(s->timers, timer);
}

static void net_slirp_timer_mod(void *timer, int64_t expire_time,
                                void *opaque)
{
    NetSlirpTimer *t = timer;

    timer_mod(t->timer, expire_time);
}

static void net_slirp_register_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_unregister_poll_fd(int fd, void *opaque)
{
}

static void net_slirp_notify(void *opaque)
{
    qemu_notify_event();
}

static const SlirpCb net_slirp_cb = {
    .send_packet = net_slirp_send_packet,
    .guest_error = net_slirp_guest_error,
    .clock_get_ns = net_slirp_clock_get_ns,
    .timer_free = net_slirp_timer_free,
    .timer_mod = net_slirp_timer_mod,
    .register_poll_fd = net_slirp_register_poll_fd,
    .unregister_poll_fd = net_slirp_unregister_poll_fd,
    .notify = net_slirp_notify,
    .timer_new_opaque = net_slirp_timer_new_opaque,
};

/* ---- the GSource ---- */

/*
 * The GPollFDs stay attached to the source from one iteration to the
 * next: GLib wakes the whole context up whenever a poll is added or
 * removed, so re-adding them in every prepare() would make the main loop
 * spin.  An entry whose fd is unchanged only gets its events updated in
 * place (GLib reads them through the pointer at query time).
 */
static int net_slirp_add_poll(int fd, int events, void *opaque)
{
    NetSlirpState *s = opaque;
    gushort ev = (events & SLIRP_POLL_IN ? G_IO_IN : 0) |
                 (events & SLIRP_POLL_OUT ? G_IO_OUT : 0) |
                 (events & SLIRP_POLL_PRI ? G_IO_PRI : 0) |
                 (events & SLIRP_POLL_ERR ? G_IO_ERR : 0) |
                 (events & SLIRP_POLL_HUP ? G_IO_HUP : 0);
    guint idx = s->npoll++;
    GPollFD *pfd;

    if (idx < s->pollfds->len) {
        pfd = g_ptr_array_index(s->pollfds, idx);
        if (pfd->fd != fd) {
            /* GLib keeps its records sorted by fd: re-add */
            g_source_remove_poll(&s->source->source, pfd);
            pfd->fd = fd;
            g_source_add_poll(&s->source->source, pfd);
        }
    } else {
        pfd = g_new0(GPollFD, 1);
        pfd->fd = fd;
        g_source_add_poll(&s->source->source, pfd);
        g_ptr_array_add(s->pollfds, pfd);
    }
    pfd->events = ev;
    pfd->revents = 0;
    return idx;
}

static int net_slirp_get_revents(int idx, void *opaque)
{
    NetSlirpState *s = opaque;
    GPollFD *pfd;
    int r = 0;

    if (idx < 0 || (guint)idx >= s->npoll) {
        return 0;
    }
    pfd = g_ptr_array_index(s->pollfds, idx);
    r |= pfd->revents & G_IO_IN ? SLIRP_POLL_IN : 0;
    r |= pfd->revents & G_IO_OUT ? SLIRP_POLL_OUT : 0;
    r |= pfd->revents & G_IO_PRI ? SLIRP_POLL_PRI : 0;
    r |= pfd->revents & G_IO_ERR ? SLIRP_POLL_ERR : 0;
    r |= pfd->revents & G_IO_HUP ? SLIRP_POLL_HUP : 0;
    return r;
}

/* Detach the entries from @keep on. */
static void net_slirp_trim_polls(NetSlirpState *s, guint keep)
{
    for (guint i = keep; i < s->pollfds->len; i++) {
        GPollFD *pfd = g_ptr_array_index(s->pollfds, i);

        g_source_remove_poll(&s->source->source, pfd);
    }
    if (keep < s->pollfds->len) {
        g_ptr_array_set_size(s->pollfds, keep);
    }
}

static gboolean net_slirp_prepare(GSource *source, gint *timeout)
{
    NetSlirpState *s = ((SlirpSource *)source)->s;
    uint32_t t = 1000;

    s->npoll = 0;
    slirp_pollfds_fill(s->slirp, &t, net_slirp_add_poll, s);
    net_slirp_trim_polls(s, s->npoll);
    *timeout = MIN(t, 1000);
    return FALSE;
}

static gboolean net_slirp_check(GSource *source)
{
    return TRUE;
}

static gboolean net_slirp_dispatch(GSource *source, GSourceFunc cb,
                                   gpointer data)
{
    NetSlirpState *s = ((SlirpSource *)source)->s;

    slirp_pollfds_poll(s->slirp, 0, net_slirp_get_revents, s);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs net_slirp_source_funcs = {
    .prepare = net_slirp_prepare,
    .check = net_slirp_check,
    .dispatch = net_slirp_dispatch,
};

/* ---- the net client ---- */

static ssize_t net_slirp_receive(NetClientState *nc, const uint8_t *buf,
                                 size_t size)
{
    NetSlirpState *s = container_of(nc, NetSlirpState, nc);

    slirp_input(s->slirp, buf, size);
    return size;
}

static void net_slirp_cleanup(NetClientState *nc)
{
    NetSlirpState *s = container_of(nc, NetSlirpState, nc);

    if (s->source) {
        net_slirp_trim_polls(s, 0);
        g_source_destroy(&s->source->source);
        g_source_unref(&s->source->source);
    }
    if (s->slirp) {
        slirp_cleanup(s->slirp);
    }
    g_ptr_array_free(s->pollfds, true);
    g_ptr_array_free(s->timers, true);
}

static const NetClientInfo net_slirp_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(NetSlirpState),
    .receive = net_slirp_receive,
    .cleanup = net_slirp_cleanup,
};

/* ---- options ---- */

static bool net_slirp_parse_addr(const char *name, const char *str,
                                 struct in_addr *addr, Error **errp)
{
    if (inet_aton(str, addr) == 0) {
        error_setg(errp, "Invalid %s address '%s'", name, str);
        return false;
    }
    return true;
}

/* "10.0.2.0/24" or "10.0.2.0" (then the mask is classful-ish: /24) */
static bool net_slirp_parse_net(const char *str, struct in_addr *net,
                                struct in_addr *mask, Error **errp)
{
    g_autofree char *addr = g_strdup(str);
    char *slash = strchr(addr, '/');
    unsigned long bits = 24;

    if (slash) {
        char *end;

        *slash = '\0';
        if (strchr(slash + 1, '.')) {
            if (!net_slirp_parse_addr("netmask", slash + 1, mask, errp)) {
                return false;
            }
            bits = 33;
        } else {
            bits = strtoul(slash + 1, &end, 10);
            if (*end || bits < 8 || bits > 32) {
                error_setg(errp, "Invalid netmask provided (must be in "
                           "range 8-32)");
                return false;
            }
        }
    }
    if (!net_slirp_parse_addr("network", addr, net, errp)) {
        return false;
    }
    if (bits <= 32) {
        mask->s_addr = htonl(bits ? ~0u << (32 - bits) : 0);
    }
    if (net->s_addr & ~mask->s_addr) {
        error_setg(errp, "Invalid network provided (bits set outside "
                   "the netmask)");
        return false;
    }
    return true;
}

/* [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport */
static bool net_slirp_hostfwd(NetSlirpState *s, const char *str,
                              struct in_addr guest_def, Error **errp)
{
    g_auto(GStrv) halves = NULL;
    g_autofree char *copy = g_strdup(str);
    const char *rest = copy;
    struct sockaddr_in host, guest;
    bool udp = false;

    if (g_str_has_prefix(rest, "tcp:")) {
        rest += 4;
    } else if (g_str_has_prefix(rest, "udp:")) {
        udp = true;
        rest += 4;
    } else if (rest[0] == ':') {
        rest += 1;
    }
    halves = g_strsplit(rest, "-", 2);
    if (!halves[0] || !halves[1] ||
        !net_parse_host_port(&host, halves[0], true, NULL) ||
        !net_parse_host_port(&guest, halves[1], true, NULL)) {
        error_setg(errp, "Invalid host forwarding rule '%s' (Bad protocol "
                   "name)", str);
        return false;
    }
    if (guest.sin_addr.s_addr == htonl(INADDR_ANY)) {
        guest.sin_addr = guest_def;
    }
    if (slirp_add_hostfwd(s->slirp, udp, host.sin_addr,
                          ntohs(host.sin_port), guest.sin_addr,
                          ntohs(guest.sin_port)) < 0) {
        error_setg(errp, "Could not set up host forwarding rule '%s'", str);
        return false;
    }
    return true;
}

bool net_init_user(const Netdev *netdev, const char *name, Error **errp)
{
    const NetdevUserOptions *o = &netdev->u.user;
    struct in_addr net = { htonl(0x0a000200) };
    struct in_addr mask = { htonl(0xffffff00) };
    struct in_addr host, dhcp, dns;
    struct in6_addr prefix6, host6, dns6;
    SlirpConfig cfg = { .version = 4 };
    g_autofree const char **dnssearch = NULL;
    NetClientState *nc;
    NetSlirpState *s;
    bool ipv4 = !o->has_ipv4 || o->ipv4;
    bool ipv6 = !o->has_ipv6 || o->ipv6;
    int n = 0;

    if (o->has_smb || o->has_guestfwd) {
        error_setg(errp, "smb= and guestfwd= are not supported");
        return false;
    }
    if (!ipv4 && !ipv6) {
        error_setg(errp, "IPv4 and IPv6 disabled simultaneously");
        return false;
    }
    if (o->has_net && !net_slirp_parse_net(o->net, &net, &mask, errp)) {
        return false;
    }
    host.s_addr = net.s_addr | htonl(2);
    dhcp.s_addr = net.s_addr | htonl(15);
    dns.s_addr = net.s_addr | htonl(3);
    if ((o->has_host && !net_slirp_parse_addr("host", o->host, &host,
                                              errp)) ||
        (o->has_dhcpstart &&
         !net_slirp_parse_addr("dhcpstart", o->dhcpstart, &dhcp, errp)) ||
        (o->has_dns && !net_slirp_parse_addr("dns", o->dns, &dns, errp))) {
        return false;
    }
    if ((host.s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "Host doesn't belong to network");
        return false;
    }
    inet_pton(AF_INET6, o->has_ipv6_prefix ? o->ipv6_prefix : "fec0::",
              &prefix6);
    host6 = prefix6;
    host6.s6_addr[15] |= 2;
    dns6 = prefix6;
    dns6.s6_addr[15] |= 3;
    if ((o->has_ipv6_host && inet_pton(AF_INET6, o->ipv6_host, &host6) != 1)
        || (o->has_ipv6_dns &&
            inet_pton(AF_INET6, o->ipv6_dns, &dns6) != 1)) {
        error_setg(errp, "Invalid IPv6 address");
        return false;
    }
    if (o->has_dnssearch) {
        dnssearch = g_new0(const char *, 64);
        for (StringList *l = o->dnssearch; l && n < 63; l = l->next) {
            dnssearch[n++] = l->value->str;
        }
    }

    cfg.restricted = o->has_q_restrict && o->q_restrict;
    cfg.in_enabled = ipv4;
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    cfg.vhost = host;
    cfg.in6_enabled = ipv6;
    cfg.vprefix_addr6 = prefix6;
    cfg.vprefix_len = o->has_ipv6_prefixlen ? o->ipv6_prefixlen : 64;
    cfg.vhost6 = host6;
    cfg.vhostname = o->has_hostname ? o->hostname : NULL;
    cfg.tftp_server_name = o->has_tftp_server_name ? o->tftp_server_name :
                                                      NULL;
    cfg.tftp_path = o->has_tftp ? o->tftp : NULL;
    cfg.bootfile = o->has_bootfile ? o->bootfile : NULL;
    cfg.vdhcp_start = dhcp;
    cfg.vnameserver = dns;
    cfg.vnameserver6 = dns6;
    cfg.vdnssearch = dnssearch;
    cfg.vdomainname = o->has_domainname ? o->domainname : NULL;

    nc = qemu_new_net_client(&net_slirp_info, NULL, "user", name);
    nc->is_netdev = true;
    s = container_of(nc, NetSlirpState, nc);
    s->pollfds = g_ptr_array_new_with_free_func(g_free);
    s->timers = g_ptr_array_new_with_free_func(net_slirp_timer_free_one);
    snprintf(nc->info_str, sizeof(nc->info_str), "net=%s,restrict=%s",
             inet_ntoa(net), cfg.restricted ? "on" : "off");
    s->slirp = slirp_new(&cfg, &net_slirp_cb, s);
    if (!s->slirp) {
        error_setg(errp, "user network: libslirp failed to start");
        qemu_del_net_client(nc);
        return false;
    }
    s->source = (SlirpSource *)g_source_new(&net_slirp_source_funcs,
                                            sizeof(SlirpSource));
    s->source->s = s;
    /* not blocked while dispatching: blocking detaches and re-attaches
     * the polls, which wakes the context up (a busy loop); the dispatch
     * never iterates the main loop, so it cannot recurse */
    g_source_set_can_recurse(&s->source->source, true);
    g_source_attach(&s->source->source, qemu_get_aio_context());
    for (StringList *l = o->has_hostfwd ? o->hostfwd : NULL; l;
         l = l->next) {
        if (!net_slirp_hostfwd(s, l->value->str, dhcp, errp)) {
            qemu_del_net_client(nc);
            return false;
        }
    }
    trace_net_slirp_init(name);
    return true;
}
