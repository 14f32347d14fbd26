/*
 * PCI through QOM: the i440FX host bridge device on the system I/O space
 * (conf1), its two functions, a test PCI device model with a BAR and
 * MSI-X plugged with addr=SLOT.FN, slot conflicts, and MSI-X table
 * writes through system memory reaching the bus's MSI hook.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci-host/i440fx.h"

#define TYPE_TEST_PCI "test-pci-device"

typedef struct TestPCIState {
    PCIDevice parent_obj;
    MemoryRegion bar;
} TestPCIState;

static int gsi_level[24];
static uint64_t msi_addr;
static uint32_t msi_data;
static int msi_count;

static uint64_t bar_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0xab;
}

static void bar_write(void *opaque, hwaddr addr, uint64_t val,
                      unsigned size)
{
}

static const MemoryRegionOps bar_ops = {
    .read = bar_read,
    .write = bar_write,
};

static void test_pci_realize(PCIDevice *d, Error **errp)
{
    TestPCIState *s = (TestPCIState *)d;

    d->config[PCI_INTERRUPT_PIN] = 1;
    memory_region_init_io(&s->bar, &bar_ops, s, "test-bar", 0x100);
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->bar);
    msix_init_exclusive_bar(d, 3, 1, errp);
}

static void test_pci_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    pc->realize = test_pci_realize;
    pc->vendor_id = 0x1af4;
    pc->device_id = 0x1000;
    pc->class_id = 0x0200;
}

static const TypeInfo test_pci_info = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIState),
    .class_size = sizeof(PCIDeviceClass),
    .class_init = test_pci_class_init,
};

static void gsi_handler(void *opaque, int n, int level)
{
    gsi_level[n] = level;
}

static void msi_hook(void *opaque, uint64_t addr, uint32_t data)
{
    msi_addr = addr;
    msi_data = data;
    msi_count++;
}

static uint32_t cfg_read(int devfn, int reg, unsigned size)
{
    uint64_t v = 0;

    address_space_st(&address_space_io, 0xcf8, 4,
                     0x80000000 | (devfn << 8) | (reg & 0xfc));
    address_space_ld(&address_space_io, 0xcfc + (reg & 3), size, &v);
    return v;
}

static void cfg_write(int devfn, int reg, uint32_t val, unsigned size)
{
    address_space_st(&address_space_io, 0xcf8, 4,
                     0x80000000 | (devfn << 8) | (reg & 0xfc));
    address_space_st(&address_space_io, 0xcfc + (reg & 3), size, val);
}

static void test_host_and_device(void)
{
    DeviceState *host = i440fx_host_new(&error_abort);
    DeviceState *dev;
    g_autofree char *addr = NULL;
    Error *err = NULL;
    int devfn = PCI_DEVFN(5, 1);
    uint64_t v = 0;
    uint8_t cap;

    pci_bus_set_msi(i440fx_host_get_bus(host), msi_hook, NULL);
    i440fx_host_route_intx(host, qemu_allocate_irqs(gsi_handler, NULL, 24));
    g_assert_true(object_class_is_abstract(
                      object_class_by_name(TYPE_PCI_DEVICE)));
    g_assert_cmphex(cfg_read(0, 0, 4), ==, 0x12378086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), 0, 4), ==, 0x70008086);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), 0x0e, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(PCI_DEVFN(1, 0), 0x60, 1), ==, 0x80);
    /* -device test-pci-device,addr=05.1 */
    dev = qdev_new(TYPE_TEST_PCI);
    qdev_prop_set_string(dev, "addr", "05.1");
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    g_assert_cmphex(cfg_read(devfn, 0, 4), ==, 0x10001af4);
    addr = object_property_get_str(OBJECT(dev), "addr", &error_abort);
    g_assert_cmpstr(addr, ==, "05.1");
    /* the same address again is refused */
    dev = qdev_new(TYPE_TEST_PCI);
    qdev_prop_set_string(dev, "addr", "5.1");
    g_assert_false(qdev_realize(dev, NULL, &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));
    /* a bad address is refused by the property */
    dev = qdev_new(TYPE_TEST_PCI);
    g_assert_false(object_property_set_str(OBJECT(dev), "addr", "20.0",
                                           &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));
    /* program the BARs the way the kernel does and use them */
    cfg_write(devfn, 0x10, 0xc100, 4);
    cfg_write(devfn, 0x14, 0xfebfe000, 4);
    cfg_write(devfn, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
              PCI_COMMAND_MASTER, 2);
    address_space_ld(&address_space_io, 0xc110, 1, &v);
    g_assert_cmphex(v, ==, 0xab);
    cap = cfg_read(devfn, 0x34, 1);
    g_assert_cmphex(cfg_read(devfn, cap, 1), ==, PCI_CAP_ID_MSIX);
    cfg_write(devfn, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    address_space_st(&address_space_memory, 0xfebfe000 + 32, 4, 0xfee00000);
    address_space_st(&address_space_memory, 0xfebfe000 + 36, 4, 0);
    address_space_st(&address_space_memory, 0xfebfe000 + 40, 4, 0x4062);
    address_space_st(&address_space_memory, 0xfebfe000 + 44, 4, 0);
    msix_notify(pci_find_device(i440fx_host_get_bus(host), devfn), 2);
    g_assert_cmpint(msi_count, ==, 1);
    g_assert_cmphex(msi_addr, ==, 0xfee00000);
    g_assert_cmphex(msi_data, ==, 0x4062);
    /* INTA of slot 5 -> GSI 16 + 5 */
    pci_irq_assert(pci_find_device(i440fx_host_get_bus(host), devfn));
    g_assert_cmpint(gsi_level[21], ==, 1);
    /* the host bridge and its functions migrate */
    vmstate_test_roundtrip(DEVICE_GET_CLASS(host)->vmsd, host, host);
    dev = DEVICE(pci_find_device(i440fx_host_get_bus(host), 0));
    vmstate_test_roundtrip(DEVICE_GET_CLASS(dev)->vmsd, dev, dev);
    g_assert_cmphex(cfg_read(0, 0, 4), ==, 0x12378086);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    type_register_static(&test_pci_info);
    g_test_add_func("/hw/pci/qdev/host-and-device", test_host_and_device);
    return g_test_run();
}
