/*
 * Command-line and monitor glue of the block layer: -drive, -blockdev,
 * drive_add, drive_del (block/blockdev.c), and the drives recorded for
 * the machine to create devices for (if=ide, if=virtio).
 */
#ifndef BLOCK_BLOCKDEV_H
#define BLOCK_BLOCKDEV_H

#include "system/block-backend.h"

typedef enum BlockInterfaceType {
    IF_NONE,
    IF_IDE,
    IF_VIRTIO,
    IF_SCSI,
    IF_FLOPPY,
    IF_PFLASH,
    IF_SD,
    IF_COUNT,
} BlockInterfaceType;

typedef struct DriveInfo {
    BlockInterfaceType type;
    int bus;
    int unit;
    bool is_cdrom;          /* media=cdrom */
    char *id;
    BlockBackend *blk;
    char *serial;
    char *addr;             /* if=virtio: PCI address (addr=) */
} DriveInfo;

/**
 * drive_add_from_str: the argument of -drive (and of HMP drive_add):
 * create the BlockBackend and its nodes, and record the drive.
 * Returns: the new drive, or NULL.
 */
DriveInfo *drive_new_from_str(const char *optarg, Error **errp);
bool drive_add_from_str(const char *optarg, Error **errp);

/**
 * blockdev_add_from_str: the argument of -blockdev (keyval or JSON):
 * create a monitor-owned node.
 */
bool blockdev_add_from_str(const char *optarg, Error **errp);

/**
 * drive_add_node_from_str: HMP "drive_add -n": a monitor-owned node
 * from -drive style options (node-name required).
 */
bool drive_add_node_from_str(const char *optarg, Error **errp);

/**
 * drive_del: HMP drive_del: remove the drive's medium; if no device
 * uses it, delete the BlockBackend.
 */
bool drive_del(const char *id, Error **errp);

/**
 * drive_get_list: the recorded drives, in command-line order
 * (DriveInfo *; owned by the block layer).
 */
GList *drive_get_list(void);

/** drive_get: drive of @type at @bus/@unit, or NULL */
DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);

/** blockdev_close_all: at exit: drop all drives and monitor nodes */
void blockdev_close_all(void);

/** block_info_text: the text of HMP "info block" (free it) */
char *block_info_text(const char *device, bool nodes);

#endif
