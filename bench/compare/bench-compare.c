/*
 * colo-compare core benchmark (one core).
 *
 * Feeds a TCP stream through the comparator the way colo-compare sees
 * it: every primary segment is followed, @lag segments later, by the
 * identical secondary segment, so queues are not empty.  Reports
 *
 *   - throughput: primary frame bits (and packets) compared and released
 *     per second of thread CPU time (a run without per-packet clocks);
 *   - added latency per packet: time spent in the core's input call for
 *     the primary packet plus the secondary input call that releases it
 *     (the comparator's own contribution, excluding chardev I/O).
 *
 * Usage: bench-compare [frame-size] [packets] [lag] [connections] [split]
 * ("split": the secondary sends each segment as two, so the byte-stream
 * comparison works across different segmentation)
 */
#include "qemu/osdep.h"
#include "net/colo-compare-core.h"
#include "test-colo-pktgen.h"

typedef struct Bench {
    uint64_t released;
    uint64_t released_bytes;
} Bench;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_release(void *opaque, const uint8_t *frame, size_t len,
                       size_t vnet_hdr_len)
{
    Bench *b = opaque;

    b->released++;
    b->released_bytes += len;
}

static void on_ckpt(void *opaque, ColoCheckpointReason reason)
{
    fprintf(stderr, "unexpected checkpoint request: %s\n",
            colo_checkpoint_reason_str(reason));
    exit(1);
}

static const ColoCompareOps ops = {
    .release = on_release,
    .checkpoint_request = on_ckpt,
};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct Stream {
    unsigned nconn;
    unsigned ring;              /* > lag: slots still needed by secondary */
    size_t hdr;                 /* bytes before the TCP payload */
    size_t len;                 /* frame length */
    uint8_t **tmpl;             /* per connection: a frame to patch */
    uint8_t **slot;
    uint32_t *pos;
    size_t seq_off;
} Stream;

static void stream_init(Stream *st, size_t frame, unsigned nconn,
                        unsigned lag)
{
    uint8_t payload[9000];
    TestFlow f;
    unsigned i;

    st->nconn = nconn;
    st->ring = lag + 1;
    tpkt_flow_init(&f, false, 0, 10000);
    st->hdr = tpkt_l4_off(&f) + 20;
    st->seq_off = tpkt_l4_off(&f) + 4;
    for (i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 131 + 17);
    }
    st->tmpl = g_new(uint8_t *, nconn);
    st->pos = g_new0(uint32_t, nconn);
    for (i = 0; i < nconn; i++) {
        tpkt_flow_init(&f, false, 0, 10000 + i);
        st->tmpl[i] = g_malloc(TPKT_MAX);
        st->len = tpkt_tcp(st->tmpl[i], &f, true, 1, 1,
                           COLO_TCP_ACK | COLO_TCP_PSH, payload,
                           frame - st->hdr);
    }
    st->slot = g_new(uint8_t *, st->ring);
    for (i = 0; i < st->ring; i++) {
        st->slot[i] = g_memdup2(st->tmpl[0], st->len);
    }
}

/*
 * Packet i: connection i % nconn at its next stream position.  Only the
 * headers are rewritten (the core does not verify checksums), so making
 * a packet costs next to nothing compared to comparing it.
 */
static const uint8_t *stream_make(Stream *st, unsigned i)
{
    unsigned c = i % st->nconn;
    uint8_t *f = st->slot[i % st->ring];

    memcpy(f, st->tmpl[c], st->hdr);
    colo_wr32(f + st->seq_off, 1 + st->pos[c]);
    st->pos[c] += st->len - st->hdr;
    return f;
}

/*
 * The secondary's version of @f cut into two segments (what a guest with
 * a different MSS or TSO setting would send).  Only lengths and seq are
 * patched; the core does not verify checksums.
 */
static void split_frame(const Stream *st, const uint8_t *f, uint8_t *a,
                        size_t *alen, uint8_t *b, size_t *blen)
{
    size_t plen = st->len - st->hdr, h1 = plen / 2, h2 = plen - h1;
    size_t l3 = st->seq_off - 4 - 20;

    memcpy(a, f, st->hdr + h1);
    colo_wr16(a + l3 + 2, 40 + h1);
    *alen = st->hdr + h1;
    memcpy(b, f, st->hdr);
    memcpy(b + st->hdr, f + st->hdr + h1, h2);
    colo_wr16(b + l3 + 2, 40 + h2);
    colo_wr32(b + st->seq_off, colo_rd32(f + st->seq_off) + h1);
    *blen = st->hdr + h2;
}

static void stream_free(Stream *st)
{
    unsigned i;

    for (i = 0; i < st->nconn; i++) {
        g_free(st->tmpl[i]);
    }
    for (i = 0; i < st->ring; i++) {
        g_free(st->slot[i]);
    }
    g_free(st->tmpl);
    g_free(st->slot);
    g_free(st->pos);
}

