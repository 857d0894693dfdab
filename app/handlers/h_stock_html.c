/*
 * h_stock_html.c -- /stock (one warehouse's stock and the forms to
 * receive, ship, adjust and transfer), POST /stock/movements, and
 * /movements (the ledger with filters, paged by id).  The page rows are
 * the API's shapes as page context (h_stock.c's h_*_tv()) with what the
 * templates show beside them;
 * h_movement_rows() is shared with the dashboard and the product page.
 */
#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "catalog.h"
#include "domain.h"
#include "fields.h"
#include "h_stock.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "request.h"
#include "response.h"
#include "stock.h"
#include "str.h"
#include "tmpl.h"

#define STOCK_PAGE	100
#define MOVES_PAGE	50

/* The movement kinds for the form's select, the one chosen selected. */
static struct tval *
kind_options(const struct request *r)
{
	static const char *const kv[][2] = { { "receipt", "Receive" },
	    { "shipment", "Ship" },
	    { "adjustment", "Adjust (+/-, with a reason)" },
	    { "transfer", "Transfer to another warehouse" } };
	struct tval	*kinds = tv_arr(r->arena), *k;
	size_t		 j;

	for (j = 0; j < sizeof(kv) / sizeof(kv[0]); j++) {
		k = tv_obj(r->arena);
		tv_set_str(k, "value", kv[j][0]);
		tv_set_str(k, "label", kv[j][1]);
		tv_set_bool(k, "selected", strcmp(h_field(r, "kind"),
		    kv[j][0]) == 0);
		tv_push(kinds, k);
	}
	return kinds;
}

/* A stock row of the page: the API's shape, the name and unit beside. */
static struct tval *
stock_row(struct arena *a, const struct stock_level *s)
{
	struct tval	*o = h_stock_tv(a, s);

	tv_set_str(o, "name", s->name);
	tv_set_str(o, "unit", s->unit);
	return o;
}

/* One page of warehouse wid's stock, after ?after=, as "stock" and
 * "next" of ctx.  DB_OK or a db_status. */
static int
stock_rows(struct request *r, struct tval *ctx, int64_t wid)
{
	struct stock_level_list	 l;
	struct tval		*list = tv_arr(r->arena);
	const char		*from = request_query(r, "after");
	int64_t			 after = 0;
	size_t			 i;
	int			 st;

	tv_set_tv(ctx, "stock", list);
	if (from != NULL && from[0] != '\0' && str_to_i64(from, 0, INT64_MAX,
	    &after) == -1)
		after = 0;
	memset(&l, 0, sizeof(l));
	if (wid > 0 && (st = stock_list(r->arena, 0, wid, after, wid,
	    STOCK_PAGE + 1, &l)) != DB_OK)
		return st;
	for (i = 0; i < l.n && i < STOCK_PAGE; i++)
		tv_push(list, stock_row(r->arena, &l.v[i]));
	if (l.n > STOCK_PAGE)
		tv_set_i64(ctx, "next", l.v[STOCK_PAGE - 1].product_id);
	return DB_OK;
}

/*
 * The /stock page of warehouse wid (0: the first one).  form and errors
 * (NULL: empty) are the caller's page context: what the user typed and a
 * message per field when a movement is refused.
 */
static void
stock_page(struct request *r, struct response *resp, int status,
    int64_t wid, struct tval *form, struct tval *errors)
{
	struct tval	*ctx;
	int64_t		 first, to = 0, to_first;
	int		 st = DB_ERROR;

	if ((ctx = tv_obj(r->arena)) == NULL)
		goto out;
	tv_set_tv(ctx, "warehouses", h_warehouse_options(r, wid, &first));
	if (wid == 0)
		wid = first;
	if ((st = stock_rows(r, ctx, wid)) != DB_OK)
		goto out;
	tv_set_str(ctx, "title", "Stock");
	/* The movement form keeps what was chosen when it comes back. */
	tv_set_tv(ctx, "kinds", kind_options(r));
	(void)str_to_i64(h_field(r, "to_warehouse_id"), 0, INT64_MAX, &to);
	tv_set_tv(ctx, "to_warehouses", h_warehouse_options(r, to,
	    &to_first));
	tv_set_i64(ctx, "warehouse_id", wid);
	tv_set_tv(ctx, "form", form != NULL ? form : tv_obj(r->arena));
	tv_set_tv(ctx, "errors", errors != NULL ? errors : tv_obj(r->arena));
	response_html(resp, r, status, "stock", ctx);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}

void
h_stock_page(struct request *r, struct response *resp)
{
	const char	*w = request_query(r, "warehouse_id");
	int64_t		 wid = 0;

	if (w != NULL && w[0] != '\0' && str_to_i64(w, 1, INT64_MAX, &wid) ==
	    -1)
		response_error(resp, r, 400, "warehouse_id must be an id.");
	else
		stock_page(r, resp, 200, wid, NULL, NULL);
}

/* The form again, with what the user typed and errors (page context;
 * NULL, a failed tv_obj(), answers 500). */
static void
move_form_again(struct request *r, struct response *resp, int status,
    int64_t wid, struct tval *errors)
{
	struct tval	*form = h_form_echo(r);

	if (errors == NULL || form == NULL)
		response_error(resp, r, 500, "Out of memory.");
	else
		stock_page(r, resp, status, wid, form, errors);
}

