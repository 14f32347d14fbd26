/*
 * qdev Property tables (see include/hw/qdev-properties.h).
 *
 * Every Property becomes a class property whose opaque is the Property
 * itself; the accessors find the field at prop->offset in the instance.
 * Values travel as QObjects and strings are parsed by the QOM value
 * helpers, so "-device foo,size=1M" and '{"size": 1048576}' both work.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"

static void *field_ptr(Object *obj, Property *prop)
{
    return (char *)obj + prop->offset;
}

/* The ObjectProperty setter of every table property. */
static bool field_prop_set(Object *obj, const char *name, QObject *value,
                           void *opaque, Error **errp)
{
    DeviceState *dev = DEVICE(obj);
    Property *prop = opaque;

    if (dev->realized) {
        if (dev->id) {
            error_setg(errp, "Attempt to set property '%s' on device '%s' "
                       "(type '%s') after it was realized", name, dev->id,
                       object_get_typename(obj));
        } else {
            error_setg(errp, "Attempt to set property '%s' on anonymous "
                       "device (type '%s') after it was realized", name,
                       object_get_typename(obj));
        }
        return false;
    }
    return prop->info->set(obj, name, value, prop, errp);
}

/* ------------------------------------------------------------------ */
/* Defaults                                                            */

static void set_default_uint(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_uint(op, prop->defval.u);
}

static void set_default_int(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_int(op, prop->defval.i);
}

static void set_default_bool(ObjectProperty *op, const Property *prop)
{
    object_property_set_default_bool(op, prop->defval.u);
}

/* ------------------------------------------------------------------ */
/* bit, bit64, bool                                                    */

static QObject *get_bit(Object *obj, const char *name, void *opaque,
                        Error **errp)
{
    Property *prop = opaque;
    uint32_t *p = field_ptr(obj, prop);

    return QOBJECT(qbool_from_bool(*p & (1u << prop->bitnr)));
}

static bool set_bit(Object *obj, const char *name, QObject *value,
                    void *opaque, Error **errp)
{
    Property *prop = opaque;
    uint32_t *p = field_ptr(obj, prop);
    bool v;

    if (!qom_value_to_bool(name, value, &v, errp)) {
        return false;
    }
    if (v) {
        *p |= 1u << prop->bitnr;
    } else {
        *p &= ~(1u << prop->bitnr);
    }
    return true;
}

static QObject *get_bit64(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    Property *prop = opaque;
    uint64_t *p = field_ptr(obj, prop);

    return QOBJECT(qbool_from_bool(*p & (1ULL << prop->bitnr)));
}

static bool set_bit64(Object *obj, const char *name, QObject *value,
                      void *opaque, Error **errp)
{
    Property *prop = opaque;
    uint64_t *p = field_ptr(obj, prop);
    bool v;

    if (!qom_value_to_bool(name, value, &v, errp)) {
        return false;
    }
    if (v) {
        *p |= 1ULL << prop->bitnr;
    } else {
        *p &= ~(1ULL << prop->bitnr);
    }
    return true;
}

static QObject *get_bool(Object *obj, const char *name, void *opaque,
                         Error **errp)
{
    return QOBJECT(qbool_from_bool(*(bool *)field_ptr(obj, opaque)));
}

static bool set_bool(Object *obj, const char *name, QObject *value,
                     void *opaque, Error **errp)
{
    return qom_value_to_bool(name, value, field_ptr(obj, opaque), errp);
}

const PropertyInfo qdev_prop_bit = {
    .name = "bool",
    .description = "on/off",
    .get = get_bit,
    .set = set_bit,
    .set_default_value = set_default_bool,
};

const PropertyInfo qdev_prop_bit64 = {
    .name = "bool",
    .description = "on/off",
    .get = get_bit64,
    .set = set_bit64,
    .set_default_value = set_default_bool,
};

const PropertyInfo qdev_prop_bool = {
    .name = "bool",
    .get = get_bool,
    .set = set_bool,
    .set_default_value = set_default_bool,
};

/* ------------------------------------------------------------------ */
/* Integers                                                            */

static QObject *get_uint8(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint8_t *)field_ptr(obj, opaque)));
}

static QObject *get_uint16(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint16_t *)field_ptr(obj, opaque)));
}

static QObject *get_uint32(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint32_t *)field_ptr(obj, opaque)));
}

static QObject *get_uint64(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    return QOBJECT(qnum_from_uint(*(uint64_t *)field_ptr(obj, opaque)));
}

