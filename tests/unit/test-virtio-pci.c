/*
 * virtio-pci seen from a driver: a virtio-net-pci (no netdev) on the
 * i440FX bus, found and set up through conf1 and its BARs the way the
 * Linux 6.1 virtio_pci_modern driver does: capability parsing, feature
 * negotiation (VERSION_1 required), queue set-up through the common
 * config, MSI-X vectors, notify -> device, INTx + ISR fallback, the
 * PCI_CFG window, a hostile ring -> DEVICE_NEEDS_RESET, and a vmstate
 * round trip.
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "hw/pci-host/i440fx.h"
#include "hw/virtio/virtio-net.h"
#include "test-virtio-mem.h"

#define RAM_SIZE    (16 * 1024 * 1024)
#define BAR4_ADDR   0xfe000000ULL
#define BAR1_ADDR   0xfebf0000ULL
#define DEVFN       PCI_DEVFN(3, 0)
#define QN          64
#define RX_BASE     0x100000
#define TX_BASE     0x200000

typedef struct Caps {
    uint8_t common, notify, isr, device, pci_cfg, msix;
    uint32_t common_off, notify_off, isr_off, device_off;
    uint32_t notify_mult;
} Caps;

static int gsi_level[24];
static int msi_count;
static uint32_t msi_data;
static RAMBlock *ram;
static MemoryRegion ram_mr;

static void gsi_handler(void *opaque, int n, int level)
{
    gsi_level[n] = level;
}

static void msi_hook(void *opaque, uint64_t addr, uint32_t data)
{
    msi_data = data;
    msi_count++;
}

static uint32_t cfg_read(int reg, unsigned size)
{
    uint64_t v = 0;

    address_space_st(&address_space_io, 0xcf8, 4,
                     0x80000000 | (DEVFN << 8) | (reg & 0xfc));
    address_space_ld(&address_space_io, 0xcfc + (reg & 3), size, &v);
    return v;
}

static void cfg_write(int reg, uint32_t val, unsigned size)
{
    address_space_st(&address_space_io, 0xcf8, 4,
                     0x80000000 | (DEVFN << 8) | (reg & 0xfc));
    address_space_st(&address_space_io, 0xcfc + (reg & 3), size, val);
}

static uint64_t mmio_ld(uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    address_space_ld(&address_space_memory, addr, size, &v);
    return v;
}

static void mmio_st(uint64_t addr, unsigned size, uint64_t v)
{
    address_space_st(&address_space_memory, addr, size, v);
}

static uint64_t common(Caps *c, unsigned off, unsigned size)
{
    return mmio_ld(BAR4_ADDR + c->common_off + off, size);
}

static void common_st(Caps *c, unsigned off, unsigned size, uint64_t v)
{
    mmio_st(BAR4_ADDR + c->common_off + off, size, v);
}

/* The capability walk of vp_modern_probe / virtio_pci_find_capability. */
static void find_caps(Caps *c)
{
    uint8_t pos = cfg_read(PCI_CAPABILITY_LIST, 1);
    int guard = 0;

    memset(c, 0, sizeof(*c));
    while (pos && guard++ < 48) {
        uint8_t id = cfg_read(pos, 1);

        if (id == PCI_CAP_ID_MSIX) {
            c->msix = pos;
        } else if (id == PCI_CAP_ID_VNDR) {
            uint8_t type = cfg_read(pos + 3, 1);
            uint8_t bar = cfg_read(pos + 4, 1);
            uint32_t off = cfg_read(pos + 8, 4);

            if (type != VIRTIO_PCI_CAP_PCI_CFG) {
                g_assert_cmpuint(bar, ==, 4);
                g_assert_cmpuint(cfg_read(pos + 12, 4), >=, 4);
            }
            switch (type) {
            case VIRTIO_PCI_CAP_COMMON_CFG:
                c->common = pos;
                c->common_off = off;
                g_assert_cmpuint(cfg_read(pos + 12, 4), >=, 0x38);
                break;
            case VIRTIO_PCI_CAP_NOTIFY_CFG:
                c->notify = pos;
                c->notify_off = off;
                g_assert_cmpuint(cfg_read(pos + 2, 1), ==, 20);
                c->notify_mult = cfg_read(pos + 16, 4);
                break;
            case VIRTIO_PCI_CAP_ISR_CFG:
                c->isr = pos;
                c->isr_off = off;
                break;
            case VIRTIO_PCI_CAP_DEVICE_CFG:
                c->device = pos;
                c->device_off = off;
                break;
            case VIRTIO_PCI_CAP_PCI_CFG:
                c->pci_cfg = pos;
                break;
            }
        }
        pos = cfg_read(pos + 1, 1);
    }
}

