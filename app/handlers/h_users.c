/*
 * h_users.c -- /admin/users (list, create, edit, disable, reset a password)
 * and GET /api/v1/users.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
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
user_json(struct db_rows *rows, size_t i)
{
	struct json_object	*u = json_object_new_object();
	int64_t			 id = 0;

	(void)str_to_i64(DB_CELL(rows, i, 0), 0, INT64_MAX, &id);
	json_object_object_add(u, "id", json_object_new_int64(id));
	json_object_object_add(u, "email", json_object_new_string(
	    DB_CELL(rows, i, 1)));
	json_object_object_add(u, "name", json_object_new_string(
	    DB_CELL(rows, i, 2)));
	json_object_object_add(u, "role", json_object_new_string(
	    DB_CELL(rows, i, 3)));
	json_object_object_add(u, "disabled", json_object_new_boolean(
	    strcmp(DB_CELL(rows, i, 4), "0") != 0));
	json_object_object_add(u, "must_change_password",
	    json_object_new_boolean(strcmp(DB_CELL(rows, i, 5), "0") != 0));
	json_object_object_add(u, "created_at", json_object_new_string(
	    DB_CELL(rows, i, 6)));
	return u;
}

static const char *
field_or_empty(const struct request *r, const char *name)
{
	const char	*v = form_get(&r->form, name);

	return v != NULL ? v : "";
}

/* The roles for a <select>, with the chosen one marked. */
static struct json_object *
role_options(const char *chosen)
{
	struct json_object	*a = json_object_new_array();
	int			 i;

	for (i = AUTHZ_NROLES - 1; i >= 0; i--) {
		struct json_object *o = json_object_new_object();
		const char *n = authz_role_name((enum authz_role)i);
		json_object_object_add(o, "name", json_object_new_string(n));
		json_object_object_add(o, "selected", json_object_new_boolean(
		    chosen != NULL && strcmp(chosen, n) == 0));
		json_object_array_add(a, o);
	}
	return a;
}

