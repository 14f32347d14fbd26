/*
 * PCI core: config space with masks, BAR sizing and mapping, capability
 * list, INTx routing.  See include/hw/pci/pci.h.
 */
#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "hw/pci/msix.h"
#include "migration/vmstate.h"

/* ---- bus ---- */

PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->address_space_mem = mem;
    bus->address_space_io = io;
    return bus;
}

void pci_bus_free(PCIBus *bus)
{
    int devfn;

    if (!bus) {
        return;
    }
    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        assert(!bus->devices[devfn]);
    }
    g_free(bus->irq_count);
    g_free(bus);
}

void pci_bus_irqs(PCIBus *bus, PCIMapIRQFunc *map_irq, void *opaque,
                  qemu_irq *irqs, int nirq)
{
    bus->map_irq = map_irq;
    bus->irq_opaque = opaque;
    bus->irqs = irqs;
    bus->nirq = nirq;
    g_free(bus->irq_count);
    bus->irq_count = g_new0(int, nirq);
}

void pci_bus_set_msi(PCIBus *bus, PCIMSIDeliverFunc *fn, void *opaque)
{
    bus->msi_deliver = fn;
    bus->msi_opaque = opaque;
}

void pci_bus_deliver_msi(PCIBus *bus, uint64_t addr, uint32_t data)
{
    if (bus && bus->msi_deliver) {
        bus->msi_deliver(bus->msi_opaque, addr, data);
    }
}

int pci_bus_find_free_devfn(PCIBus *bus)
{
    int devfn;

    for (devfn = 0; devfn < PCI_DEVFN_MAX; devfn += 8) {
        if (!bus->devices[devfn]) {
            return devfn;
        }
    }
    return -1;
}

PCIDevice *pci_find_device(PCIBus *bus, int devfn)
{
    if (!bus || devfn < 0 || devfn >= PCI_DEVFN_MAX) {
        return NULL;
    }
    return bus->devices[devfn];
}

/* ---- INTx ---- */

static int pci_intx_pin(PCIDevice *d)
{
    return d->config[PCI_INTERRUPT_PIN] - 1;     /* -1: no pin */
}

static bool pci_intx_disabled(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

/* Add @change (+1/-1) to the line @d's pin is routed to. */
static void pci_bus_change_irq(PCIDevice *d, int change)
{
    PCIBus *bus = d->bus;
    int pin = pci_intx_pin(d), line, old;

    if (!bus || !bus->map_irq || pin < 0 || pin >= PCI_NUM_PINS) {
        return;
    }
    line = bus->map_irq(bus->irq_opaque, d->devfn, pin);
    if (line < 0 || line >= bus->nirq) {
        return;
    }
    old = bus->irq_count[line];
    bus->irq_count[line] += change;
    if (!old != !bus->irq_count[line]) {
        qemu_set_irq(bus->irqs[line], bus->irq_count[line] != 0);
    }
}

/* Level the device currently presents to the bus. */
static int pci_irq_effective(PCIDevice *d)
{
    return d->irq_state && !pci_intx_disabled(d);
}

/* Make the bus count match what @d presents now. */
static void pci_intx_sync(PCIDevice *d)
{
    int want = pci_irq_effective(d);

    if (want != d->intx_sent) {
        pci_bus_change_irq(d, want ? 1 : -1);
        d->intx_sent = want;
    }
}

void pci_set_irq(PCIDevice *d, int level)
{
    level = !!level;
    d->irq_state = level;
    if (level) {
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    pci_intx_sync(d);
}

/* ---- BARs ---- */

static int pci_bar_offset(int region_num)
{
    return PCI_BASE_ADDRESS_0 + region_num * 4;
}

void pci_register_bar(PCIDevice *d, int region_num, uint8_t type,
                      MemoryRegion *mr)
{
    PCIIORegion *r = &d->io_regions[region_num];
    uint64_t size = mr->size, wmask;
    int off = pci_bar_offset(region_num);
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (type & PCI_BASE_ADDRESS_MEM_TYPE_64);

    assert(region_num >= 0 && region_num < PCI_NUM_REGIONS);
    assert(size && !(size & (size - 1)));
    assert(!is64 || region_num < PCI_NUM_REGIONS - 1);
    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        size = MAX(size, 4);
    } else {
        size = MAX(size, 16);
    }
    r->size = size;
    r->type = type;
    r->memory = mr;
    r->addr = PCI_BAR_UNMAPPED;
    wmask = ~(size - 1);
    pci_set_long(d->config + off, type);
    pci_set_long(d->wmask + off, (uint32_t)wmask);
    if (is64) {
        pci_set_long(d->config + off + 4, 0);
        pci_set_long(d->wmask + off + 4, wmask >> 32);
    }
}

/* Address the BAR asks for, or PCI_BAR_UNMAPPED when it must not map. */
static uint64_t pci_bar_address(PCIDevice *d, int region_num)
{
    PCIIORegion *r = &d->io_regions[region_num];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    int off = pci_bar_offset(region_num);
    uint64_t addr, last;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(d->config + off) & ~(r->size - 1) & ~3ULL;
        last = addr + r->size - 1;
        if (!addr || last < addr || last > 0xffff) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr = pci_get_quad(d->config + off);
    } else {
        addr = pci_get_long(d->config + off);
    }
    addr &= ~(r->size - 1) & PCI_BASE_ADDRESS_MEM_MASK;
    last = addr + r->size - 1;
    if (!addr || last < addr) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last >= 0xffffffffULL) {
        return PCI_BAR_UNMAPPED;   /* includes the all-ones sizing value */
    }
    if ((r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
        last >= 0xffffffffffffffffULL - 0xfff) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static MemoryRegion *pci_bar_container(PCIDevice *d, int region_num)
{
    if (d->io_regions[region_num].type & PCI_BASE_ADDRESS_SPACE_IO) {
        return d->bus->address_space_io;
    }
    return d->bus->address_space_mem;
}

static void pci_update_mappings(PCIDevice *d)
{
    int i;

    if (!d->bus) {
        return;
    }
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        MemoryRegion *container;
        uint64_t addr;

        if (!r->size) {
            continue;
        }
        addr = pci_bar_address(d, i);
        if (addr == r->addr) {
            continue;
        }
        container = pci_bar_container(d, i);
        if (r->addr != PCI_BAR_UNMAPPED && container) {
            memory_region_del_subregion(container, r->memory);
        }
        r->addr = addr;
        if (addr != PCI_BAR_UNMAPPED && container) {
            memory_region_add_subregion_overlap(container, addr, r->memory,
                                                1);
        }
    }
}

