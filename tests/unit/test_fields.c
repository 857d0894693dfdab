/*
 * test_fields.c -- unit tests for app/handlers/fields.c: one declaration
 * read by the JSON and the form decoder; undeclared JSON members refused
 * by name; required, bounds and defaults per mode; lists of items.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "fields.h"
#include "form.h"
#include "json.h"
#include "request.h"
#include "tmpl.h"

struct line {
	int64_t	 product_id, qty;
};

struct thing {
	const char	*name;
	int64_t		 price, qty, supplier_id, version;
	int		 active;
	struct line	*lines;
	size_t		 nlines;
};

static const struct field line_fields[] = {
	{ "product_id", NULL, FT_ID, F_REQUIRED, 0, 0, 0, NULL, NULL,
	    offsetof(struct line, product_id), 0, NULL },
	{ "qty", NULL, FT_INT, F_REQUIRED, 1, 100, 0, NULL, NULL,
	    offsetof(struct line, qty), 0, NULL },
};
static const struct field_set line_set = { "line", NULL, NULL, line_fields,
	2, sizeof(struct line), 3 };

static const struct field thing_fields[] = {
	{ "name", "name", FT_STR, F_REQUIRED, 1, 5, 0, NULL,
	    "Enter a name of 1 to 5 characters.",
	    offsetof(struct thing, name), 0, NULL },
	{ "price_cents", "price", FT_CENTS, F_REPLACE, 0, 100000, 0, NULL,
	    NULL, offsetof(struct thing, price), 0, NULL },
	{ "qty", "qty", FT_INT, F_REPLACE, -10, 10, 7, NULL, NULL,
	    offsetof(struct thing, qty), 0, NULL },
	{ "supplier_id", "supplier_id", FT_ID, F_REPLACE | F_NULLABLE, 0, 0,
	    0, NULL, NULL, offsetof(struct thing, supplier_id), 0, NULL },
	{ "active", "active", FT_BOOL, F_REPLACE, 0, 0, 1, NULL, NULL,
	    offsetof(struct thing, active), 0, NULL },
	{ "version", "version", FT_INT, F_REPLACE_ONLY, 1, INT64_MAX, 0, NULL,
	    NULL, offsetof(struct thing, version), 0, NULL },
	{ "lines", NULL, FT_LIST, F_CREATE_ONLY, 0, 0, 0, NULL, NULL,
	    offsetof(struct thing, lines), offsetof(struct thing, nlines),
	    &line_set },
};
static const struct field_set thing_set = { "thing", "ThingCreate",
	"ThingUpdate", thing_fields, 7, sizeof(struct thing), 0 };

static int
setup(void **state)
{
	*state = arena_create(1 << 20);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

/* Decodes text in mode; the errors object (arena-owned) or NULL when the
 * decoder named an undeclared member (returned in *und). */
static struct json_object *
decode(struct arena *a, const char *text, enum field_mode mode,
    struct thing *t, const char **und)
{
	struct json_object	*o, *errors;
	const char		*msg;

	assert_int_equal(json_parse_object(a, text, strlen(text), 4096, 8, &o,
	    &msg), JSON_OK);
	errors = json_own(a, json_object_new_object());
	memset(t, 0, sizeof(*t));
	if (fields_from_json(a, &thing_set, mode, o, t, errors, und) == -1)
		return NULL;
	return errors;
}

static int
has(struct json_object *errors, const char *key)
{
	return json_object_object_get_ex(errors, key, NULL);
}

static void
test_json_defaults_and_values(void **state)
{
	struct json_object	*e;
	struct thing		 t;
	const char		*und;

	e = decode(*state, "{\"name\":\"ab\"}", FIELDS_CREATE, &t, &und);
	assert_non_null(e);
	assert_int_equal(json_object_object_length(e), 0);
	assert_string_equal(t.name, "ab");
	assert_int_equal(t.qty, 7);
	assert_int_equal(t.active, 1);
	assert_int_equal(t.supplier_id, 0);
	e = decode(*state, "{\"name\":\"ab\",\"qty\":-3,\"supplier_id\":null,"
	    "\"active\":false,\"price_cents\":250,\"lines\":[{\"product_id\":"
	    "4,\"qty\":2}]}", FIELDS_CREATE, &t, &und);
	assert_int_equal(json_object_object_length(e), 0);
	assert_int_equal(t.qty, -3);
	assert_int_equal(t.active, 0);
	assert_int_equal(t.price, 250);
	assert_int_equal(t.nlines, 1);
	assert_int_equal(t.lines[0].product_id, 4);
	assert_int_equal(t.lines[0].qty, 2);
}

