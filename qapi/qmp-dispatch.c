/*
 * QMP request validation and dispatch (interfaces.md 1.5).
 *
 *   request --check members--> {execute|exec-oob, arguments?, id?}
 *           --lookup--> command (CommandNotFound / OOB checks)
 *           --handler(args)--> {"return": R, "id": I}
 *   any failure --> {"id": I, "error": {"class": C, "desc": D}}
 *
 * Member order of the replies copies QEMU 7.2's wire output (clients
 * must not rely on it).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qobject/qstring.h"
#include "qobject/qdict.h"

QDict *qmp_error_response(Error *err)
{
    QDict *rsp = qdict_new();
    QDict *error = qdict_new();

    qdict_put_str(error, "class", error_class_str(error_get_class(err)));
    qdict_put_str(error, "desc", error_get_pretty(err));
    qdict_put(rsp, "error", error);
    error_free(err);
    return rsp;
}

bool qmp_is_oob(const QDict *dict)
{
    return qdict_haskey(dict, "exec-oob") && !qdict_haskey(dict, "execute");
}

/* Validates the request's members; returns the dict or NULL + errp. */
static QDict *qmp_dispatch_check_obj(QDict *dict, bool allow_oob,
                                     Error **errp)
{
    const QDictEntry *e;
    const char *exec_key = NULL;

    for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        const char *key = qdict_entry_key(e);
        QObject *val = qdict_entry_value(e);

        if (!strcmp(key, "execute") ||
            (allow_oob && !strcmp(key, "exec-oob"))) {
            if (qobject_type(val) != QTYPE_QSTRING) {
                error_setg(errp, "QMP input member '%s' must be a string",
                           key);
                return NULL;
            }
            if (exec_key) {
                error_setg(errp, "QMP input member '%s' clashes with '%s'",
                           key, exec_key);
                return NULL;
            }
            exec_key = key;
        } else if (!strcmp(key, "arguments")) {
            if (qobject_type(val) != QTYPE_QDICT) {
                error_setg(errp,
                           "QMP input member 'arguments' must be an object");
                return NULL;
            }
        } else if (!strcmp(key, "id")) {
            continue;
        } else {
            error_setg(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!exec_key) {
        error_setg(errp, "QMP input lacks member 'execute'");
        return NULL;
    }
    return dict;
}

static QObject *do_qmp_dispatch(const QmpCommandList *cmds, QDict *dict,
                                bool allow_oob, bool *no_response,
                                Error **errp)
{
    const char *command;
    const QmpCommand *cmd;
    QDict *args;
    QObject *ret = NULL;
    Error *err = NULL;
    bool oob;

    if (!qmp_dispatch_check_obj(dict, allow_oob, errp)) {
        return NULL;
    }
    oob = qmp_is_oob(dict);
    command = qdict_get_str(dict, oob ? "exec-oob" : "execute");
    cmd = qmp_find_command(cmds, command);
    if (!cmd) {
        if (cmds->cap_negotiation) {
            error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                      "Expecting capabilities negotiation with "
                      "'qmp_capabilities'");
        } else {
            error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                      "The command %s has not been found", command);
        }
        return NULL;
    }
    if (oob && !(cmd->options & QCO_ALLOW_OOB)) {
        error_setg(errp, "The command %s does not support OOB", command);
        return NULL;
    }
    if (!cmd->enabled) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Command %s has been disabled%s%s", command,
                  cmd->disable_reason ? ": " : "",
                  cmd->disable_reason ? cmd->disable_reason : "");
        return NULL;
    }

    args = qdict_get_qdict(dict, "arguments");
    args = args ? qobject_ref(args) : qdict_new();
    cmd->fn(args, &ret, &err);
    qobject_unref(args);
    if (err) {
        qobject_unref(ret);
        error_propagate(errp, err);
        return NULL;
    }
    if (!qmp_has_success_response(cmd)) {
        qobject_unref(ret);
        *no_response = true;
        return NULL;
    }
    return ret ? ret : QOBJECT(qdict_new());
}

QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob)
{
    QDict *dict = qobject_to(QDict, request);
    QObject *id = dict ? qdict_get(dict, "id") : NULL;
    bool no_response = false;
    Error *err = NULL;
    QObject *ret;
    QDict *rsp;

    if (!dict) {
        error_setg(&err, "QMP input must be a JSON object");
        return qmp_error_response(err);
    }
    ret = do_qmp_dispatch(cmds, dict, allow_oob, &no_response, &err);
    if (err) {
        QDict *ersp = qmp_error_response(err);

        rsp = qdict_new();
        if (id) {
            qdict_put_obj(rsp, "id", qobject_ref(id));
        }
        qdict_put_obj(rsp, "error", qobject_ref(qdict_get(ersp, "error")));
        qobject_unref(ersp);
        return rsp;
    }
    if (no_response) {
        return NULL;
    }
    rsp = qdict_new();
    qdict_put_obj(rsp, "return", ret);
    if (id) {
        qdict_put_obj(rsp, "id", qobject_ref(id));
    }
    return rsp;
}
