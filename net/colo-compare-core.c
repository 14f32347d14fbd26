/*
 * colo-compare core: connection table, queues, release and checkpoint
 * requests.  The model is described in include/net/colo-compare-core.h;
 * TCP stream matching lives in colo-compare-tcp.c.
 *
 * Connections are in exactly one of two lists:
 *
 *   idle   both queues empty; least recently used first -- when the
 *          table is full the head is evicted (never a busy connection)
 *   busy   something queued; scanned for timeouts and flushed at
 *          checkpoints in this order
 */
#include "qemu/osdep.h"
#include "colo-compare-int.h"
#include "trace/trace-net.h"

#define PKT_POOL_DATA   2048    /* frames up to this size use the pool */
#define PKT_POOL_MAX    512

typedef struct ColoConn {
    ColoConnKey key;
    GQueue q[COLO_SIDE__MAX];
    GList list_link;            /* in core->idle or core->busy */
    bool busy;
    bool mismatch;              /* waiting for a checkpoint */
    ColoProto proto;
    ColoTcpState tcp;
} ColoConn;

struct ColoCompareCore {
    ColoCompareConfig cfg;
    const ColoCompareOps *ops;
    void *opaque;
    GHashTable *conns;          /* &conn->key -> conn */
    GQueue idle;
    GQueue busy;
    ColoFragTable *frag[COLO_SIDE__MAX];
    bool failover;
    bool ckpt_pending;
    int64_t ckpt_requested_ns;
    int64_t now_ns;
    ColoCompareStats st;
    unsigned npool;
    ColoPkt *pool[PKT_POOL_MAX];
};

static const char *const proto_names[COLO_PROTO__MAX] = {
    [COLO_PROTO_TCP] = "tcp",
    [COLO_PROTO_UDP] = "udp",
    [COLO_PROTO_ICMP] = "icmp",
    [COLO_PROTO_OTHER] = "other",
};

const char *colo_compare_proto_str(ColoProto proto)
{
    return (unsigned)proto < COLO_PROTO__MAX ? proto_names[proto] : "?";
}

void colo_compare_config_default(ColoCompareConfig *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->compare_timeout_ns = COLO_COMPARE_DEFAULT_TIMEOUT_MS * 1000000LL;
    cfg->max_queue_size = COLO_COMPARE_DEFAULT_QUEUE_SIZE;
    cfg->max_connections = COLO_COMPARE_DEFAULT_MAX_CONNS;
    cfg->max_queued_total = COLO_COMPARE_DEFAULT_MAX_QUEUED;
    cfg->frag.max_bytes = 4 * 1024 * 1024;
    cfg->frag.max_datagrams = 256;
    cfg->frag.timeout_ns = 5 * 1000000000LL;
}

/* ---- packets ---------------------------------------------------------- */

static ColoPkt *pkt_alloc(ColoCompareCore *c, size_t len)
{
    ColoPkt *pkt;
    size_t cap = len <= PKT_POOL_DATA ? PKT_POOL_DATA : len;

    if (cap == PKT_POOL_DATA && c->npool) {
        pkt = c->pool[--c->npool];
    } else {
        pkt = g_malloc(sizeof(ColoPkt) + cap);
    }
    memset(pkt, 0, sizeof(*pkt));
    pkt->cap = cap;
    pkt->link.data = pkt;
    return pkt;
}

static void pkt_free(ColoCompareCore *c, ColoPkt *pkt)
{
    colo_frag_datagram_free(pkt->frags);
    if (pkt->cap == PKT_POOL_DATA && c->npool < PKT_POOL_MAX) {
        c->pool[c->npool++] = pkt;
    } else {
        g_free(pkt);
    }
}

static void pkt_fill(ColoPkt *pkt, const ColoPacketInfo *info, size_t len,
                     int64_t now_ns)
{
    pkt->time_ns = now_ns;
    pkt->len = len;
    pkt->vnet_hdr_len = info->vnet_hdr_len;
    pkt->l4_off = info->l4_off;
    pkt->l4_len = info->l4_len;
    pkt->payload_off = info->payload_off;
    pkt->payload_len = info->payload_len;
    pkt->end = info->end;
    if (info->proto == COLO_IPPROTO_TCP) {
        pkt->seq = info->tcp_seq;
        pkt->seq_end = info->tcp_seq + info->payload_len;
        pkt->ack = info->tcp_ack;
        pkt->flags = info->tcp_flags;
    }
}

