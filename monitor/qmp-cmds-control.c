/*
 * The QMP protocol's own commands: qmp_capabilities, query-version,
 * query-commands, query-qmp-schema; the global command table and
 * the event hook of the generated code.
 */
#include "qemu/osdep.h"
#include "config-host.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "monitor/qmp.h"
#include "qapi/qapi-commands-control.h"
#include "qapi/qapi-commands-introspect.h"
#include "qapi/qapi-introspect.h"
#include "qapi/qapi-init-commands.h"
#include "qapi/qapi-emit-events.h"

QMP_COMMAND_IMPLEMENTED(qmp_capabilities);
QMP_COMMAND_IMPLEMENTED(query_version);
QMP_COMMAND_IMPLEMENTED(query_commands);
QMP_COMMAND_IMPLEMENTED(query_qmp_schema);

QmpCommandList *qmp_global_commands(void)
{
    static QmpCommandList cmds;
    static gsize initialized;

    if (g_once_init_enter(&initialized)) {
        qmp_init_marshal(&cmds);
        g_once_init_leave(&initialized, 1);
    }
    return &cmds;
}

QmpSession *qmp_session_new(QmpWriteFunc *write, void *opaque)
{
    return qmp_session_new_with_commands(qmp_global_commands(), write,
                                         opaque);
}

void qapi_event_emit(QAPIEvent event, QDict *qdict)
{
    monitor_qapi_event_emit_dict(qdict);
}

void qmp_qmp_capabilities(bool has_enable, QMPCapabilityList *enable,
                          Error **errp)
{
    QmpSession *s = qmp_session_current();
    bool oob = false;

    if (!s) {
        error_setg(errp, "qmp_capabilities is only valid in a QMP session");
        return;
    }
    for (; has_enable && enable; enable = enable->next) {
        if (enable->value == QMP_CAPABILITY_OOB) {
            oob = true;
        }
    }
    qmp_session_accept_capabilities(s, oob, errp);
}

VersionInfo *qmp_query_version(Error **errp)
{
    VersionInfo *info = g_new0(VersionInfo, 1);
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(TANDEM_VERSION, "%u.%u.%u", &major, &minor, &micro);
    info->qemu = g_new0(VersionTriple, 1);
    info->qemu->major = major;
    info->qemu->minor = minor;
    info->qemu->micro = micro;
    info->package = g_strdup(TANDEM_PKGVERSION);
    return info;
}

static const QmpCommandList *current_commands(void)
{
    QmpSession *s = qmp_session_current();

    return s ? qmp_session_commands(s) : qmp_global_commands();
}

static void query_commands_cb(const QmpCommand *cmd, void *opaque)
{
    CommandInfoList ***tail = opaque;
    CommandInfo *info;

    if (!qmp_command_is_enabled(cmd)) {
        return;
    }
    info = g_new0(CommandInfo, 1);
    info->name = g_strdup(qmp_command_name(cmd));
    QAPI_LIST_APPEND(*tail, info);
}

CommandInfoList *qmp_query_commands(Error **errp)
{
    CommandInfoList *list = NULL, **tail = &list;

    qmp_for_each_command(current_commands(), query_commands_cb, &tail);
    return list;
}

/*
 * The generated schema lists every command of the schema; drop the
 * ones this build does not register, so that query-qmp-schema and
 * query-commands agree.
 */
void qmp_query_qmp_schema(QDict *args, QObject **ret, Error **errp)
{
    const QmpCommandList *cmds = current_commands();
    QList *all, *out;
    QObject *entry;

    if (qdict_size(args)) {
        error_setg(errp, "Parameter '%s' is unexpected",
                   qdict_entry_key(qdict_first(args)));
        return;
    }
    all = qobject_to(QList, qobject_from_json(qmp_schema_json,
                                              &error_abort));
    out = qlist_new();
    while ((entry = qlist_pop(all))) {
        QDict *d = qobject_to(QDict, entry);
        const char *meta = qdict_get_str(d, "meta-type");

        if (!strcmp(meta, "command") &&
            !qmp_find_command(cmds, qdict_get_str(d, "name"))) {
            qobject_unref(entry);
            continue;
        }
        qlist_append_obj(out, entry);
    }
    qobject_unref(all);
    *ret = QOBJECT(out);
}
