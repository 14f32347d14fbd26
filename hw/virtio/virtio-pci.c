/*
 * Modern virtio-pci transport: capabilities, the common/ISR/device/
 * notify windows in BAR 4, MSI-X in BAR 1, the PCI_CFG access window,
 * and INTx through the ISR.  See include/hw/virtio/virtio-pci.h for the
 * layout.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
#include "trace/trace-hw_virtio.h"

/* struct virtio_pci_cap: 16 bytes; notify adds 4, pci_cfg adds 4 */
#define CAP_CFG_TYPE    3
#define CAP_BAR         4
#define CAP_ID          5
#define CAP_OFFSET      8
#define CAP_LENGTH      12
#define CAP_EXTRA       16
#define CAP_SIZE        16

static VirtQueue *selected_vq(VirtIOPCIProxy *p)
{
    return virtio_get_queue(p->vdev, p->queue_sel);
}

static uint16_t valid_vector(VirtIOPCIProxy *p, uint16_t vector)
{
    return vector < p->nvectors ? vector : VIRTIO_NO_VECTOR;
}

/* ---- common cfg ---- */

static uint64_t q_addr_part(uint64_t addr, uint32_t off)
{
    return (off & 4) ? addr >> 32 : (uint32_t)addr;
}

static void q_addr_set(uint64_t *addr, uint32_t off, uint32_t val)
{
    if (off & 4) {
        *addr = (uint32_t)*addr | ((uint64_t)val << 32);
    } else {
        *addr = (*addr & ~0xffffffffULL) | val;
    }
}

static uint64_t common_read(VirtIOPCIProxy *p, uint32_t off)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = selected_vq(p);

    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        return p->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return virtio_get_host_features(vdev, p->dfselect);
    case VIRTIO_PCI_COMMON_GFSELECT:
        return p->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return virtio_get_guest_features(vdev, p->gfselect);
    case VIRTIO_PCI_COMMON_MSIX:
        return vdev->config_vector;
    case VIRTIO_PCI_COMMON_NUMQ:
        return vdev->nvqs;
    case VIRTIO_PCI_COMMON_STATUS:
        return vdev->status;
    case VIRTIO_PCI_COMMON_CFGGEN:
        return vdev->generation;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        return p->queue_sel;
    }
    if (!vq) {
        return 0;            /* queue registers of a missing queue */
    }
    switch (off) {
    case VIRTIO_PCI_COMMON_Q_SIZE:
        return vq->num;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return vq->vector;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        return vq->enabled;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        return p->queue_sel;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        return q_addr_part(vq->desc, off);
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        return q_addr_part(vq->avail, off);
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        return q_addr_part(vq->used, off);
    }
    return 0;
}

static void set_queue_size(VirtQueue *vq, uint32_t val)
{
    /* split rings: a power of two no larger than what we offer */
    if (val && val <= vq->num_max && !(val & (val - 1))) {
        vq->num = val;
    }
}

static void set_status(VirtIOPCIProxy *p, uint8_t val)
{
    PCIDevice *d = &p->parent_obj;

    virtio_set_status(p->vdev, val);
    if (val == 0) {
        pci_irq_deassert(d);
    }
}

static void queue_write(VirtIOPCIProxy *p, VirtQueue *vq, uint32_t off,
                        uint32_t val)
{
    if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
        vq->vector = valid_vector(p, val);
        return;
    }
    if (vq->enabled) {
        return;              /* configuration is frozen once enabled */
    }
    switch (off) {
    case VIRTIO_PCI_COMMON_Q_SIZE:
        set_queue_size(vq, val);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        vq->enabled = val == 1 && vq->num && vq->desc;
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        q_addr_set(&vq->desc, off, val);
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        q_addr_set(&vq->avail, off, val);
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        q_addr_set(&vq->used, off, val);
        break;
    }
}

static void common_write(VirtIOPCIProxy *p, uint32_t off, uint32_t val)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = selected_vq(p);

    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        p->dfselect = val;
        return;
    case VIRTIO_PCI_COMMON_GFSELECT:
        p->gfselect = val;
        return;
    case VIRTIO_PCI_COMMON_GF:
        virtio_set_guest_features(vdev, p->gfselect, val);
        return;
    case VIRTIO_PCI_COMMON_MSIX:
        vdev->config_vector = valid_vector(p, val);
        return;
    case VIRTIO_PCI_COMMON_STATUS:
        set_status(p, val);
        return;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        p->queue_sel = val;
        return;
    }
    if (vq) {
        queue_write(p, vq, off, val);
    }
}

/* ---- BAR 4 dispatch ---- */

