/*
 * Hubs (-netdev hubport,id=P,hubid=N[,netdev=X]): every packet a port
 * receives is sent out of all the hub's other ports.  With netdev=X the
 * port is X's peer, so two backends can be joined without a guest:
 *
 *   socket s0 <-> hubport p0 --[hub 0]-- hubport p1 <-> socket s1
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "net/net.h"
#include "clients.h"

typedef struct NetHub NetHub;

typedef struct NetHubPort {
    NetClientState nc;
    NetHub *hub;
} NetHubPort;

struct NetHub {
    int id;
    GList *ports;               /* NetHubPort *, newest first */
};

static GList *hubs;             /* NetHub *, newest first */

static ssize_t net_hub_receive_iov(NetClientState *nc,
                                   const struct iovec *iov, int iovcnt)
{
    NetHubPort *src = container_of(nc, NetHubPort, nc);
    size_t len = 0;

    for (int i = 0; i < iovcnt; i++) {
        len += iov[i].iov_len;
    }
    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *port = l->data;

        if (port != src) {
            qemu_sendv_packet_async(&port->nc, iov, iovcnt, NULL);
        }
    }
    return len;
}

static bool net_hub_port_can_receive(NetClientState *nc)
{
    NetHubPort *src = container_of(nc, NetHubPort, nc);

    for (GList *l = src->hub->ports; l; l = l->next) {
        NetHubPort *port = l->data;

        if (port != src && qemu_can_send_packet(&port->nc)) {
            return true;
        }
    }
    return false;
}

static void net_hub_port_cleanup(NetClientState *nc)
{
    NetHubPort *port = container_of(nc, NetHubPort, nc);

    port->hub->ports = g_list_remove(port->hub->ports, port);
}

static const NetClientInfo net_hub_port_info = {
    .type = NET_CLIENT_DRIVER_HUBPORT,
    .size = sizeof(NetHubPort),
    .receive_iov = net_hub_receive_iov,
    .can_receive = net_hub_port_can_receive,
    .cleanup = net_hub_port_cleanup,
};

static NetHub *net_hub_get(int id)
{
    NetHub *hub;

    for (GList *l = hubs; l; l = l->next) {
        hub = l->data;
        if (hub->id == id) {
            return hub;
        }
    }
    hub = g_new0(NetHub, 1);
    hub->id = id;
    hubs = g_list_prepend(hubs, hub);
    return hub;
}

NetClientState *net_hub_add_port(int hubid, const char *name,
                                 NetClientState *hubpeer)
{
    NetHub *hub = net_hub_get(hubid);
    NetClientState *nc = qemu_new_net_client(&net_hub_port_info, hubpeer,
                                             "hub", name);
    NetHubPort *port = container_of(nc, NetHubPort, nc);

    port->hub = hub;
    snprintf(nc->info_str, sizeof(nc->info_str), "hub %d", hubid);
    hub->ports = g_list_prepend(hub->ports, port);
    return nc;
}

bool net_init_hubport(const Netdev *netdev, const char *name, Error **errp)
{
    const NetdevHubPortOptions *o = &netdev->u.hubport;
    NetClientState *peer = NULL;
    NetClientState *nc;

    if (o->has_netdev) {
        peer = qemu_find_netdev(o->netdev);
        if (!peer) {
            error_setg(errp, "netdev '%s' not found", o->netdev);
            return false;
        }
        if (peer->peer) {
            error_setg(errp, "netdev '%s' is already in use", o->netdev);
            return false;
        }
    }
    nc = net_hub_add_port(o->hubid, name, peer);
    nc->is_netdev = true;
    return true;
}

bool net_hub_owns(NetClientState *nc)
{
    return nc->info->type == NET_CLIENT_DRIVER_HUBPORT ||
           (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_HUBPORT);
}

void net_hub_info(GString *out)
{
    for (GList *h = hubs; h; h = h->next) {
        NetHub *hub = h->data;

        g_string_append_printf(out, "hub %d\n", hub->id);
        for (GList *l = hub->ports; l; l = l->next) {
            NetHubPort *port = l->data;

            g_string_append_printf(out, " \\ %s", port->nc.name);
            if (port->nc.peer) {
                g_string_append(out, ": ");
                net_print_client(out, port->nc.peer);
            } else {
                g_string_append(out, "\n");
            }
        }
    }
}
