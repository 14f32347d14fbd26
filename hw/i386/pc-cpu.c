/*
 * The vCPU as a QOM device ("qemu64-x86_64-cpu", "max-x86_64-cpu",
 * "base-x86_64-cpu", all children of the abstract "x86_64-cpu"), as
 * libvirt expects it at /machine/unattached/device[0]: the device owns
 * the accelerator's CPUState (include/hw/core/cpu.h) and gives it the
 * machine hooks, which route interrupt acknowledge, the APIC MSRs
 * (0x1b, 0x6e0) and CR8 to the LAPIC device, and a triple fault to a
 * system reset.
 *
 * Feature properties ("fpu", "lm", "kvmclock", ...) read the CPUID the
 * interpreter reports; -cpu MODEL,feat=on|off,+feat,-feat accepts the
 * known names and warns when the interpreter cannot honour a change.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/thread.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "hw/core/cpu.h"
#include "hw/i386/apic.h"
#include "hw/i386/pc.h"
#include "migration/register.h"
#include "system/runstate.h"
#include "target/i386/machine.h"
#include "trace/trace-hw_i386.h"

#define TYPE_X86_CPU_DEV TYPE_X86_CPU
OBJECT_DECLARE_SIMPLE_TYPE(X86CPUDevice, X86_CPU_DEV)

struct X86CPUDevice {
    DeviceState parent_obj;

    CPUState *cpu;
    CPUMachineHooks hooks;
    DeviceState *apic;
    int64_t thread_id;
};

/* ---- CPUID feature names (QEMU's property names) ---- */

typedef struct CPUFeature {
    const char *name;
    uint32_t leaf;
    uint8_t reg;            /* 0 EAX, 1 EBX, 2 ECX, 3 EDX */
    uint8_t bit;
} CPUFeature;

#define F_EAX 0
#define F_EBX 1
#define F_ECX 2
#define F_EDX 3

