/*
 * Net filters: the abstract user-creatable "netfilter" type that every
 * filter-* object derives from.
 *
 * Lifecycle:  instance_init (defaults: queue=all, status=on,
 * position=tail, insert=behind) -> properties -> complete(): resolve
 * "netdev" (a backend, not a NIC), find the position, call ->setup(),
 * insert into the netdev's filter list.  object-del (or netdev_del of
 * the netdev) removes it again: ->cleanup() runs, then it leaves the
 * list.  Everything runs in the main loop with the BQL held.
 *
 * A filter's receive_iov() sees each packet of its direction; it
 * returns 0 to let the packet go on, or non-zero when it consumed it
 * (the size, as delivered) -- it may later re-inject it with
 * qemu_netfilter_pass_to_next().
 */
#ifndef NET_FILTER_H
#define NET_FILTER_H

#include "qom/object.h"
#include "net/net.h"
#include "net/queue.h"

#define TYPE_NETFILTER "netfilter"
OBJECT_DECLARE_TYPE(NetFilterState, NetFilterClass, NETFILTER)

struct NetFilterClass {
    ObjectClass parent_class;

    /* complete(): after the netdev is known, before insertion */
    bool (*setup)(NetFilterState *nf, Error **errp);
    /* before removal (object-del, netdev_del, failed setup excluded) */
    void (*cleanup)(NetFilterState *nf);
    /* status changed at run time (nf->on is the new value) */
    void (*status_changed)(NetFilterState *nf, Error **errp);
    /* optional: drop held packets of @sender (it is being deleted) */
    void (*purge)(NetFilterState *nf, NetClientState *sender);
    /* optional: the netdev's peer (the NIC) can receive again */
    void (*peer_ready)(NetFilterState *nf);
    /* mandatory */
    ssize_t (*receive_iov)(NetFilterState *nf, NetClientState *sender,
                           unsigned flags, const struct iovec *iov,
                           int iovcnt, NetPacketSent *sent_cb);
};

struct NetFilterState {
    Object parent_obj;

    /* private: */
    char *netdev_id;
    NetClientState *netdev;
    NetFilterDirection direction;
    bool on;
    char *position;
    bool insert_before;
    bool attached;              /* in netdev->filters */
};

/**
 * qemu_netfilter_receive: runs @nf on a packet if it is on and handles
 * @direction.  Returns 0 (pass on) or non-zero (consumed).
 */
ssize_t qemu_netfilter_receive(NetFilterState *nf,
                               NetFilterDirection direction,
                               NetClientState *sender, unsigned flags,
                               const struct iovec *iov, int iovcnt,
                               NetPacketSent *sent_cb);

/** netfilter_get_id: the object id (the /objects child name). */
const char *netfilter_get_id(NetFilterState *nf);

/**
 * netfilter_info_line: "  - ID: type=T,prop=value,..." as "info
 * network" prints it (properties in QEMU's order).  g_free() it.
 */
char *netfilter_info_line(NetFilterState *nf);

/**
 * netfilter_purge_sender: every filter of @nc forgets the packets it
 * holds from @sender.
 */
void netfilter_purge_sender(NetClientState *nc, NetClientState *sender);

/**
 * netfilter_peer_ready: @nc's peer can receive again (it flushed its
 * queue); filters of @nc that hold packets for it may deliver them.
 */
void netfilter_peer_ready(NetClientState *nc);

/**
 * netfilter_detach_all: unparent every filter of @nc (its netdev is
 * going away).
 */
void netfilter_detach_all(NetClientState *nc);

/* Send one frame (vnet header first when @vnet_hdr) on a chardev with
 * the COLO framing; shared by filter-mirror and filter-redirector. */
typedef struct CharBackend CharBackend;
bool netfilter_chr_send(CharBackend *be, bool vnet_hdr, int vnet_hdr_len,
                        const struct iovec *iov, int iovcnt);

#endif
