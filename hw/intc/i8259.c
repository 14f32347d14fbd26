/*
 * 8259 pair device: I/O ports, input lines and migration around the pure
 * model in i8259-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/intc/i8259_dev.h"
#include "trace/trace-hw_intc.h"

OBJECT_DECLARE_SIMPLE_TYPE(I8259Device, I8259)

struct I8259Device {
    DeviceState parent_obj;

    PICState core;
    MemoryRegion io_master;
    MemoryRegion io_slave;
    MemoryRegion io_elcr;
    qemu_irq *inputs;
    qemu_irq int_out;
};

static uint64_t pic_io_read(I8259Device *s, int chip, hwaddr addr)
{
    return pic_ioport_read(&s->core, chip, addr & 1);
}

static void pic_io_write(I8259Device *s, int chip, hwaddr addr,
                         uint64_t val)
{
    trace_pic_ioport_write(chip, addr & 1, val);
    pic_ioport_write(&s->core, chip, addr & 1, val);
}

static uint64_t pic_master_read(void *opaque, hwaddr addr, unsigned size)
{
    return pic_io_read(opaque, 0, addr);
}

static void pic_master_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    pic_io_write(opaque, 0, addr, val);
}

static uint64_t pic_slave_read(void *opaque, hwaddr addr, unsigned size)
{
    return pic_io_read(opaque, 1, addr);
}

static void pic_slave_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    pic_io_write(opaque, 1, addr, val);
}

static uint64_t elcr_read(void *opaque, hwaddr addr, unsigned size)
{
    I8259Device *s = opaque;

    return pic_elcr_read(&s->core, addr & 1);
}

static void elcr_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
    I8259Device *s = opaque;

    pic_elcr_write(&s->core, addr & 1, val);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read,
    .write = pic_master_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read,
    .write = pic_slave_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static const MemoryRegionOps elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void i8259_realize(DeviceState *dev, Error **errp)
{
    I8259Device *s = I8259(dev);
    MemoryRegion *io = get_system_io();

    pic_core_init(&s->core, s->int_out);
    s->inputs = qemu_allocate_irqs(pic_irq_handler, &s->core, 16);
    memory_region_init_io(&s->io_master, &pic_master_ops, s, "pic", 2);
    memory_region_init_io(&s->io_slave, &pic_slave_ops, s, "pic", 2);
    memory_region_init_io(&s->io_elcr, &elcr_ops, s, "elcr", 2);
    memory_region_add_subregion(io, 0x20, &s->io_master);
    memory_region_add_subregion(io, 0xa0, &s->io_slave);
    memory_region_add_subregion(io, 0x4d0, &s->io_elcr);
}

static void i8259_unrealize(DeviceState *dev)
{
    I8259Device *s = I8259(dev);
    MemoryRegion *io = get_system_io();

    memory_region_del_subregion(io, &s->io_master);
    memory_region_del_subregion(io, &s->io_slave);
    memory_region_del_subregion(io, &s->io_elcr);
    qemu_free_irqs(s->inputs, 16);
    s->inputs = NULL;
}

static void i8259_reset(DeviceState *dev)
{
    pic_core_reset(&I8259(dev)->core);
}

static int i8259_post_load(void *opaque, int version_id)
{
    pic_core_post_load(&((I8259Device *)opaque)->core);
    return 0;
}

static const VMStateDescription vmstate_i8259 = {
    .name = "i8259",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i8259_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, I8259Device, 1, vmstate_pic_core, PICState),
        VMSTATE_END_OF_LIST()
    },
};

static void i8259_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = i8259_realize;
    dc->unrealize = i8259_unrealize;
    dc->reset = i8259_reset;
    dc->vmsd = &vmstate_i8259;
    dc->user_creatable = false;
    dc->desc = "ISA i8259 interrupt controller pair with ELCR";
}

static const TypeInfo i8259_info = {
    .name = TYPE_I8259,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(I8259Device),
    .class_init = i8259_class_init,
};

static void i8259_register_types(void)
{
    type_register_static(&i8259_info);
}

type_init(i8259_register_types);

DeviceState *i8259_new(qemu_irq int_out, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_I8259);

    I8259(dev)->int_out = int_out;
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

qemu_irq i8259_get_input(DeviceState *dev, int n)
{
    I8259Device *s = I8259(dev);

    if (n < 0 || n > 15) {
        return NULL;
    }
    return s->inputs[n];
}

int i8259_dev_read_irq(DeviceState *dev)
{
    int v = pic_read_irq(&I8259(dev)->core);

    trace_pic_read_irq(v);
    return v;
}
