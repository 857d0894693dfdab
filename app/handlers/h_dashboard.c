/*
 * h_dashboard.c -- the dashboard at "/": counts and the short lists a
 * signed-in user starts from.
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

void
h_dashboard(struct request *r, struct response *resp)
{
	struct json_object	*ctx, *low, *moves, *open, *o;
	struct db_rows		 rows;
	struct order_list	 ol;
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
	if ((st = orders_list(r->arena, "confirmed", 0, 10, &ol)) != DB_OK)
		goto fail;
	for (i = 0; i < ol.n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(
		    ol.v[i].id));
		json_object_object_add(o, "customer", json_object_new_string(
		    ol.v[i].party));
		json_object_object_add(o, "created_at", json_object_new_string(
		    ol.v[i].created_at));
		json_object_object_add(o, "lines", json_object_new_int64(
		    ol.v[i].nlines));
		json_object_array_add(open, o);
	}
	response_html(resp, r, 200, "dashboard", json_own(resp->arena, ctx));
	return;
fail:
	json_object_put(ctx);
	response_db_error(resp, r, st);
}
