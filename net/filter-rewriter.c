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
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "migration/colo.h"
#include "net/filter.h"
#include "net/filter-rewriter-core.h"

#define TYPE_FILTER_REWRITER "filter-rewriter"
OBJECT_DECLARE_SIMPLE_TYPE(RewriterState, FILTER_REWRITER)

struct RewriterState {
    NetFilterState parent_obj;

    bool vnet_hdr;
    GMutex lock;
    ColoRewriter *core;
    ColoParticipant *participant;
};

static ssize_t filter_rewriter_receive_iov(NetFilterState *nf,
                                           NetClientState *sender,
                                           unsigned flags,
                                           const struct iovec *iov,
                                           int iovcnt,
                                           NetPacketSent *sent_cb)
{
    RewriterState *s = FILTER_REWRITER(nf);
    size_t size = net_iov_size(iov, iovcnt);
    size_t vnet = s->vnet_hdr && nf->netdev ? nf->netdev->vnet_hdr_len : 0;
    ColoRewriteDir dir = sender == nf->netdev ? COLO_REWRITE_TO_GUEST :
                                                COLO_REWRITE_FROM_GUEST;
    g_autofree uint8_t *buf = g_malloc(size ? size : 1);
    ColoRewriteResult r;
    struct iovec out;

    net_iov_to_buf(iov, iovcnt, buf, size);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        r = colo_rewriter_process(s->core, dir, buf, size, vnet,
                                  qemu_clock_get_ns(QEMU_CLOCK_HOST));
    }
    if (r != COLO_REWRITE_MODIFIED) {
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
    s->participant = colo_participant_register(&filter_rewriter_colo_ops,
                                               s);
    return true;
}

static void filter_rewriter_cleanup(NetFilterState *nf)
{
    RewriterState *s = FILTER_REWRITER(nf);

    colo_participant_unregister(s->participant);
    s->participant = NULL;
    g_mutex_lock(&s->lock);
    colo_rewriter_free(s->core);
    s->core = NULL;
    g_mutex_unlock(&s->lock);
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
