/*
 * h_orders.c -- /api/v1/orders (sales orders: list, get, create, confirm,
 * ship, cancel) and /api/v1/purchase-orders (list, get, create, order,
 * receive, cancel), and what the pages (h_orders_html.c) share with them
 * (h_orders.h): the route's kind and verb, the domain change of each
 * verb, and the JSON of an order and of a list row.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "domain.h"
#include "fields.h"
#include "h_orders.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "json.h"
#include "log.h"
#include "middleware.h"
#include "orders.h"
#include "purchasing.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"

/* --- shared with the pages ---------------------------------------------- */

int
h_order_purchase(const struct request *r)
{
	return (r->route->action & ACT_RESOURCE) == ACT_PURCHASE;
}

void
h_order_op_init(struct order_op *op, const struct request *r)
{
	memset(op, 0, sizeof(*op));
	op->purchase = h_order_purchase(r);
	op->verb = r->route->action & ACT_VERB;
}

int
h_order_apply(struct request *r, struct order_op *op)
{
	struct audit_ctx	 ctx;
	struct dom_error	*err = &op->err;

	middleware_audit_ctx(r, &ctx);
	memset(err, 0, sizeof(*err));
	switch (op->verb) {
	case ACT_NONE:
		return op->purchase ? po_create(&ctx, op->party_id,
		    op->warehouse_id, op->note, op->lines, op->nlines, &op->id,
		    err) : orders_create(&ctx, op->customer, op->warehouse_id,
		    op->note, op->lines, op->nlines, &op->id, err);
	case ACT_CONFIRM:
		return orders_confirm(&ctx, op->id, err);
	case ACT_SHIP:
		return orders_ship(&ctx, op->id, err);
	case ACT_ORDER:
		return po_order(&ctx, op->id, err);
	case ACT_RECEIVE:
		return po_receive(&ctx, op->id, op->lines, op->nlines, err);
	case ACT_CANCEL:
		return op->purchase ? po_cancel(&ctx, op->id, err) :
		    orders_cancel(&ctx, op->id, err);
	}
	fatalx("unknown order verb %d", op->verb);
}

int
h_order_get(struct request *r, int purchase, int64_t id, struct order *o)
{
	return purchase ? po_get(r->arena, id, o) :
	    orders_get(r->arena, id, o);
}

int
h_order_list(struct request *r, int purchase, const char *status,
    int64_t before_id, int64_t limit, struct order_list *l)
{
	return purchase ? po_list(r->arena, status, before_id, limit, l) :
	    orders_list(r->arena, status, before_id, limit, l);
}

int
h_order_status_valid(int purchase, const char *status)
{
	if (status == NULL || status[0] == '\0')
		return 1;
	return purchase ? po_status_valid(status) :
	    orders_status_valid(status);
}

static struct json_object *
order_line_json(const struct order_line *l, int purchase)
{
	struct json_object	*j = json_object_new_object();

	json_add_i64(j, "line_no", l->line_no);
	json_add_i64(j, "product_id", l->product_id);
	json_add_str(j, "sku", l->sku);
	json_add_i64(j, "qty", l->qty);
	json_object_object_add(j, purchase ? "cost_cents" : "price_cents",
	    json_object_new_int64(l->price_cents));
	if (purchase)
		json_add_i64(j, "received", l->received);
	return j;
}

struct json_object *
h_order_json(const struct order *o, int purchase)
{
	struct json_object	*j = json_object_new_object(), *lines;
	int64_t			 total = 0, amount;
	size_t			 i;

	json_add_i64(j, "id", o->id);
	if (purchase)
		json_add_i64(j, "supplier_id", o->supplier_id);
	else
		json_add_str(j, "customer", o->party);
	json_add_i64(j, "warehouse_id", o->warehouse_id);
	json_add_str(j, "status", o->status);
	json_add_str(j, "note", o->note);
	lines = json_object_new_array();
	for (i = 0; i < o->nlines; i++) {
		json_object_array_add(lines, order_line_json(&o->lines[i],
		    purchase));
		/* Bounded at creation; saturate rather than overflow. */
		if (__builtin_mul_overflow(o->lines[i].qty,
		    o->lines[i].price_cents, &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			total = INT64_MAX;
	}
	json_object_object_add(j, "lines", lines);
	json_add_i64(j, "total_cents", total);
	json_add_str(j, "created_at", o->created_at);
	json_add_str(j, "updated_at", o->updated_at);
	return j;
}

struct json_object *
h_order_summary_json(const struct order_summary *s, int purchase)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "id", s->id);
	if (purchase) {
		json_add_i64(o, "supplier_id", s->supplier_id);
		json_add_str(o, "supplier", s->party);
	} else
		json_add_str(o, "customer", s->party);
	json_add_i64(o, "warehouse_id", s->warehouse_id);
	json_add_str(o, "status", s->status);
	json_add_str(o, "note", s->note);
	json_add_str(o, "created_at", s->created_at);
	json_add_i64(o, "lines", s->nlines);
	if (purchase) {
		json_add_i64(o, "units_ordered", s->units_ordered);
		json_add_i64(o, "units_received", s->units_received);
	} else
		json_add_i64(o, "total_cents", s->total_cents);
	return o;
}

