/*
 * Main loop, BQL, bottom halves, fd handlers, clocks and timers.
 *
 * The test thread is the main loop thread and holds the BQL, like the
 * real main thread.
 */
#include "qemu/osdep.h"
#include <sys/timerfd.h>
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/thread.h"

static void set_flag(void *opaque)
{
    *(volatile bool *)opaque = true;
}

/* Runs the main loop until *flag is set or @ms elapse; returns *flag. */
static bool run_until(volatile bool *flag, int ms)
{
    volatile bool timeout = false;
    QEMUTimer *guard = timer_new_ms(QEMU_CLOCK_REALTIME, set_flag,
                                    (void *)&timeout);

    timer_mod(guard, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + ms);
    while (!*flag && !timeout) {
        main_loop_wait(false);
    }
    timer_free(guard);
    return *flag;
}

/* Runs the main loop for @ms. */
static void run_for(int ms)
{
    volatile bool never = false;

    run_until(&never, ms);
}

typedef struct Fired {
    int64_t when;               /* clock value at the callback */
    QEMUClockType type;
    int count;
    bool bql;
    int order;
} Fired;

static int fire_seq;

static void record_fire(void *opaque)
{
    Fired *f = opaque;

    f->when = qemu_clock_get_ns(f->type);
    f->count++;
    f->bql = bql_locked();
    f->order = fire_seq++;
}

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/*
 * How far from @deadline (ns, the monotonic clock) the main loop armed
 * its wake-up: the timerfd whose expiry is closest to it.  The smallest
 * of a few readings, so that a preemption between reading the timer and
 * the clock does not count.
 */
static int64_t armed_error(int64_t deadline)
{
    int64_t best = INT64_MAX;

    for (int attempt = 0; attempt < 5; attempt++) {
        g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
        const char *name;

        g_assert_nonnull(dir);
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *path = g_strdup_printf("/proc/self/fd/%s", name);
            g_autofree char *link = g_file_read_link(path, NULL);
            struct itimerspec cur;
            int64_t armed, now;

            if (!link || !strstr(link, "timerfd") ||
                timerfd_gettime(atoi(name), &cur) < 0 ||
                (cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0)) {
                continue;
            }
            now = get_clock();
            armed = now + cur.it_value.tv_sec * NANOSECONDS_PER_SECOND +
                    cur.it_value.tv_nsec;
            best = MIN(best, armed > deadline ? armed - deadline
                                              : deadline - armed);
        }
    }
    return best;
}

static void test_timer_realtime_precision(void)
{
    int64_t late[21];
    int i;

    for (i = 0; i < 21; i++) {
        Fired f = { .type = QEMU_CLOCK_REALTIME };
        QEMUTimer *t = timer_new_ns(QEMU_CLOCK_REALTIME, record_fire, &f);
        int64_t deadline = get_clock() + 20 * SCALE_MS + i * 37 * SCALE_US;
        int64_t err;

        timer_mod_ns(t, deadline);
        g_assert_true(timer_pending(t));
        g_assert_cmpint(timer_expire_time_ns(t), ==, deadline);
        /*
         * The wake-up is armed for the deadline itself, to the
         * microsecond, not rounded to GLib's milliseconds (which would
         * be up to 1 ms off for most of these deadlines).  Checked on
         * the armed timer, not on when the callback ran, which a loaded
         * host delays by milliseconds.
         */
        main_loop_wait(true);
        err = armed_error(deadline);
        g_assert_cmpint(err, <, 20 * SCALE_US);
        while (!f.count) {
            main_loop_wait(false);
        }
        g_assert_false(timer_pending(t));
        g_assert_cmpint(f.count, ==, 1);
        g_assert_true(f.bql);
        /* Never early; never absurdly late even on a loaded machine. */
        g_assert_cmpint(f.when, >=, deadline);
        g_assert_cmpint(f.when - deadline, <, 500 * SCALE_MS);
        late[i] = f.when - deadline;
        timer_free(t);
    }
    qsort(late, 21, sizeof(late[0]), cmp_int64);
    g_test_message("median lateness %" PRId64 " ns (the host's scheduling)",
                   late[10]);
}

