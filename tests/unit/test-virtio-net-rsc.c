/*
 * virtio-net receive segment coalescing (hw/net/virtio-net-rsc.c):
 * in-order TCP segments of one connection become one GSO frame that the
 * guest's stack would cut back into the same segments (checked by
 * re-segmenting with the transmit offload), and everything that must not
 * be joined (another flow, a gap, SYN/FIN, a larger segment, beyond
 * 64 KiB, after PSH or a short segment) is refused; malformed frames
 * never crash it.
 */
#include "qemu/osdep.h"
#include "hw/net/virtio-net-rsc.h"
#include "hw/net/virtio-net-offload.h"

#define ETH         14
#define TCP_ACK     0x10
#define TCP_PSH     0x08
#define TCP_FIN     0x01
#define TCP_SYN     0x02
#define SEQ0        0x10000000u

static uint16_t be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)be16(p) << 16) | be16(p + 2);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t s)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        s += be16(p + i);
    }
    if (len & 1) {
        s += p[len - 1] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s;
}

/* The byte at stream offset @off of the test connection. */
static uint8_t stream_byte(uint32_t off)
{
    return off * 13 + (off >> 8) + 5;
}

/*
 * A correct Ethernet + IPv4/IPv6 + TCP segment from port @sport carrying
 * the stream bytes [@off, @off + @payload), flags @flags, valid checksums.
 */
static uint8_t *make_seg(bool v6, uint16_t sport, uint32_t off,
                         size_t payload, uint8_t flags, size_t *len)
{
    size_t l3 = v6 ? 40 : 20;
    uint8_t *f = g_malloc0(ETH + l3 + 20 + payload);
    uint8_t *ip = f + ETH, *tcp = ip + l3;
    uint32_t ps = 0;
    size_t i;

    *len = ETH + l3 + 20 + payload;
    for (i = 0; i < 12; i++) {
        f[i] = i < 6 ? 0x52 : 0x54;        /* destination, source MAC */
    }
    put16(f + 12, v6 ? 0x86dd : 0x0800);
    if (v6) {
        ip[0] = 0x60;
        put16(ip + 4, 20 + payload);
        ip[6] = 6;
        ip[7] = 64;
        memset(ip + 8, 0xfe, 16);
        memset(ip + 24, 0xfd, 16);
        for (i = 0; i < 32; i += 2) {
            ps += be16(ip + 8 + i);
        }
    } else {
        ip[0] = 0x45;
        put16(ip + 2, 20 + 20 + payload);
        put16(ip + 4, off / 100);            /* varies per segment */
        ip[8] = 64;
        ip[9] = 6;
        put32(ip + 12, 0x0a000202);
        put32(ip + 16, 0x0a00020f);
        put16(ip + 10, csum(ip, 20, 0));
        ps = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) + be16(ip + 18);
    }
    put16(tcp, sport);
    put16(tcp + 2, 9000);
    put32(tcp + 4, SEQ0 + off);
    put32(tcp + 8, 0x12345678);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 0x1000 + off / 1000);  /* window changes */
    for (i = 0; i < payload; i++) {
        tcp[20 + i] = stream_byte(off + i);
    }
    put16(tcp + 16, csum(tcp, 20 + payload, ps + 6 + 20 + payload));
    g_assert_true(virtio_net_rx_csum_ok(f, *len));
    return f;
}

static bool add_seg(VirtioNetRsc *r, bool v6, uint16_t sport, uint32_t off,
                    size_t payload, uint8_t flags)
{
    size_t len;
    g_autofree uint8_t *f = make_seg(v6, sport, off, payload, flags, &len);

    return virtio_net_rsc_add(r, f, len);
}

typedef struct Segs {
    GPtrArray *frames;
} Segs;

static void collect(void *opaque, const uint8_t *frame, size_t len)
{
    Segs *s = opaque;

    g_ptr_array_add(s->frames,
                    g_byte_array_append(g_byte_array_new(), frame, len));
}

/*
 * Join @n segments of @mss bytes (the last @last bytes), check the frame
 * and header, then cut it again as the guest's GSO would: the same
 * segments come out.
 */
