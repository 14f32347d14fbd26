/*
 * qdev: the device base type (TYPE_DEVICE) and -device creation.
 *
 * A device is a QOM object with a two-phase life: created and configured
 * through properties (usually a static Property table, see
 * hw/qdev-properties.h), then realized.  After realize its properties are
 * frozen.  Devices live in the composition tree:
 *
 *   /machine/peripheral/ID             -device ...,id=ID
 *   /machine/peripheral-anon/device[N] -device without id
 *   /machine/unattached/device[N]      created by the board, not placed
 *
 * There is no bus model yet: "bus" (and any bus address properties of a
 * later PCI layer) are interpreted by a plug hook that the machine code
 * registers with qdev_set_plug_hook(); it runs just before realize.
 */
#ifndef HW_QDEV_CORE_H
#define HW_QDEV_CORE_H

#include "qom/object.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"

#define TYPE_DEVICE "device"

typedef struct Property Property;
typedef struct BusState BusState;       /* opaque until a bus model */
struct VMStateDescription;

OBJECT_DECLARE_TYPE(DeviceState, DeviceClass, DEVICE)

/* Categories for -device help, in print order. */
typedef enum DeviceCategory {
    DEVICE_CATEGORY_BRIDGE,
    DEVICE_CATEGORY_USB,
    DEVICE_CATEGORY_STORAGE,
    DEVICE_CATEGORY_NETWORK,
    DEVICE_CATEGORY_INPUT,
    DEVICE_CATEGORY_DISPLAY,
    DEVICE_CATEGORY_SOUND,
    DEVICE_CATEGORY_MISC,
    DEVICE_CATEGORY_CPU,
    DEVICE_CATEGORY_WATCHDOG,
    DEVICE_CATEGORY_MAX
} DeviceCategory;

typedef void (*DeviceRealize)(DeviceState *dev, Error **errp);
typedef void (*DeviceUnrealize)(DeviceState *dev);
typedef void (*DeviceReset)(DeviceState *dev);

/**
 * struct DeviceClass:
 * @categories: bit mask of 1 << DeviceCategory
 * @desc: one-line description for -device help
 * @props_: the Property table (set with device_class_set_props)
 * @user_creatable: may be created with -device / device_add (default)
 * @hotpluggable: may be created after machine init (default)
 * @realize: activate; set *errp (and leave nothing behind) on failure
 * @unrealize: undo realize
 * @reset: put the device in its power-on state
 * @vmsd: migratable state (defined by migration/vmstate.h)
 * @bus_type: name of the bus it plugs into, for -device help ("PCI")
 */
struct DeviceClass {
    ObjectClass parent_class;

    uint32_t categories;
    const char *fw_name;
    const char *desc;
    Property *props_;
    bool user_creatable;
    bool hotpluggable;
    DeviceReset reset;
    DeviceRealize realize;
    DeviceUnrealize unrealize;
    const struct VMStateDescription *vmsd;
    const char *bus_type;
};

struct DeviceState {
    Object parent_obj;

    char *id;               /* -device id=, NULL if anonymous */
    char *canonical_path;   /* set on realize */
    bool realized;
    bool hotplugged;
    char *bus_name;         /* "bus" property, for the plug hook */
    BusState *parent_bus;   /* set by a bus model, NULL for now */
};

static inline void device_class_set_category(DeviceClass *dc,
                                             DeviceCategory cat)
{
    dc->categories |= 1u << cat;
}

/* Creates an unrealized device (aborts for an unknown type). */
DeviceState *qdev_new(const char *name);
/* NULL if @name is not a device type. */
DeviceState *qdev_try_new(const char *name);

/**
 * qdev_realize: realize @dev.  If it is not in the tree yet it is put
 * under /machine/unattached as device[N].  @bus must be NULL for now.
 */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* qdev_realize() and drop the caller's reference (the tree keeps one). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
/* Unrealize (if needed) and remove from the tree. */
void qdev_unplug_and_remove(DeviceState *dev);

/* Calls dc->reset of @dev, and of every realized device for _all. */
void device_cold_reset(DeviceState *dev);
void qdev_reset_all_devices(void);

/* "/machine" (container until the machine object replaces it) */
Object *qdev_get_machine(void);
/* "/machine/peripheral", "/machine/peripheral-anon" */
Object *qdev_get_peripheral(void);
Object *qdev_get_peripheral_anon(void);
/* The device /machine/peripheral/ID, or NULL. */
DeviceState *qdev_find_by_id(const char *id);

/**
 * Plug hook: called by qdev_device_add_from_qdict() before realize with
 * the "bus" value (NULL if none) and the full options.  Returns false
 * with @errp set to refuse the device.
 */
typedef bool (*QdevPlugHook)(DeviceState *dev, const char *bus,
                             const QDict *opts, Error **errp);
void qdev_set_plug_hook(QdevPlugHook hook);

/**
 * qdev_device_add_from_qdict: -device / device_add.  @opts holds
 * "driver", optional "id" and "bus", and the device's properties (JSON
 * values or strings).  Errors as QEMU: "Parameter 'driver' is missing",
 * "'X' is not a valid device model name", "Parameter 'driver' expects
 * a pluggable device type", "Duplicate device ID 'X'",
 * "Property 'T.P' not found", or the realize error.
 */
DeviceState *qdev_device_add_from_qdict(const QDict *opts, bool from_json,
                                        Error **errp);

/**
 * qdev_device_add_from_str: -device ARG (JSON or keyval with implied
 * "driver").  For "help" / "DRIVER,help" prints help to stdout and
 * returns false WITHOUT setting @errp.
 */
bool qdev_device_add_from_str(const char *arg, Error **errp);

/**
 * qdev_core_list_properties: device-list-properties as QObjects:
 * [{name, type, description?, default-value?}] without the generic
 * Object/DeviceState properties.  Errors: "Device 'X' not found"
 * (DeviceNotFound), "Parameter 'typename' expects device",
 * "Parameter 'typename' expects non-abstract device type".
 */
QList *qdev_core_list_properties(const char *typename, Error **errp);

/* -device help text (g_free() it). */
char *qdev_device_list_text(void);
/* -device DRIVER,help text; NULL with @errp set for a non-device. */
char *qdev_device_help_text(const char *driver, Error **errp);

/**
 * -global DRIVER.PROP=VALUE (or driver=D,property=P,value=V): default
 * property values applied to every device of that type (or subtype)
 * created afterwards.
 */
bool qdev_add_global_str(const char *arg, Error **errp);
void qdev_add_global(const char *driver, const char *property,
                     const char *value);

#endif
