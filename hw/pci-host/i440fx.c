/*
 * The pc's PCI host bridge device ("i440FX-pcihost"): bus 0, the conf1
 * ports, and the 00:00.0 "i440FX" / 00:01.0 "PIIX3" functions as QOM PCI
 * devices.  Register logic is in i440fx-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/pci-host/i440fx.h"
#include "hw/i386/acpi-build.h"
#include "system/runstate.h"
#include "trace/trace-hw_pci_host.h"

OBJECT_DECLARE_SIMPLE_TYPE(I440FXHostDevice, I440FX_PCI_HOST_BRIDGE)

struct I440FXHostDevice {
    DeviceState parent_obj;

    PCIHostState host;
    PCIBus *bus;
    MemoryRegion conf_io;
};

static void i440fx_reset_request(void *opaque)
{
    trace_pci_host_reset_request();
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

static uint64_t conf1_read(void *opaque, hwaddr addr, unsigned size)
{
    I440FXHostDevice *s = opaque;

    return pci_host_conf1_read(&s->host, addr, size);
}

static void conf1_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    I440FXHostDevice *s = opaque;

    trace_pci_host_conf1_write(addr, val, size);
    pci_host_conf1_write(&s->host, addr, val, size);
}

static const MemoryRegionOps conf1_ops = {
    .read = conf1_read,
    .write = conf1_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

static void i440fx_host_realize(DeviceState *dev, Error **errp)
{
    I440FXHostDevice *s = I440FX_PCI_HOST_BRIDGE(dev);

    s->bus = pci_bus_new(get_system_memory(), get_system_io());
    pci_host_init(&s->host, s->bus, i440fx_reset_request, s);
    pci_bus_set_default(s->bus);
    memory_region_init_io(&s->conf_io, &conf1_ops, s, "pci-conf1",
                          PCI_HOST_CONF1_LEN);
    memory_region_add_subregion(get_system_io(), PCI_HOST_CONF1_ADDR,
                                &s->conf_io);
    if (!pci_create_simple(TYPE_I440FX_PCI_DEVICE, PCI_DEVFN(0, 0), errp) ||
        !pci_create_simple(TYPE_PIIX3_PCI_DEVICE, PCI_DEVFN(1, 0), errp)) {
        return;
    }
}

static void i440fx_host_reset(DeviceState *dev)
{
    I440FXHostDevice *s = I440FX_PCI_HOST_BRIDGE(dev);

    s->host.config_reg = 0;
    s->host.rcr = 0;
}

static const VMStateDescription vmstate_i440fx_host = {
    .name = "i440fx-pcihost",
    .version_id = 1,
    .minimum_version_id = 1,
    .priority = MIG_PRI_PCI_BUS,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(host.config_reg, I440FXHostDevice),
        VMSTATE_UINT8(host.rcr, I440FXHostDevice),
        VMSTATE_END_OF_LIST()
    },
};

static void i440fx_host_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = i440fx_host_realize;
    dc->reset = i440fx_host_reset;
    dc->vmsd = &vmstate_i440fx_host;
    dc->user_creatable = false;
    dc->desc = "i440FX PCI host bridge (conf1)";
}

/* ---- 00:00.0 and 00:01.0 ---- */

static void i440fx_fn_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->vendor_id = i440fx_ids.vendor_id;
    pc->device_id = i440fx_ids.device_id;
    pc->revision = i440fx_ids.revision;
    pc->class_id = i440fx_ids.class_id;
    dc->vmsd = &vmstate_pci_device;
    dc->user_creatable = false;
    dc->desc = "Host bridge";
    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
}

static void piix3_realize(PCIDevice *d, Error **errp)
{
    piix3_init_config(d);
}

static void piix3_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = piix3_realize;
    pc->vendor_id = piix3_ids.vendor_id;
    pc->device_id = piix3_ids.device_id;
    pc->class_id = piix3_ids.class_id;
    dc->vmsd = &vmstate_pci_device;
    dc->user_creatable = false;
    dc->desc = "ISA bridge";
    device_class_set_category(dc, DEVICE_CATEGORY_BRIDGE);
}

static void piix3_instance_init(Object *obj)
{
    /* function 0 of a multi-function device */
    PCI_DEVICE(obj)->multifunction = true;
}

static const TypeInfo i440fx_types[] = {
    {
        .name = TYPE_I440FX_PCI_HOST_BRIDGE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(I440FXHostDevice),
        .class_init = i440fx_host_class_init,
    }, {
        .name = TYPE_I440FX_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_size = sizeof(PCIDeviceClass),
        .class_init = i440fx_fn_class_init,
    }, {
        .name = TYPE_PIIX3_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_size = sizeof(PCIDeviceClass),
        .instance_init = piix3_instance_init,
        .class_init = piix3_class_init,
    },
};

DEFINE_TYPES(i440fx_types)

DeviceState *i440fx_host_new(Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_I440FX_PCI_HOST_BRIDGE);

    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

PCIBus *i440fx_host_get_bus(DeviceState *host)
{
    return I440FX_PCI_HOST_BRIDGE(host)->bus;
}

static int pc_pci_map_irq(void *opaque, int devfn, int pin)
{
    return x86_pci_intx_to_gsi(PCI_SLOT(devfn), pin);
}

void i440fx_host_route_intx(DeviceState *host, qemu_irq *gsi)
{
    pci_bus_irqs(i440fx_host_get_bus(host), pc_pci_map_irq, NULL, gsi,
                 X86_IOAPIC_PINS);
}
