/*
 * Chardev backends and the frontend API: null, ringbuf, file, socket
 * (unix/tcp server and client, reconnect, one client at a time, fd=),
 * mux escapes, option parsing and error texts.
 *
 * The test thread is the main loop thread and holds the BQL.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/thread.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <termios.h>
#include <poll.h>

static char *tmpdir;

typedef struct FE {
    CharBackend be;
    GString *rx;
    int opened;
    int closed;
    int breaks;
    int mux_in;
    int mux_out;
    int window;                 /* what can_read returns */
    GThread *seen_thread;
    bool seen_bql;
} FE;

static int fe_can_read(void *opaque)
{
    FE *fe = opaque;

    return fe->window;
}

static void fe_read(void *opaque, const uint8_t *buf, int size)
{
    FE *fe = opaque;

    g_assert_cmpint(size, <=, fe->window);
    g_string_append_len(fe->rx, (const char *)buf, size);
    fe->seen_thread = g_thread_self();
    fe->seen_bql = bql_locked();
}

static void fe_event(void *opaque, QEMUChrEvent event)
{
    FE *fe = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        fe->opened++;
        break;
    case CHR_EVENT_CLOSED:
        fe->closed++;
        break;
    case CHR_EVENT_BREAK:
        fe->breaks++;
        break;
    case CHR_EVENT_MUX_IN:
        fe->mux_in++;
        break;
    case CHR_EVENT_MUX_OUT:
        fe->mux_out++;
        break;
    }
}

static void fe_attach(FE *fe, Chardev *chr, GMainContext *ctx)
{
    fe->rx = g_string_new("");
    fe->window = 4096;
    g_assert_true(qemu_chr_fe_init(&fe->be, chr, &error_abort));
    qemu_chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, NULL,
                             fe, ctx, true);
}

static void fe_detach(FE *fe, bool del)
{
    qemu_chr_fe_deinit(&fe->be, del);
    g_string_free(fe->rx, true);
    fe->rx = NULL;
}

/* Runs the main loop until @cond(@opaque) or 5 s; returns cond. */
static bool wait_for(bool (*cond)(void *), void *opaque)
{
    int64_t end = get_clock() + 5 * NANOSECONDS_PER_SECOND;

    while (!cond(opaque) && get_clock() < end) {
        main_loop_wait(true);
        g_usleep(200);
    }
    return cond(opaque);
}

static void spin(int ms)
{
    int64_t end = get_clock() + ms * SCALE_MS;

    while (get_clock() < end) {
        main_loop_wait(true);
        g_usleep(200);
    }
}

typedef struct IntAtLeast {
    volatile int *v;
    int n;
} IntAtLeast;

static bool int_at_least(void *opaque)
{
    IntAtLeast *c = opaque;

    return *c->v >= c->n;
}

#define WAIT_INT(lv, num) \
    g_assert_true(wait_for(int_at_least, &(IntAtLeast){ &(lv), (num) }))

typedef struct RxLen {
    FE *fe;
    gsize len;
} RxLen;

static bool rx_at_least(void *opaque)
{
    RxLen *r = opaque;

    return r->fe->rx->len >= r->len;
}

#define WAIT_RX(fe, n) \
    g_assert_true(wait_for(rx_at_least, &(RxLen){ (fe), (n) }))

static Chardev *chr_new(const char *opts)
{
    return qemu_chr_new_from_opts_str(opts, &error_abort);
}

static char *chr_filename(Chardev *chr)
{
    return qemu_chr_get_filename(chr);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un su = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(su.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&su, sizeof(su)), ==, 0);
    return fd;
}

static int tcp_connect(int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    return fd;
}

/* A listening TCP socket on 127.0.0.1; *port: 0 picks a free one. */
static int tcp_listen(int *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sin.sin_port = htons(*port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    getsockname(fd, (struct sockaddr *)&sin, &len);
    *port = ntohs(sin.sin_port);
    return fd;
}

/* Reads exactly @n bytes from @fd within 5 s, running the main loop. */
static char *read_n(int fd, size_t n)
{
    int64_t end = get_clock() + 5 * NANOSECONDS_PER_SECOND;
    char *buf = g_malloc0(n + 1);
    size_t got = 0;

    while (got < n && get_clock() < end) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t r = -1;

        if (poll(&pfd, 1, 0) == 1) {
            r = read(fd, buf + got, n - got);
        }
        if (r == 0) {
            break;
        }
        if (r > 0) {
            got += r;
            continue;
        }
        main_loop_wait(true);
        g_usleep(200);
    }
    g_assert_cmpuint(got, ==, n);
    return buf;
}

static void send_str(int fd, const char *s)
{
    g_assert_cmpint(send(fd, s, strlen(s), MSG_NOSIGNAL), ==, strlen(s));
}