static void
move_form_refuse(struct request *r, struct response *resp, void *arg, int rv)
{
	struct h_move	*op = arg;
	struct tval	*errors = tv_obj(r->arena);

	h_dom_field(errors, &op->err);
	move_form_again(r, resp, rv == DOM_CONFLICT ? 409 : 422,
	    op->m.warehouse_id, errors);
}

/* The form's fields into op (the product by its SKU); errors gets a
 * message per bad field.  DB_OK or the db_status of the SKU's lookup. */
static int
move_form_fields(struct request *r, struct h_move *op, struct tval *errors)
{
	const char	*sku = h_field(r, "sku"), *field, *msg;
	int64_t		 pid;

	fields_from_form(&h_move_fields, FIELDS_CREATE, r, op, errors);
	if ((msg = h_move_check(op, &field)) != NULL)
		h_form_error(errors, field, msg);
	if (sku[0] == '\0')
		tv_set_str(errors, "sku", "Enter the product's SKU.");
	else if ((pid = products_id_by_sku(r->arena, sku)) < 0)
		return (int)pid;
	else if (pid == 0)
		tv_set_str(errors, "sku", "No product has this SKU.");
	else
		op->m.product_id = pid;
	return DB_OK;
}

void
h_stock_move_form(struct request *r, struct response *resp)
{
	struct h_move	 op;
	struct tval	*errors;
	const char	*key;
	int			 st = DB_OK;

	memset(&op, 0, sizeof(op));
	op.html = 1;
	if (idem_form_key(r, resp, &key) == -1)
		goto out;		/* answered */
	if ((errors = tv_obj(r->arena)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	if ((st = move_form_fields(r, &op, errors)) != DB_OK)
		goto out;
	if (h_form_invalid(errors))
		move_form_again(r, resp, 422, op.m.warehouse_id, errors);
	else
		idem_run(r, resp, key, h_move_op, move_form_refuse, &op);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}

struct tval *
h_movement_rows(struct arena *a, const struct movement_list *l, size_t max)
{
	struct tval		*list = tv_arr(a), *o;
	const struct movement	*m;
	size_t			 i;

	for (i = 0; i < l->n && i < max; i++) {
		m = &l->v[i];
		o = h_movement_tv(a, m);
		tv_set_str(o, "warehouse", m->warehouse_code);
		tv_set_opt(o, "user", m->user_email);
		tv_set_str(o, "at", m->created_at);
		tv_push(list, o);
	}
	return list;
}

/* The filters of /movements. */
struct move_filter {
	const char	*kind, *sku;
	int64_t		 wid, before;
};

/* Reads the filters; NULL or the message of a 400. */
static const char *
movements_filter(struct request *r, struct move_filter *f)
{
	const char	*w = request_query(r, "warehouse_id");
	const char	*b = request_query(r, "before");

	memset(f, 0, sizeof(*f));
	f->kind = request_query(r, "kind");
	f->sku = request_query(r, "sku");
	if ((w != NULL && w[0] != '\0' && str_to_i64(w, 1, INT64_MAX,
	    &f->wid) == -1) || (b != NULL && b[0] != '\0' && str_to_i64(b, 1,
	    INT64_MAX, &f->before) == -1))
		return "warehouse_id and before must be ids.";
	if (f->kind != NULL && f->kind[0] != '\0' &&
	    !stock_ledger_kind_valid(f->kind))
		return "kind is not a ledger kind.";
	return NULL;
}

/* One page of the ledger (one more row than shown: there is a next). */
static int
movements_read(struct request *r, const struct move_filter *f,
    struct movement_list *l)
{
	int64_t	pid = 0;

	memset(l, 0, sizeof(*l));
	if (f->sku != NULL && f->sku[0] != '\0') {
		if ((pid = products_id_by_sku(r->arena, f->sku)) < 0)
			return (int)pid;
		if (pid == 0)
			return DB_OK;		/* no such SKU: no rows */
	}
	return stock_movements(r->arena, pid, f->wid, f->kind, f->before,
	    MOVES_PAGE + 1, l);
}

void
h_movements_page(struct request *r, struct response *resp)
{
	struct move_filter	 f;
	struct movement_list	 l;
	struct tval		*ctx;
	const char		*bad;
	int64_t			 first;
	int			 st = DB_ERROR;

	if ((bad = movements_filter(r, &f)) != NULL ||
	    (st = movements_read(r, &f, &l)) != DB_OK)
		goto out;
	if ((ctx = tv_obj(r->arena)) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	tv_set_str(ctx, "title", "Movements");
	tv_set_tv(ctx, "movements", h_movement_rows(r->arena, &l,
	    MOVES_PAGE));
	tv_set_tv(ctx, "warehouses", h_warehouse_options(r, f.wid, &first));
	tv_set_str(ctx, "sku", f.sku != NULL ? f.sku : "");
	tv_set_str(ctx, "kind", f.kind != NULL ? f.kind : "");
	tv_set_i64(ctx, "warehouse_id", f.wid);
	if (l.n > MOVES_PAGE)
		tv_set_i64(ctx, "next", l.v[MOVES_PAGE - 1].id);
	response_html(resp, r, 200, "movements", ctx);
out:
	if (bad != NULL)
		response_error(resp, r, 400, bad);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
}
