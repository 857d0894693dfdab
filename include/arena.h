/*
 * arena.h -- per-request memory.
 *
 * An arena hands out memory from large chunks and frees all of it at once in
 * arena_reset().  It has a cap: an allocation past it returns NULL, never
 * silently grows.  Cleanup hooks run (last added first) at reset, to release
 * what is not arena memory: result sets, json-c roots, temp files.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena;

/* Creates an arena that may hold up to cap bytes.  NULL on ENOMEM. */
struct arena	*arena_create(size_t cap);
void		 arena_destroy(struct arena *);
/* Frees every allocation and runs the cleanup hooks; keeps the first chunk. */
void		 arena_reset(struct arena *);
/* Aligned memory owned by the arena; NULL past the cap or on ENOMEM. */
void		*arena_alloc(struct arena *, size_t);
void		*arena_calloc(struct arena *, size_t n, size_t size);
char		*arena_strndup(struct arena *, const char *, size_t);
char		*arena_strdup(struct arena *, const char *);
/* printf into arena memory; NULL on error. */
char		*arena_printf(struct arena *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
/* Registers fn(arg) to run at the next reset.  -1 on ENOMEM. */
int		 arena_cleanup_add(struct arena *, void (*fn)(void *),
		    void *arg);
/* Bytes handed out since the last reset (for tests and status). */
size_t		 arena_used(const struct arena *);

#endif /* ARENA_H */
