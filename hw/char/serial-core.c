/*
 * 16550A UART: pure register and FIFO model.  See include/hw/char/serial.h.
 */
#include "qemu/osdep.h"
#include "hw/char/serial.h"
#include "migration/vmstate.h"

#define UART_LCR_DLAB   0x80
#define UART_IER_RDI    0x01
#define UART_IER_THRI   0x02
#define UART_IER_RLSI   0x04
#define UART_IER_MSI    0x08
#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FE     0xc0
#define UART_FCR_FE     0x01
#define UART_FCR_RFR    0x02
#define UART_FCR_XFR    0x04
#define UART_MCR_LOOP   0x10
#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_BI     0x10
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_LSR_INT_ANY 0x1e
#define UART_MSR_DCD    0x80
#define UART_MSR_RI     0x40
#define UART_MSR_DSR    0x20
#define UART_MSR_CTS    0x10
#define UART_MSR_DELTA  0x0f
#define UART_MSR_TERI   0x04

static const uint8_t rx_trigger_levels[4] = { 1, 4, 8, 14 };

/* ---- FIFOs ---- */

static void fifo_reset(SerialFIFO *f)
{
    f->head = f->count = 0;
}

static bool fifo_push(SerialFIFO *f, uint8_t b)
{
    if (f->count >= UART_FIFO_LENGTH) {
        return false;
    }
    f->data[(f->head + f->count) % UART_FIFO_LENGTH] = b;
    f->count++;
    return true;
}

static uint8_t fifo_pop(SerialFIFO *f)
{
    uint8_t b;

    if (!f->count) {
        return 0;
    }
    b = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO_LENGTH;
    f->count--;
    return b;
}

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

static int rx_capacity(SerialState *s)
{
    return fifo_enabled(s) ? UART_FIFO_LENGTH : 1;
}

/* ---- interrupt identification ---- */

static void serial_update_irq(SerialState *s)
{
    uint8_t id = UART_IIR_NO_INT;
    int level;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_INT_ANY)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && (s->lsr & UART_LSR_DR) &&
               (!fifo_enabled(s) ||
                s->rx.count >= rx_trigger_levels[s->fcr >> 6])) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (fifo_enabled(s) ? UART_IIR_FE : 0);
    level = !(id & UART_IIR_NO_INT);
    if (level != s->irq_level) {
        s->irq_level = level;
        qemu_set_irq(s->irq, level);
    }
}

/* ---- character timeout ---- */

/* ns for 4 characters at the programmed rate (10 bits/char, 1.8432 MHz) */
static int64_t serial_timeout_ns(SerialState *s)
{
    uint32_t div = s->divider ? s->divider : 1;

    return (int64_t)4 * 10 * 16 * div * 1000000000LL / 1843200;
}

static void serial_arm_timeout(SerialState *s, int64_t when)
{
    s->timeout_time = when;
    if (s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, when);
    }
}

/* Data below the trigger level: report it after the timeout. */
static void serial_restart_timeout(SerialState *s, int64_t now)
{
    s->timeout_ipending = 0;
    if (fifo_enabled(s) && s->rx.count) {
        serial_arm_timeout(s, now + serial_timeout_ns(s));
    } else if (s->timeout_time >= 0) {
        serial_arm_timeout(s, -1);
    }
}

void serial_timeout_expired(SerialState *s, int64_t now)
{
    if (s->timeout_time < 0 || now < s->timeout_time) {
        return;
    }
    s->timeout_time = -1;
    if (fifo_enabled(s) && s->rx.count) {
        s->timeout_ipending = 1;
        serial_update_irq(s);
    }
}

/* ---- transmit ---- */

static void tx_reset(SerialTxBacklog *t)
{
    t->head = t->count = 0;
}

/* THRE/TEMT from the backlog level; a rising THRE raises THRI. */
static void serial_tx_update_lsr(SerialState *s)
{
    bool thre = s->tx.count <= UART_TX_BACKLOG - UART_FIFO_LENGTH;
    bool was = s->lsr & UART_LSR_THRE;

    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    if (thre) {
        s->lsr |= UART_LSR_THRE;
        if (!was) {
            s->thr_ipending = 1;
        }
    }
    if (!s->tx.count) {
        s->lsr |= UART_LSR_TEMT;
    }
}

/* Push the backlog to the backend, in at most two contiguous pieces. */
static void serial_tx_drain(SerialState *s)
{
    while (s->tx.count) {
        int n = MIN(s->tx.count, UART_TX_BACKLOG - s->tx.head);
        int taken = s->ops->tx ? s->ops->tx(s->opaque,
                                            s->tx.data + s->tx.head, n) : n;

        taken = MAX(0, MIN(taken, n));
        s->tx.head = (s->tx.head + taken) % UART_TX_BACKLOG;
        s->tx.count -= taken;
        if (taken < n) {
            if (s->ops->tx_wait) {
                s->ops->tx_wait(s->opaque);
            }
            break;
        }
    }
    serial_tx_update_lsr(s);
}

