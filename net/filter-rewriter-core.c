/*
 * filter-rewriter core: TCP sequence offsets between the SVM's and the
 * PVM's connections; see include/net/filter-rewriter-core.h.
 *
 * Entry life cycle (explicit states):
 *
 *   (none) --SYN--> HANDSHAKE --offset learned--> ESTABLISHED
 *                       |                              |
 *                       +------ both FINs + ACK -------+--> CLOSED
 *   any state --RST--> freed           CLOSED --linger--> freed
 *   CLOSED --SYN--> HANDSHAKE, any state --SYN w/o ACK--> HANDSHAKE
 *   (port reuse; in HANDSHAKE only after a FIN or for another opening
 *   SYN than the one that began it, see conn_is_new())
 *   checkpoint: offsets 0; HANDSHAKE stays, the SVM's ISN forgotten
 */
#include "qemu/osdep.h"
#include "net/filter-rewriter-core.h"
#include "trace/trace-net.h"

#define TCP_CSUM_OFF    16
#define TCPOPT_EOL      0
#define TCPOPT_NOP      1
#define TCPOPT_TS       8
#define TCPOLEN_TS      10

typedef enum RwState {
    RW_HANDSHAKE,
    RW_ESTABLISHED,
    RW_CLOSED,
} RwState;

typedef struct RwConn {
    ColoConnKey key;
    GList lru_link;             /* in rw->lru, least recently used first */
    GList closed_link;          /* in rw->closed when RW_CLOSED */
    RwState state;
    bool have_open_seq;
    uint32_t open_seq;          /* sequence number of the opening SYN */
    bool have_svm_isn;
    uint32_t svm_isn;
    uint32_t offset;            /* SVM ISN - PVM ISN, in ESTABLISHED */
    bool have_svm_ts;
    uint32_t svm_tsval;         /* TSval of the SVM's SYN or SYN/ACK */
    uint32_t ts_offset;         /* see the header; 0: none */
    bool fin_guest;
    bool fin_client;
    int64_t closed_ns;
} RwConn;

struct ColoRewriter {
    uint32_t max_connections;
    GHashTable *conns;          /* &conn->key -> conn */
    GQueue lru;
    GQueue closed;              /* oldest close first */
    ColoRewriterStats st;
};

ColoRewriter *colo_rewriter_new(uint32_t max_connections)
{
    ColoRewriter *rw = g_new0(ColoRewriter, 1);

    rw->max_connections = MAX(max_connections, 1);
    rw->conns = g_hash_table_new(colo_conn_key_hash, colo_conn_key_equal);
    g_queue_init(&rw->lru);
    g_queue_init(&rw->closed);
    return rw;
}

static void conn_remove(ColoRewriter *rw, RwConn *conn)
{
    g_queue_unlink(&rw->lru, &conn->lru_link);
    if (conn->state == RW_CLOSED) {
        g_queue_unlink(&rw->closed, &conn->closed_link);
    }
    g_hash_table_remove(rw->conns, &conn->key);
    g_free(conn);
}

void colo_rewriter_free(ColoRewriter *rw)
{
    if (!rw) {
        return;
    }
    while (rw->lru.head) {
        conn_remove(rw, rw->lru.head->data);
    }
    g_hash_table_destroy(rw->conns);
    g_free(rw);
}

static void conn_reset(RwConn *conn)
{
    conn->state = RW_HANDSHAKE;
    conn->have_open_seq = false;
    conn->have_svm_isn = false;
    conn->offset = 0;
    conn->have_svm_ts = false;
    conn->ts_offset = 0;
    conn->fin_guest = false;
    conn->fin_client = false;
}

static RwConn *conn_new(ColoRewriter *rw, const ColoConnKey *key)
{
    RwConn *conn;

    if (g_hash_table_size(rw->conns) >= rw->max_connections) {
        rw->st.connections_evicted++;
        conn_remove(rw, rw->lru.head->data);
    }
    conn = g_new0(RwConn, 1);
    conn->key = *key;
    conn->lru_link.data = conn;
    conn->closed_link.data = conn;
    conn_reset(conn);
    g_hash_table_insert(rw->conns, &conn->key, conn);
    g_queue_push_tail_link(&rw->lru, &conn->lru_link);
    return conn;
}

