/*
 * stock.c -- the stock ledger.  See stock.h and domain.h.
 *
 * An increase is one upsert (INSERT ... ON DUPLICATE KEY UPDATE takes the
 * row's exclusive lock at once, so two receipts never deadlock upgrading a
 * shared lock); a decrease is a guarded UPDATE whose affected-row count
 * says whether enough was there.  The ledger row reads the new balance
 * from the locked stock row in the same statement (INSERT ... SELECT ...
 * RETURNING), so balance_after is exact without another round trip.
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
#include "stock.h"

static const char SQL_STOCK_ADD[] =
    "INSERT INTO stock (product_id, warehouse_id, on_hand, reserved) "
    "VALUES (?, ?, ?, 0) ON DUPLICATE KEY UPDATE "
    "on_hand = on_hand + VALUES(on_hand), updated_at = NOW(6)";
static const char SQL_STOCK_TAKE[] =
    "UPDATE stock SET on_hand = on_hand + ?, reserved = reserved - ?, "
    "updated_at = NOW(6) WHERE product_id = ? AND warehouse_id = ? "
    "AND reserved >= ? AND on_hand + ? >= reserved - ?";
static const char SQL_LEDGER[] =
    "INSERT INTO stock_movements (product_id, warehouse_id, kind, "
    "qty_delta, balance_after, reference, note, user_id) "
    "SELECT product_id, warehouse_id, ?, ?, on_hand, ?, ?, ? FROM stock "
    "WHERE product_id = ? AND warehouse_id = ? RETURNING id";
static const char SQL_RESERVE[] =
    "UPDATE stock SET reserved = reserved + ?, updated_at = NOW(6) "
    "WHERE product_id = ? AND warehouse_id = ? "
    "AND reserved + ? >= 0 AND on_hand >= reserved + ?";
static const char SQL_AVAILABLE[] =
    "SELECT on_hand - reserved FROM stock WHERE product_id = ? "
    "AND warehouse_id = ?";
static const char SQL_CHECK_REFS[] =
    "SELECT (SELECT active FROM products WHERE id = ?), "
    "(SELECT active FROM warehouses WHERE id = ?), "
    "(SELECT active FROM warehouses WHERE id = ?)";

static const char SQL_STOCK_LIST[] =
    "SELECT s.product_id, p.sku, p.name, s.warehouse_id, w.code, s.on_hand, "
    "s.reserved, p.unit FROM stock s JOIN products p ON p.id = s.product_id "
    "JOIN warehouses w ON w.id = s.warehouse_id "
    "WHERE (? = 0 OR s.product_id = ?) AND (? = 0 OR s.warehouse_id = ?) "
    "AND (s.product_id, s.warehouse_id) > (?, ?) "
    "ORDER BY s.product_id, s.warehouse_id LIMIT ?";
static const char SQL_MOVEMENTS[] =
    "SELECT m.id, m.product_id, p.sku, m.warehouse_id, w.code, m.kind, "
    "m.qty_delta, m.balance_after, m.reference, m.note, m.user_id, u.email, "
    "DATE_FORMAT(m.created_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM stock_movements m JOIN products p ON p.id = m.product_id "
    "JOIN warehouses w ON w.id = m.warehouse_id "
    "LEFT JOIN users u ON u.id = m.user_id "
    "WHERE (? = 0 OR m.product_id = ?) AND (? = 0 OR m.warehouse_id = ?) "
    "AND (? = '' OR m.kind = ?) AND m.id < ? ORDER BY m.id DESC LIMIT ?";

static const char SQL_MOVEMENT_GET[] =
    "SELECT m.id, m.product_id, p.sku, m.warehouse_id, w.code, m.kind, "
    "m.qty_delta, m.balance_after, m.reference, m.note, m.user_id, u.email, "
    "DATE_FORMAT(m.created_at, '%Y-%m-%dT%H:%i:%sZ') "
    "FROM stock_movements m JOIN products p ON p.id = m.product_id "
    "JOIN warehouses w ON w.id = m.warehouse_id "
    "LEFT JOIN users u ON u.id = m.user_id WHERE m.id = ?";

static const char *const ledger_kinds[] = { "receipt", "shipment",
    "adjustment", "transfer_out", "transfer_in" };

static const char *const kind_names[] = {
	[MOVE_RECEIPT] = "receipt",
	[MOVE_SHIPMENT] = "shipment",
	[MOVE_ADJUSTMENT] = "adjustment",
	[MOVE_TRANSFER] = "transfer",
};

/* The index of s in names[0..n), or -1. */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
stock_kind_from_name(const char *s)
{
	return name_index(kind_names, sizeof(kind_names) /
	    sizeof(kind_names[0]), s);
}

static const char *
user_str(const struct audit_ctx *ctx)
{
	return ctx->actor_id > 0 ? arena_printf(ctx->arena, "%" PRId64,
	    ctx->actor_id) : NULL;
}

