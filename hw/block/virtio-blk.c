/*
 * virtio-blk-pci: see include/hw/virtio/virtio-blk.h for the request
 * and config layouts.
 *
 * Request life cycle:
 *   kick -> pop -> parse/validate --bad--> status IOERR/UNSUPP, push
 *                        |
 *                        +--> blk_aio_* (in s->inflight) --> done:
 *                             status, push, interrupt, leave s->inflight
 * Reads and writes of up to VIRTIO_BLK_INLINE_MAX bytes are first tried
 * inline, in the thread that handles the notify (a vCPU, holding the
 * BQL), with BDRV_REQ_NOWAIT: when the host page cache can answer
 * without sleeping the request completes (used ring, interrupt) before
 * the notify write returns, with no worker wake-up, no bottom half and
 * no BQL hand-over to the main thread.  Otherwise (-EAGAIN, O_DIRECT,
 * a graph other than raw/file, writethrough, a file system without
 * non-blocking buffered writes) it goes to blk_aio_* as before.  Only
 * while the VM runs: a re-issue after a load or anything submitted
 * while stopped (COLO checkpoint, migration) never completes into
 * guest RAM from here.
 *
 * A reset bumps s->generation: completions of older requests only
 * release their buffers.  When the device goes away first, requests
 * are orphaned (req->s = NULL) and free themselves on completion.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "hw/qdev-properties.h"
#include "hw/virtio/virtio-blk.h"
#include "block/file-posix.h"
#include "system/runstate.h"
#include "trace/trace-hw_block.h"

#define BLK_HDR_LEN 16
#define BLK_SEG_LEN 16
#define VIRTIO_BLK_INLINE_MAX (128 * 1024)

typedef struct VirtIOBlockReq {
    VirtQueueElement elem;   /* first: allocated by virtqueue_pop */
    VirtIOBlock *s;          /* NULL once orphaned */
    VirtioMem mem;           /* to release buffers when orphaned */
    uint32_t generation;
    uint32_t type;
    size_t in_len;           /* device-writable bytes before the status */
    QEMUIOVector qiov;
} VirtIOBlockReq;

static VirtIOBlock *vdev_to_blk(VirtIODevice *vdev)
{
    return container_of(vdev, VirtIOBlock, vdev);
}

/* ---- config ---- */

static void put32(uint8_t *p, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(p, &v, 4);
}

static void virtio_blk_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOBlock *s = vdev_to_blk(vdev);
    uint64_t cap = GUINT64_TO_LE(s->capacity);
    uint16_t nq = GUINT16_TO_LE(1);

    memset(config, 0, VIRTIO_BLK_CONFIG_LEN);
    memcpy(config, &cap, 8);
    put32(config + 12, VIRTIO_BLK_QUEUE_SIZE - 2);     /* seg_max */
    put32(config + 20, VIRTIO_BLK_SECTOR_SIZE);        /* blk_size */
    memcpy(config + 34, &nq, 2);
    put32(config + 36, VIRTIO_BLK_MAX_DISCARD);
    put32(config + 40, 1);
    put32(config + 44, 1);
    put32(config + 48, VIRTIO_BLK_MAX_DISCARD);
    put32(config + 52, 1);
    config[56] = 1;                                   /* may unmap */
}

/* ---- completion ---- */

static void req_free(VirtIOBlockReq *req, size_t written)
{
    qemu_iovec_destroy(&req->qiov);
    virtqueue_element_release(&req->mem, &req->elem, written);
}

static void req_complete(VirtIOBlockReq *req, uint8_t status, size_t len)
{
    VirtIOBlock *s = req->s;
    size_t in_total = iov_size(req->elem.in_sg, req->elem.in_num);

    if (!s || req->generation != s->generation) {
        req_free(req, 0);
        return;
    }
    s->inflight = g_list_remove(s->inflight, req);
    iov_from_buf(req->elem.in_sg, req->elem.in_num, in_total - 1, &status,
                 1);
    virtqueue_fill(s->vq, &req->elem, len + 1, 0);
    virtqueue_flush(s->vq, 1);
    req_free(req, in_total);
    virtio_notify(&s->vdev, s->vq);
}

static void virtio_blk_aio_done(void *opaque, int ret)
{
    VirtIOBlockReq *req = opaque;
    size_t len = 0;

    if (ret == 0 && req->type == VIRTIO_BLK_T_IN) {
        len = req->in_len;
    }
    req_complete(req, ret < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK, len);
}

