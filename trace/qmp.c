/*
 * Trace control over QMP (trace-event-get-state, trace-event-set-state)
 * and HMP (trace-event, info trace-events), as QEMU offers them: events
 * are named by exact name or glob pattern and switched while the VM runs,
 * so a problem seen in a long run can be traced from that moment on.
 *
 * Every Tandem event is compiled in ("unavailable" never occurs) and none
 * is per-vCPU.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-trace.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"
#include "hw/core/cpu.h"
#include "trace/control.h"
#include "../monitor/monitor-internal.h"

static bool is_pattern(const char *name)
{
    return strpbrk(name, "*?") != NULL;
}

/* The machine has one vCPU (first_cpu), index 0. */
static bool check_vcpu(bool has_vcpu, int64_t vcpu, Error **errp)
{
    if (has_vcpu && (vcpu != 0 || !first_cpu)) {
        error_setg(errp, "invalid vCPU index %" PRId64, vcpu);
        return false;
    }
    return true;
}

/* An exact name must exist; a vCPU index only goes with vCPU events. */
static bool check_name(const char *name, bool has_vcpu, Error **errp)
{
    if (!is_pattern(name) && !trace_event_find(name)) {
        error_setg(errp, "unknown event \"%s\"", name);
        return false;
    }
    if (has_vcpu && !is_pattern(name)) {
        error_setg(errp, "event \"%s\" is not vCPU-specific", name);
        return false;
    }
    return true;
}

typedef struct GetState {
    GPatternSpec *spec;
    TraceEventInfoList **tail;
} GetState;

static bool get_one(TraceEvent *ev, void *opaque)
{
    GetState *g = opaque;
    TraceEventInfo *info;

    if (g_pattern_spec_match_string(g->spec, ev->name)) {
        info = g_new0(TraceEventInfo, 1);
        info->name = g_strdup(ev->name);
        info->state = ev->enabled ? TRACE_EVENT_STATE_ENABLED :
                                    TRACE_EVENT_STATE_DISABLED;
        info->vcpu = false;
        QAPI_LIST_APPEND(g->tail, info);
    }
    return true;
}

TraceEventInfoList *qmp_trace_event_get_state(const char *name,
                                              bool has_vcpu, int64_t vcpu,
                                              Error **errp)
{
    TraceEventInfoList *list = NULL;
    GetState g = { .tail = &list };

    if (!check_vcpu(has_vcpu, vcpu, errp) ||
        !check_name(name, has_vcpu, errp)) {
        return NULL;
    }
    if (has_vcpu) {
        return NULL;                /* no per-vCPU events */
    }
    g.spec = g_pattern_spec_new(name);
    trace_event_foreach(get_one, &g);
    g_pattern_spec_free(g.spec);
    return list;
}

void qmp_trace_event_set_state(const char *name, bool enable,
                               bool has_ignore_unavailable,
                               bool ignore_unavailable,
                               bool has_vcpu, int64_t vcpu, Error **errp)
{
    if (!check_vcpu(has_vcpu, vcpu, errp) ||
        !check_name(name, has_vcpu, errp)) {
        return;
    }
    if (!has_vcpu) {
        trace_enable_events(name, enable);
    }
}

QMP_COMMAND_IMPLEMENTED(trace_event_get_state);
QMP_COMMAND_IMPLEMENTED(trace_event_set_state);

/* ---- HMP ---- */

static bool hmp_vcpu_arg(Monitor *mon, int argc, char **argv, int i,
                         bool *has, int64_t *vcpu)
{
    char *end;

    *has = argc > i;
    if (!*has) {
        return true;
    }
    *vcpu = g_ascii_strtoll(argv[i], &end, 10);
    if (!*argv[i] || *end) {
        monitor_printf(mon, "invalid vCPU index '%s'\n", argv[i]);
        return false;
    }
    return true;
}

static void hmp_trace_event(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    bool on, has_vcpu;
    int64_t vcpu = 0;

    if (!hmp_parse_on_off(mon, "trace-event", argv[1], &on) ||
        !hmp_vcpu_arg(mon, argc, argv, 2, &has_vcpu, &vcpu)) {
        return;
    }
    qmp_trace_event_set_state(argv[0], on, true, true, has_vcpu, vcpu, &err);
    hmp_handle_error(mon, err);
}

static void hmp_info_trace_events(Monitor *mon, int argc, char **argv)
{
    const char *name = argc > 0 ? argv[0] : "*";
    TraceEventInfoList *list, *l;
    Error *err = NULL;
    bool has_vcpu;
    int64_t vcpu = 0;

    if (!hmp_vcpu_arg(mon, argc, argv, 1, &has_vcpu, &vcpu)) {
        return;
    }
    list = qmp_trace_event_get_state(name, has_vcpu, vcpu, &err);
    if (err) {
        hmp_handle_error(mon, err);
        return;
    }
    for (l = list; l; l = l->next) {
        monitor_printf(mon, "%s : state %u\n", l->value->name,
                       l->value->state == TRACE_EVENT_STATE_ENABLED);
    }
    qapi_free_TraceEventInfoList(list);
}

static const HMPCommand hmp_trace_cmds[] = {
    { "trace-event", "name on|off [vcpu]",
      "changes status of a specific trace event (vcpu: vCPU to set, "
      "default is all)", 2, 3, false, hmp_trace_event },
    { NULL },
};

static const HMPCommand hmp_trace_info_cmds[] = {
    { "trace-events", "[name] [vcpu]",
      "show available trace-events & their state (name: event name "
      "pattern; vcpu: vCPU to query, default is any)", 0, 2, false,
      hmp_info_trace_events },
    { NULL },
};

static void hmp_trace_init(void) __attribute__((constructor));
static void hmp_trace_init(void)
{
    hmp_register_commands(hmp_trace_cmds, hmp_trace_info_cmds);
}
