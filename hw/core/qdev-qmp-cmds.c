/*
 * QMP device-list-properties (qapi/qom.json), over
 * qdev_core_list_properties().
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-qom.h"
#include "hw/qdev-core.h"
#include "qom/qom-introspect.h"

QMP_COMMAND_IMPLEMENTED(device_list_properties);

ObjectPropertyInfoList *qmp_device_list_properties(const char *q_typename,
                                                   Error **errp)
{
    g_autoptr(QList) list = qdev_core_list_properties(q_typename, errp);

    return list ? qom_property_info_list(list) : NULL;
}
