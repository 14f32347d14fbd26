/*
 * Trace control: every trace point is a TraceEvent registered at start-up
 * by the generated trace-<dir>.c files.  Events are enabled by name or
 * glob pattern (-trace enable=PATTERN, -trace events=FILE, QMP/HMP later)
 * and print one line each to the trace file (stderr by default):
 *
 *     PID@SECONDS.MICROS:event_name formatted arguments
 */
#ifndef TRACE_CONTROL_H
#define TRACE_CONTROL_H

#include "qapi/error.h"

typedef struct TraceEvent {
    const char *name;
    bool enabled;
} TraceEvent;

void trace_event_register_group(TraceEvent **events);
void trace_emit(TraceEvent *ev, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Enables or disables every event whose name matches the glob pattern;
 * returns the number of events matched. */
int trace_enable_events(const char *pattern, bool state);
TraceEvent *trace_event_find(const char *name);
/* Iterates over every registered event; return false from fn to stop. */
void trace_event_foreach(bool (*fn)(TraceEvent *ev, void *opaque),
                         void *opaque);

/* Parses the argument of -trace: "PATTERN", "enable=PATTERN",
 * "events=FILE", "file=FILE" (comma separated). */
bool trace_opt_parse(const char *optarg, Error **errp);
bool trace_set_file(const char *path, Error **errp);

#endif
