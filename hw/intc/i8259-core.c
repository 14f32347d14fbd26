/*
 * 8259A pair: pure register model.  See include/hw/intc/i8259.h.
 */
#include "qemu/osdep.h"
#include "hw/intc/i8259.h"
#include "migration/vmstate.h"

/* Priority (0 highest) of the highest-priority bit in @mask, or 8. */
static int chip_get_priority(PICChip *c, uint8_t mask)
{
    int p;

    if (mask == 0) {
        return 8;
    }
    for (p = 0; p < 8; p++) {
        if (mask & (1 << ((p + c->priority_add) & 7))) {
            return p;
        }
    }
    return 8;
}

/* IR number to deliver, or -1 if nothing beats what is in service. */
static int chip_get_irq(PICChip *c, bool master)
{
    uint8_t pending = c->irr & ~c->imr;
    uint8_t in_service;
    int prio, cur;

    prio = chip_get_priority(c, pending);
    if (prio == 8) {
        return -1;
    }
    in_service = c->isr;
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    if (master && c->special_fully_nested_mode) {
        in_service &= ~(1 << 2);
    }
    cur = chip_get_priority(c, in_service);
    if (prio < cur) {
        return (prio + c->priority_add) & 7;
    }
    return -1;
}

static bool chip_is_level(PICChip *c, int irq)
{
    return c->ltim || (c->elcr & (1 << irq));
}

static void chip_set_input(PICChip *c, int irq, int level)
{
    uint8_t mask = 1 << irq;

    if (chip_is_level(c, irq)) {
        if (level) {
            c->irr |= mask;
            c->last_irr |= mask;
        } else {
            c->irr &= ~mask;
            c->last_irr &= ~mask;
        }
        return;
    }
    if (level) {
        if (!(c->last_irr & mask)) {
            c->irr |= mask;
        }
        c->last_irr |= mask;
    } else {
        c->last_irr &= ~mask;
    }
}

/* Propagate slave -> master IR2 and master -> INTR. */
static void pic_update(PICState *s)
{
    int slave_out = chip_get_irq(&s->chip[1], false) >= 0;
    int level;

    /* The cascade input acts as a level: it follows the slave's INT. */
    if (slave_out) {
        s->chip[0].irr |= 1 << 2;
        s->chip[0].last_irr |= 1 << 2;
    } else {
        s->chip[0].irr &= ~(1 << 2);
        s->chip[0].last_irr &= ~(1 << 2);
    }
    level = chip_get_irq(&s->chip[0], true) >= 0;
    if (level != s->int_level) {
        s->int_level = level;
        qemu_set_irq(s->int_out, level);
    }
}

static void chip_reset(PICChip *c)
{
    uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask;

    memset(c, 0, sizeof(*c));
    c->elcr = elcr;
    c->elcr_mask = elcr_mask;
}

void pic_core_reset(PICState *s)
{
    int i;

    for (i = 0; i < 2; i++) {
        chip_reset(&s->chip[i]);
        s->chip[i].elcr = 0;
    }
    s->chip[0].elcr_mask = 0xf8;
    s->chip[1].elcr_mask = 0xde;
    pic_update(s);
}

void pic_core_init(PICState *s, qemu_irq int_out)
{
    memset(s, 0, sizeof(*s));
    s->int_out = int_out;
    pic_core_reset(s);
}

void pic_set_irq(PICState *s, int irq, int level)
{
    if (irq < 0 || irq > 15) {
        return;
    }
    chip_set_input(&s->chip[irq >> 3], irq & 7, level);
    pic_update(s);
}

void pic_irq_handler(void *opaque, int irq, int level)
{
    pic_set_irq(opaque, irq, level);
}

bool pic_get_output(PICState *s)
{
    return s->int_level;
}

/* Acknowledge @irq on @c: IRR (edge) cleared, ISR set unless auto-EOI. */
static void chip_ack(PICChip *c, int irq)
{
    if (c->auto_eoi) {
        if (c->rotate_on_auto_eoi) {
            c->priority_add = (irq + 1) & 7;
        }
    } else {
        c->isr |= 1 << irq;
    }
    if (!chip_is_level(c, irq)) {
        c->irr &= ~(1 << irq);
    }
}

int pic_read_irq(PICState *s)
{
    PICChip *m = &s->chip[0], *sl = &s->chip[1];
    int irq, irq2, vector;

    irq = chip_get_irq(m, true);
    if (irq < 0) {
        /* spurious: IR7 of the master */
        vector = m->irq_base + 7;
        pic_update(s);
        return vector;
    }
    if (irq == 2) {
        irq2 = chip_get_irq(sl, false);
        if (irq2 >= 0) {
            chip_ack(sl, irq2);
        } else {
            irq2 = 7;   /* spurious on the slave */
        }
        vector = sl->irq_base + irq2;
    } else {
        vector = m->irq_base + irq;
    }
    chip_ack(m, irq);
    pic_update(s);
    return vector;
}

/* Poll command: acknowledge like INTA, return 0x80 | IR or 0. */
static uint8_t chip_poll(PICState *s, int chip)
{
    PICChip *c = &s->chip[chip];
    int irq = chip_get_irq(c, chip == 0);

    c->poll = 0;
    if (irq < 0) {
        return 0;
    }
    chip_ack(c, irq);
    /* poll on the slave also drops the cascade request on the master */
    pic_update(s);
    return 0x80 | irq;
}

