/*
 * fuzz_json.c -- json_parse_body() and json_parse_object(): the pre-scan
 * (UTF-8, control bytes, RFC 8259 numbers, the value count) and json-c's
 * strict tokenizer behind it, on a body of any bytes.
 *
 * Invariants: the two entry points agree (an object parses the same way
 * through both, anything else is JSON_ENOTOBJECT from the second); a
 * parsed tree is never NULL; its compact serialization parses again to
 * the same text (no value silently changed); every string and key in it
 * is UTF-8; the typed getters do not crash on whatever the tree holds.
 * Then the input's first DIFF_MAX bytes, written as one JSON string
 * (quote, backslash and control bytes escaped), must parse to themselves
 * exactly when they are UTF-8 (fuzz.h's validator as the reference for
 * the pre-scan's).
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

/* Bytes of the input the differential check takes: short sequences
 * are what it is about, and it keeps the target fast. */
#define DIFF_MAX	256

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

/* Every string and member name in the tree is UTF-8. */
static void
check_utf8(struct json_object *o)
{
	struct json_object_iterator	it, end;
	const char			*k;
	size_t				i, n;

	switch (json_object_get_type(o)) {
	case json_type_string:
		if (!fuzz_utf8_ok(json_object_get_string(o),
		    (size_t)json_object_get_string_len(o)))
			fuzz_fail("a string that is not UTF-8");
		break;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			check_utf8(json_object_array_get_idx(o, i));
		break;
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it)) {
			k = json_object_iter_peek_name(&it);
			if (!fuzz_utf8_ok(k, strlen(k)))
				fuzz_fail("a member name that is not UTF-8");
			check_utf8(json_object_iter_peek_value(&it));
		}
		break;
	default:
		break;
	}
}

static void
check_string(struct arena *a, const uint8_t *data, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	struct json_object	*o;
	enum json_status	 st;
	char			*enc;
	size_t			 i, n = 0;

	if ((enc = arena_alloc(a, 2 + 6 * len)) == NULL)
		fuzz_fail("arena_alloc");
	enc[n++] = '"';
	for (i = 0; i < len; i++) {
		if (data[i] == '"' || data[i] == '\\') {
			enc[n++] = '\\';
			enc[n++] = (char)data[i];
		} else if (data[i] < 0x20) {
			memcpy(enc + n, "\\u00", 4);
			n += 4;
			enc[n++] = hex[data[i] >> 4];
			enc[n++] = hex[data[i] & 0xf];
		} else
			enc[n++] = (char)data[i];
	}
	enc[n++] = '"';
	if (n > BR_MAX_JSON_BODY)
		return;
	st = json_parse_body(a, enc, n, BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH,
	    &o, NULL);
	if ((st == JSON_OK) != fuzz_utf8_ok((const char *)data, len))
		fuzz_fail("json.c and RFC 3629 disagree on a string");
	if (st == JSON_OK && ((size_t)json_object_get_string_len(o) != len ||
	    memcmp(json_object_get_string(o), data, len) != 0))
		fuzz_fail("a JSON string did not parse to itself");
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
		check_utf8(o);
		check_getters(o);
	}
	check_string(a, data, len < DIFF_MAX ? len : DIFF_MAX);
	arena_reset(a);
	return 0;
}
