/*
 * Migration capabilities and parameters: QEMU 7.2 defaults, order,
 * validation messages, set/query round trips.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/util.h"
#include "migration/options.h"
#include "qapi/qapi-emit-events.h"

/* The generated event senders are linked but never called here. */
void qapi_event_emit(QAPIEvent event, QDict *qdict)
{
    g_assert_not_reached();
}

static const char *const cap_names[] = {
    "xbzrle", "rdma-pin-all", "auto-converge", "zero-blocks", "compress",
    "events", "postcopy-ram", "x-colo", "release-ram", "block",
    "return-path", "pause-before-switchover", "multifd", "dirty-bitmaps",
    "postcopy-blocktime", "late-block-activate", "x-ignore-shared",
    "validate-uuid", "background-snapshot", "zero-copy-send",
    "postcopy-preempt",
};

static void test_caps_default_order(void)
{
    MigrationOptions o;
    MigrationCapabilityStatusList *l, *caps;
    size_t i = 0;

    migration_options_init(&o);
    caps = migration_options_query_caps(&o);
    for (l = caps; l; l = l->next, i++) {
        g_assert_cmpuint(i, <, G_N_ELEMENTS(cap_names));
        g_assert_cmpstr(MigrationCapability_str(l->value->capability), ==,
                        cap_names[i]);
        g_assert_false(l->value->state);
    }
    g_assert_cmpuint(i, ==, 21);
    qapi_free_MigrationCapabilityStatusList(caps);
    migration_options_clear(&o);
}

static MigrationCapabilityStatusList *one_cap(MigrationCapability c,
                                              bool on)
{
    MigrationCapabilityStatusList *l = g_new0(MigrationCapabilityStatusList,
                                              1);

    l->value = g_new0(MigrationCapabilityStatus, 1);
    l->value->capability = c;
    l->value->state = on;
    return l;
}

