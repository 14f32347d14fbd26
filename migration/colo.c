/*
 * COLO: the checkpoint loop of the primary and the secondary, failover,
 * query-colo-status.  Wire protocol: colo-proto.h.
 *
 * Primary (migration thread, after the precopy stop-and-copy):
 *
 *   handshake, wait CHECKPOINT_READY, status device -> colo, VM resumed
 *   loop: wait for a trigger (x-checkpoint-delay timer, colo-compare's
 *         checkpoint request, or failover)
 *         REQUEST -> REPLY; STOP (runstate colo); device state saved into
 *         a bounded memory buffer; dirty RAM synced (MIGRATION_PASS);
 *         VMSTATE_SEND + RAM + EOS; VMSTATE_SIZE + blob;
 *         <- VMSTATE_RECEIVED; participants' checkpoint (colo-compare
 *         releases its queues); RESUME; <- VMSTATE_LOADED (the PVM runs
 *         while the SVM applies the checkpoint).  With background
 *         transfer on, a catch-up pass at full speed precedes REQUEST
 *         while the PVM runs, so the STOP only carries what it dirtied
 *         during that pass.
 *
 * Secondary (incoming thread, after the precopy load):
 *
 *   handshake, RAM cache ready, SVM dirty log on, status active -> colo,
 *   VM started, CHECKPOINT_READY
 *   loop: <- REQUEST; STOP; REPLY; RAM into the cache (PVM-dirty marked);
 *         device blob read whole (bounded); VMSTATE_RECEIVED; under the
 *         BQL: flush PVM-dirty | SVM-dirty pages into RAM, load devices
 *         (rolled back with the RAM undo log if the load fails), RESUME;
 *         VMSTATE_LOADED.
 *
 * Until the whole checkpoint arrived nothing reaches the SVM's RAM or
 * devices, so a failover or a broken link always leaves the SVM at the
 * last complete checkpoint (plus its own execution since then).  A
 * checkpoint that arrived whole is always applied, by the failover if it
 * comes first: the primary may already have released output that only
 * that checkpoint's state explains (a reply the client saw must never be
 * contradicted by the survivor).
 *
 * Failure: a broken link, a timeout or a bad checkpoint ends the loop:
 * COLO_EXIT {mode, error} once, the VM keeps running, the status stays
 * colo until x-colo-lost-heartbeat (QEMU 7.2 semantics).
 * x-colo-lost-heartbeat performs the failover under the BQL: the link is
 * shut down, the participants fail over (secondary), the VM runs,
 * status colo -> completed, COLO_EXIT {mode, request} unless one was sent.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-migration.h"
#include "qapi/qapi-events-migration.h"
#include "qemu/main-loop.h"
#include "system/runstate.h"
#include "io/channel.h"
#include "migration/migration.h"
#include "migration/ram.h"
#include "migration/savevm.h"
#include "migration/colo-proto.h"
#include "migration/colo-int.h"
#include "net/announce.h"
#include "trace/trace-migration.h"

QEMU_BUILD_BUG_ON((int)COLO_MSG_CHECKPOINT_READY !=
                  (int)COLO_MESSAGE_CHECKPOINT_READY);
QEMU_BUILD_BUG_ON((int)COLO_MSG_VMSTATE_LOADED !=
                  (int)COLO_MESSAGE_VMSTATE_LOADED);
QEMU_BUILD_BUG_ON((int)COLO_MSG__MAX != (int)COLO_MESSAGE__MAX);

typedef struct Colo {
    GMutex lock;
    GCond cond;
    /* side of the running COLO loop, none otherwise */
    COLOMode mode;
    COLOMode last_mode;
    bool exit_sent;
    /* a participant asked for a checkpoint */
    bool requested;
    ColoCheckpointReason why;
    /* the peer link, for shutdown by a failover */
    QEMUFile *in;
    QEMUFile *out;
    /*
     * Secondary: a checkpoint received whole but not applied yet.  Once
     * VMSTATE_RECEIVED may have reached the primary, the primary may
     * release output that depends on it, so it must be applied even if
     * a failover comes first: whoever takes it (the COLO thread or the
     * failover) applies it.
     */
    QEMUFile *pending;
    ColoStats stats;
} Colo;

