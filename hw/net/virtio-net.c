/*
 * virtio-net-pci: see include/hw/virtio/virtio-net.h for the queues,
 * config layout and header handling.
 *
 * Receive (netdev -> guest), one packet:
 *   pop buffer 1: header (12 bytes) + start of the frame
 *   [MRG_RXBUF] pop buffers 2..k for the rest; num_buffers = k
 *   fill 1..k, flush, interrupt
 * If the ring runs dry in the middle, the popped buffers are given back
 * (rewound) and the net layer keeps the packet until the next kick.  A
 * packet that cannot fit even an empty ring's worth of buffers is dropped.
 *
 * Offloads: when the netdev takes plain frames (no vnet header), the
 * device offers CSUM, HOST_TSO4/6 and GUEST_CSUM and does the work in
 * software (hw/net/virtio-net-offload.c): a transmitted frame that asks
 * for a checksum or segmentation is completed on the host, and a
 * received TCP/UDP frame whose checksum verifies is marked DATA_VALID.
 * The guest then spends far fewer (interpreted) instructions per byte.
 * With GUEST_TSO4/6, received TCP segments of one burst are joined into
 * one 64 KiB GSO frame (hw/net/virtio-net-rsc.c): held from the first
 * segment until a frame that does not continue it, the end of the burst
 * (rsc_bh, run by the main loop after the netdev's dispatch), or a VM
 * stop, so nothing stays held while the VM is stopped.  Toward libslirp
 * (no filters on either side) a guest's IPv4 TSO frame is passed whole:
 * the stack acknowledges it once instead of once per 1460 bytes.
 *
 * Transmit (guest -> netdev): each chain is header + frame; sent with
 * qemu_sendv_packet_async().  When the net layer queues it, the chain
 * stays in flight until the sent callback and transmission pauses; a
 * burst is capped and continued from a bottom half.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-net.h"
#include "hw/net/virtio-net-offload.h"

#include "net/announce.h"
#include "net/tap.h"
#include "system/runstate.h"
#include "trace/trace-hw_net.h"

/*
 * Offloads done in software when the netdev has no vnet header; with a
 * vnet-header tap the host kernel does them (the transmit ones always,
 * the receive ones once TUNSETOFFLOAD allows them).
 */
#define VIRTIO_NET_TX_OFFLOADS ((1ULL << VIRTIO_NET_F_CSUM) | \
                                (1ULL << VIRTIO_NET_F_HOST_TSO4) | \
                                (1ULL << VIRTIO_NET_F_HOST_TSO6))
#define VIRTIO_NET_RX_OFFLOADS ((1ULL << VIRTIO_NET_F_GUEST_CSUM) | \
                                (1ULL << VIRTIO_NET_F_GUEST_TSO4) | \
                                (1ULL << VIRTIO_NET_F_GUEST_TSO6))
#define VIRTIO_NET_SOFT_OFFLOADS (VIRTIO_NET_TX_OFFLOADS | \
                                  VIRTIO_NET_RX_OFFLOADS)

typedef struct VirtIONetClient {
    NetClientState nc;
    VirtIONet *n;
} VirtIONetClient;

static VirtIONet *nc_to_net(NetClientState *nc)
{
    return ((VirtIONetClient *)nc)->n;
}

/* ---- config and features ---- */

static VirtIONet *vdev_to_net(VirtIODevice *vdev)
{
    return container_of(vdev, VirtIONet, vdev);
}

static void virtio_net_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIONet *n = vdev_to_net(vdev);
    uint16_t status = GUINT16_TO_LE(n->status);
    uint16_t pairs = GUINT16_TO_LE(1);

    memcpy(config, n->mac, 6);
    memcpy(config + 6, &status, 2);
    memcpy(config + 8, &pairs, 2);
}

static void virtio_net_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    /* the MAC is read-only for VERSION_1 drivers (no CTRL_MAC_ADDR) */
}

/*
 * A vnet-header tap hands us what the driver accepts (@features: the
 * negotiated ones, 0 at reset); anything else it finishes itself.
 */
