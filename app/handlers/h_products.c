/*
 * h_products.c -- /api/v1/products (list, get, create, edit with version,
 * archive), and the JSON of a product and of its stock in a warehouse,
 * which the pages (h_products_html.c) build on.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "domain.h"
#include "etag.h"
#include "fields.h"
#include "h_catalog.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "json.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "str.h"
#include "tmpl.h"

struct json_object *
h_product_json(const struct product *p)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "id", p->id);
	json_add_str(o, "sku", p->sku);
	json_add_str(o, "name", p->name);
	json_add_str(o, "description",
	    p->description != NULL ? p->description : "");
	json_add_str(o, "unit", p->unit);
	json_add_i64(o, "price_cents", p->price_cents);
	json_add_i64(o, "cost_cents", p->cost_cents);
	json_add_i64(o, "reorder_point", p->reorder_point);
	json_add_i64(o, "reorder_qty", p->reorder_qty);
	json_object_object_add(o, "supplier_id", p->supplier_id > 0 ?
	    json_object_new_int64(p->supplier_id) : NULL);
	json_add_bool(o, "active", p->active);
	json_add_i64(o, "version", p->version);
	return o;
}

struct json_object *
h_product_stock_json(const struct product_stock *s)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "warehouse_id", s->warehouse_id);
	json_add_str(o, "warehouse_code", s->warehouse_code);
	json_add_i64(o, "on_hand", s->on_hand);
	json_add_i64(o, "reserved", s->reserved);
	json_add_i64(o, "available", s->on_hand - s->reserved);
	return o;
}

struct tval *
h_product_tv(struct arena *a, const struct product *p)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", p->id);
	tv_set_str(o, "sku", p->sku);
	tv_set_str(o, "name", p->name);
	tv_set_str(o, "description",
	    p->description != NULL ? p->description : "");
	tv_set_str(o, "unit", p->unit);
	tv_set_i64(o, "price_cents", p->price_cents);
	tv_set_i64(o, "cost_cents", p->cost_cents);
	tv_set_i64(o, "reorder_point", p->reorder_point);
	tv_set_i64(o, "reorder_qty", p->reorder_qty);
	if (p->supplier_id > 0)
		tv_set_i64(o, "supplier_id", p->supplier_id);
	else
		tv_set_null(o, "supplier_id");
	tv_set_bool(o, "active", p->active);
	tv_set_i64(o, "version", p->version);
	return o;
}

struct tval *
h_product_stock_tv(struct arena *a, const struct product_stock *s)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "warehouse_id", s->warehouse_id);
	tv_set_str(o, "warehouse_code", s->warehouse_code);
	tv_set_i64(o, "on_hand", s->on_hand);
	tv_set_i64(o, "reserved", s->reserved);
	tv_set_i64(o, "available", s->on_hand - s->reserved);
	return o;
}

/*
 * The list's filters ?supplier_id= (0: any), ?active= (-1: any) and ?q=:
 * NULL, or the detail of a 400.
 */
static const char *
list_filters(struct request *r, int64_t *sid, int *active, const char **q)
{
	const char	*sup = request_query(r, "supplier_id");
	const char	*act = request_query(r, "active");

	*sid = 0;
	*active = -1;
	*q = request_query(r, "q");
	if (sup != NULL && sup[0] != '\0' && str_to_i64(sup, 1, INT64_MAX,
	    sid) == -1)
		return "supplier_id must be an id.";
	if (act != NULL && act[0] != '\0') {
		if (strcmp(act, "true") == 0)
			*active = 1;
		else if (strcmp(act, "false") == 0)
			*active = 0;
		else
			return "active must be true or false.";
	}
	if (*q != NULL && strlen(*q) > 200)
		return "q is too long.";
	return NULL;
}

/*
 * Conditional GET of a list: what h_product_json() shows of a product is
 * its row, and every change to the row bumps its version; the URL (the
 * cache key) carries the filters and cursor.  "products-1": the format.
 */
