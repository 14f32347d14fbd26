/*
 * qdev Property tables: declarative device properties bound to fields of
 * the device state struct.
 *
 *   static Property foo_props[] = {
 *       DEFINE_PROP_UINT32("queue-size", FooState, queue_size, 256),
 *       DEFINE_PROP_BOOL("x-flag", FooState, flag, false),
 *       DEFINE_PROP_CHR("chardev", FooState, chr_id),
 *       DEFINE_PROP_END_OF_LIST(),
 *   };
 *   ...
 *   device_class_set_props(dc, foo_props);
 *
 * Each entry becomes a class property of the device type (so
 * device-list-properties / qom-list-properties see it with its default),
 * the default is stored into the field when an instance is created, and
 * setting it after realize fails ("Attempt to set property 'P' on device
 * 'ID' (type 'T') after it was realized").
 */
#ifndef HW_QDEV_PROPERTIES_H
#define HW_QDEV_PROPERTIES_H

#include "hw/qdev-core.h"

typedef struct PropertyInfo PropertyInfo;

struct Property {
    const char *name;
    const PropertyInfo *info;
    ptrdiff_t offset;
    uint8_t bitnr;
    bool set_default;
    union {
        int64_t i;
        uint64_t u;
    } defval;
    const char *link_type;      /* DEFINE_PROP_LINK: target QOM type */
};

/**
 * struct PropertyInfo: how one kind of Property is read and written.
 * @name: the type shown in introspection ("uint32", "str", "bool")
 * @get/@set: the property accessors; @opaque is the Property *
 * @set_default_value: records prop->defval as the ObjectProperty default
 */
struct PropertyInfo {
    const char *name;
    const char *description;
    const QEnumLookup *enum_table;
    ObjectPropertyGet *get;
    ObjectPropertySet *set;
    void (*set_default_value)(ObjectProperty *op, const Property *prop);
    void (*release)(Object *obj, const char *name, void *opaque);
};

extern const PropertyInfo qdev_prop_bit;
extern const PropertyInfo qdev_prop_bit64;
extern const PropertyInfo qdev_prop_bool;
extern const PropertyInfo qdev_prop_uint8;
extern const PropertyInfo qdev_prop_uint16;
extern const PropertyInfo qdev_prop_uint32;
extern const PropertyInfo qdev_prop_int32;
extern const PropertyInfo qdev_prop_uint64;
extern const PropertyInfo qdev_prop_int64;
extern const PropertyInfo qdev_prop_size;
extern const PropertyInfo qdev_prop_string;
extern const PropertyInfo qdev_prop_chr;
extern const PropertyInfo qdev_prop_netdev;
extern const PropertyInfo qdev_prop_drive;
extern const PropertyInfo qdev_prop_macaddr;
extern const PropertyInfo qdev_prop_link;

#define qdev_typeof_field(type, field) typeof(((type *)0)->field)
/* 0 if @t2 is compatible with @t1, else a compile error */
#define qdev_type_check(t1, t2) ((t1 *)0 - (t2 *)0)

#define DEFINE_PROP(_name, _state, _field, _prop, _type, ...) {       \
        .name = (_name),                                            \
        .info = &(_prop),                                           \
        .offset = offsetof(_state, _field)                          \
            + qdev_type_check(_type,                                \
                              qdev_typeof_field(_state, _field)),   \
        __VA_ARGS__                                                 \
        }

#define DEFINE_PROP_SIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                 \
                .set_default = true,                                \
                .defval.i = (_type)_defval)

#define DEFINE_PROP_SIGNED_NODEFAULT(_name, _state, _field, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type)

#define DEFINE_PROP_UNSIGNED(_name, _state, _field, _defval, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type,                 \
                .set_default = true,                                \
                .defval.u = (_type)_defval)

#define DEFINE_PROP_UNSIGNED_NODEFAULT(_name, _state, _field, _prop, _type) \
    DEFINE_PROP(_name, _state, _field, _prop, _type)

#define DEFINE_PROP_BIT(_name, _state, _field, _bit, _defval)         \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit, uint32_t,      \
                .bitnr = (_bit),                                    \
                .set_default = true,                                \
                .defval.u = (bool)_defval)

#define DEFINE_PROP_BIT64(_name, _state, _field, _bit, _defval)       \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bit64, uint64_t,    \
                .bitnr = (_bit),                                    \
                .set_default = true,                                \
                .defval.u = (bool)_defval)

#define DEFINE_PROP_BOOL(_name, _state, _field, _defval)              \
    DEFINE_PROP(_name, _state, _field, qdev_prop_bool, bool,         \
                .set_default = true,                                \
                .defval.u = (bool)_defval)

#define DEFINE_PROP_UINT8(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint8, uint8_t)
#define DEFINE_PROP_UINT16(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint16, uint16_t)
#define DEFINE_PROP_UINT32(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint32, uint32_t)
#define DEFINE_PROP_INT32(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int32, int32_t)
#define DEFINE_PROP_UINT64(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_uint64, uint64_t)
#define DEFINE_PROP_INT64(_n, _s, _f, _d) \
    DEFINE_PROP_SIGNED(_n, _s, _f, _d, qdev_prop_int64, int64_t)
#define DEFINE_PROP_SIZE(_n, _s, _f, _d) \
    DEFINE_PROP_UNSIGNED(_n, _s, _f, _d, qdev_prop_size, uint64_t)

/* char * fields, owned by the device (freed at finalize) */
#define DEFINE_PROP_STRING(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_string, char *)
/* backend references by id, kept as strings until a backend layer */
#define DEFINE_PROP_CHR(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_chr, char *)
#define DEFINE_PROP_NETDEV(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_netdev, char *)
#define DEFINE_PROP_DRIVE(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_drive, char *)

/* any 6-byte field (MACAddr or uint8_t[6]); "52:54:00:12:34:56" */
#define DEFINE_PROP_MACADDR(_n, _s, _f) {                               \
        .name = (_n),                                               \
        .info = &qdev_prop_macaddr,                                 \
        .offset = offsetof(_s, _f) +                                \
            0 * sizeof(char[sizeof(qdev_typeof_field(_s, _f)) == 6  \
                            ? 1 : -1]),                             \
        }

/* link<_type> stored as _ptr_type * (strong reference) */
#define DEFINE_PROP_LINK(_name, _state, _field, _type, _ptr_type)     \
    DEFINE_PROP(_name, _state, _field, qdev_prop_link, _ptr_type,    \
                .link_type = (_type))

#define DEFINE_PROP_END_OF_LIST() {}

/* Adds the properties of @props (ending with DEFINE_PROP_END_OF_LIST). */
void device_class_set_props(DeviceClass *dc, Property *props);

/* Setters for board code: abort on error (a bug in the caller). */
void qdev_prop_set_bit(DeviceState *dev, const char *name, bool value);
void qdev_prop_set_uint8(DeviceState *dev, const char *name, uint8_t value);
void qdev_prop_set_uint16(DeviceState *dev, const char *name,
                          uint16_t value);
void qdev_prop_set_uint32(DeviceState *dev, const char *name,
                          uint32_t value);
void qdev_prop_set_int32(DeviceState *dev, const char *name, int32_t value);
void qdev_prop_set_uint64(DeviceState *dev, const char *name,
                          uint64_t value);
void qdev_prop_set_string(DeviceState *dev, const char *name,
                          const char *value);
void qdev_prop_set_chr(DeviceState *dev, const char *name,
                       const char *chardev_id);
void qdev_prop_set_macaddr(DeviceState *dev, const char *name,
                           const uint8_t *value);

#endif