static Colo colo;

/* The x-colo-background-bandwidth migration parameter (0 = off). */
uint64_t colo_background_bandwidth(void)
{
    return migrate_colo_background_bandwidth();
}

static int64_t now_us(void)
{
    return g_get_monotonic_time();
}

/* ---- state shared with the monitor ---- */

static void set_link(QEMUFile *in, QEMUFile *out)
{
    g_mutex_lock(&colo.lock);
    colo.in = in;
    colo.out = out;
    g_mutex_unlock(&colo.lock);
}

static void shutdown_link(void)
{
    g_mutex_lock(&colo.lock);
    if (colo.in) {
        qemu_file_shutdown(colo.in);
    }
    if (colo.out) {
        qemu_file_shutdown(colo.out);
    }
    g_mutex_unlock(&colo.lock);
}

void colo_stats_get(ColoStats *out)
{
    g_mutex_lock(&colo.lock);
    *out = colo.stats;
    g_mutex_unlock(&colo.lock);
}

void colo_stats_add_background(uint64_t bytes)
{
    g_mutex_lock(&colo.lock);
    colo.stats.background_bytes += bytes;
    g_mutex_unlock(&colo.lock);
}

static void stats_record(ColoCheckpointReason why, uint64_t pause_us,
                         uint64_t bytes)
{
    g_mutex_lock(&colo.lock);
    colo_stats_record(&colo.stats, why, pause_us, bytes);
    g_mutex_unlock(&colo.lock);
}

static void stats_reset(void)
{
    g_mutex_lock(&colo.lock);
    memset(&colo.stats, 0, sizeof(colo.stats));
    colo.requested = false;
    g_mutex_unlock(&colo.lock);
}

/* The mode as QEMU reports it: from the migration status. */
static COLOMode current_mode(void)
{
    if (migration_outgoing_status() == MIGRATION_STATUS_COLO) {
        return COLO_MODE_PRIMARY;
    }
    if (migration_incoming_status() == MIGRATION_STATUS_COLO) {
        return COLO_MODE_SECONDARY;
    }
    return COLO_MODE_NONE;
}

/* BQL held.  Emits COLO_EXIT unless this session already did. */
static void send_exit(COLOMode mode, COLOExitReason reason)
{
    if (!colo.exit_sent) {
        colo.exit_sent = true;
        trace_colo_exit(COLOMode_str(mode), COLOExitReason_str(reason));
        qapi_event_send_colo_exit(mode, reason);
    }
}

/* BQL held: a VM stopped for a checkpoint runs again. */
static void resume_if_paused(void)
{
    if (runstate_check(RUN_STATE_COLO)) {
        vm_start();
    }
}

typedef struct ColoPrimary {
    QEMUFile *to;
    QEMUFile *from;
    RamSaveState *rs;
    uint32_t version;           /* negotiated protocol version */
    uint64_t tx_bytes;          /* bytes sent, as of tx_us */
    int64_t tx_us;              /* last time anything was sent */
} ColoPrimary;

/* Between checkpoints the primary sends at least this often (v >= 2). */
#define COLO_HEARTBEAT_MS       500

/* ---- background RAM transfer (primary, both VMs running) ---- */

#define BACKGROUND_SLICE_MS 20

/*
 * Sends up to one slice's worth of the pages dirtied since the last
 * sync.  A page written again after this send is dirty again, so the
 * next checkpoint still carries it: correctness never depends on it.
 */
static bool background_send(ColoPrimary *p, Error **errp)
{
    uint64_t bw = colo_background_bandwidth();
    uint64_t bytes0, sent;

    if (!bw) {
        return true;
    }
    WITH_BQL_LOCK() {
        ram_save_sync(p->rs);
    }
    if (!ram_save_pending(p->rs)) {
        return true;
    }
    bytes0 = qemu_file_transferred(p->to);
    qemu_file_set_rate_limit(p->to, MAX(bw * BACKGROUND_SLICE_MS / 1000,
                                        4096));
    qemu_file_reset_rate_limit(p->to);
    qemu_put_be32(p->to, COLO_MSG_X_RAM_BACKGROUND);
    ram_save_send_pages(p->rs, p->to, true);
    ram_save_write_eos(p->to);
    qemu_fflush(p->to);
    qemu_file_set_rate_limit(p->to, 0);
    sent = qemu_file_transferred(p->to) - bytes0;
    colo_stats_add_background(sent);
    trace_colo_background_sent(sent, ram_save_pending(p->rs));
    return colo_proto_check(p->to, "Can't send COLO background RAM", errp);
}