/* ------------------------------------------------------------------ */

static void test_null(void)
{
    Chardev *chr = chr_new("null,id=n0");
    g_autofree char *f = chr_filename(chr);
    FE fe = { 0 };

    g_assert_cmpstr(f, ==, "null");
    fe_attach(&fe, chr, NULL);
    /* Attaching to an open backend delivers OPENED. */
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(qemu_chr_fe_write(&fe.be, (uint8_t *)"abc", 3), ==, 3);
    fe_detach(&fe, true);
    g_assert_null(qemu_chr_find("n0"));
}

static void test_ringbuf_wrap(void)
{
    Error *err = NULL;
    Chardev *chr;
    FE fe = { 0 };
    size_t len;
    g_autofree uint8_t *out = NULL;
    g_autofree uint8_t *out2 = NULL;

    g_assert_null(qemu_chr_new_from_opts_str("ringbuf,id=rb1,size=12",
                                             &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "size of ringbuf chardev must be power of two");
    error_free_or_abort(&err);

    chr = chr_new("ringbuf,id=rb0,size=8");
    fe_attach(&fe, chr, NULL);
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"abcdefghij", 10);
    g_assert_cmpuint(qemu_chr_ringbuf_count(chr), ==, 8);
    out = qemu_chr_ringbuf_read("rb0", 3, &len, &error_abort);
    g_assert_cmpuint(len, ==, 3);
    g_assert_cmpstr((char *)out, ==, "cde");
    g_assert_true(qemu_chr_ringbuf_write("rb0", (uint8_t *)"XYZW", 4,
                                         &error_abort));
    /* 5 left + 4 = 9 > 8: the oldest byte ('f') is overwritten. */
    out2 = qemu_chr_ringbuf_read("rb0", 100, &len, &error_abort);
    g_assert_cmpstr((char *)out2, ==, "ghijXYZW");

    g_assert_null(qemu_chr_ringbuf_read("rb0", 0, &len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "size must be greater than zero");
    error_free_or_abort(&err);
    g_assert_null(qemu_chr_ringbuf_read("nosuch", 1, &len, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device 'nosuch' not found");
    error_free_or_abort(&err);
    chr_new("null,id=notring");
    g_assert_false(qemu_chr_ringbuf_write("notring", (uint8_t *)"x", 1,
                                          &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "notring is not a ringbuf device");
    error_free_or_abort(&err);
    g_assert_true(qemu_chr_delete("notring", &error_abort));
    /* "memory" is the legacy name of ringbuf. */
    chr_new("memory,id=mem0");
    g_assert_true(qemu_chr_ringbuf_write("mem0", (uint8_t *)"x", 1,
                                         &error_abort));
    g_assert_true(qemu_chr_delete("mem0", &error_abort));
    fe_detach(&fe, true);
}

static void test_file(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "out.txt", NULL);
    g_autofree char *opts = g_strdup_printf("file,id=f0,path=%s", path);
    g_autofree char *opts2 = g_strdup_printf("file,id=f1,path=%s,append=on",
                                             path);
    g_autofree char *content = NULL;
    FE fe = { 0 };

    fe_attach(&fe, chr_new(opts), NULL);
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"hello\n", 6);
    fe_detach(&fe, true);
    fe_attach(&fe, chr_new(opts2), NULL);
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"again\n", 6);
    fe_detach(&fe, true);
    g_assert_true(g_file_get_contents(path, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, "hello\nagain\n");
}

static void test_logfile(void)
{
    g_autofree char *log = g_build_filename(tmpdir, "log.txt", NULL);
    g_autofree char *opts = g_strdup_printf("null,id=l0,logfile=%s", log);
    g_autofree char *content = NULL;
    FE fe = { 0 };

    fe_attach(&fe, chr_new(opts), NULL);
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"logged", 6);
    fe_detach(&fe, true);
    g_assert_true(g_file_get_contents(log, &content, NULL, NULL));
    g_assert_cmpstr(content, ==, "logged");
}

static void test_socket_unix_server(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s1.sock", NULL);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s1,path=%s,server=on,wait=off", path);
    g_autofree char *f0 = NULL, *f1 = NULL, *f2 = NULL;
    g_autofree char *expect = NULL;
    g_autofree char *got = NULL;
    Chardev *chr = chr_new(opts);
    FE fe = { 0 };
    int c;

    f0 = chr_filename(chr);
    expect = g_strdup_printf("disconnected:unix:%s,server=on", path);
    g_assert_cmpstr(f0, ==, expect);
    fe_attach(&fe, chr, NULL);
    g_assert_cmpint(fe.opened, ==, 0);
    g_assert_false(qemu_chr_fe_backend_open(&fe.be));
    /* Not connected: writes fail, nothing crashes. */
    g_assert_cmpint(qemu_chr_fe_write(&fe.be, (uint8_t *)"x", 1), ==, -1);

    c = unix_connect(path);
    WAIT_INT(fe.opened, 1);
    f1 = chr_filename(chr);
    g_free(expect);
    expect = g_strdup_printf("unix:%s,server=on", path);
    g_assert_cmpstr(f1, ==, expect);

    send_str(c, "ping");
    WAIT_RX(&fe, 4);
    g_assert_cmpstr(fe.rx->str, ==, "ping");
    g_assert_true(fe.seen_bql);
    g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"pong", 4), ==,
                    4);
    got = read_n(c, 4);
    g_assert_cmpstr(got, ==, "pong");

    close(c);
    WAIT_INT(fe.closed, 1);
    spin(20);
    g_assert_cmpint(fe.closed, ==, 1);
    f2 = chr_filename(chr);
    g_assert_cmpstr(f2, ==, f0);

    /* Busy while a frontend is attached. */
    {
        Error *err = NULL;

        g_assert_false(qemu_chr_delete("s1", &err));
        g_assert_cmpstr(error_get_pretty(err), ==, "Chardev 's1' is busy");
        error_free_or_abort(&err);
    }
    fe_detach(&fe, false);
    g_assert_true(qemu_chr_delete("s1", &error_abort));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void test_socket_second_client_waits(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s2.sock", NULL);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s2,path=%s,server=on,wait=off", path);
    g_autofree char *got = NULL;
    FE fe = { 0 };
    int c1, c2;

    fe_attach(&fe, chr_new(opts), NULL);
    c1 = unix_connect(path);
    WAIT_INT(fe.opened, 1);
    /* The second connect succeeds at the kernel level (backlog)... */
    c2 = unix_connect(path);
    send_str(c2, "second");
    send_str(c1, "first");
    WAIT_RX(&fe, 5);
    spin(50);
    /* ...but is not served while the first is connected. */
    g_assert_cmpstr(fe.rx->str, ==, "first");
    g_assert_cmpint(fe.opened, ==, 1);

    close(c1);
    WAIT_INT(fe.closed, 1);
    WAIT_INT(fe.opened, 2);
    WAIT_RX(&fe, 11);
    g_assert_cmpstr(fe.rx->str, ==, "firstsecond");
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"to2", 3);
    got = read_n(c2, 3);
    g_assert_cmpstr(got, ==, "to2");
    close(c2);
    WAIT_INT(fe.closed, 2);
    fe_detach(&fe, true);
}

