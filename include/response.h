/*
 * response.h -- building the answer: status, headers, cookies, body.
 *
 * A response collects everything in memory (the body in a capped buf) and
 * is serialized once by the worker, so a handler can change its mind (an
 * error after partial rendering) until it returns.  Header values with CR
 * or LF are refused, so untrusted data cannot split a response.
 *
 * json-c trees (JSON answers): a handler makes its roots owned by the
 * request arena (json_own(r->arena, ...)), so that no path frees one by
 * hand; the functions here read the trees they are given and never free
 * them.  Page contexts (struct tval, tmpl.h) live in the arena already.
 */
#ifndef RESPONSE_H
#define RESPONSE_H

#include "cdefs.h"

#include <stddef.h>

#include <json-c/json.h>

#include "bounds.h"
#include "buf.h"
#include "json.h"

struct arena;
struct etag;
struct request;
struct tmpl_set;
struct tval;

struct resp_header {
	const char	*name;
	const char	*value;
};

struct response {
	int			 status;
	const char		*content_type;
	struct resp_header	 headers[BR_MAX_RESP_HEADERS];
	size_t			 nheaders;
	struct buf		 body;
	struct arena		*arena;
	const struct tmpl_set	*tmpl;
};

enum cookie_flags {
	COOKIE_HTTPONLY = 1, COOKIE_SECURE = 2, COOKIE_SAMESITE_LAX = 4,
	COOKIE_SAMESITE_STRICT = 8
};

/* Resets r for a new request; the body buf keeps its memory. */
void	response_reset(struct response *, struct arena *,
	    const struct tmpl_set *);
/* Sets a header (copied into the arena): a second call with the same name
 * replaces the value, except Set-Cookie (one header per cookie).  -1 on
 * CR/LF/NUL or when full. */
int	response_header(struct response *, const char *name, const char *value);
/* Set-Cookie with Path=/; max_age < 0: session cookie, 0: delete. */
int	response_cookie(struct response *, const char *name, const char *value,
	    long max_age, int flags) BR_CHECK;
/* 303 See Other to a local path (must start with '/', not "//"). */
void	response_redirect(struct response *, const char *location);
/* JSON body; the tree is serialized now (not kept, not freed).  NULL
 * (a failed json_own) answers 500. */
void	response_json(struct response *, int status, struct json_object *);
/*
 * RFC 9457 problem+json: type "about:blank", title from the status, detail
 * (may be NULL), and "errors" (an object of field -> message, may be NULL;
 * the caller's, arena-owned).
 */
void	response_problem(struct response *, int status, const char *detail,
	    struct json_object *errors);
/*
 * Renders template name inside the layout, with ctx (the caller's
 * tmpl.h context in r's arena, or NULL; "title" and "flash" keys are used
 * by the layout; the layout's keys are added to it).  On a rendering
 * failure (a broken context included) the response becomes a plain 500.
 */
void	response_html(struct response *, const struct request *, int status,
	    const char *name, struct tval *ctx);
/* An error in the request's dialect: problem+json under /api/, else HTML. */
void	response_error(struct response *, const struct request *, int status,
	    const char *detail);
/*
 * Answers a database status (outcome.h): 503 with Retry-After while the
 * database is away, behind or busy; 500 for anything else.
 */
void	response_db_error(struct response *, const struct request *,
	    int db_status);
void	response_text(struct response *, int status, const char *ctype,
	    const char *text);
/* Writes the CGI header block and body into out (no body for HEAD). */
/*
 * Conditional GET: sets the ETag header to e's tag; when the request is a
 * GET or HEAD whose If-None-Match matches it, turns the answer into a 304
 * without a body and returns 1 (the caller renders nothing).  0 otherwise.
 */
int	response_not_modified(struct response *, const struct request *,
	    const struct etag *);
int	response_serialize(const struct response *, const struct request *,
	    struct buf *out);
const char *response_status_text(int status);

#endif /* RESPONSE_H */
