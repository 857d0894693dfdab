/*
 * h_orders_html.c -- the pages of sales orders (/orders) and purchase
 * orders (/purchase-orders): lists, a form with several lines (SKU and
 * quantity per row), the detail page with its actions, and receiving.
 * The kind and the verb come from the route (h_orders.h); the domain
 * changes and the shape of an order are the API's (h_orders.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "catalog.h"
#include "outcome.h"
#include "domain.h"
#include "fields.h"
#include "h_orders.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "str.h"
#include "tmpl.h"

#define LIST_PAGE	50	/* orders per list page */

static const char *
base(int purchase)
{
	return purchase ? "/purchase-orders" : "/orders";
}

/* A page's context root (in the arena) with its title, kind and base. */
static struct tval *
page_ctx(struct request *r, int purchase, const char *title)
{
	struct tval	*ctx;

	if ((ctx = tv_obj(r->arena)) == NULL)
		return NULL;
	tv_set_str(ctx, "title", title);
	tv_set_bool(ctx, "purchase", purchase);
	tv_set_str(ctx, "base", base(purchase));
	return ctx;
}

/* A list row: the API's, with the party and a summary column. */
static struct tval *
list_row_tv(struct request *r, const struct order_summary *s, int purchase)
{
	struct tval	*o = h_order_summary_tv(r->arena, s, purchase);

	tv_set_str(o, "party", s->party);
	tv_set_str(o, "summary", purchase ? arena_printf(r->arena,
	    "%" PRId64 " of %" PRId64 " units received", s->units_received,
	    s->units_ordered) : h_money(r->arena, s->total_cents));
	return o;
}

static struct tval *
list_ctx(struct request *r, int purchase, const char *status,
    const struct order_list *l)
{
	struct tval	*ctx, *list;
	size_t		 i;

	if ((ctx = page_ctx(r, purchase, purchase ? "Purchase orders" :
	    "Sales orders")) == NULL)
		return NULL;
	list = tv_arr(r->arena);
	for (i = 0; i < l->n && i < LIST_PAGE; i++)
		tv_push(list, list_row_tv(r, &l->v[i], purchase));
	tv_set_tv(ctx, "orders", list);
	tv_set_str(ctx, "status", status ? status : "");
	if (l->n > LIST_PAGE)
		tv_set_i64(ctx, "next", l->v[LIST_PAGE - 1].id);
	return ctx;
}

void
h_orders_page(struct request *r, struct response *resp)
{
	struct order_list	 l;
	struct tval		*ctx = NULL;
	const char		*status = request_query(r, "status");
	const char		*b = request_query(r, "before");
	const char		*msg = NULL;
	int			 purchase = h_order_purchase(r);
	int64_t			 before = 0;
	int			 st = DB_OK;

	if (b != NULL && b[0] != '\0' && str_to_i64(b, 1, INT64_MAX, &before)
	    == -1)
		msg = "before must be an id.";
	else if (!h_order_status_valid(purchase, status))
		msg = "status is not a valid status.";
	else if ((st = h_order_list(r, purchase, status, before, LIST_PAGE + 1,
	    &l)) == DB_OK)
		ctx = list_ctx(r, purchase, status, &l);
	if (msg != NULL)
		response_error(resp, r, 400, msg);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_html(resp, r, ctx != NULL ? 200 : 500, "orders", ctx);
}

/* The suppliers for a <select>. */
static struct tval *
supplier_options(struct request *r, int64_t chosen)
{
	struct tval		*a = tv_arr(r->arena), *o;
	struct supplier_list	 l;
	int64_t			 id;
	size_t			 i;

	if (suppliers_list(r->arena, 0, 1000, &l) != DB_OK)
		return a;
	for (i = 0; i < l.n; i++) {
		id = l.v[i].id;
		o = tv_obj(r->arena);
		tv_set_i64(o, "id", id);
		tv_set_str(o, "name", l.v[i].name);
		tv_set_bool(o, "selected", id == chosen);
		tv_push(a, o);
	}
	return a;
}

/* A form field by a name made with arena_printf() (NULL: ENOMEM, which
 * reads as "" here and breaks the context where it is set). */
static const char *
line_field(struct request *r, const char *name)
{
	return name != NULL ? h_field(r, name) : NULL;
}

