/*
 * 16550A core: the Linux 8250 autoconfig probe, loopback, THRE interrupt
 * semantics, RX FIFO trigger level and character timeout, flow control,
 * and a slow backend that must not lose transmitted bytes.
 */
#include "qemu/osdep.h"
#include "vmstate-test-util.h"
#include "hw/char/serial.h"

typedef struct Fake {
    GString *out;
    int budget;          /* bytes the backend takes per call, -1: all */
    int waits;
    int accepts;
    int64_t armed;
    int irq;
} Fake;

static Fake fake;

static int fake_tx(void *opaque, const uint8_t *buf, int len)
{
    int n = fake.budget < 0 ? len : MIN(len, fake.budget);

    g_string_append_len(fake.out, (const char *)buf, n);
    return n;
}

static void fake_tx_wait(void *opaque)
{
    fake.waits++;
}

static void fake_accept(void *opaque)
{
    fake.accepts++;
}

static void fake_arm(void *opaque, int64_t when)
{
    fake.armed = when;
}

static void fake_irq(void *opaque, int n, int level)
{
    fake.irq = level;
}

static const SerialOps fake_ops = {
    .tx = fake_tx,
    .tx_wait = fake_tx_wait,
    .accept_input = fake_accept,
    .timer_arm = fake_arm,
};

static SerialState *new_serial(void)
{
    SerialState *s = g_new0(SerialState, 1);

    if (fake.out) {
        g_string_free(fake.out, TRUE);
    }
    memset(&fake, 0, sizeof(fake));
    fake.out = g_string_new("");
    fake.budget = -1;
    fake.armed = -1;
    serial_core_init(s, qemu_allocate_irq(fake_irq, NULL, 0), &fake_ops,
                     NULL);
    return s;
}

static void free_serial(SerialState *s)
{
    qemu_free_irq(s->irq);
    g_free(s);
}

#define W(reg, val) serial_ioport_write(s, (reg), (val), 0)
#define R(reg) serial_ioport_read(s, (reg), 0)

static void test_autoconfig(void)
{
    SerialState *s = new_serial();
    uint8_t save_mcr, save_lcr;

    /* scratch register */
    W(7, 0xa5);
    g_assert_cmphex(R(7), ==, 0xa5);
    W(7, 0x5a);
    g_assert_cmphex(R(7), ==, 0x5a);
    /* IER read-back: only the low nibble exists */
    W(1, 0x00);
    g_assert_cmphex(R(1) & 0x0f, ==, 0x00);
    W(1, 0x0f);
    g_assert_cmphex(R(1) & 0x0f, ==, 0x0f);
    W(1, 0x00);
    /* loopback: MCR 0x1a -> MSR bits 7:4 = 0x9 */
    save_mcr = R(4);
    W(4, 0x1a);
    g_assert_cmphex(R(6) & 0xf0, ==, 0x90);
    W(4, save_mcr);
    /* LCR read-back and divisor latch */
    save_lcr = R(3);
    W(3, 0x80);
    W(0, 0x01);
    W(1, 0x00);
    g_assert_cmphex(R(0), ==, 0x01);
    g_assert_cmphex(R(1), ==, 0x00);
    W(3, 0xbf);
    g_assert_cmphex(R(3), ==, 0xbf);
    W(3, save_lcr);
    /* FIFO detection: IIR bits 7:6 = 11 -> 16550A; no 64-byte bit */
    W(2, 0x01);
    g_assert_cmphex(R(2) >> 6, ==, 3);
    W(3, 0x80);
    W(2, 0x21);
    W(3, 0x00);
    g_assert_cmphex(R(2) & 0x20, ==, 0);
    /* the UUE bit of XScale UARTs does not stick */
    W(1, 0x40);
    g_assert_cmphex(R(1) & 0x40, ==, 0);
    W(2, 0x00);
    g_assert_cmphex(R(2) >> 6, ==, 0);
    g_assert_cmphex(R(5), ==, 0x60);
    free_serial(s);
}

static void test_loopback(void)
{
    SerialState *s = new_serial();
    uint8_t c = 'x';

    W(2, 0x07);
    W(4, 0x10);
    W(0, 'A');
    W(0, 'B');
    g_assert_cmpint(fake.out->len, ==, 0);          /* not transmitted */
    g_assert_cmphex(R(5) & 0x61, ==, 0x61);
    g_assert_cmphex(R(0), ==, 'A');
    g_assert_cmphex(R(0), ==, 'B');
    g_assert_cmphex(R(5) & 0x01, ==, 0);
    /* backend input is ignored while looping */
    g_assert_cmpint(serial_can_receive(s), ==, 0);
    serial_receive(s, &c, 1, 0);
    g_assert_cmphex(R(5) & 0x01, ==, 0);
    W(4, 0x00);
    g_assert_cmphex(R(6) & 0xb0, ==, 0xb0);
    free_serial(s);
}

static void test_thre_interrupt(void)
{
    SerialState *s = new_serial();

    W(2, 0x07);
    g_assert_cmpint(fake.irq, ==, 0);
    W(1, 0x02);                       /* ETBEI with THR empty */
    g_assert_cmpint(fake.irq, ==, 1);
    g_assert_cmphex(R(2), ==, 0xc2);
    /* reading IIR cleared it */
    g_assert_cmpint(fake.irq, ==, 0);
    g_assert_cmphex(R(2), ==, 0xc1);
    /* a write raises it again once the FIFO drained */
    W(0, 'h');
    g_assert_cmpint(fake.irq, ==, 1);
    W(0, 'i');                         /* writing THR clears, re-raises */
    g_assert_cmpstr(fake.out->str, ==, "hi");
    g_assert_cmpint(fake.irq, ==, 1);
    W(1, 0x00);
    g_assert_cmpint(fake.irq, ==, 0);
    free_serial(s);
}