static ColoPkt *pkt_new(ColoCompareCore *c, const uint8_t *frame, size_t len,
                        const ColoPacketInfo *info, ColoFragDatagram *dg)
{
    ColoPkt *pkt = pkt_alloc(c, dg ? 0 : len);

    if (dg) {
        pkt->frags = dg;
        pkt->data = dg->frame;
    } else {
        memcpy(pkt->inline_data, frame, len);
        pkt->data = pkt->inline_data;
    }
    pkt_fill(pkt, info, dg ? dg->len : len, c->now_ns);
    return pkt;
}

static void emit(ColoCompareCore *c, const uint8_t *frame, size_t len,
                 size_t vnet_hdr_len)
{
    c->st.released++;
    c->ops->release(c->opaque, frame, len, vnet_hdr_len);
}

static void release_pkt(ColoCompareCore *c, ColoPkt *pkt)
{
    unsigned i;

    if (!pkt->frags) {
        emit(c, pkt->data, pkt->len, pkt->vnet_hdr_len);
    } else {
        for (i = 0; i < pkt->frags->npieces; i++) {
            emit(c, pkt->frags->pieces[i].frame, pkt->frags->pieces[i].len,
                 pkt->vnet_hdr_len);
        }
    }
    pkt_free(c, pkt);
}

/* ---- checkpoint requests ---------------------------------------------- */

static void request_checkpoint(ColoCompareCore *c, ColoCheckpointReason r)
{
    trace_colo_compare_checkpoint_request(colo_checkpoint_reason_str(r),
                                          c->ckpt_pending);
    if (c->ckpt_pending) {
        c->st.checkpoint_requests_suppressed++;
        return;
    }
    c->ckpt_pending = true;
    c->ckpt_requested_ns = c->now_ns;
    c->st.checkpoint_requests[r]++;
    c->ops->checkpoint_request(c->opaque, r);
}

/* ---- connections ------------------------------------------------------ */

static ColoProto proto_class(uint8_t ipproto)
{
    switch (ipproto) {
    case COLO_IPPROTO_TCP:
        return COLO_PROTO_TCP;
    case COLO_IPPROTO_UDP:
        return COLO_PROTO_UDP;
    case COLO_IPPROTO_ICMP:
    case COLO_IPPROTO_ICMPV6:
        return COLO_PROTO_ICMP;
    default:
        return COLO_PROTO_OTHER;
    }
}

static void conn_free(ColoCompareCore *c, ColoConn *conn)
{
    int side;

    for (side = 0; side < COLO_SIDE__MAX; side++) {
        GList *l;

        while ((l = g_queue_pop_head_link(&conn->q[side]))) {
            c->st.queued[side]--;
            pkt_free(c, l->data);
        }
    }
    g_free(conn);
}

static void conn_evict_idle(ColoCompareCore *c)
{
    ColoConn *conn = c->idle.head->data;

    g_queue_unlink(&c->idle, &conn->list_link);
    g_hash_table_remove(c->conns, &conn->key);
    c->st.connections_evicted++;
    trace_colo_compare_evict(g_hash_table_size(c->conns));
    conn_free(c, conn);
}

static ColoConn *conn_get(ColoCompareCore *c, const ColoPacketInfo *info)
{
    ColoConn *conn = g_hash_table_lookup(c->conns, &info->key);

    if (conn) {
        return conn;
    }
    if (g_hash_table_size(c->conns) >= c->cfg.max_connections) {
        if (!c->idle.head) {
            return NULL;
        }
        conn_evict_idle(c);
    }
    conn = g_new0(ColoConn, 1);
    conn->key = info->key;
    conn->proto = proto_class(info->proto);
    conn->list_link.data = conn;
    g_hash_table_insert(c->conns, &conn->key, conn);
    g_queue_push_tail_link(&c->idle, &conn->list_link);
    return conn;
}

static bool conn_empty(const ColoConn *conn)
{
    return !conn->q[COLO_PRIMARY].head && !conn->q[COLO_SECONDARY].head;
}