static void
test_json_errors(void **state)
{
	struct json_object	*e;
	struct thing		 t;
	const char		*und;

	/* Replace: every field but the create-only list is required. */
	e = decode(*state, "{\"name\":\"abcdef\"}", FIELDS_REPLACE, &t, &und);
	assert_true(has(e, "name"));		/* 6 > 5 characters */
	assert_true(has(e, "price_cents") && has(e, "qty") &&
	    has(e, "supplier_id") && has(e, "active") && has(e, "version"));
	/* Characters, not bytes: five two-byte letters fit. */
	e = decode(*state, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\"}", FIELDS_CREATE, &t, &und);
	assert_false(has(e, "name"));
	e = decode(*state, "{\"name\":1,\"qty\":11,\"active\":\"yes\","
	    "\"supplier_id\":0,\"price_cents\":1.5}", FIELDS_CREATE, &t, &und);
	assert_true(has(e, "name") && has(e, "qty") && has(e, "active") &&
	    has(e, "supplier_id") && has(e, "price_cents"));
	e = decode(*state, "{\"name\":\"a\",\"lines\":[{\"qty\":0},5]}",
	    FIELDS_CREATE, &t, &und);
	assert_true(has(e, "lines[0].product_id") && has(e, "lines[0].qty") &&
	    has(e, "lines[1]"));
	e = decode(*state, "{\"name\":\"a\",\"lines\":[]}", FIELDS_CREATE, &t,
	    &und);
	assert_true(has(e, "lines"));
}

/* Found by tests/fuzz/fuzz_fields.c: "\u0000" in a string member cut
 * the value short unseen ("ab" stored for "ab\u0000<b>"), and the domain
 * checks, reading C strings, passed it.  It is refused by name. */
static void
test_json_nul_in_string(void **state)
{
	struct json_object	*e;
	struct thing		 t;
	const char		*und;

	e = decode(*state, "{\"name\":\"ab\\u0000<b>\"}", FIELDS_CREATE,
	    &t, &und);
	assert_non_null(e);
	assert_true(has(e, "name"));
	assert_null(t.name);
	e = decode(*state, "{\"name\":\"ab\\u0001\"}", FIELDS_CREATE, &t,
	    &und);
	assert_false(has(e, "name"));
	assert_int_equal(strlen(t.name), 3);
}

static void
test_json_undeclared(void **state)
{
	struct thing	 t;
	const char	*und;

	assert_null(decode(*state, "{\"name\":\"a\",\"colour\":1}",
	    FIELDS_CREATE, &t, &und));
	assert_string_equal(und, "colour");
	/* version is declared on replace only, lines on create only. */
	assert_null(decode(*state, "{\"name\":\"a\",\"version\":1}",
	    FIELDS_CREATE, &t, &und));
	assert_string_equal(und, "version");
	assert_null(decode(*state, "{\"name\":\"a\",\"lines\":[]}",
	    FIELDS_REPLACE, &t, &und));
	assert_string_equal(und, "lines");
	/* Inside a list's item, named by its place. */
	assert_null(decode(*state, "{\"name\":\"a\",\"lines\":[{\"qty\":1,"
	    "\"product_id\":2},{\"qty\":1,\"colour\":3}]}", FIELDS_CREATE,
	    &t, &und));
	assert_string_equal(und, "lines[1].colour");
}

static void
test_form(void **state)
{
	struct request	 r;
	struct tval	*e;
	struct thing	 t;
	const char	*body;

	memset(&r, 0, sizeof(r));
	body = "name=ab&price=12.5&qty=x&supplier_id=&active=0&csrf=zz&"
	    "version=3";
	r.arena = *state;
	assert_int_equal(form_parse_urlencoded(r.arena, body, strlen(body),
	    &r.form, NULL), FORM_OK);
	assert_non_null(e = tv_obj(r.arena));
	memset(&t, 0, sizeof(t));
	fields_from_form(&thing_set, FIELDS_REPLACE, &r, &t, e);
	assert_string_equal(t.name, "ab");
	assert_int_equal(t.price, 1250);
	assert_non_null(tv_get(e, "qty"));	/* not a number */
	assert_int_equal(t.qty, 7);		/* the default */
	assert_null(tv_get(e, "supplier_id"));	/* blank: none */
	assert_int_equal(t.supplier_id, 0);
	assert_int_equal(t.active, 0);
	assert_int_equal(t.version, 3);
	assert_null(tv_get(e, "csrf"));		/* not declared: ignored */

	/* A blank text input is a value: its bounds message, not
	 * "required". */
	body = "name=&price=&qty=";
	assert_int_equal(form_parse_urlencoded(r.arena, body, strlen(body),
	    &r.form, NULL), FORM_OK);
	assert_non_null(e = tv_obj(r.arena));
	fields_from_form(&thing_set, FIELDS_CREATE, &r, &t, e);
	assert_string_equal(tv_cstr(tv_get(e, "name")),
	    "Enter a name of 1 to 5 characters.");
	/* optional */
	assert_true(tv_get(e, "price") == NULL && tv_get(e, "qty") == NULL);
	/* On a form only F_REQUIRED and a replace's version are required. */
	fields_from_form(&thing_set, FIELDS_REPLACE, &r, &t, e);
	assert_non_null(tv_get(e, "version"));
}

static void
test_describe(void **state)
{
	struct json_object	*d = json_own(*state, fields_describe(
				    &thing_set));
	struct json_object	*f, *v;

	(void)state;
	assert_string_equal(json_object_get_string(json_object_object_get(d,
	    "create")), "ThingCreate");
	f = json_object_array_get_idx(json_object_object_get(d, "fields"), 5);
	assert_string_equal(json_object_get_string(json_object_object_get(f,
	    "name")), "version");
	assert_true(json_object_object_get_ex(f, "create", &v) &&
	    !json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(f, "required_replace", &v) &&
	    json_object_get_boolean(v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_defaults_and_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_json_nul_in_string, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_json_undeclared, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
