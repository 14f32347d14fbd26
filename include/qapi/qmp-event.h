/*
 * QAPI events.  Generated qapi_event_send_FOO(...) functions build the
 * event's data dict and call qapi_event_emit(), which the monitor
 * implements (monitor/qmp.c: broadcast to negotiated QMP sessions with
 * a timestamp).  QAPIEvent is generated (qapi/qapi-emit-events.h).
 */
#ifndef QAPI_QMP_EVENT_H
#define QAPI_QMP_EVENT_H

#include "qobject/qdict.h"

/* {"event": NAME, "timestamp": {"seconds": S, "microseconds": U}} */
QDict *qmp_event_build_dict(const char *event_name);

#endif
