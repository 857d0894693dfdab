/*
 * h_catalog_html.c -- the pages of suppliers and warehouses (list, create,
 * edit).  Their API is in h_catalog.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "catalog.h"
#include "db.h"
#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "orders.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "stock.h"
#include "str.h"

static int
is_warehouses(const struct request *r)
{
	return str_has_prefix(r->path, "/warehouses");
}

/* The list page with its create form (and what was typed on an error). */
static void
catalog_list(struct request *r, struct response *resp, int status,
    struct json_object *errors)
{
	struct json_object	*ctx, *list, *o;
	struct db_rows		 rows;
	int			 wh = is_warehouses(r);
	size_t			 i;
	int			 st;

	st = wh ? warehouses_list(r->arena, 0, 1000, &rows) :
	    suppliers_list(r->arena, 0, 1000, &rows);
	if (st != DB_OK) {
		json_object_put(errors);
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		if (wh) {
			json_object_object_add(o, "code", json_object_new_string(
			    DB_CELL(&rows, i, 1)));
			json_object_object_add(o, "name", json_object_new_string(
			    DB_CELL(&rows, i, 2)));
			json_object_object_add(o, "active",
			    json_object_new_boolean(strcmp(DB_CELL(&rows, i,
			    3), "0") != 0));
			json_object_object_add(o, "count", h_jint(DB_CELL(&rows,
			    i, 4)));
			json_object_object_add(o, "units", h_jint(DB_CELL(&rows,
			    i, 5)));
		} else {
			json_object_object_add(o, "name", json_object_new_string(
			    DB_CELL(&rows, i, 1)));
			json_object_object_add(o, "email",
			    json_object_new_string(DB_CELL(&rows, i, 2)));
			json_object_object_add(o, "lead_time_days",
			    h_jint(DB_CELL(&rows, i, 3)));
			json_object_object_add(o, "active",
			    json_object_new_boolean(strcmp(DB_CELL(&rows, i,
			    4), "0") != 0));
			json_object_object_add(o, "count", h_jint(DB_CELL(&rows,
			    i, 5)));
		}
		json_object_array_add(list, o);
	}
	json_object_object_add(ctx, "title", json_object_new_string(wh ?
	    "Warehouses" : "Suppliers"));
	json_object_object_add(ctx, "warehouses_page",
	    json_object_new_boolean(wh));
	json_object_object_add(ctx, "items", list);
	json_object_object_add(ctx, "form", errors != NULL ? h_form_echo(r) :
	    json_object_new_object());
	json_object_object_add(ctx, "errors", errors != NULL ? errors :
	    json_object_new_object());
	response_html(resp, r, status, "catalog", json_own(resp->arena, ctx));
}

void
h_catalog_page(struct request *r, struct response *resp)
{
	catalog_list(r, resp, 200, NULL);
}

/* The edit page of one supplier or warehouse. */
static void
catalog_edit(struct request *r, struct response *resp, int status,
    int64_t id, struct json_object *errors)
{
	struct json_object	*ctx, *f;
	struct supplier		 s;
	struct warehouse	 w;
	int			 wh = is_warehouses(r), st;

	st = wh ? warehouses_get(r->arena, id, &w) :
	    suppliers_get(r->arena, id, &s);
	if (st == DOM_NOT_FOUND) {
		json_object_put(errors);
		response_error(resp, r, 404, wh ? "No such warehouse." :
		    "No such supplier.");
		return;
	}
	if (st != DB_OK) {
		json_object_put(errors);
		response_db_error(resp, r, st);
		return;
	}
	if (errors != NULL)
		f = h_form_echo(r);
	else {
		f = json_object_new_object();
		json_object_object_add(f, "name", json_object_new_string(wh ?
		    w.name : s.name));
		json_object_object_add(f, "active", json_object_new_boolean(
		    wh ? w.active : s.active));
		if (wh)
			json_object_object_add(f, "code",
			    json_object_new_string(w.code));
		else {
			json_object_object_add(f, "email",
			    json_object_new_string(s.email));
			json_object_object_add(f, "lead_time_days",
			    json_object_new_string(arena_printf(r->arena,
			    "%" PRId64, s.lead_time_days)));
		}
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string(wh ?
	    "Warehouse" : "Supplier"));
	json_object_object_add(ctx, "can_edit", json_object_new_boolean(
	    authz_allowed((enum authz_role)r->auth.role, wh ?
	    "warehouses.manage" : "suppliers.manage")));
	json_object_object_add(ctx, "warehouses_page",
	    json_object_new_boolean(wh));
	json_object_object_add(ctx, "id", json_object_new_int64(id));
	json_object_object_add(ctx, "form", f);
	json_object_object_add(ctx, "errors", errors != NULL ? errors :
	    json_object_new_object());
	response_html(resp, r, status, "catalog_edit", json_own(resp->arena, ctx));
}

