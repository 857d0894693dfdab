/*
 * hutil.c -- see hutil.h.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "json.h"
#include "outcome.h"
#include "domain.h"
#include "escape.h"
#include "fields.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "session.h"
#include "str.h"
#include "tmpl.h"

int
h_json_body(struct request *r, struct response *resp)
{
	const char	*msg;
	int		 st;

	/* object_only: json.c refuses any other top level before json-c
	 * parses it ("The JSON body must be an object."). */
	if ((st = request_parse_json(r, 1, &msg)) != 0) {
		response_error(resp, r, st, msg != NULL ? msg :
		    "The JSON body could not be read.");
		return -1;
	}
	return 0;
}

void
h_form_error(struct tval *errors, const char *key, const char *msg)
{
	if (key == NULL || tv_get(errors, key) == NULL)
		tv_set_str(errors, key, msg);
}

int
h_form_invalid(const struct tval *errors)
{
	return errors == NULL || tv_len(errors) > 0 || !tv_ok(errors);
}

int
h_invalid(struct request *r, struct response *resp, struct json_object *errors)
{
	if (errors == NULL) {
		response_error(resp, r, 500, "Internal error.");
		return 1;
	}
	if (json_object_object_length(errors) == 0)
		return 0;
	response_problem(resp, 422, "Some fields are not valid.", errors);
	(void)r;
	return 1;
}

int
h_list_params(struct request *r, struct response *resp, int64_t *limit,
    int64_t *cursor)
{
	const char	*l = request_query(r, "limit");
	const char	*c = request_query(r, "cursor");

	*limit = 50;
	*cursor = 0;
	if (l != NULL && str_to_i64(l, 1, BR_MAX_PAGE_SIZE, limit) == -1) {
		response_error(resp, r, 400, "limit must be a number from 1 to "
		    "200.");
		return -1;
	}
	if (c != NULL && c[0] != '\0' && str_to_i64(c, 0, INT64_MAX, cursor)
	    == -1) {
		response_error(resp, r, 400, "cursor is not valid.");
		return -1;
	}
	return 0;
}

void
h_dom_problem(struct request *r, struct response *resp, int rv,
    struct dom_error *err, struct json_object *extra)
{
	struct json_object	*o, *errors, *details = err->details;
	int			 status;

	/* The domain's details become the request's: no path frees them. */
	err->details = NULL;
	if (details != NULL && json_own(r->arena, details) == NULL)
		details = NULL;
	if (rv < 0) {
		response_db_error(resp, r, rv);
		return;
	}
	status = rv == DOM_INVALID ? 422 : rv == DOM_NOT_FOUND ? 404 : 409;
	if ((o = json_own(r->arena, json_object_new_object())) == NULL) {
		response_error(resp, r, 500, "Internal error.");
		return;
	}
	json_add_str(o, "type", "about:blank");
	json_add_str(o, "title", response_status_text(status));
	json_object_object_add(o, "status", json_object_new_int(status));
	json_add_str(o, "detail",
	    err->message != NULL ? err->message : "Refused.");
	if (err->field != NULL && rv != DOM_NOT_FOUND) {
		errors = json_object_new_object();
		json_object_object_add(errors, err->field,
		    json_object_new_string(err->message));
		json_object_object_add(o, "errors", errors);
	}
	if (details != NULL)
		json_object_object_add(o, "lines", json_object_get(details));
	if (extra != NULL)
		json_object_object_add(o, "current", json_object_get(extra));
	response_json(resp, status, o);
	resp->content_type = "application/problem+json";
}

void
h_list_json(struct response *resp, struct json_object *items,
    int64_t next_cursor)
{
	struct json_object	*o;

	if (items == NULL ||
	    (o = json_own(resp->arena, json_object_new_object())) == NULL) {
		response_text(resp, 500, NULL, "Internal Server Error\n");
		return;
	}
	json_object_object_add(o, "items", json_object_get(items));
	json_object_object_add(o, "next_cursor", next_cursor > 0 ?
	    json_object_new_string(arena_printf(resp->arena, "%" PRId64,
	    next_cursor)) : NULL);
	response_json(resp, 200, o);
}

