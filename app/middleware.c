/*
 * middleware.c -- the checks every routed request passes, in this order:
 * authentication (bearer token, else session cookie), the forced password
 * change, CSRF on unsafe cookie-authenticated requests, a token's scope
 * (a read-only token can never change anything, whatever its owner's role),
 * and the route's permission.  Public routes skip all of them.
 *
 * Refusals: 401 for no or a bad credential (API: problem+json with
 * WWW-Authenticate; pages: 303 to /login), 403 for CSRF, permission and
 * scope, each audited as a security event.
 */
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "apitokens.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "escape.h"
#include "log.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "session.h"
#include "str.h"

/* Flash messages are codes in a cookie, never text from the request. */
static const struct {
	const char	*code;
	const char	*text;
} flashes[] = {
	{ "password_changed", "Your password was changed." },
	{ "user_created", "The user was created." },
	{ "user_saved", "The user was saved." },
	{ "password_reset", "The password was set; the user must change it "
	    "at next sign-in, their sessions were ended and their API tokens "
	    "revoked." },
	{ "token_revoked", "The token was revoked." },
	{ "signed_out", "You are signed out." },
	{ "failed_signins", "There were failed sign-ins to your account "
	    "since your last one. If they were not you, change your "
	    "password." },
	{ "pwchange_signed_out", "Too many wrong current passwords: you are "
	    "signed out everywhere. Sign in again." },
	{ "already_submitted", "That form was submitted twice; it was "
	    "applied once." },
	{ "token_already_created", "That form was submitted twice; one token "
	    "was created, and it was shown only to the first submission. If "
	    "you did not copy it, revoke it and create another." },
	{ "product_created", "The product was created." },
	{ "product_saved", "The product was saved." },
	{ "product_archived", "The product was archived." },
	{ "movement_recorded", "The movement was recorded." },
	{ "order_created", "The order was created as a draft." },
	{ "order_confirmed",
	    "The order was confirmed; its stock is reserved." },
	{ "order_shipped", "The order was shipped." },
	{ "order_cancelled", "The order was cancelled." },
	{ "po_created", "The purchase order was created as a draft." },
	{ "po_ordered", "The purchase order was sent." },
	{ "po_received", "The goods were received." },
	{ "po_cancelled", "The purchase order was cancelled." },
	{ "supplier_saved", "The supplier was saved." },
	{ "warehouse_saved", "The warehouse was saved." },
	{ "reorder_created", "Draft purchase orders were created from the "
	    "suggestions." },
};

const char *
middleware_flash_text(const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < sizeof(flashes) / sizeof(flashes[0]);
	    i++)
		if (strcmp(flashes[i].code, code) == 0)
			return flashes[i].text;
	return NULL;
}

void
middleware_audit_ctx(const struct request *r, struct audit_ctx *ctx)
{
	ctx->arena = r->arena;
	ctx->actor_id = r->auth.user_id;
	ctx->client_addr = r->remote_addr;
	ctx->request_id = r->request_id[0] != '\0' ? r->request_id : NULL;
	ctx->form_key = NULL;
}

static int
is_unsafe(int method)
{
	return !(method & (M_GET | M_HEAD | M_OPTIONS));
}

/* Records a refusal; details name the request, never a credential. */
static void
audit_refusal(struct request *r, const char *action, const char *why)
{
	struct audit_ctx	 ctx;
	struct json_object	*d = json_object_new_object();

	middleware_audit_ctx(r, &ctx);
	json_object_object_add(d, "method", json_object_new_string(
	    r->method_str));
	json_object_object_add(d, "path", json_object_new_string(r->path));
	json_object_object_add(d, "reason", json_object_new_string(why));
	(void)audit_event(&ctx, action, NULL, NULL, d);
}

/*
 * A refused bearer token is a line in the log (the client's address and
 * the path, never the token), at most one a second per worker with a
 * count of those left out, so a flood of guesses cannot flood the log.
 */
