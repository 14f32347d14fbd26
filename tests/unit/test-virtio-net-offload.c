/*
 * virtio-net software offloads (hw/net/virtio-net-offload.c): checksum
 * completion, TCP segmentation for IPv4 and IPv6, receive checksum
 * verification, and refusal of malformed frames from the guest.
 */
#include "qemu/osdep.h"
#include "hw/net/virtio-net-offload.h"

#define ETH 14

typedef struct Sink {
    GPtrArray *frames;       /* GByteArray * */
} Sink;

static void sink_emit(void *opaque, const uint8_t *frame, size_t len)
{
    Sink *s = opaque;
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, frame, len);
    g_ptr_array_add(s->frames, b);
}

static void sink_init(Sink *s)
{
    s->frames = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
}

static uint16_t be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)be16(p) << 16) | be16(p + 2);
}

static uint32_t sum16(const uint8_t *p, size_t len)
{
    uint32_t s = 0;

    for (size_t i = 0; i + 1 < len; i += 2) {
        s += be16(p + i);
    }
    if (len & 1) {
        s += p[len - 1] << 8;
    }
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}

/*
 * An Ethernet + IPv4/IPv6 + TCP frame with @payload bytes of pattern,
 * TCP flags @flags, seq 1000, IPv4 id 0x100; the TCP checksum field holds
 * the pseudo-header sum (as a guest with CSUM offload leaves it).
 */
static uint8_t *make_tcp(bool v6, size_t payload, uint8_t flags,
                         size_t *len)
{
    size_t l3 = v6 ? 40 : 20, l4 = 20;
    uint8_t *f = g_malloc0(ETH + l3 + l4 + payload);
    uint8_t *ip = f + ETH, *tcp = ip + l3;
    uint32_t ps;

    *len = ETH + l3 + l4 + payload;
    memset(f, 0x52, 12);
    f[12] = v6 ? 0x86 : 0x08;
    f[13] = v6 ? 0xdd : 0x00;
    if (v6) {
        ip[0] = 0x60;
        ip[4] = (l4 + payload) >> 8;
        ip[5] = l4 + payload;
        ip[6] = 6;
        ip[7] = 64;
        for (int i = 0; i < 32; i++) {
            ip[8 + i] = i * 7 + 1;
        }
        ps = sum16(ip + 8, 32);
    } else {
        ip[0] = 0x45;
        ip[2] = (l3 + l4 + payload) >> 8;
        ip[3] = l3 + l4 + payload;
        ip[4] = 0x01;        /* id 0x100 */
        ip[6] = 0x40;        /* DF */
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
        ps = sum16(ip + 12, 8);
        ip[10] = 0;
        ip[11] = 0;
        {
            uint16_t c = ~fold(sum16(ip, 20));

            ip[10] = c >> 8;
            ip[11] = c;
        }
    }
    tcp[0] = 0x00;
    tcp[1] = 80;
    tcp[2] = 0x12;
    tcp[3] = 0x34;
    tcp[4] = 0;
    tcp[5] = 0;
    tcp[6] = 0x03;
    tcp[7] = 0xe8;           /* seq 1000 */
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    for (size_t i = 0; i < payload; i++) {
        tcp[l4 + i] = i * 13 + 5;
    }
    ps = fold(ps + 6 + l4 + payload);
    tcp[16] = ps >> 8;
    tcp[17] = ps;
    return f;
}

static void test_tx_csum(void)
{
    size_t len;
    g_autofree uint8_t *f = make_tcp(false, 101, 0x18, &len);
    VirtioNetHdrFields h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .csum_start = ETH + 20, .csum_offset = 16,
    };
    Sink s;

    sink_init(&s);
    g_assert_false(virtio_net_rx_csum_ok(f, len));   /* partial only */
    g_assert_true(virtio_net_hdr_needs_offload(&h));
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, 1);
    g_assert_cmpuint(s.frames->len, ==, 1);
    g_assert_true(virtio_net_rx_csum_ok(((GByteArray *)s.frames->pdata[0])
                                        ->data, len));
    g_ptr_array_free(s.frames, true);
}

