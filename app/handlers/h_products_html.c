/*
 * h_products_html.c -- the product pages: /products (search, sort, page),
 * /products/new, /products/{id} (stock per warehouse and the ledger),
 * /products/{id}/edit (optimistic concurrency by version), archive.
 */
#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "domain.h"
#include "fields.h"
#include "h_catalog.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "stock.h"
#include "str.h"
#include "tmpl.h"

#define PRODUCTS_PAGE	50

/* A product as the pages show it: money as 12.50, stock totals. */
static struct tval *
product_view(struct arena *a, const struct product *p)
{
	struct tval	*o = h_product_tv(a, p);

	tv_set_str(o, "price", h_money(a, p->price_cents));
	tv_set_str(o, "cost", h_money(a, p->cost_cents));
	tv_set_i64(o, "on_hand", p->on_hand);
	tv_set_i64(o, "reserved", p->reserved);
	return o;
}

static const char *
sort_name(enum product_sort sort)
{
	return sort == PRODUCTS_BY_SKU ? "sku" : sort == PRODUCTS_BY_NAME ?
	    "name" : "id";
}

/* /products?q=..&sort=..&after=..&after_id=.., each value URL-encoded. */
static const char *
next_link(struct arena *a, const struct product_page_req *pq,
    const char *after, int64_t after_id)
{
	const char	*names[] = { "q", "sort", "after", "after_id" };
	const char	*vals[] = { pq->q, sort_name(pq->sort), after,
			    arena_printf(a, "%" PRId64, after_id) };

	return h_link(a, "/products", names, vals, 4);
}

/* The list page's query into pq: NULL, or the detail of a 400. */
static const char *
page_req(struct request *r, struct product_page_req *pq)
{
	const char	*sort = request_query(r, "sort");
	const char	*pg = request_query(r, "page");
	const char	*aid = request_query(r, "after_id");

	memset(pq, 0, sizeof(*pq));
	pq->q = request_query(r, "q");
	pq->after = request_query(r, "after");
	pq->limit = PRODUCTS_PAGE;
	pq->page = 1;
	if ((pg != NULL && pg[0] != '\0' && str_to_i64(pg, 1, 100000000,
	    &pq->page) == -1) || (aid != NULL && aid[0] != '\0' &&
	    str_to_i64(aid, 0, INT64_MAX, &pq->after_id) == -1))
		return "page and after_id must be numbers.";
	if ((pq->q != NULL && strlen(pq->q) > 200) || (pq->after != NULL &&
	    strlen(pq->after) > 200))
		return "The search is too long.";
	pq->sort = sort != NULL && strcmp(sort, "sku") == 0 ?
	    PRODUCTS_BY_SKU : sort != NULL && strcmp(sort, "name") == 0 ?
	    PRODUCTS_BY_NAME : PRODUCTS_BY_ID;
	if (pq->sort != PRODUCTS_BY_ID || (pq->q != NULL && pq->q[0] != '\0'))
		pq->page = 0;		/* keyset */
	return NULL;
}

/* The pager of the list page: numbered blocks of ids, or a keyset link
 * after the last row shown. */
static void
page_pager(struct arena *a, struct tval *ctx,
    const struct product_page_req *pq, const struct product_list *l,
    int64_t max_id)
{
	const struct product	*last;
	int64_t			 pages;

	if (pq->page > 0) {
		pages = (max_id + PRODUCTS_PAGE - 1) / PRODUCTS_PAGE;
		tv_set_i64(ctx, "page", pq->page);
		tv_set_i64(ctx, "pages", pages);
		if (pq->page > 1)
			tv_set_i64(ctx, "prev_page", pq->page - 1);
		if (pq->page < pages)
			tv_set_i64(ctx, "next_page", pq->page + 1);
	} else if (l->n > PRODUCTS_PAGE) {
		last = &l->v[PRODUCTS_PAGE - 1];
		/* A link too long to make (logged) shows no next link. */
		tv_set_opt(ctx, "next_link", next_link(a, pq,
		    pq->sort == PRODUCTS_BY_SKU ? last->sku :
		    pq->sort == PRODUCTS_BY_NAME ? last->name : "", last->id));
	}
}