static void test_timer_ordering(void)
{
    Fired f[4] = { { .type = QEMU_CLOCK_REALTIME },
                   { .type = QEMU_CLOCK_REALTIME },
                   { .type = QEMU_CLOCK_REALTIME },
                   { .type = QEMU_CLOCK_REALTIME } };
    int delays_ms[4] = { 30, 10, 20, 15 };
    /* t[3] is moved from 15 to 40 ms below. */
    int expected_order[4] = { 2, 0, 1, 3 };
    QEMUTimer *t[4];
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    int i;

    fire_seq = 0;
    for (i = 0; i < 4; i++) {
        t[i] = timer_new_ms(QEMU_CLOCK_REALTIME, record_fire, &f[i]);
        timer_mod(t[i], now + delays_ms[i]);
    }
    /* Re-arming replaces the deadline. */
    timer_mod(t[3], now + 40);
    run_for(60);
    for (i = 0; i < 4; i++) {
        g_assert_cmpint(f[i].count, ==, 1);
        g_assert_cmpint(f[i].order, ==, expected_order[i]);
        timer_free(t[i]);
    }
}

static void test_timer_del_and_anticipate(void)
{
    Fired f = { .type = QEMU_CLOCK_REALTIME };
    QEMUTimer *t = timer_new_ms(QEMU_CLOCK_REALTIME, record_fire, &f);
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);

    timer_mod(t, now + 10);
    timer_del(t);
    g_assert_false(timer_pending(t));
    g_assert_cmpint(timer_expire_time_ns(t), ==, -1);
    run_for(20);
    g_assert_cmpint(f.count, ==, 0);

    timer_mod(t, now + 1000);
    timer_mod_anticipate(t, now + 2000);    /* later: ignored */
    g_assert_cmpint(timer_expire_time_ns(t), ==, (now + 1000) * SCALE_MS);
    timer_mod_anticipate(t, now + 5);        /* earlier: taken */
    g_assert_cmpint(timer_expire_time_ns(t), ==, (now + 5) * SCALE_MS);
    run_for(30);
    g_assert_cmpint(f.count, ==, 1);
    timer_free(t);
}

static void rearm_self(void *opaque)
{
    QEMUTimer **pt = opaque;
    static int n;

    if (++n < 5) {
        timer_mod_ns(*pt, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + SCALE_MS);
    }
}

static void test_timer_periodic_rearm(void)
{
    QEMUTimer *t = NULL;
    int i;

    t = timer_new_ns(QEMU_CLOCK_REALTIME, rearm_self, &t);
    timer_mod_ns(t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME));
    for (i = 0; i < 200 && timer_pending(t); i++) {
        main_loop_wait(false);
    }
    g_assert_false(timer_pending(t));
    timer_free(t);
}

static void test_timer_host_clock(void)
{
    Fired f = { .type = QEMU_CLOCK_HOST };
    QEMUTimer *t = timer_new_us(QEMU_CLOCK_HOST, record_fire, &f);
    int64_t deadline = qemu_clock_get_us(QEMU_CLOCK_HOST) + 3000;

    timer_mod(t, deadline);
    while (!f.count) {
        main_loop_wait(false);
    }
    g_assert_cmpint(f.when / SCALE_US, >=, deadline);
    timer_free(t);
}