/* ---- request parsing ---- */

/* Add bytes [@off, @off + @len) of @iov to @qiov. */
static void qiov_add_range(QEMUIOVector *qiov, const struct iovec *iov,
                           unsigned int cnt, size_t off, size_t len)
{
    unsigned int i;

    for (i = 0; i < cnt && len; i++) {
        size_t n;

        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - off, len);
        qemu_iovec_add(qiov, (uint8_t *)iov[i].iov_base + off, n);
        len -= n;
        off = 0;
    }
}

static bool range_ok(VirtIOBlock *s, uint64_t sector, uint64_t nsect)
{
    return sector <= s->capacity && nsect <= s->capacity - sector;
}

static bool inline_usable(VirtIOBlock *s, bool is_write, size_t len)
{
    if (len > VIRTIO_BLK_INLINE_MAX || !runstate_is_running()) {
        return false;
    }
    if (is_write && !blk_enable_write_cache(s->blk)) {
        return false;               /* FUA: the flush would block */
    }
    return bdrv_file_nowait_usable(blk_bs(s->blk), is_write);
}

/*
 * Try @req from the page cache in this thread; true if it completed.
 * On false nothing was completed and @req->qiov is unchanged.
 */
static bool submit_rw_inline(VirtIOBlock *s, VirtIOBlockReq *req,
                             int64_t offset, bool is_write)
{
    int ret;

    if (!inline_usable(s, is_write, req->qiov.size)) {
        return false;
    }
    ret = is_write
        ? blk_pwritev(s->blk, offset, req->qiov.size, &req->qiov,
                      BDRV_REQ_NOWAIT)
        : blk_preadv(s->blk, offset, req->qiov.size, &req->qiov,
                     BDRV_REQ_NOWAIT);
    trace_virtio_blk_inline(offset, req->qiov.size, is_write, ret);
    if (ret == -EAGAIN) {
        s->inline_fallbacks++;
        return false;
    }
    s->inline_completions++;
    virtio_blk_aio_done(req, ret);
    return true;
}

