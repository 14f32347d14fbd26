/*
 * vl.c: from the command line to a running machine.
 *
 * Parsing happens in two steps.  First every option is checked and
 * recorded (errors are reported as "qemu-system-x86_64: -opt arg: message"
 * and exit 1, before anything is created).  Then things are built in
 * QEMU's order:
 *
 *   trace/log -> daemonize -> early -object (iothread, memory backends)
 *   -> -chardev -> monitors (-mon/-qmp/-monitor) -> -serial defaults
 *   -> machine (-machine/-m/-cpu/-kernel...) -> late -object (filters,
 *   colo-compare) -> -device -> -incoming -> pidfile -> start or stay
 *   paused (-S) -> main loop
 */
#include "qemu/osdep.h"
#include <sys/file.h>
#include <sys/mman.h>
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/keyval.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qapi/qapi-events-run-state.h"
#include "qobject/qdict.h"
#include "qobject/qstring.h"
#include "qom/object.h"
#include "qom/object_interfaces.h"
#include "block/blockdev.h"
#include "chardev/char.h"
#include "monitor/monitor.h"
#include "net/net.h"
#include "migration/migration.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/core/cpu.h"
#include "system/runstate.h"
#include "system/system.h"
#include "system/vl.h"
#include "trace/control.h"
#include "config-host.h"

#define HAS_ARG 1

typedef enum OptionId {
    OPT_HELP, OPT_VERSION, OPT_MACHINE, OPT_ACCEL, OPT_ENABLE_KVM, OPT_CPU,
    OPT_M, OPT_SMP, OPT_NAME, OPT_UUID, OPT_KERNEL, OPT_INITRD, OPT_APPEND,
    OPT_CHARDEV, OPT_MON, OPT_QMP, OPT_QMP_PRETTY, OPT_MONITOR, OPT_SERIAL,
    OPT_NOGRAPHIC, OPT_DISPLAY, OPT_NODEFAULTS, OPT_S, OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN, OPT_INCOMING, OPT_OBJECT, OPT_DEVICE, OPT_NETDEV,
    OPT_NIC, OPT_NET, OPT_DRIVE, OPT_BLOCKDEV, OPT_GLOBAL, OPT_PIDFILE,
    OPT_DAEMONIZE, OPT_D_FILE, OPT_D_ITEMS, OPT_TRACE, OPT_MSG,
    OPT_NO_USER_CONFIG, OPT_NODEFCONFIG, OPT_RTC, OPT_BOOT, OPT_NO_ACPI,
    OPT_OVERCOMMIT, OPT_SANDBOX, OPT_AUDIODEV, OPT_VGA, OPT_BIOS, OPT_L,
    OPT_SNAPSHOT, OPT_USB, OPT_USBDEVICE, OPT_PARALLEL, OPT_HDA, OPT_HDB,
    OPT_CDROM, OPT_ICOUNT, OPT_SMBIOS, OPT_FW_CFG, OPT_ACTION,
    OPT_WATCHDOG_ACTION, OPT_COMPAT, OPT_READCONFIG, OPT_K, OPT_NUMA,
    OPT_MEM_PATH, OPT_MEM_PREALLOC,
} OptionId;

typedef struct OptionDef {
    const char *name;
    int flags;
    OptionId id;
} OptionDef;

static const OptionDef options[] = {
    { "h", 0, OPT_HELP }, { "help", 0, OPT_HELP },
    { "version", 0, OPT_VERSION },
    { "machine", HAS_ARG, OPT_MACHINE }, { "M", HAS_ARG, OPT_MACHINE },
    { "accel", HAS_ARG, OPT_ACCEL }, { "enable-kvm", 0, OPT_ENABLE_KVM },
    { "cpu", HAS_ARG, OPT_CPU }, { "m", HAS_ARG, OPT_M },
    { "smp", HAS_ARG, OPT_SMP }, { "name", HAS_ARG, OPT_NAME },
    { "uuid", HAS_ARG, OPT_UUID }, { "kernel", HAS_ARG, OPT_KERNEL },
    { "initrd", HAS_ARG, OPT_INITRD }, { "append", HAS_ARG, OPT_APPEND },
    { "chardev", HAS_ARG, OPT_CHARDEV }, { "mon", HAS_ARG, OPT_MON },
    { "qmp", HAS_ARG, OPT_QMP }, { "qmp-pretty", HAS_ARG, OPT_QMP_PRETTY },
    { "monitor", HAS_ARG, OPT_MONITOR }, { "serial", HAS_ARG, OPT_SERIAL },
    { "nographic", 0, OPT_NOGRAPHIC }, { "display", HAS_ARG, OPT_DISPLAY },
    { "nodefaults", 0, OPT_NODEFAULTS }, { "S", 0, OPT_S },
    { "no-reboot", 0, OPT_NO_REBOOT }, { "no-shutdown", 0, OPT_NO_SHUTDOWN },
    { "incoming", HAS_ARG, OPT_INCOMING }, { "object", HAS_ARG, OPT_OBJECT },
    { "device", HAS_ARG, OPT_DEVICE }, { "netdev", HAS_ARG, OPT_NETDEV },
    { "nic", HAS_ARG, OPT_NIC }, { "net", HAS_ARG, OPT_NET },
    { "drive", HAS_ARG, OPT_DRIVE }, { "blockdev", HAS_ARG, OPT_BLOCKDEV },
    { "global", HAS_ARG, OPT_GLOBAL }, { "pidfile", HAS_ARG, OPT_PIDFILE },
    { "daemonize", 0, OPT_DAEMONIZE }, { "D", HAS_ARG, OPT_D_FILE },
    { "d", HAS_ARG, OPT_D_ITEMS }, { "trace", HAS_ARG, OPT_TRACE },
    { "msg", HAS_ARG, OPT_MSG }, { "no-user-config", 0, OPT_NO_USER_CONFIG },
    { "nodefconfig", 0, OPT_NODEFCONFIG }, { "rtc", HAS_ARG, OPT_RTC },
    { "boot", HAS_ARG, OPT_BOOT }, { "no-acpi", 0, OPT_NO_ACPI },
    { "overcommit", HAS_ARG, OPT_OVERCOMMIT },
    { "sandbox", HAS_ARG, OPT_SANDBOX }, { "audiodev", HAS_ARG, OPT_AUDIODEV },
    { "vga", HAS_ARG, OPT_VGA }, { "bios", HAS_ARG, OPT_BIOS },
    { "L", HAS_ARG, OPT_L }, { "snapshot", 0, OPT_SNAPSHOT },
    { "usb", 0, OPT_USB }, { "usbdevice", HAS_ARG, OPT_USBDEVICE },
    { "parallel", HAS_ARG, OPT_PARALLEL }, { "hda", HAS_ARG, OPT_HDA },
    { "hdb", HAS_ARG, OPT_HDB }, { "cdrom", HAS_ARG, OPT_CDROM },
    { "icount", HAS_ARG, OPT_ICOUNT }, { "smbios", HAS_ARG, OPT_SMBIOS },
    { "fw_cfg", HAS_ARG, OPT_FW_CFG }, { "action", HAS_ARG, OPT_ACTION },
    { "watchdog-action", HAS_ARG, OPT_WATCHDOG_ACTION },
    { "compat", HAS_ARG, OPT_COMPAT }, { "readconfig", HAS_ARG, OPT_READCONFIG },
    { "k", HAS_ARG, OPT_K }, { "numa", HAS_ARG, OPT_NUMA },
    { "mem-path", HAS_ARG, OPT_MEM_PATH },
    { "mem-prealloc", 0, OPT_MEM_PREALLOC },
    { NULL },
};

