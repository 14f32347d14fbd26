/*
 * Live migration, destination side: -incoming URI|defer, migrate-incoming,
 * the incoming thread and the "ram" section's load callbacks.
 *
 *   listener accepts --> incoming thread: savevm_load() with the BQL,
 *   which a channel wrapper drops around every read --> verdict to a
 *   socket peer (return path) --> completed, running or paused (-S);
 *   a bad stream: "load of migration failed: <section>: ..." and exit 1.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-migration.h"
#include "qemu/main-loop.h"
#include "system/runstate.h"
#include "system/vl.h"
#include "migration/migration.h"
#include "migration/savevm.h"
#include "migration/migration-int.h"
#include "net/announce.h"
#include "trace/trace-migration.h"

static MigrationIncoming incoming;

MigrationIncoming *migration_incoming_state(void)
{
    return &incoming;
}

bool migration_incoming_set_state(MigrationStatus old,
                                  MigrationStatus new_state)
{
    return migrate_set_state(&incoming.status, old, new_state);
}

MigrationStatus migration_incoming_status(void)
{
    return g_atomic_int_get((gint *)&incoming.status);
}

static bool ram_section_load_setup(QEMUFile *f, void *opaque, Error **errp)
{
    MigrationIncoming *mis = opaque;

    if (!mis->ram) {
        mis->ram = ram_load_new(mis->ram_ops, mis->ram_opaque);
    }
    return true;
}

static bool ram_section_load(QEMUFile *f, void *opaque, int version_id,
                             Error **errp)
{
    MigrationIncoming *mis = opaque;

    return ram_load(mis->ram, f, errp);
}

static void ram_section_load_cleanup(void *opaque)
{
    MigrationIncoming *mis = opaque;

    ram_load_free(mis->ram);
    mis->ram = NULL;
}

const SaveVMHandlers migration_ram_load_handlers = {
    .load_setup = ram_section_load_setup,
    .load_state = ram_section_load,
    .load_cleanup = ram_section_load_cleanup,
};

void migration_incoming_set_ram_ops(const RamLoadOps *ops, void *opaque)
{
    incoming.ram_ops = ops;
    incoming.ram_opaque = opaque;
}

SocketAddressList *migration_incoming_addresses(MigrationIncoming *mis)
{
    MigrationUri u;
    SocketAddress *a;
    SocketAddressList *l = NULL;

    if (!mis->listen_uri || !migration_uri_parse(mis->listen_uri, &u, NULL)) {
        return NULL;
    }
    if (u.type == MIGRATION_URI_TCP) {
        a = g_new0(SocketAddress, 1);
        a->type = SOCKET_ADDRESS_TYPE_INET;
        a->u.inet.host = g_strdup(u.addr.host);
        a->u.inet.port = g_strdup(u.addr.port);
        if (strchr(u.addr.host, ':')) {
            a->u.inet.has_ipv6 = true;
            a->u.inet.ipv6 = true;
        } else {
            a->u.inet.has_ipv4 = true;
            a->u.inet.ipv4 = true;
        }
        QAPI_LIST_PREPEND(l, a);
    } else if (u.type == MIGRATION_URI_UNIX) {
        a = g_new0(SocketAddress, 1);
        a->type = SOCKET_ADDRESS_TYPE_UNIX;
        a->u.q_unix.path = g_strdup(u.addr.path);
        QAPI_LIST_PREPEND(l, a);
    }
    migration_uri_clear(&u);
    return l;
}

/*
 * A channel wrapper that releases the BQL while it reads, so that the
 * incoming thread can hold the BQL for parsing and device loads.
 */
typedef struct QIOChannelUnlocked {
    QIOChannel parent;
    QIOChannel *inner;
} QIOChannelUnlocked;

static ssize_t unlocked_readv(QIOChannel *ioc, const struct iovec *iov,
                              size_t niov, Error **errp)
{
    QIOChannelUnlocked *u = (QIOChannelUnlocked *)ioc;
    bool locked = bql_locked();
    ssize_t n;

    if (locked) {
        bql_unlock();
    }
    n = qio_channel_readv(u->inner, iov, niov, errp);
    if (n == QIO_CHANNEL_ERR_BLOCK) {
        qio_channel_wait(u->inner, G_IO_IN, -1);
    }
    if (locked) {
        bql_lock();
    }
    return n;
}

static bool unlocked_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                              Error **errp)
{
    QIOChannelUnlocked *u = (QIOChannelUnlocked *)ioc;

    return qio_channel_shutdown(u->inner, how, errp);
}

static bool unlocked_close(QIOChannel *ioc, Error **errp)
{
    QIOChannelUnlocked *u = (QIOChannelUnlocked *)ioc;

    return qio_channel_close(u->inner, errp);
}

static bool unlocked_set_blocking(QIOChannel *ioc, bool on, Error **errp)
{
    QIOChannelUnlocked *u = (QIOChannelUnlocked *)ioc;

    return qio_channel_set_blocking(u->inner, on, errp);
}

static int unlocked_poll_fd(QIOChannel *ioc, GIOCondition cond)
{
    return -1;
}

static void unlocked_finalize(QIOChannel *ioc)
{
    QIOChannelUnlocked *u = (QIOChannelUnlocked *)ioc;

    qio_channel_unref(u->inner);
}