static ColoCompareCore *core_new(Bench *b)
{
    ColoCompareConfig cfg;

    colo_compare_config_default(&cfg);
    return colo_compare_core_new(&cfg, &ops, b);
}

static void check_done(ColoCompareCore *core, Bench *b, unsigned npkt)
{
    ColoCompareStats st;

    colo_compare_core_get_stats(core, &st);
    if (st.compared[COLO_PROTO_TCP] != npkt || b->released != npkt) {
        fprintf(stderr, "compared %" PRIu64 ", released %" PRIu64
                " of %u\n", st.compared[COLO_PROTO_TCP], b->released, npkt);
        exit(1);
    }
}

static void feed_secondary(ColoCompareCore *core, const Stream *st,
                           const uint8_t *f, bool split, int64_t now)
{
    static uint8_t a[9100], b[9100];
    size_t al, bl;

    if (!split) {
        colo_compare_core_input(core, COLO_SECONDARY, f, st->len, 0, now);
        return;
    }
    split_frame(st, f, a, &al, b, &bl);
    colo_compare_core_input(core, COLO_SECONDARY, a, al, 0, now);
    colo_compare_core_input(core, COLO_SECONDARY, b, bl, 0, now);
}

/* Throughput pass: CPU time of the whole run, no per-packet clocks. */
static double run_throughput(size_t frame, unsigned npkt, unsigned lag,
                             unsigned nconn, bool split, double *pps)
{
    Bench b = { 0 };
    ColoCompareCore *core = core_new(&b);
    Stream st;
    int64_t t0, t;
    unsigned i;

    stream_init(&st, frame, nconn, lag);
    t0 = cpu_ns();
    for (i = 0; i < npkt + lag; i++) {
        if (i < npkt) {
            colo_compare_core_input(core, COLO_PRIMARY, stream_make(&st, i),
                                    st.len, 0, i);
        }
        if (i >= lag) {
            feed_secondary(core, &st, st.slot[(i - lag) % st.ring], split, i);
        }
    }
    t = cpu_ns() - t0;
    check_done(core, &b, npkt);
    colo_compare_core_free(core);
    stream_free(&st);
    *pps = npkt / (t / 1e9);
    return b.released_bytes * 8 / (t / 1e9) / 1e9;
}

/* Latency pass: per packet, primary input + the releasing secondary. */
static void run_latency(size_t frame, unsigned npkt, unsigned lag,
                        unsigned nconn, bool split, double *p50, double *p99)
{
    Bench b = { 0 };
    ColoCompareCore *core = core_new(&b);
    int64_t *lat = g_new0(int64_t, npkt);
    int64_t *pri = g_new0(int64_t, npkt);
    int64_t t0, t1;
    unsigned i, n = 0;
    Stream st;

    stream_init(&st, frame, nconn, lag);
    for (i = 0; i < npkt + lag; i++) {
        if (i < npkt) {
            const uint8_t *f = stream_make(&st, i);

            t0 = now_ns();
            colo_compare_core_input(core, COLO_PRIMARY, f, st.len, 0, t0);
            pri[i] = now_ns() - t0;
        }
        if (i >= lag) {
            unsigned s = i - lag;
            uint64_t before = b.released;

            t0 = now_ns();
            feed_secondary(core, &st, st.slot[s % st.ring], split, t0);
            t1 = now_ns();
            if (b.released != before) {
                lat[n++] = pri[s] + (t1 - t0);
            }
        }
    }
    check_done(core, &b, npkt);
    qsort(lat, n, sizeof(*lat), cmp_i64);
    *p50 = lat[n / 2] / 1e3;
    *p99 = lat[(size_t)(n * 0.99)] / 1e3;
    colo_compare_core_free(core);
    stream_free(&st);
    g_free(lat);
    g_free(pri);
}

int main(int argc, char **argv)
{
    size_t frame = argc > 1 ? atoi(argv[1]) : 1514;
    unsigned npkt = argc > 2 ? atoi(argv[2]) : 200000;
    unsigned lag = argc > 3 ? atoi(argv[3]) : 8;
    unsigned nconn = argc > 4 ? atoi(argv[4]) : 1;
    bool split = argc > 5 && !strcmp(argv[5], "split");
    double gbps, pps, p50, p99;

    if (frame < 64 || frame > 9014 || nconn < 1 || npkt < 100) {
        fprintf(stderr, "usage: %s [frame 64..9014] [packets >= 100] "
                "[lag] [connections]\n", argv[0]);
        return 1;
    }
    gbps = run_throughput(frame, npkt, lag, nconn, split, &pps);
    run_latency(frame, npkt, lag, nconn, split, &p50, &p99);
    printf("frame=%zuB conns=%u lag=%u%s packets=%u: %.2f Gbit/s, "
           "%.3f Mpps, added latency p50=%.2fus p99=%.2fus\n",
           frame, nconn, lag, split ? " secondary-split" : "", npkt, gbps,
           pps / 1e6, p50, p99);
    return 0;
}