static void virtio_net_tap_offload(VirtIONet *n, uint64_t features)
{
    NetClientState *peer = n->nic ? n->nic->peer : NULL;

    if (!n->host_hdr_len || !tap_can_offload(peer)) {
        return;
    }
    tap_set_offload(peer,
                    virtio_has_feature(features, VIRTIO_NET_F_GUEST_CSUM),
                    virtio_has_feature(features, VIRTIO_NET_F_GUEST_TSO4),
                    virtio_has_feature(features, VIRTIO_NET_F_GUEST_TSO6));
}

static void virtio_net_set_features(VirtIODevice *vdev, uint64_t features)
{
    VirtIONet *n = vdev_to_net(vdev);

    n->mergeable = virtio_has_feature(features, VIRTIO_NET_F_MRG_RXBUF);
    /* a GSO frame only of the kinds the driver accepts */
    n->rsc.v4_ok = virtio_has_feature(features, VIRTIO_NET_F_GUEST_TSO4);
    n->rsc.v6_ok = virtio_has_feature(features, VIRTIO_NET_F_GUEST_TSO6);
    n->rsc_on = !n->host_hdr_len &&
                virtio_has_feature(features, VIRTIO_NET_F_GUEST_CSUM) &&
                (n->rsc.v4_ok || n->rsc.v6_ok);
    virtio_net_tap_offload(n, features);
}

static void virtio_net_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIONet *n = vdev_to_net(vdev);

    if ((status & VIRTIO_CONFIG_S_DRIVER_OK) && n->nic) {
        qemu_flush_queued_packets(n->nic);
    }
}

static void virtio_net_reset(VirtIODevice *vdev)
{
    VirtIONet *n = vdev_to_net(vdev);

    if (n->tx_waiting) {
        if (n->nic) {
            qemu_purge_queued_packets(n->nic);
        }
        /* the ring is being reset: nothing to return the buffer to */
        virtqueue_element_free(n->tx_vq, n->tx_waiting, 0);
        n->tx_waiting = NULL;
    }
    n->mergeable = false;
    n->rsc_on = false;
    virtio_net_rsc_clear(&n->rsc);
    virtio_net_tap_offload(n, 0);
}

void virtio_net_set_link(VirtIONet *n, bool up)
{
    uint16_t old = n->status;

    n->status = up ? VIRTIO_NET_S_LINK_UP : 0;
    if (old != n->status) {
        virtio_notify_config(&n->vdev);
    }
}

/* ---- receive ---- */

bool virtio_net_can_receive(VirtIONet *n)
{
    return virtio_driver_ok(&n->vdev) && virtqueue_ready(n->rx_vq) &&
           !virtqueue_empty(n->rx_vq);
}

/* Copy @len bytes of @src from offset @off into the element's buffers
 * starting at @dst_off; returns the bytes copied. */
static size_t copy_to_elem(VirtQueueElement *e, size_t dst_off,
                           const struct iovec *src, int srccnt, size_t off,
                           size_t len)
{
    uint8_t buf[512];
    size_t done = 0;

    while (done < len) {
        size_t chunk = MIN(sizeof(buf), len - done);
        size_t got = iov_to_buf(src, srccnt, off + done, buf, chunk);
        size_t put = iov_from_buf(e->in_sg, e->in_num, dst_off + done, buf,
                                  got);

        done += put;
        if (put < chunk) {
            break;
        }
    }
    return done;
}

static void give_back(VirtIONet *n, VirtQueueElement **elems,
                      unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++) {
        virtqueue_element_free(n->rx_vq, elems[i], 0);
    }
    virtqueue_rewind(n->rx_vq, count);
}

/* A frame whose checksum we verified needs no verification by the guest */
static void rx_mark_csum(uint8_t *hdr, const struct iovec *iov, int iovcnt,
                         size_t size)
{
    g_autofree uint8_t *copy = NULL;
    const uint8_t *frame = iov[0].iov_base;

    if (iovcnt != 1) {
        copy = g_malloc(size ? size : 1);
        iov_to_buf(iov, iovcnt, 0, copy, size);
        frame = copy;
    }
    if (virtio_net_rx_csum_ok(frame, size)) {
        hdr[0] |= VIRTIO_NET_HDR_F_DATA_VALID;
    }
}