static void
log_bad_token(const struct request *r)
{
	static time_t	 last;
	static unsigned	 quiet;
	time_t		 now = time(NULL);
	char		 path[256];

	if (now == last) {
		quiet++;
		return;
	}
	log_warn("bearer token refused (unknown, expired or revoked): %s %s "
	    "from %s; %u more refused in the second before", r->method_str,
	    escape_log(path, sizeof(path), r->path), r->remote_addr != NULL ?
	    r->remote_addr : "-", quiet);
	last = now;
	quiet = 0;
}

static void
unauthenticated(struct request *r, struct response *resp, int bad_token)
{
	char	*loc;

	if (bad_token)
		log_bad_token(r);

	if (r->is_api || (r->auth.via == AUTH_NONE && bad_token)) {
		response_header(resp, "WWW-Authenticate", bad_token ?
		    "Bearer realm=\"backroom\", error=\"invalid_token\"" :
		    "Bearer realm=\"backroom\"");
		response_error(resp, r, 401, bad_token ?
		    "The bearer token is unknown, expired or revoked." :
		    "Authentication required: send a bearer token.");
		return;
	}
	if (r->method & (M_GET | M_HEAD)) {
		struct buf b;

		buf_init(&b, 4096);
		if (buf_puts(&b, "/login?next=") == 0 &&
		    escape_url(&b, r->uri, strlen(r->uri)) == 0 &&
		    (loc = arena_strdup(r->arena, buf_cstr(&b))) != NULL)
			response_redirect(resp, loc);
		else
			response_redirect(resp, "/login");
		buf_free(&b);
		return;
	}
	response_redirect(resp, "/login");
}

int
middleware_origin_check(const char *origin, const char *fetch_site,
    const char *host, const char *site_origin, int required)
{
	int	has_site = fetch_site != NULL && fetch_site[0] != '\0';

	if (has_site && strcmp(fetch_site, "same-origin") != 0 &&
	    strcmp(fetch_site, "none") != 0)
		return 0;
	if (origin == NULL || origin[0] == '\0')
		return !required || has_site;
	if (site_origin != NULL && site_origin[0] != '\0')
		return strcmp(origin, site_origin) == 0;
	if (host == NULL || !str_has_prefix(origin, "https://"))
		return 0;
	return strcmp(origin + 8, host) == 0;
}

/* Whether an unsafe request comes from the site (see middleware.h). */
static int
origin_ok(struct request *r, int required)
{
	return middleware_origin_check(request_env(r, "HTTP_ORIGIN"),
	    request_env(r, "HTTP_SEC_FETCH_SITE"), request_env(r, "HTTP_HOST"),
	    r->cfg->site_origin, required);
}

int
middleware_origin_ok(struct request *r)
{
	return origin_ok(r, 1);
}

/*
 * 1 when the CSRF check passes; else 0 with *why and *status: 403, or
 * 400/413 for a form body that cannot be read (a control byte, invalid
 * UTF-8, a name or value too long): malformed input, not a forgery.
 */
static int
csrf_ok(struct request *r, const char **why, int *status)
{
	const char	*tok, *field;
	int		 st;

	*status = 403;
	if (!origin_ok(r, 0)) {
		*why = "The request came from another site: refused by the "
		    "CSRF check (Origin / Sec-Fetch-Site).";
		return 0;
	}
	tok = request_env(r, "HTTP_X_CSRF_TOKEN");
	if (tok == NULL) {
		st = request_parse_form(r, &field);
		if (st == 400 || st == 413) {
			*status = st;
			*why = "The form could not be read: a control byte, "
			    "invalid UTF-8, or a field name or value too long.";
			return 0;
		}
		tok = st == 0 ? form_get(&r->form, "csrf") : NULL;
	}
	if (tok == NULL || tok[0] == '\0') {
		*why = "The form's security token (CSRF token) is missing.";
		return 0;
	}
	if (r->auth.csrf == NULL || !str_ct_equal(tok, strlen(tok),
	    r->auth.csrf, strlen(r->auth.csrf))) {
		*why = "The form's security token (CSRF token) does not match "
		    "your session.";
		return 0;
	}
	return 1;
}