/* Moves @conn to the tail of the list matching its queues (LRU order). */
static void conn_touch(ColoCompareCore *c, ColoConn *conn)
{
    g_queue_unlink(conn->busy ? &c->busy : &c->idle, &conn->list_link);
    conn->busy = !conn_empty(conn);
    g_queue_push_tail_link(conn->busy ? &c->busy : &c->idle,
                           &conn->list_link);
}

static ColoPkt *conn_pop(ColoCompareCore *c, ColoConn *conn, ColoSide side)
{
    GList *l = g_queue_pop_head_link(&conn->q[side]);

    c->st.queued[side]--;
    return l->data;
}

static void conn_enqueue(ColoCompareCore *c, ColoConn *conn, ColoSide side,
                         ColoPkt *pkt)
{
    GQueue *q = &conn->q[side];
    GList *prev = q->tail;

    if (conn->proto == COLO_PROTO_TCP) {
        /* keep sequence order; equal sequence numbers keep arrival order */
        while (prev && colo_seq_after(((ColoPkt *)prev->data)->seq,
                                      pkt->seq)) {
            prev = prev->prev;
        }
    }
    if (prev) {
        g_queue_insert_after_link(q, prev, &pkt->link);
    } else {
        g_queue_push_head_link(q, &pkt->link);
    }
    if (++c->st.queued[side] > c->st.queued_max[side]) {
        c->st.queued_max[side] = c->st.queued[side];
    }
}

/* ---- comparison ------------------------------------------------------- */

/* primary @p goes out because @s, the secondary's copy, matched it */
static void note_match(ColoCompareCore *c, ColoProto proto, const ColoPkt *p,
                       const ColoPkt *s)
{
    static const int64_t bucket_ns[COLO_WAIT_BUCKETS - 1] = {
        100000, 1000000, 10000000, 100000000,
    };
    int64_t wait = c->now_ns - p->time_ns;
    unsigned b = 0;

    wait = wait > 0 ? wait : 0;
    while (b < G_N_ELEMENTS(bucket_ns) && wait >= bucket_ns[b]) {
        b++;
    }
    c->st.compared[proto]++;
    c->st.wait_count++;
    c->st.wait_ns_total += wait;
    c->st.wait_ns_max = MAX(c->st.wait_ns_max, (uint64_t)wait);
    c->st.wait_hist[b]++;
    if (s->time_ns < p->time_ns) {
        c->st.secondary_first++;
    }
    trace_colo_compare_match_wait(colo_compare_proto_str(proto), p->seq,
                                  wait / 1000,
                                  (s->time_ns - p->time_ns) / 1000);
}

static void miscompare(ColoCompareCore *c, ColoConn *conn, const ColoPkt *p)
{
    conn->mismatch = true;
    c->st.miscompares[conn->proto]++;
    trace_colo_compare_miscompare(colo_compare_proto_str(conn->proto),
                                  p->seq);
    request_checkpoint(c, COLO_CHECKPOINT_REASON_MISCOMPARE);
}

static void compare_tcp(ColoCompareCore *c, ColoConn *conn)
{
    GQueue *pq = &conn->q[COLO_PRIMARY], *sq = &conn->q[COLO_SECONDARY];

    while (pq->head) {
        if (!sq->head) {
            /* only retransmissions of matched bytes may go on their own */
            if (!colo_tcp_primary_alone(&conn->tcp, pq->head->data)) {
                return;
            }
            release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
            continue;
        }
        switch (colo_tcp_step(&conn->tcp, pq->head->data, sq->head->data)) {
        case COLO_TCP_RELEASE_PRIMARY:
            note_match(c, COLO_PROTO_TCP, pq->head->data, sq->head->data);
            release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
            break;
        case COLO_TCP_PASS_PRIMARY:
            release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
            break;
        case COLO_TCP_PASS_BOTH:
            release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
            pkt_free(c, conn_pop(c, conn, COLO_SECONDARY));
            break;
        case COLO_TCP_DROP_SECONDARY:
            pkt_free(c, conn_pop(c, conn, COLO_SECONDARY));
            break;
        case COLO_TCP_RELEASE_BOTH:
            note_match(c, COLO_PROTO_TCP, pq->head->data, sq->head->data);
            release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
            pkt_free(c, conn_pop(c, conn, COLO_SECONDARY));
            break;
        case COLO_TCP_WAIT_ACK:
            return;
        case COLO_TCP_MISMATCH:
        default:
            miscompare(c, conn, pq->head->data);
            return;
        }
    }
}