static struct tval *
order_line_tv(struct arena *a, const struct order_line *l, int purchase)
{
	struct tval	*j = tv_obj(a);

	tv_set_i64(j, "line_no", l->line_no);
	tv_set_i64(j, "product_id", l->product_id);
	tv_set_str(j, "sku", l->sku);
	tv_set_i64(j, "qty", l->qty);
	tv_set_i64(j, purchase ? "cost_cents" : "price_cents",
	    l->price_cents);
	if (purchase)
		tv_set_i64(j, "received", l->received);
	return j;
}

struct tval *
h_order_tv(struct arena *a, const struct order *o, int purchase)
{
	struct tval	*j = tv_obj(a), *lines = tv_arr(a);
	int64_t		 total = 0, amount;
	size_t		 i;

	tv_set_i64(j, "id", o->id);
	if (purchase)
		tv_set_i64(j, "supplier_id", o->supplier_id);
	else
		tv_set_str(j, "customer", o->party);
	tv_set_i64(j, "warehouse_id", o->warehouse_id);
	tv_set_str(j, "status", o->status);
	tv_set_str(j, "note", o->note);
	for (i = 0; i < o->nlines; i++) {
		tv_push(lines, order_line_tv(a, &o->lines[i], purchase));
		/* As h_order_json(). */
		if (__builtin_mul_overflow(o->lines[i].qty,
		    o->lines[i].price_cents, &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			total = INT64_MAX;
	}
	tv_set_tv(j, "lines", lines);
	tv_set_i64(j, "total_cents", total);
	tv_set_str(j, "created_at", o->created_at);
	tv_set_str(j, "updated_at", o->updated_at);
	return j;
}

struct tval *
h_order_summary_tv(struct arena *a, const struct order_summary *s,
    int purchase)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", s->id);
	if (purchase) {
		tv_set_i64(o, "supplier_id", s->supplier_id);
		tv_set_str(o, "supplier", s->party);
	} else
		tv_set_str(o, "customer", s->party);
	tv_set_i64(o, "warehouse_id", s->warehouse_id);
	tv_set_str(o, "status", s->status);
	tv_set_str(o, "note", s->note);
	tv_set_str(o, "created_at", s->created_at);
	tv_set_i64(o, "lines", s->nlines);
	if (purchase) {
		tv_set_i64(o, "units_ordered", s->units_ordered);
		tv_set_i64(o, "units_received", s->units_received);
	} else
		tv_set_i64(o, "total_cents", s->total_cents);
	return o;
}

/* --- the API ------------------------------------------------------------ */

/*
 * The fields of a new order of each kind and of a receipt, declared once
 * (fields.h) for the API; the pages read the header fields through the
 * same tables and their line rows themselves.  Line errors are named
 * lines[i].field.  The messages are the domain's.
 */
static const struct field sales_line_field[] = {
	FIELD_NUM("product_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0,
	    struct line_in, product_id),
	FIELD_NUM("qty", NULL, FT_INT, F_REQUIRED, 1, BR_MAX_LINE_QTY, 0,
	    struct line_in, qty),
};
static const struct field_set sales_lines = { "order line", NULL, NULL,
	sales_line_field, FIELD_COUNT(sales_line_field), sizeof(struct line_in),
	BR_MAX_ORDER_LINES };

/* cost_cents -1: the product's cost. */
static const struct field po_line_field[] = {
	FIELD_NUM("product_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0,
	    struct line_in, product_id),
	FIELD_NUM("qty", NULL, FT_INT, F_REQUIRED, 1, BR_MAX_LINE_QTY, 0,
	    struct line_in, qty),
	FIELD_NUM("cost_cents", NULL, FT_INT, 0, 0, BR_MAX_CENTS, -1,
	    struct line_in, cost_cents),
};
static const struct field_set po_lines = { "purchase order line", NULL,
	NULL, po_line_field, FIELD_COUNT(po_line_field), sizeof(struct line_in),
	BR_MAX_ORDER_LINES };

static const struct field receive_line_field[] = {
	FIELD_NUM("line_no", NULL, FT_INT, F_REQUIRED, 1, BR_MAX_ORDER_LINES, 0,
	    struct line_in, line_no),
	FIELD_NUM("qty", NULL, FT_INT, F_REQUIRED, 1, BR_MAX_LINE_QTY, 0,
	    struct line_in, qty),
};
static const struct field_set receive_lines = { "receipt line", NULL, NULL,
	receive_line_field, FIELD_COUNT(receive_line_field),
	sizeof(struct line_in), BR_MAX_ORDER_LINES };

static const struct field order_field[] = {
	FIELD_STR("customer", "customer", F_REQUIRED, 1, 200, NULL, "Enter "
	    "the customer (1 to 200 characters).", struct order_op, customer),
	FIELD_NUM("warehouse_id", "warehouse_id", FT_ID, F_REQUIRED, 0, 0, 0,
	    struct order_op, warehouse_id),
	FIELD_STR("note", "note", 0, 0, 255, "", "Use at most 255 "
	    "characters.", struct order_op, note),
	FIELD_LIST("lines", F_REQUIRED, struct order_op, lines, nlines,
	    &sales_lines),
};
const struct field_set h_order_fields = { "order", "OrderCreate", NULL,
	order_field, FIELD_COUNT(order_field), sizeof(struct order_op), 0 };

static const struct field po_field[] = {
	FIELD_NUM("supplier_id", "supplier_id", FT_ID, F_REQUIRED, 0, 0, 0,
	    struct order_op, party_id),
	FIELD_NUM("warehouse_id", "warehouse_id", FT_ID, F_REQUIRED, 0, 0, 0,
	    struct order_op, warehouse_id),
	FIELD_STR("note", "note", 0, 0, 255, "", "Use at most 255 "
	    "characters.", struct order_op, note),
	FIELD_LIST("lines", F_REQUIRED, struct order_op, lines, nlines,
	    &po_lines),
};
const struct field_set h_po_fields = { "purchase order",
	"PurchaseOrderCreate", NULL, po_field, FIELD_COUNT(po_field),
	sizeof(struct order_op), 0 };

static const struct field receive_field[] = {
	FIELD_LIST("lines", F_REQUIRED, struct order_op, lines, nlines,
	    &receive_lines),
};
const struct field_set h_receive_fields = { "receipt",
	"PurchaseOrderReceive", NULL, receive_field, FIELD_COUNT(receive_field),
	sizeof(struct order_op), 0 };

/* GET /api/v1/{orders,purchase-orders}: the route names the kind. */
void
h_api_orders(struct request *r, struct response *resp)
{
	struct order_list	 l;
	struct json_object	*items = NULL;
	const char		*status = request_query(r, "status");
	int			 purchase = h_order_purchase(r);
	int64_t			 limit, cursor, last = 0;
	size_t			 i;
	int			 code = 0, st = DB_OK;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		goto out;			/* answered */
	code = 400;
	if (!h_order_status_valid(purchase, status))
		goto out;
	code = 500;
	if ((st = h_order_list(r, purchase, status, cursor, limit + 1, &l))
	    != DB_OK ||
	    (items = json_own(r->arena, json_object_new_array())) == NULL)
		goto out;
	for (i = 0; i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_order_summary_json(&l.v[i],
		    purchase));
	if (l.n > (size_t)limit)
		last = l.v[limit - 1].id;
	code = 200;
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
	else if (code == 400)
		response_error(resp, r, 400, "status is not a valid status.");
	else if (code != 0)
		h_list_json(resp, items, last);
}

void
h_api_order(struct request *r, struct response *resp)
{
	struct order	o;
	int64_t		id;
	int		st = DB_OK;

	if ((id = h_id_param(r, resp, "No such order.")) < 0)
		return;				/* answered */
	st = h_order_get(r, h_order_purchase(r), id, &o);
	if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, "No such order.");
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_json(resp, 200, json_own(r->arena,
		    h_order_json(&o, h_order_purchase(r))));
}

