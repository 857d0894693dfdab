/*
 * fuzz_response.c -- the response encoders that carry request bytes back
 * out: response_redirect() (a login's next= and the /login?next= link
 * the middleware builds with escape_url()), response_header() (the
 * X-Request-Id echoed from REQUEST_ID), response_cookie(), a problem+json
 * detail, and response_serialize() into the CGI response.
 *
 * Input: up to four '\n'-separated strings (cut at a NUL, as C strings):
 * a redirect target, a request id, a cookie value and a problem detail.
 * Invariants: a redirect goes to a local path (a '/' not followed by '/'
 * or '\\', no blank, control byte or '\\'); the serialized head is lines
 * of "Name: value" with no CR or LF inside one, ended by one empty line,
 * and Content-Length is the body's length; a problem body is JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "escape.h"
#include "fuzz.h"
#include "log.h"
#include "request.h"
#include "response.h"

#define NPARTS	4

static void
check_location(const char *loc)
{
	const unsigned char	*p;

	if (loc[0] != '/' || loc[1] == '/' || loc[1] == '\\')
		fuzz_fail("a redirect that is not a local path");
	for (p = (const unsigned char *)loc; *p != '\0'; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			fuzz_fail("a blank, control byte or '\\' in Location");
}

/* Checks the head of a serialized response; returns the body length
 * Content-Length announced. */
static size_t
check_head(const char *s, size_t len, size_t *headlen)
{
	const char	*p = s, *end = s + len, *eol, *colon;
	size_t		 clen = (size_t)-1;
	unsigned long	 v;

	for (;;) {
		if ((eol = memmem(p, (size_t)(end - p), "\r\n", 2)) == NULL)
			fuzz_fail("a head line without CRLF");
		if (eol == p)
			break;
		if (memchr(p, '\n', (size_t)(eol - p)) != NULL ||
		    memchr(p, '\r', (size_t)(eol - p)) != NULL)
			fuzz_fail("CR or LF inside a head line");
		if ((colon = memchr(p, ':', (size_t)(eol - p))) == NULL ||
		    colon == p)
			fuzz_fail("a head line that is not Name: value");
		if (strncmp(p, "Content-Length: ", 16) == 0 &&
		    sscanf(p + 16, "%lu", &v) == 1)
			clen = v;
		p = eol + 2;
	}
	*headlen = (size_t)(p + 2 - s);
	return clen;
}

static void
serialize(struct response *resp, const struct request *req)
{
	struct buf	out;
	size_t		clen, hlen;

	buf_init(&out, BR_MAX_RESPONSE + 64 * 1024);
	if (response_serialize(resp, req, &out) == -1)
		fuzz_fail("response_serialize");
	clen = check_head(buf_cstr(&out), out.len, &hlen);
	if (clen != resp->body.len || out.len - hlen != clen)
		fuzz_fail("Content-Length is not the body's length");
	buf_free(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	static struct response	 resp;
	struct request		 req;
	struct json_object	*o;
	struct buf		 b;
	const char		*part[NPARTS], *loc;
	const uint8_t		*p = data, *end = data + len, *nl;
	size_t			 i;

	log_set_level(LOG_ERR);		/* refused headers are logged */
	for (i = 0; i < NPARTS; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		part[i] = fuzz_cstr(a, p, (size_t)(nl - p));
		p = nl < end ? nl + 1 : end;
	}
	memset(&req, 0, sizeof(req));
	req.arena = a;
	req.method = M_GET;
	req.is_api = 1;
	buf_init(&resp.body, BR_MAX_RESPONSE);

	response_reset(&resp, a, NULL);
	(void)response_header(&resp, "X-Request-Id", part[1]);
	response_redirect(&resp, part[0]);
	(void)response_cookie(&resp, "c", part[2], 60, COOKIE_HTTPONLY);
	if (resp.status != 303 || resp.nheaders < 1)
		fuzz_fail("response_redirect did not redirect");
	for (i = 0; i < resp.nheaders; i++)
		if (strcmp(resp.headers[i].name, "Location") == 0)
			check_location(resp.headers[i].value);
	serialize(&resp, &req);

	/* The middleware's way back to a page after signing in. */
	response_reset(&resp, a, NULL);
	buf_init(&b, 4096);
	if (buf_puts(&b, "/login?next=") == 0 &&
	    escape_url(&b, part[0], strlen(part[0])) == 0) {
		loc = buf_cstr(&b);
		response_redirect(&resp, loc);
		if (strcmp(resp.headers[0].value, loc) != 0)
			fuzz_fail("an escaped next= was not kept");
	}
	buf_free(&b);

	response_reset(&resp, a, NULL);
	response_problem(&resp, 422, part[3], NULL);
	/* json-c writes a detail's bytes as they are: strict parsing when
	 * it was UTF-8, json-c's own otherwise. */
	if (resp.status == 422 && json_parse_body(a, buf_cstr(&resp.body),
	    resp.body.len, BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &o, NULL) !=
	    JSON_OK) {
		if ((o = json_tokener_parse(buf_cstr(&resp.body))) == NULL)
			fuzz_fail("a problem body that is not JSON");
		json_object_put(o);
	}
	serialize(&resp, &req);
	buf_free(&resp.body);
	arena_reset(a);
	return 0;
}
