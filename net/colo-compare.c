/*
 * colo-compare: the QOM object around the comparator core
 * (include/net/colo-compare-core.h).
 *
 *   primary_in  (chardev) --+                        +--> outdev (chardev)
 *                           |  iothread's context:   |    released primary
 *   secondary_in (chardev) -+-> decode -> core ------+    packets, framed
 *                               scan timer (expired_scan_cycle)
 *                               |
 *                               +--> colo_notify_checkpoint_request()
 *
 *   COLO machinery --(participant ops)--> checkpoint: release all,
 *                                         failover: pass primary through
 *
 * Threads: the chardev handlers and the scan timer run in the iothread
 * (no BQL); the participant callbacks in the COLO thread; qom-get and
 * object-del in the main loop.  One mutex serialises every call into
 * the core.  Teardown removes the handlers and the timer, then waits
 * until the iothread has finished any callback already running (a
 * barrier BH) before freeing anything.
 *
 * Differences from QEMU 7.2: every creation error is reported (QEMU
 * aborts on most), and max_queue_size is per instance (QEMU: one global
 * value, the last one set).  The chardevs must be sockets (QEMU:
 * "reconnectable" chardevs that can switch context).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qobject/qdict.h"
#include "qobject/qnum.h"
#include "qom/object_interfaces.h"
#include "chardev/char-fe.h"
#include "system/iothread.h"
#include "migration/colo.h"
#include "net/colo-compare-core.h"
#include "trace/trace-net.h"

#define TYPE_COLO_COMPARE "colo-compare"
OBJECT_DECLARE_SIMPLE_TYPE(CompareState, COLO_COMPARE)

struct CompareState {
    Object parent_obj;

    /* properties */
    char *pri_indev;
    char *sec_indev;
    char *outdev;
    char *notify_dev;
    Object *iothread_obj;
    uint64_t compare_timeout;       /* ms */
    uint32_t expired_scan_cycle;    /* ms */
    uint32_t max_queue_size;
    bool vnet_hdr;

    /* running state (after complete) */
    CharBackend chr_in[COLO_SIDE__MAX];
    CharBackend chr_out;
    CharBackend chr_notify;
    ColoFrameDecoder dec[COLO_SIDE__MAX];
    bool dec_ready;
    IOThread *iothread;
    GMainContext *ctx;
    QEMUTimer *scan_timer;
    QemuMutex lock;                 /* guards core */
    ColoCompareCore *core;
    ColoParticipant *participant;
};

typedef struct CompareInput {
    CompareState *s;
    ColoSide side;
} CompareInput;

