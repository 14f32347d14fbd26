/*
 * QMP sessions: JSON stream in, replies and events out.
 *
 *   transport --feed--> JSONMessageParser --request--> handle_request
 *       CAPABILITIES state: only qmp_capabilities (a one-entry table
 *                           whose misses say "Expecting capabilities
 *                           negotiation with 'qmp_capabilities'")
 *       COMMAND state:      the full command table
 *   qmp_dispatch() --> reply dict --> JSON + "\r\n" --> write()
 *
 * Events (any thread) go to every session in COMMAND state.  One
 * recursive mutex guards the session list and serialises writes; the
 * transport's write callback runs with it held.  Commands run without
 * the lock, so a command may emit events before its reply.
 */
#include "qemu/osdep.h"
#include "config-host.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qobject/json-parser.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "monitor/qmp.h"

typedef enum QmpSessionState {
    QMP_SESSION_CAPABILITIES,
    QMP_SESSION_COMMAND,
} QmpSessionState;

struct QmpSession {
    QmpWriteFunc *write;
    void *opaque;
    const QmpCommandList *cmds;
    QmpCommandList cap_cmds;        /* negotiation mode table */
    QmpSessionState state;
    bool oob;
    bool pretty;
    JSONMessageParser parser;
    int busy;                       /* nesting of qmp_session_feed() */
    bool free_pending;              /* freed while busy */
};

static GRecMutex qmp_lock;
static GList *qmp_sessions;         /* under qmp_lock */
static __thread QmpSession *qmp_cur_session;
static int64_t fake_seconds = -1, fake_microseconds;

static void qmp_session_send(QmpSession *s, QDict *rsp)
{
    GString *json, *out;
    size_t i;

    if (s->free_pending) {
        /* the transport went away during a command */
        return;
    }
    json = qobject_to_json_pretty(QOBJECT(rsp), s->pretty);

    if (s->pretty) {
        out = g_string_sized_new(json->len + 64);
        for (i = 0; i < json->len; i++) {
            if (json->str[i] == '\n') {
                g_string_append_c(out, '\r');
            }
            g_string_append_c(out, json->str[i]);
        }
        g_string_free(json, true);
    } else {
        out = json;
    }
    g_string_append(out, "\r\n");
    g_rec_mutex_lock(&qmp_lock);
    s->write(s->opaque, out->str, out->len);
    g_rec_mutex_unlock(&qmp_lock);
    g_string_free(out, true);
}

static void qmp_handle_message(void *opaque, QObject *req, Error *err)
{
    QmpSession *s = opaque;
    QmpSession *prev = qmp_cur_session;
    const QmpCommandList *cmds;
    QDict *rsp;

    if (s->free_pending) {
        /* the session was closed by an earlier request of this feed */
        qobject_unref(req);
        error_free(err);
        return;
    }
    if (err) {
        rsp = qmp_error_response(err);
    } else {
        cmds = s->state == QMP_SESSION_COMMAND ? s->cmds : &s->cap_cmds;
        qmp_cur_session = s;
        rsp = qmp_dispatch(cmds, req, s->oob);
        qmp_cur_session = prev;
        qobject_unref(req);
    }
    if (rsp) {
        qmp_session_send(s, rsp);
        qobject_unref(rsp);
    }
}

QmpSession *qmp_session_new_with_commands(const QmpCommandList *cmds,
                                          QmpWriteFunc *write,
                                          void *opaque)
{
    QmpSession *s = g_new0(QmpSession, 1);
    const QmpCommand *cap;

    s->write = write;
    s->opaque = opaque;
    s->cmds = cmds;
    s->state = QMP_SESSION_CAPABILITIES;
    s->cap_cmds.cap_negotiation = true;
    cap = qmp_find_command(cmds, "qmp_capabilities");
    if (cap) {
        qmp_register_command(&s->cap_cmds, "qmp_capabilities", cap->fn,
                             cap->options, cap->special_features);
    }
    json_message_parser_init(&s->parser, qmp_handle_message, s, NULL);
    g_rec_mutex_lock(&qmp_lock);
    qmp_sessions = g_list_append(qmp_sessions, s);
    g_rec_mutex_unlock(&qmp_lock);
    return s;
}

