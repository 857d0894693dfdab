/*
 * fields.h -- declared input fields (Kore's params): each writable
 * resource declares its fields once, in a table of struct field, and both
 * the JSON decoder and the form decoder read requests through it.  A JSON
 * member the table does not declare is refused (400 naming it), so a typo
 * or a field from another version of the API never passes silently.
 *
 * A set names the OpenAPI request schemas it implements (one for create,
 * one for replace); `backroomd fields` prints every set and a test checks
 * them against app/data/openapi.json both ways.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct arena;
struct request;
struct tval;

enum field_type {
	FT_STR,		/* string of min..max bytes (max 0: no bound) */
	FT_INT,		/* whole number in min..max */
	FT_BOOL,	/* true / false; on a form, "1" or "0" */
	FT_ID,		/* id >= 1 (0 when absent or, F_NULLABLE, null) */
	FT_CENTS,	/* JSON: whole cents in min..max; form: "12.50" */
	FT_LIST		/* JSON array of objects of the set `items` */
};

#define F_REQUIRED	0x01	/* required on create and replace */
#define F_REPLACE	0x02	/* required on replace (PUT) only */
#define F_REPLACE_ONLY	0x04	/* declared on replace only (version) */
#define F_CREATE_ONLY	0x08	/* declared on create only */
#define F_NULLABLE	0x10	/* FT_ID: null means none (0) */
#define F_CHECKBOX	0x20	/* FT_BOOL on a form: absent is false */

struct field_set;

struct field {
	const char		*name;	/* JSON member */
	const char		*form;	/* form field; NULL: not on the form */
	enum field_type		 type;
	int			 flags;
	int64_t			 min, max;
	int64_t			 def;	/* default of a number or bool */
	const char		*sdef;	/* default of a string */
	const char		*msg;	/* a string out of bounds; NULL: a
					 * generic message */
	size_t			 off;	/* offsetof() in the target struct */
	size_t			 count_off; /* FT_LIST: offsetof() a size_t */
	const struct field_set	*items;	/* FT_LIST */
};

struct field_set {
	const char		*name;		/* for errors and the listing */
	const char		*create_schema;	/* OpenAPI name, or NULL */
	const char		*replace_schema; /* OpenAPI name, or NULL */
	const struct field	*fields;
	size_t			 nfields;
	size_t			 item_size;	/* a list item's struct size */
	size_t			 max_items;	/* a list's cap */
};

/* Table rows: a string (bounds in characters, its message), a number
 * or bool (FT_INT, FT_ID, FT_CENTS, FT_BOOL), a list of items. */
#define FIELD_STR(name, form, flags, min, max, sdef, msg, st, m)	\
	{ name, form, FT_STR, flags, min, max, 0, sdef, msg,		\
	    offsetof(st, m), 0, NULL }
#define FIELD_NUM(name, form, type, flags, min, max, def, st, m)	\
	{ name, form, type, flags, min, max, def, NULL, NULL,		\
	    offsetof(st, m), 0, NULL }
#define FIELD_LIST(name, flags, st, m, count_m, items)		\
	{ name, NULL, FT_LIST, flags, 0, 0, 0, NULL, NULL,		\
	    offsetof(st, m), offsetof(st, count_m), items }
#define FIELD_COUNT(tbl)	(sizeof(tbl) / sizeof((tbl)[0]))

enum field_mode { FIELDS_CREATE, FIELDS_REPLACE };

/* Every writable resource's set (app/handlers/routes.c). */
extern const struct field_set *const	field_sets[];
extern const size_t			nfield_sets;

/*
 * Reads obj's members into dst as set declares them.  Absent members get
 * their default (an error "required" when required in this mode); a
 * member of the wrong type or out of bounds is an error for its name in
 * errors; lists are allocated in the arena.  Returns 0 when obj has only
 * declared members (errors may still hold messages), or -1 with
 * *undeclared naming the first member the set does not declare (in this
 * mode): answer 400.
 */
int	fields_from_json(struct arena *, const struct field_set *,
	    enum field_mode, struct json_object *obj, void *dst,
	    struct json_object *errors, const char **undeclared);
/*
 * Reads the posted form's declared fields (those with a form name) into
 * dst; an empty number is absent, an empty string is a value (a blank
 * input).  Only F_REQUIRED and, on replace, F_REPLACE_ONLY fields are
 * required: a form posts every input, blank meaning empty or none.
 * Lists are not read here (forms spell them per page).  Errors by form
 * name, into the page's errors object (tmpl.h; h_form_invalid() tells).
 * Other form fields are ignored: a page carries its csrf and form_token
 * beside the data.
 */
void	fields_from_form(const struct field_set *, enum field_mode,
	    const struct request *, void *dst, struct tval *errors);
/* The declaration as JSON: {name, create, replace, fields: [{name, type,
 * required_create, required_replace, create, replace, nullable, min, max,
 * items}]}; a new object. */
struct json_object *fields_describe(const struct field_set *);

#endif /* FIELDS_H */
