/*
 * h_orders.c -- /api/v1/orders (sales orders: list, get, create, confirm,
 * ship, cancel) and /api/v1/purchase-orders (list, get, create, order,
 * receive, cancel).  The pages are in h_orders_html.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
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

struct json_object *
h_order_json(const struct order *o, int purchase)
{
	struct json_object	*j = json_object_new_object(), *lines, *l;
	int64_t			 total = 0, amount;
	size_t			 i;

	json_object_object_add(j, "id", json_object_new_int64(o->id));
	if (purchase)
		json_object_object_add(j, "supplier_id", h_jint(o->party));
	else
		json_object_object_add(j, "customer",
		    json_object_new_string(o->party));
	json_object_object_add(j, "warehouse_id",
	    json_object_new_int64(o->warehouse_id));
	json_object_object_add(j, "status", json_object_new_string(o->status));
	json_object_object_add(j, "note", json_object_new_string(o->note));
	lines = json_object_new_array();
	for (i = 0; i < o->nlines; i++) {
		l = json_object_new_object();
		json_object_object_add(l, "line_no",
		    json_object_new_int64(o->lines[i].line_no));
		json_object_object_add(l, "product_id",
		    json_object_new_int64(o->lines[i].product_id));
		json_object_object_add(l, "sku",
		    json_object_new_string(o->lines[i].sku));
		json_object_object_add(l, "qty",
		    json_object_new_int64(o->lines[i].qty));
		json_object_object_add(l, purchase ? "cost_cents" :
		    "price_cents", json_object_new_int64(
		    o->lines[i].price_cents));
		if (purchase)
			json_object_object_add(l, "received",
			    json_object_new_int64(o->lines[i].received));
		/* Bounded at creation; saturate rather than overflow. */
		if (__builtin_mul_overflow(o->lines[i].qty,
		    o->lines[i].price_cents, &amount) ||
		    __builtin_add_overflow(total, amount, &total))
			total = INT64_MAX;
		json_object_array_add(lines, l);
	}
	json_object_object_add(j, "lines", lines);
	json_object_object_add(j, "total_cents", json_object_new_int64(total));
	json_object_object_add(j, "created_at",
	    json_object_new_string(o->created_at));
	json_object_object_add(j, "updated_at",
	    json_object_new_string(o->updated_at));
	return j;
}

/* Reads "lines": [{...}] into an arena array; errors per field. */
static struct line_in *
lines_from_json(struct request *r, int receipt, size_t *n,
    struct json_object *errors)
{
	struct json_object	*arr, *e;
	struct line_in		*lines;
	char			 key[48];
	size_t			 i, len;

	*n = 0;
	if (!json_object_object_get_ex(r->json, "lines", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_object_add(errors, "lines", json_object_new_string(
		    "Give the lines as an array."));
		return NULL;
	}
	len = json_object_array_length(arr);
	if (len == 0 || len > BR_MAX_ORDER_LINES) {
		json_object_object_add(errors, "lines", json_object_new_string(
		    "Give 1 to 100 lines."));
		return NULL;
	}
	if ((lines = arena_calloc(r->arena, len, sizeof(*lines))) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(e, json_type_object)) {
			snprintf(key, sizeof(key), "lines[%zu]", i);
			json_object_object_add(errors, key,
			    json_object_new_string("Must be an object."));
			continue;
		}
		lines[i].cost_cents = -1;
		/* Field errors are named lines[i].field. */
		{
			struct json_object *le = json_object_new_object();
			struct json_object_iterator it, end;
			if (receipt)
				(void)h_json_int(e, "line_no", 1, INT64_MAX, 0,
				    1, &lines[i].line_no, le);
			else
				(void)h_json_int(e, "product_id", 1, INT64_MAX,
				    0, 1, &lines[i].product_id, le);
			(void)h_json_int(e, "qty", 1, BR_MAX_LINE_QTY, 0, 1,
			    &lines[i].qty, le);
			if (!receipt)
				(void)h_json_int(e, "cost_cents", 0,
				    BR_MAX_CENTS, -1, 0, &lines[i].cost_cents,
				    le);
			it = json_object_iter_begin(le);
			end = json_object_iter_end(le);
			for (; !json_object_iter_equal(&it, &end);
			    json_object_iter_next(&it)) {
				snprintf(key, sizeof(key), "lines[%zu].%s", i,
				    json_object_iter_peek_name(&it));
				json_object_object_add(errors, key,
				    json_object_get(
				    json_object_iter_peek_value(&it)));
			}
			json_object_put(le);
		}
	}
	*n = len;
	return lines;
}