static void purge_closed(ColoRewriter *rw, int64_t now_ns)
{
    while (rw->closed.head) {
        RwConn *conn = rw->closed.head->data;

        if (now_ns - conn->closed_ns < COLO_REWRITER_CLOSE_LINGER_NS) {
            break;
        }
        rw->st.connections_closed++;
        conn_remove(rw, conn);
    }
}

static void set_closed(ColoRewriter *rw, RwConn *conn, int64_t now_ns)
{
    conn->state = RW_CLOSED;
    conn->closed_ns = now_ns;
    g_queue_push_tail_link(&rw->closed, &conn->closed_link);
    trace_colo_rewriter_conn_closed(conn->offset);
}

/*
 * A new connection on the same ports as @conn (we may have missed the
 * end of the old one)?  Any SYN restarts a closed entry; an opening SYN
 * (no ACK) restarts an established one, one that saw a FIN, or a
 * handshake that another opening SYN began (not a retransmission of that
 * SYN).  An entry may stay in HANDSHAKE for a whole connection (a
 * checkpoint answered the SYN for the SVM, which then never sent a
 * SYN/ACK of its own), so port reuse must restart that state too.
 */
static bool conn_is_new(const RwConn *conn, const ColoPacketInfo *info)
{
    if (!(info->tcp_flags & COLO_TCP_SYN)) {
        return false;
    }
    if (conn->state == RW_CLOSED) {
        return true;
    }
    if (info->tcp_flags & COLO_TCP_ACK) {
        return false;
    }
    if (conn->state != RW_HANDSHAKE || conn->fin_guest || conn->fin_client) {
        return true;
    }
    return conn->have_open_seq && conn->open_seq != info->tcp_seq;
}

/* Finds the entry for @info; a SYN creates (or restarts) one. */
static RwConn *conn_lookup(ColoRewriter *rw, const ColoPacketInfo *info)
{
    RwConn *conn = g_hash_table_lookup(rw->conns, &info->key);
    bool opening = (info->tcp_flags & (COLO_TCP_SYN | COLO_TCP_ACK)) ==
                   COLO_TCP_SYN;

    if (!conn) {
        if (!(info->tcp_flags & COLO_TCP_SYN)) {
            return NULL;
        }
        conn = conn_new(rw, &info->key);
    } else if (conn_is_new(conn, info)) {
        if (conn->state == RW_CLOSED) {
            g_queue_unlink(&rw->closed, &conn->closed_link);
        }
        conn_reset(conn);
    }
    if (opening) {
        conn->open_seq = info->tcp_seq;
        conn->have_open_seq = true;
    }
    g_queue_unlink(&rw->lru, &conn->lru_link);
    g_queue_push_tail_link(&rw->lru, &conn->lru_link);
    return conn;
}

static bool csum_is_partial(const uint8_t *frame, size_t vnet_hdr_len)
{
    return vnet_hdr_len && (frame[0] & COLO_VNET_F_NEEDS_CSUM);
}

static void rewrite32(uint8_t *frame, const ColoPacketInfo *info,
                      size_t field_off, uint32_t to)
{
    uint8_t *tcp = frame + info->l4_off;
    uint32_t from = colo_rd32(tcp + field_off);

    colo_wr32(tcp + field_off, to);
    if (!csum_is_partial(frame, info->vnet_hdr_len)) {
        colo_csum_replace32(tcp + TCP_CSUM_OFF, from, to);
    }
}

/*
 * Offset (from the TCP header) of the timestamp option's TSval, or 0 when
 * the segment has none (or malformed options: left alone).
 */
static size_t ts_option(const uint8_t *frame, const ColoPacketInfo *info)
{
    const uint8_t *tcp = frame + info->l4_off;
    size_t hlen = (size_t)(tcp[12] >> 4) * 4;
    size_t i = 20;

    if (hlen > info->l4_len) {
        return 0;
    }
    while (i < hlen) {
        uint8_t kind = tcp[i];

        if (kind == TCPOPT_EOL) {
            return 0;
        }
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || tcp[i + 1] < 2 || tcp[i + 1] > hlen - i) {
            return 0;
        }
        if (kind == TCPOPT_TS) {
            return tcp[i + 1] == TCPOLEN_TS ? i + 2 : 0;
        }
        i += tcp[i + 1];
    }
    return 0;
}

