/*
 * Software checksum and TCP segmentation offload for virtio-net when the
 * netdev cannot carry a virtio_net_hdr (user, socket, tap without
 * vnet_hdr): the guest hands over partially checksummed frames and
 * 64 KiB TCP super-frames, and the device completes them into ordinary
 * Ethernet frames, as the guest would have without the offloads.  On
 * receive, a frame whose TCP/UDP checksum is verified here is marked
 * DATA_VALID so that the guest need not verify it again.
 *
 * Frames handled: Ethernet II, at most one 802.1Q tag, IPv4 (options
 * allowed) or IPv6 (TCP/UDP directly after the fixed header), TCP or
 * UDP.  The virtio_net_hdr fields used (VIRTIO 1.1 section 5.1.6):
 *   flags (NEEDS_CSUM), gso_type (NONE, TCPV4, TCPV6), gso_size,
 *   csum_start, csum_offset.  hdr_len is not trusted: headers are parsed.
 * Everything comes from the guest or a peer: any inconsistency makes the
 * function fail and the caller drops the frame.
 */
#ifndef HW_NET_VIRTIO_NET_OFFLOAD_H
#define HW_NET_VIRTIO_NET_OFFLOAD_H

#define VIRTIO_NET_HDR_F_NEEDS_CSUM     1
#define VIRTIO_NET_HDR_F_DATA_VALID     2
#define VIRTIO_NET_HDR_GSO_NONE         0
#define VIRTIO_NET_HDR_GSO_TCPV4        1
#define VIRTIO_NET_HDR_GSO_TCPV6        4

/* Largest frame a guest may send with TSO (64 KiB payload + headers) */
#define VIRTIO_NET_OFFLOAD_MAX_FRAME    (65536 + 256)

typedef struct VirtioNetHdrFields {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
} VirtioNetHdrFields;

/**
 * virtio_net_hdr_parse: the fields of a little-endian virtio_net_hdr
 * (at least 10 bytes at @raw).
 */
void virtio_net_hdr_parse(const uint8_t *raw, VirtioNetHdrFields *h);

/**
 * virtio_net_hdr_needs_offload: true if @h asks for a checksum or a
 * segmentation that the device must do in software.
 */
bool virtio_net_hdr_needs_offload(const VirtioNetHdrFields *h);

/* Called once per finished frame, in order. */
typedef void VirtioNetEmitFunc(void *opaque, const uint8_t *frame,
                               size_t len);

/**
 * virtio_net_tx_offload: complete @frame (@len bytes, modified in place)
 * as described by @h and pass the resulting frame(s) to @emit.
 * Returns the number of frames emitted, or -1 (nothing emitted) if the
 * frame is malformed or asks for an unsupported offload.
 */
int virtio_net_tx_offload(const VirtioNetHdrFields *h, uint8_t *frame,
                          size_t len, VirtioNetEmitFunc *emit,
                          void *opaque);

/**
 * virtio_net_tx_gso_whole: complete the TCP super-frame @frame (@len
 * bytes, modified in place) described by @h (gso_type TCPV4 or TCPV6)
 * as ONE frame, for a peer that takes frames of any size (libslirp): IP
 * header checksum and the TCP checksum over the whole payload; the IP
 * length fields are the guest's (they cover the whole datagram).
 * Returns the frame's length (padding after the datagram cut off), or
 * 0 if it is malformed.
 */
size_t virtio_net_tx_gso_whole(const VirtioNetHdrFields *h, uint8_t *frame,
                               size_t len);

/**
 * virtio_net_csum_add: adds @len bytes at @p (big-endian 16-bit words, an
 * odd last byte padded with zero) to the unfolded one's-complement @sum.
 */
uint64_t virtio_net_csum_add(uint64_t sum, const uint8_t *p, size_t len);
/** virtio_net_csum_fold: folds @sum to 16 bits (not complemented). */
uint16_t virtio_net_csum_fold(uint64_t sum);

/**
 * virtio_net_rx_csum_ok: true if @frame is TCP or UDP over IPv4/IPv6
 * (not fragmented) and its transport checksum is correct.
 */
bool virtio_net_rx_csum_ok(const uint8_t *frame, size_t len);

#endif
