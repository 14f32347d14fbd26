/*
 * The abstract "netfilter" type: properties shared by every filter-*,
 * attachment to a netdev's filter list, run-time status changes.
 * See include/net/filter.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-types-common.h"
#include "qapi/qapi-types-qom.h"
#include "qobject/qbool.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "qom/object_interfaces.h"
#include "chardev/char-fe.h"
#include "net/colo-framing.h"
#include "net/filter.h"
#include "trace/trace-net.h"

const char *netfilter_get_id(NetFilterState *nf)
{
    const char *id = object_get_canonical_path_component(OBJECT(nf));

    return id ? id : "";
}

ssize_t qemu_netfilter_receive(NetFilterState *nf,
                               NetFilterDirection direction,
                               NetClientState *sender, unsigned flags,
                               const struct iovec *iov, int iovcnt,
                               NetPacketSent *sent_cb)
{
    if (!nf->on || (nf->direction != NET_FILTER_DIRECTION_ALL &&
                    nf->direction != direction)) {
        return 0;
    }
    return NETFILTER_GET_CLASS(nf)->receive_iov(nf, sender, flags, iov,
                                                iovcnt, sent_cb);
}

bool netfilter_chr_send(CharBackend *be, bool vnet_hdr, int vnet_hdr_len,
                        const struct iovec *iov, int iovcnt)
{
    size_t size = net_iov_size(iov, iovcnt);
    uint8_t hdr[COLO_FRAME_HDR_MAX];
    size_t hlen;
    g_autofree uint8_t *buf = NULL;

    if (size == 0) {
        return true;            /* QEMU sends nothing for empty packets */
    }
    if (size > COLO_FRAME_MAX_LEN) {
        return false;
    }
    hlen = colo_frame_encode_header(hdr, vnet_hdr, size, vnet_hdr_len);
    buf = g_malloc(hlen + size);
    memcpy(buf, hdr, hlen);
    net_iov_to_buf(iov, iovcnt, buf + hlen, size);
    return qemu_chr_fe_write_all(be, buf, hlen + size) ==
           (int)(hlen + size);
}

/* ---- properties ---- */

static char *netfilter_get_netdev(Object *obj, Error **errp)
{
    return g_strdup(NETFILTER(obj)->netdev_id);
}

static void netfilter_set_netdev(Object *obj, const char *str, Error **errp)
{
    NetFilterState *nf = NETFILTER(obj);

    g_free(nf->netdev_id);
    nf->netdev_id = g_strdup(str);
}

static int netfilter_get_direction(Object *obj, Error **errp)
{
    return NETFILTER(obj)->direction;
}

static void netfilter_set_direction(Object *obj, int value, Error **errp)
{
    NETFILTER(obj)->direction = value;
}

static char *netfilter_get_status(Object *obj, Error **errp)
{
    return g_strdup(NETFILTER(obj)->on ? "on" : "off");
}

static void netfilter_set_status(Object *obj, const char *str, Error **errp)
{
    NetFilterState *nf = NETFILTER(obj);
    NetFilterClass *nfc = NETFILTER_GET_CLASS(obj);
    bool on;

    if (strcmp(str, "on") == 0) {
        on = true;
    } else if (strcmp(str, "off") == 0) {
        on = false;
    } else {
        error_setg(errp, "Invalid value for netfilter status, "
                         "should be 'on' or 'off'");
        return;
    }
    if (nf->on == on) {
        return;
    }
    nf->on = on;
    trace_netfilter_status(netfilter_get_id(nf), on);
    if (nf->attached && nfc->status_changed) {
        nfc->status_changed(nf, errp);
    }
}

static char *netfilter_get_position(Object *obj, Error **errp)
{
    return g_strdup(NETFILTER(obj)->position);
}

static void netfilter_set_position(Object *obj, const char *str,
                                   Error **errp)
{
    NetFilterState *nf = NETFILTER(obj);

    g_free(nf->position);
    nf->position = g_strdup(str);
}

static char *netfilter_get_insert(Object *obj, Error **errp)
{
    return g_strdup(NETFILTER(obj)->insert_before ? "before" : "behind");
}

