/*
 * COLO secondary RAM cache (migration/colo-cache.c): the flush copies
 * exactly PVM-dirty | SVM-dirty pages, precopy back-up, undo of a
 * failed checkpoint; statistics (migration/colo-stats.c).
 */
#include "qemu/osdep.h"
#include "migration/colo-cache.h"
#include "migration/colo-stats.h"

#define PG COLO_CACHE_PAGE_SIZE
#define NPAGES 200          /* more than 3 longs of bitmap */

static void set_bit_ul(unsigned long *map, uint64_t i)
{
    map[i / (sizeof(long) * 8)] |= 1UL << (i % (sizeof(long) * 8));
}

static void test_flush_union(void)
{
    g_autofree uint8_t *ram = g_malloc0(NPAGES * PG);
    unsigned long svm[NPAGES / 64 + 2] = { 0 };
    ColoCache *c = colo_cache_new();
    int idx = colo_cache_add_block(c, ram, ram, NPAGES * PG);
    uint8_t *cache = colo_cache_data(c, idx);
    uint64_t pvm_pages[] = { 0, 63, 64, 130 };
    uint64_t svm_pages[] = { 5, 64, 199 };

    g_assert_cmpint(colo_cache_find(c, ram), ==, idx);
    g_assert_cmpuint(colo_cache_pages(c, idx), ==, NPAGES);
    /* cache holds 0xcc everywhere, RAM 0x11 */
    memset(cache, 0xcc, NPAGES * PG);
    memset(ram, 0x11, NPAGES * PG);
    for (size_t i = 0; i < G_N_ELEMENTS(pvm_pages); i++) {
        colo_cache_mark(c, idx, pvm_pages[i] * PG);
    }
    colo_cache_mark(c, idx, 63 * PG);       /* twice: counted once */
    colo_cache_mark(c, idx, NPAGES * PG);   /* outside: ignored */
    g_assert_cmpuint(colo_cache_pvm_dirty_count(c), ==, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(svm_pages); i++) {
        set_bit_ul(svm, svm_pages[i]);
    }
    g_assert_cmpuint(colo_cache_flush_block(c, idx, svm, NULL), ==, 6);
    for (uint64_t p = 0; p < NPAGES; p++) {
        bool want = p == 0 || p == 63 || p == 64 || p == 130 || p == 5 ||
                    p == 199;

        g_assert_cmpuint(ram[p * PG], ==, want ? 0xcc : 0x11);
        g_assert_cmpuint(ram[p * PG + PG - 1], ==, want ? 0xcc : 0x11);
    }
    /* PVM bits are consumed by the flush */
    g_assert_cmpuint(colo_cache_pvm_dirty_count(c), ==, 0);
    memset(ram, 0x11, NPAGES * PG);
    g_assert_cmpuint(colo_cache_flush_block(c, idx, NULL, NULL), ==, 0);
    g_assert_cmpuint(ram[0], ==, 0x11);
    colo_cache_free(c);
}

/* colo_undo_foreach callback: records (key, offset) pairs */
static void note_page(void *opaque, const void *key, uint64_t offset)
{
    GArray *seen = opaque;
    uint64_t v[2] = { (uintptr_t)key, offset };

    g_array_append_vals(seen, v, 2);
}

static void test_backup_and_undo(void)
{
    g_autoptr(GArray) seen = g_array_new(false, false, sizeof(uint64_t));
    g_autofree uint8_t *ram = g_malloc0(NPAGES * PG);
    ColoCache *c = colo_cache_new();
    int idx = colo_cache_add_block(c, ram, ram, NPAGES * PG);
    uint8_t *cache = colo_cache_data(c, idx);
    ColoUndo *u;

    memset(ram + 3 * PG, 0x42, PG);
    colo_cache_backup_page(c, idx, 3 * PG);
    g_assert_cmpuint(cache[3 * PG + 7], ==, 0x42);
    g_assert_cmpuint(cache[4 * PG], ==, 0);
    /* a page that became zero again is copied: the cache had data */
    memset(ram + 3 * PG, 0, PG);
    colo_cache_backup_page(c, idx, 3 * PG);
    g_assert_cmpuint(cache[3 * PG + 7], ==, 0);
    memset(ram, 0x55, NPAGES * PG);
    colo_cache_backup_all(c);
    g_assert_cmpuint(cache[NPAGES * PG - 1], ==, 0x55);

    /* a checkpoint whose device state fails is rolled back */
    memset(cache + 10 * PG, 0x99, PG);
    colo_cache_mark(c, idx, 10 * PG);
    u = colo_undo_new();
    g_assert_cmpuint(colo_cache_flush_block(c, idx, NULL, u), ==, 1);
    g_assert_cmpuint(ram[10 * PG], ==, 0x99);
    /* the undo log names the page the flush wrote, for the code hook */
    colo_undo_foreach(c, u, note_page, seen);
    g_assert_cmpuint(seen->len, ==, 2);
    g_assert_cmphex(g_array_index(seen, uint64_t, 0), ==, (uintptr_t)ram);
    g_assert_cmphex(g_array_index(seen, uint64_t, 1), ==, 10 * PG);
    colo_undo_apply(c, u);
    g_assert_cmpuint(ram[10 * PG], ==, 0x55);
    g_assert_cmpuint(ram[10 * PG + PG - 1], ==, 0x55);
    colo_undo_free(u);
    colo_cache_free(c);
}

static void test_stats(void)
{
    g_autofree ColoStats *s = g_new0(ColoStats, 1);

    g_assert_cmpuint(colo_stats_pause_percentile_us(s, 99), ==, 0);
    for (int i = 1; i <= 100; i++) {
        colo_stats_record(s, COLO_CHECKPOINT_REASON_PERIODIC, i * 10, 1000);
    }
    colo_stats_record(s, COLO_CHECKPOINT_REASON_MISCOMPARE, 5000, 3000);
    g_assert_cmpuint(s->checkpoints, ==, 101);
    g_assert_cmpuint(s->triggers[COLO_CHECKPOINT_REASON_PERIODIC], ==, 100);
    g_assert_cmpuint(s->triggers[COLO_CHECKPOINT_REASON_MISCOMPARE], ==, 1);
    g_assert_cmpuint(s->pause_last_us, ==, 5000);
    g_assert_cmpuint(colo_stats_pause_mean_us(s), ==, (50500 + 5000) / 101);
    g_assert_cmpuint(colo_stats_pause_percentile_us(s, 50), ==, 510);
    g_assert_cmpuint(colo_stats_pause_percentile_us(s, 99), ==, 1000);
    g_assert_cmpuint(colo_stats_pause_percentile_us(s, 100), ==, 5000);
    g_assert_cmpuint(colo_stats_bytes_mean(s), ==, (100000 + 3000) / 101);
    /* the window keeps the latest COLO_STATS_WINDOW pauses */
    for (int i = 0; i < COLO_STATS_WINDOW; i++) {
        colo_stats_record(s, COLO_CHECKPOINT_REASON_TIMEOUT, 7, 0);
    }
    g_assert_cmpuint(colo_stats_pause_percentile_us(s, 100), ==, 7);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/colo/cache/flush-union", test_flush_union);
    g_test_add_func("/colo/cache/backup-and-undo", test_backup_and_undo);
    g_test_add_func("/colo/stats/percentiles", test_stats);
    return g_test_run();
}
