/*
 * i440FX-style PCI host: configuration mechanism #1 and the pc's bus 0.
 *
 *   0xcf8 (dword only) CONFIG_ADDRESS: bit 31 enable, 23:16 bus,
 *         15:11 device, 10:8 function, 7:2 register; reads back as
 *         written (pci_check_type1 relies on it)
 *   0xcf9 (byte) reset control: writing bit 2 (with bit 1 = hard reset)
 *         requests a system reset (the ACPI reset register points here)
 *   0xcfc-0xcff CONFIG_DATA: 1, 2 or 4 bytes of the selected dword at
 *         register + (port & 3); nothing there reads as all ones
 * Other byte/word accesses to 0xcf8-0xcfb are ignored (read 0xff).
 *
 * Bus 0 holds 00:00.0 the host bridge (8086:1237, class 0x0600) and
 * 00:01.0 a PIIX3 ISA bridge (8086:7000, class 0x0601, multi-function).
 */
#ifndef HW_PCI_HOST_I440FX_H
#define HW_PCI_HOST_I440FX_H

#include "hw/pci/pci.h"

#define TYPE_I440FX_PCI_HOST_BRIDGE "i440FX-pcihost"
#define TYPE_I440FX_PCI_DEVICE "i440FX"
#define TYPE_PIIX3_PCI_DEVICE "PIIX3"

#define PCI_HOST_CONF1_ADDR 0xcf8
#define PCI_HOST_CONF1_LEN  8

typedef struct PCIHostState {
    uint32_t config_reg;
    uint8_t rcr;             /* 0xcf9 reset control */
    PCIBus *bus;
    void (*reset_request)(void *opaque);
    void *opaque;
} PCIHostState;

void pci_host_init(PCIHostState *s, PCIBus *bus,
                   void (*reset_request)(void *opaque), void *opaque);
/** pci_host_conf1_read/write: @addr 0-7 relative to 0xcf8. */
uint32_t pci_host_conf1_read(PCIHostState *s, int addr, unsigned size);
void pci_host_conf1_write(PCIHostState *s, int addr, uint32_t val,
                          unsigned size);

/**
 * i440fx_create_bridges: attach the host bridge (00:00.0) and the PIIX3
 * ISA bridge (00:01.0) devices to @bus.
 */
bool i440fx_create_bridges(PCIBus *bus, Error **errp);

extern const PCIDeviceIds i440fx_ids;
extern const PCIDeviceIds piix3_ids;
/** piix3_init_config: PIIX3-specific config registers. */
void piix3_init_config(PCIDevice *isa);

/* ---- the QOM host bridge (hw/pci-host/i440fx.c) ---- */

/**
 * i440fx_host_new: the host bridge device: creates bus 0 (BARs map into
 * system memory/I/O, it becomes the default bus for -device), conf1 at
 * 0xcf8 and the i440FX/PIIX3 functions.  The machine then routes INTx
 * (pci_bus_irqs) and MSI (pci_bus_set_msi) on i440fx_host_get_bus().
 */
DeviceState *i440fx_host_new(Error **errp);
PCIBus *i440fx_host_get_bus(DeviceState *host);
/**
 * i440fx_host_route_intx: route INTx of bus 0 to @gsi (the IOAPIC's 24
 * inputs) with the pc swizzle of include/hw/i386/acpi-build.h:
 * slot S pin P -> GSI 16 + ((S + P) & 7), as the _PRT and MP table say.
 */
void i440fx_host_route_intx(DeviceState *host, qemu_irq *gsi);

#endif
