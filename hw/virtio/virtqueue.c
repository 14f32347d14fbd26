/*
 * Split virtqueue ring handling (see include/hw/virtio/virtqueue.h for
 * the layout and the rules on untrusted input).
 *
 * Walking a chain: the head comes from avail.ring; if it is INDIRECT
 * the walk continues in the table it points to (entries 0..len/16-1,
 * starting at 0).  Every step counts against the size of the table being
 * walked, so a loop or an over-long chain ends as an error after at most
 * that many steps.  Buffers are mapped piecewise (a descriptor may span
 * RAM blocks), at most VIRTQUEUE_MAX_SIZE pieces per element.
 */
#include "qemu/osdep.h"
#include "hw/virtio/virtqueue.h"

#define AVAIL_FLAGS(vq)     ((vq)->avail)
#define AVAIL_IDX(vq)       ((vq)->avail + 2)
#define AVAIL_RING(vq, i)   ((vq)->avail + 4 + 2 * (uint64_t)(i))
#define USED_EVENT(vq)      AVAIL_RING(vq, (vq)->num)
#define USED_IDX(vq)        ((vq)->used + 2)
#define USED_RING(vq, i)    ((vq)->used + 4 + 8 * (uint64_t)(i))
#define AVAIL_EVENT(vq)     USED_RING(vq, (vq)->num)

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

/* Buffers of one chain while it is being walked. */
typedef struct ChainScratch {
    unsigned int out_num;
    unsigned int in_num;
    struct iovec iov[VIRTQUEUE_MAX_SIZE];
    uint64_t addr[VIRTQUEUE_MAX_SIZE];
} ChainScratch;

