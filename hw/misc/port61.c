/*
 * Port 0x61 device ("isa-pcspk": QEMU's PC speaker owns this port): PIT
 * channel 2 gate and OUT.  The pure logic is in port61-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/misc/port61.h"
#include "hw/timer/i8254_dev.h"

OBJECT_DECLARE_SIMPLE_TYPE(Port61Device, PORT61)

struct Port61Device {
    DeviceState parent_obj;

    Port61State core;
    MemoryRegion io;
    PITState *pit;
};

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static uint64_t port61_io_read(void *opaque, hwaddr addr, unsigned size)
{
    Port61Device *s = opaque;

    return port61_read(&s->core, now_ns());
}

static void port61_io_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    Port61Device *s = opaque;

    port61_write(&s->core, val, now_ns());
}

static const MemoryRegionOps port61_io_ops = {
    .read = port61_io_read,
    .write = port61_io_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void port61_realize(DeviceState *dev, Error **errp)
{
    Port61Device *s = PORT61(dev);

    if (!s->pit) {
        error_setg(errp, "isa-pcspk needs the PIT (use port61_new())");
        return;
    }
    port61_core_init(&s->core, s->pit);
    memory_region_init_io(&s->io, &port61_io_ops, s, "port61", 1);
    memory_region_add_subregion(get_system_io(), 0x61, &s->io);
}

static void port61_unrealize(DeviceState *dev)
{
    Port61Device *s = PORT61(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
}

static void port61_reset(DeviceState *dev)
{
    PORT61(dev)->core.data_on = 0;
}

static const VMStateDescription vmstate_port61 = {
    .name = "pcspk",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, Port61Device, 1, vmstate_port61_core,
                       Port61State),
        VMSTATE_END_OF_LIST()
    },
};

static void port61_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = port61_realize;
    dc->unrealize = port61_unrealize;
    dc->reset = port61_reset;
    dc->vmsd = &vmstate_port61;
    dc->user_creatable = false;
    dc->desc = "PC speaker / system control port B (0x61)";
}

static const TypeInfo port61_info = {
    .name = TYPE_PORT61,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(Port61Device),
    .class_init = port61_class_init,
};

static void port61_register_types(void)
{
    type_register_static(&port61_info);
}

type_init(port61_register_types);

DeviceState *port61_new(DeviceState *pit, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_PORT61);

    PORT61(dev)->pit = i8254_get_state(pit);
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}
