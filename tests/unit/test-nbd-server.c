/*
 * NBD: wire parsing (pure) and a live server over socketpairs.  The
 * server runs in this thread's main loop; each scenario's client runs
 * in a thread with blocking sockets, speaking raw protocol bytes.
 * Malformed input must close (or error) only that client, never crash.
 */
#include "qemu/osdep.h"
#include "block/nbd.h"
#include "block/block_int.h"
#include "system/block-backend.h"
#include "qemu/main-loop.h"
#include "block-test-util.h"
#include <sys/socket.h>

#define SIZE (1024 * 1024)

/* Pure parsing */

static void test_request_parse(void)
{
    NBDRequest in = { .flags = NBD_CMD_FLAG_FUA, .type = NBD_CMD_WRITE,
                      .cookie = 0x1122334455667788ULL,
                      .offset = 0x100000000ULL, .len = 4096 };
    NBDRequest out;
    uint8_t buf[NBD_REQUEST_SIZE];

    nbd_encode_request(buf, &in);
    g_assert_cmphex(buf[0], ==, 0x25);
    g_assert(nbd_parse_request(buf, &out));
    g_assert_cmpint(out.flags, ==, in.flags);
    g_assert_cmpint(out.type, ==, in.type);
    g_assert_cmphex(out.cookie, ==, in.cookie);
    g_assert_cmphex(out.offset, ==, in.offset);
    g_assert_cmpint(out.len, ==, in.len);
    buf[3] ^= 1;
    g_assert_false(nbd_parse_request(buf, &out));
    g_assert_cmpint(nbd_errno_to_wire(-ENOSPC), ==, NBD_ENOSPC);
    g_assert_cmpint(nbd_errno_to_wire(-EROFS), ==, NBD_EPERM);
    g_assert_cmpint(nbd_errno_to_wire(-ENOENT), ==, NBD_EIO);
}

static GByteArray *go_payload(const char *name, uint32_t claimed_len,
                              int n_info, int real_info)
{
    GByteArray *b = g_byte_array_new();
    int i;

    nbd_put32(b, claimed_len);
    g_byte_array_append(b, (const uint8_t *)name, strlen(name));
    nbd_put16(b, n_info);
    for (i = 0; i < real_info; i++) {
        nbd_put16(b, NBD_INFO_BLOCK_SIZE);
    }
    return b;
}

static void test_opt_go_parse(void)
{
    NBDOptGo go;
    GByteArray *b;

    b = go_payload("disk", 4, 1, 1);
    g_assert(nbd_parse_opt_go(b->data, b->len, &go));
    g_assert_cmpstr(go.name, ==, "disk");
    g_assert_cmpint(go.n_info, ==, 1);
    g_assert_cmpint(go.info[0], ==, NBD_INFO_BLOCK_SIZE);
    nbd_opt_go_clear(&go);
    g_byte_array_unref(b);

    /* name length beyond the payload */
    b = go_payload("disk", 0xffffffff, 0, 0);
    g_assert_false(nbd_parse_opt_go(b->data, b->len, &go));
    g_byte_array_unref(b);
    /* info count not matching */
    b = go_payload("disk", 4, 3, 1);
    g_assert_false(nbd_parse_opt_go(b->data, b->len, &go));
    g_byte_array_unref(b);
    /* truncated */
    b = go_payload("disk", 4, 0, 0);
    g_assert_false(nbd_parse_opt_go(b->data, b->len - 1, &go));
    g_assert_false(nbd_parse_opt_go(b->data, 2, &go));
    g_byte_array_unref(b);
    /* embedded NUL */
    b = go_payload("di\0k", 4, 0, 0);
    b->data[6] = 0;
    g_assert_false(nbd_parse_opt_go(b->data, b->len, &go));
    g_byte_array_unref(b);
}

static void test_meta_parse(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autofree char *name = NULL;
    g_autoptr(GPtrArray) q = NULL;

    nbd_put32(b, 4);
    g_byte_array_append(b, (const uint8_t *)"disk", 4);
    nbd_put32(b, 1);
    nbd_put32(b, 15);
    g_byte_array_append(b, (const uint8_t *)"base:allocation", 15);
    g_assert(nbd_parse_meta_queries(b->data, b->len, &name, &q));
    g_assert_cmpstr(name, ==, "disk");
    g_assert_cmpint(q->len, ==, 1);
    g_assert_cmpstr(q->pdata[0], ==, "base:allocation");
    g_clear_pointer(&name, g_free);
    g_clear_pointer(&q, g_ptr_array_unref);
    /* a huge query count cannot allocate */
    b->data[11] = 0xff;
    b->data[10] = 0xff;
    g_assert_false(nbd_parse_meta_queries(b->data, b->len, &name, &q));
    g_assert_null(name);
    g_assert_null(q);
}

