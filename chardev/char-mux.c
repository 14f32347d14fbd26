/*
 * "mux" chardev: several frontends (e.g. a serial port and the monitor,
 * -serial mon:stdio / -nographic) share one base chardev.  Output of
 * every frontend goes to the base; input goes to the focused frontend.
 *
 * Escapes (QEMU's, escape char Ctrl-A):
 *   C-a h  help     C-a x  exit       C-a c  switch focus
 *   C-a b  break    C-a s / C-a t  accepted, no effect
 *   C-a C-a  sends one C-a to the focused frontend
 *
 * The frontend that set its handlers last has the focus initially;
 * switching sends CHR_EVENT_MUX_OUT to the old and MUX_IN to the new one.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"

#define MUX_ESCAPE_CHAR 0x01    /* Ctrl-A */

typedef struct MuxChardev {
    Chardev parent;
    CharBackend *backends[MAX_MUX];
    CharBackend chr;            /* our frontend on the base chardev */
    int mux_cnt;
    int focus;                  /* -1: none */
    bool got_escape;
    bool base_open;             /* base is open; OPENED held back */
} MuxChardev;

#define MUX_CHARDEV(obj) OBJECT_CHECK(MuxChardev, (obj), TYPE_CHARDEV_MUX)

static void mux_default_exit(void)
{
    exit(0);
}

static void (*mux_exit_handler)(void) = mux_default_exit;

void qemu_chr_mux_set_exit_handler(void (*fn)(void))
{
    mux_exit_handler = fn ? fn : mux_default_exit;
}

static void mux_send_event(MuxChardev *d, int tag, QEMUChrEvent event)
{
    CharBackend *be = tag >= 0 && tag < MAX_MUX ? d->backends[tag] : NULL;

    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

static void mux_set_focus(MuxChardev *d, int focus)
{
    if (d->focus == focus) {
        return;
    }
    mux_send_event(d, d->focus, CHR_EVENT_MUX_OUT);
    d->focus = focus;
    mux_send_event(d, d->focus, CHR_EVENT_MUX_IN);
}

static void mux_write_str(MuxChardev *d, const char *s)
{
    qemu_chr_fe_write_all(&d->chr, (const uint8_t *)s, strlen(s));
}

static void mux_print_help(MuxChardev *d)
{
    static const char *const lines[] = {
        "h    print this help",
        "x    exit emulator",
        "s    save disk data back to file (if -snapshot)",
        "t    toggle console timestamps",
        "b    send break (magic sysrq)",
        "c    switch between console and monitor",
    };
    size_t i;

    mux_write_str(d, "\n\r");
    for (i = 0; i < ARRAY_SIZE(lines); i++) {
        g_autofree char *l = g_strdup_printf("C-a %s\n\r", lines[i]);

        mux_write_str(d, l);
    }
    mux_write_str(d, "C-a C-a  sends C-a\n\r");
}

static int mux_next_focus(MuxChardev *d)
{
    int i, tag;

    for (i = 1; i <= MAX_MUX; i++) {
        tag = (d->focus + i) % MAX_MUX;
        if (tag >= 0 && d->backends[tag]) {
            return tag;
        }
    }
    return d->focus;
}

/* Returns true if @ch is to be passed to the focused frontend. */
static bool mux_proc_byte(MuxChardev *d, uint8_t ch)
{
    if (!d->got_escape) {
        if (ch == MUX_ESCAPE_CHAR) {
            d->got_escape = true;
            return false;
        }
        return true;
    }
    d->got_escape = false;
    switch (ch) {
    case '?':
    case 'h':
        mux_print_help(d);
        break;
    case 'x':
        mux_write_str(d, "QEMU: Terminated\n\r");
        mux_exit_handler();
        break;
    case 'b':
        mux_send_event(d, d->focus, CHR_EVENT_BREAK);
        break;
    case 'c':
        mux_set_focus(d, mux_next_focus(d));
        break;
    case MUX_ESCAPE_CHAR:
        return true;
    default:
        break;
    }
    return false;
}

static int mux_chr_can_read(void *opaque)
{
    MuxChardev *d = opaque;
    CharBackend *be = d->focus >= 0 ? d->backends[d->focus] : NULL;

    if (be && be->chr_can_read) {
        return be->chr_can_read(be->opaque);
    }
    /* Nobody to feed: still consume escapes. */
    return 1;
}

static void mux_chr_read(void *opaque, const uint8_t *buf, int size)
{
    MuxChardev *d = opaque;
    int i;

    for (i = 0; i < size; i++) {
        CharBackend *be;

        if (!mux_proc_byte(d, buf[i])) {
            continue;
        }
        be = d->focus >= 0 ? d->backends[d->focus] : NULL;
        if (be && be->chr_read) {
            be->chr_read(be->opaque, &buf[i], 1);
        }
    }
}

/*
 * During start-up (between qemu_chr_suspend_mux_open() and
 * qemu_chr_resume_mux_open()) the base's OPENED is held back, so that
 * every frontend (serial and monitor) is attached and the focus settled
 * when they all get OPENED together, as in QEMU.
 */
static bool muxes_opened = true;

static void mux_chr_event(void *opaque, QEMUChrEvent event)
{
    MuxChardev *d = opaque;

    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_CLOSED) {
        d->base_open = event == CHR_EVENT_OPENED;
        if (!muxes_opened) {
            return;
        }
    }
    qemu_chr_be_event(&d->parent, event);
}