/*
 * Put @hdr + @frame_len bytes of @iov (from offset @off) into the guest's
 * receive buffers.  False if the ring ran dry (nothing consumed: retry
 * after the next kick); true if delivered or dropped.
 */
static bool rx_put(VirtIONet *n, const uint8_t *hdr, const struct iovec *iov,
                   int iovcnt, size_t off, size_t frame_len)
{
    VirtQueue *vq = n->rx_vq;
    g_autofree VirtQueueElement **elems = NULL;
    unsigned int count = 0, i;
    size_t done = 0;
    uint16_t nbuf;

    elems = g_new0(VirtQueueElement *, vq->num);
    while (count == 0 || (done < frame_len && n->mergeable)) {
        VirtQueueElement *e;
        size_t room, put, dst = 0;

        if (count == vq->num) {
            give_back(n, elems, count);
            return true;     /* larger than the whole ring: drop */
        }
        e = virtio_pop(&n->vdev, vq, sizeof(*e));
        if (!e) {
            give_back(n, elems, count);
            return vq->broken;
        }
        room = iov_size(e->in_sg, e->in_num);
        if (count == 0) {
            if (room < VIRTIO_NET_HDR_LEN) {
                virtqueue_element_free(vq, e, 0);
                virtqueue_rewind(vq, 1);
                virtio_error(&n->vdev, "rx buffer too small for header");
                return true;
            }
            iov_from_buf(e->in_sg, e->in_num, 0, hdr, VIRTIO_NET_HDR_LEN);
            dst = VIRTIO_NET_HDR_LEN;
        }
        put = copy_to_elem(e, dst, iov, iovcnt, off + done,
                           frame_len - done);
        done += put;
        elems[count] = e;
        virtqueue_fill(vq, e, dst + put, count);
        count++;
    }
    if (done < frame_len) {
        /* without MRG_RXBUF the frame must fit one buffer */
        give_back(n, elems, count);
        return true;
    }
    nbuf = GUINT16_TO_LE(count);
    iov_from_buf(elems[0]->in_sg, elems[0]->in_num, 10, &nbuf, 2);
    virtqueue_flush(vq, count);
    for (i = 0; i < count; i++) {
        virtqueue_element_free(vq, elems[i], iov_size(elems[i]->in_sg,
                                                      elems[i]->in_num));
    }
    virtio_notify(&n->vdev, vq);
    return true;
}

/* Hand the coalesced frame to the guest; false if the ring is dry. */
static bool rsc_flush(VirtIONet *n)
{
    uint8_t hdr[VIRTIO_NET_HDR_LEN];
    struct iovec iov;

    if (!virtio_net_rsc_held(&n->rsc)) {
        return true;
    }
    iov.iov_base = n->rsc.buf;
    iov.iov_len = virtio_net_rsc_finish(&n->rsc, hdr);
    if (!virtio_net_can_receive(n) ||
        !rx_put(n, hdr, &iov, 1, 0, iov.iov_len)) {
        return false;
    }
    trace_virtio_net_rsc_flush(n->rsc.segs, iov.iov_len);
    virtio_net_rsc_clear(&n->rsc);
    return true;
}

static void virtio_net_rsc_bh(void *opaque)
{
    VirtIONet *n = opaque;

    /* guest memory is not touched while stopped (see vm_state) */
    if (runstate_is_running()) {
        rsc_flush(n);
    }
}

/*
 * Net filters on the NIC or its peer: no coalescing.  The COLO proxy
 * (filter-mirror/-redirector, colo-compare) needs both replicas' guests
 * to see the same frames at the same points; coalescing decided by each
 * host's own timing would make their ACKs and echoes diverge.
 */
static bool rx_filtered(VirtIONet *n)
{
    NetClientState *peer = n->nic ? n->nic->peer : NULL;

    return (n->nic && n->nic->filters) || (peer && peer->filters);
}

/*
 * Receive with coalescing: a verified TCP segment joins (or starts) the
 * held frame; anything else first flushes what is held, keeping the
 * order.  Returns as virtio_net_receive_iov().
 */
