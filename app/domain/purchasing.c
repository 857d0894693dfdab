/*
 * purchasing.c -- purchase orders: their states and receiving.  See
 * purchasing.h and domain.h; the line handling shared with sales orders
 * is in order_doc.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "db.h"
#include "domain.h"
#include "json.h"
#include "purchasing.h"
#include "stock.h"

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
    "SELECT id, '', supplier_id, warehouse_id, status, note, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM purchase_orders WHERE id = ?";
static const char SQL_PO_LINES[] =
    "SELECT l.line_no, l.product_id, l.qty, l.cost_cents, l.received, "
    "p.sku, p.name FROM purchase_order_lines l "
    "JOIN products p ON p.id = l.product_id WHERE l.order_id = ? "
    "ORDER BY l.line_no";
static const char SQL_PO_LIST[] =
    "SELECT o.id, s.name, o.supplier_id, o.warehouse_id, o.status, o.note, "
    "DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "(SELECT COUNT(*) FROM purchase_order_lines l WHERE l.order_id = o.id), "
    "0, "
    "(SELECT COALESCE(SUM(l.qty), 0) FROM purchase_order_lines l "
    "WHERE l.order_id = o.id), "
    "(SELECT COALESCE(SUM(l.received), 0) FROM purchase_order_lines l "
    "WHERE l.order_id = o.id) "
    "FROM purchase_orders o JOIN suppliers s ON s.id = o.supplier_id "
    "WHERE (? = '' OR o.status = ?) AND o.id < ? ORDER BY o.id DESC LIMIT ?";

static const char *const statuses[] = { "draft", "ordered",
    "partially_received", "received", "cancelled" };

static const struct order_kind purchase = {
	.noun = "purchase order",
	.lines_msg = "A purchase order has 1 to 100 lines.",
	.given_cost = 1,
	.say_target = 0,
	.statuses = statuses,
	.nstatuses = sizeof(statuses) / sizeof(statuses[0]),
	.sql_product = SQL_PRODUCT_COST,
	.sql_line_insert = SQL_PO_LINE_INSERT,
	.sql_move = SQL_PO_MOVE,
	.sql_status = SQL_PO_STATUS,
	.sql_get = SQL_PO_GET,
	.sql_lines = SQL_PO_LINES,
	.sql_list = SQL_PO_LIST
};

int
po_status_valid(const char *s)
{
	return order_doc_status_valid(&purchase, s);
}

/* Whether the supplier and the warehouse exist and are active. */
static int
po_check_refs(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, struct dom_error *err)
{
	struct db_rows	rows;
	int64_t		supplier, warehouse;
	int		rv;

	if ((rv = db_query(ctx->arena, &rows, SQL_REFS, "ii", supplier_id,
	    warehouse_id)) != DB_OK)
		return rv;
	if (db_row_scan(&rows, 0, "II", &supplier, &warehouse) != DB_OK)
		return DB_ERROR;
	if (supplier != 1)
		return dom_fail(err, DOM_INVALID, "supplier_id",
		    "No such active supplier.");
	if (warehouse != 1)
		return dom_fail(err, DOM_INVALID, "warehouse_id",
		    "No such active warehouse.");
	return DB_OK;
}

int
po_create_unaudited(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	int64_t	id, total;
	int	rv;

	if (note != NULL && strlen(note) > 255)
		return dom_fail(err, DOM_INVALID, "note",
		    "Use at most 255 characters.");
	if ((rv = order_doc_check_lines(ctx, &purchase, lines, n, err))
	    != DB_OK ||
	    (rv = po_check_refs(ctx, supplier_id, warehouse_id, err)) != DB_OK)
		return rv;
	if ((rv = (int)db_exec(SQL_PO_INSERT, "iisi", supplier_id,
	    warehouse_id, note != NULL ? note : "", ctx->actor_id)) < 0)
		return rv;
	id = db_last_insert_id();
	if ((rv = order_doc_insert_lines(ctx, &purchase, id, lines, n, &total,
	    err)) != DB_OK)
		return rv;
	*id_out = id;
	return DB_OK;
}

int
po_create(const struct audit_ctx *ctx, int64_t supplier_id,
    int64_t warehouse_id, const char *note, const struct line_in *lines,
    size_t n, int64_t *id_out, struct dom_error *err)
{
	struct json_object	*d;
	int			 rv;

	if ((rv = po_create_unaudited(ctx, supplier_id, warehouse_id, note,
	    lines, n, id_out, err)) != DB_OK)
		return rv;
	d = json_object_new_object();
	json_add_i64(d, "supplier_id", supplier_id);
	json_add_i64(d, "warehouse_id", warehouse_id);
	json_add_i64(d, "lines", (int64_t)n);
	return audit_write(ctx, "purchase_order.created", "purchase_order",
	    order_doc_id(ctx, *id_out), d);
}

static int
po_move(const struct audit_ctx *ctx, int64_t id, const char *from1,
    const char *from2, const char *to, struct dom_error *err)
{
	return order_doc_move(ctx, &purchase, id, from1, from2, to, err);
}

int
po_order(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	int	rv;

	if ((rv = po_move(ctx, id, "draft", "draft", "ordered", err)) != DB_OK)
		return rv;
	return audit_write(ctx, "purchase_order.ordered", "purchase_order",
	    order_doc_id(ctx, id), NULL);
}

