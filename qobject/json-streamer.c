/*
 * JSON streamer: groups lexer tokens into top-level messages.
 *
 * Tokens are queued while braces/brackets are open; when the counts are
 * back at zero (or a closer appears with nothing open, or a lone scalar
 * appears at top level) the queue is handed to the parser and the result
 * emitted.  Errors (lexical, limits) discard the queue and emit an error;
 * the next token starts a new message.
 */
#include "qemu/osdep.h"
#include "qobject/qobject.h"
#include "json-parser-int.h"

static void json_message_free_tokens(JSONMessageParser *parser)
{
    JSONToken *token;

    while ((token = g_queue_pop_head(&parser->tokens))) {
        g_free(token);
    }
}

static void json_message_reset(JSONMessageParser *parser)
{
    json_message_free_tokens(parser);
    parser->brace_count = 0;
    parser->bracket_count = 0;
    parser->token_size = 0;
}

static void json_message_emit_error(JSONMessageParser *parser, Error *err)
{
    json_message_reset(parser);
    parser->emit(parser->opaque, NULL, err);
}

static JSONToken *json_token_new(JSONTokenType type, GString *input,
                                 int x, int y)
{
    JSONToken *token = g_malloc(sizeof(JSONToken) + input->len + 1);

    token->type = type;
    memcpy(token->str, input->str, input->len);
    token->str[input->len] = 0;
    token->x = x;
    token->y = y;
    return token;
}

void json_message_process_token(JSONLexer *lexer, GString *input,
                                JSONTokenType type, int x, int y)
{
    JSONMessageParser *parser = container_of(lexer, JSONMessageParser,
                                             lexer);
    Error *err = NULL;
    QObject *json;

    switch (type) {
    case JSON_LCURLY:
        parser->brace_count++;
        break;
    case JSON_RCURLY:
        parser->brace_count--;
        break;
    case JSON_LSQUARE:
        parser->bracket_count++;
        break;
    case JSON_RSQUARE:
        parser->bracket_count--;
        break;
    case JSON_END_OF_INPUT:
        if (g_queue_is_empty(&parser->tokens)) {
            return;
        }
        break;
    default:
        break;
    }

    if (input->len > JSON_MAX_TOKEN_SIZE ||
        parser->token_size + input->len > JSON_MAX_TOKEN_SIZE) {
        error_setg(&err, "JSON token size limit exceeded");
        json_message_emit_error(parser, err);
        return;
    }
    if (type == JSON_ERROR) {
        error_setg(&err, "JSON parse error, stray '%s'", input->str);
        json_message_emit_error(parser, err);
        return;
    }
    if (type == JSON_END_OF_INPUT) {
        /* unterminated message: let the parser say what is missing */
        goto parse;
    }

    parser->token_size += input->len;
    g_queue_push_tail(&parser->tokens,
                      json_token_new(type, input, x, y));

    if (g_queue_get_length(&parser->tokens) > JSON_MAX_TOKEN_COUNT) {
        error_setg(&err, "JSON token count limit exceeded");
        json_message_emit_error(parser, err);
        return;
    }
    if (parser->brace_count + parser->bracket_count > JSON_MAX_NESTING) {
        error_setg(&err, "JSON nesting depth limit exceeded");
        json_message_emit_error(parser, err);
        return;
    }
    if ((parser->brace_count > 0 || parser->bracket_count > 0) &&
        parser->brace_count >= 0 && parser->bracket_count >= 0) {
        /* message not complete yet */
        return;
    }

parse:
    json = json_parser_parse(&parser->tokens, parser->ap, &err);
    json_message_reset(parser);
    parser->emit(parser->opaque, json, err);
}

void json_message_parser_init(JSONMessageParser *parser,
                              void (*emit)(void *opaque, QObject *json,
                                           Error *err),
                              void *opaque, va_list *ap)
{
    parser->emit = emit;
    parser->opaque = opaque;
    parser->ap = ap;
    parser->brace_count = 0;
    parser->bracket_count = 0;
    g_queue_init(&parser->tokens);
    parser->token_size = 0;
    json_lexer_init(&parser->lexer, ap != NULL);
}

void json_message_parser_feed(JSONMessageParser *parser,
                              const char *buffer, size_t size)
{
    json_lexer_feed(&parser->lexer, buffer, size);
}

void json_message_parser_flush(JSONMessageParser *parser)
{
    json_lexer_flush(&parser->lexer);
    assert(g_queue_is_empty(&parser->tokens));
}

void json_message_parser_destroy(JSONMessageParser *parser)
{
    json_lexer_destroy(&parser->lexer);
    json_message_free_tokens(parser);
}
