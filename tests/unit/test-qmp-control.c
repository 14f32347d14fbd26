/*
 * The real schema's protocol commands (monitor/qmp-cmds-control.c) over
 * a session on the global command table: greeting, query-version,
 * query-commands listing only implemented commands, query-qmp-schema
 * agreeing with it, and a generated event.  Nothing but the QAPI layer
 * is linked, so only the protocol commands are implemented here.
 */
#include "qemu/osdep.h"
#include "config-host.h"
#include "qobject/qjson.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "monitor/qmp.h"
#include "qapi/qapi-events-run-state.h"

static GString *out;

static void write_cb(void *opaque, const char *buf, size_t len)
{
    g_string_append_len(out, buf, len);
}

/* Sends @req, returns the parsed reply (the last line written). */
static QDict *call(QmpSession *s, const char *req)
{
    char *nl;
    QObject *obj;

    g_string_truncate(out, 0);
    qmp_session_feed(s, req, strlen(req));
    nl = strstr(out->str, "\r\n");
    g_assert_nonnull(nl);
    g_assert_cmpuint(nl - out->str + 2, ==, out->len);
    *nl = 0;
    obj = qobject_from_json(out->str, &error_abort);
    return qobject_to(QDict, obj);
}

static bool list_has_name(QList *list, const char *name)
{
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *d = qobject_to(QDict, e->value);

        if (!strcmp(qdict_get_str(d, "name"), name)) {
            return true;
        }
    }
    return false;
}

static void test_control(void)
{
    QmpSession *s;
    QDict *rsp, *ret, *qemu, *cmds_rsp;
    QList *cmds, *schema;
    QListEntry *e;
    int ncmds = 0;

    out = g_string_new(NULL);
    s = qmp_session_new(write_cb, NULL);
    qmp_session_start(s);
    g_assert_true(g_str_has_prefix(out->str, "{\"QMP\": {\"version\": "));
    g_assert_true(g_str_has_suffix(out->str, ", \"capabilities\": "
                                   "[\"oob\"]}}\r\n"));

    rsp = call(s, "{\"execute\":\"query-version\"}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"),
                    ==, "Expecting capabilities negotiation with "
                    "'qmp_capabilities'");
    qobject_unref(rsp);
    rsp = call(s, "{\"execute\":\"qmp_capabilities\","
               "\"arguments\":{\"enable\":[\"oob\"]}}");
    g_assert_cmpuint(qdict_size(qdict_get_qdict(rsp, "return")), ==, 0);
    qobject_unref(rsp);

    rsp = call(s, "{\"execute\":\"query-version\",\"id\":\"v1\"}");
    ret = qdict_get_qdict(rsp, "return");
    qemu = qdict_get_qdict(ret, "qemu");
    g_assert_cmpint(qdict_get_int(qemu, "major"), ==, 7);
    g_assert_cmpint(qdict_get_int(qemu, "minor"), ==, 2);
    g_assert_cmpint(qdict_get_int(qemu, "micro"), ==, 22);
    g_assert_cmpstr(qdict_get_str(ret, "package"), ==, TANDEM_PKGVERSION);
    g_assert_cmpstr(qdict_get_str(rsp, "id"), ==, "v1");
    qobject_unref(rsp);

    cmds_rsp = call(s, "{\"execute\":\"query-commands\"}");
    cmds = qdict_get_qlist(cmds_rsp, "return");
    g_assert_true(list_has_name(cmds, "qmp_capabilities"));
    g_assert_true(list_has_name(cmds, "query-version"));
    g_assert_true(list_has_name(cmds, "query-commands"));
    g_assert_true(list_has_name(cmds, "query-qmp-schema"));
    /* in the schema, but its implementation is not linked here */
    g_assert_false(list_has_name(cmds, "query-status"));

    rsp = call(s, "{\"execute\":\"query-qmp-schema\"}");
    schema = qdict_get_qlist(rsp, "return");
    QLIST_FOREACH_ENTRY(schema, e) {
        QDict *d = qobject_to(QDict, e->value);

        if (!strcmp(qdict_get_str(d, "meta-type"), "command")) {
            g_assert_true(list_has_name(cmds, qdict_get_str(d, "name")));
            ncmds++;
        }
    }
    g_assert_cmpint(ncmds, ==, qlist_size(cmds));
    g_assert_true(list_has_name(schema, "SHUTDOWN"));
    g_assert_true(list_has_name(schema, "str"));
    qobject_unref(rsp);
    qobject_unref(cmds_rsp);

    rsp = call(s, "{\"execute\":\"query-status\",\"id\":7}");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "class"),
                    ==, "CommandNotFound");
    qobject_unref(rsp);

    g_string_truncate(out, 0);
    qapi_event_send_shutdown(false, SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    g_assert_true(g_str_has_prefix(out->str, "{\"timestamp\": {\"seconds\": "));
    g_assert_true(g_str_has_suffix(out->str, "\"event\": \"SHUTDOWN\", "
                                   "\"data\": {\"guest\": false, "
                                   "\"reason\": \"host-qmp-quit\"}}\r\n"));
    qmp_session_free(s);
    g_string_free(out, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/control/protocol-commands", test_control);
    return g_test_run();
}
