/*
 * etag.h -- weak entity tags for conditional GET.
 *
 * A handler feeds the typed result it is about to render (row versions,
 * and the values of rows without one) into an etag, before rendering.  If
 * the request's If-None-Match names the same tag, the answer is 304 with
 * no body and nothing is rendered.  The tag is FNV-1a (64 bits) over the
 * fed values: it changes whenever anything the answer shows changes, and
 * it says nothing a client could not read in the answer itself.
 */
#ifndef ETAG_H
#define ETAG_H

#include <stddef.h>
#include <stdint.h>

struct etag {
	uint64_t	h;
};

#define ETAG_LEN	(2 + 1 + 16 + 1 + 1)	/* W/"<16 hex>" NUL */

void	etag_init(struct etag *, const char *kind);
void	etag_i64(struct etag *, int64_t);
void	etag_bytes(struct etag *, const void *, size_t);
/* NULL is fed as distinct from "". */
void	etag_str(struct etag *, const char *);
/* The 16 hex digits alone (17 bytes with the NUL): static file names. */
void	etag_hex(const struct etag *, char out[17]);
/* W/"0123456789abcdef" into out (ETAG_LEN bytes). */
void	etag_format(const struct etag *, char *out);
/*
 * 1 when an If-None-Match value (NULL: absent) matches tag under the weak
 * comparison of RFC 9110 13.1.2: "*", or any listed tag whose opaque part
 * equals tag's, with or without W/.
 */
int	etag_match(const char *if_none_match, const char *tag);

#endif /* ETAG_H */