static ssize_t rx_coalesce(VirtIONet *n, const struct iovec *iov,
                           int iovcnt, size_t size)
{
    g_autofree uint8_t *copy = NULL;
    const uint8_t *frame = iov[0].iov_base;
    uint8_t hdr[VIRTIO_NET_HDR_LEN] = { 0 };
    bool valid;

    if (iovcnt != 1) {
        copy = g_malloc(size ? size : 1);
        iov_to_buf(iov, iovcnt, 0, copy, size);
        frame = copy;
    }
    valid = virtio_net_rx_csum_ok(frame, size);
    if (valid && virtio_net_rsc_add(&n->rsc, frame, size)) {
        qemu_bh_schedule(n->rsc_bh);
        return size;
    }
    if (!rsc_flush(n)) {
        return 0;            /* queued by the net layer until the kick */
    }
    if (valid && virtio_net_rsc_add(&n->rsc, frame, size)) {
        qemu_bh_schedule(n->rsc_bh);
        return size;
    }
    if (valid) {
        hdr[0] |= VIRTIO_NET_HDR_F_DATA_VALID;
    }
    return rx_put(n, hdr, iov, iovcnt, 0, size) ? size : 0;
}

ssize_t virtio_net_receive_iov(VirtIONet *n, const struct iovec *iov,
                               int iovcnt)
{
    size_t size = iov_size(iov, iovcnt);
    size_t hlen = n->host_hdr_len;
    uint8_t hdr[VIRTIO_NET_HDR_LEN] = { 0 };

    if (!virtio_net_can_receive(n)) {
        return 0;
    }
    if (size < hlen) {
        return size;         /* runt from the backend: drop */
    }
    if (n->rsc_on && !rx_filtered(n)) {
        return rx_coalesce(n, iov, iovcnt, size);
    }
    if (!rsc_flush(n)) {
        return 0;            /* a filter came: what is held goes first */
    }
    if (hlen) {
        iov_to_buf(iov, iovcnt, 0, hdr, VIRTIO_NET_HDR_LEN);
    }
    if (!hlen && virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_CSUM)) {
        rx_mark_csum(hdr, iov, iovcnt, size);
    }
    return rx_put(n, hdr, iov, iovcnt, hlen, size - hlen) ? size : 0;
}

static void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = vdev_to_net(vdev);

    if (!rsc_flush(n)) {
        return;
    }
    if (n->nic) {
        qemu_flush_queued_packets(n->nic);
    }
}

/* ---- transmit ---- */

static void virtio_net_flush_tx(VirtIONet *n);

static void virtio_net_tx_done(NetClientState *nc, ssize_t ret)
{
    VirtIONet *n = nc_to_net(nc);

    trace_virtio_net_tx_done();
    if (!n->tx_waiting) {
        return;
    }
    virtqueue_push(n->tx_vq, n->tx_waiting, 0);
    n->tx_waiting = NULL;
    virtio_notify(&n->vdev, n->tx_vq);
    virtio_net_flush_tx(n);
}

/* Copy of @iov without its first @skip bytes, in @out (max @max). */
static int iov_skip(const struct iovec *iov, int cnt, size_t skip,
                    struct iovec *out, int max)
{
    int i, n = 0;

    for (i = 0; i < cnt && n < max; i++) {
        if (skip >= iov[i].iov_len) {
            skip -= iov[i].iov_len;
            continue;
        }
        out[n].iov_base = (uint8_t *)iov[i].iov_base + skip;
        out[n].iov_len = iov[i].iov_len - skip;
        skip = 0;
        n++;
    }
    return n;
}

/*
 * Offloaded transmit: the frame is copied out of the guest, completed
 * (checksum, segmentation) and sent as one or more ordinary frames.  All
 * but the last go out without a callback (the net layer copies what it
 * queues, in order); the last carries the flow control of the chain.
 */
typedef struct TxOffload {
    VirtIONet *n;
    uint8_t *held;           /* last frame emitted, not yet sent */
    size_t held_len;
} TxOffload;

static void tx_offload_emit(void *opaque, const uint8_t *frame, size_t len)
{
    TxOffload *t = opaque;

    if (t->held) {
        qemu_send_packet_async(t->n->nic, t->held, t->held_len, NULL);
        g_free(t->held);
    }
    t->held = g_memdup2(frame, len);
    t->held_len = len;
}

