/*
 * Chardev base type, the /chardevs registry, backend-side helpers and
 * creation from flat options.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "qom/object_interfaces.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "trace/trace-chardev.h"
#include <poll.h>

static GMutex filename_lock;

Object *get_chardevs_root(void)
{
    return container_get(object_get_root(), "/chardevs");
}

/* Backend-side API */

int qemu_chr_be_can_write(Chardev *chr)
{
    CharBackend *be = chr->be;

    if (!be || !be->chr_can_read) {
        return 0;
    }
    return be->chr_can_read(be->opaque);
}

void qemu_chr_be_write(Chardev *chr, const uint8_t *buf, int len)
{
    CharBackend *be = chr->be;

    if (be && be->chr_read) {
        be->chr_read(be->opaque, buf, len);
    }
}

static void chr_be_event_default(Chardev *chr, QEMUChrEvent event)
{
    CharBackend *be = chr->be;

    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

void qemu_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    switch (event) {
    case CHR_EVENT_OPENED:
        if (chr->be_open) {
            return;
        }
        chr->be_open = true;
        break;
    case CHR_EVENT_CLOSED:
        if (!chr->be_open) {
            return;
        }
        chr->be_open = false;
        break;
    default:
        break;
    }
    trace_chardev_event(chr->label, event);
    if (cc->chr_be_event) {
        cc->chr_be_event(chr, event);
    } else {
        chr_be_event_default(chr, event);
    }
}

void qemu_chr_set_filename(Chardev *chr, const char *filename)
{
    char *old;

    g_mutex_lock(&filename_lock);
    old = chr->filename;
    chr->filename = g_strdup(filename);
    g_mutex_unlock(&filename_lock);
    g_free(old);
}

static char *chr_get_filename(Chardev *chr)
{
    char *f;

    g_mutex_lock(&filename_lock);
    f = g_strdup(chr->filename ? chr->filename : "");
    g_mutex_unlock(&filename_lock);
    return f;
}

static void chr_log(Chardev *chr, const uint8_t *buf, int len)
{
    while (chr->logfd >= 0 && len > 0) {
        ssize_t n = write(chr->logfd, buf, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= n;
    }
}

/* Waits up to 100 ms for the backend to become writable. */
static void chr_wait_writable(Chardev *chr)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    int fd = cc->chr_write_fd ? cc->chr_write_fd(chr) : -1;
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };

    if (fd < 0) {
        g_usleep(100);
        return;
    }
    poll(&pfd, 1, 100);
}

int qemu_chr_write(Chardev *chr, const uint8_t *buf, int len, bool write_all)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);
    int done = 0;
    int ret = 0;

    if (!cc->chr_write) {
        return len;
    }
    g_mutex_lock(&chr->chr_write_lock);
    while (done < len) {
        ret = cc->chr_write(chr, buf + done, len - done);
        if (ret < 0 && errno == EINTR) {
            continue;
        }
        if (ret < 0 && errno == EAGAIN) {
            if (!write_all) {
                ret = 0;
                break;
            }
            chr_wait_writable(chr);
            continue;
        }
        if (ret <= 0) {
            break;
        }
        done += ret;
        if (!write_all) {
            break;
        }
    }
    chr_log(chr, buf, done);
    g_mutex_unlock(&chr->chr_write_lock);
    if (done == 0 && ret < 0) {
        return -1;
    }
    return done;
}

/* Options */

const char *qemu_chr_opt_str(QDict *opts, const char *key)
{
    QObject *v = qdict_get(opts, key);

    if (!v || qobject_type(v) != QTYPE_QSTRING) {
        return NULL;
    }
    return qstring_get_str(qobject_to(QString, v));
}

