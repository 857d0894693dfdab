/*
 * test_session.c -- the decisions of session.c that need no database: a
 * malformed cookie is no session (and never reaches MariaDB: no connection
 * exists in this test, so a query would fail), and how often last_seen_at
 * is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "request.h"
#include "session.h"

static void
test_malformed_cookie_is_no_session(void **state)
{
	struct arena		*a = arena_create(1 << 16);
	struct config		 c;
	struct principal	 p;
	const char		*bad[] = { NULL, "", "abc",
	    /* 63 and 65 hex digits, upper case, a non-hex byte */
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
	    "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
	    "' OR 1=1 -- 0123456789abcdef0123456789abcdef0123456789abcdef012" };
	size_t			 i;

	(void)state;
	assert_non_null(a);
	config_defaults(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.via = AUTH_SESSION;
		assert_int_equal(session_lookup(a, &c, bad[i], &p), DB_OK);
		assert_int_equal(p.via, AUTH_NONE);
		assert_int_equal(p.user_id, 0);
	}
	arena_destroy(a);
}

static void
test_touch_interval(void **state)
{
	struct config	c;

	(void)state;
	config_defaults(&c);
	c.session_idle_timeout = 1800;		/* every 60 s (capped) */
	assert_false(session_touch_due(&c, 0));
	assert_false(session_touch_due(&c, 59));
	assert_true(session_touch_due(&c, 60));
	c.session_idle_timeout = 100;		/* every 10 s */
	assert_false(session_touch_due(&c, 9));
	assert_true(session_touch_due(&c, 10));
	c.session_idle_timeout = 5;		/* every request */
	assert_true(session_touch_due(&c, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_cookie_is_no_session),
		cmocka_unit_test(test_touch_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
