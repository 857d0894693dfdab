/*
 * test_json.c -- unit tests for app/json.c: strict body parsing (malformed,
 * trailing data, depth, size, UTF-8, numbers json-c would clamp),
 * arena ownership, serialization and the typed getters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "json.h"

static int
setup(void **state)
{
	*state = arena_create(BR_ARENA_CAP);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

static enum json_status
parse(struct arena *a, const char *s, struct json_object **o)
{
	const char	*msg = NULL;
	enum json_status st;

	st = json_parse_body(a, s, strlen(s), BR_MAX_JSON_BODY,
	    BR_MAX_JSON_DEPTH, o, &msg);
	assert_non_null(msg);
	if (st != JSON_OK)
		assert_null(*o);
	return st;
}

static void
test_valid(void **state)
{
	struct json_object	*o;
	const char		*s;
	int64_t			 i;
	int			 b;

	assert_int_equal(parse(*state, " {\"name\": \"caf\xc3\xa9\", "
	    "\"qty\": -12, \"ok\": true, \"l\": [1, 2.5, null]}\r\n", &o),
	    JSON_OK);
	assert_non_null(o);
	assert_int_equal(json_get_string(o, "name", &s), 0);
	assert_string_equal(s, "caf\xc3\xa9");
	assert_int_equal(json_get_int64(o, "qty", &i), 0);
	assert_int_equal(i, -12);
	assert_int_equal(json_get_bool(o, "ok", &b), 0);
	assert_int_equal(b, 1);
	/* Top-level scalars need the end of input to finish. */
	assert_int_equal(parse(*state, "123", &o), JSON_OK);
	assert_int_equal(json_object_get_int64(o), 123);
	assert_int_equal(parse(*state, "\"x\"", &o), JSON_OK);
	assert_int_equal(parse(*state, "[null]", &o), JSON_OK);
	assert_int_equal(parse(*state, "1.5e3", &o), JSON_OK);
	assert_int_equal(parse(*state, "[-0, 0.0e-0, 1E+5, -12.50e2, 0]", &o),
	    JSON_OK);
	assert_int_equal(json_object_array_length(o), 5);
	assert_int_equal(parse(*state, "\"\\ud83d\\ude00 \\n\"", &o), JSON_OK);
	assert_string_equal(json_object_get_string(o), "\xf0\x9f\x98\x80 \n");
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"", "   ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "[1 2]",
		"tru", "01", "-", "{a:1}", "/* c */ 1", "[1]]", "NaN",
		"Infinity", "-Infinity", "[1e999]", "\"\\x\"", "nul",
		"null",		/* valid JSON, but no root to hand out */
		"{'a':1}",	/* json-c's strict mode lets this through */
		"[1,\"a\"\"]", "{\"a\" 1}", "[.5]", "[+1]", "[1.]", "[1e]",
		"[1e+]", "[-]", "[-01]", "[1.e5]", "[0x1]",
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = (struct json_object *)1;
		assert_int_equal(parse(*state, bad[i], &o), JSON_EMALFORMED);
	}
}

static void
test_trailing_garbage(void **state)
{
	struct json_object	*o;
	const char		*msg;

	assert_int_equal(parse(*state, "{\"a\":1} x", &o), JSON_EMALFORMED);
	assert_int_equal(parse(*state, "{}{}", &o), JSON_EMALFORMED);
	assert_int_equal(parse(*state, "1 2", &o), JSON_EMALFORMED);
	assert_int_equal(parse(*state, "[] ,", &o), JSON_EMALFORMED);
	/* A NUL is not the end of the body: len is. */
	assert_int_equal(json_parse_body(*state, "{}\0{}", 5, 100, 4, &o,
	    &msg), JSON_EMALFORMED);
	assert_int_equal(parse(*state, "{} \t\r\n", &o), JSON_OK);
}

static void
test_bad_text(void **state)
{
	static const char *const bad[] = {
		"\"a\tb\"",		/* raw control byte in a string */
		"\"a\nb\"",
		"[\"\x01\"]",
		"\"\xff\"",		/* invalid UTF-8 */
		"\"\xc0\xaf\"",		/* overlong */
		"\"\xed\xa0\x80\"",	/* surrogate */
		"\"\xc3\"",		/* truncated */
		"[1,\0132]",		/* VT (octal 013) is not whitespace */
	};
	struct json_object	*o;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(*state, bad[i], &o), JSON_EMALFORMED);
	/* Escaped quote does not end the string early. */
	assert_int_equal(parse(*state, "[\"a\\\"\\n\", \"\\\\\"]", &o),
	    JSON_OK);
	assert_int_equal(json_object_array_length(o), 2);
}

