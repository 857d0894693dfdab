/*
 * fuzz_urlencoded.c -- form_parse_urlencoded(), the decoder of query
 * strings and of application/x-www-form-urlencoded bodies.
 *
 * Beyond "no crash": a decoded form keeps form.h's promises (field count,
 * name and value caps, no control byte in a name, no NUL in a value, the
 * value length matches), and a refused one is empty with a short errfield.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "form.h"
#include "fuzz.h"

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
		if (fld->filename != NULL || fld->content_type != NULL)
			fuzz_fail("file fields in a urlencoded form");
		if (form_field(f, fld->name) == NULL)
			fuzz_fail("form_field misses a decoded name");
	}
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
	arena_reset(a);
	return 0;
}
