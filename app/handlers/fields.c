/*
 * fields.c -- the decoders of declared input fields (see fields.h): one
 * table per resource, read by the JSON decoder and the form decoder, so a
 * field's name, type, bounds and default are written once.
 *
 * The messages are the ones the handlers used before the tables, so a
 * client sees the same per-field errors.  Strings are counted in UTF-8
 * characters (request bodies are valid UTF-8: json.c and form.c check).
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "fields.h"
#include "form.h"
#include "hutil.h"
#include "json.h"
#include "request.h"
#include "str.h"

static void
fields_error(struct json_object *errors, const char *key, const char *msg)
{
	if (errors != NULL && !json_object_object_get_ex(errors, key, NULL))
		json_object_object_add(errors, key,
		    json_object_new_string(msg));
}

static int
field_declared(const struct field *f, enum field_mode mode)
{
	if (f->flags & F_REPLACE_ONLY)
		return mode == FIELDS_REPLACE;
	if (f->flags & F_CREATE_ONLY)
		return mode == FIELDS_CREATE;
	return 1;
}

static int
field_required(const struct field *f, enum field_mode mode)
{
	return (f->flags & F_REQUIRED) ||
	    ((f->flags & (F_REPLACE | F_REPLACE_ONLY)) && mode ==
	    FIELDS_REPLACE);
}

/*
 * A form posts every input, a blank one meaning empty or none, so only
 * F_REQUIRED fields and the replace-only ones (a version) are required
 * there; a PUT's "every field" rule is the API's.
 */
static int
form_required(const struct field *f, enum field_mode mode)
{
	if (f->type == FT_BOOL)
		return 0;
	return (f->flags & F_REQUIRED) ||
	    ((f->flags & F_REPLACE_ONLY) && mode == FIELDS_REPLACE);
}

/* UTF-8 characters in s (continuation bytes not counted). */
static size_t
fields_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int64_t *
field_i64(const struct field *f, void *dst)
{
	return (int64_t *)(void *)((char *)dst + f->off);
}

static void
field_default(const struct field *f, void *dst)
{
	char	*p = (char *)dst + f->off;

	switch (f->type) {
	case FT_STR:
		*(const char **)(void *)p = f->sdef;
		break;
	case FT_BOOL:
		*(int *)(void *)p = (int)f->def;
		break;
	case FT_LIST:
		*(void **)(void *)p = NULL;
		*(size_t *)(void *)((char *)dst + f->count_off) = 0;
		break;
	default:
		*(int64_t *)(void *)p = f->def;
		break;
	}
}

/* A string value s for f: bounds checked, stored.  NULL, or the message
 * of the error (in a). */
static const char *
field_str(struct arena *a, const struct field *f, const char *s, void *dst)
{
	size_t		 n = fields_chars(s);
	const char	*m;

	if ((f->max > 0 && n > (size_t)f->max) || n < (size_t)f->min) {
		if (f->msg != NULL)
			return f->msg;
		if (n < (size_t)f->min)
			return "This field is required.";
		m = arena_printf(a, "Use at most %" PRId64 " characters.",
		    f->max);
		return m != NULL ? m : "Too long.";
	}
	*(const char **)(void *)((char *)dst + f->off) = s;
	return NULL;
}

static const char *json_list(struct arena *, const struct field *,
		    struct json_object *, void *, struct json_object *);

/* One present, non-null JSON member v of field f.  NULL, or the name of
 * an undeclared member inside a list's item ("lines[2].colour"). */
