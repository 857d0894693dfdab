/*
 * h_orders_html.c -- the pages of sales orders (/orders) and purchase
 * orders (/purchase-orders): lists, a form with several lines (SKU and
 * quantity per row), the detail page with its actions, and receiving.
 */
#include <inttypes.h>
#include <stdio.h>
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
#include "orders.h"
#include "purchasing.h"
#include "request.h"
#include "response.h"
#include "str.h"

#define FORM_LINES	10	/* blank line rows on the new-order form */

static const char *
base(int purchase)
{
	return purchase ? "/purchase-orders" : "/orders";
}

void
h_orders_page(struct request *r, struct response *resp)
{
	struct json_object	*ctx, *list, *o;
	struct db_rows		 rows;
	const char		*status = request_query(r, "status");
	const char		*b = request_query(r, "before");
	int			 purchase = str_has_prefix(r->path,
				    "/purchase-orders");
	int64_t			 before = 0, last = 0;
	size_t			 i;
	int			 st;

	if (b != NULL && b[0] != '\0' && str_to_i64(b, 1, INT64_MAX, &before)
	    == -1) {
		response_error(resp, r, 400, "before must be an id.");
		return;
	}
	if (status != NULL && status[0] != '\0' && !(purchase ?
	    po_status_valid(status) : orders_status_valid(status))) {
		response_error(resp, r, 400, "status is not a valid status.");
		return;
	}
	st = purchase ? po_list(r->arena, status, before, 51, &rows) :
	    orders_list(r->arena, status, before, 51, &rows);
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows && i < 50; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		if (purchase) {
			json_object_object_add(o, "party",
			    json_object_new_string(DB_CELL(&rows, i, 2)));
			json_object_object_add(o, "status",
			    json_object_new_string(DB_CELL(&rows, i, 4)));
			json_object_object_add(o, "created_at",
			    json_object_new_string(DB_CELL(&rows, i, 6)));
			json_object_object_add(o, "lines",
			    h_jint(DB_CELL(&rows, i, 7)));
			json_object_object_add(o, "summary",
			    json_object_new_string(arena_printf(r->arena,
			    "%s of %s units received", DB_CELL(&rows, i, 9),
			    DB_CELL(&rows, i, 8))));
		} else {
			int64_t t = 0;
			(void)str_to_i64(DB_CELL(&rows, i, 7), 0, INT64_MAX,
			    &t);
			json_object_object_add(o, "party",
			    json_object_new_string(DB_CELL(&rows, i, 1)));
			json_object_object_add(o, "status",
			    json_object_new_string(DB_CELL(&rows, i, 3)));
			json_object_object_add(o, "created_at",
			    json_object_new_string(DB_CELL(&rows, i, 5)));
			json_object_object_add(o, "lines",
			    h_jint(DB_CELL(&rows, i, 6)));
			json_object_object_add(o, "summary",
			    json_object_new_string(h_money(r->arena, t)));
		}
		json_object_array_add(list, o);
		(void)str_to_i64(DB_CELL(&rows, i, 0), 0, INT64_MAX, &last);
	}
	json_object_object_add(ctx, "title", json_object_new_string(purchase ?
	    "Purchase orders" : "Sales orders"));
	json_object_object_add(ctx, "purchase",
	    json_object_new_boolean(purchase));
	json_object_object_add(ctx, "base", json_object_new_string(
	    base(purchase)));
	json_object_object_add(ctx, "orders", list);
	json_object_object_add(ctx, "status", json_object_new_string(
	    status ? status : ""));
	if (rows.nrows > 50)
		json_object_object_add(ctx, "next", json_object_new_int64(last));
	response_html(resp, r, 200, "orders", json_own(resp->arena, ctx));
}

/* The suppliers for a <select>. */
static struct json_object *
supplier_options(struct request *r, int64_t chosen)
{
	struct json_object	*a = json_object_new_array(), *o;
	struct supplier_list	 l;
	int64_t			 id;
	size_t			 i;

	if (suppliers_list(r->arena, 0, 1000, &l) != DB_OK)
		return a;
	for (i = 0; i < l.n; i++) {
		id = l.v[i].id;
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_int64(id));
		json_object_object_add(o, "name", json_object_new_string(
		    l.v[i].name));
		json_object_object_add(o, "selected",
		    json_object_new_boolean(id == chosen));
		json_object_array_add(a, o);
	}
	return a;
}

