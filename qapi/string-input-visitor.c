/*
 * String input visitor: one scalar (or a list of integers) from a
 * string, as QOM property setters from the command line need.
 *
 * Integer lists accept comma-separated values and ranges: "0,2-4".
 * Lists of other types are not supported.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/string-input-visitor.h"
#include "qapi/visitor-impl.h"
#include "qobject/qnull.h"
#include "visitor-parse.h"

typedef struct StringInputVisitor {
    Visitor visitor;
    char *string;
    /* list mode: remaining "a,b-c" text and the current range */
    bool in_list;
    const char *lm_next;
    int64_t range_next, range_last;
    bool range_active;
} StringInputVisitor;

static StringInputVisitor *to_siv(Visitor *v)
{
    return container_of(v, StringInputVisitor, visitor);
}

static bool siv_start_list(Visitor *v, const char *name, GenericList **list,
                           size_t size, Error **errp)
{
    StringInputVisitor *siv = to_siv(v);

    siv->in_list = true;
    siv->lm_next = siv->string;
    siv->range_active = false;
    if (list) {
        *list = *siv->string ? g_malloc0(size) : NULL;
    }
    return true;
}

static bool siv_has_more(StringInputVisitor *siv)
{
    return siv->range_active || (siv->lm_next && *siv->lm_next);
}

static GenericList *siv_next_list(Visitor *v, GenericList *tail, size_t size)
{
    StringInputVisitor *siv = to_siv(v);

    if (!siv_has_more(siv)) {
        return NULL;
    }
    tail->next = g_malloc0(size);
    return tail->next;
}

static bool siv_check_list(Visitor *v, Error **errp)
{
    return true;
}

static void siv_end_list(Visitor *v, void **obj)
{
    to_siv(v)->in_list = false;
}

/* Next integer of the list ("1,3-5"): ranges are expanded. */
static bool siv_next_int(StringInputVisitor *siv, const char *name,
                         int64_t *obj, Error **errp)
{
    const char *p = siv->lm_next, *comma;
    g_autofree char *item = NULL;
    char *dash;
    int64_t first, last;

    if (siv->range_active) {
        *obj = siv->range_next++;
        siv->range_active = siv->range_next <= siv->range_last;
        return true;
    }
    if (!p || !*p) {
        error_setg(errp, "Fewer list elements expected");
        return false;
    }
    comma = strchr(p, ',');
    item = comma ? g_strndup(p, comma - p) : g_strdup(p);
    siv->lm_next = comma ? comma + 1 : p + strlen(p);
    dash = strchr(item + 1, '-');
    if (dash) {
        *dash = 0;
    }
    if (!qapi_parse_int64(item, &first) ||
        (dash && (!qapi_parse_int64(dash + 1, &last) || last < first ||
                  last - first > 65536))) {
        error_setg(errp, "Parameter '%s' expects an int64 value or range",
                   name ? name : "null");
        return false;
    }
    *obj = first;
    if (dash && last > first) {
        siv->range_next = first + 1;
        siv->range_last = last;
        siv->range_active = true;
    }
    return true;
}

static bool siv_type_int64(Visitor *v, const char *name, int64_t *obj,
                           Error **errp)
{
    StringInputVisitor *siv = to_siv(v);

    if (siv->in_list) {
        return siv_next_int(siv, name, obj, errp);
    }
    if (!qapi_parse_int64(siv->string, obj)) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   "int64");
        return false;
    }
    return true;
}

static bool siv_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                            Error **errp)
{
    StringInputVisitor *siv = to_siv(v);
    int64_t val;

    if (siv->in_list) {
        if (!siv_next_int(siv, name, &val, errp)) {
            return false;
        }
        if (val < 0) {
            error_setg(errp, "Parameter '%s' expects %s",
                       name ? name : "null", "uint64");
            return false;
        }
        *obj = val;
        return true;
    }
    if (!qapi_parse_uint64(siv->string, obj)) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   "uint64");
        return false;
    }
    return true;
}

static bool siv_type_size(Visitor *v, const char *name, uint64_t *obj,
                          Error **errp)
{
    StringInputVisitor *siv = to_siv(v);

    if (!qapi_parse_size(siv->string, obj)) {
        error_setg(errp, "Parameter '%s' expects a non-negative number "
                   "below 2^64", name ? name : "null");
        error_append_hint(errp, QAPI_SIZE_HINT);
        return false;
    }
    return true;
}

static bool siv_type_bool(Visitor *v, const char *name, bool *obj,
                          Error **errp)
{
    return qapi_bool_parse(name ? name : "null", to_siv(v)->string, obj,
                           errp);
}

static bool siv_type_str(Visitor *v, const char *name, char **obj,
                         Error **errp)
{
    *obj = g_strdup(to_siv(v)->string);
    return true;
}

static bool siv_type_number(Visitor *v, const char *name, double *obj,
                            Error **errp)
{
    if (!qapi_parse_number(to_siv(v)->string, obj)) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   "number");
        return false;
    }
    return true;
}

static bool siv_type_null(Visitor *v, const char *name, QNull **obj,
                          Error **errp)
{
    *obj = NULL;
    if (*to_siv(v)->string) {
        error_setg(errp, "Parameter '%s' expects %s", name ? name : "null",
                   "null");
        return false;
    }
    *obj = qnull();
    return true;
}

static bool siv_type_any(Visitor *v, const char *name, QObject **obj,
                         Error **errp)
{
    *obj = NULL;
    error_setg(errp, "Parameter '%s' can't be set from a string",
               name ? name : "null");
    return false;
}

static bool siv_start_struct(Visitor *v, const char *name, void **obj,
                             size_t size, Error **errp)
{
    if (obj) {
        *obj = NULL;
    }
    error_setg(errp, "Parameter '%s' can't be set from a string",
               name ? name : "null");
    return false;
}

static void siv_end_struct(Visitor *v, void **obj)
{
}

static void siv_free(Visitor *v)
{
    StringInputVisitor *siv = to_siv(v);

    g_free(siv->string);
    g_free(siv);
}

Visitor *string_input_visitor_new(const char *str)
{
    StringInputVisitor *siv = g_new0(StringInputVisitor, 1);

    assert(str);
    siv->visitor.type = VISITOR_INPUT;
    siv->visitor.start_struct = siv_start_struct;
    siv->visitor.end_struct = siv_end_struct;
    siv->visitor.start_list = siv_start_list;
    siv->visitor.next_list = siv_next_list;
    siv->visitor.check_list = siv_check_list;
    siv->visitor.end_list = siv_end_list;
    siv->visitor.type_int64 = siv_type_int64;
    siv->visitor.type_uint64 = siv_type_uint64;
    siv->visitor.type_size = siv_type_size;
    siv->visitor.type_bool = siv_type_bool;
    siv->visitor.type_str = siv_type_str;
    siv->visitor.type_number = siv_type_number;
    siv->visitor.type_null = siv_type_null;
    siv->visitor.type_any = siv_type_any;
    siv->visitor.free = siv_free;
    siv->string = g_strdup(str);
    return &siv->visitor;
}