static void test_rx_fifo_trigger_timeout(void)
{
    SerialState *s = new_serial();
    const uint8_t data[20] = "0123456789abcdefghij";
    int i;

    W(2, 0x81);                        /* FIFO on, trigger 8 */
    W(1, 0x01);
    g_assert_cmpint(serial_can_receive(s), ==, 16);
    serial_receive(s, data, 5, 1000);
    g_assert_cmpint(fake.irq, ==, 0);  /* below trigger */
    g_assert_cmpint(fake.armed, >, 1000);
    /* timeout: character-timeout interrupt */
    serial_timeout_expired(s, fake.armed);
    g_assert_cmpint(fake.irq, ==, 1);
    g_assert_cmphex(R(2), ==, 0xcc);
    g_assert_cmphex(R(0), ==, '0');
    g_assert_cmpint(fake.irq, ==, 0);
    serial_receive(s, data + 5, 3, 2000);
    g_assert_cmpint(fake.irq, ==, 0);  /* 4 + 3 is below the trigger */
    serial_receive(s, data + 8, 1, 2000);
    g_assert_cmpint(fake.irq, ==, 1);
    g_assert_cmphex(R(2), ==, 0xc4);
    for (i = 1; i < 9; i++) {
        g_assert_cmphex(R(0), ==, data[i]);
    }
    g_assert_cmphex(R(5) & 0x01, ==, 0);
    g_assert_cmpint(fake.irq, ==, 0);
    /* flow control: no more than 16, then overrun if forced */
    g_assert_cmpint(serial_can_receive(s), ==, 16);
    serial_receive(s, data, 16, 3000);
    g_assert_cmpint(serial_can_receive(s), ==, 0);
    serial_receive(s, data, 1, 3000);
    g_assert_cmphex(R(5) & 0x03, ==, 0x03);
    g_assert_cmphex(R(5) & 0x02, ==, 0);     /* OE clears on read */
    fake.accepts = 0;
    R(0);
    g_assert_cmpint(fake.accepts, ==, 1);
    free_serial(s);
}

static void test_slow_backend(void)
{
    SerialState *s = new_serial();
    GString *msg = g_string_new("");
    int i, spins = 0;

    for (i = 0; i < 5000; i++) {
        g_string_append_c(msg, 'a' + i % 26);
    }
    W(2, 0x07);
    W(1, 0x02);
    fake.budget = 0;                   /* backend is full */
    /* a burst goes into the backlog without stalling the guest */
    for (i = 0; i < 4000; i++) {
        g_assert_cmphex(R(5) & 0x20, ==, 0x20);
        W(0, msg->str[i]);
    }
    g_assert_cmphex(R(5) & 0x40, ==, 0);          /* not TEMT */
    g_assert_cmpint(fake.waits, >, 0);
    /* near full: THRE drops until the backend takes some */
    for (; i < 5000; i++) {
        /* the console's wait_for_xmitr(): poll THRE */
        while (!(R(5) & 0x20)) {
            fake.budget = 7;
            serial_tx_kick(s);
            fake.budget = 0;
            spins++;
        }
        W(0, msg->str[i]);
    }
    g_assert_cmpint(spins, >, 0);
    /* THRE rising again raised a THR-empty interrupt */
    g_assert_cmpint(fake.irq, ==, 1);
    fake.budget = -1;
    serial_tx_kick(s);
    g_assert_cmphex(R(5), ==, 0x60);
    g_assert_cmpstr(fake.out->str, ==, msg->str);
    g_assert_cmpuint(s->tx_dropped, ==, 0);
    g_string_free(msg, TRUE);
    free_serial(s);
}

static void test_vmstate(void)
{
    SerialState *s = new_serial();
    SerialState *d = g_new0(SerialState, 1);
    const uint8_t data[3] = "xyz";
    uint8_t *buf;
    size_t len;
    Error *err = NULL;

    W(2, 0x01);
    W(1, 0x01);
    W(7, 0x42);
    serial_receive(s, data, 3, 0);
    vmstate_test_roundtrip(&vmstate_serial_core, s, d);
    d->ops = s->ops;
    g_assert_true(serial_core_post_load(d));
    g_assert_cmphex(serial_ioport_read(d, 7, 0), ==, 0x42);
    g_assert_cmphex(serial_ioport_read(d, 0, 0), ==, 'x');
    /* a corrupt FIFO index from the stream is refused */
    s->rx.head = 200;
    buf = vmstate_test_save(&vmstate_serial_core, s, &len);
    g_assert_false(vmstate_test_load(&vmstate_serial_core, d, buf, len, 1,
                                     &err));
    error_free(err);
    g_free(buf);
    g_free(d);
    s->rx.head = 0;
    free_serial(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hw/serial/autoconfig", test_autoconfig);
    g_test_add_func("/hw/serial/loopback", test_loopback);
    g_test_add_func("/hw/serial/thre-interrupt", test_thre_interrupt);
    g_test_add_func("/hw/serial/rx-fifo", test_rx_fifo_trigger_timeout);
    g_test_add_func("/hw/serial/slow-backend", test_slow_backend);
    g_test_add_func("/hw/serial/vmstate", test_vmstate);
    return g_test_run();
}
