/*
 * Debug log (-d/-D).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/log.h"
#include "trace/control.h"

typedef struct LogItem {
    int mask;
    const char *name;
    const char *help;
} LogItem;

static const LogItem log_items[] = {
    { CPU_LOG_TB_OUT_ASM, "out_asm", "show generated host assembly code "
      "for each compiled TB" },
    { CPU_LOG_TB_IN_ASM, "in_asm", "show target assembly code for each "
      "compiled TB" },
    { CPU_LOG_INT, "int", "show interrupts/exceptions in short format" },
    { CPU_LOG_EXEC, "exec", "show trace before each executed TB (lots "
      "of logs)" },
    { CPU_LOG_TB_CPU, "cpu", "show CPU registers before entering a TB "
      "(lots of logs)" },
    { CPU_LOG_MMU, "mmu", "log MMU-related activities" },
    { CPU_LOG_PCALL, "pcall", "x86 only: show protected mode far calls/"
      "returns/exceptions" },
    { CPU_LOG_RESET, "cpu_reset", "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does "
      "something invalid (eg accessing a non-existent register)" },
    { LOG_STRACE, "strace", "log every user-mode syscall, its input, and "
      "its result" },
};

static int log_mask;
static FILE *log_file;
static GMutex log_lock;

bool qemu_loglevel_mask(int mask)
{
    return (log_mask & mask) != 0;
}

void qemu_log(const char *fmt, ...)
{
    va_list ap;
    FILE *f = log_file ? log_file : stderr;

    g_mutex_lock(&log_lock);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
    g_mutex_unlock(&log_lock);
}

void qemu_print_log_usage(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
    }
    fprintf(f, "trace:PATTERN   enable trace events\n");
    fprintf(f, "\nUse \"-d trace:help\" to get a list of trace events.\n\n");
}

bool qemu_set_log_items(const char *items, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(items, ",", -1);
    int mask = 0;

    for (char **p = parts; *p; p++) {
        bool found = false;

        if (g_str_has_prefix(*p, "trace:")) {
            trace_enable_events(*p + 6, true);
            continue;
        }
        if (strcmp(*p, "all") == 0) {
            for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
                mask |= log_items[i].mask;
            }
            continue;
        }
        for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
            if (strcmp(*p, log_items[i].name) == 0) {
                mask |= log_items[i].mask;
                found = true;
            }
        }
        if (!found) {
            error_setg(errp, "Invalid -d option \"%s\"", *p);
            return false;
        }
    }
    log_mask = mask;
    return true;
}

bool qemu_set_log_filename(const char *path, Error **errp)
{
    FILE *f = fopen(path, "a");

    if (!f) {
        error_setg_errno(errp, errno, "Error opening logfile %s", path);
        return false;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    return true;
}
