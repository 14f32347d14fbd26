/*
 * filter-dump: writes every packet of its direction to a pcap file
 * (classic format, host byte order, link type Ethernet, snaplen
 * @maxlen); the vnet header, if any, is not written.  Packets pass on.
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include "qapi/error.h"
#include "qemu/timer.h"
#include "net/filter.h"

#define TYPE_FILTER_DUMP "filter-dump"
OBJECT_DECLARE_SIMPLE_TYPE(FilterDumpState, FILTER_DUMP)

struct FilterDumpState {
    NetFilterState parent_obj;

    char *filename;
    uint32_t maxlen;
    int fd;
};

typedef struct PcapFileHdr {
    uint32_t magic;
    uint16_t version_major;
    uint16_t version_minor;
    int32_t thiszone;
    uint32_t sigfigs;
    uint32_t snaplen;
    uint32_t linktype;
} PcapFileHdr;

typedef struct PcapRecHdr {
    uint32_t ts_sec;
    uint32_t ts_usec;
    uint32_t caplen;
    uint32_t len;
} PcapRecHdr;

static ssize_t filter_dump_receive_iov(NetFilterState *nf,
                                       NetClientState *sender,
                                       unsigned flags,
                                       const struct iovec *iov, int iovcnt,
                                       NetPacketSent *sent_cb)
{
    FilterDumpState *s = FILTER_DUMP(nf);
    size_t size = net_iov_size(iov, iovcnt);
    size_t skip = nf->netdev ? nf->netdev->vnet_hdr_len : 0;
    g_autofree uint8_t *buf = NULL;
    int64_t ts = qemu_clock_get_us(QEMU_CLOCK_HOST);
    PcapRecHdr rec;
    size_t caplen;

    if (s->fd < 0 || size < skip) {
        return 0;
    }
    buf = g_malloc(size ? size : 1);
    net_iov_to_buf(iov, iovcnt, buf, size);
    size -= skip;
    caplen = MIN(size, s->maxlen);
    rec.ts_sec = ts / 1000000;
    rec.ts_usec = ts % 1000000;
    rec.caplen = caplen;
    rec.len = size;
    if (write(s->fd, &rec, sizeof(rec)) != sizeof(rec) ||
        write(s->fd, buf + skip, caplen) != (ssize_t)caplen) {
        error_report("network dump write error - stopping dump");
        close(s->fd);
        s->fd = -1;
    }
    return 0;
}

static bool filter_dump_setup(NetFilterState *nf, Error **errp)
{
    FilterDumpState *s = FILTER_DUMP(nf);
    PcapFileHdr hdr = {
        .magic = 0xa1b2c3d4, .version_major = 2, .version_minor = 4,
        .snaplen = s->maxlen, .linktype = 1,
    };

    if (!s->filename) {
        error_setg(errp, "Parameter 'file' is missing");
        return false;
    }
    s->fd = open(s->filename, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC,
                 0644);
    if (s->fd < 0) {
        error_setg_errno(errp, errno, "net dump: can't open %s",
                         s->filename);
        return false;
    }
    if (write(s->fd, &hdr, sizeof(hdr)) != sizeof(hdr)) {
        error_setg_errno(errp, errno, "net dump write error");
        close(s->fd);
        s->fd = -1;
        return false;
    }
    return true;
}

static void filter_dump_cleanup(NetFilterState *nf)
{
    FilterDumpState *s = FILTER_DUMP(nf);

    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static char *filter_dump_get_file(Object *obj, Error **errp)
{
    return g_strdup(FILTER_DUMP(obj)->filename);
}

static void filter_dump_set_file(Object *obj, const char *v, Error **errp)
{
    FilterDumpState *s = FILTER_DUMP(obj);

    g_free(s->filename);
    s->filename = g_strdup(v);
}

static void filter_dump_init(Object *obj)
{
    FilterDumpState *s = FILTER_DUMP(obj);

    s->maxlen = 65536;
    s->fd = -1;
}

static void filter_dump_finalize(Object *obj)
{
    filter_dump_cleanup(NETFILTER(obj));
    g_free(FILTER_DUMP(obj)->filename);
}

static void filter_dump_class_init(ObjectClass *oc, void *data)
{
    NetFilterClass *nfc = NETFILTER_CLASS(oc);

    object_class_property_add_uint32_ptr(oc, "maxlen",
                                         offsetof(FilterDumpState, maxlen),
                                         OBJ_PROP_FLAG_READWRITE);
    object_class_property_add_str(oc, "file", filter_dump_get_file,
                                  filter_dump_set_file);
    object_class_property_set_required(oc, "file");
    nfc->setup = filter_dump_setup;
    nfc->cleanup = filter_dump_cleanup;
    nfc->receive_iov = filter_dump_receive_iov;
}

static const TypeInfo filter_dump_info = {
    .name = TYPE_FILTER_DUMP,
    .parent = TYPE_NETFILTER,
    .class_init = filter_dump_class_init,
    .instance_size = sizeof(FilterDumpState),
    .instance_init = filter_dump_init,
    .instance_finalize = filter_dump_finalize,
};

static void filter_dump_register_types(void)
{
    type_register_static(&filter_dump_info);
}

type_init(filter_dump_register_types);
