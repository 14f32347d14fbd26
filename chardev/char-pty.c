/*
 * "pty" chardev: a pseudo-terminal pair; the guest side is the master,
 * the user connects to /dev/pts/N (printed at creation like QEMU:
 * "char device redirected to /dev/pts/N (label X)").
 *
 * Connection state: the master reports POLLHUP while no process has the
 * slave open.  While disconnected a 1 s timer polls for a user; output
 * is dropped; a read error or hang-up sends CLOSED and restarts polling.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "chardev/char.h"
#include "char-fd.h"
#include "char-io.h"
#include <poll.h>
#include <termios.h>

typedef struct PtyChardev {
    FDChardev parent;
    QEMUTimer *poll_timer;
    bool connected;
    char *pty_name;
} PtyChardev;

#define PTY_CHARDEV(obj) OBJECT_CHECK(PtyChardev, (obj), TYPE_CHARDEV_PTY)

static bool pty_peer_present(int master)
{
    struct pollfd pfd = { .fd = master, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static void pty_read(void *opaque, GIOCondition revents, int max);

static void pty_set_connected(PtyChardev *s, bool connected)
{
    Chardev *chr = (Chardev *)s;
    FDChardev *fds = FD_CHARDEV(s);

    if (s->connected == connected) {
        return;
    }
    s->connected = connected;
    if (connected) {
        timer_del(s->poll_timer);
        chr_io_source_remove(&fds->read_source);
        fds->read_source = chr_io_read_source_new(chr, fds->fd_in,
                                                  chr->gcontext, pty_read,
                                                  s);
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    } else {
        chr_io_source_remove(&fds->read_source);
        qemu_chr_be_event(chr, CHR_EVENT_CLOSED);
        timer_mod(s->poll_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                                 1000);
    }
}

static void pty_poll_timer(void *opaque)
{
    PtyChardev *s = opaque;

    if (pty_peer_present(FD_CHARDEV(s)->fd_in)) {
        pty_set_connected(s, true);
    } else {
        timer_mod(s->poll_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                                 1000);
    }
}

static void pty_read(void *opaque, GIOCondition revents, int max)
{
    PtyChardev *s = opaque;
    uint8_t buf[CHR_READ_BUF_LEN];
    ssize_t n;

    n = read(FD_CHARDEV(s)->fd_in, buf, MIN(max, (int)sizeof(buf)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    if (n <= 0) {
        pty_set_connected(s, false);
        return;
    }
    qemu_chr_be_write((Chardev *)s, buf, n);
}

static int pty_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    PtyChardev *s = PTY_CHARDEV(chr);

    if (!s->connected) {
        return len;
    }
    return chr_fd_write(FD_CHARDEV(chr)->fd_out, buf, len);
}

static void pty_update_read_handler(Chardev *chr)
{
    PtyChardev *s = PTY_CHARDEV(chr);
    FDChardev *fds = FD_CHARDEV(chr);

    chr_io_source_remove(&fds->read_source);
    if (s->connected) {
        fds->read_source = chr_io_read_source_new(chr, fds->fd_in,
                                                  chr->gcontext, pty_read,
                                                  s);
    }
}

static bool pty_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                         Error **errp)
{
    PtyChardev *s = PTY_CHARDEV(chr);
    g_autofree char *filename = NULL;
    struct termios tty;
    int master;
    char *name;

    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        !(name = ptsname(master))) {
        error_setg_errno(errp, errno, "Failed to create PTY");
        if (master >= 0) {
            close(master);
        }
        return false;
    }
    if (tcgetattr(master, &tty) == 0) {
        cfmakeraw(&tty);
        tcsetattr(master, TCSAFLUSH, &tty);
    }
    s->pty_name = g_strdup(name);
    chr_fd_set_nonblock(master);
    FD_CHARDEV(chr)->fd_in = master;
    FD_CHARDEV(chr)->fd_out = master;
    filename = g_strdup_printf("pty:%s", name);
    qemu_chr_set_filename(chr, filename);
    s->poll_timer = timer_new_ms(QEMU_CLOCK_REALTIME, pty_poll_timer, s);
    timer_mod(s->poll_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1000);
    /* User-facing announcement, printed to stdout as QEMU does. */
    fprintf(stdout, "char device redirected to %s (label %s)\n", name,
            chr->label);
    fflush(stdout);
    *be_opened = false;
    return true;
}

const char *qemu_chr_pty_name(Chardev *chr)
{
    if (!object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_PTY)) {
        return NULL;
    }
    return PTY_CHARDEV(chr)->pty_name;
}

static void pty_chr_finalize(Object *obj)
{
    PtyChardev *s = PTY_CHARDEV(obj);

    timer_free(s->poll_timer);
    g_free(s->pty_name);
}

static void pty_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = pty_chr_open;
    cc->chr_write = pty_chr_write;
    cc->chr_update_read_handler = pty_update_read_handler;
}

static const TypeInfo pty_chr_type_info = {
    .name = TYPE_CHARDEV_PTY,
    .parent = TYPE_CHARDEV_FD,
    .instance_size = sizeof(PtyChardev),
    .instance_finalize = pty_chr_finalize,
    .class_init = pty_chr_class_init,
};

static void register_types(void)
{
    type_register_static(&pty_chr_type_info);
}

type_init(register_types);