uint64_t pci_get_bar_addr(PCIDevice *d, int region_num)
{
    return d->io_regions[region_num].addr;
}

/* ---- config space ---- */

uint32_t pci_default_read_config(PCIDevice *d, uint32_t addr, int len)
{
    uint32_t val = 0;
    int i;

    for (i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        val |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return val;
}

static bool range_covers(uint32_t addr, int len, uint32_t start,
                         uint32_t size)
{
    return addr < start + size && start < addr + len;
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              int len)
{
    int i;

    for (i = 0; i < len && addr + i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[addr + i], w1c = d->w1cmask[addr + i];

        d->config[addr + i] = (d->config[addr + i] & ~wm) | (b & wm);
        d->config[addr + i] &= ~(b & w1c);
    }
    if (range_covers(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        range_covers(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(d);
    }
    if (range_covers(addr, len, PCI_COMMAND, 2)) {
        pci_intx_sync(d);
    }
    if (d->msix_cap) {
        msix_write_config(d, addr, val, len);
    }
}

uint32_t pci_config_read(PCIDevice *d, uint32_t addr, int len)
{
    if (addr >= PCI_CONFIG_SPACE_SIZE || addr + len > PCI_CONFIG_SPACE_SIZE) {
        return ~0U;
    }
    if (d->config_read) {
        return d->config_read(d, addr, len);
    }
    return pci_default_read_config(d, addr, len);
}

void pci_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    if (addr >= PCI_CONFIG_SPACE_SIZE || addr + len > PCI_CONFIG_SPACE_SIZE) {
        return;
    }
    if (d->config_write) {
        d->config_write(d, addr, val, len);
    } else {
        pci_default_write_config(d, addr, val, len);
    }
}

/* ---- capabilities ---- */

static int pci_find_space(PCIDevice *d, uint8_t size)
{
    int off, i;

    for (off = PCI_CONFIG_HEADER_SIZE; off + size <= PCI_CONFIG_SPACE_SIZE;
         off += 4) {
        for (i = 0; i < size && !d->used[off + i]; i++) {
            continue;
        }
        if (i == size) {
            return off;
        }
    }
    return -1;
}

int pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp)
{
    int off = offset, i;

    if (size < 2) {
        error_setg(errp, "capability 0x%x is too small", cap_id);
        return -1;
    }
    if (!off) {
        off = pci_find_space(d, size);
        if (off < 0) {
            error_setg(errp, "no room for capability 0x%x in config space",
                       cap_id);
            return -1;
        }
    } else {
        if (off < PCI_CONFIG_HEADER_SIZE || (off & 3) ||
            off + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "capability 0x%x at invalid offset 0x%x",
                       cap_id, off);
            return -1;
        }
        for (i = 0; i < size; i++) {
            if (d->used[off + i]) {
                error_setg(errp, "capability 0x%x at 0x%x overlaps another",
                           cap_id, off);
                return -1;
            }
        }
    }
    d->config[off] = cap_id;
    d->config[off + 1] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = off;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    memset(d->used + off, 0xff, size);
    /* the capability header is read-only */
    d->wmask[off] = d->wmask[off + 1] = 0;
    return off;
}