static const CPUFeature cpu_features[] = {
    { "fpu", 1, F_EDX, 0 }, { "vme", 1, F_EDX, 1 }, { "de", 1, F_EDX, 2 },
    { "pse", 1, F_EDX, 3 }, { "tsc", 1, F_EDX, 4 }, { "msr", 1, F_EDX, 5 },
    { "pae", 1, F_EDX, 6 }, { "mce", 1, F_EDX, 7 }, { "cx8", 1, F_EDX, 8 },
    { "apic", 1, F_EDX, 9 }, { "sep", 1, F_EDX, 11 },
    { "mtrr", 1, F_EDX, 12 }, { "pge", 1, F_EDX, 13 },
    { "mca", 1, F_EDX, 14 }, { "cmov", 1, F_EDX, 15 },
    { "pat", 1, F_EDX, 16 }, { "pse36", 1, F_EDX, 17 },
    { "clflush", 1, F_EDX, 19 }, { "mmx", 1, F_EDX, 23 },
    { "fxsr", 1, F_EDX, 24 }, { "sse", 1, F_EDX, 25 },
    { "sse2", 1, F_EDX, 26 }, { "ss", 1, F_EDX, 27 }, { "ht", 1, F_EDX, 28 },
    { "pni", 1, F_ECX, 0 }, { "pclmulqdq", 1, F_ECX, 1 },
    { "monitor", 1, F_ECX, 3 }, { "vmx", 1, F_ECX, 5 },
    { "ssse3", 1, F_ECX, 9 }, { "fma", 1, F_ECX, 12 },
    { "cx16", 1, F_ECX, 13 }, { "pcid", 1, F_ECX, 17 },
    { "sse4.1", 1, F_ECX, 19 }, { "sse4.2", 1, F_ECX, 20 },
    { "x2apic", 1, F_ECX, 21 }, { "movbe", 1, F_ECX, 22 },
    { "popcnt", 1, F_ECX, 23 }, { "tsc-deadline", 1, F_ECX, 24 },
    { "aes", 1, F_ECX, 25 }, { "xsave", 1, F_ECX, 26 },
    { "avx", 1, F_ECX, 28 }, { "f16c", 1, F_ECX, 29 },
    { "rdrand", 1, F_ECX, 30 }, { "hypervisor", 1, F_ECX, 31 },
    { "fsgsbase", 7, F_EBX, 0 }, { "bmi1", 7, F_EBX, 3 },
    { "avx2", 7, F_EBX, 5 }, { "smep", 7, F_EBX, 7 },
    { "bmi2", 7, F_EBX, 8 }, { "erms", 7, F_EBX, 9 },
    { "invpcid", 7, F_EBX, 10 }, { "rdseed", 7, F_EBX, 18 },
    { "smap", 7, F_EBX, 20 }, { "umip", 7, F_ECX, 2 },
    { "la57", 7, F_ECX, 16 },
    { "kvmclock", 0x40000001, F_EAX, 0 },
    { "kvm-nopiodelay", 0x40000001, F_EAX, 1 },
    { "kvm-asyncpf", 0x40000001, F_EAX, 4 },
    { "kvm-steal-time", 0x40000001, F_EAX, 5 },
    { "kvm-pv-eoi", 0x40000001, F_EAX, 6 },
    { "kvm-pv-unhalt", 0x40000001, F_EAX, 7 },
    { "kvm-pv-tlb-flush", 0x40000001, F_EAX, 9 },
    { "kvm-pv-ipi", 0x40000001, F_EAX, 11 },
    { "kvm-poll-control", 0x40000001, F_EAX, 12 },
    { "kvm-pv-sched-yield", 0x40000001, F_EAX, 13 },
    { "kvmclock-stable-bit", 0x40000001, F_EAX, 24 },
    { "syscall", 0x80000001, F_EDX, 11 }, { "nx", 0x80000001, F_EDX, 20 },
    { "mmxext", 0x80000001, F_EDX, 22 },
    { "fxsr-opt", 0x80000001, F_EDX, 25 },
    { "pdpe1gb", 0x80000001, F_EDX, 26 },
    { "rdtscp", 0x80000001, F_EDX, 27 }, { "lm", 0x80000001, F_EDX, 29 },
    { "3dnowext", 0x80000001, F_EDX, 30 },
    { "3dnow", 0x80000001, F_EDX, 31 },
    { "lahf-lm", 0x80000001, F_ECX, 0 }, { "svm", 0x80000001, F_ECX, 2 },
    { "abm", 0x80000001, F_ECX, 5 }, { "sse4a", 0x80000001, F_ECX, 6 },
    { "3dnowprefetch", 0x80000001, F_ECX, 8 },
    { "xop", 0x80000001, F_ECX, 11 }, { "fma4", 0x80000001, F_ECX, 16 },
    { "topoext", 0x80000001, F_ECX, 22 },
    { "invtsc", 0x80000007, F_EDX, 8 },
};

static const CPUFeature *feature_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(cpu_features); i++) {
        if (strcmp(cpu_features[i].name, name) == 0) {
            return &cpu_features[i];
        }
    }
    return NULL;
}

static bool feature_present(X86CPUDevice *s, const CPUFeature *f)
{
    uint32_t r[4];

    if (!s->cpu) {
        return false;
    }
    x86_cpu_cpuid(cpu_env(s->cpu), f->leaf, 0, &r[0], &r[1], &r[2], &r[3]);
    return (r[f->reg] >> f->bit) & 1;
}

/* ---- machine hooks (called with the BQL held by the accelerator) ---- */

/* Runs @fn under the BQL whichever thread calls. */
#define WITH_BQL(stmt) do {                  \
        bool took_ = !bql_locked();          \
        if (took_) {                         \
            bql_lock();                      \
        }                                    \
        stmt;                                \
        if (took_) {                         \
            bql_unlock();                    \
        }                                    \
    } while (0)

static int cpu_hook_irq(void *opaque)
{
    X86CPUDevice *s = opaque;
    int v = -1;

    if (s->apic) {
        WITH_BQL(v = apic_cpu_get_interrupt(s->apic));
    } else {
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
    return v;
}

static bool cpu_hook_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    X86CPUDevice *s = opaque;

    if (!s->apic) {
        return false;
    }
    switch (msr) {
    case MSR_IA32_APICBASE:
        WITH_BQL(*val = apic_cpu_get_base(s->apic));
        return true;
    case MSR_IA32_TSC_DEADLINE:
        WITH_BQL(*val = apic_cpu_get_tsc_deadline(s->apic));
        return true;
    default:
        return false;
    }
}

