/*
 * The "ram" migration records: save into one set of RAM blocks' worth
 * of stream, load into another, while a thread keeps dirtying the
 * source; zero pages; hostile streams never write outside a block.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qapi/error.h"
#include "exec/memory.h"
#include "io/channel-file.h"
#include "migration/qemu-file.h"
#include "migration/ram.h"

#define PAGE 4096

typedef struct Pair {
    RAMBlock *src[2];
    RAMBlock *dst[2];
} Pair;

static RAMBlock *find_dst(void *opaque, const char *name)
{
    Pair *p = opaque;

    for (int i = 0; i < 2; i++) {
        if (strcmp(name, ram_block_name(p->src[i])) == 0) {
            return p->dst[i];
        }
    }
    return NULL;
}

static const RamLoadOps pair_ops = { .find_block = find_dst };

static void pair_init(Pair *p, const char *tag, uint64_t a, uint64_t b)
{
    g_autofree char *sa = g_strdup_printf("%s.src.a", tag);
    g_autofree char *sb = g_strdup_printf("%s.src.b", tag);
    g_autofree char *da = g_strdup_printf("%s.dst.a", tag);
    g_autofree char *db = g_strdup_printf("%s.dst.b", tag);

    p->src[0] = ram_block_new(sa, a, &error_abort);
    p->src[1] = ram_block_new(sb, b, &error_abort);
    p->dst[0] = ram_block_new(da, a, &error_abort);
    p->dst[1] = ram_block_new(db, b, &error_abort);
}

static void pair_free(Pair *p)
{
    for (int i = 0; i < 2; i++) {
        ram_block_free(p->src[i]);
        ram_block_free(p->dst[i]);
    }
}

/* ---- Round trip with a dirtier ---- */

typedef struct Dirtier {
    RAMBlock *rb;
    gint stop;
    uint64_t writes;
} Dirtier;

static gpointer dirtier_thread(gpointer opaque)
{
    Dirtier *d = opaque;
    uint64_t pages = ram_block_size(d->rb) / PAGE;
    uint32_t x = 12345;

    while (!g_atomic_int_get(&d->stop)) {
        uint64_t page;
        uint64_t *word;

        x = x * 1103515245 + 12345;
        page = (x >> 8) % pages;
        word = (uint64_t *)(ram_block_host(d->rb) + page * PAGE +
                            ((x >> 4) % (PAGE / 8)) * 8);
        /* Store first, then record it (as the CPU's slow path does). */
        __atomic_store_n(word, d->writes + 1, __ATOMIC_RELAXED);
        physmem_note_write(d->rb, page * PAGE, 8);
        d->writes++;
        if ((d->writes & 255) == 0) {
            g_usleep(50);
        }
    }
    return NULL;
}

typedef struct Reader {
    QEMUFile *f;
    RamLoadState *ls;
    bool ok;
    int sections;
    char *error;
} Reader;

/* Control word before each section: 1 = records follow, 0 = done. */
static gpointer reader_thread(gpointer opaque)
{
    Reader *r = opaque;
    Error *err = NULL;

    r->ok = true;
    while (qemu_get_be64(r->f) == 1) {
        if (!ram_load(r->ls, r->f, &err)) {
            r->error = g_strdup(error_get_pretty(err));
            error_free(err);
            r->ok = false;
            return NULL;
        }
        r->sections++;
    }
    r->ok = qemu_file_get_error(r->f) == 0;
    return NULL;
}

