/*
 * colo-compare core over crafted packet sequences.
 */
#include "qemu/osdep.h"
#include "net/colo-compare-core.h"
#include "test-colo-pktgen.h"

#define MS  1000000LL

typedef struct Harness {
    ColoCompareCore *core;
    GPtrArray *released;        /* GByteArray * */
    unsigned ckpt[COLO_CHECKPOINT_REASON__MAX];
    unsigned ckpt_total;
    int64_t now;
    size_t vnet_hdr_len;
    uint8_t buf[TPKT_MAX];
} Harness;

static void h_release(void *opaque, const uint8_t *frame, size_t len,
                      size_t vnet_hdr_len)
{
    Harness *h = opaque;
    GByteArray *a = g_byte_array_new();

    g_assert_cmpuint(vnet_hdr_len, ==, h->vnet_hdr_len);
    g_byte_array_append(a, frame, len);
    g_ptr_array_add(h->released, a);
}

static void h_ckpt(void *opaque, ColoCheckpointReason reason)
{
    Harness *h = opaque;

    h->ckpt[reason]++;
    h->ckpt_total++;
}

static const ColoCompareOps h_ops = {
    .release = h_release,
    .checkpoint_request = h_ckpt,
};

static Harness *h_new(const ColoCompareConfig *cfg)
{
    Harness *h = g_new0(Harness, 1);
    ColoCompareConfig def;

    if (!cfg) {
        colo_compare_config_default(&def);
        cfg = &def;
    }
    h->core = colo_compare_core_new(cfg, &h_ops, h);
    h->released = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    h->now = 1000 * MS;
    return h;
}

static void h_free(Harness *h)
{
    colo_compare_core_free(h->core);
    g_ptr_array_free(h->released, true);
    g_free(h);
}

static void h_in(Harness *h, ColoSide side, const uint8_t *frame,
                 size_t len)
{
    h->now += 10000;
    colo_compare_core_input(h->core, side, frame, len, h->vnet_hdr_len,
                            h->now);
}

static ColoCompareStats h_stats(Harness *h)
{
    ColoCompareStats st;

    colo_compare_core_get_stats(h->core, &st);
    return st;
}

/* The @i-th released frame equals @frame. */
static void assert_released(Harness *h, guint i, const uint8_t *frame,
                            size_t len)
{
    GByteArray *a;

    g_assert_cmpuint(h->released->len, >, i);
    a = g_ptr_array_index(h->released, i);
    g_assert_cmpmem(a->data, a->len, frame, len);
}

/* Deterministic payload bytes of the stream at sequence offset @pos. */
static void fill_stream(uint8_t *p, uint32_t pos, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)((pos + i) * 31 + 7);
    }
}

#define P_ISN   1000u
#define C_ISN   5000u

/* A guest-side TCP segment carrying stream bytes [pos, pos + n). */
static size_t seg(Harness *h, TestFlow *f, uint32_t pos, size_t n,
                  uint32_t ack)
{
    uint8_t payload[2048];

    g_assert_cmpuint(n, <=, sizeof(payload));
    fill_stream(payload, pos, n);
    return tpkt_tcp(h->buf, f, true, P_ISN + 1 + pos, ack,
                    COLO_TCP_ACK | COLO_TCP_PSH, payload, n);
}

/* Sends the guest's SYN/ACK from both sides. */
static void handshake(Harness *h, TestFlow *f)
{
    size_t n = tpkt_tcp(h->buf, f, true, P_ISN, C_ISN + 1,
                        COLO_TCP_SYN | COLO_TCP_ACK, NULL, 0);

    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, n);
}

static void test_tcp_identical(void)
{
    Harness *h = h_new(NULL);
    TestFlow f;
    GPtrArray *sent = g_ptr_array_new_with_free_func(g_free);
    ColoCompareStats st;
    unsigned i;

    tpkt_flow_init(&f, false, 0, 40000);
    handshake(h, &f);
    for (i = 0; i < 8; i++) {
        size_t n = seg(h, &f, i * 1000, 1000, C_ISN + 1);

        g_ptr_array_add(sent, g_memdup2(h->buf, n));
        h_in(h, COLO_PRIMARY, h->buf, n);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    /* SYN/ACK plus 8 segments, in order, unmodified */
    g_assert_cmpuint(h->released->len, ==, 9);
    for (i = 0; i < 8; i++) {
        assert_released(h, i + 1, g_ptr_array_index(sent, i),
                        tpkt_l4_off(&f) + 20 + 1000);
    }
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    st = h_stats(h);
    g_assert_cmpuint(st.compared[COLO_PROTO_TCP], ==, 8);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 0);
    g_assert_cmpuint(st.connections, ==, 1);
    g_ptr_array_free(sent, true);
    h_free(h);
}

