/*
 * h_stock.c -- stock levels and the movements ledger over JSON:
 * GET /api/v1/stock, GET and POST /api/v1/movements.  The pages are in
 * h_stock_html.c.
 *
 * The JSON of a stock row and of a ledger row is built here, once, for
 * the API and for the pages (h_stock_html.c adds what the templates show
 * beside it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "domain.h"
#include "fields.h"
#include "h_stock.h"
#include "handlers.h"
#include "hutil.h"
#include "json.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "stock.h"
#include "str.h"
#include "tmpl.h"

/* ?name= as a positive id, 0 when absent; NULL or the message of a 400. */
static const char *
query_id(struct request *r, const char *name, int64_t *out)
{
	const char	*v = request_query(r, name);

	*out = 0;
	if (v == NULL || v[0] == '\0' || str_to_i64(v, 1, INT64_MAX, out) == 0)
		return NULL;
	return arena_printf(r->arena, "%s must be a positive id.", name);
}

/* The product at a warehouse that a stock or ledger row is about. */
static void
at_json(struct json_object *o, int64_t product_id, const char *sku,
    int64_t warehouse_id)
{
	json_add_i64(o, "product_id", product_id);
	json_add_str(o, "sku", sku);
	json_add_i64(o, "warehouse_id", warehouse_id);
}

struct json_object *
h_stock_json(const struct stock_level *s)
{
	struct json_object	*o = json_object_new_object();

	at_json(o, s->product_id, s->sku, s->warehouse_id);
	json_add_i64(o, "on_hand", s->on_hand);
	json_add_i64(o, "reserved", s->reserved);
	json_add_i64(o, "available", s->on_hand - s->reserved);
	return o;
}

/* {product_id, sku, warehouse_id}: where a stock figure is. */
static void
at_tv(struct tval *o, int64_t product_id, const char *sku,
    int64_t warehouse_id)
{
	tv_set_i64(o, "product_id", product_id);
	tv_set_str(o, "sku", sku);
	tv_set_i64(o, "warehouse_id", warehouse_id);
}

struct tval *
h_stock_tv(struct arena *a, const struct stock_level *s)
{
	struct tval	*o = tv_obj(a);

	at_tv(o, s->product_id, s->sku, s->warehouse_id);
	tv_set_i64(o, "on_hand", s->on_hand);
	tv_set_i64(o, "reserved", s->reserved);
	tv_set_i64(o, "available", s->on_hand - s->reserved);
	return o;
}

/* The filters, limit and "product.warehouse" cursor of GET
 * /api/v1/stock; NULL or the message of a 400. */
static const char *
stock_params(struct request *r, int64_t *pid, int64_t *wid, int64_t *limit,
    int64_t *ap, int64_t *aw)
{
	const char	*c = request_query(r, "cursor");
	const char	*l = request_query(r, "limit");
	const char	*bad;

	*limit = 50;
	*ap = *aw = 0;
	if ((bad = query_id(r, "product_id", pid)) != NULL ||
	    (bad = query_id(r, "warehouse_id", wid)) != NULL)
		return bad;
	if (l != NULL && str_to_i64(l, 1, BR_MAX_PAGE_SIZE, limit) == -1)
		return "limit must be a number from 1 to 200.";
	if (c != NULL && c[0] != '\0' && (sscanf(c, "%" SCNd64 ".%" SCNd64,
	    ap, aw) != 2 || *ap < 0 || *aw < 0))
		return "cursor is not valid.";
	return NULL;
}

