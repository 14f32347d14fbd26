/*
 * User-creatable objects: the "user-creatable" interface, creation from
 * a QDict (object-add, -object), deletion, and -object help.
 *
 * Creation order, chosen to report errors like QEMU 7.2:
 *   1. qom-type must name a user-creatable, non-abstract type
 *      ("Parameter 'qom-type' does not accept value 'X'")
 *   2. id must be present and well formed
 *   3. required properties present ("Parameter 'P' is missing"),
 *      no unknown ones ("Parameter 'P' is unexpected")
 *   4. instance created, properties set in argument order
 *   5. added as /objects/ID (duplicate id fails here), then complete();
 *      on failure the object is unparented and finalized.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/keyval.h"
#include "qom/object_interfaces.h"
#include "qobject/qdict.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"

bool user_creatable_complete(UserCreatable *uc, Error **errp)
{
    UserCreatableClass *ucc;
    ObjectClass *oc = object_class_dynamic_cast(object_get_class(OBJECT(uc)),
                                                TYPE_USER_CREATABLE);

    if (!oc) {
        return true;
    }
    ucc = (UserCreatableClass *)oc;
    if (!ucc->complete) {
        return true;
    }
    return ucc->complete(uc, errp);
}

bool user_creatable_can_be_deleted(UserCreatable *uc)
{
    ObjectClass *oc = object_class_dynamic_cast(object_get_class(OBJECT(uc)),
                                                TYPE_USER_CREATABLE);
    UserCreatableClass *ucc = (UserCreatableClass *)oc;

    if (!ucc || !ucc->can_be_deleted) {
        return true;
    }
    return ucc->can_be_deleted(uc);
}

bool id_wellformed(const char *id)
{
    int i;

    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (i = 1; id[i]; i++) {
        if (!g_ascii_isalnum(id[i]) && !strchr("-._", id[i])) {
            return false;
        }
    }
    return true;
}

static ObjectClass *user_creatable_class(const char *type, Error **errp)
{
    ObjectClass *oc = object_class_by_name(type);

    if (!oc || !object_class_dynamic_cast(oc, TYPE_USER_CREATABLE) ||
        object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type);
        return NULL;
    }
    return oc;
}

static bool is_reserved_key(const char *key)
{
    return !strcmp(key, "qom-type") || !strcmp(key, "id");
}

/* Step 3 of the file comment, over the class properties of @oc. */
static bool check_required(ObjectClass *oc, const QDict *qdict,
                           Error **errp)
{
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    object_class_property_iter_init(&iter, oc);
    while ((prop = object_property_iter_next(&iter))) {
        if (prop->required && !qdict_haskey(qdict, prop->name)) {
            error_setg(errp, "Parameter '%s' is missing", prop->name);
            return false;
        }
    }
    return true;
}

static bool set_members(Object *obj, const QDict *qdict, Error **errp)
{
    const QDictEntry *e;

    for (e = qdict_first(qdict); e; e = qdict_next(qdict, e)) {
        const char *key = qdict_entry_key(e);
        ObjectProperty *prop;

        if (is_reserved_key(key)) {
            continue;
        }
        prop = object_property_find(obj, key);
        if (!prop || !prop->set) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
        if (!object_property_set(obj, key, qdict_entry_value(e), errp)) {
            return false;
        }
    }
    return true;
}

Object *user_creatable_add_type(const char *type, const char *id,
                                const QDict *qdict, Error **errp)
{
    g_autoptr(QDict) empty = qdict_new();
    ObjectClass *oc = user_creatable_class(type, errp);
    Object *obj;

    if (!oc) {
        return NULL;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter '%s' expects %s", "id", "an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return NULL;
    }
    if (!qdict) {
        qdict = empty;
    }
    if (!check_required(oc, qdict, errp)) {
        return NULL;
    }
    obj = object_new_with_class(oc);
    if (!set_members(obj, qdict, errp)) {
        goto out_unref;
    }
    if (!object_property_try_add_child(object_get_objects_root(), id, obj,
                                       errp)) {
        goto out_unref;
    }
    if (!user_creatable_complete(USER_CREATABLE(obj), errp)) {
        object_unparent(obj);
        goto out_unref;
    }
    object_unref(obj);
    return obj;

out_unref:
    object_unref(obj);
    return NULL;
}

