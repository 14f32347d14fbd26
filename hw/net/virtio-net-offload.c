/*
 * Software checksum and TCP segmentation offload for virtio-net (see
 * include/hw/net/virtio-net-offload.h).  Pure: no device state, unit
 * tests link it directly.
 *
 * Checksums are Internet checksums (RFC 1071) over big-endian 16-bit
 * words; the TCP/UDP pseudo header is source and destination address,
 * protocol and transport length.  A segment of a TCP super-frame gets
 * a copy of the Ethernet, IP and TCP headers with: IPv4 total length,
 * identification (+1 per segment) and header checksum, or the IPv6
 * payload length; the TCP sequence number advanced by the payload
 * already sent; FIN and PSH only on the last segment, CWR only on the
 * first; a fresh TCP checksum.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/net/virtio-net-offload.h"

#define ETH_HLEN        14
#define ETH_P_IP        0x0800
#define ETH_P_IPV6      0x86dd
#define ETH_P_8021Q     0x8100
#define IP_PROTO_TCP    6
#define IP_PROTO_UDP    17
#define TCP_FIN         0x01
#define TCP_PSH         0x08
#define TCP_CWR         0x80
#define GSO_MAX_SEGS    2048

typedef struct L3L4 {
    size_t l3;              /* IP header */
    size_t l4;              /* TCP/UDP header */
    size_t end;             /* end of the IP datagram (padding after) */
    uint8_t proto;
    bool v6;
} L3L4;

uint64_t virtio_net_csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += lduw_be_p(p + i);
    }
    if (len & 1) {
        sum += (uint32_t)p[len - 1] << 8;
    }
    return sum;
}

