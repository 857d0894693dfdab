/*
 * orders.c -- sales orders.  See orders.h and domain.h.
 *
 * Every transition first moves the order row with a guarded UPDATE
 * (status = 'draft' AND id = ?), which both locks the order and proves the
 * state; then the stock rows follow in product order.  Confirming checks
 * every line and reports all the short ones; the caller rolls back.  The
 * line handling shared with purchase orders is in order_doc.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "db.h"
#include "domain.h"
#include "json.h"
#include "orders.h"
#include "stock.h"

static const char SQL_WAREHOUSE_ACTIVE[] =
    "SELECT id FROM warehouses WHERE id = ? AND active = 1";
static const char SQL_PRODUCT_PRICE[] =
    "SELECT price_cents, active FROM products WHERE id = ?";
static const char SQL_ORDER_INSERT[] =
    "INSERT INTO sales_orders (customer, warehouse_id, note, created_by) "
    "VALUES (?, ?, ?, ?)";
static const char SQL_LINE_INSERT[] =
    "INSERT INTO sales_order_lines (order_id, line_no, product_id, qty, "
    "price_cents) VALUES (?, ?, ?, ?, ?)";
static const char SQL_ORDER_MOVE[] =
    "UPDATE sales_orders SET status = ?, updated_at = NOW(6) "
    "WHERE id = ? AND (status = ? OR status = ?)";
static const char SQL_ORDER_STATUS[] =
    "SELECT status FROM sales_orders WHERE id = ?";
static const char SQL_ORDER_GET[] =
    "SELECT id, customer, 0, warehouse_id, status, note, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM sales_orders WHERE id = ?";
static const char SQL_LINES_GET[] =
    "SELECT l.line_no, l.product_id, l.qty, l.price_cents, 0, p.sku, "
    "p.name "
    "FROM sales_order_lines l JOIN products p ON p.id = l.product_id "
    "WHERE l.order_id = ? ORDER BY l.line_no";
static const char SQL_ORDERS_LIST[] =
    "SELECT o.id, o.customer, 0, o.warehouse_id, o.status, o.note, "
    "DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "(SELECT COUNT(*) FROM sales_order_lines l WHERE l.order_id = o.id), "
    "(SELECT COALESCE(SUM(l.qty * l.price_cents), 0) FROM sales_order_lines l "
    "WHERE l.order_id = o.id), 0, 0 FROM sales_orders o "
    "WHERE (? = '' OR o.status = ?) AND o.id < ? ORDER BY o.id DESC LIMIT ?";

static const char *const statuses[] = { "draft", "confirmed", "shipped",
    "cancelled" };

static const struct order_kind sales = {
	.noun = "order",
	.lines_msg = "An order has 1 to 100 lines.",
	.given_cost = 0,
	.say_target = 1,
	.statuses = statuses,
	.nstatuses = sizeof(statuses) / sizeof(statuses[0]),
	.sql_product = SQL_PRODUCT_PRICE,
	.sql_line_insert = SQL_LINE_INSERT,
	.sql_move = SQL_ORDER_MOVE,
	.sql_status = SQL_ORDER_STATUS,
	.sql_get = SQL_ORDER_GET,
	.sql_lines = SQL_LINES_GET,
	.sql_list = SQL_ORDERS_LIST
};

int
orders_status_valid(const char *s)
{
	return order_doc_status_valid(&sales, s);
}

static int
created_audit(const struct audit_ctx *ctx, int64_t id, const char *customer,
    int64_t warehouse_id, size_t n, int64_t total)
{
	struct json_object	*d = json_object_new_object();

	json_add_str(d, "customer", customer);
	json_add_i64(d, "warehouse_id", warehouse_id);
	json_add_i64(d, "lines", (int64_t)n);
	json_add_i64(d, "total_cents", total);
	return audit_write(ctx, "order.created", "sales_order",
	    order_doc_id(ctx, id), d);
}

int
orders_create(const struct audit_ctx *ctx, const char *customer,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	struct db_rows	rows;
	int64_t		id, total;
	int		rv;

	if (!dom_text_ok(customer, 1, 200, 0))
		return dom_fail(err, DOM_INVALID, "customer",
		    "Enter the customer (1 to 200 characters).");
	if (!dom_text_ok(note, 0, 255, 0))
		return dom_fail(err, DOM_INVALID, "note",
		    "Use at most 255 characters.");
	if ((rv = order_doc_check_lines(ctx, &sales, lines, n, err)) != DB_OK)
		return rv;
	if ((rv = db_query(ctx->arena, &rows, SQL_WAREHOUSE_ACTIVE, "i",
	    warehouse_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return dom_fail(err, DOM_INVALID, "warehouse_id",
		    "No such active warehouse.");
	if ((rv = (int)db_exec(SQL_ORDER_INSERT, "sisi", customer,
	    warehouse_id, note != NULL ? note : "", ctx->actor_id)) < 0)
		return rv;
	id = db_last_insert_id();
	if ((rv = order_doc_insert_lines(ctx, &sales, id, lines, n, &total,
	    err)) != DB_OK)
		return rv;
	if ((rv = created_audit(ctx, id, customer, warehouse_id, n, total))
	    != DB_OK)
		return rv;
	*id_out = id;
	return DB_OK;
}

/* Moves the order from `from` to `to`, or explains why not. */
static int
order_move(const struct audit_ctx *ctx, int64_t id, const char *from,
    const char *to, struct dom_error *err)
{
	return order_doc_move(ctx, &sales, id, from, from, to, err);
}