Object *user_creatable_add_qdict(const QDict *qdict, Error **errp)
{
    const char *type = qdict_get_try_str(qdict, "qom-type");
    const char *id = qdict_get_try_str(qdict, "id");

    if (!qdict_haskey(qdict, "qom-type")) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return NULL;
    }
    if (!type) {
        error_setg(errp, "Invalid parameter type for 'qom-type', "
                   "expected: string");
        return NULL;
    }
    if (!user_creatable_class(type, errp)) {
        return NULL;
    }
    if (!qdict_haskey(qdict, "id")) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!id) {
        error_setg(errp, "Invalid parameter type for 'id', expected: string");
        return NULL;
    }
    return user_creatable_add_type(type, id, qdict, errp);
}

Object *object_new_with_props(const char *typename, Object *parent,
                              const char *id, Error **errp, ...)
{
    ObjectClass *oc = object_class_by_name(typename);
    const char *name;
    Object *obj;
    va_list ap;

    if (!oc || object_class_is_abstract(oc)) {
        error_setg(errp, "Invalid object type '%s'", typename);
        return NULL;
    }
    obj = object_new_with_class(oc);
    va_start(ap, errp);
    while ((name = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);

        if (!object_property_parse(obj, name, value, errp)) {
            va_end(ap);
            goto out_unref;
        }
    }
    va_end(ap);
    if (parent && !object_property_try_add_child(parent, id, obj, errp)) {
        goto out_unref;
    }
    if (!user_creatable_complete((UserCreatable *)obj, errp)) {
        object_unparent(obj);
        goto out_unref;
    }
    if (parent) {
        /* the parent holds the reference now */
        object_unref(obj);
    }
    return obj;

out_unref:
    object_unref(obj);
    return NULL;
}

QDict *user_creatable_parse_str(const char *str, bool *help, Error **errp)
{
    return qobject_input_from_option_help(str, "qom-type", help, errp);
}

static gint prop_line_cmp(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

static char *prop_help_line(ObjectProperty *prop)
{
    return object_property_help(prop->name, prop->type, prop->defval,
                                prop->description);
}

char *user_creatable_help_text(const char *type, Error **errp)
{
    GString *out = g_string_new("");

    if (!type) {
        GSList *list = object_class_get_list_sorted(TYPE_USER_CREATABLE,
                                                    false);
        GSList *e;

        g_string_append(out, "List of user creatable objects:\n");
        for (e = list; e; e = e->next) {
            g_string_append_printf(out, "  %s\n",
                                   object_class_get_name(e->data));
        }
        g_slist_free(list);
    } else {
        ObjectClass *oc = user_creatable_class(type, errp);
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
        ObjectPropertyIterator iter;
        ObjectProperty *prop;
        guint i;

        if (!oc) {
            g_string_free(out, true);
            return NULL;
        }
        object_class_property_iter_init(&iter, oc);
        while ((prop = object_property_iter_next(&iter))) {
            if (prop->set) {
                g_ptr_array_add(lines, prop_help_line(prop));
            }
        }
        if (!lines->len) {
            g_string_append_printf(out, "There are no options for %s.\n",
                                   type);
        } else {
            g_ptr_array_sort(lines, prop_line_cmp);
            g_string_append_printf(out, "%s options:\n", type);
            for (i = 0; i < lines->len; i++) {
                g_string_append_printf(out, "%s\n",
                                       (char *)g_ptr_array_index(lines, i));
            }
        }
    }
    return g_string_free(out, false);
}

bool user_creatable_print_help(const char *type, QDict *opts)
{
    g_autofree char *text = user_creatable_help_text(type, NULL);

    if (!text) {
        return false;
    }
    fputs(text, stdout);
    return true;
}

bool user_creatable_add_from_str(const char *str, Error **errp)
{
    g_autoptr(QDict) args = NULL;
    bool help = false;

    args = user_creatable_parse_str(str, &help, errp);
    if (!args) {
        return false;
    }
    if (help) {
        const char *type = qdict_get_try_str(args, "qom-type");

        if (!user_creatable_print_help(type, args)) {
            error_setg(errp, "invalid object type: %s", type);
            return false;
        }
        return true;
    }
    return user_creatable_add_qdict(args, errp) != NULL;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *container = object_get_objects_root();
    Object *obj = object_resolve_path_component(container, id);

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (!user_creatable_can_be_deleted((UserCreatable *)obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    object_unparent(obj);
    return true;
}

static int cleanup_one(Object *child, void *opaque)
{
    object_unparent(child);
    return 0;
}

void user_creatable_cleanup(void)
{
    object_child_foreach(object_get_objects_root(), cleanup_one, NULL);
}

static void register_types(void)
{
    static const TypeInfo uc_interface_info = {
        .name = TYPE_USER_CREATABLE,
        .parent = TYPE_INTERFACE,
        .class_size = sizeof(UserCreatableClass),
    };

    type_register_static(&uc_interface_info);
}

type_init(register_types)
