/*
 * test_idempotency.c -- the decisions of idempotency.c that need no
 * database: which Idempotency-Key and form tokens are accepted (400
 * otherwise), and what "the same request" is (the fingerprint over method,
 * path and body).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "idempotency.h"
#include "request.h"
#include "response.h"

static struct arena	*A;
static struct config	 C;
static struct response	 R;

struct body {
	const char	*p;
	size_t		 off;
};

static int
body_read(void *ctx, char *buf, size_t n)
{
	struct body	*b = ctx;
	size_t		 left = strlen(b->p) - b->off;

	if (n > left)
		n = left;
	memcpy(buf, b->p + b->off, n);
	b->off += n;
	return (int)n;
}

/* A request of env with body (may be NULL), and a clean response. */
static void
init(struct request *r, char **env, struct body *b)
{
	arena_reset(A);
	assert_int_equal(request_init(r, A, env, &C), 0);
	r->body_read = body_read;
	r->body_ctx = b;
	response_reset(&R, A, NULL);
}

static int
api_key(const char *header, const char **key)
{
	struct request	 r;
	char		 h[256];
	char		*env[] = { "REQUEST_METHOD=POST",
	    "DOCUMENT_URI=/api/v1/movements", h, NULL };

	snprintf(h, sizeof(h), "HTTP_IDEMPOTENCY_KEY=%s", header);
	if (header == NULL)
		env[2] = NULL;
	init(&r, env, NULL);
	return idem_api_key(&r, &R, key);
}

static void
test_api_key(void **state)
{
	const char	*key;
	char		 longkey[128];

	(void)state;
	assert_int_equal(api_key(NULL, &key), 0);
	assert_null(key);
	assert_int_equal(api_key("order-2026-12-02/7", &key), 0);
	assert_string_equal(key, "order-2026-12-02/7");
	memset(longkey, 'k', 100);
	longkey[100] = '\0';
	assert_int_equal(api_key(longkey, &key), 0);
	longkey[100] = 'k';
	longkey[101] = '\0';
	assert_int_equal(api_key(longkey, &key), -1);
	assert_int_equal(R.status, 400);
	assert_int_equal(api_key("", &key), -1);
	assert_int_equal(api_key("two words", &key), -1);
	assert_int_equal(api_key("tab\there", &key), -1);
	assert_int_equal(api_key("caf\xc3\xa9", &key), -1);
	assert_int_equal(R.status, 400);
}

static int
form_key(const char *form, const char **key)
{
	struct request	 r;
	struct body	 b = { form, 0 };
	char		 len[48];
	char		*env[] = { "REQUEST_METHOD=POST",
	    "DOCUMENT_URI=/products",
	    "CONTENT_TYPE=application/x-www-form-urlencoded", len, NULL };

	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(form));
	init(&r, env, &b);
	return idem_form_key(&r, &R, key);
}

static void
test_form_key(void **state)
{
	const char	*key;
	char		 form[128], tok[65];

	(void)state;
	memset(tok, 'a', 64);
	tok[64] = '\0';
	snprintf(form, sizeof(form), "name=x&form_token=%s", tok);
	assert_int_equal(form_key(form, &key), 0);
	assert_non_null(key);
	assert_true(strncmp(key, "form:", 5) == 0);
	assert_string_equal(key + 5, tok);
	/* Missing, short, long: a 400 that says to reload the page. */
	assert_int_equal(form_key("name=x", &key), -1);
	assert_int_equal(R.status, 400);
	assert_int_equal(form_key("form_token=abc", &key), -1);
	snprintf(form, sizeof(form), "form_token=%sa", tok);
	assert_int_equal(form_key(form, &key), -1);
	snprintf(form, sizeof(form), "form_token=%.63s%%20", tok);
	assert_int_equal(form_key(form, &key), -1);
	assert_int_equal(R.status, 400);
}

static const char *
fp(const char *method, const char *path, const char *body)
{
	struct request	 r;
	struct body	 b = { body, 0 };
	char		 m[32], p[64], len[48];
	char		*env[] = { m, p, "CONTENT_TYPE=application/json", len,
	    NULL };
	const char	*out;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(p, sizeof(p), "DOCUMENT_URI=%s", path);
	snprintf(len, sizeof(len), "CONTENT_LENGTH=%zu", strlen(body));
	init(&r, env, &b);
	assert_int_equal(request_read_body(&r), 0);
	out = idem_fingerprint(&r);
	assert_non_null(out);
	return strdup(out);
}

static void
test_fingerprint(void **state)
{
	char	*a, *b, *c, *d, *e;

	(void)state;
	a = (char *)fp("POST", "/api/v1/movements", "{\"qty\":1}");
	b = (char *)fp("POST", "/api/v1/movements", "{\"qty\":1}");
	c = (char *)fp("POST", "/api/v1/movements", "{\"qty\":2}");
	d = (char *)fp("POST", "/api/v1/orders", "{\"qty\":1}");
	e = (char *)fp("PUT", "/api/v1/movements", "{\"qty\":1}");
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
	assert_string_not_equal(a, e);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

static int
setup(void **state)
{
	(void)state;
	config_defaults(&C);
	A = arena_create(1 << 20);
	buf_init(&R.body, 1 << 20);
	return A == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	buf_free(&R.body);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_key),
		cmocka_unit_test(test_form_key),
		cmocka_unit_test(test_fingerprint),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
