/*
 * PCI core through conf1: the kernel's pci_check_type1 probe, host
 * bridge identity, absent devices, BAR sizing and mapping into the
 * system address spaces, capability list, INTx routing with the pc
 * swizzle, MSI-X table writes -> MSI delivery, masking and the PBA.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "exec/memory.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci-host/i440fx.h"

typedef struct Env {
    MemoryRegion mem_root;
    MemoryRegion io_root;
    PCIBus *bus;
    PCIHostState host;
    qemu_irq *gsi;
    int gsi_level[24];
    int msi_count;
    uint64_t msi_addr;
    uint32_t msi_data;
    int resets;
} Env;

static void gsi_handler(void *opaque, int n, int level)
{
    ((Env *)opaque)->gsi_level[n] = level;
}

static int pc_map_irq(void *opaque, int devfn, int pin)
{
    return 16 + ((PCI_SLOT(devfn) + pin) & 7);
}

static void msi_deliver(void *opaque, uint64_t addr, uint32_t data)
{
    Env *e = opaque;

    e->msi_count++;
    e->msi_addr = addr;
    e->msi_data = data;
}

static void reset_req(void *opaque)
{
    ((Env *)opaque)->resets++;
}

static Env *env_new(void)
{
    Env *e = g_new0(Env, 1);

    memory_region_init(&e->mem_root, "pci-mem", 0);
    memory_region_init(&e->io_root, "pci-io", 0x10000);
    e->bus = pci_bus_new(&e->mem_root, &e->io_root);
    e->gsi = qemu_allocate_irqs(gsi_handler, e, 24);
    pci_bus_irqs(e->bus, pc_map_irq, e, e->gsi, 24);
    pci_bus_set_msi(e->bus, msi_deliver, e);
    pci_host_init(&e->host, e->bus, reset_req, e);
    g_assert_true(i440fx_create_bridges(e->bus, &error_abort));
    return e;
}

/* Unmap and free every device left on the bus, then the bus and @e. */
static void env_free(Env *e)
{
    int devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = pci_find_device(e->bus, devfn);

        if (d) {
            /* unmap the BARs before msix_uninit() frees the MSI-X one */
            pci_device_detach(d);
            msix_uninit(d);
            g_free(d);
        }
    }
    pci_bus_free(e->bus);
    qemu_free_irqs(e->gsi, 24);
    g_free(e);
}

static uint32_t cfg_read(Env *e, int devfn, int reg, unsigned size)
{
    pci_host_conf1_write(&e->host, 0, 0x80000000 | (devfn << 8) |
                         (reg & 0xfc), 4);
    return pci_host_conf1_read(&e->host, 4 + (reg & 3), size);
}

static void cfg_write(Env *e, int devfn, int reg, uint32_t val,
                      unsigned size)
{
    pci_host_conf1_write(&e->host, 0, 0x80000000 | (devfn << 8) |
                         (reg & 0xfc), 4);
    pci_host_conf1_write(&e->host, 4 + (reg & 3), val, size);
}

