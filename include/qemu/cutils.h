/*
 * Number and size parsing with QEMU's command-line semantics.
 *
 * All qemu_strto*() functions return 0 on success, -EINVAL when @nptr is
 * NULL, empty or not a number (or, with @endptr NULL, has trailing
 * characters), -ERANGE when the value does not fit (the result is then
 * clamped).  Leading whitespace is skipped.  With @endptr non-NULL it is
 * set to the first unparsed character.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result);
int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result);
int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result);
int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result);
int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result);
/* Like strtoull: "-1" is accepted and wraps to UINT64_MAX. */
int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result);
int qemu_strtod(const char *nptr, const char **endptr, double *result);

/*
 * Sizes: a decimal number (a fraction is allowed with a suffix, "1.5G"),
 * or a hex number "0x...", followed by an optional suffix B, K, M, G, T,
 * P, E (either case; powers of 1024).  Without a suffix the unit is
 * bytes (qemu_strtosz), MiB (qemu_strtosz_MiB) or bytes with powers of
 * 1000 (qemu_strtosz_metric).  Negative numbers are rejected.
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result);

/*
 * parse_uint: an unsigned number; unlike qemu_strtou64 a '-' sign is
 * rejected (-ERANGE).  parse_uint_full() requires the whole string.
 */
int parse_uint(const char *s, unsigned long long *value, char **endptr,
               int base);
int parse_uint_full(const char *s, unsigned long long *value, int base);

/* "1 KiB", "1.5 MiB"... (g_free() it) */
char *size_to_str(uint64_t val);

/* Copies @str into @buf (NUL-padded, like strncpy but always ends). */
void pstrcpy(char *buf, int buf_size, const char *str);
/* true and *ptr after @val if @str starts with @val */
int strstart(const char *str, const char *val, const char **ptr);

#endif
