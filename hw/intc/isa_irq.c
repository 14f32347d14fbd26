/*
 * The machine's ISA IRQ lines.  See include/hw/intc/isa_irq.h.
 */
#include "qemu/osdep.h"
#include "hw/intc/isa_irq.h"

/* set once at machine creation, under the BQL */
static qemu_irq isa_irqs[ISA_NUM_IRQS];

void isa_irq_set_lines(const qemu_irq *lines)
{
    memcpy(isa_irqs, lines, sizeof(isa_irqs));
}

qemu_irq isa_get_irq(int isairq)
{
    if (isairq < 0 || isairq >= ISA_NUM_IRQS) {
        return NULL;
    }
    return isa_irqs[isairq];
}
