/*
 * filter-rewriter core: sequence offsets, checksums, connection ends.
 */
#include "qemu/osdep.h"
#include "net/filter-rewriter-core.h"
#include "test-colo-pktgen.h"

#define P_ISN   0x10000000u     /* the PVM's ISN */
#define S_ISN   0xf0000000u     /* the SVM's ISN (offset wraps) */
#define C_ISN   0x500u          /* the client's ISN */
#define SEC     1000000000LL
#define TCP_NOP 1

static uint8_t buf[TPKT_MAX];

static uint32_t tcp_seq(const TestFlow *f)
{
    return tpkt_be32(buf + tpkt_l4_off(f) + 4);
}

static uint32_t tcp_ack(const TestFlow *f)
{
    return tpkt_be32(buf + tpkt_l4_off(f) + 8);
}

static ColoRewriteResult run(ColoRewriter *rw, TestFlow *f, bool from_guest,
                             size_t n, int64_t now)
{
    return colo_rewriter_process(rw, from_guest ? COLO_REWRITE_FROM_GUEST
                                                : COLO_REWRITE_TO_GUEST,
                                 buf, n, f->vnet_hdr_len, now);
}

static ColoConnKey key_of(TestFlow *f)
{
    ColoPacketInfo info;
    size_t n = tpkt_tcp(buf, f, true, 0, 0, COLO_TCP_ACK, NULL, 0);

    g_assert_cmpint(colo_packet_parse(buf, n, f->vnet_hdr_len, &info), ==,
                    COLO_PARSE_OK);
    return info.key;
}

/* Guest is the server: client SYN, SVM SYN/ACK, client ACK. */
static void server_handshake(ColoRewriter *rw, TestFlow *f)
{
    size_t n;

    n = tpkt_tcp(buf, f, false, C_ISN, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, f, false, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, f, true, S_ISN, C_ISN + 1,
                 COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, f, true, n, 0), ==, COLO_REWRITE_PASS);
    /* the client acknowledges the PVM's SYN/ACK */
    n = tpkt_tcp(buf, f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(f), ==, S_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, f));
}

static void check_data(ColoRewriter *rw, TestFlow *f)
{
    size_t n;

    /* SVM -> client: seq moves into the PVM's space */
    n = tpkt_tcp(buf, f, true, S_ISN + 1, C_ISN + 1,
                 COLO_TCP_ACK | COLO_TCP_PSH, "response", 8);
    g_assert_cmpint(run(rw, f, true, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_seq(f), ==, P_ISN + 1);
    g_assert_cmphex(tcp_ack(f), ==, C_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, f));

    /* client -> SVM: ack moves into the SVM's space */
    n = tpkt_tcp(buf, f, false, C_ISN + 1, P_ISN + 9,
                 COLO_TCP_ACK | COLO_TCP_PSH, "request!!", 9);
    g_assert_cmpint(run(rw, f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(f), ==, S_ISN + 9);
    g_assert_cmphex(tcp_seq(f), ==, C_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, f));
}

static void run_server(bool v6, uint16_t vlan)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    ColoRewriterStats st;
    ColoConnKey key;
    uint32_t off;
    TestFlow f;

    tpkt_flow_init(&f, v6, vlan, 33000);
    server_handshake(rw, &f);
    key = key_of(&f);
    g_assert_true(colo_rewriter_get_offset(rw, &key, &off));
    g_assert_cmphex(off, ==, S_ISN - P_ISN);
    check_data(rw, &f);

    /* failover keeps the offset */
    colo_rewriter_failover(rw);
    check_data(rw, &f);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.offsets_learned, ==, 1);
    g_assert_cmpuint(st.rewritten, ==, 5);
    g_assert_cmpuint(st.connections, ==, 1);
    colo_rewriter_free(rw);
}

static void test_server_ipv4(void)
{
    run_server(false, 0);
}

static void test_server_ipv6_vlan(void)
{
    run_server(true, 0);
    run_server(false, 42);
    run_server(true, 42);
}

