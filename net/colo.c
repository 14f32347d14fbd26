/*
 * COLO proxy: packet parsing, connection keys and checksum helpers.
 *
 * Everything here is a pure function over a byte buffer; see
 * include/net/colo.h for the frame layout.
 */
#include "qemu/osdep.h"
#include "net/colo.h"

#define IPV4_HLEN_MIN       20
#define IPV6_HLEN           40
#define IPV6_EXT_MAX        8       /* extension headers we walk at most */
#define TCP_HLEN_MIN        20
#define UDP_HLEN            8
#define ICMP_HLEN_MIN       4

#define IPV6_NH_HOPOPTS     0
#define IPV6_NH_ROUTING     43
#define IPV6_NH_FRAGMENT    44
#define IPV6_NH_AH          51
#define IPV6_NH_DSTOPTS     60

static void key_normalize(ColoPacketInfo *info, const uint8_t *src,
                          const uint8_t *dst, size_t alen,
                          uint16_t sport, uint16_t dport)
{
    ColoConnKey *k = &info->key;
    int c = memcmp(src, dst, alen);

    info->key_swapped = c > 0 || (c == 0 && sport > dport);
    memcpy(k->addr[info->key_swapped], src, alen);
    memcpy(k->addr[!info->key_swapped], dst, alen);
    k->port[info->key_swapped] = sport;
    k->port[!info->key_swapped] = dport;
}

static void fill_key(ColoPacketInfo *info, const uint8_t *frame,
                     uint16_t sport, uint16_t dport)
{
    const uint8_t *l3 = frame + info->l3_off;

    memset(&info->key, 0, sizeof(info->key));
    info->key.vlan = info->vlan;
    info->key.family = info->family;
    info->key.proto = info->proto;
    if (info->family == 4) {
        key_normalize(info, l3 + 12, l3 + 16, 4, sport, dport);
    } else {
        key_normalize(info, l3 + 8, l3 + 24, 16, sport, dport);
    }
}

static ColoParseResult parse_ipv4(const uint8_t *frame, ColoPacketInfo *info,
                                  size_t avail)
{
    const uint8_t *ip = frame + info->l3_off;
    size_t ihl, tot;
    uint16_t fo;

    if (avail < IPV4_HLEN_MIN || (ip[0] >> 4) != 4) {
        return COLO_PARSE_MALFORMED;
    }
    ihl = (ip[0] & 0xf) * 4;
    tot = colo_rd16(ip + 2);
    if (ihl < IPV4_HLEN_MIN || ihl > avail || tot < ihl || tot > avail) {
        return COLO_PARSE_MALFORMED;
    }
    info->family = 4;
    info->proto = ip[9];
    info->l4_off = info->l3_off + ihl;
    info->l4_len = tot - ihl;
    info->end = info->l3_off + tot;
    fo = colo_rd16(ip + 6);
    if (fo & 0x3fff) {
        info->frag_id = colo_rd16(ip + 4);
        info->frag_offset = (fo & 0x1fff) * 8;
        info->frag_more = !!(fo & 0x2000);
        return COLO_PARSE_FRAGMENT;
    }
    return COLO_PARSE_OK;
}

static bool ipv6_is_ext(uint8_t nh)
{
    return nh == IPV6_NH_HOPOPTS || nh == IPV6_NH_ROUTING ||
           nh == IPV6_NH_DSTOPTS || nh == IPV6_NH_AH ||
           nh == IPV6_NH_FRAGMENT;
}

static ColoParseResult parse_ipv6(const uint8_t *frame, ColoPacketInfo *info,
                                  size_t avail)
{
    const uint8_t *ip = frame + info->l3_off;
    size_t plen, off, end, nh_off;
    uint8_t nh;
    int i;

    if (avail < IPV6_HLEN || (ip[0] >> 4) != 6) {
        return COLO_PARSE_MALFORMED;
    }
    plen = colo_rd16(ip + 4);
    if (IPV6_HLEN + plen > avail) {
        return COLO_PARSE_MALFORMED;
    }
    info->family = 6;
    end = info->l3_off + IPV6_HLEN + plen;
    info->end = end;
    off = info->l3_off + IPV6_HLEN;
    nh_off = info->l3_off + 6;
    nh = ip[6];
    for (i = 0;; i++) {
        const uint8_t *h = frame + off;
        size_t hlen;

        if (i == IPV6_EXT_MAX && ipv6_is_ext(nh)) {
            return COLO_PARSE_MALFORMED;
        }
        if (nh == IPV6_NH_HOPOPTS || nh == IPV6_NH_ROUTING ||
            nh == IPV6_NH_DSTOPTS || nh == IPV6_NH_AH) {
            if (off + 2 > end) {
                return COLO_PARSE_MALFORMED;
            }
            hlen = nh == IPV6_NH_AH ? (h[1] + 2) * 4 : (h[1] + 1) * 8;
        } else if (nh == IPV6_NH_FRAGMENT) {
            uint16_t fo;

            hlen = 8;
            if (off + hlen > end) {
                return COLO_PARSE_MALFORMED;
            }
            fo = colo_rd16(h + 2);
            if ((fo & 0xfff8) || (fo & 1)) {
                info->proto = h[0];
                info->frag_id = colo_rd32(h + 4);
                info->frag_offset = fo & 0xfff8;
                info->frag_more = fo & 1;
                info->frag_hdr_off = off;
                info->frag_nh_off = nh_off;
                info->l4_off = off + hlen;
                info->l4_len = end - info->l4_off;
                return COLO_PARSE_FRAGMENT;
            }
            /* atomic fragment (RFC 6946): just skip the header */
        } else {
            break;
        }
        if (off + hlen > end) {
            return COLO_PARSE_MALFORMED;
        }
        nh_off = off;
        nh = h[0];
        off += hlen;
    }
    info->proto = nh;
    info->l4_off = off;
    info->l4_len = end - off;
    return COLO_PARSE_OK;
}

