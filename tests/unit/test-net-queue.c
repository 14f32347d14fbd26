/*
 * NetQueue flow control and the filter chain's order (QEMU semantics:
 * the sender's filters head -> tail as "tx", the receiver's tail -> head
 * as "rx"; a consuming filter stops the chain; pass_to_next continues
 * after the filter; a paused VM or a full receiver queues packets).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qom/object_interfaces.h"
#include "qobject/qdict.h"
#include "system/runstate.h"
#include "net/filter.h"
#include "net/net.h"
#include "net/queue.h"

/* ---- NetQueue alone ---- */

typedef struct Sink {
    GPtrArray *got;             /* delivered payloads (g_strdup) */
    bool full;
    int sent_cb_calls;
    ssize_t last_ret;
} Sink;

static Sink sink;

static ssize_t sink_deliver(NetClientState *sender, unsigned flags,
                            const struct iovec *iov, int iovcnt,
                            void *opaque)
{
    Sink *s = opaque;
    char buf[64] = "";

    if (s->full) {
        return 0;
    }
    net_iov_to_buf(iov, iovcnt, buf, sizeof(buf) - 1);
    g_ptr_array_add(s->got, g_strdup(buf));
    return net_iov_size(iov, iovcnt);
}

static void sink_sent(NetClientState *sender, ssize_t ret)
{
    sink.sent_cb_calls++;
    sink.last_ret = ret;
}

static ssize_t queue_send(NetQueue *q, const char *s, bool can,
                          NetPacketSent *cb, NetClientState *from)
{
    struct iovec iov[2] = {
        { .iov_base = (void *)s, .iov_len = 1 },
        { .iov_base = (void *)(s + 1), .iov_len = strlen(s) - 1 },
    };

    return qemu_net_queue_send_iov(q, from, 0, iov, 2, can, cb);
}

static void sink_reset(void)
{
    if (sink.got) {
        g_ptr_array_free(sink.got, true);
    }
    memset(&sink, 0, sizeof(sink));
    sink.got = g_ptr_array_new_with_free_func(g_free);
}

static void test_queue_direct(void)
{
    NetQueue *q;

    sink_reset();
    q = qemu_new_net_queue(sink_deliver, &sink);
    g_assert_cmpint(queue_send(q, "abc", true, sink_sent, NULL), ==, 3);
    g_assert_cmpuint(sink.got->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(sink.got, 0), ==, "abc");
    g_assert_cmpint(sink.sent_cb_calls, ==, 0);
    qemu_del_net_queue(q);
}

static void test_queue_order_and_flush(void)
{
    NetQueue *q;

    sink_reset();
    q = qemu_new_net_queue(sink_deliver, &sink);
    sink.full = true;
    g_assert_cmpint(queue_send(q, "p1", true, sink_sent, NULL), ==, 0);
    sink.full = false;
    /* the receiver has room again: p1 still goes first, then p2 */
    g_assert_cmpint(queue_send(q, "p2", true, sink_sent, NULL), ==, 2);
    g_assert_cmpint(sink.sent_cb_calls, ==, 1);
    g_assert_cmpuint(sink.got->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(sink.got, 0), ==, "p1");
    g_assert_cmpstr(g_ptr_array_index(sink.got, 1), ==, "p2");
    /* can_deliver false (VM paused): queued until flushed */
    g_assert_cmpint(queue_send(q, "p3", false, sink_sent, NULL), ==, 0);
    g_assert_cmpuint(qemu_net_queue_count(q), ==, 1);
    g_assert_true(qemu_net_queue_flush(q));
    g_assert_cmpuint(sink.got->len, ==, 3);
    g_assert_cmpint(sink.sent_cb_calls, ==, 2);
    g_assert_cmpint(sink.last_ret, ==, 2);
    qemu_del_net_queue(q);
}

static void test_queue_maxlen_and_purge(void)
{
    NetClientState *a = (NetClientState *)0x1, *b = (NetClientState *)0x2;
    NetQueue *q;

    sink_reset();
    q = qemu_new_net_queue(sink_deliver, &sink);
    qemu_net_queue_set_maxlen(q, 2);
    g_assert_cmpint(queue_send(q, "a1", false, NULL, a), ==, 0);
    g_assert_cmpint(queue_send(q, "b1", false, NULL, b), ==, 0);
    g_assert_cmpint(queue_send(q, "a2", false, NULL, a), ==, 0);
    g_assert_cmpuint(qemu_net_queue_count(q), ==, 2);
    g_assert_cmpuint(qemu_net_queue_dropped(q), ==, 1);
    /* with a completion callback the sender is told later: never dropped */
    g_assert_cmpint(queue_send(q, "a3", false, sink_sent, a), ==, 0);
    g_assert_cmpuint(qemu_net_queue_count(q), ==, 3);
    qemu_net_queue_purge(q, a);
    g_assert_cmpuint(qemu_net_queue_count(q), ==, 1);
    g_assert_cmpint(sink.sent_cb_calls, ==, 1);
    g_assert_cmpint(sink.last_ret, ==, 0);
    g_assert_true(qemu_net_queue_flush(q));
    g_assert_cmpuint(sink.got->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(sink.got, 0), ==, "b1");
    qemu_del_net_queue(q);
}

