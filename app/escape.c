/*
 * escape.c -- escaping at the output boundary: HTML text and attribute
 * values, log lines and URL query values.
 *
 * Each function copies runs of bytes that need no escaping in one append,
 * so the common case costs one buf_append per run.  escape_html() escapes
 * the five characters that matter in both text and quoted attributes; it
 * does not validate UTF-8 (decoding did that at the input boundary).
 */
#include <stddef.h>

#include "buf.h"
#include "escape.h"

static const char hexdigits[] = "0123456789ABCDEF";

static const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

int
escape_html(struct buf *b, const char *s, size_t len)
{
	const char	*ent;
	size_t		 i, run = 0;

	for (i = 0; i < len; i++) {
		if ((ent = html_entity((unsigned char)s[i])) == NULL)
			continue;
		if (buf_append(b, s + run, i - run) == -1 ||
		    buf_puts(b, ent) == -1)
			return -1;
		run = i + 1;
	}
	return buf_append(b, s + run, len - run);
}

/* Bytes one input byte takes in escape_log() output. */
static size_t
log_width(unsigned char c)
{
	if (c == '\\' || c == '"')
		return 2;
	if (c < 0x20 || c > 0x7e)
		return 4;
	return 1;
}

static size_t
log_put(char *dst, unsigned char c)
{
	if (c == '\\' || c == '"') {
		dst[0] = '\\';
		dst[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c > 0x7e) {
		dst[0] = '\\';
		dst[1] = 'x';
		dst[2] = hexdigits[c >> 4];
		dst[3] = hexdigits[c & 0xf];
		return 4;
	}
	dst[0] = (char)c;
	return 1;
}

char *
escape_log(char *dst, size_t dstsz, const char *s)
{
	const unsigned char	*p;
	size_t			 need = 0, room, pos = 0, w;
	int			 trunc;

	if (dstsz == 0)
		return dst;
	if (s == NULL)
		s = "(null)";
	/* Decide first whether it all fits, so "..." is only used if not. */
	for (p = (const unsigned char *)s; *p != '\0' && need < dstsz; p++)
		need += log_width(*p);
	trunc = need >= dstsz;
	room = dstsz - 1;
	if (trunc)
		room = room > 3 ? room - 3 : 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		w = log_width(*p);
		if (w > room - pos)
			break;
		pos += log_put(dst + pos, *p);
	}
	if (trunc) {
		/* dstsz < 4 leaves room for only part of the marker. */
		for (w = 0; w < 3 && pos < dstsz - 1; w++)
			dst[pos++] = '.';
	}
	dst[pos] = '\0';
	return dst;
}

static int
url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

int
escape_url(struct buf *b, const char *s, size_t len)
{
	unsigned char	c;
	char		pct[3];
	size_t		i, run = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (url_unreserved(c))
			continue;
		pct[0] = '%';
		pct[1] = hexdigits[c >> 4];
		pct[2] = hexdigits[c & 0xf];
		if (buf_append(b, s + run, i - run) == -1 ||
		    buf_append(b, pct, sizeof(pct)) == -1)
			return -1;
		run = i + 1;
	}
	return buf_append(b, s + run, len - run);
}
