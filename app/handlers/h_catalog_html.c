/*
 * h_catalog_html.c -- the pages of suppliers and warehouses (list, create,
 * edit), one code path for both kinds (h_catalog_kind() of the route),
 * and the warehouse <select> the stock and order pages use.  Their API
 * is in h_catalog.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "catalog.h"
#include "domain.h"
#include "fields.h"
#include "h_catalog.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "json.h"
#include "middleware.h"
#include "request.h"
#include "response.h"

/* An item of the list page: its JSON with the counts the table shows. */
static struct json_object *
catalog_row_view(const struct catalog_kind *k, const struct catalog_list *l,
    size_t i)
{
	struct json_object	*o = h_catalog_row_json(k, l, i, 1);

	if (k->warehouses) {
		json_add_i64(o, "count", l->w.v[i].stock_rows);
		json_add_i64(o, "units", l->w.v[i].units_on_hand);
	} else
		json_add_i64(o, "count", l->s.v[i].products);
	return o;
}

/* The list page with its create form (and what was typed on an error:
 * errors, arena-owned, or NULL). */
static void
catalog_list(struct request *r, struct response *resp, int status,
    struct json_object *errors)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_list		 l;
	struct json_object		*ctx, *items;
	size_t				 i;
	int				 st = DB_ERROR;

	if ((ctx = json_own(r->arena, json_object_new_object())) == NULL ||
	    (st = h_catalog_list(k, r->arena, 0, 1000, &l)) != DB_OK)
		goto out;
	items = json_object_new_array();
	for (i = 0; i < l.n; i++)
		json_object_array_add(items, catalog_row_view(k, &l, i));
	json_add_str(ctx, "title", k->title);
	json_add_bool(ctx, "warehouses_page", k->warehouses);
	json_object_object_add(ctx, "items", items);
	json_object_object_add(ctx, "form", errors != NULL ? h_form_echo(r) :
	    json_object_new_object());
	json_object_object_add(ctx, "errors", errors != NULL ?
	    json_object_get(errors) : json_object_new_object());
out:
	if (st == DB_OK)
		response_html(resp, r, status, "catalog", ctx);
	else
		response_db_error(resp, r, st);
}

void
h_catalog_page(struct request *r, struct response *resp)
{
	catalog_list(r, resp, 200, NULL);
}

/* One supplier or warehouse as the edit form's values. */
static struct json_object *
catalog_as_form(struct arena *a, const struct catalog_kind *k,
    const struct catalog_item *it)
{
	struct json_object	*f = json_object_new_object();

	json_add_str(f, "name", k->warehouses ? it->w.name : it->s.name);
	json_add_bool(f, "active", k->warehouses ? it->w.active : it->s.active);
	if (k->warehouses)
		json_add_str(f, "code", it->w.code);
	else {
		json_add_str(f, "email", it->s.email);
		json_add_str(f, "lead_time_days", arena_printf(a, "%" PRId64,
		    it->s.lead_time_days));
	}
	return f;
}

/* The edit page of one supplier or warehouse (errors: see catalog_list). */
static void
catalog_edit(struct request *r, struct response *resp, int status,
    int64_t id, struct json_object *errors)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_item		 it;
	struct json_object		*ctx;
	int				 st = DB_ERROR;

	if ((ctx = json_own(r->arena, json_object_new_object())) == NULL ||
	    (st = h_catalog_get(k, r->arena, id, &it)) != DB_OK)
		goto out;
	json_add_str(ctx, "title", k->item_title);
	json_add_bool(ctx, "can_edit",
	    authz_allowed((enum authz_role)r->auth.role, k->perm));
	json_add_bool(ctx, "warehouses_page", k->warehouses);
	json_add_i64(ctx, "id", id);
	json_object_object_add(ctx, "form", errors != NULL ? h_form_echo(r) :
	    catalog_as_form(r->arena, k, &it));
	json_object_object_add(ctx, "errors", errors != NULL ?
	    json_object_get(errors) : json_object_new_object());
