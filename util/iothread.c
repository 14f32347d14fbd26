/*
 * The "iothread" user-creatable object (see include/system/iothread.h).
 *
 * Lifecycle:  instance_init (defaults) -> properties -> complete():
 * new GMainContext + thread "IO <id>" iterating it until `stopping` ->
 * finalize: a BH in the context sets `stopping`, the thread is joined,
 * the context's BH/timer/fd sources are detached and it is freed.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qom/object_interfaces.h"
#include "qobject/qnum.h"
#include "system/iothread.h"

static void *iothread_run(void *opaque)
{
    IOThread *iot = opaque;

    g_main_context_push_thread_default(iot->ctx);
    iot->thread_id = qemu_get_thread_id();
    qemu_sem_post(&iot->init_done);
    while (!iot->stopping) {
        g_main_context_iteration(iot->ctx, TRUE);
    }
    g_main_context_pop_thread_default(iot->ctx);
    return NULL;
}

static bool iothread_complete(UserCreatable *uc, Error **errp)
{
    IOThread *iot = IOTHREAD(uc);
    g_autofree char *name = g_strdup_printf(
        "IO %s", object_get_canonical_path_component(OBJECT(iot)) ?: "");

    iot->ctx = g_main_context_new();
    qemu_thread_create(&iot->thread, name, iothread_run, iot,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&iot->init_done);
    iot->running = true;
    return true;
}

static void iothread_stop_bh(void *opaque)
{
    IOThread *iot = opaque;

    iot->stopping = true;
}

static void iothread_init(Object *obj)
{
    IOThread *iot = IOTHREAD(obj);

    qemu_sem_init(&iot->init_done, 0);
    iot->poll_max_ns = 32768;
    iot->thread_pool_max = 64;
}

static void iothread_finalize(Object *obj)
{
    IOThread *iot = IOTHREAD(obj);

    if (iot->running) {
        aio_bh_schedule_oneshot(iot->ctx, iothread_stop_bh, iot);
        qemu_thread_join(&iot->thread);
        iot->running = false;
    }
    if (iot->ctx) {
        aio_context_detach(iot->ctx);
        g_main_context_unref(iot->ctx);
        iot->ctx = NULL;
    }
    qemu_sem_destroy(&iot->init_done);
}

/* int64 properties >= 0, stored at the offset given as opaque */

static QObject *iothread_get_param(Object *obj, const char *name,
                                   void *opaque, Error **errp)
{
    int64_t *field = (int64_t *)((char *)obj + (ptrdiff_t)opaque);

    return QOBJECT(qnum_from_int(*field));
}

static bool iothread_set_param(Object *obj, const char *name,
                               QObject *value, void *opaque, Error **errp)
{
    int64_t *field = (int64_t *)((char *)obj + (ptrdiff_t)opaque);
    int64_t v;

    if (!qom_value_to_int(name, value, &v, errp)) {
        return false;
    }
    if (v < 0) {
        error_setg(errp, "%s value must be in range [0, %" PRId64 "]",
                   name, INT64_MAX);
        return false;
    }
    *field = v;
    return true;
}

static void iothread_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);
    static const struct {
        const char *name;
        ptrdiff_t offset;
    } params[] = {
        /* qom-list-properties order of QEMU 7.2 */
        { "thread-pool-min", offsetof(IOThread, thread_pool_min) },
        { "aio-max-batch", offsetof(IOThread, aio_max_batch) },
        { "thread-pool-max", offsetof(IOThread, thread_pool_max) },
        { "poll-max-ns", offsetof(IOThread, poll_max_ns) },
        { "poll-grow", offsetof(IOThread, poll_grow) },
        { "poll-shrink", offsetof(IOThread, poll_shrink) },
    };
    size_t i;

    ucc->complete = iothread_complete;
    for (i = 0; i < ARRAY_SIZE(params); i++) {
        object_class_property_add(oc, params[i].name, "int",
                                  iothread_get_param, iothread_set_param,
                                  NULL, (void *)params[i].offset);
    }
}

static const TypeInfo iothread_info = {
    .name = TYPE_IOTHREAD,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(IOThread),
    .instance_init = iothread_init,
    .instance_finalize = iothread_finalize,
    .class_init = iothread_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { NULL },
    },
};

static void iothread_register_types(void)
{
    type_register_static(&iothread_info);
}

type_init(iothread_register_types);

/* Lookup and listing */

IOThread *iothread_by_id(const char *id)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                id);

    return obj ? (IOThread *)object_dynamic_cast(obj, TYPE_IOTHREAD) : NULL;
}

GMainContext *iothread_get_g_main_context(IOThread *iothread)
{
    return iothread->ctx;
}

const char *iothread_get_id(IOThread *iothread)
{
    return object_get_canonical_path_component(OBJECT(iothread));
}

int iothread_get_thread_id(IOThread *iothread)
{
    return iothread->thread_id;
}

bool iothread_is_current(IOThread *iothread)
{
    return iothread->running &&
           g_thread_self() == iothread->thread.thread;
}

typedef struct IOThreadForeach {
    void (*fn)(IOThread *iothread, void *opaque);
    void *opaque;
    GPtrArray *found;
} IOThreadForeach;

static int iothread_collect(Object *child, void *opaque)
{
    IOThreadForeach *f = opaque;

    if (object_dynamic_cast(child, TYPE_IOTHREAD)) {
        g_ptr_array_add(f->found, child);
    }
    return 0;
}

void iothread_foreach(void (*fn)(IOThread *iothread, void *opaque),
                      void *opaque)
{
    IOThreadForeach f = { fn, opaque, g_ptr_array_new() };
    guint i;

    object_child_foreach(object_get_objects_root(), iothread_collect, &f);
    for (i = f.found->len; i > 0; i--) {
        fn(g_ptr_array_index(f.found, i - 1), opaque);
    }
    g_ptr_array_free(f.found, true);
}

static void iothread_info_one(IOThread *iot, void *opaque)
{
    GString *out = opaque;

    g_string_append_printf(out, "%s:\n", iothread_get_id(iot));
    g_string_append_printf(out, "  thread_id=%d\n", iot->thread_id);
    g_string_append_printf(out, "  poll-max-ns=%" PRId64 "\n",
                           iot->poll_max_ns);
    g_string_append_printf(out, "  poll-grow=%" PRId64 "\n", iot->poll_grow);
    g_string_append_printf(out, "  poll-shrink=%" PRId64 "\n",
                           iot->poll_shrink);
    g_string_append_printf(out, "  aio-max-batch=%" PRId64 "\n",
                           iot->aio_max_batch);
}

char *iothread_info_text(void)
{
    GString *out = g_string_new("");

    iothread_foreach(iothread_info_one, out);
    return g_string_free(out, false);
}
