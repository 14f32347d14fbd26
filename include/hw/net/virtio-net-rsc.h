/*
 * Receive segment coalescing for virtio-net when the netdev delivers
 * plain MTU-sized frames (user, socket, tap without vnet_hdr) and the
 * guest negotiated GUEST_CSUM + GUEST_TSO4/6: consecutive in-order TCP
 * segments of one connection that arrive in one burst are joined into
 * one TCP "super-frame" of up to 64 KiB and handed to the guest with a
 * virtio_net_hdr saying GSO TCPV4/TCPV6, gso_size = the segment size,
 * DATA_VALID.  The guest's driver and TCP then handle one packet (one
 * interrupt, one skb, one ACK decision) instead of ~44; the bytes it
 * receives are the same.
 *
 * Held state (VirtioNetRsc): one frame under construction in @buf:
 *   [Ethernet 14][IPv4 20 | IPv6 40][TCP 20..60][payload of seg 1..k]
 * with the headers of the first segment, the PSH flag and window of the
 * latest.  A segment joins only if it continues the held one exactly:
 * same MACs, addresses, ports, ack number, TCP options, IP TOS/TTL
 * (hop limit, traffic class), seq == next expected, payload size
 * <= the first segment's, flags ACK or ACK|PSH, and the result stays a
 * valid IP datagram (<= 65535).  A short segment or PSH ends the frame.
 * Only frames whose TCP checksum the caller verified may be offered
 * (DATA_VALID vouches for the whole).
 *
 * Pure: no globals, no main loop; the device decides when to flush
 * (end of the burst: a bottom half; before any frame that does not
 * join; at a VM stop).
 */
#ifndef HW_NET_VIRTIO_NET_RSC_H
#define HW_NET_VIRTIO_NET_RSC_H

/* Largest frame built: Ethernet header plus a 64 KiB IP datagram */
#define VIRTIO_NET_RSC_MAX_FRAME    (14 + 65535)

typedef struct VirtioNetRsc {
    uint8_t *buf;            /* VIRTIO_NET_RSC_MAX_FRAME bytes */
    size_t len;              /* bytes held; 0: nothing held */
    size_t l3;               /* IP header offset (14) */
    size_t l4;               /* TCP header offset */
    size_t hdr;              /* payload offset */
    bool v6;
    bool closed;             /* the last segment ends the frame */
    uint16_t mss;            /* payload bytes of the first segment */
    uint32_t next_seq;       /* sequence number expected next */
    unsigned int segs;       /* segments joined */
    bool v4_ok;              /* IPv4 may be joined (GUEST_TSO4); init: on */
    bool v6_ok;              /* IPv6 may be joined (GUEST_TSO6); init: on */
} VirtioNetRsc;

/** virtio_net_rsc_init: allocate the buffer; nothing held, both IP
 * versions allowed. */
void virtio_net_rsc_init(VirtioNetRsc *r);
/** virtio_net_rsc_cleanup: free the buffer (what was held is lost). */
void virtio_net_rsc_cleanup(VirtioNetRsc *r);

/**
 * virtio_net_rsc_add: offer a received frame (checksum already verified
 * by the caller).  With nothing held, a TCP segment with payload and
 * flags ACK[|PSH] starts a new frame.  With a frame held, the segment is
 * appended if it continues it.  Returns true if the frame was taken
 * (copied); false if not: the caller must flush what is held (if
 * anything) before delivering @frame itself.
 */
bool virtio_net_rsc_add(VirtioNetRsc *r, const uint8_t *frame, size_t len);

/**
 * virtio_net_rsc_finish: complete the held frame (IP length and header
 * checksum, TCP checksum over the whole) and fill the 12-byte
 * little-endian virtio_net_hdr_v1 at @vhdr (flags DATA_VALID; GSO
 * TCPV4/TCPV6 with gso_size and hdr_len if more than one segment was
 * joined; num_buffers 0).  Returns the frame length (the frame is at
 * r->buf), 0 if nothing is held.  The frame stays held until
 * virtio_net_rsc_clear(), so that a delivery that fails for lack of
 * guest buffers can be retried.
 */
size_t virtio_net_rsc_finish(VirtioNetRsc *r, uint8_t *vhdr);

/** virtio_net_rsc_clear: drop what is held (after delivering it). */
void virtio_net_rsc_clear(VirtioNetRsc *r);

/** virtio_net_rsc_held: true if a frame is held. */
static inline bool virtio_net_rsc_held(const VirtioNetRsc *r)
{
    return r->len != 0;
}

#endif
