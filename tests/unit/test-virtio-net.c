/*
 * virtio-net-pci against a fake netdev (a NetClientState that records
 * what it receives) and a fake guest memory: receive into mergeable
 * buffers with num_buffers, a guest without buffers (the net layer
 * queues, the rx kick flushes), an oversized frame without MRG_RXBUF,
 * transmit with the header stripped or passed through (vnet_hdr), a
 * transmit queued by the net layer, link status, and vmstate.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "system/runstate.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci-host/i440fx.h"
#include "hw/virtio/virtio-net.h"
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

static void env_init(Env *e, bool vnet_hdr, bool mergeable)
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
    g_assert_true(qdev_realize(e->dev, NULL, &error_abort));
    e->n = &VIRTIO_NET_PCI(e->dev)->net;
    vdev = &e->n->vdev;
    vdev->mem = e->m.mem;    /* the queues follow vdev->mem */

    /* the driver's part */
    if (mergeable) {
        features |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
    }
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
    g_test_add_func("/virtio/net/tx", test_tx);
    g_test_add_func("/virtio/net/vnet-hdr", test_vnet_hdr);
    g_test_add_func("/virtio/net/link-vmstate", test_link_and_vmstate);
    return g_test_run();
}