static void test_guest_client(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33001);
    /* the SVM connects out; the server answers the PVM's SYN */
    n = tpkt_tcp(buf, &f, true, S_ISN, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, false, C_ISN, P_ISN + 1,
                 COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    n = tpkt_tcp(buf, &f, true, S_ISN + 1, C_ISN + 1, COLO_TCP_ACK,
                 "GET /", 5);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    colo_rewriter_free(rw);
}

static void test_checkpoint(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    ColoConnKey key;
    uint32_t off;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33002);
    server_handshake(rw, &f);
    key = key_of(&f);
    /* the SVM is now a copy of the PVM: its segments need no shift */
    colo_rewriter_checkpoint(rw);
    g_assert_true(colo_rewriter_get_offset(rw, &key, &off));
    g_assert_cmphex(off, ==, 0);
    n = tpkt_tcp(buf, &f, true, P_ISN + 1, C_ISN + 1, COLO_TCP_ACK, "x", 1);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    colo_rewriter_free(rw);
}

/*
 * A checkpoint in the middle of a handshake.  The SYN still waited in the
 * PVM's receive ring at the snapshot, so both guests answer it after the
 * checkpoint, each with its own ISN: the offset is learnt from those
 * answers (making the handshake "the PVM's" left the client's ACK
 * untranslated and the SVM's guest reset the connection).
 */
static void test_checkpoint_before_syn_answered(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33003);
    n = tpkt_tcp(buf, &f, false, C_ISN, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    colo_rewriter_checkpoint(rw);
    n = tpkt_tcp(buf, &f, true, S_ISN, C_ISN + 1,
                 COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 1);
    check_data(rw, &f);
    colo_rewriter_free(rw);
}

/*
 * The other side of it: the PVM had answered the SYN at the snapshot, so
 * the SVM now holds the PVM's SYN_RECV; the SVM's earlier SYN/ACK is
 * forgotten and the client's ACK reaches the guest unchanged.
 */
static void test_checkpoint_after_syn_answered(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33004);
    n = tpkt_tcp(buf, &f, false, C_ISN, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, true, S_ISN, C_ISN + 1,
                 COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    colo_rewriter_checkpoint(rw);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    g_assert_cmphex(tcp_ack(&f), ==, P_ISN + 1);
    n = tpkt_tcp(buf, &f, true, P_ISN + 1, C_ISN + 1, COLO_TCP_ACK, "x", 1);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    colo_rewriter_free(rw);
}

/*
 * An entry that stayed in HANDSHAKE for a whole connection (a checkpoint
 * answered the SYN for the SVM) and ended without its last ACK seen: a
 * new connection on the same ports restarts it, and the offset of the
 * new one is learnt.  (Kept, the old entry's FINs closed it at the SVM's
 * SYN/ACK, the client's ACK went untranslated and the guest reset it.)
 */
static void test_port_reuse_after_handshake_entry(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    const uint32_t c2 = C_ISN + 100000;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33005);
    n = tpkt_tcp(buf, &f, false, C_ISN, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    colo_rewriter_checkpoint(rw);
    /* the SVM holds the PVM's SYN_RECV: the ACK and the rest pass as is */
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1,
                 COLO_TCP_ACK | COLO_TCP_FIN, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, true, P_ISN + 1, C_ISN + 2,
                 COLO_TCP_ACK | COLO_TCP_FIN, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    /* the client's last ACK is not seen; seconds later the ports return */
    n = tpkt_tcp(buf, &f, false, c2, 0, COLO_TCP_SYN, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 5 * SEC), ==, COLO_REWRITE_PASS);
    /* a retransmission of that SYN does not restart it again */
    g_assert_cmpint(run(rw, &f, false, n, 6 * SEC), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, true, S_ISN, c2 + 1,
                 COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 6 * SEC), ==, COLO_REWRITE_PASS);
    n = tpkt_tcp(buf, &f, false, c2 + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 6 * SEC), ==,
                    COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    colo_rewriter_free(rw);
}