int
po_cancel(const struct audit_ctx *ctx, int64_t id, struct dom_error *err)
{
	int	rv;

	if ((rv = po_move(ctx, id, "draft", "ordered", "cancelled", err))
	    != DB_OK)
		return rv;
	return audit_write(ctx, "purchase_order.cancelled", "purchase_order",
	    order_doc_id(ctx, id), NULL);
}

/*
 * The order's lines named by in[], each with the quantity to receive, in
 * stock order (*todo in the arena).  DB_OK or DOM_INVALID naming
 * lines[i].field.
 */
static int
receipt_lines(const struct audit_ctx *ctx, const struct order *o,
    const struct line_in *in, size_t n, struct order_line **todo,
    struct dom_error *err)
{
	size_t	i, j;

	if ((*todo = arena_calloc(ctx->arena, n, sizeof(**todo))) == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++) {
		if (in[i].qty < 1 || in[i].qty > BR_MAX_LINE_QTY)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].qty", i),
			    "Enter a quantity from 1 to 1,000,000.");
		for (j = 0; j < o->nlines; j++)
			if (o->lines[j].line_no == in[i].line_no)
				break;
		if (j == o->nlines)
			return dom_fail(err, DOM_INVALID, arena_printf(
			    ctx->arena, "lines[%zu].line_no", i),
			    "No such line on this purchase order.");
		(*todo)[i] = o->lines[j];
		(*todo)[i].qty = in[i].qty;
		for (j = 0; j < i; j++)
			if (in[j].line_no == in[i].line_no)
				return dom_fail(err, DOM_INVALID, arena_printf(
				    ctx->arena, "lines[%zu].line_no", i),
				    "Each line may appear once.");
	}
	order_doc_sort_lines(*todo, n);
	return DB_OK;
}

/* Receives l->qty on line l: the line's count and a receipt movement. */
static int
receive_line(const struct audit_ctx *ctx, const struct order *o,
    const struct order_line *l, struct dom_error *err)
{
	int64_t	mv, n_upd;
	int	rv;

	if ((n_upd = db_exec(SQL_PO_RECEIVE_LINE, "iiii", l->qty, o->id,
	    l->line_no, l->qty)) < 0)
		return (int)n_upd;
	if (n_upd == 0)
		return dom_fail(err, DOM_CONFLICT, arena_printf(ctx->arena,
		    "lines[%" PRId64 "]", l->line_no), arena_printf(ctx->arena,
		    "Line %" PRId64 " (%s) would receive more than ordered.",
		    l->line_no, l->sku));
	rv = stock_post(ctx, l->product_id, o->warehouse_id, "receipt",
	    l->qty, 0, arena_printf(ctx->arena, "PO-%" PRId64, o->id), NULL,
	    &mv);
	return rv == DOM_CONFLICT ? DB_ERROR : rv;
}

/* received once no unit is open, else partially_received. */
static int
po_settle(const struct audit_ctx *ctx, int64_t id)
{
	struct db_rows	rows;
	int64_t		open, n;
	int		rv;

	if ((rv = db_query(ctx->arena, &rows, SQL_PO_OPEN_UNITS, "i", id))
	    != DB_OK)
		return rv;
	if (db_row_scan(&rows, 0, "i", &open) != DB_OK)
		return DB_ERROR;
	if ((n = db_exec(SQL_PO_SET_STATUS, "si", open == 0 ? "received" :
	    "partially_received", id)) < 0)
		return (int)n;
	return DB_OK;
}

int
po_receive(const struct audit_ctx *ctx, int64_t id, const struct line_in *in,
    size_t n, struct dom_error *err)
{
	struct order		 o;
	struct order_line	*todo;
	struct json_object	*d, *la;
	size_t			 i;
	int			 rv;

	if (n == 0 || n > BR_MAX_ORDER_LINES)
		return dom_fail(err, DOM_INVALID, "lines",
		    "Receive 1 to 100 lines.");
	/* Locks the order and proves its state (status unchanged here). */
	if ((rv = po_move(ctx, id, "ordered", "partially_received",
	    "partially_received", err)) != DB_OK ||
	    (rv = po_get(ctx->arena, id, &o)) != DB_OK ||
	    (rv = receipt_lines(ctx, &o, in, n, &todo, err)) != DB_OK)
		return rv;
	for (i = 0; i < n; i++)
		if ((rv = receive_line(ctx, &o, &todo[i], err)) != DB_OK)
			return rv;
	if ((rv = po_settle(ctx, id)) != DB_OK)
		return rv;
	la = json_object_new_array();
	for (i = 0; i < n; i++) {
		d = json_object_new_object();
		json_add_i64(d, "line_no", todo[i].line_no);
		json_add_i64(d, "qty", todo[i].qty);
		json_object_array_add(la, d);
	}
	d = json_object_new_object();
	json_object_object_add(d, "lines", la);
	return audit_write(ctx, "purchase_order.received", "purchase_order",
	    order_doc_id(ctx, id), d);
}

int
po_get(struct arena *a, int64_t id, struct order *o)
{
	return order_doc_get(a, &purchase, id, o);
}

int
po_list(struct arena *a, const char *status, int64_t before_id, int64_t limit,
    struct order_list *out)
{
	return order_doc_list(a, &purchase, status, before_id, limit, out);
}