static void test_roundtrip_dirtier(void)
{
    Pair p;
    int sv[2];
    QIOChannelFile *cs, *cr;
    QEMUFile *out, *in;
    RamSaveState *rs;
    Reader r = { 0 };
    Dirtier d = { 0 };
    GThread *rt, *dt;
    uint8_t *a, *b;

    pair_init(&p, "rt", 4 << 20, 1 << 20);
    a = ram_block_host(p.src[0]);
    b = ram_block_host(p.src[1]);
    for (uint64_t i = 0; i < (4 << 20); i += PAGE) {
        if ((i / PAGE) % 3) {
            memset(a + i, (i / PAGE) & 0xff, PAGE);
        }
    }
    memset(b + PAGE, 0x5a, PAGE);
    memset(ram_block_host(p.dst[0]), 0xee, 4 << 20);

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    cs = qio_channel_file_new_fd(sv[0]);
    cr = qio_channel_file_new_fd(sv[1]);
    out = qemu_file_new_output(QIO_CHANNEL(cs));
    in = qemu_file_new_input(QIO_CHANNEL(cr));
    qio_channel_unref(QIO_CHANNEL(cs));
    qio_channel_unref(QIO_CHANNEL(cr));
    r.f = in;
    r.ls = ram_load_new(&pair_ops, &p);
    rt = g_thread_new("reader", reader_thread, &r);

    rs = ram_save_new(DIRTY_CLIENT_MIGRATION, p.src, 2);
    qemu_put_be64(out, 1);
    ram_save_write_blocks(rs, out);
    g_assert_cmpuint(ram_save_sync(rs), ==, (5 << 20) / PAGE);
    ram_save_write_eos(out);

    d.rb = p.src[0];
    dt = g_thread_new("dirtier", dirtier_thread, &d);
    for (int pass = 0; pass < 6; pass++) {
        qemu_put_be64(out, 1);
        ram_save_send_pages(rs, out, false);
        ram_save_write_eos(out);
        qemu_fflush(out);
        g_usleep(2000);
        ram_save_sync(rs);
    }
    g_atomic_int_set(&d.stop, 1);
    g_thread_join(dt);
    g_assert_cmpuint(d.writes, >, 0);

    /* Stop-and-copy: final sync, everything left. */
    ram_save_sync(rs);
    qemu_put_be64(out, 1);
    ram_save_send_pages(rs, out, false);
    ram_save_write_eos(out);
    g_assert_cmpuint(ram_save_pending(rs), ==, 0);
    qemu_put_be64(out, 0);
    g_assert_cmpint(qemu_fclose(out), ==, 0);
    g_thread_join(rt);
    g_assert_true(r.ok);
    g_assert_cmpint(r.sections, ==, 8);

    g_assert_cmpmem(ram_block_host(p.src[0]), 4 << 20,
                    ram_block_host(p.dst[0]), 4 << 20);
    g_assert_cmpmem(ram_block_host(p.src[1]), 1 << 20,
                    ram_block_host(p.dst[1]), 1 << 20);
    g_assert_cmpuint(ram_save_stats(rs)->dirty_sync_count, ==, 8);
    g_assert_cmpuint(ram_save_stats(rs)->normal_pages, >=,
                     (4 << 20) / PAGE * 2 / 3 + 1);
    ram_save_free(rs);
    ram_load_free(r.ls);
    qemu_fclose(in);
    pair_free(&p);
}

/* ---- Zero pages ---- */

static void test_zero_pages(void)
{
    Pair p;
    RamSaveState *rs;
    g_autoptr(QEMUFile) out = qemu_file_new_buffer_output(4096, 1 << 24);
    g_autoptr(QEMUFile) in = NULL;
    RamLoadState *ls;
    const uint8_t *data;
    size_t len;
    uint64_t normal, zero;

    pair_init(&p, "zero", 1 << 20, PAGE);
    memset(ram_block_host(p.dst[0]), 0xff, 1 << 20);
    memset(ram_block_host(p.src[1]), 0x11, PAGE);
    rs = ram_save_new(DIRTY_CLIENT_MIGRATION, p.src, 2);
    ram_save_write_blocks(rs, out);
    ram_save_sync(rs);
    ram_save_send_pages(rs, out, false);
    ram_save_write_eos(out);
    g_assert_cmpuint(ram_save_stats(rs)->duplicate_pages, ==, 256);
    g_assert_cmpuint(ram_save_stats(rs)->normal_pages, ==, 1);
    data = qemu_file_buffer_data(out, &len);
    /* 256 zero pages cost 9 bytes each, not 4 KiB. */
    g_assert_cmpuint(len, <, 256 * 9 + PAGE + 200);
    g_assert_cmpuint(len, ==, ram_save_stats(rs)->bytes + 8);

    in = qemu_file_new_buffer_input(data, len);
    ls = ram_load_new(&pair_ops, &p);
    g_assert_true(ram_load(ls, in, &error_abort));
    ram_load_counts(ls, &normal, &zero);
    g_assert_cmpuint(zero, ==, 256);
    g_assert_cmpuint(normal, ==, 1);
    for (size_t i = 0; i < (1 << 20); i++) {
        g_assert_cmpuint(ram_block_host(p.dst[0])[i], ==, 0);
    }
    g_assert_cmpmem(ram_block_host(p.src[1]), PAGE,
                    ram_block_host(p.dst[1]), PAGE);
    ram_load_free(ls);
    ram_save_free(rs);
    pair_free(&p);
}