/* NOP NOP TS (the usual Linux layout) or NOP TS NOP (odd alignment). */
static size_t ts_opts(uint8_t *o, bool odd, uint32_t val, uint32_t ecr)
{
    size_t at = odd ? 1 : 2;

    memset(o, TCP_NOP, 12);
    o[at] = 8;
    o[at + 1] = 10;
    tpkt_put32(o + at + 2, val);
    tpkt_put32(o + at + 6, ecr);
    return 12;
}

static uint32_t ts_field(const TestFlow *f, bool odd, bool ecr)
{
    return tpkt_be32(buf + tpkt_l4_off(f) + 20 + (odd ? 3 : 4) +
                     (ecr ? 4 : 0));
}

#define P_TS    0x7ffffff0u     /* the PVM's TSval clock (wraps) */
#define S_TS    0x00001000u     /* the SVM's */
#define C_TS    0x30000000u     /* the client's */
#define LEAD    COLO_REWRITER_TS_LEAD_MS

static void run_timestamps(bool odd)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    ColoRewriterStats st;
    uint8_t o[12];
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, odd ? 33011 : 33010);
    ts_opts(o, odd, C_TS, 0);
    n = tpkt_tcp_opts(buf, &f, false, C_ISN, 0, COLO_TCP_SYN, o, 12,
                      NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_PASS);
    ts_opts(o, odd, S_TS, C_TS);
    n = tpkt_tcp_opts(buf, &f, true, S_ISN, C_ISN + 1,
                      COLO_TCP_SYN | COLO_TCP_ACK, o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    /* the client's ACK echoes the PVM's SYN/ACK TSval */
    ts_opts(o, odd, C_TS + 1, P_TS);
    n = tpkt_tcp_opts(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK,
                      o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 1);
    g_assert_cmphex(ts_field(&f, odd, false), ==, C_TS + 1);
    g_assert_cmphex(ts_field(&f, odd, true), ==, S_TS - LEAD);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));

    /* SVM -> client: TSval on the PVM's clock, LEAD ms ahead */
    ts_opts(o, odd, S_TS + 300, C_TS + 1);
    n = tpkt_tcp_opts(buf, &f, true, S_ISN + 1, C_ISN + 1,
                      COLO_TCP_ACK | COLO_TCP_PSH, o, 12, "reply", 5);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    g_assert_cmphex(ts_field(&f, odd, false), ==, P_TS + 300 + LEAD);
    g_assert_cmphex(ts_field(&f, odd, true), ==, C_TS + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));

    /* failover keeps it; the client echoes the translated clock back */
    colo_rewriter_failover(rw);
    ts_opts(o, odd, C_TS + 9, P_TS + 300 + LEAD);
    n = tpkt_tcp_opts(buf, &f, false, C_ISN + 1, P_ISN + 6, COLO_TCP_ACK,
                      o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(ts_field(&f, odd, true), ==, S_TS + 300);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));

    /* a checkpoint makes the SVM's clock the PVM's */
    colo_rewriter_checkpoint(rw);
    ts_opts(o, odd, P_TS + 400, C_TS + 9);
    n = tpkt_tcp_opts(buf, &f, true, P_ISN + 6, C_ISN + 1, COLO_TCP_ACK,
                      o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    g_assert_cmphex(ts_field(&f, odd, false), ==, P_TS + 400);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.ts_offsets_learned, ==, 1);
    colo_rewriter_free(rw);
}

static void test_timestamps(void)
{
    run_timestamps(false);
    run_timestamps(true);
}

