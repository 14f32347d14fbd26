/*
 * filter-mirror and filter-redirector: packets <-> chardevs in the COLO
 * framing (include/net/colo-framing.h):
 *
 *   filter-mirror      copies each packet to outdev, passes it on
 *   filter-redirector  sends each packet to outdev and consumes it (or
 *                      passes it when there is no outdev); frames read
 *                      from indev enter the filter chain right after it
 *                      (queue=tx or all: as if the netdev sent them;
 *                      queue=rx: as if its peer did)
 *
 * Chardev handlers run in the main loop.  A framing error on indev
 * drops the connection (the peer reconnects with a clean stream).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "chardev/char-fe.h"
#include "net/colo-framing.h"
#include "net/filter.h"
#include "trace/trace-net.h"

#define TYPE_FILTER_MIRROR "filter-mirror"
#define TYPE_FILTER_REDIRECTOR "filter-redirector"

typedef struct MirrorState {
    NetFilterState parent_obj;

    char *indev;
    char *outdev;
    bool vnet_hdr;
    CharBackend chr_in;
    CharBackend chr_out;
    ColoFrameDecoder dec;
    bool dec_ready;
    bool warned_vnet_hdr;
} MirrorState;

OBJECT_DECLARE_SIMPLE_TYPE(MirrorState, FILTER_MIRROR)
#define FILTER_REDIRECTOR(obj) \
    OBJECT_CHECK(MirrorState, (obj), TYPE_FILTER_REDIRECTOR)
#define MIRROR_STATE(obj) ((MirrorState *)(obj))

/*
 * The packets of a netdev whose NIC uses virtio-net headers (tap with
 * vnet_hdr, the default) start with that header.  Without
 * vnet_hdr_support the receiver cannot know and colo-compare would see
 * no IP packets at all (QEMU 7.2 fails the same way, silently): say so
 * once.
 */
static void warn_vnet_hdr_mismatch(MirrorState *s, NetFilterState *nf)
{
    if (s->vnet_hdr || s->warned_vnet_hdr || !nf->netdev ||
        !nf->netdev->vnet_hdr_len) {
        return;
    }
    s->warned_vnet_hdr = true;
    warn_report("%s '%s': the packets of netdev '%s' carry %d-byte "
                "virtio-net headers but vnet_hdr_support is off; use "
                "vnet_hdr_support=on on every COLO filter and colo-compare, "
                "or vnet_hdr=off on the netdev",
                object_get_typename(OBJECT(s)), netfilter_get_id(nf),
                nf->netdev->name, nf->netdev->vnet_hdr_len);
}

static void filter_send(MirrorState *s, const struct iovec *iov, int iovcnt)
{
    NetFilterState *nf = NETFILTER(s);

    warn_vnet_hdr_mismatch(s, nf);
    trace_filter_mirror_send(netfilter_get_id(nf), net_iov_size(iov, iovcnt));
    if (!netfilter_chr_send(&s->chr_out, s->vnet_hdr,
                            nf->netdev ? nf->netdev->vnet_hdr_len : 0,
                            iov, iovcnt)) {
        trace_filter_mirror_send_failed(netfilter_get_id(nf),
                                        net_iov_size(iov, iovcnt));
    }
}

static ssize_t filter_mirror_receive_iov(NetFilterState *nf,
                                         NetClientState *sender,
                                         unsigned flags,
                                         const struct iovec *iov,
                                         int iovcnt, NetPacketSent *sent_cb)
{
    filter_send(MIRROR_STATE(nf), iov, iovcnt);
    return 0;
}

static ssize_t filter_redirector_receive_iov(NetFilterState *nf,
                                             NetClientState *sender,
                                             unsigned flags,
                                             const struct iovec *iov,
                                             int iovcnt,
                                             NetPacketSent *sent_cb)
{
    MirrorState *s = MIRROR_STATE(nf);

    if (!qemu_chr_fe_backend_connected(&s->chr_out)) {
        return 0;
    }
    filter_send(s, iov, iovcnt);
    return net_iov_size(iov, iovcnt);
}

/* ---- indev ---- */

