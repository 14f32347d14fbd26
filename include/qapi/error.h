/*
 * The Error API (same rules as QEMU's):
 *
 * - A function that can fail takes `Error **errp` as its last parameter
 *   and returns bool (true on success), a pointer (NULL on failure) or a
 *   non-negative int (negative on failure).  It sets *errp on failure and
 *   only then.
 * - errp may be NULL (caller does not care), &error_abort (failure is a
 *   programming error: abort with the message), &error_fatal (print the
 *   message and exit(1); only for start-up code) or the address of a
 *   local `Error *err = NULL`.
 * - Messages are one phrase without trailing punctuation or newline.
 *   Hints go through error_append_hint().
 * - The consumer reports, exactly once: error_report_err() or by turning
 *   the error into a QMP reply.
 */
#ifndef QAPI_ERROR_H
#define QAPI_ERROR_H

/* QMP error classes (QapiErrorClass) in their wire spelling order. */
typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_ACTIVE,
    ERROR_CLASS_DEVICE_NOT_FOUND,
    ERROR_CLASS_KVM_MISSING_CAP,
    ERROR_CLASS__MAX,
} ErrorClass;

typedef struct Error Error;

extern Error *error_abort;
extern Error *error_fatal;

/* "GenericError", "CommandNotFound", ... */
const char *error_class_str(ErrorClass cls);

#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        ERROR_CLASS_GENERIC_ERROR, (fmt), ## __VA_ARGS__)
#define error_set(errp, cls, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        (cls), (fmt), ## __VA_ARGS__)
/* Appends ": strerror(os_errno)" to the message. */
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
                              (os_errno), (fmt), ## __VA_ARGS__)

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, ErrorClass cls,
                         const char *fmt, ...) G_GNUC_PRINTF(6, 7);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Moves local_err into *dst_errp (or reports/frees per the rules above). */
void error_propagate(Error **dst_errp, Error *local_err);
/* Prefixes the message of *errp, if set. */
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Adds a hint printed after the message by error_report_err(). */
void error_append_hint(Error **errp, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
const char *error_get_hint(const Error *err);
Error *error_copy(const Error *err);
void error_free(Error *err);
/* Frees *errp and sets it to NULL; aborts if it was not set (tests). */
void error_free_or_abort(Error **errp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

/* Prints "progname: [location: ]message\n" (+ hint) to stderr, frees. */
void error_report_err(Error *err);
void warn_report_err(Error *err);

/*
 * Reporting to the user.  Output goes to stderr (or the current monitor,
 * when one is executing a command) with the program name and the current
 * command-line location as prefix, and a timestamp with -msg timestamp=on.
 */
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Prints without any prefix (continuation lines, hints). */
void error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void warn_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/* Report at most once per call site. */
#define warn_report_once(fmt, ...)                  \
    ({                                              \
        static bool print_once_;                    \
        if (!print_once_) {                         \
            print_once_ = true;                     \
            warn_report(fmt, ## __VA_ARGS__);       \
        }                                           \
    })

/* Program name used as message prefix ("qemu-system-x86_64"). */
void error_set_progname(const char *progname);
const char *error_get_progname(void);
/* -msg timestamp=on */
void error_set_timestamps(bool on);

/*
 * Command-line location: while parsing option argv[i], messages are
 * prefixed with "-optname: " exactly like QEMU does.
 */
void loc_set_cmdline(const char *optname);
void loc_set_none(void);
const char *loc_get(void);

/*
 * Hook for the monitor: when set, error_report() and friends print
 * through this function instead of stderr (HMP command output).
 */
typedef void ErrorPrintFunc(void *opaque, const char *text);
void error_set_print_hook(ErrorPrintFunc *fn, void *opaque);

#endif
