/*
 * randio: random 4 KiB O_DIRECT I/O for the disk benchmark.
 *
 * Usage: randio DEV read|write COUNT [SPAN_MIB]
 *
 * Issues COUNT 4 KiB reads or writes at pseudo-random 4 KiB-aligned
 * offsets within the first SPAN_MIB MiB of DEV (default: all of it),
 * one at a time, and prints "randio OPS ops" when done.  The caller
 * times it (the guest's clock is not trusted under emulation).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLK 4096

int main(int argc, char **argv)
{
    int wr, fd;
    long count, done = 0;
    off_t span;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    void *buf;

    if (argc < 4) {
        fprintf(stderr, "usage: randio DEV read|write COUNT [SPAN_MIB]\n");
        return 2;
    }
    wr = strcmp(argv[2], "write") == 0;
    count = atol(argv[3]);
    fd = open(argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    span = argc > 4 ? (off_t)atol(argv[4]) << 20 : lseek(fd, 0, SEEK_END);
    if (span < BLK || posix_memalign(&buf, BLK, BLK)) {
        fprintf(stderr, "randio: bad span\n");
        return 1;
    }
    memset(buf, 0xa5, BLK);
    for (; done < count; done++) {
        off_t off;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        off = (off_t)(x % (uint64_t)(span / BLK)) * BLK;
        if ((wr ? pwrite(fd, buf, BLK, off) : pread(fd, buf, BLK, off))
            != BLK) {
            perror("randio");
            return 1;
        }
    }
    printf("randio %ld ops\n", done);
    return 0;
}
