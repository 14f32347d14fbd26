/*
 * Number and size parsing (see include/qemu/cutils.h for the rules).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"

/*
 * Common tail of the qemu_strto*() family: @ep is where libc stopped,
 * @libc_errno its errno.
 */
static int check_strtox_error(const char *nptr, const char *ep,
                              const char **endptr, bool check_zero,
                              int libc_errno)
{
    assert(ep >= nptr);
    if (check_zero && ep == nptr && libc_errno == 0) {
        libc_errno = EINVAL;
    }
    if (ep == nptr) {
        libc_errno = EINVAL;
    }
    if (endptr) {
        *endptr = ep;
    }
    if (libc_errno == 0 && !endptr && *ep) {
        return -EINVAL;
    }
    return -libc_errno;
}

int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result)
{
    char *ep;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    *result = strtoll(nptr, &ep, base);
    return check_strtox_error(nptr, ep, endptr, true, errno);
}

int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result)
{
    char *ep;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    *result = strtoull(nptr, &ep, base);
    /* strtoull saturates a negative overflow; make it saturate at max */
    if (errno == ERANGE) {
        *result = UINT64_MAX;
    }
    return check_strtox_error(nptr, ep, endptr, true, errno);
}

int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result)
{
    int64_t v;
    int ret = qemu_strtoi64(nptr, endptr, base, &v);

    *result = v;
    return ret;
}

int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result)
{
    uint64_t v;
    int ret = qemu_strtou64(nptr, endptr, base, &v);

    *result = v;
    return ret;
}

int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result)
{
    int64_t v = 0;
    int ret = qemu_strtoi64(nptr, endptr, base, &v);

    if (ret == 0 && v > INT_MAX) {
        *result = INT_MAX;
        return -ERANGE;
    }
    if (ret == 0 && v < INT_MIN) {
        *result = INT_MIN;
        return -ERANGE;
    }
    *result = v;
    return ret;
}

int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result)
{
    int64_t v = 0;
    int ret = qemu_strtoi64(nptr, endptr, base, &v);

    /* like strtoul: "-1" wraps to UINT_MAX, anything bigger overflows */
    if (ret == 0 && (v > UINT_MAX || v < -(int64_t)UINT_MAX)) {
        *result = UINT_MAX;
        return -ERANGE;
    }
    *result = v;
    return ret;
}

int qemu_strtod(const char *nptr, const char **endptr, double *result)
{
    char *ep;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        return -EINVAL;
    }
    errno = 0;
    *result = strtod(nptr, &ep);
    return check_strtox_error(nptr, ep, endptr, false, errno);
}

static int64_t suffix_mul(char suffix, int64_t unit)
{
    switch (g_ascii_toupper(suffix)) {
    case 'B':
        return 1;
    case 'K':
        return unit;
    case 'M':
        return unit * unit;
    case 'G':
        return unit * unit * unit;
    case 'T':
        return unit * unit * unit * unit;
    case 'P':
        return unit * unit * unit * unit * unit;
    case 'E':
        return unit * unit * unit * unit * unit * unit;
    }
    return -1;
}

/* Parses ".123" at @p into a fraction; returns where it stopped. */
static const char *parse_fraction(const char *p, double *fraction)
{
    const char *start = p;
    double scale = 0.1;

    assert(*p == '.');
    *fraction = 0;
    for (p++; g_ascii_isdigit(*p); p++) {
        *fraction += (*p - '0') * scale;
        scale /= 10;
    }
    return p == start + 1 ? start : p;
}

static int do_strtosz(const char *nptr, const char **end,
                      const char default_suffix, int64_t unit,
                      uint64_t *result)
{
    const char *endptr = nptr;
    uint64_t val = 0;
    double fraction = 0;
    int64_t mul;
    int retval;

    retval = qemu_strtou64(nptr, &endptr, 10, &val);
    if (retval) {
        goto out;
    }
    if (memchr(nptr, '-', endptr - nptr)) {
        endptr = nptr;
        retval = -EINVAL;
        goto out;
    }
    if (val == 0 && (*endptr == 'x' || *endptr == 'X')) {
        retval = qemu_strtou64(nptr, &endptr, 16, &val);
        if (retval) {
            goto out;
        }
    } else if (*endptr == '.') {
        const char *after = parse_fraction(endptr, &fraction);

        if (after == endptr) {
            retval = -EINVAL;
            goto out;
        }
        endptr = after;
    }
    mul = suffix_mul(*endptr, unit);
    if (mul > 0) {
        endptr++;
    } else {
        mul = suffix_mul(default_suffix, unit);
        assert(mul > 0);
    }
    if (mul == 1) {
        /* a fraction needs a scale */
        if (fraction != 0) {
            retval = -EINVAL;
            goto out;
        }
    } else if (val > (UINT64_MAX - (uint64_t)(fraction * mul)) / mul) {
        retval = -ERANGE;
        goto out;
    }
    *result = val * mul + (uint64_t)(fraction * mul);
    retval = 0;

out:
    if (end) {
        *end = endptr;
    } else if (retval == 0 && *endptr) {
        retval = -EINVAL;
    }
    return retval;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1024, result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'M', 1024, result);
}

int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1000, result);
}

int parse_uint(const char *s, unsigned long long *value, char **endptr,
               int base)
{
    char *endp = (char *)s;
    unsigned long long val = 0;
    int r = 0;

    if (!s) {
        r = -EINVAL;
        goto out;
    }
    errno = 0;
    val = strtoull(s, &endp, base);
    if (errno) {
        r = -errno;
        goto out;
    }
    if (endp == s) {
        r = -EINVAL;
        goto out;
    }
    /* strtoull accepts a sign; we do not */
    while (g_ascii_isspace(*s)) {
        s++;
    }
    if (*s == '-') {
        val = 0;
        r = -ERANGE;
        goto out;
    }
out:
    *value = val;
    if (endptr) {
        *endptr = endp;
    }
    return r;
}

int parse_uint_full(const char *s, unsigned long long *value, int base)
{
    char *endp;
    int r = parse_uint(s, value, &endp, base);

    if (r < 0) {
        return r;
    }
    if (*endp) {
        *value = 0;
        return -EINVAL;
    }
    return 0;
}

char *size_to_str(uint64_t val)
{
    static const char *const suffixes[] = { "", "Ki", "Mi", "Gi", "Ti",
                                            "Pi", "Ei" };
    uint64_t div = 1;
    int i = 0;

    /* the largest unit that gives a value of at least 1 */
    while (i < (int)ARRAY_SIZE(suffixes) - 1 && val / div >= 1024) {
        div <<= 10;
        i++;
    }
    return g_strdup_printf("%0.3g %sB", (double)val / div, suffixes[i]);
}

void pstrcpy(char *buf, int buf_size, const char *str)
{
    int c;
    char *q = buf;

    if (buf_size <= 0) {
        return;
    }
    for (;;) {
        c = *str++;
        if (c == 0 || q >= buf + buf_size - 1) {
            break;
        }
        *q++ = c;
    }
    *q = '\0';
}

int strstart(const char *str, const char *val, const char **ptr)
{
    const char *p = str, *q = val;

    while (*q != '\0') {
        if (*p != *q) {
            return 0;
        }
        p++;
        q++;
    }
    if (ptr) {
        *ptr = p;
    }
    return 1;
}