/* Live server */

typedef struct Fixture {
    NBDServer *srv;
    BlockDriverState *bs;
    char *path;
    GPtrArray *deleted;
} Fixture;

static void deleted_cb(void *opaque, const char *id)
{
    Fixture *f = opaque;

    g_ptr_array_add(f->deleted, g_strdup(id));
}

static void fixture_init(Fixture *f, const char *tag)
{
    static bool loop_ready;
    g_autofree char *name = g_strdup_printf("%s.raw", tag);

    if (!loop_ready) {
        g_assert(qemu_init_main_loop(&error_abort));
        loop_ready = true;
    }
    f->path = blk_test_path(name);
    blk_test_write_file(f->path, SIZE, 0x11);
    f->bs = blk_test_open(f->path, "raw", false);
    f->deleted = g_ptr_array_new_with_free_func(g_free);
    f->srv = nbd_server_new(0, deleted_cb, f);
    g_assert(nbd_export_add(f->srv, NULL, "disk", "a test disk", f->bs,
                            true, &error_abort));
    g_assert(nbd_export_add(f->srv, "ro-id", "ro", NULL, f->bs, false,
                            &error_abort));
}

static void fixture_cleanup(Fixture *f)
{
    nbd_server_free(f->srv);
    g_assert_cmpint(f->deleted->len, >=, 2);
    g_ptr_array_free(f->deleted, true);
    bdrv_unref(f->bs);
    g_free(f->path);
}

typedef struct ClientRun {
    int fd;
    void (*fn)(int fd);
    bool done;
} ClientRun;

static gpointer client_thread(gpointer opaque)
{
    ClientRun *r = opaque;

    r->fn(r->fd);
    close(r->fd);
    __atomic_store_n(&r->done, true, __ATOMIC_SEQ_CST);
    qemu_notify_event();
    return NULL;
}

/* Serve one client running @fn until it finishes and the server has
 * dropped the connection. */
static void run_client(Fixture *f, void (*fn)(int fd))
{
    ClientRun r = { .fn = fn };
    int sv[2];
    GThread *t;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    r.fd = sv[1];
    nbd_server_add_client(f->srv, sv[0]);
    t = g_thread_new("nbd-test-client", client_thread, &r);
    while (!__atomic_load_n(&r.done, __ATOMIC_SEQ_CST) ||
           nbd_server_client_count(f->srv) > 0) {
        main_loop_wait(true);
        g_usleep(200);
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
    g_thread_join(t);
}

static void tc_send(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(send(fd, buf, len, MSG_NOSIGNAL), ==, len);
}

/* false on EOF / reset */
static bool tc_recv(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = recv(fd, (uint8_t *)buf + got, len - got, 0);

        if (n <= 0) {
            return false;
        }
        got += n;
    }
    return true;
}

static void tc_assert_closed(int fd)
{
    uint8_t b;

    g_assert_false(tc_recv(fd, &b, 1));
}

static void tc_greeting(int fd, uint32_t flags)
{
    uint8_t g[18];
    g_autoptr(GByteArray) b = g_byte_array_new();

    g_assert(tc_recv(fd, g, sizeof(g)));
    g_assert_cmphex(nbd_get64(g), ==, NBD_MAGIC);
    g_assert_cmphex(nbd_get64(g + 8), ==, NBD_OPTS_MAGIC);
    g_assert_cmphex(nbd_get16(g + 16), ==,
                    NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    nbd_put32(b, flags);
    tc_send(fd, b->data, b->len);
}

static void tc_send_opt(int fd, uint32_t opt, const void *data, uint32_t len)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    nbd_put64(b, NBD_OPTS_MAGIC);
    nbd_put32(b, opt);
    nbd_put32(b, len);
    if (len) {
        g_byte_array_append(b, data, len);
    }
    tc_send(fd, b->data, b->len);
}