static void test_caps_set(void)
{
    MigrationOptions o;
    MigrationCapabilityStatusList *l;
    Error *err = NULL;

    migration_options_init(&o);
    l = one_cap(MIGRATION_CAPABILITY_X_COLO, true);
    l->next = one_cap(MIGRATION_CAPABILITY_EVENTS, true);
    g_assert_true(migration_options_set_caps(&o, l, &error_abort));
    g_assert_true(o.caps[MIGRATION_CAPABILITY_X_COLO]);
    g_assert_true(o.caps[MIGRATION_CAPABILITY_EVENTS]);
    qapi_free_MigrationCapabilityStatusList(l);

    /* One unsupported capability: the whole list is refused. */
    l = one_cap(MIGRATION_CAPABILITY_EVENTS, false);
    l->next = one_cap(MIGRATION_CAPABILITY_XBZRLE, true);
    g_assert_false(migration_options_set_caps(&o, l, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Migration capability 'xbzrle' is not supported");
    error_free(err);
    g_assert_true(o.caps[MIGRATION_CAPABILITY_EVENTS]);
    qapi_free_MigrationCapabilityStatusList(l);

    /* Turning an unsupported one off is fine. */
    l = one_cap(MIGRATION_CAPABILITY_MULTIFD, false);
    g_assert_true(migration_options_set_caps(&o, l, &error_abort));
    qapi_free_MigrationCapabilityStatusList(l);
    migration_options_clear(&o);
}

static void test_params_defaults(void)
{
    MigrationOptions o;
    MigrationParameters *p;

    migration_options_init(&o);
    p = migration_options_query_params(&o);
    g_assert_cmpuint(p->announce_initial, ==, 50);
    g_assert_cmpuint(p->announce_max, ==, 550);
    g_assert_cmpuint(p->announce_rounds, ==, 5);
    g_assert_cmpuint(p->announce_step, ==, 100);
    g_assert_cmpuint(p->compress_level, ==, 1);
    g_assert_cmpuint(p->compress_threads, ==, 8);
    g_assert_true(p->compress_wait_thread);
    g_assert_cmpuint(p->decompress_threads, ==, 2);
    g_assert_cmpuint(p->throttle_trigger_threshold, ==, 50);
    g_assert_cmpuint(p->cpu_throttle_initial, ==, 20);
    g_assert_cmpuint(p->cpu_throttle_increment, ==, 10);
    g_assert_false(p->cpu_throttle_tailslow);
    g_assert_cmpstr(p->tls_creds, ==, "");
    g_assert_cmpstr(p->tls_hostname, ==, "");
    g_assert_cmpstr(p->tls_authz, ==, "");
    g_assert_cmpuint(p->max_bandwidth, ==, 134217728);
    g_assert_cmpuint(p->downtime_limit, ==, 300);
    g_assert_cmpuint(p->x_checkpoint_delay, ==, 20000);
    g_assert_false(p->block_incremental);
    g_assert_cmpuint(p->multifd_channels, ==, 2);
    g_assert_cmpuint(p->xbzrle_cache_size, ==, 67108864);
    g_assert_cmpuint(p->max_postcopy_bandwidth, ==, 0);
    g_assert_cmpuint(p->max_cpu_throttle, ==, 99);
    g_assert_cmpint(p->multifd_compression, ==, MULTIFD_COMPRESSION_NONE);
    g_assert_cmpuint(p->multifd_zlib_level, ==, 1);
    g_assert_cmpuint(p->multifd_zstd_level, ==, 1);
    g_assert_false(p->has_block_bitmap_mapping);
    qapi_free_MigrationParameters(p);
    migration_options_clear(&o);
}

static void test_params_set(void)
{
    MigrationOptions o;
    MigrateSetParameters s = { 0 };
    StrOrNull empty = { .type = QTYPE_QSTRING, .u.s = (char *)"" };
    Error *err = NULL;

    migration_options_init(&o);
    s.has_x_checkpoint_delay = true;
    s.x_checkpoint_delay = 2000;
    s.has_max_bandwidth = true;
    s.max_bandwidth = 1 << 20;
    s.has_tls_creds = true;
    s.tls_creds = &empty;
    g_assert_true(migration_options_set_params(&o, &s, &error_abort));
    g_assert_cmpuint(o.params.x_checkpoint_delay, ==, 2000);
    g_assert_cmpuint(o.params.max_bandwidth, ==, 1 << 20);
    g_assert_cmpuint(o.params.downtime_limit, ==, 300);

    /* Out of range: rejected, nothing applied. */
    memset(&s, 0, sizeof(s));
    s.has_x_checkpoint_delay = true;
    s.x_checkpoint_delay = 5;
    s.has_downtime_limit = true;
    s.downtime_limit = 2000001;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'downtime_limit' expects an integer in the "
                    "range of 0 to 2000000 milliseconds");
    error_free(err);
    err = NULL;
    g_assert_cmpuint(o.params.x_checkpoint_delay, ==, 2000);

    memset(&s, 0, sizeof(s));
    s.has_compress_level = true;
    s.compress_level = 10;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'compress_level' expects a value between 0 "
                    "and 9");
    error_free(err);
    err = NULL;

    memset(&s, 0, sizeof(s));
    s.has_xbzrle_cache_size = true;
    s.xbzrle_cache_size = 3 * 4096;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    error_free(err);
    err = NULL;

    memset(&s, 0, sizeof(s));
    s.has_cpu_throttle_initial = true;
    s.cpu_throttle_initial = 0;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'cpu_throttle_initial' expects an integer in "
                    "the range of 1 to 99");
    error_free(err);
    migration_options_clear(&o);
}

/*
 * QEMU 7.2 bounds the announce-* parameters from above only, except
 * announce-step (at least 1 ms): rounds 0 means "no announcement".
 */
static void test_params_announce_bounds(void)
{
    MigrationOptions o;
    MigrateSetParameters s = { 0 };
    Error *err = NULL;

    migration_options_init(&o);
    s.has_announce_initial = true;
    s.has_announce_max = true;
    s.has_announce_rounds = true;
    g_assert_true(migration_options_set_params(&o, &s, &error_abort));
    g_assert_cmpuint(o.params.announce_initial, ==, 0);
    g_assert_cmpuint(o.params.announce_max, ==, 0);
    g_assert_cmpuint(o.params.announce_rounds, ==, 0);

    memset(&s, 0, sizeof(s));
    s.has_announce_rounds = true;
    s.announce_rounds = 1001;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'announce_rounds' expects a value between 0 "
                    "and 1000");
    error_free(err);
    err = NULL;

    memset(&s, 0, sizeof(s));
    s.has_announce_step = true;
    g_assert_false(migration_options_set_params(&o, &s, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'announce_step' expects a value between 0 "
                    "and 10000");
    error_free(err);
    g_assert_cmpuint(o.params.announce_step, ==, 100);
    migration_options_clear(&o);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/options/caps/default-order",
                    test_caps_default_order);
    g_test_add_func("/migration/options/caps/set", test_caps_set);
    g_test_add_func("/migration/options/params/defaults",
                    test_params_defaults);
    g_test_add_func("/migration/options/params/set", test_params_set);
    g_test_add_func("/migration/options/params/announce-bounds",
                    test_params_announce_bounds);
    return g_test_run();
}
