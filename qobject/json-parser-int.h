/*
 * Internals shared by the JSON lexer, streamer and parser.
 */
#ifndef QOBJECT_JSON_PARSER_INT_H
#define QOBJECT_JSON_PARSER_INT_H

#include "qobject/json-parser.h"

/* json-lexer.c */
void json_lexer_init(JSONLexer *lexer, bool enable_interpolation);
void json_lexer_feed(JSONLexer *lexer, const char *buffer, size_t size);
void json_lexer_flush(JSONLexer *lexer);
void json_lexer_destroy(JSONLexer *lexer);

/* json-streamer.c: called by the lexer for every token */
void json_message_process_token(JSONLexer *lexer, GString *input,
                                JSONTokenType type, int x, int y);

/* json-parser.c: one balanced token run -> QObject; consumes @tokens */
QObject *json_parser_parse(GQueue *tokens, va_list *ap, Error **errp);

#endif
