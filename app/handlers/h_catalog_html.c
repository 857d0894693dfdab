/*
 * h_catalog_html.c -- the pages of suppliers and warehouses (list, create,
 * edit), one code path for both kinds (h_catalog_kind() of the route),
 * and the warehouse <select> the stock and order pages use.  Their API
 * is in h_catalog.c.
 */
#include <inttypes.h>
#include <string.h>

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
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"

/* An item of the list page: its shape with the counts the table shows. */
static struct tval *
catalog_row_view(struct arena *a, const struct catalog_kind *k,
    const struct catalog_list *l, size_t i)
{
	struct tval	*o = h_catalog_row_tv(a, k, l, i, 1);

	if (k->warehouses) {
		tv_set_i64(o, "count", l->w.v[i].stock_rows);
		tv_set_i64(o, "units", l->w.v[i].units_on_hand);
	} else
		tv_set_i64(o, "count", l->s.v[i].products);
	return o;
}

/* The list page with its create form (and what was typed on an error:
 * errors, page context, or NULL). */
static void
catalog_list(struct request *r, struct response *resp, int status,
    struct tval *errors)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_list		 l;
	struct tval			*ctx, *items;
	size_t				 i;
	int				 st = DB_ERROR;

	if ((ctx = tv_obj(r->arena)) == NULL ||
	    (st = h_catalog_list(k, r->arena, 0, 1000, &l)) != DB_OK)
		goto out;
	items = tv_arr(r->arena);
	for (i = 0; i < l.n; i++)
		tv_push(items, catalog_row_view(r->arena, k, &l, i));
	tv_set_str(ctx, "title", k->title);
	tv_set_bool(ctx, "warehouses_page", k->warehouses);
	tv_set_tv(ctx, "items", items);
	tv_set_tv(ctx, "form", errors != NULL ? h_form_echo(r) :
	    tv_obj(r->arena));
	tv_set_tv(ctx, "errors", errors != NULL ? errors : tv_obj(r->arena));
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
static struct tval *
catalog_as_form(struct arena *a, const struct catalog_kind *k,
    const struct catalog_item *it)
{
	struct tval	*f = tv_obj(a);

	tv_set_str(f, "name", k->warehouses ? it->w.name : it->s.name);
	tv_set_bool(f, "active", k->warehouses ? it->w.active : it->s.active);
	if (k->warehouses)
		tv_set_str(f, "code", it->w.code);
	else {
		tv_set_str(f, "email", it->s.email);
		tv_set_str(f, "lead_time_days", arena_printf(a, "%" PRId64,
		    it->s.lead_time_days));
	}
	return f;
}

/* The edit page of one supplier or warehouse (errors: see catalog_list). */
static void
catalog_edit(struct request *r, struct response *resp, int status,
    int64_t id, struct tval *errors)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_item		 it;
	struct tval			*ctx;
	int				 st = DB_ERROR;

	if ((ctx = tv_obj(r->arena)) == NULL ||
	    (st = h_catalog_get(k, r->arena, id, &it)) != DB_OK)
		goto out;
	tv_set_str(ctx, "title", k->item_title);
	tv_set_bool(ctx, "can_edit",
	    authz_allowed((enum authz_role)r->auth.role, k->perm));
	tv_set_bool(ctx, "warehouses_page", k->warehouses);
	tv_set_i64(ctx, "id", id);
	tv_set_tv(ctx, "form", errors != NULL ? h_form_echo(r) :
	    catalog_as_form(r->arena, k, &it));
	tv_set_tv(ctx, "errors", errors != NULL ? errors : tv_obj(r->arena));
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

/* A refused form again, with errors (page context; NULL, a failed
 * tv_obj(), answers 500) and what was typed. */
static void
catalog_refused(struct request *r, struct response *resp, int64_t id,
    struct tval *errors)
{
	if (errors == NULL) {
		response_error(resp, r, 500, "Out of memory.");
		return;
	}
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
	struct tval		*errors;
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
		errors = tv_obj(r->arena);
		h_dom_field(errors, &op->err);
		catalog_refused(r, resp, op->id, errors);
	}
	return rv;
}

/* The posted fields into op->it; errors per field. */
static void
catalog_from_form(struct request *r, struct catalog_form_op *op,
    struct tval *errors)
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
	struct tval		*errors;
	const char		*key;

	if (idem_form_key(r, resp, &key) == -1)
		return;		/* answered */
	memset(&op, 0, sizeof(op));
	op.k = h_catalog_kind(r);
	op.id = id;
	if ((errors = tv_obj(r->arena)) == NULL)
		response_error(resp, r, 500, "Out of memory.");
	else {
		catalog_from_form(r, &op, errors);
		if (h_form_invalid(errors))
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
struct tval *
h_warehouse_options(struct request *r, int64_t chosen, int64_t *first)
{
	struct tval		*a = tv_arr(r->arena), *o;
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
		o = tv_obj(r->arena);
		tv_set_i64(o, "id", w->id);
		tv_set_str(o, "code", w->code);
		tv_set_str(o, "name", w->name);
		tv_set_bool(o, "selected", w->id == chosen);
		tv_push(a, o);
	}
	return a;
}
