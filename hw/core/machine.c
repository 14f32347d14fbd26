/*
 * The abstract machine type and the "none" board.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "exec/memory.h"
#include "qapi/qapi-types-machine.h"

static MachineState *current_machine;

MachineState *current_machine_get(void)
{
    return current_machine;
}

void current_machine_set(MachineState *ms)
{
    current_machine = ms;
}

static void machine_finalize(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    g_free(ms->accel);
    g_free(ms->cpu_type);
    g_free(ms->cpu_model);
    g_free(ms->ram_backend_id);
    g_free(ms->kernel_filename);
    g_free(ms->initrd_filename);
    g_free(ms->kernel_cmdline);
}

static void machine_instance_init(Object *obj)
{
    MachineState *ms = MACHINE(obj);

    ms->smp_cpus = 1;
    ms->acpi = true;
    ms->kernel_cmdline = g_strdup("");
}

static void machine_class_init(ObjectClass *oc, void *data)
{
    /* QEMU's default guest RAM; boards may change it ("none": 0). */
    MACHINE_CLASS(oc)->default_ram_size = 128 * 1024 * 1024;
}

static void machine_class_base_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    const char *tname = object_class_get_name(oc);

    /* Derive the machine name from "<name>-machine" unless set. */
    if (!mc->name && g_str_has_suffix(tname, TYPE_MACHINE_SUFFIX)) {
        mc->name = g_strndup(tname,
                             strlen(tname) - strlen(TYPE_MACHINE_SUFFIX));
    }
}

static const TypeInfo machine_info = {
    .name = TYPE_MACHINE,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .class_size = sizeof(MachineClass),
    .class_init = machine_class_init,
    .class_base_init = machine_class_base_init,
    .instance_size = sizeof(MachineState),
    .instance_init = machine_instance_init,
    .instance_finalize = machine_finalize,
};

static gint machine_class_cmp(gconstpointer a, gconstpointer b)
{
    const MachineClass *ma = a, *mb = b;

    return strcmp(ma->name, mb->name);
}

GSList *machine_class_list(void)
{
    GSList *l = object_class_get_list(TYPE_MACHINE, false);

    return g_slist_sort(l, machine_class_cmp);
}

MachineClass *machine_class_find(const char *name)
{
    g_autoptr(GSList) list = machine_class_list();

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (strcmp(mc->name, name) == 0 ||
            (mc->alias && strcmp(mc->alias, name) == 0)) {
            return mc;
        }
    }
    return NULL;
}

MachineClass *machine_class_default(void)
{
    g_autoptr(GSList) list = machine_class_list();

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (mc->is_default) {
            return mc;
        }
    }
    return NULL;
}

static CpuInstanceProperties *machine_cpu_props(void)
{
    CpuInstanceProperties *props = g_new0(CpuInstanceProperties, 1);

    props->has_socket_id = true;
    props->has_core_id = true;
    props->has_thread_id = true;
    return props;
}

CpuInfoFastList *machine_query_cpus_fast(MachineState *ms)
{
    CpuInfoFastList *entry;
    CpuInfoFast *info;

    if (!ms || !ms->cpu) {
        return NULL;
    }
    info = g_new0(CpuInfoFast, 1);
    info->cpu_index = 0;
    info->qom_path = object_get_canonical_path(ms->cpu);
    info->thread_id = ms->cpu_thread_id;
    info->has_props = true;
    info->props = machine_cpu_props();
    info->target = SYS_EMU_TARGET_X86_64;
    entry = g_new0(CpuInfoFastList, 1);
    entry->value = info;
    return entry;
}

HotpluggableCPUList *machine_query_hotpluggable_cpus(MachineState *ms)
{
    HotpluggableCPUList *entry;
    HotpluggableCPU *info;

    if (!ms || !ms->cpu) {
        return NULL;
    }
    info = g_new0(HotpluggableCPU, 1);
    info->type = g_strdup(object_get_typename(ms->cpu));
    info->vcpus_count = 1;
    info->props = machine_cpu_props();
    info->has_qom_path = true;
    info->qom_path = object_get_canonical_path(ms->cpu);
    entry = g_new0(HotpluggableCPUList, 1);
    entry->value = info;
    return entry;
}

/* "none": an empty board, used by management tools to probe the binary. */
static bool none_machine_init(MachineState *ms, Error **errp)
{
    static MemoryRegion ram;
    RAMBlock *rb;

    /* -m gives "none" plain RAM at 0 (migration tests, probing). */
    if (!ms->ram_size) {
        return true;
    }
    rb = ram_block_new("ram", ms->ram_size, errp);
    if (!rb) {
        return false;
    }
    memory_region_init_ram(&ram, rb, 0, "ram", ms->ram_size);
    memory_region_add_subregion(get_system_memory(), 0, &ram);
    return true;
}

static void none_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);

    mc->desc = "empty machine";
    mc->max_cpus = 1;
    mc->no_cpus = true;
    mc->default_ram_id = "ram";
    mc->default_ram_size = 0;
    mc->init = none_machine_init;
}

static const TypeInfo none_machine_info = {
    .name = MACHINE_TYPE_NAME("none"),
    .parent = TYPE_MACHINE,
    .class_init = none_machine_class_init,
};

static void machine_register_types(void)
{
    type_register_static(&machine_info);
    type_register_static(&none_machine_info);
}

type_init(machine_register_types)
