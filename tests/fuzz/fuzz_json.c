/*
 * fuzz_json.c -- json_parse_body() and json_parse_object(): the pre-scan
 * (UTF-8, control bytes, RFC 8259 numbers, the value count) and json-c's
 * strict tokenizer behind it, on a body of any bytes.
 *
 * Invariants: the two entry points agree (an object parses the same way
 * through both, anything else is JSON_ENOTOBJECT from the second); a
 * parsed tree is never NULL; its compact serialization parses again to
 * the same text (no value silently changed); the typed getters do not
 * crash on whatever the tree holds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "fuzz.h"
#include "json.h"

/* Serializes o, parses the text again, and compares the two texts. */
static void
check_roundtrip(struct arena *a, struct json_object *o)
{
	struct json_object	*again;
	struct buf		 b1, b2;
	enum json_status	 st;

	buf_init(&b1, BR_MAX_RESPONSE);
	buf_init(&b2, BR_MAX_RESPONSE);
	if (json_to_buf(&b1, o) == -1)
		fuzz_fail("json_to_buf");
	/* Escaping ("/" is written "\/") may push it past the cap. */
	if (b1.len <= BR_MAX_JSON_BODY) {
		st = json_parse_body(a, buf_cstr(&b1), b1.len,
		    BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH, &again, NULL);
		if (st != JSON_OK)
			fuzz_fail("serialized JSON does not parse again");
		if (json_to_buf(&b2, again) == -1 || b1.len != b2.len ||
		    memcmp(buf_cstr(&b1), buf_cstr(&b2), b1.len) != 0)
			fuzz_fail("JSON changed in a round trip");
	}
	buf_free(&b1);
	buf_free(&b2);
}

static void
check_getters(struct json_object *o)
{
	const char	*s;
	int64_t		 i;
	int		 b;

	if (json_get_string(o, "name", &s) == 0 && s == NULL)
		fuzz_fail("json_get_string");
	(void)json_get_int64(o, "qty", &i);
	(void)json_get_bool(o, "active", &b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	struct json_object	*o = NULL, *obj = NULL;
	const char		*body = (const char *)data, *msg = NULL;
	enum json_status	 st, sto;

	st = json_parse_body(a, body, len, BR_MAX_JSON_BODY,
	    BR_MAX_JSON_DEPTH, &o, &msg);
	if (msg == NULL || (st == JSON_OK) != (o != NULL))
		fuzz_fail("json_parse_body result");
	sto = json_parse_object(a, body, len, BR_MAX_JSON_BODY,
	    BR_MAX_JSON_DEPTH, &obj, &msg);
	if (st == JSON_OK && json_object_is_type(o, json_type_object)) {
		if (sto != JSON_OK || obj == NULL)
			fuzz_fail("an object refused by json_parse_object");
	} else if (st == JSON_OK) {
		if (sto != JSON_ENOTOBJECT)
			fuzz_fail("a non-object passed json_parse_object");
	} else if (sto == JSON_OK)
		fuzz_fail("json_parse_object took what json_parse_body "
		    "refused");
	if (o != NULL) {
		check_roundtrip(a, o);
		check_getters(o);
	}
	arena_reset(a);
	return 0;
}
