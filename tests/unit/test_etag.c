/*
 * test_etag.c -- unit tests for app/etag.c: tags change with what they
 * cover, and If-None-Match matching (weak comparison, lists, "*").
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "etag.h"

static void
tag_of(const char *a, const char *b, int64_t v, char *out)
{
	struct etag	e;

	etag_init(&e, "t");
	etag_str(&e, a);
	etag_str(&e, b);
	etag_i64(&e, v);
	etag_format(&e, out);
}

static void
test_tag_changes_with_what_it_covers(void **state)
{
	char	t1[ETAG_LEN], t2[ETAG_LEN];

	(void)state;
	tag_of("ab", "c", 1, t1);
	assert_int_equal(strlen(t1), ETAG_LEN - 1);
	assert_memory_equal(t1, "W/\"", 3);
	tag_of("ab", "c", 1, t2);
	assert_string_equal(t1, t2);
	tag_of("a", "bc", 1, t2);	/* the same bytes, split otherwise */
	assert_string_not_equal(t1, t2);
	tag_of("ab", "c", 2, t2);
	assert_string_not_equal(t1, t2);
	tag_of("ab", NULL, 1, t1);
	tag_of("ab", "", 1, t2);
	assert_string_not_equal(t1, t2);
}

static void
test_if_none_match(void **state)
{
	const char	*t = "W/\"00000000000000ab\"";

	(void)state;
	assert_true(etag_match(t, t));
	assert_true(etag_match("\"00000000000000ab\"", t));
	assert_true(etag_match("\"x\", W/\"00000000000000ab\"", t));
	assert_true(etag_match(" W/\"zz\" ,W/\"00000000000000ab\"", t));
	assert_true(etag_match("*", t));
	assert_false(etag_match(NULL, t));
	assert_false(etag_match("", t));
	assert_false(etag_match("W/\"00000000000000ac\"", t));
	assert_false(etag_match("W/\"00000000000000ab", t));
	assert_false(etag_match("00000000000000ab", t));
	assert_false(etag_match("W/\"00000000000000a\"", t));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_tag_changes_with_what_it_covers),
		cmocka_unit_test(test_if_none_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
