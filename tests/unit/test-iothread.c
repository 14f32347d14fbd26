/*
 * The iothread object: properties and defaults, its own thread and
 * context (BHs and timers run there without the BQL), HMP text, and a
 * clean stop on object-del.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qom/object_interfaces.h"
#include "qobject/qdict.h"
#include "system/iothread.h"

static IOThread *iothread_new(const char *id, QDict *props, Error **errp)
{
    g_autoptr(QDict) empty = qdict_new();
    Object *obj = user_creatable_add_type(TYPE_IOTHREAD, id,
                                          props ? props : empty, errp);

    return obj ? IOTHREAD(obj) : NULL;
}

static void test_defaults_and_props(void)
{
    g_autoptr(QDict) props = qdict_new();
    IOThread *iot;
    Object *obj;
    Error *err = NULL;

    iot = iothread_new("io-def", NULL, &error_abort);
    obj = OBJECT(iot);
    g_assert_cmpint(object_property_get_int(obj, "poll-max-ns", NULL), ==,
                    32768);
    g_assert_cmpint(object_property_get_int(obj, "poll-grow", NULL), ==, 0);
    g_assert_cmpint(object_property_get_int(obj, "poll-shrink", NULL), ==,
                    0);
    g_assert_cmpint(object_property_get_int(obj, "aio-max-batch", NULL), ==,
                    0);
    g_assert_cmpint(object_property_get_int(obj, "thread-pool-min", NULL),
                    ==, 0);
    g_assert_cmpint(object_property_get_int(obj, "thread-pool-max", NULL),
                    ==, 64);
    g_assert_true(iothread_by_id("io-def") == iot);
    g_assert_cmpstr(iothread_get_id(iot), ==, "io-def");
    g_assert_true(user_creatable_del("io-def", &error_abort));
    g_assert_null(iothread_by_id("io-def"));

    /* key=value strings, as from -object */
    qdict_put_str(props, "poll-max-ns", "1000");
    qdict_put_str(props, "poll-grow", "2");
    iot = iothread_new("io-set", props, &error_abort);
    g_assert_cmpint(iot->poll_max_ns, ==, 1000);
    g_assert_cmpint(iot->poll_grow, ==, 2);
    g_assert_false(object_property_set_int(OBJECT(iot), "poll-shrink", -1,
                                           &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "poll-shrink value must be in range "
                    "[0, 9223372036854775807]");
    error_free_or_abort(&err);
    g_assert_true(user_creatable_del("io-set", &error_abort));
}

typedef struct Probe {
    GThread *thread;
    bool bql;
    int tid;
    volatile int done;
} Probe;

static void probe_cb(void *opaque)
{
    Probe *p = opaque;

    p->thread = g_thread_self();
    p->bql = bql_locked();
    p->tid = qemu_get_thread_id();
    p->done++;
}

static void wait_done(Probe *p, int n)
{
    int i;

    for (i = 0; i < 5000 && p->done < n; i++) {
        g_usleep(1000);
    }
    g_assert_cmpint(p->done, >=, n);
}

static void test_runs_in_own_thread(void)
{
    IOThread *iot = iothread_new("io-run", NULL, &error_abort);
    GMainContext *ctx = iothread_get_g_main_context(iot);
    Probe bh = { 0 }, tm = { 0 };
    QEMUTimer *t;

    g_assert_nonnull(ctx);
    g_assert_true(ctx != g_main_context_default());
    aio_bh_schedule_oneshot(ctx, probe_cb, &bh);
    wait_done(&bh, 1);
    g_assert_true(bh.thread != g_thread_self());
    g_assert_false(bh.bql);
    g_assert_cmpint(bh.tid, ==, iothread_get_thread_id(iot));
    g_assert_cmpint(bh.tid, !=, qemu_get_thread_id());

    t = timer_new_ctx(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, probe_cb, &tm);
    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 5);
    wait_done(&tm, 1);
    g_assert_true(tm.thread == bh.thread);
    timer_free(t);
    g_assert_true(user_creatable_del("io-run", &error_abort));
}

static void test_info_text(void)
{
    IOThread *a = iothread_new("iothread1", NULL, &error_abort);
    IOThread *b = iothread_new("iothread2", NULL, &error_abort);
    g_autofree char *text = iothread_info_text();
    g_autofree char *expect = g_strdup_printf(
        "iothread2:\n  thread_id=%d\n  poll-max-ns=32768\n  poll-grow=0\n"
        "  poll-shrink=0\n  aio-max-batch=0\n"
        "iothread1:\n  thread_id=%d\n  poll-max-ns=32768\n  poll-grow=0\n"
        "  poll-shrink=0\n  aio-max-batch=0\n",
        iothread_get_thread_id(b), iothread_get_thread_id(a));

    g_assert_cmpstr(text, ==, expect);
    g_assert_true(user_creatable_del("iothread1", &error_abort));
    g_assert_true(user_creatable_del("iothread2", &error_abort));
}

static void test_del_stops_thread(void)
{
    IOThread *iot = iothread_new("io-del", NULL, &error_abort);
    g_autofree char *task = g_strdup_printf("/proc/self/task/%d",
                                            iothread_get_thread_id(iot));

    g_autofree char *comm_path = g_strdup_printf("%s/comm", task);
    g_autofree char *comm = NULL;

    g_assert_true(g_file_test(task, G_FILE_TEST_EXISTS));
    /* Named like QEMU's: "IO <id>". */
    g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
    g_assert_cmpstr(comm, ==, "IO io-del\n");
    g_assert_true(user_creatable_del("io-del", &error_abort));
    /* Joined: the thread is gone. */
    g_assert_false(g_file_test(task, G_FILE_TEST_EXISTS));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    g_test_add_func("/iothread/defaults-and-props", test_defaults_and_props);
    g_test_add_func("/iothread/runs-in-own-thread", test_runs_in_own_thread);
    g_test_add_func("/iothread/info-text", test_info_text);
    g_test_add_func("/iothread/del-stops-thread", test_del_stops_thread);
    return g_test_run();
}
