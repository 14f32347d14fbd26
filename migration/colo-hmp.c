/*
 * COLO statistics for the monitor (x-query-colo-stats, HMP "info colo")
 * and DEBUG/TEST-ONLY HMP commands used by tests/functional/test_colo_*:
 *
 *   x_debug_colo_write ADDR BYTE LEN   fill guest RAM (RAM-block offset
 *                                      space of the first block) with BYTE
 *   x_debug_colo_hash                  SHA-256 of all guest RAM
 *   x_debug_colo_dirtier PAGES_PER_S   a thread dirtying random pages
 *                                      while the VM runs (0 stops it)
 *   x_debug_colo_request REASON        colo_notify_checkpoint_request()
 *   x_debug_colo_participants_checkpoint
 *                                      what the participants (proxy
 *                                      filters) see when a checkpoint
 *                                      is applied
 *   x_debug_colo_page_hashes arm|FILE  per-page RAM hashes at the next
 *                                      checkpoint (colo-debug.c)
 *
 * They are not part of any QEMU interface and exist only so that tests
 * can check replication without a CPU.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/dispatch.h"
#include "qapi/qapi-commands-migration.h"
#include "exec/memory.h"
#include "monitor/monitor.h"
#include "monitor/monitor-internal.h"
#include "system/runstate.h"
#include "migration/colo-int.h"

QMP_COMMAND_IMPLEMENTED(x_query_colo_stats);

ColoCheckpointStats *qmp_x_query_colo_stats(Error **errp)
{
    ColoCheckpointStats *r = g_new0(ColoCheckpointStats, 1);
    g_autofree ColoStats *s = g_new0(ColoStats, 1);

    colo_stats_get(s);
    r->checkpoints = s->checkpoints;
    r->trigger_periodic = s->triggers[COLO_CHECKPOINT_REASON_PERIODIC];
    r->trigger_miscompare = s->triggers[COLO_CHECKPOINT_REASON_MISCOMPARE];
    r->trigger_timeout = s->triggers[COLO_CHECKPOINT_REASON_TIMEOUT];
    r->trigger_queue_full = s->triggers[COLO_CHECKPOINT_REASON_QUEUE_FULL];
    r->trigger_external = s->triggers[COLO_CHECKPOINT_REASON_EXTERNAL];
    r->pause_last = s->pause_last_us;
    r->pause_mean = colo_stats_pause_mean_us(s);
    r->pause_p50 = colo_stats_pause_percentile_us(s, 50);
    r->pause_p99 = colo_stats_pause_percentile_us(s, 99);
    r->bytes_last = s->bytes_last;
    r->bytes_mean = colo_stats_bytes_mean(s);
    r->background_bytes = s->background_bytes;
    r->start_pause = s->start_pause_us;
    r->background_bandwidth = colo_background_bandwidth();
    return r;
}

static void hmp_info_colo(Monitor *mon, int argc, char **argv)
{
    g_autoptr(ColoCheckpointStats) r = qmp_x_query_colo_stats(NULL);

    monitor_printf(mon, "checkpoints: %" PRIu64 "\n", r->checkpoints);
    monitor_printf(mon, "triggers: periodic=%" PRIu64 " miscompare=%" PRIu64
                   " timeout=%" PRIu64 " queue-full=%" PRIu64
                   " external=%" PRIu64 "\n", r->trigger_periodic,
                   r->trigger_miscompare, r->trigger_timeout,
                   r->trigger_queue_full, r->trigger_external);
    monitor_printf(mon, "pause last: %" PRIu64 " us\n", r->pause_last);
    monitor_printf(mon, "pause mean: %" PRIu64 " us\n", r->pause_mean);
    monitor_printf(mon, "pause p50: %" PRIu64 " us\n", r->pause_p50);
    monitor_printf(mon, "pause p99: %" PRIu64 " us\n", r->pause_p99);
    monitor_printf(mon, "bytes last: %" PRIu64 "\n", r->bytes_last);
    monitor_printf(mon, "bytes mean: %" PRIu64 "\n", r->bytes_mean);
    monitor_printf(mon, "background bytes: %" PRIu64 "\n",
                   r->background_bytes);
    monitor_printf(mon, "start pause: %" PRIu64 " us\n", r->start_pause);
    monitor_printf(mon, "background bandwidth: %" PRIu64 " bytes/s\n",
                   r->background_bandwidth);
}

/* ---- debug/test only ---- */

static bool parse_u64(Monitor *mon, const char *s, uint64_t *v)
{
    char *end;

    errno = 0;
    *v = g_ascii_strtoull(s, &end, 0);
    if (errno || end == s || *end) {
        monitor_printf(mon, "invalid number '%s'\n", s);
        return false;
    }
    return true;
}

static void hmp_x_debug_colo_write(Monitor *mon, int argc, char **argv)
{
    RAMBlock *rb = ram_block_next(NULL);
    uint64_t off, byte, len;

    if (!parse_u64(mon, argv[0], &off) || !parse_u64(mon, argv[1], &byte) ||
        !parse_u64(mon, argv[2], &len)) {
        return;
    }
    if (!rb || off > ram_block_size(rb) || len > ram_block_size(rb) - off) {
        monitor_printf(mon, "range outside guest RAM\n");
        return;
    }
    memset(ram_block_host(rb) + off, (uint8_t)byte, len);
    physmem_note_write(rb, off, len);
}

