/*
 * Intel 8259A programmable interrupt controller pair (master at 0x20/0x21,
 * slave at 0xa0/0xa1, cascaded on master IR2) plus the PIIX edge/level
 * control registers (ELCR, 0x4d0/0x4d1).
 *
 * Register model per chip
 * -----------------------
 *   IRR  requests latched from the inputs (edge: rising edge sets the bit
 *        and it stays until acknowledged; level: follows the input)
 *   IMR  mask, written through OCW1 (data port), read back unchanged
 *   ISR  in-service bits, set on INTA, cleared by EOI (or at INTA in
 *        auto-EOI mode)
 *   priority_add  which IR has the lowest priority rotation offset:
 *        priority of IRn = (n - priority_add) & 7, 0 is highest
 * Initialisation: ICW1 (command port, bit 4) starts the sequence, ICW2
 * sets the vector base, ICW3 (cascade) is accepted and ignored, ICW4
 * (when ICW1 bit 0) selects auto-EOI and special fully nested mode.
 *
 * The pure core below has no globals; the output INT line and the input
 * lines are qemu_irqs.  pic_read_irq() is the INTA cycle the CPU (through
 * the LAPIC's ExtINT path) runs to obtain the vector.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_I8259 "isa-i8259"

typedef struct PICChip {
    uint8_t last_irr;      /* input levels seen (edge detection) */
    uint8_t irr;
    uint8_t imr;
    uint8_t isr;
    uint8_t priority_add;
    uint8_t irq_base;
    uint8_t read_reg_select; /* 0: IRR, 1: ISR */
    uint8_t poll;
    uint8_t special_mask;
    uint8_t init_state;    /* 0 ready, 1 expect ICW2, 2 ICW3, 3 ICW4 */
    uint8_t auto_eoi;
    uint8_t rotate_on_auto_eoi;
    uint8_t special_fully_nested_mode;
    uint8_t init4;
    uint8_t single_mode;
    uint8_t ltim;
    uint8_t elcr;
    uint8_t elcr_mask;     /* constant: which bits of ELCR are writable */
} PICChip;

typedef struct PICState {
    PICChip chip[2];       /* 0 master, 1 slave */
    qemu_irq int_out;      /* INTR towards the CPU / LAPIC LINT0 */
    int int_level;         /* current level of int_out */
} PICState;

/** pic_core_init: reset both chips; @int_out is the INTR line. */
void pic_core_init(PICState *s, qemu_irq int_out);
/** pic_core_reset: power-on state (ELCR cleared, all chips uninitialised). */
void pic_core_reset(PICState *s);
/** pic_set_irq: drive ISA input @irq (0-15) to @level. */
void pic_set_irq(PICState *s, int irq, int level);
/** pic_irq_handler: qemu_irq handler, opaque is the PICState. */
void pic_irq_handler(void *opaque, int irq, int level);
/** pic_read_irq: INTA cycle: acknowledge and return the vector (0-255). */
int pic_read_irq(PICState *s);
/** pic_get_output: true when INTR is asserted. */
bool pic_get_output(PICState *s);
/** pic_ioport_read/write: @chip 0/1, @addr 0 (command) or 1 (data). */
uint8_t pic_ioport_read(PICState *s, int chip, int addr);
void pic_ioport_write(PICState *s, int chip, int addr, uint8_t val);
uint8_t pic_elcr_read(PICState *s, int chip);
void pic_elcr_write(PICState *s, int chip, uint8_t val);
/** pic_core_post_load: recompute the output after state was loaded. */
void pic_core_post_load(PICState *s);

extern const VMStateDescription vmstate_pic_core;

#endif