static void submit_rw(VirtIOBlock *s, VirtIOBlockReq *req, uint64_t sector)
{
    bool is_write = req->type == VIRTIO_BLK_T_OUT;
    size_t out_total = iov_size(req->elem.out_sg, req->elem.out_num);
    size_t len = is_write ? out_total - BLK_HDR_LEN : req->in_len;

    if (len % VIRTIO_BLK_SECTOR_SIZE ||
        !range_ok(s, sector, len / VIRTIO_BLK_SECTOR_SIZE) ||
        (is_write && s->read_only)) {
        req_complete(req, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    if (is_write) {
        qiov_add_range(&req->qiov, req->elem.out_sg, req->elem.out_num,
                       BLK_HDR_LEN, len);
    } else {
        qiov_add_range(&req->qiov, req->elem.in_sg, req->elem.in_num, 0,
                       len);
    }
    if (submit_rw_inline(s, req, sector * VIRTIO_BLK_SECTOR_SIZE,
                         is_write)) {
        return;
    }
    if (is_write) {
        blk_aio_pwritev(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, &req->qiov,
                        0, virtio_blk_aio_done, req);
    } else {
        blk_aio_preadv(s->blk, sector * VIRTIO_BLK_SECTOR_SIZE, &req->qiov,
                       0, virtio_blk_aio_done, req);
    }
}

static void submit_discard(VirtIOBlock *s, VirtIOBlockReq *req)
{
    size_t out_total = iov_size(req->elem.out_sg, req->elem.out_num);
    uint8_t seg[BLK_SEG_LEN];
    uint64_t sector;
    uint32_t nsect, flags;
    bool wz = req->type == VIRTIO_BLK_T_WRITE_ZEROES;
    int64_t off, bytes;

    if ((wz ? !s->write_zeroes : !s->discard)) {
        req_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    if (out_total != BLK_HDR_LEN + BLK_SEG_LEN) {
        req_complete(req, VIRTIO_BLK_S_UNSUPP, 0);   /* max_seg is 1 */
        return;
    }
    iov_to_buf(req->elem.out_sg, req->elem.out_num, BLK_HDR_LEN, seg,
               sizeof(seg));
    memcpy(&sector, seg, 8);
    memcpy(&nsect, seg + 8, 4);
    memcpy(&flags, seg + 12, 4);
    sector = GUINT64_FROM_LE(sector);
    nsect = GUINT32_FROM_LE(nsect);
    flags = GUINT32_FROM_LE(flags);
    if (flags & ~1u || (!wz && flags)) {
        req_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        return;
    }
    if (nsect > VIRTIO_BLK_MAX_DISCARD || !range_ok(s, sector, nsect) ||
        s->read_only) {
        req_complete(req, VIRTIO_BLK_S_IOERR, 0);
        return;
    }
    off = sector * VIRTIO_BLK_SECTOR_SIZE;
    bytes = (int64_t)nsect * VIRTIO_BLK_SECTOR_SIZE;
    if (wz) {
        blk_aio_pwrite_zeroes(s->blk, off, bytes,
                              (flags & 1) ? BDRV_REQ_MAY_UNMAP : 0,
                              virtio_blk_aio_done, req);
    } else {
        blk_aio_pdiscard(s->blk, off, bytes, virtio_blk_aio_done, req);
    }
}

static void submit_get_id(VirtIOBlock *s, VirtIOBlockReq *req)
{
    uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
    size_t n = MIN(req->in_len, VIRTIO_BLK_ID_BYTES);

    if (s->serial) {
        memcpy(id, s->serial, MIN(strlen(s->serial), sizeof(id)));
    }
    iov_from_buf(req->elem.in_sg, req->elem.in_num, 0, id, n);
    req_complete(req, VIRTIO_BLK_S_OK, n);
}

/* Start @req (new, or re-issued after a load). */
static void virtio_blk_submit(VirtIOBlock *s, VirtIOBlockReq *req)
{
    size_t out_total = iov_size(req->elem.out_sg, req->elem.out_num);
    size_t in_total = iov_size(req->elem.in_sg, req->elem.in_num);
    uint8_t hdr[BLK_HDR_LEN];
    uint64_t sector;

    req->s = s;
    req->mem = s->vdev.mem;
    req->generation = s->generation;
    qemu_iovec_init(&req->qiov, req->elem.in_num + req->elem.out_num);
    if (out_total < BLK_HDR_LEN || in_total < 1) {
        virtio_error(&s->vdev, "virtio-blk request without header/status");
        req_free(req, 0);
        return;
    }
    s->inflight = g_list_append(s->inflight, req);
    iov_to_buf(req->elem.out_sg, req->elem.out_num, 0, hdr, sizeof(hdr));
    memcpy(&req->type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    req->type = GUINT32_FROM_LE(req->type);
    sector = GUINT64_FROM_LE(sector);
    req->in_len = in_total - 1;

    switch (req->type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        submit_rw(s, req, sector);
        break;
    case VIRTIO_BLK_T_FLUSH:
        blk_aio_flush(s->blk, virtio_blk_aio_done, req);
        break;
    case VIRTIO_BLK_T_GET_ID:
        submit_get_id(s, req);
        break;
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        submit_discard(s, req);
        break;
    default:
        req_complete(req, VIRTIO_BLK_S_UNSUPP, 0);
        break;
    }
}

static void virtio_blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = vdev_to_blk(vdev);
    VirtIOBlockReq *req;

    while ((req = virtio_pop(vdev, vq, sizeof(VirtIOBlockReq)))) {
        virtio_blk_submit(s, req);
    }
}

/* ---- life cycle ---- */

static void virtio_blk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = vdev_to_blk(vdev);

    /* completions still to come only release their buffers */
    s->generation++;
    g_list_free(s->inflight);
    s->inflight = NULL;
    s->inflight_count = 0;
}

static const VirtioDeviceOps virtio_blk_ops = {
    .get_config = virtio_blk_get_config,
    .reset = virtio_blk_reset,
};

/* block_resize: new capacity, config interrupt (the guest re-reads). */
static void virtio_blk_resize(void *opaque)
{
    VirtIOBlock *s = opaque;
    int64_t len = blk_getlength(s->blk);

    s->capacity = len > 0 ? len / VIRTIO_BLK_SECTOR_SIZE : 0;
    virtio_notify_config(&s->vdev);
}

static const BlockDevOps virtio_blk_dev_ops = {
    .resize_cb = virtio_blk_resize,
};

static void virtio_blk_restart_bh(void *opaque)
{
    virtio_blk_restart(opaque);
}

void virtio_blk_setup(VirtIOBlock *s, BlockBackend *blk)
{
    int64_t len = blk_getlength(blk);

    s->blk = blk;
    s->read_only = blk_is_read_only(blk);
    s->capacity = len > 0 ? len / VIRTIO_BLK_SECTOR_SIZE : 0;
    virtio_init(&s->vdev, "virtio-blk", VIRTIO_ID_BLOCK, &virtio_blk_ops,
                VIRTIO_BLK_CONFIG_LEN);
    s->vq = virtio_add_queue(&s->vdev, VIRTIO_BLK_QUEUE_SIZE,
                             virtio_blk_handle_output);
    s->vdev.host_features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
                            (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
                            (1ULL << VIRTIO_BLK_F_FLUSH);
    if (s->read_only) {
        s->vdev.host_features |= 1ULL << VIRTIO_BLK_F_RO;
    }
    if (s->discard) {
        s->vdev.host_features |= 1ULL << VIRTIO_BLK_F_DISCARD;
    }
    if (s->write_zeroes) {
        s->vdev.host_features |= 1ULL << VIRTIO_BLK_F_WRITE_ZEROES;
    }
    s->restart_bh = qemu_bh_new(virtio_blk_restart_bh, s);
    blk_set_dev_ops(blk, &virtio_blk_dev_ops, s);
}

void virtio_blk_cleanup(VirtIOBlock *s)
{
    GList *l;

    if (s->blk) {
        blk_set_dev_ops(s->blk, NULL, NULL);
        blk_drain(s->blk);
    }
    for (l = s->inflight; l; l = l->next) {
        ((VirtIOBlockReq *)l->data)->s = NULL;
    }
    g_list_free(s->inflight);
    s->inflight = NULL;
    if (s->restart_bh) {
        qemu_bh_delete(s->restart_bh);
        s->restart_bh = NULL;
    }
    virtio_cleanup(&s->vdev);
}

void virtio_blk_restart(VirtIOBlock *s)
{
    uint32_t i, n = s->inflight_count;

    s->inflight_count = 0;
    for (i = 0; i < n; i++) {
        VirtIOBlockReq *req = virtqueue_map_head(s->vq, s->inflight_heads[i],
                                                 sizeof(VirtIOBlockReq));

        if (!req) {
            virtio_error(&s->vdev, "in-flight request no longer valid");
            return;
        }
        virtio_blk_submit(s, req);
    }
}

/* ---- migration ---- */

static int virtio_blk_pre_save(void *opaque)
{
    VirtIOBlock *s = opaque;
    GList *l;

    s->inflight_count = 0;
    for (l = s->inflight; l; l = l->next) {
        VirtIOBlockReq *req = l->data;

        if (s->inflight_count < VIRTIO_BLK_QUEUE_SIZE) {
            s->inflight_heads[s->inflight_count++] = req->elem.index;
        }
    }
    return 0;
}

/*
 * The loaded state replaces whatever this device was doing (a COLO
 * secondary loads over a running device): requests still in flight
 * here complete without touching the ring.
 */
static int virtio_blk_pre_load(void *opaque)
{
    VirtIOBlock *s = opaque;

    if (s->blk) {
        blk_drain(s->blk);   /* no DMA into RAM after this point */
    }
    s->generation++;
    g_list_free(s->inflight);
    s->inflight = NULL;
    return 0;
}

static int virtio_blk_post_load(void *opaque, int version_id)
{
    VirtIOBlock *s = opaque;

    if (s->inflight_count > VIRTIO_BLK_QUEUE_SIZE ||
        s->inflight_count > s->vq->inuse) {
        return -EINVAL;
    }
    if (s->inflight_count && s->restart_bh) {
        qemu_bh_schedule(s->restart_bh);
    }
    return 0;
}

const VMStateDescription vmstate_virtio_blk = {
    .name = "virtio-blk",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save = virtio_blk_pre_save,
    .pre_load = virtio_blk_pre_load,
    .post_load = virtio_blk_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(vdev, VirtIOBlock, 1, vmstate_virtio_device,
                       VirtIODevice),
        VMSTATE_UINT32(inflight_count, VirtIOBlock),
        VMSTATE_UINT16_ARRAY(inflight_heads, VirtIOBlock,
                             VIRTIO_BLK_QUEUE_SIZE),
        VMSTATE_END_OF_LIST()
    },
};

static int virtio_blk_pci_post_load(void *opaque, int version_id)
{
    VirtIOBlkPCI *d = opaque;

    virtio_pci_post_load(&d->parent_obj);
    return 0;
}

const VMStateDescription vmstate_virtio_blk_pci = {
    .name = "virtio-blk-pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .post_load = virtio_blk_pci_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_STRUCT(parent_obj, VirtIOBlkPCI, 1, vmstate_virtio_pci_proxy,
                       VirtIOPCIProxy),
        VMSTATE_STRUCT(blk, VirtIOBlkPCI, 1, vmstate_virtio_blk,
                       VirtIOBlock),
        VMSTATE_END_OF_LIST()
    },
};

