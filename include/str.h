/*
 * str.h -- small string helpers: range-checked number parsing and
 * constant-time comparison.  Nothing here allocates.
 */
#ifndef STR_H
#define STR_H

#include "cdefs.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a whole decimal integer in [min, max].  Leading '+'/'-' allowed
 * only as strtoll would; no spaces, no trailing bytes.  0 on success, -1 on
 * any error (errno is not meaningful).
 */
int	str_to_i64(const char *, int64_t min, int64_t max, int64_t *out);
/* Same, for a length-delimited string. */
int	str_to_i64n(const char *, size_t len, int64_t min, int64_t max,
	    int64_t *out);
/* 1 if a and b have the same length and bytes; time depends on len only. */
int	str_ct_equal(const void *a, size_t alen, const void *b, size_t blen);
/* 1 if s starts with prefix. */
int	str_has_prefix(const char *s, const char *prefix);
/* ASCII case-insensitive compare of n bytes (0 if equal). */
int	str_ncasecmp(const char *, const char *, size_t);
/* Copies src into dst of size dstsz; -1 if it did not fit (dst is "" then). */
int	str_copy(char *dst, size_t dstsz, const char *src) BR_CHECK;

#endif /* STR_H */