/*
 * libslirp takes an IPv4 datagram of any size and acknowledges each one
 * it receives: a whole 64 KiB TCP frame costs the guest one ACK to
 * process instead of ~44.  Only when no filter sees the traffic (filters
 * and COLO compare ordinary frames).  Not IPv6: libslirp refuses IPv6
 * packets larger than its MTU.
 */
static bool peer_takes_gso_whole(VirtIONet *n)
{
    NetClientState *peer = n->nic->peer;

    return peer->info->type == NET_CLIENT_DRIVER_USER &&
           !peer->filters && !n->nic->filters;
}

static bool virtio_net_send_offload(VirtIONet *n, VirtQueueElement *e,
                                    const VirtioNetHdrFields *h)
{
    size_t len = iov_size(e->out_sg, e->out_num) - VIRTIO_NET_HDR_LEN;
    g_autofree uint8_t *frame = NULL;
    TxOffload t = { .n = n };
    bool done = true;

    if (len > VIRTIO_NET_OFFLOAD_MAX_FRAME || !n->nic || !n->nic->peer) {
        virtqueue_push(n->tx_vq, e, 0);      /* dropped */
        return true;
    }
    frame = g_malloc(len ? len : 1);
    iov_to_buf(e->out_sg, e->out_num, VIRTIO_NET_HDR_LEN, frame, len);
    if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && peer_takes_gso_whole(n)) {
        size_t whole = virtio_net_tx_gso_whole(h, frame, len);

        if (whole && qemu_send_packet_async(n->nic, frame, whole,
                                            virtio_net_tx_done) == 0) {
            n->tx_waiting = e;
            return false;
        }
        virtqueue_push(n->tx_vq, e, 0);   /* sent, or malformed: dropped */
        return true;
    }
    if (virtio_net_tx_offload(h, frame, len, tx_offload_emit, &t) > 0 &&
        qemu_send_packet_async(n->nic, t.held, t.held_len,
                               virtio_net_tx_done) == 0) {
        n->tx_waiting = e;
        done = false;
    }
    g_free(t.held);
    if (done) {
        virtqueue_push(n->tx_vq, e, 0);
    }
    return done;
}

/* Send one chain; false if the net layer queued it (wait for it). */
static bool virtio_net_send(VirtIONet *n, VirtQueueElement *e)
{
    g_autofree struct iovec *sg = g_new(struct iovec, e->out_num);
    size_t skip = n->host_hdr_len ? 0 : VIRTIO_NET_HDR_LEN;
    int cnt;

    if (iov_size(e->out_sg, e->out_num) < VIRTIO_NET_HDR_LEN) {
        virtio_error(&n->vdev, "tx chain shorter than the header");
        virtqueue_element_free(n->tx_vq, e, 0);
        return true;
    }
    if (!n->host_hdr_len &&
        virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CSUM)) {
        uint8_t raw[VIRTIO_NET_HDR_LEN];
        VirtioNetHdrFields h;

        iov_to_buf(e->out_sg, e->out_num, 0, raw, sizeof(raw));
        virtio_net_hdr_parse(raw, &h);
        if (virtio_net_hdr_needs_offload(&h)) {
            return virtio_net_send_offload(n, e, &h);
        }
    }
    cnt = iov_skip(e->out_sg, e->out_num, skip, sg, e->out_num);
    if (n->nic && n->nic->peer &&
        qemu_sendv_packet_async(n->nic, sg, cnt, virtio_net_tx_done) == 0) {
        trace_virtio_net_tx(iov_size(e->out_sg, e->out_num), 0);
        n->tx_waiting = e;
        return false;
    }
    trace_virtio_net_tx(iov_size(e->out_sg, e->out_num), 1);
    virtqueue_push(n->tx_vq, e, 0);
    return true;
}

static void virtio_net_flush_tx(VirtIONet *n)
{
    unsigned int sent = 0;

    while (!n->tx_waiting) {
        VirtQueueElement *e;

        if (sent == VIRTIO_NET_TX_BURST) {
            qemu_bh_schedule(n->tx_bh);
            break;
        }
        e = virtio_pop(&n->vdev, n->tx_vq, sizeof(*e));
        if (!e) {
            break;
        }
        sent++;
        if (!virtio_net_send(n, e)) {
            break;
        }
    }
    if (sent) {
        virtio_notify(&n->vdev, n->tx_vq);
    }
}

