/*
 * reorder.c -- reorder suggestions and the invariant checker.  See
 * reorder.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "db.h"
#include "domain.h"
#include "json.h"
#include "orders.h"
#include "purchasing.h"
#include "reorder.h"

#define SUGGEST_FROM \
    "FROM products p CROSS JOIN warehouses w " \
    "LEFT JOIN stock s ON s.product_id = p.id AND s.warehouse_id = w.id " \
    "LEFT JOIN suppliers sp ON sp.id = p.supplier_id " \
    "LEFT JOIN (SELECT l.product_id, o.warehouse_id, " \
    "SUM(l.qty - l.received) AS q FROM purchase_order_lines l " \
    "JOIN purchase_orders o ON o.id = l.order_id WHERE o.status IN " \
    "('draft', 'ordered', 'partially_received') " \
    "GROUP BY l.product_id, o.warehouse_id) oo " \
    "ON oo.product_id = p.id AND oo.warehouse_id = w.id " \
    "WHERE p.active = 1 AND w.active = 1 AND p.reorder_point > 0 " \
    "AND p.reorder_qty > 0 AND COALESCE(s.on_hand, 0) - " \
    "COALESCE(s.reserved, 0) + COALESCE(oo.q, 0) <= p.reorder_point "

static const char SQL_SUGGEST[] =
    "SELECT p.id, p.sku, p.name, w.id, w.code, p.supplier_id, sp.name, "
    "COALESCE(s.on_hand, 0), COALESCE(s.reserved, 0), COALESCE(oo.q, 0), "
    "COALESCE(s.on_hand, 0) - COALESCE(s.reserved, 0) + COALESCE(oo.q, 0), "
    "p.reorder_point, p.reorder_qty, p.cost_cents " SUGGEST_FROM
    "ORDER BY sp.name IS NULL, sp.name, w.code, p.sku, p.id, w.id "
    "LIMIT ? OFFSET ?";
static const char SQL_SUGGEST_COUNT[] =
    "SELECT COUNT(*) " SUGGEST_FROM;
static const char SQL_SUGGEST_ONE[] =
    "SELECT p.supplier_id, p.reorder_qty " SUGGEST_FROM
    "AND p.id = ? AND w.id = ?";

static const char SQL_LOCK_PRODUCT[] =
    "SELECT id FROM products WHERE id = ? FOR UPDATE";

static const char SQL_CHECK_LEDGER[] =
    "SELECT s.product_id, s.warehouse_id, s.on_hand, "
    "COALESCE((SELECT SUM(m.qty_delta) FROM stock_movements m "
    "WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id),"
    " 0) AS ledger, COALESCE((SELECT m.balance_after FROM stock_movements m "
    "WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id "
    "ORDER BY m.id DESC LIMIT 1), 0) AS last_balance FROM stock s "
    "HAVING s.on_hand <> ledger OR s.on_hand <> last_balance";
static const char SQL_CHECK_RESERVED[] =
    "SELECT k.product_id, k.warehouse_id, COALESCE(s.reserved, 0), "
    "COALESCE(r.q, 0), COALESCE(s.on_hand, 0) FROM "
    "(SELECT product_id, warehouse_id FROM stock UNION "
    "SELECT l.product_id, o.warehouse_id FROM sales_order_lines l "
    "JOIN sales_orders o ON o.id = l.order_id WHERE o.status = 'confirmed') "
    "k LEFT JOIN stock s ON s.product_id = k.product_id AND "
    "s.warehouse_id = k.warehouse_id LEFT JOIN (SELECT l.product_id, "
    "o.warehouse_id, SUM(l.qty) AS q FROM sales_order_lines l "
    "JOIN sales_orders o ON o.id = l.order_id WHERE o.status = 'confirmed' "
    "GROUP BY l.product_id, o.warehouse_id) r ON r.product_id = "
    "k.product_id AND r.warehouse_id = k.warehouse_id "
    "WHERE COALESCE(s.reserved, 0) <> COALESCE(r.q, 0) "
    "OR COALESCE(s.reserved, 0) < 0 "
    "OR COALESCE(s.reserved, 0) > COALESCE(s.on_hand, 0)";
static const char SQL_CHECK_ORPHANS[] =
    "SELECT m.product_id, m.warehouse_id, COUNT(*) FROM stock_movements m "
    "LEFT JOIN stock s ON s.product_id = m.product_id AND "
    "s.warehouse_id = m.warehouse_id WHERE s.product_id IS NULL "
    "GROUP BY m.product_id, m.warehouse_id";

/* The columns of SQL_SUGGEST, in order. */
static int
suggestion_read(const struct db_rows *rows, size_t i, void *out)
{
	struct suggestion	*s = out;

	return db_row_scan(rows, i, "issisISiiiiiii", &s->product_id, &s->sku,
	    &s->name, &s->warehouse_id, &s->warehouse_code, &s->supplier_id,
	    &s->supplier, &s->on_hand, &s->reserved, &s->on_order,
	    &s->available, &s->reorder_point, &s->reorder_qty,
	    &s->cost_cents);
}

