/*
 * colo-compare core: TCP byte-stream comparison.
 *
 * Primary and secondary segments rarely line up: the two guests may cut
 * the same stream differently.  Instead of comparing segments we compare
 * stream positions.  compare_seq is the sequence number up to which both
 * streams have been found identical; each step compares the overlap of
 * the two queue heads starting there:
 *
 *   primary    |--- p1 ---|------ p2 ------|
 *   secondary  |------ s1 ------|--- s2 ---|
 *              ^cseq      ^step 1 frees p1 (cseq moves)
 *                               ^step 2 drops s1
 *                                          ^step 3 frees p2 and s2
 */
#include "qemu/osdep.h"
#include "colo-compare-int.h"

void colo_tcp_note_ack(ColoTcpState *st, ColoSide side, uint8_t flags,
                       uint32_t ack)
{
    if (!(flags & COLO_TCP_ACK)) {
        return;
    }
    if (!st->ack_valid[side] || colo_seq_after(ack, st->max_ack[side])) {
        st->max_ack[side] = ack;
        st->ack_valid[side] = true;
    }
}

static bool compared_already(const ColoTcpState *st, const ColoPkt *pkt)
{
    return st->cseq_valid && !colo_seq_after(pkt->seq_end, st->compare_seq);
}

/* The first sequence number of @pkt not compared yet. */
static uint32_t stream_start(const ColoTcpState *st, const ColoPkt *pkt)
{
    if (st->cseq_valid && colo_seq_after(st->compare_seq, pkt->seq)) {
        return st->compare_seq;
    }
    return pkt->seq;
}

/* May @p go out, i.e. has the secondary acknowledged as much? */
static bool ack_allows(const ColoTcpState *st, const ColoPkt *p)
{
    uint32_t limit;

    if (!(p->flags & COLO_TCP_ACK)) {
        return true;
    }
    if (!st->ack_valid[COLO_SECONDARY]) {
        return false;
    }
    limit = st->max_ack[COLO_SECONDARY];
    if (st->ack_valid[COLO_PRIMARY] &&
        colo_seq_after(limit, st->max_ack[COLO_PRIMARY])) {
        limit = st->max_ack[COLO_PRIMARY];
    }
    return !colo_seq_after(p->ack, limit);
}

bool colo_tcp_primary_alone(const ColoTcpState *st, const ColoPkt *p)
{
    return p->payload_len && compared_already(st, p) && ack_allows(st, p);
}

bool colo_tcp_secondary_spent(const ColoTcpState *st, const ColoPkt *s)
{
    return s->payload_len == 0 || compared_already(st, s);
}

ColoTcpAction colo_tcp_step(ColoTcpState *st, const ColoPkt *p,
                            const ColoPkt *s)
{
    bool p_done = p->payload_len == 0 || compared_already(st, p);
    bool s_done = s->payload_len == 0 || compared_already(st, s);
    uint32_t start, n, end;

    /* nothing (new) to compare: consume them pairwise, as QEMU does */
    if (p_done) {
        return s_done ? COLO_TCP_PASS_BOTH : COLO_TCP_PASS_PRIMARY;
    }
    if (s_done) {
        return COLO_TCP_DROP_SECONDARY;
    }
    start = stream_start(st, p);
    if (start != stream_start(st, s)) {
        return COLO_TCP_MISMATCH;
    }
    n = MIN(p->seq_end - start, s->seq_end - start);
    if (memcmp(p->data + p->payload_off + (start - p->seq),
               s->data + s->payload_off + (start - s->seq), n) != 0) {
        return COLO_TCP_MISMATCH;
    }
    end = start + n;
    if (end != p->seq_end) {
        /* the secondary segment is used up, the primary continues */
        st->compare_seq = end;
        st->cseq_valid = true;
        return COLO_TCP_DROP_SECONDARY;
    }
    if (!ack_allows(st, p)) {
        return COLO_TCP_WAIT_ACK;
    }
    st->compare_seq = end;
    st->cseq_valid = true;
    return end == s->seq_end ? COLO_TCP_RELEASE_BOTH
                             : COLO_TCP_RELEASE_PRIMARY;
}