static void test_socket_mid_message_disconnect(void)
{
    int port = 0;
    Chardev *chr = chr_new("socket,id=s3,host=127.0.0.1,port=0,server=on,"
                           "wait=off,nodelay=on");
    g_autofree char *f = chr_filename(chr);
    g_autofree char *expect = NULL;
    g_autofree char *got = NULL;
    FE fe = { 0 };
    int c;

    /* The filename carries the port actually bound. */
    g_assert_true(g_str_has_prefix(f, "disconnected:tcp:127.0.0.1:"));
    g_assert_true(g_str_has_suffix(f, ",server=on"));
    port = atoi(f + strlen("disconnected:tcp:127.0.0.1:"));
    g_assert_cmpint(port, >, 0);

    fe_attach(&fe, chr, NULL);
    c = tcp_connect(port);
    WAIT_INT(fe.opened, 1);
    {
        g_autofree char *f1 = chr_filename(chr);

        expect = g_strdup_printf("tcp:127.0.0.1:%d,server=on <-> 127.0.0.1:",
                                 port);
        g_assert_true(g_str_has_prefix(f1, expect));
    }
    /* Half of a length-prefixed record, then the peer vanishes. */
    g_assert_cmpint(send(c, "\x00\x00\x00\x10half", 8, 0), ==, 8);
    WAIT_RX(&fe, 8);
    close(c);
    WAIT_INT(fe.closed, 1);
    /* Writes while disconnected fail cleanly. */
    g_assert_cmpint(qemu_chr_fe_write_all(&fe.be, (uint8_t *)"zz", 2), ==,
                    -1);

    /* The chardev stays usable for the next client. */
    g_string_truncate(fe.rx, 0);
    c = tcp_connect(port);
    WAIT_INT(fe.opened, 2);
    send_str(c, "whole");
    WAIT_RX(&fe, 5);
    g_assert_cmpstr(fe.rx->str, ==, "whole");
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"ok", 2);
    got = read_n(c, 2);
    g_assert_cmpstr(got, ==, "ok");
    close(c);
    WAIT_INT(fe.closed, 2);
    fe_detach(&fe, true);
}

