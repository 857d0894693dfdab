/*
 * stock.h -- the stock ledger: receipts, shipments, adjustments and
 * transfers, each one transaction of stock rows, ledger rows and an audit
 * row (see domain.h for the locking order).  on_hand never goes below
 * reserved (so never below 0): a movement that would break that is
 * DOM_CONFLICT and changes nothing.
 */
#ifndef STOCK_H
#define STOCK_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;

enum move_kind { MOVE_RECEIPT, MOVE_SHIPMENT, MOVE_ADJUSTMENT, MOVE_TRANSFER };

struct move_req {
	enum move_kind	 kind;
	int64_t		 product_id;
	int64_t		 warehouse_id;
	int64_t		 to_warehouse_id;	/* MOVE_TRANSFER */
	int64_t		 qty;		/* > 0 (adjust: non-zero) */
	const char	*reference;	/* may be NULL */
	const char	*note;		/* reason: required to adjust */
};

/* Ids of the ledger rows written (a transfer writes out, then in). */
struct move_result {
	int64_t		 ids[2];
	int		 n;
};

/* Parses "receipt", "shipment", "adjustment", "transfer"; -1 otherwise. */
int	stock_kind_from_name(const char *);
/* Validates and applies one movement inside the caller's transaction. */
int	stock_move(const struct audit_ctx *, const struct move_req *,
	    struct move_result *, struct dom_error *);
/*
 * Posts delta to (product, warehouse) and writes a ledger row of kind,
 * releasing `release` reserved units at the same time (shipping a
 * confirmed order).  Guarded: fails with DOM_CONFLICT if on_hand would
 * fall below what stays reserved.  For orders and purchasing; the caller
 * locks in domain.h's order and writes the audit row.
 */
int	stock_post(const struct audit_ctx *, int64_t product_id,
	    int64_t warehouse_id, const char *kind, int64_t delta,
	    int64_t release, const char *reference, const char *note,
	    int64_t *movement_id);
/* Guarded reserve (qty > 0) or release (qty < 0) of units; 1 if done,
 * 0 if the guard refused (not enough available / reserved), or a
 * db_status. */
int	stock_reserve(int64_t product_id, int64_t warehouse_id, int64_t qty);
/* on_hand - reserved of (product, warehouse); 0 without a stock row or
 * when it cannot be read (logged): it only describes a refusal. */
int64_t	stock_available(struct arena *, int64_t product_id,
	    int64_t warehouse_id);

/* One stock row: product x warehouse. */
struct stock_level {
	int64_t		 product_id;
	const char	*sku, *name;
	int64_t		 warehouse_id;
	const char	*warehouse_code;
	int64_t		 on_hand, reserved;
	const char	*unit;
};

struct stock_level_list {
	struct stock_level	*v;
	size_t			 n;
};

/* One ledger row, with the product's SKU, the warehouse's code and the
 * user's email beside the ids. */
struct movement {
	int64_t		 id, product_id;
	const char	*sku;
	int64_t		 warehouse_id;
	const char	*warehouse_code;
	const char	*kind;		/* receipt ... transfer_in */
	int64_t		 qty_delta, balance_after;
	const char	*reference, *note;	/* "" when none */
	int64_t		 user_id;	/* 0: none */
	const char	*user_email;	/* NULL: none */
	const char	*created_at;	/* ISO 8601, UTC */
};

struct movement_list {
	struct movement	*v;
	size_t		 n;
};

/*
 * Stock rows ordered by product then warehouse, after the position
 * (after_product, after_warehouse); 0 filters mean any.  The rows are in
 * the arena.  DB_OK or a db_status (DB_ERROR for a malformed row).
 */
int	stock_list(struct arena *, int64_t product_id, int64_t warehouse_id,
	    int64_t after_product, int64_t after_warehouse, int64_t limit,
	    struct stock_level_list *);
/*
 * Ledger rows newest first below before_id (0: from the newest).
 * Filters: 0 / NULL / "" mean any.  The rows are in the arena.  DB_OK or
 * a db_status (DB_ERROR for a malformed row).
 */
int	stock_movements(struct arena *, int64_t product_id,
	    int64_t warehouse_id, const char *kind, int64_t before_id,
	    int64_t limit, struct movement_list *);
/* One ledger row by id, its strings in the arena: DB_OK, DOM_NOT_FOUND
 * or a db_status. */
int	stock_movement_get(struct arena *, int64_t id, struct movement *);
/* 1 if s names a ledger kind (receipt ... transfer_in). */
int	stock_ledger_kind_valid(const char *);

#endif /* STOCK_H */