static int
products_not_modified(struct request *r, struct response *resp,
    const struct product_list *l, size_t limit)
{
	struct etag	e;
	size_t		i;

	etag_init(&e, "products-1");
	for (i = 0; i < l->n; i++) {	/* the extra row: next_cursor */
		etag_i64(&e, l->v[i].id);
		etag_i64(&e, l->v[i].version);
	}
	etag_i64(&e, (int64_t)limit);
	return response_not_modified(resp, r, &e);
}

void
h_api_products(struct request *r, struct response *resp)
{
	struct product_list	 l;
	struct json_object	*items = NULL;
	const char		*q, *bad;
	int64_t			 limit, cursor, sid;
	size_t			 i;
	int			 st = DB_ERROR, active;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;		/* answered */
	if ((bad = list_filters(r, &sid, &active, &q)) != NULL ||
	    (items = json_own(r->arena, json_object_new_array())) == NULL ||
	    (st = products_list(r->arena, q, sid, active, cursor, limit + 1,
	    &l)) != DB_OK)
		goto out;
	if (products_not_modified(r, resp, &l, (size_t)limit))
		return;		/* answered: 304 */
	for (i = 0; i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_product_json(&l.v[i]));
out:
	if (bad != NULL)
		response_error(resp, r, 400, bad);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		h_list_json(resp, items, l.n > (size_t)limit ?
		    l.v[limit - 1].id : 0);
}

/* A product: its row's version, and its stock rows, which have none. */
static int
product_not_modified(struct request *r, struct response *resp,
    const struct product *p, const struct product_stock_list *stock)
{
	struct etag	e;
	size_t		i;

	etag_init(&e, "product-1");
	etag_i64(&e, p->id);
	etag_i64(&e, p->version);
	for (i = 0; i < stock->n; i++) {
		etag_i64(&e, stock->v[i].warehouse_id);
		etag_str(&e, stock->v[i].warehouse_code);
		etag_i64(&e, stock->v[i].on_hand);
		etag_i64(&e, stock->v[i].reserved);
	}
	return response_not_modified(resp, r, &e);
}

