/*
 * The main loop, the big lock (BQL), bottom halves and fd handlers.
 *
 * Every GMainContext used through this file gets:
 *   - one BHSource: a GSource holding the queue of scheduled bottom
 *     halves (ready when the queue is not empty; schedule from any thread
 *     wakes the context up);
 *   - one FDSource per watched fd (g_source_add_unix_fd).
 * Timers have their own per-context GSource in qemu-timer.c.
 *
 * main_loop_wait() iterates the default context by hand (prepare, query,
 * poll, check, dispatch) so that it can drop the BQL around the poll and
 * hold it while dispatching.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/bh-poll.h"
#include "qemu/timer.h"
#include "qemu/thread.h"

/* The big lock */

static GMutex bql;
static __thread bool bql_held;
static const char *bql_holder_file;
static int bql_holder_line;

void bql_lock_impl(const char *file, int line)
{
    g_assert(!bql_held);
    g_mutex_lock(&bql);
    bql_held = true;
    bql_holder_file = file;
    bql_holder_line = line;
}

void bql_unlock(void)
{
    g_assert(bql_held);
    bql_held = false;
    bql_holder_file = NULL;
    bql_holder_line = 0;
    g_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void bql_cond_wait(GCond *cond)
{
    g_assert(bql_held);
    bql_held = false;
    g_cond_wait(cond, &bql);
    bql_held = true;
}

bool bql_cond_wait_until(GCond *cond, gint64 end_time)
{
    bool ok;

    g_assert(bql_held);
    bql_held = false;
    ok = g_cond_wait_until(cond, &bql, end_time);
    bql_held = true;
    return ok;
}

/* A guard that took the lock points here; one that did not is NULL-free
 * too, so the for-loop of WITH_BQL_LOCK runs once either way. */
struct BQLGuard {
    bool took;
};
static BQLGuard bql_guard_took = { true };
static BQLGuard bql_guard_nop = { false };

BQLGuard *bql_guard_take(const char *file, int line)
{
    if (bql_held) {
        return &bql_guard_nop;
    }
    bql_lock_impl(file, line);
    return &bql_guard_took;
}

void bql_guard_release(BQLGuard *guard)
{
    if (guard && guard->took) {
        bql_unlock();
    }
}

void bql_guard_cleanup(BQLGuard **guard)
{
    bql_guard_release(*guard);
    *guard = NULL;
}

/* Context registry: per GMainContext BH source and fd table */

typedef struct BHSource BHSource;

typedef struct CtxState {
    GMainContext *ctx;
    BHSource *bh_source;
    GHashTable *fds;            /* int fd -> FDSource* */
} CtxState;

static GMutex registry_lock;
static GHashTable *registry;    /* GMainContext* -> CtxState* */
static GThread *main_thread;

struct BHSource {
    GSource source;
    GMutex lock;
    GQueue queue;               /* of QEMUBH, through QEMUBH.link */
    GMainContext *ctx;
    bool detached;
};

struct QEMUBH {
    BHSource *src;
    QEMUBHFunc *cb;
    void *opaque;
    GList link;
    int refcnt;                 /* under src->lock */
    bool scheduled;             /* under src->lock */
    bool deleted;
    bool oneshot;
};

static void bh_unref_locked(QEMUBH *bh, bool *free_it)
{
    *free_it = --bh->refcnt == 0;
}

static void bh_free(QEMUBH *bh)
{
    g_source_unref(&bh->src->source);
    g_free(bh);
}

static gboolean bh_source_ready(GSource *source)
{
    BHSource *s = (BHSource *)source;
    bool ready;

    g_mutex_lock(&s->lock);
    ready = s->queue.length > 0;
    g_mutex_unlock(&s->lock);
    return ready;
}

static gboolean bh_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return bh_source_ready(source);
}

static gboolean bh_source_check(GSource *source)
{
    return bh_source_ready(source);
}