uint64_t virtio_pci_bar_read(VirtIOPCIProxy *p, uint32_t off,
                             unsigned int size)
{
    uint32_t region = off & ~(VIRTIO_PCI_REGION_SIZE - 1);
    uint32_t roff = off & (VIRTIO_PCI_REGION_SIZE - 1);
    uint64_t mask = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
    uint8_t isr;

    switch (region) {
    case VIRTIO_PCI_COMMON_OFFSET:
        return roff < VIRTIO_PCI_COMMON_SIZE ? common_read(p, roff) & mask
                                             : 0;
    case VIRTIO_PCI_ISR_OFFSET:
        if (roff) {
            return 0;
        }
        isr = virtio_isr_read_clear(p->vdev);
        pci_irq_deassert(&p->parent_obj);
        return isr;
    case VIRTIO_PCI_DEVICE_OFFSET:
        return virtio_config_read(p->vdev, roff, size) & mask;
    default:
        return 0;
    }
}

void virtio_pci_bar_write(VirtIOPCIProxy *p, uint32_t off, uint64_t val,
                          unsigned int size)
{
    uint32_t region = off & ~(VIRTIO_PCI_REGION_SIZE - 1);
    uint32_t roff = off & (VIRTIO_PCI_REGION_SIZE - 1);

    switch (region) {
    case VIRTIO_PCI_COMMON_OFFSET:
        trace_virtio_pci_common_write(roff, val, size);
        if (roff < VIRTIO_PCI_COMMON_SIZE) {
            common_write(p, roff, val);
        }
        break;
    case VIRTIO_PCI_DEVICE_OFFSET:
        virtio_config_write(p->vdev, roff, val, size);
        break;
    case VIRTIO_PCI_NOTIFY_OFFSET:
        if (roff % VIRTIO_PCI_NOTIFY_MULT == 0) {
            virtio_queue_notify(p->vdev, roff / VIRTIO_PCI_NOTIFY_MULT);
        }
        break;
    default:
        break;
    }
}

#define DEFINE_REGION_OPS(name, base)                                      \
static uint64_t name##_mmio_read(void *opaque, hwaddr addr, unsigned size) \
{                                                                          \
    return virtio_pci_bar_read(opaque, (base) + addr, size);               \
}                                                                          \
static void name##_mmio_write(void *opaque, hwaddr addr, uint64_t val,     \
                              unsigned size)                               \
{                                                                          \
    virtio_pci_bar_write(opaque, (base) + addr, val, size);                \
}                                                                          \
static const MemoryRegionOps name##_ops = {                                \
    .read = name##_mmio_read,                                              \
    .write = name##_mmio_write,                                            \
    .min_access_size = 1,                                                  \
    .max_access_size = 4,                                                  \
}

DEFINE_REGION_OPS(common, VIRTIO_PCI_COMMON_OFFSET);
DEFINE_REGION_OPS(isr, VIRTIO_PCI_ISR_OFFSET);
DEFINE_REGION_OPS(device, VIRTIO_PCI_DEVICE_OFFSET);
DEFINE_REGION_OPS(notify, VIRTIO_PCI_NOTIFY_OFFSET);

/* ---- interrupts ---- */

static void virtio_pci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *p = opaque;
    PCIDevice *d = &p->parent_obj;

    if (msix_enabled(d)) {
        trace_virtio_pci_notify(vector, 1);
        if (vector < p->nvectors) {
            msix_notify(d, vector);
        }
        return;
    }
    trace_virtio_pci_notify(vector, 0);
    pci_set_irq(d, p->vdev->isr != 0);
}

static const VirtioTransportOps virtio_pci_transport_ops = {
    .notify = virtio_pci_notify,
};

/* ---- config space: capabilities and the PCI_CFG window ---- */

static bool add_cap(PCIDevice *d, uint8_t type, uint8_t bar, uint32_t off,
                    uint32_t len, uint8_t extra, uint8_t *pos, Error **errp)
{
    int c = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, CAP_SIZE + extra,
                               errp);

    if (c < 0) {
        return false;
    }
    d->config[c + 2] = CAP_SIZE + extra;
    d->config[c + CAP_CFG_TYPE] = type;
    d->config[c + CAP_BAR] = bar;
    pci_set_long(d->config + c + CAP_OFFSET, off);
    pci_set_long(d->config + c + CAP_LENGTH, len);
    if (pos) {
        *pos = c;
    }
    return true;
}

