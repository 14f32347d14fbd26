/*
 * PCI bus and device core (conventional PCI, 256-byte config space,
 * type 0 headers, one bus).
 *
 * Config space: every device has config[256] plus per-byte masks:
 *   wmask    bits the guest may change
 *   w1cmask  bits cleared by writing 1 (status error bits)
 *   used     bytes owned by the header or a capability (for placement)
 * pci_default_write_config() applies those masks and then reacts to the
 * registers it changed: BARs or COMMAND -> re-map BARs, COMMAND's
 * INTx-disable -> re-evaluate the interrupt line, the MSI-X message
 * control -> re-check pending vectors.
 *
 * BARs: pci_register_bar() gives a power-of-two MemoryRegion (the device
 * may put subregions in it, e.g. the MSI-X table).  The BAR's wmask keeps
 * the low size bits and the type bits read-only, which is the sizing
 * protocol: writing all ones reads back ~(size - 1) | type.  A BAR is
 * mapped into the bus's memory or I/O container at its address when the
 * matching COMMAND decode bit is on and the address is valid (not zero,
 * not the all-ones sizing value, inside the 64 KiB I/O or 4 GiB/64-bit
 * memory space), and moved or unmapped whenever that changes.
 *
 * INTx: a device drives its pin (config 0x3d, 1 = INTA) with
 * pci_set_irq(); the bus maps (slot, pin) to one of its IRQ lines with
 * the machine's map function and ORs the devices sharing a line.
 * MSI-X (hw/pci/msix.c) delivers through the bus's msi_deliver hook.
 *
 * Config hooks: a device may override config_read/config_write and call
 * the defaults for the standard part.  All callbacks run under the BQL.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "exec/memory.h"
#include "hw/irq.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci_regs.h"
#include "migration/vmstate.h"

#define PCI_DEVFN(slot, func)   ((((slot) & 0x1f) << 3) | ((func) & 0x07))
#define PCI_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)         ((devfn) & 0x07)
#define PCI_DEVFN_MAX           256
#define PCI_NUM_REGIONS         6
#define PCI_NUM_PINS            4
#define PCI_BAR_UNMAPPED        (~(uint64_t)0)

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "PCI"

typedef struct PCIBus PCIBus;
OBJECT_DECLARE_TYPE(PCIDevice, PCIDeviceClass, PCI_DEVICE)

typedef uint32_t PCIConfigReadFunc(PCIDevice *d, uint32_t addr, int len);
typedef void PCIConfigWriteFunc(PCIDevice *d, uint32_t addr, uint32_t val,
                                int len);
/* Machine routing: which bus IRQ line (slot, pin 0..3) raises. */
typedef int PCIMapIRQFunc(void *opaque, int devfn, int pin);
/* MSI/MSI-X message delivery (the LAPIC's apic_deliver_msi). */
typedef void PCIMSIDeliverFunc(void *opaque, uint64_t addr, uint32_t data);

typedef struct PCIIORegion {
    uint64_t addr;           /* mapped address or PCI_BAR_UNMAPPED */
    uint64_t size;           /* 0: BAR not implemented */
    uint8_t type;            /* PCI_BASE_ADDRESS_* flag bits */
    MemoryRegion *memory;
} PCIIORegion;

/* Identity of a device model (the PCIDeviceClass fields). */
typedef struct PCIDeviceIds {
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;       /* class << 8 | subclass */
    uint8_t prog_if;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    uint8_t header_type;     /* 0, or PCI_HEADER_TYPE_MULTI_FUNCTION */
    uint8_t interrupt_pin;   /* 0 none, 1 = INTA .. 4 = INTD */
} PCIDeviceIds;

/*
 * PCIDeviceClass: what a PCI device model fills in its class_init.
 * @realize: device set-up after the config header exists (add BARs,
 *           capabilities, set config[PCI_INTERRUPT_PIN]); @exit undoes it
 * @config_read/@config_write: optional hooks (call the defaults for the
 *           standard registers)
 * Subclasses overriding DeviceClass.reset must call pci_device_reset().
 */
struct PCIDeviceClass {
    DeviceClass parent_class;

    void (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
};

struct PCIDevice {
    DeviceState qdev;        /* first: a PCIDevice is a QOM device */
    bool multifunction;      /* property "multifunction" */
    /* accepted for command-line compatibility with QEMU, not used */
    char *romfile;
    uint32_t romsize;
    uint32_t rombar;
    bool pcie_lnksta_dllla;
    bool pcie_extcap_init;
    char *failover_pair_id;
    uint32_t acpi_index;
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE];
    uint8_t used[PCI_CONFIG_SPACE_SIZE];
    PCIBus *bus;
    int32_t devfn;           /* property "addr": SLOT[.FN], -1 = any */
    const char *name;
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    PCIConfigReadFunc *config_read;
    PCIConfigWriteFunc *config_write;
    int irq_state;           /* level the device drives on its pin */
    int intx_sent;           /* contribution counted on the bus line */
    uint8_t config_before_load[PCI_CONFIG_SPACE_SIZE];
    /* MSI-X (hw/pci/msix.c) */
    int msix_cap;            /* capability offset, 0: none */
    int msix_entries_nr;
    uint8_t *msix_table;     /* entries * 16 bytes */
    uint8_t *msix_pba;       /* pending bits */
    MemoryRegion msix_table_mmio;
    MemoryRegion msix_pba_mmio;
    MemoryRegion *msix_exclusive_bar;
    bool msix_function_masked;
};