uint8_t pci_find_capability(PCIDevice *d, uint8_t cap_id)
{
    uint8_t off = d->config[PCI_CAPABILITY_LIST];
    int hops = 0;

    while (off && hops++ < 48) {
        if (d->config[off] == cap_id) {
            return off;
        }
        off = d->config[off + 1];
    }
    return 0;
}

/* ---- device life cycle ---- */

static void pci_init_config(PCIDevice *d, const PCIDeviceIds *ids)
{
    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    memset(d->used, 0, sizeof(d->used));
    memset(d->used, 0xff, PCI_CONFIG_HEADER_SIZE);
    pci_set_word(d->config + PCI_VENDOR_ID, ids->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, ids->device_id);
    d->config[PCI_REVISION_ID] = ids->revision;
    d->config[PCI_CLASS_PROG] = ids->prog_if;
    pci_set_word(d->config + PCI_CLASS_DEVICE, ids->class_id);
    d->config[PCI_HEADER_TYPE] = ids->header_type;
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID,
                 ids->subsystem_vendor_id);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, ids->subsystem_id);
    d->config[PCI_INTERRUPT_PIN] = ids->interrupt_pin;
    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

bool pci_device_attach(PCIDevice *d, PCIBus *bus, int devfn,
                       const char *name, const PCIDeviceIds *ids,
                       Error **errp)
{
    int i;

    if (devfn < 0) {
        devfn = pci_bus_find_free_devfn(bus);
        if (devfn < 0) {
            error_setg(errp, "no free PCI slot for '%s'", name);
            return false;
        }
    } else if (devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "invalid PCI address for '%s'", name);
        return false;
    } else if (bus->devices[devfn]) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s", PCI_SLOT(devfn), PCI_FUNC(devfn), name,
                   bus->devices[devfn]->name);
        return false;
    }
    pci_init_config(d, ids);
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        d->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
    d->bus = bus;
    d->devfn = devfn;
    d->name = name;
    d->irq_state = 0;
    d->intx_sent = 0;
    bus->devices[devfn] = d;
    return true;
}

void pci_device_reset(PCIDevice *d)
{
    int i;

    pci_set_irq(d, 0);
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &d->io_regions[i];
        int off = pci_bar_offset(i);

        if (!r->size) {
            continue;
        }
        pci_set_long(d->config + off, r->type);
        if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_long(d->config + off + 4, 0);
        }
    }
    pci_update_mappings(d);
    if (d->msix_cap) {
        msix_reset(d);
    }
}

void pci_device_detach(PCIDevice *d)
{
    if (!d->bus) {
        return;
    }
    pci_set_irq(d, 0);
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_update_mappings(d);
    if (d->bus->devices[d->devfn] == d) {
        d->bus->devices[d->devfn] = NULL;
    }
    d->bus = NULL;
}

/* ---- migration ---- */

void pci_device_post_load(PCIDevice *d)
{
    d->irq_state = !!d->irq_state;
    pci_update_mappings(d);
    pci_intx_sync(d);
}

static int pci_device_vmstate_pre_load(void *opaque)
{
    PCIDevice *d = opaque;

    memcpy(d->config_before_load, d->config, sizeof(d->config));
    return 0;
}

/*
 * The stream may only differ from this device in guest-writable bits
 * (and the dynamic interrupt status bit): identity, BAR types and
 * capability layout are the model's.
 */
static bool pci_config_compatible(PCIDevice *d)
{
    int i;

    for (i = 0; i < PCI_CONFIG_SPACE_SIZE; i++) {
        uint8_t ro = ~(d->wmask[i] | d->w1cmask[i]);

        if (i == PCI_STATUS) {
            ro &= ~PCI_STATUS_INTERRUPT;
        }
        if ((d->config[i] ^ d->config_before_load[i]) & ro) {
            return false;
        }
    }
    return true;
}

static int pci_device_vmstate_post_load(void *opaque, int version_id)
{
    PCIDevice *d = opaque;

    if (!pci_config_compatible(d)) {
        memcpy(d->config, d->config_before_load, sizeof(d->config));
        return -EINVAL;
    }
    pci_device_post_load(d);
    return 0;
}

const VMStateDescription vmstate_pci_device = {
    .name = "PCIDevice",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = pci_device_vmstate_pre_load,
    .post_load = pci_device_vmstate_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_BUFFER(config, PCIDevice),
        VMSTATE_INT32(irq_state, PCIDevice),
        VMSTATE_END_OF_LIST()
    },
};
