/*
 * COLO proxy: IPv4 and IPv6 fragment reassembly (pure, per instance).
 *
 * colo-compare must compare whole datagrams, but has to release what the
 * guest actually sent.  So a reassembled ColoFragDatagram carries both:
 *
 *   frame   the rebuilt datagram (headers of the first fragment, MF and
 *           offset cleared, lengths patched) -- used for comparison only
 *   pieces  copies of the original fragment frames, in arrival order --
 *           what gets released to the network
 *
 * Pending datagrams are keyed by (VLAN, family, protocol, source,
 * destination, identification).  Memory is bounded three ways: total
 * bytes held, number of pending datagrams (the oldest is evicted to make
 * room) and pieces per datagram.  Overlapping or inconsistent fragments
 * drop the whole datagram (RFC 5722 style).  Incomplete datagrams older
 * than the timeout are dropped by colo_frag_expire().
 */
#ifndef NET_COLO_FRAGMENT_H
#define NET_COLO_FRAGMENT_H

#include "net/colo.h"

#define COLO_FRAG_MAX_PIECES    64

typedef struct ColoFragLimits {
    size_t max_bytes;           /* all pending fragment copies */
    unsigned max_datagrams;     /* pending datagrams */
    int64_t timeout_ns;         /* age of an incomplete datagram */
} ColoFragLimits;

typedef struct ColoFragPiece {
    uint8_t *frame;             /* copy of the fragment as received */
    size_t len;                 /* incl. vnet header */
} ColoFragPiece;

typedef struct ColoFragDatagram {
    uint8_t *frame;             /* reassembled; vnet header of piece 0 */
    size_t len;
    size_t vnet_hdr_len;
    unsigned npieces;
    ColoFragPiece pieces[COLO_FRAG_MAX_PIECES];
} ColoFragDatagram;

typedef enum ColoFragResult {
    COLO_FRAG_PENDING,          /* kept; datagram not complete yet */
    COLO_FRAG_DONE,             /* *out holds the complete datagram */
    COLO_FRAG_DROPPED,          /* bad fragment; datagram discarded */
} ColoFragResult;

typedef struct ColoFragStats {
    uint64_t fragments;
    uint64_t reassembled;
    uint64_t dropped_bad;       /* overlap, bad length, too many pieces */
    uint64_t dropped_timeout;
    uint64_t dropped_memory;    /* evicted to respect the limits */
    uint64_t pending;           /* datagrams pending now */
    uint64_t bytes;             /* bytes held now */
} ColoFragStats;

typedef struct ColoFragTable ColoFragTable;

/** colo_frag_table_new: an empty table with the given limits. */
ColoFragTable *colo_frag_table_new(const ColoFragLimits *limits);

/** colo_frag_table_free: frees the table and every pending fragment. */
void colo_frag_table_free(ColoFragTable *t);

/**
 * colo_frag_input:
 * @t: the table
 * @frame, @len: the fragment frame (vnet header included)
 * @info: the result of colo_packet_parse() (COLO_PARSE_FRAGMENT)
 * @now_ns: current time, for the timeout
 * @out: set on COLO_FRAG_DONE; free with colo_frag_datagram_free()
 */
ColoFragResult colo_frag_input(ColoFragTable *t, const uint8_t *frame,
                               size_t len, const ColoPacketInfo *info,
                               int64_t now_ns, ColoFragDatagram **out);

/** colo_frag_datagram_free: frees a datagram and its pieces. */
void colo_frag_datagram_free(ColoFragDatagram *dg);

/**
 * colo_frag_expire: drops incomplete datagrams older than the timeout.
 * Returns: the number dropped.
 */
unsigned colo_frag_expire(ColoFragTable *t, int64_t now_ns);

/** colo_frag_get_stats: copies the counters. */
void colo_frag_get_stats(const ColoFragTable *t, ColoFragStats *stats);

#endif
