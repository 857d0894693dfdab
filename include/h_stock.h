/*
 * h_stock.h -- what the stock and reorder handlers share between their
 * API file and their page file: the change each one runs through
 * idem_run(), written once for both.
 *
 * The op answers the API itself (201 with what was made; a domain
 * refusal as problem+json).  For a form (html set) it answers 303 on
 * success and leaves a refusal to the form's refuse hook, which reads
 * err.
 */
#ifndef H_STOCK_H
#define H_STOCK_H

#include <stddef.h>

#include <json-c/json.h>

#include "domain.h"
#include "reorder.h"
#include "stock.h"

struct request;
struct response;

/* A stock movement: arg of h_move_op(). */
struct h_move {
	const char		*kind;		/* as posted: m.kind's name */
	struct move_req		 m;
	struct dom_error	 err;
	int			 html;
};

/* Turning picked suggestions into purchase orders: arg of
 * h_reorder_op(). */
struct h_reorder {
	struct reorder_pick	*picks;		/* the request's arena */
	size_t			 n;
	struct dom_error	 err;
	int			 html;
};

/* The declared fields of a movement and of a reorder (fields.h; targets:
 * struct h_move, struct h_reorder). */
extern const struct field_set	h_move_fields;
extern const struct field_set	h_reorder_fields;
/* What a movement's table cannot say: the kind by name (set in op), and
 * the target warehouse a transfer needs.  NULL, or the (static) message
 * of the error with *field naming its field; the API and the page each
 * record it in their own errors. */
const char *h_move_check(struct h_move *op, const char **field);

/* idem_op()s: DB_OK, a DOM_* refusal or a db_status. */
int	h_move_op(struct request *, struct response *, void *arg);
int	h_reorder_op(struct request *, struct response *, void *arg);

#endif /* H_STOCK_H */
