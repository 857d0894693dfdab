/*
 * orders.h -- sales orders: draft -> confirmed (reserves every line or
 * none) -> shipped (moves the stock out, releases the reservation);
 * draft or confirmed -> cancelled (releases).  Purchase orders share the
 * line and header shapes (purchasing.h).  Changes run inside the caller's
 * transaction; see domain.h.
 */
#ifndef ORDERS_H
#define ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;
struct db_rows;

struct line_in {
	int64_t	 product_id;
	int64_t	 qty;
	int64_t	 cost_cents;	/* purchase orders; -1: the product's cost */
	int64_t	 line_no;	/* receipts */
};

struct order_line {
	int64_t		 line_no, product_id, qty, price_cents, received;
	const char	*sku, *name;
};

struct order {
	int64_t			 id;
	const char		*party;		/* customer / supplier id */
	int64_t			 warehouse_id;
	const char		*status, *note, *created_at, *updated_at;
	struct order_line	*lines;
	size_t			 nlines;
};

/* A draft order; *id_out on success. */
int	orders_create(const struct audit_ctx *, const char *customer,
	    int64_t warehouse_id, const char *note, const struct line_in *,
	    size_t nlines, int64_t *id_out, struct dom_error *);
/*
 * Reserves every line or none.  DOM_CONFLICT on a wrong state, or when
 * lines are short: err->details is then a JSON array of
 * {line_no, product_id, requested, available} (the caller puts it).
 */
int	orders_confirm(const struct audit_ctx *, int64_t id, struct dom_error *);
int	orders_ship(const struct audit_ctx *, int64_t id, struct dom_error *);
int	orders_cancel(const struct audit_ctx *, int64_t id, struct dom_error *);
/* Reads an order with its lines into the arena.  DB_OK, DOM_NOT_FOUND or a
 * db_status. */
int	orders_get(struct arena *, int64_t id, struct order *);
/*
 * Lists orders newest first, ids below before_id (0: from the newest),
 * status NULL or "" for any: id, customer, warehouse_id, status, note,
 * created_at, line count, total cents.
 */
int	orders_list(struct arena *, const char *status, int64_t before_id,
	    int64_t limit, struct db_rows *);
/* "draft", "confirmed", ... : 1 if s names a sales order status. */
int	orders_status_valid(const char *s);

/* Shared by purchasing.c: sorts lines by product id. */
void	orders_sort_lines(struct order_line *, size_t n);

#endif /* ORDERS_H */
