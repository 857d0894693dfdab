/*
 * domain.h -- what the inventory rules (app/domain/) share: their outcome
 * codes and the error they describe a refusal with.  No HTTP types: the
 * handlers map DOM_INVALID to 422, DOM_NOT_FOUND to 404 and DOM_CONFLICT
 * to 409.
 *
 * Every domain function that changes data runs inside the caller's
 * transaction (db_tx(), usually through idem_run()) and writes its audit
 * row itself.  Locks are always taken in this order: the document (order,
 * purchase order, product for an edit), then stock rows by (product_id,
 * warehouse_id) ascending, then the audit head.  Stock changes are guarded
 * UPDATEs whose affected-row count says whether the rule held, so two
 * transactions never oversell and never wait on each other in a cycle.
 */
#ifndef DOMAIN_H
#define DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "outcome.h"

struct dom_error {
	const char		*field;		/* DOM_INVALID */
	const char		*message;
	struct json_object	*details;	/* e.g. the short lines; owned
						 * by the caller, may be NULL */
	int64_t			 version;	/* current version on a stale
						 * edit */
};

/* Sets err and returns code (for one-line refusals). */
int	dom_fail(struct dom_error *, int code, const char *field,
	    const char *message);

/*
 * Text of min..max bytes (NULL counts as empty) without control
 * characters (C0, DEL, C1) or invisible marks that reorder or hide text
 * (bidi controls, U+FEFF); multiline also allows newline, carriage
 * return and tab.
 */
int	dom_text_ok(const char *, size_t min, size_t max, int multiline);

#endif /* DOMAIN_H */
