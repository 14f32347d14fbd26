/*
 * virtio-net-pci against a fake netdev (a NetClientState that records
 * what it receives) and a fake guest memory: receive into mergeable
 * buffers with num_buffers, a guest without buffers (the net layer
 * queues, the rx kick flushes), an oversized frame without MRG_RXBUF,
 * transmit with the header stripped or passed through (vnet_hdr), a
 * transmit queued by the net layer, link status, and vmstate; with
 * GUEST_TSO4 received TCP segments coalesced into one GSO frame (flushed
 * by a frame that does not join, the end of the burst, a kick), and a
 * guest TSO frame passed whole to a user netdev; the offload properties.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/bh-poll.h"
#include "system/runstate.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci-host/i440fx.h"
#include "hw/virtio/virtio-net.h"
#include "net/tap.h"
#include "test-virtio-mem.h"

#define QN          16
#define RX_BASE     0x20000
#define TX_BASE     0x40000
#define BUF         0x80000

typedef struct FakePeer {
    NetClientState nc;
    GPtrArray *got;          /* GByteArray * per packet */
    bool full;
} FakePeer;

static ssize_t peer_receive(NetClientState *nc, const uint8_t *buf,
                            size_t size)
{
    FakePeer *p = (FakePeer *)nc;

    if (p->full) {
        return 0;
    }
    g_ptr_array_add(p->got, g_byte_array_append(g_byte_array_new(), buf,
                                                size));
    return size;
}

static bool peer_can_receive(NetClientState *nc)
{
    return !((FakePeer *)nc)->full;
}

static const NetClientInfo peer_info = {
    .type = NET_CLIENT_DRIVER_USER,
    .size = sizeof(FakePeer),
    .receive = peer_receive,
    .can_receive = peer_can_receive,
};

typedef struct Env {
    FakeMem m;
    FakePeer *peer;
    DeviceState *dev;
    VirtIONet *n;
} Env;

static unsigned int env_count;

static void env_init_features(Env *e, bool vnet_hdr, bool mergeable,
                              uint64_t extra, const char *props_off)
{
    g_autofree char *name = g_strdup_printf("peer%u", env_count++);
    uint64_t features = (1ULL << VIRTIO_F_VERSION_1) |
                        (1ULL << VIRTIO_NET_F_MAC) |
                        (1ULL << VIRTIO_NET_F_STATUS);
    VirtIODevice *vdev;

    fake_mem_init(&e->m);
    e->peer = (FakePeer *)qemu_new_net_client(&peer_info, NULL, "fake",
                                              name);
    e->peer->nc.is_netdev = true;
    e->peer->nc.has_vnet_hdr = vnet_hdr;
    e->peer->got = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_byte_array_unref);
    e->dev = qdev_new(TYPE_VIRTIO_NET_PCI);
    qdev_prop_set_string(e->dev, "netdev", name);
    if (props_off) {
        qdev_prop_set_bit(e->dev, props_off, false);
    }
    g_assert_true(qdev_realize(e->dev, NULL, &error_abort));
    e->n = &VIRTIO_NET_PCI(e->dev)->net;
    vdev = &e->n->vdev;
    vdev->mem = e->m.mem;    /* the queues follow vdev->mem */

    /* the driver's part */
    if (mergeable) {
        features |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
    }
    features |= extra;
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_guest_features(vdev, 0, features);
    virtio_set_guest_features(vdev, 1, features >> 32);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_true(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
    drv_setup_at(e->n->rx_vq, QN, RX_BASE);
    drv_setup_at(e->n->tx_vq, QN, TX_BASE);
    virtio_set_status(vdev, 0xf);
}

static void env_init(Env *e, bool vnet_hdr, bool mergeable)
{
    env_init_features(e, vnet_hdr, mergeable, 0, NULL);
}

