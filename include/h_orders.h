/*
 * h_orders.h -- what the two order handler files share: h_orders.c (the
 * API) and h_orders_html.c (the pages) serve sales and purchase orders
 * alike, told apart by the route's action (ACT_SALES or ACT_PURCHASE and
 * a verb), run the same domain changes and show the same JSON shapes
 * (h_order_json() is in handlers.h).
 */
#ifndef H_ORDERS_H
#define H_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "domain.h"
#include "order_doc.h"

struct arena;
struct request;
struct tval;

#define H_ORDER_FORM_LINES	10	/* rows of the new-order form */

/* A change to an order document, run inside idem_run()'s transaction. */
struct order_op {
	int			 purchase;	/* a purchase order */
	int			 verb;		/* 0: create */
	int64_t			 id;		/* set by a create */
	const char		*customer, *note;
	int64_t			 party_id, warehouse_id;
	struct line_in		*lines;		/* in the arena */
	size_t			 nlines;
	/* The pages' form row of line i. */
	int			 row[H_ORDER_FORM_LINES];
	struct dom_error	 err;
};

/* The declared fields of a new sales order, a new purchase order and a
 * receipt (fields.h; targets: struct order_op). */
extern const struct field_set	h_order_fields;
extern const struct field_set	h_po_fields;
extern const struct field_set	h_receive_fields;

/* Zeroes op and sets its kind and verb from r's route action. */
void	h_order_op_init(struct order_op *, const struct request *);
/* 1 if r's route serves purchase orders. */
int	h_order_purchase(const struct request *);
/*
 * Runs op's change as the current user (a create sets op->id).  DB_OK, a
 * DOM_* refusal described in op->err (err.details owned by the caller),
 * or a db_status.  An unknown verb is a bug (fatalx).
 */
int	h_order_apply(struct request *, struct order_op *);
/* Reads an order of either kind into r's arena: as orders_get(). */
int	h_order_get(struct request *, int purchase, int64_t id,
	    struct order *);
/* Lists orders of either kind into r's arena: as orders_list().  status
 * must be NULL, "" or valid (h_order_status_valid()). */
int	h_order_list(struct request *, int purchase, const char *status,
	    int64_t before_id, int64_t limit, struct order_list *);
/* 1 if status is NULL, "" or a status of the kind. */
int	h_order_status_valid(int purchase, const char *status);
/* A list row as the API shows it; a new object for a parent to take,
 * and the same as page context in a (handlers.h). */
struct json_object *h_order_summary_json(const struct order_summary *,
	    int purchase);
struct tval *h_order_summary_tv(struct arena *,
	    const struct order_summary *, int purchase);

#endif /* H_ORDERS_H */