/* The form's line rows with what the user typed. */
static struct tval *
form_lines(struct request *r)
{
	struct tval	*lines = tv_arr(r->arena), *l;
	int		 i;

	for (i = 1; i <= H_ORDER_FORM_LINES; i++) {
		l = tv_obj(r->arena);
		tv_set_i64(l, "n", i);
		tv_set_str(l, "sku", line_field(r, arena_printf(r->arena,
		    "sku_%d", i)));
		tv_set_str(l, "qty", line_field(r, arena_printf(r->arena,
		    "qty_%d", i)));
		tv_set_str(l, "cost", line_field(r, arena_printf(r->arena,
		    "cost_%d", i)));
		tv_push(lines, l);
	}
	return lines;
}

/* Line errors (sku_3, qty_3, ...), listed under the table. */
static struct tval *
form_error_list(struct arena *a, const struct tval *errors)
{
	struct tval	*list, *e;
	const char	*key;
	size_t		 i;

	/* A broken errors object must not pass for a shorter list. */
	if (!tv_ok(errors) || (list = tv_arr(a)) == NULL)
		return NULL;
	for (i = 0; i < tv_len(errors); i++) {
		key = tv_key(errors, i);
		if (strchr(key, '_') == NULL ||
		    strcmp(key, "warehouse_id") == 0 ||
		    strcmp(key, "supplier_id") == 0)
			continue;
		e = tv_obj(a);
		tv_set_str(e, "field", key);
		tv_set_tv(e, "message", tv_at(errors, i));
		tv_push(list, e);
	}
	return list;
}

/* The new-order form; errors (page context) may be NULL. */
static void
order_form(struct request *r, struct response *resp, int status,
    int purchase, struct tval *errors)
{
	struct tval	*ctx;
	int64_t		 wid = 0, sid = 0, first;

	(void)str_to_i64(h_field(r, "warehouse_id"), 0, INT64_MAX, &wid);
	(void)str_to_i64(h_field(r, "supplier_id"), 0, INT64_MAX, &sid);
	ctx = page_ctx(r, purchase, purchase ? "New purchase order" :
	    "New sales order");
	if (ctx != NULL) {
		tv_set_tv(ctx, "form", h_form_echo(r));
		tv_set_tv(ctx, "lines", form_lines(r));
		tv_set_tv(ctx, "warehouses", h_warehouse_options(r, wid,
		    &first));
		if (purchase)
			tv_set_tv(ctx, "suppliers", supplier_options(r, sid));
		tv_set_tv(ctx, "error_list", errors != NULL ?
		    form_error_list(r->arena, errors) : tv_arr(r->arena));
		tv_set_tv(ctx, "errors", errors != NULL ? errors :
		    tv_obj(r->arena));
	}
	response_html(resp, r, ctx != NULL ? status : 500, "order_form", ctx);
}

void
h_order_new(struct request *r, struct response *resp)
{
	order_form(r, resp, 200, h_order_purchase(r), NULL);
}

/* The detail page's order: the API's shape with the page's columns and
 * what the actions may do. */
static struct tval *
detail_tv(struct request *r, const struct order *ord, int purchase)
{
	struct tval		*o = h_order_tv(r->arena, ord, purchase), l;
	const struct tval	*lines, *line, *total;
	const char		*s = ord->status;
	size_t			 i;

	if (o == NULL)
		return NULL;
	lines = tv_get(o, "lines");
	for (i = 0; i < ord->nlines; i++) {
		if ((line = tv_at(lines, i)) == NULL)
			return NULL;
		l = *line;	/* the same object: its storage is shared */
		tv_set_str(&l, "name", ord->lines[i].name);
		tv_set_str(&l, "price", h_money(r->arena,
		    ord->lines[i].price_cents));
		tv_set_i64(&l, "open",
		    ord->lines[i].qty - ord->lines[i].received);
	}
	total = tv_get(o, "total_cents");
	tv_set_str(o, "total", h_money(r->arena, total != NULL &&
	    total->type == TV_INT ? total->u.i : 0));
	tv_set_bool(o, "is_draft", strcmp(s, "draft") == 0);
	tv_set_bool(o, "is_confirmed", strcmp(s, "confirmed") == 0);
	tv_set_bool(o, "is_open", strcmp(s, "ordered") == 0 || strcmp(s,
	    "partially_received") == 0);
	tv_set_bool(o, "can_cancel", strcmp(s, "draft") == 0 || strcmp(s,
	    purchase ? "ordered" : "confirmed") == 0);
	return o;
}

