/*
 * h_stock.c -- stock levels and the movements ledger: GET /api/v1/stock,
 * GET and POST /api/v1/movements, and the pages /stock and /movements.
 */
#include <inttypes.h>
#include <stdio.h>
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
#include "stock.h"
#include "str.h"

static int64_t
cell(struct db_rows *r, size_t i, size_t c)
{
	int64_t	v = 0;

	if (DB_CELL(r, i, c) != NULL)
		(void)str_to_i64(DB_CELL(r, i, c), INT64_MIN, INT64_MAX, &v);
	return v;
}

static int
query_id(struct request *r, struct response *resp, const char *name,
    int64_t *out)
{
	const char	*v = request_query(r, name);

	*out = 0;
	if (v == NULL || v[0] == '\0')
		return 0;
	if (str_to_i64(v, 1, INT64_MAX, out) == -1) {
		response_error(resp, r, 400, arena_printf(r->arena,
		    "%s must be a positive id.", name));
		return -1;
	}
	return 0;
}

static struct json_object *
stock_json(struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "product_id", h_jint(DB_CELL(rows, i, 0)));
	json_object_object_add(o, "sku", json_object_new_string(
	    DB_CELL(rows, i, 1)));
	json_object_object_add(o, "warehouse_id", h_jint(DB_CELL(rows, i, 3)));
	json_object_object_add(o, "on_hand", h_jint(DB_CELL(rows, i, 5)));
	json_object_object_add(o, "reserved", h_jint(DB_CELL(rows, i, 6)));
	json_object_object_add(o, "available", json_object_new_int64(
	    cell(rows, i, 5) - cell(rows, i, 6)));
	return o;
}

void
h_api_stock(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items, *o;
	const char		*c = request_query(r, "cursor");
	int64_t			 pid, wid, limit, ap = 0, aw = 0;
	size_t			 i;
	int			 st;

	if (query_id(r, resp, "product_id", &pid) == -1 ||
	    query_id(r, resp, "warehouse_id", &wid) == -1)
		return;
	limit = 50;
	if (request_query(r, "limit") != NULL && str_to_i64(request_query(r,
	    "limit"), 1, BR_MAX_PAGE_SIZE, &limit) == -1) {
		response_error(resp, r, 400, "limit must be a number from 1 to "
		    "200.");
		return;
	}
	/* The cursor is "product.warehouse" of the last row. */
	if (c != NULL && c[0] != '\0' && (sscanf(c, "%" SCNd64 ".%" SCNd64,
	    &ap, &aw) != 2 || ap < 0 || aw < 0)) {
		response_error(resp, r, 400, "cursor is not valid.");
		return;
	}
	if ((st = stock_list(r->arena, pid, wid, ap, aw, limit + 1, &rows))
	    != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++)
		json_object_array_add(items, stock_json(&rows, i));
	o = json_object_new_object();
	json_object_object_add(o, "items", items);
	json_object_object_add(o, "next_cursor", rows.nrows > (size_t)limit ?
	    json_object_new_string(arena_printf(r->arena, "%" PRId64 ".%"
	    PRId64, cell(&rows, (size_t)limit - 1, 0), cell(&rows,
	    (size_t)limit - 1, 3))) : NULL);
	response_json(resp, 200, json_own(resp->arena, o));
}

static struct json_object *
movement_json(struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", h_jint(DB_CELL(rows, i, 0)));
	json_object_object_add(o, "product_id", h_jint(DB_CELL(rows, i, 1)));
	json_object_object_add(o, "sku", json_object_new_string(
	    DB_CELL(rows, i, 2)));
	json_object_object_add(o, "warehouse_id", h_jint(DB_CELL(rows, i, 3)));
	json_object_object_add(o, "kind", json_object_new_string(
	    DB_CELL(rows, i, 5)));
	json_object_object_add(o, "qty_delta", h_jint(DB_CELL(rows, i, 6)));
	json_object_object_add(o, "balance_after", h_jint(DB_CELL(rows, i,
	    7)));
	json_object_object_add(o, "reference", json_object_new_string(
	    DB_CELL(rows, i, 8)));
	json_object_object_add(o, "note", json_object_new_string(
	    DB_CELL(rows, i, 9)));
	json_object_object_add(o, "user_id", h_jint(DB_CELL(rows, i, 10)));
	json_object_object_add(o, "created_at", json_object_new_string(
	    DB_CELL(rows, i, 12)));
	return o;
}

