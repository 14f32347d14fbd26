/*
 * Receive segment coalescing for virtio-net (see
 * include/hw/net/virtio-net-rsc.h for the rules).
 *
 * Accepted segments: Ethernet II without a VLAN tag; IPv4 without
 * options, not fragmented; or IPv6 with TCP as the next header; TCP with
 * payload, flags exactly ACK or ACK|PSH.  Everything else is left to the
 * ordinary receive path.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/net/virtio-net-rsc.h"
#include "hw/net/virtio-net-offload.h"

#define ETH_HLEN        14
#define ETH_P_IP        0x0800
#define ETH_P_IPV6      0x86dd
#define IP_PROTO_TCP    6
#define TCP_PSH         0x08
#define TCP_ACK         0x10
#define IP_MAX_LEN      65535

#define VHDR_F_DATA_VALID   2
#define VHDR_GSO_TCPV4      1
#define VHDR_GSO_TCPV6      4

/* Where the parts of one candidate segment are. */
typedef struct Seg {
    size_t l4;
    size_t hdr;              /* payload offset */
    size_t end;              /* end of the IP datagram */
    bool v6;
} Seg;

/* A TCP segment with payload and flags ACK[|PSH]; false otherwise. */
static bool parse_seg(const uint8_t *f, size_t len, Seg *s)
{
    const size_t l3 = ETH_HLEN;
    size_t doff;

    if (len < l3 + 40) {
        return false;
    }
    switch (lduw_be_p(f + 12)) {
    case ETH_P_IP:
        if (f[l3] != 0x45 || f[l3 + 9] != IP_PROTO_TCP ||
            (lduw_be_p(f + l3 + 6) & 0x3fff)) {       /* MF or an offset */
            return false;
        }
        s->v6 = false;
        s->l4 = l3 + 20;
        s->end = l3 + lduw_be_p(f + l3 + 2);
        break;
    case ETH_P_IPV6:
        if ((f[l3] >> 4) != 6 || f[l3 + 6] != IP_PROTO_TCP) {
            return false;
        }
        s->v6 = true;
        s->l4 = l3 + 40;
        s->end = s->l4 + lduw_be_p(f + l3 + 4);
        break;
    default:
        return false;
    }
    if (s->end > len || s->l4 + 20 > s->end) {
        return false;
    }
    doff = (f[s->l4 + 12] >> 4) * 4;
    s->hdr = s->l4 + doff;
    if (doff < 20 || s->hdr >= s->end) {
        return false;        /* bad offset or no payload */
    }
    /* flags: ACK, optionally PSH; no SYN/FIN/RST/URG/ECE/CWR */
    return (f[s->l4 + 13] & ~TCP_PSH) == TCP_ACK && !(f[s->l4 + 12] & 0xf);
}

void virtio_net_rsc_init(VirtioNetRsc *r)
{
    memset(r, 0, sizeof(*r));
    r->buf = g_malloc(VIRTIO_NET_RSC_MAX_FRAME);
    r->v4_ok = r->v6_ok = true;
}

void virtio_net_rsc_cleanup(VirtioNetRsc *r)
{
    g_free(r->buf);
    r->buf = NULL;
    r->len = 0;
}

void virtio_net_rsc_clear(VirtioNetRsc *r)
{
    r->len = 0;
    r->segs = 0;
    r->closed = false;
}

static void start(VirtioNetRsc *r, const uint8_t *f, const Seg *s)
{
    size_t pay = s->end - s->hdr;

    memcpy(r->buf, f, s->end);
    r->len = s->end;
    r->l3 = ETH_HLEN;
    r->l4 = s->l4;
    r->hdr = s->hdr;
    r->v6 = s->v6;
    r->mss = pay;
    r->next_seq = ldl_be_p(f + s->l4 + 4) + pay;
    r->segs = 1;
    r->closed = (f[s->l4 + 13] & TCP_PSH) != 0;
}

