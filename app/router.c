/*
 * router.c -- method + pattern matching over a static table, and the
 * fixed-order request pipeline (request id, routing, 404/405, operations
 * access, handler).  Matching walks the table; with a few dozen routes a
 * linear scan of pre-split literals is cheaper than building a trie.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "middleware.h"
#include "request.h"
#include "response.h"
#include "router.h"

/*
 * Matches path against pattern, segment by segment.  Returns 1 and fills
 * names/values (up to BR_MAX_ROUTE_PARAMS) on a match, 0 on none, -1 when
 * the arena is out of memory.
 */
static int
route_match_path(struct arena *a, const char *pat, const char *path,
    const char **names, const char **values, size_t *nparams)
{
	const char	*pe, *se;
	size_t		 np = 0;

	for (;;) {
		if (*pat != '/' || *path != '/')
			return 0;
		pat++;
		path++;
		pe = strchr(pat, '/');
		se = strchr(path, '/');
		if (pe == NULL)
			pe = pat + strlen(pat);
		if (se == NULL)
			se = path + strlen(path);
		if (*pat == '{') {
			if (se == path || np >= BR_MAX_ROUTE_PARAMS)
				return 0;
			names[np] = arena_strndup(a, pat + 1,
			    (size_t)(pe - pat - 2));
			values[np] = arena_strndup(a, path,
			    (size_t)(se - path));
			if (names[np] == NULL || values[np] == NULL)
				return -1;
			np++;
		} else if (pe - pat != se - path ||
		    memcmp(pat, path, (size_t)(pe - pat)) != 0)
			return 0;
		pat = pe;
		path = se;
		if (*pat == '\0' && *path == '\0') {
			*nparams = np;
			return 1;
		}
	}
}

const struct route *
router_match(const struct route *tbl, size_t n, struct request *r,
    int *allow)
{
	const char	*names[BR_MAX_ROUTE_PARAMS],
	    *values[BR_MAX_ROUTE_PARAMS];
	size_t		 i, np, k;
	int		 m = r->method == M_HEAD ? M_GET : r->method, rv;

	*allow = 0;
	for (i = 0; i < n; i++) {
		if ((rv = route_match_path(r->arena, tbl[i].pattern, r->path,
		    names, values, &np)) == -1) {
			*allow = ROUTER_ENOMEM;
			return NULL;
		}
		if (rv == 0)
			continue;
		if ((tbl[i].methods & m) == 0) {
			*allow |= tbl[i].methods;
			continue;
		}
		for (k = 0; k < np; k++) {
			r->param_names[k] = names[k];
			r->param_values[k] = values[k];
		}
		r->nparams = np;
		r->route = &tbl[i];
		return &tbl[i];
	}
	if (*allow & M_GET)
		*allow |= M_HEAD;
	return NULL;
}

void
router_allow_string(int methods, char *out, size_t len)
{
	static const int order[] = { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH,
	    M_DELETE, M_OPTIONS };
	size_t	i, n = 0;
	int	w;

	out[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if ((methods & order[i]) == 0)
			continue;
		w = snprintf(out + n, len - n, "%s%s", n ? ", " : "",
		    request_method_name(order[i]));
		if (w < 0 || (size_t)w >= len - n)
			return;
		n += (size_t)w;
	}
}

void
router_dispatch(struct request *r, struct response *resp)
{
	const struct route	*rt;
	char			 allow[64];
	int			 methods;

	if (r->request_id[0] != '\0')
		response_header(resp, "X-Request-Id", r->request_id);
	if ((rt = router_match(routes, nroutes, r, &methods)) == NULL) {
		if (methods == ROUTER_ENOMEM) {
			response_error(resp, r, 500, "Internal error.");
			return;
		}
		if (methods == 0) {
			response_error(resp, r, 404, "No such page.");
			return;
		}
		router_allow_string(methods, allow, sizeof(allow));
		response_header(resp, "Allow", allow);
		response_error(resp, r, 405,
		    "This method is not allowed here.");
		return;
	}
	if ((rt->flags & R_LOOPBACK) && !request_is_loopback(r)) {
		response_error(resp, r, 403,
		    "Only reachable from the local machine.");
		return;
	}
	if (middleware_run(rt, r, resp) == -1)
		return;
	if ((rt->flags & R_REPLICA) && (r->method & (M_GET | M_HEAD)))
		(void)db_replica_begin(r->auth.gtid);
	rt->handler(r, resp);
	middleware_after(r);
}