static void netfilter_set_insert(Object *obj, const char *str, Error **errp)
{
    NetFilterState *nf = NETFILTER(obj);

    if (strcmp(str, "before") == 0) {
        nf->insert_before = true;
    } else if (strcmp(str, "behind") == 0) {
        nf->insert_before = false;
    } else {
        error_setg(errp, "Invalid value for netfilter insert, "
                         "should be 'before' or 'behind'");
    }
}

/* ---- attachment ---- */

static NetFilterState *netfilter_find_on(NetClientState *nc, const char *id)
{
    for (GList *l = nc->filters; l; l = l->next) {
        if (strcmp(netfilter_get_id(l->data), id) == 0) {
            return l->data;
        }
    }
    return NULL;
}

/*
 * Where to insert: *@sibling NULL means at the head (@at_head) or tail;
 * else before/after it.
 */
static bool netfilter_resolve_position(NetFilterState *nf,
                                       NetClientState *nc,
                                       NetFilterState **sibling,
                                       bool *at_head, Error **errp)
{
    const char *pos = nf->position ? nf->position : "tail";

    *sibling = NULL;
    *at_head = false;
    if (strcmp(pos, "head") == 0) {
        *at_head = true;
    } else if (strcmp(pos, "tail") == 0) {
        *at_head = false;
    } else if (g_str_has_prefix(pos, "id=")) {
        *sibling = netfilter_find_on(nc, pos + 3);
        if (!*sibling) {
            error_setg(errp, "filter '%s' not found", pos + 3);
            return false;
        }
    } else {
        error_setg(errp, "Invalid parameter position, should be 'head', "
                         "'tail' or 'id=<id>'");
        return false;
    }
    return true;
}

static bool netfilter_complete(UserCreatable *uc, Error **errp)
{
    NetFilterState *nf = NETFILTER(uc);
    NetFilterClass *nfc = NETFILTER_GET_CLASS(uc);
    NetClientState *nc;
    NetFilterState *sibling;
    bool at_head;

    if (!nf->netdev_id) {
        error_setg(errp, "Parameter 'netdev' is missing");
        return false;
    }
    nc = qemu_find_netdev(nf->netdev_id);
    if (!nc) {
        error_setg(errp, "Parameter 'netdev' expects a network backend id");
        return false;
    }
    if (!netfilter_resolve_position(nf, nc, &sibling, &at_head, errp)) {
        return false;
    }
    nf->netdev = nc;
    if (nfc->setup && !nfc->setup(nf, errp)) {
        nf->netdev = NULL;
        return false;
    }
    if (sibling) {
        GList *link = g_list_find(nc->filters, sibling);

        nc->filters = g_list_insert_before(nc->filters,
                                           nf->insert_before ? link :
                                           link->next, nf);
    } else if (at_head) {
        nc->filters = g_list_prepend(nc->filters, nf);
    } else {
        nc->filters = g_list_append(nc->filters, nf);
    }
    nf->attached = true;
    trace_netfilter_attach(netfilter_get_id(nf), nc->name);
    return true;
}

static void netfilter_detach(NetFilterState *nf)
{
    NetFilterClass *nfc = NETFILTER_GET_CLASS(nf);

    if (!nf->attached) {
        return;
    }
    if (nfc->cleanup) {
        nfc->cleanup(nf);
    }
    nf->netdev->filters = g_list_remove(nf->netdev->filters, nf);
    nf->attached = false;
    trace_netfilter_detach(netfilter_get_id(nf));
    nf->netdev = NULL;
}

void netfilter_purge_sender(NetClientState *nc, NetClientState *sender)
{
    for (GList *l = nc->filters; l; l = l->next) {
        NetFilterClass *nfc = NETFILTER_GET_CLASS(l->data);

        if (nfc->purge) {
            nfc->purge(l->data, sender);
        }
    }
}

void netfilter_peer_ready(NetClientState *nc)
{
    for (GList *l = nc->filters; l; l = l->next) {
        NetFilterClass *nfc = NETFILTER_GET_CLASS(l->data);

        if (nfc->peer_ready && NETFILTER(l->data)->on) {
            nfc->peer_ready(l->data);
        }
    }
}

void netfilter_detach_all(NetClientState *nc)
{
    while (nc->filters) {
        NetFilterState *nf = nc->filters->data;

        /* the tree holds the reference; unparent finalizes */
        netfilter_detach(nf);
        object_unparent(OBJECT(nf));
    }
}