/* One recorded command-line option. */
typedef struct CmdOpt {
    const OptionDef *def;
    const char *arg;
    char *loc;             /* "-opt arg" for error messages */
} CmdOpt;

typedef enum MonKind { MON_QMP, MON_QMP_PRETTY, MON_HMP, MON_CHARDEV } MonKind;

typedef struct MonitorOpt {
    MonKind kind;
    const char *arg;       /* chardev spec, or -mon options */
    char *loc;
} MonitorOpt;

/* Everything the command line asked for. */
static struct {
    GPtrArray *opts;                   /* CmdOpt, in order */
    GPtrArray *monitors;               /* MonitorOpt */
    GPtrArray *serials;                /* const char * (-serial) */
    const char *name;
    char uuid[37];
    const char *machine_type;
    QDict *machine_props;
    char *accel;
    const char *cpu;
    uint64_t ram_size;
    bool ram_size_set;
    const char *kernel;
    const char *initrd;
    const char *append;
    bool nographic;
    bool nodefaults;
    bool no_acpi;
    bool autostart;
    bool daemonize;
    bool mem_lock;
    const char *pidfile;
    const char *incoming;
    const char *log_file;
    const char *log_items;
} cfg;

static bool quit_requested;
static int daemon_pipe = -1;
static int signal_pipe[2] = { -1, -1 };
static volatile sig_atomic_t signal_num;
static volatile sig_atomic_t signal_pid;

/* ---- accessors for QMP/HMP ---- */

const char *vl_get_name(void)
{
    return cfg.name;
}

const char *vl_get_uuid(void)
{
    return cfg.uuid;
}

bool vl_accel_is_kvm(void)
{
    return cfg.accel && strcmp(cfg.accel, "kvm") == 0;
}

void vl_set_autostart(bool on)
{
    cfg.autostart = on;
}

bool vl_get_autostart(void)
{
    return cfg.autostart;
}

void vl_request_quit(void)
{
    if (!quit_requested) {
        quit_requested = true;
        qapi_event_send_shutdown(false, SHUTDOWN_CAUSE_HOST_QMP_QUIT);
        qemu_notify_event();
    }
}

CpuInfoFastList *vl_query_cpus_fast(void)
{
    return machine_query_cpus_fast(current_machine_get());
}

HotpluggableCPUList *vl_query_hotpluggable_cpus(void)
{
    return machine_query_hotpluggable_cpus(current_machine_get());
}

/* ---- help and version ---- */

static void version(void)
{
    printf("QEMU emulator version %s (%s)\n"
           "Copyright (c) 2026 the Tandem developers\n",
           TANDEM_VERSION, TANDEM_PKGVERSION);
}

static void help(void)
{
    version();
    printf("usage: qemu-system-x86_64 [options] [disk_image]\n\n"
           "Standard options:\n"
           "-h or -help     display this help and exit\n"
           "-version        display version information and exit\n"
           "-machine [type=]name[,prop[=value][,...]]\n"
           "                selects emulated machine ('-machine help' for "
           "list)\n"
           "-accel [accel=]accelerator[,prop[=value][,...]]\n"
           "                select accelerator (tcg; kvm on hosts with "
           "it)\n"
           "-cpu cpu        select CPU ('-cpu help' for list)\n"
           "-m [size=]megs  configure guest RAM\n"
           "-smp [cpus=]n   set the number of CPUs (1)\n"
           "-name string1   set the name of the guest\n"
           "-uuid %%08x-%%04x-%%04x-%%04x-%%012x\n"
           "                specify machine UUID\n"
           "-kernel bzImage use 'bzImage' as kernel image\n"
           "-append cmdline use 'cmdline' as kernel command line\n"
           "-initrd file    use 'file' as initial ram disk\n"
           "-chardev backend,id=id[,...]  ('-chardev help' for list)\n"
           "-mon [chardev=]name[,mode=readline|control][,pretty=on|off]\n"
           "-qmp dev        like -monitor but opens in 'control' mode\n"
           "-monitor dev    redirect the monitor to char device 'dev'\n"
           "-serial dev     redirect the serial port to char device 'dev'\n"
           "-nographic      disable graphical output; serial and monitor "
           "on stdio\n"
           "-display none   no display\n"
           "-nodefaults     don't create default devices\n"
           "-S              freeze CPU at startup (use 'c' to start "
           "execution)\n"
           "-no-reboot      exit instead of rebooting\n"
           "-no-shutdown    stop before shutdown\n"
           "-incoming uri   wait for an incoming migration on 'uri'\n"
           "-object TYPEN,id=ID[,...]  create a new object ('-object help')\n"
           "-device driver[,prop[=value][,...]]  ('-device help')\n"
           "-netdev, -drive, -blockdev  network and block backends\n"
           "-global driver.property=value\n"
           "-pidfile file   write PID to 'file'\n"
           "-daemonize      daemonize QEMU after initializing\n"
           "-D logfile      output log to logfile (default stderr)\n"
           "-d item1,...    enable logging of specified items ('-d help')\n"
           "-trace [[enable=]pattern][,events=file][,file=file]\n"
           "-msg [timestamp=on|off]\n");
}

