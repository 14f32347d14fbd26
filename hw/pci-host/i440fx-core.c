/*
 * PCI configuration mechanism #1, reset control, i440FX/PIIX3 identity.
 * See include/hw/pci-host/i440fx.h.
 */
#include "qemu/osdep.h"
#include "hw/pci-host/i440fx.h"

#define CONF1_ENABLE 0x80000000U

void pci_host_init(PCIHostState *s, PCIBus *bus,
                   void (*reset_request)(void *opaque), void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->bus = bus;
    s->reset_request = reset_request;
    s->opaque = opaque;
}

/* Device addressed by CONFIG_ADDRESS, or NULL. */
static PCIDevice *conf1_device(PCIHostState *s)
{
    if (!(s->config_reg & CONF1_ENABLE)) {
        return NULL;
    }
    if ((s->config_reg >> 16) & 0xff) {
        return NULL;         /* only bus 0 exists */
    }
    return pci_find_device(s->bus, (s->config_reg >> 8) & 0xff);
}

static uint32_t conf1_data_read(PCIHostState *s, int port, unsigned size)
{
    PCIDevice *d = conf1_device(s);
    uint32_t reg = (s->config_reg & 0xfc) + (port & 3);

    if (!d || (port & 3) + size > 4) {
        return size == 4 ? 0xffffffff : (1U << (8 * size)) - 1;
    }
    return pci_config_read(d, reg, size);
}

static void conf1_data_write(PCIHostState *s, int port, uint32_t val,
                             unsigned size)
{
    PCIDevice *d = conf1_device(s);
    uint32_t reg = (s->config_reg & 0xfc) + (port & 3);

    if (!d || (port & 3) + size > 4) {
        return;
    }
    pci_config_write(d, reg, val, size);
}

uint32_t pci_host_conf1_read(PCIHostState *s, int addr, unsigned size)
{
    if (addr >= 4) {
        return conf1_data_read(s, addr, size);
    }
    if (addr == 0 && size == 4) {
        return s->config_reg;
    }
    if (addr == 1 && size == 1) {
        return s->rcr;
    }
    return size == 4 ? 0xffffffff : (1U << (8 * size)) - 1;
}

void pci_host_conf1_write(PCIHostState *s, int addr, uint32_t val,
                          unsigned size)
{
    if (addr >= 4) {
        conf1_data_write(s, addr, val, size);
        return;
    }
    if (addr == 0 && size == 4) {
        s->config_reg = val;
        return;
    }
    if (addr == 1 && size == 1) {
        /* bit 2 (RST_CPU) set: reset; bit 1 selects hard reset */
        if ((val & 0x04) && s->reset_request) {
            s->rcr = 0;
            s->reset_request(s->opaque);
            return;
        }
        s->rcr = val & 0x0a;
    }
}

/* ---- the two fixed functions of bus 0 ---- */

const PCIDeviceIds i440fx_ids = {
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82441,
    .revision = 0x02,
    .class_id = PCI_CLASS_BRIDGE_HOST,
};

const PCIDeviceIds piix3_ids = {
    .vendor_id = PCI_VENDOR_ID_INTEL,
    .device_id = PCI_DEVICE_ID_INTEL_82371SB_0,
    .class_id = PCI_CLASS_BRIDGE_ISA,
    .header_type = PCI_HEADER_TYPE_MULTI_FUNCTION,
};

void piix3_init_config(PCIDevice *isa)
{
    int i;

    /* PIRQ route control: all disabled (the ACPI/MP tables route INTx) */
    for (i = 0; i < 4; i++) {
        isa->config[0x60 + i] = 0x80;
        isa->wmask[0x60 + i] = 0x8f;
    }
}

bool i440fx_create_bridges(PCIBus *bus, Error **errp)
{
    PCIDevice *host = g_new0(PCIDevice, 1);
    PCIDevice *isa = g_new0(PCIDevice, 1);

    if (!pci_device_attach(host, bus, PCI_DEVFN(0, 0),
                           TYPE_I440FX_PCI_DEVICE, &i440fx_ids, errp)) {
        goto fail_host;
    }
    if (!pci_device_attach(isa, bus, PCI_DEVFN(1, 0),
                           TYPE_PIIX3_PCI_DEVICE, &piix3_ids, errp)) {
        goto fail_isa;
    }
    piix3_init_config(isa);
    return true;

fail_isa:
    g_free(isa);
    pci_device_detach(host);
fail_host:
    g_free(host);
    return false;
}
