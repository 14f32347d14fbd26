/*
 * Internals shared by migration.c and migration-incoming.c.
 */
#ifndef MIGRATION_MIGRATION_INT_H
#define MIGRATION_MIGRATION_INT_H

#include "qapi/qapi-types-migration.h"
#include "migration/register.h"
#include "migration/channel.h"
#include "migration/ram.h"
#include "migration/migration.h"

/* Return path: the destination's verdict, be16 type, be16 len, be32. */
#define RP_MSG_SHUT      1
#define RP_SHUT_LEN      4

typedef struct MigrationIncoming {
    MigrationStatus status;
    bool deferred;
    bool started;
    MigrationListener *listener;
    char *listen_uri;
    QEMUFile *file;
    QIOChannel *ioc;            /* the peer's socket, for the verdict */
    RamLoadState *ram;
    const RamLoadOps *ram_ops;
    void *ram_opaque;
    uint8_t colo_requested;     /* from the stream's "x-colo" section */
} MigrationIncoming;

MigrationIncoming *migration_incoming_state(void);
/* The installed COLO handlers (NULL: none) and their opaque. */
const MigrationColoHandlers *migration_colo_handlers(void **opaque);
/* Load callbacks of the "ram" section (opaque: the incoming state). */
extern const SaveVMHandlers migration_ram_load_handlers;
/* The listening address(es) for query-migrate's socket-address. */
SocketAddressList *migration_incoming_addresses(MigrationIncoming *mis);
/* setup .. device, colo. */
bool migration_status_is_running(MigrationStatus s);

#endif
