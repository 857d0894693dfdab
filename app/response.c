/*
 * response.c -- status, headers, cookies, redirects, JSON, problem+json,
 * templated HTML, and serialization into the CGI response format.  JSON
 * answers are json-c trees; pages are rendered from a struct tval context
 * (tmpl.h), which allocates nothing outside the request arena.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "assets.h"
#include "authz.h"
#include "buf.h"
#include "crypto.h"
#include "etag.h"
#include "json.h"
#include "log.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "tmpl.h"

static const struct {
	int		 code;
	const char	*text;
} status_texts[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 303, "See Other" }, { 304, "Not Modified" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 409, "Conflict" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
response_status_text(int status)
{
	size_t	i;

	for (i = 0; i < sizeof(status_texts) / sizeof(status_texts[0]); i++)
		if (status_texts[i].code == status)
			return status_texts[i].text;
	return "Unknown";
}

void
response_reset(struct response *r, struct arena *a,
    const struct tmpl_set *tmpl)
{
	r->status = 500;
	r->content_type = "text/plain; charset=utf-8";
	r->nheaders = 0;
	buf_reset(&r->body);
	r->arena = a;
	r->tmpl = tmpl;
}

static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return 0;
	return 1;
}

int
response_header(struct response *r, const char *name, const char *value)
{
	struct resp_header	*h;
	size_t			 i;

	if (!header_safe(name) || !header_safe(value)) {
		log_warn("refused header %s", name);
		return -1;
	}
	/* Set again: the new value replaces the old (but every cookie is
	 * a header of its own). */
	for (i = 0; i < r->nheaders; i++)
		if (strcmp(r->headers[i].name, name) == 0 &&
		    strcmp(name, "Set-Cookie") != 0)
			break;
	if (i == BR_MAX_RESP_HEADERS) {
		log_warn("refused header %s", name);
		return -1;
	}
	h = &r->headers[i];
	if ((h->value = arena_strdup(r->arena, value)) == NULL ||
	    (i == r->nheaders && (h->name = arena_strdup(r->arena, name)) ==
	    NULL))
		return -1;
	if (i == r->nheaders)
		r->nheaders++;
	return 0;
}

int
response_cookie(struct response *r, const char *name, const char *value,
    long max_age, int flags)
{
	char	*v;

	v = arena_printf(r->arena, "%s=%s; Path=/%s%s%s%s%s", name, value,
	    max_age >= 0 ? "; Max-Age=" : "",
	    max_age >= 0 ? arena_printf(r->arena, "%ld", max_age) : "",
	    (flags & COOKIE_SECURE) ? "; Secure" : "",
	    (flags & COOKIE_HTTPONLY) ? "; HttpOnly" : "",
	    (flags & COOKIE_SAMESITE_STRICT) ? "; SameSite=Strict" :
	    (flags & COOKIE_SAMESITE_LAX) ? "; SameSite=Lax" : "");
	if (v == NULL)
		return -1;
	return response_header(r, "Set-Cookie", v);
}

void
response_redirect(struct response *r, const char *location)
{
	const char	*p;

	/* Local paths only: no scheme, no "//host", and no byte that a
	 * browser strips or folds ("/\t/evil" is "//evil" to it). */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	for (p = location; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '\\') {
			location = "/";
			break;
		}
	buf_reset(&r->body);
	r->status = 303;
	r->content_type = NULL;
	response_header(r, "Location", location);
}

void
response_json(struct response *r, int status, struct json_object *obj)
{
	buf_reset(&r->body);
	if (obj == NULL || json_to_buf(&r->body, obj) == -1 ||
	    buf_putc(&r->body, '\n') == -1) {
		response_text(r, 500, NULL, "response too large\n");
		return;
	}
	r->status = status;
	r->content_type = "application/json";
	/* Answers carry account and stock data: no cache keeps them. */
	(void)response_header(r, "Cache-Control", "no-store");
}

void
response_problem(struct response *r, int status, const char *detail,
    struct json_object *errors)
{
	struct json_object	*o;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL) {
		response_text(r, 500, NULL, "Internal Server Error\n");
		return;
	}
	json_add_str(o, "type", "about:blank");
	json_add_str(o, "title", response_status_text(status));
	json_object_object_add(o, "status", json_object_new_int(status));
	if (detail != NULL)
		json_add_str(o, "detail", detail);
	if (errors != NULL)
		json_object_object_add(o, "errors", json_object_get(errors));
	response_json(r, status, o);
	r->content_type = "application/problem+json";
}

/*
 * What the layout needs: the signed-in user with the CSRF token for the
 * sign-out form and the navigation their role may use, and the flash
 * message (shown once: its cookie is cleared).  The strings are the
 * request's, which outlives the render.
 */
static void
response_page_context(struct response *r, const struct request *req,
    struct tval *ctx)
{
	static const struct {
		const char	*key, *perm;
	} cans[] = {
		{ "users", "users.manage" }, { "tokens", "tokens.manage" },
		{ "audit", "audit.read" }, { "move", "stock.move" },
		{ "draft", "orders.draft" }, { "orders", "orders.manage" },
		{ "products", "products.manage" },
		{ "suppliers", "suppliers.manage" },
		{ "warehouses", "warehouses.manage" },
		{ "purchasing", "purchasing.manage" },
	};
	const struct principal	*p = &req->auth;
	enum authz_role		 role = (enum authz_role)p->role;
	struct tval		*me, *can;
	char			 ftok[CRYPTO_SECRET_HEX_LEN + 1];
	size_t			 i;