int
reorder_suggestions(struct arena *a, int64_t offset, int64_t limit,
    struct suggestion_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), suggestion_read, &v, &out->n,
	    SQL_SUGGEST, "ii", limit, offset);
	out->v = v;
	return rv;
}

int64_t
reorder_count(struct arena *a)
{
	int64_t	n;
	int	found, rv;

	if ((rv = db_get(a, db_read_i64, &n, &found, SQL_SUGGEST_COUNT,
	    "")) != DB_OK)
		return rv;
	return found ? n : DB_ERROR;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Locks the picked products' rows in id order (the lock order of the
 * stock changes: product first), before any read of this transaction.
 * Two conversions of the same suggestion queue here, and the second one's
 * reads, whose snapshot starts after the wait, see the first one's draft
 * purchase order on order: it is no longer suggested.  An order created at
 * the same moment with two of these products in the other order can
 * deadlock with this (its line inserts take shared locks on the products,
 * in line order); InnoDB picks one and db_tx re-runs it.
 */
static int
lock_products(struct arena *a, const struct reorder_pick *p, size_t n)
{
	struct db_rows	 rows;
	int64_t		*ids;
	size_t		 i;
	int		 rv;

	if ((ids = arena_calloc(a, n, sizeof(*ids))) == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++)
		ids[i] = p[i].product_id;
	qsort(ids, n, sizeof(*ids), cmp_i64);
	for (i = 0; i < n; i++) {
		if (i > 0 && ids[i] == ids[i - 1])
			continue;
		if ((rv = db_query(a, &rows, SQL_LOCK_PRODUCT, "i", ids[i]))
		    != DB_OK)
			return rv;
	}
	return DB_OK;
}

static int
pick_fail(const struct audit_ctx *ctx, struct dom_error *err, size_t i,
    const char *message)
{
	return dom_fail(err, DOM_INVALID, arena_printf(ctx->arena,
	    "items[%zu]", i), message);
}

/*
 * The supplier and quantity of each pick, read from its current
 * suggestion (under the product locks).  DOM_INVALID names the item.
 */
static int
picks_read(const struct audit_ctx *ctx, const struct reorder_pick *p,
    size_t n, int64_t *sup, int64_t *qty, struct dom_error *err)
{
	struct db_rows	rows;
	size_t		i, j;
	int		rv;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (p[j].product_id == p[i].product_id &&
			    p[j].warehouse_id == p[i].warehouse_id)
				return pick_fail(ctx, err, i,
				    "This suggestion is picked twice.");
		if ((rv = db_query(ctx->arena, &rows, SQL_SUGGEST_ONE, "ii",
		    p[i].product_id, p[i].warehouse_id)) != DB_OK)
			return rv;
		if (rows.nrows != 1)
			return pick_fail(ctx, err, i,
			    "This is not a current reorder suggestion.");
		if (db_row_scan(&rows, 0, "Ii", &sup[i], &qty[i]) != DB_OK)
			return DB_ERROR;
		if (sup[i] == 0)
			return pick_fail(ctx, err, i,
			    "This product has no preferred supplier.");
	}
	return DB_OK;
}

/* One draft purchase order per supplier x warehouse of the picks. */
static int
picks_order(const struct audit_ctx *ctx, const struct reorder_pick *p,
    size_t n, const int64_t *sup, const int64_t *qty, int64_t *po_ids,
    size_t *npos, struct dom_error *err)
{
	struct line_in	*lines;
	int		*done;
	size_t		 i, j, k;
	int		 rv;

	done = arena_calloc(ctx->arena, n, sizeof(*done));
	lines = arena_calloc(ctx->arena, n, sizeof(*lines));
	if (done == NULL || lines == NULL)
		return DB_ERROR;
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (j = i, k = 0; j < n; j++)
			if (!done[j] && sup[j] == sup[i] &&
			    p[j].warehouse_id == p[i].warehouse_id) {
				lines[k].product_id = p[j].product_id;
				lines[k].qty = qty[j] > BR_MAX_LINE_QTY ?
				    BR_MAX_LINE_QTY : qty[j];
				lines[k].cost_cents = -1;
				k++;
				done[j] = 1;
			}
		if ((rv = po_create_unaudited(ctx, sup[i], p[i].warehouse_id,
		    "from reorder suggestions", lines, k, &po_ids[*npos], err))
		    != DB_OK)
			return rv;
		(*npos)++;
	}
	return DB_OK;
}

