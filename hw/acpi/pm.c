/*
 * ACPI PM device: the PM1 event/control block and PM timer on I/O ports,
 * the SCI, and power-off through the run-state layer.  The register
 * model is in pm-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/intc/isa_irq.h"
#include "hw/acpi/pm.h"
#include "hw/i386/acpi-build.h"
#include "system/runstate.h"

/* The block must match what the FADT and \_S5 promise. */
#define PM_IO_LEN ACPI_PM_IO_LEN
#define PM_SLP_TYP_S5 ACPI_PM_SLP_TYP_S5

OBJECT_DECLARE_SIMPLE_TYPE(ACPIPMDevice, ACPI_PM)

struct ACPIPMDevice {
    DeviceState parent_obj;

    PMState core;
    MemoryRegion io;
    QEMUTimer *timer;
    uint32_t iobase;
    uint32_t sci_irq;
};

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void pm_dev_request(void *opaque, PMRequest req, int slp_typ)
{
    if (req == PM_REQUEST_POWEROFF) {
        qemu_system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        return;
    }
    warn_report("ACPI sleep state with SLP_TYP %d is not supported",
                slp_typ);
}

static void pm_dev_timer_arm(void *opaque, int64_t when)
{
    ACPIPMDevice *s = opaque;

    if (when < 0) {
        timer_del(s->timer);
    } else {
        timer_mod_ns(s->timer, when);
    }
}

static const PMOps pm_dev_ops = {
    .request = pm_dev_request,
    .timer_arm = pm_dev_timer_arm,
};

static void pm_dev_timer_cb(void *opaque)
{
    ACPIPMDevice *s = opaque;

    pm_timer_expired(&s->core, now_ns());
}

static uint64_t pm_io_read(void *opaque, hwaddr addr, unsigned size)
{
    ACPIPMDevice *s = opaque;

    return pm_ioport_read(&s->core, addr, size, now_ns());
}

static void pm_io_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    ACPIPMDevice *s = opaque;

    pm_ioport_write(&s->core, addr, val, size, now_ns());
}

static const MemoryRegionOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

static void pm_realize(DeviceState *dev, Error **errp)
{
    ACPIPMDevice *s = ACPI_PM(dev);

    if (s->iobase > 0x10000 - PM_IO_LEN || s->sci_irq >= 16) {
        error_setg(errp, "acpi-pm: invalid iobase or sci");
        return;
    }
    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pm_dev_timer_cb, s);
    pm_core_init(&s->core, isa_get_irq(s->sci_irq), PM_SLP_TYP_S5,
                 &pm_dev_ops, s);
    pm_core_reset(&s->core, now_ns());
    memory_region_init_io(&s->io, &pm_io_ops, s, "acpi-pm", PM_IO_LEN);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void pm_unrealize(DeviceState *dev)
{
    ACPIPMDevice *s = ACPI_PM(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    timer_free(s->timer);
    s->timer = NULL;
}

static void pm_dev_reset(DeviceState *dev)
{
    ACPIPMDevice *s = ACPI_PM(dev);

    pm_core_reset(&s->core, now_ns());
}

static int pm_post_load(void *opaque, int version_id)
{
    ACPIPMDevice *s = opaque;

    pm_core_post_load(&s->core, now_ns());
    return 0;
}

static const VMStateDescription vmstate_acpi_pm = {
    .name = "acpi-pm",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pm_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, ACPIPMDevice, 1, vmstate_pm_core, PMState),
        VMSTATE_END_OF_LIST()
    },
};

static Property pm_props[] = {
    DEFINE_PROP_UINT32("iobase", ACPIPMDevice, iobase, ACPI_PM_IO_BASE),
    DEFINE_PROP_UINT32("sci", ACPIPMDevice, sci_irq, ACPI_SCI_IRQ),
    DEFINE_PROP_END_OF_LIST(),
};

static void pm_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = pm_realize;
    dc->unrealize = pm_unrealize;
    dc->reset = pm_dev_reset;
    dc->vmsd = &vmstate_acpi_pm;
    dc->user_creatable = false;
    dc->desc = "ACPI PM1 event/control block and PM timer";
    device_class_set_props(dc, pm_props);
}

static const TypeInfo pm_info = {
    .name = TYPE_ACPI_PM,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ACPIPMDevice),
    .class_init = pm_class_init,
};

static void pm_register_types(void)
{
    type_register_static(&pm_info);
}

type_init(pm_register_types);

DeviceState *acpi_pm_new(uint16_t iobase, int sci_irq, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ACPI_PM);

    qdev_prop_set_uint32(dev, "iobase", iobase);
    qdev_prop_set_uint32(dev, "sci", sci_irq);
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

void acpi_pm_power_button(DeviceState *dev)
{
    pm_power_button(&ACPI_PM(dev)->core);
}
