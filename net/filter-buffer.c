/*
 * filter-buffer: holds every packet of its direction and releases them
 * all every @interval microseconds of virtual time (so nothing leaves
 * while the VM is stopped).  Turning it off, or deleting it, releases
 * what it holds at once.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "net/filter.h"
#include "net/queue.h"

#define TYPE_FILTER_BUFFER "filter-buffer"
OBJECT_DECLARE_SIMPLE_TYPE(FilterBufferState, FILTER_BUFFER)

struct FilterBufferState {
    NetFilterState parent_obj;

    NetQueue *queue;
    uint32_t interval;          /* microseconds */
    QEMUTimer *timer;
};

/* Released packets continue after this filter; never re-queued here. */
static ssize_t filter_buffer_deliver(NetClientState *sender, unsigned flags,
                                     const struct iovec *iov, int iovcnt,
                                     void *opaque)
{
    qemu_netfilter_pass_to_next(sender, flags, iov, iovcnt, opaque);
    return MAX(net_iov_size(iov, iovcnt), 1);
}

static void filter_buffer_flush(FilterBufferState *s)
{
    if (s->queue) {
        qemu_net_queue_flush(s->queue);
    }
}

static void filter_buffer_release_timer(void *opaque)
{
    FilterBufferState *s = opaque;

    filter_buffer_flush(s);
    timer_mod(s->timer, qemu_clock_get_us(QEMU_CLOCK_VIRTUAL) +
              s->interval);
}

static ssize_t filter_buffer_receive_iov(NetFilterState *nf,
                                         NetClientState *sender,
                                         unsigned flags,
                                         const struct iovec *iov,
                                         int iovcnt, NetPacketSent *sent_cb)
{
    FilterBufferState *s = FILTER_BUFFER(nf);

    qemu_net_queue_send_iov(s->queue, sender, flags, iov, iovcnt, false,
                            NULL);
    return MAX(net_iov_size(iov, iovcnt), 1);
}

static void filter_buffer_start_timer(FilterBufferState *s)
{
    if (!s->timer) {
        s->timer = timer_new_us(QEMU_CLOCK_VIRTUAL,
                                filter_buffer_release_timer, s);
    }
    timer_mod(s->timer, qemu_clock_get_us(QEMU_CLOCK_VIRTUAL) +
              s->interval);
}

static bool filter_buffer_setup(NetFilterState *nf, Error **errp)
{
    FilterBufferState *s = FILTER_BUFFER(nf);

    if (!s->interval) {
        error_setg(errp, "Property 'filter-buffer.interval' requires a "
                   "positive value");
        return false;
    }
    s->queue = qemu_new_net_queue(filter_buffer_deliver, nf);
    if (nf->on) {
        filter_buffer_start_timer(s);
    }
    return true;
}

static void filter_buffer_cleanup(NetFilterState *nf)
{
    FilterBufferState *s = FILTER_BUFFER(nf);

    if (s->timer) {
        timer_free(s->timer);
        s->timer = NULL;
    }
    filter_buffer_flush(s);
    qemu_del_net_queue(s->queue);
    s->queue = NULL;
}

static void filter_buffer_purge(NetFilterState *nf, NetClientState *sender)
{
    FilterBufferState *s = FILTER_BUFFER(nf);

    if (s->queue) {
        qemu_net_queue_purge(s->queue, sender);
    }
}

static void filter_buffer_status_changed(NetFilterState *nf, Error **errp)
{
    FilterBufferState *s = FILTER_BUFFER(nf);

    if (nf->on) {
        filter_buffer_start_timer(s);
    } else {
        if (s->timer) {
            timer_del(s->timer);
        }
        filter_buffer_flush(s);
    }
}

static void filter_buffer_class_init(ObjectClass *oc, void *data)
{
    NetFilterClass *nfc = NETFILTER_CLASS(oc);

    object_class_property_add_uint32_ptr(oc, "interval",
                                         offsetof(FilterBufferState,
                                                  interval),
                                         OBJ_PROP_FLAG_READWRITE);
    object_class_property_set_required(oc, "interval");
    nfc->setup = filter_buffer_setup;
    nfc->cleanup = filter_buffer_cleanup;
    nfc->status_changed = filter_buffer_status_changed;
    nfc->purge = filter_buffer_purge;
    nfc->receive_iov = filter_buffer_receive_iov;
}

static const TypeInfo filter_buffer_info = {
    .name = TYPE_FILTER_BUFFER,
    .parent = TYPE_NETFILTER,
    .class_init = filter_buffer_class_init,
    .instance_size = sizeof(FilterBufferState),
};

static void filter_buffer_register_types(void)
{
    type_register_static(&filter_buffer_info);
}

type_init(filter_buffer_register_types);