/* Same connection, same header fields that must not change. */
static bool same_flow(const VirtioNetRsc *r, const uint8_t *f, const Seg *s)
{
    const uint8_t *h = r->buf;
    const size_t l3 = ETH_HLEN;

    if (s->v6 != r->v6 || s->hdr != r->hdr ||
        memcmp(f, h, ETH_HLEN) != 0) {
        return false;
    }
    if (s->v6) {
        /* version, class, flow label; next header, hop limit; addrs */
        if (memcmp(f + l3, h + l3, 4) != 0 ||
            memcmp(f + l3 + 6, h + l3 + 6, 34) != 0) {
            return false;
        }
    } else if (f[l3 + 1] != h[l3 + 1] ||           /* TOS */
               f[l3 + 6] != h[l3 + 6] ||           /* DF */
               memcmp(f + l3 + 8, h + l3 + 8, 2) != 0 ||  /* TTL, proto */
               memcmp(f + l3 + 12, h + l3 + 12, 8) != 0) {
        return false;
    }
    /* ports; ack number; data offset; options */
    return memcmp(f + s->l4, h + r->l4, 4) == 0 &&
           memcmp(f + s->l4 + 8, h + r->l4 + 8, 5) == 0 &&
           memcmp(f + s->l4 + 20, h + r->l4 + 20, s->hdr - s->l4 - 20) == 0;
}

bool virtio_net_rsc_add(VirtioNetRsc *r, const uint8_t *frame, size_t len)
{
    size_t pay;
    Seg s;

    if (!r->buf || !parse_seg(frame, len, &s) ||
        !(s.v6 ? r->v6_ok : r->v4_ok)) {
        return false;
    }
    pay = s.end - s.hdr;
    if (!r->len) {
        start(r, frame, &s);
        return true;
    }
    if (r->closed || !same_flow(r, frame, &s) ||
        ldl_be_p(frame + s.l4 + 4) != r->next_seq || pay > r->mss ||
        r->len + pay - r->l3 > IP_MAX_LEN) {
        return false;
    }
    memcpy(r->buf + r->len, frame + s.hdr, pay);
    r->len += pay;
    r->next_seq += pay;
    r->segs++;
    /* the latest window and PSH */
    memcpy(r->buf + r->l4 + 14, frame + s.l4 + 14, 2);
    r->buf[r->l4 + 13] |= frame[s.l4 + 13] & TCP_PSH;
    if (pay < r->mss || (frame[s.l4 + 13] & TCP_PSH)) {
        r->closed = true;
    }
    return true;
}

size_t virtio_net_rsc_finish(VirtioNetRsc *r, uint8_t *vhdr)
{
    uint8_t *f = r->buf;
    size_t l4len;
    uint64_t sum;

    memset(vhdr, 0, 12);
    if (!r->len) {
        return 0;
    }
    l4len = r->len - r->l4;
    if (r->v6) {
        stw_be_p(f + r->l3 + 4, l4len);
        sum = virtio_net_csum_add(0, f + r->l3 + 8, 32);
    } else {
        stw_be_p(f + r->l3 + 2, r->len - r->l3);
        stw_be_p(f + r->l3 + 10, 0);
        stw_be_p(f + r->l3 + 10, ~virtio_net_csum_fold(virtio_net_csum_add(0,
            f + r->l3, 20)));
        sum = virtio_net_csum_add(0, f + r->l3 + 12, 8);
    }
    stw_be_p(f + r->l4 + 16, 0);
    sum += IP_PROTO_TCP + l4len + virtio_net_csum_add(0, f + r->l4, l4len);
    stw_be_p(f + r->l4 + 16, ~virtio_net_csum_fold(sum));
    vhdr[0] = VHDR_F_DATA_VALID;
    if (r->segs > 1) {
        vhdr[1] = r->v6 ? VHDR_GSO_TCPV6 : VHDR_GSO_TCPV4;
        vhdr[2] = r->hdr;
        vhdr[3] = r->hdr >> 8;
        vhdr[4] = r->mss;
        vhdr[5] = r->mss >> 8;
    }
    return r->len;
}
