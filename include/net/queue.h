/*
 * NetQueue: the packets waiting for one receiving net client (pure: no
 * globals; delivery goes through a callback).
 *
 *   send(sender, pkt, can_deliver)
 *     queue busy or !can_deliver --> append (dropped if the queue holds
 *                                    nq_maxlen and there is no sent_cb)
 *     else deliver(pkt) > 0      --> done, returns the size
 *          deliver(pkt) == 0     --> append, returns 0 (receiver full)
 *          deliver(pkt) < 0      --> dropped, returns the error
 *   flush(): deliver queued packets in order until one returns 0; each
 *            delivered packet's sent_cb runs.
 *   purge(from): drop (and complete with 0) what @from queued.
 *
 * Packets are copied when appended; iovecs are flattened.
 */
#ifndef NET_QUEUE_H
#define NET_QUEUE_H

#include <sys/uio.h>

typedef struct NetClientState NetClientState;
typedef struct NetQueue NetQueue;

typedef void NetPacketSent(NetClientState *sender, ssize_t ret);

typedef ssize_t NetQueueDeliverFunc(NetClientState *sender, unsigned flags,
                                    const struct iovec *iov, int iovcnt,
                                    void *opaque);

#define NET_QUEUE_DEFAULT_MAXLEN 10000

/** qemu_new_net_queue: empty queue delivering through @deliver. */
NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque);

/** qemu_del_net_queue: frees the queue and the packets in it. */
void qemu_del_net_queue(NetQueue *queue);

/** qemu_net_queue_set_maxlen: the bound for packets without sent_cb. */
void qemu_net_queue_set_maxlen(NetQueue *queue, unsigned maxlen);

/** qemu_net_queue_send_iov: see the file comment. */
ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, bool can_deliver,
                                NetPacketSent *sent_cb);

/** qemu_net_queue_purge: drops every packet sent by @from. */
void qemu_net_queue_purge(NetQueue *queue, NetClientState *from);

/**
 * qemu_net_queue_flush: delivers in order.
 * Returns: true if the queue is now empty.
 */
bool qemu_net_queue_flush(NetQueue *queue);

/** qemu_net_queue_count: packets waiting. */
unsigned qemu_net_queue_count(const NetQueue *queue);

/** qemu_net_queue_dropped: packets dropped because the queue was full. */
unsigned long qemu_net_queue_dropped(const NetQueue *queue);

/** net_iov_size: total bytes of @iov. */
size_t net_iov_size(const struct iovec *iov, int iovcnt);

/** net_iov_to_buf: copies up to @size bytes of @iov; returns the count. */
size_t net_iov_to_buf(const struct iovec *iov, int iovcnt, void *buf,
                      size_t size);

#endif
