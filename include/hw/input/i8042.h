/*
 * i8042 keyboard controller (ports 0x60 data, 0x64 status/command) with a
 * keyboard that answers commands but never types, and no mouse.
 *
 * Status (0x64 read): 0 OBF, 1 IBF (always 0: commands complete at once),
 * 2 SYS, 3 last write was a command, 4 keyboard not inhibited, 5 the
 * output byte is from the AUX port, 6 timeout.
 * Controller commands: 0x20 read / 0x60 write the command byte (CTR:
 * 0 kbd IRQ1, 1 aux IRQ12, 2 SYS, 4 kbd disabled, 5 aux disabled,
 * 6 translate), 0xaa self-test (0x55), 0xab/0xa9 port tests (0x00),
 * 0xad/0xae kbd disable/enable, 0xa7/0xa8 aux disable/enable, 0xd0/0xd1
 * output port (bit 0 clear = reset), 0xd2/0xd3 write kbd/aux output
 * buffer (loopback), 0xd4 write to the aux device (none: timeout + 0xfe),
 * 0xfe and other 0xf0-0xff pulses with bit 0 clear = reset request.
 * Keyboard commands on 0x60: reset (0xfa 0xaa), get id (0xfa 0xab 0x41),
 * echo, LEDs/typematic/scancode set with their argument byte (0xfa each),
 * enable/disable/defaults (0xfa), anything else 0xfe (resend).
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "migration/vmstate.h"

#include "hw/irq.h"

#define TYPE_I8042 "i8042"
#define I8042_QUEUE_LEN 16

typedef struct I8042State {
    uint8_t queue[I8042_QUEUE_LEN];
    uint8_t queue_aux[I8042_QUEUE_LEN];   /* 1: byte came from AUX */
    uint8_t q_head;
    uint8_t q_count;
    uint8_t status;
    uint8_t ctr;
    uint8_t outport;
    uint8_t pending_cmd;     /* controller command awaiting a data byte */
    uint8_t kbd_pending;     /* keyboard command awaiting its argument */
    uint8_t kbd_enabled;
    qemu_irq irq_kbd;
    qemu_irq irq_aux;
    void (*reset_request)(void *opaque);
    void *opaque;
} I8042State;

void i8042_core_init(I8042State *s, qemu_irq irq_kbd, qemu_irq irq_aux,
                     void (*reset_request)(void *opaque), void *opaque);
void i8042_core_reset(I8042State *s);
/** i8042_read/write: @addr 0 = port 0x60, 1 = port 0x64. */
uint8_t i8042_read(I8042State *s, int addr);
void i8042_write(I8042State *s, int addr, uint8_t val);
bool i8042_core_post_load(I8042State *s);

extern const VMStateDescription vmstate_i8042_core;

#endif