static bool cpu_hook_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    X86CPUDevice *s = opaque;

    if (!s->apic) {
        return false;
    }
    switch (msr) {
    case MSR_IA32_APICBASE:
        WITH_BQL(apic_cpu_set_base(s->apic, val));
        return true;
    case MSR_IA32_TSC_DEADLINE:
        WITH_BQL(apic_cpu_set_tsc_deadline(s->apic, val));
        return true;
    default:
        return false;
    }
}

static uint64_t cpu_hook_get_tpr(void *opaque)
{
    X86CPUDevice *s = opaque;
    uint64_t v = 0;

    if (s->apic) {
        WITH_BQL(v = apic_cpu_get_cr8(s->apic));
    }
    return v;
}

static void cpu_hook_set_tpr(void *opaque, uint64_t tpr)
{
    X86CPUDevice *s = opaque;

    if (s->apic) {
        WITH_BQL(apic_cpu_set_cr8(s->apic, tpr & 0xf));
    }
}

static void cpu_hook_reset_request(void *opaque)
{
    trace_pc_cpu_triple_fault();
    qemu_system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

/* ---- the vCPU thread's host id ---- */

/* The accelerator names its thread "vcpu"; find its tid in /proc. */
static int64_t find_vcpu_tid(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
    const char *ent;

    if (!dir) {
        return -1;
    }
    while ((ent = g_dir_read_name(dir))) {
        g_autofree char *path = g_strdup_printf("/proc/self/task/%s/comm",
                                                ent);
        g_autofree char *comm = NULL;

        if (g_file_get_contents(path, &comm, NULL, NULL) &&
            strcmp(g_strstrip(comm), "vcpu") == 0) {
            return g_ascii_strtoll(ent, NULL, 10);
        }
    }
    return -1;
}

static int64_t wait_vcpu_tid(void)
{
    int64_t end = g_get_monotonic_time() + G_USEC_PER_SEC;
    int64_t tid;

    while ((tid = find_vcpu_tid()) < 0 && g_get_monotonic_time() < end) {
        g_usleep(1000);
    }
    return tid >= 0 ? tid : qemu_get_thread_id();
}

/* ---- device ---- */

static void x86_cpu_dev_realize(DeviceState *dev, Error **errp)
{
    X86CPUDevice *s = X86_CPU_DEV(dev);

    s->hooks = (CPUMachineHooks) {
        .opaque = s,
        .get_interrupt_vector = cpu_hook_irq,
        .msr_read = cpu_hook_msr_read,
        .msr_write = cpu_hook_msr_write,
        .get_tpr = cpu_hook_get_tpr,
        .set_tpr = cpu_hook_set_tpr,
        .reset_request = cpu_hook_reset_request,
    };
    s->cpu = cpu_x86_create(&s->hooks, errp);
    if (!s->cpu) {
        return;
    }
    /* QEMU's section name for CPU 0 */
    if (vmstate_register_named("cpu", 0, &vmstate_x86_cpu,
                               cpu_env(s->cpu)) < 0) {
        error_setg(errp, "cannot register the CPU's migration section");
        cpu_pause_all();
        cpu_destroy(s->cpu);
        s->cpu = NULL;
        return;
    }
    s->thread_id = wait_vcpu_tid();
}

static void x86_cpu_dev_unrealize(DeviceState *dev)
{
    X86CPUDevice *s = X86_CPU_DEV(dev);

    if (s->cpu) {
        vmstate_unregister(&vmstate_x86_cpu, cpu_env(s->cpu));
        cpu_pause_all();
        cpu_destroy(s->cpu);
        s->cpu = NULL;
    }
}

static QObject *get_feature(Object *obj, const char *name, void *opaque,
                            Error **errp)
{
    return QOBJECT(qbool_from_bool(feature_present(X86_CPU_DEV(obj),
                                                   opaque)));
}

static QObject *get_zero(Object *obj, const char *name, void *opaque,
                         Error **errp)
{
    return QOBJECT(qnum_from_int(0));
}

static QObject *get_false(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    return QOBJECT(qbool_from_bool(false));
}

static QObject *get_cpuid_field(Object *obj, const char *name, void *opaque,
                                Error **errp)
{
    X86CPUDevice *s = X86_CPU_DEV(obj);
    uint32_t a = 0, b, c, d;
    unsigned family, model;

    if (s->cpu) {
        x86_cpu_cpuid(cpu_env(s->cpu), 1, 0, &a, &b, &c, &d);
    }
    family = (a >> 8) & 0xf;
    model = (a >> 4) & 0xf;
    if (family == 0xf) {
        family += (a >> 20) & 0xff;
        model |= ((a >> 16) & 0xf) << 4;
    }
    if (strcmp(name, "family") == 0) {
        return QOBJECT(qnum_from_int(family));
    }
    if (strcmp(name, "model") == 0) {
        return QOBJECT(qnum_from_int(model));
    }
    return QOBJECT(qnum_from_int(a & 0xf));
}

static QObject *get_vendor(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    X86CPUDevice *s = X86_CPU_DEV(obj);
    uint32_t a, r[3] = { 0 };
    char buf[13];

    if (s->cpu) {
        x86_cpu_cpuid(cpu_env(s->cpu), 0, 0, &a, &r[0], &r[2], &r[1]);
    }
    memcpy(buf, r, 12);
    buf[12] = 0;
    return QOBJECT(qstring_from_str(buf));
}

static QObject *get_tsc_freq(Object *obj, const char *name, void *opaque,
                             Error **errp)
{
    return QOBJECT(qnum_from_int(X86_TSC_KHZ * 1000));
}

static void x86_cpu_dev_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    static const char *const ids[] = {
        "apic-id", "socket-id", "core-id", "thread-id", "node-id", "die-id",
    };

    dc->realize = x86_cpu_dev_realize;
    dc->unrealize = x86_cpu_dev_unrealize;
    dc->user_creatable = false;
    dc->desc = "x86-64 vCPU";
    device_class_set_category(dc, DEVICE_CATEGORY_CPU);
    object_class_property_add(oc, "start-powered-off", "bool", get_false,
                              NULL, NULL, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        object_class_property_add(oc, ids[i], "int32", get_zero, NULL, NULL,
                                  NULL);
    }
    object_class_property_add(oc, "family", "int", get_cpuid_field, NULL,
                              NULL, NULL);
    object_class_property_add(oc, "model", "int", get_cpuid_field, NULL,
                              NULL, NULL);
    object_class_property_add(oc, "stepping", "int", get_cpuid_field, NULL,
                              NULL, NULL);
    object_class_property_add(oc, "vendor", "string", get_vendor, NULL,
                              NULL, NULL);
    object_class_property_add(oc, "tsc-frequency", "int", get_tsc_freq,
                              NULL, NULL, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(cpu_features); i++) {
        object_class_property_add(oc, cpu_features[i].name, "bool",
                                  get_feature, NULL, NULL,
                                  (void *)&cpu_features[i]);
    }
}