/* One option reply: returns its type, payload in *@data (free it) */
static uint32_t tc_opt_reply(int fd, uint32_t opt, GByteArray **data)
{
    uint8_t h[20];
    uint32_t len;

    g_assert(tc_recv(fd, h, sizeof(h)));
    g_assert_cmphex(nbd_get64(h), ==, NBD_REP_MAGIC);
    g_assert_cmpint(nbd_get32(h + 8), ==, opt);
    len = nbd_get32(h + 16);
    g_assert_cmpint(len, <, 65536);
    *data = g_byte_array_sized_new(len);
    g_byte_array_set_size(*data, len);
    g_assert(tc_recv(fd, (*data)->data, len));
    return nbd_get32(h + 12);
}

static void tc_go(int fd, const char *name, uint64_t *size, uint16_t *flags)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    GByteArray *d;
    uint32_t type;
    bool got_export = false, got_bs = false;

    nbd_put32(b, strlen(name));
    g_byte_array_append(b, (const uint8_t *)name, strlen(name));
    nbd_put16(b, 1);
    nbd_put16(b, NBD_INFO_BLOCK_SIZE);
    tc_send_opt(fd, NBD_OPT_GO, b->data, b->len);
    while ((type = tc_opt_reply(fd, NBD_OPT_GO, &d)) == NBD_REP_INFO) {
        if (nbd_get16(d->data) == NBD_INFO_EXPORT) {
            g_assert_cmpint(d->len, ==, 12);
            *size = nbd_get64(d->data + 2);
            *flags = nbd_get16(d->data + 10);
            got_export = true;
        } else if (nbd_get16(d->data) == NBD_INFO_BLOCK_SIZE) {
            g_assert_cmpint(nbd_get32(d->data + 10), ==, NBD_MAX_PAYLOAD);
            got_bs = true;
        }
        g_byte_array_unref(d);
    }
    g_byte_array_unref(d);
    g_assert_cmphex(type, ==, NBD_REP_ACK);
    g_assert(got_export && got_bs);
}

static void tc_request(int fd, uint16_t type, uint16_t flags,
                       uint64_t cookie, uint64_t off, uint32_t len,
                       const void *payload)
{
    NBDRequest r = { .flags = flags, .type = type, .cookie = cookie,
                     .offset = off, .len = len };
    uint8_t buf[NBD_REQUEST_SIZE];

    nbd_encode_request(buf, &r);
    tc_send(fd, buf, sizeof(buf));
    if (payload) {
        tc_send(fd, payload, len);
    }
}

static uint32_t tc_simple_reply(int fd, uint64_t cookie)
{
    uint8_t h[NBD_SIMPLE_REPLY_SIZE];

    g_assert(tc_recv(fd, h, sizeof(h)));
    g_assert_cmphex(nbd_get32(h), ==, NBD_SIMPLE_REPLY_MAGIC);
    g_assert_cmphex(nbd_get64(h + 8), ==, cookie);
    return nbd_get32(h + 4);
}

/* One structured chunk: returns its type; payload into *@data */
static uint16_t tc_chunk(int fd, uint64_t cookie, GByteArray **data)
{
    uint8_t h[NBD_CHUNK_HEADER_SIZE];
    uint32_t len;

    g_assert(tc_recv(fd, h, sizeof(h)));
    g_assert_cmphex(nbd_get32(h), ==, NBD_STRUCTURED_REPLY_MAGIC);
    g_assert_cmphex(nbd_get16(h + 4), ==, NBD_REPLY_FLAG_DONE);
    g_assert_cmphex(nbd_get64(h + 8), ==, cookie);
    len = nbd_get32(h + 16);
    *data = g_byte_array_sized_new(len);
    g_byte_array_set_size(*data, len);
    g_assert(tc_recv(fd, (*data)->data, len));
    return nbd_get16(h + 6);
}