static void test_virtual_clock_stop_start(void)
{
    Fired f = { .type = QEMU_CLOCK_VIRTUAL };
    QEMUTimer *t = timer_new_ns(QEMU_CLOCK_VIRTUAL, record_fire, &f);
    int64_t v0, v1, rt0;

    qemu_clock_virtual_stop();
    g_assert_false(qemu_clock_virtual_running());
    v0 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_usleep(5000);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, v0);

    /* Due already, but the VM is stopped: must not fire. */
    timer_mod_ns(t, v0);
    run_for(20);
    g_assert_cmpint(f.count, ==, 0);
    g_assert_true(timer_pending(t));

    /* Resume: fires promptly. */
    rt0 = get_clock();
    qemu_clock_virtual_start();
    while (!f.count) {
        main_loop_wait(false);
    }
    /* bounds: the host's scheduling may delay us, never by seconds */
    g_assert_cmpint(get_clock() - rt0, <, 500 * SCALE_MS);
    g_assert_cmpint(f.when, >=, v0);

    /*
     * Runs at host rate while running; the 25+ ms paused do not count:
     * it advanced no more than the host clock since the start.
     */
    v1 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(v1 - v0, <=, get_clock() - rt0);
    timer_mod_ns(t, v1 + 3 * SCALE_MS);
    rt0 = get_clock();
    while (f.count < 2) {
        main_loop_wait(false);
    }
    g_assert_cmpint(get_clock() - rt0, >=, 3 * SCALE_MS);
    g_assert_cmpint(f.when, >=, v1 + 3 * SCALE_MS);

    /* Stopping with a timer armed, then resuming later, fires once. */
    timer_mod_ns(t, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) + 2 * SCALE_MS);
    qemu_clock_virtual_stop();
    run_for(10);
    g_assert_cmpint(f.count, ==, 2);
    qemu_clock_virtual_start();
    run_for(50);
    g_assert_cmpint(f.count, ==, 3);
    timer_free(t);
}

static void test_virtual_clock_set(void)
{
    int64_t v;

    qemu_clock_virtual_stop();
    qemu_clock_virtual_set_ns(123 * NANOSECONDS_PER_SECOND);
    g_assert_cmpint(qemu_clock_virtual_get_ns(), ==,
                    123 * NANOSECONDS_PER_SECOND);
    qemu_clock_virtual_start();
    g_usleep(2000);
    v = qemu_clock_virtual_get_ns();
    g_assert_cmpint(v, >=, 123 * NANOSECONDS_PER_SECOND + 2 * SCALE_MS);
    g_assert_cmpint(v, <, 124 * NANOSECONDS_PER_SECOND);
    /* The offset round-trips. */
    qemu_clock_virtual_set_offset(qemu_clock_virtual_get_offset());
    g_assert_cmpint(qemu_clock_virtual_get_ns() - v, <, SCALE_MS * 500);
}

typedef struct Reader {
    volatile bool stop;
    int64_t reads;
    int64_t backwards;
} Reader;

