/*
 * fuzz_urlencoded.c -- form_parse_urlencoded(), the decoder of query
 * strings and of application/x-www-form-urlencoded bodies.
 *
 * Beyond "no crash": a decoded form keeps form.h's promises (field count,
 * name and value caps, no control byte in a name, no NUL in a value, the
 * value length matches, names and values are UTF-8), and a refused one is
 * empty with a short errfield.  Then the input's first DIFF_MAX bytes,
 * %-encoded as one value, must decode to themselves exactly when they are
 * UTF-8 without a control byte other than TAB, CR and LF (fuzz.h's
 * validator as the reference for form.c's).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "form.h"
#include "fuzz.h"

/* Bytes of the input the differential check takes: short sequences
 * are what it is about, and it keeps the target fast. */
#define DIFF_MAX	256

static void
check_form(const struct form *f)
{
	const struct form_field	*fld;
	const unsigned char	*p;
	size_t			 i;

	if (f->nfields > BR_MAX_FIELDS)
		fuzz_fail("too many fields");
	for (i = 0; i < f->nfields; i++) {
		fld = &f->fields[i];
		if (fld->name == NULL || fld->value == NULL)
			fuzz_fail("NULL name or value");
		if (strlen(fld->name) > BR_MAX_FIELD_NAME)
			fuzz_fail("name past its cap");
		for (p = (const unsigned char *)fld->name; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f)
				fuzz_fail("control byte in a name");
		if (fld->value_len > BR_MAX_FIELD_VALUE ||
		    strlen(fld->value) != fld->value_len)
			fuzz_fail("value length");
		if (!fuzz_utf8_ok(fld->name, strlen(fld->name)) ||
		    !fuzz_utf8_ok(fld->value, fld->value_len))
			fuzz_fail("a name or value that is not UTF-8");
		if (fld->filename != NULL || fld->content_type != NULL)
			fuzz_fail("file fields in a urlencoded form");
		if (form_field(f, fld->name) == NULL)
			fuzz_fail("form_field misses a decoded name");
	}
}

/* The value rule of form.h for raw bytes. */
static int
value_ok(const uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n') || p[i] == 0x7f)
			return 0;
	return fuzz_utf8_ok((const char *)p, len);
}

static void
check_encoded(struct arena *a, const uint8_t *data, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	struct form		 f;
	char			*enc;
	size_t			 i, n = 0;
	enum form_status	 st;

	if (len > BR_MAX_FIELD_VALUE)
		return;
	if ((enc = arena_alloc(a, 2 + 3 * len)) == NULL)
		fuzz_fail("arena_alloc");
	enc[n++] = 'v';
	enc[n++] = '=';
	for (i = 0; i < len; i++) {
		enc[n++] = '%';
		enc[n++] = hex[data[i] >> 4];
		enc[n++] = hex[data[i] & 0xf];
	}
	st = form_parse_urlencoded(a, enc, n, &f, NULL);
	if ((st == FORM_OK) != value_ok(data, len))
		fuzz_fail("form.c and RFC 3629 disagree on a value");
	if (st == FORM_OK && (f.nfields != 1 || f.fields[0].value_len != len ||
	    memcmp(f.fields[0].value, data, len) != 0))
		fuzz_fail("a %-encoded value did not decode to itself");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	struct form		 f;
	const char		*errfield = NULL;
	enum form_status	 st;

	st = form_parse_urlencoded(a, (const char *)data, len, &f, &errfield);
	if (st == FORM_OK)
		check_form(&f);
	else if (f.nfields != 0 || f.fields != NULL)
		fuzz_fail("a refused form is not empty");
	if (errfield == NULL || strlen(errfield) > 64)
		fuzz_fail("errfield");
	(void)form_strerror(st);
	check_encoded(a, data, len < DIFF_MAX ? len : DIFF_MAX);
	arena_reset(a);
	return 0;
}
