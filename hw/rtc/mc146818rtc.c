/*
 * MC146818 RTC/CMOS device: ports, IRQ8, the event timer and migration
 * around the pure model in mc146818rtc-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/intc/isa_irq.h"
#include "hw/rtc/mc146818rtc_dev.h"
#include "trace/trace-hw_rtc.h"

OBJECT_DECLARE_SIMPLE_TYPE(RTCDevice, MC146818_RTC)

struct RTCDevice {
    DeviceState parent_obj;

    RTCState core;
    MemoryRegion io;
    QEMUTimer *timer;
    uint8_t irq;             /* property */
    uint16_t iobase;         /* property */
};

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static void rtc_dev_timer_arm(void *opaque, int64_t when)
{
    RTCDevice *s = opaque;

    if (when < 0) {
        timer_del(s->timer);
    } else {
        timer_mod_ns(s->timer, when);
    }
}

static void rtc_dev_timer_cb(void *opaque)
{
    RTCDevice *s = opaque;

    rtc_timer_expired(&s->core, now_ns());
}

static uint64_t rtc_io_read(void *opaque, hwaddr addr, unsigned size)
{
    RTCDevice *s = opaque;
    uint8_t val = rtc_ioport_read(&s->core, addr & 1, now_ns());

    trace_rtc_ioport_read(s->core.cmos_index, val);
    return val;
}

static void rtc_io_write(void *opaque, hwaddr addr, uint64_t val,
                         unsigned size)
{
    RTCDevice *s = opaque;

    if (addr & 1) {
        trace_rtc_ioport_write(s->core.cmos_index, val);
    }
    rtc_ioport_write(&s->core, addr & 1, val, now_ns());
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .min_access_size = 1,
    .max_access_size = 1,
};

static void rtc_realize(DeviceState *dev, Error **errp)
{
    RTCDevice *s = MC146818_RTC(dev);

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, rtc_dev_timer_cb, s);
    rtc_core_init(&s->core, isa_get_irq(s->irq), rtc_dev_timer_arm, s,
                  qemu_clock_get_ns(QEMU_CLOCK_HOST), now_ns());
    memory_region_init_io(&s->io, &rtc_io_ops, s, "rtc", 2);
    memory_region_add_subregion(get_system_io(), s->iobase, &s->io);
}

static void rtc_unrealize(DeviceState *dev)
{
    RTCDevice *s = MC146818_RTC(dev);

    memory_region_del_subregion(get_system_io(), &s->io);
    timer_free(s->timer);
    s->timer = NULL;
}

static void rtc_reset(DeviceState *dev)
{
    RTCDevice *s = MC146818_RTC(dev);

    rtc_core_reset(&s->core, now_ns());
}

static int rtc_post_load(void *opaque, int version_id)
{
    RTCDevice *s = opaque;

    rtc_core_post_load(&s->core, now_ns());
    return 0;
}

static const VMStateDescription vmstate_rtc = {
    .name = "mc146818rtc",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = rtc_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, RTCDevice, 1, vmstate_rtc_core, RTCState),
        VMSTATE_END_OF_LIST()
    },
};

static Property rtc_props[] = {
    DEFINE_PROP_UINT16("iobase", RTCDevice, iobase, 0x70),
    DEFINE_PROP_UINT8("irq", RTCDevice, irq, RTC_ISA_IRQ),
    DEFINE_PROP_END_OF_LIST(),
};

static void rtc_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = rtc_realize;
    dc->unrealize = rtc_unrealize;
    dc->reset = rtc_reset;
    dc->vmsd = &vmstate_rtc;
    dc->user_creatable = false;
    dc->desc = "MC146818 real-time clock and CMOS RAM";
    device_class_set_props(dc, rtc_props);
}

static const TypeInfo rtc_info = {
    .name = TYPE_MC146818_RTC,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(RTCDevice),
    .class_init = rtc_class_init,
};

static void rtc_register_types(void)
{
    type_register_static(&rtc_info);
}

type_init(rtc_register_types);

DeviceState *mc146818_rtc_new(Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_MC146818_RTC);

    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

void rtc_dev_set_memory_sizes(DeviceState *dev, uint64_t below_4g,
                              uint64_t above_4g)
{
    rtc_set_memory_sizes(&MC146818_RTC(dev)->core, below_4g, above_4g);
}

void rtc_dev_set_memory(DeviceState *dev, int addr, uint8_t val)
{
    rtc_set_memory(&MC146818_RTC(dev)->core, addr, val);
}

bool rtc_dev_nmi_masked(DeviceState *dev)
{
    return MC146818_RTC(dev)->core.nmi_masked;
}
