/*
 * Split virtqueue core against a fake guest memory: pop/push, chains,
 * indirect tables, piecewise mapping, notification suppression
 * (flags and EVENT_IDX), and every malformed-chain case a hostile
 * driver can build (the queue is marked broken, nothing crashes, and
 * nothing stays mapped).
 */
#include "qemu/osdep.h"
#include "test-virtio-mem.h"

#define QSZ 8

typedef struct Fixture {
    FakeMem m;
    VirtQueue vq;
} Fixture;

static void fx_init(Fixture *f)
{
    fake_mem_init(&f->m);
    virtqueue_init(&f->vq, QSZ, &f->m.mem);
    drv_setup(&f->vq, QSZ);
}

static void fx_done(Fixture *f)
{
    g_assert_cmpint(f->m.maps, ==, 0);
    fake_mem_free(&f->m);
}

static void test_pop_push(void)
{
    Fixture f;
    VirtQueueElement *e;
    uint32_t id, len;

    fx_init(&f);
    g_assert_null(virtqueue_pop(&f.vq, sizeof(*e)));
    memcpy(f.m.ram + DRV_BUF, "hello", 5);
    drv_desc(&f.m, 3, DRV_BUF, 5, VRING_DESC_F_NEXT, 5);
    drv_desc(&f.m, 5, DRV_BUF + 0x100, 64, VRING_DESC_F_WRITE, 0);
    drv_kick(&f.m, QSZ, 3);
    g_assert_cmpuint(virtqueue_avail_count(&f.vq), ==, 1);

    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->index, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 1);
    g_assert_cmpmem(e->out_sg[0].iov_base, 5, "hello", 5);
    g_assert_cmpuint(e->in_sg[0].iov_len, ==, 64);
    g_assert_cmpuint(e->in_addr[0], ==, DRV_BUF + 0x100);
    g_assert_cmpuint(f.vq.inuse, ==, 1);
    memcpy(e->in_sg[0].iov_base, "world", 5);
    virtqueue_push(&f.vq, e, 5);

    g_assert_cmpuint(drv_used_idx(&f.m), ==, 1);
    drv_used_elem(&f.m, QSZ, 0, &id, &len);
    g_assert_cmpuint(id, ==, 3);
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpmem(f.m.ram + DRV_BUF + 0x100, 5, "world", 5);
    g_assert_cmpuint(f.vq.inuse, ==, 0);
    g_assert_null(virtqueue_pop(&f.vq, sizeof(*e)));
    g_assert_false(f.vq.broken);
    fx_done(&f);
}

/* The ring wraps: more pops than entries, in order. */
static void test_wrap(void)
{
    Fixture f;
    int i;

    fx_init(&f);
    for (i = 0; i < 3 * QSZ + 1; i++) {
        VirtQueueElement *e;
        uint32_t id, len;

        drv_desc(&f.m, i % QSZ, DRV_BUF, 16, 0, 0);
        drv_kick(&f.m, QSZ, i % QSZ);
        e = virtqueue_pop(&f.vq, sizeof(*e));
        g_assert_nonnull(e);
        g_assert_cmpuint(e->index, ==, i % QSZ);
        virtqueue_push(&f.vq, e, 0);
        drv_used_elem(&f.m, QSZ, i, &id, &len);
        g_assert_cmpuint(id, ==, i % QSZ);
    }
    g_assert_cmpuint(drv_used_idx(&f.m), ==, 3 * QSZ + 1);
    fx_done(&f);
}

/* fill/flush batches: used.idx moves only on flush. */
static void test_fill_flush(void)
{
    Fixture f;
    VirtQueueElement *a, *b;
    uint32_t id, len;

    fx_init(&f);
    drv_desc(&f.m, 0, DRV_BUF, 16, VRING_DESC_F_WRITE, 0);
    drv_desc(&f.m, 1, DRV_BUF + 16, 16, VRING_DESC_F_WRITE, 0);
    drv_kick(&f.m, QSZ, 0);
    drv_kick(&f.m, QSZ, 1);
    a = virtqueue_pop(&f.vq, sizeof(*a));
    b = virtqueue_pop(&f.vq, sizeof(*b));
    virtqueue_fill(&f.vq, a, 10, 0);
    virtqueue_fill(&f.vq, b, 16, 1);
    g_assert_cmpuint(drv_used_idx(&f.m), ==, 0);
    virtqueue_flush(&f.vq, 2);
    g_assert_cmpuint(drv_used_idx(&f.m), ==, 2);
    drv_used_elem(&f.m, QSZ, 1, &id, &len);
    g_assert_cmpuint(id, ==, 1);
    g_assert_cmpuint(len, ==, 16);
    virtqueue_element_free(&f.vq, a, 10);
    virtqueue_element_free(&f.vq, b, 16);
    g_assert_cmpuint(f.vq.inuse, ==, 0);
    fx_done(&f);
}

