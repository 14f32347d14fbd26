/*
 * The transport-independent VirtIODevice (hw/virtio/virtio.c) with a
 * fake memory and a fake transport: status and feature negotiation,
 * config space bounds, notify -> handler -> interrupt with the ISR,
 * a malformed chain -> DEVICE_NEEDS_RESET + config interrupt, reset, and
 * the vmstate round trip of the device and its queues.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/virtio/virtio.h"
#include "test-virtio-mem.h"

#define QSZ 8

typedef struct TestDev {
    VirtIODevice vdev;
    int handled;
    int resets;
    uint64_t features_set;
    uint8_t cfg_byte;
} TestDev;

typedef struct Transport {
    int notified;
    uint16_t last_vector;
} Transport;

static void td_get_config(VirtIODevice *vdev, uint8_t *config)
{
    TestDev *d = container_of(vdev, TestDev, vdev);

    config[0] = 0x11;
    config[1] = 0x22;
    config[2] = d->cfg_byte;
    config[3] = 0x44;
}

static void td_set_config(VirtIODevice *vdev, const uint8_t *config)
{
    container_of(vdev, TestDev, vdev)->cfg_byte = config[2];
}

static void td_set_features(VirtIODevice *vdev, uint64_t f)
{
    container_of(vdev, TestDev, vdev)->features_set = f;
}

static void td_reset(VirtIODevice *vdev)
{
    container_of(vdev, TestDev, vdev)->resets++;
}

static const VirtioDeviceOps td_ops = {
    .get_config = td_get_config,
    .set_config = td_set_config,
    .set_features = td_set_features,
    .reset = td_reset,
};

/* Echo handler: return every chain with 4 bytes written. */
static void td_handle(VirtIODevice *vdev, VirtQueue *vq)
{
    TestDev *d = container_of(vdev, TestDev, vdev);
    VirtQueueElement *e;

    while ((e = virtio_pop(vdev, vq, sizeof(*e)))) {
        d->handled++;
        virtqueue_push(vq, e, 4);
    }
    virtio_notify(vdev, vq);
}

static void tr_notify(void *opaque, uint16_t vector)
{
    Transport *t = opaque;

    t->notified++;
    t->last_vector = vector;
}

static const VirtioTransportOps tr_ops = {
    .notify = tr_notify,
};

static void td_init(TestDev *d, FakeMem *m, Transport *t)
{
    memset(d, 0, sizeof(*d));
    memset(t, 0, sizeof(*t));
    virtio_init(&d->vdev, "test", 42, &td_ops, 4);
    d->vdev.mem = m->mem;
    virtio_set_transport(&d->vdev, &tr_ops, t);
    virtio_add_queue(&d->vdev, QSZ, td_handle);
    d->vdev.host_features = (1ULL << VIRTIO_F_VERSION_1) |
                            (1ULL << VIRTIO_RING_F_EVENT_IDX) | 1;
}