static void hmp_x_debug_colo_hash(Monitor *mon, int argc, char **argv)
{
    g_autoptr(GChecksum) ck = g_checksum_new(G_CHECKSUM_SHA256);

    for (RAMBlock *rb = ram_block_next(NULL); rb; rb = ram_block_next(rb)) {
        g_checksum_update(ck, ram_block_host(rb), ram_block_size(rb));
    }
    monitor_printf(mon, "%s\n", g_checksum_get_string(ck));
}

/* What colo-compare does on a miscompare/timeout/full queue. */
static void hmp_x_debug_colo_request(Monitor *mon, int argc, char **argv)
{
    for (int i = 0; i < COLO_CHECKPOINT_REASON__MAX; i++) {
        if (!strcmp(argv[0], colo_checkpoint_reason_str(i))) {
            if (!colo_notify_checkpoint_request(i)) {
                monitor_printf(mon, "not a COLO primary\n");
            }
            return;
        }
    }
    monitor_printf(mon, "unknown reason '%s'\n", argv[0]);
}

/* What a checkpoint means to the COLO proxy, without a checkpoint. */
static void hmp_x_debug_colo_participants_checkpoint(Monitor *mon, int argc,
                                                     char **argv)
{
    colo_participants_checkpoint();
}

static struct {
    GThread *thread;
    uint64_t rate;          /* pages per second */
    gint stop;
} dirtier;

static gpointer dirtier_thread(gpointer opaque)
{
    RAMBlock *rb = ram_block_next(NULL);
    uint64_t pages = ram_block_size(rb) / TARGET_PAGE_SIZE;
    uint64_t n = 0;
    GRand *r = g_rand_new();

    uint64_t rate = dirtier.rate;

    while (!g_atomic_int_get(&dirtier.stop)) {
        if (runstate_is_running()) {
            /* a burst of 1 ms worth of pages */
            for (uint64_t i = 0; i < MAX(rate / 1000, 1); i++) {
                uint64_t off = g_rand_int_range(r, 0, pages) *
                               TARGET_PAGE_SIZE;

                *(uint64_t *)(ram_block_host(rb) + off) = ++n;
                physmem_note_write(rb, off, 8);
            }
        }
        g_usleep(1000);
    }
    g_rand_free(r);
    return NULL;
}

static void hmp_x_debug_colo_dirtier(Monitor *mon, int argc, char **argv)
{
    uint64_t rate;

    if (!parse_u64(mon, argv[0], &rate)) {
        return;
    }
    if (!ram_block_next(NULL)) {
        monitor_printf(mon, "no guest RAM\n");
        return;
    }
    if (dirtier.thread) {
        g_atomic_int_set(&dirtier.stop, 1);
        g_thread_join(dirtier.thread);
        dirtier.thread = NULL;
    }
    dirtier.rate = rate;
    g_atomic_int_set(&dirtier.stop, 0);
    if (rate) {
        dirtier.thread = g_thread_new("colo-dirtier", dirtier_thread, NULL);
    }
}

static void hmp_x_debug_colo_page_hashes(Monitor *mon, int argc,
                                         char **argv)
{
    Error *err = NULL;
    uint64_t checkpoint;

    if (!strcmp(argv[0], "arm")) {
        colo_debug_page_hashes_arm();
        return;
    }
    if (!colo_debug_page_hashes_save(argv[0], &checkpoint, &err)) {
        monitor_printf(mon, "%s\n", error_get_pretty(err));
        error_free(err);
        return;
    }
    monitor_printf(mon, "checkpoint %" PRIu64 "\n", checkpoint);
}

static const HMPCommand colo_hmp_cmds[] = {
    { "x_debug_colo_write", "addr byte len",
      "DEBUG/TEST ONLY: fill guest RAM with a byte", 3, 3, false,
      hmp_x_debug_colo_write },
    { "x_debug_colo_request", "reason",
      "DEBUG/TEST ONLY: request a checkpoint as a participant would", 1, 1,
      false, hmp_x_debug_colo_request },
    { "x_debug_colo_participants_checkpoint", "",
      "DEBUG/TEST ONLY: tell the COLO participants a checkpoint was "
      "applied", 0, 0, false, hmp_x_debug_colo_participants_checkpoint },
    { "x_debug_colo_hash", "",
      "DEBUG/TEST ONLY: SHA-256 of all guest RAM", 0, 0, false,
      hmp_x_debug_colo_hash },
    { "x_debug_colo_dirtier", "pages_per_second",
      "DEBUG/TEST ONLY: dirty random guest pages (0 stops)", 1, 1, false,
      hmp_x_debug_colo_dirtier },
    { "x_debug_colo_page_hashes", "arm|FILE",
      "DEBUG/TEST ONLY: 'arm' records per-page RAM hashes at the next "
      "checkpoint; FILE saves them", 1, 1, false,
      hmp_x_debug_colo_page_hashes },
    { NULL },
};

static const HMPCommand colo_hmp_info_cmds[] = {
    { "colo", "", "show COLO checkpoint statistics", 0, 0, false,
      hmp_info_colo },
    { NULL },
};

static void __attribute__((constructor)) colo_hmp_init(void)
{
    hmp_register_commands(colo_hmp_cmds, colo_hmp_info_cmds);
}