static QObject *get_int32(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    return QOBJECT(qnum_from_int(*(int32_t *)field_ptr(obj, opaque)));
}

static QObject *get_int64(Object *obj, const char *name, void *opaque,
                          Error **errp)
{
    return QOBJECT(qnum_from_int(*(int64_t *)field_ptr(obj, opaque)));
}

static bool set_uint8(Object *obj, const char *name, QObject *value,
                      void *opaque, Error **errp)
{
    uint64_t v;

    if (!qom_value_to_uint(name, value, UINT8_MAX, "uint8_t", &v, errp)) {
        return false;
    }
    *(uint8_t *)field_ptr(obj, opaque) = v;
    return true;
}

static bool set_uint16(Object *obj, const char *name, QObject *value,
                       void *opaque, Error **errp)
{
    uint64_t v;

    if (!qom_value_to_uint(name, value, UINT16_MAX, "uint16_t", &v, errp)) {
        return false;
    }
    *(uint16_t *)field_ptr(obj, opaque) = v;
    return true;
}

static bool set_uint32(Object *obj, const char *name, QObject *value,
                       void *opaque, Error **errp)
{
    uint64_t v;

    if (!qom_value_to_uint(name, value, UINT32_MAX, "uint32_t", &v, errp)) {
        return false;
    }
    *(uint32_t *)field_ptr(obj, opaque) = v;
    return true;
}

static bool set_uint64(Object *obj, const char *name, QObject *value,
                       void *opaque, Error **errp)
{
    return qom_value_to_uint(name, value, UINT64_MAX, "uint64",
                             field_ptr(obj, opaque), errp);
}

static bool set_size(Object *obj, const char *name, QObject *value,
                     void *opaque, Error **errp)
{
    return qom_value_to_size(name, value, field_ptr(obj, opaque), errp);
}

static bool set_int32(Object *obj, const char *name, QObject *value,
                      void *opaque, Error **errp)
{
    int64_t v;

    if (!qom_value_to_int(name, value, &v, errp)) {
        return false;
    }
    if (v < INT32_MIN || v > INT32_MAX) {
        error_setg(errp, "Parameter '%s' expects %s", name, "int32_t");
        return false;
    }
    *(int32_t *)field_ptr(obj, opaque) = v;
    return true;
}

static bool set_int64(Object *obj, const char *name, QObject *value,
                      void *opaque, Error **errp)
{
    return qom_value_to_int(name, value, field_ptr(obj, opaque), errp);
}

const PropertyInfo qdev_prop_uint8 = {
    .name = "uint8",
    .get = get_uint8,
    .set = set_uint8,
    .set_default_value = set_default_uint,
};

const PropertyInfo qdev_prop_uint16 = {
    .name = "uint16",
    .get = get_uint16,
    .set = set_uint16,
    .set_default_value = set_default_uint,
};

const PropertyInfo qdev_prop_uint32 = {
    .name = "uint32",
    .get = get_uint32,
    .set = set_uint32,
    .set_default_value = set_default_uint,
};

const PropertyInfo qdev_prop_int32 = {
    .name = "int32",
    .get = get_int32,
    .set = set_int32,
    .set_default_value = set_default_int,
};

const PropertyInfo qdev_prop_uint64 = {
    .name = "uint64",
    .get = get_uint64,
    .set = set_uint64,
    .set_default_value = set_default_uint,
};

const PropertyInfo qdev_prop_int64 = {
    .name = "int64",
    .get = get_int64,
    .set = set_int64,
    .set_default_value = set_default_int,
};

const PropertyInfo qdev_prop_size = {
    .name = "size",
    .get = get_uint64,
    .set = set_size,
    .set_default_value = set_default_uint,
};

/* ------------------------------------------------------------------ */
/* Strings and backend references                                      */

static QObject *get_string(Object *obj, const char *name, void *opaque,
                           Error **errp)
{
    char **p = field_ptr(obj, opaque);

    return QOBJECT(qstring_from_str(*p ? *p : ""));
}

static bool set_string(Object *obj, const char *name, QObject *value,
                       void *opaque, Error **errp)
{
    char **p = field_ptr(obj, opaque);
    const char *s = qom_value_to_str(name, value, errp);

    if (!s) {
        return false;
    }
    g_free(*p);
    *p = g_strdup(s);
    return true;
}