/* Primary cuts the stream in @pcut pieces, secondary in @scut. */
static void run_segmentation(const size_t *pcut, size_t np,
                             const size_t *scut, size_t ns, bool sec_first)
{
    Harness *h = h_new(NULL);
    uint8_t frames[2][16][1600];
    size_t lens[2][16];
    const size_t *cuts[2] = { pcut, scut };
    size_t cnt[2] = { np, ns };
    TestFlow f;
    int side;
    size_t i, k[2] = { 0, 0 };

    tpkt_flow_init(&f, false, 0, 40001);
    handshake(h, &f);
    for (side = 0; side < 2; side++) {
        uint32_t pos = 0;

        for (i = 0; i < cnt[side]; i++) {
            lens[side][i] = seg(h, &f, pos, cuts[side][i], C_ISN + 1);
            memcpy(frames[side][i], h->buf, lens[side][i]);
            pos += cuts[side][i];
        }
    }
    /* interleave: one side leads, the other follows */
    while (k[0] < np || k[1] < ns) {
        int first = sec_first ? COLO_SECONDARY : COLO_PRIMARY;

        for (side = first; side >= 0 && side < 2;
             side += sec_first ? -1 : 1) {
            if (k[side] < cnt[side]) {
                h_in(h, side, frames[side][k[side]], lens[side][k[side]]);
                k[side]++;
            }
        }
    }
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    g_assert_cmpuint(h->released->len, ==, 1 + np);
    for (i = 0; i < np; i++) {
        assert_released(h, i + 1, frames[0][i], lens[0][i]);
    }
    g_assert_cmpuint(h_stats(h).queued[COLO_PRIMARY], ==, 0);
    h_free(h);
}

static void test_tcp_segmentation(void)
{
    static const size_t p1[] = { 1460, 1460, 80 };
    static const size_t s1[] = { 1000, 1000, 1000 };
    static const size_t p2[] = { 100, 900, 1, 999, 1000 };
    static const size_t s2[] = { 1500, 1500 };
    static const size_t s3[] = { 3000 / 3, 1, 1, 998, 500, 500 };

    run_segmentation(p1, 3, s1, 3, false);
    run_segmentation(p1, 3, s1, 3, true);
    run_segmentation(p2, 5, s2, 2, false);
    run_segmentation(s2, 2, p2, 5, true);
    run_segmentation(p1, 3, s3, 6, true);
}

static void test_tcp_one_byte_diff(void)
{
    Harness *h = h_new(NULL);
    ColoCompareStats st;
    TestFlow f;
    unsigned i;

    tpkt_flow_init(&f, false, 0, 40002);
    handshake(h, &f);
    for (i = 0; i < 6; i++) {
        size_t n = seg(h, &f, i * 500, 500, C_ISN + 1);

        h_in(h, COLO_PRIMARY, h->buf, n);
        if (i == 2) {
            h->buf[n - 17] ^= 0x01;     /* one payload bit, one byte */
        }
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    st = h_stats(h);
    g_assert_cmpuint(st.miscompares[COLO_PROTO_TCP], ==, 1);
    /* SYN/ACK + 2 good segments left; 4 wait for the checkpoint */
    g_assert_cmpuint(h->released->len, ==, 3);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 4);

    colo_compare_core_checkpoint(h->core);
    g_assert_cmpuint(h->released->len, ==, 7);
    st = h_stats(h);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 0);
    g_assert_cmpuint(st.queued[COLO_SECONDARY], ==, 0);
    g_assert_cmpuint(st.released_on_checkpoint, ==, 4);

    /* in sync again: more identical data compares cleanly */
    for (i = 6; i < 9; i++) {
        size_t n = seg(h, &f, i * 500, 500, C_ISN + 1);

        h_in(h, COLO_PRIMARY, h->buf, n);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    g_assert_cmpuint(h->released->len, ==, 10);
    h_free(h);
}