/* --- sales orders ------------------------------------------------------- */

static struct json_object *
order_row_json(struct db_rows *rows, size_t i, int purchase)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "id", h_jint(DB_CELL(rows, i, 0)));
	if (purchase) {
		json_object_object_add(o, "supplier_id",
		    h_jint(DB_CELL(rows, i, 1)));
		json_object_object_add(o, "supplier", json_object_new_string(
		    DB_CELL(rows, i, 2)));
		json_object_object_add(o, "warehouse_id",
		    h_jint(DB_CELL(rows, i, 3)));
		json_object_object_add(o, "status", json_object_new_string(
		    DB_CELL(rows, i, 4)));
		json_object_object_add(o, "note", json_object_new_string(
		    DB_CELL(rows, i, 5)));
		json_object_object_add(o, "created_at", json_object_new_string(
		    DB_CELL(rows, i, 6)));
		json_object_object_add(o, "lines", h_jint(DB_CELL(rows, i, 7)));
		json_object_object_add(o, "units_ordered",
		    h_jint(DB_CELL(rows, i, 8)));
		json_object_object_add(o, "units_received",
		    h_jint(DB_CELL(rows, i, 9)));
		return o;
	}
	json_object_object_add(o, "customer", json_object_new_string(
	    DB_CELL(rows, i, 1)));
	json_object_object_add(o, "warehouse_id", h_jint(DB_CELL(rows, i, 2)));
	json_object_object_add(o, "status", json_object_new_string(
	    DB_CELL(rows, i, 3)));
	json_object_object_add(o, "note", json_object_new_string(
	    DB_CELL(rows, i, 4)));
	json_object_object_add(o, "created_at", json_object_new_string(
	    DB_CELL(rows, i, 5)));
	json_object_object_add(o, "lines", h_jint(DB_CELL(rows, i, 6)));
	json_object_object_add(o, "total_cents", h_jint(DB_CELL(rows, i, 7)));
	return o;
}

static void
orders_list_api(struct request *r, struct response *resp, int purchase)
{
	struct db_rows		 rows;
	struct json_object	*items;
	const char		*status = request_query(r, "status");
	int64_t			 limit, cursor, last = 0;
	size_t			 i;
	int			 st;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;
	if (status != NULL && status[0] != '\0' && !(purchase ?
	    po_status_valid(status) : orders_status_valid(status))) {
		response_error(resp, r, 400, "status is not a valid status.");
		return;
	}
	st = purchase ? po_list(r->arena, status, cursor, limit + 1, &rows) :
	    orders_list(r->arena, status, cursor, limit + 1, &rows);
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	items = json_object_new_array();
	for (i = 0; i < rows.nrows && i < (size_t)limit; i++)
		json_object_array_add(items, order_row_json(&rows, i,
		    purchase));
	if (rows.nrows > (size_t)limit)
		(void)str_to_i64(DB_CELL(&rows, (size_t)limit - 1, 0), 0,
		    INT64_MAX, &last);
	h_list_json(resp, json_own(resp->arena, items), last);
}

void
h_api_orders(struct request *r, struct response *resp)
{
	orders_list_api(r, resp, 0);
}

void
h_api_purchase_orders(struct request *r, struct response *resp)
{
	orders_list_api(r, resp, 1);
}

