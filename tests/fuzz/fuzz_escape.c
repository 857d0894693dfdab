/*
 * fuzz_escape.c -- the output-boundary escapers of app/escape.c, which
 * templates (escape_html), logs (escape_log) and built links
 * (escape_url) put untrusted bytes through.
 *
 * Each output is checked against its contract, not only for crashes:
 * HTML output has no < > " ' and every & starts one of the five entities,
 * and unescaping it gives the input back; log output is printable ASCII,
 * one line, NUL-terminated inside its buffer; URL output is unreserved
 * bytes and %XX only, and percent-decoding gives the input back.  The
 * first input byte sizes the log buffer (0..255).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bounds.h"
#include "buf.h"
#include "escape.h"
#include "fuzz.h"

static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;",
	"&#39;" };
static const char entity_chars[] = "&<>\"'";

static void
check_html(const char *s, size_t len)
{
	struct buf	 b;
	const char	*o;
	size_t		 i, k, j = 0, n;

	buf_init(&b, 6 * len + 1);
	if (escape_html(&b, s, len) == -1)
		fuzz_fail("escape_html hit a sufficient cap");
	o = buf_cstr(&b);
	for (i = 0; i < b.len; i++) {
		if (strchr("<>\"'", o[i]) != NULL && o[i] != '\0')
			fuzz_fail("escape_html left a special byte");
		if (o[i] != '&') {
			if (j >= len || o[i] != s[j++])
				fuzz_fail("escape_html changed a byte");
			continue;
		}
		for (k = 0; k < 5; k++) {
			n = strlen(entities[k]);
			if (b.len - i >= n && memcmp(o + i, entities[k], n) == 0)
				break;
		}
		if (k == 5 || j >= len || s[j++] != entity_chars[k])
			fuzz_fail("escape_html wrote a wrong entity");
		i += strlen(entities[k]) - 1;
	}
	if (j != len)
		fuzz_fail("escape_html lost bytes");
	buf_free(&b);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
check_url(const char *s, size_t len)
{
	struct buf	 b;
	const char	*o;
	size_t		 i, j = 0;
	int		 hi, lo;
	char		 c;

	buf_init(&b, 3 * len + 1);
	if (escape_url(&b, s, len) == -1)
		fuzz_fail("escape_url hit a sufficient cap");
	o = buf_cstr(&b);
	for (i = 0; i < b.len; i++, j++) {
		c = o[i];
		if (c == '%') {
			if (b.len - i < 3 || (hi = hexval(o[i + 1])) == -1 ||
			    (lo = hexval(o[i + 2])) == -1)
				fuzz_fail("escape_url wrote a bad %XX");
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~'))
			fuzz_fail("escape_url left a reserved byte");
		if (j >= len || s[j] != c)
			fuzz_fail("escape_url does not decode to its input");
	}
	if (j != len)
		fuzz_fail("escape_url lost bytes");
	buf_free(&b);
}

static void
check_log(const char *s, size_t dstsz)
{
	char	 dst[256], *canary = dst + dstsz;
	size_t	 i, n;

	memset(dst, 'Z', sizeof(dst));
	if (escape_log(dst, dstsz, s) != dst)
		fuzz_fail("escape_log result");
	if (dstsz == 0) {
		if (dst[0] != 'Z')
			fuzz_fail("escape_log wrote into a zero-size buffer");
		return;
	}
	n = strnlen(dst, dstsz);
	if (n == dstsz)
		fuzz_fail("escape_log did not terminate inside dstsz");
	for (i = 0; i < n; i++)
		if (dst[i] < 0x20 || dst[i] > 0x7e)
			fuzz_fail("escape_log wrote an unprintable byte");
	if (dstsz < sizeof(dst) && *canary != 'Z')
		fuzz_fail("escape_log wrote past dstsz");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena	*a = fuzz_arena();
	const char	*s;

	if (len < 1)
		return 0;
	s = (const char *)data + 1;
	check_html(s, len - 1);
	check_url(s, len - 1);
	check_log(fuzz_cstr(a, data + 1, len - 1), data[0]);
	arena_reset(a);
	return 0;
}
