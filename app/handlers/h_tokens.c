/*
 * h_tokens.c -- /admin/tokens (list, create: shown once, revoke) and
 * POST /api/v1/tokens/{id}/revoke.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "apitokens.h"
#include "arena.h"
#include "audit.h"
#include "h_accounts.h"
#include "handlers.h"
#include "hutil.h"
#include "json.h"
#include "middleware.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "str.h"
#include "users.h"

/* One token as the page lists it; unowned. */
static struct json_object *
token_json(struct arena *a, const struct api_token *t)
{
	struct json_object	*o = json_object_new_object();

	json_add_str(o, "id", accounts_id_str(a, t->id));
	json_object_object_add(o, "name", h_jstr(t->name));
	json_object_object_add(o, "user", h_jstr(t->owner));
	json_add_bool(o, "read", t->scope_read);
	json_add_bool(o, "write", t->scope_write);
	json_object_object_add(o, "created", h_jstr(t->created));
	json_object_object_add(o, "expires", h_jstr(t->expires));
	json_object_object_add(o, "last_used", h_jstr(t->last_used));
	json_object_object_add(o, "revoked", h_jstr(t->revoked));
	json_add_bool(o, "expired", t->expired);
	return o;
}

/* The owners for the form's <select>, the posted one marked; unowned. */
static struct json_object *
owners_json(struct request *r, const struct user_list *owners)
{
	struct json_object	*a = json_object_new_array();
	const char		*uid = form_get(&r->form, "user_id");
	const char		*id;
	size_t			 i;

	for (i = 0; i < owners->n; i++) {
		struct json_object *u = json_object_new_object();
		id = accounts_id_str(r->arena, owners->v[i].id);
		json_object_object_add(u, "id", h_jstr(id));
		json_object_object_add(u, "email",
		    h_jstr(owners->v[i].email));
		json_add_bool(u, "selected",
		    uid != NULL && id != NULL && strcmp(uid, id) == 0);
		json_object_array_add(a, u);
	}
	return a;
}

/* The form's errors and input when err is set; added to ctx. */
static void
tokens_form_json(struct request *r, struct json_object *ctx,
    const struct acct_error *err)
{
	struct json_object	*form = json_object_new_object();

	if (err != NULL) {
		json_object_object_add(form, "name",
		    h_jstr(form_get(&r->form, "name")));
		json_object_object_add(form, "expires_days",
		    h_jstr(form_get(&r->form, "expires_days")));
	}
	json_object_object_add(ctx, "errors", h_acct_errors(err));
	json_object_object_add(ctx, "form", form);
}

/* The page's context; arena-owned, NULL if out of memory. */
static struct json_object *
tokens_ctx(struct request *r, const struct api_token_list *l,
    const struct user_list *owners, const struct acct_error *err,
    const char *new_token)
{
	struct json_object	*ctx, *list;
	size_t			 i;

	if ((ctx = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	list = json_object_new_array();
	for (i = 0; i < l->n; i++)
		json_object_array_add(list, token_json(r->arena, &l->v[i]));
	json_add_str(ctx, "title", "API tokens");
	json_object_object_add(ctx, "tokens", list);
	json_object_object_add(ctx, "users", owners_json(r, owners));
	tokens_form_json(r, ctx, err);
	if (new_token != NULL)
		json_add_str(ctx, "new_token", new_token);
	return ctx;
}

static void
tokens_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err, const char *new_token)
{
	struct api_token_list	l;
	struct user_list	owners;
	int			st;

	if ((st = apitoken_list(r->arena, &l)) != DB_OK ||
	    (st = users_enabled(r->arena, &owners)) != DB_OK)
		response_db_error(resp, r, st);
	else
		h_page(r, resp, status, "admin_tokens",
		    tokens_ctx(r, &l, &owners, err, new_token));
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

/* The owner and the days of the posted form; ACCT_INVALID or DB_OK. */
static int
token_form_read(struct request *r, int64_t *uid, int64_t *days,
    struct acct_error *err)
{
	const char	*uid_s = form_get(&r->form, "user_id");
	const char	*days_s = form_get(&r->form, "expires_days");

	*uid = *days = 0;
	if (uid_s == NULL || str_to_i64(uid_s, 1, INT64_MAX, uid) == -1)
		return accounts_refuse(err, "user_id", "Choose a user.");
	if (days_s != NULL && days_s[0] != '\0' &&
	    str_to_i64(days_s, 1, 3650, days) == -1)
		return accounts_refuse(err, "expires_days", "Use 1 to 3650 "
		    "days, or leave it empty for no expiry.");
	return DB_OK;
}

void
h_tokens_create(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL, 0 };
	char			 tok[API_TOKEN_LEN + 1];
	int64_t			 uid, days, id;
	int			 st;

	tok[0] = '\0';
	if ((st = h_acct_form(r, resp, &ctx)) == DB_OK &&
	    (st = token_form_read(r, &uid, &days, &err)) == DB_OK)
		st = apitoken_create(&ctx, uid, form_get(&r->form, "name"),
		    has_value(&r->form, "scopes", "read"),
		    has_value(&r->form, "scopes", "write"), (long)days, &id,
		    tok, &err);
	if (st == ACCT_REPLAYED)
		/* The token was shown to the first submission only. */
		h_redirect_flash(resp, "/admin/tokens",
		    "token_already_created");
	else if (st == ACCT_INVALID)
		tokens_page(r, resp, 422, &err, NULL);
	else if (st == DB_OK)
		/* The one time the token is shown: not a redirect, never
		 * cached. */
		tokens_page(r, resp, 201, NULL, tok);
	else if (st != FORM_ANSWERED)
		response_db_error(resp, r, st);
	explicit_bzero(tok, sizeof(tok));
}

/* The API's answer to a revocation; arena-owned, NULL if out of memory. */
static struct json_object *
revoked_json(struct request *r, int64_t id)
{
	struct json_object	*o;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	json_add_i64(o, "id", id);
	json_add_bool(o, "revoked", 1);
	return o;
}

void
h_tokens_revoke(struct request *r, struct response *resp)
{
	struct audit_ctx	ctx;
	int64_t			id = request_param_id(r, "id");
	int			st;

	middleware_audit_ctx(r, &ctx);
	st = id > 0 ? apitoken_revoke(&ctx, id) : ACCT_NOT_FOUND;
	if (st == ACCT_NOT_FOUND)
		response_error(resp, r, 404, "No such token.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else if (r->is_api)
		response_json(resp, 200, revoked_json(r, id));
	else
		h_redirect_flash(resp, "/admin/tokens", "token_revoked");
}