static void test_socket_client_reconnect(void)
{
    int port = 0;
    int lfd = tcp_listen(&port);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=c4,host=127.0.0.1,port=%d,reconnect-ms=50", port);
    g_autofree char *got = NULL;
    FE fe = { 0 };
    int a;

    fe_attach(&fe, chr_new(opts), NULL);
    a = accept(lfd, NULL, NULL);
    g_assert_cmpint(a, >=, 0);
    WAIT_INT(fe.opened, 1);
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"hi", 2);
    got = read_n(a, 2);
    g_assert_cmpstr(got, ==, "hi");

    /* The server goes away... */
    close(a);
    close(lfd);
    WAIT_INT(fe.closed, 1);
    spin(200);              /* several failed reconnect attempts */
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_cmpint(fe.closed, ==, 1);

    /* ...and comes back on the same port: the client reconnects. */
    lfd = tcp_listen(&port);
    WAIT_INT(fe.opened, 2);
    a = accept(lfd, NULL, NULL);
    send_str(a, "back");
    WAIT_RX(&fe, 4);
    g_assert_cmpstr(fe.rx->str, ==, "back");
    close(a);
    close(lfd);
    WAIT_INT(fe.closed, 2);
    fe_detach(&fe, true);
}

static void test_socket_client_refused(void)
{
    int port = 0;
    int lfd = tcp_listen(&port);
    g_autofree char *opts = NULL;
    g_autofree char *expect = NULL;
    Error *err = NULL;

    close(lfd);
    opts = g_strdup_printf("socket,id=c5,host=127.0.0.1,port=%d", port);
    g_assert_null(qemu_chr_new_from_opts_str(opts, &err));
    expect = g_strdup_printf("Failed to connect to '127.0.0.1:%d': "
                             "Connection refused", port);
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free_or_abort(&err);
    g_assert_null(qemu_chr_find("c5"));
}

static void test_socket_chardev_pair(void)
{
    /* COLO-FT style: a server chardev and a client chardev on it. */
    Chardev *srv = chr_new("socket,id=p0,host=127.0.0.1,port=0,server=on,"
                           "wait=off");
    g_autofree char *f = chr_filename(srv);
    g_autofree char *copts = NULL;
    int port = atoi(f + strlen("disconnected:tcp:127.0.0.1:"));
    FE a = { 0 }, b = { 0 };

    fe_attach(&a, srv, NULL);
    copts = g_strdup_printf("socket,id=p1,host=127.0.0.1,port=%d", port);
    fe_attach(&b, chr_new(copts), NULL);
    g_assert_cmpint(b.opened, ==, 1);
    WAIT_INT(a.opened, 1);
    qemu_chr_fe_write_all(&b.be, (uint8_t *)"abc", 3);
    qemu_chr_fe_write_all(&a.be, (uint8_t *)"xyz", 3);
    WAIT_RX(&a, 3);
    WAIT_RX(&b, 3);
    g_assert_cmpstr(a.rx->str, ==, "abc");
    g_assert_cmpstr(b.rx->str, ==, "xyz");
    /* Frontend-requested disconnect of the client. */
    qemu_chr_fe_disconnect(&b.be);
    WAIT_INT(b.closed, 1);
    WAIT_INT(a.closed, 1);
    fe_detach(&b, true);
    fe_detach(&a, true);
}

static void test_socket_throttle(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s6.sock", NULL);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s6,path=%s,server=on,wait=off", path);
    FE fe = { 0 };
    int c;

    fe_attach(&fe, chr_new(opts), NULL);
    fe.window = 0;
    c = unix_connect(path);
    WAIT_INT(fe.opened, 1);
    send_str(c, "0123456789");
    spin(30);
    g_assert_cmpuint(fe.rx->len, ==, 0);
    fe.window = 3;
    qemu_chr_fe_accept_input(&fe.be);
    WAIT_RX(&fe, 10);
    g_assert_cmpstr(fe.rx->str, ==, "0123456789");
    close(c);
    WAIT_INT(fe.closed, 1);
    fe_detach(&fe, true);
}

static gboolean watch_cb(void *do_not_use, GIOCondition cond, void *opaque)
{
    (*(int *)opaque)++;
    return G_SOURCE_REMOVE;
}

