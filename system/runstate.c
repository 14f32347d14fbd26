/*
 * Run state machine, VM start/stop, and the shutdown/reset/powerdown
 * requests that devices and monitors raise from any thread.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/qapi-events-run-state.h"
#include "system/runstate.h"
#include "trace/trace-system.h"

struct VMChangeStateEntry {
    VMChangeStateHandler *cb;
    void *opaque;
};

typedef struct ResetEntry {
    QEMUResetHandler *fn;
    void *opaque;
} ResetEntry;

static RunState current_run_state = RUN_STATE_PRELAUNCH;
static GList *vm_change_handlers;
static GList *reset_handlers;
static const VMRunHooks *run_hooks;
static bool no_reboot;
static bool no_shutdown;
static void (*powerdown_fn)(void *opaque);
static void *powerdown_opaque;

/* Pending requests; written from any thread, consumed by the main loop. */
static int shutdown_requested;     /* ShutdownCause + 1, 0 = none */
static int reset_requested;        /* ShutdownCause + 1, 0 = none */
static int powerdown_requested;
static int exit_requested;         /* exit status + 1, 0 = none */

typedef struct {
    RunState from;
    RunState to;
} RunStateTransition;

static const RunStateTransition transitions[] = {
    { RUN_STATE_PRELAUNCH, RUN_STATE_RUNNING },
    { RUN_STATE_PRELAUNCH, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_PRELAUNCH, RUN_STATE_INMIGRATE },
    { RUN_STATE_PRELAUNCH, RUN_STATE_PAUSED },
    { RUN_STATE_PRELAUNCH, RUN_STATE_SHUTDOWN },
    { RUN_STATE_DEBUG, RUN_STATE_RUNNING },
    { RUN_STATE_DEBUG, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_DEBUG, RUN_STATE_PRELAUNCH },
    { RUN_STATE_INMIGRATE, RUN_STATE_INTERNAL_ERROR },
    { RUN_STATE_INMIGRATE, RUN_STATE_IO_ERROR },
    { RUN_STATE_INMIGRATE, RUN_STATE_PAUSED },
    { RUN_STATE_INMIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_INMIGRATE, RUN_STATE_SHUTDOWN },
    { RUN_STATE_INMIGRATE, RUN_STATE_SUSPENDED },
    { RUN_STATE_INMIGRATE, RUN_STATE_WATCHDOG },
    { RUN_STATE_INMIGRATE, RUN_STATE_GUEST_PANICKED },
    { RUN_STATE_INMIGRATE, RUN_STATE_PRELAUNCH },
    { RUN_STATE_INMIGRATE, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_INMIGRATE, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_INMIGRATE, RUN_STATE_COLO },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_PAUSED },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_RUNNING },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_INTERNAL_ERROR, RUN_STATE_PRELAUNCH },
    { RUN_STATE_IO_ERROR, RUN_STATE_RUNNING },
    { RUN_STATE_IO_ERROR, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_IO_ERROR, RUN_STATE_PRELAUNCH },
    { RUN_STATE_PAUSED, RUN_STATE_RUNNING },
    { RUN_STATE_PAUSED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_PAUSED, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_PAUSED, RUN_STATE_PRELAUNCH },
    { RUN_STATE_PAUSED, RUN_STATE_COLO },
    { RUN_STATE_PAUSED, RUN_STATE_SHUTDOWN },
    { RUN_STATE_POSTMIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_POSTMIGRATE, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_POSTMIGRATE, RUN_STATE_PRELAUNCH },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_RUNNING },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_PAUSED },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_POSTMIGRATE },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_PRELAUNCH },
    { RUN_STATE_FINISH_MIGRATE, RUN_STATE_COLO },
    { RUN_STATE_RESTORE_VM, RUN_STATE_RUNNING },
    { RUN_STATE_RESTORE_VM, RUN_STATE_PRELAUNCH },
    { RUN_STATE_COLO, RUN_STATE_RUNNING },
    { RUN_STATE_COLO, RUN_STATE_PAUSED },
    { RUN_STATE_COLO, RUN_STATE_SHUTDOWN },
    { RUN_STATE_RUNNING, RUN_STATE_DEBUG },
    { RUN_STATE_RUNNING, RUN_STATE_INTERNAL_ERROR },
    { RUN_STATE_RUNNING, RUN_STATE_IO_ERROR },
    { RUN_STATE_RUNNING, RUN_STATE_PAUSED },
    { RUN_STATE_RUNNING, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_RUNNING, RUN_STATE_RESTORE_VM },
    { RUN_STATE_RUNNING, RUN_STATE_SAVE_VM },
    { RUN_STATE_RUNNING, RUN_STATE_SHUTDOWN },
    { RUN_STATE_RUNNING, RUN_STATE_WATCHDOG },
    { RUN_STATE_RUNNING, RUN_STATE_GUEST_PANICKED },
    { RUN_STATE_RUNNING, RUN_STATE_COLO },
    { RUN_STATE_SAVE_VM, RUN_STATE_RUNNING },
    { RUN_STATE_SHUTDOWN, RUN_STATE_PAUSED },
    { RUN_STATE_SHUTDOWN, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_SHUTDOWN, RUN_STATE_PRELAUNCH },
    { RUN_STATE_SHUTDOWN, RUN_STATE_RUNNING },
    { RUN_STATE_SUSPENDED, RUN_STATE_RUNNING },
    { RUN_STATE_SUSPENDED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_SUSPENDED, RUN_STATE_PRELAUNCH },
    { RUN_STATE_WATCHDOG, RUN_STATE_RUNNING },
    { RUN_STATE_WATCHDOG, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_WATCHDOG, RUN_STATE_PRELAUNCH },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_RUNNING },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_FINISH_MIGRATE },
    { RUN_STATE_GUEST_PANICKED, RUN_STATE_PRELAUNCH },
};