static void release_string(Object *obj, const char *name, void *opaque)
{
    char **p = field_ptr(obj, opaque);

    g_free(*p);
    *p = NULL;
}

const PropertyInfo qdev_prop_string = {
    .name = "str",
    .get = get_string,
    .set = set_string,
    .release = release_string,
};

const PropertyInfo qdev_prop_chr = {
    .name = "str",
    .description = "ID of a chardev to use as a backend",
    .get = get_string,
    .set = set_string,
    .release = release_string,
};

const PropertyInfo qdev_prop_netdev = {
    .name = "str",
    .description = "ID of a netdev to use as a backend",
    .get = get_string,
    .set = set_string,
    .release = release_string,
};

const PropertyInfo qdev_prop_drive = {
    .name = "str",
    .description = "Node name or ID of a block device to use as a backend",
    .get = get_string,
    .set = set_string,
    .release = release_string,
};

/* ------------------------------------------------------------------ */
/* MAC address                                                         */

static QObject *get_mac(Object *obj, const char *name, void *opaque,
                        Error **errp)
{
    uint8_t *mac = field_ptr(obj, opaque);
    g_autofree char *s = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                                         mac[0], mac[1], mac[2], mac[3],
                                         mac[4], mac[5]);

    return QOBJECT(qstring_from_str(s));
}

static bool parse_mac(const char *s, uint8_t *mac)
{
    int i;

    for (i = 0; i < 6; i++) {
        if (!g_ascii_isxdigit(s[0]) || !g_ascii_isxdigit(s[1])) {
            return false;
        }
        mac[i] = g_ascii_xdigit_value(s[0]) << 4 | g_ascii_xdigit_value(s[1]);
        s += 2;
        if (i < 5) {
            if (*s != ':' && *s != '-') {
                return false;
            }
            s++;
        }
    }
    return *s == '\0';
}

static bool set_mac(Object *obj, const char *name, QObject *value,
                    void *opaque, Error **errp)
{
    const char *s = qom_value_to_str(name, value, errp);
    uint8_t mac[6];

    if (!s) {
        return false;
    }
    if (!parse_mac(s, mac)) {
        error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
                   object_get_typename(obj), name, s);
        return false;
    }
    memcpy(field_ptr(obj, opaque), mac, 6);
    return true;
}

const PropertyInfo qdev_prop_macaddr = {
    .name = "str",
    .description = "Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56",
    .get = get_mac,
    .set = set_mac,
};

/* links are added through object_class_property_add_link() */
const PropertyInfo qdev_prop_link = {
    .name = "link",
};

/* ------------------------------------------------------------------ */

void device_class_set_props(DeviceClass *dc, Property *props)
{
    ObjectClass *oc = OBJECT_CLASS(dc);
    Property *prop;

    dc->props_ = props;
    for (prop = props; prop && prop->name; prop++) {
        ObjectProperty *op;

        if (prop->info == &qdev_prop_link) {
            object_class_property_add_link(oc, prop->name, prop->link_type,
                                           prop->offset,
                                           object_property_allow_set_link,
                                           OBJ_PROP_LINK_STRONG);
            continue;
        }
        op = object_class_property_add(oc, prop->name, prop->info->name,
                                       prop->info->get,
                                       prop->info->set ? field_prop_set
                                                       : NULL,
                                       prop->info->release, prop);
        if (prop->info->description) {
            object_class_property_set_description(oc, prop->name,
                                                  prop->info->description);
        }
        if (prop->set_default && prop->info->set_default_value) {
            prop->info->set_default_value(op, prop);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Setters for board code                                              */

void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value)
{
    object_property_set_bool(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint16(DeviceState *dev, const char *name,
                          uint16_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint32(DeviceState *dev, const char *name,
                          uint32_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value)
{
    object_property_set_int(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_uint64(DeviceState *dev, const char *name,
                          uint64_t value)
{
    object_property_set_uint(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value)
{
    object_property_set_str(OBJECT(dev), name, value, &error_abort);
}

void qdev_prop_set_chr(DeviceState *dev, const char *name,
                       const char *chardev_id)
{
    object_property_set_str(OBJECT(dev), name, chardev_id, &error_abort);
}

void qdev_prop_set_macaddr(DeviceState *dev, const char *name,
                           const uint8_t *value)
{
    g_autofree char *s = g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                                         value[0], value[1], value[2],
                                         value[3], value[4], value[5]);

    object_property_set_str(OBJECT(dev), name, s, &error_abort);
}