static void
order_get_api(struct request *r, struct response *resp, int purchase)
{
	struct order	o;
	int64_t		id;
	int		st;

	if ((id = h_id_param(r, resp, "No such order.")) < 0)
		return;
	st = purchase ? po_get(r->arena, id, &o) : orders_get(r->arena, id, &o);
	if (st == DOM_NOT_FOUND) {
		response_error(resp, r, 404, "No such order.");
		return;
	}
	if (st != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	response_json(resp, 200, json_own(resp->arena, h_order_json(&o, purchase)));
}

void
h_api_order(struct request *r, struct response *resp)
{
	order_get_api(r, resp, 0);
}

void
h_api_purchase_order(struct request *r, struct response *resp)
{
	order_get_api(r, resp, 1);
}

struct order_op {
	int			 purchase;
	const char		*action;	/* create, confirm, ... */
	int64_t			 id;
	const char		*customer, *note;
	int64_t			 party_id, warehouse_id;
	struct line_in		*lines;
	size_t			 nlines;
	struct dom_error	 err;
};

static int
order_op_api(struct request *r, struct response *resp, void *arg)
{
	struct order_op		*op = arg;
	struct audit_ctx	 ctx;
	struct order		 o;
	const char		*a = op->action;
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
	if (rv > 0)
		h_dom_problem(r, resp, rv, &op->err, NULL);
	if (rv != DB_OK)
		return rv;
	rv = op->purchase ? po_get(r->arena, id, &o) :
	    orders_get(r->arena, id, &o);
	if (rv != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (strcmp(a, "create") == 0)
		response_header(resp, "Location", arena_printf(r->arena,
		    op->purchase ? "/api/v1/purchase-orders/%" PRId64 :
		    "/api/v1/orders/%" PRId64, id));
	response_json(resp, strcmp(a, "create") == 0 ? 201 : 200,
	    json_own(resp->arena, h_order_json(&o, op->purchase)));
	return DB_OK;
}

static void
order_create_api(struct request *r, struct response *resp, int purchase)
{
	struct order_op		 op;
	struct json_object	*errors;
	const char		*key;

	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;
	memset(&op, 0, sizeof(op));
	op.purchase = purchase;
	op.action = "create";
	errors = json_object_new_object();
	if (purchase)
		(void)h_json_int(r->json, "supplier_id", 1, INT64_MAX, 0, 1,
		    &op.party_id, errors);
	else
		(void)h_json_str(r->json, "customer", 1, NULL, &op.customer,
		    errors);
	(void)h_json_int(r->json, "warehouse_id", 1, INT64_MAX, 0, 1,
	    &op.warehouse_id, errors);
	(void)h_json_str(r->json, "note", 0, "", &op.note, errors);
	op.lines = lines_from_json(r, 0, &op.nlines, errors);
	if (h_invalid(r, resp, json_own(r->arena, errors)))
		return;
	idem_run(r, resp, key, order_op_api, NULL, &op);
}

void
h_api_order_create(struct request *r, struct response *resp)
{
	order_create_api(r, resp, 0);
}

void
h_api_purchase_order_create(struct request *r, struct response *resp)
{
	order_create_api(r, resp, 1);
}

/* POST /api/v1/{orders,purchase-orders}/{id}/ACTION: the route table
 * names each action with its own permission. */
void
h_api_order_action(struct request *r, struct response *resp)
{
	struct order_op		 op;
	struct json_object	*errors;
	const char		*key, *action = strrchr(r->path, '/') + 1;
	int			 purchase = strncmp(r->path,
				    "/api/v1/purchase-orders/", 24) == 0;

	memset(&op, 0, sizeof(op));
	if ((op.id = h_id_param(r, resp, "No such order.")) < 0 ||
	    idem_api_key(r, resp, &key) == -1)
		return;
	op.purchase = purchase;
	op.action = action;
	if (strcmp(action, "receive") == 0) {
		if (h_json_body(r, resp) == -1)
			return;
		errors = json_object_new_object();
		op.lines = lines_from_json(r, 1, &op.nlines, errors);
		if (h_invalid(r, resp, json_own(r->arena, errors)))
			return;
	} else if (key != NULL && request_read_body(r) != 0) {
		response_error(resp, r, 400, "The body could not be read.");
		return;
	}
	idem_run(r, resp, key, order_op_api, NULL, &op);
}
