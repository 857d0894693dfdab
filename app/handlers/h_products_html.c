/*
 * h_products_html.c -- the product pages: /products (search, sort, page),
 * /products/new, /products/{id} (stock per warehouse and the ledger),
 * /products/{id}/edit (optimistic concurrency by version), archive.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "buf.h"
#include "escape.h"
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
#include "stock.h"
#include "str.h"

#define PRODUCTS_PAGE	50

/* A product as the pages show it: money as 12.50. */
static struct json_object *
product_view(struct arena *a, const struct product *p)
{
	struct json_object	*o = h_product_json(p);

	json_object_object_add(o, "price", json_object_new_string(
	    h_money(a, p->price_cents)));
	json_object_object_add(o, "cost", json_object_new_string(
	    h_money(a, p->cost_cents)));
	return o;
}

/* /products?q=..&sort=..&after=..&after_id=.., each value URL-encoded. */
static const char *
next_link(struct arena *a, const struct product_page_req *pq,
    const char *after, int64_t after_id)
{
	const char	*names[] = { "q", "sort", "after", "after_id" };
	const char	*vals[] = { pq->q, pq->sort == PRODUCTS_BY_SKU ? "sku" :
			    pq->sort == PRODUCTS_BY_NAME ? "name" : "id", after,
			    arena_printf(a, "%" PRId64, after_id) };

	return h_link(a, "/products", names, vals, 4);
}

