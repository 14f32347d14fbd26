/*
 * Split virtqueues (VIRTIO 1.1 section 2.6): the pure ring core.
 *
 * Guest memory layout of one queue of size N (all fields little-endian):
 *
 *   desc   N x { le64 addr; le32 len; le16 flags; le16 next; }  (16 bytes)
 *   avail  le16 flags; le16 idx; le16 ring[N]; le16 used_event
 *   used   le16 flags; le16 idx; { le32 id; le32 len; } ring[N];
 *          le16 avail_event
 *
 * The driver puts chain heads into avail.ring[idx % N] and bumps
 * avail.idx; the device walks each chain (NEXT links, or one INDIRECT
 * table whose entries are linked the same way), hands the buffers to the
 * device model as iovecs (device-readable "out" first, then
 * device-writable "in"), and returns the head with the number of bytes
 * written through used.ring / used.idx.
 *
 * Everything the guest wrote is untrusted.  A chain that loops, runs
 * longer than the queue (or the indirect table), links out of range,
 * nests indirect tables, puts a readable buffer after a writable one, or
 * points outside RAM makes virtqueue_pop() return NULL and set
 * @broken: the device model then sets DEVICE_NEEDS_RESET.  Nothing here
 * aborts on guest input.
 *
 * Guest memory is reached only through a VirtioMem (a small ops table),
 * so tests run the ring against a plain buffer.
 */
#ifndef HW_VIRTIO_VIRTQUEUE_H
#define HW_VIRTIO_VIRTQUEUE_H

#include <sys/uio.h>

#define VIRTQUEUE_MAX_SIZE      1024

#define VRING_DESC_F_NEXT       1
#define VRING_DESC_F_WRITE      2
#define VRING_DESC_F_INDIRECT   4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY  1

#define VRING_DESC_SIZE         16
#define VRING_USED_ELEM_SIZE    8

/**
 * struct VirtioMemOps: access to guest physical memory.
 * @read/@write: copy @len bytes; false if any byte is not RAM.
 * @map: host pointer for up to *@len contiguous bytes at @addr (*@len
 *       is shortened to what is contiguous); NULL if @addr is not RAM.
 * @unmap: release a mapping; @access_len bytes were written if @is_write
 *       (they are marked dirty).
 */
typedef struct VirtioMemOps {
    bool (*read)(void *opaque, uint64_t addr, void *buf, uint64_t len);
    bool (*write)(void *opaque, uint64_t addr, const void *buf,
                  uint64_t len);
    void *(*map)(void *opaque, uint64_t addr, uint64_t *len, bool is_write);
    void (*unmap)(void *opaque, void *host, uint64_t len, bool is_write,
                  uint64_t access_len);
} VirtioMemOps;

typedef struct VirtioMem {
    const VirtioMemOps *ops;
    void *opaque;
} VirtioMem;

/**
 * struct VirtQueueElement: one popped chain.
 * @index: the head descriptor (returned in the used ring)
 * @out_sg/@out_num: device-readable buffers; @in_sg/@in_num writable
 * @out_addr/@in_addr: guest addresses of each iovec (for re-mapping)
 * Allocated by virtqueue_pop() with a caller-chosen total size so a
 * device can embed it first in its request struct; free with
 * virtqueue_element_free().
 */
typedef struct VirtQueueElement {
    unsigned int index;
    unsigned int out_num;
    unsigned int in_num;
    uint64_t *in_addr;
    uint64_t *out_addr;
    struct iovec *in_sg;
    struct iovec *out_sg;
    size_t len;              /* bytes of the allocation (for free) */
} VirtQueueElement;

/*
 * struct VirtQueue: one queue.  The first group is what the driver
 * programs through the transport; the second is device-side progress
 * (migrated).  @broken is set by a malformed chain and stays set until
 * virtqueue_reset().
 */
