/*
 * recwriter: numbered-record writer for disk replication tests.
 *
 * Usage: recwriter DEV [COUNT]      write records 0, 1, 2, ... (COUNT or
 *                                   until the end of DEV)
 *        recwriter -c DEV           check: print the records found
 *
 * Record n lives at byte offset n * 512 and is 512 bytes:
 *
 *   0   8  magic "TNDMREC1"
 *   8   8  record number n (little endian)
 *   16  8  CLOCK_REALTIME in ns when written
 *   24 488 filler: byte i = (n + i) & 0xff
 *
 * Writes use O_DIRECT|O_SYNC; after each write returns, "ACK n" is printed
 * (and flushed), so a test knows every ACKed record is on stable storage.
 * The check mode prints "LAST n", the highest n such that records 0..n are
 * all valid ("LAST none" if record 0 is not).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REC 512

static void fill(uint8_t *b, uint64_t n)
{
    struct timespec ts;
    uint64_t now;
    int i;

    clock_gettime(CLOCK_REALTIME, &ts);
    now = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
    memcpy(b, "TNDMREC1", 8);
    memcpy(b + 8, &n, 8);
    memcpy(b + 16, &now, 8);
    for (i = 24; i < REC; i++) {
        b[i] = (uint8_t)(n + i);
    }
}

static int valid(const uint8_t *b, uint64_t n)
{
    uint64_t got;
    int i;

    memcpy(&got, b + 8, 8);
    if (memcmp(b, "TNDMREC1", 8) || got != n) {
        return 0;
    }
    for (i = 24; i < REC; i++) {
        if (b[i] != (uint8_t)(n + i)) {
            return 0;
        }
    }
    return 1;
}

static int check(const char *dev)
{
    uint8_t b[REC];
    uint64_t n = 0;
    int fd = open(dev, O_RDONLY);

    if (fd < 0) {
        perror(dev);
        return 1;
    }
    while (pread(fd, b, REC, n * REC) == REC && valid(b, n)) {
        n++;
    }
    if (n == 0) {
        printf("LAST none\n");
    } else {
        printf("LAST %llu\n", (unsigned long long)(n - 1));
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n, count = UINT64_MAX;
    void *buf;
    int fd;

    if (argc == 3 && !strcmp(argv[1], "-c")) {
        return check(argv[2]);
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: recwriter DEV [COUNT] | recwriter -c DEV\n");
        return 2;
    }
    if (argc == 3) {
        count = strtoull(argv[2], NULL, 0);
    }
    fd = open(argv[1], O_WRONLY | O_DIRECT | O_SYNC);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    if (posix_memalign(&buf, 4096, REC)) {
        return 1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (n = 0; n < count; n++) {
        fill(buf, n);
        if (pwrite(fd, buf, REC, n * REC) != REC) {
            printf("END %llu\n", (unsigned long long)n);
            return n ? 0 : 1;
        }
        printf("ACK %llu\n", (unsigned long long)n);
    }
    return 0;
}
