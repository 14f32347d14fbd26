/*
 * String output visitor: scalar (or list of scalars) -> text.
 * List elements are joined with ','.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/string-output-visitor.h"
#include "qapi/visitor-impl.h"

typedef struct StringOutputVisitor {
    Visitor visitor;
    bool human;
    bool in_list;
    bool first;
    GString *string;
    char **result;
} StringOutputVisitor;

static StringOutputVisitor *to_sov(Visitor *v)
{
    return container_of(v, StringOutputVisitor, visitor);
}

static void sov_add(StringOutputVisitor *sov, const char *text)
{
    if (sov->in_list && !sov->first) {
        g_string_append_c(sov->string, ',');
    }
    sov->first = false;
    g_string_append(sov->string, text);
}

static bool sov_type_int64(Visitor *v, const char *name, int64_t *obj,
                           Error **errp)
{
    g_autofree char *s = g_strdup_printf("%" PRId64, *obj);

    sov_add(to_sov(v), s);
    return true;
}

static bool sov_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                            Error **errp)
{
    g_autofree char *s = g_strdup_printf("%" PRIu64, *obj);

    sov_add(to_sov(v), s);
    return true;
}

static bool sov_type_size(Visitor *v, const char *name, uint64_t *obj,
                          Error **errp)
{
    static const char *const units[] = {
        "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
    };
    StringOutputVisitor *sov = to_sov(v);
    g_autofree char *s = NULL;
    double val = *obj;
    int i = 0;

    if (!sov->human) {
        return sov_type_uint64(v, name, obj, errp);
    }
    while (val >= 1024 && i < (int)ARRAY_SIZE(units) - 1) {
        val /= 1024;
        i++;
    }
    s = i ? g_strdup_printf("%0.3g %s", val, units[i])
          : g_strdup_printf("%" PRIu64 " B", *obj);
    sov_add(sov, s);
    return true;
}

static bool sov_type_bool(Visitor *v, const char *name, bool *obj,
                          Error **errp)
{
    sov_add(to_sov(v), *obj ? "true" : "false");
    return true;
}

static bool sov_type_str(Visitor *v, const char *name, char **obj,
                         Error **errp)
{
    StringOutputVisitor *sov = to_sov(v);
    const char *s = *obj ? *obj : "";

    if (sov->human) {
        g_autofree char *q = g_strdup_printf("\"%s\"", s);

        sov_add(sov, q);
    } else {
        sov_add(sov, s);
    }
    return true;
}

static bool sov_type_number(Visitor *v, const char *name, double *obj,
                            Error **errp)
{
    g_autofree char *s = g_strdup_printf("%.17g", *obj);

    sov_add(to_sov(v), s);
    return true;
}

static bool sov_type_null(Visitor *v, const char *name, QNull **obj,
                          Error **errp)
{
    sov_add(to_sov(v), "");
    return true;
}

static bool sov_type_any(Visitor *v, const char *name, QObject **obj,
                         Error **errp)
{
    error_setg(errp, "Parameter '%s' can't be printed as a string",
               name ? name : "null");
    return false;
}

static bool sov_start_struct(Visitor *v, const char *name, void **obj,
                             size_t size, Error **errp)
{
    error_setg(errp, "Parameter '%s' can't be printed as a string",
               name ? name : "null");
    return false;
}

static void sov_end_struct(Visitor *v, void **obj)
{
}

static bool sov_start_list(Visitor *v, const char *name, GenericList **list,
                           size_t size, Error **errp)
{
    StringOutputVisitor *sov = to_sov(v);

    sov->in_list = true;
    sov->first = true;
    return true;
}

static GenericList *sov_next_list(Visitor *v, GenericList *tail, size_t size)
{
    return tail->next;
}

static void sov_end_list(Visitor *v, void **obj)
{
    to_sov(v)->in_list = false;
}

static void sov_complete(Visitor *v, void *opaque)
{
    StringOutputVisitor *sov = to_sov(v);

    assert(opaque == sov->result);
    *sov->result = g_strdup(sov->string->str);
}

static void sov_free(Visitor *v)
{
    StringOutputVisitor *sov = to_sov(v);

    g_string_free(sov->string, true);
    g_free(sov);
}

Visitor *string_output_visitor_new(bool human, char **result)
{
    StringOutputVisitor *sov = g_new0(StringOutputVisitor, 1);

    sov->visitor.type = VISITOR_OUTPUT;
    sov->visitor.start_struct = sov_start_struct;
    sov->visitor.end_struct = sov_end_struct;
    sov->visitor.start_list = sov_start_list;
    sov->visitor.next_list = sov_next_list;
    sov->visitor.end_list = sov_end_list;
    sov->visitor.type_int64 = sov_type_int64;
    sov->visitor.type_uint64 = sov_type_uint64;
    sov->visitor.type_size = sov_type_size;
    sov->visitor.type_bool = sov_type_bool;
    sov->visitor.type_str = sov_type_str;
    sov->visitor.type_number = sov_type_number;
    sov->visitor.type_null = sov_type_null;
    sov->visitor.type_any = sov_type_any;
    sov->visitor.complete = sov_complete;
    sov->visitor.free = sov_free;
    sov->human = human;
    sov->string = g_string_new(NULL);
    sov->result = result;
    *result = NULL;
    return &sov->visitor;
}
