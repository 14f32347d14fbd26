/*
 * Visitors: one walk over a QAPI C type, four directions.
 *
 * Generated visit_type_Foo() functions describe the shape of Foo (struct
 * members in order, optional members, lists, alternates, enums, scalars)
 * as a sequence of calls on a Visitor.  What happens depends on the
 * visitor's kind:
 *
 *   input   (QObject -> C)  qobject_input_visitor_new(), _keyval()
 *   output  (C -> QObject)  qobject_output_visitor_new()
 *   dealloc (free C)        qapi_dealloc_visitor_new()
 *   string input            string_input_visitor_new("123")
 *
 * Rules (as QEMU's): an input visitor allocates *obj; on failure the
 * generated code frees the partial object and sets *obj to NULL.  Errors
 * name the member: "Parameter 'x' is missing", "Invalid parameter type
 * for 'x', expected: integer", "Parameter 'x' does not accept value 'y'",
 * "Parameter 'x' is unexpected".  The visitor is finished with
 * visit_complete() (output only) and visit_free().
 */
#ifndef QAPI_VISITOR_H
#define QAPI_VISITOR_H

#include "qobject/qobject.h"
#include "qapi/util.h"

typedef struct Visitor Visitor;

/* Head of every generated FooList. */
typedef struct GenericList {
    struct GenericList *next;
    char padding[];
} GenericList;

/* Head of every generated alternate. */
typedef struct GenericAlternate {
    QType type;
    char padding[];
} GenericAlternate;

typedef enum VisitorType {
    VISITOR_INPUT = 1,
    VISITOR_OUTPUT = 2,
    VISITOR_CLONE = 3,
    VISITOR_DEALLOC = 4,
} VisitorType;

/* Structs */
bool visit_start_struct(Visitor *v, const char *name, void **obj,
                        size_t size, Error **errp);
/* input: fail if members were left unvisited ("Parameter 'x' is unexpected") */
bool visit_check_struct(Visitor *v, Error **errp);
void visit_end_struct(Visitor *v, void **obj);

/* Lists: start, then next_list per element, check, end */
bool visit_start_list(Visitor *v, const char *name, GenericList **list,
                      size_t size, Error **errp);
GenericList *visit_next_list(Visitor *v, GenericList *tail, size_t size);
bool visit_check_list(Visitor *v, Error **errp);
void visit_end_list(Visitor *v, void **list);

/* Alternates: on input sets (*obj)->type from the QObject's type */
bool visit_start_alternate(Visitor *v, const char *name,
                           GenericAlternate **obj, size_t size,
                           Error **errp);
void visit_end_alternate(Visitor *v, void **obj);

/* Optional members: input sets *present; returns whether to visit. */
bool visit_optional(Visitor *v, const char *name, bool *present);

/* Deprecated/unstable members and enum values: always accepted here. */
bool visit_policy_reject(Visitor *v, const char *name,
                         unsigned special_features, Error **errp);
bool visit_policy_skip(Visitor *v, const char *name,
                       unsigned special_features);

bool visit_is_input(Visitor *v);
bool visit_is_dealloc(Visitor *v);

/* Scalars */
bool visit_type_int(Visitor *v, const char *name, int64_t *obj,
                    Error **errp);
bool visit_type_uint8(Visitor *v, const char *name, uint8_t *obj,
                      Error **errp);
bool visit_type_uint16(Visitor *v, const char *name, uint16_t *obj,
                       Error **errp);
bool visit_type_uint32(Visitor *v, const char *name, uint32_t *obj,
                       Error **errp);
bool visit_type_uint64(Visitor *v, const char *name, uint64_t *obj,
                       Error **errp);
bool visit_type_int8(Visitor *v, const char *name, int8_t *obj,
                     Error **errp);
bool visit_type_int16(Visitor *v, const char *name, int16_t *obj,
                      Error **errp);
bool visit_type_int32(Visitor *v, const char *name, int32_t *obj,
                      Error **errp);
bool visit_type_int64(Visitor *v, const char *name, int64_t *obj,
                      Error **errp);
/* like uint64; string input also accepts suffixes "1k", "2M", ... */
bool visit_type_size(Visitor *v, const char *name, uint64_t *obj,
                     Error **errp);
bool visit_type_bool(Visitor *v, const char *name, bool *obj, Error **errp);
bool visit_type_str(Visitor *v, const char *name, char **obj, Error **errp);
bool visit_type_number(Visitor *v, const char *name, double *obj,
                       Error **errp);
bool visit_type_any(Visitor *v, const char *name, QObject **obj,
                    Error **errp);
bool visit_type_null(Visitor *v, const char *name, QNull **obj,
                     Error **errp);
bool visit_type_enum(Visitor *v, const char *name, int *obj,
                     const QEnumLookup *lookup, Error **errp);

/* Output visitors: store the result through the pointer given at creation. */
void visit_complete(Visitor *v, void *opaque);
void visit_free(Visitor *v);

#endif