/*
 * The destination leaves never-written pages alone on a ZERO record (a
 * 1 GiB idle guest would otherwise allocate and clear 1 GiB there), but
 * a page it wrote itself earlier in the stream is zeroed: a cached hole
 * must not outlive a write into it.
 */
static void test_load_zero_keeps_holes(void)
{
    RAMBlock *rb = ram_block_new("holes.dst", 64 * PAGE, &error_abort);
    int fd = ram_block_fd(rb);
    g_autoptr(QEMUFile) out = qemu_file_new_buffer_output(4096, 1 << 20);
    g_autoptr(QEMUFile) in = NULL;
    RamLoadState *ls;
    uint8_t page[PAGE];
    const uint8_t *data;
    size_t len;

    memset(page, 0x5a, PAGE);
    qemu_put_be64(out, 0 | RAM_SAVE_FLAG_ZERO);
    qemu_put_counted_string(out, "holes.dst");
    qemu_put_byte(out, 0);
    qemu_put_be64(out, PAGE | RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE);
    qemu_put_buffer(out, page, PAGE);
    qemu_put_be64(out, PAGE | RAM_SAVE_FLAG_ZERO | RAM_SAVE_FLAG_CONTINUE);
    qemu_put_byte(out, 0);
    qemu_put_be64(out, 2 * PAGE | RAM_SAVE_FLAG_ZERO |
                  RAM_SAVE_FLAG_CONTINUE);
    qemu_put_byte(out, 0);
    qemu_put_be64(out, RAM_SAVE_FLAG_EOS);
    data = qemu_file_buffer_data(out, &len);
    in = qemu_file_new_buffer_input(data, len);
    ls = ram_load_new(NULL, NULL);
    g_assert_true(ram_load(ls, in, &error_abort));
    memset(page, 0, PAGE);
    g_assert_cmpmem(ram_block_host(rb) + PAGE, PAGE, page, PAGE);
    if (fd >= 0 && lseek(fd, 0, SEEK_DATA) >= 0) {
        /* only the page written (then zeroed) holds data */
        g_assert_cmpint(lseek(fd, 0, SEEK_DATA), ==, PAGE);
        g_assert_cmpint(lseek(fd, 2 * PAGE, SEEK_DATA), ==, -1);
        g_assert_cmpint(errno, ==, ENXIO);
    }
    ram_load_free(ls);
    ram_block_free(rb);
}

/*
 * A page of a never-written (hole) range that the guest writes while a
 * pass is under way may go out as a zero page; the next sync sends it
 * again with its data.
 */
static void test_hole_written_late(void)
{
    Pair p;
    RamSaveState *rs;
    g_autoptr(QEMUFile) out = qemu_file_new_buffer_output(4096, 1 << 24);
    g_autoptr(QEMUFile) in = NULL;
    RamLoadState *ls;
    const uint8_t *data;
    size_t len;
    uint8_t *late = NULL;

    pair_init(&p, "hole", 64 * PAGE, PAGE);
    memset(ram_block_host(p.dst[0]), 0x77, 64 * PAGE);
    rs = ram_save_new(DIRTY_CLIENT_MIGRATION, p.src, 2);
    ram_save_write_blocks(rs, out);
    ram_save_sync(rs);
    qemu_file_set_rate_limit(out, 100);
    g_assert_cmpuint(ram_save_send_pages(rs, out, true), <, 64);
    late = ram_block_host(p.src[0]) + 40 * PAGE;
    memset(late, 0xc3, PAGE);
    physmem_note_write(p.src[0], 40 * PAGE, PAGE);
    qemu_file_set_rate_limit(out, 0);
    ram_save_send_pages(rs, out, false);
    g_assert_cmpuint(ram_save_sync(rs), ==, 1);
    ram_save_send_pages(rs, out, false);
    ram_save_write_eos(out);

    data = qemu_file_buffer_data(out, &len);
    in = qemu_file_new_buffer_input(data, len);
    ls = ram_load_new(&pair_ops, &p);
    g_assert_true(ram_load(ls, in, &error_abort));
    g_assert_cmpmem(ram_block_host(p.src[0]), 64 * PAGE,
                    ram_block_host(p.dst[0]), 64 * PAGE);
    g_assert_cmpuint(ram_block_host(p.dst[0])[40 * PAGE + 7], ==, 0xc3);
    ram_load_free(ls);
    ram_save_free(rs);
    pair_free(&p);
}

