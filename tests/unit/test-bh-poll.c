/*
 * aio_bh_poll (util/main-loop.c): running a context's bottom halves from
 * outside its loop, as bdrv_drain_all() does for request completions.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/bh-poll.h"
#include "qapi/error.h"

typedef struct Counter {
    QEMUBH *bh;
    int runs;
    int again;               /* reschedule itself this many times */
} Counter;

static void count_bh(void *opaque)
{
    Counter *c = opaque;

    c->runs++;
    if (c->again > 0) {
        c->again--;
        qemu_bh_schedule(c->bh);
    }
}

static void test_runs_queued_once(void)
{
    Counter a = { 0 }, b = { .again = 1 };

    g_assert(qemu_init_main_loop(&error_abort));
    a.bh = qemu_bh_new(count_bh, &a);
    b.bh = qemu_bh_new(count_bh, &b);
    bql_lock();
    g_assert_false(aio_bh_poll(NULL));      /* nothing scheduled */
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    g_assert_true(aio_bh_poll(NULL));
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_cmpint(b.runs, ==, 1);         /* not again in the same call */
    g_assert_true(aio_bh_poll(NULL));
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_cmpint(b.runs, ==, 2);
    g_assert_false(aio_bh_poll(NULL));
    bql_unlock();
    qemu_bh_delete(a.bh);
    qemu_bh_delete(b.bh);
}

static void oneshot_bh(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_oneshot_and_other_context(void)
{
    GMainContext *ctx = g_main_context_new();
    int main_runs = 0, ctx_runs = 0;

    g_assert(qemu_init_main_loop(&error_abort));
    aio_bh_schedule_oneshot(NULL, oneshot_bh, &main_runs);
    aio_bh_schedule_oneshot(ctx, oneshot_bh, &ctx_runs);
    bql_lock();
    g_assert_true(aio_bh_poll(NULL));
    bql_unlock();
    g_assert_cmpint(main_runs, ==, 1);
    g_assert_cmpint(ctx_runs, ==, 0);       /* only the context asked for */
    g_assert_true(aio_bh_poll(ctx));
    g_assert_cmpint(ctx_runs, ==, 1);
    g_assert_false(aio_bh_poll(ctx));
    aio_context_detach(ctx);
    g_main_context_unref(ctx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/main-loop/bh-poll/queued-once", test_runs_queued_once);
    g_test_add_func("/main-loop/bh-poll/oneshot-context",
                    test_oneshot_and_other_context);
    return g_test_run();
}