static void env_done(Env *e)
{
    qdev_unplug_and_remove(e->dev);
    g_ptr_array_unref(e->peer->got);
    qemu_del_net_client(&e->peer->nc);
    g_assert_cmpint(e->m.maps, ==, 0);
    fake_mem_free(&e->m);
}

static void rx_buffer(Env *e, uint16_t i, uint64_t addr, uint32_t len)
{
    e->m.ring_base = RX_BASE;
    drv_desc(&e->m, i, addr, len, VRING_DESC_F_WRITE, 0);
    drv_kick(&e->m, QN, i);
}

static void fill_frame(uint8_t *f, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        f[i] = i * 7 + 1;
    }
}

static void test_rx_mergeable(void)
{
    Env e;
    uint8_t frame[100], got[100];
    uint32_t id, len;
    uint16_t nbuf;

    env_init(&e, false, true);
    rx_buffer(&e, 0, BUF, 12 + 20);
    rx_buffer(&e, 1, BUF + 0x1000, 30);
    rx_buffer(&e, 2, BUF + 0x2000, 100);
    fill_frame(frame, sizeof(frame));
    memset(e.m.ram + BUF, 0xee, 12);
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));

    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 3);
    drv_used_elem(&e.m, QN, 0, &id, &len);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpuint(len, ==, 32);
    drv_used_elem(&e.m, QN, 1, &id, &len);
    g_assert_cmpuint(len, ==, 30);
    drv_used_elem(&e.m, QN, 2, &id, &len);
    g_assert_cmpuint(id, ==, 2);
    g_assert_cmpuint(len, ==, 50);
    /* zeroed header (no vnet_hdr on the netdev) with num_buffers = 3 */
    memcpy(&nbuf, e.m.ram + BUF + 10, 2);
    g_assert_cmpuint(GUINT16_FROM_LE(nbuf), ==, 3);
    g_assert_cmpuint(e.m.ram[BUF], ==, 0);
    memcpy(got, e.m.ram + BUF + 12, 20);
    memcpy(got + 20, e.m.ram + BUF + 0x1000, 30);
    memcpy(got + 50, e.m.ram + BUF + 0x2000, 50);
    g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
    env_done(&e);
}

static void test_rx_no_buffers(void)
{
    Env e;
    uint8_t frame[60];
    uint16_t nbuf;

    env_init(&e, false, true);
    fill_frame(frame, sizeof(frame));
    g_assert_false(virtio_net_can_receive(e.n));
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 0);
    /* the guest adds a buffer and kicks: the queued packet arrives */
    rx_buffer(&e, 5, BUF, 2048);
    virtio_queue_notify(&e.n->vdev, 0);
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    memcpy(&nbuf, e.m.ram + BUF + 10, 2);
    g_assert_cmpuint(GUINT16_FROM_LE(nbuf), ==, 1);
    g_assert_cmpmem(e.m.ram + BUF + 12, 60, frame, 60);

    /* mid-packet shortage with MRG_RXBUF: buffers given back, queued */
    rx_buffer(&e, 6, BUF + 0x1000, 12 + 10);
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    g_assert_cmpuint(virtqueue_avail_count(e.n->rx_vq), ==, 1);
    rx_buffer(&e, 7, BUF + 0x2000, 100);
    virtio_queue_notify(&e.n->vdev, 0);
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 3);
    env_done(&e);
}

/*
 * A frame refused for lack of room leaves the NIC refusing
 * until a receive kick.  A checkpoint (load + resume) that brings buffers
 * must make it receive again without a kick (the COLO SVM case).
 */