void qemu_chr_suspend_mux_open(void)
{
    muxes_opened = false;
}

static void mux_open_one(Chardev *chr, void *opaque)
{
    MuxChardev *d;

    if (!object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_MUX)) {
        return;
    }
    d = MUX_CHARDEV(chr);
    if (d->base_open) {
        qemu_chr_be_event(chr, CHR_EVENT_OPENED);
    }
}

void qemu_chr_resume_mux_open(void)
{
    muxes_opened = true;
    qemu_chr_foreach(mux_open_one, NULL);
}

/* Broadcast (called through qemu_chr_be_event on the mux itself). */
static void mux_chr_be_event(Chardev *chr, QEMUChrEvent event)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int i;

    for (i = 0; i < MAX_MUX; i++) {
        mux_send_event(d, i, event);
    }
}

static int mux_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return qemu_chr_fe_write(&MUX_CHARDEV(chr)->chr, buf, len);
}

static int mux_chr_write_fd(Chardev *chr)
{
    Chardev *base = MUX_CHARDEV(chr)->chr.chr;
    ChardevClass *cc = base ? CHARDEV_GET_CLASS(base) : NULL;

    return cc && cc->chr_write_fd ? cc->chr_write_fd(base) : -1;
}

static bool mux_chr_fe_attach(Chardev *chr, CharBackend *b, Error **errp)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int tag;

    for (tag = 0; tag < MAX_MUX && d->backends[tag]; tag++) {
        continue;
    }
    if (tag == MAX_MUX) {
        error_setg(errp, "too many uses of multiplexed chardev '%s'",
                   chr->label);
        return false;
    }
    d->backends[tag] = b;
    b->tag = tag;
    d->mux_cnt++;
    return true;
}

static void mux_chr_fe_detach(Chardev *chr, CharBackend *b)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    if (b->tag >= 0 && b->tag < MAX_MUX && d->backends[b->tag] == b) {
        d->backends[b->tag] = NULL;
        d->mux_cnt--;
        if (d->focus == b->tag) {
            d->focus = -1;
        }
    }
}

static void mux_chr_take_focus(Chardev *chr, CharBackend *b)
{
    mux_set_focus(MUX_CHARDEV(chr), b->tag);
}

static bool mux_chr_is_busy(Chardev *chr)
{
    return MUX_CHARDEV(chr)->mux_cnt > 0;
}

static bool mux_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                         Error **errp)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    const char *base_id = qemu_chr_opt_str(opts, "chardev");
    Chardev *base = qemu_chr_find(base_id);

    if (!base) {
        error_setg(errp, "mux: base chardev %s not found",
                   base_id ? base_id : "");
        return false;
    }
    if (!qemu_chr_fe_init(&d->chr, base, errp)) {
        return false;
    }
    *be_opened = false;
    qemu_chr_fe_set_handlers(&d->chr, mux_chr_can_read, mux_chr_read,
                             mux_chr_event, NULL, d, NULL, true);
    return true;
}

static void mux_chr_init(Object *obj)
{
    MUX_CHARDEV(obj)->focus = -1;
}

static void mux_chr_finalize(Object *obj)
{
    MuxChardev *d = MUX_CHARDEV(obj);
    int i;

    for (i = 0; i < MAX_MUX; i++) {
        if (d->backends[i]) {
            d->backends[i]->chr = NULL;
        }
    }
    qemu_chr_fe_deinit(&d->chr, false);
}

static void mux_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->internal = true;
    cc->open = mux_chr_open;
    cc->chr_write = mux_chr_write;
    cc->chr_write_fd = mux_chr_write_fd;
    cc->chr_be_event = mux_chr_be_event;
    cc->chr_fe_attach = mux_chr_fe_attach;
    cc->chr_fe_detach = mux_chr_fe_detach;
    cc->chr_take_focus = mux_chr_take_focus;
    cc->chr_is_busy = mux_chr_is_busy;
}

static const TypeInfo mux_chr_type_info = {
    .name = TYPE_CHARDEV_MUX,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(MuxChardev),
    .instance_init = mux_chr_init,
    .instance_finalize = mux_chr_finalize,
    .class_init = mux_chr_class_init,
};

static void register_types(void)
{
    type_register_static(&mux_chr_type_info);
}

type_init(register_types);