static const TypeInfo x86_cpu_types[] = {
    {
        .name = TYPE_X86_CPU,
        .parent = TYPE_DEVICE,
        .abstract = true,
        .instance_size = sizeof(X86CPUDevice),
        .class_init = x86_cpu_dev_class_init,
    }, {
        .name = X86_CPU_TYPE_NAME("qemu64"),
        .parent = TYPE_X86_CPU,
    }, {
        .name = X86_CPU_TYPE_NAME("max"),
        .parent = TYPE_X86_CPU,
    }, {
        .name = X86_CPU_TYPE_NAME("base"),
        .parent = TYPE_X86_CPU,
    },
};

DEFINE_TYPES(x86_cpu_types)

/* ---- machine-facing API ---- */

char *pc_cpu_model_type(const char *model, Error **errp)
{
    g_autofree char *type = g_strdup_printf(X86_CPU_TYPE_NAME("%s"), model);
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || object_class_is_abstract(oc) ||
        !object_class_dynamic_cast(oc, TYPE_X86_CPU)) {
        error_setg(errp, "unable to find CPU model '%s'", model);
        return NULL;
    }
    return g_steal_pointer(&type);
}

/* One -cpu option: "feat=on|off", "+feat", "-feat" or "feat". */
static bool apply_cpu_option(X86CPUDevice *s, const char *opt, Error **errp)
{
    g_autofree char *name = NULL;
    const char *eq = strchr(opt, '=');
    const CPUFeature *f;
    bool want = true;

    if (opt[0] == '+' || opt[0] == '-') {
        want = opt[0] == '+';
        name = g_strdup(opt + 1);
    } else if (eq) {
        name = g_strndup(opt, eq - opt);
        if (!strcmp(eq + 1, "on") || !strcmp(eq + 1, "true")) {
            want = true;
        } else if (!strcmp(eq + 1, "off") || !strcmp(eq + 1, "false")) {
            want = false;
        } else if (!feature_find(name)) {
            /* a non-feature property such as model-id=...: accepted */
            return true;
        } else {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
            return false;
        }
    } else {
        name = g_strdup(opt);
    }
    f = feature_find(name);
    if (!f) {
        error_setg(errp, "can't apply global %s.%s=%s: Property '%s.%s' "
                   "not found", object_get_typename(OBJECT(s)), name,
                   want ? "on" : "off", object_get_typename(OBJECT(s)),
                   name);
        return false;
    }
    if (feature_present(s, f) != want) {
        warn_report("TCG doesn't support requested feature: %s "
                    "(the interpreter keeps it %s)", name,
                    want ? "off" : "on");
    }
    return true;
}

