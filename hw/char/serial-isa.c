/*
 * isa-serial: the 16550A core (serial-core.c) on I/O ports, an ISA IRQ
 * and a chardev.  Received bytes are flow-controlled by the RX FIFO
 * (can_read); transmitted bytes that the backend cannot take yet stay in
 * the TX FIFO and are retried from a timer, so nothing is lost.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "chardev/char-fe.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/intc/isa_irq.h"
#include "hw/char/serial_isa.h"
#include "trace/trace-hw_char.h"

#define SERIAL_TX_RETRY_NS (1000 * 1000)

OBJECT_DECLARE_SIMPLE_TYPE(ISASerialState, ISA_SERIAL)

struct ISASerialState {
    DeviceState parent_obj;

    SerialState core;
    MemoryRegion io;
    CharBackend chr;
    QEMUTimer *timeout_timer;    /* character timeout (virtual clock) */
    QEMUTimer *tx_timer;         /* backend retry (realtime clock) */
    char *chardev_id;            /* property */
    Chardev *chardev;            /* serial_isa_new() */
    uint32_t index;
    uint32_t iobase;
    uint32_t isairq;
    uint8_t wakeup;              /* accepted for compatibility, unused */
};

static const uint16_t isa_serial_io[MAX_ISA_SERIAL_PORTS] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8,
};
static const uint8_t isa_serial_irq[MAX_ISA_SERIAL_PORTS] = { 4, 3, 4, 3 };
/* next automatic index; devices are created under the BQL */
static unsigned next_auto_index;

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* ---- core hooks ---- */

static int serial_dev_tx(void *opaque, const uint8_t *buf, int len)
{
    ISASerialState *s = opaque;
    int n = qemu_chr_fe_write(&s->chr, buf, len);

    if (n < 0) {
        trace_serial_tx_dropped(len);
        return len;          /* nothing attached: the line drops bytes */
    }
    return n;
}

static void serial_dev_tx_wait(void *opaque)
{
    ISASerialState *s = opaque;

    if (!timer_pending(s->tx_timer)) {
        timer_mod_ns(s->tx_timer,
                     qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                     SERIAL_TX_RETRY_NS);
    }
}

static void serial_dev_accept_input(void *opaque)
{
    ISASerialState *s = opaque;

    qemu_chr_fe_accept_input(&s->chr);
}

static void serial_dev_timer_arm(void *opaque, int64_t when)
{
    ISASerialState *s = opaque;

    if (when < 0) {
        timer_del(s->timeout_timer);
    } else {
        timer_mod_ns(s->timeout_timer, when);
    }
}

static const SerialOps serial_dev_ops = {
    .tx = serial_dev_tx,
    .tx_wait = serial_dev_tx_wait,
    .accept_input = serial_dev_accept_input,
    .timer_arm = serial_dev_timer_arm,
};

static void serial_tx_timer_cb(void *opaque)
{
    ISASerialState *s = opaque;

    serial_tx_kick(&s->core);
}

static void serial_timeout_timer_cb(void *opaque)
{
    ISASerialState *s = opaque;

    serial_timeout_expired(&s->core, now_ns());
}

/* ---- chardev frontend ---- */

static int serial_chr_can_read(void *opaque)
{
    ISASerialState *s = opaque;

    return serial_can_receive(&s->core);
}

static void serial_chr_read(void *opaque, const uint8_t *buf, int size)
{
    ISASerialState *s = opaque;

    trace_serial_receive(size);
    serial_receive(&s->core, buf, size, now_ns());
}

static void serial_chr_event(void *opaque, QEMUChrEvent event)
{
    ISASerialState *s = opaque;

    if (event == CHR_EVENT_OPENED) {
        serial_tx_kick(&s->core);
    }
}

/* ---- I/O ports ---- */

static uint64_t serial_io_read(void *opaque, hwaddr addr, unsigned size)
{
    ISASerialState *s = opaque;

    return serial_ioport_read(&s->core, addr & 7, now_ns());
}

static void serial_io_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    ISASerialState *s = opaque;

    serial_ioport_write(&s->core, addr & 7, val, now_ns());
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

/* ---- device ---- */

