/*
 * Net clients, the send path through the filter chain, -netdev and the
 * QMP commands netdev_add, netdev_del and set_link.  See
 * include/net/net.h for the packet path.
 */
#include "qemu/osdep.h"
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include "qapi/error.h"
#include "qapi/qapi-commands-net.h"
#include "qapi/qapi-visit-net.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/visitor.h"
#include "qemu/keyval.h"
#include "qobject/qdict.h"
#include "qom/object_interfaces.h"
#include "system/runstate.h"
#include "net/filter.h"
#include "net/queue.h"
#include "clients.h"
#include "trace/trace-net.h"

QMP_COMMAND_IMPLEMENTED(netdev_add);
QMP_COMMAND_IMPLEMENTED(netdev_del);
QMP_COMMAND_IMPLEMENTED(set_link);

static GList *net_clients;          /* NetClientState *, creation order */
static GPtrArray *netdev_opts;      /* QDict * of -netdev, in order */
static VMChangeStateEntry *net_vmstate;

/* ---- receive side ---- */

static ssize_t net_deliver_iov(NetClientState *sender, unsigned flags,
                               const struct iovec *iov, int iovcnt,
                               void *opaque)
{
    NetClientState *nc = opaque;
    ssize_t ret;

    if (nc->link_down) {
        return net_iov_size(iov, iovcnt);
    }
    if (nc->receive_disabled) {
        return 0;
    }
    if (nc->info->receive_iov) {
        ret = nc->info->receive_iov(nc, iov, iovcnt);
    } else {
        size_t size = net_iov_size(iov, iovcnt);
        g_autofree uint8_t *buf = g_malloc(size ? size : 1);

        net_iov_to_buf(iov, iovcnt, buf, size);
        ret = nc->info->receive(nc, buf, size);
    }
    if (ret == 0) {
        nc->receive_disabled = true;
    }
    return ret;
}

bool qemu_can_receive_packet(NetClientState *nc)
{
    if (nc->receive_disabled) {
        return false;
    }
    return !nc->info->can_receive || nc->info->can_receive(nc);
}

bool qemu_can_send_packet(NetClientState *sender)
{
    if (!runstate_is_running()) {
        return false;
    }
    return !sender->peer || qemu_can_receive_packet(sender->peer);
}

void qemu_flush_queued_packets(NetClientState *nc)
{
    nc->receive_disabled = false;
    if (qemu_net_queue_flush(nc->incoming_queue)) {
        trace_net_queue_flushed(nc->name);
        /* then what filters of the sending side held for it */
        if (nc->peer) {
            netfilter_peer_ready(nc->peer);
        }
    }
}

void qemu_purge_queued_packets(NetClientState *nc)
{
    if (nc->peer) {
        qemu_net_queue_purge(nc->peer->incoming_queue, nc);
    }
}

/* ---- send side ---- */

/* Filters of @nc for @direction, in chain order, starting after @from. */
static ssize_t net_filter_chain(NetClientState *nc,
                                NetFilterDirection direction,
                                NetFilterState *from,
                                NetClientState *sender, unsigned flags,
                                const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb)
{
    bool tx = direction == NET_FILTER_DIRECTION_TX;
    GList *l;

    if (from) {
        l = g_list_find(nc->filters, from);
        l = l ? (tx ? l->next : l->prev) : NULL;
    } else {
        l = tx ? nc->filters : g_list_last(nc->filters);
    }
    while (l) {
        ssize_t ret = qemu_netfilter_receive(l->data, direction, sender,
                                             flags, iov, iovcnt, sent_cb);

        if (ret) {
            return ret;
        }
        l = tx ? l->next : l->prev;
    }
    return 0;
}

ssize_t qemu_sendv_packet_async(NetClientState *sender,
                                const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);
    ssize_t ret;

    if (sender->link_down || !sender->peer) {
        return size;
    }
    ret = net_filter_chain(sender, NET_FILTER_DIRECTION_TX, NULL, sender,
                           0, iov, iovcnt, sent_cb);
    if (ret) {
        return ret;
    }
    ret = net_filter_chain(sender->peer, NET_FILTER_DIRECTION_RX, NULL,
                           sender, 0, iov, iovcnt, sent_cb);
    if (ret) {
        return ret;
    }
    return qemu_net_queue_send_iov(sender->peer->incoming_queue, sender, 0,
                                   iov, iovcnt,
                                   qemu_can_send_packet(sender), sent_cb);
}

ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return qemu_sendv_packet_async(sender, &iov, 1, sent_cb);
}

