/*
 * COLO proxy: packet parsing and connection keys (pure, no state).
 *
 * A frame handed to the COLO proxy is laid out as
 *
 *   +-----------+----------+--------+------------------+-----------+
 *   | vnet hdr  | Ethernet | 802.1Q | IPv4 or IPv6     | TCP / UDP |
 *   | (0 or N)  | 14 bytes | 0 or 4 | (+ IPv6 ext hdrs)| / ICMP .. |
 *   +-----------+----------+--------+------------------+-----------+
 *   ^frame      ^l2_off             ^l3_off            ^l4_off
 *
 * colo_packet_parse() validates every length against the bytes actually
 * present and records the offsets above in a ColoPacketInfo.  It never
 * reads past the buffer, so it may be fed anything a peer sends.
 *
 * A connection is identified by a ColoConnKey: VLAN id, address family,
 * protocol and the two (address, port) endpoints in a normalized order
 * (the numerically smaller endpoint first), so both directions of one
 * flow produce the same key.  Key structs are memset to zero before they
 * are filled, so they can be hashed and compared as bytes.
 */
#ifndef NET_COLO_H
#define NET_COLO_H

#define COLO_ETH_HLEN           14
#define COLO_VLAN_HLEN          4
#define COLO_ETH_P_IP           0x0800
#define COLO_ETH_P_IPV6         0x86dd
#define COLO_ETH_P_VLAN         0x8100
#define COLO_ETH_P_QINQ         0x88a8

#define COLO_IPPROTO_ICMP       1
#define COLO_IPPROTO_TCP        6
#define COLO_IPPROTO_UDP        17
#define COLO_IPPROTO_ICMPV6     58

#define COLO_TCP_FIN            0x01
#define COLO_TCP_SYN            0x02
#define COLO_TCP_RST            0x04
#define COLO_TCP_PSH            0x08
#define COLO_TCP_ACK            0x10

/* virtio-net header flag: the checksum field holds a partial sum only */
#define COLO_VNET_F_NEEDS_CSUM  1

/* Largest vnet header we accept (virtio_net_hdr_v1_hash is 20 bytes) */
#define COLO_VNET_HDR_MAX       64

typedef enum ColoParseResult {
    COLO_PARSE_OK,          /* IPv4/IPv6, not a fragment */
    COLO_PARSE_FRAGMENT,    /* IPv4/IPv6 fragment; frag_* fields valid */
    COLO_PARSE_NOT_IP,      /* well-formed Ethernet, not IP (ARP, ...) */
    COLO_PARSE_MALFORMED,   /* truncated or inconsistent lengths */
} ColoParseResult;

typedef struct ColoConnKey {
    uint8_t addr[2][16];    /* IPv4 uses the first 4 bytes */
    uint16_t port[2];       /* host order; 0 for protocols without ports */
    uint16_t vlan;          /* VLAN id, 0 when untagged */
    uint8_t family;         /* 4 or 6 */
    uint8_t proto;
} ColoConnKey;

typedef struct ColoPacketInfo {
    size_t vnet_hdr_len;
    size_t l3_off;          /* from the start of the frame (incl. vnet) */
    size_t l4_off;
    size_t l4_len;          /* L4 header + payload (IP padding excluded) */
    size_t payload_off;     /* TCP/UDP payload; == l4_off otherwise */
    size_t payload_len;
    size_t end;             /* end of the IP datagram (frame padding cut) */
    uint16_t vlan;
    uint16_t ethertype;     /* after VLAN tags */
    uint8_t family;
    uint8_t proto;
    /* TCP only */
    uint32_t tcp_seq;
    uint32_t tcp_ack;
    uint8_t tcp_flags;
    /* fragments only (COLO_PARSE_FRAGMENT) */
    uint32_t frag_id;
    uint32_t frag_offset;   /* in bytes */
    bool frag_more;
    size_t frag_hdr_off;    /* IPv6: offset of the fragment header */
    size_t frag_nh_off;     /* IPv6: offset of the byte naming it (44) */
    /* connection */
    ColoConnKey key;
    bool key_swapped;       /* src endpoint is key.addr[1]/port[1] */
} ColoPacketInfo;

/**
 * ColoStatFn: receives one named counter (lower-case, '-' separated,
 * e.g. "miscompares-tcp"); used by the *_stats_foreach() functions so
 * that QOM wrappers can expose statistics without listing fields.
 */
typedef void ColoStatFn(void *opaque, const char *name, uint64_t value);

/**
 * colo_packet_parse:
 * @frame: the frame, starting with @vnet_hdr_len bytes of vnet header
 * @len: bytes in @frame (including the vnet header)
 * @vnet_hdr_len: length of the vnet header in front of Ethernet
 * @info: filled in on COLO_PARSE_OK and COLO_PARSE_FRAGMENT
 *
 * Validates Ethernet, up to two VLAN tags, IPv4 (version, IHL, total
 * length) or IPv6 (payload length, extension header chain), and the TCP
 * data offset / UDP length.  Fragments are reported before the L4 header
 * is looked at (it may not be in this fragment).
 *
 * Returns: the classification; never reads outside @frame[0..@len).
 */
ColoParseResult colo_packet_parse(const uint8_t *frame, size_t len,
                                  size_t vnet_hdr_len, ColoPacketInfo *info);

/**
 * colo_conn_key_hash / colo_conn_key_equal: GHashTable callbacks over
 * ColoConnKey pointers.
 */
guint colo_conn_key_hash(gconstpointer key);
gboolean colo_conn_key_equal(gconstpointer a, gconstpointer b);

/**
 * colo_csum_add: ones-complement sum of @len bytes (big-endian 16-bit
 * words) added to @sum; the result is not folded.
 */
uint32_t colo_csum_add(uint32_t sum, const uint8_t *buf, size_t len);

/** colo_csum_fold: folds @sum to 16 bits and complements it. */
uint16_t colo_csum_fold(uint32_t sum);

/**
 * colo_csum_replace32: incrementally updates the 16-bit checksum stored
 * big-endian at @csum (RFC 1624) for a 32-bit field changing from @from
 * to @to.
 */
void colo_csum_replace32(uint8_t *csum, uint32_t from, uint32_t to);

static inline uint16_t colo_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t colo_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static inline void colo_wr16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static inline void colo_wr32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

/* TCP sequence-space comparisons (RFC 793 modular arithmetic) */
static inline bool colo_seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

#endif