static bool add_caps(VirtIOPCIProxy *p, Error **errp)
{
    PCIDevice *d = &p->parent_obj;
    uint8_t notify;

    if (!add_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_MODERN_BAR,
                 VIRTIO_PCI_COMMON_OFFSET, VIRTIO_PCI_REGION_SIZE, 0, NULL,
                 errp) ||
        !add_cap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_MODERN_BAR,
                 VIRTIO_PCI_ISR_OFFSET, VIRTIO_PCI_REGION_SIZE, 0, NULL,
                 errp) ||
        !add_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_MODERN_BAR,
                 VIRTIO_PCI_DEVICE_OFFSET, VIRTIO_PCI_REGION_SIZE, 0, NULL,
                 errp) ||
        !add_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_MODERN_BAR,
                 VIRTIO_PCI_NOTIFY_OFFSET, VIRTIO_PCI_REGION_SIZE, 4,
                 &notify, errp) ||
        !add_cap(d, VIRTIO_PCI_CAP_PCI_CFG, 0, 0, 0, 4, &p->pci_cfg_cap,
                 errp)) {
        return false;
    }
    pci_set_long(d->config + notify + CAP_EXTRA, VIRTIO_PCI_NOTIFY_MULT);
    /* the PCI_CFG window's bar, offset, length and data are writable */
    memset(d->wmask + p->pci_cfg_cap + CAP_BAR, 0xff, 1);
    memset(d->wmask + p->pci_cfg_cap + CAP_OFFSET, 0xff, 12);
    return true;
}

/* The access the PCI_CFG window describes, if it is a valid one. */
static bool pci_cfg_access(VirtIOPCIProxy *p, uint32_t *off,
                           unsigned int *len)
{
    uint8_t *cap = p->parent_obj.config + p->pci_cfg_cap;

    *off = pci_get_long(cap + CAP_OFFSET);
    *len = pci_get_long(cap + CAP_LENGTH);
    return cap[CAP_BAR] == VIRTIO_PCI_MODERN_BAR &&
           (*len == 1 || *len == 2 || *len == 4) &&
           *off < VIRTIO_PCI_MODERN_BAR_SIZE &&
           *off % *len == 0;
}

static bool in_pci_cfg_data(VirtIOPCIProxy *p, uint32_t addr, int len)
{
    uint32_t data = p->pci_cfg_cap + CAP_EXTRA;

    return p->pci_cfg_cap && addr >= data && addr + len <= data + 4;
}

static uint32_t virtio_pci_config_read(PCIDevice *d, uint32_t addr, int len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(d);
    uint32_t off;
    unsigned int size;

    if (in_pci_cfg_data(p, addr, len) && pci_cfg_access(p, &off, &size)) {
        uint32_t val = virtio_pci_bar_read(p, off, size);

        pci_set_long(d->config + p->pci_cfg_cap + CAP_EXTRA, val);
    }
    return pci_default_read_config(d, addr, len);
}

static void virtio_pci_config_write(PCIDevice *d, uint32_t addr,
                                    uint32_t val, int len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(d);
    uint32_t off;
    unsigned int size;

    pci_default_write_config(d, addr, val, len);
    if (in_pci_cfg_data(p, addr, len) && pci_cfg_access(p, &off, &size)) {
        uint32_t data = pci_get_long(d->config + p->pci_cfg_cap + CAP_EXTRA);

        virtio_pci_bar_write(p, off, data, size);
    }
}

/* ---- life cycle ---- */

static void virtio_pci_realize(PCIDevice *d, Error **errp)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(d);
    VirtioPCIClass *vpc = VIRTIO_PCI_GET_CLASS(d);
    VirtIODevice *vdev = p->vdev;
    Error *err = NULL;

    if (p->disable_modern) {
        error_setg(errp, "virtio-pci: legacy virtio is not supported, "
                   "disable-modern=on is not possible");
        return;
    }
    if (p->disable_legacy && strcmp(p->disable_legacy, "on") &&
        strcmp(p->disable_legacy, "off") &&
        strcmp(p->disable_legacy, "auto")) {
        error_setg(errp, "Parameter 'disable-legacy' does not accept "
                   "value '%s'", p->disable_legacy);
        return;
    }
    if (p->nvectors == UINT32_MAX) {
        p->nvectors = vpc->vectors;
    }
    if (p->nvectors > 2048) {
        error_setg(errp, "vectors must be at most 2048");
        return;
    }
    vdev->mem.ops = &virtio_mem_system_ops;
    vdev->mem.opaque = NULL;
    vpc->realize(p, &err);
    if (err) {
        error_propagate(errp, err);
        return;
    }
    vdev->host_features |= 1ULL << VIRTIO_F_VERSION_1;
    if (p->event_idx) {
        vdev->host_features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
    }
    if (p->indirect_desc) {
        vdev->host_features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
    }
    virtio_set_transport(vdev, &virtio_pci_transport_ops, p);

    d->config[PCI_INTERRUPT_PIN] = 1;
    memory_region_init(&p->modern_bar, "virtio-pci",
                       VIRTIO_PCI_MODERN_BAR_SIZE);
    memory_region_init_io(&p->common, &common_ops, p, "virtio-pci-common",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->isr, &isr_ops, p, "virtio-pci-isr",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->device, &device_ops, p, "virtio-pci-device",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_init_io(&p->notify, &notify_ops, p, "virtio-pci-notify",
                          VIRTIO_PCI_REGION_SIZE);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_COMMON_OFFSET,
                                &p->common);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_ISR_OFFSET,
                                &p->isr);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_DEVICE_OFFSET,
                                &p->device);
    memory_region_add_subregion(&p->modern_bar, VIRTIO_PCI_NOTIFY_OFFSET,
                                &p->notify);
    pci_register_bar(d, VIRTIO_PCI_MODERN_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &p->modern_bar);
    if (p->nvectors &&
        !msix_init_exclusive_bar(d, p->nvectors, VIRTIO_PCI_MSIX_BAR, &err)) {
        /* like QEMU: fall back to INTx */
        error_free(err);
        p->nvectors = 0;
    }
    if (!add_caps(p, errp)) {
        if (vpc->exit) {
            vpc->exit(p);
        }
        return;
    }
}