int
reorder_create_pos(const struct audit_ctx *ctx, const struct reorder_pick *p,
    size_t n, int64_t *po_ids, size_t *npos, struct dom_error *err)
{
	struct json_object	*d, *ids;
	int64_t			*sup, *qty;
	size_t			 i;
	int			 rv;

	*npos = 0;
	if (n == 0 || n > BR_MAX_REORDER_ITEMS)
		return dom_fail(err, DOM_INVALID, "items",
		    "Pick 1 to 500 suggestions.");
	sup = arena_calloc(ctx->arena, n, sizeof(*sup));
	qty = arena_calloc(ctx->arena, n, sizeof(*qty));
	if (sup == NULL || qty == NULL)
		return DB_ERROR;
	if ((rv = lock_products(ctx->arena, p, n)) != DB_OK ||
	    (rv = picks_read(ctx, p, n, sup, qty, err)) != DB_OK ||
	    (rv = picks_order(ctx, p, n, sup, qty, po_ids, npos, err)) !=
	    DB_OK)
		return rv;
	/* One audit row for all of them, as the last step. */
	d = json_object_new_object();
	ids = json_object_new_array();
	for (i = 0; i < *npos; i++)
		json_object_array_add(ids, json_object_new_int64(po_ids[i]));
	json_object_object_add(d, "purchase_orders", ids);
	json_add_i64(d, "suggestions", (int64_t)n);
	return audit_write(ctx, "reorder.purchase_orders_created",
	    "purchase_order", NULL, d);
}

/* How each check prints one violation: the row's cells, as text. */
static void
print_ledger(const char *const *c)
{
	printf("check: product %s warehouse %s: on_hand %s but the ledger sums "
	    "to %s (last balance_after %s)\n", c[0], c[1], c[2], c[3], c[4]);
}

static void
print_reserved(const char *const *c)
{
	printf("check: product %s warehouse %s: reserved %s, confirmed orders "
	    "hold %s, on_hand %s\n", c[0], c[1], c[2], c[3], c[4]);
}

static void
print_orphans(const char *const *c)
{
	printf("check: product %s warehouse %s: %s ledger rows without a stock "
	    "row\n", c[0], c[1], c[2]);
}

/* Each query returns the rows that break its invariant. */
static const struct inventory_rule {
	const char	*sql;
	size_t		 ncols;
	void		(*print)(const char *const *);
} inventory_rules[] = {
	{ SQL_CHECK_LEDGER, 5, print_ledger },
	{ SQL_CHECK_RESERVED, 5, print_reserved },
	{ SQL_CHECK_ORPHANS, 3, print_orphans },
};

/* Prints the violations of one rule: their number, or -1. */
static int
inventory_rule_check(struct arena *a, const struct inventory_rule *rule)
{
	struct db_rows	 rows;
	struct db_row	 rd;
	const char	*c[5];
	size_t		 i, j;

	if (db_query(a, &rows, rule->sql, "") != DB_OK) {
		fprintf(stderr, "check: %s\n", db_last_error());
		return -1;
	}
	for (i = 0; i < rows.nrows; i++) {
		db_row_start(&rd, &rows, i);
		for (j = 0; j < rule->ncols; j++)
			c[j] = db_row_str(&rd);
		if (db_row_end(&rd) == -1) {
			fprintf(stderr, "check: row %zu is malformed\n", i);
			return -1;
		}
		rule->print(c);
	}
	return (int)rows.nrows;
}

int
inventory_check(struct arena *a)
{
	size_t	i;
	int	n, bad = 0;

	for (i = 0; i < sizeof(inventory_rules) / sizeof(inventory_rules[0]);
	    i++) {
		if ((n = inventory_rule_check(a, &inventory_rules[i])) == -1)
			return -1;
		bad += n;
	}
	if (bad == 0)
		printf("check: inventory invariants hold\n");
	return bad;
}
