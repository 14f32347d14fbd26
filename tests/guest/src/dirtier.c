/*
 * dirtier: keeps a working set of guest memory dirty at a fixed rate.
 *
 * Usage: dirtier WORKING_SET_MiB RATE_MiB_PER_S
 * Allocates and touches WORKING_SET_MiB, then every 10 ms writes one word
 * into each of the next RATE/100 MiB worth of 4 KiB pages, cycling through
 * the working set, so RATE MiB of pages become dirty per second.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define PAGE 4096ul
#define TICK_NS 10000000l

int main(int argc, char **argv)
{
    unsigned long ws_mib, rate_mib, pages, per_tick, next = 0, i;
    uint64_t gen = 0;
    struct timespec t;
    uint8_t *mem;

    if (argc != 3) {
        fprintf(stderr, "usage: dirtier WORKING_SET_MiB RATE_MiB_PER_S\n");
        return 2;
    }
    ws_mib = strtoul(argv[1], NULL, 0);
    rate_mib = strtoul(argv[2], NULL, 0);
    pages = ws_mib * (1024 * 1024 / PAGE);
    if (pages == 0) {
        return 0;
    }
    mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (mem == MAP_FAILED) {
        perror("dirtier: mmap");
        return 1;
    }
    per_tick = rate_mib * (1024 * 1024 / PAGE) / 100;
    if (per_tick == 0 && rate_mib) {
        per_tick = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
    for (;;) {
        gen++;
        for (i = 0; i < per_tick; i++) {
            *(volatile uint64_t *)(mem + next * PAGE) = gen;
            next = (next + 1) % pages;
        }
        t.tv_nsec += TICK_NS;
        if (t.tv_nsec >= 1000000000l) {
            t.tv_nsec -= 1000000000l;
            t.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    }
}