static void chip_eoi(PICChip *c, int irq)
{
    c->isr &= ~(1 << irq);
}

static void chip_write_ocw2(PICChip *c, uint8_t val)
{
    int cmd = val >> 5;
    int prio, irq;

    switch (cmd) {
    case 0:
    case 4:
        c->rotate_on_auto_eoi = cmd >> 2;
        break;
    case 1:   /* non-specific EOI */
    case 5:   /* rotate on non-specific EOI */
        prio = chip_get_priority(c, c->isr);
        if (prio < 8) {
            irq = (prio + c->priority_add) & 7;
            chip_eoi(c, irq);
            if (cmd == 5) {
                c->priority_add = (irq + 1) & 7;
            }
        }
        break;
    case 3:   /* specific EOI */
        chip_eoi(c, val & 7);
        break;
    case 6:   /* set priority */
        c->priority_add = (val + 1) & 7;
        break;
    case 7:   /* rotate on specific EOI */
        chip_eoi(c, val & 7);
        c->priority_add = ((val & 7) + 1) & 7;
        break;
    default:  /* 2: no operation */
        break;
    }
}

static void chip_write_command(PICChip *c, uint8_t val)
{
    if (val & 0x10) {
        /* ICW1 */
        uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask;

        memset(c, 0, sizeof(*c));
        c->elcr = elcr;
        c->elcr_mask = elcr_mask;
        c->init_state = 1;
        c->init4 = val & 1;
        c->single_mode = (val >> 1) & 1;
        c->ltim = (val >> 3) & 1;
        return;
    }
    if (val & 0x08) {
        /* OCW3 */
        if (val & 0x04) {
            c->poll = 1;
        }
        if (val & 0x02) {
            c->read_reg_select = val & 1;
        }
        if (val & 0x40) {
            c->special_mask = (val >> 5) & 1;
        }
        return;
    }
    chip_write_ocw2(c, val);
}

static void chip_write_data(PICChip *c, uint8_t val)
{
    switch (c->init_state) {
    case 0:
        c->imr = val;
        break;
    case 1:
        c->irq_base = val & 0xf8;
        if (!c->single_mode) {
            c->init_state = 2;
        } else {
            c->init_state = c->init4 ? 3 : 0;
        }
        break;
    case 2:
        c->init_state = c->init4 ? 3 : 0;
        break;
    default:
        c->special_fully_nested_mode = (val >> 4) & 1;
        c->auto_eoi = (val >> 1) & 1;
        c->init_state = 0;
        break;
    }
}

void pic_ioport_write(PICState *s, int chip, int addr, uint8_t val)
{
    PICChip *c = &s->chip[chip & 1];

    if (addr & 1) {
        chip_write_data(c, val);
    } else {
        chip_write_command(c, val);
    }
    pic_update(s);
}

uint8_t pic_ioport_read(PICState *s, int chip, int addr)
{
    PICChip *c = &s->chip[chip & 1];

    if (c->poll) {
        return chip_poll(s, chip & 1);
    }
    if (addr & 1) {
        return c->imr;
    }
    return c->read_reg_select ? c->isr : c->irr;
}

uint8_t pic_elcr_read(PICState *s, int chip)
{
    return s->chip[chip & 1].elcr;
}

void pic_elcr_write(PICState *s, int chip, uint8_t val)
{
    PICChip *c = &s->chip[chip & 1];

    c->elcr = val & c->elcr_mask;
    pic_update(s);
}

void pic_core_post_load(PICState *s)
{
    s->int_level = chip_get_irq(&s->chip[0], true) >= 0;
    qemu_set_irq(s->int_out, s->int_level);
}

/* ---- migration ---- */

static const VMStateDescription vmstate_pic_chip = {
    .name = "i8259-chip",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(last_irr, PICChip),
        VMSTATE_UINT8(irr, PICChip),
        VMSTATE_UINT8(imr, PICChip),
        VMSTATE_UINT8(isr, PICChip),
        VMSTATE_UINT8(priority_add, PICChip),
        VMSTATE_UINT8(irq_base, PICChip),
        VMSTATE_UINT8(read_reg_select, PICChip),
        VMSTATE_UINT8(poll, PICChip),
        VMSTATE_UINT8(special_mask, PICChip),
        VMSTATE_UINT8(init_state, PICChip),
        VMSTATE_UINT8(auto_eoi, PICChip),
        VMSTATE_UINT8(rotate_on_auto_eoi, PICChip),
        VMSTATE_UINT8(special_fully_nested_mode, PICChip),
        VMSTATE_UINT8(init4, PICChip),
        VMSTATE_UINT8(single_mode, PICChip),
        VMSTATE_UINT8(ltim, PICChip),
        VMSTATE_UINT8(elcr, PICChip),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_pic_core = {
    .name = "i8259-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT_ARRAY(chip, PICState, 2, 1, vmstate_pic_chip,
                             PICChip),
        VMSTATE_END_OF_LIST()
    },
};
