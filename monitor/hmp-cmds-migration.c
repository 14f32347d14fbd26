/*
 * HMP commands of live migration and COLO: migrate, migrate_cancel,
 * migrate_incoming, migrate_set_capability, migrate_set_parameter,
 * x_colo_lost_heartbeat, announce_self, info migrate / migrate_capabilities /
 * migrate_parameters.  Output follows QEMU 7.2's text exactly.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "qapi/qapi-commands-migration.h"
#include "qapi/qapi-commands-net.h"
#include "qemu/cutils.h"
#include "monitor-internal.h"

static void hmp_info_migrate(Monitor *mon, int argc, char **argv)
{
    g_autoptr(MigrationInfo) info = qmp_query_migrate(NULL);

    monitor_printf(mon, "globals:\n");
    monitor_printf(mon, "store-global-state: on\n");
    monitor_printf(mon, "only-migratable: off\n");
    monitor_printf(mon, "send-configuration: on\n");
    monitor_printf(mon, "send-section-footer: on\n");
    monitor_printf(mon, "decompress-error-check: on\n");
    monitor_printf(mon, "clear-bitmap-shift: 18\n");
    if (!info->has_status) {
        return;
    }
    monitor_printf(mon, "Migration status: %s",
                   MigrationStatus_str(info->status));
    if (info->status == MIGRATION_STATUS_FAILED && info->has_error_desc) {
        monitor_printf(mon, " (%s)", info->error_desc);
    }
    monitor_printf(mon, "\ntotal time: %" PRIi64 " ms\n", info->total_time);
    if (info->has_expected_downtime) {
        monitor_printf(mon, "expected downtime: %" PRIi64 " ms\n",
                       info->expected_downtime);
    }
    if (info->has_downtime) {
        monitor_printf(mon, "downtime: %" PRIi64 " ms\n", info->downtime);
    }
    if (info->has_setup_time) {
        monitor_printf(mon, "setup: %" PRIi64 " ms\n", info->setup_time);
    }
    if (info->has_socket_address) {
        monitor_printf(mon, "socket address: [\n");
        for (SocketAddressList *l = info->socket_address; l; l = l->next) {
            SocketAddress *a = l->value;

            if (a->type == SOCKET_ADDRESS_TYPE_INET) {
                monitor_printf(mon, "\ttcp:%s:%s\n", a->u.inet.host,
                               a->u.inet.port);
            } else if (a->type == SOCKET_ADDRESS_TYPE_UNIX) {
                monitor_printf(mon, "\tunix:%s\n", a->u.q_unix.path);
            }
        }
        monitor_printf(mon, "]\n");
    }
    if (info->has_ram) {
        MigrationStats *r = info->ram;

        monitor_printf(mon, "transferred ram: %" PRIu64 " kbytes\n",
                       r->transferred >> 10);
        monitor_printf(mon, "throughput: %0.2f mbps\n", r->mbps);
        monitor_printf(mon, "remaining ram: %" PRIu64 " kbytes\n",
                       r->remaining >> 10);
        monitor_printf(mon, "total ram: %" PRIu64 " kbytes\n",
                       r->total >> 10);
        monitor_printf(mon, "duplicate: %" PRIu64 " pages\n", r->duplicate);
        monitor_printf(mon, "skipped: %" PRIu64 " pages\n", r->skipped);
        monitor_printf(mon, "normal: %" PRIu64 " pages\n", r->normal);
        monitor_printf(mon, "normal bytes: %" PRIu64 " kbytes\n",
                       r->normal_bytes >> 10);
        monitor_printf(mon, "dirty sync count: %" PRIu64 "\n",
                       r->dirty_sync_count);
        monitor_printf(mon, "page size: %" PRIu64 " kbytes\n",
                       r->page_size >> 10);
        monitor_printf(mon, "multifd bytes: %" PRIu64 " kbytes\n",
                       r->multifd_bytes >> 10);
        monitor_printf(mon, "pages-per-second: %" PRIu64 "\n",
                       r->pages_per_second);
        if (r->dirty_pages_rate) {
            monitor_printf(mon, "dirty pages rate: %" PRIu64 " pages\n",
                           r->dirty_pages_rate);
        }
        if (r->precopy_bytes) {
            monitor_printf(mon, "precopy ram: %" PRIu64 " kbytes\n",
                           r->precopy_bytes >> 10);
        }
        if (r->downtime_bytes) {
            monitor_printf(mon, "downtime ram: %" PRIu64 " kbytes\n",
                           r->downtime_bytes >> 10);
        }
    }
}

static void hmp_info_migrate_capabilities(Monitor *mon, int argc,
                                          char **argv)
{
    g_autoptr(MigrationCapabilityStatusList) caps =
        qmp_query_migrate_capabilities(NULL);

    for (MigrationCapabilityStatusList *l = caps; l; l = l->next) {
        monitor_printf(mon, "%s: %s\n",
                       MigrationCapability_str(l->value->capability),
                       l->value->state ? "on" : "off");
    }
}

static const char *on_off(bool b)
{
    return b ? "on" : "off";
}

static void hmp_info_migrate_parameters(Monitor *mon, int argc, char **argv)
{
    g_autoptr(MigrationParameters) p = qmp_query_migrate_parameters(NULL);

    monitor_printf(mon, "announce-initial: %" PRIu64 " ms\n",
                   p->announce_initial);
    monitor_printf(mon, "announce-max: %" PRIu64 " ms\n", p->announce_max);
    monitor_printf(mon, "announce-rounds: %" PRIu64 "\n",
                   p->announce_rounds);
    monitor_printf(mon, "announce-step: %" PRIu64 " ms\n", p->announce_step);
    monitor_printf(mon, "compress-level: %u\n", p->compress_level);
    monitor_printf(mon, "compress-threads: %u\n", p->compress_threads);
    monitor_printf(mon, "compress-wait-thread: %s\n",
                   on_off(p->compress_wait_thread));
    monitor_printf(mon, "decompress-threads: %u\n", p->decompress_threads);
    monitor_printf(mon, "throttle-trigger-threshold: %u\n",
                   p->throttle_trigger_threshold);
    monitor_printf(mon, "cpu-throttle-initial: %u\n",
                   p->cpu_throttle_initial);
    monitor_printf(mon, "cpu-throttle-increment: %u\n",
                   p->cpu_throttle_increment);
    monitor_printf(mon, "cpu-throttle-tailslow: %s\n",
                   on_off(p->cpu_throttle_tailslow));
    monitor_printf(mon, "max-cpu-throttle: %u\n", p->max_cpu_throttle);
    monitor_printf(mon, "tls-creds: '%s'\n", p->tls_creds);
    monitor_printf(mon, "tls-hostname: '%s'\n", p->tls_hostname);
    monitor_printf(mon, "max-bandwidth: %" PRIu64 " bytes/second\n",
                   p->max_bandwidth);
    monitor_printf(mon, "downtime-limit: %" PRIu64 " ms\n",
                   p->downtime_limit);
    monitor_printf(mon, "x-checkpoint-delay: %u ms\n",
                   p->x_checkpoint_delay);
    monitor_printf(mon, "block-incremental: %s\n",
                   on_off(p->block_incremental));
    monitor_printf(mon, "multifd-channels: %u\n", p->multifd_channels);
    monitor_printf(mon, "multifd-compression: %s\n",
                   MultiFDCompression_str(p->multifd_compression));
    monitor_printf(mon, "xbzrle-cache-size: %" PRIu64 " bytes\n",
                   p->xbzrle_cache_size);
    monitor_printf(mon, "max-postcopy-bandwidth: %" PRIu64 "\n",
                   p->max_postcopy_bandwidth);
    monitor_printf(mon, "tls-authz: '%s'\n", p->tls_authz);
    monitor_printf(mon, "x-colo-background-bandwidth: %" PRIu64
                   " bytes/second\n", p->x_colo_background_bandwidth);
}

static void hmp_migrate(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    bool blk = false, inc = false, resume = false;
    const char *uri = NULL;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0) {
            continue;
        } else if (strcmp(argv[i], "-b") == 0) {
            blk = true;
        } else if (strcmp(argv[i], "-i") == 0) {
            inc = true;
        } else if (strcmp(argv[i], "-r") == 0) {
            resume = true;
        } else {
            uri = argv[i];
        }
    }
    if (!uri) {
        monitor_printf(mon, "Parameter 'uri' is missing\n");
        return;
    }
    qmp_migrate(uri, true, blk, true, inc, false, false, true, resume,
                &err);
    hmp_handle_error(mon, err);
}

static void hmp_migrate_cancel(Monitor *mon, int argc, char **argv)
{
    qmp_migrate_cancel(NULL);
}

static void hmp_migrate_incoming(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    qmp_migrate_incoming(argv[0], &err);
    hmp_handle_error(mon, err);
}

static void hmp_migrate_set_capability(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;
    MigrationCapabilityStatus st;
    MigrationCapabilityStatusList l = { .next = NULL, .value = &st };
    int cap;

    if (!hmp_parse_on_off(mon, "migrate_set_capability", argv[1],
                          &st.state)) {
        return;
    }
    cap = qapi_enum_parse(&MigrationCapability_lookup, argv[0], -1, NULL);
    if (cap < 0) {
        error_setg(&err, "invalid parameter value: %s", argv[0]);
    } else {
        st.capability = cap;
        qmp_migrate_set_capabilities(&l, &err);
    }
    hmp_handle_error(mon, err);
}

typedef enum ParamKind {
    PK_UINT8, PK_UINT32, PK_UINT64, PK_SIZE, PK_BOOL, PK_STR, PK_COMPRESS,
} ParamKind;

typedef struct ParamDesc {
    const char *name;
    ParamKind kind;
    size_t has_off;             /* offsets in MigrateSetParameters */
    size_t val_off;
} ParamDesc;

