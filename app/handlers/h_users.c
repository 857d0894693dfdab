/*
 * h_users.c -- /admin/users (list, create, edit, disable, reset a password)
 * and GET /api/v1/users.
 *
 * user_json() is the one mapping of a user to JSON, shared by the API
 * listing and the pages; user_form_end() answers every user form.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "h_accounts.h"
#include "handlers.h"
#include "hutil.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"
#include "users.h"

/* One user; unowned, for adding to a parent. */
static struct json_object *
user_json(const struct user *u)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(u->id));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "name", json_object_new_string(u->name));
	json_object_object_add(o, "role", json_object_new_string(u->role));
	json_object_object_add(o, "disabled",
	    json_object_new_boolean(u->disabled));
	json_object_object_add(o, "must_change_password",
	    json_object_new_boolean(u->must_change));
	json_object_object_add(o, "created_at",
	    json_object_new_string(u->created));
	return o;
}

/* One user as page context (the keys of user_json()), in a. */
static struct tval *
user_tv(struct arena *a, const struct user *u)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", u->id);
	tv_set_str(o, "email", u->email);
	tv_set_str(o, "name", u->name);
	tv_set_str(o, "role", u->role);
	tv_set_bool(o, "disabled", u->disabled);
	tv_set_bool(o, "must_change_password", u->must_change);
	tv_set_str(o, "created_at", u->created);
	return o;
}

/* Every user of l as a JSON array; unowned. */
static struct json_object *
users_json(const struct user_list *l)
{
	struct json_object	*a = json_object_new_array();
	size_t			 i;

	for (i = 0; i < l->n; i++)
		json_object_array_add(a, user_json(&l->v[i]));
	return a;
}

/* The roles for a <select>, with the chosen one marked; in a. */
static struct tval *
role_options(struct arena *a, const char *chosen)
{
	struct tval	*l = tv_arr(a), *o;
	const char	*n;
	int		 i;

	for (i = AUTHZ_NROLES - 1; i >= 0; i--) {
		o = tv_obj(a);
		n = authz_role_name((enum authz_role)i);
		tv_set_str(o, "name", n);
		tv_set_bool(o, "selected", chosen != NULL &&
		    strcmp(chosen, n) == 0);
		tv_push(l, o);
	}
	return l;
}

/* The list page's context; err re-renders the create form.  In the
 * arena, NULL if out of memory. */
static struct tval *
users_ctx(struct request *r, const struct user_list *l,
    const struct acct_error *err)
{
	struct tval	*ctx, *form, *users;
	size_t		 i;

	if ((ctx = tv_obj(r->arena)) == NULL)
		return NULL;
	form = tv_obj(r->arena);
	if (err != NULL) {
		tv_set_str(form, "email", h_field(r, "email"));
		tv_set_str(form, "name", h_field(r, "name"));
	}
	users = tv_arr(r->arena);
	for (i = 0; i < l->n; i++)
		tv_push(users, user_tv(r->arena, &l->v[i]));
	tv_set_str(ctx, "title", "Users");
	tv_set_tv(ctx, "users", users);
	tv_set_tv(ctx, "form", form);
	tv_set_tv(ctx, "errors", h_acct_errors(r->arena, err));
	tv_set_tv(ctx, "roles", role_options(r->arena, err != NULL ?
	    form_get(&r->form, "role") : "viewer"));
	return ctx;
}

static void
users_page(struct request *r, struct response *resp, int status,
    const struct acct_error *err)
{
	struct user_list	l;
	int			st;

	if ((st = users_list(r->arena, &l)) != DB_OK)
		response_db_error(resp, r, st);
	else
		h_page(r, resp, status, "admin_users", users_ctx(r, &l, err));
}

/* One user's page context; err re-renders its forms with the input.
 * In the arena, NULL if out of memory. */
static struct tval *
user_ctx(struct request *r, const struct user *u,
    const struct acct_error *err)
{
	struct tval	*ctx, *o;
	const char	*name = form_get(&r->form, "name");
	const char	*role = form_get(&r->form, "role");

	if ((ctx = tv_obj(r->arena)) == NULL)
		return NULL;
	o = user_tv(r->arena, u);
	tv_set_i64(o, "sessions", u->sessions);
	if (err != NULL && name != NULL)
		tv_set_str(o, "name", name);
	tv_set_str(ctx, "title", u->email);
	tv_set_tv(ctx, "roles", role_options(r->arena,
	    err != NULL && role != NULL ? role : u->role));
	tv_set_bool(ctx, "self", u->id == r->auth.user_id);
	tv_set_tv(ctx, "user", o);
	tv_set_tv(ctx, "errors", h_acct_errors(r->arena, err));
	return ctx;
}

