/*
 * catalog.c -- products, suppliers, warehouses.  See catalog.h.
 *
 * Each type is read from its rows in one place, a static reader beside
 * the column list of its SELECTs (PRODUCT_COLS, SUPPLIER_COLS, ...), with
 * db.h's checked row reader: a NULL or malformed cell is DB_ERROR.
 * Product lists never page by OFFSET: the API by id (keyset), the pages
 * by blocks of ids or by a keyset on sku or name (see products_page()).
 * A search never reads every product either: PRODUCT_SEARCH, search.c.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "catalog.h"
#include "db.h"
#include "domain.h"
#include "json.h"
#include "search.h"

/* The columns product_cols() reads, in its order. */
#define PRODUCT_BASE \
    "p.id, p.sku, p.name, p.unit, p.price_cents, p.cost_cents, " \
    "p.reorder_point, p.reorder_qty, p.supplier_id, p.active, p.version, " \
    "p.description"
/* product_read(): a product and its totals over all warehouses. */
#define PRODUCT_COLS \
    PRODUCT_BASE ", " \
    "(SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s " \
    "WHERE s.product_id = p.id), " \
    "(SELECT COALESCE(SUM(s.reserved), 0) FROM stock s " \
    "WHERE s.product_id = p.id)"
/*
 * A search's products (search.h): SKUs and names starting with it (their
 * B-tree indexes), and names the FULLTEXT index finds for its words, the
 * other words tested by REGEXP on those rows only.  Each branch reads
 * only what matches, where a LIKE '%q%' read every product; the UNION
 * drops duplicates.  Params: prefix, prefix, terms, rest.
 */
#define PRODUCT_SEARCH \
    "(SELECT id FROM products WHERE sku LIKE CONCAT(?, '%') " \
    "UNION SELECT id FROM products WHERE name LIKE CONCAT(?, '%') " \
    "UNION SELECT id FROM products WHERE " \
    "MATCH (name) AGAINST (? IN BOOLEAN MODE) AND name REGEXP ?) m " \
    "JOIN products p ON p.id = m.id "
/* The list orders' keysets: after an id; a sku; a (name, id). */
#define PRODUCTS_AFTER_ID \
    "p.id > ? ORDER BY p.id LIMIT ?"
#define PRODUCTS_AFTER_SKU \
    "p.sku > ? ORDER BY p.sku LIMIT ?"
#define PRODUCTS_AFTER_NAME \
    "(p.name > ? OR (p.name = ? AND p.id > ?)) ORDER BY p.name, p.id LIMIT ?"
#define PRODUCTS_OF \
    "(? = 0 OR p.supplier_id = ?) AND (? = -1 OR p.active = ?) AND "

static const char SQL_PRODUCT_INSERT[] =
    "INSERT INTO products (sku, name, description, unit, price_cents, "
    "cost_cents, reorder_point, reorder_qty, supplier_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PRODUCT_UPDATE[] =
    "UPDATE products SET sku = ?, name = ?, description = ?, unit = ?, "
    "price_cents = ?, cost_cents = ?, reorder_point = ?, reorder_qty = ?, "
    "supplier_id = ?, active = ?, version = version + 1, "
    "updated_at = NOW(6) WHERE id = ? AND version = ?";
static const char SQL_PRODUCT_VERSION[] =
    "SELECT version FROM products WHERE id = ?";
static const char SQL_PRODUCT_ARCHIVE[] =
    "UPDATE products SET active = 0, version = version + 1, "
    "updated_at = NOW(6) WHERE id = ?";