struct json_object *
h_jint(const char *cell)
{
	int64_t	v;

	if (cell == NULL || str_to_i64(cell, INT64_MIN, INT64_MAX, &v) == -1)
		return NULL;
	return json_object_new_int64(v);
}

int64_t
h_id_param(struct request *r, struct response *resp, const char *what)
{
	int64_t	id = request_param_id(r, "id");

	if (id <= 0)
		response_error(resp, r, 404, what);
	return id > 0 ? id : -1;
}

const char *
h_field(const struct request *r, const char *name)
{
	const char	*v = form_get(&r->form, name);

	return v != NULL ? v : "";
}

int
h_field_int(const struct request *r, const char *name, int64_t min,
    int64_t max, int64_t def, int required, int64_t *out,
    struct tval *errors)
{
	const char	*v = h_field(r, name);

	*out = def;
	if (v[0] == '\0') {
		if (required)
			h_form_error(errors, name, "This field is required.");
		return required ? -1 : 0;
	}
	if (str_to_i64(v, min, max, out) == -1) {
		h_form_error(errors, name, arena_printf(r->arena,
		    "Enter a whole number from %" PRId64 " to %" PRId64 ".",
		    min, max));
		*out = def;
		return -1;
	}
	return 0;
}

int
h_field_money(const struct request *r, const char *name, int64_t *cents,
    struct tval *errors)
{
	const char	*v = h_field(r, name), *dot;
	int64_t		 whole = 0, frac = 0;
	size_t		 nf;

	*cents = 0;
	if (v[0] == '\0')
		return 0;
	dot = strchr(v, '.');
	nf = dot != NULL ? strlen(dot + 1) : 0;
	if ((dot != NULL && (nf == 0 || nf > 2 || str_to_i64n(dot + 1, nf, 0,
	    99, &frac) == -1 || dot[1] == '-' || dot[1] == '+')) ||
	    str_to_i64n(v, dot != NULL ? (size_t)(dot - v) : strlen(v), 0,
	    BR_MAX_CENTS / 100, &whole) == -1 || v[0] == '-' || v[0] == '+') {
		h_form_error(errors, name, "Enter an amount like 12.50.");
		return -1;
	}
	if (nf == 1)
		frac *= 10;
	*cents = whole * 100 + frac;
	return 0;
}

const char *
h_money(struct arena *a, int64_t cents)
{
	return arena_printf(a, "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "",
	    (cents < 0 ? -cents : cents) / 100, (cents < 0 ? -cents : cents) %
	    100);
}

struct tval *
h_form_echo(const struct request *r)
{
	struct tval	*o = tv_obj(r->arena);
	size_t		 i;

	for (i = 0; i < r->form.nfields; i++)
		if (strcmp(r->form.fields[i].name, "csrf") != 0 &&
		    strcmp(r->form.fields[i].name, "form_token") != 0 &&
		    tv_get(o, r->form.fields[i].name) == NULL)
			tv_set_str(o, r->form.fields[i].name,
			    r->form.fields[i].value);
	return o;
}

void
h_redirect_flash(struct response *resp, const char *location,
    const char *flash)
{
	response_redirect(resp, location);
	/* The change is done: a flash that does not fit costs only the
	 * notice, so it is logged rather than turned into an error. */
	if (flash != NULL && response_cookie(resp, FLASH_COOKIE, flash, 60,
	    COOKIE_SECURE | COOKIE_HTTPONLY | COOKIE_SAMESITE_LAX) == -1)
		log_warn("flash %s not set", flash);
}

void
h_page(struct request *r, struct response *resp, int status,
    const char *name, struct tval *ctx)
{
	if (ctx == NULL)
		response_text(resp, 500, NULL, "Internal Server Error\n");
	else
		response_html(resp, r, status, name, ctx);
}

void
h_dom_field(struct tval *errors, const struct dom_error *err)
{
	h_form_error(errors, err->field != NULL ? err->field : "form",
	    err->message != NULL ? err->message : "Refused.");
}