void
h_catalog_item(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "Not found.")) < 0)
		return;
	catalog_edit(r, resp, 200, id, NULL);
}

struct catalog_form_op {
	struct supplier		s;
	struct warehouse	w;
	int			wh;
	int64_t			id;
	struct dom_error	err;
};

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
	rv = op->wh ? warehouses_save(&ctx, &op->w, &id, &op->err) :
	    suppliers_save(&ctx, &op->s, &id, &op->err);
	if (rv == DB_OK) {
		h_redirect_flash(resp, op->wh ? "/warehouses" : "/suppliers",
		    op->wh ? "warehouse_saved" : "supplier_saved");
		return DB_OK;
	}
	if (rv == DOM_NOT_FOUND)
		response_error(resp, r, 404, "Not found.");
	else if (rv > 0) {
		errors = json_object_new_object();
		h_dom_field(errors, &op->err);
		if (op->id == 0)
			catalog_list(r, resp, 422, errors);
		else
			catalog_edit(r, resp, 422, op->id, errors);
	}
	return rv;
}

static void
catalog_save(struct request *r, struct response *resp, int64_t id)
{
	struct catalog_form_op	 op;
	struct json_object	*errors = json_object_new_object();
	const char		*key;

	if (idem_form_key(r, resp, &key) == -1) {
		json_object_put(errors);
		return;
	}
	memset(&op, 0, sizeof(op));
	op.wh = is_warehouses(r);
	op.id = id;
	if (op.wh) {
		op.w.id = id;
		op.w.code = h_field(r, "code");
		op.w.name = h_field(r, "name");
		op.w.active = id == 0 || strcmp(h_field(r, "active"), "1") == 0;
	} else {
		op.s.id = id;
		op.s.name = h_field(r, "name");
		op.s.email = h_field(r, "email");
		op.s.active = id == 0 || strcmp(h_field(r, "active"), "1") == 0;
		(void)h_field_int(r, "lead_time_days", 0, 365, 7, 0,
		    &op.s.lead_time_days, errors);
	}
	if (json_object_object_length(errors) > 0) {
		if (id == 0)
			catalog_list(r, resp, 422, errors);
		else
			catalog_edit(r, resp, 422, id, errors);
		return;
	}
	json_object_put(errors);
	idem_run(r, resp, key, catalog_form_op, NULL, &op);
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
		return;
	catalog_save(r, resp, id);
}

/* Active warehouses for a <select>, the chosen one marked. */
struct json_object *
h_warehouse_options(struct request *r, int64_t chosen, int64_t *first)
{
	struct json_object	*a = json_object_new_array(), *o;
	struct db_rows		 rows;
	int64_t			 id;
	size_t			 i;

	*first = 0;
	if (warehouses_list(r->arena, 0, 1000, &rows) != DB_OK)
		return a;
	for (i = 0; i < rows.nrows; i++) {
		if (strcmp(DB_CELL(&rows, i, 3), "1") != 0 ||
		    str_to_i64(DB_CELL(&rows, i, 0), 1, INT64_MAX, &id) == -1)
			continue;
		if (*first == 0)
			*first = id;
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "code", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "name", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "selected", json_object_new_boolean(
		    id == chosen));
		json_object_array_add(a, o);
	}
	return a;
}
