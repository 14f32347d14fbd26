/*
 * 8259A pair: initialisation as Linux does it, IMR probe, priorities,
 * EOI, cascade, ELCR level mode, OCW3 register reads, poll, auto-EOI.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/intc/i8259.h"

static int intr_level;

static void intr_handler(void *opaque, int n, int level)
{
    intr_level = level;
}

/* The sequence of init_8259A() in arch/x86/kernel/i8259.c */
static void linux_init(PICState *s, bool auto_eoi)
{
    pic_ioport_write(s, 0, 1, 0xff);
    pic_ioport_write(s, 1, 1, 0xff);
    pic_ioport_write(s, 0, 0, 0x11);      /* ICW1: edge, cascade, ICW4 */
    pic_ioport_write(s, 0, 1, 0x30);      /* ICW2: vectors 0x30 */
    pic_ioport_write(s, 0, 1, 1 << 2);    /* ICW3: slave on IR2 */
    pic_ioport_write(s, 0, 1, auto_eoi ? 0x03 : 0x01);
    pic_ioport_write(s, 1, 0, 0x11);
    pic_ioport_write(s, 1, 1, 0x38);
    pic_ioport_write(s, 1, 1, 2);
    pic_ioport_write(s, 1, 1, 0x01);
    pic_ioport_write(s, 0, 1, 0xfb);      /* all masked but cascade */
    pic_ioport_write(s, 1, 1, 0xff);
}

static PICState *new_pic(void)
{
    PICState *s = g_new0(PICState, 1);

    intr_level = 0;
    pic_core_init(s, qemu_allocate_irq(intr_handler, NULL, 0));
    return s;
}

static void free_pic(PICState *s)
{
    qemu_free_irq(s->int_out);
    g_free(s);
}

static void test_imr_probe(void)
{
    PICState *s = new_pic();

    /* probe_8259A(): write 0xff, read back 0xff, else "no PIC" */
    pic_ioport_write(s, 0, 1, 0xff);
    g_assert_cmphex(pic_ioport_read(s, 0, 1), ==, 0xff);
    pic_ioport_write(s, 0, 1, 0x5a);
    g_assert_cmphex(pic_ioport_read(s, 0, 1), ==, 0x5a);
    free_pic(s);
}

static void test_edge_ack_eoi(void)
{
    PICState *s = new_pic();

    linux_init(s, false);
    pic_ioport_write(s, 0, 1, 0xfa);      /* unmask IRQ0 */
    pic_set_irq(s, 0, 1);
    g_assert_cmpint(intr_level, ==, 1);
    /* IRR visible through OCW3 read-IRR */
    pic_ioport_write(s, 0, 0, 0x0a);
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x01);
    g_assert_cmpint(pic_read_irq(s), ==, 0x30);
    g_assert_cmpint(intr_level, ==, 0);
    pic_ioport_write(s, 0, 0, 0x0b);      /* read ISR */
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x01);
    /* a new edge while in service stays pending */
    pic_set_irq(s, 0, 0);
    pic_set_irq(s, 0, 1);
    g_assert_cmpint(intr_level, ==, 0);
    pic_ioport_write(s, 0, 0, 0x20);      /* non-specific EOI */
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x00);
    g_assert_cmpint(intr_level, ==, 1);
    free_pic(s);
}

static void test_priority_and_mask(void)
{
    PICState *s = new_pic();

    linux_init(s, false);
    pic_ioport_write(s, 0, 1, 0x00);
    pic_set_irq(s, 4, 1);
    pic_set_irq(s, 1, 1);
    g_assert_cmpint(pic_read_irq(s), ==, 0x31);   /* IR1 beats IR4 */
    /* IR4 is lower priority than the in-service IR1: not delivered */
    g_assert_cmpint(intr_level, ==, 0);
    pic_ioport_write(s, 0, 0, 0x61);              /* specific EOI IR1 */
    g_assert_cmpint(intr_level, ==, 1);
    g_assert_cmpint(pic_read_irq(s), ==, 0x34);
    pic_ioport_write(s, 0, 0, 0x20);
    /* masked request is held but not signalled */
    pic_ioport_write(s, 0, 1, 0x08);
    pic_set_irq(s, 3, 1);
    g_assert_cmpint(intr_level, ==, 0);
    pic_ioport_write(s, 0, 1, 0x00);
    g_assert_cmpint(intr_level, ==, 1);
    /* nothing pending: spurious IR7 */
    g_assert_cmpint(pic_read_irq(s), ==, 0x33);
    pic_ioport_write(s, 0, 0, 0x20);
    g_assert_cmpint(pic_read_irq(s), ==, 0x37);
    free_pic(s);
}

static void test_cascade_and_elcr(void)
{
    PICState *s = new_pic();

    linux_init(s, false);
    pic_ioport_write(s, 1, 1, 0xfd);      /* unmask IRQ9 */
    pic_elcr_write(s, 1, 0x02);           /* IRQ9 level (ACPI SCI) */
    g_assert_cmphex(pic_elcr_read(s, 1), ==, 0x02);
    pic_elcr_write(s, 0, 0xff);           /* IRQ0-2 cannot be level */
    g_assert_cmphex(pic_elcr_read(s, 0), ==, 0xf8);
    pic_elcr_write(s, 0, 0x00);
    pic_set_irq(s, 9, 1);
    g_assert_cmpint(intr_level, ==, 1);
    g_assert_cmpint(pic_read_irq(s), ==, 0x39);
    pic_ioport_write(s, 1, 0, 0x20);
    pic_ioport_write(s, 0, 0, 0x20);
    /* level still high: asserted again */
    g_assert_cmpint(intr_level, ==, 1);
    pic_set_irq(s, 9, 0);
    g_assert_cmpint(intr_level, ==, 0);
    free_pic(s);
}

static void test_poll_and_auto_eoi(void)
{
    PICState *s = new_pic();

    linux_init(s, true);
    pic_ioport_write(s, 0, 1, 0x00);
    pic_set_irq(s, 5, 1);
    g_assert_cmpint(pic_read_irq(s), ==, 0x35);
    pic_ioport_write(s, 0, 0, 0x0b);
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x00);   /* AEOI */
    pic_set_irq(s, 6, 1);
    pic_ioport_write(s, 0, 0, 0x0c);      /* poll */
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x86);
    pic_ioport_write(s, 0, 0, 0x0c);
    g_assert_cmphex(pic_ioport_read(s, 0, 0), ==, 0x00);
    free_pic(s);
}

static void test_vmstate(void)
{
    PICState *s = new_pic();
    PICState *d = new_pic();

    linux_init(s, false);
    pic_ioport_write(s, 0, 1, 0xfa);
    pic_set_irq(s, 0, 1);
    pic_elcr_write(s, 1, 0x0e);
    vmstate_test_roundtrip(&vmstate_pic_core, s, d);
    pic_core_post_load(d);
    g_assert_cmpint(intr_level, ==, 1);
    g_assert_cmphex(pic_elcr_read(d, 1), ==, 0x0e);
    g_assert_cmpint(pic_read_irq(d), ==, 0x30);
    free_pic(s);
    free_pic(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/i8259/imr-probe", test_imr_probe);
    g_test_add_func("/hw/i8259/edge-ack-eoi", test_edge_ack_eoi);
    g_test_add_func("/hw/i8259/priority-mask", test_priority_and_mask);
    g_test_add_func("/hw/i8259/cascade-elcr", test_cascade_and_elcr);
    g_test_add_func("/hw/i8259/poll-auto-eoi", test_poll_and_auto_eoi);
    g_test_add_func("/hw/i8259/vmstate", test_vmstate);
    return g_test_run();
}
