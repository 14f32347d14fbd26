/*
 * PIT device: ports 0x40-0x43, IRQ0, the transition timer and migration
 * around the pure model in i8254-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/intc/isa_irq.h"
#include "hw/timer/i8254_dev.h"
#include "trace/trace-hw_timer.h"

OBJECT_DECLARE_SIMPLE_TYPE(PITDevice, I8254)

struct PITDevice {
    DeviceState parent_obj;

    PITState core;
    MemoryRegion io;
    QEMUTimer *timer;
};

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void pit_dev_timer_arm(void *opaque, int64_t when)
{
    PITDevice *s = opaque;

    if (when < 0) {
        timer_del(s->timer);
    } else {
        timer_mod_ns(s->timer, when);
    }
}

static void pit_dev_timer_cb(void *opaque)
{
    PITDevice *s = opaque;

    pit_timer_expired(&s->core, now_ns());
}

static uint64_t pit_io_read(void *opaque, hwaddr addr, unsigned size)
{
    PITDevice *s = opaque;

    return pit_ioport_read(&s->core, addr & 3, now_ns());
}

static void pit_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    PITDevice *s = opaque;

    trace_pit_ioport_write(addr & 3, val);
    pit_ioport_write(&s->core, addr & 3, val, now_ns());
}

static const MemoryRegionOps pit_io_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void pit_realize(DeviceState *dev, Error **errp)
{
    PITDevice *s = I8254(dev);

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, pit_dev_timer_cb, s);
    pit_core_init(&s->core, isa_get_irq(0), pit_dev_timer_arm, s);
    pit_core_reset(&s->core, now_ns());
    memory_region_init_io(&s->io, &pit_io_ops, s, "pit", 4);
    memory_region_add_subregion(get_system_io(), 0x40, &s->io);
}

static void pit_unrealize(DeviceState *dev)
{
    PITDevice *s = I8254(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    timer_free(s->timer);
    s->timer = NULL;
}

static void pit_reset(DeviceState *dev)
{
    PITDevice *s = I8254(dev);

    pit_core_reset(&s->core, now_ns());
}

static int pit_post_load(void *opaque, int version_id)
{
    PITDevice *s = opaque;

    pit_core_post_load(&s->core, now_ns());
    return 0;
}

static const VMStateDescription vmstate_pit = {
    .name = "i8254",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = pit_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, PITDevice, 1, vmstate_pit_core, PITState),
        VMSTATE_END_OF_LIST()
    },
};

static void pit_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = pit_realize;
    dc->unrealize = pit_unrealize;
    dc->reset = pit_reset;
    dc->vmsd = &vmstate_pit;
    dc->user_creatable = false;
    dc->desc = "ISA 8254 programmable interval timer";
}

static const TypeInfo pit_info = {
    .name = TYPE_I8254,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(PITDevice),
    .class_init = pit_class_init,
};

static void pit_register_types(void)
{
    type_register_static(&pit_info);
}

type_init(pit_register_types);

DeviceState *i8254_new(Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8254);

    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

PITState *i8254_get_state(DeviceState *dev)
{
    return &I8254(dev)->core;
}
