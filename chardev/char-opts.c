/*
 * Chardev option syntax: -chardev "backend,id=X,key=value,..." and the
 * -serial/-monitor/-qmp shorthand ("unix:PATH,server=on", "tcp:H:P",
 * "stdio", "mon:stdio", ...), both turned into the flat QDict that
 * qemu_chr_new_from_qdict() takes.  Values stay strings.
 */
#include "qemu/osdep.h"
#include "chardev/char.h"

/* Every key -chardev accepts (QEMU 7.2's list plus reconnect-ms). */
static const char *const chr_keys[] = {
    "backend", "id", "path", "host", "port", "fd", "localaddr",
    "localport", "to", "ipv4", "ipv6", "wait", "server", "delay",
    "nodelay", "reconnect", "reconnect-ms", "telnet", "tn3270",
    "tls-creds", "tls-authz", "websocket", "width", "height", "cols",
    "rows", "mux", "signal", "name", "debug", "size", "chardev", "append",
    "logfile", "logappend", "mouse", "clipboard", "tight", "abstract",
    NULL,
};

/* Boolean keys (short forms "key" / "nokey" apply only to these). */
static const char *const chr_bool_keys[] = {
    "ipv4", "ipv6", "wait", "server", "delay", "nodelay", "telnet",
    "tn3270", "websocket", "mux", "signal", "append", "logappend", "mouse",
    "clipboard", "tight", "abstract", NULL,
};

static bool key_in(const char *const *list, const char *key)
{
    for (; *list; list++) {
        if (!strcmp(*list, key)) {
            return true;
        }
    }
    return false;
}

static void warn_short_form(const char *item, const char *key,
                            const char *value)
{
    Error *warn = NULL;

    error_setg(&warn, "short-form boolean option '%s' deprecated", item);
    error_append_hint(&warn, "Please use %s=%s instead\n", key, value);
    warn_report_err(warn);
}

/* Splits at unescaped commas; ",," is a literal comma. */
static GPtrArray *split_opts(const char *str)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new("");
    const char *p;

    for (p = str; *p; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',') {
            g_ptr_array_add(parts, g_string_free(cur, false));
            cur = g_string_new("");
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(parts, g_string_free(cur, false));
    return parts;
}

/*
 * Adds "key=value" items from @parts starting at @first to @opts.
 * @implied: key of a first item without '=' (NULL: none).
 */
static bool parse_items(QDict *opts, GPtrArray *parts, guint first,
                        const char *implied, Error **errp)
{
    guint i;

    for (i = first; i < parts->len; i++) {
        const char *item = g_ptr_array_index(parts, i);
        const char *eq = strchr(item, '=');
        g_autofree char *key = NULL;
        const char *value;

        if (!*item && i + 1 == parts->len && i > first) {
            continue;           /* trailing comma */
        }
        if (i == first && implied && !eq) {
            qdict_put_str(opts, implied, item);
            continue;
        }
        if (eq) {
            key = g_strndup(item, eq - item);
            value = eq + 1;
        } else if (key_in(chr_bool_keys, item)) {
            key = g_strdup(item);
            value = "on";
            warn_short_form(item, key, value);
        } else if (g_str_has_prefix(item, "no") &&
                   key_in(chr_bool_keys, item + 2)) {
            key = g_strdup(item + 2);
            value = "off";
            warn_short_form(item, key, value);
        } else {
            key = g_strdup(item);
            value = NULL;
        }
        if (!key_in(chr_keys, key)) {
            error_setg(errp, "Invalid parameter '%s'", key);
            return false;
        }
        if (!value) {
            error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
            return false;
        }
        qdict_put_str(opts, key, value);
    }
    return true;
}

QDict *qemu_chr_parse_opts_str(const char *optstr, Error **errp)
{
    g_autoptr(GPtrArray) parts = split_opts(optstr);
    QDict *opts = qdict_new();

    if (!parse_items(opts, parts, 0, "backend", errp)) {
        qdict_unref(opts);
        return NULL;
    }
    return opts;
}

/* "host:port" or "[v6]:port" into @opts; false if malformed. */
static bool parse_host_port(QDict *opts, const char *hp)
{
    const char *colon;
    g_autofree char *host = NULL;

    if (hp[0] == '[') {
        const char *end = strchr(hp, ']');

        if (!end || end[1] != ':') {
            return false;
        }
        host = g_strndup(hp + 1, end - hp - 1);
        colon = end + 1;
    } else {
        colon = strchr(hp, ':');
        if (!colon) {
            return false;
        }
        host = g_strndup(hp, colon - hp);
    }
    if (!colon[1]) {
        return false;
    }
    qdict_put_str(opts, "host", host);
    qdict_put_str(opts, "port", colon + 1);
    return true;
}

static QDict *compat_socket(QDict *opts, const char *rest, bool inet,
                            Error **errp)
{
    g_autoptr(GPtrArray) parts = split_opts(rest);

    qdict_put_str(opts, "backend", "socket");
    if (inet) {
        if (!parse_host_port(opts, g_ptr_array_index(parts, 0))) {
            error_setg(errp, "host and/or port not specified");
            goto fail;
        }
    } else {
        qdict_put_str(opts, "path", g_ptr_array_index(parts, 0));
    }
    if (!parse_items(opts, parts, 1, NULL, errp)) {
        goto fail;
    }
    return opts;

fail:
    qdict_unref(opts);
    return NULL;
}

QDict *qemu_chr_parse_compat(const char *label, const char *filename,
                             bool permit_mux_mon, Error **errp)
{
    QDict *opts;
    const char *p;

    if (!strcmp(filename, "none")) {
        return NULL;
    }
    opts = qdict_new();
    qdict_put_str(opts, "id", label);
    if (permit_mux_mon && g_str_has_prefix(filename, "mon:")) {
        filename += 4;
        qdict_put_str(opts, "mux", "on");
    }
    if (!strcmp(filename, "null") || !strcmp(filename, "pty") ||
        !strcmp(filename, "stdio") || !strcmp(filename, "msmouse")) {
        qdict_put_str(opts, "backend", filename);
        return opts;
    }
    if (!strcmp(filename, "vc") || g_str_has_prefix(filename, "vc:")) {
        /* No graphical consoles: a virtual console discards output. */
        qdict_put_str(opts, "backend", "null");
        return opts;
    }
    if ((p = g_str_has_prefix(filename, "file:") ? filename + 5 : NULL)) {
        qdict_put_str(opts, "backend", "file");
        qdict_put_str(opts, "path", p);
        return opts;
    }
    if ((p = g_str_has_prefix(filename, "pipe:") ? filename + 5 : NULL)) {
        qdict_put_str(opts, "backend", "pipe");
        qdict_put_str(opts, "path", p);
        return opts;
    }
    if (g_str_has_prefix(filename, "tcp:")) {
        return compat_socket(opts, filename + 4, true, errp);
    }
    if (g_str_has_prefix(filename, "unix:")) {
        return compat_socket(opts, filename + 5, false, errp);
    }
    if (g_str_has_prefix(filename, "chardev:")) {
        qdict_put_str(opts, "chardev-ref", filename + 8);
        return opts;
    }
    /* Anything else names a backend ("'x' is not a valid char driver"). */
    qdict_put_str(opts, "backend", filename);
    return opts;
}
