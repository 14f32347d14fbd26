/*
 * QMP sessions (monitor/qmp.c) driven through qmp_session_feed() with
 * split and merged input; replies are compared with QEMU 7.2's
 * transcripts (qmp-basic-session.txt, qmp-malformed-and-oob.txt,
 * qmp-wire-details.txt) as parsed JSON, framing byte for byte.
 */
#include "qemu/osdep.h"
#include "config-host.h"
#include "qobject/qjson.h"
#include "qobject/qdict.h"
#include "monitor/qmp.h"
#include "qapi/test-qapi-init-commands.h"
#include "qapi/test-qapi-events.h"

static QmpCommandList cmds;

typedef struct Client {
    QmpSession *s;
    GString *out;               /* everything written */
    size_t read_pos;            /* next unread byte of out */
} Client;

static void client_write(void *opaque, const char *buf, size_t len)
{
    Client *c = opaque;

    g_string_append_len(c->out, buf, len);
}

static Client *client_new(bool negotiate)
{
    Client *c = g_new0(Client, 1);

    c->out = g_string_new(NULL);
    c->s = qmp_session_new_with_commands(&cmds, client_write, c);
    qmp_session_start(c->s);
    if (negotiate) {
        const char *req = "{\"execute\":\"qmp_capabilities\"}";

        qmp_session_feed(c->s, req, strlen(req));
    }
    c->read_pos = c->out->len;
    return c;
}

static void client_free(Client *c)
{
    qmp_session_free(c->s);
    g_string_free(c->out, true);
    g_free(c);
}

static void send_str(Client *c, const char *s)
{
    qmp_session_feed(c->s, s, strlen(s));
}

/* Next "\r\n"-terminated line (without the terminator), or NULL. */
static char *next_line(Client *c)
{
    const char *start = c->out->str + c->read_pos;
    const char *end = strstr(start, "\r\n");
    char *line;

    if (!end) {
        return NULL;
    }
    line = g_strndup(start, end - start);
    c->read_pos += end - start + 2;
    return line;
}

static void expect_json(Client *c, const char *expect)
{
    g_autofree char *line = next_line(c);
    QObject *got, *want;

    g_assert_nonnull(line);
    got = qobject_from_json(line, &error_abort);
    want = qobject_from_json(expect, &error_abort);
    if (!qobject_is_equal(got, want)) {
        g_error("got %s, expected %s", line, expect);
    }
    qobject_unref(got);
    qobject_unref(want);
}

static void expect_nothing(Client *c)
{
    g_assert_cmpuint(c->read_pos, ==, c->out->len);
}

static void test_greeting(void)
{
    Client *c = client_new(false);
    g_autofree char *expect = g_strdup_printf(
        "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, "
        "\"micro\": 22}, \"package\": \"%s\"}, \"capabilities\": "
        "[\"oob\"]}}\r\n", TANDEM_PKGVERSION);

    g_assert_cmpstr(TANDEM_VERSION, ==, "7.2.22");
    g_assert_cmpstr(c->out->str, ==, expect);
    client_free(c);
}

static void test_negotiation(void)
{
    Client *c = client_new(false);

    c->read_pos = c->out->len;
    send_str(c, "{\"execute\":\"user-def-cmd\"}");
    expect_json(c, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"Expecting capabilities negotiation with "
                "'qmp_capabilities'\"}}");
    send_str(c, "{\"foo\":\"bar\"}");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"QMP input member 'foo' is unexpected\"}}");
    /* no events before negotiation, and none queued for later */
    qapi_event_send_event_a();
    expect_nothing(c);
    send_str(c, "{\"execute\":\"qmp_capabilities\"}");
    expect_json(c, "{\"return\": {}}");
    send_str(c, "{\"execute\":\"qmp_capabilities\"}");
    expect_json(c, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"Capabilities negotiation is already complete, command "
                "ignored\"}}");
    send_str(c, "{\"execute\":\"user-def-cmd\",\"id\":\"v1\"}");
    expect_json(c, "{\"return\": {}, \"id\": \"v1\"}");
    expect_nothing(c);
    client_free(c);
}