static bool pkt_same(ColoProto proto, const ColoPkt *p, const ColoPkt *s)
{
    size_t po, so, n;

    if (proto == COLO_PROTO_OTHER) {
        /* everything after the vnet header, up to the datagram's end */
        po = p->vnet_hdr_len;
        so = s->vnet_hdr_len;
        n = p->end - po;
        if (s->end - so != n) {
            return false;
        }
    } else {
        /* IP payload: IP header (TTL, ID, checksum...) ignored */
        po = p->l4_off;
        so = s->l4_off;
        n = p->l4_len;
        if (s->l4_len != n) {
            return false;
        }
    }
    return memcmp(p->data + po, s->data + so, n) == 0;
}

static void compare_datagrams(ColoCompareCore *c, ColoConn *conn)
{
    GQueue *pq = &conn->q[COLO_PRIMARY], *sq = &conn->q[COLO_SECONDARY];

    while (pq->head && sq->head) {
        ColoPkt *p = pq->head->data;
        GList *l;

        for (l = sq->head; l; l = l->next) {
            if (pkt_same(conn->proto, p, l->data)) {
                break;
            }
        }
        if (!l) {
            miscompare(c, conn, p);
            return;
        }
        g_queue_unlink(sq, l);
        c->st.queued[COLO_SECONDARY]--;
        note_match(c, conn->proto, p, l->data);
        pkt_free(c, l->data);
        release_pkt(c, conn_pop(c, conn, COLO_PRIMARY));
    }
}

static void conn_compare(ColoCompareCore *c, ColoConn *conn)
{
    if (conn->mismatch) {
        return;
    }
    if (conn->proto == COLO_PROTO_TCP) {
        compare_tcp(c, conn);
    } else {
        compare_datagrams(c, conn);
    }
}

/* ---- input ------------------------------------------------------------ */

static void drop_malformed(ColoCompareCore *c, ColoSide side, size_t len)
{
    c->st.dropped_malformed[side]++;
    trace_colo_compare_drop_malformed(side, len);
}

static void pass_uncompared(ColoCompareCore *c, ColoSide side,
                            const uint8_t *frame, size_t len,
                            size_t vnet_hdr_len)
{
    if (side == COLO_PRIMARY) {
        c->st.released_uncompared++;
        emit(c, frame, len, vnet_hdr_len);
    } else {
        c->st.dropped_secondary++;
    }
}

static void enqueue_and_compare(ColoCompareCore *c, ColoSide side,
                                const uint8_t *frame, size_t len,
                                const ColoPacketInfo *info,
                                ColoFragDatagram *dg)
{
    ColoConn *conn = conn_get(c, info);

    if (!conn) {
        c->st.dropped_table_full[side]++;
        colo_frag_datagram_free(dg);
        request_checkpoint(c, COLO_CHECKPOINT_REASON_QUEUE_FULL);
        return;
    }
    if (conn->proto == COLO_PROTO_TCP) {
        /* even a segment dropped below tells what the guest acknowledged */
        colo_tcp_note_ack(&conn->tcp, side, info->tcp_flags, info->tcp_ack);
    }
    if (g_queue_get_length(&conn->q[side]) >= c->cfg.max_queue_size ||
        c->st.queued[side] >= c->cfg.max_queued_total) {
        c->st.dropped_queue_full[side]++;
        trace_colo_compare_queue_full(side, c->cfg.max_queue_size);
        colo_frag_datagram_free(dg);
        if (side == COLO_PRIMARY) {
            request_checkpoint(c, COLO_CHECKPOINT_REASON_QUEUE_FULL);
        }
        return;
    }
    conn_enqueue(c, conn, side, pkt_new(c, frame, len, info, dg));
    conn_compare(c, conn);
    conn_touch(c, conn);
}

static void input_fragment(ColoCompareCore *c, ColoSide side,
                           const uint8_t *frame, size_t len,
                           const ColoPacketInfo *info)
{
    ColoFragDatagram *dg;
    ColoPacketInfo whole;

    if (colo_frag_input(c->frag[side], frame, len, info, c->now_ns, &dg) !=
        COLO_FRAG_DONE) {
        return;
    }
    if (colo_packet_parse(dg->frame, dg->len, dg->vnet_hdr_len, &whole) !=
        COLO_PARSE_OK) {
        drop_malformed(c, side, dg->len);
        colo_frag_datagram_free(dg);
        return;
    }
    enqueue_and_compare(c, side, NULL, 0, &whole, dg);
}

