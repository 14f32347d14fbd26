/*
 * Monitors on character devices.
 *
 *   chardev --read--> QMP: QmpSession (JSON streamer, dispatch)
 *                     HMP: line editor --line--> hmp_handle_command()
 *   chardev <--write-- replies, events (QMP) / echo, output (HMP)
 *
 * Each time a client connects (CHR_EVENT_OPENED) a QMP monitor starts a new
 * session with a greeting; when it goes away (CHR_EVENT_CLOSED) the session
 * is freed, so negotiation state never leaks from one client to the next.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "chardev/char.h"
#include "chardev/char-fe.h"
#include "monitor/monitor.h"
#include "monitor/qmp.h"
#include "monitor-internal.h"
#include "trace/trace-monitor.h"
#include "config-host.h"

struct Monitor {
    CharBackend chr;
    bool is_qmp;
    bool pretty;
    QmpSession *qmp;
    GMutex out_lock;
    GString *outbuf;         /* output the chardev did not take yet */
    guint out_watch;
    /* HMP line editor */
    GString *line;
    size_t shown;            /* characters of the line on screen */
    bool skip_lf;            /* after CR, a following LF is not a new line */
    int esc_state;           /* 0 none, 1 after ESC, 2 inside CSI */
    /* Capture buffer for human-monitor-command (no chardev). */
    GString *capture;
};

static GList *all_monitors;
static __thread Monitor *cur_mon;

void monitor_set_current(Monitor *mon)
{
    cur_mon = mon;
}

Monitor *monitor_current(void)
{
    return cur_mon;
}

/* A client that stops reading must not stall the main loop, nor make us
 * grow without bound: output waits in outbuf, up to this much. */
#define MONITOR_OUTBUF_MAX (16 * 1024 * 1024)

static gboolean monitor_unblocked(void *do_not_use, GIOCondition cond,
                                  void *opaque);

/* Called with out_lock held. */
static void monitor_flush_locked(Monitor *mon)
{
    while (mon->outbuf->len) {
        int n = qemu_chr_fe_write(&mon->chr, (const uint8_t *)mon->outbuf->str,
                                  mon->outbuf->len);

        if (n > 0) {
            g_string_erase(mon->outbuf, 0, n);
            continue;
        }
        if (n < 0 && errno != EAGAIN) {
            /* The connection is gone; what it did not take is lost. */
            g_string_truncate(mon->outbuf, 0);
            return;
        }
        if (!mon->out_watch) {
            mon->out_watch = qemu_chr_fe_add_watch(&mon->chr,
                                                   G_IO_OUT | G_IO_HUP,
                                                   monitor_unblocked, mon);
            if (!mon->out_watch) {
                g_string_truncate(mon->outbuf, 0);
            }
        }
        return;
    }
}

static gboolean monitor_unblocked(void *do_not_use, GIOCondition cond,
                                  void *opaque)
{
    Monitor *mon = opaque;

    /* The watch is one-shot; flushing re-arms it if output remains. */
    g_mutex_lock(&mon->out_lock);
    mon->out_watch = 0;
    monitor_flush_locked(mon);
    g_mutex_unlock(&mon->out_lock);
    return G_SOURCE_REMOVE;
}

static void monitor_write_raw(Monitor *mon, const char *buf, size_t len)
{
    if (mon->capture) {
        g_string_append_len(mon->capture, buf, len);
        return;
    }
    g_mutex_lock(&mon->out_lock);
    if (mon->outbuf->len + len > MONITOR_OUTBUF_MAX) {
        warn_report_once("monitor output dropped: the client does not "
                         "read");
    } else {
        g_string_append_len(mon->outbuf, buf, len);
        monitor_flush_locked(mon);
    }
    g_mutex_unlock(&mon->out_lock);
}

static void monitor_drop_output(Monitor *mon)
{
    g_mutex_lock(&mon->out_lock);
    g_string_truncate(mon->outbuf, 0);
    if (mon->out_watch) {
        g_source_remove(mon->out_watch);
        mon->out_watch = 0;
    }
    g_mutex_unlock(&mon->out_lock);
}

void monitor_puts(Monitor *mon, const char *text)
{
    g_autoptr(GString) out = g_string_new(NULL);

    for (const char *p = text; *p; p++) {
        if (*p == '\n') {
            g_string_append(out, "\r\n");
        } else {
            g_string_append_c(out, *p);
        }
    }
    monitor_write_raw(mon, out->str, out->len);
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *text = NULL;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_puts(mon, text);
}

/* error_report() inside an HMP command prints to that monitor. */
static void monitor_error_print(void *opaque, const char *text)
{
    Monitor *mon = monitor_current();

    if (mon && !mon->is_qmp) {
        monitor_puts(mon, text);
    } else {
        fputs(text, stderr);
    }
}

static void hmp_run_line(Monitor *mon, const char *line)
{
    error_set_print_hook(monitor_error_print, NULL);
    hmp_handle_command(mon, line);
    error_set_print_hook(NULL, NULL);
}

char *hmp_run_command_capture(const char *cmdline)
{
    Monitor mon = { 0 };
    Monitor *saved = monitor_current();

    mon.capture = g_string_new(NULL);
    hmp_run_line(&mon, cmdline);
    monitor_set_current(saved);
    return g_string_free(mon.capture, false);
}

/* ---- QMP ---- */