#define P(n, field, kind) { n, kind, \
    offsetof(MigrateSetParameters, has_##field), \
    offsetof(MigrateSetParameters, field) }

static const ParamDesc params[] = {
    P("announce-initial", announce_initial, PK_SIZE),
    P("announce-max", announce_max, PK_SIZE),
    P("announce-rounds", announce_rounds, PK_SIZE),
    P("announce-step", announce_step, PK_SIZE),
    P("compress-level", compress_level, PK_UINT8),
    P("compress-threads", compress_threads, PK_UINT8),
    P("compress-wait-thread", compress_wait_thread, PK_BOOL),
    P("decompress-threads", decompress_threads, PK_UINT8),
    P("throttle-trigger-threshold", throttle_trigger_threshold, PK_UINT8),
    P("cpu-throttle-initial", cpu_throttle_initial, PK_UINT8),
    P("cpu-throttle-increment", cpu_throttle_increment, PK_UINT8),
    P("cpu-throttle-tailslow", cpu_throttle_tailslow, PK_BOOL),
    P("tls-creds", tls_creds, PK_STR),
    P("tls-hostname", tls_hostname, PK_STR),
    P("tls-authz", tls_authz, PK_STR),
    P("max-bandwidth", max_bandwidth, PK_SIZE),
    P("downtime-limit", downtime_limit, PK_UINT64),
    P("x-checkpoint-delay", x_checkpoint_delay, PK_UINT32),
    P("block-incremental", block_incremental, PK_BOOL),
    P("multifd-channels", multifd_channels, PK_UINT8),
    P("xbzrle-cache-size", xbzrle_cache_size, PK_SIZE),
    P("max-postcopy-bandwidth", max_postcopy_bandwidth, PK_SIZE),
    P("max-cpu-throttle", max_cpu_throttle, PK_UINT8),
    P("multifd-compression", multifd_compression, PK_COMPRESS),
    P("multifd-zlib-level", multifd_zlib_level, PK_UINT8),
    P("x-colo-background-bandwidth", x_colo_background_bandwidth, PK_SIZE),
    P("multifd-zstd-level", multifd_zstd_level, PK_UINT8),
};

