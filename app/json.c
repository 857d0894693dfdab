/*
 * json.c -- strict parsing of JSON request bodies and compact
 * serialization, the only place that sets json-c's parser options.
 *
 * json-c's strict mode (0.16) still accepts some things RFC 8259 does not,
 * so the body is pre-scanned (valid UTF-8, no raw control byte inside a
 * string, numbers as RFC 8259 spells them, outside strings only bytes JSON
 * can have there: json-c takes {'a':1} and 1.) and the tree is walked: NaN,
 * Infinity and numbers json-c clamped (it saturates integer overflow to
 * INT64_MIN or UINT64_MAX, and parses 1e999 as inf) are rejected, so no
 * value is silently changed.  The price is that the exact literals
 * -9223372036854775808 and 18446744073709551615 are refused too.
 *
 * A body that is just "null" is refused: json-c represents it as a NULL
 * root, and callers may rely on a non-NULL root after JSON_OK.
 *
 * The pre-scan also counts values and refuses more than BR_MAX_JSON_VALUES
 * before json-c allocates a tree: a 1 MiB body of "[{},{},...]" would
 * otherwise cost json-c some 270 MB, outside the request arena, and
 * malloc keeps that from the kernel.  With JSON_OBJECT_ONLY a body that
 * is not an object is refused before json-c runs at all.
 *
 * Depth is counted in containers: "[[1]]" has depth 2.  json-c counts the
 * top level as one more, hence the +1 given to json_tokener_new_ex().
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "json.h"

#define JSON_OBJECT_ONLY	1

static int
json_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Length of the UTF-8 sequence at s[0..len) if it is well-formed (RFC
 * 3629: shortest form, no surrogates, at most U+10FFFF), else 0.
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	size_t		n, k;
	unsigned int	cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static size_t
json_digits(const unsigned char *s, size_t len)
{
	size_t	i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return i;
}

/*
 * Length of the number at s (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][-+]?[0-9]+)?), or 0 if it is not one.
 */
static size_t
json_number(const unsigned char *s, size_t len)
{
	size_t	i = 0, n;

	if (i < len && s[i] == '-')
		i++;
	if ((n = json_digits(s + i, len - i)) == 0 ||
	    (s[i] == '0' && n > 1))
		return 0;
	i += n;
	if (i < len && s[i] == '.') {
		if ((n = json_digits(s + i + 1, len - i - 1)) == 0)
			return 0;
		i += n + 1;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if ((n = json_digits(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return i;
}

/*
 * JSON_OK if body is valid UTF-8, has no control byte in a string, and
 * outside strings has only structure, whitespace, RFC numbers and the
 * letters of true/false/null; JSON_ETOOBIG past BR_MAX_JSON_VALUES values
 * (each container, string, number and literal counts once: an upper
 * bound, a literal's letters after the first are not counted).
 */
static enum json_status
json_prescan(const char *body, size_t len)
{
	static const char	 outside[] = "{}[],:truefalsn";
	static const char	 starts[] = "{[\"tfn";
	const unsigned char	*s = (const unsigned char *)body;
	size_t			 i = 0, n, values = 0;
	int			 instr = 0, esc = 0, word = 0;

	while (i < len) {
		if (s[i] < 0x20 && (instr || !json_ws(s[i])))
			return JSON_EMALFORMED;
		if (!instr && s[i] != '\0' && strchr(starts, s[i]) != NULL &&
		    !word && ++values > BR_MAX_JSON_VALUES)
			return JSON_ETOOBIG;
		word = !instr && s[i] >= 'a' && s[i] <= 'z';
		if (!instr && (s[i] == '-' || (s[i] >= '0' && s[i] <= '9'))) {
			if ((n = json_number(s + i, len - i)) == 0)
				return JSON_EMALFORMED;
			if (++values > BR_MAX_JSON_VALUES)
				return JSON_ETOOBIG;
			i += n;
			continue;
		}
		if (!instr && !json_ws(s[i]) && s[i] != '"' &&
		    (s[i] == '\0' || strchr(outside, s[i]) == NULL))
			return JSON_EMALFORMED;
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return JSON_EMALFORMED;
		if (esc)
			esc = 0;
		else if (instr && s[i] == '\\')
			esc = 1;
		else if (s[i] == '"')
			instr = !instr;
		i += n;
	}
	return JSON_OK;
}

/* 0 if every number in the tree is one json-c did not clamp. */
static int
json_check_numbers(struct json_object *o)
{
	struct json_object_iterator	it, end;
	size_t				i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o)) ? 0 : -1;
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MIN ||
		    json_object_get_uint64(o) == UINT64_MAX)
			return -1;
		return 0;
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (json_check_numbers(
			    json_object_array_get_idx(o, i)) == -1)
				return -1;
		return 0;
	case json_type_object:
		it = json_object_iter_begin(o);
		end = json_object_iter_end(o);
		for (; !json_object_iter_equal(&it, &end);
		    json_object_iter_next(&it))
			if (json_check_numbers(
			    json_object_iter_peek_value(&it)) == -1)
				return -1;
		return 0;
	default:
		return 0;
	}
}