static void test_socket_write_watch(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s9.sock", NULL);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s9,path=%s,server=on,wait=off", path);
    g_autofree uint8_t *chunk = g_malloc0(65536);
    char sink[65536];
    FE fe = { 0 };
    int c, r, fired = 0;
    int64_t total = 0;

    fe_attach(&fe, chr_new(opts), NULL);
    c = unix_connect(path);
    WAIT_INT(fe.opened, 1);
    /* The peer does not read: non-blocking writes end up partial. */
    do {
        r = qemu_chr_fe_write(&fe.be, chunk, 65536);
        g_assert_cmpint(r, >=, 0);
        total += r;
    } while (r == 65536);
    g_assert_cmpint(total, >, 0);
    g_assert_cmpuint(qemu_chr_fe_add_watch(&fe.be, G_IO_OUT | G_IO_HUP,
                                           watch_cb, &fired), >, 0);
    spin(20);
    g_assert_cmpint(fired, ==, 0);
    /* Draining makes it writable again. */
    while (total > 0 && (r = recv(c, sink, sizeof(sink), 0)) > 0) {
        total -= r;
        if (fired) {
            break;
        }
        main_loop_wait(true);
    }
    WAIT_INT(fired, 1);
    close(c);
    WAIT_INT(fe.closed, 1);
    fe_detach(&fe, true);
}

static void test_socket_fd_inherit(void)
{
    int port = 0;
    int lfd = tcp_listen(&port);
    int sv[2];
    g_autofree char *opts = g_strdup_printf("socket,id=fd0,fd=%d,server=on,"
                                            "wait=off", lfd);
    g_autofree char *opts2 = NULL;
    g_autofree char *f = NULL;
    g_autofree char *expect = NULL;
    g_autofree char *got = NULL;
    FE fe = { 0 }, fe2 = { 0 };
    int c;

    /* A listening socket: the chardev is a server on it. */
    fe_attach(&fe, chr_new(opts), NULL);
    f = chr_filename(qemu_chr_find("fd0"));
    expect = g_strdup_printf("disconnected:tcp:127.0.0.1:%d,server=on", port);
    g_assert_cmpstr(f, ==, expect);
    c = tcp_connect(port);
    WAIT_INT(fe.opened, 1);
    send_str(c, "via-fd");
    WAIT_RX(&fe, 6);
    close(c);
    WAIT_INT(fe.closed, 1);
    fe_detach(&fe, true);

    /* A connected socket: the chardev is open at once. */
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    opts2 = g_strdup_printf("socket,id=fd1,fd=%d", sv[0]);
    fe_attach(&fe2, chr_new(opts2), NULL);
    g_assert_cmpint(fe2.opened, ==, 1);
    qemu_chr_fe_write_all(&fe2.be, (uint8_t *)"pair", 4);
    got = read_n(sv[1], 4);
    g_assert_cmpstr(got, ==, "pair");
    close(sv[1]);
    WAIT_INT(fe2.closed, 1);
    fe_detach(&fe2, true);
}

typedef struct WaitClient {
    char *path;
    int fd;
} WaitClient;

static void *wait_client_fn(void *opaque)
{
    WaitClient *wc = opaque;

    g_usleep(50000);
    wc->fd = unix_connect(wc->path);
    return NULL;
}

static void test_socket_wait_on(void)
{
    WaitClient wc = { g_build_filename(tmpdir, "s7.sock", NULL), -1 };
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s7,path=%s,server=on,wait=on", wc.path);
    QemuThread th;
    Chardev *chr;
    FE fe = { 0 };
    int64_t t0 = get_clock();

    qemu_thread_create(&th, "client", wait_client_fn, &wc,
                       QEMU_THREAD_JOINABLE);
    chr = chr_new(opts);
    qemu_thread_join(&th);
    /* Creation blocked until the client came. */
    g_assert_cmpint(get_clock() - t0, >=, 40 * SCALE_MS);
    g_assert_true(chr->be_open);
    fe_attach(&fe, chr, NULL);
    g_assert_cmpint(fe.opened, ==, 1);
    close(wc.fd);
    WAIT_INT(fe.closed, 1);
    fe_detach(&fe, true);
    g_free(wc.path);
}

typedef struct IOThreadCtx {
    GMainContext *ctx;
    volatile bool stop;
    GThread *thread;
} IOThreadCtx;

static void *ctx_thread_fn(void *opaque)
{
    IOThreadCtx *t = opaque;

    t->thread = g_thread_self();
    while (!t->stop) {
        g_main_context_iteration(t->ctx, TRUE);
    }
    return NULL;
}

static void stop_ctx(void *opaque)
{
    ((IOThreadCtx *)opaque)->stop = true;
}

