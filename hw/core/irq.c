/*
 * Interrupt lines: a handler pointer plus the receiver's input index.
 * See include/hw/irq.h.
 */
#include "qemu/osdep.h"
#include "hw/irq.h"

struct IRQState {
    qemu_irq_handler handler;
    void *opaque;
    int n;
};

void qemu_set_irq(qemu_irq irq, int level)
{
    if (!irq) {
        return;
    }
    irq->handler(irq->opaque, irq->n, level);
}

qemu_irq qemu_allocate_irq(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq irq = g_new0(struct IRQState, 1);

    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *qemu_allocate_irqs(qemu_irq_handler handler, void *opaque, int n)
{
    qemu_irq *s = g_new0(qemu_irq, n);
    int i;

    for (i = 0; i < n; i++) {
        s[i] = qemu_allocate_irq(handler, opaque, i);
    }
    return s;
}

void qemu_free_irq(qemu_irq irq)
{
    g_free(irq);
}

void qemu_free_irqs(qemu_irq *s, int n)
{
    int i;

    if (!s) {
        return;
    }
    for (i = 0; i < n; i++) {
        qemu_free_irq(s[i]);
    }
    g_free(s);
}

static void irq_split_handler(void *opaque, int n, int level)
{
    qemu_irq *pair = opaque;

    qemu_set_irq(pair[0], level);
    qemu_set_irq(pair[1], level);
}

qemu_irq qemu_irq_split(qemu_irq a, qemu_irq b)
{
    qemu_irq *pair = g_new0(qemu_irq, 2);

    pair[0] = a;
    pair[1] = b;
    return qemu_allocate_irq(irq_split_handler, pair, 0);
}

static void irq_invert_handler(void *opaque, int n, int level)
{
    qemu_set_irq(opaque, !level);
}

qemu_irq qemu_irq_invert(qemu_irq irq)
{
    return qemu_allocate_irq(irq_invert_handler, irq, 0);
}