/* idem_run()'s operation: the change, then the order as it now is. */
static int
order_op_api(struct request *r, struct response *resp, void *arg)
{
	struct order_op	*op = arg;
	struct order	 o;
	int		 rv;

	if ((rv = h_order_apply(r, op)) > 0)
		h_dom_problem(r, resp, rv, &op->err, NULL);
	if (rv != DB_OK)
		return rv;
	if ((rv = h_order_get(r, op->purchase, op->id, &o)) != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (op->verb == ACT_NONE)
		response_header(resp, "Location", arena_printf(r->arena,
		    op->purchase ? "/api/v1/purchase-orders/%" PRId64 :
		    "/api/v1/orders/%" PRId64, op->id));
	response_json(resp, op->verb == ACT_NONE ? 201 : 200,
	    json_own(r->arena, h_order_json(&o, op->purchase)));
	return DB_OK;
}

void
h_api_order_create(struct request *r, struct response *resp)
{
	struct order_op		 op;
	const char		*key;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;				/* answered */
	h_order_op_init(&op, r);
	if (h_json_fields(r, resp, op.purchase ? &h_po_fields :
	    &h_order_fields, FIELDS_CREATE, &op) == 0)
		idem_run(r, resp, key, order_op_api, NULL, &op);
}

/* POST /api/v1/{orders,purchase-orders}/{id}/VERB: the route table names
 * each verb (r->route->action) with its own permission. */
void
h_api_order_action(struct request *r, struct response *resp)
{
	struct order_op		 op;
	const char		*key;

	h_order_op_init(&op, r);
	if ((op.id = h_id_param(r, resp, "No such order.")) < 0 ||
	    idem_api_key(r, resp, &key) == -1)
		return;				/* answered */
	if (op.verb == ACT_RECEIVE) {
		if (h_json_body(r, resp) == -1 ||
		    h_json_fields(r, resp, &h_receive_fields, FIELDS_CREATE,
		    &op) == -1)
			return;			/* answered */
	} else if (key != NULL && request_read_body(r) != 0) {
		response_error(resp, r, 400, "The body could not be read.");
		return;
	}
	idem_run(r, resp, key, order_op_api, NULL, &op);
}
