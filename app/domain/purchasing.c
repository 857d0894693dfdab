/*
 * purchasing.c -- purchase orders.  See purchasing.h and domain.h.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "db.h"
#include "domain.h"
#include "purchasing.h"
#include "stock.h"
#include "str.h"

static const char SQL_REFS[] =
    "SELECT (SELECT active FROM suppliers WHERE id = ?), "
    "(SELECT active FROM warehouses WHERE id = ?)";
static const char SQL_PRODUCT_COST[] =
    "SELECT cost_cents, active FROM products WHERE id = ?";
static const char SQL_PO_INSERT[] =
    "INSERT INTO purchase_orders (supplier_id, warehouse_id, note, "
    "created_by) VALUES (?, ?, ?, ?)";
static const char SQL_PO_LINE_INSERT[] =
    "INSERT INTO purchase_order_lines (order_id, line_no, product_id, qty, "
    "cost_cents) VALUES (?, ?, ?, ?, ?)";
static const char SQL_PO_MOVE[] =
    "UPDATE purchase_orders SET status = ?, updated_at = NOW(6) "
    "WHERE id = ? AND (status = ? OR status = ?)";
static const char SQL_PO_STATUS[] =
    "SELECT status FROM purchase_orders WHERE id = ?";
static const char SQL_PO_RECEIVE_LINE[] =
    "UPDATE purchase_order_lines SET received = received + ? "
    "WHERE order_id = ? AND line_no = ? AND received + ? <= qty";
static const char SQL_PO_OPEN_UNITS[] =
    "SELECT COALESCE(SUM(qty - received), 0) FROM purchase_order_lines "
    "WHERE order_id = ?";
static const char SQL_PO_SET_STATUS[] =
    "UPDATE purchase_orders SET status = ? WHERE id = ?";
static const char SQL_PO_GET[] =
    "SELECT id, supplier_id, warehouse_id, status, note, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM purchase_orders WHERE id = ?";
static const char SQL_PO_LINES[] =
    "SELECT l.line_no, l.product_id, l.qty, l.cost_cents, l.received, "
    "p.sku, p.name FROM purchase_order_lines l "
    "JOIN products p ON p.id = l.product_id WHERE l.order_id = ? "
    "ORDER BY l.line_no";
static const char SQL_PO_LIST[] =
    "SELECT o.id, o.supplier_id, s.name, o.warehouse_id, o.status, o.note, "
    "DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "(SELECT COUNT(*) FROM purchase_order_lines l WHERE l.order_id = o.id), "
    "(SELECT COALESCE(SUM(l.qty), 0) FROM purchase_order_lines l "
    "WHERE l.order_id = o.id), "
    "(SELECT COALESCE(SUM(l.received), 0) FROM purchase_order_lines l "
    "WHERE l.order_id = o.id) "
    "FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id "
    "WHERE (? = '' OR o.status = ?) AND o.id < ? ORDER BY o.id DESC LIMIT ?";

static const char *const statuses[] = { "draft", "ordered",
    "partially_received", "received", "cancelled" };

static int64_t
i64(const char *s)
{
	int64_t	v = 0;

	if (s != NULL)
		(void)str_to_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

int
po_status_valid(const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < sizeof(statuses) / sizeof(statuses[0]);
	    i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

static const char *
id_str(const struct audit_ctx *ctx, int64_t id)
{
	return arena_printf(ctx->arena, "%" PRId64, id);
}

static int po_create_impl(const struct audit_ctx *, int64_t, int64_t,
    const char *, const struct line_in *, size_t, int64_t *,
    struct dom_error *, int);

int
po_create(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	return po_create_impl(ctx, supplier_id, warehouse_id, note, lines, n,
	    id_out, err, 1);
}

int
po_create_unaudited(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	return po_create_impl(ctx, supplier_id, warehouse_id, note, lines, n,
	    id_out, err, 0);
}

static int
po_create_impl(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err, int write_audit)
{
	struct db_rows		 rows;
	struct json_object	*d;
	size_t			 i, j;
	int64_t			 id, cost, amount, total = 0;
	int			 rv;

	if (note != NULL && strlen(note) > 255)
		return dom_fail(err, DOM_INVALID, "note",
		    "Use at most 255 characters.");
	if (n == 0 || n > BR_MAX_ORDER_LINES)
		return dom_fail(err, DOM_INVALID, "lines",
		    "A purchase order has 1 to 100 lines.");
	for (i = 0; i < n; i++) {
		if (lines[i].qty < 1 || lines[i].qty > BR_MAX_LINE_QTY)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].qty", i),
			    "Enter a quantity from 1 to 1,000,000.");
		if (lines[i].cost_cents < -1 ||
		    lines[i].cost_cents > BR_MAX_CENTS)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].cost_cents", i),
			    "Enter a cost from 0 cents.");
		for (j = 0; j < i; j++)
			if (lines[j].product_id == lines[i].product_id)
				return dom_fail(err, DOM_INVALID, arena_printf(
				    ctx->arena, "lines[%zu].product_id", i),
				    "Each product may appear on one line only.");
	}
	if ((rv = db_query(ctx->arena, &rows, SQL_REFS, "ii", supplier_id,
	    warehouse_id)) != DB_OK)
		return rv;
	if (DB_CELL(&rows, 0, 0) == NULL ||
	    strcmp(DB_CELL(&rows, 0, 0), "1") != 0)
		return dom_fail(err, DOM_INVALID, "supplier_id",
		    "No such active supplier.");
	if (DB_CELL(&rows, 0, 1) == NULL ||
	    strcmp(DB_CELL(&rows, 0, 1), "1") != 0)
		return dom_fail(err, DOM_INVALID, "warehouse_id",
		    "No such active warehouse.");
	if ((rv = (int)db_exec(SQL_PO_INSERT, "iisi", supplier_id,
	    warehouse_id, note != NULL ? note : "", ctx->actor_id)) < 0)
		return rv;
	id = db_last_insert_id();
	for (i = 0; i < n; i++) {
		if ((rv = db_query(ctx->arena, &rows, SQL_PRODUCT_COST, "i",
		    lines[i].product_id)) != DB_OK)
			return rv;
		if (rows.nrows != 1 || strcmp(DB_CELL(&rows, 0, 1), "1") != 0)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].product_id", i),
			    "No such active product.");
		cost = lines[i].cost_cents >= 0 ? lines[i].cost_cents :
		    i64(DB_CELL(&rows, 0, 0));
		if (__builtin_mul_overflow(lines[i].qty, cost, &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			return dom_fail(err, DOM_INVALID, "lines",
			    "The order's total is too large.");
		if ((rv = (int)db_exec(SQL_PO_LINE_INSERT, "iiiii", id,
		    (int64_t)(i + 1), lines[i].product_id, lines[i].qty,
		    cost)) < 0)
			return rv;
	}
	*id_out = id;
	if (!write_audit)
		return DB_OK;
	d = json_object_new_object();
	json_object_object_add(d, "supplier_id",
	    json_object_new_int64(supplier_id));
	json_object_object_add(d, "warehouse_id",
	    json_object_new_int64(warehouse_id));
	json_object_object_add(d, "lines", json_object_new_int64((int64_t)n));
	return audit_write(ctx, "purchase_order.created", "purchase_order",
	    id_str(ctx, id), d);
}

static int
po_move(const struct audit_ctx *ctx, int64_t id, const char *from1,
    const char *from2, const char *to, struct dom_error *err)
{
	struct db_rows	rows;
	int64_t		n;
	int		rv;

	if ((n = db_exec(SQL_PO_MOVE, "siss", to, id, from1, from2)) < 0)
		return (int)n;
	if (n == 1)
		return DB_OK;
	if ((rv = db_query(ctx->arena, &rows, SQL_PO_STATUS, "i", id))
	    != DB_OK)
		return rv;
	if (rows.nrows == 0)
		return dom_fail(err, DOM_NOT_FOUND, NULL,
		    "No such purchase order.");
	return dom_fail(err, DOM_CONFLICT, "status", arena_printf(ctx->arena,
	    "The purchase order is %s.", DB_CELL(&rows, 0, 0)));
}

int
po_order(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	int	rv;

	if ((rv = po_move(ctx, id, "draft", "draft", "ordered", err)) != DB_OK)
		return rv;
	return audit_write(ctx, "purchase_order.ordered", "purchase_order",
	    id_str(ctx, id), NULL);
}

int
po_cancel(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	int	rv;

	if ((rv = po_move(ctx, id, "draft", "ordered", "cancelled", err))
	    != DB_OK)
		return rv;
	return audit_write(ctx, "purchase_order.cancelled", "purchase_order",
	    id_str(ctx, id), NULL);
}

int
po_receive(const struct audit_ctx *ctx, int64_t id, const struct line_in *in,
    size_t n, struct dom_error *err)
{
	struct order		 o;
	struct order_line	*todo;
	struct json_object	*d, *la;
	struct db_rows		 rows;
	const char		*ref = arena_printf(ctx->arena, "PO-%" PRId64, id);
	size_t			 i, j;
	int64_t			 mv, n_upd;
	int			 rv;

	if (n == 0 || n > BR_MAX_ORDER_LINES)
		return dom_fail(err, DOM_INVALID, "lines",
		    "Receive 1 to 100 lines.");
	/* Locks the order and proves its state (status unchanged here). */
	if ((rv = po_move(ctx, id, "ordered", "partially_received",
	    "partially_received", err)) != DB_OK)
		return rv;
	if ((rv = po_get(ctx->arena, id, &o)) != DB_OK)
		return rv;
	if ((todo = arena_calloc(ctx->arena, n, sizeof(*todo))) == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++) {
		if (in[i].qty < 1 || in[i].qty > BR_MAX_LINE_QTY)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].qty", i),
			    "Enter a quantity from 1 to 1,000,000.");
		for (j = 0; j < o.nlines; j++)
			if (o.lines[j].line_no == in[i].line_no)
				break;
		if (j == o.nlines)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].line_no", i),
			    "No such line on this purchase order.");
		for (j = 0; j < i; j++)
			if (in[j].line_no == in[i].line_no)
				return dom_fail(err, DOM_INVALID, arena_printf(
				    ctx->arena, "lines[%zu].line_no", i),
				    "Each line may appear once.");
		for (j = 0; j < o.nlines; j++)
			if (o.lines[j].line_no == in[i].line_no)
				todo[i] = o.lines[j];
		todo[i].qty = in[i].qty;
	}
	orders_sort_lines(todo, n);
	la = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((n_upd = db_exec(SQL_PO_RECEIVE_LINE, "iiii", todo[i].qty,
		    id, todo[i].line_no, todo[i].qty)) < 0) {
			json_object_put(la);
			return (int)n_upd;
		}
		if (n_upd == 0) {
			json_object_put(la);
			return dom_fail(err, DOM_CONFLICT, arena_printf(
			    ctx->arena, "lines[%" PRId64 "]", todo[i].line_no),
			    arena_printf(ctx->arena, "Line %" PRId64 " (%s) "
			    "would receive more than ordered.",
			    todo[i].line_no, todo[i].sku));
		}
		if ((rv = stock_post(ctx, todo[i].product_id, o.warehouse_id,
		    "receipt", todo[i].qty, 0, ref, NULL, &mv)) != DB_OK) {
			json_object_put(la);
			return rv == DOM_CONFLICT ? DB_ERROR : rv;
		}
		d = json_object_new_object();
		json_object_object_add(d, "line_no",
		    json_object_new_int64(todo[i].line_no));
		json_object_object_add(d, "qty",
		    json_object_new_int64(todo[i].qty));
		json_object_array_add(la, d);
	}
	if ((rv = db_query(ctx->arena, &rows, SQL_PO_OPEN_UNITS, "i", id))
	    != DB_OK || (rv = (int)db_exec(SQL_PO_SET_STATUS, "si",
	    i64(DB_CELL(&rows, 0, 0)) == 0 ? "received" :
	    "partially_received", id)) < 0) {
		json_object_put(la);
		return rv;
	}
	d = json_object_new_object();
	json_object_object_add(d, "lines", la);
	return audit_write(ctx, "purchase_order.received", "purchase_order",
	    id_str(ctx, id), d);
}

int
po_get(struct arena *a, int64_t id, struct order *o)
{
	struct db_rows	h, l;
	size_t		i;
	int		rv;

	memset(o, 0, sizeof(*o));
	if ((rv = db_query(a, &h, SQL_PO_GET, "i", id)) != DB_OK)
		return rv;
	if (h.nrows != 1)
		return DOM_NOT_FOUND;
	if ((rv = db_query(a, &l, SQL_PO_LINES, "i", id)) != DB_OK)
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
		o->lines[i].received = i64(DB_CELL(&l, i, 4));
		o->lines[i].sku = DB_CELL(&l, i, 5);
		o->lines[i].name = DB_CELL(&l, i, 6);
	}
	o->nlines = l.nrows;
	return DB_OK;
}

int
po_list(struct arena *a, const char *status, int64_t before_id, int64_t limit,
    struct db_rows *out)
{
	const char	*st = status != NULL ? status : "";

	return db_query(a, out, SQL_PO_LIST, "ssii", st, st,
	    before_id > 0 ? before_id : INT64_MAX, limit);
}
