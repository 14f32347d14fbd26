/*
 * colo-compare core internals shared by colo-compare-core.c and
 * colo-compare-tcp.c (not a public interface).
 */
#ifndef NET_COLO_COMPARE_INT_H
#define NET_COLO_COMPARE_INT_H

#include "net/colo-compare-core.h"

/*
 * A queued packet.  data points either at inline[] (a copy of the frame)
 * or at frags->frame (a reassembled datagram, whose original pieces are
 * what gets released).
 */
typedef struct ColoPkt {
    GList link;                 /* in ColoConn.q[side] */
    int64_t time_ns;            /* arrival */
    const uint8_t *data;
    uint32_t len;               /* incl. vnet header */
    uint32_t vnet_hdr_len;
    uint32_t l4_off;
    uint32_t l4_len;
    uint32_t payload_off;
    uint32_t payload_len;
    uint32_t end;               /* end of the IP datagram */
    uint32_t seq;               /* TCP only */
    uint32_t seq_end;           /* seq + payload_len */
    uint32_t ack;
    uint8_t flags;
    uint32_t cap;               /* bytes available in inline[] */
    ColoFragDatagram *frags;
    uint8_t inline_data[];
} ColoPkt;

/* Per-connection TCP comparison state. */
typedef struct ColoTcpState {
    bool ack_valid[COLO_SIDE__MAX];
    uint32_t max_ack[COLO_SIDE__MAX];
    bool cseq_valid;
    uint32_t compare_seq;       /* both streams matched up to here */
} ColoTcpState;

typedef enum ColoTcpAction {
    COLO_TCP_RELEASE_PRIMARY,   /* primary head fully matched */
    COLO_TCP_PASS_PRIMARY,      /* primary head: no payload / old bytes */
    COLO_TCP_PASS_BOTH,         /* neither head has bytes to compare */
    COLO_TCP_DROP_SECONDARY,    /* secondary head consumed */
    COLO_TCP_RELEASE_BOTH,      /* both heads matched exactly */
    COLO_TCP_WAIT_ACK,          /* matched, but the SVM has not acked */
    COLO_TCP_MISMATCH,
} ColoTcpAction;

/**
 * colo_tcp_note_ack: records the ACK field of a segment from @side (the
 * maximum in sequence space), if @flags has ACK set.
 */
void colo_tcp_note_ack(ColoTcpState *st, ColoSide side, uint8_t flags,
                       uint32_t ack);

/**
 * colo_tcp_primary_alone: may the primary head go out although no
 * secondary packet is queued?  Only a retransmission of bytes already
 * matched whose ACK the secondary has reached.
 */
bool colo_tcp_primary_alone(const ColoTcpState *st, const ColoPkt *p);

/**
 * colo_tcp_secondary_spent: has @s nothing left to compare (no payload,
 * or only bytes already matched)?
 */
bool colo_tcp_secondary_spent(const ColoTcpState *st, const ColoPkt *s);

/**
 * colo_tcp_step: decides what to do with the two queue heads; advances
 * compare_seq when bytes matched.
 */
ColoTcpAction colo_tcp_step(ColoTcpState *st, const ColoPkt *p,
                            const ColoPkt *s);

#endif
