/*
 * IOAPIC device: MMIO window, input lines and migration around the pure
 * model in ioapic-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/intc/ioapic_dev.h"
#include "trace/trace-hw_intc.h"

OBJECT_DECLARE_SIMPLE_TYPE(IOAPICDevice, IOAPIC)

struct IOAPICDevice {
    DeviceState parent_obj;

    IOAPICState core;
    MemoryRegion mmio;
    qemu_irq *gsi;
    IOAPICDeliverFn *deliver;
    void *deliver_opaque;
};

static void ioapic_fwd_deliver(void *opaque, uint64_t addr, uint32_t data)
{
    IOAPICDevice *s = opaque;

    trace_ioapic_deliver(addr, data);
    if (s->deliver) {
        s->deliver(s->deliver_opaque, addr, data);
    }
}

static void ioapic_gsi_handler(void *opaque, int pin, int level)
{
    IOAPICDevice *s = opaque;

    trace_ioapic_set_irq(pin, level);
    ioapic_set_irq(&s->core, pin, level);
}

static uint64_t ioapic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOAPICDevice *s = opaque;
    uint32_t val = ioapic_mem_readl(&s->core, addr & ~3ULL);

    if (size < 4) {
        val >>= 8 * (addr & 3);
        val &= (1U << (8 * size)) - 1;
    }
    return val;
}

static void ioapic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    IOAPICDevice *s = opaque;

    trace_ioapic_mem_write(addr, val);
    if (size == 4 && !(addr & 3)) {
        ioapic_mem_writel(&s->core, addr, val);
    } else if (size == 1 && (addr & 0xff) == 0) {
        ioapic_mem_writel(&s->core, addr, val);   /* IOREGSEL as a byte */
    }
}

static const MemoryRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

static void ioapic_realize(DeviceState *dev, Error **errp)
{
    IOAPICDevice *s = IOAPIC(dev);

    ioapic_core_init(&s->core, ioapic_fwd_deliver, s);
    s->gsi = qemu_allocate_irqs(ioapic_gsi_handler, s, IOAPIC_NUM_PINS);
    memory_region_init_io(&s->mmio, &ioapic_mmio_ops, s, "ioapic", 0x1000);
    memory_region_add_subregion(get_system_memory(), IOAPIC_DEFAULT_ADDRESS,
                                &s->mmio);
}

static void ioapic_unrealize(DeviceState *dev)
{
    IOAPICDevice *s = IOAPIC(dev);

    memory_region_del_subregion(get_system_memory(), &s->mmio);
    qemu_free_irqs(s->gsi, IOAPIC_NUM_PINS);
    s->gsi = NULL;
}

static void ioapic_reset(DeviceState *dev)
{
    ioapic_core_reset(&IOAPIC(dev)->core);
}

static int ioapic_post_load(void *opaque, int version_id)
{
    ioapic_core_post_load(&((IOAPICDevice *)opaque)->core);
    return 0;
}

static const VMStateDescription vmstate_ioapic = {
    .name = "ioapic",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = ioapic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, IOAPICDevice, 1, vmstate_ioapic_core,
                       IOAPICState),
        VMSTATE_END_OF_LIST()
    },
};

static void ioapic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = ioapic_realize;
    dc->unrealize = ioapic_unrealize;
    dc->reset = ioapic_reset;
    dc->vmsd = &vmstate_ioapic;
    dc->user_creatable = false;
    dc->desc = "I/O APIC";
}

static const TypeInfo ioapic_info = {
    .name = TYPE_IOAPIC,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(IOAPICDevice),
    .class_init = ioapic_class_init,
};

static void ioapic_register_types(void)
{
    type_register_static(&ioapic_info);
}

type_init(ioapic_register_types);

DeviceState *ioapic_new(IOAPICDeliverFn *deliver, void *opaque,
                        Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_IOAPIC);
    IOAPICDevice *s = IOAPIC(dev);

    s->deliver = deliver;
    s->deliver_opaque = opaque;
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

qemu_irq ioapic_get_gsi(DeviceState *dev, int gsi)
{
    IOAPICDevice *s = IOAPIC(dev);

    if (gsi < 0 || gsi >= IOAPIC_NUM_PINS) {
        return NULL;
    }
    return s->gsi[gsi];
}

void ioapic_dev_eoi(DeviceState *dev, int vector)
{
    ioapic_eoi_broadcast(&IOAPIC(dev)->core, vector);
}
