/*
 * token: CGI program behind http://GUEST/cgi-bin/token.
 *
 * Prints one line "<realtime-ns>-<monotonic-ns>-<tsc>-<32 hex random>".
 * Every call differs, and two replicas of the same guest (COLO primary
 * and secondary) never agree, because the clocks and the TSC of two hosts
 * do not tick in lock step even when the kernel's RNG state was copied.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static uint64_t ns(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t tsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

int main(void)
{
    unsigned char rnd[16] = { 0 };
    int i;

    /* GRND_INSECURE never blocks, even before the CRNG is seeded. */
    if (getrandom(rnd, sizeof(rnd), GRND_INSECURE) < 0) {
        getrandom(rnd, sizeof(rnd), GRND_NONBLOCK);
    }
    printf("Content-Type: text/plain\r\n\r\n");
    printf("%llu-%llu-%llu-", (unsigned long long)ns(CLOCK_REALTIME),
           (unsigned long long)ns(CLOCK_MONOTONIC),
           (unsigned long long)tsc());
    for (i = 0; i < (int)sizeof(rnd); i++) {
        printf("%02x", rnd[i]);
    }
    printf("\n");
    return 0;
}
