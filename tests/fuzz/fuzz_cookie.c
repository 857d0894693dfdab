/*
 * fuzz_cookie.c -- form_parse_cookies(), the Cookie header parser.  The
 * header comes from nginx as a C string, so the input is cut at its first
 * NUL, as the CGI params are.
 *
 * Invariants: at most BR_MAX_COOKIES pairs, every name non-empty with no
 * '=' or ';' and no surrounding blank, no control byte anywhere, and a
 * refused header gives an empty form.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "form.h"
#include "fuzz.h"

static void
check_text(const char *s, int isname)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fuzz_fail("control byte in a cookie");
		if (isname && (*p == '=' || *p == ';'))
			fuzz_fail("separator in a cookie name");
		if (!isname && *p == ';')
			fuzz_fail("';' in a cookie value");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena		*a = fuzz_arena();
	struct form		 f;
	const char		*hdr;
	size_t			 i, n;
	enum form_status	 st;

	hdr = fuzz_cstr(a, data, len);
	st = form_parse_cookies(a, hdr, &f);
	if (st != FORM_OK && f.nfields != 0)
		fuzz_fail("a refused header left cookies");
	if (f.nfields > BR_MAX_COOKIES)
		fuzz_fail("too many cookies");
	for (i = 0; i < f.nfields; i++) {
		n = strlen(f.fields[i].name);
		if (n == 0 || f.fields[i].name[0] == ' ' ||
		    f.fields[i].name[n - 1] == ' ')
			fuzz_fail("cookie name empty or not trimmed");
		if (strlen(f.fields[i].value) != f.fields[i].value_len)
			fuzz_fail("cookie value length");
		check_text(f.fields[i].name, 1);
		check_text(f.fields[i].value, 0);
	}
	arena_reset(a);
	return 0;
}