static const char *
json_value(struct arena *a, const struct field *f, struct json_object *v,
    void *dst, struct json_object *errors)
{
	const char	*msg;
	int64_t		 n;

	switch (f->type) {
	case FT_STR:
		if (!json_object_is_type(v, json_type_string))
			fields_error(errors, f->name, "Must be a string.");
		else if (strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v))
			/* "\u0000" would cut the C string short unseen. */
			fields_error(errors, f->name,
			    "Must not contain a NUL character.");
		else
			if ((msg = field_str(a, f, json_object_get_string(v),
			    dst)) != NULL)
				fields_error(errors, f->name, msg);
		return NULL;
	case FT_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			fields_error(errors, f->name,
			    "Must be true or false.");
		else
			*(int *)(void *)((char *)dst + f->off) =
			    json_object_get_boolean(v);
		return NULL;
	case FT_LIST:
		return json_list(a, f, v, dst, errors);
	default:
		break;
	}
	if (!json_object_is_type(v, json_type_int)) {
		fields_error(errors, f->name, "Must be a whole number.");
		return NULL;
	}
	n = json_object_get_int64(v);
	if (n < (f->type == FT_ID ? 1 : f->min) ||
	    n > (f->type == FT_ID ? INT64_MAX : f->max)) {
		fields_error(errors, f->name, "Out of range.");
		return NULL;
	}
	*field_i64(f, dst) = n;
	return NULL;
}

/* An array of objects declared by f->items, into an arena array.  Errors
 * of an item are named "lines[2].qty" (0-based, as in the request); the
 * name of an undeclared member of an item is returned, else NULL. */
static const char *
json_list(struct arena *a, const struct field *f, struct json_object *v,
    void *dst, struct json_object *errors)
{
	const struct field_set	*set = f->items;
	struct json_object	*ie;
	const char		*und;
	char			*items;
	size_t			 i, n;

	if (!json_object_is_type(v, json_type_array)) {
		fields_error(errors, f->name, "Must be a list.");
		return NULL;
	}
	n = json_object_array_length(v);
	if (n == 0 || n > set->max_items) {
		fields_error(errors, f->name, arena_printf(a, "Give 1 to %zu "
		    "items.", set->max_items));
		return NULL;
	}
	if ((items = arena_calloc(a, n, set->item_size)) == NULL) {
		fields_error(errors, f->name, "Too many items.");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(v, i);
		char *item = items + i * set->item_size;
		if (!json_object_is_type(o, json_type_object)) {
			fields_error(errors, arena_printf(a, "%s[%zu]",
			    f->name, i), "Must be an object.");
			continue;
		}
		if ((ie = json_own(a, json_object_new_object())) == NULL) {
			fields_error(errors, f->name, "Out of memory.");
			break;
		}
		if (fields_from_json(a, set, FIELDS_CREATE, o, item, ie,
		    &und) == -1)
			return arena_printf(a, "%s[%zu].%s", f->name, i, und);
		json_object_object_foreach(ie, k, m) {
			fields_error(errors, arena_printf(a, "%s[%zu].%s",
			    f->name, i, k), json_object_get_string(m));
		}
	}
	*(void **)(void *)((char *)dst + f->off) = items;
	*(size_t *)(void *)((char *)dst + f->count_off) = n;
	return NULL;
}

int
fields_from_json(struct arena *a, const struct field_set *set,
    enum field_mode mode, struct json_object *obj, void *dst,
    struct json_object *errors, const char **undeclared)
{
	const struct field	*f;
	struct json_object	*v;
	size_t			 i;

	*undeclared = NULL;
	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; i < set->nfields; i++)
			if (strcmp(set->fields[i].name, key) == 0 &&
			    field_declared(&set->fields[i], mode))
				break;
		if (i == set->nfields) {
			*undeclared = key;
			return -1;
		}
	}
	for (i = 0; i < set->nfields; i++) {
		f = &set->fields[i];
		if (!field_declared(f, mode))
			continue;
		field_default(f, dst);
		if (!json_object_object_get_ex(obj, f->name, &v) ||
		    (v == NULL && !(f->flags & F_NULLABLE))) {
			if (field_required(f, mode))
				fields_error(errors, f->name,
				    "This field is required.");
			continue;
		}
		if (v != NULL &&
		    (*undeclared = json_value(a, f, v, dst, errors)) != NULL)
			return -1;
	}
	return 0;
}

