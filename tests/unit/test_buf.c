/*
 * test_buf.c -- unit tests for app/buf.c: the hard cap, failure leaves
 * the buffer as it was (no silent truncation), NUL termination, printf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static void
test_append_and_nul(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(buf_puts(&b, "def"), 0);
	assert_int_equal(buf_putc(&b, 'g'), 0);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "abcdefg");
	assert_int_equal(buf_append(&b, "\0x", 2), 0);	/* bytes, not C str */
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "abcdefg\0x", 10);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.max, 64);
}

static void
test_cap_no_truncation(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345"), 0);
	assert_int_equal(buf_puts(&b, "6789"), -1);	/* 9 > 8 */
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "12345");
	assert_int_equal(buf_puts(&b, "678"), 0);	/* exactly 8 */
	assert_string_equal(b.data, "12345678");
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX), -1);
	assert_string_equal(b.data, "12345678");
	buf_free(&b);
}

static void
test_printf(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_printf(&b, "%d:%s", 42, "ok"), 0);
	assert_string_equal(b.data, "42:ok");
	assert_int_equal(buf_printf(&b, "%s", "0123456789ab"), -1);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "42:ok");
	assert_int_equal(buf_printf(&b, "%s", "0123456789a"), 0);
	assert_int_equal(b.len, 16);
	assert_string_equal(b.data, "42:ok0123456789a");
	buf_free(&b);
}

static void
test_growth_and_reset(void **state)
{
	struct buf	 b;
	size_t		 i;
	char		*mem;

	(void)state;
	buf_init(&b, 100000);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_printf(&b, "%c", 'a' + (int)(i % 26)), 0);
	assert_int_equal(b.len, 5000);
	assert_int_equal(b.data[0], 'a');
	assert_int_equal(b.data[4999], 'a' + 4999 % 26);
	assert_int_equal(b.data[5000], '\0');
	assert_true(b.cap > 5000 && b.cap <= b.max + 1);
	mem = b.data;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_ptr_equal(b.data, mem);	/* keeps memory */
	assert_int_equal(buf_puts(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

static void
test_zero_cap(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_putc(&b, 'x'), -1);
	assert_int_equal(buf_printf(&b, "%s", ""), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_nul),
		cmocka_unit_test(test_cap_no_truncation),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_growth_and_reset),
		cmocka_unit_test(test_zero_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
