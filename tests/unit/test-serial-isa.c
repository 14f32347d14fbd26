/*
 * isa-serial device end to end: ports on the system I/O space, a ringbuf
 * chardev as the line, IRQ4 through the ISA IRQ table, backend input
 * flow control, and the QOM properties (-device isa-serial,...).
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "exec/memory.h"
#include "chardev/char.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/intc/isa_irq.h"
#include "hw/char/serial_isa.h"

static int irq_level[ISA_NUM_IRQS];

static void isa_irq_handler(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static uint8_t inb(uint16_t port)
{
    uint64_t v = 0;

    address_space_ld(&address_space_io, port, 1, &v);
    return v;
}

static void outb(uint16_t port, uint8_t val)
{
    address_space_st(&address_space_io, port, 1, val);
}

static void test_tx_rx(void)
{
    Chardev *chr = qemu_chr_new_from_opts_str("ringbuf,id=ser0,size=1024",
                                              &error_abort);
    DeviceState *dev = serial_isa_new(0, chr, &error_abort);
    g_autofree uint8_t *out = NULL;
    size_t len;
    const uint8_t in[20] = "0123456789abcdefghi";

    g_assert_nonnull(dev);
    /* 8250 console init, then output */
    outb(0x3fb, 0x83);
    outb(0x3f8, 0x01);
    outb(0x3f9, 0x00);
    outb(0x3fb, 0x03);
    g_assert_cmphex(inb(0x3fb), ==, 0x03);
    outb(0x3fa, 0x07);
    g_assert_cmphex(inb(0x3fa) & 0xc0, ==, 0xc0);
    outb(0x3f8, 'o');
    outb(0x3f8, 'k');
    g_assert_cmphex(inb(0x3fd) & 0x60, ==, 0x60);
    out = qemu_chr_ringbuf_read("ser0", 100, &len, &error_abort);
    g_assert_cmpmem(out, len, "ok", 2);
    /* THRE interrupt on ISA IRQ 4 */
    outb(0x3f9, 0x02);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(0x3fa) & 0x0f, ==, 0x02);
    g_assert_cmpint(irq_level[4], ==, 0);
    /* input: at most the 16-byte FIFO is taken from the backend */
    outb(0x3f9, 0x01);
    g_assert_cmpint(qemu_chr_be_can_write(chr), ==, 16);
    qemu_chr_be_write(chr, in, 16);
    g_assert_cmpint(qemu_chr_be_can_write(chr), ==, 0);
    g_assert_cmpint(irq_level[4], ==, 1);
    g_assert_cmphex(inb(0x3f8), ==, '0');
    g_assert_cmphex(inb(0x3f8), ==, '1');
    g_assert_cmpint(qemu_chr_be_can_write(chr), ==, 2);
    /* migration state round trip in place keeps the FIFO contents */
    vmstate_test_roundtrip(DEVICE_GET_CLASS(dev)->vmsd, dev, dev);
    g_assert_cmphex(inb(0x3f8), ==, '2');
    object_unparent(OBJECT(dev));
}

static void test_properties(void)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);
    Error *err = NULL;

    /* COM2 defaults: 0x2f8, IRQ 3; no chardev: output dropped */
    qdev_prop_set_uint32(dev, "index", 1);
    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    outb(0x2f9, 0x02);
    g_assert_cmpint(irq_level[3], ==, 1);
    outb(0x2f8, 'x');
    g_assert_cmphex(inb(0x2fd) & 0x60, ==, 0x60);
    object_unparent(OBJECT(dev));
    /* index out of range */
    dev = qdev_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(dev, "index", 4);
    g_assert_false(qdev_realize(dev, NULL, &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));
    /* unknown chardev */
    dev = qdev_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(dev, "index", 2);
    qdev_prop_set_chr(dev, "chardev", "nope");
    g_assert_false(qdev_realize(dev, NULL, &err));
    error_free_or_abort(&err);
    object_unref(OBJECT(dev));
}

int main(int argc, char **argv)
{
    qemu_irq *irqs;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    irqs = qemu_allocate_irqs(isa_irq_handler, NULL, ISA_NUM_IRQS);
    isa_irq_set_lines(irqs);
    g_free(irqs);              /* the lines were copied */
    g_test_add_func("/hw/serial/isa/tx-rx", test_tx_rx);
    g_test_add_func("/hw/serial/isa/properties", test_properties);
    return g_test_run();
}
