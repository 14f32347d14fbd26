/*
 * VirtIODevice core: status, features, config space, ISR, queue kicks
 * and interrupts, and the device's migratable state.  Transport
 * independent and free of globals (unit tests link it with a fake
 * memory and a fake transport).
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtio.h"
#include "trace/trace-hw_virtio.h"

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 const VirtioDeviceOps *ops, size_t config_len)
{
    unsigned int i;

    vdev->name = name;
    vdev->device_id = device_id;
    vdev->ops = ops;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(MAX(config_len, 1));
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->nvqs = 0;
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        virtqueue_init(&vdev->vq[i], 0, &vdev->mem);
        vdev->vq[i].num = 0;
        vdev->handlers[i] = NULL;
    }
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_free(vdev->config);
    vdev->config = NULL;
}

void virtio_set_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                          void *opaque)
{
    vdev->transport = ops;
    vdev->transport_opaque = opaque;
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t size,
                            VirtQueueHandler *handler)
{
    VirtQueue *vq;

    assert(vdev->nvqs < VIRTIO_QUEUE_MAX);
    assert(size && size <= VIRTQUEUE_MAX_SIZE);
    vq = &vdev->vq[vdev->nvqs];
    virtqueue_init(vq, size, &vdev->mem);
    vdev->handlers[vdev->nvqs++] = handler;
    return vq;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned int n)
{
    return n < vdev->nvqs ? &vdev->vq[n] : NULL;
}

int virtio_queue_index(VirtIODevice *vdev, VirtQueue *vq)
{
    return vq - vdev->vq;
}

void virtio_reset(VirtIODevice *vdev)
{
    unsigned int i;

    trace_virtio_reset(vdev->name);
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, 0);
    }
    if (vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->broken = false;
    vdev->guest_features = 0;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (i = 0; i < vdev->nvqs; i++) {
        virtqueue_reset(&vdev->vq[i]);
    }
}

static bool features_acceptable(VirtIODevice *vdev)
{
    uint64_t f = vdev->guest_features;

    return !(f & ~vdev->host_features) &&
           virtio_has_feature(f, VIRTIO_F_VERSION_1);
}

static void apply_features(VirtIODevice *vdev)
{
    bool event_idx = virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX);
    bool indirect = virtio_vdev_has_feature(vdev,
                                            VIRTIO_RING_F_INDIRECT_DESC);
    unsigned int i;

    for (i = 0; i < vdev->nvqs; i++) {
        vdev->vq[i].event_idx = event_idx;
        vdev->vq[i].indirect = indirect;
    }
}

void virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    uint8_t old = vdev->status;

    if (val == 0) {
        virtio_reset(vdev);
        return;
    }
    if ((val & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
        if (!features_acceptable(vdev)) {
            trace_virtio_features_refused(vdev->name, vdev->guest_features);
            val &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        } else {
            apply_features(vdev);
            if (vdev->ops->set_features) {
                vdev->ops->set_features(vdev, vdev->guest_features);
            }
        }
    }
    /* NEEDS_RESET is the device's bit: the driver cannot clear it */
    val = (val & ~VIRTIO_CONFIG_S_NEEDS_RESET) |
          (old & VIRTIO_CONFIG_S_NEEDS_RESET);
    vdev->status = val;
    trace_virtio_set_status(vdev->name, old, val);
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, val);
    }
}

