/*
 * Small pieces of the pc's I/O space and the -device plug hook.
 *
 *   0x80  POST/delay port: writes are ignored, reads return 0xff
 *   0xf0  FPU error latch clear: writes are ignored, reads 0xff
 *
 * Everything else nobody claims reads as all ones (the memory API's
 * unassigned access), as on real hardware.
 *
 * There is no bus model: -device ...,bus=pci.0 (PCI devices) or
 * bus=isa.0 (anything else, e.g. isa-debug-exit) is checked here and
 * the device then places itself (PCI: the default bus, ISA: its iobase).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "hw/i386/pc.h"

static uint64_t sink_read(void *opaque, hwaddr addr, unsigned size)
{
    return ~0ULL;
}

static void sink_write(void *opaque, hwaddr addr, uint64_t val,
                       unsigned size)
{
}

static const MemoryRegionOps sink_ops = {
    .read = sink_read,
    .write = sink_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

void pc_ioports_init(void)
{
    static MemoryRegion port80, portf0;

    memory_region_init_io(&port80, &sink_ops, NULL, "ioport80", 1);
    memory_region_add_subregion(get_system_io(), 0x80, &port80);
    memory_region_init_io(&portf0, &sink_ops, NULL, "ioportF0", 1);
    memory_region_add_subregion(get_system_io(), 0xf0, &portf0);
}

bool pc_plug_hook(DeviceState *dev, const char *bus, const QDict *opts,
                  Error **errp)
{
    bool is_pci = object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE);
    const char *want = is_pci ? "pci.0" : "isa.0";

    if (!bus || strcmp(bus, want) == 0) {
        return true;
    }
    if (strcmp(bus, "pci.0") == 0 || strcmp(bus, "isa.0") == 0) {
        error_setg(errp, "Bus '%s' does not accept device '%s'", bus,
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    error_setg(errp, "Bus '%s' not found", bus);
    return false;
}
