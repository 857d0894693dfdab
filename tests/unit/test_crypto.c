/*
 * test_crypto.c -- unit tests for app/crypto.c: random tokens have the
 * right length and alphabet and do not repeat; SHA-256 and HMAC-SHA256
 * match published test vectors (FIPS 180-2, RFC 4231).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"

#define NTOKENS	100

static void
assert_lower_hex(const char *s, size_t len)
{
	size_t	i;

	assert_int_equal(strlen(s), len);
	for (i = 0; i < len; i++)
		assert_true((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f'));
}

static void
test_random_length_and_hex(void **state)
{
	char	hex[2 * CRYPTO_MAX_BYTES + 1];

	(void)state;
	assert_int_equal(crypto_random_hex(hex, CRYPTO_SECRET_BYTES), 0);
	assert_lower_hex(hex, CRYPTO_SECRET_HEX_LEN);
	assert_int_equal(CRYPTO_SECRET_HEX_LEN, 64);
	assert_int_equal(crypto_random_hex(hex, 1), 0);
	assert_lower_hex(hex, 2);
	assert_int_equal(crypto_random_hex(hex, CRYPTO_MAX_BYTES), 0);
	assert_lower_hex(hex, 2 * CRYPTO_MAX_BYTES);
	assert_int_equal(crypto_random_hex(hex, 0), -1);
	assert_int_equal(crypto_random_hex(hex, CRYPTO_MAX_BYTES + 1), -1);
}

static void
test_random_unique(void **state)
{
	static char	tok[NTOKENS][CRYPTO_SECRET_HEX_LEN + 1];
	size_t		i, j;

	(void)state;
	for (i = 0; i < NTOKENS; i++)
		assert_int_equal(crypto_random_hex(tok[i],
		    CRYPTO_SECRET_BYTES), 0);
	for (i = 0; i < NTOKENS; i++)
		for (j = i + 1; j < NTOKENS; j++)
			assert_string_not_equal(tok[i], tok[j]);
}

static void
test_bytes_not_constant(void **state)
{
	unsigned char	a[32], b[32];

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(crypto_bytes(a, sizeof(a)), 0);
	assert_int_equal(crypto_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(crypto_bytes(a, 0), 0);
}

static void
test_sha256_vectors(void **state)
{
	char	out[CRYPTO_DIGEST_HEX_LEN + 1];

	(void)state;
	assert_int_equal(crypto_sha256_hex("abc", out), 0);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(crypto_sha256_hex("", out), 0);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	assert_int_equal(crypto_sha256_hex("abcdbcdecdefdefgefghfghighijhijk"
	    "ijkljklmklmnlmnomnopnopq", out), 0);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

/* RFC 4231 test cases 1, 2 and 6 (HMAC-SHA-256 column). */
static void
test_hmac_vectors(void **state)
{
	unsigned char	key[131];
	char		out[CRYPTO_DIGEST_HEX_LEN + 1];
	const char	*msg;

	(void)state;
	msg = "what do ya want for nothing?";
	assert_int_equal(crypto_hmac_hex("Jefe", 4, msg, strlen(msg), out), 0);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");

	memset(key, 0x0b, 20);
	assert_int_equal(crypto_hmac_hex(key, 20, "Hi There", 8, out), 0);
	assert_string_equal(out, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");

	memset(key, 0xaa, sizeof(key));
	msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	assert_int_equal(crypto_hmac_hex(key, sizeof(key), msg, strlen(msg),
	    out), 0);
	assert_string_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
}

/* The length, not the NUL, delimits the message; an empty key fails. */
static void
test_hmac_edges(void **state)
{
	char	a[CRYPTO_DIGEST_HEX_LEN + 1], b[CRYPTO_DIGEST_HEX_LEN + 1];

	(void)state;
	assert_int_equal(crypto_hmac_hex("k", 1, "ab\0c", 4, a), 0);
	assert_int_equal(crypto_hmac_hex("k", 1, "ab\0d", 4, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(crypto_hmac_hex("k", 1, "ab", 2, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(crypto_hmac_hex("k", 1, "", 0, a), 0);
	assert_lower_hex(a, CRYPTO_DIGEST_HEX_LEN);
	assert_int_equal(crypto_hmac_hex("", 0, "ab", 2, a), -1);
	assert_string_equal(a, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_length_and_hex),
		cmocka_unit_test(test_random_unique),
		cmocka_unit_test(test_bytes_not_constant),
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_hmac_vectors),
		cmocka_unit_test(test_hmac_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
