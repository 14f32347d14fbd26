/* Scalar parsing for the string-based visitors (see visitor-parse.h). */
#include "qemu/osdep.h"
#include "visitor-parse.h"

bool qapi_parse_int64(const char *str, int64_t *val)
{
    char *end;

    if (!*str || g_ascii_isspace(*str)) {
        return false;
    }
    errno = 0;
    *val = g_ascii_strtoll(str, &end, 0);
    return !errno && !*end;
}

bool qapi_parse_uint64(const char *str, uint64_t *val)
{
    char *end;

    if (!*str || g_ascii_isspace(*str) || *str == '-') {
        return false;
    }
    errno = 0;
    *val = g_ascii_strtoull(str, &end, 0);
    return !errno && !*end;
}

bool qapi_parse_size(const char *str, uint64_t *val)
{
    static const char suffixes[] = "BKMGTPE";
    const char *p;
    char *end;
    uint64_t num, mul = 1;
    double frac = 0;

    if (!g_ascii_isdigit(*str)) {
        return false;
    }
    errno = 0;
    num = g_ascii_strtoull(str, &end, 10);
    if (errno) {
        return false;
    }
    if (*end == '.') {
        char *fend;

        frac = g_ascii_strtod(end, &fend);
        if (fend == end + 1) {
            return false;
        }
        end = fend;
    }
    if (*end) {
        p = strchr(suffixes, g_ascii_toupper(*end));
        if (!p || end[1]) {
            return false;
        }
        mul = 1ULL << (10 * (p - suffixes));
    }
    if (frac && mul == 1) {
        return false;
    }
    if (num > UINT64_MAX / mul) {
        return false;
    }
    *val = num * mul + (uint64_t)(frac * mul);
    return *val >= num * mul;
}

bool qapi_parse_number(const char *str, double *val)
{
    char *end;

    if (!*str) {
        return false;
    }
    errno = 0;
    *val = g_ascii_strtod(str, &end);
    return !errno && !*end;
}