/*
 * Runs json-c over body.  A top-level scalar ("12") is only known to end
 * at the end of input, so a NUL is fed to finish it.
 */
static enum json_status
json_tokenize(const char *body, size_t len, int depth,
    struct json_object **out, const char **msg)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	enum json_tokener_error	 e;
	size_t			 end;
	enum json_status	 st = JSON_EMALFORMED;

	*msg = "invalid JSON";
	if ((tok = json_tokener_new_ex(depth + 1)) == NULL) {
		*msg = "out of memory";
		return JSON_ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, body, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (e == json_tokener_continue) {
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	if (e == json_tokener_error_depth) {
		*msg = "JSON nested too deeply";
		st = JSON_ETOODEEP;
	} else if (e == json_tokener_success && o == NULL) {
		*msg = "JSON body is null";
	} else if (e == json_tokener_success) {
		while (end < len && json_ws((unsigned char)body[end]))
			end++;
		if (end == len) {
			*out = o;
			o = NULL;
			st = JSON_OK;
		} else
			*msg = "trailing data after JSON value";
	}
	json_object_put(o);
	json_tokener_free(tok);
	return st;
}

static void
json_put_cb(void *obj)
{
	json_object_put(obj);
}

static enum json_status
json_parse(struct arena *a, const char *body, size_t len, size_t max_len,
    int max_depth, int flags, struct json_object **out, const char **msg)
{
	struct json_object	*o = NULL;
	const char		*m;
	enum json_status	 st;
	size_t			 n;

	*out = NULL;
	if (msg == NULL)
		msg = &m;
	if (max_len > BR_MAX_JSON_BODY)
		max_len = BR_MAX_JSON_BODY;
	if (max_depth > BR_MAX_JSON_DEPTH)
		max_depth = BR_MAX_JSON_DEPTH;
	if (max_depth < 1)
		max_depth = 1;
	if (len > max_len) {
		*msg = "JSON body too large";
		return JSON_ETOOBIG;
	}
	if ((st = json_prescan(body, len)) != JSON_OK) {
		*msg = st == JSON_ETOOBIG ? "JSON body has too many values" :
		    "invalid JSON text (bad UTF-8, control byte or number)";
		return st;
	}
	for (n = 0; n < len && json_ws((unsigned char)body[n]); n++)
		;
	if ((flags & JSON_OBJECT_ONLY) && (n == len || body[n] != '{')) {
		*msg = "The JSON body must be an object.";
		return JSON_ENOTOBJECT;
	}
	if ((st = json_tokenize(body, len, max_depth, &o, msg)) != JSON_OK)
		return st;
	if (json_check_numbers(o) == -1) {
		json_object_put(o);
		*msg = "JSON number out of range";
		return JSON_EMALFORMED;
	}
	if (json_own(a, o) == NULL) {
		*msg = "out of memory";
		return JSON_ENOMEM;
	}
	*out = o;
	*msg = "ok";
	return JSON_OK;
}

enum json_status
json_parse_body(struct arena *a, const char *body, size_t len,
    size_t max_len, int max_depth, struct json_object **out,
    const char **msg)
{
	return json_parse(a, body, len, max_len, max_depth, 0, out, msg);
}

enum json_status
json_parse_object(struct arena *a, const char *body, size_t len,
    size_t max_len, int max_depth, struct json_object **out,
    const char **msg)
{
	return json_parse(a, body, len, max_len, max_depth, JSON_OBJECT_ONLY,
	    out, msg);
}

struct json_object *
json_own(struct arena *a, struct json_object *obj)
{
	if (obj == NULL)
		return NULL;
	if (arena_cleanup_add(a, json_put_cb, obj) == -1) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int
json_to_buf(struct buf *b, struct json_object *obj)
{
	const char	*s;
	size_t		 len;

	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN,
	    &len);
	if (s == NULL)
		return -1;
	return buf_append(b, s, len);
}

/* The member key of object o if it is of type t; NULL if o is not an
 * object, lacks it or it is of another type. */
static struct json_object *
json_member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

int
json_get_string(struct json_object *o, const char *key, const char **out)
{
	struct json_object	*v = json_member(o, key, json_type_string);

	/* "\u0000" would silently cut a C string short. */
	if (v == NULL || strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v))
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

int
json_get_int64(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object	*v = json_member(o, key, json_type_int);

	/* Built with json_object_new_uint64() past INT64_MAX: not an int64. */
	if (v == NULL || (json_object_get_int64(v) == INT64_MAX &&
	    json_object_get_uint64(v) != (uint64_t)INT64_MAX))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

int
json_get_bool(struct json_object *o, const char *key, int *out)
{
	struct json_object	*v = json_member(o, key, json_type_boolean);

	if (v == NULL)
		return -1;
	*out = json_object_get_boolean(v) ? 1 : 0;
	return 0;
}

void
json_add_i64(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void
json_add_str(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, json_object_new_string(s));
}

void
json_add_bool(struct json_object *o, const char *key, int v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}
