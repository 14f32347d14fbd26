/*
 * Live migration: options and QMP commands, the "ram" and guest clock
 * sections, the outgoing migration thread (state machines:
 * include/migration/migration.h; the incoming side is
 * migration-incoming.c).
 *
 *   source                                   destination
 *   ------                                   -----------
 *   migrate URI -> MIGRATION setup
 *   thread: connect, header, "ram" START     listener accepts -> active
 *           (block list, sync = pass 1)      header, RAM blocks checked
 *   active: "ram" PART sections, rate        pages written into blocks
 *           limited, a sync per pass
 *   pending <= bandwidth * downtime-limit
 *   (estimate, then re-sync and exact)
 *   and the passes stop converging:
 *   vm_stop(finish-migrate) -> device
 *   "ram" END, device FULL sections,         devices loaded (BQL)
 *   "timer" (guest clock), EOF               EOF -> completed,
 *   -> completed, runstate postmigrate       running or paused (-S)
 *                                            NICs announce (RARP)
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-migration.h"
#include "qapi/qapi-events-migration.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "system/runstate.h"
#include "system/vl.h"
#include "migration/migration.h"
#include "migration/register.h"
#include "migration/savevm.h"
#include "migration/channel.h"
#include "migration/options.h"
#include "migration/ram.h"
#include "migration/migration-int.h"
#include "net/announce.h"
#include "trace/trace-migration.h"

#define PERIOD_MS        100
#define PAGE_SIZE_BYTES  4096
/* Largest stop-and-copy buffer (final RAM + devices) kept in memory. */
#define COMPLETE_MAX     (4ULL << 30)

typedef struct MigrationState {
    MigrationStatus status;
    GMutex lock;                /* file, stats, error */
    GCond switchover;           /* migrate-continue / cancel, with lock */
    bool thread_running;        /* changed under the BQL */
    char *uri;
    QEMUFile *file;
    RamSaveState *ram;
    RamStats ram_stats;
    uint64_t pending;
    uint64_t precopy_bytes;
    uint64_t downtime_bytes;
    int64_t start_ms;
    int64_t setup_time;
    int64_t total_time;
    int64_t downtime;
    int64_t expected_downtime;
    /* the previous exact pending count, for ram_switchover_another_pass() */
    uint64_t exact_pending;
    uint64_t exact_sent;        /* sent_page_bytes() at that count */
    unsigned extra_passes;
    int64_t stop_us;            /* when the stop-and-copy stopped the VM */
    double mbps;
    uint64_t pages_per_second;
    char *error_desc;
    RunState vm_old_state;      /* running, paused or prelaunch */
    bool continue_requested;    /* migrate-continue, with lock */
} MigrationState;

static MigrationOptions opts;
static bool opts_ready;
static MigrationState outgoing;

static MigrationOptions *options(void)
{
    if (!opts_ready) {
        migration_options_init(&opts);
        opts_ready = true;
    }
    return &opts;
}

/* The announce-* parameters drive the announcement after a move. */
static void announce_timing_update(void)
{
    const MigrationParameters *p = &options()->params;
    AnnounceTiming t = {
        .initial = p->announce_initial,
        .max = p->announce_max,
        .rounds = p->announce_rounds,
        .step = p->announce_step,
    };

    qemu_announce_set_default_timing(&t);
}

bool migrate_cap_enabled(MigrationCapability cap)
{
    return options()->caps[cap];
}

uint64_t migrate_max_bandwidth(void)
{
    return options()->params.max_bandwidth;
}

uint64_t migrate_downtime_limit(void)
{
    return options()->params.downtime_limit;
}

uint32_t migrate_checkpoint_delay(void)
{
    return options()->params.x_checkpoint_delay;
}

uint64_t migrate_colo_background_bandwidth(void)
{
    return options()->params.x_colo_background_bandwidth;
}

bool migrate_set_state(MigrationStatus *state, MigrationStatus old,
                       MigrationStatus new_state)
{
    if (!g_atomic_int_compare_and_exchange((gint *)state, old, new_state)) {
        return false;
    }
    trace_migrate_set_state(MigrationStatus_str(old),
                            MigrationStatus_str(new_state));
    if (migrate_cap_enabled(MIGRATION_CAPABILITY_EVENTS)) {
        qapi_event_send_migration(new_state);
    }
    return true;
}

static MigrationStatus get_status(MigrationStatus *state)
{
    return g_atomic_int_get((gint *)state);
}

