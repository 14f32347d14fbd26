/*
 * Test helpers: frame builders with correct checksums (independent of
 * the code under test).
 */
#include "qemu/osdep.h"
#include "test-colo-pktgen.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v & 0xffff);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 1071, the plain way */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    while (n > 1) {
        acc += get16(p);
        p += 2;
        n -= 2;
    }
    if (n) {
        acc += p[0] << 8;
    }
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc > 0xffff) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    return (uint16_t)~acc;
}

void tpkt_flow_init(TestFlow *f, bool v6, uint16_t vlan, uint16_t port)
{
    memset(f, 0, sizeof(*f));
    f->v6 = v6;
    f->vlan = vlan;
    if (v6) {
        f->client[0] = 0xfd;
        f->client[15] = 1;
        f->guest[0] = 0xfd;
        f->guest[15] = 2;
    } else {
        f->client[0] = 10;
        f->client[3] = 1;
        f->guest[0] = 10;
        f->guest[3] = 2;
    }
    f->client_port = port;
    f->guest_port = 80;
    f->ip_id = 1;
}

static size_t l3_off(const TestFlow *f)
{
    return f->vnet_hdr_len + 14 + (f->vlan ? 4 : 0);
}

size_t tpkt_l4_off(const TestFlow *f)
{
    return l3_off(f) + (f->v6 ? 40 : 20);
}

/* Writes vnet, Ethernet, VLAN and IP headers; returns the L4 offset. */
static size_t put_headers(uint8_t *buf, TestFlow *f, bool from_guest,
                          uint8_t proto, size_t l4len)
{
    const uint8_t *src = from_guest ? f->guest : f->client;
    const uint8_t *dst = from_guest ? f->client : f->guest;
    uint8_t *p = buf;

    memset(p, 0, f->vnet_hdr_len);
    p += f->vnet_hdr_len;
    memset(p, from_guest ? 0x52 : 0x54, 6);
    memset(p + 6, from_guest ? 0x54 : 0x52, 6);
    p += 12;
    if (f->vlan) {
        put16(p, 0x8100);
        put16(p + 2, f->vlan);
        p += 4;
    }
    put16(p, f->v6 ? 0x86dd : 0x0800);
    p += 2;
    if (f->v6) {
        put32(p, 0x60000000);
        put16(p + 4, l4len);
        p[6] = proto;
        p[7] = 64;
        memcpy(p + 8, src, 16);
        memcpy(p + 24, dst, 16);
        p += 40;
    } else {
        memset(p, 0, 20);
        p[0] = 0x45;
        put16(p + 2, 20 + l4len);
        put16(p + 4, f->ip_id++);
        put16(p + 6, 0x4000);
        p[8] = 64;
        p[9] = proto;
        memcpy(p + 12, src, 4);
        memcpy(p + 16, dst, 4);
        put16(p + 10, fold(sum16(0, p, 20)));
        p += 20;
    }
    return p - buf;
}

static uint32_t pseudo_sum(const uint8_t *frame, const TestFlow *f,
                           uint8_t proto, size_t l4len)
{
    const uint8_t *ip = frame + l3_off(f);
    uint32_t acc;

    if (f->v6) {
        acc = sum16(0, ip + 8, 32);
        acc += (uint32_t)(l4len >> 16) + (l4len & 0xffff);
    } else {
        acc = sum16(0, ip + 12, 8);
        acc += l4len;
    }
    return acc + proto;
}

static void put_l4_csum(uint8_t *frame, const TestFlow *f, uint8_t proto,
                        size_t l4off, size_t l4len, size_t csum_off)
{
    uint32_t acc = 0;
    uint16_t c;

    if (proto != 1) {       /* ICMPv4 has no pseudo header */
        acc = pseudo_sum(frame, f, proto, l4len);
    }
    put16(frame + l4off + csum_off, 0);
    c = fold(sum16(acc, frame + l4off, l4len));
    if (proto == 17 && c == 0) {
        c = 0xffff;
    }
    put16(frame + l4off + csum_off, c);
}

size_t tpkt_tcp_opts(uint8_t *buf, TestFlow *f, bool from_guest,
                     uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *opts, size_t olen, const void *payload,
                     size_t plen)
{
    size_t hlen = 20 + olen;
    size_t off = put_headers(buf, f, from_guest, 6, hlen + plen);
    uint8_t *t = buf + off;

    g_assert(olen % 4 == 0 && olen <= 40);
    memset(t, 0, 20);
    put16(t, from_guest ? f->guest_port : f->client_port);
    put16(t + 2, from_guest ? f->client_port : f->guest_port);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (hlen / 4) << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    if (olen) {
        memcpy(t + 20, opts, olen);
    }
    if (plen) {
        memcpy(t + hlen, payload, plen);
    }
    put_l4_csum(buf, f, 6, off, hlen + plen, 16);
    return off + hlen + plen;
}