static void redirector_to_filter(void *opaque, const uint8_t *frame,
                                 size_t len, size_t vnet_hdr_len)
{
    NetFilterState *nf = opaque;
    struct iovec iov = { .iov_base = (void *)frame, .iov_len = len };

    trace_filter_redirector_input(netfilter_get_id(nf), len);
    if (!nf->netdev || len == 0) {
        return;
    }
    if (nf->direction == NET_FILTER_DIRECTION_ALL ||
        nf->direction == NET_FILTER_DIRECTION_TX) {
        qemu_netfilter_pass_to_next(nf->netdev, 0, &iov, 1, nf);
    }
    if (nf->direction == NET_FILTER_DIRECTION_ALL ||
        nf->direction == NET_FILTER_DIRECTION_RX) {
        qemu_netfilter_pass_to_next(nf->netdev->peer, 0, &iov, 1, nf);
    }
}

static int redirector_chr_can_read(void *opaque)
{
    return 64 * 1024;
}

static void redirector_chr_read(void *opaque, const uint8_t *buf, int size)
{
    MirrorState *s = opaque;
    NetFilterState *nf = NETFILTER(s);
    Error *err = NULL;

    if (!colo_frame_decoder_feed(&s->dec, buf, size, redirector_to_filter,
                                 nf, &err)) {
        trace_filter_redirector_framing_error(netfilter_get_id(nf));
        error_free(err);
        colo_frame_decoder_reset(&s->dec);
        qemu_chr_fe_disconnect(&s->chr_in);
    }
}

static void redirector_chr_event(void *opaque, QEMUChrEvent event)
{
    MirrorState *s = opaque;

    if (event == CHR_EVENT_CLOSED || event == CHR_EVENT_OPENED) {
        colo_frame_decoder_reset(&s->dec);
    }
}

static void redirector_set_in_handlers(MirrorState *s, bool on)
{
    if (!qemu_chr_fe_backend_connected(&s->chr_in)) {
        return;
    }
    if (on) {
        qemu_chr_fe_set_handlers(&s->chr_in, redirector_chr_can_read,
                                 redirector_chr_read, redirector_chr_event,
                                 NULL, s, NULL, true);
    } else {
        qemu_chr_fe_set_handlers(&s->chr_in, NULL, NULL, NULL, NULL, NULL,
                                 NULL, true);
    }
}

/* ---- setup ---- */

static bool filter_chr_bind(CharBackend *be, const char *id,
                            const char *what, Error **errp)
{
    Chardev *chr = qemu_chr_find(id);

    if (!chr) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "%sDevice '%s' not found", what, id);
        return false;
    }
    if (!qemu_chr_fe_init(be, chr, errp)) {
        return false;
    }
    /* frames are latency-bound: Nagle would hold them for a delayed ACK */
    qemu_chr_fe_set_nodelay(be, true);
    return true;
}

static bool filter_mirror_setup(NetFilterState *nf, Error **errp)
{
    MirrorState *s = MIRROR_STATE(nf);

    if (!s->outdev) {
        error_setg(errp, "Parameter 'outdev' is missing");
        return false;
    }
    return filter_chr_bind(&s->chr_out, s->outdev, "", errp);
}

static bool filter_redirector_setup(NetFilterState *nf, Error **errp)
{
    MirrorState *s = MIRROR_STATE(nf);

    if (!s->indev && !s->outdev) {
        error_setg(errp, "filter redirector needs 'indev' or "
                   "'outdev' at least one property set");
        return false;
    }
    if (s->indev && s->outdev && strcmp(s->indev, s->outdev) == 0) {
        error_setg(errp, "'indev' and 'outdev' could not be same "
                   "for filter redirector");
        return false;
    }
    if (s->indev && !filter_chr_bind(&s->chr_in, s->indev, "IN ", errp)) {
        return false;
    }
    if (s->outdev &&
        !filter_chr_bind(&s->chr_out, s->outdev, "OUT ", errp)) {
        qemu_chr_fe_deinit(&s->chr_in, false);
        return false;
    }
    colo_frame_decoder_init(&s->dec, s->vnet_hdr);
    s->dec_ready = true;
    redirector_set_in_handlers(s, nf->on);
    return true;
}

