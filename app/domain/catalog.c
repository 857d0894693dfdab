/*
 * catalog.c -- products, suppliers, warehouses.  See catalog.h.
 *
 * Product lists for the pages page by OFFSET over the (sku) or (name)
 * index with a deferred join: the offset walks a narrow index, then only
 * the page's rows are read.  The API pages by id (keyset), which stays
 * flat however deep it goes.
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "domain.h"
#include "str.h"

#define PRODUCT_COLS \
    "p.id, p.sku, p.name, p.unit, p.price_cents, p.cost_cents, " \
    "p.reorder_point, p.reorder_qty, p.supplier_id, p.active, p.version, " \
    "p.description, " \
    "(SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s " \
    "WHERE s.product_id = p.id), " \
    "(SELECT COALESCE(SUM(s.reserved), 0) FROM stock s " \
    "WHERE s.product_id = p.id)"
#define PRODUCT_FILTER \
    "(? = '' OR p.sku LIKE CONCAT(?, '%') OR p.name LIKE CONCAT('%', ?, '%')) "

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
    "SELECT p.id, p.sku, p.name, p.unit, p.price_cents, p.cost_cents, "
    "p.reorder_point, p.reorder_qty, p.supplier_id, p.active, p.version, "
    "p.description, s.warehouse_id, w.code, s.on_hand, s.reserved "
    "FROM products p LEFT JOIN stock s ON s.product_id = p.id "
    "LEFT JOIN warehouses w ON w.id = s.warehouse_id WHERE p.id = ? "
    "ORDER BY w.code";
static const char SQL_PRODUCT_STOCK[] =
    "SELECT s.warehouse_id, w.code, s.on_hand, s.reserved FROM stock s "
    "JOIN warehouses w ON w.id = s.warehouse_id WHERE s.product_id = ? "
    "ORDER BY w.code";
static const char SQL_PRODUCTS_BY_ID[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCT_FILTER
    "AND (? = 0 OR p.supplier_id = ?) AND (? = -1 OR p.active = ?) "
    "AND p.id > ? ORDER BY p.id LIMIT ?";
/*
 * The pages list products without OFFSET: the default order pages by
 * blocks of ids (page n is ids (n-1)*size+1 .. n*size, an index range
 * however deep), the other orders by keyset (after the last row shown).
 */
static const char SQL_PRODUCTS_BLOCK[] =
    "SELECT p.id, p.sku, p.name, p.unit, p.price_cents, p.cost_cents, "
    "p.reorder_point, p.reorder_qty, p.supplier_id, p.active, p.version, "
    "p.description, COALESCE(SUM(s.on_hand), 0), COALESCE(SUM(s.reserved), 0) "
    "FROM products p LEFT JOIN stock s ON s.product_id = p.id "
    "WHERE p.id BETWEEN ? AND ? GROUP BY p.id ORDER BY p.id";
