/*
 * h_stock_html.c -- /stock (one warehouse's stock and the forms to
 * receive, ship, adjust and transfer), POST /stock/movements, and
 * /movements (the ledger with filters, paged by id).
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
#include "stock.h"
#include "str.h"

#define STOCK_PAGE	100

static int64_t
cell(struct db_rows *r, size_t i, size_t c)
{
	int64_t	v = 0;

	if (DB_CELL(r, i, c) != NULL)
		(void)str_to_i64(DB_CELL(r, i, c), INT64_MIN, INT64_MAX, &v);
	return v;
}

/* The movement kinds for the form's select, the one chosen selected. */
static struct json_object *
kind_options(const struct request *r)
{
	static const char *const kv[][2] = { { "receipt", "Receive" },
	    { "shipment", "Ship" },
	    { "adjustment", "Adjust (+/-, with a reason)" },
	    { "transfer", "Transfer to another warehouse" } };
	struct json_object	*kinds = json_object_new_array(), *k;
	size_t			 j;

	for (j = 0; j < sizeof(kv) / sizeof(kv[0]); j++) {
		k = json_object_new_object();
		json_object_object_add(k, "value",
		    json_object_new_string(kv[j][0]));
		json_object_object_add(k, "label",
		    json_object_new_string(kv[j][1]));
		json_object_object_add(k, "selected", json_object_new_boolean(
		    strcmp(h_field(r, "kind"), kv[j][0]) == 0));
		json_object_array_add(kinds, k);
	}
	return kinds;
}

static void
stock_page(struct request *r, struct response *resp, int status,
    int64_t wid, struct json_object *form, struct json_object *errors)
{
	struct json_object	*ctx, *list, *o, *whs;
	struct db_rows		 rows;
	const char		*from = request_query(r, "after");
	int64_t			 first, after = 0, to = 0, to_first;
	size_t			 i;
	int			 st;

	if (from != NULL && from[0] != '\0' && str_to_i64(from, 0, INT64_MAX,
	    &after) == -1)
		after = 0;
	whs = h_warehouse_options(r, wid, &first);
	if (wid == 0)
		wid = first;
	if (wid > 0 && (st = stock_list(r->arena, 0, wid, after, wid,
	    STOCK_PAGE + 1, &rows)) != DB_OK) {
		json_object_put(whs);
		json_object_put(form);
		json_object_put(errors);
		response_db_error(resp, r, st);
		return;
	}
	if (wid == 0)
		rows.nrows = 0;
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows && i < STOCK_PAGE; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "product_id", h_jint(DB_CELL(&rows,
		    i, 0)));
		json_object_object_add(o, "sku", json_object_new_string(
		    DB_CELL(&rows, i, 1)));
		json_object_object_add(o, "name", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "on_hand", h_jint(DB_CELL(&rows, i,
		    5)));
		json_object_object_add(o, "reserved", h_jint(DB_CELL(&rows, i,
		    6)));
		json_object_object_add(o, "available", json_object_new_int64(
		    cell(&rows, i, 5) - cell(&rows, i, 6)));
		json_object_object_add(o, "unit", json_object_new_string(
		    DB_CELL(&rows, i, 7)));
		json_object_array_add(list, o);
	}
	if (rows.nrows > STOCK_PAGE)
		json_object_object_add(ctx, "next", json_object_new_int64(
		    cell(&rows, STOCK_PAGE - 1, 0)));
	json_object_object_add(ctx, "title", json_object_new_string("Stock"));
	json_object_object_add(ctx, "warehouses", whs);
	/* The movement form keeps what was chosen when it comes back. */
	json_object_object_add(ctx, "kinds", kind_options(r));
	(void)str_to_i64(h_field(r, "to_warehouse_id"), 0, INT64_MAX, &to);
	json_object_object_add(ctx, "to_warehouses",
	    h_warehouse_options(r, to, &to_first));
	json_object_object_add(ctx, "warehouse_id", json_object_new_int64(wid));
	json_object_object_add(ctx, "stock", list);
	json_object_object_add(ctx, "form", form != NULL ? form :
	    json_object_new_object());
	json_object_object_add(ctx, "errors", errors != NULL ? errors :
	    json_object_new_object());
	response_html(resp, r, status, "stock", json_own(resp->arena, ctx));
}

void
h_stock_page(struct request *r, struct response *resp)
{
	const char	*w = request_query(r, "warehouse_id");
	int64_t		 wid = 0;

	if (w != NULL && w[0] != '\0' && str_to_i64(w, 1, INT64_MAX, &wid) ==
	    -1) {
		response_error(resp, r, 400, "warehouse_id must be an id.");
		return;
	}
	stock_page(r, resp, 200, wid, NULL, NULL);
}

struct move_form_op {
	struct move_req		m;
	struct dom_error	err;
};

static int
move_form_op(struct request *r, struct response *resp, void *arg)
{
	struct move_form_op	*op = arg;
	struct audit_ctx	 ctx;
	struct move_result	 res;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((rv = stock_move(&ctx, &op->m, &res, &op->err)) == DB_OK) {
		h_redirect_flash(resp, arena_printf(r->arena,
		    "/stock?warehouse_id=%" PRId64, op->m.warehouse_id),
		    "movement_recorded");
		return DB_OK;
	}
	return rv;
}

static void
move_form_refuse(struct request *r, struct response *resp, void *arg, int rv)
{
	struct move_form_op	*op = arg;
	struct json_object	*errors = json_object_new_object();

	h_dom_field(errors, &op->err);
	stock_page(r, resp, rv == DOM_CONFLICT ? 409 : 422, op->m.warehouse_id,
	    h_form_echo(r), errors);
}

