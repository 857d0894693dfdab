/*
 * form.c -- decoding of urlencoded forms and query strings,
 * multipart/form-data bodies and Cookie headers into arena-owned fields.
 *
 * Every decoded name and value is checked before it is stored: lengths
 * against bounds.h, control bytes, and UTF-8 (shortest form, no
 * surrogates, at most U+10FFFF).  The field array grows by doubling inside
 * the arena; the copies it leaves behind are bounded by the final size.
 * On any error the output form is left empty, never half-filled.
 *
 * Multipart caveats: lines must end in CRLF; quoted header parameters are
 * taken literally up to the next '"' (browsers percent-encode quotes in
 * names, and old ones send Windows paths whose backslashes must survive),
 * names and filenames are not decoded, and "filename*" is ignored.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "escape.h"
#include "form.h"
#include "str.h"

#define ERRFIELD_MAX	64	/* bytes of *errfield, see form.h */
#define MP_BOUNDARY_MAX	70	/* RFC 2046 */

/* A form being filled, with the array's capacity and its field limit. */
struct form_fill {
	struct arena	*a;
	struct form	*f;
	size_t		 cap;
	size_t		 max;
};

/* A byte range of the input. */
struct span {
	const char	*p;
	size_t		 len;
};

static const char *const form_errors[] = {
	[FORM_OK] = "success",
	[FORM_EMALFORMED] = "malformed form data",
	[FORM_ECONTROL] = "control byte or invalid UTF-8 in form data",
	[FORM_ETOOMANY] = "too many form fields",
	[FORM_ETOOLONG] = "form field name or value too long",
	[FORM_ENOMEM] = "out of memory decoding form data",
};

/* Empties out; every parser does this first and again on any error. */
static void
form_clear(struct form *out)
{
	out->fields = NULL;
	out->nfields = 0;
}

static void
fill_init(struct form_fill *ff, struct arena *a, struct form *out,
    size_t max)
{
	ff->a = a;
	ff->f = out;
	ff->cap = 0;
	ff->max = max;
	form_clear(out);
}

/* Appends a zeroed field; ETOOMANY past the fill's limit. */
static enum form_status
fill_add(struct form_fill *ff, struct form_field **fp)
{
	struct form_field	*nf;
	size_t			 ncap;

	if (ff->f->nfields >= ff->max)
		return FORM_ETOOMANY;
	if (ff->f->nfields == ff->cap) {
		ncap = ff->cap == 0 ? 8 : ff->cap * 2;
		if (ncap > ff->max)
			ncap = ff->max;
		if ((nf = arena_calloc(ff->a, ncap, sizeof(*nf))) == NULL)
			return FORM_ENOMEM;
		if (ff->f->nfields > 0)
			memcpy(nf, ff->f->fields,
			    ff->f->nfields * sizeof(*nf));
		ff->f->fields = nf;
		ff->cap = ncap;
	}
	*fp = &ff->f->fields[ff->f->nfields++];
	memset(*fp, 0, sizeof(**fp));
	return FORM_OK;
}

/* 1 if s[0..len) is well-formed UTF-8 (RFC 3629). */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	unsigned int	cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1, cp = s[i] & 0x1f, min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2, cp = s[i] & 0x0f, min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3, cp = s[i] & 0x07, min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* 1 if s has no control byte; TAB, CR and LF pass when textarea is set. */
static int
no_control(const char *s, size_t len, int textarea)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		if (textarea && (c == '\t' || c == '\r' || c == '\n'))
			continue;
		return 0;
	}
	return 1;
}

/* The control byte and UTF-8 rules of form.h for a decoded string. */
static enum form_status
check_text(const char *s, size_t len, int textarea)
{
	if (!no_control(s, len, textarea) ||
	    !utf8_valid((const unsigned char *)s, len))
		return FORM_ECONTROL;
	return FORM_OK;
}

