/*
 * COLO proxy packet parser: offsets, keys and edge cases the comparator
 * relies on.
 */
#include "qemu/osdep.h"
#include "net/colo.h"
#include "test-colo-pktgen.h"

static uint8_t buf[TPKT_MAX];

/* Inserts @n bytes at @off of a frame of @len bytes. */
static size_t insert(size_t len, size_t off, const uint8_t *ins, size_t n)
{
    memmove(buf + off + n, buf + off, len - off);
    memcpy(buf + off, ins, n);
    return len + n;
}

static void test_keys(void)
{
    ColoPacketInfo a, b;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 1234);
    n = tpkt_tcp(buf, &f, true, 10, 20, COLO_TCP_ACK, "hello", 5);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &a), ==, COLO_PARSE_OK);
    n = tpkt_tcp(buf, &f, false, 20, 15, COLO_TCP_ACK, "hi", 2);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &b), ==, COLO_PARSE_OK);
    /* both directions: one key, opposite orientation */
    g_assert_true(colo_conn_key_equal(&a.key, &b.key));
    g_assert_cmpuint(colo_conn_key_hash(&a.key), ==,
                     colo_conn_key_hash(&b.key));
    g_assert_true(a.key_swapped != b.key_swapped);
    g_assert_cmpuint(a.proto, ==, COLO_IPPROTO_TCP);
    g_assert_cmpuint(a.tcp_seq, ==, 10);
    g_assert_cmpuint(a.tcp_ack, ==, 20);
    g_assert_cmpuint(a.payload_len, ==, 5);
    g_assert_cmpmem(buf + b.payload_off, b.payload_len, "hi", 2);

    /* another port: another key */
    tpkt_flow_init(&f, false, 0, 1235);
    n = tpkt_tcp(buf, &f, true, 10, 20, COLO_TCP_ACK, "hello", 5);
    colo_packet_parse(buf, n, 0, &b);
    g_assert_false(colo_conn_key_equal(&a.key, &b.key));
}

static void test_ipv4_options_padding(void)
{
    static const uint8_t nop4[4] = { 1, 1, 1, 0 };
    ColoPacketInfo info;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 1);
    n = tpkt_udp(buf, &f, true, "abc", 3);
    n = insert(n, 14 + 20, nop4, 4);
    buf[14] = 0x46;
    colo_wr16(buf + 16, colo_rd16(buf + 16) + 4);
    /* Ethernet padding up to 60 bytes must not count as payload */
    memset(buf + n, 0xee, 60 - MIN(n, 60));
    g_assert_cmpint(colo_packet_parse(buf, MAX(n, 60), 0, &info), ==,
                    COLO_PARSE_OK);
    g_assert_cmpuint(info.l4_off, ==, 14 + 24);
    g_assert_cmpuint(info.payload_len, ==, 3);
    g_assert_cmpuint(info.end, ==, n);
}

static void test_ipv6_ext(void)
{
    /* hop-by-hop (next: dest opts), dest opts (next: TCP), 8 bytes each */
    static const uint8_t hbh[8] = { 60, 0, 1, 4, 0, 0, 0, 0 };
    static const uint8_t dst[8] = { 6, 0, 1, 4, 0, 0, 0, 0 };
    static const uint8_t atomic[8] = { 6, 0, 0, 0, 0, 0, 0, 9 };
    ColoPacketInfo info;
    unsigned i, k;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, true, 0, 2);
    n = tpkt_tcp(buf, &f, true, 1, 2, COLO_TCP_ACK, "data", 4);
    n = insert(n, 54, dst, 8);
    n = insert(n, 54, hbh, 8);
    buf[14 + 6] = 0;
    colo_wr16(buf + 14 + 4, colo_rd16(buf + 14 + 4) + 16);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint(info.proto, ==, COLO_IPPROTO_TCP);
    g_assert_cmpuint(info.l4_off, ==, 54 + 16);
    g_assert_cmpuint(info.payload_len, ==, 4);

    /* an extension header running past the datagram is malformed */
    buf[54 + 1] = 200;
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==,
                    COLO_PARSE_MALFORMED);

    /* an atomic fragment (offset 0, M=0) is an ordinary packet */
    n = tpkt_tcp(buf, &f, true, 1, 2, COLO_TCP_ACK, "data", 4);
    n = insert(n, 54, atomic, 8);
    buf[14 + 6] = 44;
    colo_wr16(buf + 14 + 4, colo_rd16(buf + 14 + 4) + 8);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint(info.l4_off, ==, 54 + 8);

    /* eight extension headers are walked, nine are too many */
    for (k = 8; k <= 9; k++) {
        n = tpkt_tcp(buf, &f, true, 1, 2, COLO_TCP_ACK, "data", 4);
        for (i = 0; i < k; i++) {
            n = insert(n, 54, dst, 8);
            buf[54] = i ? 60 : 6;
        }
        buf[14 + 6] = 60;
        colo_wr16(buf + 14 + 4, colo_rd16(buf + 14 + 4) + 8 * k);
        g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==,
                        k == 8 ? COLO_PARSE_OK : COLO_PARSE_MALFORMED);
        if (k == 8) {
            g_assert_cmpuint(info.l4_off, ==, 54 + 64);
        }
    }
}

