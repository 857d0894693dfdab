/*
 * etag.c -- weak entity tags (see etag.h).
 */
#include <stdio.h>
#include <string.h>

#include "etag.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

void
etag_bytes(struct etag *e, const void *p, size_t n)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		e->h ^= b[i];
		e->h *= FNV_PRIME;
	}
}

void
etag_init(struct etag *e, const char *kind)
{
	e->h = FNV_OFFSET;
	etag_str(e, kind);
}

void
etag_i64(struct etag *e, int64_t v)
{
	unsigned char	b[8];
	int		i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)((uint64_t)v >> (8 * i));
	etag_bytes(e, b, sizeof(b));
}

void
etag_str(struct etag *e, const char *s)
{
	unsigned char	tag = s == NULL ? 0 : 1;
	size_t		len;

	etag_bytes(e, &tag, 1);
	if (s == NULL)
		return;
	/* The length first, so "ab","c" and "a","bc" differ. */
	len = strlen(s);
	etag_i64(e, (int64_t)len);
	etag_bytes(e, s, len);
}

void
etag_format(const struct etag *e, char *out)
{
	snprintf(out, ETAG_LEN, "W/\"%016llx\"", (unsigned long long)e->h);
}

void
etag_hex(const struct etag *e, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)e->h);
}

/* The opaque part of tag ("..." after an optional W/). */
static const char *
opaque(const char *t, size_t *len)
{
	const char	*end;

	if (strncmp(t, "W/", 2) == 0)
		t += 2;
	if (*t != '"' || (end = strchr(t + 1, '"')) == NULL)
		return NULL;
	*len = (size_t)(end - t) + 1;
	return t;
}

int
etag_match(const char *inm, const char *tag)
{
	const char	*want, *p, *o;
	size_t		 wlen, olen;

	if (inm == NULL || (want = opaque(tag, &wlen)) == NULL)
		return 0;
	for (p = inm; *p != '\0'; ) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		if (*p == '*')
			return 1;
		if ((o = opaque(p, &olen)) == NULL)
			return 0;	/* malformed: no match */
		if (olen == wlen && memcmp(o, want, wlen) == 0)
			return 1;
		p = o + olen;
	}
	return 0;
}