static bool hmp_mig_parse_uint(const char *name, const char *s, uint64_t max,
                       uint64_t *out, Error **errp)
{
    const char *end;

    if (qemu_strtou64(s, &end, 0, out) < 0 || *end || *s == '-') {
        error_setg(errp, "Parameter '%s' expects uint64", name);
        return false;
    }
    if (*out > max) {
        error_setg(errp, "Parameter '%s' expects %s", name,
                   max == UINT8_MAX ? "uint8_t" : "uint32_t");
        return false;
    }
    return true;
}

/* Stores the parsed @s into @p according to @d. */
static bool parse_param(const ParamDesc *d, const char *s,
                        MigrateSetParameters *p, Error **errp)
{
    char *base = (char *)p;
    uint64_t v = 0;
    bool b;
    int e;

    switch (d->kind) {
    case PK_UINT8:
    case PK_UINT32:
    case PK_UINT64:
        if (!hmp_mig_parse_uint(d->name, s, d->kind == PK_UINT8 ? UINT8_MAX :
                        d->kind == PK_UINT32 ? UINT32_MAX : UINT64_MAX,
                        &v, errp)) {
            return false;
        }
        if (d->kind == PK_UINT8) {
            *(uint8_t *)(base + d->val_off) = v;
        } else if (d->kind == PK_UINT32) {
            *(uint32_t *)(base + d->val_off) = v;
        } else {
            *(uint64_t *)(base + d->val_off) = v;
        }
        break;
    case PK_SIZE:
        if (qemu_strtosz(s, NULL, &v) < 0) {
            error_setg(errp, "Parameter '%s' expects a size value",
                       d->name);
            return false;
        }
        *(uint64_t *)(base + d->val_off) = v;
        break;
    case PK_BOOL:
        if (strcmp(s, "on") && strcmp(s, "off")) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'",
                       d->name);
            return false;
        }
        b = strcmp(s, "on") == 0;
        *(bool *)(base + d->val_off) = b;
        break;
    case PK_STR: {
        StrOrNull *sn = g_new0(StrOrNull, 1);

        sn->type = QTYPE_QSTRING;
        sn->u.s = g_strdup(s);
        *(StrOrNull **)(base + d->val_off) = sn;
        break;
    }
    case PK_COMPRESS:
        e = qapi_enum_parse(&MultiFDCompression_lookup, s, -1, NULL);
        if (e < 0) {
            error_setg(errp, "Parameter '%s' does not accept value '%s'",
                       d->name, s);
            return false;
        }
        *(MultiFDCompression *)(base + d->val_off) = e;
        break;
    }
    *(bool *)(base + d->has_off) = true;
    return true;
}