static void machine_help(void)
{
    g_autoptr(GSList) list = machine_class_list();

    printf("Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (mc->alias) {
            printf("%-20s %s (alias of %s)\n", mc->alias, mc->desc, mc->name);
        }
        printf("%-20s %s%s%s\n", mc->name, mc->desc,
               mc->is_default ? " (default)" : "",
               mc->deprecated ? " (deprecated)" : "");
    }
}

/* ---- small parsers ---- */

static QDict *parse_keyval(const char *arg, const char *implied, bool *help)
{
    Error *err = NULL;
    QDict *d = keyval_parse(arg, implied, help, &err);

    if (!d) {
        error_report_err(err);
        exit(1);
    }
    return d;
}

static bool parse_on_off(const char *name, const char *value)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") ||
        !strcmp(value, "true")) {
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") ||
        !strcmp(value, "false")) {
        return false;
    }
    error_report("Parameter '%s' expects 'on' or 'off'", name);
    exit(1);
}

/* Rejects every key of @d that is not in @allowed (NULL terminated). */
static void check_keys(QDict *d, const char *const *allowed)
{
    for (const QDictEntry *e = qdict_first(d); e; e = qdict_next(d, e)) {
        bool ok = false;

        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, qdict_entry_key(e)) == 0) {
                ok = true;
            }
        }
        if (!ok) {
            error_report("Invalid parameter '%s'", qdict_entry_key(e));
            exit(1);
        }
    }
}

static const char *dict_str(QDict *d, const char *key)
{
    return qdict_get_try_str(d, key);
}

static void not_supported_yet(const char *what)
{
    error_report("%s %s not supported yet", what,
                 g_str_has_suffix(what, "s") ? "are" : "is");
    exit(1);
}

static void parse_m(const char *arg)
{
    static const char *const keys[] = { "size", "slots", "maxmem", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, "size", NULL);
    const char *size = dict_str(d, "size");
    uint64_t sz;

    check_keys(d, keys);
    if (dict_str(d, "slots") || dict_str(d, "maxmem")) {
        error_report("memory hotplug (slots/maxmem) is not supported yet");
        exit(1);
    }
    if (!size) {
        error_report("missing 'size' option value");
        exit(1);
    }
    /* No suffix means MiB, like QEMU. */
    if (qemu_strtosz_MiB(size, NULL, &sz) < 0 || sz == 0) {
        error_report("Parameter 'size' expects a non-negative number below "
                     "2^64");
        exit(1);
    }
    if (sz < 1024 * 1024) {
        error_report("Invalid RAM size, must be at least 1M");
        exit(1);
    }
    cfg.ram_size = QEMU_ALIGN_UP(sz, 8192);
    cfg.ram_size_set = true;
}

static void parse_smp(const char *arg)
{
    static const char *const keys[] = { "cpus", "sockets", "dies",
        "clusters", "cores", "threads", "maxcpus", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, "cpus", NULL);

    check_keys(d, keys);
    for (const char *const *k = keys; *k; k++) {
        const char *v = dict_str(d, *k);
        unsigned long long n;

        if (!v) {
            continue;
        }
        if (parse_uint_full(v, &n, 0) < 0) {
            error_report("Parameter '%s' expects an integer", *k);
            exit(1);
        }
        if (n != 1) {
            error_report("only one vCPU is supported for now "
                         "(%s=%llu requested)", *k, n);
            exit(1);
        }
    }
}

static void parse_uuid(const char *arg)
{
    static const char hexdigits[] = "0123456789abcdefABCDEF";
    size_t len = strlen(arg);

    if (len != 36) {
        goto bad;
    }
    for (size_t i = 0; i < len; i++) {
        bool dash = (i == 8 || i == 13 || i == 18 || i == 23);

        if (dash ? arg[i] != '-' : !strchr(hexdigits, arg[i])) {
            goto bad;
        }
    }
    g_strlcpy(cfg.uuid, arg, sizeof(cfg.uuid));
    for (char *p = cfg.uuid; *p; p++) {
        *p = g_ascii_tolower(*p);
    }
    return;
bad:
    error_report("Fail to parse UUID string. Wrong format.");
    exit(1);
}

static void parse_accel(const char *arg)
{
    static const char *const keys[] = { "accel", "thread", "tb-size",
        "kernel-irqchip", "x-native", NULL };
    g_autoptr(QDict) d = NULL;
    bool help = false;
    const char *accel;

    d = parse_keyval(arg, "accel", &help);
    if (help || (dict_str(d, "accel") && is_help_option(dict_str(d,
                                                             "accel")))) {
        printf("Accelerators supported in QEMU binary:\ntcg\nkvm\n");
        exit(0);
    }
    check_keys(d, keys);
    accel = dict_str(d, "accel");
    if (!accel) {
        error_report("Parameter 'accel' is missing");
        exit(1);
    }
    g_free(cfg.accel);
    cfg.accel = g_strdup(accel);
    if (dict_str(d, "x-native")) {
        tcg_native_code = parse_on_off("x-native", dict_str(d, "x-native"));
    }
}