static void driver_ok(TestDev *d, uint64_t features)
{
    virtio_set_status(&d->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_guest_features(&d->vdev, 0, features);
    virtio_set_guest_features(&d->vdev, 1, features >> 32);
    virtio_set_status(&d->vdev, 0xb);
    drv_setup(&d->vdev.vq[0], QSZ);
    d->vdev.vq[0].vector = 3;
    virtio_set_status(&d->vdev, 0xf);
}

static void test_negotiation(void)
{
    TestDev d;
    FakeMem m;
    Transport t;

    fake_mem_init(&m);
    td_init(&d, &m, &t);
    g_assert_cmphex(virtio_get_host_features(&d.vdev, 1), ==, 1);
    /* without VERSION_1: FEATURES_OK does not stick */
    virtio_set_guest_features(&d.vdev, 0, 1);
    virtio_set_status(&d.vdev, 0xb);
    g_assert_cmphex(d.vdev.status, ==, 0x3);
    /* a feature the device does not offer */
    virtio_set_guest_features(&d.vdev, 1, 1 | 4);
    virtio_set_status(&d.vdev, 0xb);
    g_assert_cmphex(d.vdev.status, ==, 0x3);
    virtio_set_guest_features(&d.vdev, 1, 1);
    virtio_set_status(&d.vdev, 0xb);
    g_assert_cmphex(d.vdev.status, ==, 0xb);
    g_assert_cmphex(d.features_set, ==, (1ULL << 32) | 1);
    /* frozen after FEATURES_OK */
    virtio_set_guest_features(&d.vdev, 0, 0);
    g_assert_cmphex(virtio_get_guest_features(&d.vdev, 0), ==, 1);
    /* EVENT_IDX reaches the queues */
    virtio_set_status(&d.vdev, 0);
    g_assert_cmpint(d.resets, ==, 1);
    g_assert_cmphex(d.vdev.guest_features, ==, 0);
    driver_ok(&d, (1ULL << 32) | (1ULL << VIRTIO_RING_F_EVENT_IDX));
    g_assert_true(d.vdev.vq[0].event_idx);
    virtio_cleanup(&d.vdev);
    fake_mem_free(&m);
}

static void test_config(void)
{
    TestDev d;
    FakeMem m;
    Transport t;

    fake_mem_init(&m);
    td_init(&d, &m, &t);
    g_assert_cmphex(virtio_config_read(&d.vdev, 0, 4), ==, 0x44002211);
    g_assert_cmphex(virtio_config_read(&d.vdev, 1, 2), ==, 0x0022);
    g_assert_cmphex(virtio_config_read(&d.vdev, 3, 2), ==, 0xffffffff);
    g_assert_cmphex(virtio_config_read(&d.vdev, 0x1000, 1), ==, 0xffffffff);
    virtio_config_write(&d.vdev, 2, 0x99, 1);
    g_assert_cmphex(d.cfg_byte, ==, 0x99);
    virtio_config_write(&d.vdev, 4, 0x99, 1);        /* ignored */
    virtio_config_write(&d.vdev, UINT32_MAX, 0x99, 4);
    g_assert_cmphex(virtio_config_read(&d.vdev, 2, 1), ==, 0x99);
    virtio_cleanup(&d.vdev);
    fake_mem_free(&m);
}

static void test_notify_and_error(void)
{
    TestDev d;
    FakeMem m;
    Transport t;

    fake_mem_init(&m);
    td_init(&d, &m, &t);
    /* a kick before DRIVER_OK does nothing */
    drv_desc(&m, 0, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QSZ, 0);
    virtio_queue_notify(&d.vdev, 0);
    g_assert_cmpint(d.handled, ==, 0);
    driver_ok(&d, 1ULL << 32);
    virtio_queue_notify(&d.vdev, 0);
    virtio_queue_notify(&d.vdev, 7);                 /* no such queue */
    g_assert_cmpint(d.handled, ==, 1);
    g_assert_cmpint(t.notified, ==, 1);
    g_assert_cmpuint(t.last_vector, ==, 3);
    g_assert_cmphex(virtio_isr_read_clear(&d.vdev), ==, VIRTIO_ISR_QUEUE);
    g_assert_cmphex(virtio_isr_read_clear(&d.vdev), ==, 0);

    /* a loop: NEEDS_RESET, config interrupt on the config vector */
    d.vdev.config_vector = 1;
    drv_desc(&m, 1, DRV_BUF, 8, VRING_DESC_F_NEXT, 1);
    drv_kick(&m, QSZ, 1);
    virtio_queue_notify(&d.vdev, 0);
    g_assert_true(d.vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_true(d.vdev.broken);
    g_assert_cmpuint(t.last_vector, ==, 1);
    g_assert_cmphex(virtio_isr_read_clear(&d.vdev), ==, VIRTIO_ISR_CONFIG);
    g_assert_cmpuint(d.vdev.generation, ==, 1);
    /* dead until reset */
    drv_desc(&m, 2, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QSZ, 2);
    virtio_queue_notify(&d.vdev, 0);
    g_assert_cmpint(d.handled, ==, 1);
    virtio_set_status(&d.vdev, 0);
    g_assert_false(d.vdev.broken);
    g_assert_cmpuint(d.vdev.status, ==, 0);
    g_assert_false(d.vdev.vq[0].enabled);
    virtio_cleanup(&d.vdev);
    fake_mem_free(&m);
}

static void test_vmstate(void)
{
    TestDev src, dst;
    FakeMem m;
    Transport t1, t2;
    VirtQueueElement *e;

    fake_mem_init(&m);
    td_init(&src, &m, &t1);
    td_init(&dst, &m, &t2);
    driver_ok(&src, (1ULL << 32) | (1ULL << VIRTIO_RING_F_EVENT_IDX));
    drv_desc(&m, 0, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QSZ, 0);
    drv_desc(&m, 1, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QSZ, 1);
    virtio_queue_notify(&src.vdev, 0);
    /* one more popped but not returned: in use across the migration */
    drv_desc(&m, 2, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QSZ, 2);
    e = virtio_pop(&src.vdev, &src.vdev.vq[0], sizeof(*e));
    g_assert_nonnull(e);
    virtqueue_element_free(&src.vdev.vq[0], e, 0);

    vmstate_test_roundtrip(&vmstate_virtio_device, &src.vdev, &dst.vdev);
    g_assert_cmpuint(dst.vdev.status, ==, 0xf);
    g_assert_cmphex(dst.vdev.guest_features, ==,
                    src.vdev.guest_features);
    g_assert_true(dst.vdev.vq[0].event_idx);
    g_assert_cmpuint(dst.vdev.vq[0].last_avail_idx, ==, 3);
    g_assert_cmpuint(dst.vdev.vq[0].used_idx, ==, 2);
    g_assert_cmpuint(dst.vdev.vq[0].inuse, ==, 1);
    g_assert_cmpuint(dst.vdev.vq[0].vector, ==, 3);
    g_assert_true(dst.vdev.vq[0].mem == &dst.vdev.mem);
    /* the destination finishes the in-flight chain */
    e = virtqueue_map_head(&dst.vdev.vq[0], 2, sizeof(*e));
    g_assert_nonnull(e);
    virtqueue_push(&dst.vdev.vq[0], e, 8);
    g_assert_cmpuint(drv_used_idx(&m), ==, 3);

    /* a stream with features the destination does not offer fails */
    dst.vdev.host_features = 1ULL << VIRTIO_F_VERSION_1;
    {
        g_autofree uint8_t *buf = NULL;
        size_t len;
        Error *err = NULL;

        buf = vmstate_test_save(&vmstate_virtio_device, &src.vdev, &len);
        g_assert_false(vmstate_test_load(&vmstate_virtio_device, &dst.vdev,
                                         buf, len, 1, &err));
        error_free_or_abort(&err);
    }
    virtio_cleanup(&src.vdev);
    virtio_cleanup(&dst.vdev);
    g_assert_cmpint(m.maps, ==, 0);
    fake_mem_free(&m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio/core/negotiation", test_negotiation);
    g_test_add_func("/virtio/core/config", test_config);
    g_test_add_func("/virtio/core/notify-error", test_notify_and_error);
    g_test_add_func("/virtio/core/vmstate", test_vmstate);
    return g_test_run();
}