static void msix_program(Caps *c, int vector)
{
    uint64_t e = BAR1_ADDR + 16 * vector;

    mmio_st(e, 4, 0xfee00000);
    mmio_st(e + 4, 4, 0);
    mmio_st(e + 8, 4, 0x40 + vector);
    mmio_st(e + 12, 4, 0);
}

static void setup_queue(Caps *c, int n, uint64_t base, uint16_t vector)
{
    common_st(c, VIRTIO_PCI_COMMON_Q_SELECT, 2, n);
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 256);
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_ENABLE, 2), ==, 0);
    common_st(c, VIRTIO_PCI_COMMON_Q_SIZE, 2, 100);   /* not a power of 2 */
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 256);
    common_st(c, VIRTIO_PCI_COMMON_Q_SIZE, 2, QN);
    common_st(c, VIRTIO_PCI_COMMON_Q_DESCLO, 4, base + DRV_DESC);
    common_st(c, VIRTIO_PCI_COMMON_Q_DESCHI, 4, 0);
    common_st(c, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, base + DRV_AVAIL);
    common_st(c, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, 0);
    common_st(c, VIRTIO_PCI_COMMON_Q_USEDLO, 4, base + DRV_USED);
    common_st(c, VIRTIO_PCI_COMMON_Q_USEDHI, 4, 0);
    common_st(c, VIRTIO_PCI_COMMON_Q_MSIX, 2, vector);
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_MSIX, 2), ==, vector);
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_NOFF, 2), ==, n);
    common_st(c, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    g_assert_cmpuint(common(c, VIRTIO_PCI_COMMON_Q_ENABLE, 2), ==, 1);
    g_assert_cmphex(common(c, VIRTIO_PCI_COMMON_Q_DESCLO, 4), ==,
                    base + DRV_DESC);
}

static uint8_t status(Caps *c)
{
    return common(c, VIRTIO_PCI_COMMON_STATUS, 1);
}