/* The list page's context into ctx. */
static void
products_ctx(struct arena *a, struct tval *ctx,
    const struct product_page_req *pq, const struct product_list *l,
    int64_t max_id)
{
	struct tval	*list = tv_arr(a);
	size_t		 i, n;

	/* By keyset the extra row only says there is a next page. */
	n = pq->page == 0 && l->n > PRODUCTS_PAGE ? PRODUCTS_PAGE : l->n;
	for (i = 0; i < n; i++)
		tv_push(list, product_view(a, &l->v[i]));
	tv_set_str(ctx, "title", "Products");
	tv_set_tv(ctx, "products", list);
	tv_set_str(ctx, "q", pq->q != NULL ? pq->q : "");
	tv_set_str(ctx, "sort", sort_name(pq->sort));
	tv_set_bool(ctx, "sort_sku", pq->sort == PRODUCTS_BY_SKU);
	tv_set_bool(ctx, "sort_name", pq->sort == PRODUCTS_BY_NAME);
	page_pager(a, ctx, pq, l, max_id);
}

void
h_products_page(struct request *r, struct response *resp)
{
	struct product_page_req	 pq;
	struct product_list	 l;
	struct tval		*ctx = NULL;
	const char		*bad;
	int64_t			 max_id = 0;
	int			 st = DB_ERROR;

	if ((bad = page_req(r, &pq)) != NULL ||
	    (ctx = tv_obj(r->arena)) == NULL ||
	    (st = products_page(r->arena, &pq, &l, &max_id)) != DB_OK)
		goto out;
	products_ctx(r->arena, ctx, &pq, &l, max_id);
out:
	if (bad != NULL)
		response_error(resp, r, 400, bad);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_html(resp, r, 200, "products", ctx);
}

/* The suppliers for the form's <select>, the one in f marked. */
static struct tval *
supplier_options(struct request *r, const struct tval *f)
{
	struct tval		*sups = tv_arr(r->arena), *o;
	struct supplier_list	 l;
	const char		*cur, *id;
	size_t			 i;

	/* The form's values are strings (typed, or product_as_form()). */
	if ((cur = tv_cstr(tv_get(f, "supplier_id"))) == NULL)
		cur = "";
	if (suppliers_list(r->arena, 0, 1000, &l) != DB_OK)
		return sups;
	for (i = 0; i < l.n; i++) {
		o = tv_obj(r->arena);
		id = arena_printf(r->arena, "%" PRId64, l.v[i].id);
		tv_set_i64(o, "id", l.v[i].id);
		tv_set_str(o, "name", l.v[i].name);
		tv_set_bool(o, "selected", id != NULL && strcmp(cur, id) == 0);
		tv_push(sups, id != NULL ? o : NULL);
	}
	return sups;
}

/*
 * The new/edit form, filled from f (the product or what was typed) with
 * errors (NULL for none); both page context in the arena (tmpl.h).
 */
static void
product_form(struct request *r, struct response *resp, int status,
    struct tval *f, struct tval *errors, int64_t id, const char *message)
{
	struct tval	*ctx;

	if ((ctx = tv_obj(r->arena)) == NULL) {
		response_error(resp, r, 500, "Out of memory.");
		return;
	}
	tv_set_str(ctx, "title", id > 0 ? "Edit product" : "New product");
	tv_set_tv(ctx, "form", f);
	tv_set_tv(ctx, "errors", errors != NULL ? errors : tv_obj(r->arena));
	tv_set_tv(ctx, "suppliers", supplier_options(r, f));
	if (id > 0)
		tv_set_i64(ctx, "id", id);
	if (message != NULL)
		tv_set_str(ctx, "message", message);
	response_html(resp, r, status, "product_form", ctx);
}