static int
authenticate(struct request *r, struct response *resp, int *bad_token)
{
	const char	*authz = request_env(r, "HTTP_AUTHORIZATION");
	const char	*cookie;
	int		 st;

	*bad_token = 0;
	if (authz != NULL && authz[0] != '\0') {
		if (str_ncasecmp(authz, "Bearer ", 7) != 0) {
			*bad_token = 1;
			return 0;
		}
		if ((st = apitoken_lookup(r->arena, authz + 7, &r->auth))
		    != DB_OK) {
			response_db_error(resp, r, st);
			return -1;
		}
		*bad_token = r->auth.via == AUTH_NONE;
		return 0;
	}
	if ((cookie = request_cookie(r, SESSION_COOKIE)) == NULL)
		return 0;
	if ((st = session_lookup(r->arena, r->cfg, cookie, &r->auth))
	    != DB_OK) {
		response_db_error(resp, r, st);
		return -1;
	}
	return 0;
}

int
middleware_run(const struct route *rt, struct request *r,
    struct response *resp)
{
	const char	*why;
	int		 bad_token, st;

	r->flash = middleware_flash_text(request_cookie(r, FLASH_COOKIE));
	if (rt->flags & R_PUBLIC)
		return 0;
	if (authenticate(r, resp, &bad_token) == -1)
		return -1;
	if (r->auth.via == AUTH_NONE) {
		unauthenticated(r, resp, bad_token);
		return -1;
	}
	/* A password set by an admin must be replaced before anything else,
	 * pages and API alike (the session cookie works on both). */
	if (r->auth.via == AUTH_SESSION && r->auth.must_change &&
	    !(rt->flags & R_PWCHANGE)) {
		if (r->is_api)
			response_error(resp, r, 403, "Choose a new password at "
			    "/account first.");
		else
			response_redirect(resp, "/account");
		return -1;
	}
	if (r->auth.via == AUTH_SESSION && is_unsafe(r->method) &&
	    !csrf_ok(r, &why, &st)) {
		if (st == 403)
			audit_refusal(r, "csrf.rejected", why);
		response_error(resp, r, st, why);
		return -1;
	}
	if (r->auth.via == AUTH_TOKEN && (is_unsafe(r->method) ?
	    !r->auth.scope_write : !r->auth.scope_read)) {
		audit_refusal(r, "permission.denied", is_unsafe(r->method) ?
		    "token lacks the write scope" :
		    "token lacks the read scope");
		response_header(resp, "WWW-Authenticate", is_unsafe(r->method) ?
		    "Bearer realm=\"backroom\", error=\"insufficient_scope\", "
		    "scope=\"write\"" : "Bearer realm=\"backroom\", "
		    "error=\"insufficient_scope\", scope=\"read\"");
		response_error(resp, r, 403, "This token's scope does not "
		    "allow this method.");
		return -1;
	}
	if (!authz_allowed((enum authz_role)r->auth.role, rt->perm)) {
		audit_refusal(r, "permission.denied", rt->perm);
		response_error(resp, r, 403, "Your role does not allow this.");
		return -1;
	}
	return 0;
}

void
middleware_after(struct request *r)
{
	const char	*gtid;
	int		 rv = DB_OK;

	if ((gtid = db_request_gtid()) == NULL)
		return;
	if (r->auth.via == AUTH_SESSION)
		rv = session_remember_gtid(r->auth.session_hash, gtid);
	else if (r->auth.via == AUTH_TOKEN)
		rv = apitoken_remember_gtid(r->auth.token_id, gtid);
	if (rv != DB_OK)
		log_warn("could not note the last write's GTID %s: a read on "
		    "a replica may not see it (%d)", gtid, rv);
}
