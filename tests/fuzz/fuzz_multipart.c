/*
 * fuzz_multipart.c -- form_parse_multipart(), the multipart/form-data
 * decoder.  The input is the Content-Type header value, a '\n', then the
 * body (no '\n': all of it is the header and the body is empty); the
 * header is cut at a NUL, as a CGI param is.
 *
 * Invariants: at most BR_MAX_FIELDS parts; every part has a name within
 * its cap and without control bytes; a part without a filename is text
 * (no NUL, within BR_MAX_FIELD_VALUE); names, filenames and text are
 * UTF-8 (fuzz.h's validator); a file part's bytes lie inside the
 * body's length; a refused body gives an empty form.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "form.h"
#include "fuzz.h"

static void
check_field(const struct form_field *fld, size_t bodylen)
{
	const unsigned char	*p;

	if (fld->name == NULL || fld->value == NULL)
		fuzz_fail("part without name or value");
	if (strlen(fld->name) > BR_MAX_FIELD_NAME)
		fuzz_fail("part name past its cap");
	for (p = (const unsigned char *)fld->name; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			fuzz_fail("control byte in a part name");
	if (fld->value_len > bodylen)
		fuzz_fail("part longer than the body");
	if (fld->value[fld->value_len] != '\0')
		fuzz_fail("part value not NUL-terminated");
	if (fld->filename == NULL && (fld->value_len > BR_MAX_FIELD_VALUE ||
	    strlen(fld->value) != fld->value_len))
		fuzz_fail("text part length");
	if (!fuzz_utf8_ok(fld->name, strlen(fld->name)) ||
	    (fld->filename != NULL &&
	    !fuzz_utf8_ok(fld->filename, strlen(fld->filename))) ||
	    (fld->filename == NULL &&
	    !fuzz_utf8_ok(fld->value, fld->value_len)))
		fuzz_fail("a name, filename or text part that is not UTF-8");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	struct form		 f;
	const uint8_t		*nl;
	const char		*ct, *body, *errfield = NULL;
	size_t			 ctlen, blen, i;
	enum form_status	 st;

	nl = memchr(data, '\n', len);
	ctlen = nl != NULL ? (size_t)(nl - data) : len;
	ct = fuzz_cstr(a, data, ctlen);
	blen = nl != NULL ? len - ctlen - 1 : 0;
	/* libFuzzer's own buffer: ASan sees a read past the body. */
	body = (const char *)data + (len - blen);
	st = form_parse_multipart(a, ct, body, blen, &f, &errfield);
	if (st == FORM_OK) {
		if (f.nfields > BR_MAX_FIELDS)
			fuzz_fail("too many parts");
		for (i = 0; i < f.nfields; i++)
			check_field(&f.fields[i], blen);
	} else if (f.nfields != 0)
		fuzz_fail("a refused body left parts");
	if (errfield == NULL || strlen(errfield) > 64)
		fuzz_fail("errfield");
	arena_reset(a);
	return 0;
}