static void test_tcp_ack_wait(void)
{
    Harness *h = h_new(NULL);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 40003);
    handshake(h, &f);
    /* the PVM acks 100 client bytes the SVM has not acked yet */
    n = seg(h, &f, 0, 300, C_ISN + 101);
    h_in(h, COLO_PRIMARY, h->buf, n);
    n = seg(h, &f, 0, 300, C_ISN + 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 1);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    /* the SVM's pure ACK catches up: now the data may go */
    n = tpkt_tcp(h->buf, &f, true, P_ISN + 301, C_ISN + 101, COLO_TCP_ACK,
                 NULL, 0);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 2);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void test_tcp_pure_ack(void)
{
    Harness *h = h_new(NULL);
    ColoCompareStats st;
    TestFlow f;
    unsigned i;
    size_t n;

    tpkt_flow_init(&f, false, 0, 40010);
    handshake(h, &f);
    /* the client uploads; both guests only acknowledge */
    for (i = 0; i < 5; i++) {
        n = tpkt_tcp(h->buf, &f, true, P_ISN + 1, C_ISN + 1 + i * 1000,
                     COLO_TCP_ACK, NULL, 0);
        h_in(h, COLO_PRIMARY, h->buf, n);
        g_assert_cmpuint(h->released->len, ==, 1 + i);     /* waits */
        h_in(h, COLO_SECONDARY, h->buf, n);
        g_assert_cmpuint(h->released->len, ==, 2 + i);
    }
    st = h_stats(h);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 0);
    g_assert_cmpuint(st.queued[COLO_SECONDARY], ==, 0);
    g_assert_cmpuint(st.compared[COLO_PROTO_TCP], ==, 0);
    /* a FIN waits for the SVM's FIN as well */
    n = tpkt_tcp(h->buf, &f, true, P_ISN + 1, C_ISN + 5001,
                 COLO_TCP_ACK | COLO_TCP_FIN, NULL, 0);
    h_in(h, COLO_PRIMARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 6);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 7);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void test_tcp_retransmit(void)
{
    Harness *h = h_new(NULL);
    ColoCompareStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 40011);
    handshake(h, &f);
    n = seg(h, &f, 0, 800, C_ISN + 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 2);
    /* the PVM retransmits matched bytes: out at once */
    h_in(h, COLO_PRIMARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 3);
    /* the SVM's retransmission later is consumed by the next pair */
    h_in(h, COLO_SECONDARY, h->buf, n);
    n = seg(h, &f, 800, 100, C_ISN + 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 4);
    st = h_stats(h);
    g_assert_cmpuint(st.queued[COLO_SECONDARY], ==, 0);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void test_stale_secondary(void)
{
    ColoCompareConfig cfg;
    ColoCompareStats st;
    Harness *h;
    TestFlow f;
    unsigned i;
    size_t n;

    colo_compare_config_default(&cfg);
    cfg.max_queued_total = 5;
    h = h_new(&cfg);
    tpkt_flow_init(&f, false, 0, 40012);
    /* the SVM acknowledges more often than the PVM */
    for (i = 0; i < 3; i++) {
        n = tpkt_tcp(h->buf, &f, true, P_ISN + 1, C_ISN + 1 + i,
                     COLO_TCP_ACK, NULL, 0);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    /* surplus data the PVM never sent stays (it is a divergence) */
    n = seg(h, &f, 0, 10, C_ISN + 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h_stats(h).queued[COLO_SECONDARY], ==, 4);
    /* the per-side total bound applies across connections */
    for (i = 0; i < 3; i++) {
        TestFlow g;

        tpkt_flow_init(&g, false, 0, 50000 + i);
        n = tpkt_udp(h->buf, &g, true, "u", 1);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    st = h_stats(h);
    g_assert_cmpuint(st.queued[COLO_SECONDARY], ==, 5);
    g_assert_cmpuint(st.dropped_queue_full[COLO_SECONDARY], ==, 2);

    colo_compare_core_scan(h->core, h->now + 2000 * MS);
    g_assert_cmpuint(h_stats(h).dropped_stale, ==, 0);
    colo_compare_core_scan(h->core, h->now + 3000 * MS);
    st = h_stats(h);
    /* the three pure ACKs went; the data segment blocks the rest */
    g_assert_cmpuint(st.dropped_stale, ==, 3);
    g_assert_cmpuint(st.queued[COLO_SECONDARY], ==, 2);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void test_tcp_gap(void)
{
    Harness *h = h_new(NULL);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 40008);
    handshake(h, &f);
    n = seg(h, &f, 0, 500, C_ISN + 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    /* the secondary's stream starts later (a segment went missing) */
    n = seg(h, &f, 500, 500, C_ISN + 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    g_assert_cmpuint(h->released->len, ==, 1);
    /* and the other way round, on a new connection */
    tpkt_flow_init(&f, false, 0, 40009);
    colo_compare_core_checkpoint(h->core);
    handshake(h, &f);
    n = seg(h, &f, 0, 500, C_ISN + 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    n = seg(h, &f, 500, 500, C_ISN + 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 2);
    h_free(h);
}

static void test_timeout(void)
{
    Harness *h = h_new(NULL);
    TestFlow f;
    int64_t t0;
    size_t n;

    tpkt_flow_init(&f, false, 0, 40004);
    n = tpkt_udp(h->buf, &f, true, "hello", 5);
    h_in(h, COLO_PRIMARY, h->buf, n);
    t0 = h->now;
    colo_compare_core_scan(h->core, t0 + 2999 * MS);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    g_assert_cmpuint(h->released->len, ==, 0);
    colo_compare_core_scan(h->core, t0 + 3000 * MS);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_TIMEOUT], ==, 1);
    /* not repeated while the checkpoint is under way */
    colo_compare_core_scan(h->core, t0 + 4000 * MS);
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    colo_compare_core_checkpoint(h->core);
    assert_released(h, 0, h->buf, n);
    colo_compare_core_scan(h->core, t0 + 9000 * MS);
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    h_free(h);
}

static void test_queue_overflow(void)
{
    ColoCompareConfig cfg;
    ColoCompareStats st;
    Harness *h;
    TestFlow f;
    unsigned i;

    colo_compare_config_default(&cfg);
    cfg.max_queue_size = 4;
    h = h_new(&cfg);
    tpkt_flow_init(&f, false, 0, 40005);
    for (i = 0; i < 6; i++) {
        size_t n = tpkt_udp(h->buf, &f, true, &i, sizeof(i));

        h_in(h, COLO_PRIMARY, h->buf, n);
    }
    st = h_stats(h);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 4);
    g_assert_cmpuint(st.dropped_queue_full[COLO_PRIMARY], ==, 2);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_QUEUE_FULL], ==, 1);
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    colo_compare_core_checkpoint(h->core);
    g_assert_cmpuint(h->released->len, ==, 4);

    /* secondary overflow: dropped and counted, no checkpoint */
    tpkt_flow_init(&f, false, 0, 40006);
    for (i = 0; i < 5; i++) {
        size_t n = tpkt_udp(h->buf, &f, true, &i, sizeof(i));

        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    st = h_stats(h);
    g_assert_cmpuint(st.dropped_queue_full[COLO_SECONDARY], ==, 1);
    g_assert_cmpuint(h->ckpt_total, ==, 1);
    h_free(h);
}

static void test_malformed(void)
{
    Harness *h = h_new(NULL);
    uint8_t good[TPKT_MAX], bad[TPKT_MAX];
    ColoCompareStats st;
    TestFlow f, f6;
    size_t n, l3, l4, n6;
    unsigned count = 0;
    int side;

    tpkt_flow_init(&f, false, 0, 40007);
    tpkt_flow_init(&f6, true, 0, 40007);
    n = tpkt_tcp(good, &f, true, 1, 1, COLO_TCP_ACK, "abcdefgh", 8);
    l3 = 14;
    l4 = 34;
    for (side = 0; side < 2; side++) {
#define FEED(len_) do { h_in(h, side, bad, (len_)); count++; } while (0)
        FEED(0);                                    /* empty frame */
        memcpy(bad, good, n);
        FEED(10);                                   /* short Ethernet */
        FEED(l3 + 10);                              /* short IPv4 */
        memcpy(bad, good, n);
        bad[l3] = 0x44;                             /* IHL 4 */
        FEED(n);
        bad[l3] = 0x4f;                             /* IHL 15 > data */
        FEED(l3 + 40);
        memcpy(bad, good, n);
        bad[l3] = 0x55;                             /* version 5 */
        FEED(n);
        memcpy(bad, good, n);
        colo_wr16(bad + l3 + 2, 2000);              /* tot_len > frame */
        FEED(n);
        colo_wr16(bad + l3 + 2, 10);                /* tot_len < IHL */
        FEED(n);
        memcpy(bad, good, n);
        colo_wr16(bad + l3 + 2, 20 + 10);           /* TCP header cut */
        FEED(n);
        memcpy(bad, good, n);
        bad[l4 + 12] = 4 << 4;                      /* data offset 4 */
        FEED(n);
        bad[l4 + 12] = 15 << 4;                     /* data offset 60 */
        FEED(n);
        n6 = tpkt_udp(bad, &f6, true, "x", 1);
        colo_wr16(bad + 14 + 4, 100);               /* IPv6 plen > frame */
        FEED(n6);
        n6 = tpkt_udp(bad, &f6, true, "x", 1);
        colo_wr16(bad + 14 + 40 + 4, 4);            /* UDP length < 8 */
        FEED(n6);
        memcpy(bad, good, n);
        bad[12] = 0x81;                             /* VLAN tag cut */
        bad[13] = 0x00;
        FEED(15);
#undef FEED
        /* vnet header longer than the frame / than allowed */
        colo_compare_core_input(h->core, side, good, n, n + 1, h->now);
        colo_compare_core_input(h->core, side, good, n,
                                COLO_VNET_HDR_MAX + 1, h->now);
        count += 2;
    }
    st = h_stats(h);
    g_assert_cmpuint(st.dropped_malformed[COLO_PRIMARY] +
                     st.dropped_malformed[COLO_SECONDARY], ==, count);
    g_assert_cmpuint(st.dropped_malformed[COLO_PRIMARY], ==, count / 2);
    g_assert_cmpuint(h->released->len, ==, 0);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 0);
    g_assert_cmpuint(st.connections, ==, 0);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void test_udp_icmp(void)
{
    Harness *h = h_new(NULL);
    uint8_t p[256];
    ColoCompareStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 53);
    /* identical payload, different TTL and IP id: equal */
    n = tpkt_udp(p, &f, true, "dns-answer", 10);
    h_in(h, COLO_PRIMARY, p, n);
    n = tpkt_udp(h->buf, &f, true, "dns-answer", 10);
    tpkt_set_ttl(h->buf, &f, 3);
    h_in(h, COLO_SECONDARY, h->buf, n);
    assert_released(h, 0, p, n);

    n = tpkt_icmp_echo(p, &f, true, 7, 1, "ping", 4);
    h_in(h, COLO_PRIMARY, p, n);
    n = tpkt_icmp_echo(h->buf, &f, true, 7, 1, "ping", 4);
    tpkt_set_ttl(h->buf, &f, 9);
    h_in(h, COLO_SECONDARY, h->buf, n);
    assert_released(h, 1, p, n);
    g_assert_cmpuint(h->ckpt_total, ==, 0);

    /* different UDP payload: one miscompare */
    n = tpkt_udp(p, &f, true, "answer-AAA", 10);
    h_in(h, COLO_PRIMARY, p, n);
    n = tpkt_udp(h->buf, &f, true, "answer-AAB", 10);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    st = h_stats(h);
    g_assert_cmpuint(st.miscompares[COLO_PROTO_UDP], ==, 1);
    g_assert_cmpuint(st.compared[COLO_PROTO_UDP], ==, 1);
    g_assert_cmpuint(st.compared[COLO_PROTO_ICMP], ==, 1);
    g_assert_cmpuint(h->released->len, ==, 2);
    h_free(h);
}

