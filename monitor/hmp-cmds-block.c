/*
 * HMP commands of the block layer: info block, drive_add, drive_del.
 * Registered from a constructor (monitor/monitor-internal.h).
 */
#include "qemu/osdep.h"
#include "block/blockdev.h"
#include "qemu/cutils.h"
#include "monitor/monitor-internal.h"

/* info block [-n] [-v] [device] */
static void hmp_info_block(Monitor *mon, int argc, char **argv)
{
    g_autofree char *text = NULL;
    const char *device = NULL;
    bool nodes = false;
    int i;

    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-n")) {
            nodes = true;
        } else if (!strcmp(argv[i], "-v")) {
            /* verbose image info: not shown */
        } else {
            device = argv[i];
        }
    }
    text = block_info_text(device, nodes);
    monitor_puts(mon, text);
}

/* drive_add [-n] pci_addr opts */
static void hmp_drive_add(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    bool node = argc == 3 && !strcmp(argv[0], "-n");
    const char *opts = argv[argc - 1];

    if (argc < 2 || (argc == 3 && !node)) {
        monitor_printf(mon, "drive_add: invalid arguments\n");
        return;
    }
    if (node) {
        drive_add_node_from_str(opts, &err);
        hmp_handle_error(mon, err);
        return;
    }
    {
        DriveInfo *dinfo = drive_new_from_str(opts, &err);

        if (!dinfo) {
            hmp_handle_error(mon, err);
            return;
        }
        if (dinfo->type != IF_NONE) {
            monitor_printf(mon, "Can't hot-add drive to type %d\n",
                           dinfo->type);
            drive_del(dinfo->id, NULL);
            return;
        }
        monitor_printf(mon, "OK\n");
    }
}

static void hmp_drive_del(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    drive_del(argv[0], &err);
    hmp_handle_error(mon, err);
}

/*
 * qemu-io [-d] device "command": a subset of qemu-io's commands on a
 * drive (write [-P pattern | -z] off len, read [-P pattern] off len,
 * discard off len, flush) -- for tests and debugging, as in QEMU.
 */
typedef struct QemuIoCmd {
    char op[16];
    bool zero;
    int pattern;            /* -1: none */
    uint64_t offset;
    uint64_t len;
} QemuIoCmd;

static bool qemu_io_parse(const char *line, QemuIoCmd *c, Error **errp)
{
    g_auto(GStrv) argv = g_strsplit_set(line, " \t", 0);
    int i, pos = 0;
    uint64_t nums[2] = { 0, 0 };

    memset(c, 0, sizeof(*c));
    c->pattern = -1;
    for (i = 0; argv[i]; i++) {
        const char *a = argv[i];

        if (!*a) {
            continue;
        }
        if (!c->op[0]) {
            pstrcpy(c->op, sizeof(c->op), a);
        } else if (!strcmp(a, "-z")) {
            c->zero = true;
        } else if (!strcmp(a, "-P") && argv[i + 1]) {
            c->pattern = strtol(argv[++i], NULL, 0) & 0xff;
        } else if (pos < 2 && qemu_strtosz(a, NULL, &nums[pos]) == 0) {
            pos++;
        } else {
            error_setg(errp, "qemu-io: invalid argument '%s'", a);
            return false;
        }
    }
    c->offset = nums[0];
    c->len = nums[1];
    if (strcmp(c->op, "flush") && pos != 2) {
        error_setg(errp, "qemu-io: expected offset and length");
        return false;
    }
    if (c->len > 64 * 1024 * 1024) {
        error_setg(errp, "qemu-io: length too large");
        return false;
    }
    return true;
}