/* One non-empty form value of field f. */
static void
form_value(const struct request *r, const struct field *f, const char *s,
    void *dst, struct tval *errors)
{
	const char	*msg;
	int64_t		 lo = f->type == FT_ID ? 1 : f->min;
	int64_t		 hi = f->type == FT_ID ? INT64_MAX : f->max;

	switch (f->type) {
	case FT_STR:
		if ((msg = field_str(r->arena, f, s, dst)) != NULL)
			h_form_error(errors, f->form, msg);
		return;
	case FT_BOOL:
		*(int *)(void *)((char *)dst + f->off) = strcmp(s, "0") != 0 &&
		    (!(f->flags & F_CHECKBOX) || strcmp(s, "1") == 0);
		return;
	case FT_CENTS:
		(void)h_field_money(r, f->form, field_i64(f, dst), errors);
		return;
	case FT_LIST:
		return;
	default:
		break;
	}
	if (str_to_i64(s, lo, hi, field_i64(f, dst)) == -1) {
		*field_i64(f, dst) = f->def;
		h_form_error(errors, f->form, arena_printf(r->arena, "Enter a "
		    "whole number from %" PRId64 " to %" PRId64 ".", lo, hi));
	}
}

void
fields_from_form(const struct field_set *set, enum field_mode mode,
    const struct request *r, void *dst, struct tval *errors)
{
	const struct field	*f;
	const char		*s;
	size_t			 i;

	for (i = 0; i < set->nfields; i++) {
		f = &set->fields[i];
		if (f->form == NULL || f->type == FT_LIST ||
		    !field_declared(f, mode))
			continue;
		field_default(f, dst);
		if (f->type == FT_BOOL && (f->flags & F_CHECKBOX))
			*(int *)(void *)((char *)dst + f->off) = 0;
		if ((s = form_get(&r->form, f->form)) == NULL ||
		    (s[0] == '\0' && f->type != FT_STR)) {
			if (form_required(f, mode))
				h_form_error(errors, f->form,
				    "This field is required.");
			continue;
		}
		form_value(r, f, s, dst, errors);
	}
}

static const char *
fields_type_name(enum field_type t)
{
	switch (t) {
	case FT_STR:
		return "string";
	case FT_INT:
	case FT_CENTS:
		return "integer";
	case FT_BOOL:
		return "boolean";
	case FT_ID:
		return "id";
	case FT_LIST:
		return "array";
	}
	return "?";
}

struct json_object *
fields_describe(const struct field_set *set)
{
	struct json_object	*o = json_object_new_object(), *a, *fo;
	const struct field	*f;
	size_t			 i;

	json_add_str(o, "name", set->name);
	json_object_object_add(o, "create", set->create_schema != NULL ?
	    json_object_new_string(set->create_schema) : NULL);
	json_object_object_add(o, "replace", set->replace_schema != NULL ?
	    json_object_new_string(set->replace_schema) : NULL);
	a = json_object_new_array();
	for (i = 0; i < set->nfields; i++) {
		f = &set->fields[i];
		fo = json_object_new_object();
		json_add_str(fo, "name", f->name);
		json_add_str(fo, "type", fields_type_name(f->type));
		json_add_bool(fo, "create", field_declared(f, FIELDS_CREATE));
		json_add_bool(fo, "replace", field_declared(f, FIELDS_REPLACE));
		json_add_bool(fo, "required_create", field_required(f,
		    FIELDS_CREATE));
		json_add_bool(fo, "required_replace", field_required(f,
		    FIELDS_REPLACE));
		json_add_bool(fo, "nullable", f->flags & F_NULLABLE);
		if (f->type == FT_LIST)
			json_object_object_add(fo, "items",
			    fields_describe(f->items));
		json_object_array_add(a, fo);
	}
	json_object_object_add(o, "fields", a);
	return o;
}
