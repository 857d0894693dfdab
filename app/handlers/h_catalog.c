/*
 * h_catalog.c -- /api/v1/suppliers and /api/v1/warehouses (list, get,
 * create, edit).  The pages are in h_catalog_html.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "db.h"
#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "str.h"

static struct json_object *
supplier_json(const struct supplier *s)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(s->id));
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "email", json_object_new_string(s->email));
	json_object_object_add(o, "lead_time_days",
	    json_object_new_int64(s->lead_time_days));
	json_object_object_add(o, "active", json_object_new_boolean(s->active));
	return o;
}

static struct json_object *
warehouse_json(const struct warehouse *w)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(w->id));
	json_object_object_add(o, "code", json_object_new_string(w->code));
	json_object_object_add(o, "name", json_object_new_string(w->name));
	json_object_object_add(o, "active", json_object_new_boolean(w->active));
	return o;
}

void
h_api_suppliers(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items, *o;
	int64_t			 limit, cursor, last = 0;
	size_t			 i;
	int			 st;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;
	if ((st = suppliers_list(r->arena, cursor, limit + 1, &rows)) !=
	    DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "name", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "email", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "lead_time_days",
		    h_jint(DB_CELL(&rows, i, 3)));
		json_object_object_add(o, "active", json_object_new_boolean(
		    strcmp(DB_CELL(&rows, i, 4), "0") != 0));
		json_object_object_add(o, "products",
		    h_jint(DB_CELL(&rows, i, 5)));
		json_object_array_add(items, o);
	}
	if (rows.nrows > (size_t)limit)
		(void)str_to_i64(DB_CELL(&rows, (size_t)limit - 1, 0), 0,
		    INT64_MAX, &last);
	h_list_json(resp, json_own(resp->arena, items), last);
}

void
h_api_warehouses(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items, *o;
	int64_t			 limit, cursor, last = 0;
	size_t			 i;
	int			 st;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;
	if ((st = warehouses_list(r->arena, cursor, limit + 1, &rows)) !=
	    DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "code", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "name", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "active", json_object_new_boolean(
		    strcmp(DB_CELL(&rows, i, 3), "0") != 0));
		json_object_object_add(o, "stock_rows",
		    h_jint(DB_CELL(&rows, i, 4)));
		json_object_object_add(o, "units_on_hand",
		    h_jint(DB_CELL(&rows, i, 5)));
		json_object_array_add(items, o);
	}
	if (rows.nrows > (size_t)limit)
		(void)str_to_i64(DB_CELL(&rows, (size_t)limit - 1, 0), 0,
		    INT64_MAX, &last);
	h_list_json(resp, json_own(resp->arena, items), last);
}

void
h_api_supplier(struct request *r, struct response *resp)
{
	struct supplier	s;
	int64_t		id;
	int		st;

	if ((id = h_id_param(r, resp, "No such supplier.")) < 0)
		return;
	if ((st = suppliers_get(r->arena, id, &s)) == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such supplier.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_json(resp, 200, json_own(resp->arena, supplier_json(&s)));
}

void
h_api_warehouse(struct request *r, struct response *resp)
{
	struct warehouse	w;
	int64_t			id;
	int			st;

	if ((id = h_id_param(r, resp, "No such warehouse.")) < 0)
		return;
	if ((st = warehouses_get(r->arena, id, &w)) == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such warehouse.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_json(resp, 200, json_own(resp->arena, warehouse_json(&w)));
}

struct catalog_op {
	int			 warehouse;
	struct supplier		 s;
	struct warehouse	 w;
	struct dom_error	 err;
};

static int
catalog_op_api(struct request *r, struct response *resp, void *arg)
{
	struct catalog_op	*op = arg;
	struct audit_ctx	 ctx;
	struct supplier		 s;
	struct warehouse	 w;
	int64_t			 id;
	int			 rv, create;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	create = op->warehouse ? op->w.id == 0 : op->s.id == 0;
	rv = op->warehouse ? warehouses_save(&ctx, &op->w, &id, &op->err) :
	    suppliers_save(&ctx, &op->s, &id, &op->err);
	if (rv > 0)
		h_dom_problem(r, resp, rv, &op->err, NULL);
	if (rv != DB_OK)
		return rv;
	rv = op->warehouse ? warehouses_get(r->arena, id, &w) :
	    suppliers_get(r->arena, id, &s);
	if (rv != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (create)
		response_header(resp, "Location", arena_printf(r->arena,
		    op->warehouse ? "/api/v1/warehouses/%" PRId64 :
		    "/api/v1/suppliers/%" PRId64, id));
	response_json(resp, create ? 201 : 200, json_own(resp->arena, op->warehouse ?
	    warehouse_json(&w) : supplier_json(&s)));
	return DB_OK;
}

static void
catalog_save_api(struct request *r, struct response *resp, int warehouse,
    int update)
{
	struct catalog_op	 op;
	struct json_object	*errors;
	const char		*key;
	int64_t			 id = 0;

	if (update && (id = h_id_param(r, resp, warehouse ?
	    "No such warehouse." : "No such supplier.")) < 0)
		return;
	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	op.warehouse = warehouse;
	errors = json_object_new_object();
	if (warehouse) {
		op.w.id = id;
		(void)h_json_str(r->json, "code", 1, NULL, &op.w.code, errors);
		(void)h_json_str(r->json, "name", 1, NULL, &op.w.name, errors);
		(void)h_json_bool(r->json, "active", 1, update, &op.w.active,
		    errors);
	} else {
		op.s.id = id;
		(void)h_json_str(r->json, "name", 1, NULL, &op.s.name, errors);
		(void)h_json_str(r->json, "email", update, "", &op.s.email,
		    errors);
		(void)h_json_int(r->json, "lead_time_days", 0, 365, 7, update,
		    &op.s.lead_time_days, errors);
		(void)h_json_bool(r->json, "active", 1, update, &op.s.active,
		    errors);
	}
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, catalog_op_api, NULL, &op);
}

void
h_api_supplier_create(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 0, 0);
}

void
h_api_supplier_update(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 0, 1);
}

void
h_api_warehouse_create(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 1, 0);
}

void
h_api_warehouse_update(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 1, 1);
}
