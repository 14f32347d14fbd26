/*
 * HMP: the human monitor's command table, argument splitting, help and
 * dispatch.  The commands themselves live in hmp-cmds*.c; this file only
 * knows how to find and call them.
 *
 * A command line is "name arg1 arg2 ..." separated by blanks; a command
 * may ask for "the rest of the line" as its last argument (object_add
 * takes one option string that may contain anything but newlines).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "monitor/monitor.h"
#include "monitor-internal.h"
#include "trace/trace-monitor.h"

#define HMP_MAX_TABLES 16

static const HMPCommand *extra_cmds[HMP_MAX_TABLES];
static const HMPCommand *extra_info_cmds[HMP_MAX_TABLES];

void hmp_register_commands(const HMPCommand *cmds,
                           const HMPCommand *info_cmds)
{
    for (int i = 0; i < HMP_MAX_TABLES; i++) {
        if (cmds && !extra_cmds[i]) {
            extra_cmds[i] = cmds;
            cmds = NULL;
        }
        if (info_cmds && !extra_info_cmds[i]) {
            extra_info_cmds[i] = info_cmds;
            info_cmds = NULL;
        }
    }
    assert(!cmds && !info_cmds);
}

static const HMPCommand *hmp_find_in(const HMPCommand *table,
                                     const char *name)
{
    for (const HMPCommand *c = table; c->name; c++) {
        g_auto(GStrv) names = g_strsplit(c->name, "|", -1);

        for (char **n = names; *n; n++) {
            if (strcmp(*n, name) == 0) {
                return c;
            }
        }
    }
    return NULL;
}

/* @table is hmp_cmds or hmp_info_cmds; the registered extras of the same
 * kind are searched too. */
static const HMPCommand *hmp_find(const HMPCommand *table, const char *name)
{
    const HMPCommand *const *extras =
        table == hmp_info_cmds ? extra_info_cmds : extra_cmds;
    const HMPCommand *c = hmp_find_in(table, name);

    for (int i = 0; !c && i < HMP_MAX_TABLES && extras[i]; i++) {
        c = hmp_find_in(extras[i], name);
    }
    return c;
}

static gint hmp_cmd_ptr_cmp(gconstpointer a, gconstpointer b)
{
    const HMPCommand *ca = *(const HMPCommand *const *)a;
    const HMPCommand *cb = *(const HMPCommand *const *)b;

    return strcmp(ca->name, cb->name);
}

/* Every command of a kind, sorted by name. */
static GPtrArray *hmp_all_commands(const HMPCommand *table)
{
    const HMPCommand *const *extras =
        table == hmp_info_cmds ? extra_info_cmds : extra_cmds;
    GPtrArray *all = g_ptr_array_new();

    for (const HMPCommand *c = table; c->name; c++) {
        g_ptr_array_add(all, (gpointer)c);
    }
    for (int i = 0; i < HMP_MAX_TABLES && extras[i]; i++) {
        for (const HMPCommand *c = extras[i]; c->name; c++) {
            g_ptr_array_add(all, (gpointer)c);
        }
    }
    g_ptr_array_sort(all, hmp_cmd_ptr_cmp);
    return all;
}

static void hmp_print_help_line(Monitor *mon, const char *prefix,
                                const HMPCommand *c)
{
    monitor_printf(mon, "%s%s %s -- %s\n", prefix, c->name,
                   c->params ? c->params : "", c->help);
}

void hmp_help_cmd(Monitor *mon, const char *name)
{
    const HMPCommand *c;

    if (!name || !*name || strcmp(name, "info") == 0) {
        bool info = name && *name;
        g_autoptr(GPtrArray) all = hmp_all_commands(info ? hmp_info_cmds :
                                                    hmp_cmds);

        for (guint i = 0; i < all->len; i++) {
            hmp_print_help_line(mon, info ? "info " : "",
                                g_ptr_array_index(all, i));
        }
        return;
    }
    c = hmp_find(hmp_cmds, name);
    if (!c) {
        monitor_printf(mon, "unknown command: '%s'\n", name);
        return;
    }
    hmp_print_help_line(mon, "", c);
}

/*
 * Splits @line into at most @max words; when @rest is set, the last word
 * is the remainder of the line with leading blanks removed.
 */
static GPtrArray *hmp_split_args(const char *line, int max, bool rest)
{
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;

    while (*p) {
        const char *start;

        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            break;
        }
        if (rest && (int)args->len == max - 1) {
            g_autofree char *tail = g_strdup(p);

            g_ptr_array_add(args, g_strdup(g_strchomp(tail)));
            break;
        }
        start = p;
        while (*p && *p != ' ' && *p != '\t') {
            p++;
        }
        g_ptr_array_add(args, g_strndup(start, p - start));
    }
    return args;
}

static void hmp_dispatch(Monitor *mon, const HMPCommand *table,
                         const char *prefix, const char *line)
{
    g_autofree char *name = NULL;
    const char *p = line;
    const char *args_start;
    const HMPCommand *c;
    GPtrArray *args;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    args_start = p;
    while (*args_start && *args_start != ' ' && *args_start != '\t') {
        args_start++;
    }
    name = g_strndup(p, args_start - p);
    if (!*name) {
        if (table == hmp_info_cmds) {
            hmp_help_cmd(mon, "info");
        }
        return;
    }
    c = hmp_find(table, name);
    if (!c) {
        monitor_printf(mon, "unknown command: '%s%s'\n", prefix, name);
        return;
    }
    trace_hmp_command(c->name);
    if (c->sub_table) {
        hmp_dispatch(mon, c->sub_table, "info ", args_start);
        return;
    }
    args = hmp_split_args(args_start, c->max_args, c->rest_arg);
    if ((int)args->len < c->min_args || (int)args->len > c->max_args) {
        if ((int)args->len < c->min_args) {
            monitor_printf(mon, "%s: missing argument\n", c->name);
        } else {
            monitor_printf(mon, "%s: extraneous characters at the end of "
                           "line\n", c->name);
        }
        monitor_printf(mon, "Try \"help %s\" for more information\n",
                       c->name);
        g_ptr_array_free(args, true);
        return;
    }
    g_ptr_array_add(args, NULL);
    c->cmd(mon, (int)args->len - 1, (char **)args->pdata);
    g_ptr_array_free(args, true);
}

void hmp_handle_command(Monitor *mon, const char *line)
{
    monitor_set_current(mon);
    hmp_dispatch(mon, hmp_cmds, "", line);
    monitor_set_current(NULL);
}

void hmp_handle_error(Monitor *mon, Error *err)
{
    if (err) {
        monitor_printf(mon, "Error: %s\n", error_get_pretty(err));
        if (error_get_hint(err)) {
            monitor_puts(mon, error_get_hint(err));
        }
        error_free(err);
    }
}

bool hmp_parse_on_off(Monitor *mon, const char *cmd, const char *s,
                      bool *out)
{
    if (strcmp(s, "on") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(s, "off") == 0) {
        *out = false;
        return true;
    }
    monitor_printf(mon, "Expected 'on' or 'off'\n");
    monitor_printf(mon, "Try \"help %s\" for more information\n", cmd);
    return false;
}