bool runstate_transition_valid(RunState from, RunState to)
{
    if (from == to) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(transitions); i++) {
        if (transitions[i].from == from && transitions[i].to == to) {
            return true;
        }
    }
    return false;
}

RunState runstate_get(void)
{
    return current_run_state;
}

bool runstate_check(RunState state)
{
    return current_run_state == state;
}

bool runstate_is_running(void)
{
    return runstate_check(RUN_STATE_RUNNING);
}

bool runstate_set(RunState new_state)
{
    if (!runstate_transition_valid(current_run_state, new_state)) {
        trace_runstate_invalid(RunState_str(current_run_state),
                               RunState_str(new_state));
        return false;
    }
    trace_runstate_set(RunState_str(current_run_state),
                       RunState_str(new_state));
    current_run_state = new_state;
    return true;
}

void runstate_set_run_hooks(const VMRunHooks *hooks)
{
    run_hooks = hooks;
}

VMChangeStateEntry *qemu_add_vm_change_state_handler(
    VMChangeStateHandler *cb, void *opaque)
{
    VMChangeStateEntry *e = g_new0(VMChangeStateEntry, 1);

    e->cb = cb;
    e->opaque = opaque;
    vm_change_handlers = g_list_append(vm_change_handlers, e);
    return e;
}

void qemu_del_vm_change_state_handler(VMChangeStateEntry *e)
{
    vm_change_handlers = g_list_remove(vm_change_handlers, e);
    g_free(e);
}

static void vm_state_notify(bool running, RunState state)
{
    GList *l;

    trace_vm_state_notify(running, RunState_str(state));
    if (running) {
        for (l = vm_change_handlers; l; l = l->next) {
            VMChangeStateEntry *e = l->data;
            e->cb(e->opaque, running, state);
        }
    } else {
        /* Stop handlers run in reverse registration order. */
        for (l = g_list_last(vm_change_handlers); l; l = l->prev) {
            VMChangeStateEntry *e = l->data;
            e->cb(e->opaque, running, state);
        }
    }
}

static int do_vm_stop(RunState state, bool send_stop)
{
    if (runstate_is_running()) {
        if (run_hooks && run_hooks->pause_all) {
            run_hooks->pause_all();
        }
        qemu_clock_virtual_stop();
        runstate_set(state);
        vm_state_notify(false, state);
        if (send_stop) {
            qapi_event_send_stop();
        }
        return 0;
    }
    runstate_set(state);
    return 0;
}

int vm_stop(RunState state)
{
    return do_vm_stop(state, true);
}

int vm_stop_force_state(RunState state)
{
    if (runstate_is_running()) {
        return do_vm_stop(state, true);
    }
    runstate_set(state);
    return 0;
}

