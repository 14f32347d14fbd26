/*
 * A fake guest memory for the virtio unit tests: one flat buffer at
 * guest address 0 plus helpers that play the driver's part of a split
 * virtqueue (write descriptors, make heads available, read the used
 * ring).  Mappings are cut at @map_chunk boundaries when it is set, to
 * exercise piecewise mapping, and counted so tests can check that every
 * mapping is released.
 */
#ifndef TESTS_TEST_VIRTIO_MEM_H
#define TESTS_TEST_VIRTIO_MEM_H

#include "hw/virtio/virtqueue.h"

#define FAKE_MEM_SIZE   (1024 * 1024)

typedef struct FakeMem {
    uint8_t *ram;
    uint64_t size;
    uint64_t map_chunk;      /* 0: no cut */
    int maps;                /* live mappings */
    uint64_t ring_base;      /* added to the DRV_ ring addresses */
    VirtioMem mem;
} FakeMem;

static bool fake_in_range(FakeMem *m, uint64_t addr, uint64_t len)
{
    return addr < m->size && len <= m->size - addr;
}

static bool fake_read(void *opaque, uint64_t addr, void *buf, uint64_t len)
{
    FakeMem *m = opaque;

    if (!fake_in_range(m, addr, len)) {
        return false;
    }
    memcpy(buf, m->ram + addr, len);
    return true;
}

static bool fake_write(void *opaque, uint64_t addr, const void *buf,
                       uint64_t len)
{
    FakeMem *m = opaque;

    if (!fake_in_range(m, addr, len)) {
        return false;
    }
    memcpy(m->ram + addr, buf, len);
    return true;
}

static void *fake_map(void *opaque, uint64_t addr, uint64_t *len,
                      bool is_write)
{
    FakeMem *m = opaque;

    if (addr >= m->size) {
        return NULL;
    }
    *len = MIN(*len, m->size - addr);
    if (m->map_chunk) {
        *len = MIN(*len, m->map_chunk - addr % m->map_chunk);
    }
    m->maps++;
    return m->ram + addr;
}

static void fake_unmap(void *opaque, void *host, uint64_t len,
                       bool is_write, uint64_t access_len)
{
    FakeMem *m = opaque;

    m->maps--;
}

static const VirtioMemOps fake_mem_ops = {
    .read = fake_read,
    .write = fake_write,
    .map = fake_map,
    .unmap = fake_unmap,
};

static inline void fake_mem_init(FakeMem *m)
{
    memset(m, 0, sizeof(*m));
    m->size = FAKE_MEM_SIZE;
    m->ram = g_malloc0(m->size);
    m->mem.ops = &fake_mem_ops;
    m->mem.opaque = m;
}

static inline void fake_mem_free(FakeMem *m)
{
    g_free(m->ram);
}

/* Driver-side ring layout used by the tests. */
#define DRV_DESC    0x1000
#define DRV_AVAIL   0x5000
#define DRV_USED    0x6000
#define DRV_BUF     0x10000

static inline void drv_setup_at(VirtQueue *vq, uint16_t num, uint64_t base)
{
    vq->num = num;
    vq->desc = base + DRV_DESC;
    vq->avail = base + DRV_AVAIL;
    vq->used = base + DRV_USED;
    vq->enabled = true;
}

static inline void drv_setup(VirtQueue *vq, uint16_t num)
{
    drv_setup_at(vq, num, 0);
}

static inline void drv_desc_at(FakeMem *m, uint64_t table, unsigned int i,
                               uint64_t addr, uint32_t len, uint16_t flags,
                               uint16_t next)
{
    uint8_t *p = m->ram + table + 16 * i;

    addr = GUINT64_TO_LE(addr);
    len = GUINT32_TO_LE(len);
    flags = GUINT16_TO_LE(flags);
    next = GUINT16_TO_LE(next);
    memcpy(p, &addr, 8);
    memcpy(p + 8, &len, 4);
    memcpy(p + 12, &flags, 2);
    memcpy(p + 14, &next, 2);
}

static inline void drv_desc(FakeMem *m, unsigned int i, uint64_t addr,
                            uint32_t len, uint16_t flags, uint16_t next)
{
    drv_desc_at(m, m->ring_base + DRV_DESC, i, addr, len, flags, next);
}

static inline uint16_t drv_get16(FakeMem *m, uint64_t addr)
{
    uint16_t v;

    memcpy(&v, m->ram + addr, 2);
    return GUINT16_FROM_LE(v);
}

static inline void drv_set16(FakeMem *m, uint64_t addr, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    memcpy(m->ram + addr, &v, 2);
}

/* Make @head available (avail.ring[idx % num] = head; idx++). */
static inline void drv_kick(FakeMem *m, uint16_t num, uint16_t head)
{
    uint16_t idx = drv_get16(m, m->ring_base + DRV_AVAIL + 2);

    drv_set16(m, m->ring_base + DRV_AVAIL + 4 + 2 * (idx % num), head);
    drv_set16(m, m->ring_base + DRV_AVAIL + 2, idx + 1);
}

static inline uint16_t drv_used_idx(FakeMem *m)
{
    return drv_get16(m, m->ring_base + DRV_USED + 2);
}

static inline void drv_used_elem(FakeMem *m, uint16_t num, uint16_t i,
                                 uint32_t *id, uint32_t *len)
{
    uint8_t *p = m->ram + m->ring_base + DRV_USED + 4 + 8 * (i % num);

    memcpy(id, p, 4);
    memcpy(len, p + 4, 4);
    *id = GUINT32_FROM_LE(*id);
    *len = GUINT32_FROM_LE(*len);
}

#endif
