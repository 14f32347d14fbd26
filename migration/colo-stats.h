/*
 * COLO statistics (pure core): checkpoint count, triggers by cause,
 * PVM pause per checkpoint (last, mean, p99 over the last
 * COLO_STATS_WINDOW checkpoints), bytes per checkpoint, background
 * transfer bytes and the pause at COLO start.
 */
#ifndef MIGRATION_COLO_STATS_H
#define MIGRATION_COLO_STATS_H

#include "migration/colo.h"

#define COLO_STATS_WINDOW 1024

typedef struct ColoStats {
    uint64_t checkpoints;
    uint64_t triggers[COLO_CHECKPOINT_REASON__MAX];
    uint64_t pause_last_us;
    uint64_t pause_sum_us;
    uint64_t bytes_last;
    uint64_t bytes_sum;
    uint64_t background_bytes;
    uint64_t start_pause_us;
    uint32_t window[COLO_STATS_WINDOW];     /* pauses, µs, ring */
} ColoStats;

/** colo_stats_record: one finished checkpoint. */
void colo_stats_record(ColoStats *s, ColoCheckpointReason why,
                       uint64_t pause_us, uint64_t bytes);
uint64_t colo_stats_pause_mean_us(const ColoStats *s);
/** colo_stats_pause_percentile_us: @pct (1..100) over the window. */
uint64_t colo_stats_pause_percentile_us(const ColoStats *s, unsigned pct);
uint64_t colo_stats_bytes_mean(const ColoStats *s);

#endif