static void
test_number_range(void **state)
{
	struct json_object	*o;

	assert_int_equal(parse(*state, "99999999999999999999999", &o),
	    JSON_EMALFORMED);
	assert_int_equal(parse(*state, "[-99999999999999999999]", &o),
	    JSON_EMALFORMED);
	assert_int_equal(parse(*state, "{\"a\":{\"b\":[1e400]}}", &o),
	    JSON_EMALFORMED);
	assert_int_equal(parse(*state, "9223372036854775807", &o), JSON_OK);
	assert_true(json_object_get_int64(o) == INT64_MAX);
	assert_int_equal(parse(*state, "-9223372036854775807", &o), JSON_OK);
	assert_int_equal(parse(*state, "18446744073709551614", &o), JSON_OK);
}

/* n nested arrays around 0, in arena memory. */
static char *
nested(struct arena *a, int n)
{
	char	*s;
	int	 i;

	assert_non_null(s = arena_alloc(a, 2 * (size_t)n + 2));
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + 1 + i] = ']';
	}
	s[n] = '0';
	s[2 * n + 1] = '\0';
	return s;
}

static void
test_too_deep(void **state)
{
	struct json_object	*o;
	const char		*s, *msg;

	assert_int_equal(parse(*state, nested(*state, BR_MAX_JSON_DEPTH),
	    &o), JSON_OK);
	assert_int_equal(parse(*state, nested(*state, BR_MAX_JSON_DEPTH + 1),
	    &o), JSON_ETOODEEP);
	s = "{\"a\":[{\"b\":1}]}";		/* depth 3 */
	assert_int_equal(json_parse_body(*state, s, strlen(s), 100, 3, &o,
	    &msg), JSON_OK);
	assert_int_equal(json_parse_body(*state, s, strlen(s), 100, 2, &o,
	    &msg), JSON_ETOODEEP);
	assert_null(o);
	/* The header's cap wins over a bigger argument. */
	s = nested(*state, BR_MAX_JSON_DEPTH + 1);
	assert_int_equal(json_parse_body(*state, s, strlen(s), 1000, 1000,
	    &o, &msg), JSON_ETOODEEP);
	assert_int_equal(json_parse_body(*state, "[1]", 3, 10, 0, &o, &msg),
	    JSON_OK);
}

static void
test_too_big(void **state)
{
	struct json_object	*o;
	const char		*msg = NULL;
	char			*s;

	assert_int_equal(json_parse_body(*state, "[1,2]", 5, 5, 4, &o, &msg),
	    JSON_OK);
	assert_int_equal(json_parse_body(*state, "[1,2]", 5, 4, 4, &o, &msg),
	    JSON_ETOOBIG);
	assert_null(o);
	assert_non_null(msg);
	assert_true(strlen(msg) > 0);
	/* max_len is capped by BR_MAX_JSON_BODY. */
	s = arena_alloc(*state, BR_MAX_JSON_BODY + 1);
	assert_non_null(s);
	memset(s, ' ', BR_MAX_JSON_BODY + 1);
	s[0] = '1';
	assert_int_equal(json_parse_body(*state, s, BR_MAX_JSON_BODY + 1,
	    SIZE_MAX, 4, &o, NULL), JSON_ETOOBIG);
	assert_int_equal(json_parse_body(*state, s, BR_MAX_JSON_BODY,
	    SIZE_MAX, 4, &o, NULL), JSON_OK);
}

/* The pre-scan counts values, so a body of many small values is refused
 * before json-c builds a tree (a 1 MiB "[{},{},...]" cost ~270 MB). */
static void
test_too_many_values(void **state)
{
	struct json_object	*o;
	char			*s;
	size_t			 i, n = BR_MAX_JSON_VALUES;
	const char		*msg;

	/* "[{},...,{}]" with k objects: k + 1 values. */
	s = test_malloc(n * 3 + 8);
	s[0] = '[';
	for (i = 0; i < n; i++)
		memcpy(s + 1 + i * 3, "{},", 3);
	s[(n - 1) * 3] = ']';			/* n - 1 objects */
	s[(n - 1) * 3 + 1] = '\0';
	assert_int_equal(parse(*state, s, &o), JSON_OK);
	s[(n - 1) * 3] = ',';
	s[(n - 1) * 3 + 1] = '{';
	s[n * 3] = ']';				/* n objects */
	s[n * 3 + 1] = '\0';
	assert_int_equal(json_parse_body(*state, s, strlen(s),
	    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, &msg), JSON_ETOOBIG);
	assert_null(o);
	test_free(s);
	/* A literal counts once, not per letter. */
	assert_int_equal(parse(*state, "[true,false,null,\"nul\"]", &o),
	    JSON_OK);
}

