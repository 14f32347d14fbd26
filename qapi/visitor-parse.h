/*
 * Scalar parsing shared by the keyval-mode QObject input visitor and
 * the string input visitor.  Each returns false on any trailing junk
 * or overflow.
 */
#ifndef QAPI_VISITOR_PARSE_H
#define QAPI_VISITOR_PARSE_H

/* decimal, 0x hex or 0 octal, optional sign */
bool qapi_parse_int64(const char *str, int64_t *val);
/* like qapi_parse_int64 but unsigned; "-1" is rejected */
bool qapi_parse_uint64(const char *str, uint64_t *val);
/* a number with an optional suffix B, k/K, M, G, T, P, E (powers of 1024) */
bool qapi_parse_size(const char *str, uint64_t *val);
bool qapi_parse_number(const char *str, double *val);

#define QAPI_SIZE_HINT \
    "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, " \
    "tera-, peta-\nand exabytes, respectively.\n"

#endif
