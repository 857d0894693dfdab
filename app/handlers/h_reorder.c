/*
 * h_reorder.c -- GET /api/v1/reorder-suggestions and POST
 * /api/v1/reorder-suggestions/purchase-orders.  The page is in
 * h_reorder_html.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "db.h"
#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "log.h"
#include "middleware.h"
#include "purchasing.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "str.h"

struct json_object *
h_suggestion_json(struct db_rows *rows, size_t i)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "product_id", h_jint(DB_CELL(rows, i, 0)));
	json_object_object_add(o, "sku", json_object_new_string(
	    DB_CELL(rows, i, 1)));
	json_object_object_add(o, "name", json_object_new_string(
	    DB_CELL(rows, i, 2)));
	json_object_object_add(o, "warehouse_id", h_jint(DB_CELL(rows, i, 3)));
	json_object_object_add(o, "warehouse_code", json_object_new_string(
	    DB_CELL(rows, i, 4)));
	json_object_object_add(o, "supplier_id", h_jint(DB_CELL(rows, i, 5)));
	json_object_object_add(o, "supplier", DB_CELL(rows, i, 6) != NULL ?
	    json_object_new_string(DB_CELL(rows, i, 6)) : NULL);
	json_object_object_add(o, "on_hand", h_jint(DB_CELL(rows, i, 7)));
	json_object_object_add(o, "reserved", h_jint(DB_CELL(rows, i, 8)));
	json_object_object_add(o, "on_order", h_jint(DB_CELL(rows, i, 9)));
	json_object_object_add(o, "available", h_jint(DB_CELL(rows, i, 10)));
	json_object_object_add(o, "reorder_point",
	    h_jint(DB_CELL(rows, i, 11)));
	json_object_object_add(o, "reorder_qty", h_jint(DB_CELL(rows, i, 12)));
	json_object_object_add(o, "cost_cents", h_jint(DB_CELL(rows, i, 13)));
	return o;
}

void
h_api_reorder(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items;
	int64_t			 limit, from;
	size_t			 i;
	int			 st;

	/* The cursor is the position in the (supplier, warehouse, sku)
	 * order; suggestions are computed afresh on every call. */
	if (h_list_params(r, resp, &limit, &from) == -1)
		return;
	if ((st = reorder_suggestions(r->arena, from, limit + 1, &rows)) !=
	    DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++)
		json_object_array_add(items, h_suggestion_json(&rows, i));
	h_list_json(resp, json_own(resp->arena, items), rows.nrows > (size_t)limit ? from + limit : 0);
}

struct reorder_op {
	struct reorder_pick	*picks;
	size_t			 n;
	struct dom_error	 err;
};

static int
reorder_op_api(struct request *r, struct response *resp, void *arg)
{
	struct reorder_op	*op = arg;
	struct audit_ctx	 ctx;
	struct json_object	*o, *list, *x;
	struct order		 po;
	int64_t			*ids;
	size_t			 n, i;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((ids = arena_calloc(r->arena, op->n, sizeof(*ids))) == NULL)
		return DB_ERROR;
	if ((rv = reorder_create_pos(&ctx, op->picks, op->n, ids, &n,
	    &op->err)) != DB_OK) {
		if (rv > 0)
			h_dom_problem(r, resp, rv, &op->err, NULL);
		return rv;
	}
	list = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((rv = po_get(r->arena, ids[i], &po)) != DB_OK) {
			json_object_put(list);
			return rv < 0 ? rv : DB_ERROR;
		}
		x = json_object_new_object();
		json_object_object_add(x, "id", json_object_new_int64(ids[i]));
		json_object_object_add(x, "supplier_id", h_jint(po.party));
		json_object_object_add(x, "warehouse_id",
		    json_object_new_int64(po.warehouse_id));
		json_object_object_add(x, "lines",
		    json_object_new_int64((int64_t)po.nlines));
		json_object_array_add(list, x);
	}
	o = json_object_new_object();
	json_object_object_add(o, "purchase_orders", list);
	response_json(resp, 201, json_own(resp->arena, o));
	return DB_OK;
}

void
h_api_reorder_create(struct request *r, struct response *resp)
{
	struct reorder_op	 op;
	struct json_object	*arr, *e, *errors;
	const char		*key;
	char			 k[48];
	size_t			 i;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	errors = json_object_new_object();
	if (!json_object_object_get_ex(r->json, "items", &arr) ||
	    !json_object_is_type(arr, json_type_array) ||
	    (op.n = json_object_array_length(arr)) == 0 ||
	    op.n > BR_MAX_REORDER_ITEMS) {
		json_object_object_add(errors, "items", json_object_new_string(
		    "Give 1 to 500 items as an array."));
		op.n = 0;
	} else if ((op.picks = arena_calloc(r->arena, op.n,
	    sizeof(*op.picks))) == NULL) {
		json_object_put(errors);
		response_error(resp, r, 413, "Too many items.");
		return;
	}
	for (i = 0; i < op.n; i++) {
		e = json_object_array_get_idx(arr, i);
		snprintf(k, sizeof(k), "items[%zu]", i);
		if (!json_object_is_type(e, json_type_object) ||
		    h_json_int(e, "product_id", 1, INT64_MAX, 0, 1,
		    &op.picks[i].product_id, NULL) == -1 ||
		    h_json_int(e, "warehouse_id", 1, INT64_MAX, 0, 1,
		    &op.picks[i].warehouse_id, NULL) == -1)
			json_object_object_add(errors, k, json_object_new_string(
			    "Give product_id and warehouse_id."));
	}
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, reorder_op_api, NULL, &op);
}
