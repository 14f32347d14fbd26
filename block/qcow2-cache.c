/*
 * qcow2 metadata cache: a few cluster-sized buffers (L2 tables or
 * refcount blocks) with LRU replacement and write-back.  Evicting a
 * dirty L2 table first writes the dirty refcount blocks (qcow2.h:
 * refcounts reach the disk before references).  Caller holds s->lock.
 */
#include "qemu/osdep.h"
#include "block/qcow2.h"

void qcow2_cache_init(Qcow2Cache *c, int size, uint64_t cluster_size,
                      bool is_l2)
{
    int i;

    c->entries = g_new0(Qcow2CacheEntry, size);
    c->size = size;
    c->is_l2 = is_l2;
    for (i = 0; i < size; i++) {
        c->entries[i].buf = g_malloc(cluster_size);
    }
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    int i;

    for (i = 0; i < c->size; i++) {
        g_free(c->entries[i].buf);
    }
    g_free(c->entries);
    c->entries = NULL;
    c->size = 0;
}

static int cache_write_entry(BlockDriverState *bs, Qcow2Cache *c,
                             Qcow2CacheEntry *e)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!e->dirty) {
        return 0;
    }
    if (c->is_l2) {
        ret = qcow2_cache_flush(bs, &s->refblock_cache);
        if (ret < 0) {
            return ret;
        }
    }
    ret = bdrv_pwrite(bs->file, e->offset, s->cluster_size, e->buf, 0);
    if (ret == 0) {
        e->dirty = false;
    }
    return ret;
}

int qcow2_cache_flush(BlockDriverState *bs, Qcow2Cache *c)
{
    int i, ret, result = 0;

    for (i = 0; i < c->size; i++) {
        if (c->entries[i].offset) {
            ret = cache_write_entry(bs, c, &c->entries[i]);
            if (ret < 0) {
                result = ret;
            }
        }
    }
    return result;
}

int qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                    bool read, uint8_t **buf)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CacheEntry *victim = NULL;
    int i, ret;

    if (offset == 0 || qcow2_offset_into_cluster(s, offset)) {
        return -EIO;
    }
    for (i = 0; i < c->size; i++) {
        Qcow2CacheEntry *e = &c->entries[i];

        if (e->offset == offset) {
            e->lru = ++c->lru_counter;
            if (!read) {
                memset(e->buf, 0, s->cluster_size);
                e->dirty = true;
            }
            *buf = e->buf;
            return 0;
        }
        if (!e->offset) {
            /* free slots first */
            if (!victim || victim->offset) {
                victim = e;
            }
        } else if (!victim || (victim->offset && e->lru < victim->lru)) {
            victim = e;
        }
    }
    if (victim->offset) {
        ret = cache_write_entry(bs, c, victim);
        if (ret < 0) {
            return ret;
        }
    }
    victim->offset = 0;
    if (read) {
        ret = bdrv_pread(bs->file, offset, s->cluster_size, victim->buf, 0);
        if (ret < 0) {
            return ret;
        }
    } else {
        memset(victim->buf, 0, s->cluster_size);
    }
    victim->offset = offset;
    victim->dirty = !read;
    victim->lru = ++c->lru_counter;
    *buf = victim->buf;
    return 0;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, uint8_t *buf)
{
    int i;

    for (i = 0; i < c->size; i++) {
        if (c->entries[i].buf == buf) {
            c->entries[i].dirty = true;
            return;
        }
    }
    g_assert_not_reached();
}

void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset)
{
    int i;

    for (i = 0; i < c->size; i++) {
        if (c->entries[i].offset == offset) {
            c->entries[i].offset = 0;
            c->entries[i].dirty = false;
        }
    }
}