static int64_t compare_now(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

static const char *compare_id(CompareState *s)
{
    const char *id = object_get_canonical_path_component(OBJECT(s));

    return id ? id : "";
}

/* ---- core callbacks (iothread or COLO thread, lock held) ---- */

static void compare_release(void *opaque, const uint8_t *frame, size_t len,
                            size_t vnet_hdr_len)
{
    CompareState *s = opaque;
    g_autofree uint8_t *buf = g_malloc(COLO_FRAME_HDR_MAX + len);
    size_t hlen = colo_frame_encode_header(buf, s->vnet_hdr, len,
                                           vnet_hdr_len);

    /* one write per packet: header and frame together */
    memcpy(buf + hlen, frame, len);
    if (qemu_chr_fe_write_all(&s->chr_out, buf, hlen + len) !=
        (int)(hlen + len)) {
        trace_colo_compare_release_failed(compare_id(s), len);
    }
}

static void compare_checkpoint_request(void *opaque,
                                       ColoCheckpointReason reason)
{
    colo_notify_checkpoint_request(reason);
}

static const ColoCompareOps compare_core_ops = {
    .release = compare_release,
    .checkpoint_request = compare_checkpoint_request,
};

/* ---- chardev handlers (iothread) ---- */

static int compare_chr_can_read(void *opaque)
{
    return 64 * 1024;
}

static void compare_chr_read(void *opaque, const uint8_t *buf, int size,
                             ColoSide side)
{
    CompareState *s = opaque;
    Error *err = NULL;
    bool ok;

    trace_colo_compare_input(compare_id(s), side, size);
    qemu_mutex_lock(&s->lock);
    ok = !s->core || colo_compare_core_feed(s->core, side, &s->dec[side],
                                            buf, size, compare_now(), &err);
    if (!ok) {
        /* counted by the core; resynchronise on the next frame start */
        trace_colo_compare_framing_error(compare_id(s), side);
        error_free(err);
        colo_frame_decoder_reset(&s->dec[side]);
    }
    qemu_mutex_unlock(&s->lock);
}

static void compare_pri_chr_read(void *opaque, const uint8_t *buf, int size)
{
    compare_chr_read(opaque, buf, size, COLO_PRIMARY);
}

static void compare_sec_chr_read(void *opaque, const uint8_t *buf, int size)
{
    compare_chr_read(opaque, buf, size, COLO_SECONDARY);
}

static void compare_chr_event(CompareState *s, ColoSide side,
                              QEMUChrEvent event)
{
    trace_colo_compare_chr_event(compare_id(s), side, event);
    if (event == CHR_EVENT_OPENED || event == CHR_EVENT_CLOSED) {
        qemu_mutex_lock(&s->lock);
        colo_frame_decoder_reset(&s->dec[side]);
        qemu_mutex_unlock(&s->lock);
    }
}

static void compare_pri_chr_event(void *opaque, QEMUChrEvent event)
{
    compare_chr_event(opaque, COLO_PRIMARY, event);
}

static void compare_sec_chr_event(void *opaque, QEMUChrEvent event)
{
    compare_chr_event(opaque, COLO_SECONDARY, event);
}

static void compare_scan_timer(void *opaque)
{
    CompareState *s = opaque;

    qemu_mutex_lock(&s->lock);
    if (s->core) {
        colo_compare_core_scan(s->core, compare_now());
    }
    qemu_mutex_unlock(&s->lock);
    timer_mod(s->scan_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              s->expired_scan_cycle);
}

/* ---- COLO participant (COLO thread) ---- */

static void compare_colo_checkpoint(void *opaque)
{
    CompareState *s = opaque;

    qemu_mutex_lock(&s->lock);
    colo_compare_core_checkpoint(s->core);
    qemu_mutex_unlock(&s->lock);
}

static void compare_colo_failover(void *opaque)
{
    CompareState *s = opaque;

    trace_colo_compare_failover(compare_id(s));
    qemu_mutex_lock(&s->lock);
    colo_compare_core_failover(s->core);
    qemu_mutex_unlock(&s->lock);
}

static const ColoParticipantOps compare_colo_ops = {
    .name = "colo-compare",
    .checkpoint = compare_colo_checkpoint,
    .failover = compare_colo_failover,
};

/* ---- iothread barrier ---- */

static void compare_barrier_bh(void *opaque)
{
    qemu_sem_post(opaque);
}

/*
 * Returns once every callback that the iothread may be running for us
 * has finished (handlers and timer must be disarmed first).
 */
static void compare_iothread_barrier(CompareState *s)
{
    QemuSemaphore sem;
    bool relock;

    if (!s->ctx || !s->iothread || !s->iothread->running ||
        s->iothread->stopping ||
        iothread_is_current(s->iothread)) {
        return;
    }
    qemu_sem_init(&sem, 0);
    aio_bh_schedule_oneshot(s->ctx, compare_barrier_bh, &sem);
    /* the iothread may be writing to a chardev the main loop drains */
    relock = bql_locked();
    if (relock) {
        bql_unlock();
    }
    qemu_sem_wait(&sem);
    if (relock) {
        bql_lock();
    }
    qemu_sem_destroy(&sem);
}

/* ---- complete / teardown ---- */

static bool compare_find_chardev(const char *name, Chardev **chr,
                                 Error **errp)
{
    *chr = qemu_chr_find(name);
    if (!*chr) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", name);
        return false;
    }
    if (!object_dynamic_cast(OBJECT(*chr), TYPE_CHARDEV_SOCKET)) {
        error_setg(errp, "chardev \"%s\" is not reconnectable", name);
        return false;
    }
    if (!qemu_chr_has_feature_gcontext(*chr)) {
        error_setg(errp, "chardev \"%s\" cannot switch context", name);
        return false;
    }
    return true;
}