uint16_t virtio_net_csum_fold(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* The checksum field value: the complement, 0 sent as 0xffff. */
static uint16_t csum_final(uint64_t sum)
{
    uint16_t c = ~virtio_net_csum_fold(sum);

    return c ? c : 0xffff;
}

static bool parse_l3l4(const uint8_t *f, size_t len, L3L4 *p)
{
    size_t off = ETH_HLEN;
    uint16_t type;

    if (len < ETH_HLEN) {
        return false;
    }
    type = lduw_be_p(f + 12);
    if (type == ETH_P_8021Q) {
        if (len < ETH_HLEN + 4) {
            return false;
        }
        type = lduw_be_p(f + 16);
        off += 4;
    }
    p->l3 = off;
    if (type == ETH_P_IP) {
        size_t ihl, tot;

        if (len < off + 20 || (f[off] >> 4) != 4) {
            return false;
        }
        ihl = (f[off] & 0xf) * 4;
        tot = lduw_be_p(f + off + 2);
        if (ihl < 20 || tot < ihl || off + tot > len ||
            (lduw_be_p(f + off + 6) & 0x3fff)) {     /* MF or an offset */
            return false;
        }
        p->v6 = false;
        p->proto = f[off + 9];
        p->l4 = off + ihl;
        p->end = off + tot;
        return true;
    }
    if (type == ETH_P_IPV6) {
        size_t plen;

        if (len < off + 40 || (f[off] >> 4) != 6) {
            return false;
        }
        plen = lduw_be_p(f + off + 4);
        if (off + 40 + plen > len) {
            return false;
        }
        p->v6 = true;
        p->proto = f[off + 6];
        p->l4 = off + 40;
        p->end = off + 40 + plen;
        return true;
    }
    return false;
}

static uint64_t pseudo_sum(const uint8_t *f, const L3L4 *p, size_t l4len)
{
    uint64_t sum;

    if (p->v6) {
        sum = virtio_net_csum_add(0, f + p->l3 + 8, 32);
    } else {
        sum = virtio_net_csum_add(0, f + p->l3 + 12, 8);
    }
    return sum + p->proto + l4len;
}

void virtio_net_hdr_parse(const uint8_t *raw, VirtioNetHdrFields *h)
{
    h->flags = raw[0];
    h->gso_type = raw[1];
    h->gso_size = raw[4] | (raw[5] << 8);
    h->csum_start = raw[6] | (raw[7] << 8);
    h->csum_offset = raw[8] | (raw[9] << 8);
}

bool virtio_net_hdr_needs_offload(const VirtioNetHdrFields *h)
{
    return (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) ||
           h->gso_type != VIRTIO_NET_HDR_GSO_NONE;
}

bool virtio_net_rx_csum_ok(const uint8_t *frame, size_t len)
{
    L3L4 p;
    size_t l4len;

    if (!parse_l3l4(frame, len, &p)) {
        return false;
    }
    l4len = p.end - p.l4;
    if (p.proto == IP_PROTO_TCP) {
        if (l4len < 20) {
            return false;
        }
    } else if (p.proto == IP_PROTO_UDP) {
        if (l4len < 8 || lduw_be_p(frame + p.l4 + 6) == 0) {
            return false;    /* no checksum to vouch for */
        }
    } else {
        return false;
    }
    return virtio_net_csum_fold(pseudo_sum(frame, &p, l4len) +
                     virtio_net_csum_add(0, frame + p.l4, l4len)) == 0xffff;
}

static int tx_csum(const VirtioNetHdrFields *h, uint8_t *frame, size_t len,
                   VirtioNetEmitFunc *emit, void *opaque)
{
    size_t start = h->csum_start;
    size_t pos = start + h->csum_offset;

    if (start >= len || pos + 2 > len) {
        return -1;
    }
    /* the field holds the pseudo-header sum: it is part of the sum */
    stw_be_p(frame + pos, csum_final(virtio_net_csum_add(0,
        frame + start, len - start)));
    emit(opaque, frame, len);
    return 1;
}

static int tx_tso(const VirtioNetHdrFields *h, const uint8_t *frame,
                  size_t len, VirtioNetEmitFunc *emit, void *opaque)
{
    g_autofree uint8_t *buf = NULL;
    size_t doff, hdr, payload, mss = h->gso_size, off = 0;
    uint32_t seq0;
    uint16_t id0 = 0;
    uint8_t flags0;
    int n = 0;
    L3L4 p;

    if (!parse_l3l4(frame, len, &p) || p.proto != IP_PROTO_TCP ||
        p.v6 != (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6) ||
        p.l4 + 20 > p.end || mss == 0) {
        return -1;
    }
    doff = (frame[p.l4 + 12] >> 4) * 4;
    hdr = p.l4 + doff;
    if (doff < 20 || hdr > p.end) {
        return -1;
    }
    payload = p.end - hdr;
    if (DIV_ROUND_UP(payload, mss) > GSO_MAX_SEGS) {
        return -1;
    }
    seq0 = ldl_be_p(frame + p.l4 + 4);
    flags0 = frame[p.l4 + 13];
    if (!p.v6) {
        id0 = lduw_be_p(frame + p.l3 + 4);
    }
    buf = g_malloc(hdr + MIN(mss, payload));
    do {
        size_t seg = MIN(mss, payload - off);
        bool last = off + seg >= payload;
        uint8_t fl = flags0;

        memcpy(buf, frame, hdr);
        memcpy(buf + hdr, frame + hdr + off, seg);
        if (p.v6) {
            stw_be_p(buf + p.l3 + 4, doff + seg);
        } else {
            stw_be_p(buf + p.l3 + 2, p.l4 - p.l3 + doff + seg);
            stw_be_p(buf + p.l3 + 4, id0 + n);
            stw_be_p(buf + p.l3 + 10, 0);
            stw_be_p(buf + p.l3 + 10,
                 (uint16_t)~virtio_net_csum_fold(virtio_net_csum_add(0,
                     buf + p.l3, p.l4 - p.l3)));
        }
        stl_be_p(buf + p.l4 + 4, seq0 + off);
        if (!last) {
            fl &= ~(TCP_FIN | TCP_PSH);
        }
        if (n) {
            fl &= ~TCP_CWR;
        }
        buf[p.l4 + 13] = fl;
        stw_be_p(buf + p.l4 + 16, 0);
        stw_be_p(buf + p.l4 + 16,
             csum_final(pseudo_sum(buf, &p, doff + seg) +
                        virtio_net_csum_add(0, buf + p.l4, doff + seg)));
        emit(opaque, buf, hdr + seg);
        n++;
        off += seg;
    } while (off < payload);
    return n;
}

size_t virtio_net_tx_gso_whole(const VirtioNetHdrFields *h, uint8_t *frame,
                               size_t len)
{
    size_t l4len;
    L3L4 p;

    if ((h->gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
         h->gso_type != VIRTIO_NET_HDR_GSO_TCPV6) ||
        !parse_l3l4(frame, len, &p) || p.proto != IP_PROTO_TCP ||
        p.v6 != (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6) ||
        p.l4 + 20 > p.end) {
        return 0;
    }
    l4len = p.end - p.l4;
    if (!p.v6) {
        stw_be_p(frame + p.l3 + 10, 0);
        stw_be_p(frame + p.l3 + 10,
             (uint16_t)~virtio_net_csum_fold(virtio_net_csum_add(0,
                 frame + p.l3, p.l4 - p.l3)));
    }
    stw_be_p(frame + p.l4 + 16, 0);
    stw_be_p(frame + p.l4 + 16,
         csum_final(pseudo_sum(frame, &p, l4len) +
                    virtio_net_csum_add(0, frame + p.l4, l4len)));
    return p.end;
}

int virtio_net_tx_offload(const VirtioNetHdrFields *h, uint8_t *frame,
                          size_t len, VirtioNetEmitFunc *emit,
                          void *opaque)
{
    switch (h->gso_type) {
    case VIRTIO_NET_HDR_GSO_NONE:
        if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
            return tx_csum(h, frame, len, emit, opaque);
        }
        emit(opaque, frame, len);
        return 1;
    case VIRTIO_NET_HDR_GSO_TCPV4:
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return tx_tso(h, frame, len, emit, opaque);
    default:
        return -1;           /* UDP, ECN: never offered */
    }
}