static void client_full_session(int fd)
{
    g_autoptr(GByteArray) meta = g_byte_array_new();
    uint8_t wbuf[4096];
    uint64_t size;
    uint16_t flags;
    GByteArray *d;
    uint32_t i;

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
    /* LIST shows both exports */
    tc_send_opt(fd, NBD_OPT_LIST, NULL, 0);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_LIST, &d), ==, NBD_REP_SERVER);
    g_assert_cmpint(nbd_get32(d->data), ==, 4);
    g_assert(!memcmp(d->data + 4, "diska test disk", 15));
    g_byte_array_unref(d);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_LIST, &d), ==, NBD_REP_SERVER);
    g_byte_array_unref(d);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_LIST, &d), ==, NBD_REP_ACK);
    g_byte_array_unref(d);
    /* unknown option, unknown export */
    tc_send_opt(fd, 77, "xx", 2);
    g_assert_cmphex(tc_opt_reply(fd, 77, &d), ==, NBD_REP_ERR_UNSUP);
    g_byte_array_unref(d);
    /* structured replies + base:allocation */
    tc_send_opt(fd, NBD_OPT_STRUCTURED_REPLY, NULL, 0);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_STRUCTURED_REPLY, &d), ==,
                    NBD_REP_ACK);
    g_byte_array_unref(d);
    nbd_put32(meta, 4);
    g_byte_array_append(meta, (const uint8_t *)"disk", 4);
    nbd_put32(meta, 1);
    nbd_put32(meta, 15);
    g_byte_array_append(meta, (const uint8_t *)"base:allocation", 15);
    tc_send_opt(fd, NBD_OPT_SET_META_CONTEXT, meta->data, meta->len);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_SET_META_CONTEXT, &d), ==,
                    NBD_REP_META_CONTEXT);
    g_assert_cmpint(nbd_get32(d->data), ==, NBD_META_ID_BASE_ALLOCATION);
    g_byte_array_unref(d);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_SET_META_CONTEXT, &d), ==,
                    NBD_REP_ACK);
    g_byte_array_unref(d);
    tc_go(fd, "disk", &size, &flags);
    g_assert_cmpint(size, ==, SIZE);
    g_assert(flags & NBD_FLAG_SEND_WRITE_ZEROES);
    g_assert_false(flags & NBD_FLAG_READ_ONLY);

    /* write, read back (structured), FUA write, flush */
    memset(wbuf, 0x5a, sizeof(wbuf));
    tc_request(fd, NBD_CMD_WRITE, 0, 1, 8192, sizeof(wbuf), wbuf);
    g_assert_cmpint(tc_simple_reply(fd, 1), ==, 0);
    tc_request(fd, NBD_CMD_READ, 0, 2, 8192 - 16, 32, NULL);
    g_assert_cmpint(tc_chunk(fd, 2, &d), ==, NBD_REPLY_TYPE_OFFSET_DATA);
    g_assert_cmpint(d->len, ==, 8 + 32);
    g_assert_cmpint(nbd_get64(d->data), ==, 8192 - 16);
    for (i = 0; i < 32; i++) {
        g_assert_cmphex(d->data[8 + i], ==, i < 16 ? 0x11 : 0x5a);
    }
    g_byte_array_unref(d);
    tc_request(fd, NBD_CMD_WRITE, NBD_CMD_FLAG_FUA, 3, 0, 512, wbuf);
    g_assert_cmpint(tc_simple_reply(fd, 3), ==, 0);
    tc_request(fd, NBD_CMD_FLUSH, 0, 4, 0, 0, NULL);
    g_assert_cmpint(tc_simple_reply(fd, 4), ==, 0);
    /* write zeroes, trim, cache */
    tc_request(fd, NBD_CMD_WRITE_ZEROES, 0, 5, 65536, 65536, NULL);
    g_assert_cmpint(tc_simple_reply(fd, 5), ==, 0);
    tc_request(fd, NBD_CMD_TRIM, 0, 6, 4 * 65536, 65536, NULL);
    g_assert_cmpint(tc_simple_reply(fd, 6), ==, 0);
    tc_request(fd, NBD_CMD_CACHE, 0, 7, 0, 4096, NULL);
    g_assert_cmpint(tc_simple_reply(fd, 7), ==, 0);
    /* block status: one or more extents covering at most the range */
    tc_request(fd, NBD_CMD_BLOCK_STATUS, 0, 8, 0, SIZE, NULL);
    g_assert_cmpint(tc_chunk(fd, 8, &d), ==, NBD_REPLY_TYPE_BLOCK_STATUS);
    g_assert_cmpint(nbd_get32(d->data), ==, NBD_META_ID_BASE_ALLOCATION);
    g_assert_cmpint((d->len - 4) % 8, ==, 0);
    g_assert_cmpint(d->len, >=, 12);
    g_byte_array_unref(d);
    /* errors keep the connection usable */
    tc_request(fd, NBD_CMD_READ, 0, 9, SIZE - 512, 1024, NULL);
    g_assert_cmpint(tc_chunk(fd, 9, &d), ==, NBD_REPLY_TYPE_ERROR);
    g_assert_cmpint(nbd_get32(d->data), ==, NBD_EINVAL);
    g_byte_array_unref(d);
    tc_request(fd, NBD_CMD_READ, 0, 10, 0, NBD_MAX_PAYLOAD + 1, NULL);
    g_assert_cmpint(tc_chunk(fd, 10, &d), ==, NBD_REPLY_TYPE_ERROR);
    g_byte_array_unref(d);
    tc_request(fd, 99, 0, 11, 0, 0, NULL);
    g_assert_cmpint(tc_chunk(fd, 11, &d), ==, NBD_REPLY_TYPE_ERROR);
    g_byte_array_unref(d);
    tc_request(fd, NBD_CMD_WRITE, 0, 12, SIZE - 4, 4096, wbuf);
    g_assert_cmpint(tc_chunk(fd, 12, &d), ==, NBD_REPLY_TYPE_ERROR);
    g_assert_cmpint(nbd_get32(d->data), ==, NBD_ENOSPC);
    g_byte_array_unref(d);
    /* pipelining: many requests before reading any reply */
    for (i = 0; i < 64; i++) {
        tc_request(fd, NBD_CMD_READ, 0, 100 + i, i * 4096, 4096, NULL);
    }
    /* replies may come in any order; each cookie exactly once */
    {
        uint64_t seen = 0;

        for (i = 0; i < 64; i++) {
            uint8_t h[NBD_CHUNK_HEADER_SIZE], data[8 + 4096];
            uint64_t cookie;

            g_assert(tc_recv(fd, h, sizeof(h)));
            g_assert_cmphex(nbd_get32(h), ==, NBD_STRUCTURED_REPLY_MAGIC);
            g_assert_cmpint(nbd_get16(h + 6), ==,
                            NBD_REPLY_TYPE_OFFSET_DATA);
            cookie = nbd_get64(h + 8);
            g_assert_cmpint(cookie, >=, 100);
            g_assert_cmpint(cookie, <, 164);
            g_assert_false(seen & (1ULL << (cookie - 100)));
            seen |= 1ULL << (cookie - 100);
            g_assert_cmpint(nbd_get32(h + 16), ==, sizeof(data));
            g_assert(tc_recv(fd, data, sizeof(data)));
            g_assert_cmpint(nbd_get64(data), ==, (cookie - 100) * 4096);
        }
        g_assert_cmphex(seen, ==, UINT64_MAX);
    }
    tc_request(fd, NBD_CMD_DISC, 0, 13, 0, 0, NULL);
    tc_assert_closed(fd);
}

