/*
 * fuzz.h -- what the libFuzzer targets under tests/fuzz/ share: the entry
 * point's prototype, one arena per process (reset after every input, as a
 * worker resets it after every request), and a NUL-terminated copy of the
 * input for the parsers that take C strings.
 *
 * A broken invariant is reported with fuzz_fail(), which aborts: libFuzzer
 * treats that like a crash and keeps the input.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz: invariant broken: %s\n", what);
	abort();
}

/* The process's arena, created on first use with the request cap. */
static inline struct arena *
fuzz_arena(void)
{
	static struct arena	*a;

	if (a == NULL && (a = arena_create(BR_ARENA_CAP)) == NULL)
		fuzz_fail("arena_create");
	return a;
}

/* data[0..len) as a NUL-terminated string in the arena (NULs kept). */
static inline char *
fuzz_cstr(struct arena *a, const uint8_t *data, size_t len)
{
	char	*s;

	if ((s = arena_alloc(a, len + 1)) == NULL)
		fuzz_fail("arena_alloc");
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

/*
 * 1 if s[0..len) is UTF-8 as RFC 3629's grammar (section 4) spells it:
 * written from the grammar, not from form.c or json.c, so that a target
 * can hold their validators against it.
 */
static inline int
fuzz_utf8_ok(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned char		 lo, hi;

	while (i < len) {
		lo = 0x80, hi = 0xbf;
		if (s[i] <= 0x7f)
			n = 0;
		else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if (s[i + k] < (k == 1 ? lo : 0x80) ||
			    s[i + k] > (k == 1 ? hi : 0xbf))
				return 0;
		}
		i += n + 1;
	}
	return 1;
}

#endif /* FUZZ_H */
