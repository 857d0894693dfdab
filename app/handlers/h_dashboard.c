/*
 * h_dashboard.c -- the dashboard at "/": counts and the short lists a
 * signed-in user starts from, one card each.
 */
#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "orders.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "stock.h"
#include "tmpl.h"

/* The low-stock card: how many suggestions, and the first ten. */
static int
dashboard_low(struct request *r, struct tval *ctx)
{
	struct suggestion_list	 l;
	struct tval		*low = tv_arr(r->arena);
	int64_t			 n;
	size_t			 i;
	int			 st;

	tv_set_tv(ctx, "low", low);
	if ((n = reorder_count(r->arena)) < 0)
		return (int)n;
	tv_set_i64(ctx, "low_count", n);
	if ((st = reorder_suggestions(r->arena, 0, 10, &l)) != DB_OK)
		return st;
	for (i = 0; i < l.n; i++)
		tv_push(low, h_suggestion_tv(r->arena, &l.v[i]));
	return DB_OK;
}

/* The last ten ledger rows. */
static int
dashboard_moves(struct request *r, struct tval *ctx)
{
	struct movement_list	l;
	int			st;

	if ((st = stock_movements(r->arena, 0, 0, NULL, 0, 10, &l)) != DB_OK)
		return st;
	tv_set_tv(ctx, "movements", h_movement_rows(r->arena, &l, l.n));
	return DB_OK;
}

/* Confirmed orders to ship, as orders_list() gives them. */
static int
dashboard_open(struct request *r, struct tval *ctx)
{
	struct tval		*open = tv_arr(r->arena), *o;
	struct order_list	 l;
	size_t			 i;
	int			 st;

	tv_set_tv(ctx, "open", open);
	if ((st = orders_list(r->arena, "confirmed", 0, 10, &l)) != DB_OK)
		return st;
	for (i = 0; i < l.n; i++) {
		o = tv_obj(r->arena);
		tv_set_i64(o, "id", l.v[i].id);
		tv_set_str(o, "customer", l.v[i].party);
		tv_set_str(o, "created_at", l.v[i].created_at);
		tv_set_i64(o, "lines", l.v[i].nlines);
		tv_push(open, o);
	}
	return DB_OK;
}

void
h_dashboard(struct request *r, struct response *resp)
{
	struct tval	*ctx;
	int		 st = DB_ERROR;

	if ((ctx = tv_obj(r->arena)) == NULL ||
	    (st = dashboard_low(r, ctx)) != DB_OK ||
	    (st = dashboard_moves(r, ctx)) != DB_OK ||
	    (st = dashboard_open(r, ctx)) != DB_OK)
		goto out;
	tv_set_str(ctx, "title", "Dashboard");
	response_html(resp, r, 200, "dashboard", ctx);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}
