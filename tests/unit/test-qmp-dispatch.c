/*
 * QMP dispatch: request checks, error texts and classes, id echo, OOB
 * rules and return values, on the test schema's command table.
 * Expected texts are QEMU 7.2's (qmp-basic-session.txt,
 * qmp-malformed-and-oob.txt).
 */
#include "qemu/osdep.h"
#include "qobject/qjson.h"
#include "qobject/qdict.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/util.h"
#include "qapi/test-qapi-init-commands.h"
#include "test-qmp-cmds.h"

static QmpCommandList cmds;

static char *dispatch(const char *json, bool oob)
{
    QObject *req = qobject_from_json(json, &error_abort);
    QDict *rsp = qmp_dispatch(&cmds, req, oob);
    GString *s;

    qobject_unref(req);
    if (!rsp) {
        return g_strdup("(none)");
    }
    s = qobject_to_json(QOBJECT(rsp));
    qobject_unref(rsp);
    return g_string_free(s, false);
}

static void check(const char *json, bool oob, const char *expect)
{
    g_autofree char *got = dispatch(json, oob);

    g_assert_cmpstr(got, ==, expect);
}

#define GENERIC(desc) \
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}"

static void test_success(void)
{
    check("{'execute': 'user-def-cmd'}", false, "{\"return\": {}}");
    check("{'execute': 'user-def-cmd', 'id': 'v1'}", false,
          "{\"return\": {}, \"id\": \"v1\"}");
    check("{'execute': 'user-def-cmd', 'id': 42}", false,
          "{\"return\": {}, \"id\": 42}");
    check("{'execute': 'user-def-cmd', 'id': {'a': [1, 2]}}", false,
          "{\"return\": {}, \"id\": {\"a\": [1, 2]}}");
    check("{'execute': 'user-def-cmd', 'id': [1, {'x': null}]}", false,
          "{\"return\": {}, \"id\": [1, {\"x\": null}]}");
    check("{'execute': 'cmd-return-int', 'arguments': {'a': 2, 'b': 3}}",
          false, "{\"return\": 5}");
    check("{'execute': 'cmd-return-int', 'arguments': {'a': 2}}",
          false, "{\"return\": 2}");
    check("{'execute': 'cmd-return-str'}", false,
          "{\"return\": \"VM status: paused\\r\\n\"}");
    check("{'execute': 'cmd-return-any', 'arguments': "
          "{'value': [1, {'x': null}]}}", false,
          "{\"return\": [1, {\"x\": null}]}");
    check("{'execute': 'cmd-enums', 'arguments': {'e': 'value2', "
          "'f': ['value1']}}", false,
          "{\"return\": [\"value2\", \"value3\"]}");
    check("{'execute': 'user-def-cmd2', 'arguments': {"
          "'ud1a': {'integer': 1, 'string': 'a'}, "
          "'ud1b': {'integer': 2, 'string': 'b'}}}", false,
          "{\"return\": {\"name\": \"a/b\", \"items\": "
          "[{\"integer\": 1, \"string\": \"a\"}]}}");
    check("{'execute': 'cmd-gen-false', 'arguments': {'x': 5}}", false,
          "{\"return\": 5}");
    check("{'execute': 'cmd-success-response'}", false, "(none)");
    check("{'execute': 'cmd-boxed', 'arguments': {'string': 's', "
          "'enum1': 'value2', 'intb': 1}}", false, "{\"return\": {}}");
    g_assert_cmpint(test_boxed_last_enum, ==, 1);
}

static void test_request_errors(void)
{
    check("{'foo': 'bar'}", false, GENERIC("QMP input member 'foo' is "
                                           "unexpected"));
    check("{'execute': 'user-def-cmd', 'id': 'k', 'extra': 1}", false,
          "{\"id\": \"k\", \"error\": {\"class\": \"GenericError\", "
          "\"desc\": \"QMP input member 'extra' is unexpected\"}}");
    check("{'execute': 123}", false,
          GENERIC("QMP input member 'execute' must be a string"));
    check("[1, 2, 3]", false, GENERIC("QMP input must be a JSON object"));
    check("'just a string'", false,
          GENERIC("QMP input must be a JSON object"));
    check("{'execute': 'user-def-cmd', 'id': 'x', 'arguments': []}", false,
          "{\"id\": \"x\", \"error\": {\"class\": \"GenericError\", "
          "\"desc\": \"QMP input member 'arguments' must be an object\"}}");
    check("{'id': 1}", false, "{\"id\": 1, \"error\": {\"class\": "
          "\"GenericError\", \"desc\": \"QMP input lacks member "
          "'execute'\"}}");
}

