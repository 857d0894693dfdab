/*
 * test_router.c -- router_match: literals, {params}, 404 vs 405 with the
 * Allow set, HEAD served by GET; and the route table's own rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "authz.h"
#include "bounds.h"
#include "request.h"
#include "router.h"

static void h_dummy(struct request *r, struct response *s)
{
	(void)r;
	(void)s;
}

static const struct route tbl[] = {
	{ M_GET, "/items", h_dummy, "items.read", 0, ACT_NONE },
	{ M_POST, "/items", h_dummy, "items.write", 0, ACT_NONE },
	{ M_GET, "/items/{id}", h_dummy, "items.read", 0, ACT_NONE },
	{ M_POST, "/items/{id}/lines/{line}", h_dummy, "items.write", 0,
	    ACT_NONE },
	{ M_GET | M_DELETE, "/a/b", h_dummy, "x", 0, ACT_NONE },
};
#define NTBL	(sizeof(tbl) / sizeof(tbl[0]))

static struct arena *A;

static const struct route *
match(int method, const char *path, struct request *r, int *allow)
{
	memset(r, 0, sizeof(*r));
	r->arena = A;
	r->method = method;
	r->path = path;
	return router_match(tbl, NTBL, r, allow);
}

static void
test_literal_and_params(void **state)
{
	struct request		 r;
	const struct route	*rt;
	int			 allow;

	(void)state;
	rt = match(M_GET, "/items", &r, &allow);
	assert_ptr_equal(rt, &tbl[0]);
	rt = match(M_POST, "/items", &r, &allow);
	assert_ptr_equal(rt, &tbl[1]);
	rt = match(M_GET, "/items/42", &r, &allow);
	assert_ptr_equal(rt, &tbl[2]);
	assert_string_equal(request_param(&r, "id"), "42");
	assert_int_equal(request_param_id(&r, "id"), 42);
	rt = match(M_POST, "/items/7/lines/3", &r, &allow);
	assert_ptr_equal(rt, &tbl[3]);
	assert_string_equal(request_param(&r, "id"), "7");
	assert_string_equal(request_param(&r, "line"), "3");
	assert_null(request_param(&r, "nope"));
}

/* An arena that cannot hold the {params} is a 500 (ROUTER_ENOMEM), not a
 * 404: make faults found it answering "No such page." */
static void
test_out_of_memory_is_not_404(void **state)
{
	struct request	 r;
	struct arena	*small;
	int		 allow;

	(void)state;
	assert_non_null(small = arena_create(16));
	assert_non_null(arena_alloc(small, 16));
	memset(&r, 0, sizeof(r));
	r.arena = small;
	r.method = M_GET;
	r.path = "/items/42";
	assert_null(router_match(tbl, NTBL, &r, &allow));
	assert_int_equal(allow, ROUTER_ENOMEM);
	arena_destroy(small);
}

static void
test_not_found(void **state)
{
	struct request	r;
	int		allow;

	(void)state;
	assert_null(match(M_GET, "/itemsx", &r, &allow));
	assert_int_equal(allow, 0);
	assert_null(match(M_GET, "/items/", &r, &allow));
	assert_int_equal(allow, 0);
	assert_null(match(M_GET, "/items/1/2", &r, &allow));
	assert_int_equal(allow, 0);
	assert_null(match(M_GET, "/", &r, &allow));
	assert_null(match(M_GET, "", &r, &allow));
	assert_null(match(M_GET, "items", &r, &allow));
}

static void
test_method_not_allowed(void **state)
{
	struct request	r;
	char		buf[64];
	int		allow;

	(void)state;
	assert_null(match(M_DELETE, "/items", &r, &allow));
	assert_int_equal(allow, M_GET | M_POST | M_HEAD);
	router_allow_string(allow, buf, sizeof(buf));
	assert_string_equal(buf, "GET, HEAD, POST");
	assert_null(match(M_PUT, "/items/5", &r, &allow));
	assert_int_equal(allow, M_GET | M_HEAD);
}

static void
test_head_uses_get(void **state)
{
	struct request	r;
	int		allow;

	(void)state;
	assert_ptr_equal(match(M_HEAD, "/a/b", &r, &allow), &tbl[4]);
	assert_null(match(M_HEAD, "/items/1/lines/2", &r, &allow));
	assert_int_equal(allow, M_POST);
}

static void
test_bad_ids(void **state)
{
	struct request	r;
	int		allow;

	(void)state;
	match(M_GET, "/items/abc", &r, &allow);
	assert_int_equal(request_param_id(&r, "id"), -1);
	match(M_GET, "/items/-1", &r, &allow);
	assert_int_equal(request_param_id(&r, "id"), -1);
	match(M_GET, "/items/0", &r, &allow);
	assert_int_equal(request_param_id(&r, "id"), -1);
	match(M_GET, "/items/99999999999999999999", &r, &allow);
	assert_int_equal(request_param_id(&r, "id"), -1);
}

/* Every route of the real table declares a permission or is public. */
static void
test_table_declares_permissions(void **state)
{
	size_t	i;

	(void)state;
	/* /metrics keeps a counter row per route. */
	assert_true(nroutes <= BR_MAX_ROUTES);
	for (i = 0; i < nroutes; i++) {
		assert_non_null(routes[i].perm);
		if (routes[i].perm[0] == '\0')
			assert_true(routes[i].flags & R_PUBLIC);
		else {
			/* A permission of the matrix, and not public too. */
			if (!authz_perm_known(routes[i].perm))
				fail_msg("route %s names unknown permission %s",
				    routes[i].pattern, routes[i].perm);
			assert_false(routes[i].flags & R_PUBLIC);
		}
		/* Public routes that change state are only the sign-in form
		 * and loopback-only debugging. */
		if ((routes[i].flags & R_PUBLIC) &&
		    (routes[i].methods & ~(M_GET | M_HEAD)))
			assert_true(strcmp(routes[i].pattern, "/login") == 0 ||
			    (routes[i].flags & R_LOOPBACK));
		/* API routes live under /api/ (JSON errors, no CSRF). */
		if (routes[i].flags & R_API)
			assert_true(
			    strncmp(routes[i].pattern, "/api/", 5) == 0);
		assert_true(routes[i].pattern[0] == '/');
		assert_non_null(routes[i].handler);
	}
}

static int
setup(void **state)
{
	(void)state;
	A = arena_create(1 << 20);
	return A == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	arena_destroy(A);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_params),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_out_of_memory_is_not_404),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_head_uses_get),
		cmocka_unit_test(test_bad_ids),
		cmocka_unit_test(test_table_declares_permissions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