void serial_tx_kick(SerialState *s)
{
    serial_tx_drain(s);
    serial_update_irq(s);
}

static void serial_receive_byte(SerialState *s, uint8_t b, int64_t now);

static void serial_write_thr(SerialState *s, uint8_t val, int64_t now)
{
    s->thr_ipending = 0;
    if (s->mcr & UART_MCR_LOOP) {
        serial_receive_byte(s, val, now);
        s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
        s->thr_ipending = 1;
        return;
    }
    if (s->tx.count >= UART_TX_BACKLOG) {
        s->tx_dropped++;          /* guest ignored THRE for 4 KiB */
        return;
    }
    s->tx.data[(s->tx.head + s->tx.count) % UART_TX_BACKLOG] = val;
    s->tx.count++;
    /* the byte leaves the holding register at once: THRE again */
    s->lsr &= ~UART_LSR_THRE;
    serial_tx_drain(s);
}

/* ---- receive ---- */

static void serial_receive_byte(SerialState *s, uint8_t b, int64_t now)
{
    if (s->rx.count >= rx_capacity(s)) {
        s->lsr |= UART_LSR_OE;
        s->rx_overruns++;
        return;
    }
    fifo_push(&s->rx, b);
    s->lsr |= UART_LSR_DR;
    serial_restart_timeout(s, now);
}

int serial_can_receive(SerialState *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        return 0;
    }
    return rx_capacity(s) - s->rx.count;
}

void serial_receive(SerialState *s, const uint8_t *buf, int len,
                    int64_t now)
{
    int i;

    if (s->mcr & UART_MCR_LOOP) {
        return;
    }
    for (i = 0; i < len; i++) {
        serial_receive_byte(s, buf[i], now);
    }
    serial_update_irq(s);
}

static uint8_t serial_read_rbr(SerialState *s, int64_t now)
{
    bool was_full = s->rx.count >= rx_capacity(s);
    uint8_t b = fifo_pop(&s->rx);

    if (!s->rx.count) {
        s->lsr &= ~UART_LSR_DR;
    }
    serial_restart_timeout(s, now);
    serial_update_irq(s);
    if ((was_full || !s->rx.count) && s->ops->accept_input &&
        !(s->mcr & UART_MCR_LOOP)) {
        s->ops->accept_input(s->opaque);
    }
    return b;
}

/* ---- modem lines ---- */

static void serial_update_msr(SerialState *s)
{
    uint8_t lines, old = s->msr;

    if (s->mcr & UART_MCR_LOOP) {
        lines = ((s->mcr & 0x08) ? UART_MSR_DCD : 0) |
                ((s->mcr & 0x04) ? UART_MSR_RI : 0) |
                ((s->mcr & 0x01) ? UART_MSR_DSR : 0) |
                ((s->mcr & 0x02) ? UART_MSR_CTS : 0);
    } else {
        lines = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    }
    s->msr = lines | (old & UART_MSR_DELTA);
    if ((lines ^ old) & UART_MSR_DCD) {
        s->msr |= 0x08;
    }
    if ((old & UART_MSR_RI) && !(lines & UART_MSR_RI)) {
        s->msr |= UART_MSR_TERI;     /* trailing edge of RI */
    }
    if ((lines ^ old) & UART_MSR_DSR) {
        s->msr |= 0x02;
    }
    if ((lines ^ old) & UART_MSR_CTS) {
        s->msr |= 0x01;
    }
}

/* ---- register file ---- */

static void serial_write_fcr(SerialState *s, uint8_t val, int64_t now)
{
    bool was_on = fifo_enabled(s);

    if ((val & UART_FCR_FE) != was_on) {
        fifo_reset(&s->rx);
        tx_reset(&s->tx);
    }
    if (val & UART_FCR_RFR) {
        fifo_reset(&s->rx);
    }
    if (val & UART_FCR_XFR) {
        tx_reset(&s->tx);
    }
    if (!s->rx.count) {
        s->lsr &= ~UART_LSR_DR;
    }
    serial_tx_update_lsr(s);
    s->fcr = val & 0xc1;
    serial_restart_timeout(s, now);
    if (s->ops->accept_input) {
        s->ops->accept_input(s->opaque);
    }
}

void serial_ioport_write(SerialState *s, int addr, uint8_t val, int64_t now)
{
    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | val;
        } else {
            serial_write_thr(s, val, now);
        }
        break;
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (val << 8);
            break;
        }
        /* turning THRE interrupts on with the FIFO empty raises one */
        if ((val & UART_IER_THRI) && !(s->ier & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = 1;
        }
        s->ier = val & 0x0f;
        break;
    case 2:
        serial_write_fcr(s, val, now);
        break;
    case 3:
        s->lcr = val;
        break;
    case 4: {
        bool loop_change = (val ^ s->mcr) & UART_MCR_LOOP;

        s->mcr = val & 0x1f;
        serial_update_msr(s);
        if (loop_change && !(s->mcr & UART_MCR_LOOP) &&
            s->ops->accept_input) {
            s->ops->accept_input(s->opaque);
        }
        break;
    }
    case 5:
    case 6:
        break;           /* LSR and MSR are read-only */
    default:
        s->scr = val;
        break;
    }
    serial_update_irq(s);
}