static void test_command_errors(void)
{
    check("{'execute': 'no-such-command', 'id': 'u1'}", false,
          "{\"id\": \"u1\", \"error\": {\"class\": \"CommandNotFound\", "
          "\"desc\": \"The command no-such-command has not been found\"}}");
    /* in the schema, but no implementation linked: not registered */
    check("{'execute': 'cmd-not-implemented', 'arguments': {'x': 1}}", false,
          "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
          "\"The command cmd-not-implemented has not been found\"}}");
    check("{'execute': 'user-def-cmd', 'arguments': {'bogus': 1}}", false,
          GENERIC("Parameter 'bogus' is unexpected"));
    check("{'execute': 'user-def-cmd1'}", false,
          GENERIC("Parameter 'ud1a' is missing"));
    check("{'execute': 'user-def-cmd1', 'arguments': {'ud1a': "
          "{'string': 's'}}}", false,
          GENERIC("Parameter 'ud1a.integer' is missing"));
    check("{'execute': 'cmd-enums', 'arguments': {'e': 'no-such-cap'}}",
          false, GENERIC("Parameter 'e' does not accept value "
                         "'no-such-cap'"));
    check("{'execute': 'cmd-return-int', 'arguments': {'a': 'x'}}", false,
          GENERIC("Invalid parameter type for 'a', expected: integer"));
    check("{'execute': 'cmd-fail', 'id': 9}", false,
          "{\"id\": 9, \"error\": {\"class\": \"DeviceNotFound\", "
          "\"desc\": \"Device 'x' not found\"}}");
    /* a handler returning NULL without error gives an error, no abort */
    check("{'execute': 'cmd-return-null'}", false,
          GENERIC("Missing value for 'unused'"));
    qmp_disable_command(&cmds, "user-def-cmd", "testing");
    check("{'execute': 'user-def-cmd'}", false,
          "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
          "\"Command user-def-cmd has been disabled: testing\"}}");
    qmp_enable_command(&cmds, "user-def-cmd");
    check("{'execute': 'user-def-cmd'}", false, "{\"return\": {}}");
}

static void test_oob(void)
{
    check("{'exec-oob': 'cmd-oob'}", false,
          GENERIC("QMP input member 'exec-oob' is unexpected"));
    check("{'exec-oob': 'cmd-oob', 'id': 'o'}", true,
          "{\"return\": {}, \"id\": \"o\"}");
    check("{'exec-oob': 'user-def-cmd', 'id': 'oob-not-allowed'}", true,
          "{\"id\": \"oob-not-allowed\", \"error\": {\"class\": "
          "\"GenericError\", \"desc\": \"The command user-def-cmd does not "
          "support OOB\"}}");
    check("{'exec-oob': 'cmd-oob', 'execute': 'cmd-oob'}", true,
          GENERIC("QMP input member 'execute' clashes with 'exec-oob'"));
}

static void list_cb(const QmpCommand *cmd, void *opaque)
{
    g_string_append_printf(opaque, "%s ", qmp_command_name(cmd));
}

static void test_registry(void)
{
    GString *names = g_string_new(NULL);
    const QmpCommand *cmd;

    qmp_for_each_command(&cmds, list_cb, names);
    g_assert_nonnull(strstr(names->str, "cmd-boxed cmd-close cmd-emit cmd-enums "));
    g_assert_null(strstr(names->str, "cmd-not-implemented"));
    g_string_free(names, true);
    cmd = qmp_find_command(&cmds, "cmd-oob");
    g_assert_true(cmd->options & QCO_ALLOW_OOB);
    cmd = qmp_find_command(&cmds, "cmd-success-response");
    g_assert_false(qmp_has_success_response(cmd));
    cmd = qmp_find_command(&cmds, "cmd-unstable");
    g_assert_cmpuint(cmd->special_features, ==, QAPI_UNSTABLE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_qmp_init_marshal(&cmds);
    g_test_add_func("/qmp/dispatch/success", test_success);
    g_test_add_func("/qmp/dispatch/request-errors", test_request_errors);
    g_test_add_func("/qmp/dispatch/command-errors", test_command_errors);
    g_test_add_func("/qmp/dispatch/oob", test_oob);
    g_test_add_func("/qmp/dispatch/registry", test_registry);
    return g_test_run();
}
