/*
 * escape.h -- escaping at the output boundary.
 *
 * HTML escaping is what templates do by default; log escaping is what every
 * untrusted byte goes through before it is written to a log line.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include <stddef.h>

struct buf;

/*
 * Appends s[0..len) to b with & < > " ' escaped as entities (&amp; &lt;
 * &gt; &quot; &#39;).  Other bytes pass through.  -1 if b's cap is hit.
 */
int	escape_html(struct buf *b, const char *s, size_t len);
/*
 * Writes a printable, single-line copy of s into dst (size dstsz, always
 * NUL-terminated when dstsz > 0): bytes outside 0x20..0x7e, and '\\' and
 * '"', become \xNN (or \\ and \").  A copy that does not fit ends in "...".
 * Returns dst, so it can be used directly as a printf argument.
 */
char	*escape_log(char *dst, size_t dstsz, const char *s);
/*
 * Appends s percent-encoded for use in a URL query value (unreserved bytes
 * A-Z a-z 0-9 - . _ ~ pass, everything else is %XX).  -1 on cap.
 */
int	escape_url(struct buf *b, const char *s, size_t len);

#endif /* ESCAPE_H */
