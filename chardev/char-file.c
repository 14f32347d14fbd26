/*
 * "file" chardev (output to a file; path=, append=) and "pipe" chardev
 * (path.in/path.out FIFO pair, or one FIFO `path` for both directions).
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "char-fd.h"

static bool file_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                          Error **errp)
{
    const char *path = qemu_chr_opt_str(opts, "path");
    bool append;
    int fd;

    if (!path) {
        error_setg(errp, "chardev: file: no filename given");
        return false;
    }
    if (!qemu_chr_opt_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
                    (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '%s'", path);
        return false;
    }
    qemu_chr_open_fd(chr, -1, fd);
    return true;
}

static bool pipe_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                          Error **errp)
{
    const char *path = qemu_chr_opt_str(opts, "path");
    g_autofree char *in = NULL;
    g_autofree char *out = NULL;
    int fd_in, fd_out;

    if (!path) {
        error_setg(errp, "chardev: pipe: no filename given");
        return false;
    }
    in = g_strdup_printf("%s.in", path);
    out = g_strdup_printf("%s.out", path);
    fd_in = open(in, O_RDWR | O_CLOEXEC);
    fd_out = open(out, O_RDWR | O_CLOEXEC);
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        if (fd_out >= 0) {
            close(fd_out);
        }
        fd_in = fd_out = open(path, O_RDWR | O_CLOEXEC);
        if (fd_in < 0) {
            error_setg_errno(errp, errno, "Could not open '%s'", path);
            return false;
        }
    }
    qemu_chr_open_fd(chr, fd_in, fd_out);
    return true;
}

static void file_chr_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->open = file_chr_open;
}

static void pipe_chr_class_init(ObjectClass *oc, void *data)
{
    CHARDEV_CLASS(oc)->open = pipe_chr_open;
}

static const TypeInfo file_chr_type_info = {
    .name = TYPE_CHARDEV_FILE,
    .parent = TYPE_CHARDEV_FD,
    .class_init = file_chr_class_init,
};

static const TypeInfo pipe_chr_type_info = {
    .name = TYPE_CHARDEV_PIPE,
    .parent = TYPE_CHARDEV_FD,
    .class_init = pipe_chr_class_init,
};

static void register_types(void)
{
    type_register_static(&file_chr_type_info);
    type_register_static(&pipe_chr_type_info);
}

type_init(register_types);