static void check_tso(bool v6, size_t payload, uint16_t mss,
                      unsigned int expect)
{
    size_t len, l3 = v6 ? 40 : 20, hdr = ETH + l3 + 20, got = 0;
    g_autofree uint8_t *f = make_tcp(v6, payload, 0x19 /* FIN PSH ACK */,
                                     &len);
    g_autofree uint8_t *orig = g_memdup2(f, len);
    VirtioNetHdrFields h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
        .gso_size = mss, .csum_start = ETH + l3, .csum_offset = 16,
    };
    Sink s;

    sink_init(&s);
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==,
                    expect);
    g_assert_cmpuint(s.frames->len, ==, expect);
    for (unsigned int i = 0; i < expect; i++) {
        GByteArray *b = s.frames->pdata[i];
        size_t seg = MIN(mss, payload - got);
        uint8_t *ip = b->data + ETH, *tcp = ip + l3;
        bool last = i == expect - 1;

        g_assert_cmpuint(b->len, ==, hdr + seg);
        g_assert_true(virtio_net_rx_csum_ok(b->data, b->len));
        if (v6) {
            g_assert_cmpuint(be16(ip + 4), ==, 20 + seg);
        } else {
            g_assert_cmpuint(be16(ip + 2), ==, 40 + seg);
            g_assert_cmpuint(be16(ip + 4), ==, 0x100 + i);
            g_assert_cmpuint(fold(sum16(ip, 20)), ==, 0xffff);
        }
        g_assert_cmpuint(be32(tcp + 4), ==, 1000 + got);
        g_assert_cmpuint(tcp[13], ==, last ? 0x19 : 0x10);
        g_assert_cmpmem(b->data + hdr, seg, orig + hdr + got, seg);
        got += seg;
    }
    g_assert_cmpuint(got, ==, payload);
    g_ptr_array_free(s.frames, true);
}

static void test_tso_v4(void)
{
    check_tso(false, 3000, 1000, 3);
    check_tso(false, 2500, 1448, 2);
    check_tso(false, 500, 1448, 1);
}

static void test_tso_v6(void)
{
    check_tso(true, 4000, 1440, 3);
}

static void test_malformed(void)
{
    size_t len;
    g_autofree uint8_t *f = make_tcp(false, 3000, 0x10, &len);
    VirtioNetHdrFields h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 0,
        .csum_start = ETH + 20, .csum_offset = 16,
    };
    Sink s;

    sink_init(&s);
    /* no MSS */
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, -1);
    /* v6 segmentation of a v4 frame */
    h.gso_size = 1000;
    h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, -1);
    /* UDP fragmentation is never offered */
    h.gso_type = 3;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, -1);
    /* IP total length beyond the frame */
    h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len - 1, sink_emit, &s), ==,
                    -1);
    /* checksum position outside the frame */
    h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
    h.csum_start = len - 1;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, -1);
    h.csum_start = 0xffff;
    h.csum_offset = 0xffff;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, 20, sink_emit, &s), ==, -1);
    /* a runt */
    h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    g_assert_cmpint(virtio_net_tx_offload(&h, f, 10, sink_emit, &s), ==, -1);
    g_assert_cmpuint(s.frames->len, ==, 0);
    g_ptr_array_free(s.frames, true);
}

static void test_rx_csum(void)
{
    size_t len;
    g_autofree uint8_t *f = make_tcp(false, 64, 0x10, &len);
    VirtioNetHdrFields h = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .csum_start = ETH + 20, .csum_offset = 16,
    };
    Sink s;
    GByteArray *b;

    sink_init(&s);
    g_assert_cmpint(virtio_net_tx_offload(&h, f, len, sink_emit, &s), ==, 1);
    b = s.frames->pdata[0];
    g_assert_true(virtio_net_rx_csum_ok(b->data, b->len));
    b->data[b->len - 1] ^= 1;            /* corrupted in transit */
    g_assert_false(virtio_net_rx_csum_ok(b->data, b->len));
    b->data[b->len - 1] ^= 1;
    b->data[ETH + 6] |= 0x20;            /* a fragment: not vouched for */
    g_assert_false(virtio_net_rx_csum_ok(b->data, b->len));
    g_assert_false(virtio_net_rx_csum_ok(b->data, 20));
    g_ptr_array_free(s.frames, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio/net/offload/tx-csum", test_tx_csum);
    g_test_add_func("/virtio/net/offload/tso-v4", test_tso_v4);
    g_test_add_func("/virtio/net/offload/tso-v6", test_tso_v6);
    g_test_add_func("/virtio/net/offload/malformed", test_malformed);
    g_test_add_func("/virtio/net/offload/rx-csum", test_rx_csum);
    return g_test_run();
}