static void
order_form(struct request *r, struct response *resp, int status,
    int purchase, struct json_object *errors)
{
	struct json_object	*ctx = json_object_new_object(), *lines, *l;
	int64_t			 wid = 0, sid = 0, first;
	char			 k[32];
	int			 i;

	(void)str_to_i64(h_field(r, "warehouse_id"), 0, INT64_MAX, &wid);
	(void)str_to_i64(h_field(r, "supplier_id"), 0, INT64_MAX, &sid);
	lines = json_object_new_array();
	for (i = 1; i <= FORM_LINES; i++) {
		l = json_object_new_object();
		json_object_object_add(l, "n", json_object_new_int(i));
		snprintf(k, sizeof(k), "sku_%d", i);
		json_object_object_add(l, "sku", json_object_new_string(
		    h_field(r, k)));
		snprintf(k, sizeof(k), "qty_%d", i);
		json_object_object_add(l, "qty", json_object_new_string(
		    h_field(r, k)));
		snprintf(k, sizeof(k), "cost_%d", i);
		json_object_object_add(l, "cost", json_object_new_string(
		    h_field(r, k)));
		json_object_array_add(lines, l);
	}
	json_object_object_add(ctx, "title", json_object_new_string(purchase ?
	    "New purchase order" : "New sales order"));
	json_object_object_add(ctx, "purchase",
	    json_object_new_boolean(purchase));
	json_object_object_add(ctx, "base", json_object_new_string(
	    base(purchase)));
	json_object_object_add(ctx, "form", h_form_echo(r));
	json_object_object_add(ctx, "lines", lines);
	json_object_object_add(ctx, "warehouses", h_warehouse_options(r, wid,
	    &first));
	if (purchase)
		json_object_object_add(ctx, "suppliers", supplier_options(r,
		    sid));
	if (errors == NULL)
		errors = json_object_new_object();
	/* Line errors (sku_3, qty_3, ...) listed under the table. */
	{
		struct json_object *list = json_object_new_array(), *e;
		json_object_object_foreach(errors, key, val) {
			if (strchr(key, '_') == NULL ||
			    strcmp(key, "warehouse_id") == 0 ||
			    strcmp(key, "supplier_id") == 0)
				continue;
			e = json_object_new_object();
			json_object_object_add(e, "field",
			    json_object_new_string(key));
			json_object_object_add(e, "message",
			    json_object_get(val));
			json_object_array_add(list, e);
		}
		json_object_object_add(ctx, "error_list", list);
	}
	json_object_object_add(ctx, "errors", errors);
	response_html(resp, r, status, "order_form", json_own(resp->arena, ctx));
}

void
h_order_new(struct request *r, struct response *resp)
{
	order_form(r, resp, 200, str_has_prefix(r->path, "/purchase-orders"),
	    NULL);
}

struct order_form_op {
	int			 purchase;
	const char		*action;
	int64_t			 id;
	const char		*customer, *note;
	int64_t			 party_id, warehouse_id;
	struct line_in		*lines;
	size_t			 nlines;
	int			 row[FORM_LINES];	/* form row of line i */
	struct dom_error	 err;
};

static void order_detail(struct request *, struct response *, int, int64_t,
    int, const char *, struct json_object *);

static int
order_form_op(struct request *r, struct response *resp, void *arg)
{
	struct order_form_op	*op = arg;
	struct audit_ctx	 ctx;
	const char		*a = op->action, *flash;
	int64_t			 id = op->id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if (strcmp(a, "create") == 0)
		rv = op->purchase ? po_create(&ctx, op->party_id,
		    op->warehouse_id, op->note, op->lines, op->nlines, &id,
		    &op->err) : orders_create(&ctx, op->customer,
		    op->warehouse_id, op->note, op->lines, op->nlines, &id,
		    &op->err);
	else if (strcmp(a, "confirm") == 0)
		rv = orders_confirm(&ctx, id, &op->err);
	else if (strcmp(a, "ship") == 0)
		rv = orders_ship(&ctx, id, &op->err);
	else if (strcmp(a, "order") == 0)
		rv = po_order(&ctx, id, &op->err);
	else if (strcmp(a, "receive") == 0)
		rv = po_receive(&ctx, id, op->lines, op->nlines, &op->err);
	else
		rv = op->purchase ? po_cancel(&ctx, id, &op->err) :
		    orders_cancel(&ctx, id, &op->err);
	if (rv == DB_OK) {
		flash = strcmp(a, "create") == 0 ? (op->purchase ?
		    "po_created" : "order_created") : strcmp(a, "confirm") == 0 ?
		    "order_confirmed" : strcmp(a, "ship") == 0 ?
		    "order_shipped" : strcmp(a, "order") == 0 ? "po_ordered" :
		    strcmp(a, "receive") == 0 ? "po_received" : op->purchase ?
		    "po_cancelled" : "order_cancelled";
		h_redirect_flash(resp, arena_printf(r->arena, "%s/%" PRId64,
		    base(op->purchase), id), flash);
		return DB_OK;
	}
	return rv;
}

