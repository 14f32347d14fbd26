/*
 * QObject input visitor: builds QAPI C objects from a QObject tree.
 *
 * qobject_input_visitor_new(): strict JSON types (QMP arguments).
 * qobject_input_visitor_new_keyval(): every scalar may (and from keyval
 * parsing will) be a string: "123" for an int, "on"/"off"/"yes"/"no"/
 * "true"/"false" for a bool, "1k" for a size (command line, -object).
 */
#ifndef QAPI_QOBJECT_INPUT_VISITOR_H
#define QAPI_QOBJECT_INPUT_VISITOR_H

#include "qapi/visitor.h"

/* Takes its own reference to @obj. */
Visitor *qobject_input_visitor_new(QObject *obj);
Visitor *qobject_input_visitor_new_keyval(QObject *obj);

#endif