void
h_api_stock(struct request *r, struct response *resp)
{
	struct stock_level_list	 l;
	struct stock_level	*last;
	struct json_object	*o, *items;
	const char		*bad;
	int64_t			 pid, wid, limit, ap, aw;
	size_t			 i;
	int			 st = DB_ERROR;

	if ((bad = stock_params(r, &pid, &wid, &limit, &ap, &aw)) != NULL ||
	    (st = stock_list(r->arena, pid, wid, ap, aw, limit + 1, &l)) !=
	    DB_OK)
		goto out;
	if ((o = json_own(r->arena, json_object_new_object())) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	items = json_object_new_array();
	json_object_object_add(o, "items", items);
	for (i = 0; i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_stock_json(&l.v[i]));
	last = l.n > (size_t)limit ? &l.v[limit - 1] : NULL;
	json_object_object_add(o, "next_cursor", last != NULL ?
	    json_object_new_string(arena_printf(r->arena, "%" PRId64 ".%"
	    PRId64, last->product_id, last->warehouse_id)) : NULL);
	response_json(resp, 200, o);
out:
	if (bad != NULL)
		response_error(resp, r, 400, bad);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
}

struct json_object *
h_movement_json(const struct movement *m)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "id", m->id);
	at_json(o, m->product_id, m->sku, m->warehouse_id);
	json_add_str(o, "kind", m->kind);
	json_add_i64(o, "qty_delta", m->qty_delta);
	json_add_i64(o, "balance_after", m->balance_after);
	json_add_str(o, "reference", m->reference);
	json_add_str(o, "note", m->note);
	json_object_object_add(o, "user_id", m->user_id > 0 ?
	    json_object_new_int64(m->user_id) : NULL);
	json_add_str(o, "created_at", m->created_at);
	return o;
}

struct tval *
h_movement_tv(struct arena *a, const struct movement *m)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", m->id);
	at_tv(o, m->product_id, m->sku, m->warehouse_id);
	tv_set_str(o, "kind", m->kind);
	tv_set_i64(o, "qty_delta", m->qty_delta);
	tv_set_i64(o, "balance_after", m->balance_after);
	tv_set_str(o, "reference", m->reference);
	tv_set_str(o, "note", m->note);
	if (m->user_id > 0)
		tv_set_i64(o, "user_id", m->user_id);
	else
		tv_set_null(o, "user_id");
	tv_set_str(o, "created_at", m->created_at);
	return o;
}

/* The filters and page of GET /api/v1/movements.  0, or -1 with *bad
 * set to the message of a 400 (NULL: answered already). */
static int
movements_params(struct request *r, struct response *resp, int64_t *pid,
    int64_t *wid, const char **kind, int64_t *limit, int64_t *cursor,
    const char **bad)
{
	*kind = request_query(r, "kind");
	if ((*bad = query_id(r, "product_id", pid)) != NULL ||
	    (*bad = query_id(r, "warehouse_id", wid)) != NULL ||
	    h_list_params(r, resp, limit, cursor) == -1)
		return -1;
	if (*kind != NULL && (*kind)[0] != '\0' &&
	    !stock_ledger_kind_valid(*kind)) {
		*bad = "kind must be receipt, shipment, adjustment, "
		    "transfer_out or transfer_in.";
		return -1;
	}
	return 0;
}

void
h_api_movements(struct request *r, struct response *resp)
{
	struct movement_list	 l;
	struct json_object	*items;
	const char		*kind, *bad = NULL;
	int64_t			 pid, wid, limit, cursor;
	size_t			 i;
	int			 st = DB_OK;

	if (movements_params(r, resp, &pid, &wid, &kind, &limit, &cursor,
	    &bad) == -1 || (st = stock_movements(r->arena, pid, wid, kind,
	    cursor, limit + 1, &l)) != DB_OK)
		goto out;
	items = json_own(r->arena, json_object_new_array());
	for (i = 0; items != NULL && i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_movement_json(&l.v[i]));
	h_list_json(resp, items, l.n > (size_t)limit ? l.v[limit - 1].id : 0);
out:
	if (bad != NULL)
		response_error(resp, r, 400, bad);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
}

