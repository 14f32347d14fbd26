/*
 * colo-compare core: matches the primary VM's output against the
 * secondary VM's and decides what may leave the host (pure: no chardevs,
 * threads, timers or globals; time is passed in).
 *
 *   (chardev bytes go through feed(), which decodes the framing)
 *
 *   primary_in ---> input(PRIMARY) ---+                 +--> ops->release
 *                                     |   connection    |    (to outdev)
 *                                     +-> table (5-tuple+
 *   secondary_in -> input(SECONDARY) -+   VLAN) -> compare
 *                                                       +--> ops->checkpoint_
 *   scan(now) every expired_scan_cycle  -> timeouts ----+    request(reason)
 *   checkpoint() after a checkpoint     -> release all primary, drop all
 *                                          secondary packets
 *
 * Each connection holds one queue per side.  A primary packet leaves only
 * when the secondary produced the same output:
 *
 *  - TCP: queues are kept in sequence order and the payload *byte streams*
 *    are compared, whatever the segmentation (compare_seq remembers how
 *    far both streams matched).  A fully matched primary segment is
 *    released only if its ACK does not exceed what the secondary has
 *    acknowledged itself; until then it waits (no miscompare).  Segments
 *    without payload (pure ACK, SYN, FIN) and retransmissions of already
 *    compared bytes are released (primary) or dropped (secondary) when
 *    they reach the head while the other side has a packet queued; two
 *    such heads are consumed together (so pure ACKs pair up).  A primary
 *    retransmission of matched bytes may also leave on its own.
 *  - UDP, ICMP, ICMPv6: the IP payload must be identical (IP header
 *    ignored); the oldest primary packet may match any queued secondary.
 *  - Other IP protocols: everything after the vnet header is compared.
 *  - Non-IP frames (ARP, ...): primary ones pass uncompared, secondary
 *    ones are dropped.
 *  - IPv4 and IPv6 fragments are reassembled first (see colo-fragment.h);
 *    the original fragments are what gets released.
 *
 * Memory is bounded by max_queue_size per connection and side and by
 * max_queued_total per side; beyond, packets are dropped and counted.
 * scan() also drops secondary packets older than compare_timeout that
 * have nothing left to compare (surplus pure ACKs) while their
 * connection has no primary packet queued.
 *
 * A mismatch, a primary packet older than compare_timeout (found by
 * scan()) or a full primary queue requests one checkpoint; further
 * requests are suppressed until checkpoint() is called (or, in scan(),
 * until compare_timeout passed without it).
 *
 * A core is not thread-safe: call all functions from one thread (the
 * wrapper's iothread); the ops callbacks run in it and must not call back
 * into the core.  Times are nanoseconds of any monotonic clock.
 */
#ifndef NET_COLO_COMPARE_CORE_H
#define NET_COLO_COMPARE_CORE_H

#include "net/colo.h"
#include "net/colo-fragment.h"
#include "net/colo-framing.h"
#include "migration/colo.h"

#define COLO_COMPARE_DEFAULT_TIMEOUT_MS     3000
#define COLO_COMPARE_DEFAULT_SCAN_MS        1000
#define COLO_COMPARE_DEFAULT_QUEUE_SIZE     1024
#define COLO_COMPARE_DEFAULT_MAX_CONNS      16384
#define COLO_COMPARE_DEFAULT_MAX_QUEUED     32768

typedef enum ColoSide {
    COLO_PRIMARY,
    COLO_SECONDARY,
    COLO_SIDE__MAX,
} ColoSide;

typedef enum ColoProto {
    COLO_PROTO_TCP,
    COLO_PROTO_UDP,
    COLO_PROTO_ICMP,
    COLO_PROTO_OTHER,
    COLO_PROTO__MAX,
} ColoProto;

typedef struct ColoCompareConfig {
    int64_t compare_timeout_ns;
    uint32_t max_queue_size;        /* packets per connection and side */
    uint32_t max_connections;       /* oldest idle one evicted beyond */
    uint32_t max_queued_total;      /* packets per side, all connections */
    ColoFragLimits frag;            /* per side */
} ColoCompareConfig;

typedef struct ColoCompareOps {
    /* a primary frame may go out (vnet header included as received) */
    void (*release)(void *opaque, const uint8_t *frame, size_t len,
                    size_t vnet_hdr_len);
    /* ask the COLO machinery for a checkpoint */
    void (*checkpoint_request)(void *opaque, ColoCheckpointReason reason);
} ColoCompareOps;

#define COLO_WAIT_BUCKETS 5