void
h_stock_move_form(struct request *r, struct response *resp)
{
	struct move_form_op	 op;
	struct json_object	*errors = json_object_new_object();
	const char		*key, *sku = h_field(r, "sku");
	int			 k;
	int64_t			 pid;

	if (idem_form_key(r, resp, &key) == -1) {
		json_object_put(errors);
		return;
	}
	memset(&op, 0, sizeof(op));
	k = stock_kind_from_name(h_field(r, "kind"));
	if (k < 0)
		json_object_object_add(errors, "kind", json_object_new_string(
		    "Choose receipt, shipment, adjustment or transfer."));
	op.m.kind = (enum move_kind)(k < 0 ? 0 : k);
	(void)h_field_int(r, "warehouse_id", 1, INT64_MAX, 0, 1,
	    &op.m.warehouse_id, errors);
	(void)h_field_int(r, "to_warehouse_id", 1, INT64_MAX, 0,
	    k == MOVE_TRANSFER, &op.m.to_warehouse_id, errors);
	(void)h_field_int(r, "qty", -BR_MAX_QTY, BR_MAX_QTY, 0, 1, &op.m.qty,
	    errors);
	op.m.reference = h_field(r, "reference");
	op.m.note = h_field(r, "note");
	if (sku[0] == '\0')
		json_object_object_add(errors, "sku", json_object_new_string(
		    "Enter the product's SKU."));
	else if ((pid = products_id_by_sku(r->arena, sku)) < 0) {
		json_object_put(errors);
		response_db_error(resp, r, (int)pid);
		return;
	} else if (pid == 0)
		json_object_object_add(errors, "sku", json_object_new_string(
		    "No product has this SKU."));
	else
		op.m.product_id = pid;
	if (json_object_object_length(errors) > 0) {
		stock_page(r, resp, 422, op.m.warehouse_id, h_form_echo(r),
		    errors);
		return;
	}
	json_object_put(errors);
	idem_run(r, resp, key, move_form_op, move_form_refuse, &op);
}

void
h_movements_page(struct request *r, struct response *resp)
{
	struct json_object	*ctx, *list, *o, *whs;
	struct db_rows		 rows;
	const char		*kind = request_query(r, "kind");
	const char		*sku = request_query(r, "sku");
	const char		*w = request_query(r, "warehouse_id");
	const char		*b = request_query(r, "before");
	int64_t			 wid = 0, before = 0, pid = 0, first;
	size_t			 i;
	int			 st;

	if ((w != NULL && w[0] != '\0' && str_to_i64(w, 1, INT64_MAX, &wid)
	    == -1) || (b != NULL && b[0] != '\0' && str_to_i64(b, 1,
	    INT64_MAX, &before) == -1)) {
		response_error(resp, r, 400, "warehouse_id and before must be "
		    "ids.");
		return;
	}
	if (kind != NULL && kind[0] != '\0' && !stock_ledger_kind_valid(kind)) {
		response_error(resp, r, 400, "kind is not a ledger kind.");
		return;
	}
	if (sku != NULL && sku[0] != '\0' && (pid = products_id_by_sku(
	    r->arena, sku)) <= 0)
		pid = pid < 0 ? pid : -1;	/* no such SKU: no rows */
	if (pid < -1) {
		response_db_error(resp, r, (int)pid);
		return;
	}
	if (pid == -1)
		rows.nrows = 0;
	else if ((st = stock_movements(r->arena, pid, wid, kind, before, 51,
	    &rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return;
	}
	ctx = json_object_new_object();
	list = json_object_new_array();
	for (i = 0; i < rows.nrows && i < 50; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id", h_jint(DB_CELL(&rows, i, 0)));
		json_object_object_add(o, "product_id", h_jint(DB_CELL(&rows,
		    i, 1)));
		json_object_object_add(o, "sku", json_object_new_string(
		    DB_CELL(&rows, i, 2)));
		json_object_object_add(o, "warehouse", json_object_new_string(
		    DB_CELL(&rows, i, 4)));
		json_object_object_add(o, "kind", json_object_new_string(
		    DB_CELL(&rows, i, 5)));
		json_object_object_add(o, "qty_delta", h_jint(DB_CELL(&rows, i,
		    6)));
		json_object_object_add(o, "balance_after",
		    h_jint(DB_CELL(&rows, i, 7)));
		json_object_object_add(o, "reference", json_object_new_string(
		    DB_CELL(&rows, i, 8)));
		json_object_object_add(o, "note", json_object_new_string(
		    DB_CELL(&rows, i, 9)));
		json_object_object_add(o, "user", DB_CELL(&rows, i, 11) ?
		    json_object_new_string(DB_CELL(&rows, i, 11)) : NULL);
		json_object_object_add(o, "at", json_object_new_string(
		    DB_CELL(&rows, i, 12)));
		json_object_array_add(list, o);
	}
	whs = h_warehouse_options(r, wid, &first);
	json_object_object_add(ctx, "title", json_object_new_string(
	    "Movements"));
	json_object_object_add(ctx, "movements", list);
	json_object_object_add(ctx, "warehouses", whs);
	json_object_object_add(ctx, "sku", json_object_new_string(
	    sku ? sku : ""));
	json_object_object_add(ctx, "kind", json_object_new_string(
	    kind ? kind : ""));
	json_object_object_add(ctx, "warehouse_id", json_object_new_int64(wid));
	if (rows.nrows > 50)
		json_object_object_add(ctx, "next", json_object_new_int64(
		    cell(&rows, 49, 0)));
	response_html(resp, r, 200, "movements", json_own(resp->arena, ctx));
}