static QEMUBH *bh_source_pop(BHSource *s)
{
    GList *link = g_queue_pop_head_link(&s->queue);
    QEMUBH *bh;

    if (!link) {
        return NULL;
    }
    bh = link->data;
    bh->scheduled = false;
    bh->refcnt++;
    return bh;
}

static gboolean bh_source_dispatch(GSource *source, GSourceFunc callback,
                                   gpointer user_data)
{
    BHSource *s = (BHSource *)source;
    guint n;

    /* Run only what is queued now: a BH that reschedules itself waits
     * for the next iteration instead of starving the loop. */
    g_mutex_lock(&s->lock);
    for (n = s->queue.length; n > 0; n--) {
        QEMUBH *bh = bh_source_pop(s);
        bool free_it;

        if (!bh) {
            break;
        }
        g_mutex_unlock(&s->lock);
        if (!bh->deleted) {
            bh->cb(bh->opaque);
        }
        g_mutex_lock(&s->lock);
        if (bh->oneshot) {
            bh->refcnt--;
        }
        bh_unref_locked(bh, &free_it);
        if (free_it) {
            g_mutex_unlock(&s->lock);
            bh_free(bh);
            g_mutex_lock(&s->lock);
        }
    }
    g_mutex_unlock(&s->lock);
    return G_SOURCE_CONTINUE;
}

static void bh_source_finalize(GSource *source)
{
    BHSource *s = (BHSource *)source;

    g_mutex_clear(&s->lock);
}

static GSourceFuncs bh_source_funcs = {
    .prepare = bh_source_prepare,
    .check = bh_source_check,
    .dispatch = bh_source_dispatch,
    .finalize = bh_source_finalize,
};

static GMainContext *ctx_or_default(GMainContext *ctx)
{
    return ctx ? ctx : g_main_context_default();
}

/* Called with registry_lock held. */
static CtxState *ctx_state_get(GMainContext *ctx)
{
    CtxState *cs;
    BHSource *s;

    if (!registry) {
        registry = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    cs = g_hash_table_lookup(registry, ctx);
    if (cs) {
        return cs;
    }
    cs = g_new0(CtxState, 1);
    cs->ctx = ctx;
    cs->fds = g_hash_table_new(g_direct_hash, g_direct_equal);
    s = (BHSource *)g_source_new(&bh_source_funcs, sizeof(BHSource));
    g_mutex_init(&s->lock);
    g_queue_init(&s->queue);
    s->ctx = ctx;
    g_source_set_name(&s->source, "qemu-bh");
    g_source_attach(&s->source, ctx);
    cs->bh_source = s;
    g_hash_table_insert(registry, ctx, cs);
    return cs;
}

static BHSource *bh_source_for(GMainContext *ctx)
{
    BHSource *s;

    g_mutex_lock(&registry_lock);
    s = ctx_state_get(ctx_or_default(ctx))->bh_source;
    g_source_ref(&s->source);
    g_mutex_unlock(&registry_lock);
    return s;
}

QEMUBH *aio_bh_new(GMainContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = g_new0(QEMUBH, 1);

    bh->src = bh_source_for(ctx);
    bh->cb = cb;
    bh->opaque = opaque;
    bh->link.data = bh;
    bh->refcnt = 1;
    return bh;
}

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque)
{
    return aio_bh_new(NULL, cb, opaque);
}

void qemu_bh_schedule(QEMUBH *bh)
{
    BHSource *s = bh->src;
    bool wake = false;

    g_mutex_lock(&s->lock);
    if (!bh->scheduled && !bh->deleted) {
        bh->scheduled = true;
        g_queue_push_tail_link(&s->queue, &bh->link);
        wake = !s->detached;
    }
    g_mutex_unlock(&s->lock);
    if (wake) {
        g_main_context_wakeup(s->ctx);
    }
}

void qemu_bh_cancel(QEMUBH *bh)
{
    BHSource *s = bh->src;

    g_mutex_lock(&s->lock);
    if (bh->scheduled) {
        g_queue_unlink(&s->queue, &bh->link);
        bh->scheduled = false;
    }
    g_mutex_unlock(&s->lock);
}

