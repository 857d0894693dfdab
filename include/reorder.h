/*
 * reorder.h -- reorder suggestions and the invariant checker.
 *
 * For every active product x active warehouse with a reorder point:
 * available = on_hand - reserved + on_order (open purchase orders --
 * draft, ordered, partially received -- still to receive); when available
 * <= reorder_point, suggest reorder_qty from the preferred supplier.
 */
#ifndef REORDER_H
#define REORDER_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;
/* One suggestion: a product x warehouse at or below its reorder point. */
struct suggestion {
	int64_t		 product_id;
	const char	*sku, *name;
	int64_t		 warehouse_id;
	const char	*warehouse_code;
	int64_t		 supplier_id;	/* 0: no preferred one */
	const char	*supplier;	/* NULL: none */
	int64_t		 on_hand, reserved, on_order, available;
	int64_t		 reorder_point, reorder_qty, cost_cents;
};

struct suggestion_list {
	struct suggestion	*v;
	size_t			 n;
};

/*
 * The suggestions ordered by supplier name, warehouse, sku; limit rows
 * from offset (computed afresh each time), in the arena.  DB_OK or a
 * db_status (DB_ERROR for a malformed row).
 */
int	reorder_suggestions(struct arena *, int64_t offset, int64_t limit,
	    struct suggestion_list *);
/* How many suggestions there are, or a db_status. */
int64_t	reorder_count(struct arena *);

struct reorder_pick {
	int64_t	product_id;
	int64_t	warehouse_id;
};

/*
 * Turns the picked suggestions into draft purchase orders, one per
 * supplier x warehouse, each line the product's reorder quantity at its
 * cost.  A pick that is not a current suggestion, or has no preferred
 * supplier, is DOM_INVALID.  po_ids (n entries) gets the orders made;
 * *npos their number.
 */
int	reorder_create_pos(const struct audit_ctx *,
	    const struct reorder_pick *, size_t n, int64_t *po_ids,
	    size_t *npos, struct dom_error *);

/*
 * The invariants over the whole database: on_hand = the sum of the
 * ledger; reserved = confirmed, unshipped order quantities; 0 <= reserved
 * <= on_hand; each product x warehouse's last balance_after = on_hand.
 * Prints each violation; returns their number, or -1 when the database
 * cannot be read.
 */
int	inventory_check(struct arena *);

#endif /* REORDER_H */
