/*
 * QemuOpts (see include/qemu/option.h for the syntax and data layout).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qobject/qdict.h"
#include "qobject/qstring.h"
#include "qobject/qjson.h"

struct QemuOpt {
    char *name;
    char *str;
    const QemuOptDesc *desc;
    union {
        bool boolean;
        uint64_t uint;
    } value;
};

struct QemuOpts {
    char *id;
    QemuOptsList *list;
    GPtrArray *opts;            /* QemuOpt *, in order of appearance */
};

#define MAX_OPTS_LISTS 64

static QemuOptsList *opts_lists[MAX_OPTS_LISTS + 1];

/* ------------------------------------------------------------------ */
/* Registry                                                            */

void qemu_add_opts(QemuOptsList *list)
{
    int i;

    for (i = 0; i < MAX_OPTS_LISTS; i++) {
        if (opts_lists[i] == list) {
            return;
        }
        if (!opts_lists[i]) {
            opts_lists[i] = list;
            return;
        }
    }
    fprintf(stderr, "too many option lists\n");
    abort();
}

QemuOptsList *qemu_find_opts_err(const char *group, Error **errp)
{
    int i;

    for (i = 0; opts_lists[i]; i++) {
        if (!strcmp(opts_lists[i]->name, group)) {
            return opts_lists[i];
        }
    }
    error_setg(errp, "There is no option group '%s'", group);
    return NULL;
}

QemuOptsList *qemu_find_opts(const char *group)
{
    Error *err = NULL;
    QemuOptsList *list = qemu_find_opts_err(group, &err);

    if (!list) {
        error_report_err(err);
    }
    return list;
}

QemuOptsList **qemu_get_opts_lists(void)
{
    return opts_lists;
}

/* ------------------------------------------------------------------ */
/* Single options                                                      */

static bool opts_accepts_any(const QemuOptsList *list)
{
    return list->desc[0].name == NULL;
}

static const QemuOptDesc *find_desc(const QemuOptDesc *desc,
                                    const char *name)
{
    for (; desc && desc->name; desc++) {
        if (!strcmp(desc->name, name)) {
            return desc;
        }
    }
    return NULL;
}

static bool parse_bool_value(const char *name, const char *value, bool *ret,
                             Error **errp)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") ||
        !strcmp(value, "true") || !strcmp(value, "y")) {
        *ret = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") ||
        !strcmp(value, "false") || !strcmp(value, "n")) {
        *ret = false;
        return true;
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

static bool parse_number_value(const char *name, const char *value,
                               uint64_t *ret, Error **errp)
{
    int err = qemu_strtou64(value, NULL, 0, ret);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is too large for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a number", name);
        return false;
    }
    return true;
}

static bool parse_size_value(const char *name, const char *value,
                             uint64_t *ret, Error **errp)
{
    int err = qemu_strtosz(value, NULL, ret);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is out of range for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", name);
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means "
                          "kilo-, mega-, giga-, tera-, peta-\n"
                          "and exabytes, respectively.\n");
        return false;
    }
    return true;
}

static bool opt_parse_value(QemuOpt *opt, Error **errp)
{
    if (!opt->desc) {
        return true;
    }
    switch (opt->desc->type) {
    case QEMU_OPT_STRING:
        return true;
    case QEMU_OPT_BOOL:
        return parse_bool_value(opt->name, opt->str, &opt->value.boolean,
                                errp);
    case QEMU_OPT_NUMBER:
        return parse_number_value(opt->name, opt->str, &opt->value.uint,
                                  errp);
    case QEMU_OPT_SIZE:
        return parse_size_value(opt->name, opt->str, &opt->value.uint,
                                errp);
    }
    g_assert_not_reached();
}

static void opt_free(gpointer p)
{
    QemuOpt *opt = p;

    g_free(opt->name);
    g_free(opt->str);
    g_free(opt);
}

/* Finds the last occurrence of @name. */
QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name)
{
    guint i;

    for (i = opts->opts->len; i > 0; i--) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i - 1);

        if (!strcmp(opt->name, name)) {
            return opt;
        }
    }
    return NULL;
}

const char *qemu_opt_get(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;
    const QemuOptDesc *desc;

    if (!opts) {
        return NULL;
    }
    opt = qemu_opt_find(opts, name);
    if (opt) {
        return opt->str;
    }
    desc = find_desc(opts->list->desc, name);
    return desc ? desc->def_value_str : NULL;
}

