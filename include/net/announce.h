/*
 * Self-announce: after a VM moved (incoming migration, COLO failover) or
 * on "announce-self", every NIC broadcasts its MAC so that switches learn
 * the VM's new port.  As in QEMU, the frame is a RARP "reverse request"
 * (60 bytes, minimum Ethernet size, no FCS):
 *
 *   offset  size  value
 *    0      6     ff:ff:ff:ff:ff:ff         destination: broadcast
 *    6      6     MAC                       source: the NIC
 *   12      2     0x8035                    ethertype RARP
 *   14      2     0x0001                    htype Ethernet
 *   16      2     0x0800                    ptype IPv4
 *   18      1     6                         hlen
 *   19      1     4                         plen
 *   20      2     0x0003                    op: reverse request
 *   22      6     MAC                       sender hardware address
 *   28      4     0.0.0.0                   sender protocol address
 *   32      6     MAC                       target hardware address
 *   38      4     0.0.0.0                   target protocol address
 *   42     18     zero                      padding
 *
 * Schedule: round 0 goes out at once; the gap after round k (0-based) is
 * min(initial + k * step, max) ms, so the defaults (initial 50, max 550,
 * rounds 5, step 100) send at 0, 50, 200, 450 and 800 ms.
 *
 * The core (announce_rarp_frame, announce_round_delay_ms,
 * announce_timing_check) is pure; the timers, the NIC list and the QMP
 * command live in net/announce-self.c.  Frames leave through
 * qemu_send_packet() from the NIC, so they pass the NIC's and the
 * backend's filters like any guest frame.
 *
 * NICs do not get the guest to announce itself (VIRTIO_NET_F_GUEST_ANNOUNCE
 * needs a control queue, which our virtio-net does not have): every NIC
 * gets RARP frames.
 */
#ifndef NET_ANNOUNCE_H
#define NET_ANNOUNCE_H

#include "net/net.h"

#define ANNOUNCE_FRAME_LEN      60
#define ANNOUNCE_ETH_P_RARP     0x8035
/* Bounds, as for the announce-* migration parameters. */
#define ANNOUNCE_MAX_MS         100000
#define ANNOUNCE_MAX_ROUNDS     1000
#define ANNOUNCE_MAX_STEP_MS    10000

/* The announce-* parameters, in milliseconds (rounds: a count). */
typedef struct AnnounceTiming {
    int64_t initial;
    int64_t max;
    int64_t rounds;
    int64_t step;
} AnnounceTiming;

/* QEMU's defaults: 50, 550, 5, 100. */
extern const AnnounceTiming announce_timing_default;

/**
 * announce_rarp_frame: write the RARP announce frame for @mac into @buf.
 * Returns ANNOUNCE_FRAME_LEN.
 */
size_t announce_rarp_frame(uint8_t buf[ANNOUNCE_FRAME_LEN],
                           const uint8_t mac[6]);

/**
 * announce_round_delay_ms: the gap in ms between round @round (0-based)
 * and the next one: min(initial + round * step, max); max if the sum
 * overflows or is negative.
 */
int64_t announce_round_delay_ms(const AnnounceTiming *t, int64_t round);

/**
 * announce_timing_check: each value within its bounds (initial, max:
 * 0..100000; rounds: 0..1000; step: 0..10000).  rounds 0 is valid: it
 * cancels a running announcement.  initial > max is valid (capped).
 * Error: "Parameter 'rounds' expects a value between 0 and 1000".
 */
bool announce_timing_check(const AnnounceTiming *t, Error **errp);

/* ---- net/announce-self.c ---- */

/**
 * qemu_announce_nic_add: NIC @nc (its MAC at @mac, which must stay valid
 * until qemu_announce_nic_del) takes part in announcements.  NIC models
 * call it when they create their client.
 */
void qemu_announce_nic_add(NetClientState *nc, const uint8_t *mac);
/** qemu_announce_nic_del: before @nc is deleted. */
void qemu_announce_nic_del(NetClientState *nc);

/**
 * qemu_announce_set_default_timing: the timing qemu_announce_self_default()
 * uses; migration updates it from its announce-* parameters.
 */
void qemu_announce_set_default_timing(const AnnounceTiming *t);

/**
 * qemu_announce_self_default: announce every NIC with the announce-*
 * migration parameters, from a timer in the main loop.  Call it once the
 * VM runs (or is about to run) on this host: after an incoming migration
 * and after a COLO failover.  A previous default announcement still
 * running restarts.  Any thread; the BQL must be held.
 */
void qemu_announce_self_default(void);

/**
 * qemu_announce_self: start (or restart) the announcement named @id
 * (NULL: the default one) with @t for the NICs named in @ifaces (NULL:
 * all).  rounds 0 cancels it.  BQL held.
 */
bool qemu_announce_self(const char *id, const AnnounceTiming *t,
                        const char *const *ifaces, Error **errp);

#endif