static void test_other_proto(void)
{
    Harness *h = h_new(NULL);
    uint8_t p[256];
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 0);
    n = tpkt_raw_ip(p, &f, true, 47, "gre-data", 8);
    h_in(h, COLO_PRIMARY, p, n);
    h_in(h, COLO_SECONDARY, p, n);
    assert_released(h, 0, p, n);
    /* for other protocols the IP header counts (QEMU compares it all) */
    h_in(h, COLO_PRIMARY, p, n);
    tpkt_set_ttl(p, &f, 1);
    h_in(h, COLO_SECONDARY, p, n);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    g_assert_cmpuint(h_stats(h).miscompares[COLO_PROTO_OTHER], ==, 1);
    h_free(h);
}

static void test_non_ip(void)
{
    Harness *h = h_new(NULL);
    uint8_t p[256];
    size_t n = tpkt_arp(p, 0);

    h_in(h, COLO_PRIMARY, p, n);
    assert_released(h, 0, p, n);
    h_in(h, COLO_SECONDARY, p, n);
    g_assert_cmpuint(h->released->len, ==, 1);
    g_assert_cmpuint(h_stats(h).dropped_secondary, ==, 1);
    g_assert_cmpuint(h_stats(h).released_uncompared, ==, 1);
    h_free(h);
}

