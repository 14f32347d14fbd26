/*
 * Port 0x92, "system control port A": bit 1 A20 gate (stored; the CPU
 * always runs with A20 on), bit 0 fast reset (a 0->1 write requests a
 * system reset).  Optional on the pc machine; Linux can reboot through
 * it.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "migration/vmstate.h"
#include "system/runstate.h"
#include "trace/trace-hw_misc.h"

#define TYPE_PORT92 "port92"
OBJECT_DECLARE_SIMPLE_TYPE(Port92State, PORT92)

struct Port92State {
    DeviceState parent_obj;

    MemoryRegion io;
    uint8_t outport;
};

static uint64_t port92_read(void *opaque, hwaddr addr, unsigned size)
{
    Port92State *s = opaque;

    return s->outport;
}

static void port92_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    Port92State *s = opaque;
    uint8_t old = s->outport;

    trace_port92_write(val);
    s->outport = val & ~1;
    if ((val & 1) && !(old & 1)) {
        qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void port92_realize(DeviceState *dev, Error **errp)
{
    Port92State *s = PORT92(dev);

    memory_region_init_io(&s->io, &port92_ops, s, "port92", 1);
    memory_region_add_subregion(get_system_io(), 0x92, &s->io);
}

static void port92_unrealize(DeviceState *dev)
{
    memory_region_del_subregion(get_system_io(), &PORT92(dev)->io);
}

static void port92_reset(DeviceState *dev)
{
    PORT92(dev)->outport = 0x02;     /* A20 on */
}

static const VMStateDescription vmstate_port92 = {
    .name = "port92",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(outport, Port92State),
        VMSTATE_END_OF_LIST()
    },
};

static void port92_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = port92_realize;
    dc->unrealize = port92_unrealize;
    dc->reset = port92_reset;
    dc->vmsd = &vmstate_port92;
    dc->user_creatable = false;
    dc->desc = "system control port A (0x92)";
}

static const TypeInfo port92_info = {
    .name = TYPE_PORT92,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(Port92State),
    .class_init = port92_class_init,
};

static void port92_register_types(void)
{
    type_register_static(&port92_info);
}

type_init(port92_register_types);