static void test_socket_other_context(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "s8.sock", NULL);
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s8,path=%s,server=on,wait=off", path);
    IOThreadCtx t = { g_main_context_new() };
    QemuThread th;
    FE fe = { 0 };
    int c, i;

    qemu_thread_create(&th, "iothread", ctx_thread_fn, &t,
                       QEMU_THREAD_JOINABLE);
    while (!t.thread) {
        g_usleep(1000);
    }
    fe_attach(&fe, chr_new(opts), t.ctx);
    c = unix_connect(path);
    for (i = 0; i < 500 && fe.rx->len < 3; i++) {
        if (i == 0) {
            send_str(c, "abc");
        }
        g_usleep(10000);
    }
    g_assert_cmpstr(fe.rx->str, ==, "abc");
    g_assert_cmpint(fe.opened, ==, 1);
    g_assert_true(fe.seen_thread == t.thread);
    g_assert_false(fe.seen_bql);
    close(c);
    for (i = 0; i < 500 && !fe.closed; i++) {
        g_usleep(10000);
    }
    g_assert_cmpint(fe.closed, ==, 1);
    /* The listener was moved too: the next client is served there. */
    c = unix_connect(path);
    send_str(c, "def");
    for (i = 0; i < 500 && fe.rx->len < 6; i++) {
        g_usleep(10000);
    }
    g_assert_cmpstr(fe.rx->str, ==, "abcdef");
    g_assert_cmpint(fe.opened, ==, 2);
    /* Moving back to the main loop while connected keeps the client. */
    qemu_chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, NULL,
                             &fe, NULL, true);
    send_str(c, "ghi");
    WAIT_RX(&fe, 9);
    g_assert_true(fe.seen_thread == g_thread_self());
    close(c);
    WAIT_INT(fe.closed, 2);
    qemu_chr_fe_set_handlers(&fe.be, NULL, NULL, NULL, NULL, NULL, NULL,
                             true);
    aio_bh_schedule_oneshot(t.ctx, stop_ctx, &t);
    qemu_thread_join(&th);
    fe_detach(&fe, true);
    aio_context_detach(t.ctx);
    g_main_context_unref(t.ctx);
}

static void test_mux(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "mux.sock", NULL);
    g_autofree char *spec = g_strdup_printf(
        "mon:unix:%s,server=on,wait=off", path);
    g_autofree char *help = NULL;
    g_autofree char *out = NULL;
    Chardev *mux = qemu_chr_new_mux_mon("serial0", spec, NULL, &error_abort);
    FE mon = { 0 }, serial = { 0 };
    int c;

    g_assert_nonnull(qemu_chr_find("serial0-base"));
    fe_attach(&mon, mux, NULL);
    fe_attach(&serial, mux, NULL);
    /* The last frontend to set handlers has the focus. */
    g_assert_cmpint(serial.mux_in, ==, 1);
    g_assert_cmpint(mon.mux_out, ==, 1);

    c = unix_connect(path);
    WAIT_INT(serial.opened, 1);
    WAIT_INT(mon.opened, 1);
    send_str(c, "a");
    WAIT_RX(&serial, 1);
    send_str(c, "\x01" "c" "b");
    WAIT_RX(&mon, 1);
    g_assert_cmpstr(serial.rx->str, ==, "a");
    g_assert_cmpstr(mon.rx->str, ==, "b");
    g_assert_cmpint(serial.mux_out, ==, 1);
    g_assert_cmpint(mon.mux_in, ==, 2);
    /* C-a C-a sends one C-a; C-a b sends a break. */
    send_str(c, "\x01\x01\x01" "b");
    WAIT_RX(&mon, 2);
    WAIT_INT(mon.breaks, 1);
    g_assert_cmpstr(mon.rx->str, ==, "b\x01");
    /* C-a h prints the help to the terminal. */
    send_str(c, "\x01h");
    help = read_n(c, 2);
    g_assert_cmpstr(help, ==, "\n\r");
    out = read_n(c, strlen("C-a h    print this help\n\r"));
    g_assert_cmpstr(out, ==, "C-a h    print this help\n\r");
    /* Both frontends' output reaches the terminal. */
    {
        int rest = strlen("C-a x    exit emulator\n\r"
                          "C-a s    save disk data back to file "
                          "(if -snapshot)\n\r"
                          "C-a t    toggle console timestamps\n\r"
                          "C-a b    send break (magic sysrq)\n\r"
                          "C-a c    switch between console and monitor\n\r"
                          "C-a C-a  sends C-a\n\r");
        g_autofree char *tail = read_n(c, rest);
        g_autofree char *both = NULL;

        g_assert_true(g_str_has_suffix(tail, "C-a C-a  sends C-a\n\r"));
        qemu_chr_fe_write_all(&serial.be, (uint8_t *)"S", 1);
        qemu_chr_fe_write_all(&mon.be, (uint8_t *)"M", 1);
        both = read_n(c, 2);
        g_assert_cmpstr(both, ==, "SM");
    }
    close(c);
    WAIT_INT(serial.closed, 1);
    WAIT_INT(mon.closed, 1);
    fe_detach(&serial, false);
    fe_detach(&mon, false);
    g_assert_true(qemu_chr_delete("serial0", &error_abort));
    g_assert_true(qemu_chr_delete("serial0-base", &error_abort));
}