static void test_server_session(void)
{
    Fixture f;
    g_autofree uint8_t *buf = g_malloc(SIZE);
    QEMUIOVector qiov;

    fixture_init(&f, "session");
    run_client(&f, client_full_session);
    /* the data reached the image */
    g_assert(bdrv_node_preadv(f.bs, 0, SIZE, (qemu_iovec_init_buf(&qiov,
                              buf, SIZE), &qiov), 0) == 0);
    g_assert_cmphex(buf[0], ==, 0x5a);
    g_assert_cmphex(buf[8191], ==, 0x11);
    g_assert_cmphex(buf[8192], ==, 0x5a);
    g_assert_cmphex(buf[8192 + 4095], ==, 0x5a);
    g_assert_cmphex(buf[65536], ==, 0);
    g_assert_cmphex(buf[2 * 65536 - 1], ==, 0);
    g_assert_cmphex(buf[2 * 65536], ==, 0x11);
    fixture_cleanup(&f);
}

/* The old EXPORT_NAME path, no structured replies, read-only export */
static void client_export_name_ro(int fd)
{
    uint8_t info[10], buf[512];

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
    tc_send_opt(fd, NBD_OPT_EXPORT_NAME, "ro", 2);
    g_assert(tc_recv(fd, info, sizeof(info)));
    g_assert_cmpint(nbd_get64(info), ==, SIZE);
    g_assert(nbd_get16(info + 8) & NBD_FLAG_READ_ONLY);
    memset(buf, 1, sizeof(buf));
    tc_request(fd, NBD_CMD_WRITE, 0, 1, 0, sizeof(buf), buf);
    g_assert_cmpint(tc_simple_reply(fd, 1), ==, NBD_EPERM);
    tc_request(fd, NBD_CMD_READ, 0, 2, 0, sizeof(buf), NULL);
    g_assert_cmpint(tc_simple_reply(fd, 2), ==, 0);
    g_assert(tc_recv(fd, buf, sizeof(buf)));
    g_assert_cmphex(buf[0], ==, 0x11);
    /* block status needs structured replies */
    tc_request(fd, NBD_CMD_BLOCK_STATUS, 0, 3, 0, 512, NULL);
    g_assert_cmpint(tc_simple_reply(fd, 3), ==, NBD_EINVAL);
    tc_request(fd, NBD_CMD_DISC, 0, 4, 0, 0, NULL);
    tc_assert_closed(fd);
}

