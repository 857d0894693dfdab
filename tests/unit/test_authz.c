/*
 * test_authz.c -- unit tests for app/authz.c: the whole permission matrix,
 * every role against every permission, checked against a table written
 * out here from issue 3 (not derived from the code under test), plus role
 * names and unknown permissions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"

/* Columns: viewer, clerk, manager, admin. */
static const struct {
	const char	*perm;
	int		 allowed[AUTHZ_NROLES];
} expect[] = {
	{ "read",		{ 1, 1, 1, 1 } },
	{ "stock.move",		{ 0, 1, 1, 1 } },
	{ "orders.draft",	{ 0, 1, 1, 1 } },
	{ "products.manage",	{ 0, 0, 1, 1 } },
	{ "suppliers.manage",	{ 0, 0, 1, 1 } },
	{ "warehouses.manage",	{ 0, 0, 1, 1 } },
	{ "orders.manage",	{ 0, 0, 1, 1 } },
	{ "purchasing.manage",	{ 0, 0, 1, 1 } },
	{ "users.manage",	{ 0, 0, 0, 1 } },
	{ "tokens.manage",	{ 0, 0, 0, 1 } },
	{ "webhooks.manage",	{ 0, 0, 0, 1 } },
	{ "audit.read",		{ 0, 0, 0, 1 } },
	{ "analytics.read",	{ 0, 0, 0, 1 } },
};
#define NEXPECT	(sizeof(expect) / sizeof(expect[0]))

static const enum authz_role roles[AUTHZ_NROLES] = {
	AUTHZ_VIEWER, AUTHZ_CLERK, AUTHZ_MANAGER, AUTHZ_ADMIN,
};

static void
test_full_matrix(void **state)
{
	size_t	i, r;

	(void)state;
	for (i = 0; i < NEXPECT; i++) {
		assert_true(authz_perm_known(expect[i].perm));
		for (r = 0; r < AUTHZ_NROLES; r++) {
			if (authz_allowed(roles[r], expect[i].perm) !=
			    expect[i].allowed[r])
				fail_msg("%s / %s: expected %d",
				    authz_role_name(roles[r]), expect[i].perm,
				    expect[i].allowed[r]);
		}
	}
}

/* The code's table holds exactly the expected permissions, no more. */
static void
test_table_matches_expectation(void **state)
{
	const char	*name;
	size_t		 i, j, found;

	(void)state;
	for (i = 0; (name = authz_perm_name(i)) != NULL; i++) {
		for (j = 0, found = 0; j < NEXPECT; j++)
			found += strcmp(expect[j].perm, name) == 0;
		if (found != 1)
			fail_msg("permission %s is not in the expected matrix",
			    name);
	}
	assert_int_equal(i, NEXPECT);
}

static void
test_roles(void **state)
{
	static const char *const names[AUTHZ_NROLES] = {
		"viewer", "clerk", "manager", "admin",
	};
	size_t	r;

	(void)state;
	for (r = 0; r < AUTHZ_NROLES; r++) {
		assert_string_equal(authz_role_name(roles[r]), names[r]);
		assert_int_equal(authz_role_from_name(names[r]), roles[r]);
	}
	assert_int_equal(authz_role_from_name("Admin"), -1);
	assert_int_equal(authz_role_from_name("admin "), -1);
	assert_int_equal(authz_role_from_name(""), -1);
	assert_int_equal(authz_role_from_name("root"), -1);
	assert_int_equal(authz_role_from_name(NULL), -1);
}

/* An unknown permission is denied to everyone, admins included. */
static void
test_unknown_permission(void **state)
{
	static const char *const bad[] = {
		"", "READ", "read ", "stock", "stock.move.all", "*",
		"users.manage\n", "admin",
	};
	size_t	i, r;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(authz_perm_known(bad[i]));
		for (r = 0; r < AUTHZ_NROLES; r++)
			assert_int_equal(authz_allowed(roles[r], bad[i]), 0);
	}
	assert_false(authz_perm_known(NULL));
	assert_int_equal(authz_allowed(AUTHZ_ADMIN, NULL), 0);
	assert_null(authz_perm_name(NEXPECT));
	assert_null(authz_perm_name((size_t)-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_matrix),
		cmocka_unit_test(test_table_matches_expectation),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_unknown_permission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
