/*
 * NS16550A UART.
 *
 * Registers (offset from iobase; DLAB = LCR bit 7):
 *   0 RBR (read) / THR (write), DLL when DLAB
 *   1 IER (bits 3:0: RX data, THR empty, line status, modem status),
 *     DLM when DLAB
 *   2 IIR (read: bits 7:6 = 11 with FIFOs on, 3:0 interrupt id) / FCR
 *   3 LCR   4 MCR (bit 4 loopback)   5 LSR   6 MSR   7 SCR
 * Interrupt priority in IIR: line status 0x06 > received data 0x04
 * (FIFO at trigger level) / character timeout 0x0c > THR empty 0x02 >
 * modem status 0x00; 0x01 means none.  The THRE interrupt is pending
 * after the transmit FIFO empties or when IER bit 1 is turned on with the
 * FIFO empty, and is cleared by reading IIR (while it is reported) or
 * writing THR.  The IRQ line follows "IIR bit 0 clear".
 *
 * Loopback: THR bytes go to the receiver, and MSR bits 7:4 reflect MCR
 * bits 3:0 as DCD=OUT2, RI=OUT1, DSR=DTR, CTS=RTS (MCR 0x1a -> 0x9).
 * Otherwise MSR reports DCD, DSR and CTS on (a connected line).
 *
 * Data path: received bytes enter a 16-byte FIFO (1 byte with FIFOs
 * off); serial_can_receive() is the backend's flow control.  Transmitted
 * bytes go to a 4 KiB backlog that is pushed to ops->tx as fast as the
 * backend takes them; when the backend takes less, ops->tx_wait asks the
 * shell to call serial_tx_kick() later.  THRE is reported while the
 * backlog has room for another FIFO load (16 bytes) and TEMT when it is
 * empty, so a slow backend throttles the guest instead of losing bytes.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_ISA_SERIAL "isa-serial"
#define UART_FIFO_LENGTH 16
#define UART_TX_BACKLOG 4096

typedef struct SerialOps {
    /* hand bytes to the backend; returns how many it took (>= 0) */
    int (*tx)(void *opaque, const uint8_t *buf, int len);
    /* the backend is full: call serial_tx_kick() when it may take more */
    void (*tx_wait)(void *opaque);
    /* the RX FIFO has room again (qemu_chr_fe_accept_input) */
    void (*accept_input)(void *opaque);
    /* arm the character-timeout timer at @when (ns); < 0 cancels */
    void (*timer_arm)(void *opaque, int64_t when);
} SerialOps;

typedef struct SerialFIFO {
    uint8_t data[UART_FIFO_LENGTH];
    uint8_t head;
    uint8_t count;
} SerialFIFO;

typedef struct SerialTxBacklog {
    uint8_t data[UART_TX_BACKLOG];
    uint16_t head;
    uint16_t count;
} SerialTxBacklog;

typedef struct SerialState {
    uint16_t divider;
    uint8_t ier;
    uint8_t iir;             /* derived on each update */
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;
    uint8_t scr;
    uint8_t fcr;
    uint8_t thr_ipending;
    uint8_t timeout_ipending;
    SerialFIFO rx;
    SerialTxBacklog tx;
    int64_t timeout_time;    /* -1: not armed */
    int irq_level;
    uint64_t rx_overruns;
    uint64_t tx_dropped;
    qemu_irq irq;
    const SerialOps *ops;
    void *opaque;
} SerialState;

void serial_core_init(SerialState *s, qemu_irq irq, const SerialOps *ops,
                      void *opaque);
void serial_core_reset(SerialState *s);
uint8_t serial_ioport_read(SerialState *s, int addr, int64_t now);
void serial_ioport_write(SerialState *s, int addr, uint8_t val, int64_t now);
/** serial_can_receive: bytes the receiver can take now (backend poll). */
int serial_can_receive(SerialState *s);
/** serial_receive: bytes from the backend (at most can_receive). */
void serial_receive(SerialState *s, const uint8_t *buf, int len,
                    int64_t now);
/** serial_tx_kick: retry pushing the transmit FIFO to the backend. */
void serial_tx_kick(SerialState *s);
/** serial_timeout_expired: the character-timeout timer fired. */
void serial_timeout_expired(SerialState *s, int64_t now);
/** serial_core_post_load: validate FIFO indexes, re-derive IIR/IRQ. */
bool serial_core_post_load(SerialState *s);

extern const VMStateDescription vmstate_serial_core;

#endif
