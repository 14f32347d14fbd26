/*
 * NetQueue: packets waiting for one receiver (see include/net/queue.h).
 */
#include "qemu/osdep.h"
#include "net/queue.h"

typedef struct NetPacket {
    NetClientState *sender;
    unsigned flags;
    NetPacketSent *sent_cb;
    size_t size;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    NetQueueDeliverFunc *deliver;
    void *opaque;
    GQueue packets;
    unsigned maxlen;
    unsigned long dropped;
    bool delivering;
};

size_t net_iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, void *buf,
                      size_t size)
{
    size_t done = 0;

    for (int i = 0; i < iovcnt && done < size; i++) {
        size_t n = MIN(iov[i].iov_len, size - done);

        memcpy((uint8_t *)buf + done, iov[i].iov_base, n);
        done += n;
    }
    return done;
}

NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque)
{
    NetQueue *q = g_new0(NetQueue, 1);

    q->deliver = deliver;
    q->opaque = opaque;
    q->maxlen = NET_QUEUE_DEFAULT_MAXLEN;
    g_queue_init(&q->packets);
    return q;
}

void qemu_del_net_queue(NetQueue *queue)
{
    if (!queue) {
        return;
    }
    g_queue_clear_full(&queue->packets, g_free);
    g_free(queue);
}

void qemu_net_queue_set_maxlen(NetQueue *queue, unsigned maxlen)
{
    queue->maxlen = maxlen;
}

unsigned qemu_net_queue_count(const NetQueue *queue)
{
    return g_queue_get_length((GQueue *)&queue->packets);
}

unsigned long qemu_net_queue_dropped(const NetQueue *queue)
{
    return queue->dropped;
}

static void net_queue_append(NetQueue *q, NetClientState *sender,
                             unsigned flags, const struct iovec *iov,
                             int iovcnt, NetPacketSent *sent_cb)
{
    size_t size = net_iov_size(iov, iovcnt);
    NetPacket *p;

    if (g_queue_get_length(&q->packets) >= q->maxlen && !sent_cb) {
        q->dropped++;
        return;
    }
    p = g_malloc(sizeof(*p) + size);
    p->sender = sender;
    p->flags = flags;
    p->sent_cb = sent_cb;
    p->size = size;
    net_iov_to_buf(iov, iovcnt, p->data, size);
    g_queue_push_tail(&q->packets, p);
}

static ssize_t net_queue_deliver(NetQueue *q, NetClientState *sender,
                                 unsigned flags, const struct iovec *iov,
                                 int iovcnt)
{
    ssize_t ret;

    q->delivering = true;
    ret = q->deliver(sender, flags, iov, iovcnt, q->opaque);
    q->delivering = false;
    return ret;
}

ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, bool can_deliver,
                                NetPacketSent *sent_cb)
{
    ssize_t ret;

    if (can_deliver && !queue->delivering) {
        /* older packets first: keep the order */
        qemu_net_queue_flush(queue);
    }
    if (queue->delivering || !can_deliver ||
        !g_queue_is_empty(&queue->packets)) {
        net_queue_append(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    ret = net_queue_deliver(queue, sender, flags, iov, iovcnt);
    if (ret == 0) {
        net_queue_append(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    return ret;
}

void qemu_net_queue_purge(NetQueue *queue, NetClientState *from)
{
    GList *l = queue->packets.head;

    while (l) {
        GList *next = l->next;
        NetPacket *p = l->data;

        if (p->sender == from) {
            g_queue_delete_link(&queue->packets, l);
            if (p->sent_cb) {
                p->sent_cb(p->sender, 0);
            }
            g_free(p);
        }
        l = next;
    }
}

bool qemu_net_queue_flush(NetQueue *queue)
{
    while (!queue->delivering && !g_queue_is_empty(&queue->packets)) {
        NetPacket *p = g_queue_pop_head(&queue->packets);
        struct iovec iov = { .iov_base = p->data, .iov_len = p->size };
        ssize_t ret = net_queue_deliver(queue, p->sender, p->flags, &iov, 1);

        if (ret == 0) {
            g_queue_push_head(&queue->packets, p);
            return false;
        }
        if (p->sent_cb) {
            p->sent_cb(p->sender, ret);
        }
        g_free(p);
    }
    return g_queue_is_empty(&queue->packets);
}
