/*
 * fd-backed chardev base ("chardev-fd", abstract).
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "char-fd.h"
#include "char-io.h"

static int fd_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FDChardev *s = FD_CHARDEV(chr);

    if (s->fd_out < 0) {
        return len;
    }
    return chr_fd_write(s->fd_out, buf, len);
}

static int fd_chr_write_fd(Chardev *chr)
{
    return FD_CHARDEV(chr)->fd_out;
}

static void fd_chr_read(void *opaque, GIOCondition revents, int max)
{
    Chardev *chr = opaque;
    FDChardev *s = FD_CHARDEV(chr);
    uint8_t buf[CHR_READ_BUF_LEN];
    ssize_t n;

    n = read(s->fd_in, buf, MIN(max, (int)sizeof(buf)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        /* EOF or error: stop reading, the frontend sees CLOSED. */
        chr_io_source_remove(&s->read_source);
        qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
        return;
    }
    qemu_chr_be_write(chr, buf, n);
}

static void fd_chr_update_read_handler(Chardev *chr)
{
    FDChardev *s = FD_CHARDEV(chr);

    chr_io_source_remove(&s->read_source);
    if (s->fd_in >= 0) {
        s->read_source = chr_io_read_source_new(chr, s->fd_in, chr->gcontext,
                                                fd_chr_read, chr);
    }
}

void qemu_chr_open_fd(Chardev *chr, int fd_in, int fd_out)
{
    FDChardev *s = FD_CHARDEV(chr);

    s->fd_in = fd_in;
    s->fd_out = fd_out;
    /* The standard fds share their file description with the parent
     * (e.g. the terminal): leave their flags alone.  Reads only happen
     * after poll reported input, so they do not block anyway. */
    if (fd_in > 2) {
        chr_fd_set_nonblock(fd_in);
    }
    fd_chr_update_read_handler(chr);
}

static void fd_chr_init(Object *obj)
{
    FDChardev *s = FD_CHARDEV(obj);

    s->fd_in = -1;
    s->fd_out = -1;
    s->close_fds = true;
}

static void fd_chr_finalize(Object *obj)
{
    FDChardev *s = FD_CHARDEV(obj);

    chr_io_source_remove(&s->read_source);
    if (s->close_fds) {
        if (s->fd_in >= 0) {
            close(s->fd_in);
        }
        if (s->fd_out >= 0 && s->fd_out != s->fd_in) {
            close(s->fd_out);
        }
    }
}

static void fd_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->chr_write = fd_chr_write;
    cc->chr_write_fd = fd_chr_write_fd;
    cc->chr_update_read_handler = fd_chr_update_read_handler;
}

static const TypeInfo fd_chr_type_info = {
    .name = TYPE_CHARDEV_FD,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FDChardev),
    .instance_init = fd_chr_init,
    .instance_finalize = fd_chr_finalize,
    .class_init = fd_chr_class_init,
    .abstract = true,
};

static void register_types(void)
{
    type_register_static(&fd_chr_type_info);
}

type_init(register_types);