/* ---- Hostile streams ---- */

typedef void StreamBuilder(QEMUFile *f, Pair *p);

static char *load_hostile(Pair *p, StreamBuilder *build)
{
    g_autoptr(QEMUFile) out = qemu_file_new_buffer_output(4096, 1 << 20);
    g_autoptr(QEMUFile) in = NULL;
    const uint8_t *data;
    size_t len;
    RamLoadState *ls = ram_load_new(&pair_ops, p);
    Error *err = NULL;
    char *msg;

    build(out, p);
    data = qemu_file_buffer_data(out, &len);
    in = qemu_file_new_buffer_input(data, len);
    g_assert_false(ram_load(ls, in, &err));
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    ram_load_free(ls);
    return msg;
}

static void page_record(QEMUFile *f, const char *name, uint64_t off,
                        uint64_t flags)
{
    uint8_t page[PAGE];

    memset(page, 0xab, sizeof(page));
    qemu_put_be64(f, off | flags);
    if (name) {
        qemu_put_counted_string(f, name);
    }
    qemu_put_buffer(f, page, PAGE);
}

static void build_past_end(QEMUFile *f, Pair *p)
{
    page_record(f, ram_block_name(p->src[1]), ram_block_size(p->src[1]),
                RAM_SAVE_FLAG_PAGE);
    ram_save_write_eos(f);
}

static void build_huge_offset(QEMUFile *f, Pair *p)
{
    page_record(f, ram_block_name(p->src[1]), 0xfffffffffffff000ULL,
                RAM_SAVE_FLAG_PAGE);
}

static void build_unknown_block(QEMUFile *f, Pair *p)
{
    page_record(f, "nosuch", 0, RAM_SAVE_FLAG_PAGE);
}

static void build_continue_first(QEMUFile *f, Pair *p)
{
    page_record(f, NULL, 0, RAM_SAVE_FLAG_PAGE | RAM_SAVE_FLAG_CONTINUE);
}

static void build_bad_flags(QEMUFile *f, Pair *p)
{
    qemu_put_be64(f, 0x40);
}

static void build_truncated(QEMUFile *f, Pair *p)
{
    qemu_put_be64(f, RAM_SAVE_FLAG_PAGE);
    qemu_put_counted_string(f, ram_block_name(p->src[0]));
    qemu_put_buffer(f, (const uint8_t *)"short", 5);
}

static void build_size_mismatch(QEMUFile *f, Pair *p)
{
    qemu_put_be64(f, 2 * PAGE | RAM_SAVE_FLAG_MEM_SIZE);
    qemu_put_be32(f, 1);
    qemu_put_counted_string(f, ram_block_name(p->src[1]));
    qemu_put_be64(f, 2 * PAGE);
}

static void build_too_many_blocks(QEMUFile *f, Pair *p)
{
    qemu_put_be64(f, RAM_SAVE_FLAG_MEM_SIZE);
    qemu_put_be32(f, 100000);
}

static void test_hostile(void)
{
    static const struct {
        StreamBuilder *build;
        const char *expect;
    } cases[] = {
        { build_past_end, "outside block" },
        { build_huge_offset, "outside block" },
        { build_unknown_block, "Unknown RAM block 'nosuch'" },
        { build_continue_first, "continues no block" },
        { build_bad_flags, "unknown record flags 0x40" },
        { build_truncated, "ended inside a page" },
        { build_size_mismatch, "has size 0x2000 in the stream but 0x1000" },
        { build_too_many_blocks, "announces 100000 blocks" },
    };
    Pair p;

    pair_init(&p, "hostile", 2 * PAGE, PAGE);
    memset(ram_block_host(p.dst[0]), 0x33, 2 * PAGE);
    memset(ram_block_host(p.dst[1]), 0x44, PAGE);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *msg = load_hostile(&p, cases[i].build);

        if (!strstr(msg, cases[i].expect)) {
            g_error("case %zu: '%s' lacks '%s'", i, msg, cases[i].expect);
        }
    }
    /* Nothing was written by any rejected record. */
    for (size_t i = 0; i < 2 * PAGE; i++) {
        g_assert_cmpuint(ram_block_host(p.dst[0])[i], ==, 0x33);
    }
    for (size_t i = 0; i < PAGE; i++) {
        g_assert_cmpuint(ram_block_host(p.dst[1])[i], ==, 0x44);
    }
    pair_free(&p);
}

