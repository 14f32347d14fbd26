/*
 * Run state: the VM's life cycle as QEMU defines it (query-status).
 *
 *   prelaunch --cont--> running <--stop/cont--> paused
 *       |                  |  \--> finish-migrate --> postmigrate
 *   inmigrate --> (paused|running|colo)             shutdown, ...
 *
 * Every change goes through runstate_set(), which checks the transition
 * against a table (an invalid one is refused and traced, never aborts).
 * vm_stop()/vm_start() also park/unpark the vCPUs, stop/start the
 * virtual clock, run the change handlers and emit STOP/RESUME.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qapi/qapi-types-run-state.h"

typedef void VMChangeStateHandler(void *opaque, bool running, RunState state);
typedef struct VMChangeStateEntry VMChangeStateEntry;

RunState runstate_get(void);
bool runstate_check(RunState state);
bool runstate_is_running(void);
/* Returns false (and traces) if the transition is not allowed. */
bool runstate_set(RunState new_state);
bool runstate_transition_valid(RunState from, RunState to);

VMChangeStateEntry *qemu_add_vm_change_state_handler(
    VMChangeStateHandler *cb, void *opaque);
void qemu_del_vm_change_state_handler(VMChangeStateEntry *e);

/*
 * Stops the VM: vCPUs parked (returns after they acknowledged), virtual
 * clock stopped, state set to @state, STOP emitted.  Big lock held.
 */
int vm_stop(RunState state);
/* Starts (or resumes) the VM; emits RESUME.  Big lock held. */
void vm_start(void);
/* Like vm_stop but without the STOP event semantics change: used by
 * migration's stop-and-copy and COLO checkpoints. */
int vm_stop_force_state(RunState state);

/* Pluggable hooks for the vCPUs (set by the accelerator). */
typedef struct VMRunHooks {
    void (*pause_all)(void);   /* returns when all vCPUs are parked */
    void (*resume_all)(void);
} VMRunHooks;
void runstate_set_run_hooks(const VMRunHooks *hooks);

/* Requests, callable from any thread; handled by the main loop. */
void qemu_system_shutdown_request(ShutdownCause cause);
void qemu_system_reset_request(ShutdownCause cause);
void qemu_system_powerdown_request(void);
/* Process exit requested by a device (isa-debug-exit): status as given. */
void qemu_system_exit_request(int status);

/* Main-loop side: true when the main loop should end; sets *status. */
bool main_loop_should_exit(int *status);

/* -no-reboot, -no-shutdown */
void runstate_set_no_reboot(bool on);
void runstate_set_no_shutdown(bool on);

/* Machine reset (registered by devices and the machine). */
typedef void QEMUResetHandler(void *opaque);
void qemu_register_reset(QEMUResetHandler *fn, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *fn, void *opaque);
void qemu_system_reset(ShutdownCause reason);

/* Power-button press delivered to the guest (ACPI); set by the machine. */
void qemu_set_powerdown_handler(void (*fn)(void *opaque), void *opaque);

#endif
