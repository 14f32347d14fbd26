/*
 * "ringbuf" (alias "memory") chardev: output goes into a ring of `size`
 * bytes (a power of two, default 64 KiB); when full, the oldest bytes are
 * overwritten.  QMP ringbuf-read consumes from the oldest byte on;
 * ringbuf-write appends like frontend output does.
 *
 *     buf: [.....cons>>>>>>>>prod.....]   indices are free-running
 *                                          counters, masked by size-1
 */
#include "qemu/osdep.h"
#include "chardev/char.h"

typedef struct RingBufChardev {
    Chardev parent;
    uint8_t *cbuf;
    size_t size;
    size_t prod;
    size_t cons;
} RingBufChardev;

#define RINGBUF_CHARDEV(obj) \
    OBJECT_CHECK(RingBufChardev, (obj), TYPE_CHARDEV_RINGBUF)

static int ringbuf_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    int i;

    for (i = 0; i < len; i++) {
        d->cbuf[d->prod++ & (d->size - 1)] = buf[i];
        if (d->prod - d->cons > d->size) {
            d->cons = d->prod - d->size;
        }
    }
    return len;
}

static bool ringbuf_chr_open(Chardev *chr, QDict *opts, bool *be_opened,
                             Error **errp)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    uint64_t size;

    if (!qemu_chr_opt_size(opts, "size", 65536, &size, errp)) {
        return false;
    }
    if (size == 0 || (size & (size - 1)) || size > (1ULL << 30)) {
        error_setg(errp, "size of ringbuf chardev must be power of two");
        return false;
    }
    d->size = size;
    d->cbuf = g_malloc0(size);
    return true;
}

static Chardev *ringbuf_find(const char *device, Error **errp)
{
    Chardev *chr = qemu_chr_find(device);

    if (!chr) {
        error_setg(errp, "Device '%s' not found", device);
        return NULL;
    }
    if (!object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_RINGBUF)) {
        error_setg(errp, "%s is not a ringbuf device", device);
        return NULL;
    }
    return chr;
}

bool qemu_chr_ringbuf_write(const char *device, const uint8_t *data,
                            size_t len, Error **errp)
{
    Chardev *chr = ringbuf_find(device, errp);

    if (!chr) {
        return false;
    }
    g_mutex_lock(&chr->chr_write_lock);
    ringbuf_chr_write(chr, data, len);
    g_mutex_unlock(&chr->chr_write_lock);
    return true;
}

uint8_t *qemu_chr_ringbuf_read(const char *device, int64_t size,
                               size_t *len, Error **errp)
{
    Chardev *chr = ringbuf_find(device, errp);
    RingBufChardev *d;
    uint8_t *out;
    size_t n, i;

    if (!chr) {
        return NULL;
    }
    if (size <= 0) {
        error_setg(errp, "size must be greater than zero");
        return NULL;
    }
    d = RINGBUF_CHARDEV(chr);
    g_mutex_lock(&chr->chr_write_lock);
    n = MIN((size_t)size, d->prod - d->cons);
    out = g_malloc(n + 1);
    for (i = 0; i < n; i++) {
        out[i] = d->cbuf[d->cons++ & (d->size - 1)];
    }
    out[n] = 0;
    g_mutex_unlock(&chr->chr_write_lock);
    *len = n;
    return out;
}

size_t qemu_chr_ringbuf_count(Chardev *chr)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);

    return d->prod - d->cons;
}

static void ringbuf_chr_finalize(Object *obj)
{
    g_free(RINGBUF_CHARDEV(obj)->cbuf);
}

static void ringbuf_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->open = ringbuf_chr_open;
    cc->chr_write = ringbuf_chr_write;
}

static const TypeInfo ringbuf_chr_type_info = {
    .name = TYPE_CHARDEV_RINGBUF,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(RingBufChardev),
    .instance_finalize = ringbuf_chr_finalize,
    .class_init = ringbuf_chr_class_init,
};

/* Legacy name for the same backend. */
static const TypeInfo memory_chr_type_info = {
    .name = TYPE_CHARDEV_MEMORY,
    .parent = TYPE_CHARDEV_RINGBUF,
};

static void register_types(void)
{
    type_register_static(&ringbuf_chr_type_info);
    type_register_static(&memory_chr_type_info);
}

type_init(register_types);
