/*
 * VirtIODevice: the transport-independent part of a virtio device
 * (VIRTIO 1.1 sections 2.1-2.4, 3.1).
 *
 *   device model (net, blk)  --VirtioDeviceOps-->  VirtIODevice
 *   VirtIODevice             --VirtioTransportOps-> transport (PCI)
 *
 * A VirtIODevice is a plain struct embedded in the device model; the
 * QOM object users create is the transport+device pair (virtio-net-pci),
 * so there is no separate QOM type for it.  It holds the status byte,
 * feature negotiation (device offers @host_features; the driver's
 * choice is @guest_features, accepted at FEATURES_OK only if it is a
 * subset that includes VERSION_1), the ISR, the config generation, and
 * the queues with one output handler each.
 *
 * Status life cycle: 0 (reset) -> ACKNOWLEDGE -> DRIVER -> FEATURES_OK
 * -> DRIVER_OK.  A write of 0 resets the device.  When a guest breaks
 * the rules (malformed ring), virtio_error() sets DEVICE_NEEDS_RESET,
 * stops all queue processing and raises a config interrupt; the driver
 * recovers by resetting.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include "hw/virtio/virtqueue.h"
#include "migration/vmstate.h"

#define VIRTIO_QUEUE_MAX        8
#define VIRTIO_NO_VECTOR        0xffff

/* device status bits */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     1
#define VIRTIO_CONFIG_S_DRIVER          2
#define VIRTIO_CONFIG_S_DRIVER_OK       4
#define VIRTIO_CONFIG_S_FEATURES_OK     8
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* transport-independent feature bits */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_F_ACCESS_PLATFORM        33

/* ISR bits */
#define VIRTIO_ISR_QUEUE                1
#define VIRTIO_ISR_CONFIG               2

/* device ids (section 5) */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2

typedef struct VirtIODevice VirtIODevice;

typedef void VirtQueueHandler(VirtIODevice *vdev, VirtQueue *vq);

/**
 * struct VirtioDeviceOps: what a device model provides.
 * @get_config: fill vdev->config (called before each config read)
 * @set_config: the driver wrote vdev->config (optional)
 * @set_features: features accepted at FEATURES_OK (optional)
 * @set_status: after every status change (optional); DRIVER_OK is when
 *              queues may be used
 * @reset: back to power-on (queues are reset by the core)
 */
typedef struct VirtioDeviceOps {
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
    void (*reset)(VirtIODevice *vdev);
} VirtioDeviceOps;

/**
 * struct VirtioTransportOps: how the core reaches the transport.
 * @notify: raise @vector (VIRTIO_NO_VECTOR: INTx with the ISR; the
 *          transport decides what the vector means)
 */
typedef struct VirtioTransportOps {
    void (*notify)(void *opaque, uint16_t vector);
} VirtioTransportOps;

struct VirtIODevice {
    const char *name;
    uint16_t device_id;
    const VirtioDeviceOps *ops;
    const VirtioTransportOps *transport;
    void *transport_opaque;
    VirtioMem mem;

    /* migrated */
    uint8_t status;
    uint8_t isr;
    uint8_t generation;
    bool broken;
    uint16_t config_vector;
    uint64_t host_features;
    uint64_t guest_features;
    uint32_t nvqs;
    VirtQueue vq[VIRTIO_QUEUE_MAX];

    /* not migrated (rebuilt by the device model) */
    VirtQueueHandler *handlers[VIRTIO_QUEUE_MAX];
    size_t config_len;
    uint8_t *config;
};

/** virtio_mem_system: guest memory through address_space_memory. */
extern const VirtioMemOps virtio_mem_system_ops;

/**
 * virtio_init: set up @vdev with @config_len bytes of device config.
 * The memory ops default to the system address space.
 */
void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 const VirtioDeviceOps *ops, size_t config_len);
void virtio_cleanup(VirtIODevice *vdev);
/** virtio_set_transport: the transport's notify ops. */
void virtio_set_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                          void *opaque);
/** virtio_add_queue: queue number vdev->nvqs with @size entries. */
VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t size,
                            VirtQueueHandler *handler);
/** virtio_get_queue: queue @n or NULL. */
VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned int n);
int virtio_queue_index(VirtIODevice *vdev, VirtQueue *vq);

/** virtio_reset: status 0, features and queues cleared, device reset. */
void virtio_reset(VirtIODevice *vdev);
/**
 * virtio_set_status: the driver wrote @val.  0 resets; FEATURES_OK is
 * refused (the bit stays clear) if the driver's features are not
 * acceptable.
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t val);
/** virtio_set_guest_features: store 32 bits of the driver's choice. */
void virtio_set_guest_features(VirtIODevice *vdev, unsigned int sel,
                               uint32_t val);
uint32_t virtio_get_host_features(VirtIODevice *vdev, unsigned int sel);
uint32_t virtio_get_guest_features(VirtIODevice *vdev, unsigned int sel);
static inline bool virtio_has_feature(uint64_t features, unsigned int bit)
{
    return features & (1ULL << bit);
}
static inline bool virtio_vdev_has_feature(const VirtIODevice *vdev,
                                           unsigned int bit)
{
    return virtio_has_feature(vdev->guest_features, bit);
}
/** virtio_driver_ok: DRIVER_OK set and not broken. */
bool virtio_driver_ok(const VirtIODevice *vdev);

/** virtio_config_read/write: @size (1/2/4) bytes at @addr; out of range
 *  reads give all-ones, writes are ignored. */
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr,
                            unsigned int size);
void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val,
                         unsigned int size);

/** virtio_queue_notify: the driver kicked queue @n. */
void virtio_queue_notify(VirtIODevice *vdev, unsigned int n);
/**
 * virtio_pop: virtqueue_pop() for a device model: NULL unless the driver
 * is ready; a malformed chain calls virtio_error().
 */
void *virtio_pop(VirtIODevice *vdev, VirtQueue *vq, size_t sz);
/** virtio_notify: interrupt for @vq if the driver wants one. */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/** virtio_notify_config: config changed (generation++, interrupt). */
void virtio_notify_config(VirtIODevice *vdev);
/**
 * virtio_error: the guest broke the device: NEEDS_RESET, stop queues,
 * config interrupt.  @why goes to a trace point.
 */
void virtio_error(VirtIODevice *vdev, const char *why);
/** virtio_isr_read_clear: read-to-clear ISR (the PCI ISR register). */
uint8_t virtio_isr_read_clear(VirtIODevice *vdev);

/**
 * vmstate_virtio_device: status, features, ISR, queue configuration and
 * progress (indexes, in-use count) of an embedded VirtIODevice:
 *   VMSTATE_STRUCT(vdev, FooState, 1, vmstate_virtio_device, VirtIODevice)
 */
extern const VMStateDescription vmstate_virtio_device;

#endif