static void test_indirect(void)
{
    Fixture f;
    VirtQueueElement *e;
    uint64_t table = 0x8000;

    fx_init(&f);
    f.vq.indirect = true;
    drv_desc_at(&f.m, table, 0, DRV_BUF, 16, VRING_DESC_F_NEXT, 1);
    drv_desc_at(&f.m, table, 1, DRV_BUF + 16, 512,
                VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
    drv_desc_at(&f.m, table, 2, DRV_BUF + 1024, 1, VRING_DESC_F_WRITE, 0);
    drv_desc(&f.m, 2, table, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f.m, QSZ, 2);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->index, ==, 2);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->in_sg[1].iov_len, ==, 1);
    virtqueue_push(&f.vq, e, 513);
    fx_done(&f);
}

/* A buffer crossing a mapping boundary becomes several iovecs. */
static void test_piecewise_map(void)
{
    Fixture f;
    VirtQueueElement *e;

    fx_init(&f);
    f.m.map_chunk = 4096;
    drv_desc(&f.m, 0, DRV_BUF + 4000, 200, VRING_DESC_F_WRITE, 0);
    drv_kick(&f.m, QSZ, 0);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->in_num, ==, 2);
    g_assert_cmpuint(e->in_sg[0].iov_len, ==, 96);
    g_assert_cmpuint(e->in_sg[1].iov_len, ==, 104);
    g_assert_cmpuint(e->in_addr[1], ==, DRV_BUF + 4096);
    virtqueue_push(&f.vq, e, 0);
    fx_done(&f);
}

/* A chain made only of zero-length buffers is returned unused. */
static void test_zero_length_chain(void)
{
    Fixture f;
    VirtQueueElement *e;
    uint32_t id, len;

    fx_init(&f);
    drv_desc(&f.m, 0, DRV_BUF, 0, VRING_DESC_F_NEXT, 1);
    drv_desc(&f.m, 1, DRV_BUF, 0, VRING_DESC_F_WRITE, 0);
    drv_desc(&f.m, 4, DRV_BUF, 8, 0, 0);
    drv_kick(&f.m, QSZ, 0);
    drv_kick(&f.m, QSZ, 4);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->index, ==, 4);
    drv_used_elem(&f.m, QSZ, 0, &id, &len);
    g_assert_cmpuint(id, ==, 0);
    g_assert_cmpuint(len, ==, 0);
    g_assert_cmpuint(f.vq.inuse, ==, 1);
    virtqueue_push(&f.vq, e, 0);
    g_assert_cmpuint(drv_used_idx(&f.m), ==, 2);
    g_assert_false(f.vq.broken);
    fx_done(&f);
}

/* ---- hostile chains: each one breaks the queue, nothing else ---- */

typedef void BuildFn(Fixture *f);