static void test_ipv6_vlan_one(bool v6, uint16_t vlan, size_t vnet)
{
    static const size_t pc[] = { 700, 700, 600 };
    static const size_t sc[] = { 1000, 1000 };
    Harness *h = h_new(NULL);
    uint8_t pf[3][1600];
    size_t pl[3];
    TestFlow f;
    uint32_t pos;
    size_t n;
    unsigned i;

    h->vnet_hdr_len = vnet;
    tpkt_flow_init(&f, v6, vlan, 41000);
    f.vnet_hdr_len = vnet;
    handshake(h, &f);
    for (i = 0, pos = 0; i < 3; pos += pc[i], i++) {
        pl[i] = seg(h, &f, pos, pc[i], C_ISN + 1);
        memcpy(pf[i], h->buf, pl[i]);
        h_in(h, COLO_PRIMARY, pf[i], pl[i]);
    }
    for (i = 0, pos = 0; i < 2; pos += sc[i], i++) {
        n = seg(h, &f, pos, sc[i], C_ISN + 1);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    g_assert_cmpuint(h->released->len, ==, 4);
    for (i = 0; i < 3; i++) {
        assert_released(h, i + 1, pf[i], pl[i]);
    }
    g_assert_cmpuint(h->ckpt_total, ==, 0);

    /* one differing byte in the next segment: one checkpoint request */
    n = seg(h, &f, 2000, 100, C_ISN + 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h->buf[n - 1] ^= 0x80;
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    g_assert_cmpuint(h->released->len, ==, 4);
    h_free(h);
}

static void test_ipv6(void)
{
    test_ipv6_vlan_one(true, 0, 0);
    test_ipv6_vlan_one(true, 0, 12);
}

static void test_vlan(void)
{
    Harness *h;
    TestFlow a, b;
    size_t n;

    test_ipv6_vlan_one(false, 100, 0);
    test_ipv6_vlan_one(true, 4000, 10);

    /* same 5-tuple on two VLANs: two connections, never matched across */
    h = h_new(NULL);
    tpkt_flow_init(&a, false, 100, 5000);
    tpkt_flow_init(&b, false, 200, 5000);
    n = tpkt_udp(h->buf, &a, true, "x", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    n = tpkt_udp(h->buf, &b, true, "x", 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 0);
    g_assert_cmpuint(h_stats(h).connections, ==, 2);
    n = tpkt_udp(h->buf, &a, true, "x", 1);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 1);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    h_free(h);
}

static void run_fragments(bool v6)
{
    Harness *h = h_new(NULL);
    uint8_t payload[3000];
    uint8_t *pp[16], *sp[16];
    size_t ppl[16], spl[16];
    unsigned np, ns, i;
    ColoCompareStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, v6, 0, 4789);
    fill_stream(payload, 0, sizeof(payload));
    n = tpkt_udp(h->buf, &f, true, payload, sizeof(payload));
    np = tpkt_fragment(h->buf, n, &f, 1480, 77, pp, ppl, 16);
    ns = tpkt_fragment(h->buf, n, &f, 1024, 99, sp, spl, 16);
    g_assert_cmpuint(np, ==, 3);
    g_assert_cmpuint(ns, ==, 3);
    /* primary in order, secondary out of order */
    for (i = 0; i < np; i++) {
        h_in(h, COLO_PRIMARY, pp[i], ppl[i]);
    }
    g_assert_cmpuint(h->released->len, ==, 0);
    h_in(h, COLO_SECONDARY, sp[2], spl[2]);
    h_in(h, COLO_SECONDARY, sp[0], spl[0]);
    g_assert_cmpuint(h->released->len, ==, 0);
    h_in(h, COLO_SECONDARY, sp[1], spl[1]);
    /* the original primary fragments go out, in their order */
    g_assert_cmpuint(h->released->len, ==, np);
    for (i = 0; i < np; i++) {
        assert_released(h, i, pp[i], ppl[i]);
    }
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    st = h_stats(h);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].reassembled, ==, 1);
    g_assert_cmpuint(st.frag[COLO_SECONDARY].reassembled, ==, 1);
    g_assert_cmpuint(st.compared[COLO_PROTO_UDP], ==, 1);

    /* a differing byte inside the datagram is found after reassembly */
    for (i = 0; i < np; i++) {
        h_in(h, COLO_PRIMARY, pp[i], ppl[i]);
    }
    sp[1][spl[1] - 5] ^= 1;
    for (i = 0; i < ns; i++) {
        h_in(h, COLO_SECONDARY, sp[i], spl[i]);
    }
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);

    /* overlapping fragments drop the datagram */
    colo_compare_core_checkpoint(h->core);
    h_in(h, COLO_PRIMARY, pp[0], ppl[0]);
    h_in(h, COLO_PRIMARY, pp[0], ppl[0]);
    st = h_stats(h);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].dropped_bad, ==, 1);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].pending, ==, 0);

    /* an incomplete datagram times out */
    h_in(h, COLO_PRIMARY, pp[0], ppl[0]);
    g_assert_cmpuint(h_stats(h).frag[COLO_PRIMARY].pending, ==, 1);
    colo_compare_core_scan(h->core, h->now + 5001 * MS);
    st = h_stats(h);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].pending, ==, 0);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].dropped_timeout, ==, 1);
    g_assert_cmpuint(st.frag[COLO_PRIMARY].bytes, ==, 0);
    for (i = 0; i < np; i++) {
        g_free(pp[i]);
    }
    for (i = 0; i < ns; i++) {
        g_free(sp[i]);
    }
    h_free(h);
}