static void client_unknown_export(int fd)
{
    uint8_t b[4] = { 0 };
    GByteArray *d;

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE);
    tc_send_opt(fd, NBD_OPT_GO, b, sizeof(b) - 1);     /* malformed */
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_GO, &d), ==,
                    NBD_REP_ERR_INVALID);
    g_byte_array_unref(d);
    {
        g_autoptr(GByteArray) p = g_byte_array_new();

        nbd_put32(p, 4);
        g_byte_array_append(p, (const uint8_t *)"nope", 4);
        nbd_put16(p, 0);
        tc_send_opt(fd, NBD_OPT_GO, p->data, p->len);
        g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_GO, &d), ==,
                        NBD_REP_ERR_UNKNOWN);
        g_byte_array_unref(d);
    }
    tc_send_opt(fd, NBD_OPT_STARTTLS, NULL, 0);
    g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_STARTTLS, &d), ==,
                    NBD_REP_ERR_POLICY);
    g_byte_array_unref(d);
    /* EXPORT_NAME of an unknown export: the server hangs up */
    tc_send_opt(fd, NBD_OPT_EXPORT_NAME, "nope", 4);
    tc_assert_closed(fd);
}

static void client_bad_client_flags(int fd)
{
    tc_greeting(fd, 0x80);
    tc_assert_closed(fd);
}

static void client_bad_opt_magic(int fd)
{
    uint8_t junk[16];

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE);
    memset(junk, 0xee, sizeof(junk));
    tc_send(fd, junk, sizeof(junk));
    tc_assert_closed(fd);
}

static void client_huge_option(int fd)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE);
    nbd_put64(b, NBD_OPTS_MAGIC);
    nbd_put32(b, NBD_OPT_GO);
    nbd_put32(b, 0xfffffff0);
    tc_send(fd, b->data, b->len);
    tc_assert_closed(fd);
}

static void go_simple(int fd)
{
    uint64_t size;
    uint16_t flags;

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
    tc_go(fd, "disk", &size, &flags);
}

static void client_bad_request_magic(int fd)
{
    uint8_t junk[NBD_REQUEST_SIZE];

    go_simple(fd);
    memset(junk, 0x42, sizeof(junk));
    tc_send(fd, junk, sizeof(junk));
    tc_assert_closed(fd);
}

static void client_oversized_write(int fd)
{
    go_simple(fd);
    tc_request(fd, NBD_CMD_WRITE, 0, 1, 0, 0x7fffffff, NULL);
    tc_assert_closed(fd);
}

static void client_abrupt_mid_payload(int fd)
{
    uint8_t half[2048] = { 0 };

    go_simple(fd);
    tc_request(fd, NBD_CMD_WRITE, 0, 1, 0, 4096, NULL);
    tc_send(fd, half, sizeof(half));
    /* and hang up */
}

static void client_abrupt_mid_handshake(int fd)
{
    uint8_t g[5];

    g_assert(tc_recv(fd, g, sizeof(g)));
}

static void client_too_many_options(int fd)
{
    GByteArray *d;
    int i;

    tc_greeting(fd, NBD_FLAG_C_FIXED_NEWSTYLE);
    for (i = 0; i < NBD_MAX_OPTIONS; i++) {
        tc_send_opt(fd, NBD_OPT_STRUCTURED_REPLY, NULL, 0);
        g_assert_cmphex(tc_opt_reply(fd, NBD_OPT_STRUCTURED_REPLY, &d), ==,
                        NBD_REP_ACK);
        g_byte_array_unref(d);
    }
    tc_send_opt(fd, NBD_OPT_STRUCTURED_REPLY, NULL, 0);
    tc_assert_closed(fd);
}

