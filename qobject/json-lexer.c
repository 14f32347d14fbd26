/*
 * JSON lexer: bytes -> tokens, resumable at any byte boundary.
 *
 * States:
 *   START      between tokens (whitespace skipped)
 *   STRING     inside "..." or '...' (start_quote remembers which)
 *   ESCAPE     after a backslash in a string
 *   UHEX       inside \uXXXX (hex_left digits to go)
 *   NUMBER     a number; the sub-state records what may follow
 *   KEYWORD    [a-z]+
 *   INTERP     a %-directive (only with interpolation enabled)
 *   RECOVERY   after a lexical error: skip to the next control character
 *
 * A token that ends only when the next byte does not fit (numbers,
 * keywords) is emitted and the byte is processed again from START.
 * Any byte that cannot start or continue a token is a lexical error:
 * the bytes gathered so far plus that byte are emitted as JSON_ERROR.
 */
#include "qemu/osdep.h"
#include "json-parser-int.h"

enum {
    LX_START,
    LX_STRING,
    LX_ESCAPE,
    LX_UHEX,
    LX_NUMBER,
    LX_KEYWORD,
    LX_INTERP,
    LX_RECOVERY,
};

/* number sub-states: what has been seen last */
enum {
    NUM_MINUS,          /* "-" */
    NUM_ZERO,           /* "0" or "-0" */
    NUM_INT,            /* nonzero integer digits */
    NUM_DOT,            /* "1." */
    NUM_FRAC,           /* "1.5" */
    NUM_EXP,            /* "1e" */
    NUM_EXP_SIGN,       /* "1e+" */
    NUM_EXP_DIGITS,     /* "1e5" */
};

/*
 * The lexer state lives in JSONLexer's two ints: state holds the main
 * state in its low byte and a sub-state above it.
 */
#define ST(main, sub)   ((main) | ((sub) << 8))
#define ST_MAIN(s)      ((s) & 0xff)
#define ST_SUB(s)       ((s) >> 8)

/* start_state bit 0: interpolation; bits 8+: quote of current string */
#define LX_INTERP_ON    1

void json_lexer_init(JSONLexer *lexer, bool enable_interpolation)
{
    lexer->start_state = enable_interpolation ? LX_INTERP_ON : 0;
    lexer->state = LX_START;
    lexer->token = g_string_sized_new(64);
    lexer->x = 0;
    lexer->y = 0;
}

static void lexer_emit(JSONLexer *lexer, JSONTokenType type)
{
    json_message_process_token(lexer, lexer->token, type, lexer->x,
                               lexer->y);
    g_string_truncate(lexer->token, 0);
    lexer->state = LX_START;
}

static void lexer_error(JSONLexer *lexer, unsigned char ch)
{
    g_string_append_c(lexer->token, ch);
    json_message_process_token(lexer, lexer->token, JSON_ERROR, lexer->x,
                               lexer->y);
    g_string_truncate(lexer->token, 0);
    lexer->state = ch < 0x20 ? LX_START : LX_RECOVERY;
}

