/*
 * I/O APIC: pure redirection-table model.  See include/hw/intc/ioapic.h.
 */
#include "qemu/osdep.h"
#include "hw/intc/ioapic.h"
#include "migration/vmstate.h"

#define IOAPIC_REG_ID    0x00
#define IOAPIC_REG_VER   0x01
#define IOAPIC_REG_ARB   0x02
#define IOAPIC_REG_REDTBL_BASE 0x10

/* Writable bits of an entry (delivery status and remote IRR are RO). */
#define IOAPIC_RW_BITS (~(IOAPIC_LVT_REMOTE_IRR | IOAPIC_LVT_DELIV_STATUS))

static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t e = s->ioredtbl[pin];
    uint64_t addr = 0xfee00000ULL | ((e >> 56) << 12) |
                    ((e & IOAPIC_LVT_DEST_MODE) ? (1 << 2) : 0);
    uint32_t data = (e & 0xff) | (((e >> 8) & 7) << 8) |
                    ((e & IOAPIC_LVT_TRIGGER) ? (1 << 15) | (1 << 14) : 0);

    if (s->deliver) {
        s->deliver(s->opaque, addr, data);
    }
}

/* Send every request that can go now. */
static void ioapic_service(IOAPICState *s)
{
    int pin;

    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->ioredtbl[pin];

        if (!(s->irr & (1U << pin)) || (*e & IOAPIC_LVT_MASKED)) {
            continue;
        }
        if (*e & IOAPIC_LVT_TRIGGER) {
            if (*e & IOAPIC_LVT_REMOTE_IRR) {
                continue;
            }
            *e |= IOAPIC_LVT_REMOTE_IRR;
        } else {
            s->irr &= ~(1U << pin);
        }
        ioapic_send(s, pin);
    }
}

void ioapic_set_irq(IOAPICState *s, int pin, int level)
{
    uint32_t mask;

    if (pin < 0 || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    mask = 1U << pin;
    if (s->ioredtbl[pin] & IOAPIC_LVT_TRIGGER) {
        if (level) {
            s->irr |= mask;
        } else {
            s->irr &= ~mask;
        }
    } else if (level && !(s->level & mask)) {
        s->irr |= mask;
    }
    if (level) {
        s->level |= mask;
    } else {
        s->level &= ~mask;
    }
    ioapic_service(s);
}

void ioapic_irq_handler(void *opaque, int pin, int level)
{
    ioapic_set_irq(opaque, pin, level);
}

void ioapic_eoi_broadcast(IOAPICState *s, int vector)
{
    int pin;

    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->ioredtbl[pin];

        if ((*e & 0xff) == vector && (*e & IOAPIC_LVT_TRIGGER)) {
            *e &= ~IOAPIC_LVT_REMOTE_IRR;
        }
    }
    ioapic_service(s);
}

static uint32_t ioapic_read_indirect(IOAPICState *s)
{
    uint8_t sel = s->ioregsel;
    int pin;

    switch (sel) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:
        return (uint32_t)(s->id & 0xf) << 24;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION | ((IOAPIC_NUM_PINS - 1) << 16);
    default:
        pin = (sel - IOAPIC_REG_REDTBL_BASE) >> 1;
        if (sel < IOAPIC_REG_REDTBL_BASE || pin >= IOAPIC_NUM_PINS) {
            return 0xffffffff;
        }
        if (sel & 1) {
            return s->ioredtbl[pin] >> 32;
        }
        return (uint32_t)s->ioredtbl[pin];
    }
}

static void ioapic_write_indirect(IOAPICState *s, uint32_t val)
{
    uint8_t sel = s->ioregsel;
    uint64_t *e, old;
    int pin;

    if (sel == IOAPIC_REG_ID) {
        s->id = (val >> 24) & 0xf;
        return;
    }
    pin = (sel - IOAPIC_REG_REDTBL_BASE) >> 1;
    if (sel < IOAPIC_REG_REDTBL_BASE || pin >= IOAPIC_NUM_PINS) {
        return;
    }
    e = &s->ioredtbl[pin];
    old = *e;
    if (sel & 1) {
        *e = (*e & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        *e = (*e & ~0xffffffffULL) |
             ((val & IOAPIC_RW_BITS) | (*e & ~IOAPIC_RW_BITS & 0xffffffff));
    }
    /* an edge pin has no remote IRR; switching to level re-samples */
    if (!(*e & IOAPIC_LVT_TRIGGER)) {
        *e &= ~IOAPIC_LVT_REMOTE_IRR;
    } else if (!(old & IOAPIC_LVT_TRIGGER)) {
        if (s->level & (1U << pin)) {
            s->irr |= 1U << pin;
        } else {
            s->irr &= ~(1U << pin);
        }
    }
    ioapic_service(s);
}

uint32_t ioapic_mem_readl(IOAPICState *s, hwaddr addr)
{
    switch (addr & 0xff) {
    case 0x00:
        return s->ioregsel;
    case 0x10:
        return ioapic_read_indirect(s);
    default:
        return 0;
    }
}

void ioapic_mem_writel(IOAPICState *s, hwaddr addr, uint32_t val)
{
    switch (addr & 0xff) {
    case 0x00:
        s->ioregsel = val;
        break;
    case 0x10:
        ioapic_write_indirect(s, val);
        break;
    case 0x40:
        ioapic_eoi_broadcast(s, val & 0xff);
        break;
    default:
        break;
    }
}

void ioapic_core_reset(IOAPICState *s)
{
    int pin;

    s->id = 0;
    s->ioregsel = 0;
    s->irr = 0;
    for (pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->ioredtbl[pin] = IOAPIC_LVT_MASKED;
    }
}

void ioapic_core_init(IOAPICState *s, IOAPICDeliverFn *deliver,
                      void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->deliver = deliver;
    s->opaque = opaque;
    ioapic_core_reset(s);
}

void ioapic_core_post_load(IOAPICState *s)
{
    ioapic_service(s);
}

/* ---- migration ---- */

const VMStateDescription vmstate_ioapic_core = {
    .name = "ioapic-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(id, IOAPICState),
        VMSTATE_UINT8(ioregsel, IOAPICState),
        VMSTATE_UINT32(irr, IOAPICState),
        VMSTATE_UINT32(level, IOAPICState),
        VMSTATE_UINT64_ARRAY(ioredtbl, IOAPICState, IOAPIC_NUM_PINS),
        VMSTATE_END_OF_LIST()
    },
};