/*
 * Requests with a valid magic and random fields (writes carry their
 * payload, up to 8 KiB); then DISC.  Whatever the server answers, it must
 * end with EOF and no crash; the image size must not change.
 */
static void client_fuzz_requests(int fd)
{
    uint8_t payload[8192], sink[65536];
    int i;

    go_simple(fd);
    memset(payload, 0x99, sizeof(payload));
    for (i = 0; i < 300; i++) {
        uint16_t type = g_test_rand_int_range(0, 10);
        uint32_t len = g_test_rand_bit() ? g_test_rand_int_range(0, 8192) :
                       g_test_rand_int();
        uint64_t off = g_test_rand_bit() ?
                       (uint64_t)g_test_rand_int_range(0, SIZE) :
                       ((uint64_t)g_test_rand_int() << 32) |
                       g_test_rand_int();

        if (type == NBD_CMD_DISC) {
            continue;
        }
        if (type == NBD_CMD_WRITE) {
            len %= sizeof(payload);
        }
        tc_request(fd, type, g_test_rand_int_range(0, 32), i, off, len,
                   type == NBD_CMD_WRITE ? payload : NULL);
    }
    tc_request(fd, NBD_CMD_DISC, 0, 1000, 0, 0, NULL);
    while (recv(fd, sink, sizeof(sink), 0) > 0) {
        /* replies, then EOF */
    }
}

static void test_server_fuzz(void)
{
    Fixture f;

    fixture_init(&f, "fuzz");
    run_client(&f, client_fuzz_requests);
    run_client(&f, client_export_name_ro);
    g_assert_cmpint(bdrv_getlength(f.bs), ==, SIZE);
    fixture_cleanup(&f);
}

static void test_server_malformed(void)
{
    Fixture f;

    fixture_init(&f, "malformed");
    run_client(&f, client_export_name_ro);
    run_client(&f, client_unknown_export);
    run_client(&f, client_bad_client_flags);
    run_client(&f, client_bad_opt_magic);
    run_client(&f, client_huge_option);
    run_client(&f, client_bad_request_magic);
    run_client(&f, client_oversized_write);
    run_client(&f, client_abrupt_mid_payload);
    run_client(&f, client_abrupt_mid_handshake);
    run_client(&f, client_too_many_options);
    /* the server still serves */
    run_client(&f, client_export_name_ro);
    fixture_cleanup(&f);
}

static void test_export_remove(void)
{
    Fixture f;
    NBDExport *exp;
    Error *err = NULL;
    int sv[2];
    uint8_t g[18];

    fixture_init(&f, "remove");
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    nbd_server_add_client(f.srv, sv[0]);
    exp = nbd_export_find(f.srv, "disk");
    g_assert_nonnull(exp);
    g_assert_null(nbd_export_add(f.srv, NULL, "disk", NULL, f.bs, true,
                                 &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "NBD server already has export named 'disk'");
    error_free(err);
    err = NULL;
    /* the client has not picked an export: safe removal works */
    g_assert(nbd_export_remove(f.srv, exp, false, &error_abort));
    g_assert_cmpint(f.deleted->len, ==, 1);
    g_assert_cmpstr(f.deleted->pdata[0], ==, "disk");
    g_assert_null(nbd_export_find(f.srv, "disk"));
    g_assert_nonnull(nbd_export_find_id(f.srv, "ro-id"));
    /* stopping the server disconnects the client */
    g_assert(tc_recv(sv[1], g, sizeof(g)));
    nbd_server_free(f.srv);
    tc_assert_closed(sv[1]);
    close(sv[1]);
    g_assert_cmpint(f.deleted->len, ==, 2);
    g_ptr_array_free(f.deleted, true);
    bdrv_unref(f.bs);
    g_free(f.path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nbd/proto/request", test_request_parse);
    g_test_add_func("/nbd/proto/opt-go", test_opt_go_parse);
    g_test_add_func("/nbd/proto/meta-context", test_meta_parse);
    g_test_add_func("/nbd/server/session", test_server_session);
    g_test_add_func("/nbd/server/malformed", test_server_malformed);
    g_test_add_func("/nbd/server/export-remove", test_export_remove);
    g_test_add_func("/nbd/server/fuzz", test_server_fuzz);
    return g_test_run();
}