void vm_start(void)
{
    if (runstate_is_running()) {
        return;
    }
    if (!runstate_set(RUN_STATE_RUNNING)) {
        return;
    }
    qemu_clock_virtual_start();
    vm_state_notify(true, RUN_STATE_RUNNING);
    if (run_hooks && run_hooks->resume_all) {
        run_hooks->resume_all();
    }
    qapi_event_send_resume();
}

void runstate_set_no_reboot(bool on)
{
    no_reboot = on;
}

void runstate_set_no_shutdown(bool on)
{
    no_shutdown = on;
}

void qemu_register_reset(QEMUResetHandler *fn, void *opaque)
{
    ResetEntry *e = g_new0(ResetEntry, 1);

    e->fn = fn;
    e->opaque = opaque;
    reset_handlers = g_list_append(reset_handlers, e);
}

void qemu_unregister_reset(QEMUResetHandler *fn, void *opaque)
{
    for (GList *l = reset_handlers; l; l = l->next) {
        ResetEntry *e = l->data;

        if (e->fn == fn && e->opaque == opaque) {
            reset_handlers = g_list_delete_link(reset_handlers, l);
            g_free(e);
            return;
        }
    }
}

static bool cause_is_guest(ShutdownCause cause)
{
    return cause >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN &&
           cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET;
}

void qemu_system_reset(ShutdownCause reason)
{
    trace_qemu_system_reset(ShutdownCause_str(reason));
    for (GList *l = reset_handlers; l; l = l->next) {
        ResetEntry *e = l->data;
        e->fn(e->opaque);
    }
    if (reason != SHUTDOWN_CAUSE_NONE) {
        qapi_event_send_reset(cause_is_guest(reason), reason);
    }
}

void qemu_set_powerdown_handler(void (*fn)(void *opaque), void *opaque)
{
    powerdown_fn = fn;
    powerdown_opaque = opaque;
}

void qemu_system_shutdown_request(ShutdownCause cause)
{
    trace_qemu_system_shutdown_request(ShutdownCause_str(cause));
    g_atomic_int_set(&shutdown_requested, cause + 1);
    qemu_notify_event();
}

void qemu_system_reset_request(ShutdownCause cause)
{
    trace_qemu_system_reset_request(ShutdownCause_str(cause));
    if (no_reboot && cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET &&
        cause != SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET) {
        g_atomic_int_set(&shutdown_requested, cause + 1);
    } else {
        g_atomic_int_set(&reset_requested, cause + 1);
    }
    qemu_notify_event();
}

void qemu_system_powerdown_request(void)
{
    g_atomic_int_set(&powerdown_requested, 1);
    qemu_notify_event();
}

void qemu_system_exit_request(int status)
{
    g_atomic_int_set(&exit_requested, status + 1);
    qemu_notify_event();
}

bool main_loop_should_exit(int *status)
{
    int req;

    req = g_atomic_int_and(&exit_requested, 0);
    if (req) {
        *status = req - 1;
        return true;
    }
    req = g_atomic_int_and(&shutdown_requested, 0);
    if (req) {
        ShutdownCause cause = req - 1;

        qapi_event_send_shutdown(cause_is_guest(cause), cause);
        if (no_shutdown && cause != SHUTDOWN_CAUSE_HOST_QMP_QUIT &&
            cause != SHUTDOWN_CAUSE_HOST_SIGNAL) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            *status = 0;
            return true;
        }
    }
    req = g_atomic_int_and(&reset_requested, 0);
    if (req) {
        /* The vCPUs are parked around the reset; the run state only
         * changes when the VM was not running (e.g. after -no-shutdown). */
        if (run_hooks && run_hooks->pause_all && runstate_is_running()) {
            run_hooks->pause_all();
            qemu_system_reset(req - 1);
            run_hooks->resume_all();
        } else {
            qemu_system_reset(req - 1);
        }
        if (!runstate_check(RUN_STATE_RUNNING) &&
            !runstate_check(RUN_STATE_INMIGRATE) &&
            !runstate_check(RUN_STATE_FINISH_MIGRATE) &&
            !runstate_check(RUN_STATE_COLO)) {
            runstate_set(RUN_STATE_PRELAUNCH);
        }
    }
    if (g_atomic_int_and(&powerdown_requested, 0)) {
        qapi_event_send_powerdown();
        if (powerdown_fn) {
            powerdown_fn(powerdown_opaque);
        }
    }
    return false;
}
