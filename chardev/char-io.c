/*
 * fd sources shared by the chardev backends (see char-io.h).
 */
#include "qemu/osdep.h"
#include "char-io.h"

typedef struct ChrReadSource {
    GSource source;
    Chardev *chr;
    int fd;
    gpointer tag;               /* non-NULL while polling the fd */
    int max;                    /* can_write at prepare time */
    ChrIOReadFunc *fn;
    void *opaque;
} ChrReadSource;

static gboolean read_source_prepare(GSource *source, gint *timeout)
{
    ChrReadSource *rs = (ChrReadSource *)source;

    rs->max = qemu_chr_be_can_write(rs->chr);
    if (rs->max > 0 && !rs->tag) {
        rs->tag = g_source_add_unix_fd(source, rs->fd,
                                       G_IO_IN | G_IO_HUP | G_IO_ERR);
    } else if (rs->max <= 0 && rs->tag) {
        g_source_remove_unix_fd(source, rs->tag);
        rs->tag = NULL;
    }
    /* A frontend that forgets qemu_chr_fe_accept_input() still gets
     * its data, just later. */
    *timeout = rs->max > 0 ? -1 : 100;
    return FALSE;
}

static gboolean read_source_check(GSource *source)
{
    ChrReadSource *rs = (ChrReadSource *)source;

    return rs->tag && g_source_query_unix_fd(source, rs->tag) != 0;
}

static gboolean read_source_dispatch(GSource *source, GSourceFunc cb,
                                     gpointer user_data)
{
    ChrReadSource *rs = (ChrReadSource *)source;
    GIOCondition rev = rs->tag ? g_source_query_unix_fd(source, rs->tag) : 0;

    if (rev && rs->max > 0) {
        rs->fn(rs->opaque, rev, rs->max);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs read_source_funcs = {
    .prepare = read_source_prepare,
    .check = read_source_check,
    .dispatch = read_source_dispatch,
};

GSource *chr_io_read_source_new(Chardev *chr, int fd, GMainContext *ctx,
                                ChrIOReadFunc *fn, void *opaque)
{
    ChrReadSource *rs;

    rs = (ChrReadSource *)g_source_new(&read_source_funcs,
                                       sizeof(ChrReadSource));
    rs->chr = chr;
    rs->fd = fd;
    rs->fn = fn;
    rs->opaque = opaque;
    g_source_set_name(&rs->source, "chardev-read");
    g_source_attach(&rs->source, ctx);
    return &rs->source;
}

void chr_io_source_remove(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

typedef struct ChrWatch {
    GSource source;
    gpointer tag;
    ChrIOWatchFunc *fn;
    void *opaque;
} ChrWatch;

static gboolean watch_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return FALSE;
}

static gboolean watch_check(GSource *source)
{
    ChrWatch *w = (ChrWatch *)source;

    return g_source_query_unix_fd(source, w->tag) != 0;
}

static gboolean watch_dispatch(GSource *source, GSourceFunc cb,
                               gpointer user_data)
{
    ChrWatch *w = (ChrWatch *)source;

    w->fn(w->opaque, g_source_query_unix_fd(source, w->tag));
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = {
    .prepare = watch_prepare,
    .check = watch_check,
    .dispatch = watch_dispatch,
};

GSource *chr_io_watch_new(int fd, GIOCondition cond, GMainContext *ctx,
                          ChrIOWatchFunc *fn, void *opaque)
{
    ChrWatch *w = (ChrWatch *)g_source_new(&watch_funcs, sizeof(ChrWatch));

    w->fn = fn;
    w->opaque = opaque;
    w->tag = g_source_add_unix_fd(&w->source, fd, cond);
    g_source_set_name(&w->source, "chardev-watch");
    g_source_attach(&w->source, ctx);
    return &w->source;
}

bool chr_fd_set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

int chr_fd_write(int fd, const uint8_t *buf, int len)
{
    int done = 0;

    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return done ? done : -1;
        }
        done += n;
    }
    return done;
}