static void test_conf1_probe(void)
{
    Env *e = env_new();
    uint32_t tmp;

    /* pci_check_type1() */
    pci_host_conf1_write(&e->host, 3, 0x01, 1);
    tmp = pci_host_conf1_read(&e->host, 0, 4);
    pci_host_conf1_write(&e->host, 0, 0x80000000, 4);
    g_assert_cmphex(pci_host_conf1_read(&e->host, 0, 4), ==, 0x80000000);
    pci_host_conf1_write(&e->host, 0, tmp, 4);
    /* pci_sanity_check(): a host bridge or Intel vendor on bus 0 */
    g_assert_cmphex(cfg_read(e, 0, 0x00, 4), ==, 0x12378086);
    g_assert_cmphex(cfg_read(e, 0, 0x0a, 2), ==, 0x0600);
    g_assert_cmphex(cfg_read(e, 0, 0x08, 4) >> 8, ==, 0x060000);
    g_assert_cmphex(cfg_read(e, PCI_DEVFN(1, 0), 0x00, 4), ==, 0x70008086);
    g_assert_cmphex(cfg_read(e, PCI_DEVFN(1, 0), 0x0e, 1), ==, 0x80);
    /* byte and word reads at every offset of the dword */
    g_assert_cmphex(cfg_read(e, 0, 0x01, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(e, 0, 0x03, 1), ==, 0x12);
    g_assert_cmphex(cfg_read(e, 0, 0x02, 2), ==, 0x1237);
    /* absent device and other buses read all ones */
    g_assert_cmphex(cfg_read(e, PCI_DEVFN(7, 0), 0, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(e, PCI_DEVFN(7, 0), 0, 2), ==, 0xffff);
    pci_host_conf1_write(&e->host, 0, 0x80010000, 4);
    g_assert_cmphex(pci_host_conf1_read(&e->host, 4, 4), ==, 0xffffffff);
    /* vendor ID is read-only */
    cfg_write(e, 0, 0, 0xdeadbeef, 4);
    g_assert_cmphex(cfg_read(e, 0, 0x00, 4), ==, 0x12378086);
    /* 0xcf9 reset control */
    pci_host_conf1_write(&e->host, 1, 0x02, 1);
    g_assert_cmpint(e->resets, ==, 0);
    pci_host_conf1_write(&e->host, 1, 0x06, 1);
    g_assert_cmpint(e->resets, ==, 1);
    env_free(e);
}

static uint64_t dummy_read(void *opaque, hwaddr addr, unsigned size)
{
    return 0x1000 + addr;
}

static void dummy_write(void *opaque, hwaddr addr, uint64_t val,
                        unsigned size)
{
    *(uint64_t *)opaque = val;
}

static const MemoryRegionOps dummy_ops = {
    .read = dummy_read,
    .write = dummy_write,
};

static const PCIDeviceIds test_ids = {
    .vendor_id = 0x1af4,
    .device_id = 0x1041,
    .class_id = 0x0200,
    .revision = 1,
    .interrupt_pin = 1,
};

static void test_bar_sizing_mapping(void)
{
    Env *e = env_new();
    PCIDevice *d = g_new0(PCIDevice, 1);
    MemoryRegion io, mem, mem64;
    uint64_t sink = 0;
    int devfn = PCI_DEVFN(3, 0);

    memory_region_init_io(&io, &dummy_ops, &sink, "bar0-io", 0x20);
    memory_region_init_io(&mem, &dummy_ops, &sink, "bar1-mem", 0x1000);
    memory_region_init_io(&mem64, &dummy_ops, &sink, "bar2-mem64", 0x4000);
    g_assert_true(pci_device_attach(d, e->bus, devfn, "test", &test_ids,
                                    &error_abort));
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_IO, &io);
    pci_register_bar(d, 1, PCI_BASE_ADDRESS_SPACE_MEMORY, &mem);
    pci_register_bar(d, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &mem64);
    /* sizing: write all ones, read back the size mask + type */
    cfg_write(e, devfn, 0x10, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(e, devfn, 0x10, 4), ==, 0xffffffe1);
    cfg_write(e, devfn, 0x14, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(e, devfn, 0x14, 4), ==, 0xfffff000);
    cfg_write(e, devfn, 0x18, 0xffffffff, 4);
    cfg_write(e, devfn, 0x1c, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(e, devfn, 0x18, 4), ==, 0xffffc00c);
    g_assert_cmphex(cfg_read(e, devfn, 0x1c, 4), ==, 0xffffffff);
    /* unimplemented BARs read 0 */
    cfg_write(e, devfn, 0x24, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(e, devfn, 0x24, 4), ==, 0);
    /* program addresses: nothing mapped until COMMAND enables decode */
    cfg_write(e, devfn, 0x10, 0xc040, 4);
    cfg_write(e, devfn, 0x14, 0xfebf0000, 4);
    cfg_write(e, devfn, 0x18, 0x00000000, 4);
    cfg_write(e, devfn, 0x1c, 0x00000008, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    cfg_write(e, devfn, 0x04, PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0xc040);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, 0xfebf0000);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x800000000ULL);
    g_assert_true(memory_region_is_mapped(&mem));
    /* a sizing cycle while decoding must unmap, not map at 0xfffff000 */
    cfg_write(e, devfn, 0x14, 0xffffffff, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    cfg_write(e, devfn, 0x14, 0xfebe0000, 4);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, 0xfebe0000);
    /* disabling memory decode unmaps memory BARs only */
    cfg_write(e, devfn, 0x04, PCI_COMMAND_IO, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, 0xc040);
    g_assert_false(memory_region_is_mapped(&mem));
    /* reset unmaps and clears the BARs */
    pci_device_reset(d);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(cfg_read(e, devfn, 0x10, 4), ==, 0x1);
    env_free(e);
}

