/*
 * test_accounts.c -- what the accounts modules decide without a database:
 * the address prefix the sign-in throttles count by, and email
 * normalization.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "accounts.h"
#include "arena.h"

static const char *
prefix(const char *addr)
{
	static char	buf[ACCOUNTS_ADDR_PREFIX_MAX];

	return accounts_addr_prefix(addr, buf, sizeof(buf));
}

static void
test_addr_prefix(void **state)
{
	(void)state;
	assert_string_equal(prefix("192.0.2.7"), "192.0.2.7");
	/* An IPv6 address counts by its /64: rotating inside it is one. */
	assert_string_equal(prefix("2001:db8:1:2:3:4:5:6"),
	    "2001:db8:1:2::/64");
	assert_string_equal(prefix("2001:db8:1:2:ffff::1"),
	    "2001:db8:1:2::/64");
	assert_string_equal(prefix("2001:DB8:0:0:1::1"), "2001:db8::/64");
	assert_string_equal(prefix("::1"), "::/64");
	/* IPv4-mapped addresses are the IPv4 address. */
	assert_string_equal(prefix("::ffff:198.51.100.9"), "198.51.100.9");
	/* Anything else as given (a unix socket peer has no address). */
	assert_string_equal(prefix(""), "");
	assert_string_equal(prefix("not-an-address"), "not-an-address");
	assert_string_equal(prefix(NULL), "");
}

static void
test_normalize_email(void **state)
{
	struct arena	*a = arena_create(65536);

	(void)state;
	assert_non_null(a);
	assert_string_equal(accounts_normalize_email(a, "  Kit@Example.COM "),
	    "kit@example.com");
	assert_null(accounts_normalize_email(a, "no-at-sign"));
	assert_null(accounts_normalize_email(a, "a@b@c"));
	assert_null(accounts_normalize_email(a, "a b@c.d"));
	assert_null(accounts_normalize_email(a, "@c.d"));
	assert_null(accounts_normalize_email(a, NULL));
	/* Bytes beyond ASCII are kept as typed: compared byte for byte. */
	assert_string_equal(accounts_normalize_email(a, "adm\xc3\x8dn@x.org"),
	    "adm\xc3\x8dn@x.org");
	arena_destroy(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_prefix),
		cmocka_unit_test(test_normalize_email),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