void colo_compare_core_input(ColoCompareCore *c, ColoSide side,
                             const uint8_t *frame, size_t len,
                             size_t vnet_hdr_len, int64_t now_ns)
{
    ColoPacketInfo info;

    g_assert((unsigned)side < COLO_SIDE__MAX);
    c->now_ns = now_ns;
    c->st.input[side]++;
    if (len > UINT32_MAX || vnet_hdr_len > COLO_VNET_HDR_MAX) {
        drop_malformed(c, side, len);
        return;
    }
    if (c->failover) {
        pass_uncompared(c, side, frame, len, vnet_hdr_len);
        return;
    }
    switch (colo_packet_parse(frame, len, vnet_hdr_len, &info)) {
    case COLO_PARSE_OK:
        if (info.proto == COLO_IPPROTO_TCP) {
            trace_colo_compare_tcp(side, colo_rd16(frame + info.l4_off),
                                   colo_rd16(frame + info.l4_off + 2),
                                   info.tcp_flags, info.tcp_seq,
                                   info.tcp_ack, info.payload_len);
        }
        enqueue_and_compare(c, side, frame, len, &info, NULL);
        break;
    case COLO_PARSE_FRAGMENT:
        input_fragment(c, side, frame, len, &info);
        break;
    case COLO_PARSE_NOT_IP:
        pass_uncompared(c, side, frame, len, vnet_hdr_len);
        break;
    case COLO_PARSE_MALFORMED:
    default:
        drop_malformed(c, side, len);
        break;
    }
}

typedef struct FeedCtx {
    ColoCompareCore *c;
    ColoSide side;
    int64_t now_ns;
} FeedCtx;

static void feed_frame(void *opaque, const uint8_t *frame, size_t len,
                       size_t vnet_hdr_len)
{
    FeedCtx *ctx = opaque;

    colo_compare_core_input(ctx->c, ctx->side, frame, len, vnet_hdr_len,
                            ctx->now_ns);
}

bool colo_compare_core_feed(ColoCompareCore *c, ColoSide side,
                            ColoFrameDecoder *dec, const uint8_t *data,
                            size_t len, int64_t now_ns, Error **errp)
{
    FeedCtx ctx = { c, side, now_ns };

    if (!colo_frame_decoder_feed(dec, data, len, feed_frame, &ctx, errp)) {
        c->st.framing_errors[side]++;
        return false;
    }
    return true;
}

/* ---- timers, checkpoints ---------------------------------------------- */

static bool conn_has_expired(ColoCompareCore *c, ColoConn *conn)
{
    GList *l;

    for (l = conn->q[COLO_PRIMARY].head; l; l = l->next) {
        ColoPkt *p = l->data;

        if (c->now_ns - p->time_ns >= c->cfg.compare_timeout_ns) {
            trace_colo_compare_timeout(colo_compare_proto_str(conn->proto),
                                       conn->key.port[0], conn->key.port[1],
                                       p->seq, p->payload_len, p->flags,
                                       conn->q[COLO_SECONDARY].length,
                                       (c->now_ns - p->time_ns) / 1000000);
            return true;
        }
    }
    return false;
}

/* Drops old secondary packets that have nothing left to compare. */
static void conn_drop_stale(ColoCompareCore *c, ColoConn *conn)
{
    GQueue *sq = &conn->q[COLO_SECONDARY];

    if (conn->proto != COLO_PROTO_TCP || conn->q[COLO_PRIMARY].head) {
        return;
    }
    while (sq->head) {
        ColoPkt *s = sq->head->data;

        if (c->now_ns - s->time_ns < c->cfg.compare_timeout_ns ||
            !colo_tcp_secondary_spent(&conn->tcp, s)) {
            break;
        }
        c->st.dropped_stale++;
        pkt_free(c, conn_pop(c, conn, COLO_SECONDARY));
    }
}