static void test_rx_refused_then_load(void)
{
    Env e;
    VirtIONetPCI *s;
    uint8_t frame[60];
    g_autofree uint8_t *buf = NULL;
    size_t len;

    env_init(&e, false, true);
    s = VIRTIO_NET_PCI(e.dev);
    fill_frame(frame, sizeof(frame));
    /* too little room for header + frame: refused, the NIC now refuses */
    rx_buffer(&e, 2, BUF + 0x2000, 12 + 10);
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));
    g_assert_true(e.n->nic->receive_disabled);
    /* the loaded state has a buffer the driver already published */
    rx_buffer(&e, 3, BUF, 2048);
    vm_stop(RUN_STATE_PAUSED);
    buf = vmstate_test_save(&vmstate_virtio_net_pci, s, &len);
    g_assert_true(vmstate_test_load(&vmstate_virtio_net_pci, s, buf, len, 1,
                                    &error_abort));
    vm_start();
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 2);    /* 22 + 2048 bytes */
    g_assert_cmpmem(e.m.ram + BUF + 0x2000 + 12, 10, frame, 10);
    g_assert_cmpmem(e.m.ram + BUF, 50, frame + 10, 50);
    g_assert_false(e.n->nic->receive_disabled);
    /* and the next frame goes straight in */
    rx_buffer(&e, 4, BUF + 0x1000, 2048);
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 3);
    env_done(&e);
}

static void test_rx_too_big(void)
{
    Env e;
    uint8_t frame[200];

    env_init(&e, false, false);
    g_assert_false(e.n->mergeable);
    rx_buffer(&e, 0, BUF, 12 + 100);
    fill_frame(frame, sizeof(frame));
    qemu_send_packet(&e.peer->nc, frame, sizeof(frame));
    e.m.ring_base = RX_BASE;
    /* dropped; the buffer stays with the device for the next frame */
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 0);
    qemu_send_packet(&e.peer->nc, frame, 100);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    g_assert_false(e.n->vdev.broken);
    env_done(&e);
}

static void tx_chain(Env *e, uint16_t head, const uint8_t *frame,
                     size_t len)
{
    e->m.ring_base = TX_BASE;
    memset(e->m.ram + BUF + 0x8000, 0, 12);
    e->m.ram[BUF + 0x8000] = 0;              /* flags */
    memcpy(e->m.ram + BUF + 0x9000, frame, len);
    drv_desc(&e->m, head, BUF + 0x8000, 12, VRING_DESC_F_NEXT, head + 1);
    drv_desc(&e->m, head + 1, BUF + 0x9000, len, 0, 0);
    drv_kick(&e->m, QN, head);
}

static void test_tx(void)
{
    Env e;
    uint8_t frame[60];
    GByteArray *p;

    env_init(&e, false, true);
    fill_frame(frame, sizeof(frame));
    tx_chain(&e, 0, frame, sizeof(frame));
    virtio_queue_notify(&e.n->vdev, 1);
    g_assert_cmpuint(e.peer->got->len, ==, 1);
    p = g_ptr_array_index(e.peer->got, 0);
    g_assert_cmpmem(p->data, p->len, frame, sizeof(frame));
    e.m.ring_base = TX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);

    /* the netdev is busy: the chain waits, then completes */
    e.peer->full = true;
    tx_chain(&e, 2, frame, sizeof(frame));
    virtio_queue_notify(&e.n->vdev, 1);
    g_assert_nonnull(e.n->tx_waiting);
    e.m.ring_base = TX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    e.peer->full = false;
    qemu_flush_queued_packets(&e.peer->nc);
    g_assert_null(e.n->tx_waiting);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 2);
    g_assert_cmpuint(e.peer->got->len, ==, 2);

    /* a chain shorter than the header breaks the device */
    e.m.ring_base = TX_BASE;
    drv_desc(&e.m, 4, BUF, 6, 0, 0);
    drv_kick(&e.m, QN, 4);
    virtio_queue_notify(&e.n->vdev, 1);
    g_assert_true(e.n->vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpuint(e.peer->got->len, ==, 2);
    env_done(&e);
}