static void parse_name(const char *arg)
{
    static const char *const keys[] = { "guest", "process", "debug-threads",
        NULL };
    g_autoptr(QDict) d = parse_keyval(arg, "guest", NULL);

    check_keys(d, keys);
    if (dict_str(d, "guest")) {
        cfg.name = g_strdup(dict_str(d, "guest"));
    }
    if (dict_str(d, "debug-threads")) {
        parse_on_off("debug-threads", dict_str(d, "debug-threads"));
    }
}

static void parse_msg(const char *arg)
{
    static const char *const keys[] = { "timestamp", "guest-name", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, NULL, NULL);

    check_keys(d, keys);
    if (dict_str(d, "timestamp")) {
        error_set_timestamps(parse_on_off("timestamp",
                                          dict_str(d, "timestamp")));
    }
    if (dict_str(d, "guest-name")) {
        parse_on_off("guest-name", dict_str(d, "guest-name"));
    }
}

static void parse_display(const char *arg)
{
    g_autoptr(QDict) d = parse_keyval(arg, "type", NULL);
    const char *type = dict_str(d, "type");

    if (type && is_help_option(type)) {
        printf("Available display backend types:\nnone\n");
        exit(0);
    }
    if (!type || strcmp(type, "none") != 0) {
        error_report("Display '%s' is not available", type ? type : "");
        exit(1);
    }
}

static void parse_machine(const char *arg)
{
    static const char *const keys[] = { "type", "accel", "usb",
        "dump-guest-core", "memory-backend", "graphics", "mem-merge",
        "kernel-irqchip", "vmport", "acpi", "sata", "smbus", "pit", "hpet",
        "kvmclock", NULL };
    bool help = false;
    QDict *d = parse_keyval(arg, "type", &help);
    const char *type = dict_str(d, "type");

    if (help || (type && is_help_option(type))) {
        machine_help();
        exit(0);
    }
    check_keys(d, keys);
    if (type) {
        cfg.machine_type = g_strdup(type);
    }
    if (dict_str(d, "accel")) {
        g_free(cfg.accel);
        cfg.accel = g_strdup(dict_str(d, "accel"));
    }
    if (dict_str(d, "usb") && parse_on_off("usb", dict_str(d, "usb"))) {
        error_report("USB is not supported yet");
        exit(1);
    }
    if (dict_str(d, "acpi")) {
        cfg.no_acpi = !parse_on_off("acpi", dict_str(d, "acpi"));
    }
    for (const char *const *k = keys; *k; k++) {
        const char *v = dict_str(d, *k);

        if (v && (!strcmp(*k, "dump-guest-core") || !strcmp(*k, "graphics") ||
                  !strcmp(*k, "mem-merge") || !strcmp(*k, "vmport") ||
                  !strcmp(*k, "sata") || !strcmp(*k, "smbus") ||
                  !strcmp(*k, "pit") || !strcmp(*k, "hpet"))) {
            /* Boolean board switches: validate the value. */
            if (strcmp(v, "auto") != 0) {
                parse_on_off(*k, v);
            }
        }
    }
    qobject_unref(cfg.machine_props);
    cfg.machine_props = d;
}

static void parse_overcommit(const char *arg)
{
    static const char *const keys[] = { "mem-lock", "cpu-pm", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, NULL, NULL);

    check_keys(d, keys);
    if (dict_str(d, "mem-lock")) {
        cfg.mem_lock = parse_on_off("mem-lock", dict_str(d, "mem-lock"));
    }
    if (dict_str(d, "cpu-pm") && parse_on_off("cpu-pm",
                                              dict_str(d, "cpu-pm"))) {
        error_report("cpu-pm=on needs the KVM accelerator");
        exit(1);
    }
}

static void parse_rtc(const char *arg)
{
    static const char *const keys[] = { "base", "clock", "driftfix", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, NULL, NULL);
    const char *v;

    check_keys(d, keys);
    v = dict_str(d, "base");
    if (v && strcmp(v, "utc") && strcmp(v, "localtime")) {
        error_report("invalid datetime format");
        error_report("valid formats: 'utc', 'localtime'");
        exit(1);
    }
    v = dict_str(d, "clock");
    if (v && strcmp(v, "host") && strcmp(v, "rt") && strcmp(v, "vm")) {
        error_report("invalid option value '%s'", v);
        exit(1);
    }
    v = dict_str(d, "driftfix");
    if (v && strcmp(v, "none") && strcmp(v, "slew")) {
        error_report("invalid option value '%s'", v);
        exit(1);
    }
}

static void parse_boot(const char *arg)
{
    static const char *const keys[] = { "order", "once", "menu", "splash",
        "splash-time", "reboot-timeout", "strict", NULL };
    g_autoptr(QDict) d = parse_keyval(arg, "order", NULL);

    /* Boot order only matters to firmware; Tandem boots the -kernel
     * directly, so the values are checked and have no further effect. */
    check_keys(d, keys);
    if (dict_str(d, "strict")) {
        parse_on_off("strict", dict_str(d, "strict"));
    }
    if (dict_str(d, "menu")) {
        parse_on_off("menu", dict_str(d, "menu"));
    }
}

static void parse_audiodev(const char *arg)
{
    g_autoptr(QDict) d = parse_keyval(arg, "driver", NULL);
    const char *drv = dict_str(d, "driver");

    if (!drv || strcmp(drv, "none") != 0) {
        error_report("audio driver '%s' is not supported (only 'none')",
                     drv ? drv : "");
        exit(1);
    }
}

/* ---- recording and the first pass ---- */