/* A catch-up pass is worth it above this many pending bytes. */
#define CATCHUP_MIN_BYTES   (256 * 1024)
#define CATCHUP_MAX_PASSES  2

/*
 * Right before a checkpoint stops the PVM: with background transfer on,
 * send what is pending at full speed while the VM still runs (at most
 * CATCHUP_MAX_PASSES passes, stopping once the rest is small or stops
 * shrinking), so that the stop-and-copy carries only what the guest
 * dirtied during the last pass.
 */
static bool catch_up(ColoPrimary *p, Error **errp)
{
    uint64_t prev = UINT64_MAX;

    if (!colo_background_bandwidth()) {
        return true;
    }
    for (int pass = 0; pass < CATCHUP_MAX_PASSES; pass++) {
        uint64_t pending, bytes0, sent;

        WITH_BQL_LOCK() {
            ram_save_sync(p->rs);
        }
        pending = ram_save_pending(p->rs);
        if (pending < CATCHUP_MIN_BYTES || pending >= prev) {
            break;
        }
        prev = pending;
        bytes0 = qemu_file_transferred(p->to);
        qemu_put_be32(p->to, COLO_MSG_X_RAM_BACKGROUND);
        ram_save_send_pages(p->rs, p->to, false);
        ram_save_write_eos(p->to);
        qemu_fflush(p->to);
        sent = qemu_file_transferred(p->to) - bytes0;
        colo_stats_add_background(sent);
        trace_colo_catch_up(pass, pending, sent);
        if (!colo_proto_check(p->to, "Can't send COLO background RAM",
                              errp)) {
            return false;
        }
    }
    return true;
}

/*
 * Version >= 2: a heartbeat when nothing else was sent for
 * COLO_HEARTBEAT_MS, so that the secondary can tell a silent primary
 * from an idle one.
 */
static bool heartbeat(ColoPrimary *p, Error **errp)
{
    uint64_t bytes = qemu_file_transferred(p->to);
    int64_t now = now_us();

    if (bytes != p->tx_bytes) {
        p->tx_bytes = bytes;
        p->tx_us = now;
        return true;
    }
    if (p->version < 2 || now - p->tx_us < COLO_HEARTBEAT_MS * 1000) {
        return true;
    }
    if (!colo_proto_send(p->to, COLO_MSG_X_HEARTBEAT, errp)) {
        return false;
    }
    p->tx_bytes = qemu_file_transferred(p->to);
    p->tx_us = now;
    return true;
}

/* ---- checkpoint triggers ---- */

static void checkpoint_request(void *opaque, ColoCheckpointReason why)
{
    g_mutex_lock(&colo.lock);
    if (!colo.requested) {
        colo.requested = true;
        colo.why = why;
    }
    g_cond_broadcast(&colo.cond);
    g_mutex_unlock(&colo.lock);
    trace_colo_checkpoint_request(colo_checkpoint_reason_str(why));
}

/*
 * Waits for the next checkpoint trigger, streaming dirty RAM in the
 * background meanwhile.  *@deadline is the periodic checkpoint's time; a
 * new x-checkpoint-delay re-arms it from now.  Returns false when a
 * failover was requested or (with @errp) the background send failed.
 */
