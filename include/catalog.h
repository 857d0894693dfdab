/*
 * catalog.h -- products, suppliers and warehouses.  Product edits use the
 * version column for optimistic concurrency: an edit names the version it
 * started from, and a stale one is DOM_CONFLICT with err->version set to
 * the current one.  Changes run inside the caller's transaction and write
 * their audit row.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;
struct db_rows;

struct product {
	int64_t		 id;
	const char	*sku, *name, *description, *unit;
	int64_t		 price_cents, cost_cents;
	int64_t		 reorder_point, reorder_qty;
	int64_t		 supplier_id;		/* 0: none */
	int		 active;
	int64_t		 version;
};

struct supplier {
	int64_t		 id;
	const char	*name, *email;
	int64_t		 lead_time_days;
	int		 active;
};

struct warehouse {
	int64_t		 id;
	const char	*code, *name;
	int		 active;
};

int	products_create(const struct audit_ctx *, const struct product *,
	    int64_t *id_out, struct dom_error *);
/* Saves p (p->id, p->version: the version the edit started from). */
int	products_update(const struct audit_ctx *, const struct product *,
	    struct dom_error *);
int	products_archive(const struct audit_ctx *, int64_t id,
	    struct dom_error *);
/* DB_OK, DOM_NOT_FOUND or a db_status. */
int	products_get(struct arena *, int64_t id, struct product *);
/*
 * A product and its stock in one query: p is filled from the first row;
 * columns 12..15 of each row are warehouse_id, warehouse code, on_hand,
 * reserved (all NULL in the one row of a product without stock).
 */
int	products_detail(struct arena *, int64_t id, struct product *,
	    struct db_rows *);
/* The id of the product with this SKU, 0 if none, or a db_status. */
int64_t	products_id_by_sku(struct arena *, const char *sku);
/* warehouse_id, warehouse code, on_hand, reserved for one product. */
int	products_stock(struct arena *, int64_t id, struct db_rows *);
/*
 * Lists products: id, sku, name, unit, price_cents, cost_cents,
 * reorder_point, reorder_qty, supplier_id, active, version, description,
 * on_hand (all warehouses), reserved.  q matches a SKU prefix or a name
 * substring ("" for all); supplier_id 0 and active -1 mean any; after_id
 * is the keyset (for the API).
 */
int	products_list(struct arena *, const char *q, int64_t supplier_id,
	    int active, int64_t after_id, int64_t limit, struct db_rows *);

enum product_sort { PRODUCTS_BY_ID, PRODUCTS_BY_SKU, PRODUCTS_BY_NAME };

struct product_page_req {
	const char		*q;
	enum product_sort	 sort;
	int64_t			 page;		/* by id without q: block n */
	int64_t			 limit;		/* rows per page */
	const char		*after;		/* by sku / name: last value */
	int64_t			 after_id;	/* by id / name: last id */
};
/*
 * The pages' list, never by OFFSET: by id without a search, page n is the
 * block of ids (n-1)*limit+1 .. n*limit (gaps make a page shorter), and
 * *max_id tells how many blocks there are; otherwise up to limit+1 rows
 * after the keyset (after, after_id), the extra row meaning "there is a
 * next page".
 */
int	products_page(struct arena *, const struct product_page_req *,
	    struct db_rows *, int64_t *max_id);

int	suppliers_save(const struct audit_ctx *, const struct supplier *,
	    int64_t *id_out, struct dom_error *);	/* id 0: create */
int	suppliers_get(struct arena *, int64_t id, struct supplier *);
/* id, name, email, lead_time_days, active, product count; by name. */
int	suppliers_list(struct arena *, int64_t after_id, int64_t limit,
	    struct db_rows *);

int	warehouses_save(const struct audit_ctx *, const struct warehouse *,
	    int64_t *id_out, struct dom_error *);	/* id 0: create */
int	warehouses_get(struct arena *, int64_t id, struct warehouse *);
/* id, code, name, active, stock rows, units on hand; by code. */
int	warehouses_list(struct arena *, int64_t after_id, int64_t limit,
	    struct db_rows *);

#endif /* CATALOG_H */