static void virtio_net_tx_bh(void *opaque)
{
    /*
     * A burst continued from the main loop must not touch guest memory
     * while the VM is stopped: its RAM may be being saved (migration, a
     * COLO checkpoint).  virtio_net_vm_state() resumes it.
     */
    if (!runstate_is_running()) {
        return;
    }
    virtio_net_flush_tx(opaque);
}

static void virtio_net_vm_state(void *opaque, bool running, RunState state)
{
    VirtIONet *n = opaque;

    if (running && n->tx_bh) {
        qemu_bh_schedule(n->tx_bh);
    }
    if (running && n->nic) {
        /*
         * A frame this device refused (no buffers, driver not ready yet)
         * leaves the NIC refusing until the guest kicks the receive queue.
         * A load (migration, a COLO checkpoint) may bring rings with
         * buffers and a driver that has no reason to kick: the SVM of a
         * pair that refused a frame while booting would never receive
         * again.  Retry what is queued; a refusal disables it again.
         */
        qemu_flush_queued_packets(n->nic);
    }
    if (!running && virtio_net_rsc_held(&n->rsc) && !rsc_flush(n)) {
        /*
         * Stopping (migration, a COLO checkpoint) with received data held
         * and no guest buffers: nothing may stay outside the saved state,
         * so it is lost like a frame on the wire (TCP sends it again).
         */
        trace_virtio_net_rsc_drop(n->rsc.segs);
        virtio_net_rsc_clear(&n->rsc);
    }
}

static void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_net_flush_tx(vdev_to_net(vdev));
}

/* ---- core set-up ---- */

static const VirtioDeviceOps virtio_net_ops = {
    .get_config = virtio_net_get_config,
    .set_config = virtio_net_set_config,
    .set_features = virtio_net_set_features,
    .set_status = virtio_net_set_status,
    .reset = virtio_net_reset,
};

void virtio_net_setup(VirtIONet *n)
{
    virtio_init(&n->vdev, "virtio-net", VIRTIO_ID_NET, &virtio_net_ops,
                VIRTIO_NET_CONFIG_LEN);
    n->rx_vq = virtio_add_queue(&n->vdev, VIRTIO_NET_QUEUE_SIZE,
                                virtio_net_handle_rx);
    n->tx_vq = virtio_add_queue(&n->vdev, VIRTIO_NET_QUEUE_SIZE,
                                virtio_net_handle_tx);
    n->vdev.host_features = (1ULL << VIRTIO_NET_F_MAC) |
                            (1ULL << VIRTIO_NET_F_STATUS) |
                            (1ULL << VIRTIO_NET_F_MRG_RXBUF);
    n->status = VIRTIO_NET_S_LINK_UP;
    n->tx_bh = qemu_bh_new(virtio_net_tx_bh, n);
    virtio_net_rsc_init(&n->rsc);
    n->rsc_bh = qemu_bh_new(virtio_net_rsc_bh, n);
    n->vm_state = qemu_add_vm_change_state_handler(virtio_net_vm_state, n);
}

/* ---- NIC client ---- */

static ssize_t virtio_net_nc_receive(NetClientState *nc, const uint8_t *buf,
                                     size_t size)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = size };

    return virtio_net_receive_iov(nc_to_net(nc), &iov, 1);
}

static ssize_t virtio_net_nc_receive_iov(NetClientState *nc,
                                         const struct iovec *iov, int cnt)
{
    ssize_t r = virtio_net_receive_iov(nc_to_net(nc), iov, cnt);

    trace_virtio_net_rx(iov_size(iov, cnt), r);
    return r;
}

static bool virtio_net_nc_can_receive(NetClientState *nc)
{
    return virtio_net_can_receive(nc_to_net(nc));
}

static void virtio_net_nc_link_changed(NetClientState *nc)
{
    virtio_net_set_link(nc_to_net(nc), !nc->link_down);
}

static const NetClientInfo virtio_net_client_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(VirtIONetClient),
    .receive = virtio_net_nc_receive,
    .receive_iov = virtio_net_nc_receive_iov,
    .can_receive = virtio_net_nc_can_receive,
    .link_status_changed = virtio_net_nc_link_changed,
};