static void
user_page(struct request *r, struct response *resp, int status, int64_t id,
    const struct acct_error *err)
{
	struct user	u;
	int		st;

	st = id > 0 ? users_get(r->arena, id, &u) : ACCT_NOT_FOUND;
	if (st == ACCT_NOT_FOUND)
		response_error(resp, r, 404, "No such user.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		h_page(r, resp, status, "admin_user", user_ctx(r, &u, err));
}

/* /admin/users, or /admin/users/{id} for id > 0; in the arena. */
static const char *
user_path(struct request *r, int64_t id)
{
	return id > 0 ? arena_printf(r->arena, "/admin/users/%" PRId64, id) :
	    "/admin/users";
}

/*
 * Answers a user form from its accounts outcome st (FORM_ANSWERED: done
 * already).  page_id is the user whose page holds the form (0: the list
 * page); done_id the user a success goes to, with flash.
 */
static void
user_form_end(struct request *r, struct response *resp, int st,
    int64_t page_id, int64_t done_id, const struct acct_error *err,
    const char *flash)
{
	switch (st) {
	case FORM_ANSWERED:
		break;
	case ACCT_REPLAYED:
		h_redirect_flash(resp, user_path(r, page_id),
		    "already_submitted");
		break;
	case ACCT_NOT_FOUND:
		response_error(resp, r, 404, "No such user.");
		break;
	case ACCT_INVALID:
		if (page_id > 0)
			user_page(r, resp, 422, page_id, err);
		else
			users_page(r, resp, 422, err);
		break;
	case DB_OK:
		h_redirect_flash(resp, user_path(r, done_id), flash);
		break;
	default:
		response_db_error(resp, r, st);
		break;
	}
}

/*
 * Starts an edit of user {id}: *id and the form's ctx.  DB_OK,
 * ACCT_NOT_FOUND for a bad id, or FORM_ANSWERED.
 */
static int
user_edit_begin(struct request *r, struct response *resp,
    struct audit_ctx *ctx, int64_t *id)
{
	if ((*id = request_param_id(r, "id")) <= 0)
		return ACCT_NOT_FOUND;
	return h_acct_form(r, resp, ctx);
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
	struct acct_error	 err = { NULL, NULL, 0 };
	int64_t			 id = 0;
	int			 st;

	if ((st = h_acct_form(r, resp, &ctx)) == DB_OK)
		st = users_create(&ctx, form_get(&r->form, "email"),
		    form_get(&r->form, "name"), form_get(&r->form, "role"),
		    form_get(&r->form, "password"), 1, &id, &err);
	user_form_end(r, resp, st, 0, id, &err, "user_created");
}

void
h_user(struct request *r, struct response *resp)
{
	user_page(r, resp, 200, request_param_id(r, "id"), NULL);
}

void
h_user_update(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL, 0 };
	const char		*dis;
	int64_t			 id;
	int			 st;

	if ((st = user_edit_begin(r, resp, &ctx, &id)) == DB_OK) {
		dis = form_get(&r->form, "disabled");
		st = users_update(&ctx, id, form_get(&r->form, "name"),
		    form_get(&r->form, "role"),
		    dis != NULL && strcmp(dis, "1") == 0, &err);
	}
	user_form_end(r, resp, st, id, id, &err, "user_saved");
}

void
h_user_password(struct request *r, struct response *resp)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL, 0 };
	int64_t			 id;
	int			 st;

	if ((st = user_edit_begin(r, resp, &ctx, &id)) == DB_OK)
		st = users_reset_password(&ctx, id,
		    form_get(&r->form, "password"), &err);
	user_form_end(r, resp, st, id, id, &err, "password_reset");
}

void
h_api_users(struct request *r, struct response *resp)
{
	struct json_object	*o;
	struct user_list	 l;
	int			 st;

	if ((st = users_list(r->arena, &l)) != DB_OK)
		response_db_error(resp, r, st);
	else {
		if ((o = json_own(r->arena, json_object_new_object())) != NULL)
			json_object_object_add(o, "items", users_json(&l));
		response_json(resp, 200, o);
	}
}