static bool compare_bind(CharBackend *be, const char *name, Error **errp)
{
    Chardev *chr;

    if (!compare_find_chardev(name, &chr, errp) ||
        !qemu_chr_fe_init(be, chr, errp)) {
        return false;
    }
    /* frames are latency-bound: Nagle would hold them for a delayed ACK */
    qemu_chr_fe_set_nodelay(be, true);
    return true;
}

static bool compare_check_props(CompareState *s, Error **errp)
{
    static const char *const required[] = {
        "primary_in", "secondary_in", "outdev", "iothread",
    };
    const void *values[] = {
        s->pri_indev, s->sec_indev, s->outdev, s->iothread_obj,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(required); i++) {
        if (!values[i]) {
            error_setg(errp, "Parameter '%s' is missing", required[i]);
            return false;
        }
    }
    if (strcmp(s->pri_indev, s->outdev) == 0 ||
        strcmp(s->sec_indev, s->outdev) == 0 ||
        strcmp(s->pri_indev, s->sec_indev) == 0) {
        error_setg(errp, "'indev' and 'outdev' could not be same "
                   "for compare module");
        return false;
    }
    return true;
}

static void compare_teardown(CompareState *s)
{
    if (s->participant) {
        colo_participant_unregister(s->participant);
        s->participant = NULL;
    }
    for (int i = 0; i < COLO_SIDE__MAX; i++) {
        if (qemu_chr_fe_backend_connected(&s->chr_in[i])) {
            qemu_chr_fe_set_handlers(&s->chr_in[i], NULL, NULL, NULL, NULL,
                                     NULL, s->ctx, true);
        }
    }
    if (s->scan_timer) {
        timer_del(s->scan_timer);
    }
    compare_iothread_barrier(s);
    if (s->scan_timer) {
        timer_free(s->scan_timer);
        s->scan_timer = NULL;
    }
    for (int i = 0; i < COLO_SIDE__MAX; i++) {
        qemu_chr_fe_deinit(&s->chr_in[i], false);
    }
    qemu_chr_fe_deinit(&s->chr_out, false);
    qemu_chr_fe_deinit(&s->chr_notify, false);
    qemu_mutex_lock(&s->lock);
    if (s->core) {
        colo_compare_core_free(s->core);
        s->core = NULL;
    }
    if (s->dec_ready) {
        for (int i = 0; i < COLO_SIDE__MAX; i++) {
            colo_frame_decoder_destroy(&s->dec[i]);
        }
        s->dec_ready = false;
    }
    qemu_mutex_unlock(&s->lock);
}

static bool colo_compare_complete(UserCreatable *uc, Error **errp)
{
    CompareState *s = COLO_COMPARE(uc);
    ColoCompareConfig cfg;

    if (!compare_check_props(s, errp)) {
        return false;
    }
    s->iothread = (IOThread *)object_dynamic_cast(s->iothread_obj,
                                                  TYPE_IOTHREAD);
    if (!s->iothread) {
        error_setg(errp, "Invalid parameter type for 'iothread', "
                   "expected: iothread");
        return false;
    }
    if (!compare_bind(&s->chr_in[COLO_PRIMARY], s->pri_indev, errp) ||
        !compare_bind(&s->chr_in[COLO_SECONDARY], s->sec_indev, errp) ||
        !compare_bind(&s->chr_out, s->outdev, errp) ||
        (s->notify_dev &&
         !compare_bind(&s->chr_notify, s->notify_dev, errp))) {
        compare_teardown(s);
        return false;
    }
    s->ctx = iothread_get_g_main_context(s->iothread);

    colo_compare_config_default(&cfg);
    cfg.compare_timeout_ns = (int64_t)MIN(s->compare_timeout,
                                          INT64_MAX / SCALE_MS) * SCALE_MS;
    cfg.max_queue_size = s->max_queue_size;
    s->core = colo_compare_core_new(&cfg, &compare_core_ops, s);
    for (int i = 0; i < COLO_SIDE__MAX; i++) {
        colo_frame_decoder_init(&s->dec[i], s->vnet_hdr);
    }
    s->dec_ready = true;

    qemu_chr_fe_set_handlers(&s->chr_in[COLO_PRIMARY], compare_chr_can_read,
                             compare_pri_chr_read, compare_pri_chr_event,
                             NULL, s, s->ctx, true);
    qemu_chr_fe_set_handlers(&s->chr_in[COLO_SECONDARY],
                             compare_chr_can_read, compare_sec_chr_read,
                             compare_sec_chr_event, NULL, s, s->ctx, true);
    s->scan_timer = timer_new_ctx(s->ctx, QEMU_CLOCK_REALTIME, SCALE_MS,
                                  compare_scan_timer, s);
    timer_mod(s->scan_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
              s->expired_scan_cycle);
    s->participant = colo_participant_register(&compare_colo_ops, s);
    return true;
}