/*
 * The offloads the properties allow; as in QEMU, segmentation needs the
 * checksum offload of the same direction.
 */
static uint64_t virtio_net_offload_props(uint64_t props)
{
    if (!(props & (1ULL << VIRTIO_NET_F_CSUM))) {
        props &= ~((1ULL << VIRTIO_NET_F_HOST_TSO4) |
                   (1ULL << VIRTIO_NET_F_HOST_TSO6));
    }
    if (!(props & (1ULL << VIRTIO_NET_F_GUEST_CSUM))) {
        props &= ~((1ULL << VIRTIO_NET_F_GUEST_TSO4) |
                   (1ULL << VIRTIO_NET_F_GUEST_TSO6));
    }
    return props;
}

static bool mac_unset(const uint8_t *mac)
{
    static const uint8_t zero[6];

    return !memcmp(mac, zero, 6);
}

static void virtio_net_pci_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIONetPCI *s = VIRTIO_NET_PCI(proxy);
    VirtIONet *n = &s->net;
    DeviceState *dev = DEVICE(proxy);
    NetClientState *peer = NULL;
    /* QEMU's default-MAC scheme: 52:54:00:12:34:56, then :57, ... */
    static unsigned int mac_index;

    if (n->netdev) {
        peer = qemu_find_netdev(n->netdev);
        if (!peer) {
            error_setg(errp, "Property 'virtio-net-pci.netdev' can't find "
                       "value '%s'", n->netdev);
            return;
        }
        if (peer->peer) {
            error_setg(errp, "Property 'virtio-net-pci.netdev' can't use "
                       "value '%s', it is in use", n->netdev);
            return;
        }
    }
    if (mac_unset(n->mac)) {
        static const uint8_t base[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

        memcpy(n->mac, base, 6);
        n->mac[5] += mac_index++;
    }
    virtio_net_setup(n);
    n->nic = qemu_new_net_client(&virtio_net_client_info, peer,
                                 "virtio-net-pci",
                                 dev->id ? dev->id : "virtio-net-pci");
    ((VirtIONetClient *)n->nic)->n = n;
    qemu_announce_nic_add(n->nic, n->mac);
    snprintf(n->nic->info_str, sizeof(n->nic->info_str),
             "model=virtio-net-pci,macaddr=%02x:%02x:%02x:%02x:%02x:%02x",
             n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
             n->mac[5]);
    if (peer && peer->has_vnet_hdr) {
        qemu_set_vnet_hdr_len(peer, VIRTIO_NET_HDR_LEN);
        qemu_set_vnet_hdr_len(n->nic, VIRTIO_NET_HDR_LEN);
        n->host_hdr_len = VIRTIO_NET_HDR_LEN;
        /* the header passes through: the host kernel does the work */
        n->vdev.host_features |= virtio_net_offload_props(n->feature_props) &
                                 (VIRTIO_NET_TX_OFFLOADS |
                                  (tap_can_offload(peer) ?
                                   VIRTIO_NET_RX_OFFLOADS : 0));
    } else if (peer) {
        /* the netdev takes plain frames: complete them ourselves */
        n->vdev.host_features |= VIRTIO_NET_SOFT_OFFLOADS &
                                 virtio_net_offload_props(n->feature_props);
    }
    if (!(n->feature_props & (1ULL << VIRTIO_NET_F_MRG_RXBUF))) {
        n->vdev.host_features &= ~(1ULL << VIRTIO_NET_F_MRG_RXBUF);
    }
    if (peer && peer->link_down) {
        n->status = 0;
    }
}

static void virtio_net_pci_exit(VirtIOPCIProxy *proxy)
{
    VirtIONet *n = &VIRTIO_NET_PCI(proxy)->net;

    if (n->nic) {
        virtio_net_tap_offload(n, 0);
        qemu_announce_nic_del(n->nic);
        qemu_del_net_client(n->nic);
        n->nic = NULL;
    }
    if (n->vm_state) {
        qemu_del_vm_change_state_handler(n->vm_state);
        n->vm_state = NULL;
    }
    if (n->tx_bh) {
        qemu_bh_delete(n->tx_bh);
        n->tx_bh = NULL;
    }
    if (n->rsc_bh) {
        qemu_bh_delete(n->rsc_bh);
        n->rsc_bh = NULL;
    }
    virtio_net_rsc_cleanup(&n->rsc);
    virtio_cleanup(&n->vdev);
}

