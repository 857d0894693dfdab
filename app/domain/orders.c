/*
 * orders.c -- sales orders.  See orders.h and domain.h.
 *
 * Every transition first moves the order row with a guarded UPDATE
 * (status = 'draft' AND id = ?), which both locks the order and proves the
 * state; then the stock rows follow in product order.  Confirming checks
 * every line and reports all the short ones; the caller rolls back.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "db.h"
#include "domain.h"
#include "orders.h"
#include "stock.h"
#include "str.h"

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
    "WHERE id = ? AND status = ?";
static const char SQL_ORDER_STATUS[] =
    "SELECT status FROM sales_orders WHERE id = ?";
static const char SQL_ORDER_GET[] =
    "SELECT id, customer, warehouse_id, status, note, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM sales_orders WHERE id = ?";
static const char SQL_LINES_GET[] =
    "SELECT l.line_no, l.product_id, l.qty, l.price_cents, p.sku, p.name "
    "FROM sales_order_lines l JOIN products p ON p.id = l.product_id "
    "WHERE l.order_id = ? ORDER BY l.line_no";
static const char SQL_ORDERS_LIST[] =
    "SELECT o.id, o.customer, o.warehouse_id, o.status, o.note, "
    "DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "(SELECT COUNT(*) FROM sales_order_lines l WHERE l.order_id = o.id), "
    "(SELECT COALESCE(SUM(l.qty * l.price_cents), 0) FROM sales_order_lines l "
    "WHERE l.order_id = o.id) FROM sales_orders o "
    "WHERE (? = '' OR o.status = ?) AND o.id < ? ORDER BY o.id DESC LIMIT ?";

static const char *const statuses[] = { "draft", "confirmed", "shipped",
    "cancelled" };

static int64_t
i64(const char *s)
{
	int64_t	v = 0;

	if (s != NULL)
		(void)str_to_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

int
orders_status_valid(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(statuses) / sizeof(statuses[0]);
	    i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

static int
line_cmp(const void *a, const void *b)
{
	const struct order_line	*x = a, *y = b;

	if (x->product_id != y->product_id)
		return x->product_id < y->product_id ? -1 : 1;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

void
orders_sort_lines(struct order_line *l, size_t n)
{
	qsort(l, n, sizeof(*l), line_cmp);
}

static int
text_ok(const char *s, size_t min, size_t max)
{
	size_t	i, n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
orders_create(const struct audit_ctx *ctx, const char *customer,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	struct db_rows		 rows;
	struct json_object	*d;
	size_t			 i, j;
	int64_t			 id, total = 0, amount;
	int			 rv;

	if (!text_ok(customer, 1, 200))
		return dom_fail(err, DOM_INVALID, "customer",
		    "Enter the customer (1 to 200 characters).");
	if (!text_ok(note, 0, 255))
		return dom_fail(err, DOM_INVALID, "note",
		    "Use at most 255 characters.");
	if (n == 0 || n > BR_MAX_ORDER_LINES)
		return dom_fail(err, DOM_INVALID, "lines",
		    "An order has 1 to 100 lines.");
	for (i = 0; i < n; i++) {
		if (lines[i].qty < 1 || lines[i].qty > BR_MAX_LINE_QTY)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].qty", i),
			    "Enter a quantity from 1 to 1,000,000.");
		for (j = 0; j < i; j++)
			if (lines[j].product_id == lines[i].product_id)
				return dom_fail(err, DOM_INVALID, arena_printf(
				    ctx->arena, "lines[%zu].product_id", i),
				    "Each product may appear on one line only.");
	}
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
	for (i = 0; i < n; i++) {
		if ((rv = db_query(ctx->arena, &rows, SQL_PRODUCT_PRICE, "i",
		    lines[i].product_id)) != DB_OK)
			return rv;
		if (rows.nrows != 1 || strcmp(DB_CELL(&rows, 0, 1), "1") != 0)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].product_id", i),
			    "No such active product.");
		if ((rv = (int)db_exec(SQL_LINE_INSERT, "iiiii", id,
		    (int64_t)(i + 1), lines[i].product_id, lines[i].qty,
		    i64(DB_CELL(&rows, 0, 0)))) < 0)
			return rv;
		if (__builtin_mul_overflow(lines[i].qty,
		    i64(DB_CELL(&rows, 0, 0)), &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			return dom_fail(err, DOM_INVALID, "lines",
			    "The order's total is too large.");
	}
	d = json_object_new_object();
	json_object_object_add(d, "customer", json_object_new_string(customer));
	json_object_object_add(d, "warehouse_id",
	    json_object_new_int64(warehouse_id));
	json_object_object_add(d, "lines", json_object_new_int64((int64_t)n));
	json_object_object_add(d, "total_cents", json_object_new_int64(total));
	if ((rv = audit_write(ctx, "order.created", "sales_order",
	    arena_printf(ctx->arena, "%" PRId64, id), d)) != DB_OK)
		return rv;
	*id_out = id;
	return DB_OK;
}

/* Moves the order from `from` to `to`, or explains why not. */
static int
order_move(const struct audit_ctx *ctx, int64_t id, const char *from,
    const char *to, struct dom_error *err)
{
	struct db_rows	rows;
	int64_t		n;
	int		rv;

	if ((n = db_exec(SQL_ORDER_MOVE, "sis", to, id, from)) < 0)
		return (int)n;
	if (n == 1)
		return DB_OK;
	if ((rv = db_query(ctx->arena, &rows, SQL_ORDER_STATUS, "i", id))
	    != DB_OK)
		return rv;
	if (rows.nrows == 0)
		return dom_fail(err, DOM_NOT_FOUND, NULL, "No such order.");
	return dom_fail(err, DOM_CONFLICT, "status", arena_printf(ctx->arena,
	    "The order is %s; it cannot go to %s.", DB_CELL(&rows, 0, 0), to));
}