/* ---- info network ---- */

static char *netfilter_prop_value(Object *obj, const char *name)
{
    g_autoptr(QObject) v = object_property_get(obj, name, NULL);

    if (!v) {
        return g_strdup("");
    }
    switch (qobject_type(v)) {
    case QTYPE_QSTRING:
        return g_strdup(qstring_get_str(qobject_to(QString, v)));
    case QTYPE_QBOOL:
        return g_strdup(qbool_get_bool(qobject_to(QBool, v)) ?
                        "true" : "false");
    case QTYPE_QNUM:
        return qnum_to_string(qobject_to(QNum, v));
    default:
        return g_strdup("");
    }
}

char *netfilter_info_line(NetFilterState *nf)
{
    Object *obj = OBJECT(nf);
    GString *s = g_string_new(NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    ObjectPropertyIterator iter;
    ObjectProperty *prop;

    /* QEMU prints them in reverse registration order ("type" skipped) */
    object_property_iter_init(&iter, obj);
    while ((prop = object_property_iter_next(&iter))) {
        if (strcmp(prop->name, "type") != 0) {
            g_ptr_array_add(names, prop->name);
        }
    }
    g_string_append_printf(s, "  - %s: type=%s", netfilter_get_id(nf),
                           object_get_typename(obj));
    for (guint i = names->len; i > 0; i--) {
        const char *name = g_ptr_array_index(names, i - 1);
        g_autofree char *value = netfilter_prop_value(obj, name);

        g_string_append_printf(s, ",%s=%s", name, value);
    }
    return g_string_free(s, false);
}

/* ---- type ---- */

static void netfilter_init(Object *obj)
{
    NetFilterState *nf = NETFILTER(obj);

    nf->on = true;
    nf->direction = NET_FILTER_DIRECTION_ALL;
    nf->position = g_strdup("tail");
}

static void netfilter_finalize(Object *obj)
{
    NetFilterState *nf = NETFILTER(obj);

    netfilter_detach(nf);
    g_free(nf->netdev_id);
    g_free(nf->position);
}

static void netfilter_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    /* registration order = qom-list-properties order of QEMU 7.2 */
    object_class_property_add_enum(oc, "queue", "NetFilterDirection",
                                   &NetFilterDirection_lookup,
                                   netfilter_get_direction,
                                   netfilter_set_direction);
    object_class_property_add_str(oc, "netdev", netfilter_get_netdev,
                                  netfilter_set_netdev);
    object_class_property_set_required(oc, "netdev");
    object_class_property_add_str(oc, "insert", netfilter_get_insert,
                                  netfilter_set_insert);
    object_class_property_add_str(oc, "status", netfilter_get_status,
                                  netfilter_set_status);
    object_class_property_add_str(oc, "position", netfilter_get_position,
                                  netfilter_set_position);
    ucc->complete = netfilter_complete;
}

static const TypeInfo netfilter_info = {
    .name = TYPE_NETFILTER,
    .parent = TYPE_OBJECT,
    .abstract = true,
    .class_size = sizeof(NetFilterClass),
    .class_init = netfilter_class_init,
    .instance_size = sizeof(NetFilterState),
    .instance_init = netfilter_init,
    .instance_finalize = netfilter_finalize,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { }
    },
};

/* filter-replay: record/replay is not implemented; it passes packets. */
static ssize_t filter_replay_receive_iov(NetFilterState *nf,
                                         NetClientState *sender,
                                         unsigned flags,
                                         const struct iovec *iov,
                                         int iovcnt, NetPacketSent *sent_cb)
{
    return 0;
}

static void filter_replay_class_init(ObjectClass *oc, void *data)
{
    NETFILTER_CLASS(oc)->receive_iov = filter_replay_receive_iov;
}

static const TypeInfo filter_replay_info = {
    .name = "filter-replay",
    .parent = TYPE_NETFILTER,
    .class_init = filter_replay_class_init,
    .instance_size = sizeof(NetFilterState),
};

static void netfilter_register_types(void)
{
    type_register_static(&netfilter_info);
    type_register_static(&filter_replay_info);
}

type_init(netfilter_register_types);