static void join_and_resegment(bool v6, unsigned int n, size_t mss,
                               size_t last)
{
    VirtioNetRsc r;
    uint8_t vh[12];
    size_t len, l4 = ETH + (v6 ? 40 : 20), total = 0;
    VirtioNetHdrFields h;
    Segs out = { g_ptr_array_new_with_free_func(
                     (GDestroyNotify)g_byte_array_unref) };
    unsigned int i;

    virtio_net_rsc_init(&r);
    for (i = 0; i < n; i++) {
        size_t pay = i == n - 1 ? last : mss;

        g_assert_true(add_seg(&r, v6, 4000, total, pay, TCP_ACK));
        total += pay;
    }
    g_assert_cmpuint(r.segs, ==, n);
    len = virtio_net_rsc_finish(&r, vh);
    g_assert_cmpuint(len, ==, l4 + 20 + total);
    g_assert_true(virtio_net_rx_csum_ok(r.buf, len));
    g_assert_cmpuint(vh[0], ==, VIRTIO_NET_HDR_F_DATA_VALID);
    if (n > 1) {
        g_assert_cmpuint(vh[1], ==, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
                                         VIRTIO_NET_HDR_GSO_TCPV4);
        g_assert_cmpuint(vh[2] | (vh[3] << 8), ==, l4 + 20);
        g_assert_cmpuint(vh[4] | (vh[5] << 8), ==, mss);
    } else {
        g_assert_cmpuint(vh[1], ==, VIRTIO_NET_HDR_GSO_NONE);
    }
    /* headers of the first segment, window of the last */
    g_assert_cmpuint(be32(r.buf + l4 + 4), ==, SEQ0);
    g_assert_cmpuint(be16(r.buf + l4 + 14), ==,
                     0x1000 + (total - last) / 1000);
    for (i = 0; i < total; i++) {
        g_assert_cmpuint(r.buf[l4 + 20 + i], ==, stream_byte(i));
    }

    virtio_net_hdr_parse(vh, &h);
    if (n > 1) {
        g_assert_cmpint(virtio_net_tx_offload(&h, r.buf, len, collect,
                                              &out), ==, n);
        total = 0;
        for (i = 0; i < n; i++) {
            GByteArray *b = g_ptr_array_index(out.frames, i);
            size_t pay = i == n - 1 ? last : mss;
            size_t want_len;
            g_autofree uint8_t *want = make_seg(v6, 4000, total, pay,
                                                TCP_ACK, &want_len);

            g_assert_true(virtio_net_rx_csum_ok(b->data, b->len));
            g_assert_cmpuint(b->len, ==, want_len);
            g_assert_cmpuint(be32(b->data + l4 + 4), ==, SEQ0 + total);
            g_assert_cmpmem(b->data + l4 + 20, pay, want + l4 + 20, pay);
            total += pay;
        }
    }
    g_ptr_array_unref(out.frames);
    virtio_net_rsc_clear(&r);
    g_assert_false(virtio_net_rsc_held(&r));
    virtio_net_rsc_cleanup(&r);
}

static void test_join_v4(void)
{
    join_and_resegment(false, 10, 1460, 1460);
    join_and_resegment(false, 7, 1000, 333);
    join_and_resegment(false, 1, 1460, 1460);
}

static void test_join_v6(void)
{
    join_and_resegment(true, 12, 1440, 1440);
    join_and_resegment(true, 3, 1440, 7);
}

static void test_refused(void)
{
    VirtioNetRsc r;
    uint8_t vh[12];

    virtio_net_rsc_init(&r);
    /* nothing to join: SYN, FIN, no payload, not ACK */
    g_assert_false(add_seg(&r, false, 4000, 0, 100, TCP_SYN | TCP_ACK));
    g_assert_false(add_seg(&r, false, 4000, 0, 100, TCP_FIN | TCP_ACK));
    g_assert_false(add_seg(&r, false, 4000, 0, 0, TCP_ACK));
    g_assert_false(add_seg(&r, false, 4000, 0, 100, 0));
    g_assert_false(virtio_net_rsc_held(&r));

    g_assert_true(add_seg(&r, false, 4000, 0, 1000, TCP_ACK));
    g_assert_false(add_seg(&r, false, 4001, 1000, 1000, TCP_ACK)); /* flow */
    g_assert_false(add_seg(&r, false, 4000, 2000, 1000, TCP_ACK)); /* gap */
    g_assert_false(add_seg(&r, false, 4000, 0, 1000, TCP_ACK));    /* dup */
    g_assert_false(add_seg(&r, false, 4000, 1000, 1001, TCP_ACK)); /* > mss */
    g_assert_false(add_seg(&r, true, 4000, 1000, 1000, TCP_ACK));  /* v6 */
    g_assert_false(add_seg(&r, false, 4000, 1000, 100,
                           TCP_ACK | TCP_FIN));
    g_assert_cmpuint(r.segs, ==, 1);

    /* a short segment ends the frame */
    g_assert_true(add_seg(&r, false, 4000, 1000, 500, TCP_ACK));
    g_assert_false(add_seg(&r, false, 4000, 1500, 500, TCP_ACK));
    g_assert_cmpuint(r.segs, ==, 2);
    virtio_net_rsc_clear(&r);

    /* PSH ends it too and is carried */
    g_assert_true(add_seg(&r, false, 4000, 0, 1000, TCP_ACK));
    g_assert_true(add_seg(&r, false, 4000, 1000, 1000, TCP_ACK | TCP_PSH));
    g_assert_false(add_seg(&r, false, 4000, 2000, 1000, TCP_ACK));
    g_assert_cmpuint(virtio_net_rsc_finish(&r, vh), ==, ETH + 40 + 2000);
    g_assert_cmpuint(r.buf[ETH + 20 + 13], ==, TCP_ACK | TCP_PSH);
    virtio_net_rsc_clear(&r);

    /* only the IP versions the driver takes GSO frames for */
    r.v6_ok = false;
    g_assert_false(add_seg(&r, true, 4000, 0, 1000, TCP_ACK));
    g_assert_true(add_seg(&r, false, 4000, 0, 1000, TCP_ACK));
    virtio_net_rsc_clear(&r);
    r.v6_ok = true;
    r.v4_ok = false;
    g_assert_false(add_seg(&r, false, 4000, 0, 1000, TCP_ACK));
    g_assert_true(add_seg(&r, true, 4000, 0, 1000, TCP_ACK));
    virtio_net_rsc_clear(&r);
    virtio_net_rsc_cleanup(&r);
}