void qmp_session_set_pretty(QmpSession *s, bool pretty)
{
    s->pretty = pretty;
}

QDict *qmp_version_dict(void)
{
    QDict *version = qdict_new();
    QDict *qemu = qdict_new();
    unsigned major = 0, minor = 0, micro = 0;

    sscanf(TANDEM_VERSION, "%u.%u.%u", &major, &minor, &micro);
    qdict_put_int(qemu, "major", major);
    qdict_put_int(qemu, "minor", minor);
    qdict_put_int(qemu, "micro", micro);
    qdict_put(version, "qemu", qemu);
    qdict_put_str(version, "package", TANDEM_PKGVERSION);
    return version;
}

void qmp_session_start(QmpSession *s)
{
    QDict *greeting = qdict_new();
    QDict *qmp = qdict_new();
    QList *caps = qlist_new();

    qlist_append_str(caps, "oob");
    qdict_put(qmp, "version", qmp_version_dict());
    qdict_put(qmp, "capabilities", caps);
    qdict_put(greeting, "QMP", qmp);
    qmp_session_send(s, greeting);
    qobject_unref(greeting);
}

static void qmp_session_destroy(QmpSession *s)
{
    json_message_parser_destroy(&s->parser);
    if (s->cap_cmds.table) {
        g_hash_table_destroy(s->cap_cmds.table);
    }
    g_free(s);
}

void qmp_session_feed(QmpSession *s, const char *buf, size_t len)
{
    s->busy++;
    json_message_parser_feed(&s->parser, buf, len);
    s->busy--;
    if (!s->busy && s->free_pending) {
        qmp_session_destroy(s);
    }
}

/*
 * A command may end its own session (the transport closes while the
 * reply is written, a chardev-remove of the monitor's chardev): then
 * the session is detached now and destroyed when feed() unwinds.
 */
void qmp_session_free(QmpSession *s)
{
    if (!s) {
        return;
    }
    g_rec_mutex_lock(&qmp_lock);
    qmp_sessions = g_list_remove(qmp_sessions, s);
    g_rec_mutex_unlock(&qmp_lock);
    if (s->busy) {
        s->free_pending = true;
        return;
    }
    qmp_session_destroy(s);
}

QmpSession *qmp_session_current(void)
{
    return qmp_cur_session;
}

const QmpCommandList *qmp_session_commands(QmpSession *s)
{
    return s->cmds;
}

bool qmp_session_negotiated(QmpSession *s)
{
    return s->state == QMP_SESSION_COMMAND;
}

bool qmp_session_accept_capabilities(QmpSession *s, bool enable_oob,
                                     Error **errp)
{
    if (s->state == QMP_SESSION_COMMAND) {
        error_set(errp, ERROR_CLASS_COMMAND_NOT_FOUND,
                  "Capabilities negotiation is already complete, command "
                  "ignored");
        return false;
    }
    s->oob = enable_oob;
    s->state = QMP_SESSION_COMMAND;
    return true;
}

void qmp_set_fake_clock(int64_t seconds, int64_t microseconds)
{
    fake_seconds = seconds ? seconds : -1;
    fake_microseconds = microseconds;
}

void monitor_qapi_event_emit_dict(QDict *qdict)
{
    GList *l;

    if (fake_seconds >= 0) {
        QDict *ts = qdict_new();

        qdict_put_int(ts, "seconds", fake_seconds);
        qdict_put_int(ts, "microseconds", fake_microseconds);
        qdict_put(qdict, "timestamp", ts);
    }
    g_rec_mutex_lock(&qmp_lock);
    for (l = qmp_sessions; l; l = l->next) {
        QmpSession *s = l->data;

        if (s->state == QMP_SESSION_COMMAND) {
            qmp_session_send(s, qdict);
        }
    }
    g_rec_mutex_unlock(&qmp_lock);
}