static void test_vnet_hdr(void)
{
    Env e;
    uint8_t frame[60], pkt[72];
    GByteArray *p;

    env_init(&e, true, true);
    g_assert_cmpint(e.n->host_hdr_len, ==, 12);
    g_assert_cmpint(e.peer->nc.vnet_hdr_len, ==, 12);
    fill_frame(frame, sizeof(frame));
    tx_chain(&e, 0, frame, sizeof(frame));
    e.m.ram[BUF + 0x8000] = 1;               /* passes through as is */
    virtio_queue_notify(&e.n->vdev, 1);
    p = g_ptr_array_index(e.peer->got, 0);
    g_assert_cmpuint(p->len, ==, 72);
    g_assert_cmpuint(p->data[0], ==, 1);
    g_assert_cmpmem(p->data + 12, 60, frame, 60);

    /* rx: the backend's header reaches the guest, num_buffers set */
    memset(pkt, 0, 12);
    pkt[1] = 3;                              /* gso_type, kept */
    memcpy(pkt + 12, frame, 60);
    rx_buffer(&e, 0, BUF, 2048);
    qemu_send_packet(&e.peer->nc, pkt, sizeof(pkt));
    g_assert_cmpuint(e.m.ram[BUF + 1], ==, 3);
    g_assert_cmpuint(e.m.ram[BUF + 10], ==, 1);
    g_assert_cmpmem(e.m.ram + BUF + 12, 60, frame, 60);
    env_done(&e);
}

static void test_link_and_vmstate(void)
{
    Env e;
    VirtIONetPCI *s;
    uint8_t gen;

    env_init(&e, false, true);
    s = VIRTIO_NET_PCI(e.dev);
    g_assert_cmpuint(e.n->mac[0], ==, 0x52);
    gen = e.n->vdev.generation;
    g_assert_true(qemu_set_link(e.n->nic->name, false, &error_abort));
    g_assert_cmpuint(e.n->status, ==, 0);
    g_assert_cmpuint(e.n->vdev.generation, ==, (uint8_t)(gen + 1));
    g_assert_true(qemu_set_link(e.n->nic->name, true, &error_abort));
    g_assert_cmpuint(e.n->status, ==, VIRTIO_NET_S_LINK_UP);

    rx_buffer(&e, 0, BUF, 2048);
    vmstate_test_roundtrip(&vmstate_virtio_net_pci, s, s);
    g_assert_cmpuint(e.n->vdev.status, ==, 0xf);
    g_assert_true(e.n->mergeable);
    g_assert_cmpuint(e.n->rx_vq->num, ==, QN);
    g_assert_cmpuint(e.n->rx_vq->desc, ==, RX_BASE + DRV_DESC);
    g_assert_true(virtio_net_can_receive(e.n));

    /* a transmit held by the net layer is sent again after a load */
    {
        uint8_t frame[60];
        g_autofree uint8_t *buf = NULL;
        size_t len;

        fill_frame(frame, sizeof(frame));
        e.peer->full = true;
        tx_chain(&e, 0, frame, sizeof(frame));
        virtio_queue_notify(&e.n->vdev, 1);
        g_assert_nonnull(e.n->tx_waiting);
        /* (not a round trip: the load rewinds the ring on purpose) */
        buf = vmstate_test_save(&vmstate_virtio_net_pci, s, &len);
        g_assert_true(vmstate_test_load(&vmstate_virtio_net_pci, s, buf,
                                        len, 1, &error_abort));
        g_assert_null(e.n->tx_waiting);
        g_assert_cmpuint(virtqueue_avail_count(e.n->tx_vq), ==, 1);
        e.peer->full = false;
        qemu_flush_queued_packets(&e.peer->nc);
        g_assert_cmpuint(e.peer->got->len, ==, 0);   /* purged */
        virtio_queue_notify(&e.n->vdev, 1);
        g_assert_cmpuint(e.peer->got->len, ==, 1);
        e.m.ring_base = TX_BASE;
        g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    }
    env_done(&e);
}

/* ---- offloads: coalescing, whole TSO frames, properties ---- */

static uint16_t sum_fold(const uint8_t *p, size_t len, uint32_t s)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        s += (p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        s += p[len - 1] << 8;
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return s;
}

