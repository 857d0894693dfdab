/*
 * test_config.c -- directive parsing: defaults, types, ranges, hard caps
 * from bounds.h, unknown names, and the line number in every error.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "config.h"

static void
test_defaults(void **state)
{
	struct config	c;

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.listen_mode, 0660);
	assert_int_equal(c.max_body_size, 8388608);
	assert_string_equal(c.db_name, "backroom");
}

static void
test_parse_ok(void **state)
{
	struct config	c;
	char		err[256];

	(void)state;
	assert_int_equal(config_parse("t", "[pool]\n# comment\n; also\n"
	    "workers = 8\nlisten_mode = 0600\nuser = \"www-data\"\n"
	    "log_level = debug\ndebug_routes = yes\n\n", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.listen_mode, 0600);
	assert_string_equal(c.user, "www-data");
	assert_int_equal(c.log_level, 3);
	assert_int_equal(c.debug_routes, 1);
	assert_int_equal(c.request_timeout, 30);	/* default kept */
}

static void
expect_error(const char *text, const char *want)
{
	struct config	c;
	char		err[256];

	config_defaults(&c);
	c.workers = 77;
	assert_int_equal(config_parse("f.conf", text, &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, want));
	assert_int_equal(c.workers, 77);	/* untouched on error */
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("workers = 0\n", "f.conf:1: not an integer in range");
	expect_error("\nworkers = 257\n", "f.conf:2:");
	expect_error("workers = 4x\n", "f.conf:1:");
	expect_error("workers = \n", "f.conf:1:");
	expect_error("nosuch = 1\n", "f.conf:1: unknown directive");
	expect_error("workers\n", "f.conf:1: expected name = value");
	expect_error("listen_mode = 0999\n", "octal");
	expect_error("debug_routes = maybe\n", "yes or no");
	expect_error("log_level = loud\n", "error, warn");
	expect_error("[pool\n", "section");
}

static void
test_caps_from_bounds(void **state)
{
	struct config	c;
	char		err[256], text[128];

	(void)state;
	snprintf(text, sizeof(text), "max_body_size = %d\n", BR_MAX_BODY);
	assert_int_equal(config_parse("t", text, &c, err, sizeof(err)), 0);
	snprintf(text, sizeof(text), "max_body_size = %d\n", BR_MAX_BODY + 1);
	assert_int_equal(config_parse("t", text, &c, err, sizeof(err)), -1);
	snprintf(text, sizeof(text), "workers = %d\n", BR_MAX_WORKERS + 1);
	assert_int_equal(config_parse("t", text, &c, err, sizeof(err)), -1);
}

static void
test_listen_kind(void **state)
{
	struct config	c;
	char		err[256];

	(void)state;
	assert_int_equal(config_parse("t", "listen = /run/x.sock\n", &c, err,
	    sizeof(err)), 0);
	assert_true(config_listen_is_unix(&c));
	assert_int_equal(config_parse("t", "listen = 127.0.0.1:9000\n", &c,
	    err, sizeof(err)), 0);
	assert_false(config_listen_is_unix(&c));
}

static struct sockaddr *
addr(struct sockaddr_storage *ss, const char *ip)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		ss->ss_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, ip,
		    &((struct sockaddr_in6 *)ss)->sin6_addr), 1);
	} else {
		ss->ss_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, ip,
		    &((struct sockaddr_in *)ss)->sin_addr), 1);
	}
	return (struct sockaddr *)ss;
}

