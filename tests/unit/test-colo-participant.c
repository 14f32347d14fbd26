/*
 * COLO participant registry: registration, dispatch order, errors,
 * checkpoint requests, unregistering from a callback, threads.
 */
#include "qemu/osdep.h"
#include "migration/colo.h"

typedef struct Part {
    const char *name;
    GString *log;
    bool fail;
    ColoParticipant *self;
    ColoParticipant **victim;       /* unregistered from ->checkpoint */
} Part;

static void p_checkpoint(void *opaque)
{
    Part *p = opaque;

    g_string_append_printf(p->log, "c:%s ", p->name);
    if (p->victim && *p->victim) {
        colo_participant_unregister(*p->victim);
        *p->victim = NULL;
    }
}

static void p_failover(void *opaque)
{
    Part *p = opaque;

    g_string_append_printf(p->log, "f:%s ", p->name);
}

static bool p_get_error(void *opaque, Error **errp)
{
    Part *p = opaque;

    if (p->fail) {
        error_setg(errp, "broken pipe");
        return false;
    }
    return true;
}

static const ColoParticipantOps ops_a = {
    .name = "colo-compare",
    .checkpoint = p_checkpoint,
    .failover = p_failover,
    .get_error = p_get_error,
};

static const ColoParticipantOps ops_b = {
    .name = "replication",
    .checkpoint = p_checkpoint,
};

static void test_dispatch(void)
{
    g_autoptr(GString) log = g_string_new("");
    Part a = { "a", log }, b = { "b", log };
    ColoParticipant *pa, *pb;
    Error *err = NULL;

    g_assert_cmpuint(colo_participants_count(), ==, 0);
    pa = colo_participant_register(&ops_a, &a);
    pb = colo_participant_register(&ops_b, &b);
    g_assert_cmpuint(colo_participants_count(), ==, 2);
    colo_participants_checkpoint();
    colo_participants_failover();
    g_assert_cmpstr(log->str, ==, "c:a c:b f:a ");

    g_assert_true(colo_participants_get_error(&error_abort));
    a.fail = true;
    g_assert_false(colo_participants_get_error(&err));
    g_assert_cmpstr(error_get_pretty(err), ==, "colo-compare: broken pipe");
    error_free(err);

    colo_participant_unregister(pa);
    colo_participant_unregister(NULL);
    g_string_truncate(log, 0);
    colo_participants_checkpoint();
    g_assert_cmpstr(log->str, ==, "c:b ");
    g_assert_true(colo_participants_get_error(&error_abort));
    colo_participant_unregister(pb);
    g_assert_cmpuint(colo_participants_count(), ==, 0);
}

static void test_unregister_in_callback(void)
{
    g_autoptr(GString) log = g_string_new("");
    Part a = { "a", log }, b = { "b", log };
    ColoParticipant *pb;
    ColoParticipant *pa;

    pa = colo_participant_register(&ops_a, &a);
    pb = colo_participant_register(&ops_b, &b);
    a.victim = &pb;
    /* a removes b during the dispatch: b is not called, nothing leaks */
    colo_participants_checkpoint();
    g_assert_cmpstr(log->str, ==, "c:a ");
    g_assert_null(pb);
    g_assert_cmpuint(colo_participants_count(), ==, 1);
    colo_participant_unregister(pa);
}

typedef struct Req {
    unsigned n[COLO_CHECKPOINT_REASON__MAX];
} Req;

static void on_request(void *opaque, ColoCheckpointReason reason)
{
    Req *r = opaque;

    r->n[reason]++;
}

static void test_request(void)
{
    Req r = { { 0 } };

    g_assert_false(colo_notify_checkpoint_request(
                       COLO_CHECKPOINT_REASON_MISCOMPARE));
    colo_set_checkpoint_request_handler(on_request, &r);
    g_assert_true(colo_notify_checkpoint_request(
                      COLO_CHECKPOINT_REASON_MISCOMPARE));
    g_assert_true(colo_notify_checkpoint_request(
                      COLO_CHECKPOINT_REASON_TIMEOUT));
    g_assert_cmpuint(r.n[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    g_assert_cmpuint(r.n[COLO_CHECKPOINT_REASON_TIMEOUT], ==, 1);
    colo_set_checkpoint_request_handler(NULL, NULL);
    g_assert_false(colo_notify_checkpoint_request(
                       COLO_CHECKPOINT_REASON_TIMEOUT));
    g_assert_cmpstr(colo_checkpoint_reason_str(
                        COLO_CHECKPOINT_REASON_QUEUE_FULL), ==, "queue-full");
}

static gint counter;

static void count_cb(void *opaque)
{
    g_atomic_int_inc(&counter);
}

static const ColoParticipantOps ops_count = {
    .name = "counter",
    .checkpoint = count_cb,
};

static gpointer churn(gpointer data)
{
    unsigned i;

    for (i = 0; i < 2000; i++) {
        ColoParticipant *p = colo_participant_register(&ops_count, NULL);

        colo_participant_unregister(p);
    }
    return NULL;
}

static void test_threads(void)
{
    GThread *t[4];
    ColoParticipant *p = colo_participant_register(&ops_count, NULL);
    unsigned i;

    for (i = 0; i < 4; i++) {
        t[i] = g_thread_new("churn", churn, NULL);
    }
    for (i = 0; i < 2000; i++) {
        colo_participants_checkpoint();
    }
    for (i = 0; i < 4; i++) {
        g_thread_join(t[i]);
    }
    /* the permanent participant saw every dispatch */
    g_assert_cmpint(g_atomic_int_get(&counter), >=, 2000);
    colo_participant_unregister(p);
    g_assert_cmpuint(colo_participants_count(), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/participant/dispatch", test_dispatch);
    g_test_add_func("/colo/participant/unregister-in-callback",
                    test_unregister_in_callback);
    g_test_add_func("/colo/participant/request", test_request);
    g_test_add_func("/colo/participant/threads", test_threads);
    return g_test_run();
}