static void test_framing(void)
{
    Client *c = client_new(true);
    const char *req = "{\"execute\":\"user-def-cmd\",\"id\":\"a\"}";
    size_t i;

    /* one byte at a time: the reply comes when the braces balance */
    for (i = 0; req[i]; i++) {
        g_assert_cmpuint(c->read_pos, ==, c->out->len);
        qmp_session_feed(c->s, req + i, 1);
    }
    g_assert_cmpstr(c->out->str + c->read_pos, ==,
                    "{\"return\": {}, \"id\": \"a\"}\r\n");
    c->read_pos = c->out->len;
    /* two objects in one read, then one split across lines */
    send_str(c, "{\"execute\":\"cmd-return-int\",\"arguments\":{\"a\":1},"
             "\"id\":\"a\"}{\"execute\":\"user-def-cmd\",\"id\":\"b\"}\n");
    expect_json(c, "{\"return\": 1, \"id\": \"a\"}");
    expect_json(c, "{\"return\": {}, \"id\": \"b\"}");
    send_str(c, "{\"execute\":\"user-def-cmd\"\n");
    expect_nothing(c);
    send_str(c, ",\"id\":\"split-across-lines\"}\n");
    expect_json(c, "{\"return\": {}, \"id\": \"split-across-lines\"}");
    send_str(c, "\n   \r\n\n");
    expect_nothing(c);
    send_str(c, "{'execute':'user-def-cmd','id':'single-quotes'}");
    expect_json(c, "{\"return\": {}, \"id\": \"single-quotes\"}");
    client_free(c);
}

static void test_malformed(void)
{
    Client *c = client_new(true);

    send_str(c, "{\"execute\": }\n");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, expecting value\"}}");
    send_str(c, "{\"execute\":\"user-def-cmd\",\"id\":\"after-bad-1\"}");
    expect_json(c, "{\"return\": {}, \"id\": \"after-bad-1\"}");
    send_str(c, "}\n");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, expecting value\"}}");
    send_str(c, "not json at all\n");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, invalid keyword 'not'\"}}");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, invalid keyword 'json'\"}}");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, invalid keyword 'at'\"}}");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, invalid keyword 'all'\"}}");
    send_str(c, "[1,2,3]");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"QMP input must be a JSON object\"}}");
    /* unbalanced: swallowed until a control character resets */
    send_str(c, "{\"execute\":\"user-def-cmd\"\n"
             "{\"execute\":\"user-def-cmd\"}\n");
    expect_nothing(c);
    send_str(c, "\x1b");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"JSON parse error, stray '\\u001B'\"}}");
    send_str(c, "{\"execute\":\"user-def-cmd\",\"id\":\"after-bad-3\"}");
    expect_json(c, "{\"return\": {}, \"id\": \"after-bad-3\"}");
    expect_nothing(c);
    client_free(c);
}

static void test_events(void)
{
    Client *a = client_new(true);
    Client *b = client_new(false);

    /* an event caused by a command comes before its reply */
    send_str(a, "{\"execute\":\"cmd-emit\",\"id\":1}");
    expect_json(a, "{\"timestamp\": {\"seconds\": 1795304162, "
                "\"microseconds\": 586408}, \"event\": \"EVENT_B\", "
                "\"data\": {\"a\": 7, \"e\": \"value2\"}}");
    expect_json(a, "{\"return\": {}, \"id\": 1}");
    /* data is omitted for events without members */
    qapi_event_send_event_a();
    expect_json(a, "{\"timestamp\": {\"seconds\": 1795304162, "
                "\"microseconds\": 586408}, \"event\": \"EVENT_A\"}");
    /* b has not negotiated: nothing */
    b->read_pos = b->out->len;
    qapi_event_send_event_a();
    expect_nothing(b);
    expect_json(a, "{\"timestamp\": {\"seconds\": 1795304162, "
                "\"microseconds\": 586408}, \"event\": \"EVENT_A\"}");
    send_str(b, "{\"execute\":\"qmp_capabilities\"}");
    expect_json(b, "{\"return\": {}}");
    qapi_event_send_event_a();
    expect_json(a, "{\"timestamp\": {\"seconds\": 1795304162, "
                "\"microseconds\": 586408}, \"event\": \"EVENT_A\"}");
    expect_json(b, "{\"timestamp\": {\"seconds\": 1795304162, "
                "\"microseconds\": 586408}, \"event\": \"EVENT_A\"}");
    expect_nothing(a);
    client_free(a);
    client_free(b);
}

