/*
 * test_password.c -- unit tests for app/password.c: argon2id round trip
 * and encoded form, rehash detection, refusal of malformed or too costly
 * stored hashes, the dummy verify's cost, and the policy (length in code
 * points, UTF-8 validity, the common list and its loader).
 *
 * Runs from the repository root (make unit), where the shipped list is
 * app/data/common-passwords.txt.  Each full-cost hash takes ~50 ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <argon2.h>

#include "password.h"

#define LIST_PATH	"app/data/common-passwords.txt"
#define PREFIX		"$argon2id$v=19$m=19456,t=2,p=1$"
#define GOOD_PW		"violet-Harbor-42"
#define TEMP_SIZE	64

static void
load_shipped_list(void)
{
	assert_int_equal(password_policy_load(LIST_PATH), 0);
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
test_hash_verify_round_trip(void **state)
{
	char	a[PASSWORD_ENCODED_MAX], b[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(password_hash(GOOD_PW, a, sizeof(a)), 0);
	assert_true(strncmp(a, PREFIX, strlen(PREFIX)) == 0);
	assert_int_equal(password_verify(a, GOOD_PW), 1);
	assert_int_equal(password_verify(a, "violet-Harbor-43"), 0);
	assert_int_equal(password_verify(a, ""), 0);
	assert_int_equal(password_needs_rehash(a), 0);
	/* A fresh salt each time. */
	assert_int_equal(password_hash(GOOD_PW, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	/* Too small an output buffer is an error, not a truncation. */
	assert_int_equal(password_hash(GOOD_PW, b, 40), -1);
	assert_string_equal(b, "");
}

static void
test_hash_refuses_overlong(void **state)
{
	char	pw[PASSWORD_MAX_BYTES + 2], out[PASSWORD_ENCODED_MAX];

	(void)state;
	memset(pw, 'a', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	assert_int_equal(password_hash(pw, out, sizeof(out)), -1);
}

/* Hashes made with other parameters are noticed and still verify. */
static void
test_needs_rehash(void **state)
{
	static const unsigned char	salt[16] = "0123456789abcdef";
	char				enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_int_equal(argon2id_hash_encoded(2, 4096, 1, GOOD_PW,
	    strlen(GOOD_PW), salt, sizeof(salt), 32, enc, sizeof(enc)),
	    ARGON2_OK);
	assert_int_equal(password_needs_rehash(enc), 1);
	assert_int_equal(password_verify(enc, GOOD_PW), 1);
	assert_int_equal(password_verify(enc, "wrong"), 0);

	assert_int_equal(argon2id_hash_encoded(3, 4096, 1, GOOD_PW,
	    strlen(GOOD_PW), salt, 8, 32, enc, sizeof(enc)), ARGON2_OK);
	assert_int_equal(password_needs_rehash(enc), 1);

	/* argon2i: a rehash, and not something verify accepts. */
	assert_int_equal(argon2i_hash_encoded(2, 4096, 1, GOOD_PW,
	    strlen(GOOD_PW), salt, sizeof(salt), 32, enc, sizeof(enc)),
	    ARGON2_OK);
	assert_int_equal(password_needs_rehash(enc), 1);
	assert_int_equal(password_verify(enc, GOOD_PW), -1);

	/* Current parameters but a shorter hash or salt. */
	assert_int_equal(password_needs_rehash(PREFIX
	    "MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg"), 1);
	assert_int_equal(password_needs_rehash(PREFIX
	    "MDEyMzQ1Njc$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"), 1);
	assert_int_equal(password_needs_rehash(PREFIX
	    "MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"), 0);
	/* No version field: argon2 1.0. */
	assert_int_equal(password_needs_rehash("$argon2id$m=19456,t=2,p=1"
	    "$MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"), 1);
}

static void
test_malformed_and_costly(void **state)
{
	static const char *const bad[] = {
		"",
		"plain",
		"$argon2id$",
		"$argon2id$v=19$m=19456,t=2$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=19456,t=2,p=1$$aGFzaA",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFz aA",
		"$argon2id$v=19$m=-1,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
		"$argon2id$v=19$m=99999999999,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
		"$2y$10$abcdefghijklmnopqrstuv",
	};
	size_t	i;
	double	t0;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(password_verify(bad[i], GOOD_PW), -1);
		assert_int_equal(password_needs_rehash(bad[i]), -1);
	}
	/* Well-formed to the parser, but libargon2 refuses to decode. */
	assert_int_equal(password_verify(PREFIX "c$d", GOOD_PW), -1);
	assert_int_equal(password_verify("$argon2id$v=19$m=1,t=2,p=1"
	    "$MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", GOOD_PW), -1);
	/* 4 GiB, 1000 passes, 64 lanes: refused before any work. */
	t0 = now_ms();
	assert_int_equal(password_verify("$argon2id$v=19$m=4194304,t=2,p=1"
	    "$MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", GOOD_PW), -1);
	assert_int_equal(password_verify("$argon2id$v=19$m=19456,t=1000,p=1"
	    "$MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", GOOD_PW), -1);
	assert_int_equal(password_verify("$argon2id$v=19$m=19456,t=2,p=64"
	    "$MDEyMzQ1Njc4OWFiY2RlZg"
	    "$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY", GOOD_PW), -1);
	assert_true(now_ms() - t0 < 1000);
}

/* The dummy never matches and costs about what a real verify costs. */
static void
test_dummy_verify(void **state)
{
	char	enc[PASSWORD_ENCODED_MAX];
	double	t0, real, dummy;

	(void)state;
	assert_int_equal(password_hash(GOOD_PW, enc, sizeof(enc)), 0);
	t0 = now_ms();
	assert_int_equal(password_verify(enc, "not-the-password"), 0);
	real = now_ms() - t0;
	t0 = now_ms();
	assert_int_equal(password_dummy_verify("not-the-password"), 0);
	dummy = now_ms() - t0;
	assert_int_equal(password_dummy_verify(""), 0);
	if (dummy < real / 4)
		fail_msg("dummy verify %.1f ms, real %.1f ms", dummy, real);
}

static void
assert_rejected(const char *pw, const char *reason_word)
{
	const char	*why = NULL;

	if (password_check_policy(pw, &why) != -1)
		fail_msg("accepted: %s", pw);
	assert_non_null(why);
	if (strstr(why, reason_word) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", pw, why,
		    reason_word);
}

static void
assert_accepted(const char *pw)
{
	const char	*why = "unset";

	if (password_check_policy(pw, &why) != 0)
		fail_msg("rejected (%s): %s", why, pw);
	assert_null(why);
}

/* s repeated n times into a static buffer. */
static const char *
repeat(const char *s, size_t n)
{
	static char	out[1024];
	size_t		len = strlen(s), i;

	assert_true(len * n < sizeof(out));
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

static void
test_policy_length(void **state)
{
	(void)state;
	load_shipped_list();
	assert_accepted(GOOD_PW);
	assert_accepted("kx7-mauve-q2");			/* 12 */
	assert_rejected("kx7-mauve-q", "at least 12");		/* 11 */
	assert_rejected("", "at least 12");
	assert_accepted(repeat("k", 128));
	assert_rejected(repeat("k", 129), "at most 128");
	/* Code points, not bytes: 12 two-byte letters pass, 11 do not. */
	assert_accepted("\xc3\xb1\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba"
	    "\xc3\xbc\xc3\xa7\xc3\x9f\xc3\xb8\xc3\xa5\xc3\xa6");
	assert_rejected("\xc3\xb1\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba"
	    "\xc3\xbc\xc3\xa7\xc3\x9f\xc3\xb8\xc3\xa5", "at least 12");
	assert_accepted(repeat("\xf0\x9f\x94\x91", 128));	/* 512 bytes */
	assert_rejected(repeat("\xf0\x9f\x94\x91", 129), "at most 128");
	assert_accepted(repeat("\xe2\x82\xac", 128));
	assert_rejected(repeat("\xe2\x82\xac", 129), "at most 128");
	assert_accepted("correct horse battery");	/* spaces are fine */
	assert_int_equal(password_check_policy("kx7-mauve-q", NULL), -1);
}

static void
test_policy_utf8_and_controls(void **state)
{
	static const char *const bad[] = {
		"abcdefghijk\xc3\x28",		/* bad continuation */
		"abcdefghijk\xc0\xaf",		/* overlong '/' */
		"abcdefghijk\xe0\x80\xaf",	/* overlong, 3 bytes */
		"abcdefghijk\xf0\x80\x80\xaf",	/* overlong, 4 bytes */
		"abcdefghijk\xed\xa0\x80",	/* surrogate D800 */
		"abcdefghijk\xf4\x90\x80\x80",	/* U+110000 */
		"abcdefghijk\xf5\x80\x80\x80",
		"abcdefghijk\xe2\x82",		/* truncated */
		"\x80" "abcdefghijkl",		/* stray continuation */
		"abcdefghijkl\xff",
	};
	size_t	i;

	(void)state;
	load_shipped_list();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_rejected(bad[i], "UTF-8");
	assert_rejected("correct\thorse-battery", "control");
	assert_rejected("correct-horse-battery\n", "control");
	assert_rejected("correct\x7fhorse-battery", "control");
	assert_accepted("abcdefghijk\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	assert_accepted("abcdefghijk\xed\x9f\xbf");	/* U+D7FF */
}

static void
test_policy_common(void **state)
{
	static const char *const common[] = {
		"password1234", "PassWord1234", "123456789012",
		"qwertyuiop123", "QWERTYUIOP123", "iloveyou1234",
		"passwordpassword", "111111111111", "1q2w3e4r5t6y",
		"administrator", "letmein12345", "welcome12345",
	};
	size_t	i;

	(void)state;
	load_shipped_list();
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		assert_rejected(common[i], "too common");
}

/* Writes text to a temporary file; the caller unlinks path. */
static void
write_temp(char *path, const char *text, size_t len)
{
	FILE	*fp;
	int	 fd;

	assert_int_equal(snprintf(path, TEMP_SIZE, "%s",
	    "/tmp/test_password.XXXXXX"), 25);
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(fp = fdopen(fd, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
test_policy_loader(void **state)
{
	static const char	list[] = "# comment line\r\n"
	    "Zebra-Crossing-12\r\n\n\nzebra-crossing-12\n"
	    "apple-banana-12\napple-banana-12\n#skipped-entry-1\n"
	    "last-line-nl12";
	char			path[TEMP_SIZE];

	(void)state;
	write_temp(path, list, sizeof(list) - 1);
	assert_int_equal(password_policy_load(path), 0);
	unlink(path);
	assert_rejected("zebra-crossing-12", "too common");
	assert_rejected("ZEBRA-CROSSING-12", "too common");
	assert_rejected("apple-banana-12", "too common");
	assert_rejected("last-line-nl12", "too common");
	assert_accepted("#skipped-entry-1");
	assert_accepted("# comment line");
	assert_accepted("password1234");	/* the old list is gone */

	/* Failures keep the list that was loaded. */
	assert_int_equal(password_policy_load("/nonexistent/list.txt"), -1);
	write_temp(path, "", 0);
	assert_int_equal(password_policy_load(path), -1);
	unlink(path);
	write_temp(path, "# only a comment\n\n", 18);
	assert_int_equal(password_policy_load(path), -1);
	unlink(path);
	write_temp(path, "abc\0def\n", 8);
	assert_int_equal(password_policy_load(path), -1);
	unlink(path);
	assert_rejected("zebra-crossing-12", "too common");

	/* No list at all: fail closed. */
	password_policy_unload();
	assert_rejected(GOOD_PW, "cannot be checked");
	load_shipped_list();
	assert_accepted(GOOD_PW);
}

static int
teardown(void **state)
{
	(void)state;
	password_policy_unload();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_verify_round_trip),
		cmocka_unit_test(test_hash_refuses_overlong),
		cmocka_unit_test(test_needs_rehash),
		cmocka_unit_test(test_malformed_and_costly),
		cmocka_unit_test(test_dummy_verify),
		cmocka_unit_test(test_policy_length),
		cmocka_unit_test(test_policy_utf8_and_controls),
		cmocka_unit_test(test_policy_common),
		cmocka_unit_test(test_policy_loader),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
