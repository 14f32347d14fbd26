/*
 * I/O APIC (82093AA-style, version 0x20, 24 pins) at 0xfec00000.
 *
 * MMIO: 0x00 IOREGSEL (index), 0x10 IOWIN (data), 0x40 EOI (version 0x20:
 * writing a vector clears the remote IRR of matching level pins).
 * Indirect registers: 0x00 ID (bits 27:24), 0x01 version
 * (0x20 | (pins - 1) << 16), 0x02 arbitration, 0x10 + 2n / 0x11 + 2n the
 * low / high half of redirection entry n:
 *   7:0 vector  10:8 delivery mode  11 dest mode (1 logical)
 *   12 delivery status (RO)  13 polarity (ignored: our lines are active
 *   high)  14 remote IRR (RO)  15 trigger (1 level)  16 mask  63:56 dest
 *
 * Delivery: an unmasked rising edge sends a message; a level pin sends
 * while asserted and remote IRR is clear, and sets remote IRR until the
 * LAPIC broadcasts the EOI of that vector.  Edges that arrive while the
 * pin is masked are kept pending and sent on unmask.  Messages use the
 * MSI format (see apic_deliver_msi) through the @deliver hook.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "migration/vmstate.h"

#define TYPE_IOAPIC "ioapic"

#define IOAPIC_DEFAULT_ADDRESS 0xfec00000ULL
#define IOAPIC_NUM_PINS        24
#define IOAPIC_VERSION         0x20

#define IOAPIC_LVT_MASKED      (1ULL << 16)
#define IOAPIC_LVT_TRIGGER     (1ULL << 15)
#define IOAPIC_LVT_REMOTE_IRR  (1ULL << 14)
#define IOAPIC_LVT_DELIV_STATUS (1ULL << 12)
#define IOAPIC_LVT_DEST_MODE   (1ULL << 11)

typedef void IOAPICDeliverFn(void *opaque, uint64_t addr, uint32_t data);

typedef struct IOAPICState {
    uint8_t id;
    uint8_t ioregsel;
    uint32_t irr;            /* pins with a pending request */
    uint32_t level;          /* current input levels */
    uint64_t ioredtbl[IOAPIC_NUM_PINS];
    IOAPICDeliverFn *deliver;
    void *opaque;
} IOAPICState;

/** ioapic_core_init: @deliver receives each interrupt message. */
void ioapic_core_init(IOAPICState *s, IOAPICDeliverFn *deliver,
                      void *opaque);
void ioapic_core_reset(IOAPICState *s);
/** ioapic_set_irq: drive pin @pin (0-23, the GSI) to @level. */
void ioapic_set_irq(IOAPICState *s, int pin, int level);
/** ioapic_irq_handler: qemu_irq handler form of ioapic_set_irq. */
void ioapic_irq_handler(void *opaque, int pin, int level);
/** ioapic_eoi_broadcast: the LAPIC EOI'd a level-triggered @vector. */
void ioapic_eoi_broadcast(IOAPICState *s, int vector);
uint32_t ioapic_mem_readl(IOAPICState *s, hwaddr addr);
void ioapic_mem_writel(IOAPICState *s, hwaddr addr, uint32_t val);
/** ioapic_core_post_load: re-send requests a load left pending. */
void ioapic_core_post_load(IOAPICState *s);

extern const VMStateDescription vmstate_ioapic_core;

#endif
