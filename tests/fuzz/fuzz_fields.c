/*
 * fuzz_fields.c -- the declared-fields decoders (app/handlers/fields.c)
 * over every real field set of the route table, as the handlers drive
 * them: a body through json_parse_object() then fields_from_json(), or an
 * urlencoded form through form_parse_urlencoded() then fields_from_form().
 * No database is involved: the decoders only fill the handler's struct.
 *
 * The first input byte picks the set, the second the mode (bit 0: create
 * or replace) and the decoder (bit 1: JSON or form); the rest is the body.
 * Invariants: -1 names the undeclared member; a list holds no more items
 * than its set allows; a string taken without an error is the member's
 * whole string (a "\u0000" must not cut it short silently).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "fields.h"
#include "form.h"
#include "fuzz.h"
#include "json.h"
#include "request.h"
#include "tmpl.h"

static void
check_lists(const struct field_set *set, const char *dst)
{
	const struct field	*f;
	size_t			 i, n;

	for (i = 0; i < set->nfields; i++) {
		f = &set->fields[i];
		if (f->type != FT_LIST)
			continue;
		memcpy(&n, dst + f->count_off, sizeof(n));
		if (f->items->max_items != 0 && n > f->items->max_items)
			fuzz_fail("list past its cap");
	}
}

static void
check_strings(const struct field_set *set, enum field_mode mode,
    struct json_object *obj, const char *dst, struct json_object *errors)
{
	const struct field	*f;
	struct json_object	*v;
	const char		*s;
	size_t			 i;

	for (i = 0; i < set->nfields; i++) {
		f = &set->fields[i];
		if (f->type != FT_STR ||
		    (f->flags & (mode == FIELDS_CREATE ? F_REPLACE_ONLY :
		    F_CREATE_ONLY)) ||
		    !json_object_object_get_ex(obj, f->name, &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    json_object_object_get_ex(errors, f->name, NULL))
			continue;
		memcpy(&s, dst + f->off, sizeof(s));
		if (s == NULL ||
		    strlen(s) != (size_t)json_object_get_string_len(v))
			fuzz_fail("a string taken short or not at all");
	}
}

static void
from_json(struct arena *a, const struct field_set *set, enum field_mode mode,
    const char *body, size_t len, char *dst)
{
	struct json_object	*obj, *errors;
	const char		*und = NULL;

	if (json_parse_object(a, body, len, BR_MAX_JSON_BODY,
	    BR_MAX_JSON_DEPTH, &obj, NULL) != JSON_OK)
		return;
	if ((errors = json_own(a, json_object_new_object())) == NULL)
		fuzz_fail("json_object_new_object");
	if (fields_from_json(a, set, mode, obj, dst, errors, &und) == -1) {
		if (und == NULL)
			fuzz_fail("-1 without the undeclared member");
		return;
	}
	check_lists(set, dst);
	check_strings(set, mode, obj, dst, errors);
}

static void
from_form(struct arena *a, const struct field_set *set, enum field_mode mode,
    const char *body, size_t len, char *dst)
{
	struct request	 r;
	struct tval	*errors;

	memset(&r, 0, sizeof(r));
	r.arena = a;
	if (form_parse_urlencoded(a, body, len, &r.form, NULL) != FORM_OK)
		return;
	if ((errors = tv_obj(a)) == NULL)
		fuzz_fail("tv_obj");
	fields_from_form(set, mode, &r, dst, errors);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	const struct field_set	*set;
	enum field_mode		 mode;
	char			*dst;
	int			 json;

	if (len < 2)
		return 0;
	set = field_sets[data[0] % nfield_sets];
	mode = (data[1] & 1) ? FIELDS_REPLACE : FIELDS_CREATE;
	json = (data[1] & 2) == 0;
	if ((dst = arena_calloc(a, 1, set->item_size)) == NULL)
		fuzz_fail("arena_calloc");
	if (json)
		from_json(a, set, mode, (const char *)data + 2, len - 2, dst);
	else
		from_form(a, set, mode, (const char *)data + 2, len - 2, dst);
	arena_reset(a);
	return 0;
}
