/*
 * test_request.c -- CGI params into struct request, and the body, form and
 * JSON decoding with their caps and status codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "config.h"
#include "request.h"

static struct arena	*A;
static struct config	 C;

struct fake_body {
	const char	*p;
	size_t		 len;	/* bytes the reader will deliver */
	size_t		 off;
};

static int
fake_read(void *ctx, char *buf, size_t n)
{
	struct fake_body	*b = ctx;
	size_t			 left = b->len - b->off;

	if (n > left)
		n = left;
	if (n > 3)
		n = 3;		/* short reads, like a slow client */
	memcpy(buf, b->p + b->off, n);
	b->off += n;
	return (int)n;
}

static int
init(struct request *r, char **env, struct fake_body *fb)
{
	int	st;

	arena_reset(A);
	st = request_init(r, A, env, &C);
	r->body_read = fake_read;
	r->body_ctx = fb;
	return st;
}

static void
test_params(void **state)
{
	char	*env[] = { "REQUEST_METHOD=POST", "DOCUMENT_URI=/api/v1/x",
	    "REQUEST_URI=/api/v1/x?a=1&b=two+words",
	    "QUERY_STRING=a=1&b=two+words",
	    "HTTP_COOKIE=s=abc; t=\"q\"", "REMOTE_ADDR=127.0.0.1",
	    "REQUEST_ID=rid1", "HTTP_USER_AGENT=ua", NULL };
	struct request	r;

	(void)state;
	assert_int_equal(init(&r, env, NULL), 0);
	assert_int_equal(r.method, M_POST);
	assert_string_equal(r.path, "/api/v1/x");
	assert_true(r.is_api);
	assert_string_equal(request_query(&r, "b"), "two words");
	assert_string_equal(request_cookie(&r, "s"), "abc");
	assert_string_equal(request_cookie(&r, "t"), "q");
	assert_string_equal(request_env(&r, "HTTP_USER_AGENT"), "ua");
	assert_null(request_env(&r, "HTTP_USER"));
	assert_true(request_is_loopback(&r));
	assert_int_equal(r.content_length, -1);
}

static void
test_bad_params(void **state)
{
	char	*q[] = { "QUERY_STRING=a=%zz", NULL };
	char	*q0[] = { "QUERY_STRING=a=%00", NULL };
	char	*cl[] = { "CONTENT_LENGTH=12x", NULL };
	char	*neg[] = { "CONTENT_LENGTH=-5", NULL };
	char	 longuri[BR_MAX_URI + 32];
	char	*lu[] = { longuri, NULL };
	struct request	r;

	(void)state;
	assert_int_equal(init(&r, q, NULL), 400);
	assert_int_equal(init(&r, q0, NULL), 400);
	assert_int_equal(init(&r, cl, NULL), 400);
	assert_int_equal(init(&r, neg, NULL), 400);
	memset(longuri, 'a', sizeof(longuri) - 1);
	longuri[sizeof(longuri) - 1] = '\0';
	memcpy(longuri, "REQUEST_URI=/", 13);
	assert_int_equal(init(&r, lu, NULL), 414);
}

static void
test_body_caps(void **state)
{
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=11",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", NULL };
	struct fake_body	fb = { "a=1&b=hello", 11, 0 };
	struct fake_body	shortb = { "a=1&b", 5, 0 };
	struct request		r;
	const char		*field;

	(void)state;
	assert_int_equal(init(&r, env, &fb), 0);
	assert_int_equal(request_parse_form(&r, &field), 0);
	assert_string_equal(form_get(&r.form, "b"), "hello");
	/* Short body: the client promised 11 bytes and sent 5. */
	assert_int_equal(init(&r, env, &shortb), 0);
	assert_int_equal(request_parse_form(&r, &field), 400);
	/* Past max_body_size. */
	C.max_body_size = 10;
	fb.off = 0;
	assert_int_equal(init(&r, env, &fb), 0);
	assert_int_equal(request_parse_form(&r, &field), 413);
	C.max_body_size = 1024;
}

static void
test_form_errors(void **state)
{
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=9",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", NULL };
	char	*json[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=9",
	    "CONTENT_TYPE=application/json", NULL };
	struct fake_body	fb = { "qty=%zz&x", 9, 0 };
	struct request		r;
	const char		*field;

	(void)state;
	assert_int_equal(init(&r, env, &fb), 0);
	assert_int_equal(request_parse_form(&r, &field), 400);
	assert_string_equal(field, "qty");
	fb.off = 0;
	assert_int_equal(init(&r, json, &fb), 0);
	assert_int_equal(request_parse_form(&r, &field), 415);
}

static void
test_json(void **state)
{
	char	*env[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=8",
	    "CONTENT_TYPE=application/json; charset=utf-8", NULL };
	char	*form[] = { "REQUEST_METHOD=POST", "CONTENT_LENGTH=8",
	    "CONTENT_TYPE=text/plain", NULL };
	struct fake_body	ok = { "{\"a\":1}\n", 8, 0 };
	struct fake_body	bad = { "{\"a\":1,}", 8, 0 };
	struct request		r;
	const char		*msg;
	int64_t			 v;

	(void)state;
	assert_int_equal(init(&r, env, &ok), 0);
	assert_int_equal(request_parse_json(&r, 0, &msg), 0);
	assert_int_equal(json_object_get_int64(
	    json_object_object_get(r.json, "a")), 1);
	(void)v;
	assert_int_equal(init(&r, env, &bad), 0);
	assert_int_equal(request_parse_json(&r, 0, &msg), 400);
	assert_non_null(msg);
	ok.off = 0;
	assert_int_equal(init(&r, form, &ok), 0);
	assert_int_equal(request_parse_json(&r, 0, &msg), 415);
}

static int
setup(void **state)
{
	(void)state;
	config_defaults(&C);
	C.max_body_size = 1024;
	A = arena_create(1 << 20);
	return A == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_body_caps),
		cmocka_unit_test(test_form_errors),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