uint8_t serial_ioport_read(SerialState *s, int addr, int64_t now)
{
    uint8_t ret;

    switch (addr & 7) {
    case 0:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider & 0xff;
        }
        return serial_read_rbr(s, now);
    case 1:
        if (s->lcr & UART_LCR_DLAB) {
            return s->divider >> 8;
        }
        return s->ier;
    case 2:
        serial_update_irq(s);
        ret = s->iir;
        if ((ret & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = 0;
            serial_update_irq(s);
        }
        return ret;
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        ret = s->lsr;
        if (ret & (UART_LSR_INT_ANY)) {
            s->lsr &= ~UART_LSR_INT_ANY;
            serial_update_irq(s);
        }
        return ret;
    case 6:
        ret = s->msr;
        if (ret & UART_MSR_DELTA) {
            s->msr &= ~UART_MSR_DELTA;
            serial_update_irq(s);
        }
        return ret;
    default:
        return s->scr;
    }
}

/* ---- life cycle ---- */

void serial_core_reset(SerialState *s)
{
    s->divider = 12;         /* 9600 baud */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = 0;
    s->timeout_ipending = 0;
    fifo_reset(&s->rx);
    tx_reset(&s->tx);
    if (s->timeout_time >= 0) {
        serial_arm_timeout(s, -1);
    }
    serial_update_irq(s);
}

void serial_core_init(SerialState *s, qemu_irq irq, const SerialOps *ops,
                      void *opaque)
{
    static const SerialOps no_ops;

    memset(s, 0, sizeof(*s));
    s->irq = irq;
    s->ops = ops ? ops : &no_ops;
    s->opaque = opaque;
    s->timeout_time = -1;
    serial_core_reset(s);
}

bool serial_core_post_load(SerialState *s)
{
    if (s->rx.head >= UART_FIFO_LENGTH || s->rx.count > UART_FIFO_LENGTH ||
        s->tx.head >= UART_TX_BACKLOG || s->tx.count > UART_TX_BACKLOG) {
        return false;
    }
    s->ier &= 0x0f;
    s->fcr &= 0xc1;
    s->irq_level = -1;
    serial_update_irq(s);
    if (s->ops->timer_arm) {
        s->ops->timer_arm(s->opaque, s->timeout_time);
    }
    if (s->tx.count) {
        serial_tx_kick(s);
    }
    return true;
}

/* ---- migration ---- */

static int serial_fifo_post_load(void *opaque, int version_id)
{
    SerialFIFO *f = opaque;

    if (f->head >= UART_FIFO_LENGTH || f->count > UART_FIFO_LENGTH) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_serial_fifo = {
    .name = "serial-fifo",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = serial_fifo_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(data, SerialFIFO, UART_FIFO_LENGTH),
        VMSTATE_UINT8(head, SerialFIFO),
        VMSTATE_UINT8(count, SerialFIFO),
        VMSTATE_END_OF_LIST()
    },
};

static int serial_tx_post_load(void *opaque, int version_id)
{
    SerialTxBacklog *t = opaque;

    if (t->head >= UART_TX_BACKLOG || t->count > UART_TX_BACKLOG) {
        return -EINVAL;
    }
    return 0;
}

static const VMStateDescription vmstate_serial_tx = {
    .name = "serial-tx",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = serial_tx_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(data, SerialTxBacklog, UART_TX_BACKLOG),
        VMSTATE_UINT16(head, SerialTxBacklog),
        VMSTATE_UINT16(count, SerialTxBacklog),
        VMSTATE_END_OF_LIST()
    },
};

const VMStateDescription vmstate_serial_core = {
    .name = "serial-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT16(divider, SerialState),
        VMSTATE_UINT8(ier, SerialState),
        VMSTATE_UINT8(lcr, SerialState),
        VMSTATE_UINT8(mcr, SerialState),
        VMSTATE_UINT8(lsr, SerialState),
        VMSTATE_UINT8(msr, SerialState),
        VMSTATE_UINT8(scr, SerialState),
        VMSTATE_UINT8(fcr, SerialState),
        VMSTATE_UINT8(thr_ipending, SerialState),
        VMSTATE_UINT8(timeout_ipending, SerialState),
        VMSTATE_STRUCT(rx, SerialState, 1, vmstate_serial_fifo, SerialFIFO),
        VMSTATE_STRUCT(tx, SerialState, 1, vmstate_serial_tx,
                       SerialTxBacklog),
        VMSTATE_INT64(timeout_time, SerialState),
        VMSTATE_END_OF_LIST()
    },
};
