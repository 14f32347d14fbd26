/*
 * Error objects and user-facing reporting.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"

struct Error {
    char *msg;
    ErrorClass cls;
    const char *src;
    const char *func;
    int line;
    GString *hint;
};

Error *error_abort;
Error *error_fatal;

static const char *progname = "qemu-system-x86_64";
static bool msg_timestamps;
static __thread const char *cur_loc;
static ErrorPrintFunc *print_hook;
static void *print_hook_opaque;

static const char *const error_class_names[ERROR_CLASS__MAX] = {
    [ERROR_CLASS_GENERIC_ERROR] = "GenericError",
    [ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
    [ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    [ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
    [ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
};

const char *error_class_str(ErrorClass cls)
{
    if (cls < 0 || cls >= ERROR_CLASS__MAX) {
        return "GenericError";
    }
    return error_class_names[cls];
}

void error_set_progname(const char *name)
{
    progname = name;
}

const char *error_get_progname(void)
{
    return progname;
}

void error_set_timestamps(bool on)
{
    msg_timestamps = on;
}

void loc_set_cmdline(const char *optname)
{
    cur_loc = optname;
}

void loc_set_none(void)
{
    cur_loc = NULL;
}

const char *loc_get(void)
{
    return cur_loc;
}

void error_set_print_hook(ErrorPrintFunc *fn, void *opaque)
{
    print_hook = fn;
    print_hook_opaque = opaque;
}

static void report_text(const char *prefix, const char *fmt, va_list ap)
{
    g_autoptr(GString) s = g_string_new(NULL);

    if (print_hook) {
        /* Inside a monitor command: no program name, like QEMU. */
        if (prefix) {
            g_string_append(s, prefix);
        }
        g_string_append_vprintf(s, fmt, ap);
        g_string_append_c(s, '\n');
        print_hook(print_hook_opaque, s->str);
        return;
    }
    if (msg_timestamps) {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *ts = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
        g_string_append_printf(s, "%s.%06dZ ", ts,
                               g_date_time_get_microsecond(now));
    }
    g_string_append_printf(s, "%s: ", progname);
    if (cur_loc) {
        g_string_append_printf(s, "%s: ", cur_loc);
    }
    if (prefix) {
        g_string_append(s, prefix);
    }
    g_string_append_vprintf(s, fmt, ap);
    g_string_append_c(s, '\n');
    fputs(s->str, stderr);
    fflush(stderr);
}

void error_vreport(const char *fmt, va_list ap)
{
    report_text(NULL, fmt, ap);
}

void warn_vreport(const char *fmt, va_list ap)
{
    report_text("warning: ", fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_text(NULL, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_text("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report_text("info: ", fmt, ap);
    va_end(ap);
}

void error_printf(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (print_hook) {
        print_hook(print_hook_opaque, text);
    } else {
        fputs(text, stderr);
    }
}

static void error_handle(Error **errp, Error *err)
{
    if (errp == &error_abort) {
        fprintf(stderr, "Unexpected error in %s() at %s:%d:\n",
                err->func, err->src, err->line);
        error_report("%s", err->msg);
        abort();
    }
    if (errp == &error_fatal) {
        error_report_err(err);
        exit(1);
    }
    if (!errp) {
        error_free(err);
        return;
    }
    /* Setting an error twice is a bug in the caller. */
    assert(*errp == NULL);
    *errp = err;
}

static void error_setv(Error **errp, const char *src, int line,
                       const char *func, ErrorClass cls, const char *fmt,
                       va_list ap, const char *suffix)
{
    Error *err;
    int saved_errno = errno;

    if (errp == NULL) {
        return;
    }
    err = g_new0(Error, 1);
    err->msg = g_strdup_vprintf(fmt, ap);
    if (suffix) {
        char *msg = err->msg;

        err->msg = g_strdup_printf("%s: %s", msg, suffix);
        g_free(msg);
    }
    err->cls = cls;
    err->src = src;
    err->line = line;
    err->func = func;
    error_handle(errp, err);
    errno = saved_errno;
}

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, ErrorClass cls,
                         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_setv(errp, src, line, func, cls, fmt, ap, NULL);
    va_end(ap);
}

void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
{
    va_list ap;
    int saved_errno = errno;

    va_start(ap, fmt);
    error_setv(errp, src, line, func, ERROR_CLASS_GENERIC_ERROR, fmt, ap,
               os_errno != 0 ? g_strerror(os_errno) : NULL);
    va_end(ap);
    errno = saved_errno;
}

void error_propagate(Error **dst_errp, Error *local_err)
{
    if (!local_err) {
        return;
    }
    if (dst_errp == &error_abort || dst_errp == &error_fatal) {
        error_handle(dst_errp, local_err);
        return;
    }
    if (dst_errp && !*dst_errp) {
        *dst_errp = local_err;
    } else {
        error_free(local_err);
    }
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix;
    char *msg;

    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_append_hint(Error **errp, const char *fmt, ...)
{
    va_list ap;
    Error *err;

    if (!errp || errp == &error_abort || errp == &error_fatal || !*errp) {
        return;
    }
    err = *errp;
    if (!err->hint) {
        err->hint = g_string_new(NULL);
    }
    va_start(ap, fmt);
    g_string_append_vprintf(err->hint, fmt, ap);
    va_end(ap);
}

const char *error_get_pretty(const Error *err)
{
    return err->msg;
}

ErrorClass error_get_class(const Error *err)
{
    return err->cls;
}

const char *error_get_hint(const Error *err)
{
    return err->hint ? err->hint->str : NULL;
}

Error *error_copy(const Error *err)
{
    Error *copy = g_new0(Error, 1);

    copy->msg = g_strdup(err->msg);
    copy->cls = err->cls;
    copy->src = err->src;
    copy->line = err->line;
    copy->func = err->func;
    if (err->hint) {
        copy->hint = g_string_new(err->hint->str);
    }
    return copy;
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        if (err->hint) {
            g_string_free(err->hint, true);
        }
        g_free(err);
    }
}

void error_free_or_abort(Error **errp)
{
    assert(errp && *errp);
    error_free(*errp);
    *errp = NULL;
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    if (err->hint) {
        if (print_hook) {
            print_hook(print_hook_opaque, err->hint->str);
        } else {
            fputs(err->hint->str, stderr);
        }
    }
    error_free(err);
}

void warn_report_err(Error *err)
{
    warn_report("%s", err->msg);
    if (err->hint) {
        fputs(err->hint->str, stderr);
    }
    error_free(err);
}