char *qemu_opt_get_del(QemuOpts *opts, const char *name)
{
    char *ret = g_strdup(qemu_opt_get(opts, name));

    if (opts) {
        qemu_opt_unset(opts, name);
    }
    return ret;
}

bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval)
{
    const char *str = qemu_opt_get(opts, name);
    bool ret;

    if (!str || !parse_bool_value(name, str, &ret, NULL)) {
        return defval;
    }
    return ret;
}

uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval)
{
    const char *str = qemu_opt_get(opts, name);
    uint64_t ret;

    if (!str || !parse_number_value(name, str, &ret, NULL)) {
        return defval;
    }
    return ret;
}

uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval)
{
    const char *str = qemu_opt_get(opts, name);
    uint64_t ret;

    if (!str || !parse_size_value(name, str, &ret, NULL)) {
        return defval;
    }
    return ret;
}

bool qemu_opt_has_help_opt(QemuOpts *opts)
{
    guint i;

    for (i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        if (!strcmp(opt->name, "help") || !strcmp(opt->name, "?")) {
            return true;
        }
    }
    return false;
}

int qemu_opt_unset(QemuOpts *opts, const char *name)
{
    int n = 0;
    guint i = 0;

    while (i < opts->opts->len) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        if (!strcmp(opt->name, name)) {
            g_ptr_array_remove_index(opts->opts, i);
            n++;
        } else {
            i++;
        }
    }
    return n;
}

/* Adds @name=@value after validating it against the list's desc. */
static bool opt_add(QemuOpts *opts, const char *name, const char *value,
                    Error **errp)
{
    const QemuOptDesc *desc = find_desc(opts->list->desc, name);
    QemuOpt *opt;

    if (!desc && !opts_accepts_any(opts->list)) {
        error_setg(errp, "Invalid parameter '%s'", name);
        return false;
    }
    opt = g_new0(QemuOpt, 1);
    opt->name = g_strdup(name);
    opt->str = g_strdup(value);
    opt->desc = desc;
    if (!opt_parse_value(opt, errp)) {
        opt_free(opt);
        return false;
    }
    g_ptr_array_add(opts->opts, opt);
    return true;
}

bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp)
{
    return opt_add(opts, name, value, errp);
}

bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp)
{
    return opt_add(opts, name, val ? "on" : "off", errp);
}

bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp)
{
    g_autofree char *s = g_strdup_printf("%" PRId64, val);

    return opt_add(opts, name, s, errp);
}

int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp)
{
    guint i;

    for (i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);
        int rc = func(opaque, opt->name, opt->str, errp);

        if (rc) {
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Option sets                                                         */

static bool id_is_wellformed(const char *id)
{
    int i;

    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (i = 1; id[i]; i++) {
        if (!g_ascii_isalnum(id[i]) && !strchr("-._", id[i])) {
            return false;
        }
    }
    return true;
}

QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id)
{
    GList *e;

    for (e = list->head; e; e = e->next) {
        QemuOpts *opts = e->data;

        if (!opts->id && !id) {
            return opts;
        }
        if (opts->id && id && !strcmp(opts->id, id)) {
            return opts;
        }
    }
    return NULL;
}

QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp)
{
    QemuOpts *opts;

    if (list->merge_lists) {
        if (id) {
            error_setg(errp, "Invalid parameter '%s'", "id");
            return NULL;
        }
        opts = qemu_opts_find(list, NULL);
        if (opts) {
            return opts;
        }
    } else if (id) {
        if (!id_is_wellformed(id)) {
            error_setg(errp, "Parameter '%s' expects %s", "id",
                       "an identifier");
            error_append_hint(errp, "Identifiers consist of letters, "
                              "digits, '-', '.', '_', starting with a "
                              "letter.\n");
            return NULL;
        }
        opts = qemu_opts_find(list, id);
        if (opts) {
            if (fail_if_exists) {
                error_setg(errp, "Duplicate ID '%s' for %s", id,
                           list->name);
                return NULL;
            }
            return opts;
        }
    }
    opts = g_new0(QemuOpts, 1);
    opts->id = g_strdup(id);
    opts->list = list;
    opts->opts = g_ptr_array_new_with_free_func(opt_free);
    list->head = g_list_append(list->head, opts);
    return opts;
}