static void test_mux_deferred_open(void)
{
    Chardev *mux;
    FE mon = { 0 }, serial = { 0 };

    qemu_chr_suspend_mux_open();
    mux = qemu_chr_new_mux_mon("serial1", "mon:null", NULL, &error_abort);
    fe_attach(&mon, mux, NULL);
    fe_attach(&serial, mux, NULL);
    /* Focus settles first; nobody is OPENED before the machine is up. */
    g_assert_cmpint(mon.opened, ==, 0);
    g_assert_cmpint(serial.opened, ==, 0);
    g_assert_cmpint(mon.mux_out, ==, 1);
    g_assert_cmpint(serial.mux_in, ==, 1);
    qemu_chr_resume_mux_open();
    g_assert_cmpint(mon.opened, ==, 1);
    g_assert_cmpint(serial.opened, ==, 1);
    fe_detach(&serial, false);
    fe_detach(&mon, false);
    g_assert_true(qemu_chr_delete("serial1", &error_abort));
    g_assert_true(qemu_chr_delete("serial1-base", &error_abort));
}

static void test_pty(void)
{
    Chardev *chr = chr_new("pty,id=pty0");
    const char *name = qemu_chr_pty_name(chr);
    g_autofree char *f = chr_filename(chr);
    g_autofree char *expect = NULL;
    g_autofree char *got = NULL;
    FE fe = { 0 };
    int slave;

    g_assert_nonnull(name);
    expect = g_strdup_printf("pty:%s", name);
    g_assert_cmpstr(f, ==, expect);
    fe_attach(&fe, chr, NULL);
    g_assert_cmpint(fe.opened, ==, 0);
    slave = open(name, O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    {
        struct termios tty;

        tcgetattr(slave, &tty);
        cfmakeraw(&tty);
        tcsetattr(slave, TCSANOW, &tty);
    }
    /* Connection is noticed by polling (1 s period). */
    WAIT_INT(fe.opened, 1);
    g_assert_cmpint(write(slave, "tty", 3), ==, 3);
    WAIT_RX(&fe, 3);
    g_assert_cmpstr(fe.rx->str, ==, "tty");
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"out", 3);
    got = read_n(slave, 3);
    g_assert_cmpstr(got, ==, "out");
    close(slave);
    WAIT_INT(fe.closed, 1);
    fe_detach(&fe, true);
}

static void test_pipe(void)
{
    g_autofree char *base = g_build_filename(tmpdir, "fifo", NULL);
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_autofree char *opts = g_strdup_printf("pipe,id=pipe0,path=%s", base);
    g_autofree char *got = NULL;
    FE fe = { 0 };
    int fin, fout;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    fe_attach(&fe, chr_new(opts), NULL);
    fin = open(in, O_WRONLY);
    fout = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(fin, >=, 0);
    g_assert_cmpint(fout, >=, 0);
    g_assert_cmpint(write(fin, "in!", 3), ==, 3);
    WAIT_RX(&fe, 3);
    g_assert_cmpstr(fe.rx->str, ==, "in!");
    qemu_chr_fe_write_all(&fe.be, (uint8_t *)"out", 3);
    got = read_n(fout, 3);
    g_assert_cmpstr(got, ==, "out");
    close(fin);
    close(fout);
    fe_detach(&fe, true);
}