static int qemu_io_run(BlockBackend *blk, QemuIoCmd *c, GString *out)
{
    g_autofree uint8_t *buf = NULL;
    uint64_t i;
    int ret;

    if (!strcmp(c->op, "flush")) {
        return blk_flush(blk);
    }
    if (!strcmp(c->op, "discard")) {
        ret = blk_pdiscard(blk, c->offset, c->len);
        if (ret == 0) {
            g_string_append_printf(out, "discard %" PRIu64 "/%" PRIu64
                                   " bytes at offset %" PRIu64 "\n",
                                   c->len, c->len, c->offset);
        }
        return ret;
    }
    buf = g_malloc0(MAX(c->len, 1));
    if (!strcmp(c->op, "write")) {
        if (c->zero) {
            ret = blk_pwrite_zeroes(blk, c->offset, c->len, 0);
        } else {
            memset(buf, c->pattern < 0 ? 0xcd : c->pattern, c->len);
            ret = blk_pwrite(blk, c->offset, c->len, buf, 0);
        }
        if (ret == 0) {
            g_string_append_printf(out, "wrote %" PRIu64 "/%" PRIu64
                                   " bytes at offset %" PRIu64 "\n",
                                   c->len, c->len, c->offset);
        }
        return ret;
    }
    if (strcmp(c->op, "read")) {
        g_string_append_printf(out, "qemu-io: unknown command '%s'\n",
                               c->op);
        return 0;
    }
    ret = blk_pread(blk, c->offset, c->len, buf, 0);
    if (ret < 0) {
        return ret;
    }
    for (i = 0; c->pattern >= 0 && i < c->len; i++) {
        if (buf[i] != c->pattern) {
            g_string_append_printf(out, "Pattern verification failed at "
                                   "offset %" PRIu64 ", %" PRIu64
                                   " bytes\n", c->offset, c->len);
            return 0;
        }
    }
    g_string_append_printf(out, "read %" PRIu64 "/%" PRIu64 " bytes at "
                           "offset %" PRIu64 "\n", c->len, c->len,
                           c->offset);
    return 0;
}

static void hmp_qemu_io(Monitor *mon, int argc, char **argv)
{
    g_autoptr(GString) out = g_string_new("");
    g_autofree char *device = g_strdup(argv[0]);
    g_autofree char *line = g_strdup(argv[1]);
    BlockBackend *blk;
    Error *err = NULL;
    QemuIoCmd c;
    int ret;

    g_strstrip(line);
    if (!strcmp(device, "-d")) {
        /* "-d DEVICE CMD": the device is the first word of the rest */
        char *sp = strchr(line, ' ');

        if (!sp) {
            monitor_printf(mon, "qemu-io: missing arguments\n");
            return;
        }
        *sp = 0;
        g_free(device);
        device = g_strdup(line);
        memmove(line, sp + 1, strlen(sp + 1) + 1);
        g_strstrip(line);
    }
    if (line[0] == '"' && strlen(line) >= 2) {
        line[strlen(line) - 1] = 0;
        memmove(line, line + 1, strlen(line));
    }
    blk = blk_by_name(device);
    if (!blk) {
        error_setg(&err, "Device '%s' not found", device);
        hmp_handle_error(mon, err);
        return;
    }
    if (!qemu_io_parse(line, &c, &err)) {
        hmp_handle_error(mon, err);
        return;
    }
    ret = qemu_io_run(blk, &c, out);
    if (ret < 0) {
        g_string_append_printf(out, "%s failed: %s\n", c.op,
                               g_strerror(-ret));
    }
    monitor_puts(mon, out->str);
}

static const HMPCommand hmp_block_cmds[] = {
    { "qemu-io", "[-d] [device] \"[command]\"",
      "run a qemu-io command on a block device", 2, 2, true, hmp_qemu_io },
    { "drive_add", "[-n] [[<domain>:]<bus>:]<slot> [file=file][,if=type]"
      "[,bus=n][,unit=m][,media=d][,index=i][,snapshot=on|off]"
      "[,cache=on|off][,readonly=on|off][,copy-on-read=on|off]",
      "add drive to PCI storage controller", 2, 3, true, hmp_drive_add },
    { "drive_del", "device", "remove host block device", 1, 1, false,
      hmp_drive_del },
    { NULL },
};

static const HMPCommand hmp_block_info_cmds[] = {
    { "block", "[-n] [-v] [device]", "show info of one block device or all "
      "block devices (-n: show named nodes; -v: show details)", 0, 3, false,
      hmp_info_block },
    { NULL },
};

static void hmp_block_init(void) __attribute__((constructor));
static void hmp_block_init(void)
{
    hmp_register_commands(hmp_block_cmds, hmp_block_info_cmds);
}
