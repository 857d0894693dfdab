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
#include "tmpl.h"
#include "str.h"
#include "users.h"

/* One token as the page lists it, in a. */
static struct tval *
token_tv(struct arena *a, const struct api_token *t)
{
	struct tval	*o = tv_obj(a);

	tv_set_str(o, "id", accounts_id_str(a, t->id));
	tv_set_opt(o, "name", t->name);
	tv_set_opt(o, "user", t->owner);
	tv_set_bool(o, "read", t->scope_read);
	tv_set_bool(o, "write", t->scope_write);
	tv_set_opt(o, "created", t->created);
	tv_set_opt(o, "expires", t->expires);
	tv_set_opt(o, "last_used", t->last_used);
	tv_set_opt(o, "revoked", t->revoked);
	tv_set_bool(o, "expired", t->expired);
	return o;
}

/* The owners for the form's <select>, the posted one marked. */
static struct tval *
owners_tv(struct request *r, const struct user_list *owners)
{
	struct tval	*a = tv_arr(r->arena), *u;
	const char	*uid = form_get(&r->form, "user_id");
	const char	*id;
	size_t		 i;

	for (i = 0; i < owners->n; i++) {
		u = tv_obj(r->arena);
		id = accounts_id_str(r->arena, owners->v[i].id);
		tv_set_str(u, "id", id);
		tv_set_opt(u, "email", owners->v[i].email);
		tv_set_bool(u, "selected",
		    uid != NULL && id != NULL && strcmp(uid, id) == 0);
		tv_push(a, u);
	}
	return a;
}

/* The form's errors and input when err is set; added to ctx. */
static void
tokens_form_tv(struct request *r, struct tval *ctx,
    const struct acct_error *err)
{
	struct tval	*form = tv_obj(r->arena);

	if (err != NULL) {
		tv_set_opt(form, "name", form_get(&r->form, "name"));
		tv_set_opt(form, "expires_days",
		    form_get(&r->form, "expires_days"));
	}
	tv_set_tv(ctx, "errors", h_acct_errors(r->arena, err));
	tv_set_tv(ctx, "form", form);
}

/* The page's context; in the arena, NULL if out of memory. */
static struct tval *
tokens_ctx(struct request *r, const struct api_token_list *l,
    const struct user_list *owners, const struct acct_error *err,
    const char *new_token)
{
	struct tval	*ctx, *list;
	size_t		 i;

	if ((ctx = tv_obj(r->arena)) == NULL)
		return NULL;
	list = tv_arr(r->arena);
	for (i = 0; i < l->n; i++)
		tv_push(list, token_tv(r->arena, &l->v[i]));
	tv_set_str(ctx, "title", "API tokens");
	tv_set_tv(ctx, "tokens", list);
	tv_set_tv(ctx, "users", owners_tv(r, owners));
	tokens_form_tv(r, ctx, err);
	if (new_token != NULL)
		tv_set_str(ctx, "new_token", new_token);
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
