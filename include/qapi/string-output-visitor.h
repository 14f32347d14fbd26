/*
 * String output visitor: one scalar (or a list of scalars) as text, as
 * QOM's object_property_print() and HMP show property values.
 *
 *   int 42 -> "42", bool -> "true"/"false", enum -> its name,
 *   size -> "1073741824" (human: "1 GiB"), list -> "1,2,3".
 * Structs are not supported (visit fails).
 */
#ifndef QAPI_STRING_OUTPUT_VISITOR_H
#define QAPI_STRING_OUTPUT_VISITOR_H

#include "qapi/visitor.h"

/* *result is set by visit_complete(v, result); g_free() it. */
Visitor *string_output_visitor_new(bool human, char **result);

#endif