DeviceState *pc_cpu_new(const char *type, const char *opts, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    X86CPUDevice *s = X86_CPU_DEV(dev);
    g_auto(GStrv) list = NULL;

    if (!qdev_realize(dev, NULL, errp)) {
        object_unref(dev);
        return NULL;
    }
    object_unref(dev);      /* the tree holds it */
    list = g_strsplit(opts ? opts : "", ",", -1);
    for (char **o = list; *o; o++) {
        if (**o && !apply_cpu_option(s, *o, errp)) {
            return NULL;
        }
    }
    return dev;
}

void pc_cpu_set_apic(DeviceState *dev, DeviceState *apic)
{
    X86_CPU_DEV(dev)->apic = apic;
}

int64_t pc_cpu_thread_id(DeviceState *dev)
{
    return X86_CPU_DEV(dev)->thread_id;
}

void pc_cpu_set_intr(DeviceState *dev, int level)
{
    X86CPUDevice *s = X86_CPU_DEV(dev);

    if (level) {
        cpu_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD);
    }
}

void pc_cpu_nmi(DeviceState *dev)
{
    cpu_interrupt(X86_CPU_DEV(dev)->cpu, CPU_INTERRUPT_NMI);
}

int64_t pc_cpu_tsc_to_ns(DeviceState *dev, uint64_t tsc)
{
    X86CPUDevice *s = X86_CPU_DEV(dev);
    uint64_t offset = __atomic_load_n(&cpu_env(s->cpu)->tsc_offset,
                                      __ATOMIC_RELAXED);
    unsigned __int128 ns;

    /* guest TSC = virtual ns * khz / 1e6 + offset */
    if (tsc <= offset) {
        return 0;
    }
    ns = (unsigned __int128)(tsc - offset) * 1000000 / X86_TSC_KHZ;
    return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

void pc_cpu_reset_to_boot(DeviceState *dev, const PCBootRegs *regs)
{
    X86CPUDevice *s = X86_CPU_DEV(dev);
    X86BootState bs = {
        .rip = regs->rip, .rsi = regs->rsi, .rsp = regs->rsp,
        .cr0 = regs->cr0, .cr3 = regs->cr3, .cr4 = regs->cr4,
        .efer = regs->efer, .gdt_base = regs->gdt_base,
        .gdt_limit = regs->gdt_limit, .cs = regs->cs, .ds = regs->ds,
        .es = regs->es, .ss = regs->ss, .fs = regs->fs, .gs = regs->gs,
    };

    cpu_reset(s->cpu);
    cpu_reset_interrupt(s->cpu, CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI);
    cpu_x86_load_boot_state(s->cpu, &bs);
    /* the loader wrote code behind the memory API's back */
    x86_cpu_code_flush(cpu_env(s->cpu));
    trace_pc_cpu_reset_to_boot(regs->rip);
}

static const VMRunHooks pc_run_hooks = {
    .pause_all = cpu_pause_all,
    .resume_all = cpu_resume_all,
};

void pc_cpu_register_run_hooks(void)
{
    runstate_set_run_hooks(&pc_run_hooks);
}
