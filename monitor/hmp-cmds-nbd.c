/*
 * HMP commands of the NBD server: nbd_server_start, nbd_server_add,
 * nbd_server_remove, nbd_server_stop.  Registered from a constructor
 * (monitor/monitor-internal.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "monitor/monitor-internal.h"
#include "block/nbd.h"
#include "io/channel-socket.h"
#include "system/block-backend.h"

/* Leading "-x" flags of @argv; returns the index of the first other. */
static int hmp_nbd_flags(int argc, char **argv, const char *allowed,
                         bool *set)
{
    int i;

    for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] &&
         !argv[i][2]; i++) {
        const char *p = strchr(allowed, argv[i][1]);

        if (!p) {
            return -1;
        }
        set[p - allowed] = true;
    }
    return i;
}

/* nbd_server_start [-a] [-w] host:port */
static void hmp_nbd_server_start(Monitor *mon, int argc, char **argv)
{
    bool f[2] = { false, false };   /* -a, -w */
    int i = hmp_nbd_flags(argc, argv, "aw", f);
    IOSocketAddress addr = { 0 };
    Error *err = NULL;
    BlockBackend *blk;

    if (i < 0 || i != argc - 1) {
        monitor_printf(mon, "nbd_server_start: invalid arguments\n");
        return;
    }
    if (!io_socket_address_parse_inet(argv[i], &addr, &err) ||
        !nbd_qmp_server_start(&addr, 0, &err)) {
        io_socket_address_clear(&addr);
        hmp_handle_error(mon, err);
        return;
    }
    io_socket_address_clear(&addr);
    if (!f[0]) {
        return;
    }
    /* -a: export every drive with a medium */
    for (blk = blk_next(NULL); blk; blk = blk_next(blk)) {
        if (blk_bs(blk) &&
            !nbd_qmp_export_add(NULL, blk_name(blk), NULL, NULL, f[1],
                                &err)) {
            hmp_handle_error(mon, err);
            err = NULL;
            nbd_qmp_server_stop(NULL);
            return;
        }
    }
}

/* nbd_server_add [-w] device [name] */
static void hmp_nbd_server_add(Monitor *mon, int argc, char **argv)
{
    bool w = false;
    int i = hmp_nbd_flags(argc, argv, "w", &w);
    Error *err = NULL;

    if (i < 0 || argc - i < 1 || argc - i > 2) {
        monitor_printf(mon, "nbd_server_add: invalid arguments\n");
        return;
    }
    nbd_qmp_export_add(NULL, argv[i], argc - i == 2 ? argv[i + 1] : NULL,
                       NULL, w, &err);
    hmp_handle_error(mon, err);
}

/* nbd_server_remove [-f] name */
static void hmp_nbd_server_remove(Monitor *mon, int argc, char **argv)
{
    bool force = false;
    int i = hmp_nbd_flags(argc, argv, "f", &force);
    Error *err = NULL;

    if (i < 0 || i != argc - 1) {
        monitor_printf(mon, "nbd_server_remove: invalid arguments\n");
        return;
    }
    nbd_qmp_export_remove(argv[i], false, force, &err);
    hmp_handle_error(mon, err);
}

static void hmp_nbd_server_stop(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    nbd_qmp_server_stop(&err);
    hmp_handle_error(mon, err);
}

static const HMPCommand hmp_nbd_cmds[] = {
    { "nbd_server_start", "nbd_server_start [-a] [-w] host:port",
      "serve block devices on the given host and port", 1, 3, false,
      hmp_nbd_server_start },
    { "nbd_server_add", "nbd_server_add [-w] device [name]",
      "export a block device via NBD", 1, 3, false, hmp_nbd_server_add },
    { "nbd_server_remove", "nbd_server_remove [-f] name",
      "remove an export previously exposed via NBD", 1, 2, false,
      hmp_nbd_server_remove },
    { "nbd_server_stop", "", "stop serving block devices using the NBD "
      "protocol", 0, 0, false, hmp_nbd_server_stop },
    { NULL },
};

static void hmp_nbd_init(void) __attribute__((constructor));
static void hmp_nbd_init(void)
{
    hmp_register_commands(hmp_nbd_cmds, NULL);
}
