/*
 * request.c -- CGI params into struct request; body, form and JSON
 * decoding on demand.  Nothing here knows libfcgi: the adapter passes the
 * params array and a body reader.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "form.h"
#include "json.h"
#include "request.h"
#include "str.h"

static const struct {
	const char	*name;
	int		 method;
} methods[] = {
	{ "GET", M_GET }, { "HEAD", M_HEAD }, { "POST", M_POST },
	{ "PUT", M_PUT }, { "PATCH", M_PATCH }, { "DELETE", M_DELETE },
	{ "OPTIONS", M_OPTIONS },
};

const char *
request_method_name(int m)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].method == m)
			return methods[i].name;
	return "OTHER";
}

const char *
request_env(const struct request *r, const char *name)
{
	size_t	n = strlen(name);
	char	**e;

	if (r->envp == NULL)
		return NULL;
	for (e = r->envp; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static const char *
env_or(const struct request *r, const char *name, const char *def)
{
	const char	*v = request_env(r, name);

	return v != NULL ? v : def;
}

int
request_init(struct request *r, struct arena *a, char **envp,
    const struct config *cfg)
{
	const char	*m, *cl;
	int64_t		 len;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->envp = envp;
	r->cfg = cfg;
	r->content_length = -1;
	m = env_or(r, "REQUEST_METHOD", "GET");
	r->method_str = m;
	r->method = M_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, m) == 0)
			r->method = methods[i].method;
	r->uri = env_or(r, "REQUEST_URI", "/");
	r->path = env_or(r, "DOCUMENT_URI", env_or(r, "SCRIPT_NAME", "/"));
	r->query = env_or(r, "QUERY_STRING", "");
	r->content_type = env_or(r, "CONTENT_TYPE", "");
	r->remote_addr = env_or(r, "REMOTE_ADDR", "");
	r->request_id = env_or(r, "REQUEST_ID", "");
	r->is_api = str_has_prefix(r->path, "/api/");
	cl = request_env(r, "CONTENT_LENGTH");
	if (cl != NULL && *cl != '\0') {
		if (str_to_i64(cl, 0, INT64_MAX, &len) == -1)
			return 400;
		r->content_length = len;
	}
	if (strlen(r->uri) > BR_MAX_URI)
		return 414;
	if (form_parse_urlencoded(a, r->query, strlen(r->query),
	    &r->query_form, NULL) != FORM_OK)
		return 400;
	if (form_parse_cookies(a, request_env(r, "HTTP_COOKIE"),
	    &r->cookies) != FORM_OK)
		return 400;
	return 0;
}

const char *
request_param(const struct request *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->param_values[i];
	return NULL;
}

int64_t
request_param_id(const struct request *r, const char *name)
{
	const char	*v = request_param(r, name);
	int64_t		 id;

	if (v == NULL || v[0] == '+' || v[0] == '-' ||
	    str_to_i64(v, 1, INT64_MAX, &id) == -1)
		return -1;
	return id;
}

const char *
request_query(const struct request *r, const char *name)
{
	return form_get(&r->query_form, name);
}

const char *
request_cookie(const struct request *r, const char *name)
{
	return form_get(&r->cookies, name);
}

int
request_read_body(struct request *r)
{
	size_t	 max = (size_t)r->cfg->max_body_size, len, got = 0;
	char	*p;
	int	 n;

	if (r->body_done)
		return 0;
	r->body_done = 1;
	r->body = "";
	if (r->content_length <= 0)
		return 0;
	if ((uint64_t)r->content_length > max)
		return 413;
	len = (size_t)r->content_length;
	if ((p = arena_alloc(r->arena, len + 1)) == NULL)
		return 413;
	while (got < len) {
		n = r->body_read(r->body_ctx, p + got, len - got);
		if (n <= 0)
			return 400;
		got += (size_t)n;
	}
	p[len] = '\0';
	r->body = p;
	r->body_len = len;
	return 0;
}

/* 1 if the content type's media type is mt (parameters ignored). */
static int
ctype_is(const char *ct, const char *mt)
{
	size_t	n = strlen(mt);

	return str_ncasecmp(ct, mt, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
request_parse_form(struct request *r, const char **errfield)
{
	enum form_status	st;
	int			rv;

	*errfield = "";
	if (!ctype_is(r->content_type, "application/x-www-form-urlencoded") &&
	    !ctype_is(r->content_type, "multipart/form-data") &&
	    !(r->content_length <= 0 && r->content_type[0] == '\0'))
		return 415;
	if ((rv = request_read_body(r)) != 0)
		return rv;
	if (ctype_is(r->content_type, "multipart/form-data"))
		st = form_parse_multipart(r->arena, r->content_type, r->body,
		    r->body_len, &r->form, errfield);
	else
		st = form_parse_urlencoded(r->arena, r->body, r->body_len,
		    &r->form, errfield);
	if (st == FORM_ENOMEM)
		return 413;
	return st == FORM_OK ? 0 : 400;
}

int
request_parse_json(struct request *r, int object_only, const char **msg)
{
	enum json_status	st;
	int			rv;

	*msg = NULL;
	if (!ctype_is(r->content_type, "application/json")) {
		*msg = "Content-Type must be application/json";
		return 415;
	}
	if ((rv = request_read_body(r)) != 0) {
		*msg = rv == 413 ? "request body too large" :
		    "request body incomplete";
		return rv;
	}
	st = (object_only ? json_parse_object : json_parse_body)(r->arena,
	    r->body, r->body_len, BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &r->json,
	    msg);
	/* Out of memory: the body does not fit the request's arena. */
	if (st == JSON_ETOOBIG || st == JSON_ENOMEM)
		return 413;
	return st == JSON_OK ? 0 : 400;
}

int
request_is_loopback(const struct request *r)
{
	return str_has_prefix(r->remote_addr, "127.") ||
	    strcmp(r->remote_addr, "::1") == 0 ||
	    strcmp(r->remote_addr, "::ffff:127.0.0.1") == 0;
}