static const OptionDef *lookup_option(const char *name)
{
    for (const OptionDef *o = options; o->name; o++) {
        if (strcmp(o->name, name) == 0) {
            return o;
        }
    }
    return NULL;
}

static void record_options(int argc, char **argv)
{
    cfg.opts = g_ptr_array_new();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const OptionDef *def;
        CmdOpt *co;

        if (a[0] != '-') {
            loc_set_none();
            error_report("%s: drive images on the command line are not "
                         "supported yet (use -drive)", a);
            exit(1);
        }
        if (a[1] == '-') {
            a++;      /* --option works like -option */
        }
        def = lookup_option(a + 1);
        if (!def) {
            loc_set_cmdline(argv[i]);
            error_report("invalid option");
            exit(1);
        }
        co = g_new0(CmdOpt, 1);
        co->def = def;
        if (def->flags & HAS_ARG) {
            if (i + 1 >= argc) {
                loc_set_cmdline(argv[i]);
                error_report("requires an argument");
                exit(1);
            }
            co->arg = argv[++i];
            co->loc = g_strdup_printf("%s %s", argv[i - 1], co->arg);
        } else {
            co->loc = g_strdup(argv[i]);
        }
        g_ptr_array_add(cfg.opts, co);
    }
}

static void add_monitor(MonKind kind, const char *arg, const char *loc)
{
    MonitorOpt *m = g_new0(MonitorOpt, 1);

    m->kind = kind;
    m->arg = arg;
    m->loc = g_strdup(loc);
    g_ptr_array_add(cfg.monitors, m);
}

static void first_pass(void)
{
    cfg.monitors = g_ptr_array_new();
    cfg.serials = g_ptr_array_new();
    cfg.autostart = true;
    g_strlcpy(cfg.uuid, "00000000-0000-0000-0000-000000000000",
              sizeof(cfg.uuid));

    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);

        loc_set_cmdline(co->loc);
        switch (co->def->id) {
        case OPT_HELP:
            help();
            exit(0);
        case OPT_VERSION:
            version();
            exit(0);
        case OPT_MACHINE:
            parse_machine(co->arg);
            break;
        case OPT_ACCEL:
            parse_accel(co->arg);
            break;
        case OPT_ENABLE_KVM:
            g_free(cfg.accel);
            cfg.accel = g_strdup("kvm");
            break;
        case OPT_CPU:
            cfg.cpu = co->arg;
            break;
        case OPT_M:
            parse_m(co->arg);
            break;
        case OPT_SMP:
            parse_smp(co->arg);
            break;
        case OPT_NAME:
            parse_name(co->arg);
            break;
        case OPT_UUID:
            parse_uuid(co->arg);
            break;
        case OPT_KERNEL:
            cfg.kernel = co->arg;
            break;
        case OPT_INITRD:
            cfg.initrd = co->arg;
            break;
        case OPT_APPEND:
            cfg.append = co->arg;
            break;
        case OPT_MON:
            add_monitor(MON_CHARDEV, co->arg, co->loc);
            break;
        case OPT_QMP:
            add_monitor(MON_QMP, co->arg, co->loc);
            break;
        case OPT_QMP_PRETTY:
            add_monitor(MON_QMP_PRETTY, co->arg, co->loc);
            break;
        case OPT_MONITOR:
            if (strcmp(co->arg, "none") != 0) {
                add_monitor(MON_HMP, co->arg, co->loc);
            }
            break;
        case OPT_SERIAL:
            g_ptr_array_add(cfg.serials, (gpointer)co->arg);
            break;
        case OPT_NOGRAPHIC:
            cfg.nographic = true;
            break;
        case OPT_DISPLAY:
            parse_display(co->arg);
            break;
        case OPT_NODEFAULTS:
            cfg.nodefaults = true;
            break;
        case OPT_S:
            cfg.autostart = false;
            break;
        case OPT_NO_REBOOT:
            runstate_set_no_reboot(true);
            break;
        case OPT_NO_SHUTDOWN:
            runstate_set_no_shutdown(true);
            break;
        case OPT_INCOMING:
            cfg.incoming = co->arg;
            break;
        case OPT_PIDFILE:
            cfg.pidfile = co->arg;
            break;
        case OPT_DAEMONIZE:
            cfg.daemonize = true;
            break;
        case OPT_D_FILE:
            cfg.log_file = co->arg;
            break;
        case OPT_D_ITEMS:
            if (is_help_option(co->arg)) {
                qemu_print_log_usage(stdout);
                exit(0);
            }
            cfg.log_items = co->arg;
            break;
        case OPT_MSG:
            parse_msg(co->arg);
            break;
        case OPT_NO_USER_CONFIG:
        case OPT_NODEFCONFIG:
            /* Tandem reads no configuration files, so there is nothing
             * to turn off. */
            break;
        case OPT_RTC:
            parse_rtc(co->arg);
            break;
        case OPT_BOOT:
            parse_boot(co->arg);
            break;
        case OPT_NO_ACPI:
            cfg.no_acpi = true;
            break;
        case OPT_OVERCOMMIT:
            parse_overcommit(co->arg);
            break;
        case OPT_AUDIODEV:
            parse_audiodev(co->arg);
            break;
        case OPT_VGA:
            if (strcmp(co->arg, "none") != 0) {
                not_supported_yet("VGA devices");
            }
            break;
        case OPT_NETDEV: {
            Error *err = NULL;

            if (!netdev_add_from_str(co->arg, &err)) {
                error_report_err(err);
                exit(1);
            }
            break;
        }
        case OPT_NIC:
        case OPT_NET:
            error_report("-nic and -net are not supported yet; use -netdev "
                         "with -device");
            exit(1);
        case OPT_DRIVE:
        case OPT_BLOCKDEV:
            break;      /* create_block_devices() */
        case OPT_SNAPSHOT:
        case OPT_HDA:
        case OPT_HDB:
        case OPT_CDROM:
            not_supported_yet("block devices");
            break;
        case OPT_SANDBOX:
            not_supported_yet("seccomp sandboxing");
            break;
        case OPT_BIOS:
        case OPT_L:
            not_supported_yet("firmware images (Tandem boots -kernel "
                              "directly):");
            break;
        case OPT_USB:
        case OPT_USBDEVICE:
            not_supported_yet("USB");
            break;
        case OPT_PARALLEL:
            if (strcmp(co->arg, "none") != 0) {
                not_supported_yet("parallel ports");
            }
            break;
        case OPT_ICOUNT:
            not_supported_yet("instruction counting (-icount)");
            break;
        case OPT_SMBIOS:
        case OPT_FW_CFG:
            not_supported_yet("firmware tables");
            break;
        case OPT_ACTION:
        case OPT_WATCHDOG_ACTION:
            not_supported_yet("actions");
            break;
        case OPT_COMPAT:
        case OPT_READCONFIG:
        case OPT_K:
        case OPT_NUMA:
        case OPT_MEM_PATH:
        case OPT_MEM_PREALLOC:
            error_report("this option is not supported");
            exit(1);
        case OPT_CHARDEV:
        case OPT_OBJECT:
        case OPT_DEVICE:
        case OPT_GLOBAL:
        case OPT_TRACE:
            /* handled in order during creation */
            break;
        }
    }
    loc_set_none();
}

