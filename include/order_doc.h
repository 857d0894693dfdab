/*
 * order_doc.h -- what sales orders (orders.h) and purchase orders
 * (purchasing.h) share: the shapes of an order document, its lines and
 * its list summary, and the line handling both kinds run the same way
 * (checking, pricing and inserting lines, moving the status, reading an
 * order and a list).  Each kind describes itself in a struct order_kind
 * (its tables' SQL and its words) kept beside its own rules.
 */
#ifndef ORDER_DOC_H
#define ORDER_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"

struct arena;
struct audit_ctx;

struct line_in {
	int64_t	 product_id;
	int64_t	 qty;
	int64_t	 cost_cents;	/* purchase orders; -1: the product's
				 * cost */
	int64_t	 line_no;	/* receipts */
};

struct order_line {
	int64_t		 line_no, product_id, qty, price_cents, received;
	const char	*sku, *name;
};

struct order {
	int64_t			 id;
	/* The customer; on a purchase order the supplier id as text. */
	const char		*party;
	int64_t			 supplier_id;	/* else 0 */
	int64_t			 warehouse_id;
	const char		*status, *note, *created_at, *updated_at;
	struct order_line	*lines;
	size_t			 nlines;
};

/* One row of a list of orders. */
struct order_summary {
	int64_t		 id;
	const char	*party;		/* customer, supplier name */
	int64_t		 supplier_id;	/* purchase; else 0 */
	int64_t		 warehouse_id;
	const char	*status, *note, *created_at;
	int64_t		 nlines;
	int64_t		 total_cents;	/* sales; else 0 */
	/* Purchase orders; else 0. */
	int64_t		 units_ordered, units_received;
};

struct order_list {
	struct order_summary	*v;
	size_t			 n;
};

/*
 * A kind of order document.  The SQL shapes are fixed so that one reader
 * serves both kinds:
 *   sql_product  (product id) -> price or cost, active
 *   sql_line_insert (order id, line no, product id, qty, cents)
 *   sql_move     (to, id, from1, from2): the guarded status UPDATE
 *   sql_status   (id) -> status
 *   sql_get      (id) -> id, customer, supplier_id, warehouse_id, status,
 *                note, created_at, updated_at
 *   sql_lines    (id) -> line_no, product_id, qty, cents, received, sku,
 *                name; by line_no
 *   sql_list     (status, status, before id, limit) -> id, party,
 *                supplier_id, warehouse_id, status, note, created_at,
 *                lines, total_cents, units_ordered, units_received
 */
struct order_kind {
	const char		*noun;		/* in messages */
	const char		*lines_msg;	/* too few, too many */
	int			 given_cost;	/* line cost_cents */
	int			 say_target;	/* conflict names `to' */
	const char *const	*statuses;
	size_t			 nstatuses;
	const char		*sql_product, *sql_line_insert, *sql_move;
	const char		*sql_status, *sql_get, *sql_lines, *sql_list;
};

/* 1 if s is one of k's statuses. */
int	order_doc_status_valid(const struct order_kind *k, const char *s);
/*
 * Checks the number of lines, each quantity (and cost, for a kind with
 * given costs) and that no product appears twice.  DB_OK or DOM_INVALID
 * naming lines[i].field (in ctx's arena).
 */
int	order_doc_check_lines(const struct audit_ctx *,
	    const struct order_kind *k, const struct line_in *, size_t n,
	    struct dom_error *);
/*
 * Inserts the lines of order id, numbered from 1, each priced at the
 * product's price or cost (or the line's own cost when the kind allows
 * it); *total gets the sum.  DB_OK, DOM_INVALID (inactive product, total
 * too large) or a db_status.
 */
int	order_doc_insert_lines(const struct audit_ctx *,
	    const struct order_kind *k, int64_t id, const struct line_in *,
	    size_t n, int64_t *total, struct dom_error *);
/*
 * Moves order id from from1 or from2 to to (locking its row), or says
 * why not: DOM_NOT_FOUND, DOM_CONFLICT naming the current status, or a
 * db_status.
 */
int	order_doc_move(const struct audit_ctx *, const struct order_kind *k,
	    int64_t id, const char *from1, const char *from2, const char *to,
	    struct dom_error *);
/* Reads an order with its lines into the arena.  DB_OK, DOM_NOT_FOUND or
 * a db_status (DB_ERROR for a malformed row). */
int	order_doc_get(struct arena *, const struct order_kind *k, int64_t id,
	    struct order *);
/* Lists orders newest first, ids below before_id (0: from the newest),
 * status NULL or "" for any; in the arena.  DB_OK or a db_status. */
int	order_doc_list(struct arena *, const struct order_kind *k,
	    const char *status, int64_t before_id, int64_t limit,
	    struct order_list *);
/* Sorts lines by product id: the order stock rows are locked in. */
void	order_doc_sort_lines(struct order_line *, size_t n);
/* id as text in ctx's arena (audit entity ids, references). */
const char *order_doc_id(const struct audit_ctx *, int64_t id);

#endif /* ORDER_DOC_H */