out:
	if (st == DB_OK)
		response_html(resp, r, status, "catalog_edit", ctx);
	else if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, k->missing);
	else
		response_db_error(resp, r, st);
}

void
h_catalog_item(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "Not found.")) < 0)
		return;		/* answered */
	catalog_edit(r, resp, 200, id, NULL);
}

struct catalog_form_op {
	const struct catalog_kind	*k;
	struct catalog_item		 it;
	int64_t				 id;	/* 0: create */
	struct dom_error		 err;
};

/* A refused form again, with errors (arena-owned) and what was typed. */
static void
catalog_refused(struct request *r, struct response *resp, int64_t id,
    struct json_object *errors)
{
	if (id == 0)
		catalog_list(r, resp, 422, errors);
	else
		catalog_edit(r, resp, 422, id, errors);
}

static int
catalog_form_op(struct request *r, struct response *resp, void *arg)
{
	struct catalog_form_op	*op = arg;
	struct audit_ctx	 ctx;
	struct json_object	*errors;
	int64_t			 id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	rv = h_catalog_save(op->k, &ctx, &op->it, &id, &op->err);
	if (rv == DB_OK)
		h_redirect_flash(resp, op->k->page_path, op->k->saved_flash);
	else if (rv == DOM_NOT_FOUND)
		response_error(resp, r, 404, "Not found.");
	else if (rv > 0) {
		errors = json_own(r->arena, json_object_new_object());
		if (errors != NULL)
			h_dom_field(errors, &op->err);
		catalog_refused(r, resp, op->id, errors);
	}
	return rv;
}

/* The posted fields into op->it; errors per field. */
static void
catalog_from_form(struct request *r, struct catalog_form_op *op,
    struct json_object *errors)
{
	const struct field_set	*set;
	void			*dst;

	set = h_catalog_fields(op->k, &op->it, &dst);
	op->it.s.active = op->it.w.active = 1;
	fields_from_form(set, op->id == 0 ? FIELDS_CREATE : FIELDS_REPLACE, r,
	    dst, errors);
	op->it.s.id = op->it.w.id = op->id;
}

static void
catalog_save(struct request *r, struct response *resp, int64_t id)
{
	struct catalog_form_op	 op;
	struct json_object	*errors;
	const char		*key;

	if (idem_form_key(r, resp, &key) == -1)
		return;		/* answered */
	memset(&op, 0, sizeof(op));
	op.k = h_catalog_kind(r);
	op.id = id;
	if ((errors = json_own(r->arena, json_object_new_object())) == NULL)
		response_error(resp, r, 500, "Out of memory.");
	else {
		catalog_from_form(r, &op, errors);
		if (json_object_object_length(errors) > 0)
			catalog_refused(r, resp, id, errors);
		else
			idem_run(r, resp, key, catalog_form_op, NULL, &op);
	}
}

void
h_catalog_create_form(struct request *r, struct response *resp)
{
	catalog_save(r, resp, 0);
}

void
h_catalog_update_form(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "Not found.")) < 0)
		return;		/* answered */
	catalog_save(r, resp, id);
}

/* Active warehouses for a <select>, the chosen one marked. */
struct json_object *
h_warehouse_options(struct request *r, int64_t chosen, int64_t *first)
{
	struct json_object	*a = json_object_new_array(), *o;
	struct warehouse_list	 l;
	struct warehouse	*w;
	size_t			 i;

	*first = 0;
	if (warehouses_list(r->arena, 0, 1000, &l) != DB_OK)
		return a;
	for (i = 0; i < l.n; i++) {
		w = &l.v[i];
		if (!w->active)
			continue;
		if (*first == 0)
			*first = w->id;
		o = json_object_new_object();
		json_add_i64(o, "id", w->id);
		json_add_str(o, "code", w->code);
		json_add_str(o, "name", w->name);
		json_add_bool(o, "selected", w->id == chosen);
		json_object_array_add(a, o);
	}
	return a;
}
