/*
 * COLO participant registry: a list of ColoParticipantOps and the
 * checkpoint request hook; see include/migration/colo.h.
 *
 * Locking: reg_lock (a recursive mutex) is held while the list changes
 * and while a dispatch runs, so unregister() from another thread waits
 * for a running dispatch.  Dispatch walks a snapshot of the list, so a
 * callback may register or unregister (same thread, recursive lock).
 */
#include "qemu/osdep.h"
#include "migration/colo.h"

struct ColoParticipant {
    const ColoParticipantOps *ops;
    void *opaque;
    bool removed;
    unsigned refs;      /* the list's and running dispatches'; reg_lock */
};

static GRecMutex reg_lock;
static GPtrArray *participants;     /* ColoParticipant * */
static GMutex handler_lock;
static ColoCheckpointRequestFn *request_fn;
static void *request_opaque;

static const char *const reason_names[COLO_CHECKPOINT_REASON__MAX] = {
    [COLO_CHECKPOINT_REASON_MISCOMPARE] = "miscompare",
    [COLO_CHECKPOINT_REASON_TIMEOUT] = "timeout",
    [COLO_CHECKPOINT_REASON_QUEUE_FULL] = "queue-full",
    [COLO_CHECKPOINT_REASON_PERIODIC] = "periodic",
    [COLO_CHECKPOINT_REASON_EXTERNAL] = "external",
};

const char *colo_checkpoint_reason_str(ColoCheckpointReason reason)
{
    if ((unsigned)reason >= COLO_CHECKPOINT_REASON__MAX) {
        return "invalid";
    }
    return reason_names[reason];
}

/* Caller holds reg_lock. */
static void participant_unref(gpointer data)
{
    ColoParticipant *p = data;

    if (--p->refs == 0) {
        g_free(p);
    }
}

ColoParticipant *colo_participant_register(const ColoParticipantOps *ops,
                                           void *opaque)
{
    ColoParticipant *p = g_new0(ColoParticipant, 1);

    p->ops = ops;
    p->opaque = opaque;
    p->refs = 1;
    g_rec_mutex_lock(&reg_lock);
    if (!participants) {
        participants = g_ptr_array_new();
    }
    g_ptr_array_add(participants, p);
    g_rec_mutex_unlock(&reg_lock);
    return p;
}

void colo_participant_unregister(ColoParticipant *p)
{
    if (!p) {
        return;
    }
    g_rec_mutex_lock(&reg_lock);
    if (!p->removed) {
        p->removed = true;
        g_ptr_array_remove(participants, p);
        participant_unref(p);
    }
    g_rec_mutex_unlock(&reg_lock);
}

unsigned colo_participants_count(void)
{
    unsigned n;

    g_rec_mutex_lock(&reg_lock);
    n = participants ? participants->len : 0;
    g_rec_mutex_unlock(&reg_lock);
    return n;
}

/*
 * Snapshot of the list, holding a reference on each entry so that a
 * callback unregistering a participant cannot free it under us; caller
 * holds reg_lock and frees the array (dropping the references) with it.
 */
static GPtrArray *snapshot_take(void)
{
    GPtrArray *snap = g_ptr_array_new_with_free_func(participant_unref);
    guint i;

    for (i = 0; participants && i < participants->len; i++) {
        ColoParticipant *p = g_ptr_array_index(participants, i);

        p->refs++;
        g_ptr_array_add(snap, p);
    }
    return snap;
}

typedef enum DispatchKind {
    DISPATCH_CHECKPOINT,
    DISPATCH_FAILOVER,
} DispatchKind;

static void dispatch(DispatchKind kind)
{
    GPtrArray *snap;
    guint i;

    g_rec_mutex_lock(&reg_lock);
    snap = snapshot_take();
    for (i = 0; i < snap->len; i++) {
        ColoParticipant *p = g_ptr_array_index(snap, i);
        void (*fn)(void *) = kind == DISPATCH_CHECKPOINT ? p->ops->checkpoint
                                                         : p->ops->failover;

        if (!p->removed && fn) {
            fn(p->opaque);
        }
    }
    g_ptr_array_free(snap, true);
    g_rec_mutex_unlock(&reg_lock);
}

void colo_participants_checkpoint(void)
{
    dispatch(DISPATCH_CHECKPOINT);
}

void colo_participants_failover(void)
{
    dispatch(DISPATCH_FAILOVER);
}

bool colo_participants_get_error(Error **errp)
{
    GPtrArray *snap;
    bool ok = true;
    guint i;

    g_rec_mutex_lock(&reg_lock);
    snap = snapshot_take();
    for (i = 0; ok && i < snap->len; i++) {
        ColoParticipant *p = g_ptr_array_index(snap, i);

        if (p->removed || !p->ops->get_error) {
            continue;
        }
        ok = p->ops->get_error(p->opaque, errp);
        if (!ok) {
            error_prepend(errp, "%s: ", p->ops->name ? p->ops->name : "?");
        }
    }
    g_ptr_array_free(snap, true);
    g_rec_mutex_unlock(&reg_lock);
    return ok;
}

void colo_set_checkpoint_request_handler(ColoCheckpointRequestFn *fn,
                                         void *opaque)
{
    g_mutex_lock(&handler_lock);
    request_fn = fn;
    request_opaque = opaque;
    g_mutex_unlock(&handler_lock);
}

bool colo_notify_checkpoint_request(ColoCheckpointReason reason)
{
    ColoCheckpointRequestFn *fn;
    void *opaque;

    g_mutex_lock(&handler_lock);
    fn = request_fn;
    opaque = request_opaque;
    g_mutex_unlock(&handler_lock);
    if (!fn) {
        return false;
    }
    fn(opaque, reason);
    return true;
}