/* ---- clients and the filter chain ---- */

static GString *trace_log;

typedef struct TestClient {
    NetClientState nc;
    bool full;
    int received;
} TestClient;

static ssize_t test_client_receive(NetClientState *nc, const uint8_t *buf,
                                   size_t size)
{
    TestClient *t = container_of(nc, TestClient, nc);

    if (t->full) {
        return 0;
    }
    t->received++;
    g_string_append_printf(trace_log, "deliver:%s ", nc->name);
    return size;
}

static const NetClientInfo test_client_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(TestClient),
    .receive = test_client_receive,
};

static const NetClientInfo test_nic_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(TestClient),
    .receive = test_client_receive,
};

#define TYPE_FILTER_TEST "filter-test"

typedef struct FilterTest {
    NetFilterState parent_obj;
    bool consume;
    bool reinject;
} FilterTest;

#define FILTER_TEST(obj) OBJECT_CHECK(FilterTest, (obj), TYPE_FILTER_TEST)

static ssize_t filter_test_receive_iov(NetFilterState *nf,
                                       NetClientState *sender,
                                       unsigned flags,
                                       const struct iovec *iov, int iovcnt,
                                       NetPacketSent *sent_cb)
{
    FilterTest *f = FILTER_TEST(nf);

    g_string_append_printf(trace_log, "%s ", netfilter_get_id(nf));
    if (f->reinject) {
        qemu_netfilter_pass_to_next(sender, flags, iov, iovcnt, nf);
        return net_iov_size(iov, iovcnt);
    }
    return f->consume ? net_iov_size(iov, iovcnt) : 0;
}

static bool filter_test_get_consume(Object *obj, Error **errp)
{
    return FILTER_TEST(obj)->consume;
}

static void filter_test_set_consume(Object *obj, bool v, Error **errp)
{
    FILTER_TEST(obj)->consume = v;
}

static bool filter_test_get_reinject(Object *obj, Error **errp)
{
    return FILTER_TEST(obj)->reinject;
}

static void filter_test_set_reinject(Object *obj, bool v, Error **errp)
{
    FILTER_TEST(obj)->reinject = v;
}

static void filter_test_class_init(ObjectClass *oc, void *data)
{
    NETFILTER_CLASS(oc)->receive_iov = filter_test_receive_iov;
    object_class_property_add_bool(oc, "consume", filter_test_get_consume,
                                   filter_test_set_consume);
    object_class_property_add_bool(oc, "reinject", filter_test_get_reinject,
                                   filter_test_set_reinject);
}

static const TypeInfo filter_test_info = {
    .name = TYPE_FILTER_TEST,
    .parent = TYPE_NETFILTER,
    .instance_size = sizeof(FilterTest),
    .class_init = filter_test_class_init,
};

static void add_filter(const char *id, const char *netdev, const char *queue,
                       const char *position, const char *insert)
{
    g_autoptr(QDict) d = qdict_new();

    qdict_put_str(d, "qom-type", TYPE_FILTER_TEST);
    qdict_put_str(d, "id", id);
    qdict_put_str(d, "netdev", netdev);
    qdict_put_str(d, "queue", queue);
    if (position) {
        qdict_put_str(d, "position", position);
    }
    if (insert) {
        qdict_put_str(d, "insert", insert);
    }
    g_assert_nonnull(user_creatable_add_qdict(d, &error_abort));
}

static NetClientState *nic, *backend;

static void clients_new(void)
{
    backend = qemu_new_net_client(&test_client_info, NULL, "test", "be0");
    backend->is_netdev = true;
    nic = qemu_new_net_client(&test_nic_info, backend, "test", "nic0");
    g_string_truncate(trace_log, 0);
}

static void clients_del(void)
{
    qemu_del_net_client(backend);    /* takes its filters along */
    qemu_del_net_client(nic);
}

static const char *send_from(NetClientState *nc)
{
    g_string_truncate(trace_log, 0);
    qemu_send_packet(nc, (const uint8_t *)"pkt", 3);
    return trace_log->str;
}

static void test_chain_order(void)
{
    clients_new();
    add_filter("a", "be0", "all", NULL, NULL);
    add_filter("c", "be0", "all", NULL, NULL);
    add_filter("b", "be0", "all", "id=c", "before");
    add_filter("h", "be0", "all", "head", NULL);
    add_filter("d", "be0", "all", "id=c", "behind");
    /* chain: h a b c d.  The netdev sends: tx, head to tail */
    g_assert_cmpstr(send_from(backend), ==, "h a b c d deliver:nic0 ");
    /* the NIC sends to the netdev: rx on the netdev, tail to head */
    g_assert_cmpstr(send_from(nic), ==, "d c b a h deliver:be0 ");
    clients_del();
}