static bool wait_trigger(ColoPrimary *p, int64_t *deadline, uint32_t *delay,
                         ColoCheckpointReason *why, Error **errp)
{
    for (;;) {
        uint32_t d = migrate_checkpoint_delay();
        int64_t now = now_us();
        int64_t slice;
        bool bg;

        g_mutex_lock(&colo.lock);
        if (failover_get_state() != FAILOVER_STATUS_NONE) {
            g_mutex_unlock(&colo.lock);
            return false;
        }
        if (colo.requested) {
            colo.requested = false;
            *why = colo.why;
            g_mutex_unlock(&colo.lock);
            return true;
        }
        if (d != *delay) {
            *delay = d;
            *deadline = now + (int64_t)d * 1000;
            trace_colo_checkpoint_rescheduled(d);
        }
        if (now >= *deadline) {
            *why = COLO_CHECKPOINT_REASON_PERIODIC;
            g_mutex_unlock(&colo.lock);
            return true;
        }
        /* short slices: parameter changes are noticed quickly */
        bg = colo_background_bandwidth() != 0;
        slice = (bg ? BACKGROUND_SLICE_MS : 50) * 1000;
        g_cond_wait_until(&colo.cond, &colo.lock,
                          MIN(*deadline, now + slice));
        g_mutex_unlock(&colo.lock);
        if (bg && !background_send(p, errp)) {
            return false;
        }
        if (!heartbeat(p, errp)) {
            return false;
        }
    }
}

/* ---- primary ---- */

/* BQL held.  Stops the VM and saves the device state into a buffer. */
static QEMUFile *primary_stop_and_save(ColoPrimary *p, Error **errp)
{
    g_autoptr(QEMUFile) buf = NULL;

    vm_stop(RUN_STATE_COLO);
    buf = qemu_file_new_buffer_output(64 * 1024, COLO_DEVSTATE_MAX);
    if (!qemu_savevm_state_full(buf, errp)) {
        error_prepend(errp, "COLO: saving the device state failed: ");
        return NULL;
    }
    ram_save_sync(p->rs);
    if (migrate_cap_enabled(MIGRATION_CAPABILITY_EVENTS)) {
        qapi_event_send_migration_pass(ram_save_stats(p->rs)->
                                       dirty_sync_count);
    }
    return g_steal_pointer(&buf);
}

/*
 * One checkpoint transaction.  Returns false with @errp on a failure,
 * false without error when a failover interrupted it.
 */
static bool primary_checkpoint(ColoPrimary *p, ColoCheckpointReason why,
                               Error **errp)
{
    g_autoptr(QEMUFile) buf = NULL;
    uint64_t bytes0 = qemu_file_transferred(p->to);
    int64_t stopped_at = 0, pause_us;
    const uint8_t *data;
    size_t len;

    trace_colo_checkpoint_begin(colo.stats.checkpoints + 1,
                                colo_checkpoint_reason_str(why));
    if (!catch_up(p, errp)) {
        return false;
    }
    if (!colo_proto_send(p->to, COLO_MSG_CHECKPOINT_REQUEST, errp) ||
        !colo_proto_expect(p->from, COLO_MSG_CHECKPOINT_REPLY, errp)) {
        return false;
    }
    WITH_BQL_LOCK() {
        if (failover_get_state() != FAILOVER_STATUS_NONE) {
            return false;
        }
        stopped_at = now_us();
        buf = primary_stop_and_save(p, errp);
        trace_colo_vm_stopped(now_us() - stopped_at);
    }
    if (!buf) {
        return false;
    }
    if (!colo_proto_send(p->to, COLO_MSG_VMSTATE_SEND, errp)) {
        return false;
    }
    ram_save_send_pages(p->rs, p->to, false);
    ram_save_write_eos(p->to);
    data = qemu_file_buffer_data(buf, &len);
    if (!colo_proto_send_blob(p->to, data, len, errp)) {
        return false;
    }
    trace_colo_checkpoint_sent(qemu_file_transferred(p->to) - bytes0, len);
    if (!colo_proto_expect(p->from, COLO_MSG_VMSTATE_RECEIVED, errp)) {
        return false;
    }
    /*
     * The SVM has the whole checkpoint and will apply it, even if a
     * failover comes first: release the held output and let the PVM run
     * while the SVM applies it.  Output the PVM produces meanwhile stays
     * in colo-compare until the SVM, running again, produced the same.
     */
    colo_participants_checkpoint();
    WITH_BQL_LOCK() {
        colo_debug_checkpoint_hook(colo.stats.checkpoints + 1);
        resume_if_paused();
    }
    pause_us = now_us() - stopped_at;
    if (!colo_proto_expect(p->from, COLO_MSG_VMSTATE_LOADED, errp)) {
        return false;
    }
    stats_record(why, pause_us, qemu_file_transferred(p->to) - bytes0);
    trace_colo_checkpoint_end(colo.stats.checkpoints, pause_us);
    return true;
}