static const QIOChannelOps unlocked_ops = {
    .kind = "bql-unlocked",
    .readv = unlocked_readv,
    .set_blocking = unlocked_set_blocking,
    .shutdown = unlocked_shutdown,
    .close = unlocked_close,
    .poll_fd = unlocked_poll_fd,
    .finalize = unlocked_finalize,
};

static QIOChannel *unlocked_channel_new(QIOChannel *inner)
{
    QIOChannelUnlocked *u = g_new0(QIOChannelUnlocked, 1);

    qio_channel_init(QIO_CHANNEL(u), &unlocked_ops);
    u->inner = qio_channel_ref(inner);
    qio_channel_set_blocking(inner, true, NULL);
    u->parent.blocking = true;
    return QIO_CHANNEL(u);
}

/* Tells a socket peer how the load ended (read only with return-path). */
static void send_verdict(MigrationIncoming *mis, bool ok)
{
    uint16_t hdr[2] = { GUINT16_TO_BE(RP_MSG_SHUT),
                        GUINT16_TO_BE(RP_SHUT_LEN) };
    uint32_t status = GUINT32_TO_BE(ok ? 0 : 1);
    uint8_t msg[8];

    if (!mis->ioc || strcmp(qio_channel_kind(mis->ioc), "socket") != 0) {
        return;
    }
    memcpy(msg, hdr, 4);
    memcpy(msg + 4, &status, 4);
    qio_channel_write_all(mis->ioc, msg, sizeof(msg), NULL);
}

/* Drops the stream and the socket; BQL held. */
static void incoming_close(MigrationIncoming *mis)
{
    qemu_fclose(mis->file);
    mis->file = NULL;
    qio_channel_unref(mis->ioc);
    mis->ioc = NULL;
}

static gpointer incoming_thread(gpointer opaque)
{
    MigrationIncoming *mis = opaque;
    const MigrationColoHandlers *colo;
    void *colo_opaque;
    Error *err = NULL;
    bool ok;

    bql_lock();
    mis->colo_requested = 0;
    ok = savevm_load(savevm_registry_default(), mis->file, &err);
    bql_unlock();
    colo = migration_colo_handlers(&colo_opaque);
    if (ok && mis->colo_requested && colo) {
        /* COLO secondary: the stream goes on with checkpoints. */
        colo->secondary(mis->file, mis->ioc, colo_opaque);
        WITH_BQL_LOCK() {
            incoming_close(mis);
        }
        return NULL;
    }
    send_verdict(mis, ok);
    BQL_LOCK_GUARD();
    incoming_close(mis);
    if (!ok) {
        migrate_set_state(&mis->status, MIGRATION_STATUS_ACTIVE,
                          MIGRATION_STATUS_FAILED);
        error_prepend(&err, "load of migration failed: ");
        error_report_err(err);
        qemu_system_exit_request(EXIT_FAILURE);
        return NULL;
    }
    trace_migration_incoming_done();
    migrate_set_state(&mis->status, MIGRATION_STATUS_ACTIVE,
                      MIGRATION_STATUS_COMPLETED);
    if (vl_get_autostart()) {
        vm_start();
    } else {
        runstate_set(RUN_STATE_PAUSED);
    }
    trace_migration_incoming_resumed(runstate_is_running());
    qemu_announce_self_default();
    return NULL;
}

static void incoming_accept(QIOChannel *ioc, void *opaque)
{
    MigrationIncoming *mis = opaque;
    QIOChannel *u = unlocked_channel_new(ioc);

    mis->ioc = ioc;             /* keeps the listener's reference */
    trace_migration_incoming_accept();
    mis->file = qemu_file_new_input(u);
    qio_channel_unref(u);
    migrate_set_state(&mis->status, MIGRATION_STATUS_SETUP,
                      MIGRATION_STATUS_ACTIVE);
    g_thread_unref(g_thread_new("mig/dst", incoming_thread, mis));
}

static bool incoming_listen(MigrationIncoming *mis, const char *uri,
                            Error **errp)
{
    mis->listener = migration_listener_new(uri, NULL, incoming_accept, mis,
                                           errp);
    if (!mis->listener) {
        return false;
    }
    mis->started = true;
    g_free(mis->listen_uri);
    mis->listen_uri = migration_listener_uri(mis->listener);
    migrate_set_state(&mis->status, MIGRATION_STATUS_NONE,
                      MIGRATION_STATUS_SETUP);
    return true;
}

bool migration_incoming_start(const char *uri, Error **errp)
{
    MigrationIncoming *mis = &incoming;

    migration_init();
    if (strcmp(uri, "defer") == 0) {
        mis->deferred = true;
    } else if (!incoming_listen(mis, uri, errp)) {
        return false;
    }
    runstate_set(RUN_STATE_INMIGRATE);
    return true;
}

QMP_COMMAND_IMPLEMENTED(migrate_incoming);

void qmp_migrate_incoming(const char *uri, Error **errp)
{
    MigrationIncoming *mis = &incoming;

    if (!mis->deferred) {
        error_setg(errp, "'-incoming' was not specified on the command "
                   "line");
        return;
    }
    if (mis->started) {
        error_setg(errp, "The incoming migration has already been started");
        return;
    }
    incoming_listen(mis, uri, errp);
}