/* ---- daemonize, pidfile, signals ---- */

static void daemonize_start(void)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0) {
        error_report("cannot daemonize: %s", g_strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        error_report("cannot daemonize: %s", g_strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        uint8_t status = 1;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        /* The child reports 0 once initialised; EOF means it failed. */
        _exit(n == 1 ? status : 1);
    }
    close(fds[0]);
    daemon_pipe = fds[1];
    setsid();
    signal(SIGHUP, SIG_IGN);
}

static void daemonize_finish(void)
{
    uint8_t status = 0;
    int fd;

    if (daemon_pipe < 0) {
        return;
    }
    if (chdir("/") < 0) {
        error_report("not able to chdir to /: %s", g_strerror(errno));
        exit(1);
    }
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (write(daemon_pipe, &status, 1) != 1) {
        exit(1);
    }
    close(daemon_pipe);
    daemon_pipe = -1;
}

static int pidfile_fd = -1;

static bool write_pidfile(const char *path, Error **errp)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Cannot open pid file");
        return false;
    }
    if (lockf(fd, F_TLOCK, 0) < 0) {
        error_setg_errno(errp, errno, "Cannot lock pid file");
        close(fd);
        return false;
    }
    if (ftruncate(fd, 0) < 0 || write(fd, pid, strlen(pid)) !=
        (ssize_t)strlen(pid)) {
        error_setg_errno(errp, errno, "Failed to write pid file");
        close(fd);
        return false;
    }
    pidfile_fd = fd;
    return true;
}

static void signal_handler(int sig, siginfo_t *info, void *ctx)
{
    uint8_t b = 1;

    signal_num = sig;
    signal_pid = info ? info->si_pid : 0;
    if (write(signal_pipe[1], &b, 1) < 0) {
        /* nothing we can do inside a signal handler */
    }
}

static void signal_pipe_read(void *opaque)
{
    uint8_t buf[16];
    g_autofree char *cmd = NULL;
    g_autofree char *path = NULL;

    while (read(signal_pipe[0], buf, sizeof(buf)) > 0) {
        /* drain */
    }
    if (!signal_num) {
        return;
    }
    path = g_strdup_printf("/proc/%d/cmdline", (int)signal_pid);
    if (!g_file_get_contents(path, &cmd, NULL, NULL)) {
        cmd = g_strdup("<unknown process>");
    }
    error_report("terminating on signal %d from pid %d (%s)", signal_num,
                 (int)signal_pid, cmd);
    signal_num = 0;
    qemu_system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
}

