/*
 * catalog.h -- products, suppliers and warehouses.  Product edits use the
 * version column for optimistic concurrency: an edit names the version it
 * started from, and a stale one is DOM_CONFLICT with err->version set to
 * the current one.  Changes run inside the caller's transaction and write
 * their audit row.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;

struct product {
	int64_t		 id;
	const char	*sku, *name, *description, *unit;
	int64_t		 price_cents, cost_cents;
	int64_t		 reorder_point, reorder_qty;
	int64_t		 supplier_id;		/* 0: none */
	int		 active;
	int64_t		 version;
	int64_t		 on_hand, reserved;	/* all warehouses */
};

/* A product's stock in one warehouse. */
struct product_stock {
	int64_t		 warehouse_id;
	const char	*warehouse_code;
	int64_t		 on_hand, reserved;
};

struct supplier {
	int64_t		 id;
	const char	*name, *email;
	int64_t		 lead_time_days;
	int		 active;
	int64_t		 products;		/* products it supplies */
};

struct warehouse {
	int64_t		 id;
	const char	*code, *name;
	int		 active;
	int64_t		 stock_rows, units_on_hand;
};

/* Arrays in the caller's arena (v is NULL when n is 0). */
struct product_list {
	struct product		*v;
	size_t			 n;
};
struct product_stock_list {
	struct product_stock	*v;
	size_t			 n;
};
struct supplier_list {
	struct supplier		*v;
	size_t			 n;
};
struct warehouse_list {
	struct warehouse	*v;
	size_t			 n;
};

int	products_create(const struct audit_ctx *, const struct product *,
	    int64_t *id_out, struct dom_error *);
/* Saves p (p->id, p->version: the version the edit started from). */
int	products_update(const struct audit_ctx *, const struct product *,
	    struct dom_error *);
int	products_archive(const struct audit_ctx *, int64_t id,
	    struct dom_error *);
/*
 * The read functions fill their result with strings and arrays in the
 * arena and return DB_OK, DOM_NOT_FOUND (a get of a missing id) or a
 * negative db_status; a NULL or malformed column is DB_ERROR.
 */
/* One product with its stock totals. */
int	products_get(struct arena *, int64_t id, struct product *);
/* A product (totals summed from its rows) and its stock per warehouse, by
 * warehouse code, in one query. */
int	products_detail(struct arena *, int64_t id, struct product *,
	    struct product_stock_list *);
/* The id of the product with this SKU, 0 if none, or a db_status. */
int64_t	products_id_by_sku(struct arena *, const char *sku);
/*
 * Lists products with their stock totals, by id.  q ("" for all)
 * matches a SKU or name that starts with it, or a name with a word
 * starting with each word of q (search.h); supplier_id 0 and active -1
 * mean any; after_id is the keyset (for the API).
 */
int	products_list(struct arena *, const char *q, int64_t supplier_id,
	    int active, int64_t after_id, int64_t limit,
	    struct product_list *);

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
	    struct product_list *, int64_t *max_id);

int	suppliers_save(const struct audit_ctx *, const struct supplier *,
	    int64_t *id_out, struct dom_error *);	/* id 0: create */
int	suppliers_get(struct arena *, int64_t id, struct supplier *);
/* Suppliers after after_id, by id. */
int	suppliers_list(struct arena *, int64_t after_id, int64_t limit,
	    struct supplier_list *);

int	warehouses_save(const struct audit_ctx *, const struct warehouse *,
	    int64_t *id_out, struct dom_error *);	/* id 0: create */
int	warehouses_get(struct arena *, int64_t id, struct warehouse *);
/* Warehouses after after_id, by id. */
int	warehouses_list(struct arena *, int64_t after_id, int64_t limit,
	    struct warehouse_list *);

#endif /* CATALOG_H */
