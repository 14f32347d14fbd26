/*
 * QAPI helpers shared by generated code: enum lookup tables.
 *
 * Every generated enum Foo has `const QEnumLookup Foo_lookup` and
 * `Foo_str(value)`; qapi_enum_parse() maps a wire string back.
 */
#ifndef QAPI_UTIL_H
#define QAPI_UTIL_H

#include "qapi/error.h"

typedef struct QEnumLookup {
    const char *const *array;
    const unsigned char *const special_features;  /* may be NULL */
    const int size;
} QEnumLookup;

/* Special features of enum values and members (bit per feature). */
enum {
    QAPI_DEPRECATED = 1 << 0,
    QAPI_UNSTABLE = 1 << 1,
};

const char *qapi_enum_lookup(const QEnumLookup *lookup, int val);
/*
 * Index of @buf in @lookup; @def if @buf is NULL, or @def with
 * "invalid parameter value: %s" if @buf is not in @lookup.
 */
int qapi_enum_parse(const QEnumLookup *lookup, const char *buf,
                    int def, Error **errp);
bool qapi_bool_parse(const char *name, const char *value, bool *obj,
                     Error **errp);

/* Length of a generated FooList (any list type). */
#define QAPI_LIST_LENGTH(list) ({                               \
    size_t len_ = 0;                                            \
    typeof(list) elem_;                                         \
    for (elem_ = (list); elem_; elem_ = elem_->next) {          \
        len_++;                                                 \
    }                                                           \
    len_;                                                       \
})

/* Prepend @element to the FooList @list (a variable). */
#define QAPI_LIST_PREPEND(list, element) do {                   \
    typeof(list) tmp_ = g_malloc(sizeof(*(list)));              \
    tmp_->value = (element);                                    \
    tmp_->next = (list);                                        \
    (list) = tmp_;                                              \
} while (0)

/*
 * Append to a list through a tail pointer:
 *     FooList *head = NULL, **tail = &head;
 *     QAPI_LIST_APPEND(tail, value);
 */
#define QAPI_LIST_APPEND(tail, element) do {                    \
    *(tail) = g_malloc0(sizeof(**(tail)));                      \
    (*(tail))->value = (element);                               \
    (tail) = &(*(tail))->next;                                  \
} while (0)

#endif