	if (req->flash != NULL) {
		tv_set_str(ctx, "flash", req->flash);
		/* Not clearing it only shows the notice once more. */
		if (response_cookie(r, FLASH_COOKIE, "", 0, COOKIE_SECURE |
		    COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX) == -1)
			log_warn("flash cookie not cleared");
	}
	tv_set_tv(ctx, "asset", assets_tv(r->arena));
	if (p->via != AUTH_SESSION)
		return;
	me = tv_obj(r->arena);
	can = tv_obj(r->arena);
	tv_set_str(me, "email", p->email);
	tv_set_str(me, "name", p->name ? p->name : "");
	tv_set_str(me, "role", authz_role_name(role));
	tv_set_str(me, "csrf", p->csrf);
	for (i = 0; i < sizeof(cans) / sizeof(cans[0]); i++)
		tv_set_bool(can, cans[i].key, authz_allowed(role,
		    cans[i].perm));
	tv_set_tv(me, "can", can);
	tv_set_tv(ctx, "me", me);
	tv_set_str(ctx, "csrf", p->csrf);
	/* A fresh one-time token for the forms of this page (idempotency). */
	if (crypto_random_hex(ftok, CRYPTO_SECRET_BYTES) == 0)
		tv_set_strdup(ctx, "form_token", ftok);
}

void
response_html(struct response *r, const struct request *req, int status,
    const char *name, struct tval *ctx)
{
	struct buf	 page;
	int		 rv;

	if (ctx == NULL && (ctx = tv_obj(r->arena)) == NULL) {
		response_text(r, 500, NULL, "Internal Server Error\n");
		return;
	}
	response_page_context(r, req, ctx);
	buf_init(&page, BR_MAX_RESPONSE);
	rv = tmpl_render(r->tmpl, name, ctx, &page);
	if (rv == 0) {
		/* page outlives the layout's render: not copied. */
		tv_set_strn(ctx, "body", buf_cstr(&page), page.len);
		tv_set_str(ctx, "request_id", req->request_id);
		buf_reset(&r->body);
		rv = tmpl_render(r->tmpl, "layout", ctx, &r->body);
	}
	buf_free(&page);
	if (rv == -1) {
		log_err("cannot render template %s", name);
		response_text(r, 500, NULL, "Internal Server Error\n");
		return;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	response_header(r, "Cache-Control", "no-store");
}

void
response_error(struct response *r, const struct request *req, int status,
    const char *detail)
{
	struct tval	*ctx;

	if (req->is_api || r->tmpl == NULL) {
		response_problem(r, status, detail, NULL);
		return;
	}
	if ((ctx = tv_obj(r->arena)) == NULL) {
		response_text(r, 500, NULL, "Internal Server Error\n");
		return;
	}
	tv_set_str(ctx, "title", response_status_text(status));
	tv_set_i64(ctx, "status", status);
	if (detail != NULL)
		tv_set_str(ctx, "detail", detail);
	response_html(r, req, status, "error", ctx);
}

void
response_text(struct response *r, int status, const char *ctype,
    const char *text)
{
	buf_reset(&r->body);
	r->status = status;
	r->content_type = ctype ? ctype : "text/plain; charset=utf-8";
	if (buf_puts(&r->body, text) == -1)
		r->status = 500;
}

int
response_not_modified(struct response *r, const struct request *req,
    const struct etag *e)
{
	char	tag[ETAG_LEN];

	etag_format(e, tag);
	(void)response_header(r, "ETag", tag);
	if ((req->method != M_GET && req->method != M_HEAD) ||
	    !etag_match(request_env(req, "HTTP_IF_NONE_MATCH"), tag))
		return 0;
	r->status = 304;
	r->content_type = NULL;
	buf_reset(&r->body);
	(void)response_header(r, "Cache-Control", "no-store");
	return 1;
}

int
response_serialize(const struct response *r, const struct request *req,
    struct buf *out)
{
	size_t	i;

	buf_reset(out);
	if (buf_printf(out, "Status: %d %s\r\n", r->status,
	    response_status_text(r->status)) == -1)
		return -1;
	if (r->content_type != NULL &&
	    buf_printf(out, "Content-Type: %s\r\n", r->content_type) == -1)
		return -1;
	for (i = 0; i < r->nheaders; i++)
		if (buf_printf(out, "%s: %s\r\n", r->headers[i].name,
		    r->headers[i].value) == -1)
			return -1;
	/* A 304 has no body and no length of its own (RFC 9110 8.6). */
	if (r->status == 304 ? buf_puts(out, "\r\n") == -1 :
	    buf_printf(out, "Content-Length: %zu\r\n\r\n", r->body.len) == -1)
		return -1;
	if (req->method != M_HEAD && r->body.len > 0 &&
	    buf_append(out, r->body.data, r->body.len) == -1)
		return -1;
	return 0;
}

void
response_db_error(struct response *resp, const struct request *r, int st)
{
	if (st == DB_UNAVAILABLE || st == DB_SCHEMA || st == DB_TIMEOUT ||
	    st == DB_RETRY) {
		(void)response_header(resp, "Retry-After", "2");
		response_error(resp, r, 503, st == DB_SCHEMA ?
		    "The database schema is behind this server; an operator "
		    "must run `backroomd migrate`." :
		    "The database is not available. Try again shortly.");
		return;
	}
	response_error(resp, r, 500, "Internal error.");
}