static void test_fragment_ipv4(void)
{
    run_fragments(false);
}

static void test_fragment_ipv6(void)
{
    run_fragments(true);
}

static void test_fragment_memory(void)
{
    ColoCompareConfig cfg;
    ColoCompareStats st;
    uint8_t payload[3000];
    uint8_t *pp[4];
    size_t ppl[4];
    Harness *h;
    TestFlow f;
    unsigned i, k;
    size_t n;

    colo_compare_config_default(&cfg);
    cfg.frag.max_datagrams = 4;
    cfg.frag.max_bytes = 5 * 1600;
    h = h_new(&cfg);
    tpkt_flow_init(&f, false, 0, 4789);
    fill_stream(payload, 0, sizeof(payload));
    /* 10 incomplete datagrams: only the newest ones are kept */
    for (k = 0; k < 10; k++) {
        n = tpkt_udp(h->buf, &f, true, payload, sizeof(payload));
        tpkt_fragment(h->buf, n, &f, 1480, 1000 + k, pp, ppl, 4);
        h_in(h, COLO_PRIMARY, pp[0], ppl[0]);
        for (i = 0; i < 3; i++) {
            g_free(pp[i]);
        }
        st = h_stats(h);
        g_assert_cmpuint(st.frag[COLO_PRIMARY].pending, <=, 4);
        g_assert_cmpuint(st.frag[COLO_PRIMARY].bytes, <=, 5 * 1600);
    }
    g_assert_cmpuint(st.frag[COLO_PRIMARY].dropped_memory, ==, 6);
    h_free(h);
}

static void test_evict(void)
{
    ColoCompareConfig cfg;
    ColoCompareStats st;
    Harness *h;
    TestFlow f[6];
    unsigned i;
    size_t n;

    colo_compare_config_default(&cfg);
    cfg.max_connections = 4;
    h = h_new(&cfg);
    for (i = 0; i < 6; i++) {
        tpkt_flow_init(&f[i], false, 0, 6000 + i);
    }
    /* four matched (idle) connections, then #0 is used again */
    for (i = 0; i < 4; i++) {
        n = tpkt_udp(h->buf, &f[i], true, "a", 1);
        h_in(h, COLO_PRIMARY, h->buf, n);
        h_in(h, COLO_SECONDARY, h->buf, n);
    }
    n = tpkt_udp(h->buf, &f[0], true, "a", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, n);
    /* a fifth evicts the least recently used idle one (#1), no reset */
    n = tpkt_udp(h->buf, &f[4], true, "b", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    st = h_stats(h);
    g_assert_cmpuint(st.connections, ==, 4);
    g_assert_cmpuint(st.connections_evicted, ==, 1);
    /* #4 is busy (queued) and still matches later */
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 6);

    /* make all four busy: a new connection cannot get in */
    for (i = 0; i < 4; i++) {
        unsigned idx = (unsigned[]){ 0, 2, 3, 4 }[i];

        n = tpkt_udp(h->buf, &f[idx], true, "c", 1);
        h_in(h, COLO_PRIMARY, h->buf, n);
    }
    n = tpkt_udp(h->buf, &f[5], true, "d", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    st = h_stats(h);
    g_assert_cmpuint(st.connections, ==, 4);
    g_assert_cmpuint(st.connections_evicted, ==, 1);
    g_assert_cmpuint(st.dropped_table_full[COLO_PRIMARY], ==, 1);
    g_assert_cmpuint(st.queued[COLO_PRIMARY], ==, 4);
    g_assert_cmpuint(h->ckpt[COLO_CHECKPOINT_REASON_QUEUE_FULL], ==, 1);
    h_free(h);
}

static void test_failover(void)
{
    Harness *h = h_new(NULL);
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 7000);
    n = tpkt_udp(h->buf, &f, true, "q", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    colo_compare_core_failover(h->core);
    g_assert_cmpuint(h->released->len, ==, 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 2);
    g_assert_cmpuint(h_stats(h).queued[COLO_SECONDARY], ==, 0);
    h_free(h);
}

/* Builds a random valid frame for one of a few flows into h->buf. */
static size_t random_frame(Harness *h, GRand *r, TestFlow *flows, int nflows)
{
    TestFlow *f = &flows[g_rand_int_range(r, 0, nflows)];
    uint8_t payload[1600];
    size_t plen = g_rand_int_range(r, 0, sizeof(payload));
    size_t i;

    for (i = 0; i < plen; i++) {
        payload[i] = g_rand_int_range(r, 0, 4);
    }
    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
    case 1:
        return tpkt_tcp(h->buf, f, true, g_rand_int_range(r, 0, 4000),
                        g_rand_int_range(r, 0, 4000),
                        g_rand_int_range(r, 0, 0x20), payload, plen);
    case 2:
        return tpkt_udp(h->buf, f, true, payload, plen);
    default:
        return tpkt_icmp_echo(h->buf, f, true, 1, 2, payload, plen);
    }
}

