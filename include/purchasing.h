/*
 * purchasing.h -- purchase orders: draft -> ordered -> partially_received
 * -> received; draft or ordered -> cancelled.  Receiving creates receipt
 * movements; receiving more than ordered on a line is refused and changes
 * nothing.  Changes run inside the caller's transaction; see domain.h.
 */
#ifndef PURCHASING_H
#define PURCHASING_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "orders.h"

struct arena;
struct audit_ctx;

/* A draft purchase order; lines' cost_cents -1 take the product's cost. */
int	po_create(const struct audit_ctx *, int64_t supplier_id,
	    int64_t warehouse_id, const char *note, const struct line_in *,
	    size_t n, int64_t *id_out, struct dom_error *);
/* The same without its audit row, for callers that make several orders in
 * one transaction and audit them at the end (the audit head is the last
 * lock a transaction takes). */
int	po_create_unaudited(const struct audit_ctx *, int64_t supplier_id,
	    int64_t warehouse_id, const char *note, const struct line_in *,
	    size_t n, int64_t *id_out, struct dom_error *);
int	po_order(const struct audit_ctx *, int64_t id, struct dom_error *);
int	po_cancel(const struct audit_ctx *, int64_t id, struct dom_error *);
/* Receives lines[i].qty units on line lines[i].line_no (qty >= 1). */
int	po_receive(const struct audit_ctx *, int64_t id,
	    const struct line_in *, size_t n, struct dom_error *);
/* An order with its lines in the arena; party is the supplier id as
 * text.  DB_OK, DOM_NOT_FOUND or a db_status. */
int	po_get(struct arena *, int64_t id, struct order *);
/* Newest first into the arena, as orders_list(): party is the supplier's
 * name, with units ordered and received.  DB_OK or a db_status. */
int	po_list(struct arena *, const char *status, int64_t before_id,
	    int64_t limit, struct order_list *);
int	po_status_valid(const char *);

#endif /* PURCHASING_H */
