/*
 * test_escape.c -- unit tests for app/escape.c: HTML entities, log-safe
 * copies (escaping, truncation marker, tiny buffers) and URL encoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "escape.h"

static void
test_html_entities(void **state)
{
	struct buf	 b;
	const char	*in = "<a href=\"x\" title='y'>&amp;</a>";

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(escape_html(&b, in, strlen(in)), 0);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot; title=&#39;y"
	    "&#39;&gt;&amp;amp;&lt;/a&gt;");
	buf_free(&b);
}

static void
test_html_passthrough(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 1024);
	/* UTF-8 and plain text untouched; length, not NUL, ends input. */
	assert_int_equal(escape_html(&b, "caf\xc3\xa9 ok\0<", 10), 0);
	assert_int_equal(b.len, 13);
	assert_memory_equal(b.data, "caf\xc3\xa9 ok\0&lt;", 14);
	buf_reset(&b);
	assert_int_equal(escape_html(&b, "", 0), 0);
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

static void
test_html_cap(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 8);
	assert_int_equal(escape_html(&b, "ab<", 3), 0);	/* 6 bytes */
	assert_int_equal(escape_html(&b, "<", 1), -1);		/* 4 more */
	buf_reset(&b);
	assert_int_equal(escape_html(&b, "123456789", 9), -1);
	buf_free(&b);
}

static void
test_log_escapes(void **state)
{
	char	dst[128];

	(void)state;
	assert_string_equal(escape_log(dst, sizeof(dst), "plain text"),
	    "plain text");
	assert_string_equal(escape_log(dst, sizeof(dst), "a\nb\tc\x7f"),
	    "a\\x0Ab\\x09c\\x7F");
	assert_string_equal(escape_log(dst, sizeof(dst), "q\"b\\"),
	    "q\\\"b\\\\");
	assert_string_equal(escape_log(dst, sizeof(dst), "\xc3\xa9"),
	    "\\xC3\\xA9");
	assert_ptr_equal(escape_log(dst, sizeof(dst), "x"), dst);
}

static void
test_log_truncation(void **state)
{
	char	dst[8];

	(void)state;
	/* Exactly fits: 7 bytes + NUL, no marker. */
	assert_string_equal(escape_log(dst, sizeof(dst), "1234567"),
	    "1234567");
	assert_string_equal(escape_log(dst, sizeof(dst), "12345678"),
	    "1234...");
	/* An escape is never cut in half. */
	assert_string_equal(escape_log(dst, sizeof(dst), "ab\x01zzzz"),
	    "ab...");
	assert_string_equal(escape_log(dst, sizeof(dst), "a\x01"), "a\\x01");
	assert_string_equal(escape_log(dst, 3, "abcdef"), "..");
	assert_string_equal(escape_log(dst, 1, "abc"), "");
	dst[0] = 'Z';
	escape_log(dst, 0, "abc");
	assert_int_equal(dst[0], 'Z');
}

static void
test_url(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 1024);
	assert_int_equal(escape_url(&b, "AZaz09-._~", 10), 0);
	assert_string_equal(b.data, "AZaz09-._~");
	buf_reset(&b);
	assert_int_equal(escape_url(&b, "a b&c=d/e?\xc3\xa9+%", 14), 0);
	assert_string_equal(b.data, "a%20b%26c%3Dd%2Fe%3F%C3%A9%2B%25");
	buf_reset(&b);
	assert_int_equal(escape_url(&b, "\0", 1), 0);
	assert_string_equal(b.data, "%00");
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(escape_url(&b, "a b", 3), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_entities),
		cmocka_unit_test(test_html_passthrough),
		cmocka_unit_test(test_html_cap),
		cmocka_unit_test(test_log_escapes),
		cmocka_unit_test(test_log_truncation),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