static void test_fuzz(void)
{
    ColoCompareConfig cfg;
    ColoCompareStats st;
    TestFlow flows[6];
    GRand *r = g_rand_new_with_seed(0xc0105eed);
    Harness *h;
    uint64_t in = 0;
    unsigned i, k;

    colo_compare_config_default(&cfg);
    cfg.max_queue_size = 64;
    cfg.max_connections = 5;
    h = h_new(&cfg);
    for (i = 0; i < 6; i++) {
        tpkt_flow_init(&flows[i], i & 1, i & 2 ? 7 : 0, 9000 + i);
    }
    for (i = 0; i < 40000; i++) {
        size_t n = random_frame(h, r, flows, 6);
        ColoSide side = g_rand_int_range(r, 0, 2);
        unsigned muts = g_rand_int_range(r, 0, 4);
        uint8_t *pieces[8];
        size_t plen[8];
        TestFlow *f;
        unsigned np;

        for (k = 0; k < muts; k++) {
            h->buf[g_rand_int_range(r, 0, n)] = g_rand_int_range(r, 0, 256);
        }
        if (g_rand_int_range(r, 0, 8) == 0) {
            n = g_rand_int_range(r, 0, n + 1);
        }
        f = &flows[g_rand_int_range(r, 0, 2)];
        if (g_rand_int_range(r, 0, 6) == 0 && n > tpkt_l4_off(f)) {
            np = tpkt_fragment(h->buf, n, f, 8 * g_rand_int_range(r, 1, 40),
                               g_rand_int_range(r, 0, 4), pieces, plen, 8);
            for (k = 0; k < np; k++) {
                h_in(h, side, pieces[k], plen[k]);
                g_free(pieces[k]);
                in++;
            }
        } else {
            h_in(h, side, h->buf, n);
            in++;
        }
        if (g_rand_int_range(r, 0, 500) == 0) {
            colo_compare_core_scan(h->core, h->now + 4000 * MS);
        }
        if (g_rand_int_range(r, 0, 300) == 0) {
            colo_compare_core_checkpoint(h->core);
        }
        st = h_stats(h);
        g_assert_cmpuint(st.connections, <=, 5);
        g_assert_cmpuint(st.queued_max[COLO_PRIMARY], <=, 5 * 64);
    }
    colo_compare_core_checkpoint(h->core);
    st = h_stats(h);
    g_assert_cmpuint(st.input[0] + st.input[1], ==, in);
    g_assert_cmpuint(st.queued[COLO_PRIMARY] + st.queued[COLO_SECONDARY],
                     ==, 0);
    g_assert_cmpuint(st.dropped_malformed[0] + st.dropped_malformed[1], >,
                     0);
    g_assert_cmpuint(h->released->len, ==, st.released);
    g_rand_free(r);
    h_free(h);
}