static void test_oob(void)
{
    Client *c = client_new(false);

    c->read_pos = c->out->len;
    send_str(c, "{\"execute\":\"qmp_capabilities\","
             "\"arguments\":{\"enable\":[\"oob\"]}}");
    expect_json(c, "{\"return\": {}}");
    send_str(c, "{\"exec-oob\":\"cmd-oob\",\"id\":\"oob1\"}");
    expect_json(c, "{\"return\": {}, \"id\": \"oob1\"}");
    send_str(c, "{\"exec-oob\":\"user-def-cmd\",\"id\":\"oob-not-allowed\"}");
    expect_json(c, "{\"id\": \"oob-not-allowed\", \"error\": {\"class\": "
                "\"GenericError\", \"desc\": \"The command user-def-cmd does "
                "not support OOB\"}}");
    client_free(c);

    c = client_new(true);
    send_str(c, "{\"exec-oob\":\"cmd-oob\"}");
    expect_json(c, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                "\"QMP input member 'exec-oob' is unexpected\"}}");
    client_free(c);
}

static void test_pretty(void)
{
    Client *c = client_new(true);

    qmp_session_set_pretty(c->s, true);
    send_str(c, "{\"execute\":\"cmd-return-any\","
             "\"arguments\":{\"value\":{\"a\":[1]}}}");
    g_assert_cmpstr(c->out->str + c->read_pos, ==,
                    "{\r\n    \"return\": {\r\n        \"a\": [\r\n"
                    "            1\r\n        ]\r\n    }\r\n}\r\n");
    client_free(c);
}

static void test_close_in_command(void)
{
    Client *c = client_new(true);

    /* the session ends inside the first command; the rest is dropped */
    send_str(c, "{\"execute\":\"cmd-close\"}"
             "{\"execute\":\"user-def-cmd\"}");
    expect_nothing(c);
    qapi_event_send_event_a();
    expect_nothing(c);
    c->s = NULL;
    client_free(c);
}

static gpointer emit_thread(gpointer opaque)
{
    int i;

    for (i = 0; i < 200; i++) {
        qapi_event_send_event_a();
    }
    return NULL;
}

static void test_event_threads(void)
{
    Client *c = client_new(true);
    GThread *t[4];
    int i, lines = 0;
    char *line;

    for (i = 0; i < 4; i++) {
        t[i] = g_thread_new("emit", emit_thread, NULL);
    }
    for (i = 0; i < 4; i++) {
        g_thread_join(t[i]);
    }
    while ((line = next_line(c))) {
        g_assert_true(g_str_has_prefix(line, "{\"timestamp\""));
        g_free(line);
        lines++;
    }
    g_assert_cmpint(lines, ==, 800);
    client_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_qmp_init_marshal(&cmds);
    g_test_add_func("/qmp/session/greeting", test_greeting);
    g_test_add_func("/qmp/session/negotiation", test_negotiation);
    g_test_add_func("/qmp/session/framing", test_framing);
    g_test_add_func("/qmp/session/malformed", test_malformed);
    g_test_add_func("/qmp/session/events", test_events);
    g_test_add_func("/qmp/session/oob", test_oob);
    g_test_add_func("/qmp/session/pretty", test_pretty);
    g_test_add_func("/qmp/session/event-threads", test_event_threads);
    g_test_add_func("/qmp/session/close-in-command", test_close_in_command);
    return g_test_run();
}
