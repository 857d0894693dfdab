/*
 * bounds.h -- every hard limit of backroomd in one place.
 *
 * Configuration may lower a limit (max_body_size, workers, ...) but never
 * raise it past the cap named here; config.c enforces that by using these
 * constants as the directive maximums.
 */
#ifndef BOUNDS_H
#define BOUNDS_H

#define BR_MAX_WORKERS		256	/* workers per pool */
#define BR_MAX_WORKER_CONNS	64	/* FastCGI connections per worker */
#define BR_SCOREBOARD_SLOTS	(2 * BR_MAX_WORKERS) /* old + new generation */
#define BR_MAX_BODY		(16 * 1024 * 1024) /* request body cap */
#define BR_MAX_FIELDS		256	/* form fields per request */
#define BR_MAX_FIELD_NAME	128	/* bytes in a form field name */
#define BR_MAX_FIELD_VALUE	(64 * 1024) /* bytes in a non-file value */
#define BR_MAX_COOKIES		32	/* cookies parsed per request */
#define BR_MAX_HEADER		8192	/* bytes in one header value */
#define BR_MAX_URI		4096	/* bytes in REQUEST_URI */
#define BR_MAX_LINK		4096	/* bytes of a link a page builds */
#define BR_MAX_JSON_DEPTH	16	/* nesting of a JSON body */
#define BR_MAX_JSON_BODY	(1024 * 1024) /* bytes of a JSON body */
#define BR_MAX_JSON_VALUES	20000	/* scalars and containers in one body */
#define BR_MAX_ROUTE_PARAMS	4	/* {params} in one route pattern */
#define BR_MAX_RESPONSE		(8 * 1024 * 1024) /* response body cap */
#define BR_MAX_RESP_HEADERS	32	/* extra response headers */
#define BR_ARENA_CAP		(32 * 1024 * 1024) /* per-request memory */
#define BR_MAX_PAGE_SIZE	200	/* rows per page in lists */
#define BR_MAX_PAGE_DEPTH	10000	/* rows skipped by a ?page= list */
#define BR_MAX_REQUEST_ID	64	/* bytes of a request id */
#define BR_MAX_STMTS		256	/* prepared statements per worker */
#define BR_MAX_TEMPLATES	64	/* templates loaded at start */
#define BR_MAX_TEMPLATE_SIZE	(256 * 1024) /* bytes of one template */
#define BR_MAX_PATH		1024	/* filesystem paths in config */
#define BR_TX_MAX_RETRIES	5	/* deadlock/lock-wait re-runs */
#define BR_TX_MAX_RETRIES_GALERA 16	/* with certification conflicts */
#define BR_MAX_ORDER_LINES	100	/* lines of a sales or purchase order */
#define BR_MAX_QTY		1000000000LL	/* units in one movement */
#define BR_MAX_LINE_QTY		1000000LL	/* units on one order line */
#define BR_MAX_CENTS		1000000000000LL	/* a price or cost */
#define BR_MAX_REORDER_ITEMS	500	/* suggestions made into POs at once */
#define BR_MAX_ROUTES		128	/* route table entries (metrics) */

#endif /* BOUNDS_H */