/* -m perf: full-data RAM through a socketpair, 64 and 256 MiB. */
static void test_throughput(void)
{
    for (uint64_t mib = 64; mib <= 256; mib *= 4) {
        Pair p;
        int sv[2];
        QIOChannelFile *cs, *cr;
        QEMUFile *out, *in;
        RamSaveState *rs;
        Reader r = { 0 };
        GThread *rt;
        gint64 t0;
        double secs;
        uint64_t *w;

        pair_init(&p, mib == 64 ? "perf64" : "perf256", mib << 20, PAGE);
        w = (uint64_t *)ram_block_host(p.src[0]);
        for (uint64_t i = 0; i < (mib << 20) / 8; i++) {
            w[i] = i * 0x9e3779b97f4a7c15ULL;
        }
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
        cs = qio_channel_file_new_fd(sv[0]);
        cr = qio_channel_file_new_fd(sv[1]);
        out = qemu_file_new_output(QIO_CHANNEL(cs));
        in = qemu_file_new_input(QIO_CHANNEL(cr));
        qio_channel_unref(QIO_CHANNEL(cs));
        qio_channel_unref(QIO_CHANNEL(cr));
        r.f = in;
        r.ls = ram_load_new(&pair_ops, &p);
        rt = g_thread_new("reader", reader_thread, &r);
        t0 = g_get_monotonic_time();
        rs = ram_save_new(DIRTY_CLIENT_MIGRATION, p.src, 2);
        qemu_put_be64(out, 1);
        ram_save_write_blocks(rs, out);
        ram_save_sync(rs);
        ram_save_send_pages(rs, out, false);
        ram_save_write_eos(out);
        qemu_put_be64(out, 0);
        qemu_fclose(out);
        g_thread_join(rt);
        secs = (g_get_monotonic_time() - t0) / 1e6;
        g_assert_true(r.ok);
        g_assert_cmpmem(ram_block_host(p.src[0]), mib << 20,
                        ram_block_host(p.dst[0]), mib << 20);
        g_test_minimized_result(secs, "%" PRIu64 " MiB of data pages: "
                                "%.3f s, %.0f MiB/s", mib, secs, mib / secs);
        ram_save_free(rs);
        ram_load_free(r.ls);
        qemu_fclose(in);
        pair_free(&p);
    }
}

/* ---- Switch-over decision ---- */

static void test_switchover_decide(void)
{
    /* 1000 bytes/ms for 300 ms: 300000 bytes fit */
    g_assert_cmpint(ram_switchover_decide(300000, false, 1000, 300), ==,
                    RAM_SWITCHOVER_SYNC);
    g_assert_cmpint(ram_switchover_decide(300000, true, 1000, 300), ==,
                    RAM_SWITCHOVER_COMPLETE);
    g_assert_cmpint(ram_switchover_decide(300001, false, 1000, 300), ==,
                    RAM_SWITCHOVER_CONTINUE);
    g_assert_cmpint(ram_switchover_decide(300001, true, 1000, 300), ==,
                    RAM_SWITCHOVER_CONTINUE);
    /* no bandwidth measured yet: only "nothing left" fits */
    g_assert_cmpint(ram_switchover_decide(PAGE, true, 0, 300), ==,
                    RAM_SWITCHOVER_CONTINUE);
    g_assert_cmpint(ram_switchover_decide(0, false, 0, 300), ==,
                    RAM_SWITCHOVER_SYNC);
    g_assert_cmpint(ram_switchover_decide(0, true, 0, 300), ==,
                    RAM_SWITCHOVER_COMPLETE);
    /* downtime-limit 0: never fits unless nothing is left */
    g_assert_cmpint(ram_switchover_decide(PAGE, true, 1e9, 0), ==,
                    RAM_SWITCHOVER_CONTINUE);
}

/*
 * The pass is sent, so the cheap estimate says "nothing left", but the
 * guest dirtied 100 pages since the sync: the exact count must keep the
 * migration iterating when only 50 pages fit the downtime.
 */