bool qemu_chr_opt_bool(QDict *opts, const char *key, bool def,
                       bool *out, Error **errp)
{
    QObject *v = qdict_get(opts, key);
    const char *s;

    *out = def;
    if (!v) {
        return true;
    }
    if (qobject_type(v) == QTYPE_QBOOL) {
        *out = qbool_get_bool(qobject_to(QBool, v));
        return true;
    }
    s = qemu_chr_opt_str(opts, key);
    if (s && (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") ||
              !strcmp(s, "y"))) {
        *out = true;
        return true;
    }
    if (s && (!strcmp(s, "off") || !strcmp(s, "no") ||
              !strcmp(s, "false") || !strcmp(s, "n"))) {
        *out = false;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
    return false;
}

static bool parse_uint_suffix(const char *s, bool allow_suffix,
                              uint64_t *out)
{
    char *end;
    uint64_t v, mul = 1;

    if (!*s || *s == '-') {
        return false;
    }
    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (errno) {
        return false;
    }
    if (allow_suffix && *end) {
        switch (g_ascii_tolower(*end)) {
        case 'b':
            mul = 1;
            break;
        case 'k':
            mul = 1ULL << 10;
            break;
        case 'm':
            mul = 1ULL << 20;
            break;
        case 'g':
            mul = 1ULL << 30;
            break;
        case 't':
            mul = 1ULL << 40;
            break;
        default:
            return false;
        }
        end++;
    }
    if (*end || (mul > 1 && v > UINT64_MAX / mul)) {
        return false;
    }
    *out = v * mul;
    return true;
}

static bool opt_uint(QDict *opts, const char *key, uint64_t def,
                     bool size, uint64_t *out, Error **errp)
{
    QObject *v = qdict_get(opts, key);
    const char *s;

    *out = def;
    if (!v) {
        return true;
    }
    if (qobject_type(v) == QTYPE_QNUM &&
        qnum_get_try_uint(qobject_to(QNum, v), out)) {
        return true;
    }
    s = qemu_chr_opt_str(opts, key);
    if (s && parse_uint_suffix(s, size, out)) {
        return true;
    }
    error_setg(errp, "Parameter '%s' expects %s", key,
               size ? "a size value" : "a number");
    return false;
}

bool qemu_chr_opt_uint(QDict *opts, const char *key, uint64_t def,
                       uint64_t *out, Error **errp)
{
    return opt_uint(opts, key, def, false, out, errp);
}

bool qemu_chr_opt_size(QDict *opts, const char *key, uint64_t def,
                       uint64_t *out, Error **errp)
{
    return opt_uint(opts, key, def, true, out, errp);
}

/* Registry */

Chardev *qemu_chr_find(const char *id)
{
    Object *obj;

    if (!id) {
        return NULL;
    }
    obj = object_resolve_path_component(get_chardevs_root(), id);
    return obj ? (Chardev *)object_dynamic_cast(obj, TYPE_CHARDEV) : NULL;
}

typedef struct ForeachData {
    void (*fn)(Chardev *chr, void *opaque);
    void *opaque;
} ForeachData;

static int chr_foreach_child(Object *child, void *opaque)
{
    ForeachData *d = opaque;
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);

    if (chr) {
        d->fn(chr, d->opaque);
    }
    return 0;
}

void qemu_chr_foreach(void (*fn)(Chardev *chr, void *opaque), void *opaque)
{
    ForeachData d = { fn, opaque };

    object_child_foreach(get_chardevs_root(), chr_foreach_child, &d);
}

bool qemu_chr_is_busy(Chardev *chr)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return chr->be != NULL || (cc->chr_is_busy && cc->chr_is_busy(chr));
}

bool qemu_chr_has_feature_gcontext(Chardev *chr)
{
    return CHARDEV_GET_CLASS(chr)->supports_gcontext;
}

int qemu_chr_wait_connected(Chardev *chr, Error **errp)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return cc->chr_wait_connected ? cc->chr_wait_connected(chr, errp) : 0;
}

bool qemu_chr_delete(const char *id, Error **errp)
{
    Chardev *chr = qemu_chr_find(id);

    if (!chr) {
        error_setg(errp, "Chardev '%s' not found", id);
        return false;
    }
    if (qemu_chr_is_busy(chr)) {
        error_setg(errp, "Chardev '%s' is busy", id);
        return false;
    }
    trace_chardev_delete(id);
    object_unparent(OBJECT(chr));
    return true;
}

