/*
 * Clocks and timers.
 *
 * Each GMainContext with timers owns one TimerGroup, a GSource holding one
 * sorted singly-linked list of pending timers per clock and a timerfd:
 *
 *   prepare: earliest deadline over the clocks, converted to host
 *            CLOCK_MONOTONIC ns; already due -> ready, else arm the
 *            timerfd (absolute) and let poll wait on it with no timeout
 *   check:   drain the timerfd; ready if some deadline has passed
 *   dispatch: pop and run every expired timer, clock by clock
 *
 * The lists are protected by the group's mutex; timer_mod() from another
 * thread wakes the context when the head of a list changes, and the next
 * prepare re-arms the timerfd.  A virtual clock deadline has no monotonic
 * equivalent while the clock is stopped; qemu_clock_virtual_start() wakes
 * every group so that due timers run at once.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include <sys/timerfd.h>

/* Clocks */

/*
 * Virtual clock state: written under vclock_lock, read locklessly through
 * a sequence counter (odd while a writer is updating), because the vCPU
 * reads guest time very often.
 */
static GMutex vclock_lock;
static unsigned vclock_seq;
static bool vclock_running;
static int64_t vclock_offset;     /* virtual = monotonic + offset */
static int64_t vclock_frozen;     /* value while stopped */

static void vclock_write_begin(void)
{
    g_mutex_lock(&vclock_lock);
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELAXED);
    /* Full fence: readers must see the odd count before this writer
     * reads the host clock (a store may otherwise linger in the store
     * buffer while a reader samples a later host time). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void vclock_write_end(void)
{
    __atomic_store_n(&vclock_seq, vclock_seq + 1, __ATOMIC_RELEASE);
    g_mutex_unlock(&vclock_lock);
}

int64_t get_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t get_clock_realtime(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

/*
 * Returns the virtual clock now.  The host clock is read inside the
 * sequence window (and writers read it inside their critical section),
 * so guest time never goes backwards across stop/start.
 */
