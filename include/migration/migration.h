/*
 * Live migration: the outgoing and incoming state machines.
 *
 * Outgoing (migration thread, BQL only around setup and stop-and-copy):
 *
 *   none --migrate--> setup --connected, header+RAM block list--> active
 *   active --pending RAM fits downtime-limit--> [pre-switchover] --> device
 *   device --RAM END + devices + EOF sent--> completed (VM: postmigrate)
 *   any --error--> failed;   any --migrate_cancel--> cancelling -> cancelled
 *   (failed/cancelled restart the VM if migration stopped it)
 *
 * Incoming (-incoming URI | defer + migrate-incoming; runstate inmigrate):
 *
 *   none --listening--> setup --connection--> active --EOF--> completed
 *   then running (autostart) or paused (-S; `cont` starts it);
 *   active --bad stream--> failed: the error names the section, exit 1.
 *
 * The incoming thread holds the BQL while it parses and loads, and drops
 * it whenever it waits for the peer (a channel wrapper releases it
 * around every read), so the monitor stays responsive.
 */
#ifndef MIGRATION_MIGRATION_H
#define MIGRATION_MIGRATION_H

#include "qapi/qapi-types-migration.h"
#include "migration/qemu-file.h"

/* Capability @cap is on (process-wide options). */
bool migrate_cap_enabled(MigrationCapability cap);
/* Current parameters (BQL or migration thread; values are plain ints). */
uint64_t migrate_max_bandwidth(void);
uint64_t migrate_downtime_limit(void);
uint32_t migrate_checkpoint_delay(void);
/* x-colo-background-bandwidth: bytes/s between COLO checkpoints, 0 = off */
uint64_t migrate_colo_background_bandwidth(void);

/**
 * migrate_set_state: move *@state from @old to @new atomically (no-op if
 * it is not @old) and emit MIGRATION when the events capability is on.
 * Returns true if the transition happened.  COLO uses this for the
 * active -> colo -> completed steps.
 */
bool migrate_set_state(MigrationStatus *state, MigrationStatus old,
                       MigrationStatus new_state);

MigrationStatus migration_outgoing_status(void);
MigrationStatus migration_incoming_status(void);
/* An outgoing or incoming migration is under way (setup .. device, colo). */
bool migration_is_running(void);

/**
 * migration_incoming_start: "-incoming URI" (listen now) or "defer"
 * (wait for migrate-incoming).  Sets runstate inmigrate.  Call with the
 * BQL held, before the main loop.
 */
bool migration_incoming_start(const char *uri, Error **errp);

/**
 * migration_incoming_set_ram_ops: where the incoming "ram" section puts
 * pages from the next load on (NULL: straight into the RAM blocks).
 * COLO's secondary installs a page_loaded hook that also fills its RAM
 * cache during precopy, then a target that is the cache during
 * checkpoints (migration/ram.h, RamLoadOps).  BQL held, no load running.
 */
struct RamLoadOps;
void migration_incoming_set_ram_ops(const struct RamLoadOps *ops,
                                    void *opaque);

/**
 * MigrationColoHandlers: where COLO takes over a migration stream
 * (installed by the COLO core; without them x-colo migrates normally).
 * The stream carries the source's x-colo capability (section "x-colo"),
 * so the destination needs no capability of its own.
 *
 * @primary:   migration thread, BQL not held.  Called once the
 *             stop-and-copy of a migration with x-colo reached the
 *             destination (status device, VM stopped, stream flushed).
 *             It owns the stream and the status (device -> colo ->
 *             completed via migration_outgoing_set_state()) until it
 *             returns; the file is closed afterwards.
 * @secondary: incoming thread, BQL not held.  Called after a stream
 *             with x-colo loaded (status active, runstate inmigrate);
 *             @ioc is the socket, for replies.  Same ownership rules,
 *             with migration_incoming_set_state().
 */
typedef struct MigrationColoHandlers {
    void (*primary)(QEMUFile *to_dst, void *opaque);
    void (*secondary)(QEMUFile *from_src, QIOChannel *ioc, void *opaque);
} MigrationColoHandlers;

void migration_set_colo_handlers(const MigrationColoHandlers *h,
                                 void *opaque);
/* migrate_set_state() on the outgoing / incoming status. */
bool migration_outgoing_set_state(MigrationStatus old,
                                  MigrationStatus new_state);
bool migration_incoming_set_state(MigrationStatus old,
                                  MigrationStatus new_state);

/* Registers the "ram", clock and x-colo sections (idempotent). */
void migration_init(void);

#endif
