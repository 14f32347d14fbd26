/*
 * Network clients: NIC frontends, backends (-netdev) and the filter
 * chain between them.
 *
 * A NetClientState is one end of a point-to-point link; a NIC and its
 * backend are each other's @peer.  Packets travel like this (QEMU's
 * model, including its naming of the filter directions):
 *
 *   sender ---- qemu_send_packet() ----------------------------------+
 *     |                                                              |
 *     |  1. filters of the SENDER, direction "tx", head -> tail      |
 *     |  2. filters of the PEER,   direction "rx", tail -> head      |
 *     |     (a filter may consume the packet: it stops here)         |
 *     v                                                              v
 *   peer->incoming_queue (NetQueue): delivered at once when the peer
 *   can receive and the VM runs, else queued; flushed when the peer
 *   calls qemu_flush_queued_packets().
 *
 * So a filter on netdev hn0 with queue=tx sees what hn0 sends (towards
 * the guest), queue=rx what hn0 receives (from the guest).
 *
 * Packets may carry a virtio-net header in front of the Ethernet frame
 * when both ends use one (@vnet_hdr_len); filters copy it through as
 * vnet_hdr_support=on in QEMU.
 *
 * Everything here runs in the main loop with the BQL held.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <sys/uio.h>
#include "qapi/qapi-types-net.h"
#include "qapi/qapi-types-common.h"

typedef struct NetClientState NetClientState;
typedef struct NetFilterState NetFilterState;
typedef struct NetQueue NetQueue;

/* Called when a queued packet was finally delivered (@ret its result). */
typedef void NetPacketSent(NetClientState *sender, ssize_t ret);

#define QEMU_NET_PACKET_FLAG_NONE  0
#define QEMU_NET_PACKET_FLAG_RAW   (1 << 0)

typedef struct NetClientInfo {
    NetClientDriver type;
    size_t size;                /* of the struct embedding the state */
    /*
     * receive: take one packet; return its size, 0 if it cannot take it
     * now (it is queued and receiving is disabled until the client calls
     * qemu_flush_queued_packets()), or < 0 to drop it.
     */
    ssize_t (*receive)(NetClientState *nc, const uint8_t *buf, size_t size);
    /* optional; else the iovec is linearised for receive() */
    ssize_t (*receive_iov)(NetClientState *nc, const struct iovec *iov,
                           int iovcnt);
    bool (*can_receive)(NetClientState *nc);
    void (*cleanup)(NetClientState *nc);
    void (*link_status_changed)(NetClientState *nc);
    /* optional: the peer now sends/expects @len-byte vnet headers */
    void (*set_vnet_hdr_len)(NetClientState *nc, int len);
} NetClientInfo;

struct NetClientState {
    const NetClientInfo *info;
    bool link_down;
    NetClientState *peer;
    NetQueue *incoming_queue;
    char *model;                /* "user", "tap", ... or the NIC model */
    char *name;                 /* the netdev id / device id */
    char info_str[256];         /* shown by "info network" */
    bool receive_disabled;
    bool is_netdev;             /* created by -netdev / netdev_add */
    bool has_vnet_hdr;          /* can carry a virtio-net header */
    int vnet_hdr_len;           /* in use now (0: none) */
    GList *filters;             /* NetFilterState *, head first */
    int index;                  /* per-driver counter for info network */
};

/**
 * qemu_new_net_client: allocate @info->size bytes, link with @peer (may
 * be NULL; it must not have a peer yet) and register the client.
 */
NetClientState *qemu_new_net_client(const NetClientInfo *info,
                                    NetClientState *peer,
                                    const char *model, const char *name);

/** qemu_del_net_client: detach the peer, run ->cleanup, free. */
void qemu_del_net_client(NetClientState *nc);

/**
 * qemu_send_packet_async: send @buf from @sender to its peer through
 * the filters.  Returns the size, or 0 if it was queued (then
 * @sent_cb runs once it is delivered; without @sent_cb the queue may
 * drop it when full).
 */
ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb);
/* The same without a callback (fire and forget). */
void qemu_send_packet(NetClientState *sender, const uint8_t *buf, int size);
/* iovec variant. */
ssize_t qemu_sendv_packet_async(NetClientState *sender,
                                const struct iovec *iov, int iovcnt,
                                NetPacketSent *sent_cb);

/** qemu_can_send_packet: the VM runs and the peer can receive. */
bool qemu_can_send_packet(NetClientState *sender);
/** qemu_can_receive_packet: @nc is not disabled and can_receive(). */
bool qemu_can_receive_packet(NetClientState *nc);

/**
 * qemu_flush_queued_packets: @nc can receive again; deliver what its
 * incoming queue holds.
 */
void qemu_flush_queued_packets(NetClientState *nc);
/** qemu_purge_queued_packets: drop packets @nc sent that wait queued. */
void qemu_purge_queued_packets(NetClientState *nc);

/** qemu_set_vnet_hdr_len: the client now carries @len-byte headers. */
void qemu_set_vnet_hdr_len(NetClientState *nc, int len);

/**
 * qemu_netfilter_pass_to_next: hand a packet from filter @nf to the
 * filters after it in the direction given by @sender (nf's netdev: tx,
 * its peer: rx), then to the receiver's queue.
 */
ssize_t qemu_netfilter_pass_to_next(NetClientState *sender,
                                    unsigned flags,
                                    const struct iovec *iov, int iovcnt,
                                    NetFilterState *nf);

/** qemu_find_netdev: the backend (-netdev) named @id, or NULL. */
NetClientState *qemu_find_netdev(const char *id);

/** qemu_net_client_foreach: calls @fn for each client, creation order. */
void qemu_net_client_foreach(void (*fn)(NetClientState *nc, void *opaque),
                             void *opaque);

/**
 * qemu_set_link: "set_link" for the client named @name (netdev or NIC).
 * As in QEMU, a backend's NIC peer follows its state; the peer's
 * link_status_changed() runs in any case.  Error: "Device 'X' not
 * found".
 */
bool qemu_set_link(const char *name, bool up, Error **errp);

/**
 * net_client_init: create a backend from @netdev.  Errors name the
 * problem ("Duplicate ID 'x' for netdev", unsupported options).
 */
bool net_client_init(const Netdev *netdev, Error **errp);

/**
 * netdev_add_from_str: parse a -netdev argument (JSON or key=value with
 * implied "type") and record it for net_init_clients().  Parse errors
 * are reported here.  "help" prints the backend types and exits (0),
 * like QEMU's -netdev help.
 */
bool netdev_add_from_str(const char *optarg, Error **errp);

/** netdev_add_now: like netdev_add_from_str() but creates it at once. */
bool netdev_add_now(const char *optarg, Error **errp);

/** net_init_clients: create every recorded -netdev, in order. */
bool net_init_clients(Error **errp);

/** net_cleanup: delete every client (at exit). */
void net_cleanup(void);

/** net_info_text: "info network" text, QEMU's format.  g_free() it. */
char *net_info_text(void);

/*
 * Helpers for backends: parse "host:port" (host may be empty: any/
 * loopback) into an IPv4 address.
 */
struct sockaddr_in;
bool net_parse_host_port(struct sockaddr_in *sa, const char *str,
                         bool empty_is_any, Error **errp);

/* Hubs (net/hub.c): a hub port is a client; hubs forward to all ports. */
NetClientState *net_hub_add_port(int hubid, const char *name,
                                 NetClientState *hubpeer);

#endif
