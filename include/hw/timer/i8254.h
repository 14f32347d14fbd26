/*
 * Intel 8254 programmable interval timer (ports 0x40-0x43), 1.193182 MHz.
 *
 * Each channel is evaluated lazily from the virtual time at which its
 * count was loaded: d = ticks since load, and the counter value and OUT
 * level are functions of (mode, count, d):
 *   mode 0  interrupt on terminal count  value count - d, OUT = d >= count
 *   mode 1  hardware one-shot (gate edge) same as mode 0
 *   mode 2  rate generator       value count - d % count,
 *                                OUT low only while the value is 1
 *   mode 3  square wave          OUT high for the first ceil(count / 2)
 *                                ticks of every period
 *   mode 4/5 strobes             OUT low for the one tick d == count
 * A count of 0 means 65536.  After a control word and until the count is
 * written, the channel is stopped with OUT at its mode's initial level.
 * Port 0x43 takes control words, counter latches (rw bits 00) and
 * read-back commands (channel 3).  BCD counting is not modelled (the bit
 * is kept for status reads).
 *
 * Channel 0's OUT drives IRQ0 (GSI2 through the MADT override); the core
 * arms a timer (ops) for the next OUT transition.  Channel 2's gate and
 * OUT are port 0x61 bits 0 and 5 (hw/misc/port61.c).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_I8254 "isa-pit"
#define PIT_FREQ 1193182

typedef struct PITChannel {
    uint32_t count;          /* reload value, 1..0x10000 */
    uint16_t latched_count;
    uint8_t count_latched;   /* rw mode of a pending latch, 0: none */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_state;
    uint8_t write_state;
    uint8_t write_latch;
    uint8_t rw_mode;
    uint8_t mode;
    uint8_t bcd;
    uint8_t gate;
    uint8_t stopped;         /* control word written, count not yet */
    int64_t count_load_time; /* ns */
} PITChannel;

typedef struct PITState {
    PITChannel channels[3];
    int64_t next_irq_time;   /* armed transition of channel 0, -1: none */
    int irq_level;
    qemu_irq irq;
    void (*timer_arm)(void *opaque, int64_t when);   /* < 0: cancel */
    void *opaque;
} PITState;

/** pit_core_init: @irq is IRQ0; @timer_arm arms the host timer. */
void pit_core_init(PITState *s, qemu_irq irq,
                   void (*timer_arm)(void *opaque, int64_t when),
                   void *opaque);
void pit_core_reset(PITState *s, int64_t now);
/** pit_ioport_read/write: @addr 0-3 (port - 0x40), @now virtual ns. */
uint8_t pit_ioport_read(PITState *s, int addr, int64_t now);
void pit_ioport_write(PITState *s, int addr, uint8_t val, int64_t now);
/** pit_set_gate: gate input of @channel (2 is port 0x61 bit 0). */
void pit_set_gate(PITState *s, int channel, int level, int64_t now);
int pit_get_gate(PITState *s, int channel);
/** pit_get_out: OUT level of @channel at @now. */
int pit_get_out(PITState *s, int channel, int64_t now);
/** pit_timer_expired: the armed timer fired; updates IRQ0, re-arms. */
void pit_timer_expired(PITState *s, int64_t now);
/** pit_core_post_load: re-derive IRQ0 and the timer after a load. */
void pit_core_post_load(PITState *s, int64_t now);

extern const VMStateDescription vmstate_pit_core;

#endif