void
h_api_product(struct request *r, struct response *resp)
{
	struct product_stock_list	 stock;
	struct json_object		*o = NULL, *a;
	struct product			 p;
	int64_t				 id;
	size_t				 i;
	int				 st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;		/* answered */
	if ((st = products_detail(r->arena, id, &p, &stock)) != DB_OK)
		goto out;
	if (product_not_modified(r, resp, &p, &stock))
		return;		/* answered: 304 */
	if ((o = json_own(r->arena, h_product_json(&p))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	a = json_object_new_array();
	for (i = 0; i < stock.n; i++)
		json_object_array_add(a, h_product_stock_json(&stock.v[i]));
	json_object_object_add(o, "stock", a);
out:
	if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such product.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_json(resp, 200, o);
}

/*
 * A product's fields, declared once for the API and the pages.  A POST
 * fills what is left out with defaults; a PUT replaces the product, so
 * every field is required there (supplier_id as null for none) and it
 * names the version it started from.  The messages are the domain's.
 */
const struct field h_product_field[] = {
	FIELD_STR("sku", "sku", F_REQUIRED, 1, 40, NULL, "Use 1 to 40 "
	    "letters, digits, dots, dashes or underscores.", struct product,
	    sku),
	FIELD_STR("name", "name", F_REQUIRED, 1, 200, NULL, "Enter a name of "
	    "1 to 200 characters.", struct product, name),
	FIELD_STR("description", "description", F_REPLACE, 0, 4000, "",
	    "Use at most 4000 characters.", struct product, description),
	FIELD_STR("unit", "unit", F_REPLACE, 1, 20, "pcs", "Enter a unit of 1 "
	    "to 20 characters, e.g. pcs.", struct product, unit),
	FIELD_NUM("price_cents", "price", FT_CENTS, F_REPLACE, 0,
	    BR_MAX_CENTS, 0, struct product, price_cents),
	FIELD_NUM("cost_cents", "cost", FT_CENTS, F_REPLACE, 0, BR_MAX_CENTS,
	    0, struct product, cost_cents),
	FIELD_NUM("reorder_point", "reorder_point", FT_INT, F_REPLACE, 0,
	    BR_MAX_QTY, 0, struct product, reorder_point),
	FIELD_NUM("reorder_qty", "reorder_qty", FT_INT, F_REPLACE, 0,
	    BR_MAX_QTY, 0, struct product, reorder_qty),
	FIELD_NUM("supplier_id", "supplier_id", FT_ID, F_REPLACE | F_NULLABLE,
	    0, 0, 0, struct product, supplier_id),
	/* A new product is active; the page's edit form keeps the state it
	 * was opened with (a hidden field). */
	FIELD_NUM("active", "active", FT_BOOL, F_REPLACE_ONLY, 0, 0, 1,
	    struct product, active),
	FIELD_NUM("version", "version", FT_INT, F_REPLACE_ONLY, 1, INT64_MAX,
	    0, struct product, version),
};
const struct field_set h_product_fields = { "product", "ProductCreate",
	"ProductUpdate", h_product_field, FIELD_COUNT(h_product_field),
	sizeof(struct product), 0 };

struct product_op {
	struct product		 p;
	struct dom_error	 err;
	int			 create;
};

static int
product_op_api(struct request *r, struct response *resp, void *arg)
{
	struct product_op	*op = arg;
	struct audit_ctx	 ctx;
	struct json_object	*current = NULL;
	struct product		 cur;
	int64_t			 id = op->p.id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	rv = op->create ? products_create(&ctx, &op->p, &id, &op->err) :
	    products_update(&ctx, &op->p, &op->err);
	if (rv == DOM_CONFLICT && products_get(r->arena, op->p.id, &cur) ==
	    DB_OK)
		current = json_own(r->arena, h_product_json(&cur));
	if (rv > 0)
		h_dom_problem(r, resp, rv, &op->err, current);
	if (rv != DB_OK)
		return rv;
	if ((rv = products_get(r->arena, id, &cur)) != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (op->create)
		response_header(resp, "Location", arena_printf(r->arena,
		    "/api/v1/products/%" PRId64, id));
	response_json(resp, op->create ? 201 : 200, json_own(r->arena,
	    h_product_json(&cur)));
	return DB_OK;
}

void
h_api_product_create(struct request *r, struct response *resp)
{
	struct product_op	 op;
	const char		*key;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	op.create = 1;
	op.p.active = 1;
	if (h_json_fields(r, resp, &h_product_fields, FIELDS_CREATE,
	    &op.p) == 0)
		idem_run(r, resp, key, product_op_api, NULL, &op);
}

void
h_api_product_update(struct request *r, struct response *resp)
{
	struct product_op	 op;
	const char		*key;
	int64_t			 id;

	if ((id = h_id_param(r, resp, "No such product.")) < 0 ||
	    h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	if (h_json_fields(r, resp, &h_product_fields, FIELDS_REPLACE,
	    &op.p) == 0) {
		op.p.id = id;
		idem_run(r, resp, key, product_op_api, NULL, &op);
	}
}

static int
archive_op_api(struct request *r, struct response *resp, void *arg)
{
	struct audit_ctx	 ctx;
	struct dom_error	 err;
	struct product		 p;
	int64_t			 id = *(int64_t *)arg;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&err, 0, sizeof(err));
	if ((rv = products_archive(&ctx, id, &err)) != DB_OK) {
		if (rv > 0)
			h_dom_problem(r, resp, rv, &err, NULL);
		return rv;
	}
	if ((rv = products_get(r->arena, id, &p)) != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	response_json(resp, 200, json_own(r->arena, h_product_json(&p)));
	return DB_OK;
}

void
h_api_product_archive(struct request *r, struct response *resp)
{
	const char	*key;
	int64_t		 id;

	if ((id = h_id_param(r, resp, "No such product.")) < 0 ||
	    idem_api_key(r, resp, &key) == -1)
		return;
	/* The body, if any, is part of the key's fingerprint. */
	if (key != NULL && request_read_body(r) != 0) {
		response_error(resp, r, 400, "The body could not be read.");
		return;
	}
	idem_run(r, resp, key, archive_op_api, NULL, &id);
}
