/*
 * h_catalog_html.c -- the pages of suppliers and warehouses (list, create,
 * edit), the reorder page (suggestions turned into draft purchase orders)
 * and the dashboard at "/".
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
	response_html(resp, r, status, "catalog", ctx);
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
	response_html(resp, r, status, "catalog_edit", ctx);
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

/* --- reorder -------------------------------------------------------------- */

#define REORDER_PAGE	200

static void
reorder_page(struct request *r, struct response *resp, int status,
    const char *message)
{
	struct json_object	*ctx, *list, *o;
	struct db_rows		 rows;
	const char		*pg = request_query(r, "page");
	int64_t			 page = 1;
	size_t			 i;
	int			 st;

	if (pg != NULL && pg[0] != '\0' && str_to_i64(pg, 1, 1000000, &page)
	    == -1)
		page = 1;
	if ((st = reorder_suggestions(r->arena, (page - 1) * REORDER_PAGE,
	    REORDER_PAGE + 1, &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows && i < REORDER_PAGE; i++) {
		o = h_suggestion_json(&rows, i);
		json_object_object_add(o, "pick", json_object_new_string(
		    arena_printf(r->arena, "%s:%s", DB_CELL(&rows, i, 0),
		    DB_CELL(&rows, i, 3))));
		json_object_array_add(list, o);
	}
	json_object_object_add(ctx, "title", json_object_new_string(
	    "Reorder"));
	json_object_object_add(ctx, "suggestions", list);
	json_object_object_add(ctx, "page", json_object_new_int64(page));
	if (page > 1)
		json_object_object_add(ctx, "prev",
		    json_object_new_int64(page - 1));
	if (rows.nrows > REORDER_PAGE)
		json_object_object_add(ctx, "next",
		    json_object_new_int64(page + 1));
	if (message != NULL)
		json_object_object_add(ctx, "message",
		    json_object_new_string(message));
	response_html(resp, r, status, "reorder", ctx);
}

void
h_reorder_page(struct request *r, struct response *resp)
{
	reorder_page(r, resp, 200, NULL);
}

struct reorder_form_op {
	struct reorder_pick	*picks;
	size_t			 n;
	struct dom_error	 err;
};

static int
reorder_form_op(struct request *r, struct response *resp, void *arg)
{
	struct reorder_form_op	*op = arg;
	struct audit_ctx	 ctx;
	int64_t			*ids;
	size_t			 n;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((ids = arena_calloc(r->arena, op->n, sizeof(*ids))) == NULL)
		return DB_ERROR;
	rv = reorder_create_pos(&ctx, op->picks, op->n, ids, &n, &op->err);
	if (rv == DB_OK)
		h_redirect_flash(resp, "/purchase-orders?status=draft",
		    "reorder_created");
	return rv;
}

static void
reorder_form_refuse(struct request *r, struct response *resp, void *arg,
    int rv)
{
	struct reorder_form_op	*op = arg;

	(void)rv;
	reorder_page(r, resp, 422, op->err.message);
}

void
h_reorder_form(struct request *r, struct response *resp)
{
	struct reorder_form_op	 op;
	const char		*key;
	size_t			 i;

	if (idem_form_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	op.picks = arena_calloc(r->arena, r->form.nfields + 1,
	    sizeof(*op.picks));
	for (i = 0; op.picks != NULL && i < r->form.nfields; i++) {
		if (strcmp(r->form.fields[i].name, "pick") != 0)
			continue;
		if (sscanf(r->form.fields[i].value, "%" SCNd64 ":%" SCNd64,
		    &op.picks[op.n].product_id, &op.picks[op.n].warehouse_id)
		    != 2) {
			reorder_page(r, resp, 422, "A picked suggestion is not "
			    "valid; reload the page.");
			return;
		}
		op.n++;
	}
	if (op.n == 0) {
		reorder_page(r, resp, 422, "Pick at least one suggestion.");
		return;
	}
	idem_run(r, resp, key, reorder_form_op, reorder_form_refuse, &op);
}

/* --- dashboard ------------------------------------------------------------ */

void
h_dashboard(struct request *r, struct response *resp)
{
	struct json_object	*ctx, *low, *moves, *open, *o;
	struct db_rows		 rows;
	int64_t			 n;
	size_t			 i;
	int			 st;

	ctx = json_object_new_object();
	low = json_object_new_array();
	moves = json_object_new_array();
	open = json_object_new_array();
	json_object_object_add(ctx, "title", json_object_new_string(
	    "Dashboard"));
	json_object_object_add(ctx, "low", low);
	json_object_object_add(ctx, "movements", moves);
	json_object_object_add(ctx, "open", open);
	if ((n = reorder_count(r->arena)) < 0) {
		st = (int)n;
		goto fail;
	}
	json_object_object_add(ctx, "low_count", json_object_new_int64(n));
	if ((st = reorder_suggestions(r->arena, 0, 10, &rows)) != DB_OK)
		goto fail;
	for (i = 0; i < rows.nrows; i++)
		json_object_array_add(low, h_suggestion_json(&rows, i));
	if ((st = stock_movements(r->arena, 0, 0, NULL, 0, 10, &rows)) !=
	    DB_OK)
		goto fail;
	for (i = 0; i < rows.nrows; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "product_id", h_jint(DB_CELL(&rows,
		    i, 1)));
		json_object_object_add(o, "sku", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "warehouse", json_object_new_string(
		    DB_CELL(&rows, i, 4)));
		json_object_object_add(o, "kind", json_object_new_string(
		    DB_CELL(&rows, i, 5)));
		json_object_object_add(o, "qty_delta", h_jint(DB_CELL(&rows, i,
		    6)));
		json_object_object_add(o, "at", json_object_new_string(
		    DB_CELL(&rows, i, 12)));
		json_object_array_add(moves, o);
	}
	if ((st = orders_list(r->arena, "confirmed", 0, 10, &rows)) != DB_OK)
		goto fail;
	for (i = 0; i < rows.nrows; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "customer", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "created_at", json_object_new_string(
		    DB_CELL(&rows, i, 5)));
		json_object_object_add(o, "lines", h_jint(DB_CELL(&rows, i,
		    6)));
		json_object_array_add(open, o);
	}
	response_html(resp, r, 200, "dashboard", ctx);
	return;
fail:
	json_object_put(ctx);
	response_db_error(resp, r, st);
}
