/*
 * Local APIC device: MMIO at 0xfee00000, the timer, migration and the
 * machine/CPU glue around the pure model in apic-core.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "exec/memory.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/i386/apic.h"
#include "trace/trace-hw_intc.h"

OBJECT_DECLARE_SIMPLE_TYPE(APICDevice, APIC)

struct APICDevice {
    DeviceState parent_obj;

    APICState core;
    MemoryRegion mmio;
    QEMUTimer *timer;
    qemu_irq *lint;
    uint8_t id;
    const APICOps *mops;     /* machine hooks */
    void *mopaque;
};

static int64_t now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

/* ---- hooks the core calls: forward to the machine ---- */

static void apic_fwd_set_intr(void *opaque, int level)
{
    APICDevice *s = opaque;

    if (s->mops && s->mops->set_intr) {
        s->mops->set_intr(s->mopaque, level);
    }
}

static void apic_fwd_nmi(void *opaque)
{
    APICDevice *s = opaque;

    if (s->mops && s->mops->nmi) {
        s->mops->nmi(s->mopaque);
    }
}

static void apic_fwd_eoi(void *opaque, int vector)
{
    APICDevice *s = opaque;

    trace_apic_eoi_broadcast(vector);
    if (s->mops && s->mops->eoi_broadcast) {
        s->mops->eoi_broadcast(s->mopaque, vector);
    }
}

static int apic_fwd_extint(void *opaque)
{
    APICDevice *s = opaque;

    if (s->mops && s->mops->extint_ack) {
        return s->mops->extint_ack(s->mopaque);
    }
    return s->core.svr & 0xff;
}

static int64_t apic_fwd_tsc_to_ns(void *opaque, uint64_t tsc)
{
    APICDevice *s = opaque;

    if (s->mops && s->mops->tsc_to_ns) {
        return s->mops->tsc_to_ns(s->mopaque, tsc);
    }
    return (int64_t)tsc;     /* 1 GHz TSC if nobody says otherwise */
}

static void apic_timer_arm(void *opaque, int64_t when)
{
    APICDevice *s = opaque;

    if (when < 0) {
        timer_del(s->timer);
    } else {
        timer_mod_ns(s->timer, when);
    }
}

static const APICOps apic_dev_ops = {
    .set_intr = apic_fwd_set_intr,
    .nmi = apic_fwd_nmi,
    .timer_arm = apic_timer_arm,
    .eoi_broadcast = apic_fwd_eoi,
    .extint_ack = apic_fwd_extint,
    .tsc_to_ns = apic_fwd_tsc_to_ns,
};

static void apic_timer_cb(void *opaque)
{
    APICDevice *s = opaque;

    trace_apic_timer_fire(s->core.lvt[APIC_LVT_TIMER]);
    apic_timer_expired(&s->core, now_ns());
}

/* ---- MMIO ---- */

static uint64_t apic_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    APICDevice *s = opaque;
    uint32_t val = apic_mem_readl(&s->core, addr & ~0xfULL, now_ns());

    trace_apic_mem_readl(addr, val);
    if (size < 4) {
        val >>= 8 * (addr & 3);
        val &= (1U << (8 * size)) - 1;
    }
    return val;
}

static void apic_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    APICDevice *s = opaque;

    trace_apic_mem_writel(addr, val);
    if (size != 4 || (addr & 0xf)) {
        return;              /* xAPIC registers take aligned dwords */
    }
    apic_mem_writel(&s->core, addr, val, now_ns());
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .min_access_size = 1,
    .max_access_size = 4,
};

/* ---- device ---- */

static void apic_realize(DeviceState *dev, Error **errp)
{
    APICDevice *s = APIC(dev);

    s->timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, apic_timer_cb, s);
    apic_core_init(&s->core, s->id, &apic_dev_ops, s);
    s->lint = qemu_allocate_irqs(apic_lint_handler, &s->core, 2);
    memory_region_init_io(&s->mmio, &apic_mmio_ops, s, "apic-msi",
                          APIC_SPACE_SIZE);
    memory_region_add_subregion_overlap(get_system_memory(),
                                        APIC_DEFAULT_ADDRESS, &s->mmio, 4096);
}