typedef struct VirtQueue {
    uint16_t num;            /* size in use (0: not configured) */
    uint16_t num_max;        /* largest size the device offers */
    uint16_t vector;         /* MSI-X vector (transport's business) */
    bool enabled;
    uint64_t desc;
    uint64_t avail;
    uint64_t used;

    uint16_t last_avail_idx; /* next avail entry to pop */
    uint16_t used_idx;       /* used.idx as last published */
    uint16_t pending;        /* filled but not flushed */
    uint16_t inuse;          /* popped, not yet pushed */
    uint16_t signalled_used; /* used idx at the last interrupt */
    bool signalled_used_valid;
    bool event_idx;          /* VIRTIO_F_RING_EVENT_IDX negotiated */
    bool indirect;           /* VIRTIO_F_RING_INDIRECT_DESC negotiated */
    bool broken;

    const VirtioMem *mem;
} VirtQueue;

/** virtqueue_init: a queue of at most @num_max entries, unconfigured. */
void virtqueue_init(VirtQueue *vq, uint16_t num_max, const VirtioMem *mem);
/** virtqueue_reset: back to unconfigured; progress counters cleared. */
void virtqueue_reset(VirtQueue *vq);
/** virtqueue_ready: configured, enabled and not broken. */
bool virtqueue_ready(const VirtQueue *vq);

/**
 * virtqueue_pop: the next available chain as an element of @sz bytes
 * (>= sizeof(VirtQueueElement)), or NULL when the ring is empty or the
 * chain is malformed (then vq->broken is set).
 */
void *virtqueue_pop(VirtQueue *vq, size_t sz);
/**
 * virtqueue_map_head: re-build the element of an already popped chain
 * starting at @head (after migration, to re-issue an in-flight
 * request).  NULL (and @broken) if the chain is now malformed.
 */
void *virtqueue_map_head(VirtQueue *vq, unsigned int head, size_t sz);
/**
 * virtqueue_element_free: unmap @elem's buffers (@written bytes of the
 * device-writable ones were written) and free it.
 */
void virtqueue_element_free(const VirtQueue *vq, VirtQueueElement *elem,
                            size_t written);
/** virtqueue_element_release: the same, given only the memory. */
void virtqueue_element_release(const VirtioMem *mem, VirtQueueElement *elem,
                               size_t written);
/** virtqueue_avail_count: entries the driver made available, not popped. */
unsigned int virtqueue_avail_count(VirtQueue *vq);
/** virtqueue_empty: nothing to pop (also true when broken). */
bool virtqueue_empty(VirtQueue *vq);

/**
 * virtqueue_fill: put @elem (with @len bytes written) at position @idx
 * after the pending ones; it becomes visible at virtqueue_flush().
 * Unmaps and frees nothing: see virtqueue_push().
 */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx);
/** virtqueue_flush: publish @count filled entries (bump used.idx). */
void virtqueue_flush(VirtQueue *vq, unsigned int count);
/**
 * virtqueue_push: fill + flush one element, then unmap and free it
 * (@elem is invalid afterwards).
 */
void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, unsigned int len);
/** virtqueue_push_head: return @head with @len without an element. */
void virtqueue_push_head(VirtQueue *vq, unsigned int head, unsigned int len);
/**
 * virtqueue_rewind: give back the last @n popped chains (not pushed):
 * they will be popped again.  False if fewer are in use.
 */
bool virtqueue_rewind(VirtQueue *vq, unsigned int n);

/**
 * virtqueue_should_notify: whether the driver wants an interrupt for
 * the entries published since the last call that returned true
 * (avail.flags NO_INTERRUPT, or used_event with EVENT_IDX).
 */
bool virtqueue_should_notify(VirtQueue *vq);

/** virtqueue_ring_sizes: bytes of the desc, avail and used areas. */
uint64_t virtqueue_desc_size(uint16_t num);
uint64_t virtqueue_avail_size(uint16_t num);
uint64_t virtqueue_used_size(uint16_t num);

#endif
