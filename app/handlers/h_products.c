/*
 * h_products.c -- /api/v1/products (list, get, create, edit with version,
 * archive).  The pages are in h_products_html.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "db.h"
#include "domain.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "str.h"

struct json_object *
h_product_json(const struct product *p)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(p->id));
	json_object_object_add(o, "sku", json_object_new_string(p->sku));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "description", json_object_new_string(
	    p->description != NULL ? p->description : ""));
	json_object_object_add(o, "unit", json_object_new_string(p->unit));
	json_object_object_add(o, "price_cents",
	    json_object_new_int64(p->price_cents));
	json_object_object_add(o, "cost_cents",
	    json_object_new_int64(p->cost_cents));
	json_object_object_add(o, "reorder_point",
	    json_object_new_int64(p->reorder_point));
	json_object_object_add(o, "reorder_qty",
	    json_object_new_int64(p->reorder_qty));
	json_object_object_add(o, "supplier_id", p->supplier_id > 0 ?
	    json_object_new_int64(p->supplier_id) : NULL);
	json_object_object_add(o, "active", json_object_new_boolean(p->active));
	json_object_object_add(o, "version", json_object_new_int64(p->version));
	return o;
}

/* One row of products_list() / products_page() as a product. */
void
h_product_from_row(struct db_rows *rows, size_t i, struct product *p)
{
	int64_t	v;

	memset(p, 0, sizeof(*p));
#define C(n)	(v = 0, DB_CELL(rows, i, n) != NULL ? \
	    (void)str_to_i64(DB_CELL(rows, i, n), INT64_MIN, INT64_MAX, &v) : \
	    (void)0, v)
	p->id = C(0);
	p->sku = DB_CELL(rows, i, 1);
	p->name = DB_CELL(rows, i, 2);
	p->unit = DB_CELL(rows, i, 3);
	p->price_cents = C(4);
	p->cost_cents = C(5);
	p->reorder_point = C(6);
	p->reorder_qty = C(7);
	p->supplier_id = C(8);
	p->active = C(9) != 0;
	p->version = C(10);
	p->description = DB_CELL(rows, i, 11);
#undef C
}