/* The detail page, with a refusal's message and short lines (page
 * context, may be NULL). */
static void
order_detail(struct request *r, struct response *resp, int status,
    int64_t id, int purchase, const char *message, struct tval *shortl)
{
	struct tval	*ctx = NULL;
	struct order	 ord;
	int		 st;

	if ((st = h_order_get(r, purchase, id, &ord)) == DB_OK &&
	    (ctx = page_ctx(r, purchase, arena_printf(r->arena, "%s %" PRId64,
	    purchase ? "PO" : "SO", id))) != NULL) {
		tv_set_tv(ctx, "order", detail_tv(r, &ord, purchase));
		if (message != NULL)
			tv_set_str(ctx, "message", message);
		if (shortl != NULL) {
			tv_set_tv(ctx, "short", shortl);
			tv_set_bool(ctx, "has_short", 1);
		}
	}
	if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such order.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_html(resp, r, ctx != NULL ? status : 500, "order",
		    ctx);
}

/* The flash message of a change done, by kind and verb. */
static const char *const flashes[2][ACT_RECEIVE + 1] = {
	{ "order_created", "order_confirmed", "order_shipped",
	    "order_cancelled", NULL, NULL },
	{ "po_created", NULL, NULL, "po_cancelled", "po_ordered",
	    "po_received" }
};

/* idem_run()'s operation: the change, then back to the order. */
static int
order_form_op(struct request *r, struct response *resp, void *arg)
{
	struct order_op	*op = arg;
	int		 rv;

	if ((rv = h_order_apply(r, op)) == DB_OK)
		h_redirect_flash(resp, arena_printf(r->arena, "%s/%" PRId64,
		    base(op->purchase), op->id),
		    flashes[op->purchase][op->verb]);
	return rv;
}

/* The domain names lines[i].field; the form has numbered rows (sku_3,
 * qty_3) with blank rows skipped. */
static void
form_field_of_line(struct request *r, struct order_op *op)
{
	const char	*f;
	size_t		 k;

	if (op->err.field == NULL || sscanf(op->err.field, "lines[%zu]",
	    &k) != 1 || k >= op->nlines)
		return;
	f = strchr(op->err.field, '.');
	op->err.field = arena_printf(r->arena, "%s_%d",
	    f == NULL || strcmp(f, ".product_id") == 0 ? "sku" :
	    strcmp(f, ".cost_cents") == 0 ? "cost" : "qty", op->row[k]);
}

