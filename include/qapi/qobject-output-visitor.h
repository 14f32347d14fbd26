/*
 * QObject output visitor: C object -> QObject tree.
 *
 *     QObject *ret;
 *     Visitor *v = qobject_output_visitor_new(&ret);
 *     visit_type_Foo(v, NULL, &foo, &error_abort);
 *     visit_complete(v, &ret);
 *     visit_free(v);
 */
#ifndef QAPI_QOBJECT_OUTPUT_VISITOR_H
#define QAPI_QOBJECT_OUTPUT_VISITOR_H

#include "qapi/visitor.h"

Visitor *qobject_output_visitor_new(QObject **result);

#endif