static void
test_db_replicas(void **state)
{
	struct config	c;
	char		err[256];

	(void)state;
	assert_int_equal(config_parse("t", "db_replicas = 10.0.0.6:3306, "
	    "/run/mysqld/r.sock [fd00::7]:3307\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.db_replicas.n, 3);
	assert_string_equal(c.db_replicas.v[0].host, "10.0.0.6");
	assert_int_equal(c.db_replicas.v[0].port, 3306);
	assert_string_equal(c.db_replicas.v[0].name, "10.0.0.6:3306");
	assert_string_equal(c.db_replicas.v[1].host, "");
	assert_string_equal(c.db_replicas.v[1].socket, "/run/mysqld/r.sock");
	assert_string_equal(c.db_replicas.v[2].host, "fd00::7");
	assert_int_equal(c.db_replicas.v[2].port, 3307);
	assert_int_equal(c.replica_wait_ms, 500);
	assert_int_equal(c.replica_max_lag_ms, 5000);
	expect_error("db_replicas = 10.0.0.6\n", "host:port or a socket");
	expect_error("db_replicas = 10.0.0.6:0\n", "host:port or a socket");
	expect_error("db_replicas = :3306\n", "host:port or a socket");
	expect_error("db_replicas = a:1,b:2,c:3,d:4,e:5\n", "more than 4");
	/* What becomes a label value in /metrics: no quotes or escapes. */
	expect_error("db_replicas = \"x\\\"y:1\"\n", "letters, digits");
	expect_error("replica_wait_ms = 10001\n", "not an integer");
}

static void
test_fastcgi_allow(void **state)
{
	struct sockaddr_storage	ss;
	struct config		c;
	char			err[256];

	(void)state;
	assert_int_equal(config_parse("t", "listen = 10.0.0.2:9000\n"
	    "fastcgi_allow = 10.0.0.5, 10.1.0.0/16 192.168.7.128/25,"
	    "fd00::/8\n", &c, err, sizeof(err)), 0);
	assert_false(config_listen_is_local(&c));
	assert_int_equal(c.fastcgi_allow.n, 4);
	assert_true(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "10.0.0.5")));
	assert_false(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "10.0.0.6")));
	assert_true(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "10.1.255.3")));
	assert_false(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "10.2.0.1")));
	assert_true(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "192.168.7.200")));
	assert_false(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "192.168.7.127")));
	assert_true(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "fd12::1")));
	assert_false(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "fe80::1")));
	/* An IPv4 peer on a dual-stack socket. */
	assert_true(config_allow_match(&c.fastcgi_allow, addr(&ss,
	    "::ffff:10.0.0.5")));
	/* A non-loopback listen needs the list; loopback does not. */
	expect_error("listen = 10.0.0.2:9000\n", "needs fastcgi_allow");
	expect_error("listen = [2001:db8::1]:9000\n", "needs fastcgi_allow");
	assert_int_equal(config_parse("t", "listen = 127.0.0.1:9000\n", &c,
	    err, sizeof(err)), 0);
	assert_true(config_listen_is_local(&c));
	assert_int_equal(config_parse("t", "listen = [::1]:9000\n", &c, err,
	    sizeof(err)), 0);
	assert_true(config_listen_is_local(&c));
	expect_error("fastcgi_allow = 10.0.0.300\n", "not an address");
	expect_error("fastcgi_allow = 10.0.0.0/33\n", "not an address");
	expect_error("fastcgi_allow = host.example\n", "not an address");
	expect_error("host_name = web\"1\n", "host_name: use letters");
	assert_int_equal(config_parse("t", "host_name = app-2.dc1\n", &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.host_name, "app-2.dc1");
}

static void
test_site_origin(void **state)
{
	struct config	c;
	char		err[256];
	const char	*bad[] = { "http://a.example", "https://",
	    "https://a.example/", "https://a.example/x", "https://u@a.example",
	    "https://a .example", "a.example" };
	size_t		i;

	(void)state;
	assert_int_equal(config_parse("t",
	    "site_origin = https://a.example:8443\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.site_origin, "https://a.example:8443");
	assert_int_equal(config_parse("t", "site_origin =\n", &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.site_origin, "");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char	text[128];

		snprintf(text, sizeof(text), "site_origin = %s\n", bad[i]);
		assert_int_equal(config_parse("t", text, &c, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "not an origin"));
	}
}

static void
test_read_secret(void **state)
{
	char	path[] = "/tmp/br-secret-XXXXXX", buf[64];
	int	fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "s3cret\r\n", 8), 8);
	close(fd);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_read_secret(path, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "s3cret");
	/* Readable by the group or others: refused, nothing returned. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(config_read_secret(path, buf, sizeof(buf)), -1);
	assert_string_equal(buf, "");
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(config_read_secret(path, buf, sizeof(buf)), -1);
	/* Longer than the buffer: cut, still terminated. */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_read_secret(path, buf, 4), 3);
	assert_string_equal(buf, "s3c");
	unlink(path);
	assert_int_equal(config_read_secret(path, buf, sizeof(buf)), -1);
}

static void
test_missing_file(void **state)
{
	struct config	c;
	char		err[256];

	(void)state;
	assert_int_equal(config_load("/nonexistent/b.conf", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/b.conf"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_caps_from_bounds),
		cmocka_unit_test(test_listen_kind),
		cmocka_unit_test(test_site_origin),
		cmocka_unit_test(test_fastcgi_allow),
		cmocka_unit_test(test_db_replicas),
		cmocka_unit_test(test_read_secret),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