size_t tpkt_tcp(uint8_t *buf, TestFlow *f, bool from_guest, uint32_t seq,
                uint32_t ack, uint8_t flags, const void *payload,
                size_t plen)
{
    return tpkt_tcp_opts(buf, f, from_guest, seq, ack, flags, NULL, 0,
                         payload, plen);
}

size_t tpkt_udp(uint8_t *buf, TestFlow *f, bool from_guest,
                const void *payload, size_t plen)
{
    size_t off = put_headers(buf, f, from_guest, 17, 8 + plen);
    uint8_t *u = buf + off;

    put16(u, from_guest ? f->guest_port : f->client_port);
    put16(u + 2, from_guest ? f->client_port : f->guest_port);
    put16(u + 4, 8 + plen);
    if (plen) {
        memcpy(u + 8, payload, plen);
    }
    put_l4_csum(buf, f, 17, off, 8 + plen, 6);
    return off + 8 + plen;
}

size_t tpkt_icmp_echo(uint8_t *buf, TestFlow *f, bool from_guest,
                      uint16_t id, uint16_t seq, const void *payload,
                      size_t plen)
{
    uint8_t proto = f->v6 ? 58 : 1;
    size_t off = put_headers(buf, f, from_guest, proto, 8 + plen);
    uint8_t *c = buf + off;

    c[0] = f->v6 ? (from_guest ? 129 : 128) : (from_guest ? 0 : 8);
    c[1] = 0;
    put16(c + 4, id);
    put16(c + 6, seq);
    if (plen) {
        memcpy(c + 8, payload, plen);
    }
    put_l4_csum(buf, f, proto, off, 8 + plen, 2);
    return off + 8 + plen;
}

size_t tpkt_raw_ip(uint8_t *buf, TestFlow *f, bool from_guest, uint8_t proto,
                   const void *payload, size_t plen)
{
    size_t off = put_headers(buf, f, from_guest, proto, plen);

    if (plen) {
        memcpy(buf + off, payload, plen);
    }
    return off + plen;
}

size_t tpkt_arp(uint8_t *buf, size_t vnet_hdr_len)
{
    uint8_t *p = buf + vnet_hdr_len;

    memset(buf, 0, vnet_hdr_len + 42);
    memset(p, 0xff, 6);
    memset(p + 6, 0x52, 6);
    put16(p + 12, 0x0806);
    put16(p + 14, 1);
    put16(p + 16, 0x0800);
    p[18] = 6;
    p[19] = 4;
    put16(p + 20, 1);
    return vnet_hdr_len + 42;
}

void tpkt_set_ttl(uint8_t *frame, const TestFlow *f, uint8_t ttl)
{
    uint8_t *ip = frame + l3_off(f);

    if (f->v6) {
        ip[7] = ttl;
        return;
    }
    ip[8] = ttl;
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum16(0, ip, 20)));
}

unsigned tpkt_fragment(const uint8_t *frame, size_t len, const TestFlow *f,
                       size_t chunk, uint32_t id, uint8_t **out,
                       size_t *out_len, unsigned max)
{
    size_t hdr = tpkt_l4_off(f);
    size_t data = len - hdr;
    size_t off;
    unsigned n = 0;

    g_assert(chunk % 8 == 0);
    for (off = 0; off < data && n < max; off += chunk, n++) {
        size_t dl = MIN(chunk, data - off);
        bool more = off + dl < data;
        size_t fh = f->v6 ? 8 : 0;
        uint8_t *p = g_malloc(hdr + fh + dl);
        uint8_t *ip = p + l3_off(f);

        memcpy(p, frame, hdr);
        memcpy(p + hdr + fh, frame + hdr + off, dl);
        if (f->v6) {
            uint8_t *fr = p + hdr;

            fr[0] = ip[6];          /* next header */
            fr[1] = 0;
            put16(fr + 2, off | more);
            put32(fr + 4, id);
            ip[6] = 44;
            put16(ip + 4, fh + dl);
        } else {
            put16(ip + 2, 20 + dl);
            put16(ip + 4, id);
            put16(ip + 6, (off / 8) | (more ? 0x2000 : 0));
            put16(ip + 10, 0);
            put16(ip + 10, fold(sum16(0, ip, 20)));
        }
        out[n] = p;
        out_len[n] = hdr + fh + dl;
    }
    return n;
}

bool tpkt_l4_csum_ok(const uint8_t *frame, size_t len, const TestFlow *f)
{
    const uint8_t *ip = frame + l3_off(f);
    size_t l4off = tpkt_l4_off(f);
    size_t l4len;
    uint8_t proto;

    if (f->v6) {
        proto = ip[6];
        l4len = get16(ip + 4);
    } else {
        proto = ip[9];
        l4len = get16(ip + 2) - 20;
        if (fold(sum16(0, ip, 20)) != 0) {
            return false;
        }
    }
    return fold(sum16(pseudo_sum(frame, f, proto, l4len), frame + l4off,
                      l4len)) == 0;
}
