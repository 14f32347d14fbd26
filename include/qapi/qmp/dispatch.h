/*
 * QMP command table and dispatch.
 *
 * Generated code (qapi/qapi-init-commands.c) registers every command of
 * the schema whose implementation is linked in: a subsystem that
 * implements command "query-foo" defines, next to qmp_query_foo():
 *
 *     QMP_COMMAND_IMPLEMENTED(query_foo);
 *
 * Commands without that marker are left out of the table (and thus out
 * of query-commands); their weak link-time fallbacks are never reached.
 *
 * qmp_dispatch() turns one parsed request into one response dict:
 *
 *   {"execute": NAME, "arguments": {...}?, "id": ANY?}
 *     -> {"return": R, "id": ANY}   or   {"id": ANY, "error": {...}}
 */
#ifndef QAPI_QMP_DISPATCH_H
#define QAPI_QMP_DISPATCH_H

#include "qobject/qdict.h"

typedef void QmpCommandFunc(QDict *args, QObject **ret, Error **errp);

typedef enum QmpCommandOptions {
    QCO_NO_OPTIONS = 0,
    QCO_NO_SUCCESS_RESP = 1u << 0,
    QCO_ALLOW_OOB = 1u << 1,
    QCO_ALLOW_PRECONFIG = 1u << 2,
    QCO_COROUTINE = 1u << 3,
} QmpCommandOptions;

typedef struct QmpCommand {
    const char *name;
    QmpCommandFunc *fn;
    QmpCommandOptions options;
    unsigned special_features;
    bool enabled;
    const char *disable_reason;
} QmpCommand;

typedef struct QmpCommandList {
    GHashTable *table;          /* name -> QmpCommand *; NULL until used */
    /*
     * The list used in capabilities negotiation mode: unknown commands
     * get "Expecting capabilities negotiation with 'qmp_capabilities'".
     */
    bool cap_negotiation;
} QmpCommandList;

#define QMP_COMMAND_IMPLEMENTED(name) \
    extern const bool qmp_impl_##name; \
    const bool qmp_impl_##name = true

void qmp_register_command(QmpCommandList *cmds, const char *name,
                          QmpCommandFunc *fn, QmpCommandOptions options,
                          unsigned special_features);
const QmpCommand *qmp_find_command(const QmpCommandList *cmds,
                                   const char *name);
void qmp_disable_command(QmpCommandList *cmds, const char *name,
                         const char *disable_reason);
void qmp_enable_command(QmpCommandList *cmds, const char *name);
bool qmp_command_is_enabled(const QmpCommand *cmd);
const char *qmp_command_name(const QmpCommand *cmd);
bool qmp_has_success_response(const QmpCommand *cmd);

/* Calls @fn for every registered command, in name order. */
typedef void (*qmp_cmd_callback_fn)(const QmpCommand *cmd, void *opaque);
void qmp_for_each_command(const QmpCommandList *cmds,
                          qmp_cmd_callback_fn fn, void *opaque);

/* {"error": {"class": ..., "desc": ...}}; frees @err. */
QDict *qmp_error_response(Error *err);

/* true if @dict is an "exec-oob" request */
bool qmp_is_oob(const QDict *dict);

/**
 * qmp_dispatch: validate and execute one request.
 * @request: the parsed JSON (any type; non-objects are an error).
 * @allow_oob: the session negotiated "oob" ("exec-oob" allowed).
 *
 * Returns the response (caller owns it), or NULL for a command with
 * 'success-response': false that succeeded.
 */
QDict *qmp_dispatch(const QmpCommandList *cmds, QObject *request,
                    bool allow_oob);

#endif