static bool primary_handshake(ColoPrimary *p, Error **errp)
{
    uint32_t v;

    if (!colo_proto_hello_send(p->to, COLO_PROTO_VERSION, errp)) {
        return false;
    }
    v = colo_proto_hello_reply_recv(p->from, COLO_PROTO_VERSION, errp);
    if (!v) {
        return false;
    }
    p->version = v;
    if (v >= 2) {
        /* our heartbeats then break the link if the secondary goes silent */
        qio_channel_set_tcp_user_timeout(qemu_file_get_ioc(p->to),
                                         COLO_IO_TIMEOUT_MS);
    }
    trace_colo_handshake_done("primary", v);
    return colo_proto_expect(p->from, COLO_MSG_CHECKPOINT_READY, errp);
}

/*
 * The loop ended: on an error report it once, keep the VM running and
 * wait (QEMU 7.2) for the operator's x-colo-lost-heartbeat.
 */
static void colo_end(COLOMode mode, Error *err)
{
    colo_set_checkpoint_request_handler(NULL, NULL);
    WITH_BQL_LOCK() {
        if (failover_get_state() == FAILOVER_STATUS_NONE) {
            if (!err) {
                error_setg(&err, "COLO stopped unexpectedly");
            }
            error_report_err(err);
            err = NULL;
            send_exit(mode, COLO_EXIT_REASON_ERROR);
            /* the peer learns at once instead of by its timeout */
            shutdown_link();
        }
        resume_if_paused();
        if (mode == COLO_MODE_SECONDARY && !runstate_is_running()) {
            vm_start();
        }
    }
    error_free(err);
    g_mutex_lock(&colo.lock);
    while (failover_get_state() != FAILOVER_STATUS_COMPLETED) {
        g_cond_wait(&colo.cond, &colo.lock);
    }
    g_mutex_unlock(&colo.lock);
    trace_colo_loop_end(COLOMode_str(mode));
}

static void colo_primary(QEMUFile *to, void *opaque)
{
    int64_t t0 = now_us();
    ColoPrimary p = { .to = to };
    QIOChannel *ioc = qemu_file_get_ioc(to);
    Error *err = NULL;
    ColoCheckpointReason why;
    int64_t deadline;
    uint32_t delay;

    failover_reset();
    stats_reset();
    colo.exit_sent = false;
    qio_channel_set_timeout(ioc, COLO_IO_TIMEOUT_MS);
    p.from = qemu_file_new_input(ioc);
    set_link(p.from, p.to);
    /*
     * The whole state is on the wire: the PVM runs again at once, its
     * writes from now on go to the first checkpoint.  It does not wait
     * for the secondary to finish loading the precopy stream.
     */
    WITH_BQL_LOCK() {
        colo_ram_dirty_log_start();
        p.rs = ram_save_new(DIRTY_CLIENT_COLO, NULL, 0);
        migration_outgoing_set_state(MIGRATION_STATUS_DEVICE,
                                     MIGRATION_STATUS_COLO);
        colo.mode = COLO_MODE_PRIMARY;
        vm_start();
        g_mutex_lock(&colo.lock);
        colo.stats.start_pause_us = now_us() - t0;
        g_mutex_unlock(&colo.lock);
    }
    trace_colo_loop_start("primary");
    if (primary_handshake(&p, &err)) {
        colo_set_checkpoint_request_handler(checkpoint_request, NULL);
        delay = migrate_checkpoint_delay();
        deadline = now_us() + (int64_t)delay * 1000;
        while (wait_trigger(&p, &deadline, &delay, &why, &err)) {
            if (!primary_checkpoint(&p, why, &err)) {
                break;
            }
            deadline = now_us() + (int64_t)delay * 1000;
        }
    } else {
        error_prepend(&err, "COLO: ");
    }
    colo_end(COLO_MODE_PRIMARY, err);
    set_link(NULL, NULL);
    WITH_BQL_LOCK() {
        ram_save_free(p.rs);
        colo_ram_dirty_log_stop();
        colo.mode = COLO_MODE_NONE;
    }
    qemu_fclose(p.from);
}