void qemu_opts_del(QemuOpts *opts)
{
    if (!opts) {
        return;
    }
    opts->list->head = g_list_remove(opts->list->head, opts);
    g_ptr_array_free(opts->opts, true);
    g_free(opts->id);
    g_free(opts);
}

void qemu_opts_reset(QemuOptsList *list)
{
    while (list->head) {
        qemu_opts_del(list->head->data);
    }
}

const char *qemu_opts_id(QemuOpts *opts)
{
    return opts->id;
}

void qemu_opts_set_id(QemuOpts *opts, char *id)
{
    g_free(opts->id);
    opts->id = id;
}

QemuOptsList *qemu_opts_list(QemuOpts *opts)
{
    return opts->list;
}

bool qemu_opts_validate(QemuOpts *opts, const QemuOptDesc *desc,
                        Error **errp)
{
    guint i;

    for (i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        opt->desc = find_desc(desc, opt->name);
        if (!opt->desc) {
            error_setg(errp, "Invalid parameter '%s'", opt->name);
            return false;
        }
        if (!opt_parse_value(opt, errp)) {
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static bool is_help_name(const char *s)
{
    return !strcmp(s, "help") || !strcmp(s, "?");
}

/* Value up to an unescaped ',' with ",," -> ','. */
static const char *read_opt_value(const char *p, char **value)
{
    GString *s = g_string_new("");

    while (*p) {
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;
        }
        g_string_append_c(s, *p++);
    }
    *value = g_string_free(s, false);
    return p;
}

/*
 * One item at @p: sets *name and *value (allocated) and *is_flag when the
 * item had no '='.  Returns the start of the next item.
 */
static const char *read_item(const char *p, const char *firstname,
                             char **name, char **value, bool *is_flag)
{
    size_t len = strcspn(p, "=,");

    *is_flag = false;
    if (p[len] == '=') {
        *name = g_strndup(p, len);
        p = read_opt_value(p + len + 1, value);
    } else if (firstname) {
        *name = g_strdup(firstname);
        p = read_opt_value(p, value);
    } else {
        *name = g_strndup(p, len);
        p += len;
        *is_flag = true;
        if (g_str_has_prefix(*name, "no") && !is_help_name(*name)) {
            memmove(*name, *name + 2, strlen(*name + 2) + 1);
            *value = g_strdup("off");
        } else {
            *value = g_strdup("on");
        }
    }
    return *p == ',' ? p + 1 : p;
}

static bool opts_parse_items(QemuOpts *opts, const char *params,
                             const char *firstname, bool *help,
                             Error **errp)
{
    const char *p = params;

    while (*p) {
        g_autofree char *name = NULL, *value = NULL;
        bool is_flag;

        p = read_item(p, firstname, &name, &value, &is_flag);
        firstname = NULL;
        /*
         * Without @help, "help" is an ordinary flag: accepted by lists
         * without a desc (see qemu_opt_has_help_opt), else invalid.
         */
        if (is_flag && is_help_name(name) && help) {
            *help = true;
            return false;
        }
        if (!strcmp(name, "id")) {
            continue;
        }
        if (!opt_add(opts, name, value, errp)) {
            return false;
        }
    }
    return true;
}

bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp)
{
    return opts_parse_items(opts, params, firstname, NULL, errp);
}

/* The value of the last "id=" item, or NULL. */
static char *find_id(const char *params, const char *firstname)
{
    const char *p = params;
    char *id = NULL;

    while (*p) {
        g_autofree char *name = NULL;
        char *value = NULL;
        bool is_flag;

        p = read_item(p, firstname, &name, &value, &is_flag);
        firstname = NULL;
        if (!is_flag && !strcmp(name, "id")) {
            g_free(id);
            id = value;
        } else {
            g_free(value);
        }
    }
    return id;
}

QemuOpts *qemu_opts_parse_help(QemuOptsList *list, const char *params,
                               bool permit_abbrev, bool *help,
                               Error **errp)
{
    const char *firstname = permit_abbrev ? list->implied_opt_name : NULL;
    g_autofree char *id = find_id(params, firstname);
    QemuOpts *opts;

    if (help) {
        *help = false;
    }
    opts = qemu_opts_create(list, id, !list->merge_lists, errp);
    if (!opts) {
        return NULL;
    }
    if (!opts_parse_items(opts, params, firstname, help, errp)) {
        qemu_opts_del(opts);
        return NULL;
    }
    return opts;
}

QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp)
{
    return qemu_opts_parse_help(list, params, permit_abbrev, NULL, errp);
}

QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev)
{
    Error *err = NULL;
    bool help = false;
    /* lists accepting any key keep "help" as an option, as QEMU does */
    QemuOpts *opts = qemu_opts_parse_help(list, params, permit_abbrev,
                                          opts_accepts_any(list) ? NULL
                                                                 : &help,
                                          &err);

    if (!opts) {
        if (help) {
            qemu_opts_print_help(list, true);
        } else {
            error_report_err(err);
        }
    }
    return opts;
}

/* ------------------------------------------------------------------ */
/* Conversions, iteration, help                                        */

QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict)
{
    guint i;

    if (!qdict) {
        qdict = qdict_new();
    }
    if (opts->id) {
        qdict_put_str(qdict, "id", opts->id);
    }
    for (i = 0; i < opts->opts->len; i++) {
        QemuOpt *opt = g_ptr_array_index(opts->opts, i);

        qdict_put_str(qdict, opt->name, opt->str);
    }
    return qdict;
}

QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp)
{
    const char *id = qdict_get_try_str(qdict, "id");
    const QDictEntry *e;
    QemuOpts *opts = qemu_opts_create(list, id, 1, errp);

    if (!opts) {
        return NULL;
    }
    for (e = qdict_first(qdict); e; e = qdict_next(qdict, e)) {
        const char *key = qdict_entry_key(e);
        QObject *v = qdict_entry_value(e);
        g_autofree char *str = NULL;

        if (!strcmp(key, "id")) {
            continue;
        }
        switch (qobject_type(v)) {
        case QTYPE_QSTRING:
            str = g_strdup(qstring_get_str(qobject_to(QString, v)));
            break;
        case QTYPE_QNUM:
        case QTYPE_QBOOL: {
            GString *json = qobject_to_json(v);

            str = g_string_free(json, false);
            if (!strcmp(str, "true") || !strcmp(str, "false")) {
                char *b = g_strdup(!strcmp(str, "true") ? "on" : "off");

                g_free(str);
                str = b;
            }
            break;
        }
        default:
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "string", key);
            qemu_opts_del(opts);
            return NULL;
        }
        if (!opt_add(opts, key, str, errp)) {
            qemu_opts_del(opts);
            return NULL;
        }
    }
    return opts;
}

int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp)
{
    GList *e = list->head;

    while (e) {
        GList *next = e->next;  /* @func may delete the current opts */
        int rc = func(opaque, e->data, errp);

        if (rc) {
            return rc;
        }
        e = next;
    }
    return 0;
}

static const char *opt_type_str(QemuOptType type)
{
    switch (type) {
    case QEMU_OPT_STRING:
        return "str";
    case QEMU_OPT_BOOL:
        return "bool (on/off)";
    case QEMU_OPT_NUMBER:
        return "num";
    case QEMU_OPT_SIZE:
        return "size";
    }
    g_assert_not_reached();
}

static gint str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

char *qemu_opts_help_text(QemuOptsList *list, bool print_caption)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    GString *out = g_string_new("");
    const QemuOptDesc *desc;
    guint i;

    for (desc = list->desc; desc->name; desc++) {
        GString *s = g_string_new("");

        g_string_append_printf(s, "  %s=<%s>", desc->name,
                               opt_type_str(desc->type));
        if (desc->help) {
            while (s->len < 24) {
                g_string_append_c(s, ' ');
            }
            g_string_append_printf(s, " - %s", desc->help);
        }
        g_ptr_array_add(lines, g_string_free(s, false));
    }
    g_ptr_array_sort(lines, str_ptr_cmp);
    if (print_caption && lines->len) {
        g_string_append_printf(out, "%s options:\n",
                               list->name ? list->name : "");
    } else if (!lines->len) {
        g_string_append_printf(out, "There are no options for %s.\n",
                               list->name ? list->name : "");
    }
    for (i = 0; i < lines->len; i++) {
        g_string_append_printf(out, "%s\n",
                               (char *)g_ptr_array_index(lines, i));
    }
    return g_string_free(out, false);
}

void qemu_opts_print_help(QemuOptsList *list, bool print_caption)
{
    g_autofree char *text = qemu_opts_help_text(list, print_caption);

    fputs(text, stdout);
}
