/*
 * Interrupt lines between devices.
 *
 * A qemu_irq is one wire: whoever drives it calls qemu_set_irq(irq, level)
 * and the receiver's handler runs synchronously with (opaque, n, level),
 * where n is the input number the receiver chose when it allocated its
 * inputs.  A NULL qemu_irq is an unconnected wire: setting it does nothing,
 * so devices never need to test whether an output is wired.
 *
 * Fan-out (one ISA IRQ feeding both the 8259 and the IOAPIC) is done with
 * qemu_irq_split().  Lines carry no state; level-triggered receivers keep
 * their own copy of the input level.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef struct IRQState *qemu_irq;

/** qemu_irq_handler: receiver callback; @n is the receiver's input index. */
typedef void (*qemu_irq_handler)(void *opaque, int n, int level);

/** qemu_set_irq: drive @irq to @level (0 or non-zero); NULL is ignored. */
void qemu_set_irq(qemu_irq irq, int level);

static inline void qemu_irq_raise(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
}

static inline void qemu_irq_lower(qemu_irq irq)
{
    qemu_set_irq(irq, 0);
}

/** qemu_irq_pulse: raise then lower (an edge for edge-triggered inputs). */
static inline void qemu_irq_pulse(qemu_irq irq)
{
    qemu_set_irq(irq, 1);
    qemu_set_irq(irq, 0);
}

/** qemu_allocate_irq: one input line calling @handler with index @n. */
qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n);

/**
 * qemu_allocate_irqs: @n input lines 0..n-1 of one receiver.  Returns a
 * g_new array; release with qemu_free_irqs().
 */
qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n);

void qemu_free_irq(qemu_irq irq);
/** qemu_free_irqs: free @n lines and the array itself. */
void qemu_free_irqs(qemu_irq *s, int n);

/**
 * qemu_irq_split: a line that forwards every level change to both @a and
 * @b (in that order).
 */
qemu_irq qemu_irq_split(qemu_irq a, qemu_irq b);

/** qemu_irq_invert: a line that forwards the inverted level to @irq. */
qemu_irq qemu_irq_invert(qemu_irq irq);

#endif