void colo_compare_core_scan(ColoCompareCore *c, int64_t now_ns)
{
    GList *l, *next;
    bool expired = false;
    int side;

    c->now_ns = now_ns;
    for (side = 0; side < COLO_SIDE__MAX; side++) {
        colo_frag_expire(c->frag[side], now_ns);
    }
    if (c->ckpt_pending &&
        now_ns - c->ckpt_requested_ns >= c->cfg.compare_timeout_ns) {
        /* the last request went unanswered: allow another one */
        c->ckpt_pending = false;
    }
    for (l = c->busy.head; l; l = next) {
        ColoConn *conn = l->data;

        next = l->next;
        if (!expired && conn_has_expired(c, conn)) {
            expired = true;
            request_checkpoint(c, COLO_CHECKPOINT_REASON_TIMEOUT);
        }
        conn_drop_stale(c, conn);
        if (conn_empty(conn)) {
            conn_touch(c, conn);
        }
    }
}

static void conn_flush(ColoCompareCore *c, ColoConn *conn)
{
    ColoTcpState *tcp = &conn->tcp;

    while (conn->q[COLO_PRIMARY].head) {
        ColoPkt *p = conn_pop(c, conn, COLO_PRIMARY);

        if (conn->proto == COLO_PROTO_TCP && p->payload_len &&
            (!tcp->cseq_valid || colo_seq_after(p->seq_end,
                                                tcp->compare_seq))) {
            /* the SVM now holds the PVM's state: it sent this too */
            tcp->compare_seq = p->seq_end;
            tcp->cseq_valid = true;
        }
        c->st.released_on_checkpoint++;
        release_pkt(c, p);
    }
    while (conn->q[COLO_SECONDARY].head) {
        c->st.dropped_secondary++;
        pkt_free(c, conn_pop(c, conn, COLO_SECONDARY));
    }
    if (tcp->ack_valid[COLO_PRIMARY]) {
        tcp->max_ack[COLO_SECONDARY] = tcp->max_ack[COLO_PRIMARY];
        tcp->ack_valid[COLO_SECONDARY] = true;
    }
    conn->mismatch = false;
}

void colo_compare_core_checkpoint(ColoCompareCore *c)
{
    uint64_t released = c->st.released_on_checkpoint;

    while (c->busy.head) {
        ColoConn *conn = c->busy.head->data;

        conn_flush(c, conn);
        conn_touch(c, conn);
    }
    c->ckpt_pending = false;
    c->st.checkpoints++;
    trace_colo_compare_checkpoint(c->st.released_on_checkpoint - released);
}

void colo_compare_core_failover(ColoCompareCore *c)
{
    colo_compare_core_checkpoint(c);
    c->failover = true;
}

/* ---- life cycle ------------------------------------------------------- */

ColoCompareCore *colo_compare_core_new(const ColoCompareConfig *cfg,
                                       const ColoCompareOps *ops,
                                       void *opaque)
{
    ColoCompareCore *c = g_new0(ColoCompareCore, 1);
    int side;

    c->cfg = *cfg;
    c->cfg.max_connections = MAX(c->cfg.max_connections, 1);
    c->cfg.max_queue_size = MAX(c->cfg.max_queue_size, 1);
    c->cfg.max_queued_total = MAX(c->cfg.max_queued_total, 1);
    c->ops = ops;
    c->opaque = opaque;
    c->conns = g_hash_table_new(colo_conn_key_hash, colo_conn_key_equal);
    g_queue_init(&c->idle);
    g_queue_init(&c->busy);
    for (side = 0; side < COLO_SIDE__MAX; side++) {
        c->frag[side] = colo_frag_table_new(&cfg->frag);
    }
    return c;
}

void colo_compare_core_free(ColoCompareCore *c)
{
    GList *l;
    int side;

    if (!c) {
        return;
    }
    while ((l = g_queue_pop_head_link(&c->idle)) ||
           (l = g_queue_pop_head_link(&c->busy))) {
        conn_free(c, l->data);
    }
    g_hash_table_destroy(c->conns);
    for (side = 0; side < COLO_SIDE__MAX; side++) {
        colo_frag_table_free(c->frag[side]);
    }
    while (c->npool) {
        g_free(c->pool[--c->npool]);
    }
    g_free(c);
}

void colo_compare_core_get_stats(const ColoCompareCore *c,
                                 ColoCompareStats *stats)
{
    int side;

    *stats = c->st;
    stats->connections = g_hash_table_size(c->conns);
    for (side = 0; side < COLO_SIDE__MAX; side++) {
        colo_frag_get_stats(c->frag[side], &stats->frag[side]);
    }
}