void qemu_bh_delete(QEMUBH *bh)
{
    BHSource *s;
    bool free_it;

    if (!bh) {
        return;
    }
    s = bh->src;
    g_mutex_lock(&s->lock);
    if (bh->scheduled) {
        g_queue_unlink(&s->queue, &bh->link);
        bh->scheduled = false;
    }
    bh->deleted = true;
    bh_unref_locked(bh, &free_it);
    g_mutex_unlock(&s->lock);
    if (free_it) {
        bh_free(bh);
    }
}

bool aio_bh_poll(GMainContext *ctx)
{
    CtxState *cs;
    BHSource *s = NULL;
    bool ran;

    g_mutex_lock(&registry_lock);
    cs = registry ? g_hash_table_lookup(registry, ctx_or_default(ctx)) : NULL;
    if (cs) {
        s = cs->bh_source;
        g_source_ref(&s->source);
    }
    g_mutex_unlock(&registry_lock);
    if (!s) {
        return false;
    }
    ran = bh_source_ready(&s->source);
    if (ran) {
        bh_source_dispatch(&s->source, NULL, NULL);
    }
    g_source_unref(&s->source);
    return ran;
}

void aio_bh_schedule_oneshot(GMainContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    QEMUBH *bh = aio_bh_new(ctx, cb, opaque);

    /* The queue's reference is dropped after the run (oneshot). */
    bh->oneshot = true;
    qemu_bh_schedule(bh);
}

/* fd handlers */

typedef struct FDSource {
    GSource source;
    gpointer tag;
    int fd;
    IOHandler *fd_read;
    IOHandler *fd_write;
    void *opaque;
} FDSource;

static gboolean fd_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return FALSE;
}

static gboolean fd_source_check(GSource *source)
{
    FDSource *f = (FDSource *)source;

    return g_source_query_unix_fd(source, f->tag) != 0;
}

static gboolean fd_source_dispatch(GSource *source, GSourceFunc callback,
                                   gpointer user_data)
{
    FDSource *f = (FDSource *)source;
    GIOCondition rev = g_source_query_unix_fd(source, f->tag);

    g_source_ref(source);
    if ((rev & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && f->fd_read) {
        f->fd_read(f->opaque);
    }
    if (!g_source_is_destroyed(source) && (rev & (G_IO_OUT | G_IO_ERR)) &&
        f->fd_write) {
        f->fd_write(f->opaque);
    }
    g_source_unref(source);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs fd_source_funcs = {
    .prepare = fd_source_prepare,
    .check = fd_source_check,
    .dispatch = fd_source_dispatch,
};

static GIOCondition fd_condition(IOHandler *fd_read, IOHandler *fd_write)
{
    return (fd_read ? G_IO_IN | G_IO_HUP | G_IO_ERR : 0) |
           (fd_write ? G_IO_OUT | G_IO_ERR : 0);
}

void aio_set_fd_handler(GMainContext *ctx, int fd, IOHandler *fd_read,
                        IOHandler *fd_write, void *opaque)
{
    CtxState *cs;
    FDSource *f;

    g_mutex_lock(&registry_lock);
    cs = ctx_state_get(ctx_or_default(ctx));
    f = g_hash_table_lookup(cs->fds, GINT_TO_POINTER(fd));
    if (!fd_read && !fd_write) {
        if (f) {
            g_hash_table_remove(cs->fds, GINT_TO_POINTER(fd));
            g_source_destroy(&f->source);
            g_source_unref(&f->source);
        }
        g_mutex_unlock(&registry_lock);
        return;
    }
    if (!f) {
        f = (FDSource *)g_source_new(&fd_source_funcs, sizeof(FDSource));
        f->fd = fd;
        f->tag = g_source_add_unix_fd(&f->source, fd, 0);
        g_source_set_name(&f->source, "qemu-fd");
        g_source_attach(&f->source, cs->ctx);
        g_hash_table_insert(cs->fds, GINT_TO_POINTER(fd), f);
    }
    f->fd_read = fd_read;
    f->fd_write = fd_write;
    f->opaque = opaque;
    g_source_modify_unix_fd(&f->source, f->tag,
                            fd_condition(fd_read, fd_write));
    g_mutex_unlock(&registry_lock);
}

void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    aio_set_fd_handler(NULL, fd, fd_read, fd_write, opaque);
}

void aio_context_detach(GMainContext *ctx)
{
    CtxState *cs;
    GHashTableIter iter;
    gpointer value;

    g_assert(ctx && ctx != g_main_context_default());
    timerlist_detach_context(ctx);
    g_mutex_lock(&registry_lock);
    cs = registry ? g_hash_table_lookup(registry, ctx) : NULL;
    if (cs) {
        g_hash_table_remove(registry, ctx);
    }
    g_mutex_unlock(&registry_lock);
    if (!cs) {
        return;
    }
    g_hash_table_iter_init(&iter, cs->fds);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        FDSource *f = value;

        g_source_destroy(&f->source);
        g_source_unref(&f->source);
    }
    g_hash_table_destroy(cs->fds);
    g_mutex_lock(&cs->bh_source->lock);
    cs->bh_source->detached = true;
    g_mutex_unlock(&cs->bh_source->lock);
    g_source_destroy(&cs->bh_source->source);
    g_source_unref(&cs->bh_source->source);
    g_free(cs);
}