void
h_products_page(struct request *r, struct response *resp)
{
	struct product_page_req	 pq;
	struct db_rows		 rows;
	struct json_object	*ctx, *list, *o;
	struct product		 p;
	const char		*sort = request_query(r, "sort");
	const char		*pg = request_query(r, "page");
	const char		*aid = request_query(r, "after_id");
	int64_t			 max_id = 0, pages;
	size_t			 i, n;
	int			 st;

	memset(&pq, 0, sizeof(pq));
	pq.q = request_query(r, "q");
	pq.after = request_query(r, "after");
	pq.limit = PRODUCTS_PAGE;
	pq.page = 1;
	if ((pg != NULL && pg[0] != '\0' && str_to_i64(pg, 1, 100000000,
	    &pq.page) == -1) || (aid != NULL && aid[0] != '\0' &&
	    str_to_i64(aid, 0, INT64_MAX, &pq.after_id) == -1)) {
		response_error(resp, r, 400, "page and after_id must be "
		    "numbers.");
		return;
	}
	if ((pq.q != NULL && strlen(pq.q) > 200) || (pq.after != NULL &&
	    strlen(pq.after) > 200)) {
		response_error(resp, r, 400, "The search is too long.");
		return;
	}
	pq.sort = sort != NULL && strcmp(sort, "sku") == 0 ? PRODUCTS_BY_SKU :
	    sort != NULL && strcmp(sort, "name") == 0 ? PRODUCTS_BY_NAME :
	    PRODUCTS_BY_ID;
	if (pq.sort != PRODUCTS_BY_ID || (pq.q != NULL && pq.q[0] != '\0'))
		pq.page = 0;		/* keyset */
	if ((st = products_page(r->arena, &pq, &rows, &max_id)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	n = pq.page > 0 ? rows.nrows : rows.nrows > PRODUCTS_PAGE ?
	    PRODUCTS_PAGE : rows.nrows;
	for (i = 0; i < n; i++) {
		h_product_from_row(&rows, i, &p);
		o = product_view(r->arena, &p);
		json_object_object_add(o, "on_hand", h_jint(DB_CELL(&rows, i,
		    12)));
		json_object_object_add(o, "reserved", h_jint(DB_CELL(&rows, i,
		    13)));
		json_object_array_add(list, o);
	}
	json_object_object_add(ctx, "title", json_object_new_string(
	    "Products"));
	json_object_object_add(ctx, "products", list);
	json_object_object_add(ctx, "q", json_object_new_string(
	    pq.q != NULL ? pq.q : ""));
	json_object_object_add(ctx, "sort", json_object_new_string(
	    pq.sort == PRODUCTS_BY_SKU ? "sku" : pq.sort == PRODUCTS_BY_NAME ?
	    "name" : "id"));
	json_object_object_add(ctx, "sort_sku", json_object_new_boolean(
	    pq.sort == PRODUCTS_BY_SKU));
	json_object_object_add(ctx, "sort_name", json_object_new_boolean(
	    pq.sort == PRODUCTS_BY_NAME));
	if (pq.page > 0) {
		pages = (max_id + PRODUCTS_PAGE - 1) / PRODUCTS_PAGE;
		json_object_object_add(ctx, "page",
		    json_object_new_int64(pq.page));
		json_object_object_add(ctx, "pages",
		    json_object_new_int64(pages));
		if (pq.page > 1)
			json_object_object_add(ctx, "prev_page",
			    json_object_new_int64(pq.page - 1));
		if (pq.page < pages)
			json_object_object_add(ctx, "next_page",
			    json_object_new_int64(pq.page + 1));
	} else if (rows.nrows > PRODUCTS_PAGE) {
		/* The keyset of the last row shown. */
		h_product_from_row(&rows, PRODUCTS_PAGE - 1, &p);
		json_object_object_add(ctx, "next_link", h_jstr(
		    next_link(r->arena, &pq, pq.sort == PRODUCTS_BY_SKU ? p.sku :
		    pq.sort == PRODUCTS_BY_NAME ? p.name : "", p.id)));
	}
	response_html(resp, r, 200, "products", json_own(resp->arena, ctx));
}

/* The new/edit form, filled from f (the product or what was typed). */
static void
product_form(struct request *r, struct response *resp, int status,
    struct json_object *f, struct json_object *errors, int64_t id,
    const char *message)
{
	struct json_object	*ctx = json_object_new_object();
	struct json_object	*sups = json_object_new_array(), *o, *sid;
	struct db_rows		 rows;
	const char		*cur = "";
	size_t			 i;

	if (json_object_object_get_ex(f, "supplier_id", &sid) && sid != NULL)
		cur = json_object_get_string(sid);
	if (suppliers_list(r->arena, 0, 1000, &rows) == DB_OK)
		for (i = 0; i < rows.nrows; i++) {
			o = json_object_new_object();
			json_object_object_add(o, "id", h_jint(DB_CELL(&rows,
			    i, 0)));
			json_object_object_add(o, "name",
			    json_object_new_string(DB_CELL(&rows, i, 1)));
			json_object_object_add(o, "selected",
			    json_object_new_boolean(strcmp(cur,
			    DB_CELL(&rows, i, 0)) == 0));
			json_object_array_add(sups, o);
		}
	json_object_object_add(ctx, "title", json_object_new_string(id > 0 ?
	    "Edit product" : "New product"));
	json_object_object_add(ctx, "form", f);
	json_object_object_add(ctx, "errors", errors);
	json_object_object_add(ctx, "suppliers", sups);
	if (id > 0)
		json_object_object_add(ctx, "id", json_object_new_int64(id));
	if (message != NULL)
		json_object_object_add(ctx, "message",
		    json_object_new_string(message));
	response_html(resp, r, status, "product_form", json_own(resp->arena, ctx));
}

/* A product as form values (strings, money as 12.50). */
static struct json_object *
product_as_form(struct arena *a, const struct product *p)
{
	struct json_object	*f = json_object_new_object();

	json_object_object_add(f, "sku", json_object_new_string(p->sku));
	json_object_object_add(f, "name", json_object_new_string(p->name));
	json_object_object_add(f, "description", json_object_new_string(
	    p->description != NULL ? p->description : ""));
	json_object_object_add(f, "unit", json_object_new_string(p->unit));
	json_object_object_add(f, "price", json_object_new_string(
	    h_money(a, p->price_cents)));
	json_object_object_add(f, "cost", json_object_new_string(
	    h_money(a, p->cost_cents)));
	json_object_object_add(f, "reorder_point", json_object_new_string(
	    arena_printf(a, "%" PRId64, p->reorder_point)));
	json_object_object_add(f, "reorder_qty", json_object_new_string(
	    arena_printf(a, "%" PRId64, p->reorder_qty)));
	json_object_object_add(f, "supplier_id", json_object_new_string(
	    p->supplier_id > 0 ? arena_printf(a, "%" PRId64, p->supplier_id) :
	    ""));
	json_object_object_add(f, "version", json_object_new_string(
	    arena_printf(a, "%" PRId64, p->version)));
	json_object_object_add(f, "active", json_object_new_string(
	    p->active ? "1" : "0"));
	return f;
}

void
h_product_new(struct request *r, struct response *resp)
{
	struct json_object	*f = json_object_new_object();

	json_object_object_add(f, "unit", json_object_new_string("pcs"));
	product_form(r, resp, 200, f, json_object_new_object(), 0, NULL);
}

void
h_product_edit(struct request *r, struct response *resp)
{
	struct product	p;
	int64_t		id;
	int		st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;
	if ((st = products_get(r->arena, id, &p)) == DOM_NOT_FOUND) {
		response_error(resp, r, 404, "No such product.");
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	product_form(r, resp, 200, product_as_form(r->arena, &p),
	    json_object_new_object(), id, NULL);
}

struct product_form_op {
	struct product		 p;
	struct dom_error	 err;
};

static int
product_form_op(struct request *r, struct response *resp, void *arg)
{
	struct product_form_op	*op = arg;
	struct audit_ctx	 ctx;
	struct json_object	*errors, *f;
	struct product		 cur;
	int64_t			 id = op->p.id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	rv = id == 0 ? products_create(&ctx, &op->p, &id, &op->err) :
	    products_update(&ctx, &op->p, &op->err);
	if (rv == DB_OK) {
		h_redirect_flash(resp, arena_printf(r->arena,
		    "/products/%" PRId64, id), op->p.id == 0 ?
		    "product_created" : "product_saved");
		return DB_OK;
	}
	if (rv == DOM_NOT_FOUND) {
		response_error(resp, r, 404, "No such product.");
		return rv;
	}
	if (rv == DOM_CONFLICT && products_get(r->arena, id, &cur) == DB_OK) {
		/* Stale: show the current values and say so. */
		product_form(r, resp, 409, product_as_form(r->arena, &cur),
		    json_object_new_object(), id, op->err.message);
		return rv;
	}
	if (rv > 0) {
		errors = json_object_new_object();
		h_dom_field(errors, &op->err);
		f = h_form_echo(r);
		product_form(r, resp, 422, f, errors, op->p.id, NULL);
	}
	return rv;
}

static void
product_save(struct request *r, struct response *resp, int64_t id)
{
	struct product_form_op	 op;
	struct json_object	*errors = json_object_new_object();
	const char		*key;

	if (idem_form_key(r, resp, &key) == -1) {
		json_object_put(errors);
		return;
	}
	memset(&op, 0, sizeof(op));
	op.p.id = id;
	op.p.sku = h_field(r, "sku");
	op.p.name = h_field(r, "name");
	op.p.description = h_field(r, "description");
	op.p.unit = h_field(r, "unit");
	/* An edit keeps the archived state the form was opened with. */
	op.p.active = id == 0 || strcmp(h_field(r, "active"), "0") != 0;
	(void)h_field_money(r, "price", &op.p.price_cents, errors);
	(void)h_field_money(r, "cost", &op.p.cost_cents, errors);
	(void)h_field_int(r, "reorder_point", 0, BR_MAX_QTY, 0, 0,
	    &op.p.reorder_point, errors);
	(void)h_field_int(r, "reorder_qty", 0, BR_MAX_QTY, 0, 0,
	    &op.p.reorder_qty, errors);
	(void)h_field_int(r, "supplier_id", 1, INT64_MAX, 0, 0,
	    &op.p.supplier_id, errors);
	if (id > 0)
		(void)h_field_int(r, "version", 1, INT64_MAX, 0, 1,
		    &op.p.version, errors);
	if (json_object_object_length(errors) > 0) {
		product_form(r, resp, 422, h_form_echo(r), errors, id, NULL);
		return;
	}
	json_object_put(errors);
	idem_run(r, resp, key, product_form_op, NULL, &op);
}

void
h_product_create_form(struct request *r, struct response *resp)
{
	product_save(r, resp, 0);
}

void
h_product_update_form(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;
	product_save(r, resp, id);
}

static int
archive_form_op(struct request *r, struct response *resp, void *arg)
{
	struct audit_ctx	ctx;
	struct dom_error	err;
	int64_t			id = *(int64_t *)arg;
	int			rv;

	middleware_audit_ctx(r, &ctx);
	memset(&err, 0, sizeof(err));
	if ((rv = products_archive(&ctx, id, &err)) == DB_OK)
		h_redirect_flash(resp, arena_printf(r->arena,
		    "/products/%" PRId64, id), "product_archived");
	else if (rv > 0)
		response_error(resp, r, 404, "No such product.");
	return rv;
}

void
h_product_archive_form(struct request *r, struct response *resp)
{
	const char	*key;
	int64_t		 id;

	if ((id = h_id_param(r, resp, "No such product.")) < 0 ||
	    idem_form_key(r, resp, &key) == -1)
		return;
	idem_run(r, resp, key, archive_form_op, NULL, &id);
}

void
h_product_page(struct request *r, struct response *resp)
{
	struct json_object	*ctx, *stock, *moves, *o;
	struct db_rows		 rows;
	struct movement_list	 ml;
	struct product		 p;
	int64_t			 id, on, res;
	size_t			 i;
	int			 st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;
	if ((st = products_get(r->arena, id, &p)) == DOM_NOT_FOUND) {
		response_error(resp, r, 404, "No such product.");
		return;
	}
	if (st != DB_OK || (st = products_stock(r->arena, id, &rows)) !=
	    DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	stock = json_object_new_array();
	for (i = 0; i < rows.nrows; i++) {
		o = json_object_new_object();
		on = res = 0;
		(void)str_to_i64(DB_CELL(&rows, i, 2), INT64_MIN, INT64_MAX,
		    &on);
		(void)str_to_i64(DB_CELL(&rows, i, 3), INT64_MIN, INT64_MAX,
		    &res);
		json_object_object_add(o, "warehouse_id",
		    h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "warehouse", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "on_hand", json_object_new_int64(on));
		json_object_object_add(o, "reserved",
		    json_object_new_int64(res));
		json_object_object_add(o, "available",
		    json_object_new_int64(on - res));
		json_object_array_add(stock, o);
	}
	if ((st = stock_movements(r->arena, id, 0, NULL, 0, 50, &ml)) !=
	    DB_OK) {
		json_object_put(ctx);
		json_object_put(stock);
		response_db_error(resp, r, st);
		return;
	}
	moves = h_movement_rows(&ml, ml.n);
	json_object_object_add(ctx, "title", json_object_new_string(p.sku));
	json_object_object_add(ctx, "product", product_view(r->arena, &p));
	json_object_object_add(ctx, "stock", stock);
	json_object_object_add(ctx, "movements", moves);
	response_html(resp, r, 200, "product", json_own(resp->arena, ctx));
}