/* ---- statistics ------------------------------------------------------- */

static const char *const side_names[COLO_SIDE__MAX] = {
    [COLO_PRIMARY] = "primary",
    [COLO_SECONDARY] = "secondary",
};

static void stat_sides(ColoStatFn *fn, void *opaque, const char *name,
                       const uint64_t *v)
{
    char buf[64];
    int side;

    for (side = 0; side < COLO_SIDE__MAX; side++) {
        g_snprintf(buf, sizeof(buf), "%s-%s", name, side_names[side]);
        fn(opaque, buf, v[side]);
    }
}

static void stat_protos(ColoStatFn *fn, void *opaque, const char *name,
                        const uint64_t *v)
{
    char buf[64];
    int p;

    for (p = 0; p < COLO_PROTO__MAX; p++) {
        g_snprintf(buf, sizeof(buf), "%s-%s", name, proto_names[p]);
        fn(opaque, buf, v[p]);
    }
}

static void stat_frag(ColoStatFn *fn, void *opaque, const ColoFragStats *f,
                      const char *side)
{
    const struct {
        const char *name;
        uint64_t value;
    } t[] = {
        { "fragments", f->fragments },
        { "reassembled", f->reassembled },
        { "dropped-bad", f->dropped_bad },
        { "dropped-timeout", f->dropped_timeout },
        { "dropped-memory", f->dropped_memory },
        { "pending", f->pending },
        { "bytes", f->bytes },
    };
    char buf[64];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(t); i++) {
        g_snprintf(buf, sizeof(buf), "frag-%s-%s", t[i].name, side);
        fn(opaque, buf, t[i].value);
    }
}

static const char *const wait_names[COLO_WAIT_BUCKETS] = {
    "wait-lt-100us", "wait-lt-1ms", "wait-lt-10ms", "wait-lt-100ms",
    "wait-ge-100ms",
};

void colo_compare_stats_foreach(const ColoCompareStats *st,
                                ColoStatFn *fn, void *opaque)
{
    char buf[64];
    int i;

    stat_sides(fn, opaque, "input", st->input);
    stat_protos(fn, opaque, "compared", st->compared);
    stat_protos(fn, opaque, "miscompares", st->miscompares);
    fn(opaque, "released", st->released);
    fn(opaque, "released-uncompared", st->released_uncompared);
    fn(opaque, "released-on-checkpoint", st->released_on_checkpoint);
    stat_sides(fn, opaque, "framing-errors", st->framing_errors);
    stat_sides(fn, opaque, "dropped-malformed", st->dropped_malformed);
    stat_sides(fn, opaque, "dropped-queue-full", st->dropped_queue_full);
    stat_sides(fn, opaque, "dropped-table-full", st->dropped_table_full);
    fn(opaque, "dropped-secondary", st->dropped_secondary);
    fn(opaque, "dropped-stale", st->dropped_stale);
    for (i = 0; i < COLO_CHECKPOINT_REASON__MAX; i++) {
        g_snprintf(buf, sizeof(buf), "checkpoint-requests-%s",
                   colo_checkpoint_reason_str(i));
        fn(opaque, buf, st->checkpoint_requests[i]);
    }
    fn(opaque, "checkpoint-requests-suppressed",
       st->checkpoint_requests_suppressed);
    fn(opaque, "checkpoints", st->checkpoints);
    fn(opaque, "connections", st->connections);
    fn(opaque, "connections-evicted", st->connections_evicted);
    stat_sides(fn, opaque, "queued", st->queued);
    stat_sides(fn, opaque, "queued-max", st->queued_max);
    fn(opaque, "wait-count", st->wait_count);
    fn(opaque, "wait-us-total", st->wait_ns_total / 1000);
    fn(opaque, "wait-us-max", st->wait_ns_max / 1000);
    for (i = 0; i < COLO_WAIT_BUCKETS; i++) {
        fn(opaque, wait_names[i], st->wait_hist[i]);
    }
    fn(opaque, "secondary-first", st->secondary_first);
    for (i = 0; i < COLO_SIDE__MAX; i++) {
        stat_frag(fn, opaque, &st->frag[i], side_names[i]);
    }
}
