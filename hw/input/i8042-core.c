/*
 * i8042 keyboard controller: pure model.  See include/hw/input/i8042.h.
 */
#include "qemu/osdep.h"
#include "hw/input/i8042.h"
#include "migration/vmstate.h"

#define STAT_OBF     0x01
#define STAT_SYS     0x04
#define STAT_CMD     0x08
#define STAT_UNLOCK  0x10
#define STAT_AUX_OBF 0x20
#define STAT_TIMEOUT 0x40

#define CTR_KBD_INT  0x01
#define CTR_AUX_INT  0x02
#define CTR_SYS      0x04
#define CTR_KBD_DIS  0x10
#define CTR_AUX_DIS  0x20
#define CTR_XLATE    0x40

static void i8042_update(I8042State *s)
{
    bool have = s->q_count > 0;
    bool aux = have && s->queue_aux[s->q_head];

    s->status &= ~(STAT_OBF | STAT_AUX_OBF);
    if (have) {
        s->status |= STAT_OBF | (aux ? STAT_AUX_OBF : 0);
    }
    qemu_set_irq(s->irq_kbd, have && !aux && (s->ctr & CTR_KBD_INT));
    qemu_set_irq(s->irq_aux, have && aux && (s->ctr & CTR_AUX_INT));
}

static void i8042_queue(I8042State *s, uint8_t b, bool aux)
{
    int i;

    if (s->q_count >= I8042_QUEUE_LEN) {
        return;
    }
    i = (s->q_head + s->q_count) % I8042_QUEUE_LEN;
    s->queue[i] = b;
    s->queue_aux[i] = aux;
    s->q_count++;
    i8042_update(s);
}

static void i8042_reset_request(I8042State *s)
{
    if (s->reset_request) {
        s->reset_request(s->opaque);
    }
}

static void kbd_command(I8042State *s, uint8_t val)
{
    if (s->kbd_pending) {
        /* argument of 0xed, 0xf0, 0xf3 */
        uint8_t cmd = s->kbd_pending;

        s->kbd_pending = 0;
        if (cmd == 0xf0 && val == 0) {
            i8042_queue(s, 0xfa, false);
            i8042_queue(s, 0x02, false);
            return;
        }
        i8042_queue(s, 0xfa, false);
        return;
    }
    switch (val) {
    case 0xff:               /* reset + BAT */
        s->kbd_enabled = 1;
        i8042_queue(s, 0xfa, false);
        i8042_queue(s, 0xaa, false);
        break;
    case 0xf2:               /* identify */
        i8042_queue(s, 0xfa, false);
        i8042_queue(s, 0xab, false);
        i8042_queue(s, (s->ctr & CTR_XLATE) ? 0x41 : 0x83, false);
        break;
    case 0xee:
        i8042_queue(s, 0xee, false);
        break;
    case 0xed:
    case 0xf0:
    case 0xf3:
        s->kbd_pending = val;
        i8042_queue(s, 0xfa, false);
        break;
    case 0xf4:
        s->kbd_enabled = 1;
        i8042_queue(s, 0xfa, false);
        break;
    case 0xf5:
        s->kbd_enabled = 0;
        i8042_queue(s, 0xfa, false);
        break;
    case 0xf6:
    case 0xf7 ... 0xfd:
        i8042_queue(s, 0xfa, false);
        break;
    default:
        i8042_queue(s, 0xfe, false);
        break;
    }
}

static void i8042_write_data(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->pending_cmd;

    s->pending_cmd = 0;
    switch (cmd) {
    case 0x60:
        s->ctr = val;
        if (val & CTR_SYS) {
            s->status |= STAT_SYS;
        } else {
            s->status &= ~STAT_SYS;
        }
        i8042_update(s);
        break;
    case 0xd1:
        s->outport = val;
        if (!(val & 1)) {
            i8042_reset_request(s);
        }
        break;
    case 0xd2:
        i8042_queue(s, val, false);
        break;
    case 0xd3:
        i8042_queue(s, val, true);
        break;
    case 0xd4:
        /* no mouse behind the AUX port */
        s->status |= STAT_TIMEOUT;
        i8042_queue(s, 0xfe, true);
        break;
    default:
        kbd_command(s, val);
        break;
    }
}

