/*
 * A QMP session, independent of its transport.
 *
 * The transport (socket or stdio chardev, a test) creates a session with
 * a write callback, calls qmp_session_start() when a client connects
 * (sends the greeting), passes every received byte to qmp_session_feed()
 * and frees the session when the client goes away.
 *
 *   client bytes -> JSON streamer -> request -> negotiation check
 *                -> qmp_dispatch() -> "{...}\r\n" -> write()
 *
 * Session states: CAPABILITIES (only qmp_capabilities accepted, no
 * events) -> COMMAND (all commands; events delivered).
 *
 * Events: qapi_event_emit() (see qapi/qmp-event.h) calls
 * monitor_qapi_event_emit(), which writes
 *   {"timestamp": {"seconds": S, "microseconds": U}, "event": NAME,
 *    "data": {...}}
 * to every session in COMMAND state.  It may be called from any thread:
 * a global mutex serialises all writes, and the write callback is called
 * with it held, so the transport's write must not block for long and
 * must not call back into the QMP layer.
 */
#ifndef MONITOR_QMP_H
#define MONITOR_QMP_H

#include "qobject/qdict.h"
#include "qapi/qmp/dispatch.h"

typedef struct QmpSession QmpSession;

typedef void QmpWriteFunc(void *opaque, const char *buf, size_t len);

/* The global command table (filled by qmp_init_marshal on first use). */
QmpCommandList *qmp_global_commands(void);

/* A session using qmp_global_commands(). */
QmpSession *qmp_session_new(QmpWriteFunc *write, void *opaque);
/* A session over a given command table (tests). */
QmpSession *qmp_session_new_with_commands(const QmpCommandList *cmds,
                                          QmpWriteFunc *write,
                                          void *opaque);
/* -mon ...,pretty=on: indented replies (each line ends in \r\n). */
void qmp_session_set_pretty(QmpSession *s, bool pretty);
/* Sends the greeting {"QMP": {"version": ..., "capabilities": ["oob"]}}. */
void qmp_session_start(QmpSession *s);
/* Processes client input; replies are written before this returns. */
void qmp_session_feed(QmpSession *s, const char *buf, size_t len);
/* Detach from event broadcast and free. */
void qmp_session_free(QmpSession *s);

/* The currently executing session (valid inside a command handler). */
QmpSession *qmp_session_current(void);
/* The command table a session dispatches to in command mode. */
const QmpCommandList *qmp_session_commands(QmpSession *s);
/* true once qmp_capabilities succeeded */
bool qmp_session_negotiated(QmpSession *s);

/*
 * qmp_capabilities: leave negotiation mode, optionally enabling OOB.
 * In command mode: CommandNotFound "Capabilities negotiation is already
 * complete, command ignored".
 */
bool qmp_session_accept_capabilities(QmpSession *s, bool enable_oob,
                                     Error **errp);

/* The greeting's "version" member and query-version's reply. */
QDict *qmp_version_dict(void);

/* Broadcast an event (with the timestamp added) to negotiated sessions. */
void monitor_qapi_event_emit_dict(QDict *qdict);

/* Test hook: fixed timestamps instead of the wall clock (0 = off). */
void qmp_set_fake_clock(int64_t seconds, int64_t microseconds);

#endif
