/*
 * h_auth.c -- /login, /logout, /account (own password) and /api/v1/me.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "authz.h"
#include "db.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "password.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "str.h"
#include "token.h"

#define SESSION_COOKIE_FLAGS \
	(COOKIE_SECURE | COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX)

/* A local path to go to after sign-in, or "/". */
static const char *
safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || str_has_prefix(next, "/login") ||
	    str_has_prefix(next, "/logout"))
		return "/";
	return next;
}

static void
login_form(struct request *r, struct response *resp, int status,
    const char *email, const char *next, const char *error)
{
	struct json_object	*ctx = json_object_new_object();

	json_object_object_add(ctx, "title", json_object_new_string("Sign in"));
	json_object_object_add(ctx, "email", json_object_new_string(
	    email ? email : ""));
	json_object_object_add(ctx, "next", json_object_new_string(
	    safe_next(next)));
	if (error != NULL)
		json_object_object_add(ctx, "error",
		    json_object_new_string(error));
	response_html(resp, r, status, "login", json_own(resp->arena, ctx));
}

void
h_login_form(struct request *r, struct response *resp)
{
	login_form(r, resp, 200, NULL, request_query(r, "next"), NULL);
}

void
h_login(struct request *r, struct response *resp)
{
	struct login_outcome	 out;
	struct audit_ctx	 ctx;
	const char		*email, *pw, *next, *field, *cookie;
	char			 old[TOKEN_DIGEST_HEX_LEN + 1];
	char			 retry[24];
	int			 st;

	if (!middleware_origin_ok(r)) {
		response_error(resp, r, 403, "The sign-in form was sent from "
		    "another site: refused by the CSRF check (Origin).");
		return;
	}
	if ((st = request_parse_form(r, &field)) != 0) {
		response_error(resp, r, st, "The form could not be read.");
		return;
	}
	email = form_get(&r->form, "email");
	pw = form_get(&r->form, "password");
	next = form_get(&r->form, "next");
	if (email == NULL || email[0] == '\0' || pw == NULL || pw[0] == '\0') {
		login_form(r, resp, 422, email, next,
		    "Enter your email and your password.");
		return;
	}
	cookie = request_cookie(r, SESSION_COOKIE);
	if (cookie == NULL || strlen(cookie) != TOKEN_HEX_LEN ||
	    token_hash_hex(cookie, old) == -1)
		old[0] = '\0';
	middleware_audit_ctx(r, &ctx);
	accounts_login(&ctx, r->cfg, email, pw, old[0] ? old : NULL, &out);
	switch (out.result) {
	case LOGIN_OK:
		response_redirect(resp, out.must_change ? "/account" :
		    safe_next(next));
		if (response_cookie(resp, SESSION_COOKIE, out.session_id, -1,
		    SESSION_COOKIE_FLAGS) == -1)
			response_error(resp, r, 500,
			    "The session cookie could not be set.");
		explicit_bzero(out.session_id, sizeof(out.session_id));
		return;
	case LOGIN_FAILED:
		login_form(r, resp, 401, email, next,
		    "Wrong email or password.");
		return;
	case LOGIN_LOCKED:
	case LOGIN_THROTTLED:
		snprintf(retry, sizeof(retry), "%ld", out.retry_after);
		response_header(resp, "Retry-After", retry);
		login_form(r, resp, 429, email, next, out.result ==
		    LOGIN_LOCKED ? "Too many failed sign-ins for this email. "
		    "Wait a while and try again." : "Too many failed sign-ins "
		    "from your address. Wait a while and try again.");
		return;
	case LOGIN_ERROR:
		response_db_error(resp, r, out.db_status);
		return;
	}
}

void
h_logout(struct request *r, struct response *resp)
{
	struct audit_ctx	ctx;
	int			st;

	middleware_audit_ctx(r, &ctx);
	if ((st = accounts_logout(&ctx, r->auth.session_hash)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	h_redirect_flash(resp, "/login", "signed_out");
	if (response_cookie(resp, SESSION_COOKIE, "", 0,
	    SESSION_COOKIE_FLAGS) == -1)
		response_error(resp, r, 500,
		    "The session cookie could not be cleared.");
}

static void
account_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err)
{
	struct json_object	*ctx = json_object_new_object();
	struct json_object	*errors = json_object_new_object();

	json_object_object_add(ctx, "title", json_object_new_string(
	    "Your account"));
	json_object_object_add(ctx, "must_change",
	    json_object_new_boolean(r->auth.must_change));
	if (err != NULL && err->field != NULL)
		json_object_object_add(errors, err->field,
		    json_object_new_string(err->message));
	json_object_object_add(ctx, "errors", errors);
	response_html(resp, r, status, "account", json_own(resp->arena, ctx));
}

void
h_account(struct request *r, struct response *resp)
{
	account_page(r, resp, 200, NULL);
}

void
h_account_password(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL };
	char			 sid[TOKEN_HEX_LEN + 1];
	const char		*key;
	int			 st;

	if (idem_form_key(r, resp, &key) == -1)
		return;
	middleware_audit_ctx(r, &ctx);
	ctx.form_key = key;
	st = accounts_change_password(&ctx, r->auth.user_id,
	    r->auth.session_hash, form_get(&r->form, "current_password"),
	    form_get(&r->form, "new_password"),
	    form_get(&r->form, "confirm_password"), sid, &err);
	if (st == ACCT_REPLAYED) {
		h_redirect_flash(resp, "/account", "already_submitted");
		return;
	}
	if (st == ACCT_INVALID) {
		account_page(r, resp, 422, &err);
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	h_redirect_flash(resp, "/account", "password_changed");
	if (response_cookie(resp, SESSION_COOKIE, sid, -1,
	    SESSION_COOKIE_FLAGS) == -1)
		response_error(resp, r, 500,
		    "The session cookie could not be set.");
	explicit_bzero(sid, sizeof(sid));
}

void
h_api_me(struct request *r, struct response *resp)
{
	struct json_object	*o = json_object_new_object();
	struct json_object	*scopes = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_int64(
	    r->auth.user_id));
	json_object_object_add(o, "email", json_object_new_string(
	    r->auth.email));
	json_object_object_add(o, "name", json_object_new_string(
	    r->auth.name ? r->auth.name : ""));
	json_object_object_add(o, "role", json_object_new_string(
	    authz_role_name((enum authz_role)r->auth.role)));
	json_object_object_add(o, "auth", json_object_new_string(
	    r->auth.via == AUTH_TOKEN ? "token" : "session"));
	if (r->auth.scope_read)
		json_object_array_add(scopes, json_object_new_string("read"));
	if (r->auth.scope_write)
		json_object_array_add(scopes, json_object_new_string("write"));
	json_object_object_add(o, "scopes", scopes);
	response_json(resp, 200, json_own(resp->arena, o));
}
