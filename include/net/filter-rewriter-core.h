/*
 * filter-rewriter core (secondary side): keeps the SVM's TCP connections
 * in the PVM's sequence space.
 *
 * The two guests pick different initial sequence numbers (ISN) for the
 * same connection; the client only ever talks to the PVM.  Per
 * connection we learn
 *
 *     offset = SVM ISN - PVM ISN
 *
 * from the handshake: the SVM's SYN or SYN/ACK gives the SVM ISN, the
 * peer's first ACK (which acknowledges PVM ISN + 1, since it was
 * mirrored from the primary) gives the PVM ISN.  Then
 *
 *     guest -> client  (SVM output, to colo-compare):  seq -= offset
 *     client -> guest  (mirrored input to the SVM):    ack += offset
 *
 * with an incremental TCP checksum update (skipped when the vnet header
 * says the checksum is only partial).
 *
 * TCP timestamps (RFC 7323) differ the same way: each guest's kernel adds
 * its own per-connection random offset to its millisecond clock.  After a
 * failover the client would drop the SVM's segments as old duplicates
 * (PAWS) whenever the SVM's TSval is behind the PVM's, so the timestamp
 * option gets the same treatment (QEMU's rewriter leaves it alone):
 *
 *     ts_offset = SVM's TSval in its SYN or SYN/ACK
 *                 - TSecr of the peer's first ACK (the PVM's TSval)
 *                 - COLO_REWRITER_TS_LEAD_MS
 *     guest -> client:  TSval -= ts_offset
 *     client -> guest:  TSecr += ts_offset
 *
 * The lead puts the SVM's translated clock slightly ahead of the PVM's:
 * the SVM answers the handshake later than the PVM did (it lags behind),
 * and a TSval ahead of what the client saw is accepted where one behind
 * is not.  It costs the SVM's RTT samples that many milliseconds while
 * the client still echoes the PVM's timestamps.  Offsets survive failover (the
 * SVM's connections opened since the last checkpoint still need them).
 * At a checkpoint the SVM receives the PVM's memory, TCP state included,
 * so colo_rewriter_checkpoint() sets every offset to 0 as QEMU does; the
 * entries themselves are kept for close tracking.  A connection entry is
 * created by a SYN and freed on RST, or shortly after both FINs were seen
 * and acknowledged; beyond max_connections the least recently used one
 * is evicted.
 */
#ifndef NET_FILTER_REWRITER_CORE_H
#define NET_FILTER_REWRITER_CORE_H

#include "net/colo.h"

#define COLO_REWRITER_DEFAULT_MAX_CONNS     16384
#define COLO_REWRITER_CLOSE_LINGER_NS       (2 * 1000000000LL)
#define COLO_REWRITER_TS_LEAD_MS            50

typedef enum ColoRewriteDir {
    COLO_REWRITE_TO_GUEST,      /* client -> SVM (filter rx direction) */
    COLO_REWRITE_FROM_GUEST,    /* SVM -> client (filter tx direction) */
} ColoRewriteDir;

typedef enum ColoRewriteResult {
    COLO_REWRITE_PASS,          /* unchanged (not TCP, no offset, ...) */
    COLO_REWRITE_MODIFIED,      /* seq or ack rewritten in place */
    COLO_REWRITE_MALFORMED,     /* not parseable; left unchanged */
} ColoRewriteResult;

typedef struct ColoRewriterStats {
    uint64_t packets;
    uint64_t rewritten;
    uint64_t malformed;
    uint64_t offsets_learned;
    uint64_t ts_offsets_learned;
    uint64_t connections;       /* now */
    uint64_t connections_closed;
    uint64_t connections_evicted;
} ColoRewriterStats;

typedef struct ColoRewriter ColoRewriter;

/** colo_rewriter_new: an empty table of at most @max_connections. */
ColoRewriter *colo_rewriter_new(uint32_t max_connections);

/** colo_rewriter_free: frees the table. */
void colo_rewriter_free(ColoRewriter *rw);

/**
 * colo_rewriter_process: tracks and, if needed, rewrites one frame in
 * place.  @frame holds @vnet_hdr_len bytes of vnet header first.
 */
ColoRewriteResult colo_rewriter_process(ColoRewriter *rw, ColoRewriteDir dir,
                                        uint8_t *frame, size_t len,
                                        size_t vnet_hdr_len, int64_t now_ns);

/**
 * colo_rewriter_get_offset: the offset of the connection @info belongs
 * to (any direction).  Returns: false if unknown or not learned yet.
 */
bool colo_rewriter_get_offset(ColoRewriter *rw, const ColoConnKey *key,
                              uint32_t *offset);

/**
 * colo_rewriter_checkpoint: a checkpoint made the SVM a copy of the PVM;
 * every offset becomes 0 (entries are kept).
 */
void colo_rewriter_checkpoint(ColoRewriter *rw);

/** colo_rewriter_failover: this side runs alone; offsets are kept. */
void colo_rewriter_failover(ColoRewriter *rw);

/** colo_rewriter_get_stats: a snapshot of the counters. */
void colo_rewriter_get_stats(const ColoRewriter *rw,
                             ColoRewriterStats *stats);

/** colo_rewriter_stats_foreach: calls @fn for every counter of @stats. */
void colo_rewriter_stats_foreach(const ColoRewriterStats *stats,
                                 ColoStatFn *fn, void *opaque);

#endif