/* The refusal, rendered after the change was rolled back. */
static void
order_form_refuse(struct request *r, struct response *resp, void *arg,
    int rv)
{
	struct order_form_op	*op = arg;
	struct json_object	*errors;
	size_t			 k;

	if (rv == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such order.");
	else if (strcmp(op->action, "create") == 0) {
		errors = json_object_new_object();
		/* The domain names lines[i].field; the form has numbered rows
		 * (sku_3, qty_3) with blank rows skipped. */
		if (op->err.field != NULL && sscanf(op->err.field, "lines[%zu]",
		    &k) == 1 && k < op->nlines) {
			const char *f = strchr(op->err.field, '.');
			op->err.field = arena_printf(r->arena, "%s_%d",
			    f == NULL || strcmp(f, ".product_id") == 0 ? "sku" :
			    strcmp(f, ".cost_cents") == 0 ? "cost" : "qty",
			    op->row[k]);
		}
		h_dom_field(errors, &op->err);
		order_form(r, resp, 422, op->purchase, errors);
	} else {
		order_detail(r, resp, rv == DOM_INVALID ? 422 : 409, op->id,
		    op->purchase, op->err.message, op->err.details);
		op->err.details = NULL;
	}
}

/* Reads the numbered line rows; rows without a SKU are skipped. */
static int
lines_from_form(struct request *r, struct order_form_op *op,
    struct json_object *errors)
{
	char		 k[32];
	const char	*sku;
	int64_t		 pid;
	int		 i;

	if ((op->lines = arena_calloc(r->arena, FORM_LINES,
	    sizeof(*op->lines))) == NULL)
		return DB_ERROR;
	for (i = 1; i <= FORM_LINES; i++) {
		snprintf(k, sizeof(k), "sku_%d", i);
		if ((sku = h_field(r, k))[0] == '\0')
			continue;
		if ((pid = products_id_by_sku(r->arena, sku)) < 0)
			return (int)pid;
		if (pid == 0)
			json_object_object_add(errors, k,
			    json_object_new_string("No product has this SKU."));
		op->lines[op->nlines].product_id = pid;
		op->row[op->nlines] = i;
		snprintf(k, sizeof(k), "qty_%d", i);
		(void)h_field_int(r, k, 1, BR_MAX_LINE_QTY, 0, 1,
		    &op->lines[op->nlines].qty, errors);
		op->lines[op->nlines].cost_cents = -1;
		snprintf(k, sizeof(k), "cost_%d", i);
		if (op->purchase && h_field(r, k)[0] != '\0')
			(void)h_field_money(r, k,
			    &op->lines[op->nlines].cost_cents, errors);
		op->nlines++;
	}
	if (op->nlines == 0)
		json_object_object_add(errors, "lines", json_object_new_string(
		    "Enter at least one line (SKU and quantity)."));
	return DB_OK;
}

void
h_order_create_form(struct request *r, struct response *resp)
{
	struct order_form_op	 op;
	struct json_object	*errors = json_object_new_object();
	const char		*key;
	int			 st;

	memset(&op, 0, sizeof(op));
	op.purchase = str_has_prefix(r->path, "/purchase-orders");
	op.action = "create";
	if (idem_form_key(r, resp, &key) == -1) {
		json_object_put(errors);
		return;
	}
	op.customer = h_field(r, "customer");
	op.note = h_field(r, "note");
	(void)h_field_int(r, "warehouse_id", 1, INT64_MAX, 0, 1,
	    &op.warehouse_id, errors);
	if (op.purchase)
		(void)h_field_int(r, "supplier_id", 1, INT64_MAX, 0, 1,
		    &op.party_id, errors);
	if ((st = lines_from_form(r, &op, errors)) != DB_OK) {
		json_object_put(errors);
		response_db_error(resp, r, st);
		return;
	}
	if (json_object_object_length(errors) > 0) {
		order_form(r, resp, 422, op.purchase, errors);
		return;
	}
	json_object_put(errors);
	idem_run(r, resp, key, order_form_op, order_form_refuse, &op);
}

static void
order_detail(struct request *r, struct response *resp, int status,
    int64_t id, int purchase, const char *message, struct json_object *shortl)
{
	struct json_object	*ctx, *o, *lines, *l;
	struct order		 ord;
	size_t			 i;
	int			 st;

	st = purchase ? po_get(r->arena, id, &ord) :
	    orders_get(r->arena, id, &ord);
	if (st == DOM_NOT_FOUND) {
		json_object_put(shortl);
		response_error(resp, r, 404, "No such order.");
		return;
	}
	if (st != DB_OK) {
		json_object_put(shortl);
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	o = h_order_json(&ord, purchase);
	json_object_object_get_ex(o, "lines", &lines);
	for (i = 0; i < ord.nlines; i++) {
		l = json_object_array_get_idx(lines, i);
		json_object_object_add(l, "name", json_object_new_string(
		    ord.lines[i].name));
		json_object_object_add(l, "price", json_object_new_string(
		    h_money(r->arena, ord.lines[i].price_cents)));
		json_object_object_add(l, "open", json_object_new_int64(
		    ord.lines[i].qty - ord.lines[i].received));
	}
	json_object_object_add(o, "total", json_object_new_string(h_money(
	    r->arena, json_object_get_int64(json_object_object_get(o,
	    "total_cents")))));
	json_object_object_add(o, "is_draft", json_object_new_boolean(
	    strcmp(ord.status, "draft") == 0));
	json_object_object_add(o, "is_confirmed", json_object_new_boolean(
	    strcmp(ord.status, "confirmed") == 0));
	json_object_object_add(o, "is_open", json_object_new_boolean(
	    strcmp(ord.status, "ordered") == 0 ||
	    strcmp(ord.status, "partially_received") == 0));
	json_object_object_add(o, "can_cancel", json_object_new_boolean(
	    strcmp(ord.status, "draft") == 0 || strcmp(ord.status,
	    purchase ? "ordered" : "confirmed") == 0));
	json_object_object_add(ctx, "title", json_object_new_string(
	    arena_printf(r->arena, "%s %" PRId64, purchase ? "PO" : "SO", id)));
	json_object_object_add(ctx, "purchase",
	    json_object_new_boolean(purchase));
	json_object_object_add(ctx, "base", json_object_new_string(
	    base(purchase)));
	json_object_object_add(ctx, "order", o);
	if (message != NULL)
		json_object_object_add(ctx, "message",
		    json_object_new_string(message));
	if (shortl != NULL) {
		json_object_object_add(ctx, "short", shortl);
		json_object_object_add(ctx, "has_short",
		    json_object_new_boolean(1));
	}
	response_html(resp, r, status, "order", json_own(resp->arena, ctx));
}

void
h_order_page(struct request *r, struct response *resp)
{
	int64_t	id;

	if ((id = h_id_param(r, resp, "No such order.")) < 0)
		return;
	order_detail(r, resp, 200, id, str_has_prefix(r->path,
	    "/purchase-orders"), NULL, NULL);
}

/* POST /orders/{id}/ACTION and /purchase-orders/{id}/ACTION. */
void
h_order_action_form(struct request *r, struct response *resp)
{
	struct order_form_op	 op;
	struct json_object	*errors;
	const char		*key;
	char			 k[32];
	size_t			 i;
	int64_t			 q;
	struct order		 ord;
	int			 st;

	memset(&op, 0, sizeof(op));
	op.purchase = str_has_prefix(r->path, "/purchase-orders");
	op.action = strrchr(r->path, '/') + 1;
	if ((op.id = h_id_param(r, resp, "No such order.")) < 0 ||
	    idem_form_key(r, resp, &key) == -1)
		return;
	if (strcmp(op.action, "receive") == 0) {
		/* One "receive_LINE" field per line; empty or 0 skips it. */
		if ((st = po_get(r->arena, op.id, &ord)) != DB_OK) {
			if (st == DOM_NOT_FOUND)
				response_error(resp, r, 404, "No such order.");
			else
				response_db_error(resp, r, st);
			return;
		}
		errors = json_object_new_object();
		op.lines = arena_calloc(r->arena, ord.nlines + 1,
		    sizeof(*op.lines));
		for (i = 0; op.lines != NULL && i < ord.nlines; i++) {
			snprintf(k, sizeof(k), "receive_%" PRId64,
			    ord.lines[i].line_no);
			if (h_field_int(r, k, 0, BR_MAX_LINE_QTY, 0, 0, &q,
			    errors) == 0 && q > 0) {
				op.lines[op.nlines].line_no =
				    ord.lines[i].line_no;
				op.lines[op.nlines++].qty = q;
			}
		}
		if (json_object_object_length(errors) > 0 || op.nlines == 0) {
			json_object_put(errors);
			order_detail(r, resp, 422, op.id, 1, "Enter a quantity "
			    "to receive on at least one line (whole units).",
			    NULL);
			return;
		}
		json_object_put(errors);
	}
	idem_run(r, resp, key, order_form_op, order_form_refuse, &op);
}