void
h_api_products(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*items;
	struct product		 p;
	const char		*q = request_query(r, "q");
	const char		*sup = request_query(r, "supplier_id");
	const char		*act = request_query(r, "active");
	int64_t			 limit, cursor, sid = 0;
	size_t			 i;
	int			 st, active = -1;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;
	if (sup != NULL && sup[0] != '\0' && str_to_i64(sup, 1, INT64_MAX,
	    &sid) == -1) {
		response_error(resp, r, 400, "supplier_id must be an id.");
		return;
	}
	if (act != NULL && act[0] != '\0') {
		if (strcmp(act, "true") == 0)
			active = 1;
		else if (strcmp(act, "false") == 0)
			active = 0;
		else {
			response_error(resp, r, 400,
			    "active must be true or false.");
			return;
		}
	}
	if (q != NULL && strlen(q) > 200) {
		response_error(resp, r, 400, "q is too long.");
		return;
	}
	if ((st = products_list(r->arena, q, sid, active, cursor, limit + 1,
	    &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++) {
		h_product_from_row(&rows, i, &p);
		json_object_array_add(items, h_product_json(&p));
	}
	if (rows.nrows > (size_t)limit)
		h_product_from_row(&rows, (size_t)limit - 1, &p);
	h_list_json(resp, json_own(resp->arena, items), rows.nrows > (size_t)limit ? p.id : 0);
}

void
h_api_product(struct request *r, struct response *resp)
{
	struct db_rows		 rows;
	struct json_object	*o, *stock, *s;
	struct product		 p;
	int64_t			 id, on, res;
	size_t			 i;
	int			 st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;
	if ((st = products_detail(r->arena, id, &p, &rows)) == DOM_NOT_FOUND) {
		response_error(resp, r, 404, "No such product.");
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	o = h_product_json(&p);
	stock = json_object_new_array();
	for (i = 0; i < rows.nrows; i++) {
		if (DB_CELL(&rows, i, 12) == NULL)
			continue;
		s = json_object_new_object();
		on = res = 0;
		(void)str_to_i64(DB_CELL(&rows, i, 14), INT64_MIN, INT64_MAX,
		    &on);
		(void)str_to_i64(DB_CELL(&rows, i, 15), INT64_MIN, INT64_MAX,
		    &res);
		json_object_object_add(s, "warehouse_id",
		    h_jint(DB_CELL(&rows, i, 12)));
		json_object_object_add(s, "warehouse_code",
		    json_object_new_string(DB_CELL(&rows, i, 13)));
		json_object_object_add(s, "on_hand", json_object_new_int64(on));
		json_object_object_add(s, "reserved",
		    json_object_new_int64(res));
		json_object_object_add(s, "available",
		    json_object_new_int64(on - res));
		json_object_array_add(stock, s);
	}
	json_object_object_add(o, "stock", stock);
	response_json(resp, 200, json_own(resp->arena, o));
}

/*
 * Reads a product's fields from the JSON body into p; errors per field.
 * A PUT replaces the product, so every field is required there (supplier_id
 * as null for none); a POST fills what is left out with defaults.
 */
static void
product_from_json(struct request *r, struct product *p,
    struct json_object *errors, int put)
{
	(void)h_json_str(r->json, "sku", 1, NULL, &p->sku, errors);
	(void)h_json_str(r->json, "name", 1, NULL, &p->name, errors);
	(void)h_json_str(r->json, "description", put, "", &p->description,
	    errors);
	(void)h_json_str(r->json, "unit", put, "pcs", &p->unit, errors);
	(void)h_json_int(r->json, "price_cents", 0, BR_MAX_CENTS, 0, put,
	    &p->price_cents, errors);
	(void)h_json_int(r->json, "cost_cents", 0, BR_MAX_CENTS, 0, put,
	    &p->cost_cents, errors);
	(void)h_json_int(r->json, "reorder_point", 0, BR_MAX_QTY, 0, put,
	    &p->reorder_point, errors);
	(void)h_json_int(r->json, "reorder_qty", 0, BR_MAX_QTY, 0, put,
	    &p->reorder_qty, errors);
	(void)h_json_nullable_id(r->json, "supplier_id", put, &p->supplier_id,
	    errors);
	(void)h_json_bool(r->json, "active", 1, put, &p->active, errors);
	if (put)
		(void)h_json_int(r->json, "version", 1, INT64_MAX, 0, 1,
		    &p->version, errors);
}

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
	struct product		 cur;
	int64_t			 id = op->p.id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	rv = op->create ? products_create(&ctx, &op->p, &id, &op->err) :
	    products_update(&ctx, &op->p, &op->err);
	if (rv == DOM_CONFLICT && products_get(r->arena, op->p.id, &cur) ==
	    DB_OK) {
		h_dom_problem(r, resp, rv, &op->err, json_own(r->arena, h_product_json(&cur)));
		return rv;
	}
	if (rv > 0)
		h_dom_problem(r, resp, rv, &op->err, NULL);
	if (rv != DB_OK)
		return rv;
	if ((rv = products_get(r->arena, id, &cur)) != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (op->create)
		response_header(resp, "Location", arena_printf(r->arena,
		    "/api/v1/products/%" PRId64, id));
	response_json(resp, op->create ? 201 : 200, json_own(resp->arena, h_product_json(&cur)));
	return DB_OK;
}

void
h_api_product_create(struct request *r, struct response *resp)
{
	struct product_op	 op;
	struct json_object	*errors;
	const char		*key;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	op.create = 1;
	errors = json_object_new_object();
	product_from_json(r, &op.p, errors, 0);
	op.p.active = 1;
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, product_op_api, NULL, &op);
}

void
h_api_product_update(struct request *r, struct response *resp)
{
	struct product_op	 op;
	struct json_object	*errors;
	const char		*key;
	int64_t			 id;

	if ((id = h_id_param(r, resp, "No such product.")) < 0 ||
	    h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	errors = json_object_new_object();
	product_from_json(r, &op.p, errors, 1);
	op.p.id = id;
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, product_op_api, NULL, &op);
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
	response_json(resp, 200, json_own(resp->arena, h_product_json(&p)));
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
