/*
 * HMP commands of the foundation: help, info status/version/name/uuid/
 * chardev/iothreads/qom-tree, stop, cont, quit, system_reset,
 * system_powerdown, object_add, object_del, qom-list, qom-get, qom-set.
 * Each one calls the QMP implementation and formats its result the way
 * QEMU 7.2's HMP does.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-run-state.h"
#include "qapi/qapi-commands-machine.h"
#include "qapi/qapi-commands-qom.h"
#include "qapi/qapi-commands-misc.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qstring.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "qemu/keyval.h"
#include "chardev/char.h"
#include "system/iothread.h"
#include "system/runstate.h"
#include "system/vl.h"
#include "monitor-internal.h"
#include "config-host.h"

static void hmp_help(Monitor *mon, int argc, char **argv)
{
    hmp_help_cmd(mon, argc > 0 ? argv[0] : NULL);
}

static void hmp_info_status(Monitor *mon, int argc, char **argv)
{
    StatusInfo *info = qmp_query_status(NULL);

    monitor_printf(mon, "VM status: %s%s",
                   info->running ? "running" : "paused",
                   info->singlestep ? " (single step mode)" : "");
    if (!info->running && info->status != RUN_STATE_PAUSED) {
        monitor_printf(mon, " (%s)", RunState_str(info->status));
    }
    monitor_printf(mon, "\n");
    qapi_free_StatusInfo(info);
}

static void hmp_info_version(Monitor *mon, int argc, char **argv)
{
    monitor_printf(mon, "%s (%s)\n", TANDEM_VERSION, TANDEM_PKGVERSION);
}

static void hmp_info_name(Monitor *mon, int argc, char **argv)
{
    if (vl_get_name()) {
        monitor_printf(mon, "%s\n", vl_get_name());
    }
}

static void hmp_info_uuid(Monitor *mon, int argc, char **argv)
{
    monitor_printf(mon, "%s\n", vl_get_uuid());
}

static void hmp_info_chardev(Monitor *mon, int argc, char **argv)
{
    g_autofree char *text = qemu_chr_info_text();

    monitor_puts(mon, text);
}

static void hmp_info_iothreads(Monitor *mon, int argc, char **argv)
{
    g_autofree char *text = iothread_info_text();

    monitor_puts(mon, text);
}

static void hmp_print_qom_tree(Monitor *mon, Object *obj, int indent);

typedef struct QomTreeWalk {
    Monitor *mon;
    int indent;
    GSList *children;
} QomTreeWalk;

static int qom_tree_collect(Object *child, void *opaque)
{
    QomTreeWalk *w = opaque;

    w->children = g_slist_prepend(w->children, child);
    return 0;
}

static gint qom_tree_cmp(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(object_get_canonical_path_component((Object *)a),
                     object_get_canonical_path_component((Object *)b));
}

static void hmp_print_qom_tree(Monitor *mon, Object *obj, int indent)
{
    QomTreeWalk w = { .mon = mon, .indent = indent };
    const char *name = object_get_canonical_path_component(obj);

    monitor_printf(mon, "%*s/%s (%s)\n", indent, "", name ? name : "",
                   object_get_typename(obj));
    object_child_foreach(obj, qom_tree_collect, &w);
    w.children = g_slist_sort(w.children, qom_tree_cmp);
    for (GSList *l = w.children; l; l = l->next) {
        hmp_print_qom_tree(mon, l->data, indent + 2);
    }
    g_slist_free(w.children);
}

static void hmp_info_qom_tree(Monitor *mon, int argc, char **argv)
{
    const char *path = argc > 0 ? argv[0] : "/machine";
    Object *obj;
    bool ambiguous = false;

    obj = object_resolve_path(path, &ambiguous);
    if (!obj) {
        monitor_printf(mon, "Path '%s' could not be resolved.\n", path);
        return;
    }
    hmp_print_qom_tree(mon, obj, 0);
}

static void hmp_stop(Monitor *mon, int argc, char **argv)
{
    qmp_stop(NULL);
}

static void hmp_cont(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    qmp_cont(&err);
    hmp_handle_error(mon, err);
}

static void hmp_quit(Monitor *mon, int argc, char **argv)
{
    qmp_quit(NULL);
}

static void hmp_system_reset(Monitor *mon, int argc, char **argv)
{
    qmp_system_reset(NULL);
}

static void hmp_system_powerdown(Monitor *mon, int argc, char **argv)
{
    qmp_system_powerdown(NULL);
}

static void hmp_object_add(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    g_autoptr(QDict) props = NULL;

    props = keyval_parse(argv[0], "qom-type", NULL, &err);
    if (props) {
        user_creatable_add_qdict(props, &err);
    }
    hmp_handle_error(mon, err);
}

static void hmp_object_del(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    user_creatable_del(argv[0], &err);
    hmp_handle_error(mon, err);
}

static void hmp_qom_list(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    ObjectPropertyInfoList *list;

    if (argc == 0) {
        monitor_printf(mon, "/\n");
        return;
    }
    list = qmp_qom_list(argv[0], &err);
    if (err) {
        hmp_handle_error(mon, err);
        return;
    }
    for (ObjectPropertyInfoList *l = list; l; l = l->next) {
        monitor_printf(mon, "%s (%s)\n", l->value->name, l->value->type);
    }
    qapi_free_ObjectPropertyInfoList(list);
}

static void hmp_qom_get(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    QObject *obj = qmp_qom_get(argv[0], argv[1], &err);

    if (err) {
        hmp_handle_error(mon, err);
        return;
    }
    {
        g_autoptr(GString) str = qobject_to_json_pretty(obj, true);

        monitor_printf(mon, "%s\n", str->str);
    }
    qobject_unref(obj);
}

static void hmp_qom_set(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    Object *obj = object_resolve_path(argv[0], NULL);

    if (!obj) {
        error_set(&err, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", argv[0]);
    } else {
        object_property_parse(obj, argv[1], argv[2], &err);
    }
    hmp_handle_error(mon, err);
}

const HMPCommand hmp_info_cmds[] = {
    { "chardev", "", "show the character devices", 0, 0, false,
      hmp_info_chardev },
    { "iothreads", "", "show iothreads", 0, 0, false, hmp_info_iothreads },
    { "name", "", "show the current VM name", 0, 0, false, hmp_info_name },
    { "qom-tree", "[path]", "show QOM composition tree", 0, 1, false,
      hmp_info_qom_tree },
    { "status", "", "show the current VM status (running|paused)", 0, 0,
      false, hmp_info_status },
    { "uuid", "", "show the current VM UUID", 0, 0, false, hmp_info_uuid },
    { "version", "", "show the version of QEMU", 0, 0, false,
      hmp_info_version },
    { NULL },
};

const HMPCommand hmp_cmds[] = {
    { "cont|c", "", "resume emulation", 0, 0, false, hmp_cont },
    { "help|?", "[cmd]", "show the help", 0, 1, false, hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", 0, 1, true, NULL, hmp_info_cmds },
    { "object_add", "[qom-type=]type,id=str[,prop=value][,...]",
      "create QOM object", 1, 1, true, hmp_object_add },
    { "object_del", "id", "destroy QOM object", 1, 1, false,
      hmp_object_del },
    { "qom-get", "path property", "print QOM property", 2, 2, false,
      hmp_qom_get },
    { "qom-list", "path", "list QOM properties", 0, 1, false,
      hmp_qom_list },
    { "qom-set", "path property value", "set QOM property", 3, 3, true,
      hmp_qom_set },
    { "quit|q", "", "quit the emulator", 0, 0, false, hmp_quit },
    { "stop|s", "", "stop emulation", 0, 0, false, hmp_stop },
    { "system_powerdown", "", "send system power down event", 0, 0, false,
      hmp_system_powerdown },
    { "system_reset", "", "reset the system", 0, 0, false,
      hmp_system_reset },
    { NULL },
};

QMP_COMMAND_IMPLEMENTED(human_monitor_command);

char *qmp_human_monitor_command(const char *command_line, bool has_cpu_index,
                                int64_t cpu_index, Error **errp)
{
    if (has_cpu_index && cpu_index != 0) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU index");
        return NULL;
    }
    return hmp_run_command_capture(command_line);
}