static void build_loop(Fixture *f)
{
    drv_desc(&f->m, 0, DRV_BUF, 8, VRING_DESC_F_NEXT, 1);
    drv_desc(&f->m, 1, DRV_BUF, 8, VRING_DESC_F_NEXT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_self_loop(Fixture *f)
{
    drv_desc(&f->m, 2, DRV_BUF, 8, VRING_DESC_F_NEXT, 2);
    drv_kick(&f->m, QSZ, 2);
}

static void build_next_out_of_range(Fixture *f)
{
    drv_desc(&f->m, 0, DRV_BUF, 8, VRING_DESC_F_NEXT, QSZ);
    drv_kick(&f->m, QSZ, 0);
}

static void build_head_out_of_range(Fixture *f)
{
    drv_kick(&f->m, QSZ, 0xffff);
}

static void build_addr_out_of_range(Fixture *f)
{
    drv_desc(&f->m, 0, FAKE_MEM_SIZE - 4, 8, 0, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_addr_wraps(Fixture *f)
{
    drv_desc(&f->m, 0, UINT64_MAX - 3, 8, 0, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_read_after_write(Fixture *f)
{
    drv_desc(&f->m, 0, DRV_BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
             1);
    drv_desc(&f->m, 1, DRV_BUF, 8, 0, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_not_negotiated(Fixture *f)
{
    f->vq.indirect = false;
    drv_desc_at(&f->m, 0x8000, 0, DRV_BUF, 8, 0, 0);
    drv_desc(&f->m, 0, 0x8000, 16, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_in_indirect(Fixture *f)
{
    drv_desc_at(&f->m, 0x8000, 0, DRV_BUF, 8, VRING_DESC_F_NEXT, 1);
    drv_desc_at(&f->m, 0x8000, 1, 0x9000, 16, VRING_DESC_F_INDIRECT, 0);
    drv_desc_at(&f->m, 0x9000, 0, DRV_BUF, 8, 0, 0);
    drv_desc(&f->m, 0, 0x8000, 32, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_bad_len(Fixture *f)
{
    drv_desc(&f->m, 0, 0x8000, 17, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_empty(Fixture *f)
{
    drv_desc(&f->m, 0, 0x8000, 0, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_loop(Fixture *f)
{
    drv_desc_at(&f->m, 0x8000, 0, DRV_BUF, 8, VRING_DESC_F_NEXT, 1);
    drv_desc_at(&f->m, 0x8000, 1, DRV_BUF, 8, VRING_DESC_F_NEXT, 0);
    drv_desc(&f->m, 0, 0x8000, 32, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_next_out_of_table(Fixture *f)
{
    drv_desc_at(&f->m, 0x8000, 0, DRV_BUF, 8, VRING_DESC_F_NEXT, 2);
    drv_desc(&f->m, 0, 0x8000, 32, VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_table_outside(Fixture *f)
{
    drv_desc(&f->m, 0, FAKE_MEM_SIZE + 0x1000, 32, VRING_DESC_F_INDIRECT,
             0);
    drv_kick(&f->m, QSZ, 0);
}

static void build_indirect_huge(Fixture *f)
{
    drv_desc(&f->m, 0, 0x8000, 16 * (VIRTQUEUE_MAX_SIZE + 1),
             VRING_DESC_F_INDIRECT, 0);
    drv_kick(&f->m, QSZ, 0);
}

/* Too many pieces: a chain of mappings beyond VIRTQUEUE_MAX_SIZE. */
static void build_too_many_pieces(Fixture *f)
{
    f->m.map_chunk = 16;
    drv_desc(&f->m, 0, DRV_BUF, 16 * (VIRTQUEUE_MAX_SIZE + 1), 0, 0);
    drv_kick(&f->m, QSZ, 0);
}

/* The driver claims more new entries than the ring holds. */
static void build_avail_idx_jump(Fixture *f)
{
    drv_set16(&f->m, DRV_AVAIL + 2, QSZ + 1);
}

/* The rings themselves outside memory. */
static void build_ring_outside(Fixture *f)
{
    f->vq.avail = FAKE_MEM_SIZE - 2;
}

static void test_hostile(gconstpointer data)
{
    BuildFn *build = (BuildFn *)data;
    Fixture f;

    fx_init(&f);
    f.vq.indirect = true;
    build(&f);
    g_assert_null(virtqueue_pop(&f.vq, sizeof(VirtQueueElement)));
    g_assert_true(f.vq.broken);
    g_assert_cmpuint(f.vq.inuse, ==, 0);
    /* stays broken: nothing more is popped, nothing written */
    drv_desc(&f.m, 7, DRV_BUF, 8, 0, 0);
    drv_kick(&f.m, QSZ, 7);
    g_assert_null(virtqueue_pop(&f.vq, sizeof(VirtQueueElement)));
    g_assert_false(virtqueue_ready(&f.vq));
    /* reset clears it */
    virtqueue_reset(&f.vq);
    g_assert_false(f.vq.broken);
    fx_done(&f);
}

/* A chain exactly as long as the queue is fine; one more is a loop. */
static void test_max_chain(void)
{
    Fixture f;
    VirtQueueElement *e;
    int i;

    fx_init(&f);
    for (i = 0; i < QSZ; i++) {
        drv_desc(&f.m, i, DRV_BUF + 8 * i, 8,
                 i < QSZ - 1 ? VRING_DESC_F_NEXT : 0, i + 1);
    }
    drv_kick(&f.m, QSZ, 0);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->out_num, ==, QSZ);
    virtqueue_push(&f.vq, e, 0);
    fx_done(&f);
}

static void test_notify_flags(void)
{
    Fixture f;

    fx_init(&f);
    virtqueue_push_head(&f.vq, 0, 0);
    g_assert_true(virtqueue_should_notify(&f.vq));
    drv_set16(&f.m, DRV_AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    virtqueue_push_head(&f.vq, 0, 0);
    g_assert_false(virtqueue_should_notify(&f.vq));
    fx_done(&f);
}

static void test_notify_event_idx(void)
{
    Fixture f;
    VirtQueueElement *e;

    fx_init(&f);
    f.vq.event_idx = true;
    /* the driver wants an interrupt once used.idx passes 2 */
    drv_set16(&f.m, DRV_AVAIL + 4 + 2 * QSZ, 2);
    virtqueue_push_head(&f.vq, 0, 0);          /* idx 1 */
    g_assert_true(virtqueue_should_notify(&f.vq));  /* first: always */
    virtqueue_push_head(&f.vq, 0, 0);          /* idx 2 */
    g_assert_false(virtqueue_should_notify(&f.vq));
    virtqueue_push_head(&f.vq, 0, 0);          /* idx 3: crosses 2 */
    g_assert_true(virtqueue_should_notify(&f.vq));
    virtqueue_push_head(&f.vq, 0, 0);          /* idx 4 */
    g_assert_false(virtqueue_should_notify(&f.vq));

    /* popping publishes avail_event = last_avail_idx */
    drv_desc(&f.m, 1, DRV_BUF, 8, 0, 0);
    drv_kick(&f.m, QSZ, 1);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(drv_get16(&f.m, DRV_USED + 4 + 8 * QSZ), ==, 1);
    virtqueue_push(&f.vq, e, 0);
    fx_done(&f);
}

static void test_rewind_and_map_head(void)
{
    Fixture f;
    VirtQueueElement *e;

    fx_init(&f);
    drv_desc(&f.m, 6, DRV_BUF, 8, VRING_DESC_F_WRITE, 0);
    drv_kick(&f.m, QSZ, 6);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    virtqueue_element_free(&f.vq, e, 0);
    g_assert_false(virtqueue_rewind(&f.vq, 2));
    g_assert_true(virtqueue_rewind(&f.vq, 1));
    g_assert_cmpuint(virtqueue_avail_count(&f.vq), ==, 1);
    e = virtqueue_pop(&f.vq, sizeof(*e));
    g_assert_cmpuint(e->index, ==, 6);
    virtqueue_element_free(&f.vq, e, 0);

    /* re-map a popped head (what a migration target does) */
    e = virtqueue_map_head(&f.vq, 6, sizeof(*e));
    g_assert_nonnull(e);
    g_assert_cmpuint(e->in_num, ==, 1);
    virtqueue_push(&f.vq, e, 8);
    g_assert_cmpuint(f.vq.inuse, ==, 0);
    g_assert_null(virtqueue_map_head(&f.vq, QSZ, sizeof(*e)));
    g_assert_true(f.vq.broken);
    fx_done(&f);
}

/* Not configured / not enabled: nothing popped, nothing broken. */
static void test_not_ready(void)
{
    Fixture f;

    fx_init(&f);
    drv_desc(&f.m, 0, DRV_BUF, 8, 0, 0);
    drv_kick(&f.m, QSZ, 0);
    f.vq.enabled = false;
    g_assert_null(virtqueue_pop(&f.vq, sizeof(VirtQueueElement)));
    g_assert_false(f.vq.broken);
    fx_done(&f);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        BuildFn *fn;
    } hostile[] = {
        { "loop", build_loop },
        { "self-loop", build_self_loop },
        { "next-out-of-range", build_next_out_of_range },
        { "head-out-of-range", build_head_out_of_range },
        { "addr-out-of-range", build_addr_out_of_range },
        { "addr-wraps", build_addr_wraps },
        { "read-after-write", build_read_after_write },
        { "indirect-not-negotiated", build_indirect_not_negotiated },
        { "indirect-in-indirect", build_indirect_in_indirect },
        { "indirect-bad-len", build_indirect_bad_len },
        { "indirect-empty", build_indirect_empty },
        { "indirect-loop", build_indirect_loop },
        { "indirect-next-out-of-table", build_indirect_next_out_of_table },
        { "indirect-table-outside", build_indirect_table_outside },
        { "indirect-huge", build_indirect_huge },
        { "too-many-pieces", build_too_many_pieces },
        { "avail-idx-jump", build_avail_idx_jump },
        { "ring-outside", build_ring_outside },
    };
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio/queue/pop-push", test_pop_push);
    g_test_add_func("/virtio/queue/wrap", test_wrap);
    g_test_add_func("/virtio/queue/fill-flush", test_fill_flush);
    g_test_add_func("/virtio/queue/indirect", test_indirect);
    g_test_add_func("/virtio/queue/piecewise-map", test_piecewise_map);
    g_test_add_func("/virtio/queue/zero-length-chain",
                    test_zero_length_chain);
    g_test_add_func("/virtio/queue/max-chain", test_max_chain);
    g_test_add_func("/virtio/queue/notify-flags", test_notify_flags);
    g_test_add_func("/virtio/queue/notify-event-idx", test_notify_event_idx);
    g_test_add_func("/virtio/queue/rewind-map-head",
                    test_rewind_and_map_head);
    g_test_add_func("/virtio/queue/not-ready", test_not_ready);
    for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *path =
            g_strdup_printf("/virtio/queue/hostile/%s", hostile[i].name);

        g_test_add_data_func(path, hostile[i].fn, test_hostile);
    }
    return g_test_run();
}