static void test_compat_tcp(void)
{
    Chardev *chr = qemu_chr_new("compat_monitor0",
                                "tcp:127.0.0.1:0,server=on,wait=off", NULL,
                                &error_abort);
    g_autofree char *f = chr_filename(chr);
    Error *err = NULL;

    g_assert_true(g_str_has_prefix(f, "disconnected:tcp:127.0.0.1:"));
    g_assert_true(g_str_has_suffix(f, ",server=on"));
    g_assert_true(qemu_chr_delete("compat_monitor0", &error_abort));
    g_assert_null(qemu_chr_new("x", "tcp:nohostport", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "host and/or port not specified");
    error_free_or_abort(&err);
}

static void test_backends_help(void)
{
    g_autofree char *help = qemu_chr_backends_help_text();

    g_assert_true(g_str_has_prefix(help,
                                   "Available chardev backend types: \n"));
    g_assert_nonnull(strstr(help, "\n  socket\n"));
    g_assert_nonnull(strstr(help, "\n  ringbuf\n"));
    g_assert_null(strstr(help, "mux"));
}

static void expect_error(const char *opts, const char *msg)
{
    Error *err = NULL;

    g_assert_null(qemu_chr_new_from_opts_str(opts, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_opts_errors(void)
{
    Error *err = NULL;
    Chardev *chr;
    g_autofree char *info = NULL;
    g_autofree char *legacy = g_strdup_printf(
        "socket,id=legacy,path=%s/legacy.sock,server,nowait", tmpdir);

    expect_error("id=foo", "chardev: \"foo\" missing backend");
    expect_error("bogus,id=b", "'bogus' is not a valid char driver name");
    expect_error("mux,id=m", "'mux' is not a valid char driver name");
    expect_error("null,id=x,xyz=1", "Invalid parameter 'xyz'");
    expect_error("null", "Parameter 'id' is missing");
    expect_error("null,id=1bad", "Parameter 'id' expects an identifier");
    expect_error("socket,id=s", "chardev: socket: no host given");
    expect_error("socket,id=s,host=127.0.0.1,port=1,server=on,reconnect=1",
                 "'reconnect' option is incompatible with socket in server "
                 "listen mode");
    expect_error("socket,id=s,host=127.0.0.1,port=1,wait=off",
                 "'wait' option is incompatible with socket in client "
                 "connect mode");
    expect_error("socket,id=s,path=/x,server=maybe",
                 "Parameter 'server' expects 'on' or 'off'");
    expect_error("file,id=f", "chardev: file: no filename given");

    chr_new("null,id=dup");
    expect_error("null,id=dup", "Duplicate ID 'dup' for chardev");

    /* Legacy short-form booleans still work (with a warning). */
    chr = chr_new(legacy);
    g_assert_nonnull(chr);
    g_assert_false(chr->be_open);

    /* "none" creates nothing and is not an error. */
    g_assert_null(qemu_chr_new("serialX", "none", NULL, &err));
    g_assert_null(err);
    g_assert_null(qemu_chr_new("serialY", "nosuchthing", NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'nosuchthing' is not a valid char driver name");
    error_free_or_abort(&err);
    g_assert_nonnull(qemu_chr_new("serialZ", "null", NULL, &error_abort));
    g_assert_true(qemu_chr_new("alias", "chardev:serialZ", NULL,
                               &error_abort) == qemu_chr_find("serialZ"));

    info = qemu_chr_info_text();
    g_assert_nonnull(strstr(info, "serialZ: filename=null\n"));
    g_assert_true(g_str_has_prefix(info, "serialZ: filename=null\n"));
    g_assert_nonnull(strstr(info, "legacy: filename=disconnected:unix:"));

    g_assert_false(qemu_chr_delete("nosuch", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Chardev 'nosuch' not found");
    error_free_or_abort(&err);
    g_assert_true(qemu_chr_delete("serialZ", &error_abort));
    g_assert_true(qemu_chr_delete("dup", &error_abort));
    g_assert_true(qemu_chr_delete("legacy", &error_abort));
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-char-XXXXXX", NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();

    g_test_add_func("/char/null", test_null);
    g_test_add_func("/char/ringbuf/wrap", test_ringbuf_wrap);
    g_test_add_func("/char/file", test_file);
    g_test_add_func("/char/logfile", test_logfile);
    g_test_add_func("/char/socket/unix-server", test_socket_unix_server);
    g_test_add_func("/char/socket/second-client-waits",
                    test_socket_second_client_waits);
    g_test_add_func("/char/socket/tcp-mid-message-disconnect",
                    test_socket_mid_message_disconnect);
    g_test_add_func("/char/socket/client-reconnect",
                    test_socket_client_reconnect);
    g_test_add_func("/char/socket/client-refused",
                    test_socket_client_refused);
    g_test_add_func("/char/socket/chardev-pair", test_socket_chardev_pair);
    g_test_add_func("/char/socket/throttle", test_socket_throttle);
    g_test_add_func("/char/socket/fd-inherit", test_socket_fd_inherit);
    g_test_add_func("/char/socket/write-watch", test_socket_write_watch);
    g_test_add_func("/char/socket/wait-on", test_socket_wait_on);
    g_test_add_func("/char/socket/iothread-context",
                    test_socket_other_context);
    g_test_add_func("/char/mux", test_mux);
    g_test_add_func("/char/mux-deferred-open", test_mux_deferred_open);
    g_test_add_func("/char/opts/errors", test_opts_errors);
    g_test_add_func("/char/opts/backends-help", test_backends_help);
    g_test_add_func("/char/pty", test_pty);
    g_test_add_func("/char/pipe", test_pipe);
    g_test_add_func("/char/opts/compat-tcp", test_compat_tcp);
    ret = g_test_run();
    qemu_chr_cleanup();
    rmdir(tmpdir);
    return ret;
}