static int chr_unparent_child(Object *child, void *opaque)
{
    GPtrArray *all = opaque;

    g_ptr_array_add(all, child);
    return 0;
}

void qemu_chr_cleanup(void)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    guint i;

    object_child_foreach(get_chardevs_root(), chr_unparent_child, all);
    for (i = 0; i < all->len; i++) {
        object_unparent(g_ptr_array_index(all, i));
    }
}

/* Creation */

static ChardevClass *chr_backend_class(const char *backend, Error **errp)
{
    g_autofree char *type = g_strdup_printf("chardev-%s", backend);
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || !object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc) || ((ChardevClass *)oc)->internal) {
        error_setg(errp, "'%s' is not a valid char driver name", backend);
        return NULL;
    }
    return (ChardevClass *)oc;
}

static bool chr_open_logfile(Chardev *chr, QDict *opts, Error **errp)
{
    const char *logfile = qemu_chr_opt_str(opts, "logfile");
    bool append;
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC;

    if (!logfile) {
        return true;
    }
    if (!qemu_chr_opt_bool(opts, "logappend", false, &append, errp)) {
        return false;
    }
    flags |= append ? O_APPEND : O_TRUNC;
    chr->logfd = open(logfile, flags, 0666);
    if (chr->logfd < 0) {
        error_setg_errno(errp, errno, "Unable to open logfile %s", logfile);
        return false;
    }
    return true;
}

static Chardev *chr_create(const char *id, ChardevClass *cc, QDict *opts,
                           GMainContext *context, Error **errp)
{
    Chardev *chr = CHARDEV(object_new(object_class_get_name(
                                          OBJECT_CLASS(cc))));
    bool be_opened = true;

    chr->label = g_strdup(id);
    chr->gcontext = context;
    if (!chr_open_logfile(chr, opts, errp) ||
        (cc->open && !cc->open(chr, opts, &be_opened, errp))) {
        object_unref(OBJECT(chr));
        return NULL;
    }
    if (!chr->filename) {
        /* "chardev-null" -> "null", like QEMU */
        chr->filename = g_strdup(object_get_typename(OBJECT(chr)) + 8);
    }
    object_property_add_child(get_chardevs_root(), id, OBJECT(chr));
    object_unref(OBJECT(chr));
    trace_chardev_new(id, object_class_get_name(OBJECT_CLASS(cc)));
    if (be_opened) {
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    }
    return chr;
}

