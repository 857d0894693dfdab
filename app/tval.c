/*
 * tval.c -- the template context of tmpl.h: null, bool, int64, string,
 * array and object values made in the request arena.
 *
 * A page's context is built once and read once, so the containers are
 * the simplest that serve: an object is an array of key/value pairs
 * searched linearly (a page's objects hold a few dozen keys at most, and
 * keys are mostly the same string literals, compared by pointer first),
 * an array is an array of values.  Values are stored inline, so setting
 * a scalar allocates nothing unless the container grows; growth doubles
 * into new arena memory and leaves the old block to the arena's reset.
 *
 * An allocation that fails marks its container broken (struct tv_box),
 * which tmpl.c refuses to read: see tmpl.h.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "tmpl.h"

#define TV_OBJ_FIRST	8	/* pairs of a new object's first block */
#define TV_ARR_FIRST	8	/* elements of a new array's first block */

/* A container's storage: pairs (objects) or values (arrays). */
struct tv_box {
	struct arena	*arena;
	void		*ent;
	size_t		 n, cap;
	int		 broken;
};

struct tv_pair {
	const char	*key;
	struct tval	 val;
};

static struct tval *
tv_new(struct arena *a, enum tv_type type)
{
	struct tval	*v;
	struct tv_box	*b;

	if ((v = arena_alloc(a, sizeof(*v))) == NULL ||
	    (b = arena_alloc(a, sizeof(*b))) == NULL)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->arena = a;
	v->type = type;
	v->u.box = b;
	return v;
}

struct tval *
tv_obj(struct arena *a)
{
	return tv_new(a, TV_OBJ);
}

struct tval *
tv_arr(struct arena *a)
{
	return tv_new(a, TV_ARR);
}

/* Makes room for one more entry of size sz; -1 (box broken) on ENOMEM. */
static int
box_grow(struct tv_box *b, size_t sz, size_t first)
{
	void	*p;
	size_t	 ncap;

	if (b->n < b->cap)
		return 0;
	ncap = b->cap == 0 ? first : b->cap * 2;
	if (ncap > SIZE_MAX / 2 / sz ||
	    (p = arena_alloc(b->arena, ncap * sz)) == NULL) {
		b->broken = 1;
		return -1;
	}
	if (b->n > 0)
		memcpy(p, b->ent, b->n * sz);
	b->ent = p;
	b->cap = ncap;
	return 0;
}

/* The slot for key in o, new or existing; NULL (o broken) on failure. */
static struct tval *
obj_slot(struct tval *o, const char *key)
{
	struct tv_box	*b;
	struct tv_pair	*kv;
	size_t		 i;

	if (o == NULL || o->type != TV_OBJ)
		return NULL;
	b = o->u.box;
	if (key == NULL) {
		b->broken = 1;
		return NULL;
	}
	kv = b->ent;
	for (i = 0; i < b->n; i++)
		if (kv[i].key == key || strcmp(kv[i].key, key) == 0)
			return &kv[i].val;
	if (box_grow(b, sizeof(*kv), TV_OBJ_FIRST) == -1)
		return NULL;
	kv = b->ent;
	kv[b->n].key = key;
	return &kv[b->n++].val;
}

/* Marks o broken (a failed constructor given to it); -1. */
static int
obj_fail(struct tval *o)
{
	if (o != NULL && (o->type == TV_OBJ || o->type == TV_ARR))
		o->u.box->broken = 1;
	return -1;
}

int
tv_set_tv(struct tval *o, const char *key, const struct tval *v)
{
	struct tval	*slot;

	if (v == NULL)
		return obj_fail(o);
	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	*slot = *v;
	return 0;
}

int
tv_set_null(struct tval *o, const char *key)
{
	struct tval	*slot;

	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	slot->type = TV_NULL;
	return 0;
}

int
tv_set_bool(struct tval *o, const char *key, int v)
{
	struct tval	*slot;

	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	slot->type = TV_BOOL;
	slot->u.b = v != 0;
	return 0;
}

int
tv_set_i64(struct tval *o, const char *key, int64_t v)
{
	struct tval	*slot;

	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	slot->type = TV_INT;
	slot->u.i = v;
	return 0;
}

int
tv_set_dbl(struct tval *o, const char *key, double v)
{
	struct tval	*slot;

	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	slot->type = TV_DBL;
	slot->u.d = v;
	return 0;
}

int
tv_set_strn(struct tval *o, const char *key, const char *s, size_t len)
{
	struct tval	*slot;

	if (s == NULL)
		return obj_fail(o);
	if ((slot = obj_slot(o, key)) == NULL)
		return -1;
	slot->type = TV_STR;
	slot->u.str.s = s;
	slot->u.str.len = len;
	return 0;
}

int
tv_set_str(struct tval *o, const char *key, const char *s)
{
	return tv_set_strn(o, key, s, s != NULL ? strlen(s) : 0);
}

int
tv_set_strdup(struct tval *o, const char *key, const char *s)
{
	if (o == NULL || o->type != TV_OBJ)
		return -1;
	return tv_set_str(o, key, s != NULL ? arena_strdup(o->u.box->arena,
	    s) : NULL);
}

int
tv_set_opt(struct tval *o, const char *key, const char *s)
{
	return s != NULL ? tv_set_str(o, key, s) : tv_set_null(o, key);
}

int
tv_push(struct tval *a, const struct tval *v)
{
	struct tv_box	*b;
	struct tval	*vals;

	if (a == NULL || a->type != TV_ARR)
		return -1;
	b = a->u.box;
	if (v == NULL) {
		b->broken = 1;
		return -1;
	}
	if (box_grow(b, sizeof(*vals), TV_ARR_FIRST) == -1)
		return -1;
	vals = b->ent;
	vals[b->n++] = *v;
	return 0;
}

const struct tval *
tv_get(const struct tval *o, const char *key)
{
	const struct tv_pair	*kv;
	size_t			 i, n;

	if (o == NULL || o->type != TV_OBJ)
		return NULL;
	kv = o->u.box->ent;
	n = o->u.box->n;
	for (i = 0; i < n; i++)
		if (kv[i].key == key || strcmp(kv[i].key, key) == 0)
			return &kv[i].val;
	return NULL;
}

size_t
tv_len(const struct tval *v)
{
	if (v == NULL || (v->type != TV_OBJ && v->type != TV_ARR))
		return 0;
	return v->u.box->n;
}

const char *
tv_key(const struct tval *o, size_t i)
{
	if (o == NULL || o->type != TV_OBJ || i >= o->u.box->n)
		return NULL;
	return ((const struct tv_pair *)o->u.box->ent)[i].key;
}

const struct tval *
tv_at(const struct tval *v, size_t i)
{
	if (v == NULL || i >= tv_len(v))
		return NULL;
	if (v->type == TV_OBJ)
		return &((const struct tv_pair *)v->u.box->ent)[i].val;
	return &((const struct tval *)v->u.box->ent)[i];
}

const char *
tv_cstr(const struct tval *v)
{
	return v != NULL && v->type == TV_STR ? v->u.str.s : NULL;
}

int
tv_ok(const struct tval *v)
{
	return v == NULL || (v->type != TV_OBJ && v->type != TV_ARR) ||
	    !v->u.box->broken;
}
