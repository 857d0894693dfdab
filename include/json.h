/*
 * json.h -- the only module that knows json-c's parser and serializer
 * settings.  Handlers build json_object trees with json-c's public
 * constructors; this module parses request bodies with caps and turns trees
 * into bytes.
 */
#ifndef JSON_H
#define JSON_H

#include "cdefs.h"

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct arena;
struct buf;

enum json_status {
	JSON_OK = 0,
	JSON_EMALFORMED,	/* not JSON, trailing garbage, bad UTF-8 */
	JSON_ETOODEEP,		/* nesting past max_depth */
	JSON_ETOOBIG,		/* len past max_len, or too many values */
	JSON_ENOMEM,
	JSON_ENOTOBJECT		/* json_parse_object(): not an object */
};

/*
 * Parses body[0..len) strictly (json-c strict mode, whole input consumed,
 * valid UTF-8).  max_len and max_depth are capped by BR_MAX_JSON_BODY and
 * BR_MAX_JSON_DEPTH, the number of values by BR_MAX_JSON_VALUES (checked
 * before json-c allocates anything).  On success *out is the root, owned
 * by the arena (put at its reset).  On failure *out is NULL and *msg (if
 * msg != NULL) points to a static description suitable for a
 * problem+json "detail".
 */
enum json_status json_parse_body(struct arena *, const char *body, size_t len,
		    size_t max_len, int max_depth, struct json_object **out,
		    const char **msg);
/* The same for a body that must be an object: anything else is
 * JSON_ENOTOBJECT, refused before json-c runs. */
enum json_status json_parse_object(struct arena *, const char *body,
		    size_t len, size_t max_len, int max_depth,
		    struct json_object **out, const char **msg);
/* Makes the arena put obj at its reset; returns obj (NULL if obj NULL or
 * on ENOMEM, in which case obj has been put already). */
struct json_object *json_own(struct arena *, struct json_object *obj);
/* Appends the compact serialization of obj to b.  -1 on cap. */
int		 json_to_buf(struct buf *b, struct json_object *obj) BR_CHECK;
/* Typed getters: 0 and the value, or -1 if absent or of the wrong type. */
int		 json_get_string(struct json_object *, const char *key,
		    const char **out);
int		 json_get_int64(struct json_object *, const char *key,
		    int64_t *out);
int		 json_get_bool(struct json_object *, const char *key, int *out);
/* o[key] = a new int64, string (s not NULL) or boolean: json-c's
 * json_object_object_add() of json_object_new_*(), in one call. */
void		 json_add_i64(struct json_object *, const char *key, int64_t);
void		 json_add_str(struct json_object *, const char *key,
		    const char *s);
void		 json_add_bool(struct json_object *, const char *key, int);

#endif /* JSON_H */
