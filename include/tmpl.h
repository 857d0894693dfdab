/*
 * tmpl.h -- HTML templates that escape by default.
 *
 * Templates are the *.html files of one directory, parsed once (in the
 * master, before fork, and again on reload) into an op list; rendering
 * never parses.  The context is a tree of struct tval (below) made in the
 * request arena: a page does not pay a json-c object per value (the JSON
 * API keeps json-c).  Mustache-like syntax:
 *
 *   {{name}}          value, HTML-escaped (a.b.c walks objects; "." is the
 *                     current item).  null/absent renders nothing; numbers
 *                     render as plain decimal integers (a double as
 *                     "%.17g"), booleans as true/false, as json-c
 *                     printed them.
 *   {{{name}}}        value without escaping -- the only raw form, so
 *                     `grep -n '{{{' app/templates` lists every raw output.
 *   {{#name}}..{{/name}}  section: array -> once per element (element
 *                     pushed as context); object -> once with it pushed;
 *                     true / non-empty string / non-zero number -> once;
 *                     false / null / absent / empty array / "" / 0 -> never.
 *   {{^name}}..{{/name}}  inverted: once exactly when {{#name}} would not.
 *   {{> other}}       includes template "other" (other.html) with the
 *                     current context; include depth is capped at 8.
 *   {{! comment }}    nothing.
 *
 * Names are looked up from the innermost context outward.  An object or
 * array used as {{value}} renders as its compact JSON text.
 *
 * Context values (struct tval): null, bool, int64, double, string
 * (pointer and length), array, object (a small list of key/value pairs,
 * in insertion order; setting a key again replaces its value).
 * Everything comes from the arena given to tv_obj()/tv_arr(), so nothing
 * is freed by hand: the arena's reset frees the whole tree.  Strings and
 * keys are NOT copied (tv_set_strdup() copies): they must be static or
 * arena memory, or at least outlive the render.
 *
 * Failures are sticky, never silent: a container whose insertion failed
 * (arena cap) or that was given a NULL child, key or string (a failed
 * constructor or arena_printf) is marked broken, and tmpl_render() fails
 * (-1) when it reads through a broken container, so a page cannot render
 * with a value missing.  Calls on a NULL container do nothing and return
 * -1; since the parent it is given to breaks, a builder need not check
 * each call.
 */
#ifndef TMPL_H
#define TMPL_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct tmpl_set;
struct tv_box;

enum tv_type { TV_NULL, TV_BOOL, TV_INT, TV_DBL, TV_STR, TV_ARR, TV_OBJ };

/* A context value; containers point to their (shared) storage, so a copy
 * of an array or object is the same array or object. */
struct tval {
	enum tv_type	 type;
	union {
		int		 b;
		int64_t		 i;
		double		 d;
		struct {
			const char	*s;
			size_t		 len;
		} str;
		struct tv_box	*box;
	} u;
};

/* A new empty object or array in the arena; NULL on ENOMEM. */
struct tval	*tv_obj(struct arena *);
struct tval	*tv_arr(struct arena *);
/* o[key] = value.  key is not copied (see above).  0, or -1 (o broken). */
int		 tv_set_tv(struct tval *o, const char *key,
		    const struct tval *v);
int		 tv_set_null(struct tval *o, const char *key);
int		 tv_set_bool(struct tval *o, const char *key, int v);
int		 tv_set_i64(struct tval *o, const char *key, int64_t v);
int		 tv_set_dbl(struct tval *o, const char *key, double v);
/* s not copied; NULL is a failure (o broken). */
int		 tv_set_str(struct tval *o, const char *key, const char *s);
int		 tv_set_strn(struct tval *o, const char *key, const char *s,
		    size_t len);
/* s copied into the arena; NULL is a failure. */
int		 tv_set_strdup(struct tval *o, const char *key, const char *s);
/* s not copied; NULL means null (an absent value, not a failure). */
int		 tv_set_opt(struct tval *o, const char *key, const char *s);
/* Appends v to array a; NULL v is a failure (a broken). */
int		 tv_push(struct tval *a, const struct tval *v);
/* o[key], or NULL when absent or o is not an object. */
const struct tval *tv_get(const struct tval *o, const char *key);
/* Members of an object or elements of an array (0 otherwise); the i-th
 * key (objects) and value. */
size_t		 tv_len(const struct tval *);
const char	*tv_key(const struct tval *o, size_t i);
const struct tval *tv_at(const struct tval *, size_t i);
/* A string value's bytes, or NULL when v is not a string. */
const char	*tv_cstr(const struct tval *v);
/* 1 unless a container is broken (see above); checks v, not its children. */
int		 tv_ok(const struct tval *v);

/*
 * Loads and parses every *.html file in dir; the template's name is the
 * file name without ".html".  Returns NULL on any error, with a message
 * "file:line: reason" in err (unclosed section, mismatched {{/x}}, unknown
 * partial, file too big, ...).  Caller frees with tmpl_set_free().
 */
struct tmpl_set	*tmpl_load_dir(const char *dir, char *err, size_t errsz);
/* Parses one template from memory (used by tests and by tmpl_load_dir).
 * Partials are resolved at render time against the set. */
struct tmpl_set	*tmpl_set_new(void);
int		 tmpl_set_add(struct tmpl_set *, const char *name,
		    const char *text, size_t len, char *err, size_t errsz);
void		 tmpl_set_free(struct tmpl_set *);
/* 1 if the set has a template of that name. */
int		 tmpl_exists(const struct tmpl_set *, const char *name);
/*
 * Renders template name with ctx (may be NULL) into out.  -1 if the name is
 * unknown, a partial is missing, depth is exceeded, out's cap is hit, or a
 * broken container is read; out is then as it was before the call.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    const struct tval *ctx, struct buf *out);

#endif /* TMPL_H */
