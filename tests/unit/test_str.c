/*
 * test_str.c -- unit tests for app/str.c: whole-string, range-checked
 * integer parsing and the comparison and copy helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "str.h"

static void
test_to_i64_valid(void **state)
{
	int64_t	v;

	(void)state;
	assert_int_equal(str_to_i64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(str_to_i64("-7", -10, 10, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(str_to_i64("+5", 0, 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(str_to_i64("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(str_to_i64("9223372036854775807", INT64_MIN,
	    INT64_MAX, &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(str_to_i64("-9223372036854775808", INT64_MIN,
	    INT64_MAX, &v), 0);
	assert_true(v == INT64_MIN);
}

static void
test_to_i64_range(void **state)
{
	int64_t	v = 99;

	(void)state;
	assert_int_equal(str_to_i64("1", 1, 10, &v), 0);	/* inclusive */
	assert_int_equal(str_to_i64("10", 1, 10, &v), 0);
	v = 99;
	assert_int_equal(str_to_i64("0", 1, 10, &v), -1);
	assert_int_equal(str_to_i64("11", 1, 10, &v), -1);
	assert_int_equal(str_to_i64("-1", 0, 10, &v), -1);
	assert_int_equal(v, 99);	/* untouched on failure */
}

static void
test_to_i64_garbage(void **state)
{
	static const char *const bad[] = {
		"", " 1", "1 ", "12a", "a12", "0x10", "1.5", "1e3", "-", "+",
		"--1", "+-1", "\t1", "1\n",
	};
	int64_t	v = 99;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(str_to_i64(bad[i], INT64_MIN, INT64_MAX,
		    &v), -1);
	assert_int_equal(v, 99);
}

static void
test_to_i64_overflow(void **state)
{
	int64_t	v = 99;

	(void)state;
	assert_int_equal(str_to_i64("9223372036854775808", INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(str_to_i64("-9223372036854775809", INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(str_to_i64("99999999999999999999999", INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(v, 99);
}

static void
test_to_i64n(void **state)
{
	int64_t	v;

	(void)state;
	assert_int_equal(str_to_i64n("123abc", 3, 0, 1000, &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(str_to_i64n("123abc", 4, 0, 1000, &v), -1);
	assert_int_equal(str_to_i64n("5", 0, 0, 10, &v), -1);
	assert_int_equal(str_to_i64n("00000000000000000000000000000000001",
	    35, 0, 10, &v), -1);
	assert_int_equal(str_to_i64n("2000", 4, 0, 1000, &v), -1);
}

static void
test_ct_equal(void **state)
{
	(void)state;
	assert_int_equal(str_ct_equal("secret", 6, "secret", 6), 1);
	assert_int_equal(str_ct_equal("secret", 6, "secreT", 6), 0);
	assert_int_equal(str_ct_equal("Secret", 6, "secret", 6), 0);
	assert_int_equal(str_ct_equal("secret", 6, "secret!", 7), 0);
	assert_int_equal(str_ct_equal("secret", 6, "secre", 5), 0);
	/* Equal bytes up to the shorter length are still not equal. */
	assert_int_equal(str_ct_equal("ab\0", 3, "ab", 2), 0);
	assert_int_equal(str_ct_equal("ab", 2, "ab\0", 3), 0);
	assert_int_equal(str_ct_equal("", 0, "", 0), 1);
	assert_int_equal(str_ct_equal("a\0b", 3, "a\0c", 3), 0);
	assert_int_equal(str_ct_equal("a\0b", 3, "a\0b", 3), 1);
}

static void
test_small_helpers(void **state)
{
	char	dst[6];

	(void)state;
	assert_int_equal(str_has_prefix("multipart/x", "multipart/"), 1);
	assert_int_equal(str_has_prefix("multi", "multipart/"), 0);
	assert_int_equal(str_has_prefix("abc", ""), 1);
	assert_int_equal(str_ncasecmp("Content-Type", "content-TYPE", 12), 0);
	assert_true(str_ncasecmp("abc", "abd", 3) < 0);
	assert_int_equal(str_ncasecmp("abc", "abd", 2), 0);
	assert_int_equal(str_copy(dst, sizeof(dst), "hello"), 0);
	assert_string_equal(dst, "hello");
	assert_int_equal(str_copy(dst, sizeof(dst), "hello!"), -1);
	assert_string_equal(dst, "");
	assert_int_equal(str_copy(dst, 0, "x"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_i64_valid),
		cmocka_unit_test(test_to_i64_range),
		cmocka_unit_test(test_to_i64_garbage),
		cmocka_unit_test(test_to_i64_overflow),
		cmocka_unit_test(test_to_i64n),
		cmocka_unit_test(test_ct_equal),
		cmocka_unit_test(test_small_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
