/*
 * h_catalog.h -- what the handlers of products, suppliers and warehouses
 * share between their API (h_products.c, h_catalog.c) and their pages
 * (h_products_html.c, h_catalog_html.c): the one JSON builder of each
 * type, and the table of what differs between suppliers and warehouses.
 * The builders return a new object that is not arena-owned (for
 * json_object_array_add / object_add, which take it); NULL on ENOMEM.
 */
#ifndef H_CATALOG_H
#define H_CATALOG_H

#include <stdint.h>

#include <json-c/json.h>

#include "catalog.h"

struct arena;
struct audit_ctx;
struct dom_error;
struct request;
struct tval;

/* The declared fields of a product, a supplier, a warehouse (fields.h),
 * read by the API and the pages alike. */
extern const struct field_set	h_product_fields;
extern const struct field_set	h_supplier_fields;
extern const struct field_set	h_warehouse_fields;

/* {warehouse_id, warehouse_code, on_hand, reserved, available}; the
 * *_tv() twins are the page context of the same (handlers.h). */
struct json_object *h_product_stock_json(const struct product_stock *);
struct tval *h_product_stock_tv(struct arena *,
	    const struct product_stock *);
/* {id, name, email, lead_time_days, active} and "products" with counts. */
struct json_object *h_supplier_json(const struct supplier *, int counts);
struct tval *h_supplier_tv(struct arena *, const struct supplier *,
	    int counts);
/* {id, code, name, active} and "stock_rows", "units_on_hand" with
 * counts. */
struct json_object *h_warehouse_json(const struct warehouse *, int counts);
struct tval *h_warehouse_tv(struct arena *, const struct warehouse *,
	    int counts);

/* A supplier or a warehouse, as the kind of the route says. */
struct catalog_item {
	struct supplier		 s;
	struct warehouse	 w;
};

/* A list of suppliers or warehouses. */
struct catalog_list {
	struct supplier_list	 s;
	struct warehouse_list	 w;
	size_t			 n;
};

/* What differs between suppliers and warehouses, chosen by the route's
 * action (ACT_SUPPLIERS or ACT_WAREHOUSES). */
struct catalog_kind {
	int		 warehouses;	/* 1: warehouses */
	const char	*title;		/* the list page */
	const char	*item_title;	/* the edit page */
	const char	*missing;	/* 404 detail */
	const char	*api_path;	/* Location prefix, ends in '/' */
	const char	*page_path;	/* redirect after a form save */
	const char	*saved_flash;
	const char	*perm;		/* authz permission to edit */
};

/* The declaration of the kind (h_supplier_fields or h_warehouse_fields)
 * and, in *dst, the member of it that it fills. */
const struct field_set *h_catalog_fields(const struct catalog_kind *,
	    struct catalog_item *, void **dst);
/* The kind of r's route; fatalx() on a route without one (a bug). */
const struct catalog_kind *h_catalog_kind(const struct request *);
/* catalog.c's list, get and save of the kind (same contracts). */
int	h_catalog_list(const struct catalog_kind *, struct arena *,
	    int64_t after_id, int64_t limit, struct catalog_list *);
int	h_catalog_get(const struct catalog_kind *, struct arena *, int64_t id,
	    struct catalog_item *);
int	h_catalog_save(const struct catalog_kind *, const struct audit_ctx *,
	    const struct catalog_item *, int64_t *id_out, struct dom_error *);
/* Item i of a list as JSON or as page context (see the builders). */
struct json_object *h_catalog_row_json(const struct catalog_kind *,
	    const struct catalog_list *, size_t i, int counts);
struct tval *h_catalog_row_tv(struct arena *, const struct catalog_kind *,
	    const struct catalog_list *, size_t i, int counts);

#endif /* H_CATALOG_H */