static void test_feed(void)
{
    Harness *h = h_new(NULL);
    g_autoptr(GByteArray) pri = g_byte_array_new();
    g_autoptr(GByteArray) sec = g_byte_array_new();
    ColoFrameDecoder dp, ds;
    Error *err = NULL;
    TestFlow f;
    size_t off, n;
    unsigned i;

    h->vnet_hdr_len = 12;
    tpkt_flow_init(&f, false, 0, 7002);
    f.vnet_hdr_len = 12;
    for (i = 0; i < 10; i++) {
        n = tpkt_udp(h->buf, &f, true, &i, sizeof(i));
        colo_frame_encode(pri, true, h->buf, n, 12, &error_abort);
        colo_frame_encode(sec, true, h->buf, n, 12, &error_abort);
    }
    colo_frame_decoder_init(&dp, true);
    colo_frame_decoder_init(&ds, true);
    for (off = 0; off < pri->len; off += 13) {
        n = MIN(13, pri->len - off);
        g_assert_true(colo_compare_core_feed(h->core, COLO_PRIMARY, &dp,
                                             pri->data + off, n, h->now,
                                             &error_abort));
        g_assert_true(colo_compare_core_feed(h->core, COLO_SECONDARY, &ds,
                                             sec->data + off, n, h->now,
                                             &error_abort));
    }
    g_assert_cmpuint(h->released->len, ==, 10);
    g_assert_cmpuint(h->ckpt_total, ==, 0);
    /* a bad header is a framing error, counted per side */
    g_assert_false(colo_compare_core_feed(h->core, COLO_SECONDARY, &ds,
                                          (const uint8_t *)"\xff\xff\xff\xff"
                                          "\0\0\0\0", 8, h->now, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(h_stats(h).framing_errors[COLO_SECONDARY], ==, 1);
    colo_frame_decoder_destroy(&dp);
    colo_frame_decoder_destroy(&ds);
    h_free(h);
}

static void stat_collect(void *opaque, const char *name, uint64_t value)
{
    g_hash_table_insert(opaque, g_strdup(name), g_memdup2(&value,
                                                          sizeof(value)));
}

static uint64_t stat_get(GHashTable *t, const char *name)
{
    uint64_t *v = g_hash_table_lookup(t, name);

    g_assert_nonnull(v);
    return *v;
}

/*
 * The latency the comparison adds: a primary packet that waits 5 ms for
 * the secondary's copy is counted in the 1-10 ms bucket; one whose copy
 * came first waits only the 10 us of h_in()'s clock step.
 */
static void test_wait_stats(void)
{
    Harness *h = h_new(NULL);
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    ColoCompareStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 53);
    n = tpkt_udp(h->buf, &f, true, "first", 5);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h->now += 5 * MS;
    h_in(h, COLO_SECONDARY, h->buf, n);
    n = tpkt_udp(h->buf, &f, true, "second", 6);
    h_in(h, COLO_SECONDARY, h->buf, n);
    h_in(h, COLO_PRIMARY, h->buf, n);
    g_assert_cmpuint(h->released->len, ==, 2);
    st = h_stats(h);
    g_assert_cmpuint(st.wait_count, ==, 2);
    g_assert_cmpuint(st.wait_ns_max, ==, 5 * MS + 10000);
    g_assert_cmpuint(st.wait_ns_total, ==, 5 * MS + 10000);
    g_assert_cmpuint(st.secondary_first, ==, 1);
    colo_compare_stats_foreach(&st, stat_collect, t);
    g_assert_cmpuint(stat_get(t, "wait-lt-100us"), ==, 1);
    g_assert_cmpuint(stat_get(t, "wait-lt-10ms"), ==, 1);
    g_assert_cmpuint(stat_get(t, "wait-us-max"), ==, 5010);
    g_assert_cmpuint(stat_get(t, "secondary-first"), ==, 1);
    g_hash_table_destroy(t);
    h_free(h);
}

static void test_stats_names(void)
{
    Harness *h = h_new(NULL);
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          g_free);
    ColoCompareStats st;
    TestFlow f;
    size_t n;

    tpkt_flow_init(&f, false, 0, 7001);
    n = tpkt_udp(h->buf, &f, true, "s", 1);
    h_in(h, COLO_PRIMARY, h->buf, n);
    h_in(h, COLO_SECONDARY, h->buf, 3);
    colo_compare_core_scan(h->core, h->now + 3000 * MS);
    st = h_stats(h);
    colo_compare_stats_foreach(&st, stat_collect, t);
    g_assert_cmpuint(stat_get(t, "input-primary"), ==, 1);
    g_assert_cmpuint(stat_get(t, "dropped-malformed-secondary"), ==, 1);
    g_assert_cmpuint(stat_get(t, "queued-primary"), ==, 1);
    g_assert_cmpuint(stat_get(t, "checkpoint-requests-timeout"), ==, 1);
    g_assert_cmpuint(stat_get(t, "compared-tcp"), ==, 0);
    g_assert_cmpuint(stat_get(t, "miscompares-other"), ==, 0);
    g_assert_cmpuint(stat_get(t, "frag-pending-secondary"), ==, 0);
    g_assert_cmpuint(stat_get(t, "connections"), ==, 1);
    g_hash_table_destroy(t);
    h_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/compare/tcp/identical", test_tcp_identical);
    g_test_add_func("/colo/compare/tcp/segmentation", test_tcp_segmentation);
    g_test_add_func("/colo/compare/tcp/one-byte-diff", test_tcp_one_byte_diff);
    g_test_add_func("/colo/compare/tcp/ack-wait", test_tcp_ack_wait);
    g_test_add_func("/colo/compare/tcp/gap", test_tcp_gap);
    g_test_add_func("/colo/compare/tcp/retransmit", test_tcp_retransmit);
    g_test_add_func("/colo/compare/stale-secondary", test_stale_secondary);
    g_test_add_func("/colo/compare/tcp/pure-ack", test_tcp_pure_ack);
    g_test_add_func("/colo/compare/timeout", test_timeout);
    g_test_add_func("/colo/compare/queue-overflow", test_queue_overflow);
    g_test_add_func("/colo/compare/malformed", test_malformed);
    g_test_add_func("/colo/compare/udp-icmp", test_udp_icmp);
    g_test_add_func("/colo/compare/other-proto", test_other_proto);
    g_test_add_func("/colo/compare/non-ip", test_non_ip);
    g_test_add_func("/colo/compare/ipv6", test_ipv6);
    g_test_add_func("/colo/compare/vlan", test_vlan);
    g_test_add_func("/colo/compare/fragment/ipv4", test_fragment_ipv4);
    g_test_add_func("/colo/compare/fragment/ipv6", test_fragment_ipv6);
    g_test_add_func("/colo/compare/fragment/memory", test_fragment_memory);
    g_test_add_func("/colo/compare/evict", test_evict);
    g_test_add_func("/colo/compare/failover", test_failover);
    g_test_add_func("/colo/compare/feed", test_feed);
    g_test_add_func("/colo/compare/stats-names", test_stats_names);
    g_test_add_func("/colo/compare/wait-stats", test_wait_stats);
    g_test_add_func("/colo/compare/fuzz", test_fuzz);
    return g_test_run();
}