static int
order_audit(const struct audit_ctx *ctx, int64_t id, const char *action,
    const struct order *o)
{
	struct json_object	*d = json_object_new_object();

	json_object_object_add(d, "warehouse_id",
	    json_object_new_int64(o->warehouse_id));
	json_object_object_add(d, "lines",
	    json_object_new_int64((int64_t)o->nlines));
	return audit_write(ctx, action, "sales_order",
	    arena_printf(ctx->arena, "%" PRId64, id), d);
}

int
orders_confirm(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	struct order		 o;
	struct json_object	*shortl = NULL, *x;
	size_t			 i;
	int			 rv;

	if ((rv = order_move(ctx, id, "draft", "confirmed", err)) != DB_OK)
		return rv;
	if ((rv = orders_get(ctx->arena, id, &o)) != DB_OK)
		return rv;
	orders_sort_lines(o.lines, o.nlines);
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
		x = json_object_new_object();
		json_object_object_add(x, "line_no",
		    json_object_new_int64(o.lines[i].line_no));
		json_object_object_add(x, "product_id",
		    json_object_new_int64(o.lines[i].product_id));
		json_object_object_add(x, "sku",
		    json_object_new_string(o.lines[i].sku));
		json_object_object_add(x, "requested",
		    json_object_new_int64(o.lines[i].qty));
		json_object_object_add(x, "available", json_object_new_int64(
		    stock_available(ctx->arena, o.lines[i].product_id,
		    o.warehouse_id)));
		json_object_array_add(shortl, x);
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

	if ((rv = order_move(ctx, id, "confirmed", "shipped", err)) != DB_OK)
		return rv;
	if ((rv = orders_get(ctx->arena, id, &o)) != DB_OK)
		return rv;
	orders_sort_lines(o.lines, o.nlines);
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
	if (rv == DOM_CONFLICT) {
		/* Not a draft: a confirmed order releases its stock. */
		if ((rv = order_move(ctx, id, "confirmed", "cancelled", err))
		    != DB_OK)
			return rv;
		if ((rv = orders_get(ctx->arena, id, &o)) != DB_OK)
			return rv;
		orders_sort_lines(o.lines, o.nlines);
		for (i = 0; i < o.nlines; i++) {
			rv = stock_reserve(o.lines[i].product_id,
			    o.warehouse_id, -o.lines[i].qty);
			if (rv < 0)
				return rv;
			if (rv == 0)
				return dom_fail(err, DOM_CONFLICT, "lines",
				    "The reservation of this order is "
				    "missing.");
		}
		return order_audit(ctx, id, "order.cancelled", &o);
	}
	if (rv != DB_OK)
		return rv;
	if ((rv = orders_get(ctx->arena, id, &o)) != DB_OK)
		return rv;
	return order_audit(ctx, id, "order.cancelled", &o);
}

int
orders_get(struct arena *a, int64_t id, struct order *o)
{
	struct db_rows	h, l;
	size_t		i;
	int		rv;

	memset(o, 0, sizeof(*o));
	if ((rv = db_query(a, &h, SQL_ORDER_GET, "i", id)) != DB_OK)
		return rv;
	if (h.nrows != 1)
		return DOM_NOT_FOUND;
	if ((rv = db_query(a, &l, SQL_LINES_GET, "i", id)) != DB_OK)
		return rv;
	o->id = id;
	o->party = DB_CELL(&h, 0, 1);
	o->warehouse_id = i64(DB_CELL(&h, 0, 2));
	o->status = DB_CELL(&h, 0, 3);
	o->note = DB_CELL(&h, 0, 4);
	o->created_at = DB_CELL(&h, 0, 5);
	o->updated_at = DB_CELL(&h, 0, 6);
	if (l.nrows > 0 && (o->lines = arena_calloc(a, l.nrows,
	    sizeof(*o->lines))) == NULL)
		return DB_ERROR;
	for (i = 0; i < l.nrows; i++) {
		o->lines[i].line_no = i64(DB_CELL(&l, i, 0));
		o->lines[i].product_id = i64(DB_CELL(&l, i, 1));
		o->lines[i].qty = i64(DB_CELL(&l, i, 2));
		o->lines[i].price_cents = i64(DB_CELL(&l, i, 3));
		o->lines[i].sku = DB_CELL(&l, i, 4);
		o->lines[i].name = DB_CELL(&l, i, 5);
	}
	o->nlines = l.nrows;
	return DB_OK;
}

int
orders_list(struct arena *a, const char *status, int64_t before_id,
    int64_t limit, struct db_rows *out)
{
	const char	*st = status != NULL ? status : "";

	return db_query(a, out, SQL_ORDERS_LIST, "ssii", st, st,
	    before_id > 0 ? before_id : INT64_MAX, limit);
}
