/*
 * h_catalog.c -- /api/v1/suppliers and /api/v1/warehouses (list, get,
 * create, edit), and what their pages (h_catalog_html.c) share with them:
 * the JSON of a supplier and of a warehouse, and the table of what
 * differs between the two kinds, chosen by the route's action.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "catalog.h"
#include "domain.h"
#include "fields.h"
#include "h_catalog.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "json.h"
#include "log.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "tmpl.h"

struct json_object *
h_supplier_json(const struct supplier *s, int counts)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "id", s->id);
	json_add_str(o, "name", s->name);
	json_add_str(o, "email", s->email);
	json_add_i64(o, "lead_time_days", s->lead_time_days);
	json_add_bool(o, "active", s->active);
	if (counts)
		json_add_i64(o, "products", s->products);
	return o;
}

struct json_object *
h_warehouse_json(const struct warehouse *w, int counts)
{
	struct json_object	*o = json_object_new_object();

	json_add_i64(o, "id", w->id);
	json_add_str(o, "code", w->code);
	json_add_str(o, "name", w->name);
	json_add_bool(o, "active", w->active);
	if (counts) {
		json_add_i64(o, "stock_rows", w->stock_rows);
		json_add_i64(o, "units_on_hand", w->units_on_hand);
	}
	return o;
}

/* --- the two kinds ------------------------------------------------------ */

static const struct catalog_kind kinds[] = {
	{ 0, "Suppliers", "Supplier", "No such supplier.",
	    "/api/v1/suppliers/", "/suppliers", "supplier_saved",
	    "suppliers.manage" },
	{ 1, "Warehouses", "Warehouse", "No such warehouse.",
	    "/api/v1/warehouses/", "/warehouses", "warehouse_saved",
	    "warehouses.manage" }
};

const struct catalog_kind *
h_catalog_kind(const struct request *r)
{
	switch (r->route->action & ACT_RESOURCE) {
	case ACT_SUPPLIERS:
		return &kinds[0];
	case ACT_WAREHOUSES:
		return &kinds[1];
	default:
		fatalx("route %s has no catalog kind", r->route->pattern);
	}
}

int
h_catalog_list(const struct catalog_kind *k, struct arena *a,
    int64_t after_id, int64_t limit, struct catalog_list *l)
{
	int	rv;

	memset(l, 0, sizeof(*l));
	rv = k->warehouses ? warehouses_list(a, after_id, limit, &l->w) :
	    suppliers_list(a, after_id, limit, &l->s);
	l->n = k->warehouses ? l->w.n : l->s.n;
	return rv;
}

int
h_catalog_get(const struct catalog_kind *k, struct arena *a, int64_t id,
    struct catalog_item *it)
{
	return k->warehouses ? warehouses_get(a, id, &it->w) :
	    suppliers_get(a, id, &it->s);
}

int
h_catalog_save(const struct catalog_kind *k, const struct audit_ctx *ctx,
    const struct catalog_item *it, int64_t *id, struct dom_error *err)
{
	return k->warehouses ? warehouses_save(ctx, &it->w, id, err) :
	    suppliers_save(ctx, &it->s, id, err);
}

struct tval *
h_supplier_tv(struct arena *a, const struct supplier *s, int counts)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", s->id);
	tv_set_str(o, "name", s->name);
	tv_set_str(o, "email", s->email);
	tv_set_i64(o, "lead_time_days", s->lead_time_days);
	tv_set_bool(o, "active", s->active);
	if (counts)
		tv_set_i64(o, "products", s->products);
	return o;
}

struct tval *
h_warehouse_tv(struct arena *a, const struct warehouse *w, int counts)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", w->id);
	tv_set_str(o, "code", w->code);
	tv_set_str(o, "name", w->name);
	tv_set_bool(o, "active", w->active);
	if (counts) {
		tv_set_i64(o, "stock_rows", w->stock_rows);
		tv_set_i64(o, "units_on_hand", w->units_on_hand);
	}
	return o;
}

struct tval *
h_catalog_row_tv(struct arena *a, const struct catalog_kind *k,
    const struct catalog_list *l, size_t i, int counts)
{
	return k->warehouses ? h_warehouse_tv(a, &l->w.v[i], counts) :
	    h_supplier_tv(a, &l->s.v[i], counts);
}

struct json_object *
h_catalog_row_json(const struct catalog_kind *k,
    const struct catalog_list *l, size_t i, int counts)
{
	return k->warehouses ? h_warehouse_json(&l->w.v[i], counts) :
	    h_supplier_json(&l->s.v[i], counts);
}

static struct json_object *
item_json(const struct catalog_kind *k, const struct catalog_item *it)
{
	return k->warehouses ? h_warehouse_json(&it->w, 0) :
	    h_supplier_json(&it->s, 0);
}

/* --- the API -------------------------------------------------------------- */

void
h_api_catalog_list(struct request *r, struct response *resp)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_list		 l;
	struct json_object		*items;
	int64_t				 limit, cursor, last = 0;
	size_t				 i;
	int				 st = DB_ERROR;

	if (h_list_params(r, resp, &limit, &cursor) == -1)
		return;		/* answered */
	if ((items = json_own(r->arena, json_object_new_array())) == NULL ||
	    (st = h_catalog_list(k, r->arena, cursor, limit + 1,
	    &l)) != DB_OK)
		goto out;
	for (i = 0; i < l.n && i < (size_t)limit; i++)
		json_object_array_add(items, h_catalog_row_json(k, &l, i,
		    1));
	if (l.n > (size_t)limit)
		last = k->warehouses ? l.w.v[limit - 1].id :
		    l.s.v[limit - 1].id;