/* ---- the PCI device ---- */

static BlockBackend *find_backend(VirtIOBlock *s, Error **errp)
{
    BlockBackend *blk = blk_by_name(s->drive);
    BlockDriverState *bs;

    if (blk) {
        return blk;
    }
    bs = bdrv_find_node(s->drive);
    if (!bs) {
        error_setg(errp, "Property 'virtio-blk-pci.drive' can't find value "
                   "'%s'", s->drive);
        return NULL;
    }
    blk = blk_new(NULL, errp);
    if (!blk) {
        return NULL;
    }
    if (!blk_insert_bs(blk, bs, errp)) {
        blk_unref(blk);
        return NULL;
    }
    s->blk_owned = true;
    return blk;
}

static void virtio_blk_pci_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIOBlock *s = &VIRTIO_BLK_PCI(proxy)->blk;
    DeviceState *dev = DEVICE(proxy);
    BlockBackend *blk;

    if (!s->drive) {
        error_setg(errp, "drive property not set");
        return;
    }
    blk = find_backend(s, errp);
    if (!blk) {
        return;
    }
    if (!blk_is_inserted(blk)) {
        error_setg(errp, "Device needs media, but drive is empty");
        goto out_unref;
    }
    if (!blk_attach_dev(blk, dev->id ? dev->id : TYPE_VIRTIO_BLK_PCI,
                        errp)) {
        goto out_unref;
    }
    virtio_blk_setup(s, blk);
    return;