/* The ledger rows a movement wrote, answered 201. */
static int
move_created(struct request *r, struct response *resp,
    const struct move_result *res)
{
	struct json_object	*o, *list;
	struct movement		 m;
	int			 i, rv;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return DB_ERROR;
	list = json_object_new_array();
	json_object_object_add(o, "movements", list);
	for (i = 0; i < res->n; i++) {
		if ((rv = stock_movement_get(r->arena, res->ids[i], &m)) ==
		    DOM_NOT_FOUND)
			continue;
		if (rv != DB_OK)
			return rv;
		json_object_array_add(list, h_movement_json(&m));
	}
	response_json(resp, 201, o);
	return DB_OK;
}

int
h_move_op(struct request *r, struct response *resp, void *arg)
{
	struct h_move		*op = arg;
	struct audit_ctx	 ctx;
	struct move_result	 res;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((rv = stock_move(&ctx, &op->m, &res, &op->err)) != DB_OK) {
		if (rv > 0 && !op->html)
			h_dom_problem(r, resp, rv, &op->err, NULL);
		return rv;
	}
	if (!op->html)
		return move_created(r, resp, &res);
	h_redirect_flash(resp, arena_printf(r->arena,
	    "/stock?warehouse_id=%" PRId64, op->m.warehouse_id),
	    "movement_recorded");
	return DB_OK;
}

/*
 * A movement's fields, for the API and the movement form (which names
 * the product by its SKU instead).  The messages are the domain's.
 */
static const struct field move_field[] = {
	FIELD_STR("kind", "kind", F_REQUIRED, 1, 20, NULL, "Choose receipt, "
	    "shipment, adjustment or transfer.", struct h_move, kind),
	FIELD_NUM("product_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0,
	    struct h_move, m.product_id),
	FIELD_NUM("warehouse_id", "warehouse_id", FT_ID, F_REQUIRED, 0, 0, 0,
	    struct h_move, m.warehouse_id),
	FIELD_NUM("to_warehouse_id", "to_warehouse_id", FT_ID, 0, 0, 0, 0,
	    struct h_move, m.to_warehouse_id),
	FIELD_NUM("qty", "qty", FT_INT, F_REQUIRED, -BR_MAX_QTY, BR_MAX_QTY, 0,
	    struct h_move, m.qty),
	FIELD_STR("reference", "reference", 0, 0, 64, NULL, "Use at most 64 "
	    "characters, no control characters.", struct h_move,
	    m.reference),
	FIELD_STR("note", "note", 0, 0, 255, NULL, "Use at most 255 "
	    "characters, no control characters.", struct h_move, m.note),
};
const struct field_set h_move_fields = { "movement", "MovementCreate",
	NULL, move_field, FIELD_COUNT(move_field), sizeof(struct h_move), 0 };

const char *
h_move_check(struct h_move *op, const char **field)
{
	const char	*msg = NULL;
	int		 k = -1;

	*field = NULL;
	if (op->kind != NULL && op->kind[0] != '\0' &&
	    (k = stock_kind_from_name(op->kind)) < 0) {
		*field = "kind";
		msg = "Choose receipt, shipment, adjustment or transfer.";
	}
	op->m.kind = (enum move_kind)(k < 0 ? 0 : k);
	if (k == MOVE_TRANSFER && op->m.to_warehouse_id == 0) {
		*field = "to_warehouse_id";
		msg = "This field is required.";
	}
	return msg;
}

static struct json_object *
move_check(struct request *r, void *arg)
{
	struct json_object	*errors;
	const char		*field, *msg;

	if ((errors = json_own(r->arena, json_object_new_object())) != NULL &&
	    (msg = h_move_check(arg, &field)) != NULL &&
	    !json_object_object_get_ex(errors, field, NULL))
		json_add_str(errors, field, msg);
	return errors;
}

void
h_api_movement_create(struct request *r, struct response *resp)
{
	struct h_move	op;

	memset(&op, 0, sizeof(op));
	h_api_change(r, resp, &h_move_fields, move_check, h_move_op, &op);
}
