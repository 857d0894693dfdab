/*
 * test_auditchain.c -- unit tests for app/auditchain.c: the canonical
 * text is exactly the documented v1 form, its hash is stable (checked
 * against a value computed outside this code), moving a field boundary or
 * turning NULL into "" changes the hash, and so does the previous hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "auditchain.h"
#include "buf.h"

/* Computed with Python's hashlib over the GENESIS || "\n" || CANON. */
#define CANON \
	"backroom-audit-v1\n" \
	"id=2:42\n" \
	"time=26:2024-05-01 12:34:56.123456\n" \
	"actor=1:7\n" \
	"action=14:product.update\n" \
	"entity=7:product\n" \
	"entity_id=2:19\n" \
	"details=16:{\"price\":\"9.50\"}\n" \
	"client=9:192.0.2.1\n" \
	"request=-\n"
#define CANON_HASH \
	"07a52da58425e4f79ca18171e14ecf9750cf09d7201e241f37676452f15be856"

static struct audit_fields
sample(void)
{
	struct audit_fields	f;

	memset(&f, 0, sizeof(f));
	f.id = 42;
	f.time = "2024-05-01 12:34:56.123456";
	f.actor_id = 7;
	f.action = "product.update";
	f.entity = "product";
	f.entity_id = "19";
	f.details = "{\"price\":\"9.50\"}";
	f.client_addr = "192.0.2.1";
	f.request_id = NULL;
	return f;
}

/* The hash of f chained onto prev; fails the test on error. */
static void
row_hash(const struct audit_fields *f, const char *prev,
    char out[AUDIT_HASH_HEX_LEN + 1])
{
	struct buf	b;

	buf_init(&b, AUDIT_CANONICAL_MAX);
	assert_int_equal(audit_canonical(&b, f), 0);
	assert_int_equal(audit_row_hash(prev, buf_cstr(&b), out), 0);
	buf_free(&b);
}

static void
test_canonical_text_and_stable_hash(void **state)
{
	struct audit_fields	f = sample();
	struct buf		b;
	char			h1[AUDIT_HASH_HEX_LEN + 1];
	char			h2[AUDIT_HASH_HEX_LEN + 1];

	(void)state;
	buf_init(&b, AUDIT_CANONICAL_MAX);
	assert_int_equal(buf_puts(&b, "left over"), 0);
	assert_int_equal(audit_canonical(&b, &f), 0);
	assert_string_equal(buf_cstr(&b), CANON);
	assert_int_equal(audit_row_hash(AUDIT_GENESIS_HASH, buf_cstr(&b), h1),
	    0);
	assert_string_equal(h1, CANON_HASH);
	assert_int_equal(audit_row_hash(AUDIT_GENESIS_HASH, CANON, h2), 0);
	assert_string_equal(h1, h2);
	buf_free(&b);
}

/* Two rows whose concatenated fields are equal must still differ. */
static void
test_field_boundaries(void **state)
{
	struct audit_fields	a = sample(), b = sample();
	char			ha[AUDIT_HASH_HEX_LEN + 1];
	char			hb[AUDIT_HASH_HEX_LEN + 1];

	(void)state;
	a.entity = "ab";
	a.entity_id = "c";
	b.entity = "a";
	b.entity_id = "bc";
	row_hash(&a, AUDIT_GENESIS_HASH, ha);
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);

	/* A value that imitates the following fields. */
	a = sample();
	b = sample();
	a.details = "{}\nclient=9:192.0.2.1";
	a.client_addr = NULL;
	b.details = "{}";
	b.client_addr = "9:192.0.2.1\nclient=9:192.0.2.1";
	row_hash(&a, AUDIT_GENESIS_HASH, ha);
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);

	/* Absent is not empty; no actor is not actor "0" spelled as text. */
	a = sample();
	b = sample();
	a.request_id = NULL;
	b.request_id = "";
	row_hash(&a, AUDIT_GENESIS_HASH, ha);
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	a = sample();
	b = sample();
	a.actor_id = 0;
	b.actor_id = 1;
	row_hash(&a, AUDIT_GENESIS_HASH, ha);
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
}