bool migration_outgoing_set_state(MigrationStatus old,
                                  MigrationStatus new_state)
{
    return migrate_set_state(&outgoing.status, old, new_state);
}

MigrationStatus migration_outgoing_status(void)
{
    return get_status(&outgoing.status);
}

bool migration_status_is_running(MigrationStatus s)
{
    switch (s) {
    case MIGRATION_STATUS_SETUP:
    case MIGRATION_STATUS_ACTIVE:
    case MIGRATION_STATUS_CANCELLING:
    case MIGRATION_STATUS_PRE_SWITCHOVER:
    case MIGRATION_STATUS_DEVICE:
    case MIGRATION_STATUS_COLO:
    case MIGRATION_STATUS_POSTCOPY_ACTIVE:
        return true;
    default:
        return false;
    }
}

bool migration_is_running(void)
{
    return migration_status_is_running(migration_outgoing_status()) ||
           migration_status_is_running(migration_incoming_status());
}

/* ---- Guest clock section ---- */

typedef struct MigrationClock {
    int64_t virtual_ns;
} MigrationClock;

static MigrationClock clock_state;

static int clock_pre_save(void *opaque)
{
    MigrationClock *c = opaque;

    c->virtual_ns = qemu_clock_virtual_get_ns();
    return 0;
}

static int clock_post_load(void *opaque, int version_id)
{
    MigrationClock *c = opaque;

    if (c->virtual_ns < 0) {
        return -EINVAL;
    }
    qemu_clock_virtual_set_ns(c->virtual_ns);
    return 0;
}

