/*
 * The qom-* / object-* / device-list-properties QMP commands end to end:
 * JSON request -> generated marshaller -> our handler -> JSON reply.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-init-commands.h"
#include "qapi/qapi-emit-events.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "qom/object_interfaces.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qjson.h"
#include "qobject/qstring.h"
#include "qobject/qnum.h"

#define TYPE_TEST_FILTER "test-filter"
#define TYPE_TEST_DEV "test-qmp-dev"

typedef struct TestFilter {
    Object parent_obj;
    char *netdev;
    uint32_t interval;
} TestFilter;

static void filter_finalize(Object *obj)
{
    g_free(((TestFilter *)obj)->netdev);
}

static void filter_class_init(ObjectClass *oc, void *data)
{
    object_class_property_add_str_ptr(oc, "netdev",
                                      offsetof(TestFilter, netdev),
                                      OBJ_PROP_FLAG_READWRITE);
    object_class_property_set_required(oc, "netdev");
    object_class_property_add_uint32_ptr(oc, "interval",
                                         offsetof(TestFilter, interval),
                                         OBJ_PROP_FLAG_READWRITE);
}

typedef struct TestDev {
    DeviceState parent_obj;
    uint32_t size;
} TestDev;

static Property dev_props[] = {
    DEFINE_PROP_UINT32("size", TestDev, size, 64),
    DEFINE_PROP_END_OF_LIST(),
};

static void dev_class_init(ObjectClass *oc, void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), dev_props);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_FILTER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TestFilter),
        .instance_finalize = filter_finalize,
        .class_init = filter_class_init,
        .interfaces = (InterfaceInfo[]) { { TYPE_USER_CREATABLE }, { } },
    }, {
        .name = TYPE_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .class_init = dev_class_init,
    },
};

DEFINE_TYPES(test_types)

static QmpCommandList cmds;

/* The monitor normally sends events; nothing here emits any. */
void qapi_event_emit(QAPIEvent event, QDict *qdict)
{
    g_assert_not_reached();
}

/* Runs one request; returns the reply's "return" (new ref) or NULL. */
static QObject *qmp(const char *json, char **err_desc, char **err_class)
{
    g_autoptr(QObject) req = qobject_from_json(json, &error_abort);
    g_autoptr(QDict) rsp = qmp_dispatch(&cmds, req, false);
    QDict *err;

    g_assert_nonnull(rsp);
    err = qdict_get_qdict(rsp, "error");
    if (err) {
        g_assert_nonnull(err_desc);
        *err_desc = g_strdup(qdict_get_str(err, "desc"));
        if (err_class) {
            *err_class = g_strdup(qdict_get_str(err, "class"));
        }
        return NULL;
    }
    return qobject_ref(qdict_get(rsp, "return"));
}

static QDict *find_name(QList *list, const char *name)
{
    const QListEntry *e;

    for (e = qlist_first(list); e; e = qlist_next(e)) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        if (!strcmp(qdict_get_str(d, "name"), name)) {
            return d;
        }
    }
    return NULL;
}

