/*
 * filter-rewriter (secondary side of COLO): keeps the SVM's TCP
 * connections in the PVM's sequence space, using the pure core of
 * include/net/filter-rewriter-core.h.  Packets the netdev sends go to
 * the guest (ack rewritten), packets from its peer leave the guest (seq
 * rewritten).  A rewritten packet continues down the chain as a copy.
 *
 * It is a COLO participant: a checkpoint zeroes the offsets, failover
 * keeps them.  Those callbacks come from the COLO thread, packets from
 * the main loop: a mutex guards the core.
 *
 * Packets for the guest are rewritten when the guest takes them, not
 * before.  A packet that cannot be delivered at once -- the SVM receives
 * a checkpoint while stopped with the main loop running, or the guest
 * has no receive buffers -- waits and may reach a guest that meanwhile
 * got the PVM's state; rewritten on arrival, it would carry offsets of
 * before the checkpoint (a SYN seen then even made the SVM's guest reset
 * its connection, see docs/devel/colo-proxy.rst).  So packets for the
 * guest wait here, unprocessed, while the NIC cannot take them (this is
 * the last filter on that path), and go through the core when it can
 * (->peer_ready: the NIC flushed its queue, which it also does when the
 * VM runs again, after the checkpoint's reset).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "migration/colo.h"
#include "net/filter.h"
#include "net/filter-rewriter-core.h"
#include "trace/trace-net.h"

#define TYPE_FILTER_REWRITER "filter-rewriter"
OBJECT_DECLARE_SIMPLE_TYPE(RewriterState, FILTER_REWRITER)

struct RewriterState {
    NetFilterState parent_obj;

    bool vnet_hdr;
    GMutex lock;
    ColoRewriter *core;
    ColoParticipant *participant;
    NetQueue *held;             /* for the guest, until it can take them */
    bool draining;
};

/* Copies @iov to @buf and runs it through the core; true if it changed. */
static bool rewrite(RewriterState *s, NetClientState *sender,
                    const struct iovec *iov, int iovcnt, uint8_t *buf,
                    size_t size)
{
    NetFilterState *nf = NETFILTER(s);
    size_t vnet = s->vnet_hdr && nf->netdev ? nf->netdev->vnet_hdr_len : 0;
    ColoRewriteDir dir = sender == nf->netdev ? COLO_REWRITE_TO_GUEST :
                                                COLO_REWRITE_FROM_GUEST;
    ColoRewriteResult r;

    net_iov_to_buf(iov, iovcnt, buf, size);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        r = colo_rewriter_process(s->core, dir, buf, size, vnet,
                                  qemu_clock_get_ns(QEMU_CLOCK_HOST));
    }
    return r == COLO_REWRITE_MODIFIED;
}

/*
 * Delivery of a packet for the guest: rewritten now, then on down the
 * chain (the rewriter is the last filter) to the NIC.  0 while the NIC
 * cannot take it: it stays held, unprocessed.
 */
static ssize_t filter_rewriter_deliver(NetClientState *sender,
                                       unsigned flags,
                                       const struct iovec *iov,
                                       int iovcnt, void *opaque)
{
    RewriterState *s = opaque;
    size_t size = net_iov_size(iov, iovcnt);
    g_autofree uint8_t *buf = NULL;
    struct iovec out;

    if (!s->draining && !qemu_can_send_packet(sender)) {
        return 0;
    }
    buf = g_malloc(size ? size : 1);
    rewrite(s, sender, iov, iovcnt, buf, size);
    out.iov_base = buf;
    out.iov_len = size;
    qemu_netfilter_pass_to_next(sender, flags, &out, 1, NETFILTER(s));
    return MAX(size, 1);
}

/* The NIC can receive again (or the VM runs again): deliver what waits. */
static void filter_rewriter_peer_ready(NetFilterState *nf)
{
    RewriterState *s = FILTER_REWRITER(nf);
    unsigned n = s->held ? qemu_net_queue_count(s->held) : 0;

    if (n) {
        qemu_net_queue_flush(s->held);
        trace_colo_rewriter_release_held(n, qemu_net_queue_count(s->held));
    }
}

/*
 * Deleted or turned off: what waits goes on now (rewritten, it arrived
 * while the filter was on), into the NIC's queue if need be.
 */
static void held_release(RewriterState *s)
{
    s->draining = true;
    qemu_net_queue_flush(s->held);
    s->draining = false;
}