static void test_size_limit(void)
{
    VirtioNetRsc r;
    uint8_t vh[12];
    uint32_t off = 0;
    size_t len;

    virtio_net_rsc_init(&r);
    while (add_seg(&r, false, 4000, off, 1460, TCP_ACK)) {
        off += 1460;
        g_assert_cmpuint(off, <, 70000);
    }
    /* 44 segments: one more would pass the 65535-byte IP datagram */
    g_assert_cmpuint(r.segs, ==, 44);
    len = virtio_net_rsc_finish(&r, vh);
    g_assert_cmpuint(len - ETH, <=, 65535);
    g_assert_cmpuint(be16(r.buf + ETH + 2), ==, len - ETH);
    g_assert_true(virtio_net_rx_csum_ok(r.buf, len));
    /* finishing again (a retried delivery) gives the same frame */
    g_assert_cmpuint(virtio_net_rsc_finish(&r, vh), ==, len);
    g_assert_true(virtio_net_rx_csum_ok(r.buf, len));
    virtio_net_rsc_cleanup(&r);
}

static void test_malformed(void)
{
    VirtioNetRsc r;
    size_t len, cut;
    g_autofree uint8_t *good = make_seg(false, 4000, 0, 200, TCP_ACK, &len);
    g_autofree uint8_t *f = g_malloc(len);
    GRand *rng = g_rand_new_with_seed(42);
    unsigned int i, taken = 0;

    virtio_net_rsc_init(&r);
    /* truncated anywhere: never taken beyond the datagram */
    for (cut = 0; cut < len; cut++) {
        g_assert_false(virtio_net_rsc_add(&r, good, cut));
    }
    /* IP options, a fragment, a bad data offset */
    memcpy(f, good, len);
    f[ETH] = 0x46;
    g_assert_false(virtio_net_rsc_add(&r, f, len));
    memcpy(f, good, len);
    f[ETH + 6] = 0x20;                       /* MF */
    g_assert_false(virtio_net_rsc_add(&r, f, len));
    memcpy(f, good, len);
    f[ETH + 20 + 12] = 4 << 4;
    g_assert_false(virtio_net_rsc_add(&r, f, len));
    memcpy(f, good, len);
    f[ETH + 20 + 12] = 15 << 4;              /* options past the payload */
    put16(f + ETH + 2, 20 + 60);
    g_assert_false(virtio_net_rsc_add(&r, f, len));

    /* random corruption: whatever is taken stays within the buffer */
    for (i = 0; i < 20000; i++) {
        unsigned int k;

        memcpy(f, good, len);
        for (k = 0; k < 4; k++) {
            f[g_rand_int_range(rng, 0, ETH + 40)] = g_rand_int(rng);
        }
        if (virtio_net_rsc_add(&r, f, len)) {
            uint8_t vh[12];

            taken++;
            g_assert_cmpuint(r.len, <=, VIRTIO_NET_RSC_MAX_FRAME);
            g_assert_cmpuint(virtio_net_rsc_finish(&r, vh), ==, r.len);
            virtio_net_rsc_clear(&r);
        }
    }
    g_assert_cmpuint(taken, >, 0);
    g_rand_free(rng);
    virtio_net_rsc_cleanup(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio/net/rsc/join-v4", test_join_v4);
    g_test_add_func("/virtio/net/rsc/join-v6", test_join_v6);
    g_test_add_func("/virtio/net/rsc/refused", test_refused);
    g_test_add_func("/virtio/net/rsc/size-limit", test_size_limit);
    g_test_add_func("/virtio/net/rsc/malformed", test_malformed);
    return g_test_run();
}