/* Only the SVM's side has timestamps (or none): sequence numbers only. */
static void test_timestamps_one_sided(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    ColoRewriterStats st;
    uint8_t o[12];
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33012);
    n = tpkt_tcp(buf, &f, false, C_ISN, 0, COLO_TCP_SYN, NULL, 0);
    run(rw, &f, false, n, 0);
    ts_opts(o, false, S_TS, 0);
    n = tpkt_tcp_opts(buf, &f, true, S_ISN, C_ISN + 1,
                      COLO_TCP_SYN | COLO_TCP_ACK, o, 12, NULL, 0);
    run(rw, &f, true, n, 0);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    ts_opts(o, false, S_TS + 5, 0);
    n = tpkt_tcp_opts(buf, &f, true, S_ISN + 1, C_ISN + 1, COLO_TCP_ACK,
                      o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(ts_field(&f, false, false), ==, S_TS + 5);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    /* a malformed option list is left alone */
    memset(o, TCP_NOP, 12);
    o[2] = 8;
    o[3] = 40;
    n = tpkt_tcp_opts(buf, &f, false, C_ISN + 1, P_ISN + 1, COLO_TCP_ACK,
                      o, 12, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 1);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.ts_offsets_learned, ==, 0);
    colo_rewriter_free(rw);
}

static void test_partial_csum(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    uint16_t before;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33003);
    f.vnet_hdr_len = 10;
    server_handshake(rw, &f);
    n = tpkt_tcp(buf, &f, true, S_ISN + 1, C_ISN + 1, COLO_TCP_ACK, "y", 1);
    buf[0] = COLO_VNET_F_NEEDS_CSUM;
    before = colo_rd16(buf + tpkt_l4_off(&f) + 16);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_MODIFIED);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    /* a partial checksum covers the pseudo header only: untouched */
    g_assert_cmphex(colo_rd16(buf + tpkt_l4_off(&f) + 16), ==, before);
    colo_rewriter_free(rw);
}

static void test_conn_end(void)
{
    ColoRewriter *rw = colo_rewriter_new(16);
    ColoRewriterStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 33004);
    server_handshake(rw, &f);
    n = tpkt_tcp(buf, &f, true, S_ISN + 1, C_ISN + 1,
                 COLO_TCP_FIN | COLO_TCP_ACK, NULL, 0);
    run(rw, &f, true, n, 1 * SEC);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 1);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 2,
                 COLO_TCP_FIN | COLO_TCP_ACK, NULL, 0);
    run(rw, &f, false, n, 1 * SEC);
    g_assert_cmphex(tcp_ack(&f), ==, S_ISN + 2);
    n = tpkt_tcp(buf, &f, true, S_ISN + 2, C_ISN + 2, COLO_TCP_ACK, NULL, 0);
    run(rw, &f, true, n, 1 * SEC);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 2);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.connections, ==, 1);   /* lingers a moment */
    /* a retransmitted last ACK is still translated */
    n = tpkt_tcp(buf, &f, true, S_ISN + 2, C_ISN + 2, COLO_TCP_ACK, NULL, 0);
    run(rw, &f, true, n, 2 * SEC);
    g_assert_cmphex(tcp_seq(&f), ==, P_ISN + 2);
    /* any later packet purges it */
    n = tpkt_udp(buf, &f, true, "z", 1);
    run(rw, &f, true, n, 4 * SEC);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.connections, ==, 0);
    g_assert_cmpuint(st.connections_closed, ==, 1);

    /* the same ports again after the entry went away: learned afresh */
    server_handshake(rw, &f);
    check_data(rw, &f);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.offsets_learned, ==, 2);

    /* a new SYN on an established entry (missed end) restarts it */
    server_handshake(rw, &f);
    check_data(rw, &f);
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.offsets_learned, ==, 3);
    g_assert_cmpuint(st.connections, ==, 1);

    /* RST frees at once */
    tpkt_flow_init(&f, false, 0, 33005);
    server_handshake(rw, &f);
    n = tpkt_tcp(buf, &f, false, C_ISN + 1, P_ISN + 1,
                 COLO_TCP_RST | COLO_TCP_ACK, NULL, 0);
    g_assert_cmpint(run(rw, &f, false, n, 5 * SEC), ==,
                    COLO_REWRITE_MODIFIED);
    g_assert_true(tpkt_l4_csum_ok(buf, n, &f));
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.connections, ==, 1);
    g_assert_cmpuint(st.connections_closed, ==, 2);
    colo_rewriter_free(rw);
}

