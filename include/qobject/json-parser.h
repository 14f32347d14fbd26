/*
 * The streaming JSON message parser used by QMP.
 *
 * Bytes are fed in arbitrary chunks; the lexer cuts them into tokens, the
 * streamer collects tokens until the braces/brackets of one top-level
 * value balance, then the parser turns that token run into a QObject and
 * calls emit(opaque, json, NULL).  On error emit(opaque, NULL, err) is
 * called instead and the streamer starts afresh with the next token.
 * The callee owns @json and @err.
 *
 *   bytes --lexer--> tokens --streamer (balance, limits)--> parser --> emit
 *
 * Recovery: a lexical error (a control character other than \t \r \n,
 * a byte 0xFF, invalid UTF-8 outside strings) discards the pending
 * message and reports "JSON parse error, stray '...'"; a client stuck in
 * an unterminated object can send 0x1B or 0xFF to get out of it.
 *
 * Limits: a token of more than 64 MiB, more than 2 Mi tokens in one
 * message or nesting deeper than 1024 discard the message with
 * "JSON token size limit exceeded", "JSON token count limit exceeded"
 * or "JSON nesting depth limit exceeded".
 */
#ifndef QOBJECT_JSON_PARSER_H
#define QOBJECT_JSON_PARSER_H

#include "qobject/qobject.h"
#include "qapi/error.h"

#define JSON_MAX_TOKEN_SIZE     (64ULL << 20)
#define JSON_MAX_TOKEN_COUNT    (2ULL << 20)
#define JSON_MAX_NESTING        1024

typedef enum JSONTokenType {
    JSON_ERROR = 0,
    JSON_LCURLY,
    JSON_RCURLY,
    JSON_LSQUARE,
    JSON_RSQUARE,
    JSON_COLON,
    JSON_COMMA,
    JSON_INTEGER,
    JSON_FLOAT,
    JSON_KEYWORD,
    JSON_STRING,
    JSON_INTERP,
    JSON_END_OF_INPUT,
} JSONTokenType;

typedef struct JSONToken {
    JSONTokenType type;
    int x;                      /* column of the token's first byte */
    int y;                      /* line */
    char str[];                 /* token text, NUL-terminated */
} JSONToken;

typedef struct JSONLexer {
    int start_state;
    int state;
    GString *token;
    int x, y;
} JSONLexer;

typedef struct JSONMessageParser {
    void (*emit)(void *opaque, QObject *json, Error *err);
    void *opaque;
    va_list *ap;
    JSONLexer lexer;
    int brace_count;
    int bracket_count;
    GQueue tokens;              /* of JSONToken * */
    uint64_t token_size;
} JSONMessageParser;

/**
 * json_message_parser_init: prepare @parser.
 * @emit: called once per complete message or error, see above.
 * @ap: for the interpolating parser (qobject_from_jsonf); NULL for QMP.
 */
void json_message_parser_init(JSONMessageParser *parser,
                              void (*emit)(void *opaque, QObject *json,
                                           Error *err),
                              void *opaque, va_list *ap);

/* Feed @size bytes; may call emit any number of times. */
void json_message_parser_feed(JSONMessageParser *parser,
                              const char *buffer, size_t size);

/*
 * End of input: completes a pending token (e.g. a trailing number) and
 * reports an unterminated message as an error.
 */
void json_message_parser_flush(JSONMessageParser *parser);

void json_message_parser_destroy(JSONMessageParser *parser);

#endif
