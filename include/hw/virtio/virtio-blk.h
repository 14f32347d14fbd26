/*
 * virtio-blk (VIRTIO 1.1 section 5.2) on the PCI transport:
 * "virtio-blk-pci", drive=ID (a -drive id or a -blockdev node name).
 *
 * One request queue.  A request is one chain:
 *   out: le32 type; le32 reserved; le64 sector      (16-byte header)
 *        [OUT: data] [DISCARD/WRITE_ZEROES: one 16-byte segment
 *                     le64 sector; le32 num_sectors; le32 flags]
 *   in:  [IN: data] [GET_ID: 20-byte serial]  u8 status (last byte)
 * Status: 0 OK, 1 IOERR, 2 UNSUPP.  Sectors are 512 bytes.
 *
 * Config (60 bytes): le64 capacity @0, le32 size_max @8, le32 seg_max
 * @12, geometry @16, le32 blk_size @20, topology @24..31, u8 writeback
 * @32, le16 num_queues @34, le32 max_discard_sectors @36,
 * max_discard_seg @40, discard_sector_alignment @44,
 * max_write_zeroes_sectors @48, max_write_zeroes_seg @52,
 * u8 write_zeroes_may_unmap @56.
 *
 * Requests run asynchronously through the BlockBackend; completion
 * writes the status, pushes the used ring and interrupts.  A request
 * outside the disk, or with a length that is not a multiple of 512,
 * completes with IOERR; a chain without room for the header or status
 * breaks the device (DEVICE_NEEDS_RESET).  A resize of the drive
 * (block_resize) updates the capacity with a config interrupt.
 * In-flight requests are migrated as their head indexes and re-issued
 * on the destination.
 */
#ifndef HW_VIRTIO_VIRTIO_BLK_H
#define HW_VIRTIO_VIRTIO_BLK_H

#include "hw/virtio/virtio-pci.h"
#include "system/block-backend.h"

#define TYPE_VIRTIO_BLK_PCI "virtio-blk-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOBlkPCI, VIRTIO_BLK_PCI)

#define VIRTIO_BLK_F_SIZE_MAX       1
#define VIRTIO_BLK_F_SEG_MAX        2
#define VIRTIO_BLK_F_RO             5
#define VIRTIO_BLK_F_BLK_SIZE       6
#define VIRTIO_BLK_F_FLUSH          9
#define VIRTIO_BLK_F_DISCARD        13
#define VIRTIO_BLK_F_WRITE_ZEROES   14

#define VIRTIO_BLK_T_IN             0
#define VIRTIO_BLK_T_OUT            1
#define VIRTIO_BLK_T_FLUSH          4
#define VIRTIO_BLK_T_GET_ID         8
#define VIRTIO_BLK_T_DISCARD        11
#define VIRTIO_BLK_T_WRITE_ZEROES   13

#define VIRTIO_BLK_S_OK             0
#define VIRTIO_BLK_S_IOERR          1
#define VIRTIO_BLK_S_UNSUPP         2

#define VIRTIO_BLK_ID_BYTES         20
#define VIRTIO_BLK_CONFIG_LEN       60
#define VIRTIO_BLK_QUEUE_SIZE       256
#define VIRTIO_BLK_SECTOR_SIZE      512
#define VIRTIO_BLK_MAX_DISCARD      (32768 * 8)   /* sectors (128 MiB) */

typedef struct VirtIOBlock {
    VirtIODevice vdev;
    VirtQueue *vq;
    BlockBackend *blk;
    bool blk_owned;          /* anonymous backend we created for a node */
    char *drive;             /* property "drive" */
    char *serial;            /* property "serial" */
    bool discard;            /* property "discard" */
    bool write_zeroes;       /* property "write-zeroes" */
    bool read_only;
    uint64_t capacity;       /* sectors */
    uint32_t generation;     /* bumped by reset: stale completions */
    GList *inflight;         /* VirtIOBlockReq *, submission order */
    QEMUBH *restart_bh;      /* re-issue requests after a load */
    uint64_t inline_completions;  /* completed in the notify (not state) */
    uint64_t inline_fallbacks;    /* tried inline, went to the pool */

    /* migration: heads of in-flight requests */
    uint32_t inflight_count;
    uint16_t inflight_heads[VIRTIO_BLK_QUEUE_SIZE];
} VirtIOBlock;

struct VirtIOBlkPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOBlock blk;
};

/**
 * virtio_blk_setup: the PCI-independent core on backend @blk (tests use
 * it directly): queue, features, config.
 */
void virtio_blk_setup(VirtIOBlock *s, BlockBackend *blk);
/** virtio_blk_cleanup: drain and forget requests, free the core. */
void virtio_blk_cleanup(VirtIOBlock *s);
/** virtio_blk_restart: re-issue the requests recorded by a load. */
void virtio_blk_restart(VirtIOBlock *s);

extern const VMStateDescription vmstate_virtio_blk_pci;
/** vmstate_virtio_blk: the core alone (embedded by the PCI device). */
extern const VMStateDescription vmstate_virtio_blk;

#endif
