/*
 * Implementations of the test schema's commands, shared by
 * test-qmp-dispatch and test-qmp-session (not a test by itself).
 */
#include "qemu/osdep.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "monitor/qmp.h"
#include "qapi/test-qapi-commands.h"
#include "qapi/test-qapi-events.h"
#include "qapi/test-qapi-emit-events.h"
#include "test-qmp-cmds.h"

QMP_COMMAND_IMPLEMENTED(user_def_cmd);
QMP_COMMAND_IMPLEMENTED(user_def_cmd1);
QMP_COMMAND_IMPLEMENTED(user_def_cmd2);
QMP_COMMAND_IMPLEMENTED(cmd_enums);
QMP_COMMAND_IMPLEMENTED(cmd_return_int);
QMP_COMMAND_IMPLEMENTED(cmd_return_str);
QMP_COMMAND_IMPLEMENTED(cmd_return_any);
QMP_COMMAND_IMPLEMENTED(cmd_boxed);
QMP_COMMAND_IMPLEMENTED(cmd_success_response);
QMP_COMMAND_IMPLEMENTED(cmd_oob);
QMP_COMMAND_IMPLEMENTED(cmd_fail);
QMP_COMMAND_IMPLEMENTED(cmd_return_null);
QMP_COMMAND_IMPLEMENTED(cmd_emit);
QMP_COMMAND_IMPLEMENTED(cmd_close);
QMP_COMMAND_IMPLEMENTED(cmd_gen_false);
QMP_COMMAND_IMPLEMENTED(cmd_unstable);
QMP_COMMAND_IMPLEMENTED(qmp_capabilities);

int test_boxed_last_enum = -1;

void qmp_user_def_cmd(Error **errp)
{
}

void qmp_user_def_cmd1(UserDefOne *ud1a, Error **errp)
{
}

UserDefTwo *qmp_user_def_cmd2(UserDefOne *ud1a, bool has_ud1b,
                              UserDefOne *ud1b, Error **errp)
{
    UserDefTwo *ret = g_new0(UserDefTwo, 1);
    UserDefOne *copy = g_new0(UserDefOne, 1);

    ret->name = g_strdup_printf("%s/%s", ud1a->string,
                                has_ud1b ? ud1b->string : "-");
    copy->integer = ud1a->integer;
    copy->string = g_strdup(ud1a->string);
    ret->has_items = true;
    QAPI_LIST_PREPEND(ret->items, copy);
    return ret;
}

EnumOneList *qmp_cmd_enums(EnumOne e, bool has_f, QEnumTwoList *f,
                           Error **errp)
{
    EnumOneList *list = NULL;

    QAPI_LIST_PREPEND(list, ENUM_ONE_VALUE3);
    QAPI_LIST_PREPEND(list, e);
    return list;
}

int64_t qmp_cmd_return_int(int64_t a, bool has_b, int64_t b, Error **errp)
{
    return a + (has_b ? b : 0);
}

char *qmp_cmd_return_str(Error **errp)
{
    return g_strdup("VM status: paused\r\n");
}

QObject *qmp_cmd_return_any(QObject *value, Error **errp)
{
    return qobject_ref(value);
}

void qmp_cmd_boxed(UserDefFlatUnion *arg, Error **errp)
{
    test_boxed_last_enum = arg->enum1;
}

void qmp_cmd_success_response(Error **errp)
{
}

void qmp_cmd_oob(Error **errp)
{
}

void qmp_cmd_fail(Error **errp)
{
    error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device 'x' not found");
}

/* a buggy handler: no value and no error */
UserDefTwo *qmp_cmd_return_null(Error **errp)
{
    return NULL;
}

void qmp_cmd_emit(Error **errp)
{
    qapi_event_send_event_b(7, false, NULL, ENUM_ONE_VALUE2);
}

/* ends the session executing it, as a transport close would */
void qmp_cmd_close(Error **errp)
{
    qmp_session_free(qmp_session_current());
}

void qmp_cmd_gen_false(QDict *args, QObject **ret, Error **errp)
{
    *ret = QOBJECT(qnum_from_int(qdict_get_try_int(args, "x", -1)));
}

void qmp_cmd_unstable(Error **errp)
{
}

void qmp_qmp_capabilities(bool has_enable, TestCapabilityList *enable,
                          Error **errp)
{
    QmpSession *s = qmp_session_current();

    if (!s) {
        error_setg(errp, "no session");
        return;
    }
    qmp_session_accept_capabilities(s, has_enable && enable, errp);
}

void test_qapi_event_emit(test_QAPIEvent event, QDict *qdict)
{
    qmp_set_fake_clock(1795304162, 586408);
    monitor_qapi_event_emit_dict(qdict);
}
