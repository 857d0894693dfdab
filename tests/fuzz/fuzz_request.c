/*
 * fuzz_request.c -- the FastCGI params -> struct request conversion
 * (request_init(): method, URIs, CONTENT_LENGTH, the query string and the
 * Cookie header), routing of the result, and the body decoders behind
 * it (request_parse_form(), request_parse_json()).  app/fcgi.c hands
 * libfcgi's envp array over untouched, so the array is synthesized here.
 *
 * Input: "NAME=value" lines (each one envp entry, cut at a NUL as a C
 * string is), an empty line, then the body, which the body reader hands
 * out in pieces of at most 4096 bytes as libfcgi does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "config.h"
#include "fuzz.h"
#include "request.h"
#include "router.h"
#include "str.h"

#define MAX_ENV	64

struct body {
	const uint8_t	*p;
	size_t		 left;
};

static int
body_read(void *ctx, char *buf, size_t n)
{
	struct body	*b = ctx;

	if (n > b->left)
		n = b->left;
	if (n > 4096)
		n = 4096;
	memcpy(buf, b->p, n);
	b->p += n;
	b->left -= n;
	return (int)n;
}

/* Splits the params part of the input into envp; returns the body. */
static const uint8_t *
split_env(struct arena *a, const uint8_t *data, size_t len, char **envp,
    size_t *left)
{
	const uint8_t	*end = data + len, *nl;
	size_t		 n = 0;

	while (data < end) {
		nl = memchr(data, '\n', (size_t)(end - data));
		if (nl == data) {
			data++;
			break;
		}
		if (nl == NULL)
			nl = end;
		if (n < MAX_ENV)
			envp[n++] = fuzz_cstr(a, data, (size_t)(nl - data));
		data = nl < end ? nl + 1 : end;
	}
	envp[n] = NULL;
	*left = (size_t)(end - data);
	return data;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config	 cfg;
	struct arena		*a = fuzz_arena();
	struct request		 r;
	struct body		 b;
	char			*envp[MAX_ENV + 1];
	const char		*msg;
	int			 allow, rv;

	if (cfg.max_body_size == 0)
		config_defaults(&cfg);
	b.p = split_env(a, data, len, envp, &b.left);
	rv = request_init(&r, a, envp, &cfg);
	if (rv != 0 && rv != 400 && rv != 414)
		fuzz_fail("request_init status");
	r.body_read = body_read;
	r.body_ctx = &b;
	if (rv == 0) {
		(void)router_match(routes, nroutes, &r, &allow);
		(void)request_query(&r, "q");
		(void)request_cookie(&r, "br_session");
		(void)request_is_loopback(&r);
		if (str_has_prefix(r.content_type, "application/json"))
			rv = request_parse_json(&r, r.method != M_GET, &msg);
		else
			rv = request_parse_form(&r, &msg);
		if (rv == 0 && r.body_len > (size_t)cfg.max_body_size)
			fuzz_fail("body past max_body_size");
	}
	(void)request_method_name(r.method);
	arena_reset(a);
	return 0;
}