static void negotiate(Caps *c, uint32_t hi, uint32_t lo, bool expect_ok)
{
    common_st(c, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    g_assert_cmpuint(status(c), ==, 0);
    common_st(c, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    common_st(c, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
              VIRTIO_CONFIG_S_DRIVER);
    common_st(c, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
    common_st(c, VIRTIO_PCI_COMMON_GF, 4, lo);
    common_st(c, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
    common_st(c, VIRTIO_PCI_COMMON_GF, 4, hi);
    common_st(c, VIRTIO_PCI_COMMON_STATUS, 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
              VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmpint(!!(status(c) & VIRTIO_CONFIG_S_FEATURES_OK), ==,
                    expect_ok);
}

static DeviceState *make_device(void)
{
    DeviceState *dev;
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };

    dev = qdev_new(TYPE_VIRTIO_NET_PCI);
    qdev_prop_set_string(dev, "addr", "03.0");
    qdev_prop_set_macaddr(dev, "mac", mac);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    return dev;
}

static void test_driver_flow(void)
{
    DeviceState *dev = make_device();
    VirtIONet *n = &VIRTIO_NET_PCI(dev)->net;
    FakeMem m = { .ram = ram_block_host(ram), .size = RAM_SIZE };
    uint8_t pkt[60];
    struct iovec iov = { pkt, sizeof(pkt) };
    Caps c;
    uint32_t id, len, f;
    int i, before;

    /* identity */
    g_assert_cmphex(cfg_read(0, 4), ==, 0x10411af4);
    g_assert_cmphex(cfg_read(PCI_REVISION_ID, 1), ==, 1);
    g_assert_cmphex(cfg_read(PCI_CLASS_DEVICE, 2), ==, 0x0200);
    g_assert_cmphex(cfg_read(PCI_SUBSYSTEM_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(cfg_read(PCI_SUBSYSTEM_ID, 2), ==, 0x1100);
    g_assert_cmpuint(cfg_read(0x3d, 1), ==, 1);

    find_caps(&c);
    g_assert_true(c.common && c.notify && c.isr && c.device && c.pci_cfg &&
                  c.msix);
    g_assert_cmpuint(c.notify_mult, ==, 4);

    /* BAR 4 is 64-bit prefetchable memory, 16 KiB */
    cfg_write(0x20, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(0x20, 4), ==, 0xffffc00c);
    cfg_write(0x20, BAR4_ADDR, 4);
    cfg_write(0x24, 0, 4);
    cfg_write(0x14, BAR1_ADDR, 4);
    cfg_write(0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);

    /* features: VERSION_1 in the high word, MAC/STATUS/MRG_RXBUF low */
    common_st(&c, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
    f = common(&c, VIRTIO_PCI_COMMON_DF, 4);
    g_assert_true(f & 1);
    common_st(&c, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
    f = common(&c, VIRTIO_PCI_COMMON_DF, 4);
    g_assert_true(f & (1u << VIRTIO_NET_F_MAC));
    g_assert_true(f & (1u << VIRTIO_NET_F_STATUS));
    g_assert_true(f & (1u << VIRTIO_NET_F_MRG_RXBUF));
    g_assert_false(f & (1u << VIRTIO_NET_F_CSUM));
    g_assert_cmpuint(common(&c, VIRTIO_PCI_COMMON_NUMQ, 2), ==, 2);
    /* a legacy driver (no VERSION_1) and unknown bits are refused */
    negotiate(&c, 0, 1u << VIRTIO_NET_F_MAC, false);
    negotiate(&c, 1 | 0x80, 1u << VIRTIO_NET_F_MAC, false);
    negotiate(&c, 1, (1u << VIRTIO_NET_F_MAC) | (1u << VIRTIO_NET_F_STATUS) |
              (1u << VIRTIO_NET_F_MRG_RXBUF), true);
    g_assert_true(n->mergeable);

    /* device config: the MAC and link status */
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.device_off, 1), ==, 0x52);
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.device_off + 5, 1), ==, 0xcc);
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.device_off + 6, 2), ==, 1);

    /* MSI-X: vectors 0..2 exist, 5 does not */
    cfg_write(c.msix + 2, PCI_MSIX_FLAGS_ENABLE, 2);
    for (i = 0; i < 3; i++) {
        msix_program(&c, i);
    }
    common_st(&c, VIRTIO_PCI_COMMON_MSIX, 2, 5);
    g_assert_cmphex(common(&c, VIRTIO_PCI_COMMON_MSIX, 2), ==, 0xffff);
    common_st(&c, VIRTIO_PCI_COMMON_MSIX, 2, 0);
    g_assert_cmphex(common(&c, VIRTIO_PCI_COMMON_MSIX, 2), ==, 0);
    setup_queue(&c, 0, RX_BASE, 1);
    setup_queue(&c, 1, TX_BASE, 2);
    /* a missing queue reads as size 0 */
    common_st(&c, VIRTIO_PCI_COMMON_Q_SELECT, 2, 2);
    g_assert_cmpuint(common(&c, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 0);
    common_st(&c, VIRTIO_PCI_COMMON_STATUS, 1, 0xf);
    g_assert_cmpuint(status(&c), ==, 0xf);

    /* rx: one buffer, a frame arrives -> MSI vector 1 */
    m.ring_base = RX_BASE;
    drv_desc(&m, 0, 0x300000, 2048, VRING_DESC_F_WRITE, 0);
    drv_kick(&m, QN, 0);
    memset(pkt, 0xab, sizeof(pkt));
    before = msi_count;
    g_assert_cmpint(virtio_net_receive_iov(n, &iov, 1), ==, sizeof(pkt));
    g_assert_cmpint(msi_count, ==, before + 1);
    g_assert_cmphex(msi_data, ==, 0x41);
    drv_used_elem(&m, QN, 0, &id, &len);
    g_assert_cmpuint(len, ==, 12 + sizeof(pkt));

    /* tx: a chain and a notify write at notify_off * multiplier */
    m.ring_base = TX_BASE;
    drv_desc(&m, 3, 0x310000, 12 + 60, 0, 0);
    drv_kick(&m, QN, 3);
    before = msi_count;
    mmio_st(BAR4_ADDR + c.notify_off + 1 * c.notify_mult, 2, 1);
    g_assert_cmpuint(drv_used_idx(&m), ==, 1);
    drv_used_elem(&m, QN, 0, &id, &len);
    g_assert_cmpuint(id, ==, 3);
    g_assert_cmpint(msi_count, ==, before + 1);
    g_assert_cmphex(msi_data, ==, 0x42);

    /* the PCI_CFG window reads device_status through config space */
    cfg_write(c.pci_cfg + 4, 4, 1);
    cfg_write(c.pci_cfg + 8, c.common_off + VIRTIO_PCI_COMMON_STATUS, 4);
    cfg_write(c.pci_cfg + 12, 1, 4);
    g_assert_cmphex(cfg_read(c.pci_cfg + 16, 1), ==, 0xf);
    /* and writes queue_select through it */
    cfg_write(c.pci_cfg + 8, c.common_off + VIRTIO_PCI_COMMON_Q_SELECT, 4);
    cfg_write(c.pci_cfg + 12, 2, 4);
    cfg_write(c.pci_cfg + 16, 1, 2);
    g_assert_cmpuint(common(&c, VIRTIO_PCI_COMMON_Q_SELECT, 2), ==, 1);

    /* INTx fallback: MSI-X off, a config change raises INTA via ISR */
    cfg_write(c.msix + 2, 0, 2);
    mmio_ld(BAR4_ADDR + c.isr_off, 1);    /* read-to-clear (as QEMU, the
                                           * ISR also counts MSI-X events) */
    virtio_net_set_link(n, false);
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.device_off + 6, 2), ==, 0);
    g_assert_cmpint(gsi_level[16 + ((3 + 0) & 7)], ==, 1);
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.isr_off, 1), ==, 2);
    g_assert_cmpint(gsi_level[16 + ((3 + 0) & 7)], ==, 0);
    g_assert_cmphex(mmio_ld(BAR4_ADDR + c.isr_off, 1), ==, 0);
    cfg_write(c.msix + 2, PCI_MSIX_FLAGS_ENABLE, 2);

    /* vmstate round trip of the whole device */
    vmstate_test_roundtrip(DEVICE_GET_CLASS(dev)->vmsd, dev, dev);
    g_assert_cmpuint(status(&c), ==, 0xf);
    g_assert_cmpuint(n->vdev.vq[1].used_idx, ==, 1);

    /* hostile: a looping tx chain -> NEEDS_RESET + config interrupt */
    drv_desc(&m, 4, 0x310000, 12 + 60, VRING_DESC_F_NEXT, 5);
    drv_desc(&m, 5, 0x310000, 12 + 60, VRING_DESC_F_NEXT, 4);
    drv_kick(&m, QN, 4);
    before = msi_count;
    mmio_st(BAR4_ADDR + c.notify_off + 1 * c.notify_mult, 2, 1);
    g_assert_true(status(&c) & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpint(msi_count, ==, before + 1);
    g_assert_cmphex(msi_data, ==, 0x40);
    /* the driver cannot clear it; a reset does */
    common_st(&c, VIRTIO_PCI_COMMON_STATUS, 1, 0xf);
    g_assert_true(status(&c) & VIRTIO_CONFIG_S_NEEDS_RESET);
    common_st(&c, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    g_assert_cmpuint(status(&c), ==, 0);
    common_st(&c, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    g_assert_cmpuint(common(&c, VIRTIO_PCI_COMMON_Q_ENABLE, 2), ==, 0);
    g_assert_cmphex(common(&c, VIRTIO_PCI_COMMON_Q_MSIX, 2), ==, 0xffff);

    /* properties QEMU users pass */
    qdev_unplug_and_remove(dev);
    dev = qdev_new(TYPE_VIRTIO_NET_PCI);
    qdev_prop_set_string(dev, "disable-legacy", "on");
    qdev_prop_set_uint32(dev, "vectors", 4);
    qdev_prop_set_int32(dev, "bootindex", 1);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    g_assert_cmpuint(VIRTIO_PCI(dev)->nvectors, ==, 4);
    dev = qdev_new(TYPE_VIRTIO_NET_PCI);
    qdev_prop_set_bit(dev, "disable-modern", true);
    g_assert_false(qdev_realize(dev, NULL, NULL));
    object_unref(OBJECT(dev));
}

/*
 * A guest poking random values at random places of the config space,
 * BAR 4 and the MSI-X table, with rings pointing anywhere in (or out of)
 * RAM: the device may break, the process must not.
 */
static void test_fuzz(void)
{
    DeviceState *dev = make_device();
    VirtIONet *n = &VIRTIO_NET_PCI(dev)->net;
    GRand *r = g_rand_new_with_seed(0x5eed);
    uint8_t *ramp = ram_block_host(ram);
    static const unsigned sizes[] = { 1, 2, 4 };
    Caps c;
    int i, broken = 0, msis = msi_count;

    find_caps(&c);
    cfg_write(0x20, BAR4_ADDR, 4);
    cfg_write(0x24, 0, 4);
    cfg_write(0x14, BAR1_ADDR, 4);
    cfg_write(0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    /* random guest RAM in the first MiB: rings and descriptors */
    for (i = 0; i < 1024 * 1024; i++) {
        ramp[i] = g_rand_int(r);
    }
    for (i = 0; i < 200000; i++) {
        unsigned size = sizes[g_rand_int_range(r, 0, 3)];
        uint32_t val = g_rand_int(r);
        uint32_t off;

        switch (g_rand_int_range(r, 0, 8)) {
        case 0:
            /* keep the BARs and command where they are */
            off = g_rand_int_range(r, 0x40, 0x100) & ~(size - 1);
            cfg_write(off, val, size);
            break;
        case 1:
            cfg_read(g_rand_int_range(r, 0, 0x100) & ~(size - 1), size);
            break;
        case 2:
            off = g_rand_int_range(r, 0, VIRTIO_PCI_COMMON_SIZE / 2) * 2;
            size = off & 2 ? 2 : sizes[g_rand_int_range(r, 1, 3)];
            if (g_rand_boolean(r)) {
                val = g_rand_int_range(r, 0, 4);    /* selectors, enable */
            } else if (off >= VIRTIO_PCI_COMMON_Q_DESCLO) {
                val = (off & 4) ? 0 : val & 0xffff0; /* inside RAM */
            }
            if (off == VIRTIO_PCI_COMMON_Q_SIZE) {
                val = 1 << g_rand_int_range(r, 0, 10);
            }
            common_st(&c, off, size, val);
            break;
        case 3:
            mmio_st(BAR4_ADDR + g_rand_int_range(r, 0, 0x4000), size, val);
            break;
        case 4:
            mmio_ld(BAR4_ADDR + g_rand_int_range(r, 0, 0x4000), size);
            break;
        case 5:
            mmio_st(BAR4_ADDR + c.notify_off + 4 * g_rand_int_range(r, 0, 3),
                    2, 0);
            break;
        case 6:
            mmio_st(BAR1_ADDR + g_rand_int_range(r, 0, 0x1000), size, val);
            break;
        default:
            if (g_rand_boolean(r)) {
                broken += !!(status(&c) & VIRTIO_CONFIG_S_NEEDS_RESET);
                common_st(&c, VIRTIO_PCI_COMMON_STATUS, 1, 0xf);
            } else {
                uint8_t pkt[64] = { 0 };
                struct iovec iov = { pkt, g_rand_int_range(r, 0, 64) };

                virtio_net_receive_iov(n, &iov, 1);
            }
            break;
        }
    }
    /* the fuzzing reached the rings and the interrupts */
    g_assert_cmpint(broken, >, 0);
    g_assert_cmpint(msi_count, >, msis);
    /* still a working device after a reset */
    common_st(&c, VIRTIO_PCI_COMMON_STATUS, 1, 0);
    g_assert_cmpuint(status(&c), ==, 0);
    g_assert_false(n->vdev.broken);
    g_rand_free(r);
    qdev_unplug_and_remove(dev);
}

int main(int argc, char **argv)
{
    DeviceState *host;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    /* devices touch guest memory only while the VM runs */
    runstate_set(RUN_STATE_RUNNING);
    ram = ram_block_new("pc.ram", RAM_SIZE, &error_abort);
    memory_region_init_ram(&ram_mr, ram, 0, "ram", RAM_SIZE);
    memory_region_add_subregion(get_system_memory(), 0, &ram_mr);
    host = i440fx_host_new(&error_abort);
    pci_bus_set_msi(i440fx_host_get_bus(host), msi_hook, NULL);
    i440fx_host_route_intx(host, qemu_allocate_irqs(gsi_handler, NULL, 24));
    g_test_add_func("/virtio/pci/driver-flow", test_driver_flow);
    g_test_add_func("/virtio/pci/fuzz", test_fuzz);
    return g_test_run();
}