/* ---- properties (per instance, like QEMU: no "-object T,help") ---- */

static char *compare_get_str(CompareState *s, char **field)
{
    return g_strdup(*field);
}

static void compare_set_str(char **field, const char *value)
{
    g_free(*field);
    *field = g_strdup(value);
}

#define COMPARE_STR_PROP(fn, field)                                     \
    static char *compare_get_##fn(Object *obj, Error **errp)            \
    {                                                                   \
        return compare_get_str(COLO_COMPARE(obj),                       \
                               &COLO_COMPARE(obj)->field);              \
    }                                                                   \
    static void compare_set_##fn(Object *obj, const char *v,            \
                                 Error **errp)                          \
    {                                                                   \
        compare_set_str(&COLO_COMPARE(obj)->field, v);                  \
    }

COMPARE_STR_PROP(pri_indev, pri_indev)
COMPARE_STR_PROP(sec_indev, sec_indev)
COMPARE_STR_PROP(outdev, outdev)
COMPARE_STR_PROP(notify_dev, notify_dev)

static QObject *compare_get_uint(Object *obj, const char *name,
                                 void *opaque, Error **errp)
{
    CompareState *s = COLO_COMPARE(obj);

    if (strcmp(name, "compare_timeout") == 0) {
        return QOBJECT(qnum_from_uint(s->compare_timeout));
    }
    if (strcmp(name, "expired_scan_cycle") == 0) {
        return QOBJECT(qnum_from_uint(s->expired_scan_cycle));
    }
    return QOBJECT(qnum_from_uint(s->max_queue_size));
}

static bool compare_set_uint(Object *obj, const char *name, QObject *value,
                             void *opaque, Error **errp)
{
    CompareState *s = COLO_COMPARE(obj);
    bool is64 = strcmp(name, "compare_timeout") == 0;
    uint64_t v;

    if (!qom_value_to_uint(name, value, is64 ? UINT64_MAX : UINT32_MAX,
                           is64 ? "uint64_t" : "uint32_t", &v, errp)) {
        return false;
    }
    if (!v) {
        error_setg(errp, "Property '%s.%s' requires a positive value",
                   object_get_typename(obj), name);
        return false;
    }
    if (is64) {
        s->compare_timeout = v;
    } else if (strcmp(name, "expired_scan_cycle") == 0) {
        s->expired_scan_cycle = v;
    } else {
        s->max_queue_size = v;
    }
    return true;
}

static bool compare_get_vnet_hdr(Object *obj, Error **errp)
{
    return COLO_COMPARE(obj)->vnet_hdr;
}

static void compare_set_vnet_hdr(Object *obj, bool v, Error **errp)
{
    COLO_COMPARE(obj)->vnet_hdr = v;
}

static void compare_stat_to_dict(void *opaque, const char *name,
                                 uint64_t value)
{
    qdict_put_obj(opaque, name, QOBJECT(qnum_from_uint(value)));
}