/* Every single field takes part in the hash. */
static void
test_every_field_counts(void **state)
{
	struct audit_fields	a = sample(), b = sample();
	char			ha[AUDIT_HASH_HEX_LEN + 1];
	char			hb[AUDIT_HASH_HEX_LEN + 1];

	(void)state;
	b.id = 43;
	row_hash(&a, AUDIT_GENESIS_HASH, ha);
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.time = "2024-05-01 12:34:56.123457";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.action = "product.delete";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.request_id = "abc";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.entity = "supplier";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.entity_id = "20";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.details = "{\"price\":\"9.51\"}";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.client_addr = "192.0.2.2";
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
	b = sample();
	b.actor_id = 8;
	row_hash(&b, AUDIT_GENESIS_HASH, hb);
	assert_string_not_equal(ha, hb);
}

static void
test_prev_hash_chains(void **state)
{
	struct audit_fields	f = sample();
	char			h1[AUDIT_HASH_HEX_LEN + 1];
	char			h2[AUDIT_HASH_HEX_LEN + 1];
	char			h3[AUDIT_HASH_HEX_LEN + 1];

	(void)state;
	row_hash(&f, AUDIT_GENESIS_HASH, h1);
	row_hash(&f, h1, h2);
	assert_string_not_equal(h1, h2);
	row_hash(&f, h1, h3);
	assert_string_equal(h2, h3);
	assert_string_equal(h1, CANON_HASH);
	row_hash(&f, "ffffffffffffffffffffffffffffffff"
	    "ffffffffffffffffffffffffffffffff", h3);
	assert_string_not_equal(h1, h3);
	assert_string_not_equal(h2, h3);
}

/* Only a 64-character lower-case hex previous hash is accepted. */
static void
test_bad_prev_hash(void **state)
{
	char	h[AUDIT_HASH_HEX_LEN + 1];
	char	upper[] = CANON_HASH;

	(void)state;
	upper[0] = 'A';
	assert_int_equal(audit_row_hash("", CANON, h), -1);
	assert_string_equal(h, "");
	assert_int_equal(audit_row_hash(CANON_HASH "0", CANON, h), -1);
	assert_int_equal(audit_row_hash(CANON_HASH "\n", CANON, h), -1);
	assert_int_equal(audit_row_hash(upper, CANON, h), -1);
	assert_int_equal(audit_row_hash("0000", CANON, h), -1);
	assert_int_equal(audit_row_hash(AUDIT_GENESIS_HASH, "", h), 0);
}

static void
test_invalid_rows(void **state)
{
	struct audit_fields	f;
	struct buf		b;
	char			big[4096];

	(void)state;
	buf_init(&b, AUDIT_CANONICAL_MAX);
	f = sample();
	f.id = 0;
	assert_int_equal(audit_canonical(&b, &f), -1);
	f = sample();
	f.actor_id = -1;
	assert_int_equal(audit_canonical(&b, &f), -1);
	f = sample();
	f.time = NULL;
	assert_int_equal(audit_canonical(&b, &f), -1);
	f = sample();
	f.action = "";
	assert_int_equal(audit_canonical(&b, &f), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);

	/* Past the buffer's cap: an error, and nothing half-written. */
	buf_init(&b, 1024);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f = sample();
	f.details = big;
	assert_int_equal(audit_canonical(&b, &f), -1);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text_and_stable_hash),
		cmocka_unit_test(test_field_boundaries),
		cmocka_unit_test(test_every_field_counts),
		cmocka_unit_test(test_prev_hash_chains),
		cmocka_unit_test(test_bad_prev_hash),
		cmocka_unit_test(test_invalid_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