static void test_vlan_qinq(void)
{
    static const uint8_t outer[4] = { 0x88, 0xa8, 0x00, 0x05 };
    ColoPacketInfo info;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 300, 3);
    n = tpkt_udp(buf, &f, true, "v", 1);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint(info.vlan, ==, 300);
    g_assert_cmpuint(info.key.vlan, ==, 300);
    g_assert_cmpuint(info.l3_off, ==, 18);
    /* S-tag + C-tag */
    n = insert(n, 12, outer, 4);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==, COLO_PARSE_OK);
    g_assert_cmpuint(info.vlan, ==, 5);
    g_assert_cmpuint(info.l3_off, ==, 22);
    /* three tags are refused */
    n = insert(n, 12, outer, 4);
    g_assert_cmpint(colo_packet_parse(buf, n, 0, &info), ==,
                    COLO_PARSE_MALFORMED);
}

static void test_fragment_info(void)
{
    uint8_t payload[100] = { 0 };
    uint8_t *pieces[4];
    size_t plen[4];
    ColoPacketInfo info;
    TestFlow f;
    unsigned i, np;
    size_t n;

    for (i = 0; i < 2; i++) {
        tpkt_flow_init(&f, i, 0, 4);
        n = tpkt_udp(buf, &f, true, payload, sizeof(payload));
        np = tpkt_fragment(buf, n, &f, 64, 0x1234, pieces, plen, 4);
        g_assert_cmpuint(np, ==, 2);
        g_assert_cmpint(colo_packet_parse(pieces[0], plen[0], 0, &info), ==,
                        COLO_PARSE_FRAGMENT);
        g_assert_cmpuint(info.frag_id, ==, 0x1234);
        g_assert_cmpuint(info.frag_offset, ==, 0);
        g_assert_true(info.frag_more);
        g_assert_cmpuint(info.proto, ==, COLO_IPPROTO_UDP);
        g_assert_cmpint(colo_packet_parse(pieces[1], plen[1], 0, &info), ==,
                        COLO_PARSE_FRAGMENT);
        g_assert_cmpuint(info.frag_offset, ==, 64);
        g_assert_false(info.frag_more);
        g_assert_cmpuint(info.end - info.l4_off, ==, 108 - 64);
        g_free(pieces[0]);
        g_free(pieces[1]);
    }
}

static void test_checksum_helpers(void)
{
    TestFlow f;
    size_t n, l4;
    uint32_t seq;

    tpkt_flow_init(&f, false, 0, 5);
    n = tpkt_tcp(buf, &f, true, 0xfffffff0, 2, COLO_TCP_ACK, "odd", 3);
    l4 = tpkt_l4_off(&f);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    /* incremental updates agree with a full recomputation */
    for (seq = 0; seq < 5000; seq += 997) {
        uint32_t from = colo_rd32(buf + l4 + 4);
        uint32_t to = from + seq * 0x01010101u;

        colo_wr32(buf + l4 + 4, to);
        colo_csum_replace32(buf + l4 + 16, from, to);
        g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    }
    g_assert_cmphex(colo_csum_fold(colo_csum_add(0, buf + 14, 20)), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/parse/keys", test_keys);
    g_test_add_func("/colo/parse/ipv4-options-padding",
                    test_ipv4_options_padding);
    g_test_add_func("/colo/parse/ipv6-ext", test_ipv6_ext);
    g_test_add_func("/colo/parse/vlan-qinq", test_vlan_qinq);
    g_test_add_func("/colo/parse/fragment-info", test_fragment_info);
    g_test_add_func("/colo/parse/checksum", test_checksum_helpers);
    return g_test_run();
}