static void test_system_mapping(void)
{
    PCIBus *bus = pci_bus_new(get_system_memory(), get_system_io());
    PCIDevice *d = g_new0(PCIDevice, 1);
    MemoryRegion mem;
    uint64_t sink = 0, val = 0;

    memory_region_init_io(&mem, &dummy_ops, &sink, "bar", 0x1000);
    g_assert_true(pci_device_attach(d, bus, PCI_DEVFN(4, 0), "sys",
                                    &test_ids, &error_abort));
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &mem);
    pci_default_write_config(d, 0x10, 0xfe000000, 4);
    pci_default_write_config(d, 0x04, PCI_COMMAND_MEMORY, 2);
    g_assert_cmpint(address_space_ld(&address_space_memory, 0xfe000010, 4,
                                     &val), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, 0x1010);
    address_space_st(&address_space_memory, 0xfe000020, 4, 0x55);
    g_assert_cmphex(sink, ==, 0x55);
    pci_device_detach(d);
    g_assert_false(memory_region_is_mapped(&mem));
    g_free(d);
    pci_bus_free(bus);
}

static void test_caps_and_intx(void)
{
    Env *e = env_new();
    PCIDevice *d = g_new0(PCIDevice, 1);
    PCIDevice *d2 = g_new0(PCIDevice, 1);
    Error *err = NULL;
    int devfn = PCI_DEVFN(5, 0);
    int off1, off2;

    g_assert_true(pci_device_attach(d, e->bus, devfn, "a", &test_ids,
                                    &error_abort));
    /* a slot already taken is refused */
    g_assert_false(pci_device_attach(d2, e->bus, devfn, "b", &test_ids,
                                     &err));
    error_free_or_abort(&err);
    off1 = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 16, &error_abort);
    off2 = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 8, &error_abort);
    g_assert_cmpint(off1, ==, 0x40);
    g_assert_cmpint(off2, ==, 0x50);
    g_assert_cmpint(pci_add_capability(d, 0x05, 0x44, 4, &err), ==, -1);
    error_free_or_abort(&err);
    g_assert_cmphex(cfg_read(e, devfn, 0x06, 2) & PCI_STATUS_CAP_LIST, !=,
                    0);
    g_assert_cmphex(cfg_read(e, devfn, 0x34, 1), ==, 0x50);
    g_assert_cmphex(cfg_read(e, devfn, 0x51, 1), ==, 0x40);
    g_assert_cmphex(cfg_read(e, devfn, 0x41, 1), ==, 0x00);
    /* INTA of slot 5 -> GSI 16 + 5 = 21 */
    g_assert_cmphex(cfg_read(e, devfn, 0x3d, 1), ==, 1);
    pci_irq_assert(d);
    g_assert_cmpint(e->gsi_level[21], ==, 1);
    g_assert_cmphex(cfg_read(e, devfn, 0x06, 2) & PCI_STATUS_INTERRUPT, !=,
                    0);
    /* shared line: slot 13 INTA also lands on (13 + 0) & 7 = 5 -> 21 */
    g_assert_true(pci_device_attach(d2, e->bus, PCI_DEVFN(13, 0), "b",
                                    &test_ids, &error_abort));
    pci_irq_assert(d2);
    pci_irq_deassert(d);
    g_assert_cmpint(e->gsi_level[21], ==, 1);
    pci_irq_deassert(d2);
    g_assert_cmpint(e->gsi_level[21], ==, 0);
    /* INTx disable masks the line but keeps the status bit */
    pci_irq_assert(d);
    cfg_write(e, devfn, 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(e->gsi_level[21], ==, 0);
    cfg_write(e, devfn, 0x04, 0, 2);
    g_assert_cmpint(e->gsi_level[21], ==, 1);
    env_free(e);
}