/* The main loop */

GMainContext *qemu_get_aio_context(void)
{
    return g_main_context_default();
}

bool qemu_init_main_loop(Error **errp)
{
    /* A peer closing a pipe or socket must not kill the process: writes
     * fail with EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);
    if (!main_thread) {
        main_thread = g_thread_self();
    }
    /* Create the default context's BH source now, from this thread. */
    g_source_unref(&bh_source_for(NULL)->source);
    return true;
}

bool qemu_in_main_thread(void)
{
    return main_thread && g_thread_self() == main_thread;
}

void qemu_notify_event(void)
{
    g_main_context_wakeup(g_main_context_default());
}

static GPollFD *poll_fds;
static int poll_fds_alloc;

bool main_loop_wait(bool nonblocking)
{
    GMainContext *ctx = g_main_context_default();
    bool held = bql_held;
    gint max_priority, timeout, n;
    bool dispatched = false;

    if (!g_main_context_acquire(ctx)) {
        return false;
    }
    if (!main_thread) {
        main_thread = g_thread_self();
    }
    g_main_context_prepare(ctx, &max_priority);
    while ((n = g_main_context_query(ctx, max_priority, &timeout, poll_fds,
                                     poll_fds_alloc)) > poll_fds_alloc) {
        poll_fds_alloc = n;
        poll_fds = g_renew(GPollFD, poll_fds, poll_fds_alloc);
    }
    if (nonblocking) {
        timeout = 0;
    }
    if (held) {
        bql_unlock();
    }
    g_poll(poll_fds, n, timeout);
    bql_lock();
    if (g_main_context_check(ctx, max_priority, poll_fds, n)) {
        g_main_context_dispatch(ctx);
        dispatched = true;
    }
    if (!held) {
        bql_unlock();
    }
    g_main_context_release(ctx);
    return dispatched;
}

typedef struct SyncRun {
    QEMUBHFunc *fn;
    void *opaque;
    QemuEvent done;
} SyncRun;

static void sync_run_bh(void *opaque)
{
    SyncRun *sr = opaque;

    sr->fn(sr->opaque);
    qemu_event_set(&sr->done);
}

void run_on_main_loop_sync(QEMUBHFunc *fn, void *opaque)
{
    SyncRun sr = { .fn = fn, .opaque = opaque };

    if (bql_held || qemu_in_main_thread()) {
        WITH_BQL_LOCK() {
            fn(opaque);
        }
        return;
    }
    qemu_event_init(&sr.done, false);
    aio_bh_schedule_oneshot(NULL, sync_run_bh, &sr);
    qemu_event_wait(&sr.done);
    qemu_event_destroy(&sr.done);
}
