/*
 * buf.h -- a growable byte buffer with a hard cap (curl's dynbuf).
 *
 * Appending past the cap fails with -1 and leaves the buffer as it was;
 * truncation is never silent.  After the first append the data is always
 * NUL-terminated (data is NULL before it: use buf_cstr()).  A buf is
 * heap-backed so a worker can keep one across requests and only reset it.
 */
#ifndef BUF_H
#define BUF_H

#include "cdefs.h"

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;	/* allocated */
	size_t	 max;	/* hard cap on len */
};

void	buf_init(struct buf *, size_t max);
void	buf_free(struct buf *);
void	buf_reset(struct buf *);		/* len = 0, keeps memory */
int	buf_append(struct buf *, const void *, size_t) BR_CHECK;
int	buf_puts(struct buf *, const char *) BR_CHECK;
int	buf_putc(struct buf *, char) BR_CHECK;
int	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3))) BR_CHECK;
int	buf_vprintf(struct buf *, const char *, va_list) BR_CHECK;
/* The contents as a C string; "" for an empty, never-grown buf. */
const char *buf_cstr(const struct buf *);

#endif /* BUF_H */
