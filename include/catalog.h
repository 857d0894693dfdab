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
/* The id of the product with this SKU, 0 if none, or a db_status. */
int64_t	products_id_by_sku(struct arena *, const char *sku);
/* warehouse_id, warehouse code, on_hand, reserved for one product. */
int	products_stock(struct arena *, int64_t id, struct db_rows *);
/*
 * Lists products: id, sku, name, unit, price_cents, cost_cents,
 * reorder_point, reorder_qty, supplier_id, active, version, description,
 * on_hand (all warehouses), reserved.  q matches a SKU prefix or a name
 * substring ("" for all); supplier_id 0 and active -1 mean any.
 *   by id:   after_id (keyset, for the API);
 *   page:    sort "sku" or "name", 0-based offset (for the pages).
 */
int	products_list(struct arena *, const char *q, int64_t supplier_id,
	    int active, int64_t after_id, int64_t limit, struct db_rows *);
int	products_page(struct arena *, const char *q, const char *sort,
	    int64_t offset, int64_t limit, struct db_rows *, int64_t *total);

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
