/*
 * domain.c -- what the inventory rules share: the refusal helper and the
 * check of free text.  See domain.h.
 */
#include <string.h>

#include "domain.h"

int
dom_fail(struct dom_error *err, int code, const char *field,
    const char *message)
{
	if (err != NULL) {
		err->field = field;
		err->message = message;
	}
	return code;
}

/*
 * Invisible characters that change how the text around them reads: the
 * C1 controls, the byte order mark, and the bidirectional marks,
 * embeddings, overrides and isolates (a "Trojan Source" name such as
 * "invoice<U+202E>fdp.exe" shows as "invoiceexe.pdf").  The UTF-8 bytes
 * start at s; the length of the sequence, or 0.
 */
static size_t
invisible(const unsigned char *s)
{
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;			/* U+0080..U+009F */
	if (s[0] == 0xd8 && s[1] == 0x9c)
		return 2;			/* U+061C */
	if (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		return 3;			/* U+FEFF */
	if (s[0] != 0xe2)
		return 0;
	if (s[1] == 0x80 && ((s[2] >= 0x8e && s[2] <= 0x8f) ||
	    (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3;			/* U+200E/F, U+202A..E */
	if (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
		return 3;			/* U+2066..U+2069 */
	return 0;
}

int
dom_text_ok(const char *s, size_t min, size_t max, int multiline)
{
	size_t	i, n = s != NULL ? strlen(s) : 0;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		if (multiline && (s[i] == '\n' || s[i] == '\r' ||
		    s[i] == '\t'))
			continue;
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    invisible((const unsigned char *)s + i) != 0)
			return 0;
	}
	return 1;
}