static void test_object_add_get_set_del(void)
{
    g_autoptr(QObject) r = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *cls = NULL;
    QList *list;

    r = qmp("{'execute': 'object-add', 'arguments': {'qom-type':"
            " 'test-filter', 'id': 'f0', 'netdev': 'hn0', 'interval': 100}}",
            NULL, NULL);
    g_assert_nonnull(qobject_to(QDict, r));
    qobject_unref(r);

    r = qmp("{'execute': 'qom-get', 'arguments': {'path': '/objects/f0',"
            " 'property': 'interval'}}", NULL, NULL);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, r)), ==, 100);
    qobject_unref(r);

    r = qmp("{'execute': 'qom-set', 'arguments': {'path': 'f0',"
            " 'property': 'netdev', 'value': 'hn1'}}", NULL, NULL);
    qobject_unref(r);
    r = qmp("{'execute': 'qom-get', 'arguments': {'path': 'f0',"
            " 'property': 'netdev'}}", NULL, NULL);
    g_assert_cmpstr(qstring_get_str(qobject_to(QString, r)), ==, "hn1");
    qobject_unref(r);

    r = qmp("{'execute': 'qom-list', 'arguments': {'path': '/objects'}}",
            NULL, NULL);
    list = qobject_to(QList, r);
    g_assert_cmpstr(qdict_get_str(find_name(list, "f0"), "type"), ==,
                    "child<test-filter>");
    g_assert_cmpstr(qdict_get_str(find_name(list, "type"), "type"), ==,
                    "string");
    qobject_unref(r);

    r = qmp("{'execute': 'object-add', 'arguments': {'qom-type':"
            " 'test-filter', 'id': 'f1'}}", &desc, &cls);
    g_assert_null(r);
    g_assert_cmpstr(desc, ==, "Parameter 'netdev' is missing");
    g_assert_cmpstr(cls, ==, "GenericError");
    g_clear_pointer(&desc, g_free);

    r = qmp("{'execute': 'object-del', 'arguments': {'id': 'f0'}}",
            NULL, NULL);
    qobject_unref(r);
    r = qmp("{'execute': 'object-del', 'arguments': {'id': 'f0'}}",
            &desc, NULL);
    g_assert_cmpstr(desc, ==, "object 'f0' not found");
    g_clear_pointer(&desc, g_free);

    g_clear_pointer(&cls, g_free);
    r = qmp("{'execute': 'qom-get', 'arguments': {'path': '/objects/f0',"
            " 'property': 'x'}}", &desc, &cls);
    g_assert_cmpstr(desc, ==, "Device '/objects/f0' not found");
    g_assert_cmpstr(cls, ==, "DeviceNotFound");
}

static void test_list_types_and_properties(void)
{
    g_autoptr(QObject) r = NULL;
    g_autofree char *desc = NULL;
    g_autofree char *cls = NULL;
    QDict *d;

    r = qmp("{'execute': 'qom-list-types', 'arguments': {'implements':"
            " 'user-creatable'}}", NULL, NULL);
    d = find_name(qobject_to(QList, r), TYPE_TEST_FILTER);
    g_assert_cmpstr(qdict_get_str(d, "parent"), ==, "object");
    g_assert_false(qdict_haskey(d, "abstract"));
    g_assert_null(find_name(qobject_to(QList, r), TYPE_TEST_DEV));
    qobject_unref(r);

    r = qmp("{'execute': 'qom-list-types', 'arguments': {'abstract': true}}",
            NULL, NULL);
    d = find_name(qobject_to(QList, r), "device");
    g_assert_true(qdict_get_bool(d, "abstract"));
    qobject_unref(r);

    r = qmp("{'execute': 'qom-list-properties', 'arguments': {'typename':"
            " 'test-filter'}}", NULL, NULL);
    g_assert_cmpint(qlist_size(qobject_to(QList, r)), ==, 3);
    g_assert_cmpstr(qdict_get_str(find_name(qobject_to(QList, r),
                                            "interval"), "type"),
                    ==, "uint32");
    qobject_unref(r);

    /* unknown types: an empty list, never DeviceNotFound (libvirt) */
    r = qmp("{'execute': 'qom-list-properties', 'arguments': {'typename':"
            " 'memory-backend-memfd'}}", NULL, NULL);
    g_assert_cmpint(qlist_size(qobject_to(QList, r)), ==, 0);
    qobject_unref(r);

    r = qmp("{'execute': 'device-list-properties', 'arguments':"
            " {'typename': 'test-qmp-dev'}}", NULL, NULL);
    d = find_name(qobject_to(QList, r), "size");
    g_assert_cmpint(qdict_get_int(d, "default-value"), ==, 64);
    g_assert_cmpint(qlist_size(qobject_to(QList, r)), ==, 1);
    qobject_unref(r);

    r = qmp("{'execute': 'device-list-properties', 'arguments':"
            " {'typename': 'virtio-net-ccw'}}", &desc, &cls);
    g_assert_cmpstr(desc, ==, "Device 'virtio-net-ccw' not found");
    g_assert_cmpstr(cls, ==, "DeviceNotFound");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qmp_init_marshal(&cmds);
    g_test_add_func("/qom/qmp/object-add-get-set-del",
                    test_object_add_get_set_del);
    g_test_add_func("/qom/qmp/list-types-and-properties",
                    test_list_types_and_properties);
    return g_test_run();
}
