/*
 * test_arena.c -- unit tests for app/arena.c: alignment, the cap, reset
 * (cleanups last-added-first, memory handed out again) and the string
 * helpers.  Run under valgrind to check that reset and destroy free the
 * big-allocation chunks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static void
test_alloc_alignment(void **state)
{
	struct arena	*a;
	size_t		 sizes[] = { 1, 3, 7, 16, 17, 33, 100, 4095 };
	size_t		 i;
	char		*p;

	(void)state;
	assert_non_null(a = arena_create(1024 * 1024));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_non_null(p = arena_alloc(a, sizes[i]));
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 0xa5, sizes[i]);	/* valgrind: really usable */
	}
	/* Zero bytes still gives a distinct, usable pointer. */
	assert_non_null(p = arena_alloc(a, 0));
	assert_true(arena_used(a) > 0);
	arena_destroy(a);
}

static void
test_distinct_allocations(void **state)
{
	struct arena	*a;
	char		*x, *y;

	(void)state;
	assert_non_null(a = arena_create(1024 * 1024));
	assert_non_null(x = arena_alloc(a, 24));
	assert_non_null(y = arena_alloc(a, 24));
	assert_true(y >= x + 24 || x >= y + 24);
	memset(x, 'x', 24);
	memset(y, 'y', 24);
	assert_int_equal(x[23], 'x');
	arena_destroy(a);
}

static void
noop(void *arg)
{
	(void)arg;
}

static void
test_cap_enforced(void **state)
{
	struct arena	*a;

	(void)state;
	assert_non_null(a = arena_create(1024));
	assert_non_null(arena_alloc(a, 1000));	/* rounds to 1008 */
	assert_int_equal(arena_used(a), 1008);
	assert_null(arena_alloc(a, 32));	/* 1040 > 1024 */
	assert_non_null(arena_alloc(a, 16));	/* exactly 1024 */
	assert_null(arena_alloc(a, 1));
	assert_int_equal(arena_used(a), 1024);
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_calloc(a, SIZE_MAX / 2, 4));	/* n*size overflow */
	assert_null(arena_strndup(a, "x", SIZE_MAX));
	assert_int_equal(arena_cleanup_add(a, noop, NULL), -1);
	arena_reset(a);
	assert_int_equal(arena_used(a), 0);
	assert_non_null(arena_alloc(a, 1000));
	arena_destroy(a);
}

static void
test_cap_counts_big_allocations(void **state)
{
	struct arena	*a;
	char		*p;

	(void)state;
	/* Bigger than a chunk: gets its own, freed at reset (valgrind). */
	assert_non_null(a = arena_create(512 * 1024));
	assert_non_null(p = arena_alloc(a, 200 * 1024));
	memset(p, 1, 200 * 1024);
	assert_non_null(p = arena_alloc(a, 200 * 1024));
	memset(p, 2, 200 * 1024);
	assert_null(arena_alloc(a, 200 * 1024));
	arena_reset(a);
	assert_non_null(p = arena_alloc(a, 200 * 1024));
	memset(p, 3, 200 * 1024);
	arena_destroy(a);
}

static int	order[8];
static int	norder;

static void
record(void *arg)
{
	order[norder++] = *(int *)arg;
}

static void
test_cleanups_lifo(void **state)
{
	struct arena	*a;
	static int	 ids[] = { 1, 2, 3 };

	(void)state;
	norder = 0;
	assert_non_null(a = arena_create(1024 * 1024));
	assert_int_equal(arena_cleanup_add(a, record, &ids[0]), 0);
	assert_int_equal(arena_cleanup_add(a, record, &ids[1]), 0);
	assert_int_equal(arena_cleanup_add(a, record, &ids[2]), 0);
	assert_int_equal(norder, 0);
	arena_reset(a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	/* Hooks run once: a second reset has nothing to run. */
	arena_reset(a);
	assert_int_equal(norder, 3);
	/* destroy resets, so hooks registered since run too. */
	assert_int_equal(arena_cleanup_add(a, record, &ids[0]), 0);
	arena_destroy(a);
	assert_int_equal(norder, 4);
	assert_int_equal(order[3], 1);
}

static void
test_strings(void **state)
{
	struct arena	*a;
	char		*s, big[100000];

	(void)state;
	assert_non_null(a = arena_create(1024 * 1024));
	assert_non_null(s = arena_strndup(a, "hello world", 5));
	assert_string_equal(s, "hello");
	assert_non_null(s = arena_strndup(a, "a\0b", 3));
	assert_memory_equal(s, "a\0b", 4);
	assert_non_null(s = arena_strdup(a, "dup"));
	assert_string_equal(s, "dup");
	assert_non_null(s = arena_printf(a, "%d-%s-%zu", -5, "x", (size_t)7));
	assert_string_equal(s, "-5-x-7");
	/* Longer than a chunk. */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_non_null(s = arena_printf(a, "<%s>", big));
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[sizeof(big)], '>');
	arena_destroy(a);
}

static void
test_printf_cap(void **state)
{
	struct arena	*a;

	(void)state;
	assert_non_null(a = arena_create(64));
	assert_null(arena_printf(a, "%0100d", 1));
	assert_non_null(arena_printf(a, "%s", "fits"));
	arena_destroy(a);
}

static void
test_calloc_zeroes(void **state)
{
	struct arena	*a;
	unsigned char	*p;
	size_t		 i;

	(void)state;
	assert_non_null(a = arena_create(1024 * 1024));
	/* Dirty the first chunk, reset, and check calloc clears reuse. */
	assert_non_null(p = arena_alloc(a, 256));
	memset(p, 0xff, 256);
	arena_reset(a);
	assert_non_null(p = arena_calloc(a, 64, 4));
	for (i = 0; i < 256; i++)
		assert_int_equal(p[i], 0);
	arena_destroy(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_alignment),
		cmocka_unit_test(test_distinct_allocations),
		cmocka_unit_test(test_cap_enforced),
		cmocka_unit_test(test_cap_counts_big_allocations),
		cmocka_unit_test(test_cleanups_lifo),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_printf_cap),
		cmocka_unit_test(test_calloc_zeroes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
