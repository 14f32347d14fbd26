/*
 * Chardev frontend API (CharBackend).
 */
#include "qemu/osdep.h"
#include "chardev/char-fe.h"
#include "trace/trace-chardev.h"

bool qemu_chr_fe_init(CharBackend *b, Chardev *s, Error **errp)
{
    ChardevClass *cc;

    memset(b, 0, sizeof(*b));
    if (!s) {
        return true;
    }
    cc = CHARDEV_GET_CLASS(s);
    if (cc->chr_fe_attach) {
        if (!cc->chr_fe_attach(s, b, errp)) {
            return false;
        }
    } else if (s->be) {
        error_setg(errp, "Device '%s' is in use", s->label);
        return false;
    } else {
        s->be = b;
    }
    b->chr = s;
    return true;
}

Chardev *qemu_chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}

bool qemu_chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool qemu_chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

void qemu_chr_fe_set_open(CharBackend *be, int fe_open)
{
    Chardev *chr = be->chr;

    if (!chr || be->fe_open == fe_open) {
        return;
    }
    be->fe_open = fe_open;
    if (CHARDEV_GET_CLASS(chr)->chr_set_fe_open) {
        CHARDEV_GET_CLASS(chr)->chr_set_fe_open(chr, fe_open);
    }
}

void qemu_chr_fe_take_focus(CharBackend *b)
{
    Chardev *chr = b->chr;

    if (chr && CHARDEV_GET_CLASS(chr)->chr_take_focus) {
        CHARDEV_GET_CLASS(chr)->chr_take_focus(chr, b);
    }
}

void qemu_chr_fe_set_handlers(CharBackend *b,
                              IOCanReadHandler *fd_can_read,
                              IOReadHandler *fd_read,
                              IOEventHandler *fd_event,
                              BackendChangeHandler *be_change,
                              void *opaque,
                              GMainContext *context,
                              bool set_open)
{
    Chardev *s = b->chr;
    ChardevClass *cc;
    bool fe_open;

    if (!s) {
        return;
    }
    cc = CHARDEV_GET_CLASS(s);
    fe_open = fd_can_read || fd_read || fd_event;
    if (!fe_open) {
        fd_can_read = NULL;
        fd_read = NULL;
        fd_event = NULL;
        be_change = NULL;
        opaque = NULL;
        context = NULL;
    }
    b->chr_can_read = fd_can_read;
    b->chr_read = fd_read;
    b->chr_event = fd_event;
    b->chr_be_change = be_change;
    b->opaque = opaque;
    if (!cc->chr_fe_attach) {
        /* A mux keeps its own context for the shared backend. */
        s->gcontext = context;
    }
    trace_chardev_fe_set_handlers(s->label, fe_open, context != NULL);
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
    if (set_open) {
        qemu_chr_fe_set_open(b, fe_open);
    }
    if (fe_open) {
        qemu_chr_fe_take_focus(b);
    }
    if (fe_open && s->be_open && fd_event) {
        /* Attached to an already open backend: it gets OPENED too. */
        fd_event(opaque, CHR_EVENT_OPENED);
    }
}

void qemu_chr_fe_deinit(CharBackend *b, bool del)
{
    Chardev *chr = b->chr;

    if (!chr) {
        return;
    }
    qemu_chr_fe_set_handlers(b, NULL, NULL, NULL, NULL, NULL, NULL, true);
    if (CHARDEV_GET_CLASS(chr)->chr_fe_detach) {
        CHARDEV_GET_CLASS(chr)->chr_fe_detach(chr, b);
    } else if (chr->be == b) {
        chr->be = NULL;
    }
    b->chr = NULL;
    if (del) {
        Object *obj = OBJECT(chr);

        if (obj->parent) {
            object_unparent(obj);
        } else {
            object_unref(obj);
        }
    }
}

int qemu_chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return len;
    }
    return qemu_chr_write(be->chr, buf, len, false);
}

int qemu_chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    if (!be->chr) {
        return len;
    }
    return qemu_chr_write(be->chr, buf, len, true);
}

void qemu_chr_fe_printf(CharBackend *be, const char *fmt, ...)
{
    g_autofree char *buf = NULL;
    va_list ap;

    va_start(ap, fmt);
    buf = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qemu_chr_fe_write_all(be, (uint8_t *)buf, strlen(buf));
}

typedef struct FEWatch {
    GSource source;
    gpointer tag;
    FEWatchFunc func;
    void *data;
} FEWatch;

static gboolean fe_watch_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return FALSE;
}

static gboolean fe_watch_check(GSource *source)
{
    FEWatch *w = (FEWatch *)source;

    return g_source_query_unix_fd(source, w->tag) != 0;
}

static gboolean fe_watch_dispatch(GSource *source, GSourceFunc cb,
                                  gpointer user_data)
{
    FEWatch *w = (FEWatch *)source;

    return w->func(NULL, g_source_query_unix_fd(source, w->tag), w->data);
}

static GSourceFuncs fe_watch_funcs = {
    .prepare = fe_watch_prepare,
    .check = fe_watch_check,
    .dispatch = fe_watch_dispatch,
};

guint qemu_chr_fe_add_watch(CharBackend *be, GIOCondition cond,
                            FEWatchFunc func, void *user_data)
{
    Chardev *chr = be->chr;
    ChardevClass *cc;
    FEWatch *w;
    guint id;
    int fd;

    if (!chr) {
        return 0;
    }
    cc = CHARDEV_GET_CLASS(chr);
    fd = cc->chr_write_fd ? cc->chr_write_fd(chr) : -1;
    if (fd < 0) {
        return 0;
    }
    w = (FEWatch *)g_source_new(&fe_watch_funcs, sizeof(FEWatch));
    w->func = func;
    w->data = user_data;
    w->tag = g_source_add_unix_fd(&w->source, fd, cond);
    g_source_set_name(&w->source, "chardev-fe-watch");
    id = g_source_attach(&w->source, chr->gcontext);
    g_source_unref(&w->source);
    return id;
}

void qemu_chr_fe_accept_input(CharBackend *be)
{
    Chardev *chr = be->chr;

    if (!chr) {
        return;
    }
    if (CHARDEV_GET_CLASS(chr)->chr_accept_input) {
        CHARDEV_GET_CLASS(chr)->chr_accept_input(chr);
    }
    g_main_context_wakeup(chr->gcontext ? chr->gcontext
                                        : g_main_context_default());
}

void qemu_chr_fe_disconnect(CharBackend *be)
{
    Chardev *chr = be->chr;

    if (chr && CHARDEV_GET_CLASS(chr)->chr_disconnect) {
        CHARDEV_GET_CLASS(chr)->chr_disconnect(chr);
    }
}

void qemu_chr_fe_set_nodelay(CharBackend *be, bool on)
{
    Chardev *chr = be->chr;

    if (chr && CHARDEV_GET_CLASS(chr)->chr_set_nodelay) {
        CHARDEV_GET_CLASS(chr)->chr_set_nodelay(chr, on);
    }
}

int qemu_chr_fe_wait_connected(CharBackend *be, Error **errp)
{
    if (!be->chr) {
        error_setg(errp, "A character device is required");
        return -1;
    }
    return qemu_chr_wait_connected(be->chr, errp);
}