static uint64_t mr_read(MemoryRegion *mr, hwaddr addr, unsigned size)
{
    return mr->ops->read(mr->opaque, addr, size);
}

static void mr_write(MemoryRegion *mr, hwaddr addr, uint64_t val,
                     unsigned size)
{
    mr->ops->write(mr->opaque, addr, val, size);
}

static void test_msix(void)
{
    Env *e = env_new();
    PCIDevice *d = g_new0(PCIDevice, 1);
    int devfn = PCI_DEVFN(6, 0);
    uint8_t cap;
    uint64_t val;
    uint64_t base = 0xfe800000;

    g_assert_true(pci_device_attach(d, e->bus, devfn, "msix", &test_ids,
                                    &error_abort));
    g_assert_true(msix_init_exclusive_bar(d, 4, 1, &error_abort));
    cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
    g_assert_cmpint(cap, !=, 0);
    g_assert_cmphex(cfg_read(e, devfn, cap + 2, 2), ==, 3);   /* 4 vectors */
    g_assert_cmphex(cfg_read(e, devfn, cap + 4, 4), ==, 0x1);
    g_assert_cmphex(cfg_read(e, devfn, cap + 8, 4), ==, 0x1001);
    cfg_write(e, devfn, 0x14, base, 4);
    cfg_write(e, devfn, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    g_assert_cmphex(pci_get_bar_addr(d, 1), ==, base);
    /* vectors are masked at reset */
    val = mr_read(&d->msix_table_mmio, 12, 4);
    g_assert_cmphex(val, ==, 1);
    msix_notify(d, 0);                 /* MSI-X disabled: dropped */
    g_assert_cmpint(e->msi_count, ==, 0);
    /* enable, program vector 2 and fire it while masked */
    cfg_write(e, devfn, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    mr_write(&d->msix_table_mmio, 2 * 16 + 0, 0xfee00000, 4);
    mr_write(&d->msix_table_mmio, 2 * 16 + 4, 0, 4);
    mr_write(&d->msix_table_mmio, 2 * 16 + 8, 0x4041, 4);
    msix_notify(d, 2);
    g_assert_cmpint(e->msi_count, ==, 0);
    g_assert_cmphex(mr_read(&d->msix_pba_mmio, 0, 4) & 0x4, ==, 0x4);
    /* unmask: the pending message goes out and the PBA bit clears */
    mr_write(&d->msix_table_mmio, 2 * 16 + 12, 0, 4);
    g_assert_cmpint(e->msi_count, ==, 1);
    g_assert_cmphex(e->msi_addr, ==, 0xfee00000);
    g_assert_cmphex(e->msi_data, ==, 0x4041);
    g_assert_cmphex(mr_read(&d->msix_pba_mmio, 0, 4) & 0x4, ==, 0);
    msix_notify(d, 2);
    g_assert_cmpint(e->msi_count, ==, 2);
    /* function mask holds it pending; clearing it releases */
    cfg_write(e, devfn, cap + 2,
              PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 2);
    msix_notify(d, 2);
    g_assert_cmpint(e->msi_count, ==, 2);
    cfg_write(e, devfn, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    g_assert_cmpint(e->msi_count, ==, 3);
    /* the table size field is read-only */
    cfg_write(e, devfn, cap + 2, PCI_MSIX_FLAGS_ENABLE | 0x7ff, 2);
    g_assert_cmphex(cfg_read(e, devfn, cap + 2, 2), ==,
                    PCI_MSIX_FLAGS_ENABLE | 3);
    /* without bus mastering the write never leaves the device */
    cfg_write(e, devfn, 0x04, PCI_COMMAND_MEMORY, 2);
    msix_notify(d, 2);
    g_assert_cmpint(e->msi_count, ==, 3);
    env_free(e);
}

static void test_vmstate(void)
{
    Env *e = env_new();
    Env *e2 = env_new();
    PCIDevice *d = g_new0(PCIDevice, 1);
    PCIDevice *d2 = g_new0(PCIDevice, 1);
    MemoryRegion mem, mem2;
    uint64_t sink = 0;
    uint8_t *buf;
    size_t len;
    Error *err = NULL;
    int devfn = PCI_DEVFN(6, 0);
    uint8_t cap;

    memory_region_init_io(&mem, &dummy_ops, &sink, "bar0", 0x1000);
    memory_region_init_io(&mem2, &dummy_ops, &sink, "bar0", 0x1000);
    g_assert_true(pci_device_attach(d, e->bus, devfn, "m", &test_ids,
                                    &error_abort));
    pci_register_bar(d, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &mem);
    g_assert_true(msix_init_exclusive_bar(d, 2, 1, &error_abort));
    g_assert_true(pci_device_attach(d2, e2->bus, devfn, "m", &test_ids,
                                    &error_abort));
    pci_register_bar(d2, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &mem2);
    g_assert_true(msix_init_exclusive_bar(d2, 2, 1, &error_abort));
    cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
    cfg_write(e, devfn, 0x10, 0xfe000000, 4);
    cfg_write(e, devfn, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    cfg_write(e, devfn, cap + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    mr_write(&d->msix_table_mmio, 16, 0xfee00000, 4);
    mr_write(&d->msix_table_mmio, 24, 0x33, 4);
    pci_irq_assert(d);
    g_assert_cmpint(e->gsi_level[16 + 6], ==, 1);
    vmstate_test_roundtrip(&vmstate_pci_device, d, d2);
    vmstate_test_roundtrip(&vmstate_msix, d, d2);
    /* the copy decodes its BAR and drives its INTx line */
    g_assert_cmphex(pci_get_bar_addr(d2, 0), ==, 0xfe000000);
    g_assert_cmpint(e2->gsi_level[16 + 6], ==, 1);
    mr_write(&d2->msix_table_mmio, 28, 0, 4);
    msix_notify(d2, 1);
    g_assert_cmpint(e2->msi_count, ==, 1);
    g_assert_cmphex(e2->msi_data, ==, 0x33);
    /* a stream with another vendor ID is refused, config kept */
    pci_set_word(d->config + PCI_VENDOR_ID, 0x1234);
    buf = vmstate_test_save(&vmstate_pci_device, d, &len);
    g_assert_false(vmstate_test_load(&vmstate_pci_device, d2, buf, len, 1,
                                     &err));
    error_free(err);
    g_free(buf);
    g_assert_cmphex(pci_get_word(d2->config + PCI_VENDOR_ID), ==, 0x1af4);
    env_free(e);
    env_free(e2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/pci/conf1-probe", test_conf1_probe);
    g_test_add_func("/hw/pci/bar-sizing-mapping", test_bar_sizing_mapping);
    g_test_add_func("/hw/pci/system-mapping", test_system_mapping);
    g_test_add_func("/hw/pci/caps-intx", test_caps_and_intx);
    g_test_add_func("/hw/pci/msix", test_msix);
    g_test_add_func("/hw/pci/vmstate", test_vmstate);
    return g_test_run();
}