static void test_switchover_stale_estimate(void)
{
    g_autoptr(QEMUFile) out = qemu_file_new_buffer_output(4096, 1 << 24);
    RAMBlock *rb = ram_block_new("stale.src", 1 << 20, &error_abort);
    RamSaveState *rs = ram_save_new(DIRTY_CLIENT_MIGRATION, &rb, 1);
    double bw = 50.0 * PAGE / 300;      /* 50 pages in 300 ms */
    uint64_t pending;

    ram_save_sync(rs);
    ram_save_send_pages(rs, out, false);
    for (int i = 0; i < 100; i++) {
        ram_block_host(rb)[i * PAGE] = i + 1;
        physmem_note_write(rb, i * PAGE, 1);
    }
    pending = ram_save_pending(rs);
    g_assert_cmpuint(pending, ==, 0);
    g_assert_cmpint(ram_switchover_decide(pending, false, bw, 300), ==,
                    RAM_SWITCHOVER_SYNC);
    pending = ram_save_pending_exact(rs);
    g_assert_cmpuint(pending, ==, 100 * PAGE);
    g_assert_cmpint(ram_switchover_decide(pending, true, bw, 300), ==,
                    RAM_SWITCHOVER_CONTINUE);
    /* once they are sent and the guest is quiet, the exact count fits */
    g_assert_cmpuint(ram_save_send_pages(rs, out, false), ==, 100);
    pending = ram_save_pending_exact(rs);
    g_assert_cmpuint(pending, ==, 0);
    g_assert_cmpint(ram_switchover_decide(pending, true, bw, 300), ==,
                    RAM_SWITCHOVER_COMPLETE);
    ram_save_free(rs);
    ram_block_free(rb);
}

/*
 * A guest that rewrote 64 MiB during a 256 MiB first pass: the exact
 * count fits QEMU's 300 ms at a measured 1 GB/s, yet another pass sends
 * most of it with the guest still running.  The passes stop once the
 * rest is small, stops shrinking, or the extra passes are used up.
 */
static void test_switchover_another_pass(void)
{
    const uint64_t mib = 1 << 20;

    /* first pass over everything, 6 MiB dirtied meanwhile: go on */
    g_assert_true(ram_switchover_another_pass(256 * mib, 256 * mib,
                                              6 * mib, 0));
    /* the 6 MiB sent, 512 KiB dirtied meanwhile: still converging */
    g_assert_true(ram_switchover_another_pass(6 * mib, 6 * mib,
                                              512 * 1024, 1));
    /* small enough to copy with the guest stopped */
    g_assert_false(ram_switchover_another_pass(6 * mib, 6 * mib,
                                               RAM_SWITCHOVER_SMALL, 1));
    /* the guest dirties as fast as the pass sends: no gain, stop now */
    g_assert_false(ram_switchover_another_pass(6 * mib, 6 * mib,
                                               4 * mib, 1));
    /* half of a partial pass left plus little dirt: converging */
    g_assert_true(ram_switchover_another_pass(8 * mib, 4 * mib,
                                              5 * mib, 1));
    /* nothing sent since the previous count: nothing to gain */
    g_assert_false(ram_switchover_another_pass(8 * mib, 0, 8 * mib, 1));
    /* bounded */
    g_assert_false(ram_switchover_another_pass(
                       256 * mib, 256 * mib, 6 * mib,
                       RAM_SWITCHOVER_EXTRA_PASSES));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/ram/roundtrip-dirtier",
                    test_roundtrip_dirtier);
    g_test_add_func("/migration/ram/zero-pages", test_zero_pages);
    g_test_add_func("/migration/ram/hole-written-late",
                    test_hole_written_late);
    g_test_add_func("/migration/ram/hostile", test_hostile);
    g_test_add_func("/migration/ram/load-zero-keeps-holes",
                    test_load_zero_keeps_holes);
    g_test_add_func("/migration/ram/switchover/decide",
                    test_switchover_decide);
    g_test_add_func("/migration/ram/switchover/another-pass",
                    test_switchover_another_pass);
    g_test_add_func("/migration/ram/switchover/stale-estimate",
                    test_switchover_stale_estimate);
    if (g_test_perf()) {
        g_test_add_func("/migration/ram/throughput", test_throughput);
    }
    return g_test_run();
}