static void filter_mirror_cleanup(NetFilterState *nf)
{
    MirrorState *s = MIRROR_STATE(nf);

    qemu_chr_fe_deinit(&s->chr_in, false);
    qemu_chr_fe_deinit(&s->chr_out, false);
    if (s->dec_ready) {
        colo_frame_decoder_destroy(&s->dec);
        s->dec_ready = false;
    }
}

static void filter_redirector_status_changed(NetFilterState *nf,
                                             Error **errp)
{
    redirector_set_in_handlers(MIRROR_STATE(nf), nf->on);
}

/* ---- properties ---- */

static char *mirror_get_outdev(Object *obj, Error **errp)
{
    return g_strdup(MIRROR_STATE(obj)->outdev);
}

static void mirror_set_outdev(Object *obj, const char *v, Error **errp)
{
    MirrorState *s = MIRROR_STATE(obj);

    g_free(s->outdev);
    s->outdev = g_strdup(v);
}

static char *mirror_get_indev(Object *obj, Error **errp)
{
    return g_strdup(MIRROR_STATE(obj)->indev);
}

static void mirror_set_indev(Object *obj, const char *v, Error **errp)
{
    MirrorState *s = MIRROR_STATE(obj);

    g_free(s->indev);
    s->indev = g_strdup(v);
}

static bool mirror_get_vnet_hdr(Object *obj, Error **errp)
{
    return MIRROR_STATE(obj)->vnet_hdr;
}

static void mirror_set_vnet_hdr(Object *obj, bool v, Error **errp)
{
    MIRROR_STATE(obj)->vnet_hdr = v;
}

static void filter_mirror_finalize(Object *obj)
{
    MirrorState *s = MIRROR_STATE(obj);

    /* a failed setup leaves the chardevs bound but the filter detached */
    filter_mirror_cleanup(NETFILTER(obj));
    g_free(s->indev);
    g_free(s->outdev);
}

static void filter_mirror_class_init(ObjectClass *oc, void *data)
{
    NetFilterClass *nfc = NETFILTER_CLASS(oc);

    object_class_property_add_str(oc, "outdev", mirror_get_outdev,
                                  mirror_set_outdev);
    object_class_property_set_required(oc, "outdev");
    object_class_property_add_bool(oc, "vnet_hdr_support",
                                   mirror_get_vnet_hdr, mirror_set_vnet_hdr);
    nfc->setup = filter_mirror_setup;
    nfc->cleanup = filter_mirror_cleanup;
    nfc->receive_iov = filter_mirror_receive_iov;
}

static void filter_redirector_class_init(ObjectClass *oc, void *data)
{
    NetFilterClass *nfc = NETFILTER_CLASS(oc);

    object_class_property_add_str(oc, "outdev", mirror_get_outdev,
                                  mirror_set_outdev);
    object_class_property_add_str(oc, "indev", mirror_get_indev,
                                  mirror_set_indev);
    object_class_property_add_bool(oc, "vnet_hdr_support",
                                   mirror_get_vnet_hdr, mirror_set_vnet_hdr);
    nfc->setup = filter_redirector_setup;
    nfc->cleanup = filter_mirror_cleanup;
    nfc->status_changed = filter_redirector_status_changed;
    nfc->receive_iov = filter_redirector_receive_iov;
}

static const TypeInfo filter_mirror_info = {
    .name = TYPE_FILTER_MIRROR,
    .parent = TYPE_NETFILTER,
    .class_init = filter_mirror_class_init,
    .instance_size = sizeof(MirrorState),
    .instance_finalize = filter_mirror_finalize,
};

static const TypeInfo filter_redirector_info = {
    .name = TYPE_FILTER_REDIRECTOR,
    .parent = TYPE_NETFILTER,
    .class_init = filter_redirector_class_init,
    .instance_size = sizeof(MirrorState),
    .instance_finalize = filter_mirror_finalize,
};

static void filter_mirror_register_types(void)
{
    type_register_static(&filter_mirror_info);
    type_register_static(&filter_redirector_info);
}

type_init(filter_mirror_register_types);
