/*
 * h_auth.c -- /login, /logout, /account (own password) and /api/v1/me.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "audit.h"
#include "authz.h"
#include "crypto.h"
#include "h_accounts.h"
#include "handlers.h"
#include "hutil.h"
#include "login.h"
#include "middleware.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"
#include "session.h"
#include "str.h"
#include "users.h"

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

/* Sets (value) or clears ("", max_age 0) the session cookie on the
 * answer given; a 500 instead when it cannot. */
static void
session_cookie(struct request *r, struct response *resp, const char *value,
    int max_age, const char *failed)
{
	if (response_cookie(resp, SESSION_COOKIE, value, max_age,
	    SESSION_COOKIE_FLAGS) == -1)
		response_error(resp, r, 500, failed);
}

static void
login_form(struct request *r, struct response *resp, int status,
    const char *email, const char *next, const char *error)
{
	struct tval	*ctx;

	if ((ctx = tv_obj(r->arena)) != NULL) {
		tv_set_str(ctx, "title", "Sign in");
		tv_set_str(ctx, "email", email ? email : "");
		tv_set_str(ctx, "next", safe_next(next));
		if (error != NULL)
			tv_set_str(ctx, "error", error);
	}
	h_page(r, resp, status, "login", ctx);
}

void
h_login_form(struct request *r, struct response *resp)
{
	login_form(r, resp, 200, NULL, request_query(r, "next"), NULL);
}

/* Signs in with the posted email and password (replacing the session
 * of the cookie, if any). */
static void
login_attempt(struct request *r, const char *email, const char *pw,
    struct login_outcome *out)
{
	struct audit_ctx	 ctx;
	const char		*cookie;
	char			 old[CRYPTO_DIGEST_HEX_LEN + 1];

	cookie = request_cookie(r, SESSION_COOKIE);
	if (cookie == NULL || strlen(cookie) != CRYPTO_SECRET_HEX_LEN ||
	    crypto_sha256_hex(cookie, old) == -1)
		old[0] = '\0';
	middleware_audit_ctx(r, &ctx);
	login_signin(&ctx, r->cfg, email, pw, old[0] ? old : NULL, out);
}

/* The HTTP status of a sign-in outcome (303 signed in, a negative
 * db_status on LOGIN_ERROR) and the sentence for the form. */
static int
login_status(struct response *resp, const struct login_outcome *out,
    const char **msg)
{
	char	retry[24];

	switch (out->result) {
	case LOGIN_OK:
		return 303;
	case LOGIN_FAILED:
		*msg = "Wrong email or password.";
		return 401;
	case LOGIN_LOCKED:
	case LOGIN_THROTTLED:
		snprintf(retry, sizeof(retry), "%ld", out->retry_after);
		response_header(resp, "Retry-After", retry);
		*msg = out->result == LOGIN_LOCKED ? "Too many failed "
		    "sign-ins for this email. Wait a while and try again." :
		    "Too many failed sign-ins from your address. Wait a "
		    "while and try again.";
		return 429;
	case LOGIN_ERROR:
		break;
	}
	return out->db_status < 0 ? out->db_status : DB_ERROR;
}

void
h_login(struct request *r, struct response *resp)
{
	struct login_outcome	 out;
	const char		*email = NULL, *pw, *next = NULL, *field;
	const char		*msg = NULL;
	int			 status, form = 0;

	memset(&out, 0, sizeof(out));
	if (!middleware_origin_ok(r)) {
		status = 403;
		msg = "The sign-in form was refused by the CSRF check: it "
		    "came from another site, or without the Origin and "
		    "Sec-Fetch-Site headers every current browser sends.";
		goto out;
	}
	if ((status = request_parse_form(r, &field)) != 0) {
		msg = "The form could not be read.";
		goto out;
	}
	form = 1;
	email = form_get(&r->form, "email");
	pw = form_get(&r->form, "password");
	next = form_get(&r->form, "next");
	if (email == NULL || email[0] == '\0' || pw == NULL || pw[0] == '\0') {
		status = 422;
		msg = "Enter your email and your password.";
		goto out;
	}
	login_attempt(r, email, pw, &out);
	status = login_status(resp, &out, &msg);
out:
	if (status < 0)
		response_db_error(resp, r, status);
	else if (status == 303) {
		h_redirect_flash(resp, out.must_change ? "/account" :
		    safe_next(next), out.failed_since > 0 ? "failed_signins" :
		    NULL);
		session_cookie(r, resp, out.session_id, -1,
		    "The session cookie could not be set.");
	} else if (form)
		login_form(r, resp, status, email, next, msg);
	else
		response_error(resp, r, status, msg);
	explicit_bzero(out.session_id, sizeof(out.session_id));
}

void
h_logout(struct request *r, struct response *resp)
{
	struct audit_ctx	ctx;
	int			st;

	middleware_audit_ctx(r, &ctx);
	st = login_signout(&ctx, r->auth.session_hash);
	if (st != DB_OK)
		response_db_error(resp, r, st);
	else {
		h_redirect_flash(resp, "/login", "signed_out");
		session_cookie(r, resp, "", 0,
		    "The session cookie could not be cleared.");
	}
}

static void
account_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err)
{
	struct tval	*ctx;

	if ((ctx = tv_obj(r->arena)) != NULL) {
		tv_set_str(ctx, "title", "Your account");
		tv_set_bool(ctx, "must_change", r->auth.must_change);
		tv_set_tv(ctx, "errors", h_acct_errors(r->arena, err));
	}
	h_page(r, resp, status, "account", ctx);
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
	struct acct_error	 err = { NULL, NULL, 0 };
	char			 sid[CRYPTO_SECRET_HEX_LEN + 1];
	char			 retry[24];
	int			 st;

	sid[0] = '\0';
	if ((st = h_acct_form(r, resp, &ctx)) == DB_OK)
		st = users_change_password(&ctx, r->cfg, r->auth.user_id,
		    form_get(&r->form, "current_password"),
		    form_get(&r->form, "new_password"),
		    form_get(&r->form, "confirm_password"), sid, &err);
	switch (st) {
	case DB_OK:
		h_redirect_flash(resp, "/account", "password_changed");
		session_cookie(r, resp, sid, -1,
		    "The session cookie could not be set.");
		break;
	case ACCT_REPLAYED:
		h_redirect_flash(resp, "/account", "already_submitted");
		break;
	case ACCT_INVALID:
		account_page(r, resp, 422, &err);
		break;
	case ACCT_LOCKED:
		(void)snprintf(retry, sizeof(retry), "%ld", err.retry_after);
		response_header(resp, "Retry-After", retry);
		account_page(r, resp, 429, &err);
		break;
	case ACCT_SIGNED_OUT:
		h_redirect_flash(resp, "/login", "pwchange_signed_out");
		session_cookie(r, resp, "", 0,
		    "The session cookie could not be cleared.");
		break;
	case FORM_ANSWERED:
		break;
	default:
		response_db_error(resp, r, st);
	}
	explicit_bzero(sid, sizeof(sid));
}

/* The signed-in principal as /api/v1/me shows it; arena-owned, NULL if
 * out of memory. */
static struct json_object *
me_json(struct request *r)
{
	struct json_object	*o, *scopes;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	scopes = json_object_new_array();
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
	return o;
}

void
h_api_me(struct request *r, struct response *resp)
{
	response_json(resp, 200, me_json(r));
}
