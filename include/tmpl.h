/*
 * tmpl.h -- HTML templates that escape by default.
 *
 * Templates are the *.html files of one directory, parsed once (in the
 * master, before fork, and again on reload) into an op list; rendering
 * never parses.  The context is a json-c tree, so a handler builds the same
 * data it would send as JSON.  Mustache-like syntax:
 *
 *   {{name}}          value, HTML-escaped (a.b.c walks objects; "." is the
 *                     current item).  null/absent renders nothing; numbers
 *                     and booleans render as json-c prints them.
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
 * Names are looked up from the innermost context outward.
 */
#ifndef TMPL_H
#define TMPL_H

#include <stddef.h>

#include <json-c/json.h>

struct buf;
struct tmpl_set;

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
 * unknown, a partial is missing, depth is exceeded, or out's cap is hit.
 */
int		 tmpl_render(const struct tmpl_set *, const char *name,
		    struct json_object *ctx, struct buf *out);

#endif /* TMPL_H */
