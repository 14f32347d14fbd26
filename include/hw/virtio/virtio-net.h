/*
 * virtio-net (VIRTIO 1.1 section 5.1) on the PCI transport:
 * "virtio-net-pci", netdev=ID, mac=52:54:00:xx:xx:xx.
 *
 * Queues: 0 = receiveq, 1 = transmitq (no control queue, no multiqueue).
 * Config: mac[6], le16 status (LINK_UP), le16 max_virtqueue_pairs (1).
 * Features: MAC, STATUS, MRG_RXBUF, plus the transport's VERSION_1 /
 * EVENT_IDX / INDIRECT_DESC.  With a netdev that takes plain frames,
 * also CSUM, HOST_TSO4/6 (completed on the host), GUEST_CSUM and
 * GUEST_TSO4/6 (received TCP segments coalesced into 64 KiB frames,
 * hw/net/virtio-net-rsc.c).  With a vnet-header tap the host kernel does
 * them: CSUM and HOST_TSO4/6 always, GUEST_CSUM and GUEST_TSO4/6 when the
 * tap takes TUNSETOFFLOAD, which then follows the negotiated features
 * (include/net/tap.h).  Each can be turned off with QEMU's property of
 * the same name (csum, host_tso4, ..., guest_tso6, mrg_rxbuf).
 *
 * Every packet in either direction carries a 12-byte struct
 * virtio_net_hdr_v1 in guest memory:
 *   u8 flags; u8 gso_type; le16 hdr_len, gso_size, csum_start,
 *   csum_offset; le16 num_buffers
 * If the netdev can carry the same header (tap vnet_hdr=on) it is passed
 * through both ways; otherwise it is stripped on transmit and a zeroed
 * one is prepended on receive.  num_buffers is always set by the device:
 * with MRG_RXBUF a packet may fill several receive buffers.
 *
 * Receive with no guest buffers returns 0 to the net layer, which queues
 * the packet and stops delivering until the guest adds buffers (the
 * receive queue's kick flushes the net layer's queue).
 */
#ifndef HW_VIRTIO_VIRTIO_NET_H
#define HW_VIRTIO_VIRTIO_NET_H

#include "hw/virtio/virtio-pci.h"
#include "net/net.h"
#include "hw/net/virtio-net-rsc.h"
#include "system/runstate.h"

#define TYPE_VIRTIO_NET_PCI "virtio-net-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIONetPCI, VIRTIO_NET_PCI)

#define VIRTIO_NET_F_CSUM           0
#define VIRTIO_NET_F_GUEST_CSUM     1
#define VIRTIO_NET_F_MAC            5
#define VIRTIO_NET_F_GUEST_TSO4     7
#define VIRTIO_NET_F_GUEST_TSO6     8
#define VIRTIO_NET_F_HOST_TSO4      11
#define VIRTIO_NET_F_HOST_TSO6      12
#define VIRTIO_NET_F_MRG_RXBUF      15
#define VIRTIO_NET_F_STATUS         16
#define VIRTIO_NET_F_CTRL_VQ        17

#define VIRTIO_NET_S_LINK_UP        1
#define VIRTIO_NET_HDR_LEN          12
#define VIRTIO_NET_CONFIG_LEN       10
#define VIRTIO_NET_QUEUE_SIZE       256
#define VIRTIO_NET_TX_BURST         256

typedef struct VirtIONet {
    VirtIODevice vdev;
    VirtQueue *rx_vq;
    VirtQueue *tx_vq;
    NetClientState *nic;
    uint8_t mac[6];          /* property "mac" */
    char *netdev;            /* property "netdev" */
    uint16_t status;         /* config status: LINK_UP */
    bool mergeable;          /* MRG_RXBUF negotiated */
    int host_hdr_len;        /* header length on the netdev: 0 or 12 */
    VirtQueueElement *tx_waiting;  /* queued by the net layer */
    QEMUBH *tx_bh;           /* continue a transmit burst */
    VMChangeStateEntry *vm_state;   /* resumes a burst when the VM runs */
    uint64_t feature_props;  /* offload properties (csum, guest_tso4...) */
    bool rsc_on;             /* coalesce received TCP (GUEST_TSO4/6) */
    VirtioNetRsc rsc;        /* received segments being joined */
    QEMUBH *rsc_bh;          /* hands them over at the end of a burst */
} VirtIONet;

struct VirtIONetPCI {
    VirtIOPCIProxy parent_obj;
    VirtIONet net;
};

/*
 * The device core, independent of PCI (tests drive it directly):
 * virtio_net_setup() initialises @n (queues, features, config); the
 * NIC client is attached separately.
 */
void virtio_net_setup(VirtIONet *n);
/** virtio_net_receive_iov: a packet from the netdev (NIC receive). */
ssize_t virtio_net_receive_iov(VirtIONet *n, const struct iovec *iov,
                               int iovcnt);
/** virtio_net_can_receive: the guest has receive buffers and is ready. */
bool virtio_net_can_receive(VirtIONet *n);
/** virtio_net_set_link: link status from the netdev (config interrupt). */
void virtio_net_set_link(VirtIONet *n, bool up);

extern const VMStateDescription vmstate_virtio_net_pci;

#endif