static void monitor_qmp_write(void *opaque, const char *buf, size_t len)
{
    monitor_write_raw(opaque, buf, len);
}

static int monitor_qmp_can_read(void *opaque)
{
    return 4096;
}

static void monitor_qmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;

    if (mon->qmp) {
        qmp_session_feed(mon->qmp, (const char *)buf, size);
    }
}

static void monitor_qmp_event(void *opaque, QEMUChrEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        trace_monitor_qmp_open(mon);
        if (mon->qmp) {
            qmp_session_free(mon->qmp);
        }
        mon->qmp = qmp_session_new(monitor_qmp_write, mon);
        qmp_session_set_pretty(mon->qmp, mon->pretty);
        qmp_session_start(mon->qmp);
        break;
    case CHR_EVENT_CLOSED:
        trace_monitor_qmp_close(mon);
        if (mon->qmp) {
            qmp_session_free(mon->qmp);
            mon->qmp = NULL;
        }
        monitor_drop_output(mon);
        break;
    default:
        break;
    }
}

/* ---- HMP line editor ---- */

static void hmp_prompt(Monitor *mon)
{
    monitor_write_raw(mon, "(qemu) ", 7);
    mon->shown = 0;
}

/* Redraws the line the way QEMU's readline does: back to the start of the
 * input, print it, clear to the end of the screen line. */
static void hmp_redraw(Monitor *mon)
{
    g_autoptr(GString) out = g_string_new(NULL);

    for (size_t i = 0; i < mon->shown; i++) {
        g_string_append(out, "\033[D");
    }
    g_string_append_len(out, mon->line->str, mon->line->len);
    g_string_append(out, "\033[K");
    mon->shown = mon->line->len;
    monitor_write_raw(mon, out->str, out->len);
}

static void hmp_input_byte(Monitor *mon, uint8_t c)
{
    if (mon->esc_state == 1) {
        mon->esc_state = (c == '[' || c == 'O') ? 2 : 0;
        return;
    }
    if (mon->esc_state == 2) {
        if (c >= 0x40 && c <= 0x7e) {
            mon->esc_state = 0;
        }
        return;
    }
    if (c == '\n' && mon->skip_lf) {
        mon->skip_lf = false;
        return;
    }
    mon->skip_lf = false;
    switch (c) {
    case '\r':
    case '\n': {
        g_autofree char *line = g_strdup(mon->line->str);

        mon->skip_lf = (c == '\r');
        monitor_write_raw(mon, "\r\n", 2);
        g_string_truncate(mon->line, 0);
        mon->shown = 0;
        hmp_run_line(mon, line);
        hmp_prompt(mon);
        break;
    }
    case 27:
        mon->esc_state = 1;
        break;
    case 8:
    case 127:
        if (mon->line->len) {
            g_string_truncate(mon->line, mon->line->len - 1);
            hmp_redraw(mon);
        }
        break;
    default:
        if (c >= 32 && mon->line->len < 4096) {
            g_string_append_c(mon->line, c);
            hmp_redraw(mon);
        }
        break;
    }
}

static int monitor_hmp_can_read(void *opaque)
{
    return 1024;
}

static void monitor_hmp_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;

    for (int i = 0; i < size; i++) {
        hmp_input_byte(mon, buf[i]);
    }
}

static void monitor_hmp_event(void *opaque, QEMUChrEvent event)
{
    Monitor *mon = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
        g_string_truncate(mon->line, 0);
        mon->shown = 0;
        monitor_printf(mon, "QEMU %s monitor - type 'help' for more "
                       "information\n", TANDEM_VERSION);
        hmp_prompt(mon);
        break;
    case CHR_EVENT_MUX_IN:
        /* Switching to the monitor on a mux shows the prompt again. */
        hmp_prompt(mon);
        break;
    default:
        break;
    }
}

Monitor *monitor_new(Chardev *chr, bool qmp, bool pretty, Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    g_mutex_init(&mon->out_lock);
    mon->is_qmp = qmp;
    mon->pretty = pretty;
    mon->line = g_string_new(NULL);
    mon->outbuf = g_string_new(NULL);
    if (!qemu_chr_fe_init(&mon->chr, chr, errp)) {
        g_string_free(mon->line, true);
        g_string_free(mon->outbuf, true);
        g_free(mon);
        return NULL;
    }
    if (qmp) {
        qemu_chr_fe_set_handlers(&mon->chr, monitor_qmp_can_read,
                                 monitor_qmp_read, monitor_qmp_event, NULL,
                                 mon, NULL, true);
    } else {
        qemu_chr_fe_set_handlers(&mon->chr, monitor_hmp_can_read,
                                 monitor_hmp_read, monitor_hmp_event, NULL,
                                 mon, NULL, true);
    }
    all_monitors = g_list_append(all_monitors, mon);
    return mon;
}

void monitor_cleanup_all(void)
{
    for (GList *l = all_monitors; l; l = l->next) {
        Monitor *mon = l->data;

        monitor_drop_output(mon);
        qemu_chr_fe_deinit(&mon->chr, false);
        if (mon->qmp) {
            qmp_session_free(mon->qmp);
        }
        g_string_free(mon->line, true);
        g_string_free(mon->outbuf, true);
        g_free(mon);
    }
    g_list_free(all_monitors);
    all_monitors = NULL;
}
