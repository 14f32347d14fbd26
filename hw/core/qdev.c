/*
 * qdev: TYPE_DEVICE, realize/unrealize, tree placement, -global and
 * -device creation (see include/hw/qdev-core.h).
 *
 * Life of a -device:
 *   driver checked -> instance created (defaults, then -global values)
 *   -> placed at /machine/peripheral/ID (or peripheral-anon/device[N])
 *   -> properties set in argument order -> plug hook (bus) -> realize
 * Any failure unparents and drops the half-built device.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/keyval.h"
#include "qemu/option.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "qom/object_interfaces.h"
#include "qobject/qbool.h"
#include "qobject/qdict.h"
#include "qobject/qstring.h"

typedef struct GlobalProperty {
    char *driver;
    char *property;
    char *value;
} GlobalProperty;

/* -global values, in command-line order; written at start-up only */
static GPtrArray *global_props;
static QdevPlugHook plug_hook;

Object *qdev_get_machine(void)
{
    return container_get(object_get_root(), "/machine");
}

Object *qdev_get_peripheral(void)
{
    return container_get(qdev_get_machine(), "/peripheral");
}

Object *qdev_get_peripheral_anon(void)
{
    return container_get(qdev_get_machine(), "/peripheral-anon");
}

DeviceState *qdev_find_by_id(const char *id)
{
    Object *obj = object_resolve_path_component(qdev_get_peripheral(), id);

    return (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
}

void qdev_set_plug_hook(QdevPlugHook hook)
{
    plug_hook = hook;
}

DeviceState *qdev_try_new(const char *name)
{
    ObjectClass *oc = object_class_by_name(name);

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) ||
        object_class_is_abstract(oc)) {
        return NULL;
    }
    return DEVICE(object_new_with_class(oc));
}

DeviceState *qdev_new(const char *name)
{
    DeviceState *dev = qdev_try_new(name);

    if (!dev) {
        fprintf(stderr, "unknown device type '%s'\n", name);
        abort();
    }
    return dev;
}

/* ------------------------------------------------------------------ */
/* Realize                                                             */

static bool device_realize(DeviceState *dev, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Object *obj = OBJECT(dev);
    Error *err = NULL;

    if (dev->realized) {
        return true;
    }
    if (!obj->parent) {
        Object *unattached = container_get(qdev_get_machine(),
                                           "/unattached");

        object_property_add_child(unattached, "device[*]", obj);
    }
    if (dc->realize) {
        dc->realize(dev, &err);
        if (err) {
            error_propagate(errp, err);
            return false;
        }
    }
    g_free(dev->canonical_path);
    dev->canonical_path = object_get_canonical_path(obj);
    dev->realized = true;
    return true;
}

static void device_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (!dev->realized) {
        return;
    }
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    assert(!bus);
    return device_realize(dev, errp);
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ok = qdev_realize(dev, bus, errp);

    object_unref(dev);
    return ok;
}

void qdev_unrealize(DeviceState *dev)
{
    device_unrealize(dev);
}

void qdev_unplug_and_remove(DeviceState *dev)
{
    device_unrealize(dev);
    object_unparent(OBJECT(dev));
}

void device_cold_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    if (dc->reset) {
        dc->reset(dev);
    }
}

static int reset_one(Object *obj, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (dev && dev->realized) {
        device_cold_reset(dev);
    }
    return 0;
}

void qdev_reset_all_devices(void)
{
    object_child_foreach_recursive(qdev_get_machine(), reset_one, NULL);
}

/* ------------------------------------------------------------------ */
/* TYPE_DEVICE                                                         */

static bool device_get_realized(Object *obj, Error **errp)
{
    return DEVICE(obj)->realized;
}

static void device_set_realized(Object *obj, bool value, Error **errp)
{
    if (value) {
        device_realize(DEVICE(obj), errp);
    } else {
        device_unrealize(DEVICE(obj));
    }
}

static bool device_get_hotpluggable(Object *obj, Error **errp)
{
    return DEVICE_GET_CLASS(obj)->hotpluggable;
}

static bool device_get_hotplugged(Object *obj, Error **errp)
{
    return DEVICE(obj)->hotplugged;
}