out_unref:
    if (s->blk_owned) {
        blk_unref(blk);
        s->blk_owned = false;
    }
}

static void virtio_blk_pci_exit(VirtIOPCIProxy *proxy)
{
    VirtIOBlock *s = &VIRTIO_BLK_PCI(proxy)->blk;

    virtio_blk_cleanup(s);
    if (s->blk) {
        blk_detach_dev(s->blk);
        if (s->blk_owned) {
            blk_unref(s->blk);
        }
        s->blk = NULL;
    }
}

static void virtio_blk_pci_instance_init(Object *obj)
{
    VirtIOBlkPCI *d = VIRTIO_BLK_PCI(obj);

    d->parent_obj.vdev = &d->blk.vdev;
}

static Property virtio_blk_pci_props[] = {
    DEFINE_PROP_DRIVE("drive", VirtIOBlkPCI, blk.drive),
    DEFINE_PROP_STRING("serial", VirtIOBlkPCI, blk.serial),
    DEFINE_PROP_BOOL("discard", VirtIOBlkPCI, blk.discard, true),
    DEFINE_PROP_BOOL("write-zeroes", VirtIOBlkPCI, blk.write_zeroes, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void virtio_blk_pci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    VirtioPCIClass *vpc = VIRTIO_PCI_CLASS(oc);

    pc->device_id = VIRTIO_PCI_DEVICE_ID_BASE + VIRTIO_ID_BLOCK;
    pc->class_id = 0x0100;   /* SCSI storage controller, as QEMU */
    vpc->realize = virtio_blk_pci_realize;
    vpc->exit = virtio_blk_pci_exit;
    vpc->vectors = 2;        /* config, request queue */
    dc->desc = "virtio-blk-pci";
    dc->vmsd = &vmstate_virtio_blk_pci;
    device_class_set_category(dc, DEVICE_CATEGORY_STORAGE);
    device_class_set_props(dc, virtio_blk_pci_props);
}

static const TypeInfo virtio_blk_pci_info = {
    .name = TYPE_VIRTIO_BLK_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOBlkPCI),
    .instance_init = virtio_blk_pci_instance_init,
    .class_init = virtio_blk_pci_class_init,
};

static void virtio_blk_pci_register_types(void)
{
    type_register_static(&virtio_blk_pci_info);
}

type_init(virtio_blk_pci_register_types);