static void
users_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err)
{
	struct json_object	*ctx, *list, *form, *errors;
	struct db_rows		 rows;
	size_t			 i;
	int			 st;

	if ((st = accounts_list_users(r->arena, &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows; i++)
		json_object_array_add(list, user_json(&rows, i));
	json_object_object_add(ctx, "title", json_object_new_string("Users"));
	json_object_object_add(ctx, "users", list);
	form = json_object_new_object();
	errors = json_object_new_object();
	if (err != NULL) {
		json_object_object_add(form, "email", json_object_new_string(
		    field_or_empty(r, "email")));
		json_object_object_add(form, "name", json_object_new_string(
		    field_or_empty(r, "name")));
		if (err->field != NULL)
			json_object_object_add(errors, err->field,
			    json_object_new_string(err->message));
	}
	json_object_object_add(ctx, "form", form);
	json_object_object_add(ctx, "errors", errors);
	json_object_object_add(ctx, "roles", role_options(err != NULL ?
	    form_get(&r->form, "role") : "viewer"));
	response_html(resp, r, status, "admin_users", json_own(resp->arena, ctx));
}

void
h_users(struct request *r, struct response *resp)
{
	users_page(r, resp, 200, NULL);
}

void
h_users_create(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL };
	const char		*key;
	int64_t			 id;
	int			 st;

	if (idem_form_key(r, resp, &key) == -1)
		return;
	middleware_audit_ctx(r, &ctx);
	ctx.form_key = key;
	st = accounts_create_user(&ctx, form_get(&r->form, "email"),
	    form_get(&r->form, "name"), form_get(&r->form, "role"),
	    form_get(&r->form, "password"), 1, &id, &err);
	if (st == ACCT_REPLAYED) {
		h_redirect_flash(resp, "/admin/users", "already_submitted");
		return;
	}
	if (st == ACCT_INVALID) {
		users_page(r, resp, 422, &err);
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	h_redirect_flash(resp, arena_printf(r->arena, "/admin/users/%" PRId64,
	    id), "user_created");
}

static void
user_page(struct request *r, struct response *resp, int status, int64_t id,
    const struct acct_error *err)
{
	struct json_object	*ctx, *u, *errors;
	struct db_rows		 rows;
	int			 st;

	if ((st = accounts_get_user(r->arena, id, &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	if (rows.nrows != 1) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	ctx = json_object_new_object();
	u = user_json(&rows, 0);
	json_object_object_add(u, "sessions", json_object_new_string(
	    DB_CELL(&rows, 0, 7)));
	errors = json_object_new_object();
	if (err != NULL && err->field != NULL)
		json_object_object_add(errors, err->field,
		    json_object_new_string(err->message));
	if (err != NULL && form_get(&r->form, "name") != NULL)
		json_object_object_add(u, "name", json_object_new_string(
		    form_get(&r->form, "name")));
	json_object_object_add(ctx, "title", json_object_new_string(
	    DB_CELL(&rows, 0, 1)));
	json_object_object_add(ctx, "roles", role_options(
	    err != NULL && form_get(&r->form, "role") != NULL ?
	    form_get(&r->form, "role") : DB_CELL(&rows, 0, 3)));
	json_object_object_add(ctx, "self", json_object_new_boolean(
	    id == r->auth.user_id));
	json_object_object_add(ctx, "user", u);
	json_object_object_add(ctx, "errors", errors);
	response_html(resp, r, status, "admin_user", json_own(resp->arena, ctx));
}

void
h_user(struct request *r, struct response *resp)
{
	int64_t	id = request_param_id(r, "id");

	if (id <= 0) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	user_page(r, resp, 200, id, NULL);
}

void
h_user_update(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL };
	const char		*key, *dis;
	int64_t			 id = request_param_id(r, "id");
	int			 st;

	if (id <= 0) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	if (idem_form_key(r, resp, &key) == -1)
		return;
	dis = form_get(&r->form, "disabled");
	middleware_audit_ctx(r, &ctx);
	ctx.form_key = key;
	st = accounts_update_user(&ctx, id, form_get(&r->form, "name"),
	    form_get(&r->form, "role"), dis != NULL && strcmp(dis, "1") == 0,
	    &err);
	if (st == ACCT_REPLAYED) {
		h_redirect_flash(resp, arena_printf(r->arena,
		    "/admin/users/%" PRId64, id), "already_submitted");
		return;
	}
	if (st == ACCT_NOT_FOUND) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	if (st == ACCT_INVALID) {
		user_page(r, resp, 422, id, &err);
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	h_redirect_flash(resp, arena_printf(r->arena, "/admin/users/%" PRId64,
	    id), "user_saved");
}

void
h_user_password(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL };
	const char		*key;
	int64_t			 id = request_param_id(r, "id");
	int			 st;

	if (id <= 0) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	if (idem_form_key(r, resp, &key) == -1)
		return;
	middleware_audit_ctx(r, &ctx);
	ctx.form_key = key;
	st = accounts_reset_password(&ctx, id, form_get(&r->form, "password"),
	    &err);
	if (st == ACCT_REPLAYED) {
		h_redirect_flash(resp, arena_printf(r->arena,
		    "/admin/users/%" PRId64, id), "already_submitted");
		return;
	}
	if (st == ACCT_NOT_FOUND) {
		response_error(resp, r, 404, "No such user.");
		return;
	}
	if (st == ACCT_INVALID) {
		user_page(r, resp, 422, id, &err);
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	h_redirect_flash(resp, arena_printf(r->arena, "/admin/users/%" PRId64,
	    id), "password_reset");
}

void
h_api_users(struct request *r, struct response *resp)
{
	struct json_object	*o, *list;
	struct db_rows		 rows;
	size_t			 i;
	int			 st;

	if ((st = accounts_list_users(r->arena, &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	o = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows; i++)
		json_object_array_add(list, user_json(&rows, i));
	json_object_object_add(o, "items", list);
	response_json(resp, 200, json_own(resp->arena, o));
}