static void apic_unrealize(DeviceState *dev)
{
    APICDevice *s = APIC(dev);

    memory_region_del_subregion(get_system_memory(), &s->mmio);
    timer_free(s->timer);
    s->timer = NULL;
    qemu_free_irqs(s->lint, 2);
    s->lint = NULL;
}

static void apic_reset(DeviceState *dev)
{
    APICDevice *s = APIC(dev);

    apic_core_reset(&s->core, true);
}

static int apic_post_load(void *opaque, int version_id)
{
    APICDevice *s = opaque;

    return apic_core_post_load(&s->core, now_ns()) ? 0 : -EINVAL;
}

static const VMStateDescription vmstate_apic = {
    .name = "apic",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = apic_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(core, APICDevice, 1, vmstate_apic_core, APICState),
        VMSTATE_END_OF_LIST()
    },
};

static Property apic_props[] = {
    DEFINE_PROP_UINT8("id", APICDevice, id, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void apic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = apic_realize;
    dc->unrealize = apic_unrealize;
    dc->reset = apic_reset;
    dc->vmsd = &vmstate_apic;
    dc->user_creatable = false;
    dc->desc = "local APIC";
    device_class_set_props(dc, apic_props);
}

static const TypeInfo apic_info = {
    .name = TYPE_APIC,
    .parent = TYPE_DEVICE,
    .instance_size = sizeof(APICDevice),
    .class_init = apic_class_init,
};

static void apic_register_types(void)
{
    type_register_static(&apic_info);
}

type_init(apic_register_types);

/* ---- machine and CPU glue ---- */

DeviceState *apic_new(uint8_t id, const APICOps *ops, void *opaque,
                      Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_APIC);
    APICDevice *s = APIC(dev);

    qdev_prop_set_uint8(dev, "id", id);
    s->mops = ops;
    s->mopaque = opaque;
    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    return dev;
}

APICState *apic_get_state(DeviceState *dev)
{
    return &APIC(dev)->core;
}

qemu_irq apic_get_lint(DeviceState *dev, int pin)
{
    return APIC(dev)->lint[pin & 1];
}

int apic_cpu_get_interrupt(DeviceState *dev)
{
    int v = apic_get_interrupt(&APIC(dev)->core);

    trace_apic_get_interrupt(v);
    return v;
}

bool apic_cpu_has_interrupt(DeviceState *dev)
{
    return apic_has_interrupt(&APIC(dev)->core);
}

uint64_t apic_cpu_get_base(DeviceState *dev)
{
    return apic_get_base(&APIC(dev)->core);
}

void apic_cpu_set_base(DeviceState *dev, uint64_t val)
{
    apic_set_base(&APIC(dev)->core, val, now_ns());
}

uint64_t apic_cpu_get_tsc_deadline(DeviceState *dev)
{
    return apic_get_tsc_deadline(&APIC(dev)->core);
}

void apic_cpu_set_tsc_deadline(DeviceState *dev, uint64_t val)
{
    trace_apic_tsc_deadline(val);
    apic_set_tsc_deadline(&APIC(dev)->core, val, now_ns());
}

uint8_t apic_cpu_get_cr8(DeviceState *dev)
{
    return apic_get_cr8(&APIC(dev)->core);
}

void apic_cpu_set_cr8(DeviceState *dev, uint8_t val)
{
    apic_set_cr8(&APIC(dev)->core, val);
}

void apic_dev_deliver_msi(DeviceState *dev, uint64_t addr, uint32_t data)
{
    trace_apic_deliver_msi(addr, data);
    apic_deliver_msi(&APIC(dev)->core, addr, data);
}