static int64_t vclock_read(bool *running)
{
    unsigned seq;
    bool run;
    int64_t off, frozen, mono;

    do {
        seq = __atomic_load_n(&vclock_seq, __ATOMIC_ACQUIRE);
        run = __atomic_load_n(&vclock_running, __ATOMIC_RELAXED);
        off = __atomic_load_n(&vclock_offset, __ATOMIC_RELAXED);
        frozen = __atomic_load_n(&vclock_frozen, __ATOMIC_RELAXED);
        mono = run ? get_clock() : 0;
        /* The host clock sample must precede the re-check of seq. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    } while ((seq & 1) ||
             seq != __atomic_load_n(&vclock_seq, __ATOMIC_RELAXED));
    if (running) {
        *running = run;
    }
    return run ? mono + off : frozen;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return get_clock();
    case QEMU_CLOCK_VIRTUAL:
        return vclock_read(NULL);
    case QEMU_CLOCK_HOST:
        return get_clock_realtime();
    default:
        g_assert_not_reached();
    }
}

int64_t qemu_clock_virtual_get_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

bool qemu_clock_virtual_running(void)
{
    bool running;

    vclock_read(&running);
    return running;
}

static void timer_groups_wake(void);

void qemu_clock_virtual_stop(void)
{
    int64_t now;

    vclock_write_begin();
    now = get_clock();
    if (vclock_running) {
        __atomic_store_n(&vclock_frozen, now + vclock_offset,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&vclock_running, false, __ATOMIC_RELAXED);
    }
    vclock_write_end();
}

void qemu_clock_virtual_start(void)
{
    int64_t now;

    vclock_write_begin();
    now = get_clock();
    if (!vclock_running) {
        __atomic_store_n(&vclock_offset, vclock_frozen - now,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&vclock_running, true, __ATOMIC_RELAXED);
    }
    vclock_write_end();
    timer_groups_wake();
}

void qemu_clock_virtual_set_ns(int64_t ns)
{
    int64_t now;

    vclock_write_begin();
    now = get_clock();
    __atomic_store_n(&vclock_frozen, ns, __ATOMIC_RELAXED);
    __atomic_store_n(&vclock_offset, ns - now, __ATOMIC_RELAXED);
    vclock_write_end();
    timer_groups_wake();
}

int64_t qemu_clock_virtual_get_offset(void)
{
    bool running;
    int64_t v = vclock_read(&running);

    return v - get_clock();
}

void qemu_clock_virtual_set_offset(int64_t offset)
{
    int64_t now;

    vclock_write_begin();
    now = get_clock();
    __atomic_store_n(&vclock_offset, offset, __ATOMIC_RELAXED);
    __atomic_store_n(&vclock_frozen, now + offset, __ATOMIC_RELAXED);
    vclock_write_end();
    timer_groups_wake();
}

/* Timer groups */

typedef struct TimerGroup {
    GSource source;
    GMutex lock;
    GMainContext *ctx;
    QEMUTimer *head[QEMU_CLOCK_MAX];
    int tfd;
    gpointer tfd_tag;
    int64_t armed;              /* monotonic deadline armed, or INT64_MAX */
    bool detached;
} TimerGroup;

struct QEMUTimer {
    TimerGroup *group;
    QEMUTimerCB *cb;
    void *opaque;
    QEMUTimer *next;
    int64_t expire_time;        /* ns, valid while pending */
    QEMUClockType type;
    int scale;
    bool pending;
};

static GMutex groups_lock;
static GHashTable *groups;      /* GMainContext* -> TimerGroup* */

/*
 * Monotonic deadline of the head of each list; INT64_MAX if none.
 * Called with g->lock held.
 */
static int64_t group_deadline(TimerGroup *g, int64_t mono)
{
    int64_t best = INT64_MAX;
    int64_t d;
    bool running;
    int64_t v;

    if (g->head[QEMU_CLOCK_REALTIME]) {
        best = MIN(best, g->head[QEMU_CLOCK_REALTIME]->expire_time);
    }
    if (g->head[QEMU_CLOCK_VIRTUAL]) {
        v = vclock_read(&running);
        if (running) {
            d = g->head[QEMU_CLOCK_VIRTUAL]->expire_time - v;
            best = MIN(best, d <= 0 ? mono : mono + d);
        }
    }
    if (g->head[QEMU_CLOCK_HOST]) {
        d = g->head[QEMU_CLOCK_HOST]->expire_time - get_clock_realtime();
        best = MIN(best, d <= 0 ? mono : mono + d);
    }
    return best;
}

static void group_arm(TimerGroup *g, int64_t deadline)
{
    struct itimerspec its = { { 0, 0 }, { 0, 0 } };

    if (deadline == g->armed) {
        return;
    }
    if (deadline != INT64_MAX) {
        its.it_value.tv_sec = deadline / NANOSECONDS_PER_SECOND;
        its.it_value.tv_nsec = deadline % NANOSECONDS_PER_SECOND;
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) {
            its.it_value.tv_nsec = 1;
        }
    }
    timerfd_settime(g->tfd, TFD_TIMER_ABSTIME, &its, NULL);
    g->armed = deadline;
}

static gboolean group_prepare(GSource *source, gint *timeout)
{
    TimerGroup *g = (TimerGroup *)source;
    int64_t mono = get_clock();
    int64_t deadline;

    g_mutex_lock(&g->lock);
    deadline = group_deadline(g, mono);
    *timeout = -1;
    if (deadline <= mono) {
        *timeout = 0;
    } else {
        group_arm(g, deadline);
    }
    g_mutex_unlock(&g->lock);
    return deadline <= mono;
}

static gboolean group_check(GSource *source)
{
    TimerGroup *g = (TimerGroup *)source;
    uint64_t expirations;
    int64_t mono;
    bool ready;

    g_mutex_lock(&g->lock);
    if (g_source_query_unix_fd(source, g->tfd_tag) & G_IO_IN) {
        if (read(g->tfd, &expirations, sizeof(expirations)) > 0) {
            g->armed = INT64_MAX;
        }
    }
    mono = get_clock();
    ready = group_deadline(g, mono) <= mono;
    g_mutex_unlock(&g->lock);
    return ready;
}

/* Pops the head of @type's list if it is due.  g->lock held. */
static QEMUTimer *group_pop_expired(TimerGroup *g, QEMUClockType type)
{
    QEMUTimer *t = g->head[type];
    bool running = true;
    int64_t now;

    if (!t) {
        return NULL;
    }
    if (type == QEMU_CLOCK_VIRTUAL) {
        now = vclock_read(&running);
    } else {
        now = qemu_clock_get_ns(type);
    }
    if (!running || t->expire_time > now) {
        return NULL;
    }
    g->head[type] = t->next;
    t->next = NULL;
    t->pending = false;
    return t;
}

static gboolean group_dispatch(GSource *source, GSourceFunc callback,
                               gpointer user_data)
{
    TimerGroup *g = (TimerGroup *)source;
    int type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        for (;;) {
            QEMUTimer *t;

            g_mutex_lock(&g->lock);
            t = group_pop_expired(g, type);
            g_mutex_unlock(&g->lock);
            if (!t) {
                break;
            }
            t->cb(t->opaque);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void group_finalize(GSource *source)
{
    TimerGroup *g = (TimerGroup *)source;

    close(g->tfd);
    g_mutex_clear(&g->lock);
}

static GSourceFuncs group_funcs = {
    .prepare = group_prepare,
    .check = group_check,
    .dispatch = group_dispatch,
    .finalize = group_finalize,
};

/* Returns a new reference to @ctx's group, creating it. */
static TimerGroup *group_get(GMainContext *ctx)
{
    TimerGroup *g;

    g_mutex_lock(&groups_lock);
    if (!groups) {
        groups = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    g = g_hash_table_lookup(groups, ctx);
    if (!g) {
        g = (TimerGroup *)g_source_new(&group_funcs, sizeof(TimerGroup));
        g_mutex_init(&g->lock);
        g->ctx = ctx;
        g->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        g_assert(g->tfd >= 0);
        g->armed = INT64_MAX;
        g->tfd_tag = g_source_add_unix_fd(&g->source, g->tfd, G_IO_IN);
        g_source_set_name(&g->source, "qemu-timers");
        g_source_attach(&g->source, ctx);
        g_hash_table_insert(groups, ctx, g);
    }
    g_source_ref(&g->source);
    g_mutex_unlock(&groups_lock);
    return g;
}

static void timer_groups_wake(void)
{
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&groups_lock);
    if (groups) {
        g_hash_table_iter_init(&iter, groups);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
            g_main_context_wakeup(((TimerGroup *)value)->ctx);
        }
    }
    g_mutex_unlock(&groups_lock);
}

void timerlist_detach_context(GMainContext *ctx)
{
    TimerGroup *g = NULL;

    g_mutex_lock(&groups_lock);
    if (groups) {
        g = g_hash_table_lookup(groups, ctx);
        g_hash_table_remove(groups, ctx);
    }
    g_mutex_unlock(&groups_lock);
    if (!g) {
        return;
    }
    g_mutex_lock(&g->lock);
    g->detached = true;
    g_mutex_unlock(&g->lock);
    g_source_destroy(&g->source);
    g_source_unref(&g->source);
}

/* Timers */

QEMUTimer *timer_new_ctx(GMainContext *ctx, QEMUClockType type, int scale,
                         QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *t = g_new0(QEMUTimer, 1);

    g_assert(type < QEMU_CLOCK_MAX);
    t->group = group_get(ctx ? ctx : g_main_context_default());
    t->type = type;
    t->scale = scale;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

/* Unlinks @t from its list.  Returns true if it was the head. */
static bool timer_unlink_locked(QEMUTimer *t)
{
    QEMUTimer **pt = &t->group->head[t->type];
    bool was_head = *pt == t;

    if (!t->pending) {
        return false;
    }
    while (*pt && *pt != t) {
        pt = &(*pt)->next;
    }
    if (*pt) {
        *pt = t->next;
    }
    t->next = NULL;
    t->pending = false;
    return was_head;
}

/* Inserts @t sorted (FIFO among equal deadlines).  True if new head. */
static bool timer_insert_locked(QEMUTimer *t, int64_t expire_time)
{
    QEMUTimer **pt = &t->group->head[t->type];

    while (*pt && (*pt)->expire_time <= expire_time) {
        pt = &(*pt)->next;
    }
    t->expire_time = expire_time;
    t->next = *pt;
    *pt = t;
    t->pending = true;
    return pt == &t->group->head[t->type];
}

static void timer_wake(TimerGroup *g)
{
    bool detached;

    g_mutex_lock(&g->lock);
    detached = g->detached;
    g_mutex_unlock(&g->lock);
    if (!detached) {
        g_main_context_wakeup(g->ctx);
    }
}

static void timer_mod_internal(QEMUTimer *t, int64_t expire_time,
                               bool anticipate)
{
    TimerGroup *g = t->group;
    bool wake = false;

    expire_time = MAX(expire_time, 0);
    g_mutex_lock(&g->lock);
    if (!anticipate || !t->pending || expire_time < t->expire_time) {
        QEMUTimer *head = g->head[t->type];
        int64_t armed = head ? head->expire_time : INT64_MAX;

        timer_unlink_locked(t);
        /*
         * Only an earlier head needs the context woken: for a later one
         * (a vCPU moving its own deadline on, every TSC-deadline write)
         * the context wakes at the old deadline anyway, finds nothing due
         * and re-arms, instead of being woken now.
         */
        wake = timer_insert_locked(t, expire_time) && expire_time < armed;
    }
    g_mutex_unlock(&g->lock);
    if (wake) {
        timer_wake(g);
    }
}

void timer_mod_ns(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_internal(ts, expire_time, false);
}

static int64_t timer_scaled_to_ns(QEMUTimer *ts, int64_t expire_time)
{
    if (expire_time > INT64_MAX / ts->scale) {
        return INT64_MAX;
    }
    return expire_time * ts->scale;
}

void timer_mod(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_internal(ts, timer_scaled_to_ns(ts, expire_time), false);
}

void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_internal(ts, expire_time, true);
}

void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_internal(ts, timer_scaled_to_ns(ts, expire_time), true);
}

void timer_del(QEMUTimer *ts)
{
    g_mutex_lock(&ts->group->lock);
    timer_unlink_locked(ts);
    g_mutex_unlock(&ts->group->lock);
}

bool timer_pending(QEMUTimer *ts)
{
    bool pending;

    g_mutex_lock(&ts->group->lock);
    pending = ts->pending;
    g_mutex_unlock(&ts->group->lock);
    return pending;
}

bool timer_expired(QEMUTimer *ts, int64_t current_time)
{
    int64_t exp = timer_expire_time_ns(ts);

    return exp >= 0 && exp <= timer_scaled_to_ns(ts, current_time);
}

int64_t timer_expire_time_ns(QEMUTimer *ts)
{
    int64_t exp;

    g_mutex_lock(&ts->group->lock);
    exp = ts->pending ? ts->expire_time : -1;
    g_mutex_unlock(&ts->group->lock);
    return exp;
}

void timer_free(QEMUTimer *ts)
{
    if (!ts) {
        return;
    }
    timer_del(ts);
    g_source_unref(&ts->group->source);
    g_free(ts);
}