static void test_chain_direction_and_status(void)
{
    clients_new();
    add_filter("t", "be0", "tx", NULL, NULL);
    add_filter("r", "be0", "rx", NULL, NULL);
    g_assert_cmpstr(send_from(backend), ==, "t deliver:nic0 ");
    g_assert_cmpstr(send_from(nic), ==, "r deliver:be0 ");
    object_property_set_str(object_resolve_path_component(
                                object_get_objects_root(), "t"),
                            "status", "off", &error_abort);
    g_assert_cmpstr(send_from(backend), ==, "deliver:nic0 ");
    user_creatable_del("r", &error_abort);
    g_assert_cmpstr(send_from(nic), ==, "deliver:be0 ");
    clients_del();
}

static void test_chain_consume_and_reinject(void)
{
    Object *b;

    clients_new();
    add_filter("a", "be0", "all", NULL, NULL);
    add_filter("b", "be0", "all", NULL, NULL);
    add_filter("c", "be0", "all", NULL, NULL);
    b = object_resolve_path_component(object_get_objects_root(), "b");
    object_property_set_bool(b, "consume", true, &error_abort);
    g_assert_cmpstr(send_from(backend), ==, "a b ");
    g_assert_cmpstr(send_from(nic), ==, "c b ");
    object_property_set_bool(b, "consume", false, &error_abort);
    object_property_set_bool(b, "reinject", true, &error_abort);
    /* pass_to_next continues after b in the packet's direction */
    g_assert_cmpstr(send_from(backend), ==, "a b c deliver:nic0 ");
    g_assert_cmpstr(send_from(nic), ==, "c b a deliver:be0 ");
    clients_del();
}

static void test_flow_control(void)
{
    TestClient *t;

    clients_new();
    t = container_of(nic, TestClient, nc);
    t->full = true;
    g_assert_cmpint(qemu_send_packet_async(backend, (const uint8_t *)"x", 1,
                                           NULL), ==, 0);
    /* receiving stays disabled: later packets queue without delivery */
    g_assert_cmpint(qemu_send_packet_async(backend, (const uint8_t *)"y", 1,
                                           NULL), ==, 0);
    g_assert_false(qemu_can_send_packet(backend));
    t->full = false;
    qemu_flush_queued_packets(nic);
    g_assert_cmpint(t->received, ==, 2);
    g_assert_true(qemu_can_send_packet(backend));
    /* link down: dropped (reported as sent) */
    qemu_set_link("nic0", false, &error_abort);
    g_assert_cmpint(qemu_send_packet_async(backend, (const uint8_t *)"z", 1,
                                           NULL), ==, 1);
    g_assert_cmpint(t->received, ==, 2);
    g_assert_false(backend->link_down);     /* a NIC's does not spread */
    qemu_set_link("nic0", true, &error_abort);
    qemu_set_link("be0", false, &error_abort);
    g_assert_true(nic->link_down);          /* a backend's NIC follows */
    g_assert_cmpint(qemu_send_packet_async(backend, (const uint8_t *)"v", 1,
                                           NULL), ==, 1);
    g_assert_cmpint(t->received, ==, 2);
    qemu_set_link("be0", true, &error_abort);
    g_assert_false(nic->link_down);
    /* a stopped VM queues; starting it flushes */
    vm_stop(RUN_STATE_PAUSED);
    g_assert_cmpint(qemu_send_packet_async(backend, (const uint8_t *)"w", 1,
                                           NULL), ==, 0);
    g_assert_cmpint(t->received, ==, 2);
    vm_start();
    g_assert_cmpint(t->received, ==, 3);
    clients_del();
}

static void test_netfilter_errors(void)
{
    Error *err = NULL;
    g_autoptr(QDict) d = qdict_new();

    clients_new();
    qdict_put_str(d, "qom-type", TYPE_FILTER_TEST);
    qdict_put_str(d, "id", "x");
    qdict_put_str(d, "netdev", "nic0");     /* a NIC is no backend */
    g_assert_null(user_creatable_add_qdict(d, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'netdev' expects a network backend id");
    error_free(err);
    err = NULL;
    qdict_put_str(d, "netdev", "be0");
    qdict_put_str(d, "position", "id=nosuch");
    g_assert_null(user_creatable_add_qdict(d, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "filter 'nosuch' not found");
    error_free(err);
    clients_del();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    type_register_static(&filter_test_info);
    trace_log = g_string_new(NULL);
    vm_start();
    g_test_add_func("/net/queue/direct", test_queue_direct);
    g_test_add_func("/net/queue/order-and-flush", test_queue_order_and_flush);
    g_test_add_func("/net/queue/maxlen-and-purge",
                    test_queue_maxlen_and_purge);
    g_test_add_func("/net/filter/chain-order", test_chain_order);
    g_test_add_func("/net/filter/direction-and-status",
                    test_chain_direction_and_status);
    g_test_add_func("/net/filter/consume-and-reinject",
                    test_chain_consume_and_reinject);
    g_test_add_func("/net/filter/errors", test_netfilter_errors);
    g_test_add_func("/net/client/flow-control", test_flow_control);
    return g_test_run();
}
