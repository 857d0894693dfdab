/*
 * h_dashboard.c -- the dashboard at "/": counts and the short lists a
 * signed-in user starts from, one card each.
 */
#include <json-c/json.h>

#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "json.h"
#include "orders.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "stock.h"

/* The low-stock card: how many suggestions, and the first ten. */
static int
dashboard_low(struct request *r, struct json_object *ctx)
{
	struct suggestion_list	 l;
	struct json_object	*low = json_object_new_array();
	int64_t			 n;
	size_t			 i;
	int			 st;

	json_object_object_add(ctx, "low", low);
	if ((n = reorder_count(r->arena)) < 0)
		return (int)n;
	json_add_i64(ctx, "low_count", n);
	if ((st = reorder_suggestions(r->arena, 0, 10, &l)) != DB_OK)
		return st;
	for (i = 0; i < l.n; i++)
		json_object_array_add(low, h_suggestion_json(&l.v[i]));
	return DB_OK;
}

/* The last ten ledger rows. */
static int
dashboard_moves(struct request *r, struct json_object *ctx)
{
	struct movement_list	l;
	int			st;

	if ((st = stock_movements(r->arena, 0, 0, NULL, 0, 10, &l)) != DB_OK)
		return st;
	json_object_object_add(ctx, "movements", h_movement_rows(&l, l.n));
	return DB_OK;
}

/* Confirmed orders to ship, as orders_list() gives them. */
static int
dashboard_open(struct request *r, struct json_object *ctx)
{
	struct json_object	*open = json_object_new_array(), *o;
	struct order_list	 l;
	size_t			 i;
	int			 st;

	json_object_object_add(ctx, "open", open);
	if ((st = orders_list(r->arena, "confirmed", 0, 10, &l)) != DB_OK)
		return st;
	for (i = 0; i < l.n; i++) {
		o = json_object_new_object();
		json_add_i64(o, "id", l.v[i].id);
		json_add_str(o, "customer", l.v[i].party);
		json_add_str(o, "created_at", l.v[i].created_at);
		json_add_i64(o, "lines", l.v[i].nlines);
		json_object_array_add(open, o);
	}
	return DB_OK;
}

void
h_dashboard(struct request *r, struct response *resp)
{
	struct json_object	*ctx;
	int			 st = DB_ERROR;

	if ((ctx = json_own(r->arena, json_object_new_object())) == NULL ||
	    (st = dashboard_low(r, ctx)) != DB_OK ||
	    (st = dashboard_moves(r, ctx)) != DB_OK ||
	    (st = dashboard_open(r, ctx)) != DB_OK)
		goto out;
	json_add_str(ctx, "title", "Dashboard");
	response_html(resp, r, 200, "dashboard", ctx);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}