static void *vclock_reader_fn(void *opaque)
{
    Reader *r = opaque;
    int64_t last = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    while (!r->stop) {
        int64_t v = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

        r->backwards += v < last;
        last = v;
        __atomic_store_n(&r->reads, r->reads + 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_virtual_clock_concurrent(void)
{
    Reader r = { 0 };
    QemuThread th;
    int i;

    qemu_clock_virtual_start();
    qemu_thread_create(&th, "reader", vclock_reader_fn, &r,
                       QEMU_THREAD_JOINABLE);
    while (!__atomic_load_n(&r.reads, __ATOMIC_RELAXED)) {
        g_usleep(100);
    }
    for (i = 0; i < 20000; i++) {
        qemu_clock_virtual_stop();
        qemu_clock_virtual_start();
    }
    r.stop = true;
    qemu_thread_join(&th);
    /* Guest time never goes backwards across stop/start. */
    g_assert_cmpint(r.reads, >, 0);
    g_assert_cmpint(r.backwards, ==, 0);
}

typedef struct ModThread {
    QEMUTimer *t;
    int64_t deadline;
    QEMUBH *bh;
} ModThread;

static void *mod_thread_fn(void *opaque)
{
    ModThread *mt = opaque;

    g_usleep(10000);
    mt->deadline = get_clock() + 2 * SCALE_MS;
    WITH_BQL_LOCK() {
        timer_mod_ns(mt->t, mt->deadline);
    }
    return NULL;
}

static void test_timer_cross_thread(void)
{
    Fired f = { .type = QEMU_CLOCK_REALTIME };
    ModThread mt = { 0 };
    QemuThread th;

    mt.t = timer_new_ns(QEMU_CLOCK_REALTIME, record_fire, &f);
    qemu_thread_create(&th, "mod", mod_thread_fn, &mt, QEMU_THREAD_JOINABLE);
    /* The loop sleeps with no deadline; the other thread's timer_mod
     * must wake it up and the new deadline must be honoured. */
    while (!f.count) {
        main_loop_wait(false);
    }
    qemu_thread_join(&th);
    g_assert_cmpint(f.when, >=, mt.deadline);
    g_assert_cmpint(f.when - mt.deadline, <, 500 * SCALE_MS);
    timer_free(mt.t);
}

/*
 * Moving the head timer later from another thread does not wake the
 * loop (it wakes at the old deadline and re-arms): the timer must fire
 * at the new deadline, not at the old one.
 */
static void *postpone_thread_fn(void *opaque)
{
    ModThread *mt = opaque;

    g_usleep(5000);
    mt->deadline = get_clock() + 60 * SCALE_MS;
    WITH_BQL_LOCK() {
        timer_mod_ns(mt->t, mt->deadline);
    }
    return NULL;
}

static void test_timer_cross_thread_postpone(void)
{
    Fired f = { .type = QEMU_CLOCK_REALTIME };
    ModThread mt = { 0 };
    QemuThread th;
    int64_t first = get_clock() + 20 * SCALE_MS;
    int spins = 0;

    mt.t = timer_new_ns(QEMU_CLOCK_REALTIME, record_fire, &f);
    timer_mod_ns(mt.t, first);
    qemu_thread_create(&th, "postpone", postpone_thread_fn, &mt,
                       QEMU_THREAD_JOINABLE);
    while (!f.count && spins++ < 1000) {
        main_loop_wait(false);
    }
    qemu_thread_join(&th);
    g_assert_cmpint(f.count, ==, 1);
    g_assert_cmpint(f.when, >=, mt.deadline);
    g_assert_cmpint(f.when - mt.deadline, <, 500 * SCALE_MS);
    timer_free(mt.t);
}

static void *sched_thread_fn(void *opaque)
{
    QEMUBH *bh = opaque;

    g_usleep(5000);
    qemu_bh_schedule(bh);
    return NULL;
}

static void test_bh_cross_thread(void)
{
    Fired f = { .type = QEMU_CLOCK_REALTIME };
    QEMUBH *bh = qemu_bh_new(record_fire, &f);
    QemuThread th;

    qemu_thread_create(&th, "sched", sched_thread_fn, bh,
                       QEMU_THREAD_JOINABLE);
    while (!f.count) {
        main_loop_wait(false);
    }
    qemu_thread_join(&th);
    g_assert_true(f.bql);
    g_assert_cmpint(f.count, ==, 1);
    qemu_bh_delete(bh);
}

static void test_bh_schedule_cancel(void)
{
    Fired f = { .type = QEMU_CLOCK_REALTIME };
    QEMUBH *bh = qemu_bh_new(record_fire, &f);

    /* Scheduling twice runs once. */
    qemu_bh_schedule(bh);
    qemu_bh_schedule(bh);
    main_loop_wait(true);
    main_loop_wait(true);
    g_assert_cmpint(f.count, ==, 1);

    qemu_bh_schedule(bh);
    qemu_bh_cancel(bh);
    main_loop_wait(true);
    g_assert_cmpint(f.count, ==, 1);

    qemu_bh_schedule(bh);
    qemu_bh_delete(bh);
    main_loop_wait(true);
    g_assert_cmpint(f.count, ==, 1);
}

typedef struct SelfBH {
    QEMUBH *bh;
    int runs;
    bool delete_at_3;
} SelfBH;

static void self_bh(void *opaque)
{
    SelfBH *s = opaque;

    s->runs++;
    if (s->delete_at_3 && s->runs == 3) {
        qemu_bh_delete(s->bh);
        s->bh = NULL;
        return;
    }
    qemu_bh_schedule(s->bh);
}

static void test_bh_self_reschedule_and_delete(void)
{
    SelfBH s = { .delete_at_3 = true };
    int i;

    s.bh = qemu_bh_new(self_bh, &s);
    qemu_bh_schedule(s.bh);
    /* One run per iteration: a rescheduling BH cannot starve the loop. */
    main_loop_wait(true);
    g_assert_cmpint(s.runs, ==, 1);
    for (i = 0; i < 10; i++) {
        main_loop_wait(true);
    }
    g_assert_cmpint(s.runs, ==, 3);
    g_assert_null(s.bh);
}

typedef struct FdTest {
    int fds[2];
    int reads;
    int writes;
    char last;
} FdTest;

static void fd_read_cb(void *opaque)
{
    FdTest *ft = opaque;
    char c;

    if (read(ft->fds[0], &c, 1) == 1) {
        ft->last = c;
        ft->reads++;
    }
}

static void fd_write_cb(void *opaque)
{
    FdTest *ft = opaque;

    ft->writes++;
    /* One write notification is enough. */
    qemu_set_fd_handler(ft->fds[1], NULL, NULL, NULL);
}

static void test_fd_handler(void)
{
    FdTest ft = { 0 };
    int i;

    g_assert_cmpint(pipe(ft.fds), ==, 0);
    qemu_set_fd_handler(ft.fds[0], fd_read_cb, NULL, &ft);
    qemu_set_fd_handler(ft.fds[1], NULL, fd_write_cb, &ft);
    main_loop_wait(true);
    g_assert_cmpint(ft.writes, ==, 1);
    g_assert_cmpint(ft.reads, ==, 0);

    g_assert_cmpint(write(ft.fds[1], "x", 1), ==, 1);
    for (i = 0; i < 10 && !ft.reads; i++) {
        main_loop_wait(false);
    }
    g_assert_cmpint(ft.reads, ==, 1);
    g_assert_cmpint(ft.last, ==, 'x');

    /* Removed handlers are not called. */
    qemu_set_fd_handler(ft.fds[0], NULL, NULL, NULL);
    g_assert_cmpint(write(ft.fds[1], "y", 1), ==, 1);
    main_loop_wait(true);
    g_assert_cmpint(ft.reads, ==, 1);
    g_assert_cmpint(ft.writes, ==, 1);
    close(ft.fds[0]);
    close(ft.fds[1]);
}

static void test_bql_guards(void)
{
    g_assert_true(bql_locked());
    bql_unlock();
    g_assert_false(bql_locked());
    WITH_BQL_LOCK() {
        g_assert_true(bql_locked());
        /* Nested guard: no-op, does not unlock at its end. */
        {
            BQL_LOCK_GUARD();
            g_assert_true(bql_locked());
        }
        g_assert_true(bql_locked());
    }
    g_assert_false(bql_locked());
    {
        BQL_LOCK_GUARD();
        g_assert_true(bql_locked());
    }
    g_assert_false(bql_locked());
    bql_lock();
}

static void test_bql_misuse_asserts(void)
{
    if (g_test_subprocess()) {
        /* The test thread already holds the BQL: locking again is a bug. */
        bql_lock();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*bql_held*");
}

typedef struct SyncTest {
    bool in_main;
    bool bql;
    int calls;
} SyncTest;

static void sync_fn(void *opaque)
{
    SyncTest *st = opaque;

    st->in_main = qemu_in_main_thread();
    st->bql = bql_locked();
    st->calls++;
}

static void *sync_thread_fn(void *opaque)
{
    run_on_main_loop_sync(sync_fn, opaque);
    return NULL;
}

static void test_run_on_main_loop_sync(void)
{
    SyncTest st = { 0 };
    QemuThread th;
    int i;

    /* From the main loop itself: runs at once, no deadlock. */
    run_on_main_loop_sync(sync_fn, &st);
    g_assert_cmpint(st.calls, ==, 1);
    g_assert_true(st.in_main);
    g_assert_true(st.bql);

    /* From another thread: runs in the main loop under the BQL. */
    st = (SyncTest){ 0 };
    qemu_thread_create(&th, "sync", sync_thread_fn, &st,
                       QEMU_THREAD_JOINABLE);
    for (i = 0; i < 500 && !st.calls; i++) {
        main_loop_wait(false);
    }
    qemu_thread_join(&th);
    g_assert_cmpint(st.calls, ==, 1);
    g_assert_true(st.in_main);
    g_assert_true(st.bql);
}

typedef struct CtxThread {
    GMainContext *ctx;
    volatile bool stop;
    Fired f;
    GThread *self;
    GThread *fired_in;
} CtxThread;

static void ctx_timer_cb(void *opaque)
{
    CtxThread *ct = opaque;

    record_fire(&ct->f);
    ct->fired_in = g_thread_self();
}

static void *ctx_thread_fn(void *opaque)
{
    CtxThread *ct = opaque;

    ct->self = g_thread_self();
    g_main_context_push_thread_default(ct->ctx);
    while (!ct->stop) {
        g_main_context_iteration(ct->ctx, TRUE);
    }
    g_main_context_pop_thread_default(ct->ctx);
    return NULL;
}

static void stop_ctx(void *opaque)
{
    ((CtxThread *)opaque)->stop = true;
}

static void test_timer_other_context(void)
{
    CtxThread ct = { 0 };
    QEMUTimer *t;
    QemuThread th;
    int64_t deadline;
    int i;

    ct.ctx = g_main_context_new();
    ct.f.type = QEMU_CLOCK_REALTIME;
    t = timer_new_ctx(ct.ctx, QEMU_CLOCK_REALTIME, SCALE_NS, ctx_timer_cb,
                      &ct);
    qemu_thread_create(&th, "ctx", ctx_thread_fn, &ct, QEMU_THREAD_JOINABLE);
    deadline = get_clock() + 3 * SCALE_MS;
    timer_mod_ns(t, deadline);
    for (i = 0; i < 1000 && !ct.f.count; i++) {
        g_usleep(100);
    }
    g_assert_cmpint(ct.f.count, ==, 1);
    g_assert_false(ct.f.bql);
    g_assert_true(ct.fired_in == ct.self);
    g_assert_cmpint(ct.f.when, >=, deadline);
    aio_bh_schedule_oneshot(ct.ctx, stop_ctx, &ct);
    qemu_thread_join(&th);
    timer_free(t);
    aio_context_detach(ct.ctx);
    g_main_context_unref(ct.ctx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    qemu_clock_virtual_start();

    g_test_add_func("/main-loop/timer/realtime-precision",
                    test_timer_realtime_precision);
    g_test_add_func("/main-loop/timer/ordering", test_timer_ordering);
    g_test_add_func("/main-loop/timer/del-anticipate",
                    test_timer_del_and_anticipate);
    g_test_add_func("/main-loop/timer/periodic-rearm",
                    test_timer_periodic_rearm);
    g_test_add_func("/main-loop/timer/host-clock", test_timer_host_clock);
    g_test_add_func("/main-loop/timer/virtual-stop-start",
                    test_virtual_clock_stop_start);
    g_test_add_func("/main-loop/timer/virtual-set", test_virtual_clock_set);
    g_test_add_func("/main-loop/timer/virtual-concurrent",
                    test_virtual_clock_concurrent);
    g_test_add_func("/main-loop/timer/cross-thread-postpone",
                    test_timer_cross_thread_postpone);
    g_test_add_func("/main-loop/timer/cross-thread-mod",
                    test_timer_cross_thread);
    g_test_add_func("/main-loop/timer/other-context",
                    test_timer_other_context);
    g_test_add_func("/main-loop/bh/cross-thread", test_bh_cross_thread);
    g_test_add_func("/main-loop/bh/schedule-cancel-delete",
                    test_bh_schedule_cancel);
    g_test_add_func("/main-loop/bh/self-reschedule",
                    test_bh_self_reschedule_and_delete);
    g_test_add_func("/main-loop/fd-handler", test_fd_handler);
    g_test_add_func("/main-loop/bql/guards", test_bql_guards);
    g_test_add_func("/main-loop/bql/misuse-asserts", test_bql_misuse_asserts);
    g_test_add_func("/main-loop/run-on-main-loop-sync",
                    test_run_on_main_loop_sync);
    return g_test_run();
}