void qemu_send_packet(NetClientState *sender, const uint8_t *buf, int size)
{
    qemu_send_packet_async(sender, buf, size, NULL);
}

ssize_t qemu_netfilter_pass_to_next(NetClientState *sender,
                                    unsigned flags,
                                    const struct iovec *iov, int iovcnt,
                                    NetFilterState *nf)
{
    NetClientState *nc = nf->netdev;
    NetFilterDirection direction;
    ssize_t ret;

    if (!nc || !sender || !sender->peer) {
        return net_iov_size(iov, iovcnt);
    }
    if (nf->direction == NET_FILTER_DIRECTION_ALL) {
        direction = sender == nc ? NET_FILTER_DIRECTION_TX :
                                   NET_FILTER_DIRECTION_RX;
    } else {
        direction = nf->direction;
    }
    /* the packet was already accounted to its sender: no sent_cb */
    ret = net_filter_chain(nc, direction, nf, sender, flags, iov, iovcnt,
                           NULL);
    if (ret) {
        return ret;
    }
    return qemu_net_queue_send_iov(sender->peer->incoming_queue, sender,
                                   flags, iov, iovcnt,
                                   qemu_can_send_packet(sender), NULL);
}

void qemu_set_vnet_hdr_len(NetClientState *nc, int len)
{
    if (nc->info->set_vnet_hdr_len) {
        nc->info->set_vnet_hdr_len(nc, len);
    }
    nc->vnet_hdr_len = len;
}

/* ---- clients ---- */

static void net_vm_change_state(void *opaque, bool running, RunState state)
{
    if (!running) {
        return;
    }
    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;

        /* a client whose receive() returned 0 re-enables itself */
        if (!nc->receive_disabled) {
            qemu_flush_queued_packets(nc);
        }
    }
}

NetClientState *qemu_new_net_client(const NetClientInfo *info,
                                    NetClientState *peer,
                                    const char *model, const char *name)
{
    NetClientState *nc;

    assert(info->size >= sizeof(NetClientState));
    assert(!peer || !peer->peer);
    nc = g_malloc0(info->size);
    nc->info = info;
    nc->model = g_strdup(model);
    nc->name = g_strdup(name);
    nc->incoming_queue = qemu_new_net_queue(net_deliver_iov, nc);
    if (peer) {
        nc->peer = peer;
        peer->peer = nc;
    }
    net_clients = g_list_append(net_clients, nc);
    if (!net_vmstate) {
        net_vmstate = qemu_add_vm_change_state_handler(net_vm_change_state,
                                                       NULL);
    }
    return nc;
}

void qemu_del_net_client(NetClientState *nc)
{
    netfilter_detach_all(nc);
    if (nc->peer) {
        /* the peer's filters may hold packets @nc sent (filter-buffer) */
        netfilter_purge_sender(nc->peer, nc);
        qemu_net_queue_purge(nc->peer->incoming_queue, nc);
        nc->peer->peer = NULL;
        nc->peer = NULL;
    }
    net_clients = g_list_remove(net_clients, nc);
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
    qemu_del_net_queue(nc->incoming_queue);
    g_free(nc->model);
    g_free(nc->name);
    g_free(nc);
}

NetClientState *qemu_find_netdev(const char *id)
{
    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;

        if (nc->is_netdev && strcmp(nc->name, id) == 0) {
            return nc;
        }
    }
    return NULL;
}

void qemu_net_client_foreach(void (*fn)(NetClientState *nc, void *opaque),
                             void *opaque)
{
    GList *copy = g_list_copy(net_clients);

    for (GList *l = copy; l; l = l->next) {
        fn(l->data, opaque);
    }
    g_list_free(copy);
}