/*
 * An IPv4 TCP segment (ACK) with stream bytes [@off, @off + @pay) and
 * correct checksums; @sum_ok false spoils the TCP checksum.
 */
static size_t make_tcp4(uint8_t *f, uint32_t off, size_t pay, bool sum_ok)
{
    uint8_t *ip = f + 14, *tcp = ip + 20;
    uint32_t ps;
    uint16_t c;
    size_t i;

    memset(f, 0, 54);
    memset(f, 0x52, 12);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = (40 + pay) >> 8;
    ip[3] = 40 + pay;
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = 10;
    ip[15] = 2;
    ip[16] = 10;
    ip[19] = 15;
    c = ~sum_fold(ip, 20, 0);
    ip[10] = c >> 8;
    ip[11] = c;
    tcp[0] = 0x1f;
    tcp[3] = 0x50;
    tcp[4] = off >> 24;
    tcp[5] = off >> 16;
    tcp[6] = off >> 8;
    tcp[7] = off;
    tcp[12] = 0x50;
    tcp[13] = 0x10;
    tcp[14] = 0x20;
    for (i = 0; i < pay; i++) {
        tcp[20 + i] = (off + i) * 3;
    }
    ps = 0x0a00 + 0x0002 + 0x0a00 + 0x000f + 6 + 20 + pay;
    c = ~sum_fold(tcp, 20 + pay, ps);
    if (!sum_ok) {
        c ^= 0x100;
    }
    tcp[16] = c >> 8;
    tcp[17] = c;
    return 54 + pay;
}

#define COALESCE_FEATURES ((1ULL << VIRTIO_NET_F_GUEST_CSUM) | \
                           (1ULL << VIRTIO_NET_F_GUEST_TSO4))

