/*
 * QMP commands of the run state and the machine as a whole:
 * query-status, stop, cont, system_reset, system_powerdown, quit,
 * query-name, query-uuid, query-machines, query-kvm, query-target,
 * query-cpus-fast, query-hotpluggable-cpus, query-cpu-definitions.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-run-state.h"
#include "qapi/qapi-commands-machine.h"
#include "qapi/qapi-events-run-state.h"
#include "hw/boards.h"
#include "system/runstate.h"
#include "system/vl.h"

QMP_COMMAND_IMPLEMENTED(query_status);
QMP_COMMAND_IMPLEMENTED(stop);
QMP_COMMAND_IMPLEMENTED(cont);
QMP_COMMAND_IMPLEMENTED(system_reset);
QMP_COMMAND_IMPLEMENTED(system_powerdown);
QMP_COMMAND_IMPLEMENTED(quit);
QMP_COMMAND_IMPLEMENTED(query_name);
QMP_COMMAND_IMPLEMENTED(query_uuid);
QMP_COMMAND_IMPLEMENTED(query_machines);
QMP_COMMAND_IMPLEMENTED(query_kvm);
QMP_COMMAND_IMPLEMENTED(query_target);
QMP_COMMAND_IMPLEMENTED(query_cpus_fast);
QMP_COMMAND_IMPLEMENTED(query_hotpluggable_cpus);
QMP_COMMAND_IMPLEMENTED(query_cpu_definitions);

StatusInfo *qmp_query_status(Error **errp)
{
    StatusInfo *info = g_new0(StatusInfo, 1);

    info->running = runstate_is_running();
    info->singlestep = false;
    info->status = runstate_get();
    return info;
}

void qmp_stop(Error **errp)
{
    /* A VM that is still waiting for an incoming migration only drops
     * its autostart, like QEMU. */
    if (runstate_check(RUN_STATE_INMIGRATE)) {
        vl_set_autostart(false);
        return;
    }
    vm_stop(RUN_STATE_PAUSED);
}

void qmp_cont(Error **errp)
{
    if (runstate_check(RUN_STATE_SHUTDOWN) ||
        runstate_check(RUN_STATE_INTERNAL_ERROR) ||
        runstate_check(RUN_STATE_GUEST_PANICKED)) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return;
    }
    if (runstate_check(RUN_STATE_SUSPENDED)) {
        error_setg(errp, "Unable to resume a suspended guest");
        return;
    }
    if (runstate_check(RUN_STATE_INMIGRATE)) {
        vl_set_autostart(true);
        return;
    }
    vm_start();
}

void qmp_system_reset(Error **errp)
{
    qemu_system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

void qmp_system_powerdown(Error **errp)
{
    qemu_system_powerdown_request();
}

void qmp_quit(Error **errp)
{
    /* QEMU sends SHUTDOWN before the reply to quit; the main loop then
     * flushes the reply and exits. */
    vl_request_quit();
}

NameInfo *qmp_query_name(Error **errp)
{
    NameInfo *info = g_new0(NameInfo, 1);
    const char *name = vl_get_name();

    if (name) {
        info->has_name = true;
        info->name = g_strdup(name);
    }
    return info;
}

UuidInfo *qmp_query_uuid(Error **errp)
{
    UuidInfo *info = g_new0(UuidInfo, 1);

    info->UUID = g_strdup(vl_get_uuid());
    return info;
}

MachineInfoList *qmp_query_machines(Error **errp)
{
    g_autoptr(GSList) list = machine_class_list();
    MachineInfoList *head = NULL, **tail = &head;

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        MachineInfo *info = g_new0(MachineInfo, 1);
        MachineInfoList *entry = g_new0(MachineInfoList, 1);

        info->name = g_strdup(mc->name);
        if (mc->alias) {
            info->has_alias = true;
            info->alias = g_strdup(mc->alias);
        }
        if (mc->is_default) {
            info->has_is_default = true;
            info->is_default = true;
        }
        info->cpu_max = mc->max_cpus;
        info->hotpluggable_cpus = mc->hotpluggable_cpus;
        info->numa_mem_supported = mc->numa_mem_supported;
        info->deprecated = mc->deprecated;
        if (mc->default_cpu_type) {
            info->has_default_cpu_type = true;
            info->default_cpu_type = g_strdup(mc->default_cpu_type);
        }
        if (mc->default_ram_id) {
            info->has_default_ram_id = true;
            info->default_ram_id = g_strdup(mc->default_ram_id);
        }
        entry->value = info;
        *tail = entry;
        tail = &entry->next;
    }
    return head;
}

KvmInfo *qmp_query_kvm(Error **errp)
{
    KvmInfo *info = g_new0(KvmInfo, 1);

    info->enabled = vl_accel_is_kvm();
    info->present = access("/dev/kvm", R_OK | W_OK) == 0;
    return info;
}

TargetInfo *qmp_query_target(Error **errp)
{
    TargetInfo *info = g_new0(TargetInfo, 1);

    info->arch = SYS_EMU_TARGET_X86_64;
    return info;
}

CpuInfoFastList *qmp_query_cpus_fast(Error **errp)
{
    return vl_query_cpus_fast();
}

HotpluggableCPUList *qmp_query_hotpluggable_cpus(Error **errp)
{
    return vl_query_hotpluggable_cpus();
}

CpuDefinitionInfoList *qmp_query_cpu_definitions(Error **errp)
{
    static const char *const models[] = { "qemu64", "max", "base" };
    CpuDefinitionInfoList *head = NULL;

    /* libvirt needs a list here (an error crashes libvirtd 9.0). */
    for (int i = ARRAY_SIZE(models) - 1; i >= 0; i--) {
        CpuDefinitionInfo *info = g_new0(CpuDefinitionInfo, 1);
        CpuDefinitionInfoList *entry = g_new0(CpuDefinitionInfoList, 1);

        info->name = g_strdup(models[i]);
        info->has_migration_safe = true;
        info->migration_safe = strcmp(models[i], "max") != 0;
        info->q_static = strcmp(models[i], "base") == 0;
        info->has_unavailable_features = true;
        info->unavailable_features = NULL;
        info->q_typename = g_strdup_printf("%s-x86_64-cpu", models[i]);
        info->deprecated = false;
        entry->value = info;
        entry->next = head;
        head = entry;
    }
    return head;
}