static inline void ring_barrier(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static bool mem_read16(VirtQueue *vq, uint64_t addr, uint16_t *val)
{
    uint16_t le;

    if (!vq->mem->ops->read(vq->mem->opaque, addr, &le, sizeof(le))) {
        return false;
    }
    *val = GUINT16_FROM_LE(le);
    return true;
}

static bool mem_write16(VirtQueue *vq, uint64_t addr, uint16_t val)
{
    uint16_t le = GUINT16_TO_LE(val);

    return vq->mem->ops->write(vq->mem->opaque, addr, &le, sizeof(le));
}

uint64_t virtqueue_desc_size(uint16_t num)
{
    return (uint64_t)num * VRING_DESC_SIZE;
}

uint64_t virtqueue_avail_size(uint16_t num)
{
    return 6 + 2 * (uint64_t)num;
}

uint64_t virtqueue_used_size(uint16_t num)
{
    return 6 + (uint64_t)num * VRING_USED_ELEM_SIZE;
}

void virtqueue_init(VirtQueue *vq, uint16_t num_max, const VirtioMem *mem)
{
    memset(vq, 0, sizeof(*vq));
    vq->num_max = num_max;
    vq->mem = mem;
    virtqueue_reset(vq);
}

void virtqueue_reset(VirtQueue *vq)
{
    vq->num = vq->num_max;
    vq->vector = 0xffff;
    vq->enabled = false;
    vq->desc = vq->avail = vq->used = 0;
    vq->last_avail_idx = vq->used_idx = 0;
    vq->pending = vq->inuse = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->event_idx = vq->indirect = false;
    vq->broken = false;
}

bool virtqueue_ready(const VirtQueue *vq)
{
    return vq->num && vq->enabled && !vq->broken && vq->desc;
}

static bool read_desc(VirtQueue *vq, uint64_t table, unsigned int max,
                      unsigned int i, VRingDesc *d)
{
    uint8_t raw[VRING_DESC_SIZE];

    if (i >= max || !vq->mem->ops->read(vq->mem->opaque,
                                        table + (uint64_t)i * VRING_DESC_SIZE,
                                        raw, sizeof(raw))) {
        return false;
    }
    memcpy(&d->addr, raw, 8);
    memcpy(&d->len, raw + 8, 4);
    memcpy(&d->flags, raw + 12, 2);
    memcpy(&d->next, raw + 14, 2);
    d->addr = GUINT64_FROM_LE(d->addr);
    d->len = GUINT32_FROM_LE(d->len);
    d->flags = GUINT16_FROM_LE(d->flags);
    d->next = GUINT16_FROM_LE(d->next);
    return true;
}

static void scratch_unmap(VirtQueue *vq, ChainScratch *s)
{
    unsigned int i;

    for (i = 0; i < s->out_num + s->in_num; i++) {
        vq->mem->ops->unmap(vq->mem->opaque, s->iov[i].iov_base,
                            s->iov[i].iov_len, i >= s->out_num, 0);
    }
    s->out_num = s->in_num = 0;
}

static bool map_desc(VirtQueue *vq, ChainScratch *s, const VRingDesc *d)
{
    bool is_write = d->flags & VRING_DESC_F_WRITE;
    uint64_t addr = d->addr;
    uint64_t left = d->len;

    if (!is_write && s->in_num) {
        return false;        /* readable after writable */
    }
    if (addr + left < addr) {
        return false;
    }
    while (left) {
        unsigned int n = s->out_num + s->in_num;
        uint64_t plen = left;
        void *p;

        if (n >= VIRTQUEUE_MAX_SIZE) {
            return false;
        }
        p = vq->mem->ops->map(vq->mem->opaque, addr, &plen, is_write);
        if (!p) {
            return false;
        }
        if (!plen || plen > left) {
            vq->mem->ops->unmap(vq->mem->opaque, p, plen, is_write, 0);
            return false;
        }
        s->iov[n].iov_base = p;
        s->iov[n].iov_len = plen;
        s->addr[n] = addr;
        if (is_write) {
            s->in_num++;
        } else {
            s->out_num++;
        }
        addr += plen;
        left -= plen;
    }
    return true;
}

/* Walk the chain at @head into @s; false (nothing mapped) if malformed. */
static bool walk_chain(VirtQueue *vq, unsigned int head, ChainScratch *s)
{
    uint64_t table = vq->desc;
    unsigned int max = vq->num;
    unsigned int steps = 0;
    VRingDesc d;

    s->out_num = s->in_num = 0;
    if (!read_desc(vq, table, max, head, &d)) {
        return false;
    }
    if (d.flags & VRING_DESC_F_INDIRECT) {
        if (!vq->indirect || (d.flags & VRING_DESC_F_NEXT) ||
            d.len == 0 || d.len % VRING_DESC_SIZE ||
            d.len / VRING_DESC_SIZE > VIRTQUEUE_MAX_SIZE) {
            return false;
        }
        table = d.addr;
        max = d.len / VRING_DESC_SIZE;
        if (!read_desc(vq, table, max, 0, &d)) {
            return false;
        }
    }
    for (;;) {
        if (++steps > max || (d.flags & VRING_DESC_F_INDIRECT) ||
            !map_desc(vq, s, &d)) {
            goto out_unmap;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        if (!read_desc(vq, table, max, d.next, &d)) {
            goto out_unmap;
        }
    }

out_unmap:
    scratch_unmap(vq, s);
    return false;
}

static VirtQueueElement *element_from_scratch(const ChainScratch *s,
                                              unsigned int head, size_t sz)
{
    unsigned int n = s->out_num + s->in_num;
    size_t head_sz = QEMU_ALIGN_UP(sz, 8);
    size_t total = head_sz + n * (sizeof(struct iovec) + sizeof(uint64_t));
    VirtQueueElement *elem = g_malloc0(total);
    struct iovec *iov = (struct iovec *)((uint8_t *)elem + head_sz);
    uint64_t *addr = (uint64_t *)(iov + n);

    elem->index = head;
    elem->len = total;
    elem->out_num = s->out_num;
    elem->in_num = s->in_num;
    elem->out_sg = iov;
    elem->in_sg = iov + s->out_num;
    elem->out_addr = addr;
    elem->in_addr = addr + s->out_num;
    memcpy(iov, s->iov, n * sizeof(struct iovec));
    memcpy(addr, s->addr, n * sizeof(uint64_t));
    return elem;
}

unsigned int virtqueue_avail_count(VirtQueue *vq)
{
    uint16_t idx;

    if (!virtqueue_ready(vq) || !mem_read16(vq, AVAIL_IDX(vq), &idx)) {
        return 0;
    }
    return (uint16_t)(idx - vq->last_avail_idx);
}

bool virtqueue_empty(VirtQueue *vq)
{
    return virtqueue_avail_count(vq) == 0;
}

static void *mark_broken(VirtQueue *vq)
{
    vq->broken = true;
    return NULL;
}

void *virtqueue_pop(VirtQueue *vq, size_t sz)
{
    g_autofree ChainScratch *s = NULL;
    unsigned int tries;

    assert(sz >= sizeof(VirtQueueElement));
    if (!virtqueue_ready(vq)) {
        return NULL;
    }
    for (tries = 0; tries < vq->num; tries++) {
        uint16_t avail_idx, head;

        if (!mem_read16(vq, AVAIL_IDX(vq), &avail_idx)) {
            return mark_broken(vq);
        }
        if ((uint16_t)(avail_idx - vq->last_avail_idx) > vq->num) {
            return mark_broken(vq);
        }
        if (avail_idx == vq->last_avail_idx) {
            return NULL;
        }
        ring_barrier();      /* ring entries after the index */
        if (!mem_read16(vq, AVAIL_RING(vq, vq->last_avail_idx % vq->num),
                        &head)) {
            return mark_broken(vq);
        }
        vq->last_avail_idx++;
        if (vq->event_idx &&
            !mem_write16(vq, AVAIL_EVENT(vq), vq->last_avail_idx)) {
            return mark_broken(vq);
        }
        if (!s) {
            s = g_new(ChainScratch, 1);
        }
        if (!walk_chain(vq, head, s)) {
            return mark_broken(vq);
        }
        if (s->out_num + s->in_num == 0) {
            /* a chain of empty buffers: return it unused and go on */
            virtqueue_push_head(vq, head, 0);
            continue;
        }
        vq->inuse++;
        return element_from_scratch(s, head, sz);
    }
    return NULL;
}

void *virtqueue_map_head(VirtQueue *vq, unsigned int head, size_t sz)
{
    g_autofree ChainScratch *s = g_new(ChainScratch, 1);

    assert(sz >= sizeof(VirtQueueElement));
    if (!vq->num || vq->broken || !walk_chain(vq, head, s)) {
        return mark_broken(vq);
    }
    return element_from_scratch(s, head, sz);
}

void virtqueue_element_free(const VirtQueue *vq, VirtQueueElement *elem,
                            size_t written)
{
    virtqueue_element_release(vq->mem, elem, written);
}

void virtqueue_element_release(const VirtioMem *mem, VirtQueueElement *elem,
                               size_t written)
{
    unsigned int i;

    if (!elem) {
        return;
    }
    for (i = 0; i < elem->out_num; i++) {
        mem->ops->unmap(mem->opaque, elem->out_sg[i].iov_base,
                            elem->out_sg[i].iov_len, false, 0);
    }
    for (i = 0; i < elem->in_num; i++) {
        size_t n = MIN(written, elem->in_sg[i].iov_len);

        mem->ops->unmap(mem->opaque, elem->in_sg[i].iov_base,
                            elem->in_sg[i].iov_len, true, n);
        written -= n;
    }
    g_free(elem);
}

static void fill_head(VirtQueue *vq, unsigned int head, unsigned int len,
                      unsigned int idx)
{
    uint32_t raw[2] = { GUINT32_TO_LE(head), GUINT32_TO_LE(len) };
    uint16_t pos;

    if (!vq->num || vq->broken) {
        return;
    }
    pos = (uint16_t)(vq->used_idx + idx) % vq->num;
    if (!vq->mem->ops->write(vq->mem->opaque, USED_RING(vq, pos), raw,
                             sizeof(raw))) {
        vq->broken = true;
    }
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem,
                    unsigned int len, unsigned int idx)
{
    fill_head(vq, elem->index, len, idx);
}

void virtqueue_flush(VirtQueue *vq, unsigned int count)
{
    uint16_t new_idx;

    if (!vq->num || vq->broken) {
        return;
    }
    ring_barrier();          /* used entries before the index */
    new_idx = vq->used_idx + count;
    if (!mem_write16(vq, USED_IDX(vq), new_idx)) {
        vq->broken = true;
        return;
    }
    vq->used_idx = new_idx;
    vq->inuse -= MIN(count, vq->inuse);
}

void virtqueue_push(VirtQueue *vq, VirtQueueElement *elem, unsigned int len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
    virtqueue_element_free(vq, elem, len);
}

void virtqueue_push_head(VirtQueue *vq, unsigned int head, unsigned int len)
{
    uint16_t inuse = vq->inuse;

    fill_head(vq, head, len, 0);
    virtqueue_flush(vq, 1);
    vq->inuse = inuse;       /* it was never counted as in use */
}

bool virtqueue_rewind(VirtQueue *vq, unsigned int n)
{
    if (n > vq->inuse) {
        return false;
    }
    vq->last_avail_idx -= n;
    vq->inuse -= n;
    return true;
}

bool virtqueue_should_notify(VirtQueue *vq)
{
    uint16_t flags, event, old, new_idx;
    bool valid;

    if (!vq->num) {
        return false;
    }
    ring_barrier();          /* published index before the driver's flags */
    if (!vq->event_idx) {
        if (!mem_read16(vq, AVAIL_FLAGS(vq), &flags)) {
            return true;
        }
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    old = vq->signalled_used;
    valid = vq->signalled_used_valid;
    new_idx = vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    if (!valid || !mem_read16(vq, USED_EVENT(vq), &event)) {
        return true;
    }
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}