typedef struct ColoCompareStats {
    uint64_t input[COLO_SIDE__MAX];
    uint64_t compared[COLO_PROTO__MAX];     /* primary pkts matched */
    uint64_t miscompares[COLO_PROTO__MAX];
    uint64_t released;                      /* all primary pkts sent on */
    uint64_t released_uncompared;           /* non-IP, failover mode */
    uint64_t released_on_checkpoint;
    uint64_t framing_errors[COLO_SIDE__MAX];
    uint64_t dropped_malformed[COLO_SIDE__MAX];
    uint64_t dropped_queue_full[COLO_SIDE__MAX];
    uint64_t dropped_table_full[COLO_SIDE__MAX];
    uint64_t dropped_secondary;     /* non-IP, flushed, failover mode */
    uint64_t dropped_stale;         /* surplus secondary, see scan() */
    uint64_t checkpoint_requests[COLO_CHECKPOINT_REASON__MAX];
    uint64_t checkpoint_requests_suppressed;
    uint64_t checkpoints;
    uint64_t connections;           /* now */
    uint64_t connections_evicted;
    uint64_t queued[COLO_SIDE__MAX];    /* packets queued now */
    uint64_t queued_max[COLO_SIDE__MAX];
    /*
     * Latency the comparison adds: for each primary packet released on a
     * match, the time from its arrival to its release (waiting for the
     * secondary's copy); matches whose secondary copy came first.
     */
    uint64_t wait_count;
    uint64_t wait_ns_total;
    uint64_t wait_ns_max;
    uint64_t wait_hist[COLO_WAIT_BUCKETS];  /* < 100 us, 1, 10, 100 ms, more */
    uint64_t secondary_first;
    ColoFragStats frag[COLO_SIDE__MAX];
} ColoCompareStats;

typedef struct ColoCompareCore ColoCompareCore;

/** colo_compare_config_default: QEMU's defaults (3 s, 1024, 16384). */
void colo_compare_config_default(ColoCompareConfig *cfg);

/**
 * colo_compare_core_new: creates a comparator.
 * @cfg: copied; @ops: must outlive the core; @opaque: passed to @ops
 */
ColoCompareCore *colo_compare_core_new(const ColoCompareConfig *cfg,
                                       const ColoCompareOps *ops,
                                       void *opaque);

/** colo_compare_core_free: frees the core; queued packets are dropped. */
void colo_compare_core_free(ColoCompareCore *c);

/**
 * colo_compare_core_input: one frame from primary_in or secondary_in.
 * @frame, @len: the frame, @vnet_hdr_len bytes of vnet header first
 * @now_ns: the caller's monotonic clock
 *
 * Malformed frames (incl. empty ones) are dropped and counted.
 */
void colo_compare_core_input(ColoCompareCore *c, ColoSide side,
                             const uint8_t *frame, size_t len,
                             size_t vnet_hdr_len, int64_t now_ns);

/**
 * colo_compare_core_feed: chardev bytes from primary_in / secondary_in:
 * decodes them with @dec (one decoder per input) and inputs each
 * complete frame.
 * Returns: false on a framing error (counted; @errp set); the caller
 * resets @dec, normally after dropping the chardev connection.
 */
bool colo_compare_core_feed(ColoCompareCore *c, ColoSide side,
                            ColoFrameDecoder *dec, const uint8_t *data,
                            size_t len, int64_t now_ns, Error **errp);

/**
 * colo_compare_core_scan: the periodic scan (every expired_scan_cycle):
 * requests a checkpoint if a primary packet is older than
 * compare_timeout, and expires stale fragments.
 */
void colo_compare_core_scan(ColoCompareCore *c, int64_t now_ns);

/**
 * colo_compare_core_checkpoint: a checkpoint completed (the VMs are in
 * sync): releases every queued primary packet (per-connection order
 * kept), drops every queued secondary packet, re-arms checkpoint
 * requests.
 */
void colo_compare_core_checkpoint(ColoCompareCore *c);

/**
 * colo_compare_core_failover: like checkpoint(), then every later
 * primary frame is released at once and secondary frames are dropped.
 */
void colo_compare_core_failover(ColoCompareCore *c);

/** colo_compare_core_get_stats: a snapshot of the counters. */
void colo_compare_core_get_stats(const ColoCompareCore *c,
                                 ColoCompareStats *stats);

/**
 * colo_compare_stats_foreach: calls @fn for every counter of @stats, in
 * a fixed order (e.g. "input-primary", "compared-tcp",
 * "checkpoint-requests-timeout", "queued-secondary",
 * "frag-reassembled-primary").
 */
void colo_compare_stats_foreach(const ColoCompareStats *stats,
                                ColoStatFn *fn, void *opaque);

/** colo_compare_proto_str: "tcp", "udp", "icmp", "other". */
const char *colo_compare_proto_str(ColoProto proto);

#endif
