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

#endif /* FUZZ_H */
