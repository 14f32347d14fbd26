/*
 * The QMP layer of chardev/: chardev-add with the QAPI ChardevBackend
 * shapes scripts send (COLO-FT failover re-creates its socket chardevs
 * this way), query-chardev, chardev-remove, ringbuf-write/-read.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "qobject/qjson.h"
#include "qapi/visitor.h"
#include "qapi/qobject-input-visitor.h"
#include "qapi/qapi-commands-char.h"
#include "qapi/qapi-visit-char.h"

static char *tmpdir;

static ChardevBackend *backend_from_json(const char *json)
{
    g_autoptr(QObject) obj = qobject_from_json(json, &error_abort);
    Visitor *v = qobject_input_visitor_new(obj);
    ChardevBackend *b = NULL;

    g_assert_true(visit_type_ChardevBackend(v, NULL, &b, &error_abort));
    visit_free(v);
    return b;
}

static ChardevReturn *add(const char *id, const char *json, Error **errp)
{
    g_autoptr(ChardevBackend) b = backend_from_json(json);

    return qmp_chardev_add(id, b, errp);
}

static ChardevInfo *find_info(ChardevInfoList *l, const char *label)
{
    for (; l; l = l->next) {
        if (!strcmp(l->value->label, label)) {
            return l->value;
        }
    }
    return NULL;
}

static void test_add_socket_inet(void)
{
    g_autoptr(ChardevReturn) r1 = NULL;
    g_autoptr(ChardevReturn) r2 = NULL;
    g_autoptr(ChardevInfoList) list = NULL;
    ChardevInfo *srv, *cli;
    Error *err = NULL;
    int port;
    g_autofree char *json = NULL;

    /* A server does not wait by default when created by QMP. */
    r1 = add("compare0", "{'type': 'socket', 'data': {'addr': {'type': "
             "'inet', 'data': {'host': '127.0.0.1', 'port': '0'}}, "
             "'server': true}}", &error_abort);
    g_assert_false(r1->has_pty);
    list = qmp_query_chardev(&error_abort);
    srv = find_info(list, "compare0");
    g_assert_nonnull(srv);
    g_assert_true(g_str_has_prefix(srv->filename,
                                   "disconnected:tcp:127.0.0.1:"));
    g_assert_false(srv->frontend_open);
    port = atoi(srv->filename + strlen("disconnected:tcp:127.0.0.1:"));

    json = g_strdup_printf("{'type': 'socket', 'data': {'addr': {'type': "
                           "'inet', 'data': {'host': '127.0.0.1', "
                           "'port': '%d'}}, 'server': false, "
                           "'reconnect': 1}}", port);
    r2 = add("compare0-0", json, &error_abort);
    g_assert_nonnull(r2);

    g_assert_null(add("compare0", "{'type': 'null', 'data': {}}", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "attempt to add duplicate "
                    "property 'compare0' to object (type 'container')");
    error_free_or_abort(&err);

    /* Newest first, like QEMU. */
    qapi_free_ChardevInfoList(list);
    list = qmp_query_chardev(&error_abort);
    g_assert_cmpstr(list->value->label, ==, "compare0-0");
    cli = find_info(list, "compare0-0");
    g_assert_nonnull(cli);

    qmp_chardev_remove("compare0-0", &error_abort);
    qmp_chardev_remove("compare0", &error_abort);
    qmp_chardev_remove("compare0", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Chardev 'compare0' not found");
    error_free_or_abort(&err);
}

static void test_add_socket_unix_and_busy(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "q.sock", NULL);
    g_autofree char *json = g_strdup_printf(
        "{'type': 'socket', 'data': {'addr': {'type': 'unix', 'data': "
        "{'path': '%s'}}, 'server': true, 'wait': false}}", path);
    g_autoptr(ChardevReturn) r = add("u0", json, &error_abort);
    g_autoptr(ChardevInfoList) list = qmp_query_chardev(&error_abort);
    g_autofree char *expect = g_strdup_printf(
        "disconnected:unix:%s,server=on", path);
    CharBackend be;
    Error *err = NULL;

    g_assert_cmpstr(find_info(list, "u0")->filename, ==, expect);
    g_assert_true(qemu_chr_fe_init(&be, qemu_chr_find("u0"), &error_abort));
    qmp_chardev_remove("u0", &err);
    g_assert_cmpstr(error_get_pretty(err), ==, "Chardev 'u0' is busy");
    error_free_or_abort(&err);
    qemu_chr_fe_deinit(&be, false);
    qmp_chardev_remove("u0", &error_abort);
}

static void test_add_pty_ringbuf(void)
{
    g_autoptr(ChardevReturn) r = add("p0", "{'type': 'pty', 'data': {}}",
                                     &error_abort);
    g_autoptr(ChardevReturn) r2 = NULL;
    g_autofree char *out = NULL;
    g_autofree char *b64 = NULL;
    Error *err = NULL;

    g_assert_true(r->has_pty);
    g_assert_true(g_str_has_prefix(r->pty, "/dev/pts/"));
    qmp_chardev_remove("p0", &error_abort);

    r2 = add("rb", "{'type': 'ringbuf', 'data': {'size': 16}}",
             &error_abort);
    qmp_ringbuf_write("rb", "hello", false, 0, &error_abort);
    qmp_ringbuf_write("rb", "IQ==", true, DATA_FORMAT_BASE64, &error_abort);
    out = qmp_ringbuf_read("rb", 3, false, 0, &error_abort);
    g_assert_cmpstr(out, ==, "hel");
    b64 = qmp_ringbuf_read("rb", 100, true, DATA_FORMAT_BASE64,
                           &error_abort);
    g_assert_cmpstr(b64, ==, "bG8h");        /* "lo!" */
    g_assert_null(qmp_ringbuf_read("nosuch", 1, false, 0, &err));
    error_free_or_abort(&err);
    qmp_chardev_remove("rb", &error_abort);

    g_assert_null(add("bad", "{'type': 'ringbuf', 'data': {'size': 3}}",
                      &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "size of ringbuf chardev must be power of two");
    error_free_or_abort(&err);
    g_assert_null(add("bad", "{'type': 'spicevmc', 'data': "
                      "{'type': 'vdagent'}}", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'spicevmc' is not a valid char driver name");
    error_free_or_abort(&err);
}

static void test_backends_list(void)
{
    g_autoptr(ChardevBackendInfoList) l =
        qmp_query_chardev_backends(&error_abort);
    ChardevBackendInfoList *e;
    bool socket = false, ringbuf = false, fd = false;

    for (e = l; e; e = e->next) {
        socket |= !strcmp(e->value->name, "socket");
        ringbuf |= !strcmp(e->value->name, "ringbuf");
        fd |= !strcmp(e->value->name, "fd");
    }
    g_assert_true(socket);
    g_assert_true(ringbuf);
    g_assert_false(fd);        /* abstract base type */
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-char-qmp-XXXXXX", NULL);
    qemu_init_main_loop(&error_abort);
    bql_lock();
    g_test_add_func("/char/qmp/add-socket-inet", test_add_socket_inet);
    g_test_add_func("/char/qmp/add-socket-unix-busy",
                    test_add_socket_unix_and_busy);
    g_test_add_func("/char/qmp/add-pty-ringbuf", test_add_pty_ringbuf);
    g_test_add_func("/char/qmp/backends", test_backends_list);
    ret = g_test_run();
    qemu_chr_cleanup();
    rmdir(tmpdir);
    return ret;
}