static void
set_errfield(struct arena *a, const char **errfield, const char *name)
{
	char	*p;

	if (errfield == NULL)
		return;
	*errfield = "";
	if (name == NULL || (p = arena_alloc(a, ERRFIELD_MAX + 1)) == NULL)
		return;
	*errfield = escape_log(p, ERRFIELD_MAX + 1, name);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..len) into a new NUL-terminated arena string of at
 * most max bytes.  The buffer is sized by the smaller of len and max, so
 * an overlong value costs no more than its cap.
 */
static enum form_status
url_decode(struct arena *a, const char *s, size_t len, size_t max,
    char **out, size_t *outlen)
{
	char	*d;
	size_t	 i, o = 0;
	int	 hi, lo;

	if ((d = arena_alloc(a, (len < max ? len : max) + 1)) == NULL)
		return FORM_ENOMEM;
	for (i = 0; i < len; i++) {
		if (o == max)
			return FORM_ETOOLONG;
		if (s[i] == '+')
			d[o++] = ' ';
		else if (s[i] != '%')
			d[o++] = s[i];
		else {
			if (len - i < 3 || (hi = hexval(s[i + 1])) == -1 ||
			    (lo = hexval(s[i + 2])) == -1)
				return FORM_EMALFORMED;
			d[o++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	d[o] = '\0';
	*out = d;
	*outlen = o;
	return FORM_OK;
}

/* Decodes one non-empty "name=value" pair and adds it. */
static enum form_status
urlenc_pair(struct form_fill *ff, const char *s, size_t len,
    const char **errfield)
{
	struct form_field	*fld;
	const char		*eq;
	char			*name, *value;
	size_t			 raw, nlen, vlen;
	enum form_status	 st;

	eq = memchr(s, '=', len);
	raw = eq != NULL ? (size_t)(eq - s) : len;
	st = url_decode(ff->a, s, raw, BR_MAX_FIELD_NAME, &name, &nlen);
	if (st == FORM_OK)
		st = check_text(name, nlen, 0);
	if (st != FORM_OK) {
		set_errfield(ff->a, errfield, NULL);
		return st;
	}
	if (eq != NULL)
		st = url_decode(ff->a, eq + 1, len - raw - 1,
		    BR_MAX_FIELD_VALUE, &value, &vlen);
	else
		st = url_decode(ff->a, "", 0, BR_MAX_FIELD_VALUE, &value,
		    &vlen);
	if (st == FORM_OK)
		st = check_text(value, vlen, 1);
	if (st == FORM_OK && (st = fill_add(ff, &fld)) == FORM_OK) {
		fld->name = name;
		fld->value = value;
		fld->value_len = vlen;
	}
	if (st != FORM_OK)
		set_errfield(ff->a, errfield, name);
	return st;
}

enum form_status
form_parse_urlencoded(struct arena *a, const char *s, size_t len,
    struct form *out, const char **errfield)
{
	struct form_fill	 ff;
	const char		*end, *amp;
	size_t			 n;
	enum form_status	 st;

	fill_init(&ff, a, out, BR_MAX_FIELDS);
	if (errfield != NULL)
		*errfield = "";
	if (len == 0)
		return FORM_OK;
	end = s + len;
	while (s < end) {
		amp = memchr(s, '&', (size_t)(end - s));
		n = (size_t)((amp != NULL ? amp : end) - s);
		if (n > 0 && (st = urlenc_pair(&ff, s, n, errfield)) !=
		    FORM_OK) {
			form_clear(out);
			return st;
		}
		s += n + (amp != NULL);
	}
	return FORM_OK;
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static struct span
span_trim(const char *p, size_t len)
{
	struct span	sp;

	while (len > 0 && is_ows(*p))
		p++, len--;
	while (len > 0 && is_ows(p[len - 1]))
		len--;
	sp.p = p;
	sp.len = len;
	return sp;
}

/* 1 if the span equals the ASCII word w, ignoring case. */
static int
span_is(struct span sp, const char *w)
{
	return sp.len == strlen(w) && str_ncasecmp(sp.p, w, sp.len) == 0;
}

/*
 * Finds parameter want in "; a=b; c=\"d\"" (the part of a header value
 * after its first word).  1 and *val if found, 0 if not, -1 if malformed.
 */
static int
hdr_param(const char *s, size_t len, const char *want, struct span *val)
{
	const char	*end = s + len, *np;
	struct span	 name;

	for (;;) {
		while (s < end && (is_ows(*s) || *s == ';'))
			s++;
		if (s == end)
			return 0;
		for (np = s; s < end && *s != '=' && *s != ';'; s++)
			;
		name = span_trim(np, (size_t)(s - np));
		if (s == end || *s == ';')
			continue;
		for (s++; s < end && is_ows(*s); s++)
			;
		if (s < end && *s == '"') {
			val->p = ++s;
			while (s < end && *s != '"')
				s++;
			if (s == end)
				return -1;
			val->len = (size_t)(s++ - val->p);
		} else {
			for (val->p = s; s < end && *s != ';' && !is_ows(*s);
			    s++)
				;
			val->len = (size_t)(s - val->p);
		}
		if (span_is(name, want))
			return 1;
	}
}

/* Extracts the boundary from a multipart/form-data Content-Type. */
static enum form_status
mp_boundary(const char *ct, struct span *b)
{
	static const char	 type[] = "multipart/form-data";
	size_t			 i, tlen = sizeof(type) - 1;

	if (ct == NULL)
		return FORM_EMALFORMED;
	while (is_ows(*ct))
		ct++;
	if (str_ncasecmp(ct, type, tlen) != 0)
		return FORM_EMALFORMED;
	ct += tlen;
	if (*ct != '\0' && *ct != ';' && !is_ows(*ct))
		return FORM_EMALFORMED;
	if (hdr_param(ct, strlen(ct), "boundary", b) != 1)
		return FORM_EMALFORMED;
	if (b->len == 0 || b->len > MP_BOUNDARY_MAX)
		return FORM_EMALFORMED;
	for (i = 0; i < b->len; i++)
		if (b->p[i] < 0x20 || b->p[i] > 0x7e || b->p[i] == '"' ||
		    b->p[i] == '\\')
			return FORM_EMALFORMED;
	return FORM_OK;
}

/* The headers of one part that matter to us. */
struct mp_headers {
	struct span	disp;		/* Content-Disposition value */
	struct span	type;		/* Content-Type value */
	int		has_disp;
	int		has_type;
};

/* Splits a part's header block (CRLF-separated lines) into h. */
static enum form_status
mp_headers(const char *s, size_t len, struct mp_headers *h)
{
	const char	*end = s + len, *eol, *colon;
	struct span	 name, val;

	memset(h, 0, sizeof(*h));
	while (s < end) {
		eol = memmem(s, (size_t)(end - s), "\r\n", 2);
		if (eol == NULL)
			eol = end;
		colon = memchr(s, ':', (size_t)(eol - s));
		if (colon == NULL || is_ows(*s))
			return FORM_EMALFORMED;
		name = span_trim(s, (size_t)(colon - s));
		val = span_trim(colon + 1, (size_t)(eol - colon - 1));
		if (!no_control(val.p, val.len, 0))
			return FORM_ECONTROL;
		if (span_is(name, "Content-Disposition")) {
			if (h->has_disp++)
				return FORM_EMALFORMED;
			h->disp = val;
		} else if (span_is(name, "Content-Type")) {
			if (h->has_type++)
				return FORM_EMALFORMED;
			h->type = val;
		}
		if (eol == end)
			break;
		s = eol + 2;
	}
	return FORM_OK;
}

/* Fills fld's name, filename and content type from the part headers. */
static enum form_status
mp_describe(struct arena *a, const struct mp_headers *h,
    struct form_field *fld)
{
	struct span	word, name, fname;
	const char	*semi;
	int		hasfile;

	if (!h->has_disp)
		return FORM_EMALFORMED;
	semi = memchr(h->disp.p, ';', h->disp.len);
	word = span_trim(h->disp.p,
	    semi != NULL ? (size_t)(semi - h->disp.p) : h->disp.len);
	if (!span_is(word, "form-data") || semi == NULL)
		return FORM_EMALFORMED;
	if (hdr_param(semi, h->disp.len - (size_t)(semi - h->disp.p), "name",
	    &name) != 1)
		return FORM_EMALFORMED;
	if (name.len > BR_MAX_FIELD_NAME)
		return FORM_ETOOLONG;
	if (check_text(name.p, name.len, 0) != FORM_OK)
		return FORM_ECONTROL;
	if ((fld->name = arena_strndup(a, name.p, name.len)) == NULL)
		return FORM_ENOMEM;
	hasfile = hdr_param(semi, h->disp.len - (size_t)(semi - h->disp.p),
	    "filename", &fname);
	if (hasfile == -1)
		return FORM_EMALFORMED;
	if (hasfile == 1) {
		if (check_text(fname.p, fname.len, 0) != FORM_OK)
			return FORM_ECONTROL;
		fld->filename = arena_strndup(a, fname.p, fname.len);
		if (fld->filename == NULL)
			return FORM_ENOMEM;
	}
	if (h->has_type && (fld->content_type = arena_strndup(a, h->type.p,
	    h->type.len)) == NULL)
		return FORM_ENOMEM;
	return FORM_OK;
}

/*
 * Decodes one part (headers, blank line, content) into tmp and adds it.
 * tmp->name is set as soon as it is known, for the caller's errfield.
 */
static enum form_status
mp_part(struct form_fill *ff, const char *s, size_t len,
    struct form_field *tmp)
{
	struct mp_headers	 h;
	struct form_field	*fld;
	const char		*hend, *v;
	size_t			 hlen, vlen;
	enum form_status	 st;

	if (len >= 2 && memcmp(s, "\r\n", 2) == 0)
		return FORM_EMALFORMED;		/* no headers at all */
	if ((hend = memmem(s, len, "\r\n\r\n", 4)) == NULL)
		return FORM_EMALFORMED;
	if ((hlen = (size_t)(hend - s)) > BR_MAX_HEADER)
		return FORM_EMALFORMED;
	if ((st = mp_headers(s, hlen, &h)) != FORM_OK)
		return st;
	if ((st = mp_describe(ff->a, &h, tmp)) != FORM_OK)
		return st;
	v = hend + 4;
	vlen = len - hlen - 4;
	if (tmp->filename == NULL) {
		if (vlen > BR_MAX_FIELD_VALUE)
			return FORM_ETOOLONG;
		if ((st = check_text(v, vlen, 1)) != FORM_OK)
			return st;
	}
	if ((tmp->value = arena_strndup(ff->a, v, vlen)) == NULL)
		return FORM_ENOMEM;
	tmp->value_len = vlen;
	if ((st = fill_add(ff, &fld)) != FORM_OK)
		return st;
	*fld = *tmp;
	return FORM_OK;
}

/*
 * Returns the end of the first delimiter line ("--boundary" at the start
 * of the body or of a line), or NULL.  The preamble before it is ignored.
 */
static const char *
mp_first(const char *body, size_t len, const char *delim, size_t dlen)
{
	const char	*p;

	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		return body + dlen - 2;
	if ((p = memmem(body, len, delim, dlen)) == NULL)
		return NULL;
	return p + dlen;
}

enum form_status
form_parse_multipart(struct arena *a, const char *content_type,
    const char *body, size_t len, struct form *out, const char **errfield)
{
	struct form_fill	 ff;
	struct form_field	 tmp;
	struct span		 b;
	char			*delim;
	const char		*p, *end, *next;
	size_t			 dlen;
	enum form_status	 st;

	fill_init(&ff, a, out, BR_MAX_FIELDS);
	set_errfield(a, errfield, NULL);
	if ((st = mp_boundary(content_type, &b)) != FORM_OK)
		return st;
	if (len == 0)
		return FORM_EMALFORMED;
	end = body + len;
	/* The delimiter proper is CRLF "--" boundary (RFC 2046 5.1.1). */
	if ((delim = arena_printf(a, "\r\n--%.*s", (int)b.len, b.p)) == NULL)
		return FORM_ENOMEM;
	dlen = b.len + 4;
	if ((p = mp_first(body, len, delim, dlen)) == NULL)
		return FORM_EMALFORMED;
	for (;;) {
		if (end - p >= 2 && memcmp(p, "--", 2) == 0)
			return FORM_OK;		/* close delimiter */
		while (p < end && is_ows(*p))
			p++;
		if (end - p < 2 || memcmp(p, "\r\n", 2) != 0)
			break;
		p += 2;
		/* The CRLF before the next delimiter belongs to it. */
		next = memmem(p, (size_t)(end - p), delim, dlen);
		if (next == NULL)
			break;
		memset(&tmp, 0, sizeof(tmp));
		if ((st = mp_part(&ff, p, (size_t)(next - p), &tmp)) !=
		    FORM_OK) {
			form_clear(out);
			set_errfield(a, errfield, tmp.name);
			return st;
		}
		p = next + dlen;
	}
	form_clear(out);
	return FORM_EMALFORMED;
}

/* Adds one "name=value" cookie pair, quotes and spaces removed. */
static enum form_status
cookie_pair(struct form_fill *ff, const char *s, size_t len)
{
	struct form_field	*fld;
	struct span		 name, val;
	const char		*eq;
	enum form_status	 st;

	if ((eq = memchr(s, '=', len)) == NULL)
		return FORM_OK;
	name = span_trim(s, (size_t)(eq - s));
	val = span_trim(eq + 1, (size_t)(s + len - eq - 1));
	if (name.len == 0)
		return FORM_OK;
	if (val.len >= 2 && val.p[0] == '"' && val.p[val.len - 1] == '"') {
		val.p++;
		val.len -= 2;
	}
	if ((st = fill_add(ff, &fld)) != FORM_OK)
		return st;
	fld->name = arena_strndup(ff->a, name.p, name.len);
	fld->value = arena_strndup(ff->a, val.p, val.len);
	fld->value_len = val.len;
	if (fld->name == NULL || fld->value == NULL)
		return FORM_ENOMEM;
	return FORM_OK;
}

enum form_status
form_parse_cookies(struct arena *a, const char *header, struct form *out)
{
	struct form_fill	 ff;
	const char		*semi;
	size_t			 n;
	enum form_status	 st;

	fill_init(&ff, a, out, BR_MAX_COOKIES);
	if (header == NULL)
		return FORM_OK;
	if (!no_control(header, strlen(header), 0))
		return FORM_ECONTROL;
	while (*header != '\0') {
		semi = strchr(header, ';');
		n = semi != NULL ? (size_t)(semi - header) : strlen(header);
		/* Past BR_MAX_COOKIES the rest is ignored, not refused: a
		 * browser sends every cookie of the host, ours among the
		 * first. */
		if ((st = cookie_pair(&ff, header, n)) == FORM_ETOOMANY)
			break;
		if (st != FORM_OK) {
			form_clear(out);
			return st;
		}
		header += n + (semi != NULL);
	}
	return FORM_OK;
}

const struct form_field *
form_field(const struct form *f, const char *name)
{
	size_t	i;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

const char *
form_get(const struct form *f, const char *name)
{
	const struct form_field	*fld;

	fld = form_field(f, name);
	return fld != NULL ? fld->value : NULL;
}

size_t
form_count(const struct form *f, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			n++;
	return n;
}

const char *
form_strerror(enum form_status st)
{
	if ((size_t)st >= sizeof(form_errors) / sizeof(form_errors[0]) ||
	    form_errors[st] == NULL)
		return "unknown form error";
	return form_errors[st];
}