static ssize_t filter_rewriter_receive_iov(NetFilterState *nf,
                                           NetClientState *sender,
                                           unsigned flags,
                                           const struct iovec *iov,
                                           int iovcnt,
                                           NetPacketSent *sent_cb)
{
    RewriterState *s = FILTER_REWRITER(nf);
    size_t size = net_iov_size(iov, iovcnt);
    g_autofree uint8_t *buf = NULL;
    struct iovec out;

    if (sender == nf->netdev) {
        /* for the guest: now if it can take it, else when it can */
        qemu_net_queue_send_iov(s->held, sender, flags, iov, iovcnt, true,
                                NULL);
        return MAX(size, 1);
    }
    buf = g_malloc(size ? size : 1);
    if (!rewrite(s, sender, iov, iovcnt, buf, size)) {
        return 0;
    }
    out.iov_base = buf;
    out.iov_len = size;
    qemu_netfilter_pass_to_next(sender, flags, &out, 1, nf);
    return MAX(size, 1);
}

static void filter_rewriter_checkpoint(void *opaque)
{
    RewriterState *s = opaque;

    g_mutex_lock(&s->lock);
    colo_rewriter_checkpoint(s->core);
    g_mutex_unlock(&s->lock);
}

static void filter_rewriter_failover(void *opaque)
{
    RewriterState *s = opaque;

    g_mutex_lock(&s->lock);
    colo_rewriter_failover(s->core);
    g_mutex_unlock(&s->lock);
}

static const ColoParticipantOps filter_rewriter_colo_ops = {
    .name = "filter-rewriter",
    .checkpoint = filter_rewriter_checkpoint,
    .failover = filter_rewriter_failover,
};

static bool filter_rewriter_setup(NetFilterState *nf, Error **errp)
{
    RewriterState *s = FILTER_REWRITER(nf);

    s->core = colo_rewriter_new(COLO_REWRITER_DEFAULT_MAX_CONNS);
    s->held = qemu_new_net_queue(filter_rewriter_deliver, s);
    s->participant = colo_participant_register(&filter_rewriter_colo_ops,
                                               s);
    return true;
}

static void filter_rewriter_cleanup(NetFilterState *nf)
{
    RewriterState *s = FILTER_REWRITER(nf);

    colo_participant_unregister(s->participant);
    s->participant = NULL;
    held_release(s);
    qemu_del_net_queue(s->held);
    s->held = NULL;
    g_mutex_lock(&s->lock);
    colo_rewriter_free(s->core);
    s->core = NULL;
    g_mutex_unlock(&s->lock);
}

static void filter_rewriter_status_changed(NetFilterState *nf, Error **errp)
{
    if (!nf->on) {
        held_release(FILTER_REWRITER(nf));
    }
}

static void filter_rewriter_purge(NetFilterState *nf, NetClientState *sender)
{
    RewriterState *s = FILTER_REWRITER(nf);

    if (s->held) {
        qemu_net_queue_purge(s->held, sender);
    }
}

static bool rewriter_get_vnet_hdr(Object *obj, Error **errp)
{
    return FILTER_REWRITER(obj)->vnet_hdr;
}

static void rewriter_set_vnet_hdr(Object *obj, bool v, Error **errp)
{
    FILTER_REWRITER(obj)->vnet_hdr = v;
}

static void filter_rewriter_init(Object *obj)
{
    g_mutex_init(&FILTER_REWRITER(obj)->lock);
}

static void filter_rewriter_finalize(Object *obj)
{
    g_mutex_clear(&FILTER_REWRITER(obj)->lock);
}

static void filter_rewriter_class_init(ObjectClass *oc, void *data)
{
    NetFilterClass *nfc = NETFILTER_CLASS(oc);

    object_class_property_add_bool(oc, "vnet_hdr_support",
                                   rewriter_get_vnet_hdr,
                                   rewriter_set_vnet_hdr);
    nfc->setup = filter_rewriter_setup;
    nfc->cleanup = filter_rewriter_cleanup;
    nfc->status_changed = filter_rewriter_status_changed;
    nfc->purge = filter_rewriter_purge;
    nfc->peer_ready = filter_rewriter_peer_ready;
    nfc->receive_iov = filter_rewriter_receive_iov;
}

static const TypeInfo filter_rewriter_info = {
    .name = TYPE_FILTER_REWRITER,
    .parent = TYPE_NETFILTER,
    .class_init = filter_rewriter_class_init,
    .instance_size = sizeof(RewriterState),
    .instance_init = filter_rewriter_init,
    .instance_finalize = filter_rewriter_finalize,
};

static void filter_rewriter_register_types(void)
{
    type_register_static(&filter_rewriter_info);
}

type_init(filter_rewriter_register_types);
