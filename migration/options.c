/*
 * Migration capabilities and parameters (see options.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "migration/options.h"

#define MAX_DOWNTIME_MS       2000000
#define MAX_ANNOUNCE_MS       100000
#define MAX_ANNOUNCE_ROUNDS   1000
#define MAX_ANNOUNCE_STEP_MS  10000
#define TARGET_PAGE          4096

void migration_options_init(MigrationOptions *o)
{
    MigrationParameters *p = &o->params;

    memset(o, 0, sizeof(*o));
    p->has_announce_initial = true;
    p->announce_initial = 50;
    p->has_announce_max = true;
    p->announce_max = 550;
    p->has_announce_rounds = true;
    p->announce_rounds = 5;
    p->has_announce_step = true;
    p->announce_step = 100;
    p->has_compress_level = true;
    p->compress_level = 1;
    p->has_compress_threads = true;
    p->compress_threads = 8;
    p->has_compress_wait_thread = true;
    p->compress_wait_thread = true;
    p->has_decompress_threads = true;
    p->decompress_threads = 2;
    p->has_throttle_trigger_threshold = true;
    p->throttle_trigger_threshold = 50;
    p->has_cpu_throttle_initial = true;
    p->cpu_throttle_initial = 20;
    p->has_cpu_throttle_increment = true;
    p->cpu_throttle_increment = 10;
    p->has_cpu_throttle_tailslow = true;
    p->cpu_throttle_tailslow = false;
    p->has_tls_creds = true;
    p->tls_creds = g_strdup("");
    p->has_tls_hostname = true;
    p->tls_hostname = g_strdup("");
    p->has_tls_authz = true;
    p->tls_authz = g_strdup("");
    p->has_max_bandwidth = true;
    p->max_bandwidth = 128 * 1024 * 1024;
    p->has_downtime_limit = true;
    p->downtime_limit = 300;
    p->has_x_checkpoint_delay = true;
    p->x_checkpoint_delay = 20000;
    p->has_block_incremental = true;
    p->block_incremental = false;
    p->has_multifd_channels = true;
    p->multifd_channels = 2;
    p->has_xbzrle_cache_size = true;
    p->xbzrle_cache_size = 64 * 1024 * 1024;
    p->has_max_postcopy_bandwidth = true;
    p->max_postcopy_bandwidth = 0;
    p->has_max_cpu_throttle = true;
    p->max_cpu_throttle = 99;
    p->has_multifd_compression = true;
    p->multifd_compression = MULTIFD_COMPRESSION_NONE;
    p->has_multifd_zlib_level = true;
    p->multifd_zlib_level = 1;
    p->has_multifd_zstd_level = true;
    p->multifd_zstd_level = 1;
    p->has_x_colo_background_bandwidth = true;
    p->x_colo_background_bandwidth = 64 * 1024 * 1024;
}

void migration_options_clear(MigrationOptions *o)
{
    g_free(o->params.tls_creds);
    g_free(o->params.tls_hostname);
    g_free(o->params.tls_authz);
    memset(o, 0, sizeof(*o));
}

bool migration_capability_supported(MigrationCapability cap)
{
    switch (cap) {
    case MIGRATION_CAPABILITY_EVENTS:
    case MIGRATION_CAPABILITY_X_COLO:
    case MIGRATION_CAPABILITY_ZERO_BLOCKS:
    case MIGRATION_CAPABILITY_PAUSE_BEFORE_SWITCHOVER:
    case MIGRATION_CAPABILITY_LATE_BLOCK_ACTIVATE:
    case MIGRATION_CAPABILITY_RETURN_PATH:
        return true;
    default:
        return false;
    }
}

bool migration_options_set_caps(MigrationOptions *o,
                                MigrationCapabilityStatusList *caps,
                                Error **errp)
{
    MigrationCapabilityStatusList *l;

    for (l = caps; l; l = l->next) {
        MigrationCapability c = l->value->capability;

        if (l->value->state && !migration_capability_supported(c)) {
            error_setg(errp, "Migration capability '%s' is not supported",
                       MigrationCapability_str(c));
            return false;
        }
    }
    for (l = caps; l; l = l->next) {
        o->caps[l->value->capability] = l->value->state;
    }
    return true;
}

MigrationCapabilityStatusList *
migration_options_query_caps(const MigrationOptions *o)
{
    MigrationCapabilityStatusList *head = NULL, **tail = &head;

    for (int i = 0; i < MIGRATION_CAPABILITY__MAX; i++) {
        MigrationCapabilityStatus *s = g_new0(MigrationCapabilityStatus, 1);

        s->capability = i;
        s->state = o->caps[i];
        QAPI_LIST_APPEND(tail, s);
    }
    return head;
}

static bool check_range(bool has, uint64_t v, uint64_t min, uint64_t max,
                        const char *name, const char *what, Error **errp)
{
    if (has && (v < min || v > max)) {
        error_setg(errp, "Parameter '%s' expects %s", name, what);
        return false;
    }
    return true;
}

static bool check_tls(bool has, const StrOrNull *s, const char *name,
                      Error **errp)
{
    if (has && s->type == QTYPE_QSTRING && s->u.s[0]) {
        error_setg(errp, "Parameter '%s': TLS is not supported", name);
        return false;
    }
    return true;
}

bool migration_options_check_params(const MigrateSetParameters *p,
                                    Error **errp)
{
    return
        check_range(p->has_compress_level, p->compress_level, 0, 9,
                    "compress_level", "a value between 0 and 9", errp) &&
        check_range(p->has_compress_threads, p->compress_threads, 1, 255,
                    "compress_threads", "a value between 1 and 255",
                    errp) &&
        check_range(p->has_decompress_threads, p->decompress_threads, 1, 255,
                    "decompress_threads", "a value between 1 and 255",
                    errp) &&
        check_range(p->has_throttle_trigger_threshold,
                    p->throttle_trigger_threshold, 1, 100,
                    "throttle_trigger_threshold",
                    "an integer in the range of 1 to 100", errp) &&
        check_range(p->has_cpu_throttle_initial, p->cpu_throttle_initial,
                    1, 99, "cpu_throttle_initial",
                    "an integer in the range of 1 to 99", errp) &&
        check_range(p->has_cpu_throttle_increment,
                    p->cpu_throttle_increment, 1, 99,
                    "cpu_throttle_increment",
                    "an integer in the range of 1 to 99", errp) &&
        check_range(p->has_max_cpu_throttle, p->max_cpu_throttle, 1, 99,
                    "max_cpu_throttle",
                    "an integer in the range of 1 to 99", errp) &&
        check_range(p->has_downtime_limit, p->downtime_limit, 0,
                    MAX_DOWNTIME_MS, "downtime_limit",
                    "an integer in the range of 0 to 2000000 milliseconds",
                    errp) &&
        check_range(p->has_multifd_channels, p->multifd_channels, 1, 255,
                    "multifd_channels", "a value between 1 and 255", errp) &&
        check_range(p->has_multifd_zlib_level, p->multifd_zlib_level, 0, 9,
                    "multifd_zlib_level", "a value between 0 and 9", errp) &&
        check_range(p->has_multifd_zstd_level, p->multifd_zstd_level, 0, 20,
                    "multifd_zstd_level", "a value between 0 and 20",
                    errp) &&
        check_range(p->has_xbzrle_cache_size, p->xbzrle_cache_size,
                    TARGET_PAGE, UINT64_MAX, "xbzrle_cache_size",
                    "a power of two no less than the target page size",
                    errp) &&
        check_range(p->has_xbzrle_cache_size,
                    (p->xbzrle_cache_size & (p->xbzrle_cache_size - 1)) == 0,
                    1, 1, "xbzrle_cache_size",
                    "a power of two no less than the target page size",
                    errp) &&
        check_range(p->has_announce_initial, p->announce_initial, 0,
                    MAX_ANNOUNCE_MS, "announce_initial",
                    "a value between 0 and 100000", errp) &&
        check_range(p->has_announce_max, p->announce_max, 0,
                    MAX_ANNOUNCE_MS, "announce_max",
                    "a value between 0 and 100000", errp) &&
        check_range(p->has_announce_rounds, p->announce_rounds, 0,
                    MAX_ANNOUNCE_ROUNDS, "announce_rounds",
                    "a value between 0 and 1000", errp) &&
        check_range(p->has_announce_step, p->announce_step, 1,
                    MAX_ANNOUNCE_STEP_MS, "announce_step",
                    "a value between 0 and 10000", errp) &&
        check_tls(p->has_tls_creds, p->tls_creds, "tls-creds", errp) &&
        check_tls(p->has_tls_hostname, p->tls_hostname, "tls-hostname",
                  errp) &&
        check_tls(p->has_tls_authz, p->tls_authz, "tls-authz", errp) &&
        check_range(p->has_block_bitmap_mapping, p->block_bitmap_mapping
                    != NULL, 0, 0, "block-bitmap-mapping",
                    "an empty list (dirty bitmaps are not supported)",
                    errp);
}

static void set_str(char **dst, bool has, const StrOrNull *s)
{
    if (has) {
        g_free(*dst);
        *dst = g_strdup(s->type == QTYPE_QSTRING ? s->u.s : "");
    }
}

#define APPLY(name) do {                      \
        if (p->has_##name) {                  \
            o->params.name = p->name;         \
        }                                     \
    } while (0)

bool migration_options_set_params(MigrationOptions *o,
                                  const MigrateSetParameters *p,
                                  Error **errp)
{
    if (!migration_options_check_params(p, errp)) {
        return false;
    }
    APPLY(announce_initial);
    APPLY(announce_max);
    APPLY(announce_rounds);
    APPLY(announce_step);
    APPLY(compress_level);
    APPLY(compress_threads);
    APPLY(compress_wait_thread);
    APPLY(decompress_threads);
    APPLY(throttle_trigger_threshold);
    APPLY(cpu_throttle_initial);
    APPLY(cpu_throttle_increment);
    APPLY(cpu_throttle_tailslow);
    APPLY(max_bandwidth);
    APPLY(downtime_limit);
    APPLY(x_checkpoint_delay);
    APPLY(block_incremental);
    APPLY(multifd_channels);
    APPLY(xbzrle_cache_size);
    APPLY(max_postcopy_bandwidth);
    APPLY(max_cpu_throttle);
    APPLY(multifd_compression);
    APPLY(multifd_zlib_level);
    APPLY(multifd_zstd_level);
    APPLY(x_colo_background_bandwidth);
    set_str(&o->params.tls_creds, p->has_tls_creds, p->tls_creds);
    set_str(&o->params.tls_hostname, p->has_tls_hostname, p->tls_hostname);
    set_str(&o->params.tls_authz, p->has_tls_authz, p->tls_authz);
    return true;
}

MigrationParameters *migration_options_query_params(const MigrationOptions *o)
{
    MigrationParameters *r = g_new(MigrationParameters, 1);

    *r = o->params;
    r->tls_creds = g_strdup(o->params.tls_creds);
    r->tls_hostname = g_strdup(o->params.tls_hostname);
    r->tls_authz = g_strdup(o->params.tls_authz);
    r->has_block_bitmap_mapping = false;
    r->block_bitmap_mapping = NULL;
    return r;
}