static int
order_audit(const struct audit_ctx *ctx, int64_t id, const char *action,
    const struct order *o)
{
	struct json_object	*d = json_object_new_object();

	json_add_i64(d, "warehouse_id", o->warehouse_id);
	json_add_i64(d, "lines", (int64_t)o->nlines);
	return audit_write(ctx, action, "sales_order", order_doc_id(ctx, id),
	    d);
}

/* Moves the order and reads it back with its lines in stock order. */
static int
order_move_get(const struct audit_ctx *ctx, int64_t id, const char *from,
    const char *to, struct order *o, struct dom_error *err)
{
	int	rv;

	if ((rv = order_move(ctx, id, from, to, err)) != DB_OK)
		return rv;
	if ((rv = orders_get(ctx->arena, id, o)) != DB_OK)
		return rv;
	order_doc_sort_lines(o->lines, o->nlines);
	return DB_OK;
}

/* {line_no, product_id, sku, requested, available} of a short line. */
static struct json_object *
short_line_json(const struct audit_ctx *ctx, const struct order *o,
    const struct order_line *l)
{
	struct json_object	*x = json_object_new_object();

	json_add_i64(x, "line_no", l->line_no);
	json_add_i64(x, "product_id", l->product_id);
	json_add_str(x, "sku", l->sku);
	json_add_i64(x, "requested", l->qty);
	json_add_i64(x, "available", stock_available(ctx->arena, l->product_id,
	    o->warehouse_id));
	return x;
}

int
orders_confirm(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	struct order		 o;
	struct json_object	*shortl = NULL;
	size_t			 i;
	int			 rv;

	if ((rv = order_move_get(ctx, id, "draft", "confirmed", &o, err))
	    != DB_OK)
		return rv;
	for (i = 0; i < o.nlines; i++) {
		rv = stock_reserve(o.lines[i].product_id, o.warehouse_id,
		    o.lines[i].qty);
		if (rv < 0) {
			json_object_put(shortl);
			return rv;
		}
		if (rv == 1)
			continue;
		if (shortl == NULL)
			shortl = json_object_new_array();
		json_object_array_add(shortl, short_line_json(ctx, &o,
		    &o.lines[i]));
	}
	if (shortl != NULL) {
		err->details = shortl;
		return dom_fail(err, DOM_CONFLICT, "lines", "Not enough stock "
		    "for some lines; nothing was reserved.");
	}
	return order_audit(ctx, id, "order.confirmed", &o);
}

int
orders_ship(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	struct order	 o;
	int64_t		 mv;
	size_t		 i;
	int		 rv;
	const char	*ref = arena_printf(ctx->arena, "SO-%" PRId64, id);

	if ((rv = order_move_get(ctx, id, "confirmed", "shipped", &o, err))
	    != DB_OK)
		return rv;
	for (i = 0; i < o.nlines; i++) {
		rv = stock_post(ctx, o.lines[i].product_id, o.warehouse_id,
		    "shipment", -o.lines[i].qty, o.lines[i].qty, ref, NULL,
		    &mv);
		if (rv == DOM_CONFLICT)		/* a broken invariant */
			return dom_fail(err, DOM_CONFLICT, "lines",
			    "The reservation of this order is missing.");
		if (rv != DB_OK)
			return rv;
	}
	return order_audit(ctx, id, "order.shipped", &o);
}

int
orders_cancel(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	struct order	 o;
	size_t		 i;
	int		 rv;

	rv = order_move(ctx, id, "draft", "cancelled", err);
	if (rv != DOM_CONFLICT) {
		if (rv != DB_OK || (rv = orders_get(ctx->arena, id, &o))
		    != DB_OK)
			return rv;
		return order_audit(ctx, id, "order.cancelled", &o);
	}
	/* Not a draft: a confirmed order releases its stock. */
	if ((rv = order_move_get(ctx, id, "confirmed", "cancelled", &o, err))
	    != DB_OK)
		return rv;
	for (i = 0; i < o.nlines; i++) {
		rv = stock_reserve(o.lines[i].product_id, o.warehouse_id,
		    -o.lines[i].qty);
		if (rv < 0)
			return rv;
		if (rv == 0)
			return dom_fail(err, DOM_CONFLICT, "lines",
			    "The reservation of this order is missing.");
	}
	return order_audit(ctx, id, "order.cancelled", &o);
}

int
orders_get(struct arena *a, int64_t id, struct order *o)
{
	return order_doc_get(a, &sales, id, o);
}

int
orders_list(struct arena *a, const char *status, int64_t before_id,
    int64_t limit, struct order_list *out)
{
	return order_doc_list(a, &sales, status, before_id, limit, out);
}