bool qemu_set_link(const char *name, bool up, Error **errp)
{
    bool found = false;

    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;

        if (strcmp(nc->name, name) != 0) {
            continue;
        }
        found = true;
        nc->link_down = !up;
        if (nc->info->link_status_changed) {
            nc->info->link_status_changed(nc);
        }
        /*
         * As QEMU: a backend's link state also becomes its NIC's (the
         * guest sees the cable pulled); a NIC's or hub port's does not
         * propagate.  The peer is notified either way.
         */
        if (nc->peer) {
            if (nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
                nc->peer->link_down = !up;
            }
            if (nc->peer->info->link_status_changed) {
                nc->peer->info->link_status_changed(nc->peer);
            }
        }
        trace_net_set_link(name, up);
    }
    if (!found) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", name);
    }
    return found;
}

void qmp_set_link(const char *name, bool up, Error **errp)
{
    qemu_set_link(name, up, errp);
}

/* ---- -netdev and netdev_add ---- */

bool net_client_init(const Netdev *netdev, Error **errp)
{
    if (!id_wellformed(netdev->id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    if (qemu_find_netdev(netdev->id)) {
        error_setg(errp, "Duplicate ID '%s' for netdev", netdev->id);
        return false;
    }
    switch (netdev->type) {
    case NET_CLIENT_DRIVER_USER:
        return net_init_user(netdev, netdev->id, errp);
    case NET_CLIENT_DRIVER_TAP:
        return net_init_tap(netdev, netdev->id, errp);
    case NET_CLIENT_DRIVER_SOCKET:
        return net_init_socket(netdev, netdev->id, errp);
    case NET_CLIENT_DRIVER_HUBPORT:
        return net_init_hubport(netdev, netdev->id, errp);
    case NET_CLIENT_DRIVER_NIC:
    case NET_CLIENT_DRIVER_NONE:
        error_setg(errp, "Parameter 'type' expects a netdev backend type");
        return false;
    default:
        error_setg(errp, "network backend '%s' is not supported",
                   NetClientDriver_str(netdev->type));
        return false;
    }
}

static bool net_client_init_qdict(QDict *opts, bool keyval, Error **errp)
{
    g_autoptr(Netdev) netdev = NULL;
    Visitor *v;
    bool ok;

    v = keyval ? qobject_input_visitor_new_keyval(QOBJECT(opts)) :
                 qobject_input_visitor_new(QOBJECT(opts));
    ok = visit_type_Netdev(v, NULL, &netdev, errp);
    visit_free(v);
    return ok && net_client_init(netdev, errp);
}

/*
 * QEMU's -netdev (QemuOpts) takes repeated hostfwd=, guestfwd= and
 * dnssearch= as lists; keyval wants "hostfwd.0.str=".  Rewrites the
 * key=value form accordingly (a JSON argument is returned unchanged).
 */
static char *netdev_legacy_lists(const char *optarg)
{
    static const char *const list_keys[] = {
        "hostfwd", "guestfwd", "dnssearch",
    };
    unsigned count[G_N_ELEMENTS(list_keys)] = { 0 };
    GString *out = g_string_new(NULL);
    const char *p = optarg;

    if (optarg[0] == '{') {
        g_string_append(out, optarg);
        return g_string_free(out, false);
    }
    while (*p) {
        const char *end = p;
        size_t klen;

        /* one item: up to an unescaped ',' (",," is a literal comma) */
        while (*end && !(end[0] == ',' && end[1] != ',')) {
            end += end[0] == ',' ? 2 : 1;
        }
        klen = strcspn(p, "=,");
        for (size_t i = 0; i < G_N_ELEMENTS(list_keys); i++) {
            if (p[klen] == '=' && strlen(list_keys[i]) == klen &&
                strncmp(p, list_keys[i], klen) == 0) {
                g_string_append_printf(out, "%s.%u.str", list_keys[i],
                                       count[i]++);
                p += klen;
                break;
            }
        }
        g_string_append_len(out, p, end - p);
        p = end;
        if (*p == ',') {
            g_string_append_c(out, ',');
            p++;
        }
    }
    return g_string_free(out, false);
}

static QDict *netdev_parse(const char *optarg, Error **errp)
{
    g_autofree char *str = netdev_legacy_lists(optarg);

    return qobject_input_from_option(str, "type", errp);
}

bool netdev_add_now(const char *optarg, Error **errp)
{
    g_autoptr(QDict) opts = netdev_parse(optarg, errp);

    return opts && net_client_init_qdict(opts, optarg[0] != '{', errp);
}

void qmp_netdev_add(Netdev *netdev, Error **errp)
{
    net_client_init(netdev, errp);
}

void qmp_netdev_del(const char *id, Error **errp)
{
    NetClientState *nc = NULL;

    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *c = l->data;

        if (strcmp(c->name, id) == 0) {
            nc = c;
            break;
        }
    }
    if (!nc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", id);
        return;
    }
    if (!nc->is_netdev) {
        error_setg(errp, "Device '%s' is not a netdev", id);
        return;
    }
    qemu_del_net_client(nc);
}

static void net_opts_free(gpointer p)
{
    qobject_unref((QDict *)p);
}

bool netdev_add_from_str(const char *optarg, Error **errp)
{
    QDict *opts;

    if (is_help_option(optarg)) {
        /* QEMU's text, for the backends this build has */
        printf("Available netdev backend types:\nsocket\nhubport\ntap\n"
               "user\n");
        exit(0);
    }
    opts = netdev_parse(optarg, errp);

    if (!opts) {
        return false;
    }
    if (!netdev_opts) {
        netdev_opts = g_ptr_array_new_with_free_func(net_opts_free);
    }
    /* JSON keeps its types; key=value strings need the keyval visitor */
    qdict_put_bool(opts, "__keyval", optarg[0] != '{');
    g_ptr_array_add(netdev_opts, opts);
    return true;
}

bool net_init_clients(Error **errp)
{
    if (!netdev_opts) {
        return true;
    }
    for (guint i = 0; i < netdev_opts->len; i++) {
        QDict *opts = g_ptr_array_index(netdev_opts, i);
        bool keyval = qdict_get_bool(opts, "__keyval");

        qdict_del(opts, "__keyval");
        if (!net_client_init_qdict(opts, keyval, errp)) {
            return false;
        }
    }
    g_ptr_array_set_size(netdev_opts, 0);
    return true;
}

void net_cleanup(void)
{
    while (net_clients) {
        qemu_del_net_client(g_list_last(net_clients)->data);
    }
}

/* ---- info network ---- */

void net_print_client(GString *out, NetClientState *nc)
{
    g_string_append_printf(out, "%s: index=%d,type=%s,%s\n", nc->name,
                           nc->index, NetClientDriver_str(nc->info->type),
                           nc->info_str);
    if (nc->filters) {
        g_string_append(out, "filters:\n");
    }
    for (GList *l = nc->filters; l; l = l->next) {
        g_autofree char *line = netfilter_info_line(l->data);

        g_string_append_printf(out, "%s\n", line);
    }
}

char *net_info_text(void)
{
    GString *out = g_string_new(NULL);

    net_hub_info(out);
    for (GList *l = net_clients; l; l = l->next) {
        NetClientState *nc = l->data;
        bool nic = nc->info->type == NET_CLIENT_DRIVER_NIC;

        if (net_hub_owns(nc)) {
            continue;
        }
        if (!nc->peer || nic) {
            net_print_client(out, nc);
        }
        if (nc->peer && nic) {
            g_string_append(out, " \\ ");
            net_print_client(out, nc->peer);
        }
    }
    return g_string_free(out, false);
}

/* ---- helpers for backends ---- */

bool net_parse_host_port(struct sockaddr_in *sa, const char *str,
                         bool empty_is_any, Error **errp)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(str, ':');
    char *end;
    unsigned long port;

    if (!colon) {
        error_setg(errp, "host address '%s' doesn't contain ':' "
                   "separating host from port", str);
        return false;
    }
    host = g_strndup(str, colon - str);
    port = strtoul(colon + 1, &end, 10);
    if (*end || colon[1] == '\0' || port > 65535) {
        error_setg(errp, "port number '%s' is invalid", colon + 1);
        return false;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    if (host[0] == '\0') {
        sa->sin_addr.s_addr = htonl(empty_is_any ? INADDR_ANY :
                                    INADDR_LOOPBACK);
    } else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) {
        struct addrinfo hints = { .ai_family = AF_INET };
        struct addrinfo *res = NULL;

        if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
            error_setg(errp, "host address '%s' could not be resolved",
                       host);
            return false;
        }
        sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
    return true;
}