static const char SQL_PRODUCTS_AFTER_ID[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCT_FILTER
    "AND p.id > ? ORDER BY p.id LIMIT ?";
static const char SQL_PRODUCTS_AFTER_SKU[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCT_FILTER
    "AND p.sku > ? ORDER BY p.sku LIMIT ?";
static const char SQL_PRODUCTS_AFTER_NAME[] =
    "SELECT " PRODUCT_COLS " FROM products p WHERE " PRODUCT_FILTER
    "AND (p.name > ? OR (p.name = ? AND p.id > ?)) "
    "ORDER BY p.name, p.id LIMIT ?";
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
static const char SQL_SUPPLIER_GET[] =
    "SELECT id, name, email, lead_time_days, active FROM suppliers "
    "WHERE id = ?";
static const char SQL_SUPPLIERS[] =
    "SELECT s.id, s.name, s.email, s.lead_time_days, s.active, "
    "(SELECT COUNT(*) FROM products p WHERE p.supplier_id = s.id) "
    "FROM suppliers s WHERE s.id > ? ORDER BY s.id LIMIT ?";
static const char SQL_WAREHOUSE_INSERT[] =
    "INSERT INTO warehouses (code, name) VALUES (?, ?)";
static const char SQL_WAREHOUSE_UPDATE[] =
    "UPDATE warehouses SET code = ?, name = ?, active = ? WHERE id = ?";
static const char SQL_WAREHOUSE_GET[] =
    "SELECT id, code, name, active FROM warehouses WHERE id = ?";
static const char SQL_WAREHOUSES[] =
    "SELECT w.id, w.code, w.name, w.active, "
    "(SELECT COUNT(*) FROM stock s WHERE s.warehouse_id = w.id), "
    "(SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s "
    "WHERE s.warehouse_id = w.id) FROM warehouses w WHERE w.id > ? "
    "ORDER BY w.id LIMIT ?";

static int64_t
i64(const char *s)
{
	int64_t	v = 0;

	if (s != NULL)
		(void)str_to_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

static const char *
id_str(const struct audit_ctx *ctx, int64_t id)
{
	return arena_printf(ctx->arena, "%" PRId64, id);
}

/* Printable text of min..max bytes without control characters. */
static int
text_ok(const char *s, size_t min, size_t max)
{
	size_t	i, n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\n' &&
		    s[i] != '\r' && s[i] != '\t') || s[i] == 0x7f)
			return 0;
	return 1;
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
	if (!text_ok(p->name, 1, 200) || strchr(p->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 200 characters.");
	if (!text_ok(p->description, 0, 4000))
		return dom_fail(err, DOM_INVALID, "description",
		    "Use at most 4000 characters.");
	if (!text_ok(p->unit, 1, 20) || strchr(p->unit, '\n') != NULL)
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

	json_object_object_add(d, "sku", json_object_new_string(p->sku));
	json_object_object_add(d, "name", json_object_new_string(p->name));
	json_object_object_add(d, "price_cents",
	    json_object_new_int64(p->price_cents));
	json_object_object_add(d, "cost_cents",
	    json_object_new_int64(p->cost_cents));
	json_object_object_add(d, "reorder_point",
	    json_object_new_int64(p->reorder_point));
	json_object_object_add(d, "reorder_qty",
	    json_object_new_int64(p->reorder_qty));
	json_object_object_add(d, "active", json_object_new_boolean(p->active));
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
	struct db_rows	rows;
	int64_t		n;
	int		rv;

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
		if ((rv = db_query(ctx->arena, &rows, SQL_PRODUCT_VERSION, "i",
		    p->id)) != DB_OK)
			return rv;
		if (rows.nrows == 0)
			return dom_fail(err, DOM_NOT_FOUND, NULL,
			    "No such product.");
		err->version = i64(DB_CELL(&rows, 0, 0));
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

static void
product_from_row(struct db_rows *r, size_t i, struct product *p)
{
	p->id = i64(DB_CELL(r, i, 0));
	p->sku = DB_CELL(r, i, 1);
	p->name = DB_CELL(r, i, 2);
	p->unit = DB_CELL(r, i, 3);
	p->price_cents = i64(DB_CELL(r, i, 4));
	p->cost_cents = i64(DB_CELL(r, i, 5));
	p->reorder_point = i64(DB_CELL(r, i, 6));
	p->reorder_qty = i64(DB_CELL(r, i, 7));
	p->supplier_id = i64(DB_CELL(r, i, 8));
	p->active = i64(DB_CELL(r, i, 9)) != 0;
	p->version = i64(DB_CELL(r, i, 10));
	p->description = DB_CELL(r, i, 11);
}

int
products_get(struct arena *a, int64_t id, struct product *p)
{
	struct db_rows	rows;
	int		rv;

	memset(p, 0, sizeof(*p));
	if ((rv = db_query(a, &rows, SQL_PRODUCT_GET, "i", id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DOM_NOT_FOUND;
	product_from_row(&rows, 0, p);
	return DB_OK;
}

int
products_detail(struct arena *a, int64_t id, struct product *p,
    struct db_rows *rows)
{
	int	rv;

	memset(p, 0, sizeof(*p));
	if ((rv = db_query(a, rows, SQL_PRODUCT_DETAIL, "i", id)) != DB_OK)
		return rv;
	if (rows->nrows == 0)
		return DOM_NOT_FOUND;
	product_from_row(rows, 0, p);
	return DB_OK;
}

int64_t
products_id_by_sku(struct arena *a, const char *sku)
{
	struct db_rows	rows;
	int		rv;

	if ((rv = db_query(a, &rows, SQL_PRODUCT_BY_SKU, "s", sku)) != DB_OK)
		return rv;
	return rows.nrows == 1 ? i64(DB_CELL(&rows, 0, 0)) : 0;
}

int
products_stock(struct arena *a, int64_t id, struct db_rows *out)
{
	return db_query(a, out, SQL_PRODUCT_STOCK, "i", id);
}

/* q with LIKE's wildcards escaped, so a search is literal; NULL when the
 * arena is full. */
static const char *
like_literal(struct arena *a, const char *q)
{
	char	*out;
	size_t	 i, n = 0, len;

	if (q == NULL)
		return "";
	len = strlen(q);
	if (len > (SIZE_MAX - 1) / 2 ||
	    (out = arena_alloc(a, len * 2 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			out[n++] = '\\';
		out[n++] = q[i];
	}
	out[n] = '\0';
	return out;
}

int
products_list(struct arena *a, const char *q, int64_t supplier_id, int active,
    int64_t after_id, int64_t limit, struct db_rows *out)
{
	const char	*lq = like_literal(a, q);

	if (lq == NULL)
		return DB_ERROR;
	return db_query(a, out, SQL_PRODUCTS_BY_ID, "sssiiiiii", lq, lq, lq,
	    supplier_id, supplier_id, (int64_t)active, (int64_t)active,
	    after_id, limit);
}

int
products_page(struct arena *a, const struct product_page_req *q,
    struct db_rows *out, int64_t *max_id)
{
	struct db_rows	 m;
	const char	*lq = like_literal(a, q->q);
	int		 rv;

	*max_id = 0;
	if (lq == NULL)
		return DB_ERROR;
	if (q->sort == PRODUCTS_BY_ID && (q->q == NULL || q->q[0] == '\0') &&
	    q->page > 0) {
		if ((rv = db_query(a, &m, SQL_PRODUCTS_MAX_ID, "")) != DB_OK)
			return rv;
		*max_id = i64(DB_CELL(&m, 0, 0));
		return db_query(a, out, SQL_PRODUCTS_BLOCK, "ii",
		    (q->page - 1) * q->limit + 1, q->page * q->limit);
	}
	switch (q->sort) {
	case PRODUCTS_BY_SKU:
		return db_query(a, out, SQL_PRODUCTS_AFTER_SKU, "ssssi", lq, lq,
		    lq, q->after != NULL ? q->after : "", q->limit + 1);
	case PRODUCTS_BY_NAME:
		return db_query(a, out, SQL_PRODUCTS_AFTER_NAME, "sssssii", lq,
		    lq, lq, q->after != NULL ? q->after : "",
		    q->after != NULL ? q->after : "", q->after_id, q->limit + 1);
	default:
		return db_query(a, out, SQL_PRODUCTS_AFTER_ID, "sssii", lq, lq,
		    lq, q->after_id, q->limit + 1);
	}
}

/* --- suppliers and warehouses ------------------------------------------- */

int
suppliers_save(const struct audit_ctx *ctx, const struct supplier *s,
    int64_t *id_out, struct dom_error *err)
{
	struct json_object	*d;
	int64_t			 n, id = s->id;

	if (!text_ok(s->name, 1, 100) || strchr(s->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 100 characters.");
	if (!text_ok(s->email, 0, 254) || (s->email != NULL &&
	    s->email[0] != '\0' && strchr(s->email, '@') == NULL))
		return dom_fail(err, DOM_INVALID, "email",
		    "Enter an email address or leave it empty.");
	if (s->lead_time_days < 0 || s->lead_time_days > 365)
		return dom_fail(err, DOM_INVALID, "lead_time_days",
		    "Enter 0 to 365 days.");
	if (id == 0)
		n = db_exec(SQL_SUPPLIER_INSERT, "ssi", s->name,
		    s->email != NULL ? s->email : "", s->lead_time_days);
	else
		n = db_exec(SQL_SUPPLIER_UPDATE, "ssiii", s->name,
		    s->email != NULL ? s->email : "", s->lead_time_days,
		    (int64_t)(s->active != 0), id);
	if (n == DB_DUPLICATE)
		return dom_fail(err, DOM_INVALID, "name",
		    "A supplier with this name exists already.");
	if (n < 0)
		return (int)n;
	if (id == 0)
		id = db_last_insert_id();
	else if (n == 0) {
		struct supplier cur;
		if (suppliers_get(ctx->arena, id, &cur) == DOM_NOT_FOUND)
			return dom_fail(err, DOM_NOT_FOUND, NULL,
			    "No such supplier.");
	}
	if (id_out != NULL)
		*id_out = id;
	d = json_object_new_object();
	json_object_object_add(d, "name", json_object_new_string(s->name));
	json_object_object_add(d, "lead_time_days",
	    json_object_new_int64(s->lead_time_days));
	return audit_write(ctx, s->id == 0 ? "supplier.created" :
	    "supplier.updated", "supplier", id_str(ctx, id), d);
}

int
suppliers_get(struct arena *a, int64_t id, struct supplier *s)
{
	struct db_rows	rows;
	int		rv;

	memset(s, 0, sizeof(*s));
	if ((rv = db_query(a, &rows, SQL_SUPPLIER_GET, "i", id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DOM_NOT_FOUND;
	s->id = id;
	s->name = DB_CELL(&rows, 0, 1);
	s->email = DB_CELL(&rows, 0, 2);
	s->lead_time_days = i64(DB_CELL(&rows, 0, 3));
	s->active = i64(DB_CELL(&rows, 0, 4)) != 0;
	return DB_OK;
}

int
suppliers_list(struct arena *a, int64_t after_id, int64_t limit,
    struct db_rows *out)
{
	return db_query(a, out, SQL_SUPPLIERS, "ii", after_id, limit);
}

int
warehouses_save(const struct audit_ctx *ctx, const struct warehouse *w,
    int64_t *id_out, struct dom_error *err)
{
	struct json_object	*d;
	int64_t			 n, id = w->id;

	if (!sku_ok(w->code) || strlen(w->code) > 20)
		return dom_fail(err, DOM_INVALID, "code", "Use 1 to 20 letters, "
		    "digits, dots, dashes or underscores.");
	if (!text_ok(w->name, 1, 100) || strchr(w->name, '\n') != NULL)
		return dom_fail(err, DOM_INVALID, "name",
		    "Enter a name of 1 to 100 characters.");
	if (id == 0)
		n = db_exec(SQL_WAREHOUSE_INSERT, "ss", w->code, w->name);
	else
		n = db_exec(SQL_WAREHOUSE_UPDATE, "ssii", w->code, w->name,
		    (int64_t)(w->active != 0), id);
	if (n == DB_DUPLICATE)
		return dom_fail(err, DOM_INVALID, "code",
		    "A warehouse with this code exists already.");
	if (n < 0)
		return (int)n;
	if (id == 0)
		id = db_last_insert_id();
	else if (n == 0) {
		struct warehouse cur;
		if (warehouses_get(ctx->arena, id, &cur) == DOM_NOT_FOUND)
			return dom_fail(err, DOM_NOT_FOUND, NULL,
			    "No such warehouse.");
	}
	if (id_out != NULL)
		*id_out = id;
	d = json_object_new_object();
	json_object_object_add(d, "code", json_object_new_string(w->code));
	json_object_object_add(d, "name", json_object_new_string(w->name));
	return audit_write(ctx, w->id == 0 ? "warehouse.created" :
	    "warehouse.updated", "warehouse", id_str(ctx, id), d);
}

int
warehouses_get(struct arena *a, int64_t id, struct warehouse *w)
{
	struct db_rows	rows;
	int		rv;

	memset(w, 0, sizeof(*w));
	if ((rv = db_query(a, &rows, SQL_WAREHOUSE_GET, "i", id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DOM_NOT_FOUND;
	w->id = id;
	w->code = DB_CELL(&rows, 0, 1);
	w->name = DB_CELL(&rows, 0, 2);
	w->active = i64(DB_CELL(&rows, 0, 3)) != 0;
	return DB_OK;
}

int
warehouses_list(struct arena *a, int64_t after_id, int64_t limit,
    struct db_rows *out)
{
	return db_query(a, out, SQL_WAREHOUSES, "ii", after_id, limit);
}
