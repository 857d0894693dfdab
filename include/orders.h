/*
 * orders.h -- sales orders: draft -> confirmed (reserves every line or
 * none) -> shipped (moves the stock out, releases the reservation);
 * draft or confirmed -> cancelled (releases).  Purchase orders share the
 * line and header shapes and the line handling (order_doc.h).  Changes
 * run inside the caller's transaction; see domain.h.
 */
#ifndef ORDERS_H
#define ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "order_doc.h"

struct arena;
struct audit_ctx;

/* A draft order; *id_out on success. */
int	orders_create(const struct audit_ctx *, const char *customer,
	    int64_t warehouse_id, const char *note, const struct line_in *,
	    size_t nlines, int64_t *id_out, struct dom_error *);
/*
 * Reserves every line or none.  DOM_CONFLICT on a wrong state, or when
 * lines are short: err->details is then a JSON array of
 * {line_no, product_id, requested, available} (the caller puts it).
 */
int	orders_confirm(const struct audit_ctx *, int64_t id,
	    struct dom_error *);
int	orders_ship(const struct audit_ctx *, int64_t id, struct dom_error *);
int	orders_cancel(const struct audit_ctx *, int64_t id, struct dom_error *);
/* Reads an order with its lines into the arena.  DB_OK, DOM_NOT_FOUND or a
 * db_status (DB_ERROR for a malformed row). */
int	orders_get(struct arena *, int64_t id, struct order *);
/*
 * Lists orders newest first, ids below before_id (0: from the newest),
 * status NULL or "" for any, into the arena: party is the customer,
 * total_cents the sum of the lines.  DB_OK or a db_status.
 */
int	orders_list(struct arena *, const char *status, int64_t before_id,
	    int64_t limit, struct order_list *);
/* "draft", "confirmed", ... : 1 if s names a sales order status. */
int	orders_status_valid(const char *s);

#endif /* ORDERS_H */
