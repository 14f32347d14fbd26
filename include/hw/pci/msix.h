/*
 * MSI-X (PCI 3.0 section 6.8.2): a capability in config space pointing at
 * a vector table and a pending-bit array (PBA) that live in memory BARs.
 *
 *   table entry n (16 bytes at table_offset + 16 n): address low, address
 *   high, data, vector control (bit 0 = masked; set at reset)
 *   PBA bit n: vector n fired while masked
 * A vector is masked when its mask bit or the function mask (message
 * control bit 14) is set; firing it then sets its PBA bit, and the
 * message is sent when it becomes unmasked.  Nothing is sent while
 * MSI-X is disabled (message control bit 15) or bus mastering is off
 * (COMMAND bit 2: the message is a DMA write of the device).
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

/**
 * msix_init: add the capability (@cap_pos 0: anywhere) for @nentries
 * vectors with the table at @table_offset of BAR @table_bar (whose region
 * is @table_bar_mr) and the PBA at @pba_offset of BAR @pba_bar
 * (@pba_bar_mr).  The table and PBA regions become subregions of those.
 */
bool msix_init(PCIDevice *d, unsigned short nentries,
               MemoryRegion *table_bar_mr, uint8_t table_bar,
               uint32_t table_offset, MemoryRegion *pba_bar_mr,
               uint8_t pba_bar, uint32_t pba_offset, uint8_t cap_pos,
               Error **errp);
/**
 * msix_init_exclusive_bar: a memory BAR @bar_nr of its own holding the
 * table at 0 and the PBA after it (page aligned), as QEMU's virtio does.
 */
bool msix_init_exclusive_bar(PCIDevice *d, unsigned short nentries,
                             uint8_t bar_nr, Error **errp);
void msix_uninit(PCIDevice *d);
bool msix_present(PCIDevice *d);
bool msix_enabled(PCIDevice *d);
bool msix_is_masked(PCIDevice *d, unsigned vector);
/** msix_notify: fire @vector (pending if masked, dropped if disabled). */
void msix_notify(PCIDevice *d, unsigned vector);
/** msix_reset: mask every vector, clear PBA, disable. */
void msix_reset(PCIDevice *d);
/** msix_write_config: called by pci_default_write_config. */
void msix_write_config(PCIDevice *d, uint32_t addr, uint32_t val, int len);
/** msix_get_message: address/data programmed for @vector. */
void msix_get_message(PCIDevice *d, unsigned vector, uint64_t *addr,
                      uint32_t *data);

#endif