void
h_api_movements(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items;
	const char		*kind = request_query(r, "kind");
	int64_t			 pid, wid, limit, cursor;
	size_t			 i;
	int			 st;

	if (query_id(r, resp, "product_id", &pid) == -1 ||
	    query_id(r, resp, "warehouse_id", &wid) == -1 ||
	    h_list_params(r, resp, &limit, &cursor) == -1)
		return;
	if (kind != NULL && kind[0] != '\0' && !stock_ledger_kind_valid(kind)) {
		response_error(resp, r, 400, "kind must be receipt, shipment, "
		    "adjustment, transfer_out or transfer_in.");
		return;
	}
	if ((st = stock_movements(r->arena, pid, wid, kind, cursor, limit + 1,
	    &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++)
		json_object_array_add(items, movement_json(&rows, i));
	h_list_json(resp, json_own(resp->arena, items), rows.nrows > (size_t)limit ?
	    cell(&rows, (size_t)limit - 1, 0) : 0);
}

/* The movement a request asks for, shared by the API and the form. */
struct move_op {
	struct move_req		 m;
	struct dom_error	 err;
	int			 html;
	const char		*back;		/* the page to return to */
};

static int
move_op_api(struct request *r, struct response *resp, void *arg)
{
	struct move_op		*op = arg;
	struct audit_ctx	 ctx;
	struct move_result	 res;
	struct db_rows		 rows;
	struct json_object	*o, *list;
	int			 i, rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((rv = stock_move(&ctx, &op->m, &res, &op->err)) != DB_OK) {
		if (rv > 0)
			h_dom_problem(r, resp, rv, &op->err, NULL);
		return rv;
	}
	list = json_object_new_array();
	for (i = 0; i < res.n; i++) {
		if ((rv = stock_movement_get(r->arena, res.ids[i], &rows)) !=
		    DB_OK) {
			json_object_put(list);
			return rv;
		}
		if (rows.nrows == 1)
			json_object_array_add(list, movement_json(&rows, 0));
	}
	o = json_object_new_object();
	json_object_object_add(o, "movements", list);
	response_json(resp, 201, json_own(resp->arena, o));
	return DB_OK;
}

void
h_api_movement_create(struct request *r, struct response *resp)
{
	struct move_op		 op;
	struct json_object	*errors;
	const char		*kind, *key;
	int			 k;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	errors = json_object_new_object();
	(void)h_json_str(r->json, "kind", 1, NULL, &kind, errors);
	k = stock_kind_from_name(kind);
	if (kind != NULL && k < 0)
		json_object_object_add(errors, "kind", json_object_new_string(
		    "Choose receipt, shipment, adjustment or transfer."));
	op.m.kind = (enum move_kind)(k < 0 ? 0 : k);
	(void)h_json_int(r->json, "product_id", 1, INT64_MAX, 0, 1,
	    &op.m.product_id, errors);
	(void)h_json_int(r->json, "warehouse_id", 1, INT64_MAX, 0, 1,
	    &op.m.warehouse_id, errors);
	(void)h_json_int(r->json, "to_warehouse_id", 1, INT64_MAX, 0,
	    k == MOVE_TRANSFER, &op.m.to_warehouse_id, errors);
	(void)h_json_int(r->json, "qty", -BR_MAX_QTY, BR_MAX_QTY, 0, 1,
	    &op.m.qty, errors);
	(void)h_json_str(r->json, "reference", 0, NULL, &op.m.reference,
	    errors);
	(void)h_json_str(r->json, "note", 0, NULL, &op.m.note, errors);
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, move_op_api, NULL, &op);
}
