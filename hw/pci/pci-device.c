/*
 * TYPE_PCI_DEVICE: the abstract QOM base of PCI device models.  Realize
 * plugs the device into the default bus at its "addr" (SLOT[.FN], hex as
 * in QEMU; -1 picks the first free slot), builds the config header from
 * the class's IDs and runs the class's realize.  A function whose class
 * has a vmsd gets its migration section here, named as QEMU names PCI
 * functions' sections ("0000:00:SS.F/TYPE", instance 0), so devices
 * added with -device or device_add migrate like the board's own; the
 * section goes away at unrealize.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "migration/register.h"

/* the machine's bus 0; set by the host bridge under the BQL */
static PCIBus *default_bus;

void pci_bus_set_default(PCIBus *bus)
{
    default_bus = bus;
}

PCIBus *pci_bus_default(void)
{
    return default_bus;
}

/* ---- "addr" property: SLOT[.FN] ---- */

static bool parse_devfn(const char *str, int32_t *devfn)
{
    unsigned long slot, fn = 0;
    char *end;

    errno = 0;
    slot = strtoul(str, &end, 16);
    if (end == str || errno || slot > 31) {
        return false;
    }
    if (*end == '.') {
        const char *f = end + 1;

        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            return false;
        }
    }
    if (*end) {
        return false;
    }
    *devfn = PCI_DEVFN(slot, fn);
    return true;
}

static QObject *get_pci_devfn(Object *obj, const char *name, void *opaque,
                              Error **errp)
{
    Property *prop = opaque;
    int32_t devfn = *(int32_t *)((char *)obj + prop->offset);
    g_autofree char *str = NULL;

    if (devfn < 0) {
        return QOBJECT(qnum_from_int(-1));
    }
    str = g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
    return QOBJECT(qstring_from_str(str));
}

static bool set_pci_devfn(Object *obj, const char *name, QObject *value,
                          void *opaque, Error **errp)
{
    Property *prop = opaque;
    int32_t *ptr = (int32_t *)((char *)obj + prop->offset);
    QString *qs = qobject_to(QString, value);
    QNum *qn = qobject_to(QNum, value);
    int64_t v;

    if (qs) {
        if (!parse_devfn(qstring_get_str(qs), ptr)) {
            error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                       object_get_typename(obj), name,
                       qstring_get_str(qs));
            return false;
        }
        return true;
    }
    if (qn && qnum_get_try_int(qn, &v) && v >= -1 && v < PCI_DEVFN_MAX) {
        *ptr = v;
        return true;
    }
    error_setg(errp, "Property '%s.%s' expects a PCI address",
               object_get_typename(obj), name);
    return false;
}

static void set_default_devfn(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_int(op, prop->defval.i);
}

static const PropertyInfo qdev_prop_pci_devfn = {
    .name = "int32",
    .description = "Slot and optional function number, example: 06.0 or 06",
    .get = get_pci_devfn,
    .set = set_pci_devfn,
    .set_default_value = set_default_devfn,
};

static Property pci_props[] = {
    DEFINE_PROP_SIGNED("addr", PCIDevice, devfn, -1, qdev_prop_pci_devfn,
                       int32_t),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("romsize", PCIDevice, romsize, UINT32_MAX),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rombar, 1),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_BOOL("x-pcie-lnksta-dllla", PCIDevice, pcie_lnksta_dllla,
                     true),
    DEFINE_PROP_BOOL("x-pcie-extcap-init", PCIDevice, pcie_extcap_init,
                     true),
    DEFINE_PROP_STRING("failover_pair_id", PCIDevice, failover_pair_id),
    DEFINE_PROP_UINT32("acpi-index", PCIDevice, acpi_index, 0),
    DEFINE_PROP_END_OF_LIST(),
};

/* ---- life cycle ---- */

static char *pci_vmsd_idstr(PCIDevice *d)
{
    return g_strdup_printf("0000:00:%02x.%x/%s", PCI_SLOT(d->devfn),
                           PCI_FUNC(d->devfn),
                           object_get_typename(OBJECT(d)));
}

static bool pci_register_vmsd(PCIDevice *d, Error **errp)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(d)->vmsd;
    g_autofree char *idstr = NULL;

    if (!vmsd) {
        return true;
    }
    idstr = pci_vmsd_idstr(d);
    if (vmstate_register_named(idstr, 0, vmsd, d) < 0) {
        error_setg(errp, "migration section '%s' is already registered",
                   idstr);
        return false;
    }
    return true;
}

static void pci_unregister_vmsd(PCIDevice *d)
{
    const VMStateDescription *vmsd = DEVICE_GET_CLASS(d)->vmsd;

    if (vmsd) {
        vmstate_unregister(vmsd, d);
    }
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus = pci_bus_default();
    Error *err = NULL;
    PCIDeviceIds ids = {
        .vendor_id = pc->vendor_id,
        .device_id = pc->device_id,
        .revision = pc->revision,
        .class_id = pc->class_id,
        .subsystem_vendor_id = pc->subsystem_vendor_id,
        .subsystem_id = pc->subsystem_id,
        .header_type = d->multifunction ? PCI_HEADER_TYPE_MULTI_FUNCTION : 0,
    };

    if (!bus) {
        error_setg(errp, "No 'PCI' bus found for device '%s'",
                   object_get_typename(OBJECT(d)));
        return;
    }
    if (!pci_device_attach(d, bus, d->devfn, object_get_typename(OBJECT(d)),
                           &ids, errp)) {
        return;
    }
    d->config_read = pc->config_read;
    d->config_write = pc->config_write;
    if (pc->realize) {
        pc->realize(d, &err);
        if (err) {
            error_propagate(errp, err);
            msix_uninit(d);
            pci_device_detach(d);
            return;
        }
    }
    if (!pci_register_vmsd(d, errp)) {
        if (pc->exit) {
            pc->exit(d);
        }
        msix_uninit(d);
        pci_device_detach(d);
    }
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    pci_unregister_vmsd(d);
    pci_device_detach(d);
    if (pc->exit) {
        pc->exit(d);
    }
    msix_uninit(d);
}

static void pci_qdev_reset(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);

    if (d->bus) {
        pci_device_reset(d);
    }
}

static void pci_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_qdev_reset;
    dc->bus_type = TYPE_PCI_BUS;
    device_class_set_props(dc, pci_props);
}

static const TypeInfo pci_device_info = {
    .name = TYPE_PCI_DEVICE,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .abstract = true,
    .class_size = sizeof(PCIDeviceClass),
    .class_init = pci_device_class_init,
};

static void pci_device_register_types(void)
{
    type_register_static(&pci_device_info);
}

type_init(pci_device_register_types);

PCIDevice *pci_create_simple(const char *type, int devfn, Error **errp)
{
    DeviceState *dev = qdev_new(type);

    qdev_prop_set_int32(dev, "addr", devfn);
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return PCI_DEVICE(dev);
}
