/*
 * Test helpers: build Ethernet / 802.1Q / IPv4 / IPv6 / TCP / UDP / ICMP
 * frames with correct checksums, fragment them, and verify checksums
 * with an implementation independent of net/colo.c.
 */
#ifndef TEST_COLO_PKTGEN_H
#define TEST_COLO_PKTGEN_H

#define TPKT_MAX    (70 * 1024)

typedef struct TestFlow {
    bool v6;
    uint16_t vlan;              /* 0: untagged */
    size_t vnet_hdr_len;        /* zero-filled vnet header in front */
    uint8_t client[16];         /* IPv4 uses the first 4 bytes */
    uint8_t guest[16];
    uint16_t client_port;
    uint16_t guest_port;
    uint16_t ip_id;             /* incremented per IPv4 packet */
} TestFlow;

/* A flow between 10.0.0.1:port and 10.0.0.2:80 (or fd00::1/fd00::2). */
void tpkt_flow_init(TestFlow *f, bool v6, uint16_t vlan, uint16_t port);

/*
 * Builds a frame into @buf (TPKT_MAX bytes) sent by the guest
 * (@from_guest) or by the client; returns its length.
 */
size_t tpkt_tcp(uint8_t *buf, TestFlow *f, bool from_guest, uint32_t seq,
                uint32_t ack, uint8_t flags, const void *payload,
                size_t plen);
/* The same with TCP options (@olen a multiple of 4, at most 40). */
size_t tpkt_tcp_opts(uint8_t *buf, TestFlow *f, bool from_guest,
                     uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *opts, size_t olen, const void *payload,
                     size_t plen);
size_t tpkt_udp(uint8_t *buf, TestFlow *f, bool from_guest,
                const void *payload, size_t plen);
size_t tpkt_icmp_echo(uint8_t *buf, TestFlow *f, bool from_guest,
                      uint16_t id, uint16_t seq, const void *payload,
                      size_t plen);
/* IP protocol @proto with a raw payload */
size_t tpkt_raw_ip(uint8_t *buf, TestFlow *f, bool from_guest, uint8_t proto,
                   const void *payload, size_t plen);
/* an ARP request */
size_t tpkt_arp(uint8_t *buf, size_t vnet_hdr_len);

/* Sets the TTL / hop limit (changes the IP header only). */
void tpkt_set_ttl(uint8_t *frame, const TestFlow *f, uint8_t ttl);

/*
 * Splits the IP datagram in @frame into fragments carrying at most
 * @chunk data bytes (a multiple of 8); returns the count.  @out[i] are
 * g_malloc'ed, lengths in @out_len[i].
 */
unsigned tpkt_fragment(const uint8_t *frame, size_t len, const TestFlow *f,
                       size_t chunk, uint32_t id, uint8_t **out,
                       size_t *out_len, unsigned max);

/* True if the TCP/UDP checksum of @frame verifies (pseudo header incl.) */
bool tpkt_l4_csum_ok(const uint8_t *frame, size_t len, const TestFlow *f);

/* Offset of the L4 header in frames built for @f (no extension headers) */
size_t tpkt_l4_off(const TestFlow *f);

static inline void tpkt_put32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static inline uint32_t tpkt_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

#endif