int
stock_post(const struct audit_ctx *ctx, int64_t product_id,
    int64_t warehouse_id, const char *kind, int64_t delta, int64_t release,
    const char *reference, const char *note, int64_t *movement_id)
{
	struct db_rows	rows;
	int64_t		n;
	int		rv;

	if (delta > 0 && release == 0)
		n = db_exec(SQL_STOCK_ADD, "iii", product_id, warehouse_id,
		    delta);
	else
		n = db_exec(SQL_STOCK_TAKE, "iiiiiii", delta, release,
		    product_id, warehouse_id, release, delta, release);
	if (n < 0)
		return (int)n;
	if (n == 0)
		return DOM_CONFLICT;
	if ((rv = db_query(ctx->arena, &rows, SQL_LEDGER, "sisssii", kind,
	    delta, reference != NULL ? reference : "", note != NULL ? note :
	    "", user_str(ctx), product_id, warehouse_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DB_ERROR;
	return db_row_scan(&rows, 0, "i", movement_id);
}

int
stock_reserve(int64_t product_id, int64_t warehouse_id, int64_t qty)
{
	int64_t	n;

	n = db_exec(SQL_RESERVE, "iiiii", qty, product_id, warehouse_id, qty,
	    qty);
	return n < 0 ? (int)n : n == 1;
}

int64_t
stock_available(struct arena *a, int64_t product_id, int64_t warehouse_id)
{
	int64_t	v = 0;
	int	found;

	/* Only describes a refusal: a failed read shows as 0 (logged). */
	if (db_get(a, db_read_i64, &v, &found, SQL_AVAILABLE, "ii",
	    product_id, warehouse_id) != DB_OK || !found)
		return 0;
	return v;
}

static int
move_validate(struct arena *a, const struct move_req *m, struct dom_error *err)
{
	struct db_rows	rows;
	struct db_row	rd;
	int64_t		product, from, to;
	int		rv;

	if (m->kind == MOVE_ADJUSTMENT ? (m->qty == 0 || m->qty < -BR_MAX_QTY ||
	    m->qty > BR_MAX_QTY) : (m->qty <= 0 || m->qty > BR_MAX_QTY))
		return dom_fail(err, DOM_INVALID, "qty", m->kind ==
		    MOVE_ADJUSTMENT ? "Enter a non-zero change of at most a "
		    "billion units." : "Enter a quantity from 1 to a billion.");
	if (!dom_text_ok(m->reference, 0, 64, 0))
		return dom_fail(err, DOM_INVALID, "reference",
		    "Use at most 64 characters, no control characters.");
	if (!dom_text_ok(m->note, 0, 255, 0))
		return dom_fail(err, DOM_INVALID, "note",
		    "Use at most 255 characters, no control characters.");
	if (m->kind == MOVE_ADJUSTMENT && (m->note == NULL ||
	    m->note[0] == '\0'))
		return dom_fail(err, DOM_INVALID, "note",
		    "Give the reason for the adjustment.");
	if (m->kind == MOVE_TRANSFER && m->to_warehouse_id == m->warehouse_id)
		return dom_fail(err, DOM_INVALID, "to_warehouse_id",
		    "Choose a different warehouse to transfer to.");
	if ((rv = db_query(a, &rows, SQL_CHECK_REFS, "iii", m->product_id,
	    m->warehouse_id, m->kind == MOVE_TRANSFER ? m->to_warehouse_id :
	    m->warehouse_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DB_ERROR;
	/* Each column is the row's active flag, NULL (-1) without a row. */
	db_row_start(&rd, &rows, 0);
	product = db_row_i64_or(&rd, -1);
	from = db_row_i64_or(&rd, -1);
	to = db_row_i64_or(&rd, -1);
	if (db_row_end(&rd) == -1)
		return DB_ERROR;
	if (product == -1)
		return dom_fail(err, DOM_INVALID, "product_id",
		    "No such product.");
	if (product != 1 && m->kind != MOVE_SHIPMENT &&
	    m->kind != MOVE_ADJUSTMENT)
		return dom_fail(err, DOM_INVALID, "product_id",
		    "This product is archived.");
	if (from != 1)
		return dom_fail(err, DOM_INVALID, "warehouse_id",
		    "No such active warehouse.");
	if (to != 1)
		return dom_fail(err, DOM_INVALID, "to_warehouse_id",
		    "No such active warehouse.");
	return DB_OK;
}

/*
 * Posts the ledger rows of m.  A transfer locks its two stock rows in
 * warehouse order; ids[0] is the transfer_out row either way (the ledger
 * ids follow the locking order).
 */
static int
move_post(const struct audit_ctx *ctx, const struct move_req *m,
    struct move_result *res)
{
	int	rv;

	if (m->kind != MOVE_TRANSFER) {
		res->n = 1;
		return stock_post(ctx, m->product_id, m->warehouse_id,
		    kind_names[m->kind], m->kind == MOVE_SHIPMENT ? -m->qty :
		    m->qty, 0, m->reference, m->note, &res->ids[0]);
	}
	res->n = 2;
	if (m->warehouse_id < m->to_warehouse_id) {
		if ((rv = stock_post(ctx, m->product_id, m->warehouse_id,
		    "transfer_out", -m->qty, 0, m->reference, m->note,
		    &res->ids[0])) != DB_OK)
			return rv;
		return stock_post(ctx, m->product_id, m->to_warehouse_id,
		    "transfer_in", m->qty, 0, m->reference, m->note,
		    &res->ids[1]);
	}
	if ((rv = stock_post(ctx, m->product_id, m->to_warehouse_id,
	    "transfer_in", m->qty, 0, m->reference, m->note,
	    &res->ids[1])) != DB_OK)
		return rv;
	return stock_post(ctx, m->product_id, m->warehouse_id, "transfer_out",
	    -m->qty, 0, m->reference, m->note, &res->ids[0]);
}

/* The audit row of a movement, keyed by its (first) ledger row. */
static int
move_audit(const struct audit_ctx *ctx, const struct move_req *m,
    const struct move_result *res)
{
	struct json_object	*d = json_object_new_object();

	json_add_i64(d, "product_id", m->product_id);
	json_add_i64(d, "warehouse_id", m->warehouse_id);
	if (m->kind == MOVE_TRANSFER)
		json_add_i64(d, "to_warehouse_id", m->to_warehouse_id);
	json_add_i64(d, "qty", m->qty);
	if (m->reference != NULL && m->reference[0] != '\0')
		json_add_str(d, "reference", m->reference);
	if (m->note != NULL && m->note[0] != '\0')
		json_add_str(d, "note", m->note);
	return audit_write(ctx, arena_printf(ctx->arena, "stock.%s",
	    kind_names[m->kind]), "stock_movement", arena_printf(ctx->arena,
	    "%" PRId64, res->ids[0]), d);
}

int
stock_move(const struct audit_ctx *ctx, const struct move_req *m,
    struct move_result *res, struct dom_error *err)
{
	int	rv;

	memset(res, 0, sizeof(*res));
	if ((unsigned)m->kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return dom_fail(err, DOM_INVALID, "kind", "Choose receipt, "
		    "shipment, adjustment or transfer.");
	if ((rv = move_validate(ctx->arena, m, err)) != DB_OK)
		return rv;
	if ((rv = move_post(ctx, m, res)) == DOM_CONFLICT)
		return dom_fail(err, DOM_CONFLICT, "qty", "Not enough stock "
		    "available (on hand minus reserved) for this movement.");
	if (rv != DB_OK)
		return rv;
	return move_audit(ctx, m, res);
}

/* The columns of SQL_STOCK_LIST, in order. */
static int
stock_level_read(const struct db_rows *rows, size_t i, void *out)
{
	struct stock_level	*s = out;

	return db_row_scan(rows, i, "issisiis", &s->product_id, &s->sku,
	    &s->name, &s->warehouse_id, &s->warehouse_code, &s->on_hand,
	    &s->reserved, &s->unit);
}

/* The columns of SQL_MOVEMENTS and SQL_MOVEMENT_GET, in order. */
static int
movement_read(const struct db_rows *rows, size_t i, void *out)
{
	struct movement	*m = out;

	return db_row_scan(rows, i, "iisissiissISs", &m->id, &m->product_id,
	    &m->sku, &m->warehouse_id, &m->warehouse_code, &m->kind,
	    &m->qty_delta, &m->balance_after, &m->reference, &m->note,
	    &m->user_id, &m->user_email, &m->created_at);
}

int
stock_list(struct arena *a, int64_t product_id, int64_t warehouse_id,
    int64_t after_product, int64_t after_warehouse, int64_t limit,
    struct stock_level_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), stock_level_read, &v, &out->n,
	    SQL_STOCK_LIST, "iiiiiii", product_id, product_id, warehouse_id,
	    warehouse_id, after_product, after_warehouse, limit);
	out->v = v;
	return rv;
}

int
stock_movements(struct arena *a, int64_t product_id, int64_t warehouse_id,
    const char *kind, int64_t before_id, int64_t limit,
    struct movement_list *out)
{
	const char	*k = kind != NULL ? kind : "";
	void		*v;
	int		 rv;

	rv = db_list(a, sizeof(*out->v), movement_read, &v, &out->n,
	    SQL_MOVEMENTS, "iiiissii", product_id, product_id, warehouse_id,
	    warehouse_id, k, k, before_id > 0 ? before_id : INT64_MAX, limit);
	out->v = v;
	return rv;
}

int
stock_ledger_kind_valid(const char *s)
{
	return name_index(ledger_kinds, sizeof(ledger_kinds) /
	    sizeof(ledger_kinds[0]), s) != -1;
}

int
stock_movement_get(struct arena *a, int64_t id, struct movement *out)
{
	int	found, rv;

	if ((rv = db_get(a, movement_read, out, &found, SQL_MOVEMENT_GET, "i",
	    id)) != DB_OK)
		return rv;
	return found ? DB_OK : DOM_NOT_FOUND;
}
