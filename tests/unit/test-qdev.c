/*
 * qdev: Property tables, realize, -device creation and placement,
 * -global, device-list-properties and help output; QOM introspection.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "qom/qom-introspect.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qnum.h"
#include "qobject/qbool.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"

#define TYPE_TEST_NIC "test-nic"
#define TYPE_TEST_BASE "test-base-dev"
#define TYPE_TEST_HIDDEN "test-hidden-dev"

typedef struct TestNic {
    DeviceState parent_obj;
    uint32_t queue_size;
    uint32_t features;
    uint8_t mac[6];
    bool flag;
    int32_t bootindex;
    uint64_t mem;
    char *chr;
    char *label;
    int realize_count;
    int reset_count;
} TestNic;

static void nic_realize(DeviceState *dev, Error **errp)
{
    TestNic *n = (TestNic *)dev;

    if (n->queue_size == 0 || (n->queue_size & (n->queue_size - 1))) {
        error_setg(errp, "queue-size must be a power of 2");
        return;
    }
    n->realize_count++;
}

static void nic_reset(DeviceState *dev)
{
    ((TestNic *)dev)->reset_count++;
}

static Property nic_props[] = {
    DEFINE_PROP_UINT32("queue-size", TestNic, queue_size, 256),
    DEFINE_PROP_BIT("csum", TestNic, features, 0, true),
    DEFINE_PROP_BIT("gso", TestNic, features, 1, false),
    DEFINE_PROP_MACADDR("mac", TestNic, mac),
    DEFINE_PROP_BOOL("x-flag", TestNic, flag, false),
    DEFINE_PROP_INT32("bootindex", TestNic, bootindex, -1),
    DEFINE_PROP_SIZE("mem", TestNic, mem, 0),
    DEFINE_PROP_CHR("chardev", TestNic, chr),
    DEFINE_PROP_STRING("label", TestNic, label),
    DEFINE_PROP_END_OF_LIST(),
};

static void nic_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = nic_realize;
    dc->reset = nic_reset;
    dc->desc = "Test network card";
    dc->bus_type = "PCI";
    device_class_set_category(dc, DEVICE_CATEGORY_NETWORK);
    device_class_set_props(dc, nic_props);
}

static void hidden_class_init(ObjectClass *oc, void *data)
{
    DEVICE_CLASS(oc)->user_creatable = false;
}

static const TypeInfo test_dev_types[] = {
    {
        .name = TYPE_TEST_BASE,
        .parent = TYPE_DEVICE,
        .abstract = true,
    }, {
        .name = TYPE_TEST_NIC,
        .parent = TYPE_TEST_BASE,
        .instance_size = sizeof(TestNic),
        .class_init = nic_class_init,
    }, {
        .name = TYPE_TEST_HIDDEN,
        .parent = TYPE_DEVICE,
        .class_init = hidden_class_init,
    },
};

DEFINE_TYPES(test_dev_types)

static DeviceState *add_json(const char *json, Error **errp)
{
    g_autoptr(QObject) obj = qobject_from_json(json, &error_abort);

    return qdev_device_add_from_qdict(qobject_to(QDict, obj), true, errp);
}

static void test_props_defaults_and_set(void)
{
    DeviceState *dev = qdev_new(TYPE_TEST_NIC);
    TestNic *n = (TestNic *)dev;
    Error *err = NULL;
    g_autofree char *mac = NULL;

    g_assert_cmpuint(n->queue_size, ==, 256);
    g_assert_cmpuint(n->features, ==, 1);
    g_assert_cmpint(n->bootindex, ==, -1);
    qdev_prop_set_uint32(dev, "queue-size", 512);
    qdev_prop_set_bit(dev, "gso", true);
    g_assert_cmpuint(n->features, ==, 3);
    object_property_set_str(OBJECT(dev), "mac", "52:54:00:12:34:56",
                            &error_abort);
    g_assert_cmpuint(n->mac[5], ==, 0x56);
    mac = object_property_get_str(OBJECT(dev), "mac", &error_abort);
    g_assert_cmpstr(mac, ==, "52:54:00:12:34:56");
    object_property_set_str(OBJECT(dev), "mac", "52:54:00:12:34", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-nic.mac' doesn't take value "
                    "'52:54:00:12:34'");
    error_free_or_abort(&err);
    object_property_set_str(OBJECT(dev), "bootindex", "-5", &error_abort);
    g_assert_cmpint(n->bootindex, ==, -5);
    object_property_set_str(OBJECT(dev), "mem", "4k", &error_abort);
    g_assert_cmpuint(n->mem, ==, 4096);
    qdev_prop_set_chr(dev, "chardev", "serial0");
    g_assert_cmpstr(n->chr, ==, "serial0");

    g_assert_true(qdev_realize(dev, NULL, &error_abort));
    g_assert_cmpint(n->realize_count, ==, 1);
    g_assert_true(dev->realized);
    g_assert_cmpstr(dev->canonical_path, ==, "/machine/unattached/device[0]");
    object_property_set_uint(OBJECT(dev), "queue-size", 64, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Attempt to set property 'queue-size' on anonymous "
                    "device (type 'test-nic') after it was realized");
    error_free_or_abort(&err);
    g_assert_cmpuint(n->queue_size, ==, 512);

    qdev_reset_all_devices();
    g_assert_cmpint(n->reset_count, ==, 1);
    qdev_unplug_and_remove(dev);
    object_unref(dev);
}

static void test_device_add(void)
{
    DeviceState *dev;
    TestNic *n;
    Error *err = NULL;

    dev = add_json("{\"driver\": \"test-nic\", \"id\": \"net0\","
                   " \"bus\": \"pci.0\", \"queue-size\": 1024,"
                   " \"csum\": \"off\", \"mac\": \"52:54:00:94:46:39\"}",
                   &error_abort);
    n = (TestNic *)dev;
    g_assert_true(dev->realized);
    g_assert_cmpstr(dev->id, ==, "net0");
    g_assert_cmpstr(dev->bus_name, ==, "pci.0");
    g_assert_cmpuint(n->queue_size, ==, 1024);
    g_assert_cmpuint(n->features, ==, 0);
    g_assert_true(qdev_find_by_id("net0") == dev);
    g_assert_cmpstr(dev->canonical_path, ==, "/machine/peripheral/net0");

    /* duplicate id */
    g_assert_null(add_json("{\"driver\": \"test-nic\", \"id\": \"net0\"}",
                           &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Duplicate device ID 'net0'");
    error_free_or_abort(&err);

    /* keyval form, anonymous */
    g_assert_true(qdev_device_add_from_str("test-nic,queue-size=16,x-flag=on",
                                           &error_abort));
    dev = DEVICE(object_resolve_path("/machine/peripheral-anon/device[0]",
                                     NULL));
    g_assert_nonnull(dev);
    g_assert_true(((TestNic *)dev)->flag);
    qdev_unplug_and_remove(dev);

    /* QemuOpts flags, ",," escaping, duplicate ids at parse time */
    g_assert_true(qdev_device_add_from_str(
                      "test-nic,id=s1,x-flag,nocsum,label=a,,b",
                      &error_abort));
    dev = qdev_find_by_id("s1");
    g_assert_true(((TestNic *)dev)->flag);
    g_assert_cmpuint(((TestNic *)dev)->features & 1, ==, 0);
    g_assert_cmpstr(((TestNic *)dev)->label, ==, "a,b");
    g_assert_false(qdev_device_add_from_str("test-nic,id=s1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Duplicate ID 's1' for device");
    error_free_or_abort(&err);
    g_assert_false(qdev_device_add_from_str("test-nic,id=s2,queue-size=3",
                                            &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "queue-size must be a power of 2");
    error_free_or_abort(&err);
    g_assert_null(qdev_find_by_id("s2"));
    qdev_unplug_and_remove(dev);
    qdev_unplug_and_remove(qdev_find_by_id("net0"));
    g_assert_null(qdev_find_by_id("net0"));
}

static void check_add_error(const char *json, const char *expect)
{
    Error *err = NULL;

    g_assert_null(add_json(json, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);
    /* the failed device was removed */
    g_assert_null(qdev_find_by_id("bad0"));
}

static void test_device_add_errors(void)
{
    check_add_error("{\"id\": \"bad0\"}", "Parameter 'driver' is missing");
    check_add_error("{\"driver\": \"nosuch\", \"id\": \"bad0\"}",
                    "'nosuch' is not a valid device model name");
    check_add_error("{\"driver\": \"container\", \"id\": \"bad0\"}",
                    "'container' is not a valid device model name");
    check_add_error("{\"driver\": \"test-base-dev\", \"id\": \"bad0\"}",
                    "Parameter 'driver' expects a non-abstract device type");
    check_add_error("{\"driver\": \"test-hidden-dev\", \"id\": \"bad0\"}",
                    "Parameter 'driver' expects a pluggable device type");
    check_add_error("{\"driver\": \"test-nic\", \"id\": \"0bad\"}",
                    "Parameter 'id' expects an identifier");
    check_add_error("{\"driver\": \"test-nic\", \"id\": \"bad0\","
                    " \"bogus\": 1}",
                    "Property 'test-nic.bogus' not found");
    check_add_error("{\"driver\": \"test-nic\", \"id\": \"bad0\","
                    " \"queue-size\": \"big\"}",
                    "Parameter 'queue-size' expects integer");
    check_add_error("{\"driver\": \"test-nic\", \"id\": \"bad0\","
                    " \"queue-size\": 100}",
                    "queue-size must be a power of 2");
}

static void test_globals(void)
{
    DeviceState *dev;
    Error *err = NULL;

    g_assert_true(qdev_add_global_str("test-nic.queue-size=32",
                                      &error_abort));
    g_assert_true(qdev_add_global_str(
                      "driver=test-base-dev,property=x-flag,value=on",
                      &error_abort));
    g_assert_false(qdev_add_global_str("driver=a,prop=b", &err));
    error_free_or_abort(&err);
    dev = qdev_new(TYPE_TEST_NIC);
    g_assert_cmpuint(((TestNic *)dev)->queue_size, ==, 32);
    g_assert_true(((TestNic *)dev)->flag);
    object_unref(dev);
}

static QDict *find_prop(QList *list, const char *name)
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

static void test_list_properties(void)
{
    g_autoptr(QList) props = qdev_core_list_properties(TYPE_TEST_NIC,
                                                       &error_abort);
    g_autoptr(QList) qprops = NULL;
    QDict *d;
    Error *err = NULL;

    g_assert_cmpint(qlist_size(props), ==, 9);
    g_assert_null(find_prop(props, "realized"));
    g_assert_null(find_prop(props, "type"));
    d = find_prop(props, "queue-size");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "uint32");
    g_assert_cmpint(qdict_get_int(d, "default-value"), ==, 256);
    d = find_prop(props, "csum");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "bool");
    g_assert_cmpstr(qdict_get_str(d, "description"), ==, "on/off");
    g_assert_true(qdict_get_bool(d, "default-value"));
    d = find_prop(props, "chardev");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "str");
    g_assert_false(qdict_haskey(d, "default-value"));

    g_assert_null(qdev_core_list_properties("virtio-net-ccw", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device 'virtio-net-ccw' not found");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free_or_abort(&err);
    g_assert_null(qdev_core_list_properties("container", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'typename' expects device");
    error_free_or_abort(&err);
    g_assert_null(qdev_core_list_properties(TYPE_TEST_BASE, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'typename' expects non-abstract device type");
    error_free_or_abort(&err);

    /* qom-list-properties includes the generic ones; never fails */
    qprops = qom_core_list_properties(TYPE_TEST_NIC, &error_abort);
    g_assert_nonnull(find_prop(qprops, "realized"));
    g_assert_nonnull(find_prop(qprops, "type"));
    qobject_unref(qprops);
    qprops = qom_core_list_properties("max-x86_64-cpu", &error_abort);
    g_assert_cmpint(qlist_size(qprops), ==, 0);
    qobject_unref(qprops);
    qprops = qom_core_list_properties(TYPE_DEVICE, &error_abort);
    g_assert_nonnull(find_prop(qprops, "realized"));
}

static void test_help_text(void)
{
    g_autofree char *list = qdev_device_list_text();
    g_autofree char *help = qdev_device_help_text(TYPE_TEST_NIC,
                                                  &error_abort);
    Error *err = NULL;

    g_assert_nonnull(strstr(list, "Network devices:\n"
                            "name \"test-nic\", bus PCI, "
                            "desc \"Test network card\"\n"));
    g_assert_null(strstr(list, "test-hidden-dev"));
    g_assert_true(g_str_has_prefix(help, "test-nic options:\n"
                                   "  bootindex=<int32>      - "
                                   " (default: -1)\n"));
    g_assert_nonnull(strstr(help, "  chardev=<str>          - ID of a "
                            "chardev to use as a backend\n"));
    g_assert_nonnull(strstr(help, "  csum=<bool>            - on/off "
                            "(default: true)\n"));
    g_assert_nonnull(strstr(help, "  label=<str>\n"));
    g_assert_null(qdev_device_help_text("nosuch", &err));
    error_free_or_abort(&err);
}

static void test_qom_introspect(void)
{
    DeviceState *dev = add_json("{\"driver\": \"test-nic\", \"id\": \"n1\","
                                " \"queue-size\": 128}", &error_abort);
    g_autoptr(QList) list = NULL;
    g_autoptr(QList) types = NULL;
    g_autoptr(QObject) v = NULL;
    g_autoptr(QNum) qn = qnum_from_int(8);
    g_autoptr(QBool) off = qbool_from_bool(false);
    Error *err = NULL;
    QDict *d;

    list = qom_core_list("/machine/peripheral", &error_abort);
    d = find_prop(list, "n1");
    g_assert_cmpstr(qdict_get_str(d, "type"), ==, "child<test-nic>");
    g_assert_nonnull(find_prop(list, "type"));

    v = qom_core_get("/machine/peripheral/n1", "queue-size", &error_abort);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, v)), ==, 128);
    g_assert_null(qom_core_get("/nosuch", "x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Device '/nosuch' not found");
    error_free_or_abort(&err);
    g_assert_null(qom_core_get("n1", "nosuch", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-nic.nosuch' not found");
    error_free_or_abort(&err);
    /* realized: properties are frozen */
    g_assert_false(qom_core_set("n1", "queue-size", QOBJECT(qn), &err));
    error_free_or_abort(&err);
    g_assert_true(qom_core_set("n1", "realized", QOBJECT(off),
                               &error_abort));
    g_assert_false(dev->realized);
    g_assert_true(qom_core_set("n1", "queue-size", QOBJECT(qn),
                               &error_abort));
    g_assert_cmpuint(((TestNic *)dev)->queue_size, ==, 8);

    types = qom_core_list_types(TYPE_DEVICE, false);
    g_assert_nonnull(find_prop(types, TYPE_TEST_NIC));
    g_assert_null(find_prop(types, TYPE_TEST_BASE));
    d = find_prop(types, TYPE_TEST_NIC);
    g_assert_cmpstr(qdict_get_str(d, "parent"), ==, TYPE_TEST_BASE);
    g_assert_false(qdict_haskey(d, "abstract"));
    qobject_unref(types);
    types = qom_core_list_types(NULL, true);
    d = find_prop(types, TYPE_TEST_BASE);
    g_assert_true(qdict_get_bool(d, "abstract"));
    d = find_prop(types, TYPE_OBJECT);
    g_assert_false(qdict_haskey(d, "parent"));
    qdev_unplug_and_remove(dev);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdev/props/defaults-and-set",
                    test_props_defaults_and_set);
    g_test_add_func("/qdev/device-add/ok", test_device_add);
    g_test_add_func("/qdev/device-add/errors", test_device_add_errors);
    g_test_add_func("/qdev/globals/apply", test_globals);
    g_test_add_func("/qdev/list-properties/all", test_list_properties);
    g_test_add_func("/qdev/help/text", test_help_text);
    g_test_add_func("/qom/introspect", test_qom_introspect);
    return g_test_run();
}
