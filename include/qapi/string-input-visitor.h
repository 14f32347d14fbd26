/*
 * String input visitor: one scalar from a string, as QOM property
 * setters from the command line need ("123", "on", "1G", "enum-value").
 * Lists of integers accept ranges "1,3-5".  Structs are not supported.
 */
#ifndef QAPI_STRING_INPUT_VISITOR_H
#define QAPI_STRING_INPUT_VISITOR_H

#include "qapi/visitor.h"

Visitor *string_input_visitor_new(const char *str);

#endif