void virtio_set_guest_features(VirtIODevice *vdev, unsigned int sel,
                               uint32_t val)
{
    if (sel > 1 || (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        return;              /* frozen after FEATURES_OK */
    }
    vdev->guest_features &= ~(0xffffffffULL << (32 * sel));
    vdev->guest_features |= (uint64_t)val << (32 * sel);
}

uint32_t virtio_get_host_features(VirtIODevice *vdev, unsigned int sel)
{
    return sel > 1 ? 0 : vdev->host_features >> (32 * sel);
}

uint32_t virtio_get_guest_features(VirtIODevice *vdev, unsigned int sel)
{
    return sel > 1 ? 0 : vdev->guest_features >> (32 * sel);
}

bool virtio_driver_ok(const VirtIODevice *vdev)
{
    return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken;
}

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr,
                            unsigned int size)
{
    uint32_t val = 0;

    if (size > 4 || addr > vdev->config_len ||
        size > vdev->config_len - addr) {
        return 0xffffffffu;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    memcpy(&val, vdev->config + addr, size);
    return GUINT32_FROM_LE(val);
}

void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val,
                         unsigned int size)
{
    uint32_t le = GUINT32_TO_LE(val);

    if (size > 4 || addr > vdev->config_len ||
        size > vdev->config_len - addr) {
        return;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    memcpy(vdev->config + addr, &le, size);
    if (vdev->ops->set_config) {
        vdev->ops->set_config(vdev, vdev->config);
    }
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned int n)
{
    VirtQueue *vq = virtio_get_queue(vdev, n);

    trace_virtio_queue_notify(vdev->name, n);
    if (!vq || !vq->num || !vdev->handlers[n] || vdev->broken) {
        return;
    }
    vdev->handlers[n](vdev, vq);
}

void *virtio_pop(VirtIODevice *vdev, VirtQueue *vq, size_t sz)
{
    uint16_t used = vq->used_idx;
    void *elem;

    if (!virtio_driver_ok(vdev)) {
        return NULL;
    }
    elem = virtqueue_pop(vq, sz);
    if (!elem && vq->broken) {
        virtio_error(vdev, "malformed descriptor chain");
    } else if (vq->used_idx != used) {
        virtio_notify(vdev, vq);     /* empty chains were returned */
    }
    return elem;
}

static void virtio_raise(VirtIODevice *vdev, uint8_t isr, uint16_t vector)
{
    vdev->isr |= isr;
    if (vdev->transport) {
        vdev->transport->notify(vdev->transport_opaque, vector);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vq->broken) {
        virtio_error(vdev, "used ring not writable");
        return;
    }
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        !virtqueue_should_notify(vq)) {
        return;
    }
    trace_virtio_notify(vdev->name, virtio_queue_index(vdev, vq));
    virtio_raise(vdev, VIRTIO_ISR_QUEUE, vq->vector);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    vdev->generation++;
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    virtio_raise(vdev, VIRTIO_ISR_CONFIG, vdev->config_vector);
}

void virtio_error(VirtIODevice *vdev, const char *why)
{
    if (vdev->broken) {
        return;
    }
    trace_virtio_error(vdev->name, why);
    vdev->broken = true;
    vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
    virtio_notify_config(vdev);
}

uint8_t virtio_isr_read_clear(VirtIODevice *vdev)
{
    uint8_t isr = vdev->isr;

    vdev->isr = 0;
    return isr;
}

/* ---- migration ---- */

static int virtio_device_post_load(void *opaque, int version_id)
{
    VirtIODevice *vdev = opaque;
    unsigned int i;

    if (vdev->guest_features & ~vdev->host_features) {
        return -EINVAL;
    }
    for (i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = &vdev->vq[i];

        if (vq->num > vq->num_max || vq->inuse > vq->num) {
            return -EINVAL;
        }
        vq->mem = &vdev->mem;
    }
    apply_features(vdev);
    return 0;
}

static const VMStateDescription vmstate_virtqueue = {
    .name = "virtqueue",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(num, VirtQueue),
        VMSTATE_UINT16_EQUAL(num_max, VirtQueue),
        VMSTATE_UINT16(vector, VirtQueue),
        VMSTATE_BOOL(enabled, VirtQueue),
        VMSTATE_UINT64(desc, VirtQueue),
        VMSTATE_UINT64(avail, VirtQueue),
        VMSTATE_UINT64(used, VirtQueue),
        VMSTATE_UINT16(last_avail_idx, VirtQueue),
        VMSTATE_UINT16(used_idx, VirtQueue),
        VMSTATE_UINT16(inuse, VirtQueue),
        VMSTATE_UINT16(signalled_used, VirtQueue),
        VMSTATE_BOOL(signalled_used_valid, VirtQueue),
        VMSTATE_BOOL(broken, VirtQueue),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_virtio_device = {
    .name = "virtio-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = virtio_device_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(status, VirtIODevice),
        VMSTATE_UINT8(isr, VirtIODevice),
        VMSTATE_UINT8(generation, VirtIODevice),
        VMSTATE_BOOL(broken, VirtIODevice),
        VMSTATE_UINT16(config_vector, VirtIODevice),
        VMSTATE_UINT64(guest_features, VirtIODevice),
        VMSTATE_UINT32_EQUAL(nvqs, VirtIODevice),
        VMSTATE_STRUCT_ARRAY(vq, VirtIODevice, VIRTIO_QUEUE_MAX, 1,
                             vmstate_virtqueue, VirtQueue),
        VMSTATE_END_OF_LIST()
    },
};
