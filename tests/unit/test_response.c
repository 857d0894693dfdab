/*
 * test_response.c -- headers (CR/LF refused), cookies with attributes,
 * 303 redirects (local paths only), problem+json, and serialization with
 * HEAD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "request.h"
#include "response.h"

static struct arena	*A;
static struct response	 R;

static void
reset(void)
{
	arena_reset(A);
	response_reset(&R, A, NULL);
}

static const char *
header(const char *name)
{
	size_t	i;

	for (i = 0; i < R.nheaders; i++)
		if (strcmp(R.headers[i].name, name) == 0)
			return R.headers[i].value;
	return NULL;
}

static void
test_header_injection_refused(void **state)
{
	(void)state;
	reset();
	assert_int_equal(response_header(&R, "X-A", "ok"), 0);
	assert_int_equal(response_header(&R, "X-B", "a\r\nSet-Cookie: x=1"),
	    -1);
	assert_int_equal(response_header(&R, "X-C", "a\nb"), -1);
	assert_int_equal(response_header(&R, "X-D\r\n", "v"), -1);
	assert_int_equal(R.nheaders, 1);
}

static void
test_cookie_attributes(void **state)
{
	(void)state;
	reset();
	assert_int_equal(response_cookie(&R, "__Host-s", "abc", -1,
	    COOKIE_SECURE | COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX), 0);
	assert_string_equal(header("Set-Cookie"),
	    "__Host-s=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
	reset();
	assert_int_equal(response_cookie(&R, "f", "", 0,
	    COOKIE_SAMESITE_STRICT), 0);
	assert_string_equal(header("Set-Cookie"),
	    "f=; Path=/; Max-Age=0; SameSite=Strict");
}

static void
test_redirect_local_only(void **state)
{
	(void)state;
	reset();
	response_redirect(&R, "/products?page=2");
	assert_int_equal(R.status, 303);
	assert_string_equal(header("Location"), "/products?page=2");
	reset();
	response_redirect(&R, "//evil.example/");
	assert_string_equal(header("Location"), "/");
	reset();
	response_redirect(&R, "https://evil.example/");
	assert_string_equal(header("Location"), "/");
	reset();
	response_redirect(&R, "/\\evil.example");
	assert_string_equal(header("Location"), "/");
	reset();
	response_redirect(&R, "/\t/evil.example");
	assert_string_equal(header("Location"), "/");
	reset();
	response_redirect(&R, "/a/\\/evil.example");
	assert_string_equal(header("Location"), "/");
	reset();
	response_redirect(&R, "/a b");
	assert_string_equal(header("Location"), "/");
}

static void
test_problem_json_and_head(void **state)
{
	struct request	req;
	struct buf	out;

	(void)state;
	reset();
	memset(&req, 0, sizeof(req));
	req.method = M_GET;
	req.is_api = 1;
	response_error(&R, &req, 409, "stale \"version\"");
	assert_int_equal(R.status, 409);
	assert_string_equal(R.content_type, "application/problem+json");
	assert_non_null(strstr(R.body.data, "\"status\":409"));
	assert_non_null(strstr(R.body.data, "\"title\":\"Conflict\""));
	assert_non_null(strstr(R.body.data, "stale \\\"version\\\""));
	buf_init(&out, 1 << 20);
	assert_int_equal(response_serialize(&R, &req, &out), 0);
	assert_true(strncmp(out.data, "Status: 409 Conflict\r\n", 22) == 0);
	assert_non_null(strstr(out.data, "\r\n\r\n{"));
	req.method = M_HEAD;
	assert_int_equal(response_serialize(&R, &req, &out), 0);
	assert_non_null(strstr(out.data, "Content-Length: "));
	assert_int_equal(out.data[out.len - 1], '\n');
	assert_null(strstr(out.data, "{"));
	buf_free(&out);
}

static int
setup(void **state)
{
	(void)state;
	A = arena_create(1 << 20);
	buf_init(&R.body, 1 << 20);
	return A == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	buf_free(&R.body);
	arena_destroy(A);
	return 0;
}

static void
test_header_set_twice(void **state)
{
	size_t	i, cookies = 0;

	(void)state;
	reset();
	assert_int_equal(response_header(&R, "Cache-Control", "max-age=60"), 0);
	assert_int_equal(response_header(&R, "Cache-Control", "no-store"), 0);
	assert_int_equal(response_cookie(&R, "a", "1", -1, 0), 0);
	assert_int_equal(response_cookie(&R, "b", "2", -1, 0), 0);
	assert_int_equal(R.nheaders, 3);
	assert_string_equal(header("Cache-Control"), "no-store");
	for (i = 0; i < R.nheaders; i++)
		cookies += strcmp(R.headers[i].name, "Set-Cookie") == 0;
	assert_int_equal(cookies, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_injection_refused),
		cmocka_unit_test(test_header_set_twice),
		cmocka_unit_test(test_cookie_attributes),
		cmocka_unit_test(test_redirect_local_only),
		cmocka_unit_test(test_problem_json_and_head),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
