/*
 * fuzz_router.c -- router_match() over the real route table
 * (app/handlers/routes.c) with any method and any path, and the Allow
 * header a 405 would carry.  DOCUMENT_URI reaches the router as a C
 * string, so the path is cut at its first NUL.
 *
 * The first input byte picks the method (one of the eight bits of enum
 * http_method); the rest is the path.  Invariants: a match serves the
 * method (HEAD through GET), has at most BR_MAX_ROUTE_PARAMS parameters,
 * each a non-empty segment without '/'; no match leaves no route.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "fuzz.h"
#include "request.h"
#include "router.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	struct request		 r;
	const struct route	*rt;
	char			 allow[64];
	size_t			 i;
	int			 methods, m;

	if (len < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.method = 1 << (data[0] & 7);
	r.path = fuzz_cstr(a, data + 1, len - 1);
	rt = router_match(routes, nroutes, &r, &methods);
	if (rt != NULL) {
		m = r.method == M_HEAD ? M_GET : r.method;
		if ((rt->methods & m) == 0 || r.route != rt)
			fuzz_fail("a route that does not serve the method");
		if (r.nparams > BR_MAX_ROUTE_PARAMS)
			fuzz_fail("too many route parameters");
		for (i = 0; i < r.nparams; i++)
			if (r.param_values[i][0] == '\0' ||
			    strchr(r.param_values[i], '/') != NULL)
				fuzz_fail("a parameter that is not a segment");
		(void)request_param_id(&r, "id");
	} else if (r.route != NULL || r.nparams != 0)
		fuzz_fail("no match but a route");
	router_allow_string(methods, allow, sizeof(allow));
	arena_reset(a);
	return 0;
}
