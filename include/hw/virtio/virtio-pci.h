/*
 * Modern virtio-pci transport (VIRTIO 1.1 section 4.1), QEMU's layout:
 *
 *   config space   vendor 0x1af4, device 0x1040 + virtio id, revision 1,
 *                  subsystem 0x1af4:0x1100; capabilities (vendor 0x09):
 *                    COMMON, ISR, DEVICE, NOTIFY (multiplier 4), PCI_CFG
 *                  and MSI-X
 *   BAR 1          MSI-X table (0) and PBA (0x800), 4 KiB
 *   BAR 4          64-bit prefetchable memory, 16 KiB:
 *                    0x0000 common cfg   0x1000 ISR (read clears)
 *                    0x2000 device cfg   0x3000 notify: queue n at 4 n
 *
 * Common cfg (little-endian):
 *   0x00 device_feature_select   0x04 device_feature (RO)
 *   0x08 driver_feature_select   0x0c driver_feature
 *   0x10 msix_config (u16)       0x12 num_queues (RO)
 *   0x14 device_status (u8)      0x15 config_generation (RO)
 *   0x16 queue_select            0x18 queue_size
 *   0x1a queue_msix_vector       0x1c queue_enable
 *   0x1e queue_notify_off (RO)   0x20 queue_desc (u64)
 *   0x28 queue_driver (u64)      0x30 queue_device (u64)
 *
 * Interrupts: with MSI-X enabled the vector of the queue (or config) is
 * fired; a vector the device does not have reads back as 0xffff.  With
 * MSI-X off, INTx follows the ISR (raised on notify, lowered when the
 * ISR is read).
 *
 * A device model subclasses TYPE_VIRTIO_PCI, points @vdev at its
 * embedded VirtIODevice in instance_init and sets up the device in the
 * class's @realize.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"
OBJECT_DECLARE_TYPE(VirtIOPCIProxy, VirtioPCIClass, VIRTIO_PCI)

#define VIRTIO_PCI_VENDOR_ID        0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE   0x1040
#define VIRTIO_PCI_SUBSYSTEM_ID     0x1100

/* capability types */
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5

/* BAR 4 layout */
#define VIRTIO_PCI_MODERN_BAR       4
#define VIRTIO_PCI_MSIX_BAR         1
#define VIRTIO_PCI_COMMON_OFFSET    0x0000
#define VIRTIO_PCI_ISR_OFFSET       0x1000
#define VIRTIO_PCI_DEVICE_OFFSET    0x2000
#define VIRTIO_PCI_NOTIFY_OFFSET    0x3000
#define VIRTIO_PCI_REGION_SIZE      0x1000
#define VIRTIO_PCI_MODERN_BAR_SIZE  0x4000
#define VIRTIO_PCI_NOTIFY_MULT      4
#define VIRTIO_PCI_COMMON_SIZE      0x38

/* common cfg offsets */
#define VIRTIO_PCI_COMMON_DFSELECT  0x00
#define VIRTIO_PCI_COMMON_DF        0x04
#define VIRTIO_PCI_COMMON_GFSELECT  0x08
#define VIRTIO_PCI_COMMON_GF        0x0c
#define VIRTIO_PCI_COMMON_MSIX      0x10
#define VIRTIO_PCI_COMMON_NUMQ      0x12
#define VIRTIO_PCI_COMMON_STATUS    0x14
#define VIRTIO_PCI_COMMON_CFGGEN    0x15
#define VIRTIO_PCI_COMMON_Q_SELECT  0x16
#define VIRTIO_PCI_COMMON_Q_SIZE    0x18
#define VIRTIO_PCI_COMMON_Q_MSIX    0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE  0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF    0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO  0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI  0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO 0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI 0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO  0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI  0x34

struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    VirtIODevice *vdev;

    MemoryRegion modern_bar;
    MemoryRegion common;
    MemoryRegion isr;
    MemoryRegion device;
    MemoryRegion notify;
    uint8_t pci_cfg_cap;     /* offset of the PCI_CFG capability */

    /* driver-visible transport state (migrated) */
    uint32_t dfselect;
    uint32_t gfselect;
    uint16_t queue_sel;

    /* properties */
    uint32_t nvectors;
    bool disable_modern;
    char *disable_legacy;
    int32_t bootindex;
    bool event_idx;
    bool indirect_desc;
};

/**
 * struct VirtioPCIClass:
 * @realize: set up the embedded VirtIODevice (virtio_init, queues,
 *           host features, backend) before the transport is built
 * @exit: undo @realize (optional)
 * @vectors: default for the "vectors" property
 */
struct VirtioPCIClass {
    PCIDeviceClass parent_class;
    void (*realize)(VirtIOPCIProxy *proxy, Error **errp);
    void (*exit)(VirtIOPCIProxy *proxy);
    uint32_t vectors;
};

/**
 * vmstate_virtio_pci_proxy: PCI config, MSI-X and the transport's
 * selectors of a proxy; a device's description embeds it with
 *   VMSTATE_STRUCT(parent_obj, Foo, 1, vmstate_virtio_pci_proxy,
 *                  VirtIOPCIProxy)
 * followed by its VirtIODevice and its own fields.
 */
extern const VMStateDescription vmstate_virtio_pci_proxy;

/** virtio_pci_post_load: re-derive mappings and INTx after a load. */
void virtio_pci_post_load(VirtIOPCIProxy *proxy);

/**
 * virtio_pci_bar_read/write: BAR 4 accesses (also what the PCI_CFG
 * window does).  Exposed for tests.
 */
uint64_t virtio_pci_bar_read(VirtIOPCIProxy *proxy, uint32_t off,
                             unsigned int size);
void virtio_pci_bar_write(VirtIOPCIProxy *proxy, uint32_t off, uint64_t val,
                          unsigned int size);

#endif
