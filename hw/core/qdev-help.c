/*
 * qdev introspection: -device help, -device DRIVER,help and
 * device-list-properties (formats as printed by QEMU 7.2).
 *
 *   -device help:
 *     Controller/Bridge/Hub devices:
 *     name "pci-bridge", bus PCI, desc "Standard PCI Bridge"
 *     <blank line before every later category>
 *     Network devices:
 *     ...
 *   -device virtio-net-pci,help:
 *     virtio-net-pci options:
 *       mac=<str>              - Ethernet 6-byte MAC Address, ...
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "qom/qom-introspect.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"

static const char *const category_names[DEVICE_CATEGORY_MAX + 1] = {
    [DEVICE_CATEGORY_BRIDGE] = "Controller/Bridge/Hub",
    [DEVICE_CATEGORY_USB] = "USB",
    [DEVICE_CATEGORY_STORAGE] = "Storage",
    [DEVICE_CATEGORY_NETWORK] = "Network",
    [DEVICE_CATEGORY_INPUT] = "Input",
    [DEVICE_CATEGORY_DISPLAY] = "Display",
    [DEVICE_CATEGORY_SOUND] = "Sound",
    [DEVICE_CATEGORY_MISC] = "Misc",
    [DEVICE_CATEGORY_CPU] = "CPU",
    [DEVICE_CATEGORY_WATCHDOG] = "Watchdog",
    [DEVICE_CATEGORY_MAX] = "Uncategorized",
};

static bool in_category(DeviceClass *dc, int cat)
{
    if (cat == DEVICE_CATEGORY_MAX) {
        return dc->categories == 0;
    }
    return dc->categories & (1u << cat);
}

static void append_devinfo(GString *out, DeviceClass *dc)
{
    g_string_append_printf(out, "name \"%s\"",
                           object_class_get_name(OBJECT_CLASS(dc)));
    if (dc->bus_type) {
        g_string_append_printf(out, ", bus %s", dc->bus_type);
    }
    if (dc->desc) {
        g_string_append_printf(out, ", desc \"%s\"", dc->desc);
    }
    if (!dc->user_creatable) {
        g_string_append(out, ", no-user");
    }
    g_string_append_c(out, '\n');
}

char *qdev_device_list_text(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_DEVICE, false);
    GString *out = g_string_new("");
    int cat;

    for (cat = 0; cat <= DEVICE_CATEGORY_MAX; cat++) {
        bool printed = false;
        GSList *e;

        for (e = list; e; e = e->next) {
            DeviceClass *dc = DEVICE_CLASS(e->data);

            if (!in_category(dc, cat) || !dc->user_creatable) {
                continue;
            }
            if (!printed) {
                g_string_append_printf(out, "%s%s devices:\n",
                                       cat ? "\n" : "",
                                       category_names[cat]);
                printed = true;
            }
            append_devinfo(out, dc);
        }
    }
    g_slist_free(list);
    return g_string_free(out, false);
}

static bool is_generic_device_prop(const char *name)
{
    return !strcmp(name, "type") || !strcmp(name, "realized") ||
           !strcmp(name, "hotpluggable") || !strcmp(name, "hotplugged") ||
           !strcmp(name, "parent_bus") || g_str_has_prefix(name, "legacy-");
}

QList *qdev_core_list_properties(const char *typename, Error **errp)
{
    ObjectClass *oc = object_class_by_name(typename);
    ObjectPropertyIterator iter;
    ObjectProperty *prop;
    Object *obj;
    QList *list;

    if (!oc) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  "Device '%s' not found", typename);
        return NULL;
    }
    if (!object_class_dynamic_cast(oc, TYPE_DEVICE)) {
        error_setg(errp, "Parameter '%s' expects %s", "typename", "device");
        return NULL;
    }
    if (object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter '%s' expects %s", "typename",
                   "non-abstract device type");
        return NULL;
    }
    obj = object_new_with_class(oc);
    list = qlist_new();
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        if (!is_generic_device_prop(prop->name)) {
            qlist_append(list, object_property_info_qdict(prop));
        }
    }
    object_unref(obj);
    return list;
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

char *qdev_device_help_text(const char *driver, Error **errp)
{
    g_autoptr(QList) props = qdev_core_list_properties(driver, errp);
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    const QListEntry *e;
    GString *out;
    guint i;

    if (!props) {
        return NULL;
    }
    for (e = qlist_first(props); e; e = qlist_next(e)) {
        QDict *d = qobject_to(QDict, qlist_entry_obj(e));

        g_ptr_array_add(lines, object_property_help(
                            qdict_get_str(d, "name"),
                            qdict_get_str(d, "type"),
                            qdict_get(d, "default-value"),
                            qdict_get_try_str(d, "description")));
    }
    g_ptr_array_sort(lines, str_ptr_cmp);
    out = g_string_new("");
    if (lines->len) {
        g_string_append_printf(out, "%s options:\n", driver);
    } else {
        g_string_append_printf(out, "There are no options for %s.\n",
                               driver);
    }
    for (i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n",
                               (char *)g_ptr_array_index(lines, i));
    }
    return g_string_free(out, false);
}