static void test_rx_coalesce(void)
{
    Env e;
    uint8_t f[2048], hdr[12];
    size_t len;
    uint32_t id, ulen;
    unsigned int i;

    env_init_features(&e, false, true, COALESCE_FEATURES, NULL);
    g_assert_true(e.n->rsc_on);
    for (i = 0; i < 4; i++) {
        rx_buffer(&e, i, BUF + i * 0x2000, 0x2000);
    }
    /* three segments are held, not yet in the ring */
    for (i = 0; i < 3; i++) {
        len = make_tcp4(f, i * 1000, 1000, true);
        qemu_send_packet(&e.peer->nc, f, len);
    }
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 0);
    /* a frame that does not join: the held one goes first, in order */
    fill_frame(f, 60);
    qemu_send_packet(&e.peer->nc, f, 60);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 2);
    drv_used_elem(&e.m, QN, 0, &id, &ulen);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpuint(ulen, ==, 12 + 54 + 3000);
    memcpy(hdr, e.m.ram + BUF, 12);
    g_assert_cmpuint(hdr[0], ==, 2);         /* DATA_VALID */
    g_assert_cmpuint(hdr[1], ==, 1);         /* GSO TCPV4 */
    g_assert_cmpuint(hdr[4] | (hdr[5] << 8), ==, 1000);
    g_assert_cmpuint(hdr[10], ==, 1);        /* num_buffers */
    for (i = 0; i < 3000; i++) {
        g_assert_cmpuint(e.m.ram[BUF + 12 + 54 + i], ==, (uint8_t)(i * 3));
    }
    g_assert_cmpuint(sum_fold(e.m.ram + BUF + 12 + 14, 20, 0), ==, 0xffff);
    drv_used_elem(&e.m, QN, 1, &id, &ulen);
    g_assert_cmpuint(ulen, ==, 12 + 60);
    g_assert_cmpuint(e.m.ram[BUF + 0x2000], ==, 0);   /* not verified */

    /* the end of the burst (bottom half) hands over what is held */
    len = make_tcp4(f, 5000, 1000, true);
    qemu_send_packet(&e.peer->nc, f, len);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 2);
    aio_bh_poll(NULL);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 3);
    memcpy(hdr, e.m.ram + BUF + 0x4000, 12);
    g_assert_cmpuint(hdr[0], ==, 2);
    g_assert_cmpuint(hdr[1], ==, 0);         /* one segment: no GSO */

    /* a bad checksum is never vouched for nor joined */
    len = make_tcp4(f, 6000, 1000, false);
    qemu_send_packet(&e.peer->nc, f, len);
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 4);
    g_assert_cmpuint(e.m.ram[BUF + 0x6000], ==, 0);

    /* too few buffers for the joined frame: held until the next kick */
    rx_buffer(&e, 4, BUF + 0x8000, 0x800);
    for (i = 0; i < 3; i++) {
        len = make_tcp4(f, 7000 + i * 1000, 1000, true);
        qemu_send_packet(&e.peer->nc, f, len);
    }
    aio_bh_poll(NULL);
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 4);
    g_assert_true(virtio_net_rsc_held(&e.n->rsc));
    rx_buffer(&e, 5, BUF + 0xa000, 0x2000);
    virtio_queue_notify(&e.n->vdev, 0);
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 6);
    g_assert_false(virtio_net_rsc_held(&e.n->rsc));
    g_assert_cmpuint(e.m.ram[BUF + 0x8000 + 10], ==, 2);   /* 2 buffers */

    /* a VM stop hands over what is held: nothing outside the state */
    rx_buffer(&e, 6, BUF + 0xc000, 0x2000);
    for (i = 0; i < 2; i++) {
        len = make_tcp4(f, 10000 + i * 1000, 1000, true);
        qemu_send_packet(&e.peer->nc, f, len);
    }
    g_assert_true(virtio_net_rsc_held(&e.n->rsc));
    vm_stop(RUN_STATE_PAUSED);
    g_assert_false(virtio_net_rsc_held(&e.n->rsc));
    e.m.ring_base = RX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 7);
    vm_start();

    /* coalescing follows the negotiated features across a migration */
    e.n->rsc_on = false;
    vmstate_test_roundtrip(&vmstate_virtio_net_pci, VIRTIO_NET_PCI(e.dev),
                           VIRTIO_NET_PCI(e.dev));
    g_assert_true(e.n->rsc_on);
    g_assert_cmpuint(e.m.ram[BUF + 0x8000 + 12 + 14 + 20 + 6], ==,
                     (7000 >> 8) & 0xff);
    env_done(&e);
}

static void test_tx_tso_whole(void)
{
    Env e;
    g_autofree uint8_t *f = g_malloc(54 + 20000);
    size_t len = make_tcp4(f, 0, 20000, true);
    GByteArray *p;

    env_init_features(&e, false, true, (1ULL << VIRTIO_NET_F_CSUM) |
                      (1ULL << VIRTIO_NET_F_HOST_TSO4), NULL);
    /* the guest leaves the checksums to the device */
    f[14 + 20 + 16] = f[14 + 20 + 17] = 0;
    e.m.ring_base = TX_BASE;
    memset(e.m.ram + BUF + 0x8000, 0, 12);
    e.m.ram[BUF + 0x8000] = 1;               /* NEEDS_CSUM */
    e.m.ram[BUF + 0x8001] = 1;               /* GSO TCPV4 */
    e.m.ram[BUF + 0x8004] = 1460 & 0xff;
    e.m.ram[BUF + 0x8005] = 1460 >> 8;
    e.m.ram[BUF + 0x8006] = 34;              /* csum_start */
    e.m.ram[BUF + 0x8008] = 16;              /* csum_offset */
    memcpy(e.m.ram + BUF + 0x10000, f, len);
    drv_desc(&e.m, 0, BUF + 0x8000, 12, VRING_DESC_F_NEXT, 1);
    drv_desc(&e.m, 1, BUF + 0x10000, len, 0, 0);
    drv_kick(&e.m, QN, 0);
    virtio_queue_notify(&e.n->vdev, 1);
    /* a user netdev without filters gets the frame whole, checksummed */
    g_assert_cmpuint(e.peer->got->len, ==, 1);
    p = g_ptr_array_index(e.peer->got, 0);
    g_assert_cmpuint(p->len, ==, len);
    g_assert_cmpuint(sum_fold(p->data + 34, 20 + 20000,
                              0x0a00 + 2 + 0x0a00 + 15 + 6 + 20 + 20000),
                     ==, 0xffff);
    g_assert_cmpmem(p->data + 54, 20000, f + 54, 20000);
    e.m.ring_base = TX_BASE;
    g_assert_cmpuint(drv_used_idx(&e.m), ==, 1);
    env_done(&e);
}