struct PCIBus {
    PCIDevice *devices[PCI_DEVFN_MAX];
    MemoryRegion *address_space_mem;
    MemoryRegion *address_space_io;
    PCIMapIRQFunc *map_irq;
    void *irq_opaque;
    qemu_irq *irqs;
    int nirq;
    int *irq_count;          /* devices asserting each line */
    PCIMSIDeliverFunc *msi_deliver;
    void *msi_opaque;
};

/* ---- bus ---- */

/** pci_bus_new: a bus mapping BARs into @mem and @io containers. */
PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io);
/**
 * pci_bus_free: free @bus (NULL is ignored).  Every device must have been
 * detached first; the devices and the IRQ lines given to pci_bus_irqs()
 * belong to the caller.
 */
void pci_bus_free(PCIBus *bus);
/**
 * pci_bus_irqs: INTx routing: @map_irq(opaque, devfn, pin) picks one of
 * the @nirq lines in @irqs (the IOAPIC's GSIs on the pc machine).
 */
void pci_bus_irqs(PCIBus *bus, PCIMapIRQFunc *map_irq, void *opaque,
                  qemu_irq *irqs, int nirq);
/** pci_bus_set_msi: where MSI/MSI-X messages go. */
void pci_bus_set_msi(PCIBus *bus, PCIMSIDeliverFunc *fn, void *opaque);
/** pci_bus_find_free_devfn: first free slot (function 0), or -1. */
int pci_bus_find_free_devfn(PCIBus *bus);
PCIDevice *pci_find_device(PCIBus *bus, int devfn);
/** pci_bus_deliver_msi: send one message (MSI-X code and tests). */
void pci_bus_deliver_msi(PCIBus *bus, uint64_t addr, uint32_t data);

/* ---- device life cycle ---- */

/**
 * pci_device_attach: initialise @d's config space from @ids and plug it
 * in at @devfn (-1: first free slot).  Fails if the slot is taken.
 */
bool pci_device_attach(PCIDevice *d, PCIBus *bus, int devfn,
                       const char *name, const PCIDeviceIds *ids,
                       Error **errp);
/** pci_device_detach: unmap BARs and unplug. */
void pci_device_detach(PCIDevice *d);
/** pci_device_reset: COMMAND/BARs/INTx back to power-on, BARs unmapped. */
void pci_device_reset(PCIDevice *d);

/**
 * pci_register_bar: BAR @region_num backed by @mr (size = @mr's size,
 * a power of two; I/O BARs at least 4 bytes, memory BARs 16).  @type is
 * PCI_BASE_ADDRESS_SPACE_IO or a memory type with MEM_TYPE_64/PREFETCH.
 * A 64-bit BAR also occupies the next BAR slot.
 */
void pci_register_bar(PCIDevice *d, int region_num, uint8_t type,
                      MemoryRegion *mr);
/** pci_get_bar_addr: the mapped address or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *d, int region_num);

/* ---- config space ---- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, int len);
void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              int len);
/** pci_config_read/write: through the device's hooks (host bridges). */
uint32_t pci_config_read(PCIDevice *d, uint32_t addr, int len);
void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int len);

/**
 * pci_add_capability: link a capability of @size bytes with @cap_id at
 * @offset (0: the first free dword-aligned spot after the header).
 * Returns the offset, or -1 with @errp set when it does not fit/overlaps.
 */
int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp);
/** pci_find_capability: offset of the first @cap_id, or 0. */
uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id);

/* ---- INTx ---- */

/** pci_set_irq: drive the device's INTx pin. */
void pci_set_irq(PCIDevice *d, int level);
static inline void pci_irq_assert(PCIDevice *d)
{
    pci_set_irq(d, 1);
}
static inline void pci_irq_deassert(PCIDevice *d)
{
    pci_set_irq(d, 0);
}

/* ---- QOM glue (hw/pci/pci-device.c) ---- */

/**
 * pci_bus_set_default / pci_bus_default: the bus -device PCI devices plug
 * into (the pc machine has one, created by the host bridge).
 */
void pci_bus_set_default(PCIBus *bus);
PCIBus *pci_bus_default(void);
/** pci_create_simple: create and realize @type at @devfn (-1: any). */
PCIDevice *pci_create_simple(const char *type, int devfn, Error **errp);
/** pci_device_post_load: re-derive BAR mappings and INTx after a load. */
void pci_device_post_load(PCIDevice *d);

/*
 * Migration: embed a PCIDevice as "VMSTATE_PCI_DEVICE(parent_obj, Foo)"
 * and its MSI-X state as "VMSTATE_MSIX(parent_obj, Foo)"; call
 * pci_device_post_load() from the device's post_load (it is also called
 * by the nested description).
 */
extern const VMStateDescription vmstate_pci_device;
extern const VMStateDescription vmstate_msix;
#define VMSTATE_PCI_DEVICE(_field, _state) \
    VMSTATE_STRUCT(_field, _state, 1, vmstate_pci_device, PCIDevice)
#define VMSTATE_MSIX(_field, _state) \
    VMSTATE_STRUCT(_field, _state, 1, vmstate_msix, PCIDevice)

/* ---- little-endian config accessors ---- */

static inline void pci_set_byte(uint8_t *p, uint8_t v)
{
    p[0] = v;
}
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}
static inline void pci_set_quad(uint8_t *p, uint64_t v)
{
    pci_set_long(p, v);
    pci_set_long(p + 4, v >> 32);
}
static inline uint8_t pci_get_byte(const uint8_t *p)
{
    return p[0];
}
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t pci_get_quad(const uint8_t *p)
{
    return pci_get_long(p) | ((uint64_t)pci_get_long(p + 4) << 32);
}

#endif
