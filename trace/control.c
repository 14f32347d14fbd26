/*
 * Trace event registry and the "log" backend.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "trace/control.h"

static GPtrArray *all_events;
static FILE *trace_file;
static GMutex trace_lock;

void trace_event_register_group(TraceEvent **events)
{
    if (!all_events) {
        all_events = g_ptr_array_new();
    }
    for (; *events; events++) {
        g_ptr_array_add(all_events, *events);
    }
}

void trace_emit(TraceEvent *ev, const char *fmt, ...)
{
    va_list ap;
    struct timeval tv;
    g_autoptr(GString) line = g_string_new(NULL);

    gettimeofday(&tv, NULL);
    g_string_append_printf(line, "%d@%ld.%06ld:%s ", (int)getpid(),
                           (long)tv.tv_sec, (long)tv.tv_usec, ev->name);
    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    g_string_append_c(line, '\n');
    if (!trace_file) {
        /* like QEMU's "log" backend: the -D file, else stderr */
        qemu_log("%s", line->str);
        return;
    }
    g_mutex_lock(&trace_lock);
    fputs(line->str, trace_file);
    fflush(trace_file);
    g_mutex_unlock(&trace_lock);
}

int trace_enable_events(const char *pattern, bool state)
{
    int n = 0;
    g_autoptr(GPatternSpec) spec = g_pattern_spec_new(pattern);

    if (!all_events) {
        return 0;
    }
    for (guint i = 0; i < all_events->len; i++) {
        TraceEvent *ev = g_ptr_array_index(all_events, i);

        if (g_pattern_spec_match_string(spec, ev->name)) {
            ev->enabled = state;
            n++;
        }
    }
    return n;
}

TraceEvent *trace_event_find(const char *name)
{
    if (!all_events) {
        return NULL;
    }
    for (guint i = 0; i < all_events->len; i++) {
        TraceEvent *ev = g_ptr_array_index(all_events, i);

        if (strcmp(ev->name, name) == 0) {
            return ev;
        }
    }
    return NULL;
}

void trace_event_foreach(bool (*fn)(TraceEvent *ev, void *opaque),
                         void *opaque)
{
    if (!all_events) {
        return;
    }
    for (guint i = 0; i < all_events->len; i++) {
        if (!fn(g_ptr_array_index(all_events, i), opaque)) {
            return;
        }
    }
}

static void trace_enable_one(const char *pattern)
{
    bool state = true;

    if (pattern[0] == '-') {
        state = false;
        pattern++;
    }
    if (trace_enable_events(pattern, state) == 0 &&
        !strpbrk(pattern, "*?")) {
        warn_report("trace event '%s' does not exist", pattern);
    }
}

static bool trace_events_file(const char *path, Error **errp)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        error_setg(errp, "cannot read trace events file '%s': %s", path,
                   gerr->message);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (**l && **l != '#') {
            trace_enable_one(*l);
        }
    }
    return true;
}

bool trace_set_file(const char *path, Error **errp)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        error_setg_errno(errp, errno, "cannot open trace file '%s'", path);
        return false;
    }
    if (trace_file) {
        fclose(trace_file);
    }
    trace_file = f;
    return true;
}

bool trace_opt_parse(const char *optarg, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(optarg, ",", -1);

    for (char **p = parts; *p; p++) {
        if (g_str_has_prefix(*p, "enable=")) {
            trace_enable_one(*p + 7);
        } else if (g_str_has_prefix(*p, "events=")) {
            if (!trace_events_file(*p + 7, errp)) {
                return false;
            }
        } else if (g_str_has_prefix(*p, "file=")) {
            if (!trace_set_file(*p + 5, errp)) {
                return false;
            }
        } else if (strchr(*p, '=')) {
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(strchr(*p, '=') - *p), *p);
            return false;
        } else if (**p) {
            trace_enable_one(*p);
        }
    }
    return true;
}
