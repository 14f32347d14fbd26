/*
 * MSI-X capability, vector table and PBA.  See include/hw/pci/msix.h.
 */
#include "qemu/osdep.h"
#include "hw/pci/msix.h"
#include "migration/qemu-file.h"

static uint16_t msix_control(PCIDevice *d)
{
    return pci_get_word(d->config + d->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(PCIDevice *d)
{
    return d->msix_cap != 0;
}

bool msix_enabled(PCIDevice *d)
{
    return msix_present(d) && (msix_control(d) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_function_masked(PCIDevice *d)
{
    return msix_control(d) & PCI_MSIX_FLAGS_MASKALL;
}

static bool msix_vector_masked(PCIDevice *d, unsigned vector)
{
    uint8_t *e = d->msix_table + vector * PCI_MSIX_ENTRY_SIZE;

    return e[PCI_MSIX_ENTRY_VECTOR_CTRL] & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(PCIDevice *d, unsigned vector)
{
    return msix_function_masked(d) || msix_vector_masked(d, vector);
}

static bool msix_pending(PCIDevice *d, unsigned vector)
{
    return d->msix_pba[vector / 8] & (1 << (vector % 8));
}

static void msix_set_pending(PCIDevice *d, unsigned vector, bool on)
{
    if (on) {
        d->msix_pba[vector / 8] |= 1 << (vector % 8);
    } else {
        d->msix_pba[vector / 8] &= ~(1 << (vector % 8));
    }
}

void msix_get_message(PCIDevice *d, unsigned vector, uint64_t *addr,
                      uint32_t *data)
{
    uint8_t *e = d->msix_table + vector * PCI_MSIX_ENTRY_SIZE;

    *addr = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR);
    *data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
}

static void msix_send(PCIDevice *d, unsigned vector)
{
    uint64_t addr;
    uint32_t data;

    /* an MSI is a memory write by the device: needs bus mastering */
    if (!(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
        return;
    }
    msix_get_message(d, vector, &addr, &data);
    pci_bus_deliver_msi(d->bus, addr, data);
}

void msix_notify(PCIDevice *d, unsigned vector)
{
    if (!msix_enabled(d) || vector >= d->msix_entries_nr) {
        return;
    }
    if (msix_is_masked(d, vector)) {
        msix_set_pending(d, vector, true);
        return;
    }
    msix_send(d, vector);
}

/* A vector may have become unmasked: send what is pending. */
static void msix_handle_unmask(PCIDevice *d, unsigned vector)
{
    if (msix_enabled(d) && !msix_is_masked(d, vector) &&
        msix_pending(d, vector)) {
        msix_set_pending(d, vector, false);
        msix_send(d, vector);
    }
}

void msix_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    unsigned v;

    if (!msix_present(d) ||
        addr + len <= d->msix_cap + PCI_MSIX_FLAGS ||
        addr > d->msix_cap + PCI_MSIX_FLAGS + 1) {
        return;
    }
    for (v = 0; v < d->msix_entries_nr; v++) {
        msix_handle_unmask(d, v);
    }
}

/* ---- table and PBA MMIO ---- */

static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *d = opaque;
    uint32_t len = d->msix_entries_nr * PCI_MSIX_ENTRY_SIZE;

    if (size != 4 || addr + 4 > len) {
        return size == 8 && addr + 8 <= len ?
               pci_get_quad(d->msix_table + addr) : 0;
    }
    return pci_get_long(d->msix_table + addr);
}

static void msix_table_write_long(PCIDevice *d, hwaddr addr, uint32_t val)
{
    unsigned vector = addr / PCI_MSIX_ENTRY_SIZE;

    if ((addr % PCI_MSIX_ENTRY_SIZE) == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;     /* other bits reserved */
    }
    pci_set_long(d->msix_table + addr, val);
    msix_handle_unmask(d, vector);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PCIDevice *d = opaque;
    uint32_t len = d->msix_entries_nr * PCI_MSIX_ENTRY_SIZE;

    if ((size != 4 && size != 8) || (addr & (size - 1)) ||
        addr + size > len) {
        return;              /* unaligned or odd-sized: ignored */
    }
    msix_table_write_long(d, addr, val);
    if (size == 8) {
        msix_table_write_long(d, addr + 4, val >> 32);
    }
}

static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .min_access_size = 4,
    .max_access_size = 8,
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *d = opaque;
    uint32_t len = QEMU_ALIGN_UP(d->msix_entries_nr, 64) / 8;
    uint64_t val = 0;
    unsigned i;

    for (i = 0; i < size && addr + i < len; i++) {
        val |= (uint64_t)d->msix_pba[addr + i] << (8 * i);
    }
    return val;
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    /* the PBA is read-only */
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .min_access_size = 4,
    .max_access_size = 8,
};

/* ---- set-up ---- */

void msix_reset(PCIDevice *d)
{
    unsigned v;

    if (!msix_present(d)) {
        return;
    }
    pci_set_word(d->config + d->msix_cap + PCI_MSIX_FLAGS,
                 msix_control(d) &
                 ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    memset(d->msix_table, 0, d->msix_entries_nr * PCI_MSIX_ENTRY_SIZE);
    for (v = 0; v < d->msix_entries_nr; v++) {
        d->msix_table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL] =
            PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
    memset(d->msix_pba, 0, QEMU_ALIGN_UP(d->msix_entries_nr, 64) / 8);
}

bool msix_init(PCIDevice *d, unsigned short nentries,
               MemoryRegion *table_bar_mr, uint8_t table_bar,
               uint32_t table_offset, MemoryRegion *pba_bar_mr,
               uint8_t pba_bar, uint32_t pba_offset, uint8_t cap_pos,
               Error **errp)
{
    uint32_t table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    uint32_t pba_size = QEMU_ALIGN_UP(nentries, 64) / 8;
    uint8_t *cfg;
    int cap;

    if (nentries < 1 || nentries > 2048) {
        error_setg(errp, "MSI-X: invalid number of vectors %u", nentries);
        return false;
    }
    if (table_bar >= PCI_NUM_REGIONS || pba_bar >= PCI_NUM_REGIONS ||
        (table_offset & 7) || (pba_offset & 7) ||
        table_offset + table_size > table_bar_mr->size ||
        pba_offset + pba_size > pba_bar_mr->size ||
        (table_bar == pba_bar && table_offset < pba_offset + pba_size &&
         pba_offset < table_offset + table_size)) {
        error_setg(errp, "MSI-X: table or PBA does not fit in its BAR");
        return false;
    }
    cap = pci_add_capability(d, PCI_CAP_ID_MSIX, cap_pos, PCI_MSIX_CAP_SIZE,
                             errp);
    if (cap < 0) {
        return false;
    }
    d->msix_cap = cap;
    d->msix_entries_nr = nentries;
    d->msix_table = g_malloc0(table_size);
    d->msix_pba = g_malloc0(pba_size);
    cfg = d->config + cap;
    pci_set_word(cfg + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(cfg + PCI_MSIX_TABLE, table_offset | table_bar);
    pci_set_long(cfg + PCI_MSIX_PBA, pba_offset | pba_bar);
    /* only enable and function mask are writable */
    d->wmask[cap + PCI_MSIX_FLAGS + 1] =
        (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) >> 8;
    memory_region_init_io(&d->msix_table_mmio, &msix_table_ops, d,
                          "msix-table", table_size);
    memory_region_add_subregion(table_bar_mr, table_offset,
                                &d->msix_table_mmio);
    memory_region_init_io(&d->msix_pba_mmio, &msix_pba_ops, d, "msix-pba",
                          pba_size);
    memory_region_add_subregion(pba_bar_mr, pba_offset, &d->msix_pba_mmio);
    msix_reset(d);
    return true;
}

bool msix_init_exclusive_bar(PCIDevice *d, unsigned short nentries,
                             uint8_t bar_nr, Error **errp)
{
    uint32_t table_size = nentries * PCI_MSIX_ENTRY_SIZE;
    uint32_t pba_offset = QEMU_ALIGN_UP(table_size, 4096);
    uint32_t pba_size = QEMU_ALIGN_UP(nentries, 64) / 8;
    uint64_t bar_size = 4096;
    MemoryRegion *bar;

    while (bar_size < pba_offset + pba_size) {
        bar_size <<= 1;
    }
    bar = g_new0(MemoryRegion, 1);
    memory_region_init(bar, "msix-bar", bar_size);
    if (!msix_init(d, nentries, bar, bar_nr, 0, bar, bar_nr, pba_offset, 0,
                   errp)) {
        g_free(bar);
        return false;
    }
    d->msix_exclusive_bar = bar;
    pci_register_bar(d, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY, bar);
    return true;
}

void msix_uninit(PCIDevice *d)
{
    if (!msix_present(d)) {
        return;
    }
    memory_region_del_subregion(d->msix_table_mmio.parent,
                                &d->msix_table_mmio);
    memory_region_del_subregion(d->msix_pba_mmio.parent, &d->msix_pba_mmio);
    g_free(d->msix_table);
    g_free(d->msix_pba);
    d->msix_table = d->msix_pba = NULL;
    d->msix_cap = 0;
    d->msix_entries_nr = 0;
    g_free(d->msix_exclusive_bar);
    d->msix_exclusive_bar = NULL;
}

/* ---- migration ---- */

/*
 * The table and PBA travel as "be32 length, bytes"; the length must match
 * this device's vector count, so the stream can never resize them.
 */
static bool msix_state_put(QEMUFile *f, void *pv, size_t size,
                           const VMStateField *field, Error **errp)
{
    PCIDevice *d = pv;
    uint32_t tlen = d->msix_entries_nr * PCI_MSIX_ENTRY_SIZE;
    uint32_t plen = QEMU_ALIGN_UP(d->msix_entries_nr, 64) / 8;

    qemu_put_be32(f, tlen);
    qemu_put_buffer(f, d->msix_table, tlen);
    qemu_put_be32(f, plen);
    qemu_put_buffer(f, d->msix_pba, plen);
    return true;
}

static bool msix_state_get(QEMUFile *f, void *pv, size_t size,
                           const VMStateField *field, Error **errp)
{
    PCIDevice *d = pv;
    uint32_t tlen = d->msix_entries_nr * PCI_MSIX_ENTRY_SIZE;
    uint32_t plen = QEMU_ALIGN_UP(d->msix_entries_nr, 64) / 8;

    if (qemu_get_be32(f) != tlen) {
        error_setg(errp, "MSI-X table size mismatch");
        return false;
    }
    qemu_get_buffer(f, d->msix_table, tlen);
    if (qemu_get_be32(f) != plen) {
        error_setg(errp, "MSI-X PBA size mismatch");
        return false;
    }
    qemu_get_buffer(f, d->msix_pba, plen);
    return qemu_file_get_error(f) == 0;
}

static const VMStateInfo vmstate_info_msix = {
    .name = "msix",
    .get = msix_state_get,
    .put = msix_state_put,
};

const VMStateDescription vmstate_msix = {
    .name = "msix",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        {
            .name = "msix",
            .version_id = 0,
            .size = sizeof(PCIDevice),
            .info = &vmstate_info_msix,
            .flags = VMS_SINGLE,
            .offset = 0,
        },
        VMSTATE_END_OF_LIST()
    },
};
