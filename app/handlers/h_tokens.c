/*
 * h_tokens.c -- /admin/tokens (list, create: shown once, revoke) and
 * POST /api/v1/tokens/{id}/revoke.
 */
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "str.h"


#define FLAGS	(COOKIE_SECURE | COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX)

static struct json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static void
tokens_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err, const char *new_token)
{
	struct json_object	*ctx, *list, *users, *errors, *form;
	struct db_rows		 rows, urows;
	const char		*uid = form_get(&r->form, "user_id");
	size_t			 i;
	int			 st;

	if ((st = accounts_list_tokens(r->arena, &rows)) != DB_OK ||
	    (st = accounts_token_owners(r->arena, &urows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows; i++) {
		struct json_object *t = json_object_new_object();
		json_object_object_add(t, "id", jstr(DB_CELL(&rows, i, 0)));
		json_object_object_add(t, "name", jstr(DB_CELL(&rows, i, 1)));
		json_object_object_add(t, "user", jstr(DB_CELL(&rows, i, 2)));
		json_object_object_add(t, "read", json_object_new_boolean(
		    strcmp(DB_CELL(&rows, i, 3), "0") != 0));
		json_object_object_add(t, "write", json_object_new_boolean(
		    strcmp(DB_CELL(&rows, i, 4), "0") != 0));
		json_object_object_add(t, "created", jstr(DB_CELL(&rows, i, 5)));
		json_object_object_add(t, "expires", jstr(DB_CELL(&rows, i, 6)));
		json_object_object_add(t, "last_used", jstr(DB_CELL(&rows, i,
		    7)));
		json_object_object_add(t, "revoked", jstr(DB_CELL(&rows, i, 8)));
		json_object_object_add(t, "expired", json_object_new_boolean(
		    strcmp(DB_CELL(&rows, i, 9), "0") != 0));
		json_object_array_add(list, t);
	}
	users = json_object_new_array();
	for (i = 0; i < urows.nrows; i++) {
		struct json_object *u = json_object_new_object();
		json_object_object_add(u, "id", jstr(DB_CELL(&urows, i, 0)));
		json_object_object_add(u, "email", jstr(DB_CELL(&urows, i, 1)));
		json_object_object_add(u, "selected", json_object_new_boolean(
		    uid != NULL && strcmp(uid, DB_CELL(&urows, i, 0)) == 0));
		json_object_array_add(users, u);
	}
	errors = json_object_new_object();
	form = json_object_new_object();
	if (err != NULL) {
		if (err->field != NULL)
			json_object_object_add(errors, err->field,
			    json_object_new_string(err->message));
		json_object_object_add(form, "name",
		    jstr(form_get(&r->form, "name")));
		json_object_object_add(form, "expires_days",
		    jstr(form_get(&r->form, "expires_days")));
	}
	json_object_object_add(ctx, "title", json_object_new_string(
	    "API tokens"));
	json_object_object_add(ctx, "tokens", list);
	json_object_object_add(ctx, "users", users);
	json_object_object_add(ctx, "errors", errors);
	json_object_object_add(ctx, "form", form);
	if (new_token != NULL)
		json_object_object_add(ctx, "new_token",
		    json_object_new_string(new_token));
	response_html(resp, r, status, "admin_tokens", json_own(resp->arena, ctx));
}

void
h_tokens(struct request *r, struct response *resp)
{
	tokens_page(r, resp, 200, NULL, NULL);
}

static int
has_value(const struct form *f, const char *name, const char *value)
{
	size_t	i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0 &&
		    strcmp(f->fields[i].value, value) == 0)
			return 1;
	return 0;
}

void
h_tokens_create(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL };
	char			 tok[API_TOKEN_LEN + 1];
	const char		*key, *days_s, *uid_s;
	int64_t			 uid = 0, days = 0, id;
	int			 st;

	if (idem_form_key(r, resp, &key) == -1)
		return;
	uid_s = form_get(&r->form, "user_id");
	days_s = form_get(&r->form, "expires_days");
	if (uid_s == NULL || str_to_i64(uid_s, 1, INT64_MAX, &uid) == -1) {
		err.field = "user_id";
		err.message = "Choose a user.";
		tokens_page(r, resp, 422, &err, NULL);
		return;
	}
	if (days_s != NULL && days_s[0] != '\0' &&
	    str_to_i64(days_s, 1, 3650, &days) == -1) {
		err.field = "expires_days";
		err.message = "Use 1 to 3650 days, or leave it empty for no "
		    "expiry.";
		tokens_page(r, resp, 422, &err, NULL);
		return;
	}
	middleware_audit_ctx(r, &ctx);
	ctx.form_key = key;
	st = accounts_create_token(&ctx, uid, form_get(&r->form, "name"),
	    has_value(&r->form, "scopes", "read"),
	    has_value(&r->form, "scopes", "write"), (long)days, &id, tok, &err);
	if (st == ACCT_REPLAYED) {
		/* The token was shown to the first submission only. */
		h_redirect_flash(resp, "/admin/tokens", "token_already_created");
		return;
	}
	if (st == ACCT_INVALID) {
		tokens_page(r, resp, 422, &err, NULL);
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	/* The one time the token is shown: not a redirect, never cached. */
	tokens_page(r, resp, 201, NULL, tok);
	explicit_bzero(tok, sizeof(tok));
}

void
h_tokens_revoke(struct request *r, struct response *resp)
{
	struct audit_ctx	ctx;
	int64_t			id = request_param_id(r, "id");
	int			st;

	middleware_audit_ctx(r, &ctx);
	st = id > 0 ? accounts_revoke_token(&ctx, id) : ACCT_NOT_FOUND;
	if (st == ACCT_NOT_FOUND) {
		response_error(resp, r, 404, "No such token.");
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	if (r->is_api) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "revoked",
		    json_object_new_boolean(1));
		response_json(resp, 200, json_own(resp->arena, o));
		return;
	}
	h_redirect_flash(resp, "/admin/tokens", "token_revoked");
}
