/*
 * "stdio" chardev: input from fd 0, output to fd 1.  On a terminal the
 * input is switched to raw mode (no echo, no line editing; Ctrl-C still
 * raises SIGINT unless signal=off) and restored at exit and on removal.
 * Only one stdio chardev may exist.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "char-fd.h"
#include <termios.h>

static bool stdio_in_use;
static bool stdio_term_saved;
static struct termios stdio_saved_tty;

static void stdio_restore_term(void)
{
    if (stdio_term_saved) {
        tcsetattr(0, TCSANOW, &stdio_saved_tty);
    }
}

static void stdio_set_raw(bool allow_signals)
{
    struct termios tty;

    if (!isatty(0) || tcgetattr(0, &tty) < 0) {
        return;
    }
    if (!stdio_term_saved) {
        stdio_saved_tty = tty;
        stdio_term_saved = true;
        atexit(stdio_restore_term);
    }
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                     ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &tty);
}

static bool stdio_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                           Error **errp)
{
    bool allow_signals;

    if (stdio_in_use) {
        error_setg(errp, "cannot use stdio by multiple character devices");
        return false;
    }
    if (!qemu_chr_opt_bool(opts, "signal", true, &allow_signals, errp)) {
        return false;
    }
    stdio_in_use = true;
    FD_CHARDEV(chr)->close_fds = false;
    stdio_set_raw(allow_signals);
    qemu_chr_open_fd(chr, 0, 1);
    return true;
}

static void stdio_chr_finalize(Object *obj)
{
    FDChardev *s = FD_CHARDEV(obj);

    if (s->fd_in == 0) {
        stdio_restore_term();
        stdio_in_use = false;
    }
}

static void stdio_chr_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->open = stdio_chr_open;
}

static const TypeInfo stdio_chr_type_info = {
    .name = TYPE_CHARDEV_STDIO,
    .parent = TYPE_CHARDEV_FD,
    .instance_finalize = stdio_chr_finalize,
    .class_init = stdio_chr_class_init,
};

static void register_types(void)
{
    type_register_static(&stdio_chr_type_info);
}

type_init(register_types);
