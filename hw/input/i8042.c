/*
 * i8042 device: ports 0x60/0x64, IRQ1/IRQ12, reset requests, migration
 * around the pure model in i8042-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/intc/isa_irq.h"
#include "hw/input/i8042.h"
#include "system/runstate.h"
#include "trace/trace-hw_input.h"

OBJECT_DECLARE_SIMPLE_TYPE(I8042Device, I8042)

struct I8042Device {
    DeviceState parent_obj;

    I8042State core;
    MemoryRegion io_data;
    MemoryRegion io_cmd;
};

static void i8042_dev_reset_request(void *opaque)
{
    trace_i8042_reset_request();
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

static uint64_t i8042_data_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042Device *s = opaque;

    return i8042_read(&s->core, 0);
}

static void i8042_data_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    I8042Device *s = opaque;

    i8042_write(&s->core, 0, val);
}

static uint64_t i8042_cmd_read(void *opaque, hwaddr addr, unsigned size)
{
    I8042Device *s = opaque;

    return i8042_read(&s->core, 1);
}

static void i8042_cmd_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    I8042Device *s = opaque;

    trace_i8042_command(val);
    i8042_write(&s->core, 1, val);
}

static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_cmd_read,
    .write = i8042_cmd_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void i8042_realize(DeviceState *dev, Error **errp)
{
    I8042Device *s = I8042(dev);

    i8042_core_init(&s->core, isa_get_irq(1), isa_get_irq(12),
                    i8042_dev_reset_request, s);
    memory_region_init_io(&s->io_data, &i8042_data_ops, s, "i8042-data", 1);
    memory_region_init_io(&s->io_cmd, &i8042_cmd_ops, s, "i8042-cmd", 1);
    memory_region_add_subregion(get_system_io(), 0x60, &s->io_data);
    memory_region_add_subregion(get_system_io(), 0x64, &s->io_cmd);
}

static void i8042_unrealize(DeviceState *dev)
{
    I8042Device *s = I8042(dev);

    memory_region_del_subregion(get_system_io(), &s->io_data);
    memory_region_del_subregion(get_system_io(), &s->io_cmd);
}

static void i8042_dev_reset(DeviceState *dev)
{
    i8042_core_reset(&I8042(dev)->core);
}

static int i8042_post_load(void *opaque, int version_id)
{
    I8042Device *s = opaque;

    return i8042_core_post_load(&s->core) ? 0 : -EINVAL;
}

static const VMStateDescription vmstate_i8042 = {
    .name = "pckbd",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i8042_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, I8042Device, 1, vmstate_i8042_core,
                       I8042State),
        VMSTATE_END_OF_LIST()
    },
};

static void i8042_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = i8042_realize;
    dc->unrealize = i8042_unrealize;
    dc->reset = i8042_dev_reset;
    dc->vmsd = &vmstate_i8042;
    dc->user_creatable = false;
    dc->desc = "i8042 keyboard controller";
    device_class_set_category(dc, DEVICE_CATEGORY_INPUT);
}

static const TypeInfo i8042_info = {
    .name = TYPE_I8042,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(I8042Device),
    .class_init = i8042_class_init,
};

static void i8042_register_types(void)
{
    type_register_static(&i8042_info);
}

type_init(i8042_register_types);
