/*
 * PCI functions' migration sections: a PCI device realized with
 * -device (here through qdev_realize) has the section
 * "0000:00:SS.F/TYPE" instance 0 as in QEMU; an unrealized one has none.
 * Registration is observed through the registry itself: a name that is
 * taken refuses a second registration with -EEXIST.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci-host/i440fx.h"
#include "migration/register.h"

#define TYPE_TEST_PCI "test-pci-vmsd-device"

static const VMStateDescription vmstate_test_pci = {
    .name = "test-pci-vmsd",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_END_OF_LIST()
    },
};

static void test_pci_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    DEVICE_CLASS(oc)->vmsd = &vmstate_test_pci;
    pc->vendor_id = 0x1af4;
    pc->device_id = 0x1000;
    pc->class_id = 0x0200;
}

static const TypeInfo test_pci_info = {
    .name = TYPE_TEST_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PCIDevice),
    .class_size = sizeof(PCIDeviceClass),
    .class_init = test_pci_class_init,
};

/* true if (@idstr, 0) is registered in the default registry */
static bool section_taken(const char *idstr)
{
    static int probe;

    if (vmstate_register_named(idstr, 0, &vmstate_test_pci, &probe) < 0) {
        return true;
    }
    vmstate_unregister(&vmstate_test_pci, &probe);
    return false;
}

static void test_realize_registers(void)
{
    const char *idstr = "0000:00:06.0/" TYPE_TEST_PCI;
    DeviceState *dev;

    i440fx_host_new(&error_abort);
    /* the host bridge's own functions registered at their realize */
    g_assert_true(section_taken("0000:00:00.0/i440FX"));
    g_assert_true(section_taken("0000:00:01.0/PIIX3"));

    dev = qdev_new(TYPE_TEST_PCI);
    qdev_prop_set_string(dev, "addr", "06.0");
    g_assert_false(section_taken(idstr));
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    g_assert_true(section_taken(idstr));
    g_assert_false(section_taken("0000:00:06.1/" TYPE_TEST_PCI));

    qdev_unrealize(dev);
    g_assert_false(section_taken(idstr));
    object_unref(OBJECT(dev));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    type_register_static(&test_pci_info);
    g_test_add_func("/hw/pci/vmstate/realize-registers", test_realize_registers);
    return g_test_run();
}
