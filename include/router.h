/*
 * router.h -- table-driven routing: method mask + path pattern.
 *
 * Patterns are literal segments and {name} segments; {name} matches one
 * non-empty segment.  HEAD is served by a GET route.  The route tables live
 * in app/handlers/routes.c.
 */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

struct request;
struct response;

enum route_flags {
	R_API = 1,		/* JSON errors */
	R_LOOPBACK = 2,		/* only from 127.0.0.0/8 and ::1 */
	R_PUBLIC = 4,		/* no login needed */
	R_PWCHANGE = 8,		/* open while a password change is due */
	R_REPLICA = 16		/* a GET that may read on a replica */
};

/*
 * What a handler shared by several routes is asked to do: the route
 * table's last column, read from r->route->action, so that no handler
 * re-parses the path.  A resource bit, and for order documents a verb.
 */
enum route_action {
	ACT_NONE = 0,
	ACT_SALES = 0x10,		/* sales orders */
	ACT_PURCHASE = 0x20,		/* purchase orders */
	ACT_SUPPLIERS = 0x40,
	ACT_WAREHOUSES = 0x80,
	ACT_RESOURCE = 0xf0,		/* mask */
	ACT_CONFIRM = 1,		/* verbs of order documents */
	ACT_SHIP = 2,
	ACT_CANCEL = 3,
	ACT_ORDER = 4,
	ACT_RECEIVE = 5,
	ACT_VERB = 0x0f			/* mask */
};

struct route {
	int		 methods;
	const char	*pattern;
	void		(*handler)(struct request *, struct response *);
	const char	*perm;		/* permission name; "" for public */
	int		 flags;
	int		 action;	/* enum route_action bits */
};

extern const struct route	routes[];
extern const size_t		nroutes;

/*
 * Finds the route for method and path in tbl.  On a match returns it and
 * stores the {params} in r (names and values in r's arena).  NULL when
 * nothing matches; *allow then holds the methods of the routes whose
 * pattern matched (0: 404, else 405 with this Allow), or ROUTER_ENOMEM
 * when the arena ran out (a 500, not a 404).
 */
#define ROUTER_ENOMEM	(-1)
const struct route *router_match(const struct route *tbl, size_t n,
		    struct request *r, int *allow);
/* Writes "GET, HEAD, POST" for a method mask into buf. */
void	router_allow_string(int methods, char *buf, size_t len);
/* Handles one request end to end: routing, checks, handler, errors. */
void	router_dispatch(struct request *, struct response *);

#endif /* ROUTER_H */