/* RFC 1624 eqn. 3 for one 16-bit word of the checksummed data. */
static void csum_replace16(uint8_t *csum, uint16_t from, uint16_t to)
{
    uint32_t s = (uint16_t)~colo_rd16(csum);

    s += (uint16_t)~from;
    s += to;
    colo_wr16(csum, colo_csum_fold(s));
}

/*
 * Stores @to at @off of the TCP header (any alignment: options need not
 * keep 32-bit fields on 16-bit boundaries) and updates the checksum word
 * by word.  The header length is a multiple of 4, so the 16-bit words
 * covering the field lie inside it.
 */
static void rewrite32_at(uint8_t *frame, const ColoPacketInfo *info,
                         size_t off, uint32_t to)
{
    uint8_t *tcp = frame + info->l4_off;
    size_t w0 = off & ~(size_t)1, nw = (off + 4 - w0 + 1) / 2, i;
    uint16_t old[3];

    for (i = 0; i < nw; i++) {
        old[i] = colo_rd16(tcp + w0 + 2 * i);
    }
    colo_wr32(tcp + off, to);
    if (csum_is_partial(frame, info->vnet_hdr_len)) {
        return;
    }
    for (i = 0; i < nw; i++) {
        csum_replace16(tcp + TCP_CSUM_OFF, old[i],
                       colo_rd16(tcp + w0 + 2 * i));
    }
}

static bool from_guest(RwConn *conn, uint8_t *frame,
                       const ColoPacketInfo *info)
{
    size_t ts = ts_option(frame, info);
    bool modified = false;

    if (info->tcp_flags & COLO_TCP_SYN) {
        conn->svm_isn = info->tcp_seq;
        conn->have_svm_isn = true;
        conn->have_svm_ts = ts != 0;
        if (ts) {
            conn->svm_tsval = colo_rd32(frame + info->l4_off + ts);
        }
    }
    if (info->tcp_flags & COLO_TCP_FIN) {
        conn->fin_guest = true;
    }
    if (conn->state == RW_HANDSHAKE) {
        return false;
    }
    if (conn->offset) {
        rewrite32(frame, info, 4, info->tcp_seq - conn->offset);
        modified = true;
    }
    if (conn->ts_offset && ts) {
        rewrite32_at(frame, info, ts,
                     colo_rd32(frame + info->l4_off + ts) - conn->ts_offset);
        modified = true;
    }
    return modified;
}

static bool to_guest(ColoRewriter *rw, RwConn *conn, uint8_t *frame,
                     const ColoPacketInfo *info)
{
    bool ack = info->tcp_flags & COLO_TCP_ACK;
    size_t ts = ts_option(frame, info);
    bool modified = false;

    if (info->tcp_flags & COLO_TCP_FIN) {
        conn->fin_client = true;
    }
    if (conn->state == RW_HANDSHAKE && ack && conn->have_svm_isn) {
        /* this ACK acknowledges the PVM's ISN + 1 */
        conn->offset = conn->svm_isn - (info->tcp_ack - 1);
        conn->state = RW_ESTABLISHED;
        rw->st.offsets_learned++;
        trace_colo_rewriter_offset(conn->offset);
        if (conn->have_svm_ts && ts) {
            /* ... and echoes the PVM's TSval */
            uint32_t tsecr = colo_rd32(frame + info->l4_off + ts + 4);

            conn->ts_offset = conn->svm_tsval - tsecr -
                              COLO_REWRITER_TS_LEAD_MS;
            rw->st.ts_offsets_learned++;
        }
    }
    if (conn->state == RW_HANDSHAKE || !ack) {
        return false;
    }
    if (conn->offset) {
        rewrite32(frame, info, 8, info->tcp_ack + conn->offset);
        modified = true;
    }
    if (conn->ts_offset && ts) {
        rewrite32_at(frame, info, ts + 4,
                     colo_rd32(frame + info->l4_off + ts + 4) +
                     conn->ts_offset);
        modified = true;
    }
    return modified;
}