struct tval *
h_tv_of_json(struct arena *a, struct json_object *j, int depth)
{
	struct tval	*v, *c;
	size_t		 i, n;

	if (depth > BR_MAX_JSON_DEPTH)
		return NULL;
	switch (json_object_get_type(j)) {
	case json_type_object:
		if ((v = tv_obj(a)) == NULL)
			return NULL;
		json_object_object_foreach(j, key, val)
			if ((c = h_tv_of_json(a, val, depth + 1)) == NULL ||
			    tv_set_tv(v, arena_strdup(a, key), c) == -1)
				return NULL;
		return v;
	case json_type_array:
		if ((v = tv_arr(a)) == NULL)
			return NULL;
		n = json_object_array_length(j);
		for (i = 0; i < n; i++)
			if ((c = h_tv_of_json(a, json_object_array_get_idx(j,
			    i), depth + 1)) == NULL || tv_push(v, c) == -1)
				return NULL;
		return v;
	default:
		break;
	}
	if ((v = arena_alloc(a, sizeof(*v))) == NULL)
		return NULL;
	switch (json_object_get_type(j)) {
	case json_type_boolean:
		v->type = TV_BOOL;
		v->u.b = json_object_get_boolean(j);
		return v;
	case json_type_int:
		v->type = TV_INT;
		v->u.i = json_object_get_int64(j);
		return v;
	case json_type_string:
		v->type = TV_STR;
		v->u.str.s = arena_strndup(a, json_object_get_string(j),
		    (size_t)json_object_get_string_len(j));
		v->u.str.len = (size_t)json_object_get_string_len(j);
		return v->u.str.s != NULL ? v : NULL;
	case json_type_double:
		v->type = TV_DBL;
		v->u.d = json_object_get_double(j);
		return v;
	case json_type_null:
	default:
		v->type = TV_NULL;
		return v;
	}
}

int
h_dom_details(struct arena *a, struct dom_error *err, struct tval **out)
{
	struct json_object	*d = err->details;

	/* The domain's details become the request's: no path frees them. */
	err->details = NULL;
	*out = NULL;
	if (d == NULL)
		return 0;
	if (json_own(a, d) == NULL ||
	    (*out = h_tv_of_json(a, d, 0)) == NULL)
		return -1;
	return 0;
}

struct json_object *
h_jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

const char *
h_link(struct arena *a, const char *path, const char *const *names,
    const char *const *values, size_t n)
{
	struct buf	 b;
	const char	*out = NULL;
	size_t		 i;
	int		 rc;

	buf_init(&b, BR_MAX_LINK);
	rc = buf_puts(&b, path);
	for (i = 0; i < n && rc == 0; i++) {
		if (values[i] == NULL || values[i][0] == '\0')
			continue;
		rc = buf_printf(&b, "%c%s=", b.len == strlen(path) ? '?' : '&',
		    names[i]);
		if (rc == 0)
			rc = escape_url(&b, values[i], strlen(values[i]));
	}
	if (rc == 0)
		out = arena_strdup(a, buf_cstr(&b));
	else
		log_warn("a link to %s is longer than %d bytes", path,
		    BR_MAX_LINK);
	buf_free(&b);
	return out;
}

int
h_json_fields(struct request *r, struct response *resp,
    const struct field_set *set, int mode, void *dst)
{
	struct json_object	*errors;
	const char		*und;

	if ((errors = json_own(r->arena, json_object_new_object())) == NULL) {
		response_error(resp, r, 500, "Out of memory.");
		return -1;
	}
	if (fields_from_json(r->arena, set, (enum field_mode)mode, r->json, dst,
	    errors, &und) == -1) {
		response_error(resp, r, 400, arena_printf(r->arena, "%s is not "
		    "a field of this request.", und));
		return -1;
	}
	return h_invalid(r, resp, errors) ? -1 : 0;
}

void
h_api_change(struct request *r, struct response *resp,
    const struct field_set *set,
    struct json_object *(*check)(struct request *, void *),
    int (*op)(struct request *, struct response *, void *), void *arg)
{
	const char	*key;

	if (h_json_body(r, resp) == 0 && idem_api_key(r, resp, &key) == 0 &&
	    h_json_fields(r, resp, set, FIELDS_CREATE, arg) == 0 &&
	    (check == NULL || !h_invalid(r, resp, check(r, arg))))
		idem_run(r, resp, key, op, NULL, arg);
}