static void test_limits(void)
{
    ColoRewriter *rw = colo_rewriter_new(2);
    ColoRewriterStats st;
    TestFlow f;
    unsigned i;
    size_t n;

    for (i = 0; i < 5; i++) {
        tpkt_flow_init(&f, false, 0, 34000 + i);
        server_handshake(rw, &f);
    }
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.connections, ==, 2);
    g_assert_cmpuint(st.connections_evicted, ==, 3);
    /* segments of unknown connections and malformed frames pass as is */
    n = tpkt_tcp(buf, &f, true, 7, 8, COLO_TCP_ACK, "q", 1);
    tpkt_flow_init(&f, false, 0, 35000);
    n = tpkt_tcp(buf, &f, true, 7, 8, COLO_TCP_ACK, "q", 1);
    g_assert_cmpint(run(rw, &f, true, n, 0), ==, COLO_REWRITE_PASS);
    g_assert_cmpint(run(rw, &f, true, 20, 0), ==, COLO_REWRITE_MALFORMED);
    g_assert_cmpint(run(rw, &f, true, 0, 0), ==, COLO_REWRITE_MALFORMED);
    colo_rewriter_free(rw);
}

static void test_fuzz(void)
{
    ColoRewriter *rw = colo_rewriter_new(8);
    GRand *r = g_rand_new_with_seed(0x5eed);
    ColoRewriterStats st;
    TestFlow flows[12];
    unsigned i, k;

    for (i = 0; i < 12; i++) {
        tpkt_flow_init(&flows[i], i & 1, i & 2 ? 9 : 0, 20000 + i);
        flows[i].vnet_hdr_len = i & 4 ? 12 : 0;
    }
    for (i = 0; i < 50000; i++) {
        TestFlow *f = &flows[g_rand_int_range(r, 0, 12)];
        bool guest = g_rand_boolean(r);
        size_t n = tpkt_tcp(buf, f, guest, g_rand_int(r), g_rand_int(r),
                            g_rand_int_range(r, 0, 0x20), "abc",
                            g_rand_int_range(r, 0, 4));

        if (g_rand_int_range(r, 0, 4) == 0) {
            for (k = 0; k < 3; k++) {
                buf[g_rand_int_range(r, 0, n)] = g_rand_int(r);
            }
        }
        if (g_rand_int_range(r, 0, 10) == 0) {
            n = g_rand_int_range(r, 0, n + 1);
        }
        run(rw, f, guest, n, (int64_t)i * 1000000);
        if (g_rand_int_range(r, 0, 1000) == 0) {
            colo_rewriter_checkpoint(rw);
        }
    }
    colo_rewriter_get_stats(rw, &st);
    g_assert_cmpuint(st.connections, <=, 8);
    g_assert_cmpuint(st.malformed, >, 0);
    g_assert_cmpuint(st.packets, ==, 50000);
    g_rand_free(r);
    colo_rewriter_free(rw);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/rewriter/server-ipv4", test_server_ipv4);
    g_test_add_func("/colo/rewriter/server-ipv6-vlan", test_server_ipv6_vlan);
    g_test_add_func("/colo/rewriter/guest-client", test_guest_client);
    g_test_add_func("/colo/rewriter/checkpoint", test_checkpoint);
    g_test_add_func("/colo/rewriter/checkpoint-before-syn-answered",
                    test_checkpoint_before_syn_answered);
    g_test_add_func("/colo/rewriter/checkpoint-after-syn-answered",
                    test_checkpoint_after_syn_answered);
    g_test_add_func("/colo/rewriter/port-reuse-after-handshake-entry",
                    test_port_reuse_after_handshake_entry);
    g_test_add_func("/colo/rewriter/timestamps", test_timestamps);
    g_test_add_func("/colo/rewriter/timestamps-one-sided",
                    test_timestamps_one_sided);
    g_test_add_func("/colo/rewriter/partial-csum", test_partial_csum);
    g_test_add_func("/colo/rewriter/conn-end", test_conn_end);
    g_test_add_func("/colo/rewriter/limits", test_limits);
    g_test_add_func("/colo/rewriter/fuzz", test_fuzz);
    return g_test_run();
}