static void i8042_write_command(I8042State *s, uint8_t val)
{
    s->status &= ~STAT_TIMEOUT;
    switch (val) {
    case 0x20:
        i8042_queue(s, s->ctr, false);
        break;
    case 0x60:
    case 0xd1:
    case 0xd2:
    case 0xd3:
    case 0xd4:
        s->pending_cmd = val;
        break;
    case 0xa7:
        s->ctr |= CTR_AUX_DIS;
        break;
    case 0xa8:
        s->ctr &= ~CTR_AUX_DIS;
        break;
    case 0xa9:
    case 0xab:
        i8042_queue(s, 0x00, false);
        break;
    case 0xaa:
        s->status |= STAT_SYS;
        i8042_queue(s, 0x55, false);
        break;
    case 0xad:
        s->ctr |= CTR_KBD_DIS;
        break;
    case 0xae:
        s->ctr &= ~CTR_KBD_DIS;
        break;
    case 0xc0:
        i8042_queue(s, 0x80, false);   /* input port: kbd not locked */
        break;
    case 0xd0:
        i8042_queue(s, s->outport, false);
        break;
    case 0xf0 ... 0xff:
        if (!(val & 1)) {
            i8042_reset_request(s);
        }
        break;
    default:
        break;           /* unknown commands are ignored */
    }
}

void i8042_write(I8042State *s, int addr, uint8_t val)
{
    if (addr & 1) {
        s->status |= STAT_CMD;
        i8042_write_command(s, val);
    } else {
        s->status &= ~STAT_CMD;
        i8042_write_data(s, val);
    }
}

uint8_t i8042_read(I8042State *s, int addr)
{
    uint8_t b;

    if (addr & 1) {
        return s->status;
    }
    if (!s->q_count) {
        /* nothing new: the last byte again, like hardware */
        return s->queue[(s->q_head + I8042_QUEUE_LEN - 1) %
                        I8042_QUEUE_LEN];
    }
    b = s->queue[s->q_head];
    s->q_head = (s->q_head + 1) % I8042_QUEUE_LEN;
    s->q_count--;
    i8042_update(s);
    return b;
}

void i8042_core_reset(I8042State *s)
{
    s->q_head = s->q_count = 0;
    s->status = STAT_UNLOCK;
    s->ctr = CTR_KBD_INT | CTR_AUX_INT | CTR_XLATE | CTR_SYS;
    s->status |= STAT_SYS;
    s->outport = 0x03;       /* not in reset, A20 on */
    s->pending_cmd = 0;
    s->kbd_pending = 0;
    s->kbd_enabled = 1;
    i8042_update(s);
}

void i8042_core_init(I8042State *s, qemu_irq irq_kbd, qemu_irq irq_aux,
                     void (*reset_request)(void *opaque), void *opaque)
{
    memset(s, 0, sizeof(*s));
    s->irq_kbd = irq_kbd;
    s->irq_aux = irq_aux;
    s->reset_request = reset_request;
    s->opaque = opaque;
    i8042_core_reset(s);
}

bool i8042_core_post_load(I8042State *s)
{
    if (s->q_head >= I8042_QUEUE_LEN || s->q_count > I8042_QUEUE_LEN) {
        return false;
    }
    i8042_update(s);
    return true;
}

/* ---- migration ---- */

static int i8042_vmstate_post_load(void *opaque, int version_id)
{
    I8042State *s = opaque;

    if (s->q_head >= I8042_QUEUE_LEN || s->q_count > I8042_QUEUE_LEN) {
        return -EINVAL;
    }
    return 0;
}

const VMStateDescription vmstate_i8042_core = {
    .name = "i8042-core",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = i8042_vmstate_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8_ARRAY(queue, I8042State, I8042_QUEUE_LEN),
        VMSTATE_UINT8_ARRAY(queue_aux, I8042State, I8042_QUEUE_LEN),
        VMSTATE_UINT8(q_head, I8042State),
        VMSTATE_UINT8(q_count, I8042State),
        VMSTATE_UINT8(status, I8042State),
        VMSTATE_UINT8(ctr, I8042State),
        VMSTATE_UINT8(outport, I8042State),
        VMSTATE_UINT8(pending_cmd, I8042State),
        VMSTATE_UINT8(kbd_pending, I8042State),
        VMSTATE_UINT8(kbd_enabled, I8042State),
        VMSTATE_END_OF_LIST()
    },
};
