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
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}