/* ---- secondary ---- */

typedef struct ColoSecondary {
    QEMUFile *from;
    QEMUFile *to;
    QIOChannel *ioc;
    uint32_t version;           /* negotiated protocol version */
} ColoSecondary;

/* BQL held, VM stopped: RAM flush then device load, all or nothing. */
static bool secondary_apply(QEMUFile *blob, Error **errp)
{
    uint64_t pages = colo_ram_flush();

    if (!qemu_loadvm_state_main(blob, errp)) {
        colo_ram_undo();
        error_prepend(errp, "COLO: loading the checkpoint's device state "
                      "failed: ");
        return false;
    }
    trace_colo_checkpoint_applied(pages);
    colo_participants_checkpoint();
    colo_debug_checkpoint_hook(colo.stats.checkpoints + 1);
    return true;
}

/* Takes the received, unapplied checkpoint (NULL if there is none). */
static QEMUFile *pending_take(void)
{
    QEMUFile *f;

    g_mutex_lock(&colo.lock);
    f = colo.pending;
    colo.pending = NULL;
    g_mutex_unlock(&colo.lock);
    return f;
}

/* Publishes @blob as pending unless a failover already began. */
static bool pending_put(QEMUFile *blob)
{
    bool ok;

    g_mutex_lock(&colo.lock);
    ok = failover_get_state() == FAILOVER_STATUS_NONE;
    if (ok) {
        colo.pending = blob;
    }
    g_mutex_unlock(&colo.lock);
    return ok;
}

/*
 * A parser failed on @f: if the stream itself broke (peer gone, timeout)
 * report that cause rather than the parser's view of it.  Returns false.
 */
static bool stream_failure(QEMUFile *f, Error **errp, const char *what)
{
    Error *cause = NULL;

    if (!colo_proto_check(f, what, &cause) && errp) {
        error_free(*errp);
        *errp = cause;
    } else if (cause) {
        error_free(cause);
    } else {
        error_prepend(errp, "%s: ", what);
    }
    return false;
}

/* Pages the primary streams between checkpoints: into the cache. */
static bool secondary_background(ColoSecondary *s, Error **errp)
{
    RamLoadState *ls = ram_load_new(colo_ram_checkpoint_ops(), NULL);
    uint64_t bytes0 = qemu_file_transferred(s->from);
    bool ok;

    qio_channel_set_timeout(s->ioc, COLO_IO_TIMEOUT_MS);
    ok = ram_load(ls, s->from, errp);
    ram_load_free(ls);
    if (!ok) {
        return stream_failure(s->from, errp, "COLO: bad background RAM");
    }
    colo_stats_add_background(qemu_file_transferred(s->from) - bytes0);
    return true;
}