static const char SQL_PRODUCT_GET[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE p.id = ?";
/* A product and its stock rows in one round trip (one row per warehouse,
 * or one row of NULLs without stock). */
static const char SQL_PRODUCT_DETAIL[] =
    "SELECT " PRODUCT_BASE ", s.warehouse_id, w.code, s.on_hand, s.reserved "
    "FROM products p LEFT JOIN stock s ON s.product_id = p.id "
    "LEFT JOIN warehouses w ON w.id = s.warehouse_id WHERE p.id = ? "
    "ORDER BY w.code";
/* The API's list, all products or a search's. */
static const char SQL_PRODUCTS_BY_ID[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCTS_OF
    PRODUCTS_AFTER_ID;
static const char SQL_PRODUCTS_BY_ID_Q[] =
    "SELECT " PRODUCT_COLS " FROM " PRODUCT_SEARCH "WHERE " PRODUCTS_OF
    PRODUCTS_AFTER_ID;
/*
 * The pages list products without OFFSET: the default order pages by
 * blocks of ids (page n is ids (n-1)*size+1 .. n*size, an index range
 * however deep), the other orders by keyset (after the last row shown).
 */
/* The block and, in its last column, the highest id (for the pager): one
 * round trip; MariaDB reads MAX(id) off the end of the primary key. */
static const char SQL_PRODUCTS_BLOCK[] =
    "SELECT " PRODUCT_BASE ", COALESCE(SUM(s.on_hand), 0), "
    "COALESCE(SUM(s.reserved), 0), (SELECT MAX(id) FROM products) "
    "FROM products p LEFT JOIN stock s ON s.product_id = p.id "
    "WHERE p.id BETWEEN ? AND ? GROUP BY p.id ORDER BY p.id";
#define PRODUCTS_BLOCK_MAX_COL	14	/* PRODUCT_BASE's 12, the 2 sums */
static const char SQL_PRODUCTS_AFTER_ID[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCTS_AFTER_ID;
static const char SQL_PRODUCTS_AFTER_SKU[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCTS_AFTER_SKU;
static const char SQL_PRODUCTS_AFTER_NAME[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCTS_AFTER_NAME;
/* The same over a search's products. */
static const char SQL_PRODUCTS_AFTER_ID_Q[] =
    "SELECT " PRODUCT_COLS " FROM " PRODUCT_SEARCH "WHERE "
    PRODUCTS_AFTER_ID;
static const char SQL_PRODUCTS_AFTER_SKU_Q[] =
    "SELECT " PRODUCT_COLS " FROM " PRODUCT_SEARCH "WHERE "
    PRODUCTS_AFTER_SKU;
static const char SQL_PRODUCTS_AFTER_NAME_Q[] =
    "SELECT " PRODUCT_COLS " FROM " PRODUCT_SEARCH "WHERE "
    PRODUCTS_AFTER_NAME;
static const char SQL_PRODUCTS_MAX_ID[] =
    "SELECT COALESCE(MAX(id), 0) FROM products";
static const char SQL_PRODUCT_BY_SKU[] =
    "SELECT id FROM products WHERE sku = ?";
static const char SQL_SUPPLIER_EXISTS[] =
    "SELECT id FROM suppliers WHERE id = ?";

static const char SQL_SUPPLIER_INSERT[] =
    "INSERT INTO suppliers (name, email, lead_time_days) VALUES (?, ?, ?)";
static const char SQL_SUPPLIER_UPDATE[] =
    "UPDATE suppliers SET name = ?, email = ?, lead_time_days = ?, "
    "active = ? WHERE id = ?";
/* supplier_read() and warehouse_read(): a row with its counts. */
#define SUPPLIER_COLS \
    "s.id, s.name, s.email, s.lead_time_days, s.active, " \
    "(SELECT COUNT(*) FROM products p WHERE p.supplier_id = s.id)"
#define WAREHOUSE_COLS \
    "w.id, w.code, w.name, w.active, " \
    "(SELECT COUNT(*) FROM stock s WHERE s.warehouse_id = w.id), " \
    "(SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s " \
    "WHERE s.warehouse_id = w.id)"
static const char SQL_SUPPLIER_GET[] =
    "SELECT " SUPPLIER_COLS " FROM suppliers s WHERE s.id = ?";
static const char SQL_SUPPLIERS[] =
    "SELECT " SUPPLIER_COLS " FROM suppliers s WHERE s.id > ? "
    "ORDER BY s.id LIMIT ?";
static const char SQL_WAREHOUSE_INSERT[] =
    "INSERT INTO warehouses (code, name) VALUES (?, ?)";
static const char SQL_WAREHOUSE_UPDATE[] =
    "UPDATE warehouses SET code = ?, name = ?, active = ? WHERE id = ?";
static const char SQL_WAREHOUSE_EXISTS[] =
    "SELECT id FROM warehouses WHERE id = ?";
static const char SQL_WAREHOUSE_GET[] =
    "SELECT " WAREHOUSE_COLS " FROM warehouses w WHERE w.id = ?";
static const char SQL_WAREHOUSES[] =
    "SELECT " WAREHOUSE_COLS " FROM warehouses w WHERE w.id > ? "
    "ORDER BY w.id LIMIT ?";

/* --- row readers: the only code that knows the columns' order ---------- */

/* PRODUCT_BASE, through rd. */
static void
product_cols(struct db_row *rd, struct product *p)
{
	memset(p, 0, sizeof(*p));
	db_row_fields(rd, "isssiiiiIbis", &p->id, &p->sku, &p->name, &p->unit,
	    &p->price_cents, &p->cost_cents, &p->reorder_point,
	    &p->reorder_qty, &p->supplier_id, &p->active, &p->version,
	    &p->description);
}

/* PRODUCT_COLS (or SQL_PRODUCTS_BLOCK): the product and its totals. */
static int
product_read(const struct db_rows *rows, size_t i, void *out)
{
	struct product	*p = out;
	struct db_row	 rd;

	db_row_start(&rd, rows, i);
	product_cols(&rd, p);
	db_row_fields(&rd, "ii", &p->on_hand, &p->reserved);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

/* A row of SQL_PRODUCTS_BLOCK: product_read()'s, and the highest id,
 * which products_page() reads off the first row. */
static int
product_block_read(const struct db_rows *rows, size_t i, void *out)
{
	struct product	*p = out;
	struct db_row	 rd;
	int64_t		 max_id;

	db_row_start(&rd, rows, i);
	product_cols(&rd, p);
	db_row_fields(&rd, "iii", &p->on_hand, &p->reserved, &max_id);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

/* SUPPLIER_COLS. */
static int
supplier_read(const struct db_rows *rows, size_t i, void *out)
{
	struct supplier	*s = out;

	return db_row_scan(rows, i, "issibi", &s->id, &s->name, &s->email,
	    &s->lead_time_days, &s->active, &s->products);
}

/* WAREHOUSE_COLS. */
static int
warehouse_read(const struct db_rows *rows, size_t i, void *out)
{
	struct warehouse	*w = out;

	return db_row_scan(rows, i, "issbii", &w->id, &w->code, &w->name,
	    &w->active, &w->stock_rows, &w->units_on_hand);
}

/*
 * warehouse_id, warehouse code, on_hand, reserved.  All four NULL (the
 * LEFT JOIN of a product without stock) leave s->warehouse_id 0; -1 if
 * only some are.
 */
static int
stock_cols(struct db_row *rd, struct product_stock *s)
{
	memset(s, 0, sizeof(*s));
	if ((s->warehouse_id = db_row_i64_or(rd, 0)) == 0)
		return db_row_null(rd) && db_row_null(rd) && db_row_null(rd) ?
		    0 : -1;
	s->warehouse_code = db_row_str(rd);
	s->on_hand = db_row_i64(rd);
	s->reserved = db_row_i64(rd);
	return 0;
}

/* A get by id through fn into out (size bytes): DB_OK, DOM_NOT_FOUND or
 * a status. */
static int
row_get(struct arena *a, db_reader fn, void *out, size_t size,
    const char *sql, int64_t id)
{
	int	found, rv;

	memset(out, 0, size);
	if ((rv = db_get(a, fn, out, &found, sql, "i", id)) != DB_OK)
		return rv;
	return found ? DB_OK : DOM_NOT_FOUND;
}

static const char *
id_str(const struct audit_ctx *ctx, int64_t id)
{
	return arena_printf(ctx->arena, "%" PRId64, id);
}

static int
sku_ok(const char *s)
{
	size_t	i, n = s != NULL ? strlen(s) : 0;

	if (n < 1 || n > 40)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
product_validate(struct arena *a, const struct product *p,
    struct dom_error *err)
{
	struct db_rows	rows;
	int		rv;

	if (!sku_ok(p->sku))
		return dom_fail(err, DOM_INVALID, "sku", "Use 1 to 40 letters, "
		    "digits, dots, dashes or underscores.");
	if (!dom_text_ok(p->name, 1, 200, 1) ||
	    strchr(p->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 200 characters.");
	if (!dom_text_ok(p->description, 0, 4000, 1))
		return dom_fail(err, DOM_INVALID, "description",
		    "Use at most 4000 characters.");
	if (!dom_text_ok(p->unit, 1, 20, 1) ||
	    strchr(p->unit, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "unit",
		    "Enter a unit of 1 to 20 characters, e.g. pcs.");
	if (p->price_cents < 0 || p->price_cents > BR_MAX_CENTS)
		return dom_fail(err, DOM_INVALID, "price_cents",
		    "Enter a price from 0.00.");
	if (p->cost_cents < 0 || p->cost_cents > BR_MAX_CENTS)
		return dom_fail(err, DOM_INVALID, "cost_cents",
		    "Enter a cost from 0.00.");
	if (p->reorder_point < 0 || p->reorder_point > BR_MAX_QTY)
		return dom_fail(err, DOM_INVALID, "reorder_point",
		    "Enter 0 to a billion units.");
	if (p->reorder_qty < 0 || p->reorder_qty > BR_MAX_QTY)
		return dom_fail(err, DOM_INVALID, "reorder_qty",
		    "Enter 0 to a billion units.");
	if (p->supplier_id < 0)
		return dom_fail(err, DOM_INVALID, "supplier_id",
		    "No such supplier.");
	if (p->supplier_id > 0) {
		if ((rv = db_query(a, &rows, SQL_SUPPLIER_EXISTS, "i",
		    p->supplier_id)) != DB_OK)
			return rv;
		if (rows.nrows != 1)
			return dom_fail(err, DOM_INVALID, "supplier_id",
			    "No such supplier.");
	}
	return DB_OK;
}

static struct json_object *
product_details(const struct product *p)
{
	struct json_object	*d = json_object_new_object();

	json_add_str(d, "sku", p->sku);
	json_add_str(d, "name", p->name);
	json_add_i64(d, "price_cents", p->price_cents);
	json_add_i64(d, "cost_cents", p->cost_cents);
	json_add_i64(d, "reorder_point", p->reorder_point);
	json_add_i64(d, "reorder_qty", p->reorder_qty);
	json_add_bool(d, "active", p->active);
	return d;
}

static const char *
supplier_param(const struct audit_ctx *ctx, int64_t id)
{
	return id > 0 ? id_str(ctx, id) : NULL;
}

int
products_create(const struct audit_ctx *ctx, const struct product *p,
    int64_t *id_out, struct dom_error *err)
{
	int64_t	n;
	int	rv;

	if ((rv = product_validate(ctx->arena, p, err)) != DB_OK)
		return rv;
	n = db_exec(SQL_PRODUCT_INSERT, "ssssiiiis", p->sku, p->name,
	    p->description != NULL ? p->description : "", p->unit,
	    p->price_cents, p->cost_cents, p->reorder_point, p->reorder_qty,
	    supplier_param(ctx, p->supplier_id));
	if (n == DB_DUPLICATE)
		return dom_fail(err, DOM_INVALID, "sku",
		    "A product with this SKU exists already.");
	if (n < 0)
		return (int)n;
	*id_out = db_last_insert_id();
	return audit_write(ctx, "product.created", "product",
	    id_str(ctx, *id_out), product_details(p));
}

int
products_update(const struct audit_ctx *ctx, const struct product *p,
    struct dom_error *err)
{
	int64_t	n;
	int	found, rv;

	if ((rv = product_validate(ctx->arena, p, err)) != DB_OK)
		return rv;
	n = db_exec(SQL_PRODUCT_UPDATE, "ssssiiiisiii", p->sku, p->name,
	    p->description != NULL ? p->description : "", p->unit,
	    p->price_cents, p->cost_cents, p->reorder_point, p->reorder_qty,
	    supplier_param(ctx, p->supplier_id), (int64_t)(p->active != 0),
	    p->id, p->version);
	if (n == DB_DUPLICATE)
		return dom_fail(err, DOM_INVALID, "sku",
		    "A product with this SKU exists already.");
	if (n < 0)
		return (int)n;
	if (n == 0) {
		if ((rv = db_get(ctx->arena, db_read_i64, &err->version, &found,
		    SQL_PRODUCT_VERSION, "i", p->id)) != DB_OK)
			return rv;
		if (!found)
			return dom_fail(err, DOM_NOT_FOUND, NULL,
			    "No such product.");
		return dom_fail(err, DOM_CONFLICT, "version", "Someone else "
		    "changed this product meanwhile; the form shows the "
		    "current values.");
	}
	return audit_write(ctx, "product.updated", "product",
	    id_str(ctx, p->id), product_details(p));
}

int
products_archive(const struct audit_ctx *ctx, int64_t id,
    struct dom_error *err)
{
	int64_t	n;

	if ((n = db_exec(SQL_PRODUCT_ARCHIVE, "i", id)) < 0)
		return (int)n;
	if (n == 0)
		return dom_fail(err, DOM_NOT_FOUND, NULL, "No such product.");
	return audit_write(ctx, "product.archived", "product", id_str(ctx, id),
	    NULL);
}

int
products_get(struct arena *a, int64_t id, struct product *p)
{
	return row_get(a, product_read, p, sizeof(*p), SQL_PRODUCT_GET, id);
}

int
products_detail(struct arena *a, int64_t id, struct product *p,
    struct product_stock_list *out)
{
	struct db_rows	 rows;
	struct db_row	 rd;
	struct product	 cur;
	size_t		 i;
	int		 rv;

	memset(p, 0, sizeof(*p));
	memset(out, 0, sizeof(*out));
	if ((rv = db_query(a, &rows, SQL_PRODUCT_DETAIL, "i", id)) != DB_OK)
		return rv;
	if (rows.nrows == 0)
		return DOM_NOT_FOUND;
	if ((out->v = arena_calloc(a, rows.nrows, sizeof(*out->v))) == NULL)
		return DB_ERROR;
	for (i = 0; i < rows.nrows; i++) {
		db_row_start(&rd, &rows, i);
		product_cols(&rd, i == 0 ? p : &cur);
		if (stock_cols(&rd, &out->v[out->n]) == -1 ||
		    db_row_end(&rd) == -1)
			return DB_ERROR;
		if (out->v[out->n].warehouse_id == 0)
			continue;
		p->on_hand += out->v[out->n].on_hand;
		p->reserved += out->v[out->n].reserved;
		out->n++;
	}
	return DB_OK;
}

int64_t
products_id_by_sku(struct arena *a, const char *sku)
{
	int64_t	id = 0;
	int	found, rv;

	if ((rv = db_get(a, db_read_i64, &id, &found, SQL_PRODUCT_BY_SKU, "s",
	    sku)) != DB_OK)
		return rv;
	return id;
}

/* The rows of a product list query into out. */
static int
products_read(struct arena *a, const struct db_rows *rows,
    struct product_list *out)
{
	void	*v;
	int	 rv;

	rv = db_rows_read(a, rows, sizeof(*out->v), product_read, &v,
	    &out->n);
	out->v = v;
	return rv;
}

int
products_list(struct arena *a, const char *q, int64_t supplier_id, int active,
    int64_t after_id, int64_t limit, struct product_list *out)
{
	struct search_query	 sq;
	struct db_rows		 rows;
	int			 rv;

	memset(out, 0, sizeof(*out));
	if (search_parse(a, q, &sq) == -1)
		return DB_ERROR;
	if (sq.prefix[0] == '\0')
		rv = db_query(a, &rows, SQL_PRODUCTS_BY_ID, "iiiiii",
		    supplier_id, supplier_id, (int64_t)active, (int64_t)active,
		    after_id, limit);
	else
		rv = db_query(a, &rows, SQL_PRODUCTS_BY_ID_Q, "ssssiiiiii",
		    sq.prefix, sq.prefix, sq.terms, sq.rest, supplier_id,
		    supplier_id, (int64_t)active, (int64_t)active, after_id,
		    limit);
	if (rv != DB_OK)
		return rv;
	return products_read(a, &rows, out);
}

/* products_page() by keyset over a search's products: up to limit+1 rows
 * after (after, after_id). */
static int
products_search_after(struct arena *a, const struct product_page_req *q,
    const struct search_query *sq, struct db_rows *rows)
{
	const char	*after = q->after != NULL ? q->after : "";

	switch (q->sort) {
	case PRODUCTS_BY_SKU:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_SKU_Q, "sssssi",
		    sq->prefix, sq->prefix, sq->terms, sq->rest, after,
		    q->limit + 1);
	case PRODUCTS_BY_NAME:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_NAME_Q,
		    "ssssssii", sq->prefix, sq->prefix, sq->terms, sq->rest,
		    after, after, q->after_id, q->limit + 1);
	default:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_ID_Q, "ssssii",
		    sq->prefix, sq->prefix, sq->terms, sq->rest, q->after_id,
		    q->limit + 1);
	}
}

/* products_page() by keyset: up to limit+1 rows after (after, after_id),
 * of a search (sq's prefix not "") or of all products. */
static int
products_after(struct arena *a, const struct product_page_req *q,
    const struct search_query *sq, struct db_rows *rows)
{
	const char	*after = q->after != NULL ? q->after : "";

	if (sq->prefix[0] != '\0')
		return products_search_after(a, q, sq, rows);
	switch (q->sort) {
	case PRODUCTS_BY_SKU:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_SKU, "si", after,
		    q->limit + 1);
	case PRODUCTS_BY_NAME:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_NAME, "ssii", after,
		    after, q->after_id, q->limit + 1);
	default:
		return db_query(a, rows, SQL_PRODUCTS_AFTER_ID, "ii",
		    q->after_id, q->limit + 1);
	}
}

int
products_page(struct arena *a, const struct product_page_req *q,
    struct product_list *out, int64_t *max_id)
{
	struct search_query	 sq;
	struct db_rows		 rows;
	void			*v;
	int			 found, rv;

	*max_id = 0;
	memset(out, 0, sizeof(*out));
	if (search_parse(a, q->q, &sq) == -1)
		return DB_ERROR;
	if (q->sort != PRODUCTS_BY_ID || sq.prefix[0] != '\0' ||
	    q->page <= 0) {
		if ((rv = products_after(a, q, &sq, &rows)) != DB_OK)
			return rv;
		return products_read(a, &rows, out);
	}
	if ((rv = db_query(a, &rows, SQL_PRODUCTS_BLOCK, "ii",
	    (q->page - 1) * q->limit + 1, q->page * q->limit)) != DB_OK ||
	    (rv = db_rows_read(a, &rows, sizeof(*out->v), product_block_read,
	    &v, &out->n)) != DB_OK)
		return rv;
	out->v = v;
	if (out->n > 0)
		return db_cell_i64(&rows, 0, PRODUCTS_BLOCK_MAX_COL, max_id) ==
		    -1 ? DB_ERROR : DB_OK;
	/* An empty block (past the end, or a gap of deleted ids). */
	if ((rv = db_get(a, db_read_i64, max_id, &found, SQL_PRODUCTS_MAX_ID,
	    "")) != DB_OK)
		return rv;
	return found ? DB_OK : DB_ERROR;
}

/* --- suppliers and warehouses ------------------------------------------- */

/* What differs between saving a supplier and a warehouse. */
struct entity {
	const char	*name;		/* audit entity */
	const char	*created, *updated;	/* audit actions */
	const char	*dup_field, *dup_message;
	const char	*missing;
	const char	*sql_exists;
};

static const struct entity SUPPLIER = {
	"supplier", "supplier.created", "supplier.updated", "name",
	"A supplier with this name exists already.", "No such supplier.",
	SQL_SUPPLIER_EXISTS
};
static const struct entity WAREHOUSE = {
	"warehouse", "warehouse.created", "warehouse.updated", "code",
	"A warehouse with this code exists already.", "No such warehouse.",
	SQL_WAREHOUSE_EXISTS
};

/*
 * The end of a save: n is the INSERT's or UPDATE's result, id the row
 * edited (0: created).  An UPDATE that changed nothing is not found only
 * if the row does not exist.  d (the audit details) is consumed.
 */
static int
entity_saved(const struct audit_ctx *ctx, const struct entity *e, int64_t n,
    int64_t id, int64_t *id_out, struct json_object *d, struct dom_error *err)
{
	struct db_rows	rows;
	int		create = id == 0;

	if (n < 0)
		json_object_put(d);
	if (n == DB_DUPLICATE)
		return dom_fail(err, DOM_INVALID, e->dup_field, e->dup_message);
	if (n < 0)
		return (int)n;
	if (create)
		id = db_last_insert_id();
	else if (n == 0 && db_query(ctx->arena, &rows, e->sql_exists, "i",
	    id) == DB_OK && rows.nrows == 0) {
		json_object_put(d);
		return dom_fail(err, DOM_NOT_FOUND, NULL, e->missing);
	}
	if (id_out != NULL)
		*id_out = id;
	return audit_write(ctx, create ? e->created : e->updated, e->name,
	    id_str(ctx, id), d);
}

int
suppliers_save(const struct audit_ctx *ctx, const struct supplier *s,
    int64_t *id_out, struct dom_error *err)
{
	struct json_object	*d;
	const char		*email = s->email != NULL ? s->email : "";
	int64_t			 n;

	if (!dom_text_ok(s->name, 1, 100, 1) ||
	    strchr(s->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 100 characters.");
	if (!dom_text_ok(email, 0, 254, 1) || (email[0] != '\0' &&
	    strchr(email, '@') == NULL))
		return dom_fail(err, DOM_INVALID, "email",
		    "Enter an email address or leave it empty.");
	if (s->lead_time_days < 0 || s->lead_time_days > 365)
		return dom_fail(err, DOM_INVALID, "lead_time_days",
		    "Enter 0 to 365 days.");
	if (s->id == 0)
		n = db_exec(SQL_SUPPLIER_INSERT, "ssi", s->name, email,
		    s->lead_time_days);
	else
		n = db_exec(SQL_SUPPLIER_UPDATE, "ssiii", s->name, email,
		    s->lead_time_days, (int64_t)(s->active != 0), s->id);
	d = json_object_new_object();
	json_add_str(d, "name", s->name);
	json_add_i64(d, "lead_time_days", s->lead_time_days);
	return entity_saved(ctx, &SUPPLIER, n, s->id, id_out, d, err);
}

int
suppliers_get(struct arena *a, int64_t id, struct supplier *s)
{
	return row_get(a, supplier_read, s, sizeof(*s), SQL_SUPPLIER_GET, id);
}

int
suppliers_list(struct arena *a, int64_t after_id, int64_t limit,
    struct supplier_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), supplier_read, &v, &out->n,
	    SQL_SUPPLIERS, "ii", after_id, limit);
	out->v = v;
	return rv;
}

int
warehouses_save(const struct audit_ctx *ctx, const struct warehouse *w,
    int64_t *id_out, struct dom_error *err)
{
	struct json_object	*d;
	int64_t			 n;

	if (!sku_ok(w->code) || strlen(w->code) > 20)
		return dom_fail(err, DOM_INVALID, "code", "Use 1 to 20 "
		    "letters, digits, dots, dashes or underscores.");
	if (!dom_text_ok(w->name, 1, 100, 1) ||
	    strchr(w->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 100 characters.");
	if (w->id == 0)
		n = db_exec(SQL_WAREHOUSE_INSERT, "ss", w->code, w->name);
	else
		n = db_exec(SQL_WAREHOUSE_UPDATE, "ssii", w->code, w->name,
		    (int64_t)(w->active != 0), w->id);
	d = json_object_new_object();
	json_add_str(d, "code", w->code);
	json_add_str(d, "name", w->name);
	return entity_saved(ctx, &WAREHOUSE, n, w->id, id_out, d, err);
}

int
warehouses_get(struct arena *a, int64_t id, struct warehouse *w)
{
	return row_get(a, warehouse_read, w, sizeof(*w), SQL_WAREHOUSE_GET,
	    id);
}

int
warehouses_list(struct arena *a, int64_t after_id, int64_t limit,
    struct warehouse_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), warehouse_read, &v, &out->n,
	    SQL_WAREHOUSES, "ii", after_id, limit);
	out->v = v;
	return rv;
}