ColoRewriteResult colo_rewriter_process(ColoRewriter *rw, ColoRewriteDir dir,
                                        uint8_t *frame, size_t len,
                                        size_t vnet_hdr_len, int64_t now_ns)
{
    ColoPacketInfo info;
    ColoParseResult r;
    RwConn *conn;
    bool modified;

    rw->st.packets++;
    purge_closed(rw, now_ns);
    r = colo_packet_parse(frame, len, vnet_hdr_len, &info);
    if (r == COLO_PARSE_MALFORMED) {
        rw->st.malformed++;
        return COLO_REWRITE_MALFORMED;
    }
    if (r != COLO_PARSE_OK || info.proto != COLO_IPPROTO_TCP) {
        return COLO_REWRITE_PASS;
    }
    conn = conn_lookup(rw, &info);
    trace_colo_rewriter_tcp(dir == COLO_REWRITE_TO_GUEST,
                            colo_rd16(frame + info.l4_off),
                            colo_rd16(frame + info.l4_off + 2),
                            info.tcp_flags, info.tcp_seq, info.tcp_ack,
                            info.payload_len, conn ? (int)conn->state : -1,
                            conn ? conn->offset : 0);
    if (!conn) {
        return COLO_REWRITE_PASS;
    }
    if (dir == COLO_REWRITE_FROM_GUEST) {
        modified = from_guest(conn, frame, &info);
    } else {
        modified = to_guest(rw, conn, frame, &info);
    }
    if (info.tcp_flags & COLO_TCP_RST) {
        rw->st.connections_closed++;
        conn_remove(rw, conn);
    } else if (conn->state != RW_CLOSED && conn->fin_guest &&
               conn->fin_client && !(info.tcp_flags & COLO_TCP_FIN) &&
               (info.tcp_flags & COLO_TCP_ACK)) {
        set_closed(rw, conn, now_ns);
    }
    if (!modified) {
        return COLO_REWRITE_PASS;
    }
    rw->st.rewritten++;
    return COLO_REWRITE_MODIFIED;
}

bool colo_rewriter_get_offset(ColoRewriter *rw, const ColoConnKey *key,
                              uint32_t *offset)
{
    RwConn *conn = g_hash_table_lookup(rw->conns, key);

    if (!conn || conn->state == RW_HANDSHAKE) {
        return false;
    }
    *offset = conn->offset;
    return true;
}

void colo_rewriter_checkpoint(ColoRewriter *rw)
{
    GList *l;

    /*
     * A checkpoint copies the PVM's memory, and with it the PVM's TCP
     * state, into the SVM: from now on the SVM's existing connections
     * live in the PVM's sequence space, so their offset becomes 0 (as in
     * QEMU).  A handshake in progress stays one, with the SVM's ISN
     * forgotten: if the PVM had answered the SYN, the SVM holds its
     * SYN_RECV and the client's ACK passes unchanged (nothing learnt,
     * offset 0); if the SYN still waited in the PVM's receive ring, it
     * does in the SVM's too, each guest answers it after the checkpoint
     * with its own ISN, and the offset is learnt from those answers.
     */
    for (l = rw->lru.head; l; l = l->next) {
        RwConn *conn = l->data;

        conn->offset = 0;
        conn->ts_offset = 0;
        if (conn->state == RW_HANDSHAKE) {
            conn->have_svm_isn = false;
            conn->have_svm_ts = false;
        }
    }
    trace_colo_rewriter_checkpoint(g_hash_table_size(rw->conns));
}

void colo_rewriter_failover(ColoRewriter *rw)
{
    (void)rw;
}

void colo_rewriter_get_stats(const ColoRewriter *rw,
                             ColoRewriterStats *stats)
{
    *stats = rw->st;
    stats->connections = g_hash_table_size(rw->conns);
}

void colo_rewriter_stats_foreach(const ColoRewriterStats *st,
                                 ColoStatFn *fn, void *opaque)
{
    fn(opaque, "packets", st->packets);
    fn(opaque, "rewritten", st->rewritten);
    fn(opaque, "malformed", st->malformed);
    fn(opaque, "offsets-learned", st->offsets_learned);
    fn(opaque, "ts-offsets-learned", st->ts_offsets_learned);
    fn(opaque, "connections", st->connections);
    fn(opaque, "connections-closed", st->connections_closed);
    fn(opaque, "connections-evicted", st->connections_evicted);
}