Chardev *qemu_chr_new_from_qdict(const char *id, QDict *opts,
                                 GMainContext *context, Error **errp)
{
    const char *backend = qemu_chr_opt_str(opts, "backend");
    g_autofree char *base_id = NULL;
    g_autoptr(QDict) mux_opts = NULL;
    ChardevClass *cc;
    Chardev *base;
    bool mux;

    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!backend) {
        error_setg(errp, "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    cc = chr_backend_class(backend, errp);
    if (!cc) {
        return NULL;
    }
    if (qemu_chr_find(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }
    if (!qemu_chr_opt_bool(opts, "mux", false, &mux, errp)) {
        return NULL;
    }
    if (!mux) {
        return chr_create(id, cc, opts, context, errp);
    }
    base_id = g_strdup_printf("%s-base", id);
    base = chr_create(base_id, cc, opts, context, errp);
    if (!base) {
        return NULL;
    }
    mux_opts = qdict_new();
    qdict_put_str(mux_opts, "chardev", base_id);
    return chr_create(id, CHARDEV_CLASS(object_class_by_name(
                                            TYPE_CHARDEV_MUX)),
                      mux_opts, context, errp);
}

Chardev *qemu_chr_new_from_opts(QDict *opts, GMainContext *context,
                                Error **errp)
{
    const char *id = qemu_chr_opt_str(opts, "id");

    if (id && !id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }
    if (id && qemu_chr_find(id)) {
        error_setg(errp, "Duplicate ID '%s' for chardev", id);
        return NULL;
    }
    return qemu_chr_new_from_qdict(id, opts, context, errp);
}

Chardev *qemu_chr_new_from_opts_str(const char *optstr, Error **errp)
{
    g_autoptr(QDict) opts = qemu_chr_parse_opts_str(optstr, errp);

    return opts ? qemu_chr_new_from_opts(opts, NULL, errp) : NULL;
}

static Chardev *chr_new_compat(const char *label, const char *filename,
                               bool permit_mux_mon, GMainContext *context,
                               Error **errp)
{
    g_autoptr(QDict) opts = NULL;
    Error *local_err = NULL;
    const char *existing;

    opts = qemu_chr_parse_compat(label, filename, permit_mux_mon,
                                 &local_err);
    if (!opts) {
        error_propagate(errp, local_err);
        return NULL;
    }
    existing = qemu_chr_opt_str(opts, "chardev-ref");
    if (existing) {
        Chardev *chr = qemu_chr_find(existing);

        if (!chr) {
            error_setg(errp, "chardev '%s' not found", existing);
        }
        return chr;
    }
    return qemu_chr_new_from_qdict(label, opts, context, errp);
}

Chardev *qemu_chr_new(const char *label, const char *filename,
                      GMainContext *context, Error **errp)
{
    return chr_new_compat(label, filename, false, context, errp);
}

Chardev *qemu_chr_new_mux_mon(const char *label, const char *filename,
                              GMainContext *context, Error **errp)
{
    return chr_new_compat(label, filename, true, context, errp);
}

static void chr_backend_name(ObjectClass *oc, void *opaque)
{
    GPtrArray *names = opaque;
    const char *name = object_class_get_name(oc);

    if (g_str_has_prefix(name, "chardev-") &&
        !((ChardevClass *)oc)->internal) {
        g_ptr_array_add(names, (gpointer)(name + strlen("chardev-")));
    }
}

static gint chr_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *qemu_chr_backends_help_text(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GString *out = g_string_new("Available chardev backend types: ");
    guint i;

    object_class_foreach(chr_backend_name, TYPE_CHARDEV, false, names);
    g_ptr_array_sort(names, chr_name_cmp);
    for (i = 0; i < names->len; i++) {
        g_string_append_printf(out, "\n  %s",
                               (char *)g_ptr_array_index(names, i));
    }
    g_string_append_c(out, '\n');
    return g_string_free(out, false);
}

typedef struct InfoText {
    GString *out;
} InfoText;

static void chr_info_line(Chardev *chr, void *opaque)
{
    InfoText *it = opaque;
    g_autofree char *f = chr_get_filename(chr);
    g_autofree char *line = g_strdup_printf("%s: filename=%s\n",
                                            chr->label, f);

    /* Newest first, like QEMU's list. */
    g_string_prepend(it->out, line);
}

char *qemu_chr_info_text(void)
{
    InfoText it = { g_string_new("") };

    qemu_chr_foreach(chr_info_line, &it);
    return g_string_free(it.out, false);
}

char *qemu_chr_get_filename(Chardev *chr)
{
    return chr_get_filename(chr);
}

/* The base type */

static void char_init(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    chr->logfd = -1;
    g_mutex_init(&chr->chr_write_lock);
}

static void char_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    if (chr->be) {
        chr->be->chr = NULL;
    }
    if (chr->logfd >= 0) {
        close(chr->logfd);
    }
    g_free(chr->filename);
    g_free(chr->label);
    g_mutex_clear(&chr->chr_write_lock);
}

static const TypeInfo char_type_info = {
    .name = TYPE_CHARDEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Chardev),
    .instance_init = char_init,
    .instance_finalize = char_finalize,
    .abstract = true,
    .class_size = sizeof(ChardevClass),
};

static void register_types(void)
{
    type_register_static(&char_type_info);
}

type_init(register_types);