static void virtio_pci_exit(PCIDevice *d)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(d);
    VirtioPCIClass *vpc = VIRTIO_PCI_GET_CLASS(d);

    virtio_reset(p->vdev);
    if (vpc->exit) {
        vpc->exit(p);
    }
}

static void virtio_pci_reset(DeviceState *dev)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(dev);
    PCIDevice *d = &p->parent_obj;

    virtio_reset(p->vdev);
    p->dfselect = p->gfselect = 0;
    p->queue_sel = 0;
    if (d->bus) {
        pci_device_reset(d);
    }
}

void virtio_pci_post_load(VirtIOPCIProxy *p)
{
    PCIDevice *d = &p->parent_obj;
    VirtIODevice *vdev = p->vdev;
    unsigned int i;

    /* vectors this device does not have (a bad stream) mean none */
    vdev->config_vector = valid_vector(p, vdev->config_vector);
    for (i = 0; i < vdev->nvqs; i++) {
        vdev->vq[i].vector = valid_vector(p, vdev->vq[i].vector);
    }
    pci_device_post_load(d);
    if (!msix_enabled(d)) {
        pci_set_irq(d, p->vdev->isr != 0);
    }
}

const VMStateDescription vmstate_virtio_pci_proxy = {
    .name = "virtio-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_PCI_DEVICE(parent_obj, VirtIOPCIProxy),
        VMSTATE_MSIX(parent_obj, VirtIOPCIProxy),
        VMSTATE_UINT32(dfselect, VirtIOPCIProxy),
        VMSTATE_UINT32(gfselect, VirtIOPCIProxy),
        VMSTATE_UINT16(queue_sel, VirtIOPCIProxy),
        VMSTATE_END_OF_LIST()
    },
};

static Property virtio_pci_props[] = {
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors, UINT32_MAX),
    DEFINE_PROP_BOOL("disable-modern", VirtIOPCIProxy, disable_modern,
                     false),
    DEFINE_PROP_STRING("disable-legacy", VirtIOPCIProxy, disable_legacy),
    DEFINE_PROP_INT32("bootindex", VirtIOPCIProxy, bootindex, -1),
    DEFINE_PROP_BOOL("event_idx", VirtIOPCIProxy, event_idx, true),
    DEFINE_PROP_BOOL("indirect_desc", VirtIOPCIProxy, indirect_desc, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_pci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = virtio_pci_realize;
    pc->exit = virtio_pci_exit;
    pc->config_read = virtio_pci_config_read;
    pc->config_write = virtio_pci_config_write;
    pc->vendor_id = VIRTIO_PCI_VENDOR_ID;
    pc->revision = 1;
    pc->subsystem_vendor_id = VIRTIO_PCI_VENDOR_ID;
    pc->subsystem_id = VIRTIO_PCI_SUBSYSTEM_ID;
    dc->reset = virtio_pci_reset;
    device_class_set_props(dc, virtio_pci_props);
}

static const TypeInfo virtio_pci_info = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VirtIOPCIProxy),
    .abstract = true,
    .class_size = sizeof(VirtioPCIClass),
    .class_init = virtio_pci_class_init,
};

static void virtio_pci_register_types(void)
{
    type_register_static(&virtio_pci_info);
}

type_init(virtio_pci_register_types);
