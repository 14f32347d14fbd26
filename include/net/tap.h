/*
 * -netdev tap seen from a NIC model: the offloads of a tap that carries
 * virtio-net headers (vnet_hdr=on).
 *
 * Such a tap always accepts checksum-pending and GSO frames from us (the
 * header says what to complete), but hands us only finished frames until
 * TUNSETOFFLOAD allows more: a NIC whose guest driver accepts
 * checksum-pending (VIRTIO_NET_F_GUEST_CSUM) or TSO (GUEST_TSO4/6) frames
 * turns the matching tap offloads on, so the host kernel neither
 * checksums nor segments what the guest would only reassemble.
 */
#ifndef NET_TAP_H
#define NET_TAP_H

#include "net/net.h"

/**
 * tap_can_offload: whether @nc is a tap with a vnet header whose kernel
 * takes TUNSETOFFLOAD (probed when the tap was opened).
 */
bool tap_can_offload(NetClientState *nc);

/**
 * tap_set_offload: what the kernel may hand @nc: frames whose checksum
 * is still to be completed (@csum) and TCP/IPv4 (@tso4) or TCP/IPv6
 * (@tso6) frames of up to 64 KiB.  TSO needs @csum (the kernel's rule).
 * Returns false, changing nothing, if @nc is not such a tap or the
 * kernel refused.
 */
bool tap_set_offload(NetClientState *nc, bool csum, bool tso4, bool tso6);

#endif