static const VMStateDescription vmstate_migration_clock = {
    .name = "timer",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = clock_pre_save,
    .post_load = clock_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_INT64(virtual_ns, MigrationClock),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- COLO handover ---- */

static const MigrationColoHandlers *colo_handlers;
static void *colo_opaque;

void migration_set_colo_handlers(const MigrationColoHandlers *h,
                                 void *opaque)
{
    colo_handlers = h;
    colo_opaque = opaque;
}

const MigrationColoHandlers *migration_colo_handlers(void **opaque)
{
    *opaque = colo_opaque;
    return colo_handlers;
}

typedef struct MigrationColoFlag {
    uint8_t enabled;
} MigrationColoFlag;

static MigrationColoFlag colo_flag;

static int colo_flag_pre_save(void *opaque)
{
    MigrationColoFlag *c = opaque;

    c->enabled = migrate_cap_enabled(MIGRATION_CAPABILITY_X_COLO);
    return 0;
}

static int colo_flag_post_load(void *opaque, int version_id)
{
    MigrationColoFlag *c = opaque;

    if (c->enabled > 1) {
        return -EINVAL;
    }
    migration_incoming_state()->colo_requested = c->enabled;
    return 0;
}

static const VMStateDescription vmstate_migration_colo_flag = {
    .name = "x-colo",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = colo_flag_pre_save,
    .post_load = colo_flag_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT8(enabled, MigrationColoFlag),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- The "ram" live section ---- */

static void ram_pass_notify(void *opaque, uint64_t pass)
{
    trace_migration_ram_pass(pass);
    if (migrate_cap_enabled(MIGRATION_CAPABILITY_EVENTS)) {
        qapi_event_send_migration_pass(pass);
    }
}

static bool ram_section_save_setup(QEMUFile *f, void *opaque, Error **errp)
{
    MigrationState *s = opaque;

    s->ram = ram_save_new(DIRTY_CLIENT_MIGRATION, NULL, 0);
    ram_save_set_sync_notify(s->ram, ram_pass_notify, s);
    ram_save_write_blocks(s->ram, f);
    ram_save_sync(s->ram);
    ram_save_write_eos(f);
    return true;
}

static int ram_section_iterate(QEMUFile *f, void *opaque)
{
    MigrationState *s = opaque;

    ram_save_send_pages(s->ram, f, true);
    if (ram_save_pending(s->ram) == 0) {
        ram_save_sync(s->ram);
    }
    ram_save_write_eos(f);
    if (qemu_file_get_error(f)) {
        return qemu_file_get_error(f);
    }
    return ram_save_pending(s->ram) == 0;
}

static bool ram_section_complete(QEMUFile *f, void *opaque, Error **errp)
{
    MigrationState *s = opaque;

    ram_save_sync(s->ram);
    trace_migration_stop_copy("synced", ram_save_pending(s->ram));
    ram_save_send_pages(s->ram, f, false);
    ram_save_write_eos(f);
    trace_migration_stop_copy("ram", qemu_file_transferred(f));
    return true;
}

static uint64_t ram_section_pending(void *opaque)
{
    MigrationState *s = opaque;

    return s->ram ? ram_save_pending(s->ram) : 0;
}

static void ram_section_cleanup(void *opaque)
{
    MigrationState *s = opaque;

    g_mutex_lock(&s->lock);
    if (s->ram) {
        s->ram_stats = *ram_save_stats(s->ram);
    }
    ram_save_free(s->ram);
    s->ram = NULL;
    g_mutex_unlock(&s->lock);
}

static const SaveVMHandlers ram_save_handlers = {
    .save_setup = ram_section_save_setup,
    .save_live_iterate = ram_section_iterate,
    .save_live_complete_precopy = ram_section_complete,
    .state_pending = ram_section_pending,
    .save_cleanup = ram_section_cleanup,
};

/*
 * One registry entry serves both directions: save callbacks get the
 * outgoing state, load callbacks the incoming one, through a combined
 * handler table whose opaque is a small dispatcher.
 */
static bool ram_disp_save_setup(QEMUFile *f, void *o, Error **errp)
{
    return ram_save_handlers.save_setup(f, &outgoing, errp);
}

static int ram_disp_iterate(QEMUFile *f, void *o)
{
    return ram_save_handlers.save_live_iterate(f, &outgoing);
}

static bool ram_disp_complete(QEMUFile *f, void *o, Error **errp)
{
    return ram_save_handlers.save_live_complete_precopy(f, &outgoing, errp);
}

static uint64_t ram_disp_pending(void *o)
{
    return ram_save_handlers.state_pending(&outgoing);
}

static void ram_disp_cleanup(void *o)
{
    ram_save_handlers.save_cleanup(&outgoing);
}

static bool ram_disp_load_setup(QEMUFile *f, void *o, Error **errp)
{
    return migration_ram_load_handlers.load_setup(f, migration_incoming_state(),
                                                  errp);
}

static bool ram_disp_load(QEMUFile *f, void *o, int version_id,
                          Error **errp)
{
    return migration_ram_load_handlers.load_state(f, migration_incoming_state(),
                                                  version_id, errp);
}

static void ram_disp_load_cleanup(void *o)
{
    migration_ram_load_handlers.load_cleanup(migration_incoming_state());
}

static const SaveVMHandlers ram_handlers = {
    .save_setup = ram_disp_save_setup,
    .save_live_iterate = ram_disp_iterate,
    .save_live_complete_precopy = ram_disp_complete,
    .state_pending = ram_disp_pending,
    .save_cleanup = ram_disp_cleanup,
    .load_setup = ram_disp_load_setup,
    .load_state = ram_disp_load,
    .load_cleanup = ram_disp_load_cleanup,
};

void migration_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    g_mutex_init(&outgoing.lock);
    g_cond_init(&outgoing.switchover);
    announce_timing_update();
    register_savevm_live("ram", 0, RAM_SECTION_VERSION, &ram_handlers,
                         NULL);
    vmstate_register(0, &vmstate_migration_clock, &clock_state);
    vmstate_register(0, &vmstate_migration_colo_flag, &colo_flag);
}

/* ---- Outgoing ---- */

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

static void set_error(MigrationState *s, Error *err)
{
    g_mutex_lock(&s->lock);
    if (!s->error_desc) {
        s->error_desc = g_strdup(error_get_pretty(err));
    }
    g_mutex_unlock(&s->lock);
    error_report_err(err);
}

static void update_stats(MigrationState *s)
{
    g_mutex_lock(&s->lock);
    if (s->ram) {
        s->ram_stats = *ram_save_stats(s->ram);
        s->pending = ram_save_pending(s->ram);
    }
    g_mutex_unlock(&s->lock);
}

/* Runs @fn under the BQL into a memory buffer; then sends that buffer. */
typedef bool LockedSave(MigrationState *s, QEMUFile *buf, Error **errp);

static bool save_locked(MigrationState *s, LockedSave *fn, Error **errp)
{
    g_autoptr(QEMUFile) buf = qemu_file_new_buffer_output(IO_BUF_SIZE,
                                                          COMPLETE_MAX);
    const uint8_t *data;
    size_t len;
    bool ok;

    bql_lock();
    ok = fn(s, buf, errp);
    bql_unlock();
    if (!ok) {
        return false;
    }
    if (qemu_file_get_error_obj(buf, errp)) {
        error_prepend(errp, "Migration buffer: ");
        return false;
    }
    data = qemu_file_buffer_data(buf, &len);
    qemu_put_buffer(s->file, data, len);
    qemu_fflush(s->file);
    return true;
}

static bool do_setup(MigrationState *s, QEMUFile *buf, Error **errp)
{
    return savevm_save_header(savevm_registry_default(), buf, errp) &&
           savevm_save_setup(savevm_registry_default(), buf, errp);
}

static RunState current_runstate(void)
{
    if (runstate_is_running()) {
        return RUN_STATE_RUNNING;
    }
    return runstate_check(RUN_STATE_PRELAUNCH) ? RUN_STATE_PRELAUNCH
                                               : RUN_STATE_PAUSED;
}

static void stop_vm(MigrationState *s)
{
    if (!runstate_check(RUN_STATE_FINISH_MIGRATE)) {
        /* the downtime starts here, not while waiting for the BQL */
        s->stop_us = g_get_monotonic_time();
        s->vm_old_state = current_runstate();
        vm_stop_force_state(RUN_STATE_FINISH_MIGRATE);
    }
}

static bool do_complete(MigrationState *s, QEMUFile *buf, Error **errp)
{
    trace_migration_stop_copy("locked", 0);
    stop_vm(s);
    trace_migration_stop_copy("stopped", 0);
    if (!migrate_set_state(&s->status, MIGRATION_STATUS_PRE_SWITCHOVER,
                           MIGRATION_STATUS_DEVICE)) {
        migrate_set_state(&s->status, MIGRATION_STATUS_ACTIVE,
                          MIGRATION_STATUS_DEVICE);
    }
    if (get_status(&s->status) != MIGRATION_STATUS_DEVICE) {
        error_setg(errp, "Migration was cancelled");
        return false;
    }
    return savevm_save_complete(savevm_registry_default(), buf, errp);
}

/*
 * pause-before-switchover: stop the VM, enter pre-switchover and wait
 * (without the BQL) for migrate-continue or a cancel.
 */
static bool pause_before_switchover(MigrationState *s, Error **errp)
{
    if (!migrate_cap_enabled(MIGRATION_CAPABILITY_PAUSE_BEFORE_SWITCHOVER)) {
        return true;
    }
    bql_lock();
    stop_vm(s);
    migrate_set_state(&s->status, MIGRATION_STATUS_ACTIVE,
                      MIGRATION_STATUS_PRE_SWITCHOVER);
    bql_unlock();
    g_mutex_lock(&s->lock);
    while (get_status(&s->status) == MIGRATION_STATUS_PRE_SWITCHOVER &&
           !s->continue_requested) {
        g_cond_wait(&s->switchover, &s->lock);
    }
    s->continue_requested = false;
    g_mutex_unlock(&s->lock);
    if (get_status(&s->status) != MIGRATION_STATUS_PRE_SWITCHOVER) {
        error_setg(errp, "Migration was cancelled");
        return false;
    }
    return true;
}

/*
 * return-path: after EOF, wait for the destination's verdict so that a
 * stream the destination rejects leaves the source running.
 */
static bool await_verdict(MigrationState *s, Error **errp)
{
    g_autoptr(QEMUFile) rp = NULL;
    uint16_t type, len;
    uint32_t status;

    if (!migrate_cap_enabled(MIGRATION_CAPABILITY_RETURN_PATH)) {
        return true;
    }
    rp = qemu_file_new_input(qemu_file_get_ioc(s->file));
    type = qemu_get_be16(rp);
    len = qemu_get_be16(rp);
    status = qemu_get_be32(rp);
    if (qemu_file_get_error(rp)) {
        error_setg(errp, "Destination closed the return path without a "
                   "result");
        return false;
    }
    if (type != RP_MSG_SHUT || len != RP_SHUT_LEN) {
        error_setg(errp, "Bad return path message %u (length %u)", type,
                   len);
        return false;
    }
    if (status) {
        error_setg(errp, "Destination failed to load the migration stream");
        return false;
    }
    return true;
}

static bool file_failed(MigrationState *s, Error **errp)
{
    int ret = qemu_file_get_error_obj(s->file, errp);

    if (ret && errp && !*errp) {
        error_setg_errno(errp, -ret, "Migration stream failed");
    }
    return ret != 0;
}

static uint64_t sent_page_bytes(MigrationState *s)
{
    const RamStats *st = s->ram ? ram_save_stats(s->ram) : NULL;

    return st ? (st->normal_pages + st->duplicate_pages) * PAGE_SIZE_BYTES
              : 0;
}

/*
 * After an exact count that fits the limit: one more pass while the
 * passes still converge (ram_switchover_another_pass()).  Every exact
 * count becomes the reference for the next one.
 */
static bool another_pass(MigrationState *s, uint64_t pending)
{
    uint64_t sent = sent_page_bytes(s) - s->exact_sent;
    bool more = ram_switchover_another_pass(s->exact_pending, sent, pending,
                                            s->extra_passes);

    trace_migration_switchover_pass(s->exact_pending, sent, pending,
                                    s->extra_passes, more);
    s->exact_pending = pending;
    s->exact_sent = sent_page_bytes(s);
    s->extra_passes += more;
    return more;
}

/*
 * Whether to stop and copy now.  The pending count after an iteration is
 * an estimate: it misses what the guest dirtied since the last sync.  If
 * the estimate fits the downtime limit, the dirty log is synced and the
 * exact count decides (ram_switchover_decide()).  @synced: the iteration
 * itself ended with a sync, so its count is already exact.
 */
static bool switchover_ready(MigrationState *s, bool synced, double bw)
{
    uint64_t limit = migrate_downtime_limit();
    uint64_t estimate = savevm_pending(savevm_registry_default());
    uint64_t pending = estimate;
    RamSwitchover d = ram_switchover_decide(pending, synced, bw, limit);
    bool exact = synced;

    if (d == RAM_SWITCHOVER_SYNC && s->ram) {
        ram_save_pending_exact(s->ram);
        pending = savevm_pending(savevm_registry_default());
        update_stats(s);
        d = ram_switchover_decide(pending, true, bw, limit);
        exact = true;
    }
    if (bw > 0) {
        s->expected_downtime = pending / bw;
    }
    if (d == RAM_SWITCHOVER_COMPLETE && another_pass(s, pending)) {
        d = RAM_SWITCHOVER_CONTINUE;
    } else if (exact && d != RAM_SWITCHOVER_COMPLETE) {
        /* an exact count that does not fit: the next reference */
        s->exact_pending = pending;
        s->exact_sent = sent_page_bytes(s);
    }
    trace_migration_switchover(estimate, pending, (uint64_t)(bw * limit),
                               d == RAM_SWITCHOVER_COMPLETE);
    return d == RAM_SWITCHOVER_COMPLETE;
}

static uint64_t sync_count(MigrationState *s)
{
    return s->ram ? ram_save_stats(s->ram)->dirty_sync_count : 0;
}

/* Iterates until the rest fits the downtime limit; false on error. */
static bool precopy_loop(MigrationState *s, Error **errp)
{
    uint64_t limit = migrate_max_bandwidth() / (1000 / PERIOD_MS);
    uint64_t period_start_bytes = qemu_file_transferred(s->file);
    int64_t period_start = now_ms();
    double bw = 0;              /* bytes per ms, measured per period */
    /*
     * No switch-over in the middle of the first pass: its rate on the
     * wire (data pages first, then mostly zero pages) says little about
     * how long the rest takes, and all of the rest would be downtime.
     */
    bool first_pass_done = false;
    bool synced;

    s->exact_pending = savevm_pending(savevm_registry_default());
    s->exact_sent = sent_page_bytes(s);
    s->extra_passes = 0;
    qemu_file_set_rate_limit(s->file, limit);
    while (get_status(&s->status) == MIGRATION_STATUS_ACTIVE) {
        int64_t now;
        uint64_t syncs = sync_count(s);
        int ret = savevm_save_iterate(savevm_registry_default(), s->file,
                                      errp);

        if (ret < 0) {
            return false;
        }
        qemu_fflush(s->file);
        if (file_failed(s, errp)) {
            return false;
        }
        update_stats(s);
        now = now_ms();
        if (now - period_start >= PERIOD_MS || !qemu_file_rate_limit(s->file)) {
            int64_t span = MAX(now - period_start, 1);

            bw = (double)(qemu_file_transferred(s->file) -
                          period_start_bytes) / span;
        }
        s->mbps = bw * 8 / 1000;
        /* the iteration syncs only when a pass is through */
        synced = ret == 1 || sync_count(s) != syncs;
        first_pass_done |= synced;
        if (switchover_ready(s, synced, first_pass_done ? bw : 0)) {
            return true;
        }
        if (qemu_file_rate_limit(s->file)) {
            int64_t wait = period_start + PERIOD_MS - now;

            if (wait > 0) {
                g_usleep(wait * 1000);
            }
        }
        if (now_ms() - period_start >= PERIOD_MS) {
            period_start = now_ms();
            period_start_bytes = qemu_file_transferred(s->file);
            qemu_file_reset_rate_limit(s->file);
        }
    }
    error_setg(errp, "Migration was cancelled");
    return false;
}

/* Called with the BQL held. */
static void finish_failed(MigrationState *s, Error *err)
{
    MigrationStatus st = get_status(&s->status);

    if (st == MIGRATION_STATUS_CANCELLING || !err) {
        error_free(err);
        migrate_set_state(&s->status, st, MIGRATION_STATUS_CANCELLED);
    } else {
        set_error(s, err);
        migrate_set_state(&s->status, st, MIGRATION_STATUS_FAILED);
    }
    if (runstate_check(RUN_STATE_FINISH_MIGRATE)) {
        if (s->vm_old_state == RUN_STATE_RUNNING) {
            vm_start();
        } else {
            runstate_set(s->vm_old_state);
        }
    }
}

/* The COLO primary takes the stream and the status until it returns. */
static void colo_handover(MigrationState *s)
{
    s->downtime = 0;
    savevm_save_cleanup(savevm_registry_default());
    colo_handlers->primary(s->file, colo_opaque);
    g_mutex_lock(&s->lock);
    s->total_time = now_ms() - s->start_ms;
    qemu_fclose(s->file);
    s->file = NULL;
    g_mutex_unlock(&s->lock);
    bql_lock();
    s->thread_running = false;
    bql_unlock();
}

static gpointer migration_thread(gpointer opaque)
{
    MigrationState *s = opaque;
    Error *err = NULL;
    QIOChannel *ioc = migration_channel_connect(s->uri, &err);
    uint64_t bytes_at_stop;

    if (!ioc) {
        goto fail;
    }
    g_mutex_lock(&s->lock);
    s->file = qemu_file_new_output(ioc);
    g_mutex_unlock(&s->lock);
    qio_channel_unref(ioc);
    if (get_status(&s->status) != MIGRATION_STATUS_SETUP) {
        error_setg(&err, "Migration was cancelled");
        goto fail;
    }
    if (!save_locked(s, do_setup, &err) || file_failed(s, &err)) {
        goto fail;
    }
    s->setup_time = now_ms() - s->start_ms;
    migrate_set_state(&s->status, MIGRATION_STATUS_SETUP,
                      MIGRATION_STATUS_ACTIVE);
    if (!precopy_loop(s, &err)) {
        goto fail;
    }
    bytes_at_stop = qemu_file_transferred(s->file);
    s->precopy_bytes = bytes_at_stop;
    qemu_file_set_rate_limit(s->file, 0);
    if (!pause_before_switchover(s, &err) ||
        !save_locked(s, do_complete, &err) || file_failed(s, &err)) {
        goto fail;
    }
    trace_migration_stop_copy("sent",
                              qemu_file_transferred(s->file) - bytes_at_stop);
    if (colo_handlers && migrate_cap_enabled(MIGRATION_CAPABILITY_X_COLO)) {
        colo_handover(s);
        return NULL;
    }
    if (!await_verdict(s, &err)) {
        goto fail;
    }
    s->downtime = (g_get_monotonic_time() - s->stop_us + 500) / 1000;
    s->downtime_bytes = qemu_file_transferred(s->file) - bytes_at_stop;
    savevm_save_cleanup(savevm_registry_default());
    g_mutex_lock(&s->lock);
    s->total_time = now_ms() - s->start_ms;
    s->mbps = s->total_time ?
        (double)qemu_file_transferred(s->file) * 8 / s->total_time / 1000 :
        0;
    s->pages_per_second = s->total_time ?
        (s->ram_stats.normal_pages + s->ram_stats.duplicate_pages) * 1000 /
        s->total_time : 0;
    s->pending = 0;
    qemu_fclose(s->file);
    s->file = NULL;
    g_mutex_unlock(&s->lock);
    trace_migration_completed(s->total_time, s->downtime);
    bql_lock();
    if (migrate_set_state(&s->status, MIGRATION_STATUS_DEVICE,
                          MIGRATION_STATUS_COMPLETED)) {
        runstate_set(RUN_STATE_POSTMIGRATE);
    } else {
        /* migrate_cancel arrived after the last byte: honour it. */
        finish_failed(s, NULL);
    }
    s->thread_running = false;
    bql_unlock();
    return NULL;

fail:
    savevm_save_cleanup(savevm_registry_default());
    g_mutex_lock(&s->lock);
    s->total_time = now_ms() - s->start_ms;
    if (s->file) {
        qemu_fclose(s->file);
        s->file = NULL;
    }
    g_mutex_unlock(&s->lock);
    bql_lock();
    finish_failed(s, err);
    s->thread_running = false;
    bql_unlock();
    return NULL;
}

QMP_COMMAND_IMPLEMENTED(migrate);

void qmp_migrate(const char *uri, bool has_blk, bool blk, bool has_inc,
                 bool inc, bool has_detach, bool detach, bool has_resume,
                 bool resume, Error **errp)
{
    MigrationState *s = &outgoing;
    MigrationUri parsed;

    migration_init();
    if ((has_blk && blk) || (has_inc && inc)) {
        error_setg(errp, "Block migration is not supported");
        return;
    }
    if (has_resume && resume) {
        error_setg(errp, "Postcopy recovery is not supported");
        return;
    }
    if (runstate_check(RUN_STATE_INMIGRATE)) {
        error_setg(errp, "Guest is waiting for an incoming migration");
        return;
    }
    if (migration_is_running() || s->thread_running) {
        error_setg(errp, "There's a migration process in progress");
        return;
    }
    if (!migration_uri_parse(uri, &parsed, errp)) {
        return;
    }
    migration_uri_clear(&parsed);

    g_free(s->uri);
    s->uri = g_strdup(uri);
    g_free(s->error_desc);
    s->error_desc = NULL;
    memset(&s->ram_stats, 0, sizeof(s->ram_stats));
    s->pending = 0;
    s->precopy_bytes = s->downtime_bytes = 0;
    s->setup_time = s->total_time = s->downtime = 0;
    s->expected_downtime = migrate_downtime_limit();
    s->mbps = 0;
    s->pages_per_second = 0;
    s->vm_old_state = current_runstate();
    s->start_ms = now_ms();
    trace_migration_start(uri);
    s->status = MIGRATION_STATUS_NONE;
    migrate_set_state(&s->status, MIGRATION_STATUS_NONE,
                      MIGRATION_STATUS_SETUP);
    s->thread_running = true;
    g_thread_unref(g_thread_new("migration", migration_thread, s));
}

QMP_COMMAND_IMPLEMENTED(migrate_cancel);

void qmp_migrate_cancel(Error **errp)
{
    MigrationState *s = &outgoing;
    MigrationStatus st = get_status(&s->status);

    if (!migration_status_is_running(st) || st == MIGRATION_STATUS_CANCELLING) {
        return;
    }
    if (st == MIGRATION_STATUS_COLO) {
        error_setg(errp, "Cannot cancel a migration in COLO state; use "
                   "x-colo-lost-heartbeat");
        return;
    }
    if (!migrate_set_state(&s->status, st, MIGRATION_STATUS_CANCELLING)) {
        return;
    }
    g_mutex_lock(&s->lock);
    if (s->file) {
        qemu_file_shutdown(s->file);
    }
    g_cond_broadcast(&s->switchover);
    g_mutex_unlock(&s->lock);
}

QMP_COMMAND_IMPLEMENTED(migrate_continue);

void qmp_migrate_continue(MigrationStatus state, Error **errp)
{
    MigrationState *s = &outgoing;
    MigrationStatus cur = get_status(&s->status);

    if (cur != state) {
        error_setg(errp, "Migration not in expected state: %s",
                   MigrationStatus_str(cur));
        return;
    }
    g_mutex_lock(&s->lock);
    s->continue_requested = true;
    g_cond_broadcast(&s->switchover);
    g_mutex_unlock(&s->lock);
}

QMP_COMMAND_IMPLEMENTED(migrate_pause);

void qmp_migrate_pause(Error **errp)
{
    error_setg(errp, "migrate-pause is currently only supported "
               "during postcopy-active state");
}

QMP_COMMAND_IMPLEMENTED(migrate_recover);

void qmp_migrate_recover(const char *uri, Error **errp)
{
    error_setg(errp, "Migrate recover can only be run when postcopy is "
               "paused.");
}

QMP_COMMAND_IMPLEMENTED(migrate_start_postcopy);

void qmp_migrate_start_postcopy(Error **errp)
{
    error_setg(errp, "Enable postcopy with migrate_set_capability before"
               " the start of migration");
}

/* ---- Capabilities and parameters ---- */

QMP_COMMAND_IMPLEMENTED(query_migrate_capabilities);

MigrationCapabilityStatusList *qmp_query_migrate_capabilities(Error **errp)
{
    return migration_options_query_caps(options());
}

QMP_COMMAND_IMPLEMENTED(migrate_set_capabilities);

void qmp_migrate_set_capabilities(MigrationCapabilityStatusList *caps,
                                  Error **errp)
{
    if (migration_status_is_running(migration_outgoing_status())) {
        error_setg(errp, "There's a migration process in progress");
        return;
    }
    migration_options_set_caps(options(), caps, errp);
}

QMP_COMMAND_IMPLEMENTED(query_migrate_parameters);

MigrationParameters *qmp_query_migrate_parameters(Error **errp)
{
    return migration_options_query_params(options());
}

QMP_COMMAND_IMPLEMENTED(migrate_set_parameters);

void qmp_migrate_set_parameters(MigrateSetParameters *p, Error **errp)
{
    MigrationState *s = &outgoing;

    if (!migration_options_set_params(options(), p, errp)) {
        return;
    }
    announce_timing_update();
    if (p->has_max_bandwidth) {
        g_mutex_lock(&s->lock);
        if (s->file && get_status(&s->status) == MIGRATION_STATUS_ACTIVE) {
            qemu_file_set_rate_limit(s->file, p->max_bandwidth /
                                     (1000 / PERIOD_MS));
        }
        g_mutex_unlock(&s->lock);
    }
}

/* ---- query-migrate ---- */

static MigrationStats *ram_info(MigrationState *s)
{
    MigrationStats *r = g_new0(MigrationStats, 1);
    RamStats *rs = &s->ram_stats;

    r->transferred = rs->bytes;
    r->remaining = s->pending;
    r->total = rs->total_bytes;
    r->duplicate = rs->duplicate_pages;
    r->skipped = 0;
    r->normal = rs->normal_pages;
    r->normal_bytes = rs->normal_pages * PAGE_SIZE_BYTES;
    r->dirty_pages_rate = rs->dirty_pages_rate;
    r->mbps = s->mbps;
    r->dirty_sync_count = rs->dirty_sync_count;
    r->page_size = PAGE_SIZE_BYTES;
    r->pages_per_second = s->pages_per_second;
    r->precopy_bytes = s->precopy_bytes;
    r->downtime_bytes = s->downtime_bytes;
    return r;
}

static void fill_outgoing(MigrationState *s, MigrationInfo *info)
{
    MigrationStatus st = get_status(&s->status);

    info->has_status = st != MIGRATION_STATUS_NONE;
    info->status = st;
    g_mutex_lock(&s->lock);
    switch (st) {
    case MIGRATION_STATUS_ACTIVE:
    case MIGRATION_STATUS_CANCELLING:
    case MIGRATION_STATUS_PRE_SWITCHOVER:
    case MIGRATION_STATUS_DEVICE:
        info->has_total_time = true;
        info->total_time = now_ms() - s->start_ms;
        info->has_expected_downtime = true;
        info->expected_downtime = s->expected_downtime;
        info->has_setup_time = true;
        info->setup_time = s->setup_time;
        info->ram = ram_info(s);
        info->has_ram = true;
        break;
    case MIGRATION_STATUS_COMPLETED:
        info->has_total_time = true;
        info->total_time = s->total_time;
        info->has_downtime = true;
        info->downtime = s->downtime;
        info->has_setup_time = true;
        info->setup_time = s->setup_time;
        info->ram = ram_info(s);
        info->has_ram = true;
        break;
    case MIGRATION_STATUS_FAILED:
        if (s->error_desc) {
            info->has_error_desc = true;
            info->error_desc = g_strdup(s->error_desc);
        }
        break;
    default:
        break;
    }
    g_mutex_unlock(&s->lock);
}

QMP_COMMAND_IMPLEMENTED(query_migrate);

MigrationInfo *qmp_query_migrate(Error **errp)
{
    MigrationInfo *info = g_new0(MigrationInfo, 1);
    MigrationStatus in = migration_incoming_status();

    fill_outgoing(&outgoing, info);
    if (!info->has_status && in != MIGRATION_STATUS_NONE) {
        info->has_status = true;
        info->status = in;
        if (in == MIGRATION_STATUS_SETUP || in == MIGRATION_STATUS_ACTIVE ||
            in == MIGRATION_STATUS_COLO) {
            info->socket_address =
                migration_incoming_addresses(migration_incoming_state());
            info->has_socket_address = info->socket_address != NULL;
        }
    }
    return info;
}

/* query-colo-status and x-colo-lost-heartbeat: migration/colo.c */
