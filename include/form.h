/*
 * form.h -- decoding of request input: application/x-www-form-urlencoded
 * (also used for query strings), multipart/form-data, and Cookie headers.
 *
 * All output lives in the caller's arena.  Decoding is strict: a malformed
 * escape, a NUL or control byte, invalid UTF-8, too many fields or an
 * overlong name or value is an error naming the field, never a silent
 * truncation.  Limits come from bounds.h.
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>

struct arena;

struct form_field {
	const char	*name;		/* NUL-terminated, decoded */
	const char	*value;		/* NUL-terminated, decoded */
	size_t		 value_len;	/* may contain NUL only for files */
	const char	*filename;	/* multipart file part, else NULL */
	const char	*content_type;	/* multipart part's type, else NULL */
};

struct form {
	struct form_field	*fields;
	size_t			 nfields;
};

enum form_status {
	FORM_OK = 0,
	FORM_EMALFORMED,	/* bad %-escape, bad multipart framing */
	FORM_ECONTROL,		/* NUL/control byte or invalid UTF-8 */
	FORM_ETOOMANY,		/* more than BR_MAX_FIELDS / BR_MAX_COOKIES */
	FORM_ETOOLONG,		/* name or value past its cap */
	FORM_ENOMEM		/* arena exhausted */
};

/*
 * Decodes "a=1&b=x+y%21".  '+' is a space; an empty input is an empty
 * form; a pair without '=' has an empty value; empty pairs ("a=1&&b=2")
 * are skipped.  Names may not contain any control byte; values may contain
 * TAB, CR and LF (textareas) but no other control byte (0x00-0x1f, 0x7f).
 * Names and values must be valid UTF-8 after decoding.  On error, *errfield
 * (if errfield != NULL) is set to the offending field's name, escaped for
 * logging and at most 64 bytes, or to "" if the name itself was bad.
 */
enum form_status form_parse_urlencoded(struct arena *, const char *s,
		    size_t len, struct form *out, const char **errfield);
/*
 * Decodes a multipart/form-data body.  content_type is the full header
 * value ("multipart/form-data; boundary=...", quoted boundary allowed).
 * Text parts follow the urlencoded value rules; parts with a filename keep
 * their bytes as they are (any byte allowed, value_len is authoritative)
 * and may be up to the body size.  Missing boundary, missing closing
 * delimiter, or a part without a Content-Disposition name are
 * FORM_EMALFORMED.
 */
enum form_status form_parse_multipart(struct arena *, const char *content_type,
		    const char *body, size_t len, struct form *out,
		    const char **errfield);
/*
 * Parses a Cookie header ("a=1; b=2").  Values are not %-decoded (RFC 6265);
 * surrounding double quotes are removed.  A pair without '=' is skipped; a
 * control byte is FORM_ECONTROL; pairs past BR_MAX_COOKIES are ignored.
 * NULL or empty header gives an empty form.
 */
enum form_status form_parse_cookies(struct arena *, const char *header,
		    struct form *out);
/* First value with this name, or NULL. */
const char	*form_get(const struct form *, const char *name);
/* First field with this name, or NULL. */
const struct form_field *form_field(const struct form *, const char *name);
/* Number of fields with this name (for repeated fields like line[]). */
size_t		 form_count(const struct form *, const char *name);
/* A short English description of a status, for error pages. */
const char	*form_strerror(enum form_status);

#endif /* FORM_H */