static void hmp_migrate_set_parameter(Monitor *mon, int argc, char **argv)
{
    g_autoptr(MigrateSetParameters) p = g_new0(MigrateSetParameters, 1);
    Error *err = NULL;
    const ParamDesc *d = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(params); i++) {
        if (strcmp(params[i].name, argv[0]) == 0) {
            d = &params[i];
        }
    }
    if (!d) {
        error_setg(&err, "invalid parameter value: %s", argv[0]);
    } else if (parse_param(d, argv[1], p, &err)) {
        qmp_migrate_set_parameters(p, &err);
    }
    hmp_handle_error(mon, err);
}

static void hmp_x_colo_lost_heartbeat(Monitor *mon, int argc, char **argv)
{
    Error *err = NULL;

    qmp_x_colo_lost_heartbeat(&err);
    hmp_handle_error(mon, err);
}

/*
 * announce_self [interfaces] [id]: QMP announce-self with the announce-*
 * migration parameters; @interfaces is a comma-separated list of NIC
 * names (default: every NIC).
 */
static void hmp_announce_self(Monitor *mon, int argc, char **argv)
{
    g_autoptr(MigrationParameters) mp = qmp_query_migrate_parameters(NULL);
    g_autoptr(AnnounceParameters) ap = g_new0(AnnounceParameters, 1);
    Error *err = NULL;

    ap->initial = mp->announce_initial;
    ap->max = mp->announce_max;
    ap->rounds = mp->announce_rounds;
    ap->step = mp->announce_step;
    if (argc > 0) {
        g_auto(GStrv) names = g_strsplit(argv[0], ",", -1);

        ap->has_interfaces = true;
        for (int i = g_strv_length(names) - 1; i >= 0; i--) {
            QAPI_LIST_PREPEND(ap->interfaces, g_strdup(names[i]));
        }
    }
    if (argc > 1) {
        ap->id = g_strdup(argv[1]);
        ap->has_id = true;
    }
    qmp_announce_self(ap, &err);
    hmp_handle_error(mon, err);
}

static const HMPCommand hmp_migration_cmds[] = {
    { "migrate", "[-d] [-b] [-i] [-r] uri",
      "migrate to URI (using -d to not wait for completion)\n\t\t\t"
      " -b for migration without shared storage with full copy of disk\n"
      "\t\t\t -i for migration without shared storage with incremental"
      " copy of disk (base image shared between src and destination)\n"
      "\t\t\t -r to resume a paused migration", 1, 5, false, hmp_migrate },
    { "migrate_cancel", "", "cancel the current VM migration", 0, 0, false,
      hmp_migrate_cancel },
    { "migrate_incoming", "uri",
      "Continue an incoming migration from an -incoming defer", 1, 1, false,
      hmp_migrate_incoming },
    { "migrate_set_capability", "capability state",
      "Enable/Disable the usage of a capability for migration", 2, 2, false,
      hmp_migrate_set_capability },
    { "migrate_set_parameter", "parameter value",
      "Set the parameter for migration", 2, 2, false,
      hmp_migrate_set_parameter },
    { "x_colo_lost_heartbeat", "",
      "Tell COLO that heartbeat is lost,\n\t\t\t"
      "a failover or takeover is needed.", 0, 0, false,
      hmp_x_colo_lost_heartbeat },
    { "announce_self", "[interfaces] [id]",
      "Trigger GARP/RARP announcements", 0, 2, false, hmp_announce_self },
    { NULL },
};

static const HMPCommand hmp_migration_info_cmds[] = {
    { "migrate", "", "show migration status", 0, 0, false,
      hmp_info_migrate },
    { "migrate_capabilities", "", "show current migration capabilities",
      0, 0, false, hmp_info_migrate_capabilities },
    { "migrate_parameters", "", "show current migration parameters", 0, 0,
      false, hmp_info_migrate_parameters },
    { NULL },
};

static void hmp_migration_init(void) __attribute__((constructor));
static void hmp_migration_init(void)
{
    hmp_register_commands(hmp_migration_cmds, hmp_migration_info_cmds);
}