static void setup_signals(void)
{
    struct sigaction sa = { 0 };

    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        error_report("cannot create signal pipe: %s", g_strerror(errno));
        exit(1);
    }
    sa.sa_sigaction = signal_handler;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (!cfg.daemonize) {
        sigaction(SIGHUP, &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
    qemu_set_fd_handler(signal_pipe[0], signal_pipe_read, NULL, NULL);
}

/* ---- creation ---- */

/* Objects that reference netdevs or chardevs of their own are "late". */
static bool object_is_late(const char *type)
{
    return g_str_has_prefix(type, "filter-") ||
           strcmp(type, "colo-compare") == 0;
}

static bool object_error_is_parse_phase(Error *err)
{
    const char *msg = error_get_pretty(err);

    /* "expects a network backend id" is found when the filter attaches
     * to its netdev, i.e. at creation. */
    return g_str_has_prefix(msg, "Parameter '") &&
           (g_str_has_suffix(msg, "' is missing") ||
            strstr(msg, "' does not accept value '") ||
            (strstr(msg, "' expects ") &&
             !g_str_has_suffix(msg, "a network backend id")));
}

static void create_objects(bool late)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;
        g_autoptr(QDict) props = NULL;
        bool help = false;
        const char *type;

        if (co->def->id != OPT_OBJECT) {
            continue;
        }
        loc_set_cmdline(co->loc);
        props = user_creatable_parse_str(co->arg, &help, &err);
        if (!props) {
            error_report_err(err);
            exit(1);
        }
        type = qdict_get_try_str(props, "qom-type");
        if (help) {
            if (!user_creatable_print_help(type, props)) {
                error_report("invalid object type: %s", type ? type : "");
                exit(1);
            }
            fflush(stdout);
            exit(0);
        }
        if (type && object_is_late(type) != late) {
            continue;
        }
        if (!user_creatable_add_qdict(props, &err)) {
            /*
             * QEMU checks the option's shape (missing or ill-typed members)
             * while parsing it, with the option as location, and creates
             * the object later, without one.  Keep that split visible.
             */
            if (!object_error_is_parse_phase(err)) {
                loc_set_none();
            }
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

static void chardev_help(void)
{
    g_autoptr(GSList) list = object_class_get_list_sorted(TYPE_CHARDEV,
                                                          false);

    printf("Available chardev backend types: \n");
    for (GSList *l = list; l; l = l->next) {
        const char *name = object_class_get_name(l->data);

        if (g_str_has_prefix(name, "chardev-")) {
            printf("  %s\n", name + strlen("chardev-"));
        }
    }
}

static void create_chardevs(void)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;

        if (co->def->id != OPT_CHARDEV) {
            continue;
        }
        loc_set_cmdline(co->loc);
        if (is_help_option(co->arg)) {
            chardev_help();
            exit(0);
        }
        if (!qemu_chr_new_from_opts_str(co->arg, &err)) {
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

/* -drive and -blockdev, in command-line order (block/blockdev.c) */
static void create_block_devices(void)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;
        bool ok = true;

        loc_set_cmdline(co->loc);
        if (co->def->id == OPT_DRIVE) {
            ok = drive_add_from_str(co->arg, &err);
        } else if (co->def->id == OPT_BLOCKDEV) {
            ok = blockdev_add_from_str(co->arg, &err);
        }
        if (!ok) {
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

static void apply_trace_options(void)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;

        if (co->def->id != OPT_TRACE) {
            continue;
        }
        loc_set_cmdline(co->loc);
        if (!trace_opt_parse(co->arg, &err)) {
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

static void create_monitor_from_mon(MonitorOpt *m)
{
    static const char *const keys[] = { "chardev", "mode", "pretty", "id",
        NULL };
    g_autoptr(QDict) d = parse_keyval(m->arg, "chardev", NULL);
    const char *chr_id = dict_str(d, "chardev");
    const char *mode = dict_str(d, "mode");
    bool pretty = false;
    Chardev *chr;
    Error *err = NULL;

    check_keys(d, keys);
    if (!chr_id) {
        error_report("chardev is required");
        exit(1);
    }
    chr = qemu_chr_find(chr_id);
    if (!chr) {
        error_report("chardev \"%s\" not found", chr_id);
        exit(1);
    }
    if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
        error_report("unknown monitor mode \"%s\"", mode);
        exit(1);
    }
    if (dict_str(d, "pretty")) {
        pretty = parse_on_off("pretty", dict_str(d, "pretty"));
    }
    if (!monitor_new(chr, mode && !strcmp(mode, "control"), pretty, &err)) {
        error_report_err(err);
        exit(1);
    }
}

static void create_monitors(void)
{
    for (guint i = 0; i < cfg.monitors->len; i++) {
        MonitorOpt *m = g_ptr_array_index(cfg.monitors, i);
        g_autofree char *label = NULL;
        Chardev *chr;
        Error *err = NULL;

        loc_set_cmdline(m->loc);
        if (m->kind == MON_CHARDEV) {
            create_monitor_from_mon(m);
            continue;
        }
        label = g_strdup_printf("compat_monitor%u", i);
        chr = qemu_chr_new_mux_mon(label, m->arg, NULL, &err);
        if (!chr) {
            error_report_err(err);
            exit(1);
        }
        if (!monitor_new(chr, m->kind != MON_HMP,
                         m->kind == MON_QMP_PRETTY, &err)) {
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

/*
 * Default devices: -nographic puts serial 0 and the HMP monitor on stdio
 * (multiplexed, C-a c switches); otherwise, unless -nodefaults, serial 0
 * goes nowhere ("null", since there is no graphical console).
 */
static void add_default_devices(void)
{
    bool have_mon_stdio = false;

    for (guint i = 0; i < cfg.monitors->len; i++) {
        MonitorOpt *m = g_ptr_array_index(cfg.monitors, i);

        if (m->kind != MON_CHARDEV && strcmp(m->arg, "stdio") == 0) {
            have_mon_stdio = true;
        }
    }
    if (cfg.nodefaults) {
        return;
    }
    if (cfg.nographic && cfg.serials->len == 0) {
        g_ptr_array_add(cfg.serials, (gpointer)(have_mon_stdio ? "stdio" :
                        "mon:stdio"));
    } else if (cfg.serials->len == 0) {
        g_ptr_array_add(cfg.serials, (gpointer)"null");
    }
}

/* -serial DEV: chardevs "serial0", "serial1", ...; "mon:DEV" also puts an
 * HMP monitor on the same (multiplexed) chardev. */
static GPtrArray *create_serials(void)
{
    GPtrArray *chrs = g_ptr_array_new();

    for (guint i = 0; i < cfg.serials->len; i++) {
        const char *spec = g_ptr_array_index(cfg.serials, i);
        g_autofree char *label = g_strdup_printf("serial%u", i);
        Error *err = NULL;
        Chardev *chr;

        if (strcmp(spec, "none") == 0) {
            continue;
        }
        chr = qemu_chr_new_mux_mon(label, spec, NULL, &err);
        if (!chr) {
            error_prepend(&err, "could not connect serial device to "
                          "character backend '%s': ", spec);
            error_report_err(err);
            exit(1);
        }
        if (g_str_has_prefix(spec, "mon:") &&
            !monitor_new(chr, false, false, &err)) {
            error_report_err(err);
            exit(1);
        }
        g_ptr_array_add(chrs, chr);
    }
    return chrs;
}

static void create_machine(void)
{
    MachineClass *mc;
    MachineState *ms;
    Object *obj;
    Error *err = NULL;

    if (cfg.cpu && is_help_option(cfg.cpu)) {
        printf("Available CPUs:\nx86 base\nx86 max\nx86 qemu64\n");
        exit(0);
    }

    if (cfg.machine_type) {
        mc = machine_class_find(cfg.machine_type);
        if (!mc) {
            error_report("unsupported machine type");
            error_printf("Use -machine help to list supported "
                              "machines\n");
            exit(1);
        }
    } else {
        mc = machine_class_default();
        if (!mc) {
            error_report("No machine specified, and there is no default");
            error_printf("Use -machine help to list supported "
                              "machines\n");
            exit(1);
        }
    }
    obj = object_new(object_class_get_name(OBJECT_CLASS(mc)));
    ms = MACHINE(obj);
    object_property_add_child(object_get_root(), "machine", obj);
    object_unref(obj);
    current_machine_set(ms);
    /* libvirt lists these at domain start even when they are empty. */
    qdev_get_peripheral();
    qdev_get_peripheral_anon();
    container_get(obj, "/unattached");

    /* Accelerator: "kvm:tcg" tries KVM first, then TCG. */
    if (!cfg.accel) {
        cfg.accel = g_strdup("tcg");
    }
    {
        g_auto(GStrv) accels = g_strsplit(cfg.accel, ":", -1);
        const char *chosen = NULL;

        for (char **a = accels; *a; a++) {
            if (strcmp(*a, "tcg") == 0) {
                chosen = "tcg";
                break;
            }
            if (strcmp(*a, "kvm") != 0) {
                error_report("invalid accelerator %s", *a);
                exit(1);
            }
            /* The KVM backend is not built yet: try the next one. */
        }
        if (!chosen) {
            error_report("-accel kvm: the KVM accelerator is not supported "
                         "yet; use -accel tcg");
            exit(1);
        }
        g_free(cfg.accel);
        cfg.accel = g_strdup(chosen);
    }
    ms->accel = g_strdup(cfg.accel);
    ms->ram_size = cfg.ram_size_set ? cfg.ram_size : mc->default_ram_size;
    ms->ram_size_explicit = cfg.ram_size_set;
    ms->cpu_model = g_strdup(cfg.cpu);
    ms->kernel_filename = g_strdup(cfg.kernel);
    ms->initrd_filename = g_strdup(cfg.initrd);
    if (cfg.append) {
        g_free(ms->kernel_cmdline);
        ms->kernel_cmdline = g_strdup(cfg.append);
    }
    ms->acpi = !cfg.no_acpi;
    if (cfg.machine_props && dict_str(cfg.machine_props, "memory-backend")) {
        ms->ram_backend_id = g_strdup(dict_str(cfg.machine_props,
                                               "memory-backend"));
    }
    ms->serials = create_serials();
    if (!mc->init(ms, &err)) {
        error_report_err(err);
        exit(1);
    }
}

static void create_devices(void)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;

        if (co->def->id != OPT_DEVICE) {
            continue;
        }
        loc_set_cmdline(co->loc);
        if (!qdev_device_add_from_str(co->arg, &err)) {
            if (err) {
                error_report_err(err);
                exit(1);
            }
            exit(0);   /* help was printed */
        }
    }
    loc_set_none();
}

static void apply_globals(void)
{
    for (guint i = 0; i < cfg.opts->len; i++) {
        CmdOpt *co = g_ptr_array_index(cfg.opts, i);
        Error *err = NULL;

        if (co->def->id != OPT_GLOBAL) {
            continue;
        }
        loc_set_cmdline(co->loc);
        if (!qdev_add_global_str(co->arg, &err)) {
            error_report_err(err);
            exit(1);
        }
    }
    loc_set_none();
}

int qemu_main(int argc, char **argv)
{
    Error *err = NULL;
    int status = 0;

    error_set_progname("qemu-system-x86_64");
    record_options(argc, argv);
    first_pass();

    if (cfg.log_file && !qemu_set_log_filename(cfg.log_file, &err)) {
        error_report_err(err);
        exit(1);
    }
    if (cfg.log_items && !qemu_set_log_items(cfg.log_items, &err)) {
        error_report_err(err);
        exit(1);
    }
    apply_trace_options();

    if (cfg.daemonize) {
        daemonize_start();
    }
    if (cfg.pidfile && !write_pidfile(cfg.pidfile, &err)) {
        error_prepend(&err, "cannot create PID file: ");
        error_report_err(err);
        exit(1);
    }
    if (cfg.mem_lock && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
        error_report("locking memory failed: %s", g_strerror(errno));
        exit(1);
    }
    if (!qemu_init_main_loop(&err)) {
        error_report_err(err);
        exit(1);
    }
    bql_lock();
    setup_signals();

    /* Mux chardevs announce "opened" only once their frontends (serial
     * ports, monitors) are all attached. */
    qemu_chr_suspend_mux_open();
    create_objects(false);
    create_chardevs();
    create_block_devices();
    add_default_devices();
    create_monitors();
    apply_globals();
    if (!net_init_clients(&err)) {
        error_report_err(err);
        exit(1);
    }
    create_machine();
    create_objects(true);
    create_devices();
    /* Like QEMU: one reset of the fully built machine before it runs. */
    qemu_system_reset(SHUTDOWN_CAUSE_NONE);
    qemu_chr_resume_mux_open();

    if (cfg.incoming) {
        /* Runstate inmigrate; autostart applies once the load is done. */
        if (!migration_incoming_start(cfg.incoming, &err)) {
            error_prepend(&err, "-incoming %s: ", cfg.incoming);
            error_report_err(err);
            exit(1);
        }
    } else if (cfg.autostart) {
        vm_start();
    } else {
        runstate_set(RUN_STATE_PRELAUNCH);
    }
    daemonize_finish();

    while (!quit_requested && !main_loop_should_exit(&status)) {
        main_loop_wait(false);
    }
    /* Let a pending reply (quit) reach its client. */
    main_loop_wait(true);
    blockdev_close_all();       /* writes back qcow2 metadata */
    monitor_cleanup_all();
    if (pidfile_fd >= 0) {
        unlink(cfg.pidfile);
    }
    bql_unlock();
    return status;
}