/* The refusal, rendered after the change was rolled back. */
static void
order_form_refuse(struct request *r, struct response *resp, void *arg,
    int rv)
{
	struct order_op	*op = arg;
	struct tval	*errors, *shortl;

	if (h_dom_details(r->arena, &op->err, &shortl) == -1)
		response_error(resp, r, 500, "Out of memory.");
	else if (rv == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such order.");
	else if (op->verb == ACT_NONE) {
		form_field_of_line(r, op);
		if ((errors = tv_obj(r->arena)) != NULL)
			h_dom_field(errors, &op->err);
		order_form(r, resp, errors != NULL ? 422 : 500, op->purchase,
		    errors);
	} else
		order_detail(r, resp, rv == DOM_INVALID ? 422 : 409, op->id,
		    op->purchase, op->err.message, shortl);
}

/* One numbered row of the form (sku_i, qty_i, cost_i) into op's next
 * line.  DB_OK or a db_status. */
static int
line_from_form(struct request *r, struct order_op *op, int i,
    const char *sku, struct tval *errors)
{
	struct line_in	*l = &op->lines[op->nlines];
	const char	*cost = arena_printf(r->arena, "cost_%d", i);
	int64_t		 pid;

	if ((pid = products_id_by_sku(r->arena, sku)) < 0)
		return (int)pid;
	if (pid == 0)
		tv_set_str(errors, arena_printf(r->arena, "sku_%d", i),
		    "No product has this SKU.");
	l->product_id = pid;
	op->row[op->nlines] = i;
	(void)h_field_int(r, arena_printf(r->arena, "qty_%d", i), 1,
	    BR_MAX_LINE_QTY, 0, 1, &l->qty, errors);
	l->cost_cents = -1;
	if (op->purchase && h_field(r, cost)[0] != '\0')
		(void)h_field_money(r, cost, &l->cost_cents, errors);
	op->nlines++;
	return DB_OK;
}

/* Reads the numbered line rows; rows without a SKU are skipped. */
static int
lines_from_form(struct request *r, struct order_op *op, struct tval *errors)
{
	const char	*sku;
	int		 i, rv;

	if ((op->lines = arena_calloc(r->arena, H_ORDER_FORM_LINES,
	    sizeof(*op->lines))) == NULL)
		return DB_ERROR;
	for (i = 1; i <= H_ORDER_FORM_LINES; i++) {
		sku = h_field(r, arena_printf(r->arena, "sku_%d", i));
		if (sku[0] != '\0' &&
		    (rv = line_from_form(r, op, i, sku, errors)) != DB_OK)
			return rv;
	}
	if (op->nlines == 0)
		tv_set_str(errors, "lines",
		    "Enter at least one line (SKU and quantity).");
	return DB_OK;
}

void
h_order_create_form(struct request *r, struct response *resp)
{
	struct order_op	 op;
	struct tval	*errors;
	const char	*key;
	int		 st = DB_ERROR;

	h_order_op_init(&op, r);
	if (idem_form_key(r, resp, &key) == -1)
		return;				/* answered */
	if ((errors = tv_obj(r->arena)) == NULL)
		goto out;
	fields_from_form(op.purchase ? &h_po_fields : &h_order_fields,
	    FIELDS_CREATE, r, &op, errors);
	st = lines_from_form(r, &op, errors);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
	else if (h_form_invalid(errors))
		order_form(r, resp, 422, op.purchase, errors);
	else
		idem_run(r, resp, key, order_form_op, order_form_refuse, &op);
}

void
h_order_page(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "No such order.")) >= 0)
		order_detail(r, resp, 200, id, h_order_purchase(r), NULL,
		    NULL);
}

/*
 * One "receive_LINE" field per line of order op->id; empty or 0 skips
 * it.  0 with op's lines set, DOM_INVALID when no line has a whole
 * quantity, or another outcome of reading the order.
 */
static int
receipt_from_form(struct request *r, struct order_op *op)
{
	struct tval	*errors;
	struct order	 ord;
	size_t		 i;
	int64_t		 q;
	int		 st;

	if ((st = h_order_get(r, 1, op->id, &ord)) != DB_OK)
		return st;
	if ((errors = tv_obj(r->arena)) == NULL ||
	    (op->lines = arena_calloc(r->arena, ord.nlines + 1,
	    sizeof(*op->lines))) == NULL)
		return DB_ERROR;
	for (i = 0; i < ord.nlines; i++)
		if (h_field_int(r, arena_printf(r->arena, "receive_%" PRId64,
		    ord.lines[i].line_no), 0, BR_MAX_LINE_QTY, 0, 0, &q,
		    errors) == 0 && q > 0) {
			op->lines[op->nlines].line_no = ord.lines[i].line_no;
			op->lines[op->nlines++].qty = q;
		}
	if (h_form_invalid(errors) || op->nlines == 0)
		return DOM_INVALID;
	return DB_OK;
}

/* POST /orders/{id}/VERB and /purchase-orders/{id}/VERB. */
void
h_order_action_form(struct request *r, struct response *resp)
{
	struct order_op	 op;
	const char	*key;
	int		 st = DB_OK;

	h_order_op_init(&op, r);
	if ((op.id = h_id_param(r, resp, "No such order.")) < 0 ||
	    idem_form_key(r, resp, &key) == -1)
		return;				/* answered */
	if (op.verb == ACT_RECEIVE)
		st = receipt_from_form(r, &op);
	if (st == DOM_INVALID)
		order_detail(r, resp, 422, op.id, 1, "Enter a quantity "
		    "to receive on at least one line (whole units).", NULL);
	else if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such order.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		idem_run(r, resp, key, order_form_op, order_form_refuse, &op);
}