static bool compare_snapshot(CompareState *s, ColoCompareStats *st)
{
    bool ok;

    memset(st, 0, sizeof(*st));
    qemu_mutex_lock(&s->lock);
    ok = s->core != NULL;
    if (ok) {
        colo_compare_core_get_stats(s->core, st);
    }
    qemu_mutex_unlock(&s->lock);
    return ok;
}

static QObject *compare_get_stats(Object *obj, const char *name,
                                  void *opaque, Error **errp)
{
    ColoCompareStats st;
    QDict *d = qdict_new();

    compare_snapshot(COLO_COMPARE(obj), &st);
    colo_compare_stats_foreach(&st, compare_stat_to_dict, d);
    return QOBJECT(d);
}

static QObject *compare_get_counter(Object *obj, const char *name,
                                    void *opaque, Error **errp)
{
    ColoCompareStats st;
    uint64_t v = 0;

    compare_snapshot(COLO_COMPARE(obj), &st);
    for (int p = 0; p < COLO_PROTO__MAX; p++) {
        v += strcmp(name, "miscompares") == 0 ? st.miscompares[p] :
                                                st.compared[p];
    }
    if (strcmp(name, "released") == 0) {
        v = st.released;
    }
    return QOBJECT(qnum_from_uint(v));
}

static void colo_compare_init(Object *obj)
{
    CompareState *s = COLO_COMPARE(obj);
    static const char *const counters[] = {
        "compared", "miscompares", "released",
    };

    s->compare_timeout = COLO_COMPARE_DEFAULT_TIMEOUT_MS;
    s->expired_scan_cycle = COLO_COMPARE_DEFAULT_SCAN_MS;
    s->max_queue_size = COLO_COMPARE_DEFAULT_QUEUE_SIZE;
    qemu_mutex_init(&s->lock);

    object_property_add_str(obj, "primary_in", compare_get_pri_indev,
                            compare_set_pri_indev);
    object_property_add_str(obj, "secondary_in", compare_get_sec_indev,
                            compare_set_sec_indev);
    object_property_add_str(obj, "outdev", compare_get_outdev,
                            compare_set_outdev);
    object_property_add_link(obj, "iothread", TYPE_IOTHREAD,
                             &s->iothread_obj,
                             object_property_allow_set_link,
                             OBJ_PROP_LINK_STRONG);
    object_property_add_str(obj, "notify_dev", compare_get_notify_dev,
                            compare_set_notify_dev);
    object_property_add(obj, "compare_timeout", "uint64", compare_get_uint,
                        compare_set_uint, NULL, NULL);
    object_property_add(obj, "expired_scan_cycle", "uint32",
                        compare_get_uint, compare_set_uint, NULL, NULL);
    object_property_add(obj, "max_queue_size", "uint32", compare_get_uint,
                        compare_set_uint, NULL, NULL);
    object_property_add_bool(obj, "vnet_hdr_support", compare_get_vnet_hdr,
                             compare_set_vnet_hdr);
    object_property_add(obj, "stats", "any", compare_get_stats, NULL, NULL,
                        NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(counters); i++) {
        object_property_add(obj, counters[i], "uint64", compare_get_counter,
                            NULL, NULL, NULL);
    }
}

static void colo_compare_finalize(Object *obj)
{
    CompareState *s = COLO_COMPARE(obj);

    compare_teardown(s);
    qemu_mutex_destroy(&s->lock);
    g_free(s->pri_indev);
    g_free(s->sec_indev);
    g_free(s->outdev);
    g_free(s->notify_dev);
}

static void colo_compare_class_init(ObjectClass *oc, void *data)
{
    USER_CREATABLE_CLASS(oc)->complete = colo_compare_complete;
}

static const TypeInfo colo_compare_info = {
    .name = TYPE_COLO_COMPARE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(CompareState),
    .instance_init = colo_compare_init,
    .instance_finalize = colo_compare_finalize,
    .class_init = colo_compare_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

static void colo_compare_register_types(void)
{
    type_register_static(&colo_compare_info);
}

type_init(colo_compare_register_types);