static bool is_ws(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static bool lexer_start(JSONLexer *lexer, unsigned char ch)
{
    static const char punct[] = "{}[]:,";
    static const JSONTokenType punct_type[] = {
        JSON_LCURLY, JSON_RCURLY, JSON_LSQUARE, JSON_RSQUARE,
        JSON_COLON, JSON_COMMA,
    };
    const char *p;

    if (is_ws(ch)) {
        return true;
    }
    g_string_append_c(lexer->token, ch);
    if (ch && (p = strchr(punct, ch))) {
        lexer_emit(lexer, punct_type[p - punct]);
    } else if (ch == '"' || ch == '\'') {
        lexer->state = ST(LX_STRING, ch);
    } else if (ch == '-') {
        lexer->state = ST(LX_NUMBER, NUM_MINUS);
    } else if (ch == '0') {
        lexer->state = ST(LX_NUMBER, NUM_ZERO);
    } else if (ch >= '1' && ch <= '9') {
        lexer->state = ST(LX_NUMBER, NUM_INT);
    } else if (ch >= 'a' && ch <= 'z') {
        lexer->state = LX_KEYWORD;
    } else if (ch == '%' && (lexer->start_state & LX_INTERP_ON)) {
        lexer->state = LX_INTERP;
    } else {
        g_string_truncate(lexer->token, 0);
        lexer_error(lexer, ch);
    }
    return true;
}

/* Returns false when @ch ended the number and must be reprocessed. */
static bool lexer_number(JSONLexer *lexer, unsigned char ch)
{
    int sub = ST_SUB(lexer->state);
    bool digit = ch >= '0' && ch <= '9';
    int next = -1;

    switch (sub) {
    case NUM_MINUS:
        next = ch == '0' ? NUM_ZERO : (digit ? NUM_INT : -1);
        break;
    case NUM_ZERO:
    case NUM_INT:
        if (digit && sub == NUM_INT) {
            next = NUM_INT;
        } else if (ch == '.') {
            next = NUM_DOT;
        } else if (ch == 'e' || ch == 'E') {
            next = NUM_EXP;
        } else {
            lexer_emit(lexer, JSON_INTEGER);
            return false;
        }
        break;
    case NUM_DOT:
        next = digit ? NUM_FRAC : -1;
        break;
    case NUM_FRAC:
        if (digit) {
            next = NUM_FRAC;
        } else if (ch == 'e' || ch == 'E') {
            next = NUM_EXP;
        } else {
            lexer_emit(lexer, JSON_FLOAT);
            return false;
        }
        break;
    case NUM_EXP:
        next = (ch == '+' || ch == '-') ? NUM_EXP_SIGN
               : (digit ? NUM_EXP_DIGITS : -1);
        break;
    case NUM_EXP_SIGN:
        next = digit ? NUM_EXP_DIGITS : -1;
        break;
    case NUM_EXP_DIGITS:
        if (digit) {
            next = NUM_EXP_DIGITS;
        } else {
            lexer_emit(lexer, JSON_FLOAT);
            return false;
        }
        break;
    }
    if (next < 0) {
        lexer_error(lexer, ch);
        return true;
    }
    g_string_append_c(lexer->token, ch);
    lexer->state = ST(LX_NUMBER, next);
    return true;
}

static bool lexer_string(JSONLexer *lexer, unsigned char ch)
{
    int quote = ST_SUB(lexer->state);

    if (ch < 0x20 || ch == 0xFE || ch == 0xFF) {
        lexer_error(lexer, ch);
        return true;
    }
    g_string_append_c(lexer->token, ch);
    if (ch == quote) {
        lexer_emit(lexer, JSON_STRING);
    } else if (ch == '\\') {
        lexer->state = ST(LX_ESCAPE, quote);
    }
    return true;
}

static bool lexer_escape(JSONLexer *lexer, unsigned char ch)
{
    int quote = ST_SUB(lexer->state);

    if (ch && strchr("\"'\\/bfnrt", ch)) {
        g_string_append_c(lexer->token, ch);
        lexer->state = ST(LX_STRING, quote);
    } else if (ch == 'u') {
        g_string_append_c(lexer->token, ch);
        /* four hex digits follow; the count goes in bits 16+ */
        lexer->state = ST(LX_UHEX, quote | (4 << 8));
    } else {
        lexer_error(lexer, ch);
    }
    return true;
}

static bool lexer_uhex(JSONLexer *lexer, unsigned char ch)
{
    int quote = ST_SUB(lexer->state) & 0xff;
    int left = ST_SUB(lexer->state) >> 8;

    if (!g_ascii_isxdigit(ch)) {
        lexer_error(lexer, ch);
        return true;
    }
    g_string_append_c(lexer->token, ch);
    left--;
    lexer->state = left ? ST(LX_UHEX, quote | (left << 8))
                        : ST(LX_STRING, quote);
    return true;
}

static bool lexer_keyword(JSONLexer *lexer, unsigned char ch)
{
    if (ch >= 'a' && ch <= 'z') {
        g_string_append_c(lexer->token, ch);
        return true;
    }
    lexer_emit(lexer, JSON_KEYWORD);
    return false;
}

/* %d %i %u %ld %li %lu %lld %lli %llu %p %s %f %% */
static bool lexer_interp(JSONLexer *lexer, unsigned char ch)
{
    size_t len = lexer->token->len;     /* includes the '%' */

    g_string_append_c(lexer->token, ch);
    if (ch == 'l' && len < 3) {
        return true;
    }
    if (ch == 'd' || ch == 'i' || ch == 'u' ||
        (len == 1 && (ch == 'p' || ch == 's' || ch == 'f' || ch == '%'))) {
        lexer_emit(lexer, JSON_INTERP);
        return true;
    }
    g_string_truncate(lexer->token, lexer->token->len - 1);
    lexer_error(lexer, ch);
    return true;
}

static bool lexer_recovery(JSONLexer *lexer, unsigned char ch)
{
    if (ch < 0x20) {
        lexer->state = LX_START;
    }
    return true;
}

/* Returns false if @ch must be fed again. */
static bool lexer_step(JSONLexer *lexer, unsigned char ch)
{
    switch (ST_MAIN(lexer->state)) {
    case LX_START:
        return lexer_start(lexer, ch);
    case LX_STRING:
        return lexer_string(lexer, ch);
    case LX_ESCAPE:
        return lexer_escape(lexer, ch);
    case LX_UHEX:
        return lexer_uhex(lexer, ch);
    case LX_NUMBER:
        return lexer_number(lexer, ch);
    case LX_KEYWORD:
        return lexer_keyword(lexer, ch);
    case LX_INTERP:
        return lexer_interp(lexer, ch);
    case LX_RECOVERY:
        return lexer_recovery(lexer, ch);
    }
    g_assert_not_reached();
}

static void lexer_check_size(JSONLexer *lexer)
{
    if (lexer->token->len > JSON_MAX_TOKEN_SIZE) {
        /* the streamer reports the size; skip the rest of the token */
        json_message_process_token(lexer, lexer->token, JSON_ERROR,
                                   lexer->x, lexer->y);
        g_string_truncate(lexer->token, 0);
        lexer->state = LX_RECOVERY;
    }
}

void json_lexer_feed(JSONLexer *lexer, const char *buffer, size_t size)
{
    size_t i;

    for (i = 0; i < size; i++) {
        unsigned char ch = buffer[i];

        if (lexer->token->len == 0) {
            /* position of the token that may start here */
            lexer->x = i;
        }
        while (!lexer_step(lexer, ch)) {
            /* token ended before ch; ch starts the next one */
        }
        if (ch == '\n') {
            lexer->y++;
        }
        lexer_check_size(lexer);
    }
}

void json_lexer_flush(JSONLexer *lexer)
{
    switch (ST_MAIN(lexer->state)) {
    case LX_NUMBER:
    case LX_KEYWORD:
        /* a terminator completes these (or reports a bad "1e") */
        lexer_step(lexer, ' ');
        break;
    case LX_START:
    case LX_RECOVERY:
        break;
    default:
        /* unterminated string or directive */
        json_message_process_token(lexer, lexer->token, JSON_ERROR,
                                   lexer->x, lexer->y);
        break;
    }
    g_string_truncate(lexer->token, 0);
    lexer->state = LX_START;
    json_message_process_token(lexer, lexer->token, JSON_END_OF_INPUT,
                               lexer->x, lexer->y);
}

void json_lexer_destroy(JSONLexer *lexer)
{
    g_string_free(lexer->token, true);
}
