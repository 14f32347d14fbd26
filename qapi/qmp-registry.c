/* The QMP command table: name -> handler, options, enabled state. */
#include "qemu/osdep.h"
#include "qapi/qmp/dispatch.h"

static void qmp_command_free(gpointer p)
{
    QmpCommand *cmd = p;

    g_free((char *)cmd->disable_reason);
    g_free(cmd);
}

void qmp_register_command(QmpCommandList *cmds, const char *name,
                          QmpCommandFunc *fn, QmpCommandOptions options,
                          unsigned special_features)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    /* QCO_COROUTINE has no meaning here: handlers run to completion */
    assert(!(options & QCO_COROUTINE) || !(options & QCO_ALLOW_OOB));
    if (!cmds->table) {
        cmds->table = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                            qmp_command_free);
    }
    cmd->name = name;
    cmd->fn = fn;
    cmd->options = options;
    cmd->special_features = special_features;
    cmd->enabled = true;
    g_hash_table_replace(cmds->table, (gpointer)name, cmd);
}

const QmpCommand *qmp_find_command(const QmpCommandList *cmds,
                                   const char *name)
{
    return cmds->table ? g_hash_table_lookup(cmds->table, name) : NULL;
}

static void qmp_toggle_command(QmpCommandList *cmds, const char *name,
                               bool enabled, const char *disable_reason)
{
    QmpCommand *cmd = (QmpCommand *)qmp_find_command(cmds, name);

    if (cmd) {
        cmd->enabled = enabled;
        g_free((char *)cmd->disable_reason);
        cmd->disable_reason = g_strdup(disable_reason);
    }
}

void qmp_disable_command(QmpCommandList *cmds, const char *name,
                         const char *disable_reason)
{
    qmp_toggle_command(cmds, name, false, disable_reason);
}

void qmp_enable_command(QmpCommandList *cmds, const char *name)
{
    qmp_toggle_command(cmds, name, true, NULL);
}

bool qmp_command_is_enabled(const QmpCommand *cmd)
{
    return cmd->enabled;
}

const char *qmp_command_name(const QmpCommand *cmd)
{
    return cmd->name;
}

bool qmp_has_success_response(const QmpCommand *cmd)
{
    return !(cmd->options & QCO_NO_SUCCESS_RESP);
}

void qmp_for_each_command(const QmpCommandList *cmds,
                          qmp_cmd_callback_fn fn, void *opaque)
{
    g_autoptr(GList) names = NULL;
    GList *l;

    if (!cmds->table) {
        return;
    }
    names = g_list_sort(g_hash_table_get_keys(cmds->table),
                        (GCompareFunc)strcmp);
    for (l = names; l; l = l->next) {
        fn(g_hash_table_lookup(cmds->table, l->data), opaque);
    }
}
