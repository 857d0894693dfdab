/*
 * h_reorder.c -- GET /api/v1/reorder-suggestions and POST
 * /api/v1/reorder-suggestions/purchase-orders.  The page is in
 * h_reorder_html.c.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "domain.h"
#include "fields.h"
#include "h_stock.h"
#include "handlers.h"
#include "hutil.h"
#include "json.h"
#include "middleware.h"
#include "purchasing.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"

struct json_object *
h_suggestion_json(const struct suggestion *s)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "product_id", s->product_id);
	json_add_str(o, "sku", s->sku);
	json_add_str(o, "name", s->name);
	json_add_i64(o, "warehouse_id", s->warehouse_id);
	json_add_str(o, "warehouse_code", s->warehouse_code);
	json_object_object_add(o, "supplier_id", s->supplier_id > 0 ?
	    json_object_new_int64(s->supplier_id) : NULL);
	json_object_object_add(o, "supplier", s->supplier != NULL ?
	    json_object_new_string(s->supplier) : NULL);
	json_add_i64(o, "on_hand", s->on_hand);
	json_add_i64(o, "reserved", s->reserved);
	json_add_i64(o, "on_order", s->on_order);
	json_add_i64(o, "available", s->available);
	json_add_i64(o, "reorder_point", s->reorder_point);
	json_add_i64(o, "reorder_qty", s->reorder_qty);
	json_add_i64(o, "cost_cents", s->cost_cents);
	return o;
}

struct tval *
h_suggestion_tv(struct arena *a, const struct suggestion *s)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "product_id", s->product_id);
	tv_set_str(o, "sku", s->sku);
	tv_set_str(o, "name", s->name);
	tv_set_i64(o, "warehouse_id", s->warehouse_id);
	tv_set_str(o, "warehouse_code", s->warehouse_code);
	if (s->supplier_id > 0)
		tv_set_i64(o, "supplier_id", s->supplier_id);
	else
		tv_set_null(o, "supplier_id");
	tv_set_opt(o, "supplier", s->supplier);
	tv_set_i64(o, "on_hand", s->on_hand);
	tv_set_i64(o, "reserved", s->reserved);
	tv_set_i64(o, "on_order", s->on_order);
	tv_set_i64(o, "available", s->available);
	tv_set_i64(o, "reorder_point", s->reorder_point);
	tv_set_i64(o, "reorder_qty", s->reorder_qty);
	tv_set_i64(o, "cost_cents", s->cost_cents);
	return o;
}

void
h_api_reorder(struct request *r, struct response *resp)
{
	struct suggestion_list	 l;
	struct json_object	*items;
	int64_t			 limit, from;
	size_t			 i;
	int			 st = DB_OK;

	/* The cursor is the position in the (supplier, warehouse, sku)
	 * order; suggestions are computed afresh on every call. */
	if (h_list_params(r, resp, &limit, &from) == -1 ||
	    (st = reorder_suggestions(r->arena, from, limit + 1, &l)) != DB_OK)
		goto out;
	items = json_own(r->arena, json_object_new_array());
	for (i = 0; items != NULL && i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_suggestion_json(&l.v[i]));
	h_list_json(resp, items, l.n > (size_t)limit ? from + limit : 0);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}

/* A purchase order made from suggestions, as the API answers it. */
static struct json_object *
po_made_json(int64_t id, const struct order *po)
{
	struct json_object	*x = json_object_new_object();

	json_add_i64(x, "id", id);
	json_object_object_add(x, "supplier_id", h_jint(po->party));
	json_add_i64(x, "warehouse_id", po->warehouse_id);
	json_add_i64(x, "lines", (int64_t)po->nlines);
	return x;
}

/* The purchase orders made, answered 201. */
static int
pos_created(struct request *r, struct response *resp, const int64_t *ids,
    size_t n)
{
	struct json_object	*o, *list;
	struct order		 po;
	size_t			 i;
	int			 rv;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return DB_ERROR;
	list = json_object_new_array();
	json_object_object_add(o, "purchase_orders", list);
	for (i = 0; i < n; i++) {
		if ((rv = po_get(r->arena, ids[i], &po)) != DB_OK)
			return rv < 0 ? rv : DB_ERROR;
		json_object_array_add(list, po_made_json(ids[i], &po));
	}
	response_json(resp, 201, o);
	return DB_OK;
}

int
h_reorder_op(struct request *r, struct response *resp, void *arg)
{
	struct h_reorder	*op = arg;
	struct audit_ctx	 ctx;
	int64_t			*ids;
	size_t			 n;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((ids = arena_calloc(r->arena, op->n, sizeof(*ids))) == NULL)
		return DB_ERROR;
	if ((rv = reorder_create_pos(&ctx, op->picks, op->n, ids, &n,
	    &op->err)) != DB_OK) {
		if (rv > 0 && !op->html)
			h_dom_problem(r, resp, rv, &op->err, NULL);
		return rv;
	}
	if (!op->html)
		return pos_created(r, resp, ids, n);
	h_redirect_flash(resp, "/purchase-orders?status=draft",
	    "reorder_created");
	return DB_OK;
}

/* The picked suggestions of a reorder. */
static const struct field pick_field[] = {
	FIELD_NUM("product_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0,
	    struct reorder_pick, product_id),
	FIELD_NUM("warehouse_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0,
	    struct reorder_pick, warehouse_id),
};
static const struct field_set picks = { "reorder item", NULL, NULL,
	pick_field, FIELD_COUNT(pick_field), sizeof(struct reorder_pick),
	BR_MAX_REORDER_ITEMS };

static const struct field reorder_field[] = {
	FIELD_LIST("items", F_REQUIRED, struct h_reorder, picks, n, &picks),
};
const struct field_set h_reorder_fields = { "reorder",
	"ReorderToPurchaseOrders", NULL, reorder_field,
	FIELD_COUNT(reorder_field), sizeof(struct h_reorder), 0 };

void
h_api_reorder_create(struct request *r, struct response *resp)
{
	struct h_reorder	op;

	memset(&op, 0, sizeof(op));
	h_api_change(r, resp, &h_reorder_fields, NULL, h_reorder_op, &op);
}
