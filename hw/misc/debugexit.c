/*
 * isa-debug-exit: any write to the I/O range asks the main loop to end
 * the process with status (value << 1) | 1 (include/hw/misc/debugexit.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/misc/debugexit.h"
#include "system/runstate.h"
#include "trace/trace-hw_misc.h"

OBJECT_DECLARE_SIMPLE_TYPE(ISADebugExitState, ISA_DEBUG_EXIT)

struct ISADebugExitState {
    DeviceState parent_obj;

    MemoryRegion io;
    uint32_t iobase;
    uint32_t iosize;
};

static uint64_t debug_exit_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0;
}

static void debug_exit_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    int status = debug_exit_status(val);

    trace_debug_exit(val, status);
    qemu_system_exit_request(status);
}

static const MemoryRegionOps debug_exit_ops = {
    .read = debug_exit_read,
    .write = debug_exit_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

static void debug_exit_realize(DeviceState *dev, Error **errp)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);

    if (s->iosize < 1 || s->iosize > 4 || s->iobase > 0xffff ||
        s->iobase + s->iosize > 0x10000) {
        error_setg(errp, "isa-debug-exit: invalid iobase/iosize");
        return;
    }
    memory_region_init_io(&s->io, &debug_exit_ops, s, "isa-debug-exit",
                          s->iosize);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void debug_exit_unrealize(DeviceState *dev)
{
    ISADebugExitState *s = ISA_DEBUG_EXIT(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
}

static Property debug_exit_props[] = {
    DEFINE_PROP_UINT32("iobase", ISADebugExitState, iobase, 0x501),
    DEFINE_PROP_UINT32("iosize", ISADebugExitState, iosize, 0x02),
    DEFINE_PROP_END_OF_LIST(),
};

static void debug_exit_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = debug_exit_realize;
    dc->unrealize = debug_exit_unrealize;
    dc->user_creatable = true;
    dc->desc = "exit the emulator with a guest-chosen status";
    device_class_set_category(dc, DEVICE_CATEGORY_MISC);
    device_class_set_props(dc, debug_exit_props);
}

static const TypeInfo debug_exit_info = {
    .name = TYPE_ISA_DEBUG_EXIT,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ISADebugExitState),
    .class_init = debug_exit_class_init,
};

static void debug_exit_register_types(void)
{
    type_register_static(&debug_exit_info);
}

type_init(debug_exit_register_types);

DeviceState *isa_debug_exit_new(uint32_t iobase, uint32_t iosize,
                                Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_DEBUG_EXIT);

    qdev_prop_set_uint32(dev, "iobase", iobase);
    qdev_prop_set_uint32(dev, "iosize", iosize);
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}
