/*
 * -d / -D debug logging: a mask of item bits and an output file.
 * qemu_log() lines go to the -D file (stderr by default).
 */
#ifndef QEMU_LOG_H
#define QEMU_LOG_H

#define CPU_LOG_TB_OUT_ASM  (1 << 0)
#define CPU_LOG_TB_IN_ASM   (1 << 1)
#define CPU_LOG_INT         (1 << 4)
#define CPU_LOG_EXEC        (1 << 5)
#define CPU_LOG_PCALL       (1 << 6)
#define CPU_LOG_TB_CPU      (1 << 8)
#define CPU_LOG_RESET       (1 << 9)
#define LOG_UNIMP           (1 << 10)
#define LOG_GUEST_ERROR     (1 << 11)
#define CPU_LOG_MMU         (1 << 12)
#define LOG_STRACE          (1 << 19)

bool qemu_loglevel_mask(int mask);
void qemu_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
#define qemu_log_mask(mask, fmt, ...)                   \
    do {                                                \
        if (unlikely(qemu_loglevel_mask(mask))) {       \
            qemu_log(fmt, ## __VA_ARGS__);              \
        }                                               \
    } while (0)

/* -d ITEMS: comma-separated names; "help" lists them; "trace:PATTERN"
 * enables trace events.  Returns false with errp set on a bad item. */
bool qemu_set_log_items(const char *items, Error **errp);
void qemu_print_log_usage(FILE *f);
/* -D FILE */
bool qemu_set_log_filename(const char *path, Error **errp);

#endif