static bool secondary_checkpoint(ColoSecondary *s, Error **errp)
{
    g_autoptr(QEMUFile) blob = NULL;
    RamLoadState *ls;
    int64_t t0;
    bool ok, sent;

    /*
     * idle: the primary decides when; from version 2 on it sends at
     * least a heartbeat every COLO_HEARTBEAT_MS, so silence means it is
     * gone (or the link is).
     */
    for (;;) {
        ColoMsg msg;

        qio_channel_set_timeout(s->ioc, s->version >= 2 ? COLO_IO_TIMEOUT_MS
                                                        : 0);
        if (!colo_proto_recv(s->from, &msg, errp)) {
            error_prepend(errp, "COLO: no message from the primary: ");
            return false;
        }
        if (msg == COLO_MSG_CHECKPOINT_REQUEST) {
            break;
        }
        if (msg == COLO_MSG_X_HEARTBEAT && s->version >= 2) {
            continue;
        }
        if (msg != COLO_MSG_X_RAM_BACKGROUND) {
            error_setg(errp, "Unexpected COLO message %s, expected %s",
                       colo_msg_name(msg),
                       colo_msg_name(COLO_MSG_CHECKPOINT_REQUEST));
            return false;
        }
        if (!secondary_background(s, errp)) {
            return false;
        }
    }
    t0 = now_us();
    trace_colo_checkpoint_begin(colo.stats.checkpoints + 1, "request");
    qio_channel_set_timeout(s->ioc, COLO_IO_TIMEOUT_MS);
    WITH_BQL_LOCK() {
        if (failover_get_state() != FAILOVER_STATUS_NONE) {
            return false;
        }
        trace_colo_vm_stopping(now_us() - t0);
        vm_stop(RUN_STATE_COLO);
    }
    trace_colo_vm_stopped(now_us() - t0);
    if (!colo_proto_send(s->to, COLO_MSG_CHECKPOINT_REPLY, errp) ||
        !colo_proto_expect(s->from, COLO_MSG_VMSTATE_SEND, errp)) {
        return false;
    }
    ls = ram_load_new(colo_ram_checkpoint_ops(), NULL);
    ok = ram_load(ls, s->from, errp);
    ram_load_free(ls);
    if (!ok) {
        return stream_failure(s->from, errp, "COLO: bad checkpoint RAM");
    }
    if (!colo_proto_expect(s->from, COLO_MSG_VMSTATE_SIZE, errp)) {
        return false;
    }
    blob = qemu_get_blob(s->from, COLO_DEVSTATE_MAX, errp);
    if (!blob) {
        return stream_failure(s->from, errp,
                              "COLO: bad checkpoint device state");
    }
    if (!pending_put(blob)) {
        return false;
    }
    blob = NULL;
    /* even if this fails, the checkpoint is applied (below or by failover) */
    sent = colo_proto_send(s->to, COLO_MSG_VMSTATE_RECEIVED, errp);
    WITH_BQL_LOCK() {
        g_autoptr(QEMUFile) mine = pending_take();

        if (!mine) {
            /* the failover applied it and runs the VM */
            return false;
        }
        if (!secondary_apply(mine, sent ? errp : NULL)) {
            return false;
        }
        if (failover_get_state() != FAILOVER_STATUS_NONE || !sent) {
            return false;
        }
        vm_start();
    }
    stats_record(COLO_CHECKPOINT_REASON_PERIODIC, now_us() - t0, 0);
    trace_colo_checkpoint_end(colo.stats.checkpoints, now_us() - t0);
    return colo_proto_send(s->to, COLO_MSG_VMSTATE_LOADED, errp);
}

static bool secondary_handshake(ColoSecondary *s, Error **errp)
{
    uint32_t v = colo_proto_hello_answer(s->from, s->to, COLO_PROTO_VERSION,
                                         errp);

    if (v) {
        trace_colo_handshake_done("secondary", v);
    }
    s->version = v;
    return v != 0;
}

static void colo_secondary(QEMUFile *from, QIOChannel *ioc, void *opaque)
{
    ColoSecondary s = { .from = from, .ioc = ioc };
    int64_t t0 = now_us();
    Error *err = NULL;
    uint64_t copy_us = 0;

    failover_reset();
    stats_reset();
    colo.exit_sent = false;
    qio_channel_set_timeout(ioc, COLO_IO_TIMEOUT_MS);
    s.to = qemu_file_new_output(ioc);
    set_link(s.from, s.to);
    if (!secondary_handshake(&s, &err)) {
        set_link(NULL, NULL);
        qemu_fclose(s.to);
        error_prepend(&err, "COLO: ");
        error_report_err(err);
        WITH_BQL_LOCK() {
            migration_incoming_set_state(MIGRATION_STATUS_ACTIVE,
                                         MIGRATION_STATUS_FAILED);
            qemu_system_exit_request(EXIT_FAILURE);
        }
        return;
    }
    WITH_BQL_LOCK() {
        copy_us = colo_ram_cache_prepare();
        colo_ram_dirty_log_start();
        migration_incoming_set_state(MIGRATION_STATUS_ACTIVE,
                                     MIGRATION_STATUS_COLO);
        colo.mode = COLO_MODE_SECONDARY;
        vm_start();
        g_mutex_lock(&colo.lock);
        colo.stats.start_pause_us = now_us() - t0;
        g_mutex_unlock(&colo.lock);
    }
    trace_colo_loop_start("secondary");
    trace_colo_ram_cache_full_copy(copy_us);
    if (colo_proto_send(s.to, COLO_MSG_CHECKPOINT_READY, &err)) {
        while (secondary_checkpoint(&s, &err)) {
            /* next checkpoint */
        }
    }
    colo_end(COLO_MODE_SECONDARY, err);
    set_link(NULL, NULL);
    WITH_BQL_LOCK() {
        colo_ram_dirty_log_stop();
        colo_ram_cache_release();
        colo.mode = COLO_MODE_NONE;
    }
    qemu_fclose(s.to);
}