static void virtio_net_pci_instance_init(Object *obj)
{
    VirtIONetPCI *s = VIRTIO_NET_PCI(obj);

    s->parent_obj.vdev = &s->net.vdev;
}

/* ---- migration ---- */

/* The loaded state replaces a transmit this device still holds. */
static int virtio_net_pre_load(void *opaque)
{
    VirtIONetPCI *s = opaque;
    VirtIONet *n = &s->net;

    if (n->tx_waiting) {
        if (n->nic) {
            qemu_purge_queued_packets(n->nic);
        }
        virtqueue_element_free(n->tx_vq, n->tx_waiting, 0);
        n->tx_waiting = NULL;
    }
    virtio_net_rsc_clear(&n->rsc);
    return 0;
}

static int virtio_net_post_load(void *opaque, int version_id)
{
    VirtIONetPCI *s = opaque;
    VirtIONet *n = &s->net;

    virtio_net_set_features(&n->vdev, n->vdev.guest_features);
    n->status &= VIRTIO_NET_S_LINK_UP;
    /* a transmit that was in flight is sent again from the ring */
    virtqueue_rewind(n->tx_vq, n->tx_vq->inuse);
    virtqueue_rewind(n->rx_vq, n->rx_vq->inuse);
    virtio_pci_post_load(&s->parent_obj);
    return 0;
}

const VMStateDescription vmstate_virtio_net_pci = {
    .name = "virtio-net-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = virtio_net_pre_load,
    .post_load = virtio_net_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, VirtIONetPCI, 1, vmstate_virtio_pci_proxy,
                       VirtIOPCIProxy),
        VMSTATE_STRUCT(net.vdev, VirtIONetPCI, 1, vmstate_virtio_device,
                       VirtIODevice),
        VMSTATE_UINT8_ARRAY(net.mac, VirtIONetPCI, 6),
        VMSTATE_UINT16(net.status, VirtIONetPCI),
        VMSTATE_END_OF_LIST()
    },
};

static Property virtio_net_pci_props[] = {
    DEFINE_PROP_MACADDR("mac", VirtIONetPCI, net.mac),
    DEFINE_PROP_NETDEV("netdev", VirtIONetPCI, net.netdev),
    DEFINE_PROP_BIT64("csum", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_CSUM, true),
    DEFINE_PROP_BIT64("guest_csum", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_GUEST_CSUM, true),
    DEFINE_PROP_BIT64("guest_tso4", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_GUEST_TSO4, true),
    DEFINE_PROP_BIT64("guest_tso6", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_GUEST_TSO6, true),
    DEFINE_PROP_BIT64("host_tso4", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_HOST_TSO4, true),
    DEFINE_PROP_BIT64("host_tso6", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_HOST_TSO6, true),
    DEFINE_PROP_BIT64("mrg_rxbuf", VirtIONetPCI, net.feature_props,
                      VIRTIO_NET_F_MRG_RXBUF, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_net_pci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtioPCIClass *vpc = VIRTIO_PCI_CLASS(oc);

    pc->device_id = VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_NET;
    pc->class_id = 0x0200;   /* Ethernet controller */
    vpc->realize = virtio_net_pci_realize;
    vpc->exit = virtio_net_pci_exit;
    vpc->vectors = 3;        /* config, rx, tx */
    dc->desc = "virtio-net-pci";
    dc->vmsd = &vmstate_virtio_net_pci;
    device_class_set_category(dc, DEVICE_CATEGORY_NETWORK);
    device_class_set_props(dc, virtio_net_pci_props);
}

static const TypeInfo virtio_net_pci_info = {
    .name = TYPE_VIRTIO_NET_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIONetPCI),
    .instance_init = virtio_net_pci_instance_init,
    .class_init = virtio_net_pci_class_init,
};

static void virtio_net_pci_register_types(void)
{
    type_register_static(&virtio_net_pci_info);
}

type_init(virtio_net_pci_register_types);
