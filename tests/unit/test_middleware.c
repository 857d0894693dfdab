/*
 * test_middleware.c -- the decisions of middleware.c that need no server:
 * the Origin / Sec-Fetch-Site check of unsafe requests (with and without a
 * configured site origin, and required on the sign-in form) and the flash
 * codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "middleware.h"

#define SITE	"https://shop.example:8443"
#define HOST	"shop.example:8443"

static int
check(const char *origin, const char *fetch, const char *host,
    const char *site, int required)
{
	return middleware_origin_check(origin, fetch, host, site, required);
}

static void
test_origin_from_host(void **state)
{
	(void)state;
	assert_true(check(SITE, NULL, HOST, "", 0));
	assert_true(check(SITE, "same-origin", HOST, NULL, 1));
	assert_false(check("https://evil.example", NULL, HOST, "", 0));
	/* http:// is another origin, as is another port. */
	assert_false(check("http://" HOST, NULL, HOST, "", 0));
	assert_false(check("https://shop.example:9443", NULL, HOST, "", 0));
	assert_false(check(SITE, NULL, NULL, "", 0));
	assert_false(check("null", NULL, HOST, "", 0));
}

static void
test_origin_from_config(void **state)
{
	(void)state;
	assert_true(check(SITE, NULL, HOST, SITE, 0));
	/* A forged Host no longer makes its own origin acceptable. */
	assert_false(check("https://evil.example", NULL, "evil.example",
	    SITE, 0));
	assert_false(check(SITE "/", NULL, HOST, SITE, 0));
	assert_false(check("https://SHOP.example:8443x", NULL, HOST, SITE, 0));
}

static void
test_fetch_site(void **state)
{
	(void)state;
	assert_true(check(NULL, "same-origin", HOST, SITE, 1));
	assert_true(check(NULL, "none", HOST, SITE, 1));
	assert_false(check(NULL, "cross-site", HOST, SITE, 0));
	assert_false(check(NULL, "same-site", HOST, SITE, 0));
	/* Sec-Fetch-Site refuses even with a good Origin. */
	assert_false(check(SITE, "cross-site", HOST, SITE, 0));
}

static void
test_required_on_sign_in(void **state)
{
	(void)state;
	/* Neither header: accepted where a CSRF token protects the form,
	 * refused on the sign-in form (login CSRF). */
	assert_true(check(NULL, NULL, HOST, SITE, 0));
	assert_false(check(NULL, NULL, HOST, SITE, 1));
	assert_false(check("", "", HOST, SITE, 1));
	assert_true(check(SITE, "", HOST, SITE, 1));
}

static void
test_flash_codes(void **state)
{
	(void)state;
	assert_non_null(middleware_flash_text("signed_out"));
	assert_non_null(middleware_flash_text("pwchange_signed_out"));
	assert_null(middleware_flash_text("<script>"));
	assert_null(middleware_flash_text(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_from_host),
		cmocka_unit_test(test_origin_from_config),
		cmocka_unit_test(test_fetch_site),
		cmocka_unit_test(test_required_on_sign_in),
		cmocka_unit_test(test_flash_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