static void test_offload_props(void)
{
    Env e;
    uint64_t hf;

    env_init(&e, false, true);
    hf = e.n->vdev.host_features;
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_GUEST_TSO4));
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_HOST_TSO6));
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_MRG_RXBUF));
    env_done(&e);

    /* as in QEMU: no guest_csum, no guest TSO */
    env_init_features(&e, false, true, 0, "guest_csum");
    hf = e.n->vdev.host_features;
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_GUEST_CSUM));
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_GUEST_TSO4));
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_HOST_TSO4));
    env_done(&e);

    env_init_features(&e, false, false, 0, "mrg_rxbuf");
    g_assert_false(e.n->vdev.host_features &
                   (1ULL << VIRTIO_NET_F_MRG_RXBUF));
    env_done(&e);
}

/*
 * A netdev that carries the header: the guest's checksum and TSO
 * requests pass through (its kernel does them), but receive offloads are
 * offered only by a tap whose kernel can be told to hand over such
 * frames (TUNSETOFFLOAD), which this fake peer is not.
 */
static void test_vnet_hdr_offloads(void)
{
    Env e;
    uint64_t hf;

    env_init(&e, true, true);
    hf = e.n->vdev.host_features;
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_CSUM));
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_HOST_TSO4));
    g_assert_true(hf & (1ULL << VIRTIO_NET_F_HOST_TSO6));
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_GUEST_CSUM));
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_GUEST_TSO4));
    g_assert_false(tap_can_offload(&e.peer->nc));
    g_assert_false(tap_set_offload(&e.peer->nc, true, true, true));
    env_done(&e);

    /* the properties still rule: no csum, no host TSO */
    env_init_features(&e, true, true, 0, "csum");
    hf = e.n->vdev.host_features;
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_CSUM));
    g_assert_false(hf & (1ULL << VIRTIO_NET_F_HOST_TSO4));
    env_done(&e);
}

int main(int argc, char **argv)
{
    DeviceState *host;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    host = i440fx_host_new(&error_abort);
    g_assert_nonnull(host);
    runstate_set(RUN_STATE_RUNNING);
    g_test_add_func("/virtio/net/rx/mergeable", test_rx_mergeable);
    g_test_add_func("/virtio/net/rx/no-buffers", test_rx_no_buffers);
    g_test_add_func("/virtio/net/rx/too-big", test_rx_too_big);
    g_test_add_func("/virtio/net/rx/refused-then-load",
                    test_rx_refused_then_load);
    g_test_add_func("/virtio/net/tx", test_tx);
    g_test_add_func("/virtio/net/vnet-hdr", test_vnet_hdr);
    g_test_add_func("/virtio/net/link-vmstate", test_link_and_vmstate);
    g_test_add_func("/virtio/net/rx/coalesce", test_rx_coalesce);
    g_test_add_func("/virtio/net/tx/tso-whole", test_tx_tso_whole);
    g_test_add_func("/virtio/net/offload-props", test_offload_props);
    g_test_add_func("/virtio/net/vnet-hdr/offloads", test_vnet_hdr_offloads);
    return g_test_run();
}