out:
	if (st == DB_OK)
		h_list_json(resp, items, last);
	else
		response_db_error(resp, r, st);
}

void
h_api_catalog_item(struct request *r, struct response *resp)
{
	const struct catalog_kind	*k = h_catalog_kind(r);
	struct catalog_item		 it;
	int64_t				 id;
	int				 st;

	if ((id = h_id_param(r, resp, k->missing)) < 0)
		return;		/* answered */
	st = h_catalog_get(k, r->arena, id, &it);
	if (st == DOM_NOT_FOUND)
		response_error(resp, r, 404, k->missing);
	else if (st != DB_OK)
		response_db_error(resp, r, st);
	else
		response_json(resp, 200, json_own(r->arena, item_json(k, &it)));
}

struct catalog_op {
	const struct catalog_kind	*k;
	struct catalog_item		 it;
	int64_t				 id;	/* 0: create */
	struct dom_error		 err;
};

static int
catalog_op_api(struct request *r, struct response *resp, void *arg)
{
	struct catalog_op	*op = arg;
	struct audit_ctx	 ctx;
	struct catalog_item	 cur;
	int64_t			 id;
	int			 rv;

	middleware_audit_ctx(r, &ctx);
	memset(&op->err, 0, sizeof(op->err));
	if ((rv = h_catalog_save(op->k, &ctx, &op->it, &id, &op->err)) > 0)
		h_dom_problem(r, resp, rv, &op->err, NULL);
	if (rv != DB_OK)
		return rv;
	if ((rv = h_catalog_get(op->k, r->arena, id, &cur)) != DB_OK)
		return rv < 0 ? rv : DB_ERROR;
	if (op->id == 0)
		response_header(resp, "Location", arena_printf(r->arena,
		    "%s%" PRId64, op->k->api_path, id));
	response_json(resp, op->id == 0 ? 201 : 200, json_own(r->arena,
	    item_json(op->k, &cur)));
	return DB_OK;
}

/*
 * The fields of a supplier and of a warehouse, for the API and the pages.
 * A new one is active (the handlers set it: "active" is a PUT's); a PUT
 * names every field.  The messages are the domain's.
 */
static const struct field supplier_field[] = {
	FIELD_STR("name", "name", F_REQUIRED, 1, 100, NULL, "Enter a name of "
	    "1 to 100 characters.", struct supplier, name),
	FIELD_STR("email", "email", F_REPLACE, 0, 254, "", "Enter an email "
	    "address or leave it empty.", struct supplier, email),
	FIELD_NUM("lead_time_days", "lead_time_days", FT_INT, F_REPLACE, 0,
	    365, 7, struct supplier, lead_time_days),
	FIELD_NUM("active", "active", FT_BOOL, F_REPLACE_ONLY | F_CHECKBOX, 0,
	    0, 1, struct supplier, active),
};
const struct field_set h_supplier_fields = { "supplier", "SupplierCreate",
	"SupplierUpdate", supplier_field, FIELD_COUNT(supplier_field),
	sizeof(struct supplier), 0 };

static const struct field warehouse_field[] = {
	FIELD_STR("code", "code", F_REQUIRED, 1, 20, NULL, "Use 1 to 20 "
	    "letters, digits, dots, dashes or underscores.", struct warehouse,
	    code),
	FIELD_STR("name", "name", F_REQUIRED, 1, 100, NULL, "Enter a name of "
	    "1 to 100 characters.", struct warehouse, name),
	FIELD_NUM("active", "active", FT_BOOL, F_REPLACE_ONLY | F_CHECKBOX, 0,
	    0, 1, struct warehouse, active),
};
const struct field_set h_warehouse_fields = { "warehouse", "WarehouseCreate",
	"WarehouseUpdate", warehouse_field, FIELD_COUNT(warehouse_field),
	sizeof(struct warehouse), 0 };

/* The kind's declaration and the struct it fills in item. */
const struct field_set *
h_catalog_fields(const struct catalog_kind *k, struct catalog_item *it,
    void **dst)
{
	*dst = k->warehouses ? (void *)&it->w : (void *)&it->s;
	return k->warehouses ? &h_warehouse_fields : &h_supplier_fields;
}

static void
catalog_save_api(struct request *r, struct response *resp, int update)
{
	struct catalog_op	 op;
	const struct field_set	*set;
	const char		*key;
	void			*dst;

	memset(&op, 0, sizeof(op));
	op.k = h_catalog_kind(r);
	if (update && (op.id = h_id_param(r, resp, op.k->missing)) < 0)
		return;		/* answered */
	if (h_json_body(r, resp) == -1 || idem_api_key(r, resp, &key) == -1)
		return;		/* answered */
	set = h_catalog_fields(op.k, &op.it, &dst);
	op.it.s.active = op.it.w.active = 1;
	if (h_json_fields(r, resp, set, update ? FIELDS_REPLACE :
	    FIELDS_CREATE, dst) == 0) {
		op.it.s.id = op.it.w.id = op.id;
		idem_run(r, resp, key, catalog_op_api, NULL, &op);
	}
}

void
h_api_catalog_create(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 0);
}

void
h_api_catalog_update(struct request *r, struct response *resp)
{
	catalog_save_api(r, resp, 1);
}
