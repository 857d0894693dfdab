/*
 * request.h -- one FastCGI request as the handlers see it.
 *
 * Built by request_init() from the CGI params; everything it points to is
 * owned by the request's arena.  The body is read on demand, capped by
 * max_body_size; forms and JSON are decoded on demand too, so a handler
 * that needs neither pays for neither.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "bounds.h"
#include "form.h"

struct arena;
struct config;
struct route;

enum http_method {
	M_GET = 1, M_HEAD = 2, M_POST = 4, M_PUT = 8, M_PATCH = 16,
	M_DELETE = 32, M_OPTIONS = 64, M_OTHER = 128
};

/* Who is asking: filled by the middleware from a session cookie or a
 * bearer token (session.c). */
enum auth_via { AUTH_NONE = 0, AUTH_SESSION, AUTH_TOKEN };

struct principal {
	int		 via;
	int64_t		 user_id;
	const char	*email;
	const char	*name;
	int		 role;		/* enum authz_role */
	int		 must_change;	/* password reset by an admin */
	const char	*session_hash;	/* AUTH_SESSION */
	const char	*csrf;		/* AUTH_SESSION: the form token */
	int64_t		 token_id;	/* AUTH_TOKEN */
	const char	*gtid;		/* GTID of its last write, or NULL */
	int		 scope_read, scope_write;
};

struct request {
	struct arena		*arena;
	const struct config	*cfg;
	char			**envp;
	/* Reads up to n body bytes; returns bytes read, 0 at end, -1 error. */
	int			(*body_read)(void *ctx, char *buf, size_t n);
	void			*body_ctx;

	int			 method;
	const char		*method_str;
	const char		*uri;		/* REQUEST_URI, raw */
	const char		*path;		/* DOCUMENT_URI, decoded */
	const char		*query;		/* QUERY_STRING, raw */
	const char		*content_type;
	int64_t			 content_length; /* -1 when absent */
	const char		*remote_addr;
	const char		*request_id;
	int			 is_api;	/* path under /api/ */

	const struct route	*route;
	const char		*param_names[BR_MAX_ROUTE_PARAMS];
	const char		*param_values[BR_MAX_ROUTE_PARAMS];
	size_t			 nparams;

	struct form		 query_form;
	struct form		 cookies;
	struct form		 form;		/* decoded body form */
	const char		*body;
	size_t			 body_len;
	int			 body_done;
	struct json_object	*json;		/* decoded JSON body */

	struct principal	 auth;
	const char		*flash;		/* message from the last POST */
};

/*
 * Fills r from the CGI params in envp.  Returns 0, or an HTTP status (400
 * for a malformed query string or cookie header, 414 for an overlong URI)
 * when the request cannot be served; r is usable for an error response
 * either way.
 */
int		 request_init(struct request *r, struct arena *, char **envp,
		    const struct config *);
/* A CGI param ("HTTP_USER_AGENT", "HTTPS"), or NULL. */
const char	*request_env(const struct request *, const char *name);
/* Route parameter {name}, query field, or cookie; NULL when absent. */
const char	*request_param(const struct request *, const char *name);
const char	*request_query(const struct request *, const char *name);
const char	*request_cookie(const struct request *, const char *name);
/* Route parameter as an id in 1..INT64_MAX; -1 when absent or malformed. */
int64_t		 request_param_id(const struct request *, const char *name);
/*
 * Reads the whole body (once).  0, or 413 past max_body_size, or 400 on a
 * short or failed read.
 */
int		 request_read_body(struct request *);
/*
 * Decodes an urlencoded or multipart body into r->form.  0, or 415 for
 * another content type, or 413/400 (*errfield names the field, when known).
 */
int		 request_parse_form(struct request *, const char **errfield);
/*
 * Decodes a JSON body into r->json (with object_only, an object or a
 * 400 before any tree is built).  0, or 415 unless the content type is
 * application/json, 413 (too long, too many values) or 400 with *msg
 * describing the problem.
 */
int		 request_parse_json(struct request *, int object_only,
		    const char **msg);
/* 1 if the client address is loopback (127.0.0.0/8, ::1). */
int		 request_is_loopback(const struct request *);
const char	*request_method_name(int method);

#endif /* REQUEST_H */