/* ---- monitor ---- */

QMP_COMMAND_IMPLEMENTED(query_colo_status);

COLOStatus *qmp_query_colo_status(Error **errp)
{
    COLOStatus *s = g_new0(COLOStatus, 1);

    s->mode = current_mode();
    s->last_mode = colo.last_mode;
    switch (failover_get_state()) {
    case FAILOVER_STATUS_NONE:
        s->reason = COLO_EXIT_REASON_NONE;
        break;
    case FAILOVER_STATUS_COMPLETED:
        s->reason = COLO_EXIT_REASON_REQUEST;
        break;
    default:
        s->reason = s->mode != COLO_MODE_NONE ? COLO_EXIT_REASON_PROCESSING
                                              : COLO_EXIT_REASON_ERROR;
        break;
    }
    return s;
}

QMP_COMMAND_IMPLEMENTED(x_colo_lost_heartbeat);

/* BQL held: the whole failover, see the file comment. */
void qmp_x_colo_lost_heartbeat(Error **errp)
{
    COLOMode mode = current_mode();

    if (mode == COLO_MODE_NONE) {
        error_setg(errp, "The feature 'colo' is not enabled");
        return;
    }
    if (failover_set_state(FAILOVER_STATUS_NONE, FAILOVER_STATUS_REQUIRE) !=
        FAILOVER_STATUS_NONE) {
        error_setg(errp, "COLO failover is already activated");
        return;
    }
    trace_colo_failover_begin(COLOMode_str(mode));
    failover_set_state(FAILOVER_STATUS_REQUIRE, FAILOVER_STATUS_ACTIVE);
    shutdown_link();
    if (mode == COLO_MODE_SECONDARY) {
        g_autoptr(QEMUFile) pending = pending_take();
        Error *err = NULL;

        if (pending && !secondary_apply(pending, &err)) {
            error_report_err(err);
        }
        colo_participants_failover();
    }
    resume_if_paused();
    if (mode == COLO_MODE_PRIMARY) {
        migration_outgoing_set_state(MIGRATION_STATUS_COLO,
                                     MIGRATION_STATUS_COMPLETED);
    } else {
        migration_incoming_set_state(MIGRATION_STATUS_COLO,
                                     MIGRATION_STATUS_COMPLETED);
        if (!runstate_is_running()) {
            vm_start();
        }
        /* the network learns where the guest's MACs are now */
        qemu_announce_self_default();
    }
    colo.last_mode = mode;
    send_exit(mode, COLO_EXIT_REASON_REQUEST);
    g_mutex_lock(&colo.lock);
    failover_set_state(FAILOVER_STATUS_ACTIVE, FAILOVER_STATUS_COMPLETED);
    g_cond_broadcast(&colo.cond);
    g_mutex_unlock(&colo.lock);
}

static const MigrationColoHandlers colo_handlers = {
    .primary = colo_primary,
    .secondary = colo_secondary,
};

static void __attribute__((constructor)) colo_init(void)
{
    g_mutex_init(&colo.lock);
    g_cond_init(&colo.cond);
    migration_set_colo_handlers(&colo_handlers, NULL);
    colo_ram_init();
}