static void
test_object_only(void **state)
{
	struct json_object	*o;
	const char		*msg;

	assert_int_equal(json_parse_object(*state, " \n{\"a\":[1]}", 11,
	    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, &msg), JSON_OK);
	assert_true(json_object_is_type(o, json_type_object));
	assert_int_equal(json_parse_object(*state, "[{}]", 4,
	    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, &msg), JSON_ENOTOBJECT);
	assert_null(o);
	assert_int_equal(json_parse_object(*state, "12", 2,
	    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, &msg), JSON_ENOTOBJECT);
	assert_int_equal(json_parse_object(*state, "  ", 2,
	    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, &msg), JSON_ENOTOBJECT);
}

static void
test_own_puts_at_reset(void **state)
{
	struct json_object	*o;

	o = json_object_new_object();
	assert_non_null(o);
	json_object_get(o);			/* keep our own reference */
	assert_ptr_equal(json_own(*state, o), o);
	arena_reset(*state);
	/* The arena dropped its reference, so ours is the last one. */
	assert_int_equal(json_object_put(o), 1);
	assert_null(json_own(*state, NULL));
}

static void
test_own_at_cap(void **state)
{
	struct arena		*a;
	struct json_object	*o;

	(void)state;
	assert_non_null(a = arena_create(16));
	assert_non_null(arena_alloc(a, 16));
	o = json_object_new_int(1);
	json_object_get(o);
	assert_null(json_own(a, o));
	assert_int_equal(json_object_put(o), 1);	/* own put once */
	arena_destroy(a);
}

static void
test_to_buf(void **state)
{
	struct json_object	*o;
	struct buf		 b;

	assert_int_equal(parse(*state, "{ \"a\" : [ 1, \"</x>\" ], \"b\": {} }",
	    &o), JSON_OK);
	buf_init(&b, 1024);
	assert_int_equal(json_to_buf(&b, o), 0);
	assert_string_equal(b.data, "{\"a\":[1,\"<\\/x>\"],\"b\":{}}");
	buf_free(&b);
	buf_init(&b, 10);
	assert_int_equal(json_to_buf(&b, o), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(json_to_buf(&b, NULL), 0);
	assert_string_equal(b.data, "null");
	buf_free(&b);
}

static void
test_getters(void **state)
{
	struct json_object	*o, *arr;
	const char		*s = "untouched";
	int64_t			 i = 7;
	int			 b = 7;

	assert_int_equal(parse(*state, "{\"s\":\"x\",\"n\":5,\"d\":1.5,"
	    "\"t\":false,\"z\":null,\"ns\":\"a\\u0000b\","
	    "\"u\":18446744073709551614,\"sn\":\"5\"}", &o), JSON_OK);
	assert_int_equal(json_get_string(o, "n", &s), -1);
	assert_int_equal(json_get_string(o, "z", &s), -1);
	assert_int_equal(json_get_string(o, "missing", &s), -1);
	assert_int_equal(json_get_string(o, "ns", &s), -1);	/* NUL */
	assert_string_equal(s, "untouched");
	assert_int_equal(json_get_int64(o, "d", &i), -1);
	assert_int_equal(json_get_int64(o, "sn", &i), -1);
	assert_int_equal(json_get_int64(o, "t", &i), -1);
	assert_int_equal(json_get_int64(o, "u", &i), -1);	/* > INT64 */
	assert_int_equal(i, 7);
	assert_int_equal(json_get_bool(o, "n", &b), -1);
	assert_int_equal(json_get_bool(o, "z", &b), -1);
	assert_int_equal(b, 7);
	assert_int_equal(json_get_bool(o, "t", &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(json_get_int64(o, "n", &i), 0);
	assert_int_equal(i, 5);
	/* Not an object at all. */
	assert_int_equal(parse(*state, "[1]", &arr), JSON_OK);
	assert_int_equal(json_get_int64(arr, "0", &i), -1);
	assert_int_equal(json_get_int64(NULL, "n", &i), -1);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_malformed),
		T(test_trailing_garbage),
		T(test_bad_text),
		T(test_number_range),
		T(test_too_deep),
		T(test_too_big),
		T(test_too_many_values),
		T(test_object_only),
		T(test_own_puts_at_reset),
		T(test_own_at_cap),
		T(test_to_buf),
		T(test_getters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