static void apply_globals(Object *obj)
{
    guint i;

    for (i = 0; global_props && i < global_props->len; i++) {
        GlobalProperty *g = g_ptr_array_index(global_props, i);
        Error *err = NULL;

        if (!object_dynamic_cast(obj, g->driver)) {
            continue;
        }
        if (!object_property_parse(obj, g->property, g->value, &err)) {
            error_prepend(&err, "can't apply global %s.%s=%s: ",
                          g->driver, g->property, g->value);
            warn_report_err(err);
        }
    }
}

static void device_post_init(Object *obj)
{
    apply_globals(obj);
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    g_free(dev->id);
    g_free(dev->canonical_path);
    g_free(dev->bus_name);
}

static void device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->user_creatable = true;
    dc->hotpluggable = true;
    object_class_property_add_bool(oc, "realized", device_get_realized,
                                   device_set_realized);
    object_class_property_add_bool(oc, "hotpluggable",
                                   device_get_hotpluggable, NULL);
    object_class_property_add_bool(oc, "hotplugged", device_get_hotplugged,
                                   NULL);
}

static void qdev_register_types(void)
{
    static const TypeInfo device_type_info = {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(DeviceState),
        .instance_post_init = device_post_init,
        .instance_finalize = device_finalize,
        .abstract = true,
        .class_size = sizeof(DeviceClass),
        .class_init = device_class_init,
    };

    type_register_static(&device_type_info);
}

type_init(qdev_register_types)

/* ------------------------------------------------------------------ */
/* -global                                                             */

void qdev_add_global(const char *driver, const char *property,
                     const char *value)
{
    GlobalProperty *g = g_new0(GlobalProperty, 1);

    g->driver = g_strdup(driver);
    g->property = g_strdup(property);
    g->value = g_strdup(value);
    if (!global_props) {
        global_props = g_ptr_array_new();
    }
    g_ptr_array_add(global_props, g);
}

bool qdev_add_global_str(const char *arg, Error **errp)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strchr(arg, '.');
    g_autoptr(QDict) d = NULL;
    const QDictEntry *e;

    /* DRIVER.PROP=VALUE: the driver part has no '=' */
    if (eq && dot && dot < eq) {
        g_autofree char *driver = g_strndup(arg, dot - arg);
        g_autofree char *prop = g_strndup(dot + 1, eq - dot - 1);

        qdev_add_global(driver, prop, eq + 1);
        return true;
    }
    d = keyval_parse(arg, NULL, NULL, errp);
    if (!d) {
        return false;
    }
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        const char *k = qdict_entry_key(e);

        if (strcmp(k, "driver") && strcmp(k, "property") &&
            strcmp(k, "value")) {
            error_setg(errp, "Invalid parameter '%s'", k);
            return false;
        }
    }
    if (!qdict_get_try_str(d, "driver") ||
        !qdict_get_try_str(d, "property") ||
        !qdict_get_try_str(d, "value")) {
        error_setg(errp, "-global needs driver, property and value");
        return false;
    }
    qdev_add_global(qdict_get_str(d, "driver"), qdict_get_str(d, "property"),
                    qdict_get_str(d, "value"));
    return true;
}

/* ------------------------------------------------------------------ */
/* -device                                                             */

static DeviceClass *device_class_for_driver(const char *driver,
                                            Error **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    DeviceClass *dc;

    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "'%s' is not a valid device model name", driver);
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter '%s' expects %s", "driver",
                   "a non-abstract device type");
        return NULL;
    }
    dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable) {
        error_setg(errp, "Parameter '%s' expects %s", "driver",
                   "a pluggable device type");
        return NULL;
    }
    return dc;
}

static bool device_place(DeviceState *dev, const char *id, Error **errp)
{
    Object *obj = OBJECT(dev);

    if (!id) {
        object_property_add_child(qdev_get_peripheral_anon(), "device[*]",
                                  obj);
        return true;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter '%s' expects %s", "id",
                   "an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    if (!object_property_try_add_child(qdev_get_peripheral(), id, obj,
                                       NULL)) {
        error_setg(errp, "Duplicate device ID '%s'", id);
        return false;
    }
    dev->id = g_strdup(id);
    return true;
}

