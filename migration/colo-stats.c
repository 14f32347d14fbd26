/*
 * COLO statistics; see colo-stats.h.
 */
#include "qemu/osdep.h"
#include "migration/colo-stats.h"

void colo_stats_record(ColoStats *s, ColoCheckpointReason why,
                       uint64_t pause_us, uint64_t bytes)
{
    s->window[s->checkpoints % COLO_STATS_WINDOW] =
        MIN(pause_us, UINT32_MAX);
    s->checkpoints++;
    if (why < COLO_CHECKPOINT_REASON__MAX) {
        s->triggers[why]++;
    }
    s->pause_last_us = pause_us;
    s->pause_sum_us += pause_us;
    s->bytes_last = bytes;
    s->bytes_sum += bytes;
}

uint64_t colo_stats_pause_mean_us(const ColoStats *s)
{
    return s->checkpoints ? s->pause_sum_us / s->checkpoints : 0;
}

uint64_t colo_stats_bytes_mean(const ColoStats *s)
{
    return s->checkpoints ? s->bytes_sum / s->checkpoints : 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

uint64_t colo_stats_pause_percentile_us(const ColoStats *s, unsigned pct)
{
    size_t n = MIN(s->checkpoints, COLO_STATS_WINDOW);
    g_autofree uint32_t *v = NULL;
    size_t rank;

    if (!n) {
        return 0;
    }
    v = g_memdup2(s->window, n * sizeof(uint32_t));
    qsort(v, n, sizeof(uint32_t), cmp_u32);
    /* nearest rank */
    rank = (n * MIN(MAX(pct, 1u), 100u) + 99) / 100;
    return v[rank - 1];
}