static void serial_isa_realize(DeviceState *dev, Error **errp)
{
    ISASerialState *s = ISA_SERIAL(dev);
    Chardev *chr = s->chardev;

    if (s->index == UINT32_MAX) {
        s->index = next_auto_index;
    }
    if (s->index >= MAX_ISA_SERIAL_PORTS) {
        error_setg(errp, "Max. supported number of ISA serial ports is %d.",
                   MAX_ISA_SERIAL_PORTS);
        return;
    }
    if (s->iobase == UINT32_MAX) {
        s->iobase = isa_serial_io[s->index];
    }
    if (s->isairq == UINT32_MAX) {
        s->isairq = isa_serial_irq[s->index];
    }
    if (s->iobase > 0xfff8 || s->isairq >= ISA_NUM_IRQS) {
        error_setg(errp, "isa-serial: invalid iobase or irq");
        return;
    }
    if (!chr && s->chardev_id) {
        chr = qemu_chr_find(s->chardev_id);
        if (!chr) {
            error_setg(errp, "Property 'isa-serial.chardev' can't find "
                       "value '%s'", s->chardev_id);
            return;
        }
    }
    if (!qemu_chr_fe_init(&s->chr, chr, errp)) {
        return;
    }
    next_auto_index = MAX(next_auto_index, s->index + 1);
    s->timeout_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                    serial_timeout_timer_cb, s);
    s->tx_timer = timer_new_ns(QEMU_CLOCK_REALTIME, serial_tx_timer_cb, s);
    serial_core_init(&s->core, isa_get_irq(s->isairq), &serial_dev_ops, s);
    qemu_chr_fe_set_handlers(&s->chr, serial_chr_can_read, serial_chr_read,
                             serial_chr_event, NULL, s, NULL, true);
    memory_region_init_io(&s->io, &serial_io_ops, s, "serial", 8);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void serial_isa_unrealize(DeviceState *dev)
{
    ISASerialState *s = ISA_SERIAL(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    qemu_chr_fe_deinit(&s->chr, false);
    timer_free(s->timeout_timer);
    timer_free(s->tx_timer);
    s->timeout_timer = s->tx_timer = NULL;
}

static void serial_isa_reset(DeviceState *dev)
{
    ISASerialState *s = ISA_SERIAL(dev);

    serial_core_reset(&s->core);
}

static int serial_isa_post_load(void *opaque, int version_id)
{
    ISASerialState *s = opaque;

    return serial_core_post_load(&s->core) ? 0 : -EINVAL;
}

static const VMStateDescription vmstate_isa_serial = {
    .name = "serial",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = serial_isa_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, ISASerialState, 1, vmstate_serial_core,
                       SerialState),
        VMSTATE_END_OF_LIST()
    },
};

static Property serial_isa_props[] = {
    DEFINE_PROP_UINT32("index", ISASerialState, index, UINT32_MAX),
    DEFINE_PROP_UINT32("iobase", ISASerialState, iobase, UINT32_MAX),
    DEFINE_PROP_UINT32("irq", ISASerialState, isairq, UINT32_MAX),
    DEFINE_PROP_CHR("chardev", ISASerialState, chardev_id),
    DEFINE_PROP_UINT8("wakeup", ISASerialState, wakeup, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void serial_isa_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = serial_isa_realize;
    dc->unrealize = serial_isa_unrealize;
    dc->reset = serial_isa_reset;
    dc->vmsd = &vmstate_isa_serial;
    dc->user_creatable = true;
    dc->desc = "16550A UART on the ISA bus";
    device_class_set_category(dc, DEVICE_CATEGORY_INPUT);
    device_class_set_props(dc, serial_isa_props);
}

static const TypeInfo serial_isa_info = {
    .name = TYPE_ISA_SERIAL,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(ISASerialState),
    .class_init = serial_isa_class_init,
};

static void serial_isa_register_types(void)
{
    type_register_static(&serial_isa_info);
}

type_init(serial_isa_register_types);

DeviceState *serial_isa_new(int index, Chardev *chr, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_ISA_SERIAL);

    qdev_prop_set_uint32(dev, "index", index);
    ISA_SERIAL(dev)->chardev = chr;
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}