static bool is_reserved_device_key(const char *key)
{
    return !strcmp(key, "driver") || !strcmp(key, "id") ||
           !strcmp(key, "bus");
}

static bool device_set_props(DeviceState *dev, const QDict *opts,
                             Error **errp)
{
    const QDictEntry *e;

    for (e = qdict_first(opts); e; e = qdict_next(opts, e)) {
        const char *key = qdict_entry_key(e);

        if (is_reserved_device_key(key)) {
            continue;
        }
        if (!object_property_set(OBJECT(dev), key, qdict_entry_value(e),
                                 errp)) {
            return false;
        }
    }
    return true;
}

DeviceState *qdev_device_add_from_qdict(const QDict *opts, bool from_json,
                                        Error **errp)
{
    const char *driver = qdict_get_try_str(opts, "driver");
    const char *id = qdict_get_try_str(opts, "id");
    const char *bus = qdict_get_try_str(opts, "bus");
    DeviceClass *dc;
    DeviceState *dev;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    if (qdict_haskey(opts, "id") && !id) {
        error_setg(errp, "Invalid parameter type for 'id', expected: "
                   "string");
        return NULL;
    }
    dc = device_class_for_driver(driver, errp);
    if (!dc) {
        return NULL;
    }
    dev = DEVICE(object_new_with_class(OBJECT_CLASS(dc)));
    if (!device_place(dev, id, errp)) {
        goto out_unref;
    }
    g_free(dev->bus_name);
    dev->bus_name = g_strdup(bus);
    if (!device_set_props(dev, opts, errp)) {
        goto out_unparent;
    }
    if (plug_hook && !plug_hook(dev, bus, opts, errp)) {
        goto out_unparent;
    }
    if (!device_realize(dev, errp)) {
        goto out_unparent;
    }
    object_unref(dev);
    return dev;

out_unparent:
    object_unparent(OBJECT(dev));
out_unref:
    object_unref(dev);
    return NULL;
}

/*
 * The key=value form of -device is QemuOpts syntax in QEMU 7.2 (not
 * keyval): bare "flag" means flag=on, "noflag" flag=off, "help" or "?"
 * anywhere asks for help, and a repeated id is reported at parse time.
 */
static QemuOptsList device_opts = {
    .name = "device",
    .implied_opt_name = "driver",
    .desc = { { /* any key */ } },
};

static QDict *device_parse_opts(const char *arg, bool *help, Error **errp)
{
    QemuOpts *opts = qemu_opts_parse(&device_opts, arg, true, errp);
    QDict *d;

    if (!opts) {
        return NULL;
    }
    *help = qemu_opt_has_help_opt(opts);
    qemu_opt_unset(opts, "help");
    qemu_opt_unset(opts, "?");
    d = qemu_opts_to_qdict(opts, NULL);
    qemu_opts_del(opts);
    return d;
}

static bool device_print_help(const char *driver, Error **errp)
{
    g_autofree char *text = NULL;

    if (!driver || is_help_option(driver)) {
        text = qdev_device_list_text();
    } else {
        text = qdev_device_help_text(driver, errp);
        if (!text) {
            return false;
        }
    }
    fputs(text, stdout);
    return true;
}

bool qdev_device_add_from_str(const char *arg, Error **errp)
{
    g_autoptr(QDict) opts = NULL;
    bool help = false;
    const char *driver, *id;

    if (arg[0] == '{') {
        opts = qobject_input_from_option(arg, "driver", errp);
    } else {
        opts = device_parse_opts(arg, &help, errp);
    }
    if (!opts) {
        return false;
    }
    driver = qdict_get_try_str(opts, "driver");
    if (help || (driver && is_help_option(driver))) {
        device_print_help(driver, errp);
        return false;
    }
    id = qdict_get_try_str(opts, "id");
    if (arg[0] != '{' && id &&
        object_resolve_path_component(qdev_get_peripheral(), id)) {
        error_setg(errp, "Duplicate ID '%s' for device", id);
        return false;
    }
    return qdev_device_add_from_qdict(opts, arg[0] == '{', errp) != NULL;
}
