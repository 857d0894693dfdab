/*
 * arena.c -- per-request memory (nginx's r->pool, simplified).
 *
 * Chunks are malloc'd and chained; the first chunk survives arena_reset()
 * so a worker serving small requests never calls malloc after warm-up.
 * Large allocations get a chunk of their own.  The cap counts bytes handed
 * out, so a hostile request cannot make a worker grow without bound.
 *
 * Under AddressSanitizer (make asan, the fuzz targets) free chunk space is
 * poisoned and every allocation is followed by a poisoned red zone of
 * ARENA_REDZONE bytes, so an overflow from one arena allocation into the
 * next, or a use after arena_reset(), is reported as it would be for
 * malloc.  Without ASan the macros are empty and ARENA_REDZONE is 0.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fault.h"

#define ARENA_CHUNK	(64 * 1024)
#define ARENA_ALIGN	16

#if defined(__SANITIZE_ADDRESS__)		/* gcc */
#define ARENA_ASAN	1
#elif defined(__has_feature)			/* clang */
#if __has_feature(address_sanitizer)
#define ARENA_ASAN	1
#endif
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE	ARENA_ALIGN
#define ARENA_POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_REDZONE	0
#define ARENA_POISON(p, n)	((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

struct chunk {
	struct chunk	*next;
	size_t		 size;
	size_t		 used;
	/* data follows, aligned */
};

struct cleanup {
	struct cleanup	*next;
	void		(*fn)(void *);
	void		*arg;
};

struct arena {
	struct chunk	*head;		/* current chunk */
	struct chunk	*first;		/* kept across resets */
	struct cleanup	*cleanups;
	size_t		 cap;
	size_t		 used;
};

#define CHUNK_HDR	((sizeof(struct chunk) + ARENA_ALIGN - 1) & \
			    ~(size_t)(ARENA_ALIGN - 1))

static struct chunk *
chunk_new(size_t size)
{
	struct chunk	*c;

	if (size > SIZE_MAX - CHUNK_HDR)
		return NULL;
	if ((c = malloc(CHUNK_HDR + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	ARENA_POISON((char *)c + CHUNK_HDR, size);
	return c;
}

struct arena *
arena_create(size_t cap)
{
	struct arena	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->first = chunk_new(ARENA_CHUNK)) == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	a->cap = cap;
	return a;
}

static void
arena_run_cleanups(struct arena *a)
{
	struct cleanup	*c;

	/* Hooks live in arena memory, so read next before running. */
	while ((c = a->cleanups) != NULL) {
		a->cleanups = c->next;
		c->fn(c->arg);
	}
}

void
arena_reset(struct arena *a)
{
	struct chunk	*c, *next;

	arena_run_cleanups(a);
	for (c = a->head; c != NULL && c != a->first; c = next) {
		next = c->next;
		free(c);
	}
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
	a->used = 0;
	ARENA_POISON((char *)a->first + CHUNK_HDR, a->first->size);
}

void
arena_destroy(struct arena *a)
{
	if (a == NULL)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct chunk	*c;
	size_t		 need, room, size;
	void		*p;

#ifdef BR_FAULTS
	if (fault_alloc_next())
		return NULL;
#endif
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ARENA_ALIGN - ARENA_REDZONE)
		return NULL;
	/* The cap counts what is handed out, red zone or not. */
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need > a->cap || a->used > a->cap - need)
		return NULL;
	room = need + ARENA_REDZONE;
	c = a->head;
	if (c->size - c->used < room) {
		size = room > ARENA_CHUNK ? room : ARENA_CHUNK;
		if ((c = chunk_new(size)) == NULL)
			return NULL;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c + CHUNK_HDR + c->used;
	c->used += room;
	a->used += need;
	ARENA_UNPOISON(p, n);
	return p;
}

void *
arena_calloc(struct arena *a, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if ((p = arena_alloc(a, n * size)) != NULL)
		memset(p, 0, n * size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p;

	if (len == SIZE_MAX || (p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	if (vsnprintf(p, (size_t)n + 1, fmt, ap) != n)
		p = NULL;
	va_end(ap);
	return p;
}

int
arena_cleanup_add(struct arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup	*c;

	if ((c = arena_alloc(a, sizeof(*c))) == NULL)
		return -1;
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->used;
}
