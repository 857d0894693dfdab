/*
 * hutil.h -- what the resource handlers share: reading a JSON body and its
 * typed fields with per-field errors, list parameters, and answering a
 * domain refusal as problem+json.
 */
#ifndef HUTIL_H
#define HUTIL_H

#include <stdint.h>

#include <json-c/json.h>

struct arena;
struct dom_error;
struct field_set;
struct request;
struct response;
struct tval;

/* Parses the JSON body, which must be an object.  0, or -1 having answered
 * 400/413/415. */
int	h_json_body(struct request *, struct response *);
/*
 * Decodes the JSON body (h_json_body() first) into dst as set declares it
 * for mode (fields.h; mode is an enum field_mode).  0 when every field is
 * good; else it has answered (400 naming a member set does not declare,
 * 422 with per-field errors, or 500) and returns -1.
 */
int	h_json_fields(struct request *, struct response *,
	    const struct field_set *, int mode, void *dst);
/* Answers 422 with errors when it holds any; 1 if it did.  errors is
 * the caller's (arena-owned); NULL (a failed json_own) answers 500. */
int	h_invalid(struct request *, struct response *, struct json_object *);
/* ?limit= (1..200, default 50) and ?cursor= (an id, default 0).  0, or -1
 * having answered 400. */
int	h_list_params(struct request *, struct response *, int64_t *limit,
	    int64_t *cursor);
/*
 * Answers a domain outcome: DOM_INVALID 422 (errors {field: message}),
 * DOM_NOT_FOUND 404, DOM_CONFLICT 409 (with err->details as "lines", and
 * extra, if not NULL, added as "current"); negative db_status 503/500.
 * err->details (the domain's) becomes arena-owned and is cleared; extra
 * is the caller's, arena-owned.
 */
void	h_dom_problem(struct request *, struct response *, int rv,
	    struct dom_error *, struct json_object *extra);
/*
 * items is the caller's, arena-owned.  The list envelope
 * {"items": items, "next_cursor": cursor or null}.
 */
void	h_list_json(struct response *, struct json_object *items,
	    int64_t next_cursor);
/* A JSON string, or null for NULL. */
struct json_object *h_jstr(const char *);
/* A JSON int from a text cell (NULL stays null). */
struct json_object *h_jint(const char *cell);
/* The {id} route parameter, or -1 having answered 404. */
int64_t	h_id_param(struct request *, struct response *, const char *what);

/* --- HTML forms --------------------------------------------------------- */

/* A form field's value, "" when absent. */
const char *h_field(const struct request *, const char *name);
/*
 * A whole-number field; "" is def (an error "required" when required).
 * errors is the page's object of field -> message (tmpl.h); a field's
 * first message stays.
 */
int	h_field_int(const struct request *, const char *name, int64_t min,
	    int64_t max, int64_t def, int required, int64_t *out,
	    struct tval *errors);
/* A money field "12.50" (at most two decimals) into cents. */
int	h_field_money(const struct request *, const char *name, int64_t *cents,
	    struct tval *errors);
/* Cents as "12.50" in the arena. */
const char *h_money(struct arena *, int64_t cents);
/* Every field of the posted form, to re-render what the user typed: a
 * page context object in the request's arena (NULL on ENOMEM). */
struct tval *h_form_echo(const struct request *);
/* 303 to location with a flash message code (middleware.c's table). */
void	h_redirect_flash(struct response *, const char *location,
	    const char *flash);
/* Renders template name with ctx (tmpl.h, in the arena); NULL (a failed
 * tv_obj) answers a plain 500. */
void	h_page(struct request *, struct response *, int status,
	    const char *name, struct tval *ctx);
/*
 * path?name=value&... with each value URL-encoded; empty or NULL values
 * are left out.  In the arena; NULL (logged) past BR_MAX_LINK bytes.
 */
const char *h_link(struct arena *, const char *path,
	    const char *const *names, const char *const *values, size_t n);
/*
 * A page's form error: errors[key] = msg unless key has one already (the
 * first message stays).  key or msg NULL (a failed arena_printf) breaks
 * errors, which h_form_invalid() then reports, so no failure passes as
 * valid.
 */
void	h_form_error(struct tval *errors, const char *key, const char *msg);
/* 1 if errors (NULL: ENOMEM) holds a message or is broken. */
int	h_form_invalid(const struct tval *errors);
/* Adds {field: message} of a domain refusal to a page's errors (field
 * NULL: "form"). */
void	h_dom_field(struct tval *errors, const struct dom_error *);
/*
 * A json-c value (the domain's refusal details) as a page context value
 * in a (strings and keys copied); NULL on ENOMEM or past depth (call with
 * 0).
 */
struct tval *h_tv_of_json(struct arena *a, struct json_object *j,
	    int depth);
/*
 * A domain refusal's details (err->details, taken: arena-owned and
 * cleared) as page context into *out (NULL when there are none).  0, or
 * -1 on ENOMEM.
 */
int	h_dom_details(struct arena *, struct dom_error *, struct tval **out);

/*
 * A JSON change: parses the body, takes the Idempotency-Key, reads the
 * body into arg as set declares it (h_json_fields()), then, if check is
 * not NULL, the rules the table cannot say (check returns arena-owned
 * errors; NULL on ENOMEM answers 500), and when all is valid runs
 * op(r, resp, arg) once per key through idem_run().  Each step answers
 * its own refusal.
 */
void	h_api_change(struct request *, struct response *,
	    const struct field_set *set,
	    struct json_object *(*check)(struct request *, void *),
	    int (*op)(struct request *, struct response *, void *),
	    void *arg);

#endif /* HUTIL_H */