static ColoParseResult parse_l4(const uint8_t *frame, ColoPacketInfo *info)
{
    const uint8_t *l4 = frame + info->l4_off;
    uint16_t sport = 0, dport = 0;

    info->payload_off = info->l4_off;
    info->payload_len = info->l4_len;
    switch (info->proto) {
    case COLO_IPPROTO_TCP: {
        size_t doff;

        if (info->l4_len < TCP_HLEN_MIN) {
            return COLO_PARSE_MALFORMED;
        }
        doff = (l4[12] >> 4) * 4;
        if (doff < TCP_HLEN_MIN || doff > info->l4_len) {
            return COLO_PARSE_MALFORMED;
        }
        sport = colo_rd16(l4);
        dport = colo_rd16(l4 + 2);
        info->tcp_seq = colo_rd32(l4 + 4);
        info->tcp_ack = colo_rd32(l4 + 8);
        info->tcp_flags = l4[13];
        info->payload_off = info->l4_off + doff;
        info->payload_len = info->l4_len - doff;
        break;
    }
    case COLO_IPPROTO_UDP: {
        size_t ulen;

        if (info->l4_len < UDP_HLEN) {
            return COLO_PARSE_MALFORMED;
        }
        ulen = colo_rd16(l4 + 4);
        if (ulen < UDP_HLEN || ulen > info->l4_len) {
            return COLO_PARSE_MALFORMED;
        }
        sport = colo_rd16(l4);
        dport = colo_rd16(l4 + 2);
        info->payload_off = info->l4_off + UDP_HLEN;
        info->payload_len = ulen - UDP_HLEN;
        break;
    }
    case COLO_IPPROTO_ICMP:
    case COLO_IPPROTO_ICMPV6:
        if (info->l4_len < ICMP_HLEN_MIN) {
            return COLO_PARSE_MALFORMED;
        }
        break;
    default:
        break;
    }
    fill_key(info, frame, sport, dport);
    return COLO_PARSE_OK;
}

ColoParseResult colo_packet_parse(const uint8_t *frame, size_t len,
                                  size_t vnet_hdr_len, ColoPacketInfo *info)
{
    size_t off = vnet_hdr_len + COLO_ETH_HLEN;
    ColoParseResult r;
    uint16_t type;
    int tags = 0;

    memset(info, 0, offsetof(ColoPacketInfo, key));
    info->vnet_hdr_len = vnet_hdr_len;
    if (vnet_hdr_len > len || len - vnet_hdr_len < COLO_ETH_HLEN) {
        return COLO_PARSE_MALFORMED;
    }
    type = colo_rd16(frame + off - 2);
    while (type == COLO_ETH_P_VLAN || type == COLO_ETH_P_QINQ) {
        if (++tags > 2 || off + COLO_VLAN_HLEN > len) {
            return COLO_PARSE_MALFORMED;
        }
        if (tags == 1) {
            info->vlan = colo_rd16(frame + off) & 0xfff;
        }
        type = colo_rd16(frame + off + 2);
        off += COLO_VLAN_HLEN;
    }
    info->ethertype = type;
    info->l3_off = off;
    if (type == COLO_ETH_P_IP) {
        r = parse_ipv4(frame, info, len - off);
    } else if (type == COLO_ETH_P_IPV6) {
        r = parse_ipv6(frame, info, len - off);
    } else {
        return COLO_PARSE_NOT_IP;
    }
    if (r == COLO_PARSE_FRAGMENT) {
        fill_key(info, frame, 0, 0);
        return r;
    }
    if (r != COLO_PARSE_OK) {
        return r;
    }
    return parse_l4(frame, info);
}

guint colo_conn_key_hash(gconstpointer key)
{
    const uint32_t *w = key;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    size_t i;

    QEMU_BUILD_BUG_ON(sizeof(ColoConnKey) % 4);
    for (i = 0; i < sizeof(ColoConnKey) / 4; i++) {
        h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return (guint)(h ^ (h >> 32));
}

gboolean colo_conn_key_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(ColoConnKey)) == 0;
}

uint32_t colo_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
    uint64_t s = sum;
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        s += (uint32_t)(buf[i] << 8 | buf[i + 1]);
    }
    if (len & 1) {
        s += (uint32_t)buf[len - 1] << 8;
    }
    while (s >> 32) {
        s = (s & 0xffffffff) + (s >> 32);
    }
    return (uint32_t)s;
}

uint16_t colo_csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

void colo_csum_replace32(uint8_t *csum, uint32_t from, uint32_t to)
{
    /* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
    uint32_t s = (uint16_t)~colo_rd16(csum);

    s += (uint16_t)~(from >> 16);
    s += (uint16_t)~(from & 0xffff);
    s += to >> 16;
    s += to & 0xffff;
    colo_wr16(csum, colo_csum_fold(s));
}