/* A product as form values (strings, money as 12.50). */
static struct tval *
product_as_form(struct arena *a, const struct product *p)
{
	struct tval	*f = tv_obj(a);

	tv_set_str(f, "sku", p->sku);
	tv_set_str(f, "name", p->name);
	tv_set_str(f, "description",
	    p->description != NULL ? p->description : "");
	tv_set_str(f, "unit", p->unit);
	tv_set_str(f, "price", h_money(a, p->price_cents));
	tv_set_str(f, "cost", h_money(a, p->cost_cents));
	tv_set_str(f, "reorder_point", arena_printf(a, "%" PRId64,
	    p->reorder_point));
	tv_set_str(f, "reorder_qty", arena_printf(a, "%" PRId64,
	    p->reorder_qty));
	tv_set_str(f, "supplier_id", p->supplier_id > 0 ? arena_printf(a,
	    "%" PRId64, p->supplier_id) : "");
	tv_set_str(f, "version", arena_printf(a, "%" PRId64, p->version));
	tv_set_str(f, "active", p->active ? "1" : "0");
	return f;
}

void
h_product_new(struct request *r, struct response *resp)
{
	struct tval	*f = tv_obj(r->arena);

	tv_set_str(f, "unit", "pcs");
	product_form(r, resp, 200, f, NULL, 0, NULL);
}

void
h_product_edit(struct request *r, struct response *resp)
{
	struct product	p;
	int64_t		id;
	int		st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;		/* answered */
	if ((st = products_get(r->arena, id, &p)) == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such product.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		product_form(r, resp, 200, product_as_form(r->arena, &p), NULL,
		    id, NULL);
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
	struct tval		*errors;
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
		    NULL, id, op->err.message);
		return rv;
	}
	if (rv > 0) {
		errors = tv_obj(r->arena);
		h_dom_field(errors, &op->err);
		product_form(r, resp, 422, h_form_echo(r), errors, op->p.id,
		    NULL);
	}
	return rv;
}

/* The posted fields into p (p->id: 0 for a new product); errors per
 * field. */
static void
product_from_form(struct request *r, struct product *p,
    struct tval *errors)
{
	p->active = 1;
	fields_from_form(&h_product_fields, p->id == 0 ? FIELDS_CREATE :
	    FIELDS_REPLACE, r, p, errors);
}

static void
product_save(struct request *r, struct response *resp, int64_t id)
{
	struct product_form_op	 op;
	struct tval		*errors;
	const char		*key;

	if (idem_form_key(r, resp, &key) == -1)
		return;		/* answered */
	memset(&op, 0, sizeof(op));
	op.p.id = id;
	if ((errors = tv_obj(r->arena)) == NULL)
		response_error(resp, r, 500, "Out of memory.");
	else {
		product_from_form(r, &op.p, errors);
		if (h_form_invalid(errors))
			product_form(r, resp, 422, h_form_echo(r), errors, id,
			    NULL);
		else
			idem_run(r, resp, key, product_form_op, NULL, &op);
	}
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

/*
 * The product's latest 50 ledger rows, as the movements page shows them;
 * NULL on a database failure (*st set) or ENOMEM (*st DB_ERROR).
 */
static struct tval *
product_moves(struct request *r, int64_t id, int *st)
{
	struct movement_list	 ml;
	struct tval		*rows;

	if ((*st = stock_movements(r->arena, id, 0, NULL, 0, 50, &ml)) !=
	    DB_OK)
		return NULL;
	if ((rows = h_movement_rows(r->arena, &ml, ml.n)) == NULL)
		*st = DB_ERROR;
	return rows;
}

void
h_product_page(struct request *r, struct response *resp)
{
	struct product_stock_list	 stock;
	struct tval			*ctx = NULL, *a, *moves = NULL;
	struct product			 p;
	int64_t				 id;
	size_t				 i;
	int				 st;

	if ((id = h_id_param(r, resp, "No such product.")) < 0)
		return;		/* answered */
	if ((st = products_detail(r->arena, id, &p, &stock)) != DB_OK ||
	    (moves = product_moves(r, id, &st)) == NULL)
		goto out;
	if ((ctx = tv_obj(r->arena)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	a = tv_arr(r->arena);
	for (i = 0; i < stock.n; i++)
		tv_push(a, h_product_stock_tv(r->arena, &stock.v[i]));
	tv_set_str(ctx, "title", p.sku);
	tv_set_tv(ctx, "product", product_view(r->arena, &p));
	tv_set_tv(ctx, "stock", a);
	tv_set_tv(ctx, "movements", moves);
out:
	if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such product.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_html(resp, r, 200, "product", ctx);
}
