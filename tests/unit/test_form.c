/*
 * test_form.c -- unit tests for app/form.c: urlencoded decoding and its
 * strictness (escapes, control bytes, UTF-8, caps), multipart framing and
 * file parts, Cookie headers, and the lookup helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "bounds.h"
#include "form.h"

#define CT	"multipart/form-data; boundary=XyZ"

static int
setup(void **state)
{
	*state = arena_create(BR_ARENA_CAP);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	arena_destroy(*state);
	return 0;
}

static enum form_status
urlenc(struct arena *a, const char *s, struct form *f, const char **ef)
{
	return form_parse_urlencoded(a, s, strlen(s), f, ef);
}

static enum form_status
multi(struct arena *a, const char *ct, const char *body, struct form *f,
    const char **ef)
{
	return form_parse_multipart(a, ct, body, strlen(body), f, ef);
}

/* "name=" followed by n copies of c, in arena memory. */
static char *
repeat(struct arena *a, const char *prefix, char c, size_t n)
{
	size_t	 plen = strlen(prefix);
	char	*s;

	s = arena_alloc(a, plen + n + 1);
	assert_non_null(s);
	memcpy(s, prefix, plen);
	memset(s + plen, c, n);
	s[plen + n] = '\0';
	return s;
}

static void
test_urlenc_basic(void **state)
{
	struct form	 f;
	const char	*ef = NULL;

	assert_int_equal(urlenc(*state, "a=1&b=x+y%21&c=%C3%A9", &f, &ef),
	    FORM_OK);
	assert_int_equal(f.nfields, 3);
	assert_string_equal(f.fields[0].name, "a");
	assert_string_equal(f.fields[0].value, "1");
	assert_string_equal(form_get(&f, "b"), "x y!");
	assert_int_equal(form_field(&f, "b")->value_len, 4);
	assert_string_equal(form_get(&f, "c"), "\xc3\xa9");
	assert_null(f.fields[0].filename);
	assert_null(f.fields[0].content_type);
	assert_non_null(ef);
	assert_string_equal(ef, "");
	/* Lower-case hex works too; '+' encoded stays '+'. */
	assert_int_equal(urlenc(*state, "q=%2b%2B+", &f, NULL), FORM_OK);
	assert_string_equal(form_get(&f, "q"), "++ ");
}

static void
test_urlenc_empty_pairs(void **state)
{
	struct form	f;

	assert_int_equal(form_parse_urlencoded(*state, NULL, 0, &f, NULL),
	    FORM_OK);
	assert_int_equal(f.nfields, 0);
	assert_int_equal(urlenc(*state, "&&&", &f, NULL), FORM_OK);
	assert_int_equal(f.nfields, 0);
	assert_int_equal(urlenc(*state, "a=1&&b=2&", &f, NULL), FORM_OK);
	assert_int_equal(f.nfields, 2);
	assert_string_equal(f.fields[1].name, "b");
	assert_int_equal(urlenc(*state, "flag&x=", &f, NULL), FORM_OK);
	assert_int_equal(f.nfields, 2);
	assert_string_equal(form_get(&f, "flag"), "");
	assert_int_equal(form_field(&f, "flag")->value_len, 0);
	assert_string_equal(form_get(&f, "x"), "");
	/* Only the first '=' splits. */
	assert_int_equal(urlenc(*state, "k=a=b", &f, NULL), FORM_OK);
	assert_string_equal(form_get(&f, "k"), "a=b");
}

static void
test_urlenc_bad_escape(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(urlenc(*state, "ok=1&a=%zz", &f, &ef),
	    FORM_EMALFORMED);
	assert_string_equal(ef, "a");
	assert_int_equal(f.nfields, 0);		/* nothing half-parsed */
	assert_int_equal(urlenc(*state, "a=%4", &f, &ef), FORM_EMALFORMED);
	assert_string_equal(ef, "a");
	assert_int_equal(urlenc(*state, "a=x%", &f, &ef), FORM_EMALFORMED);
	assert_int_equal(urlenc(*state, "a=%4g", &f, &ef), FORM_EMALFORMED);
	assert_int_equal(urlenc(*state, "%zz=1", &f, &ef), FORM_EMALFORMED);
	assert_string_equal(ef, "");
	/* Truncated escape right at the end of the given length. */
	assert_int_equal(form_parse_urlencoded(*state, "a=%41", 4, &f, &ef),
	    FORM_EMALFORMED);
}

static void
test_urlenc_control(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(urlenc(*state, "a=%00", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "a");
	assert_int_equal(urlenc(*state, "a%00b=1", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "");
	assert_int_equal(urlenc(*state, "a=x\x01y", &f, &ef), FORM_ECONTROL);
	assert_int_equal(urlenc(*state, "a=x\x7fy", &f, &ef), FORM_ECONTROL);
	assert_int_equal(urlenc(*state, "a=%1B", &f, &ef), FORM_ECONTROL);
	assert_int_equal(form_parse_urlencoded(*state, "a=x\0y", 5, &f, &ef),
	    FORM_ECONTROL);
	/* Textarea whitespace is fine in values, not in names. */
	assert_int_equal(urlenc(*state, "t=l1%0D%0Al2%09\tx", &f, &ef),
	    FORM_OK);
	assert_string_equal(form_get(&f, "t"), "l1\r\nl2\t\tx");
	assert_int_equal(urlenc(*state, "t%09=1", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "");
	assert_int_equal(urlenc(*state, "t%0A=1", &f, &ef), FORM_ECONTROL);
}

static void
test_urlenc_utf8(void **state)
{
	static const char *const bad[] = {
		"a=%C3",		/* truncated sequence */
		"a=%C3%28",		/* bad continuation */
		"a=%C0%AF",		/* overlong '/' */
		"a=%E0%80%AF",		/* overlong, 3 bytes */
		"a=%ED%A0%80",		/* UTF-16 surrogate */
		"a=%F4%90%80%80",	/* past U+10FFFF */
		"a=%FF",
		"a=%80",		/* lone continuation */
		"a=\xff",		/* raw, not escaped */
	};
	struct form	 f;
	const char	*ef;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ef = NULL;
		assert_int_equal(urlenc(*state, bad[i], &f, &ef),
		    FORM_ECONTROL);
		assert_string_equal(ef, "a");
	}
	assert_int_equal(urlenc(*state, "%FF=1", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "");
	assert_int_equal(urlenc(*state, "a=%F0%9F%98%80%E2%82%AC%DF%BF",
	    &f, &ef), FORM_OK);
	assert_string_equal(form_get(&f, "a"),
	    "\xf0\x9f\x98\x80\xe2\x82\xac\xdf\xbf");
}

static void
test_urlenc_too_long(void **state)
{
	struct form	 f;
	const char	*ef;
	char		*s;
	size_t		 i;

	s = repeat(*state, "", 'n', BR_MAX_FIELD_NAME);
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_OK);
	assert_int_equal(strlen(f.fields[0].name), BR_MAX_FIELD_NAME);
	s = repeat(*state, "", 'n', BR_MAX_FIELD_NAME + 1);
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_ETOOLONG);
	assert_string_equal(ef, "");

	s = repeat(*state, "v=", 'x', BR_MAX_FIELD_VALUE);
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_OK);
	assert_int_equal(f.fields[0].value_len, BR_MAX_FIELD_VALUE);
	s = repeat(*state, "v=", 'x', BR_MAX_FIELD_VALUE + 1);
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_ETOOLONG);
	assert_string_equal(ef, "v");
	/* The cap is on decoded bytes: 3 * cap raw bytes of %41 fit. */
	s = arena_alloc(*state, 2 + 3 * BR_MAX_FIELD_VALUE + 1);
	assert_non_null(s);
	memcpy(s, "v=", 2);
	for (i = 0; i < BR_MAX_FIELD_VALUE; i++)
		memcpy(s + 2 + 3 * i, "%41", 3);
	s[2 + 3 * BR_MAX_FIELD_VALUE] = '\0';
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_OK);
	assert_int_equal(f.fields[0].value_len, BR_MAX_FIELD_VALUE);
	assert_int_equal(f.fields[0].value[BR_MAX_FIELD_VALUE - 1], 'A');
}

/* "f0=0&f1=1&..." with n fields. */
static char *
many_fields(struct arena *a, size_t n, const char *sep)
{
	char	*s, *p;
	size_t	 i, left = n * 16 + 1;
	int	 w;

	assert_non_null(s = arena_alloc(a, left));
	p = s;
	*p = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(p, left, "%sf%zu=%zu", i ? sep : "", i, i);
		assert_true(w > 0 && (size_t)w < left);
		p += w;
		left -= (size_t)w;
	}
	return s;
}

static void
test_urlenc_too_many(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(urlenc(*state, many_fields(*state, BR_MAX_FIELDS,
	    "&"), &f, &ef), FORM_OK);
	assert_int_equal(f.nfields, BR_MAX_FIELDS);
	assert_string_equal(form_get(&f, "f255"), "255");
	assert_string_equal(f.fields[0].value, "0");	/* survived growth */
	assert_int_equal(urlenc(*state, many_fields(*state,
	    BR_MAX_FIELDS + 1, "&"), &f, &ef), FORM_ETOOMANY);
	assert_string_equal(ef, "f256");
	assert_int_equal(f.nfields, 0);
}

static void
test_urlenc_errfield_escaped(void **state)
{
	struct form	 f;
	const char	*ef;
	char		*s;

	assert_int_equal(urlenc(*state, "a%22%5C%0Db=%00", &f, &ef),
	    FORM_ECONTROL);		/* name itself has CR: bad name */
	assert_string_equal(ef, "");
	assert_int_equal(urlenc(*state, "a%22%5Cb=%00", &f, &ef),
	    FORM_ECONTROL);
	assert_string_equal(ef, "a\\\"\\\\b");
	s = repeat(*state, "", 'n', 100);
	s = arena_printf(*state, "%s=%%zz", s);
	assert_non_null(s);
	assert_int_equal(urlenc(*state, s, &f, &ef), FORM_EMALFORMED);
	assert_int_equal(strlen(ef), 64);
	assert_string_equal(ef + 61, "...");
}

static void
test_lookup_helpers(void **state)
{
	struct form			 f;
	const struct form_field		*fld;

	assert_int_equal(urlenc(*state, "line[]=1&x=y&line[]=2", &f, NULL),
	    FORM_OK);
	assert_int_equal(form_count(&f, "line[]"), 2);
	assert_int_equal(form_count(&f, "x"), 1);
	assert_int_equal(form_count(&f, "nope"), 0);
	assert_string_equal(form_get(&f, "line[]"), "1");
	assert_null(form_get(&f, "nope"));
	assert_null(form_field(&f, "line"));
	assert_non_null(fld = form_field(&f, "x"));
	assert_ptr_equal(fld, &f.fields[1]);
}

static void
test_multipart_basic(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(multi(*state, CT,
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n"
	    "\r\n"
	    "Hello\r\n"
	    "--XyZ\r\n"
	    "content-disposition: Form-Data; name=note\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "line1\r\nline2\r\n"
	    "--XyZ--\r\n"
	    "epilogue is ignored", &f, &ef), FORM_OK);
	assert_int_equal(f.nfields, 2);
	assert_string_equal(f.fields[0].name, "title");
	assert_string_equal(f.fields[0].value, "Hello");
	assert_int_equal(f.fields[0].value_len, 5);
	assert_null(f.fields[0].filename);
	assert_null(f.fields[0].content_type);
	assert_string_equal(form_get(&f, "note"), "line1\r\nline2");
	assert_string_equal(f.fields[1].content_type,
	    "text/plain; charset=utf-8");
}

static void
test_multipart_quoted_boundary(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(multi(*state,
	    "Multipart/Form-Data; charset=utf-8; "
	    "boundary=\"----b ound=ary\"",
	    "preamble, ignored\r\n"
	    "------b ound=ary\r\n"
	    "Content-Disposition: form-data; name=\"a;b\"\r\n"
	    "\r\n"
	    "v\r\n"
	    "------b ound=ary--", &f, &ef), FORM_OK);
	assert_int_equal(f.nfields, 1);
	assert_string_equal(form_get(&f, "a;b"), "v");
	/* Unterminated quote is no boundary at all. */
	assert_int_equal(multi(*state, "multipart/form-data; boundary=\"XyZ",
	    "--XyZ--", &f, &ef), FORM_EMALFORMED);
}

static void
test_multipart_file_binary(void **state)
{
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"up\"; "
	    "filename=\"C:\\dir\\a.bin\"\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "\r\n"
	    "\x00\x01\xff\x7f\r\n--Xy\r\n-\x00"
	    "\r\n--XyZ--\r\n";
	static const char content[] = "\x00\x01\xff\x7f\r\n--Xy\r\n-\x00";
	struct form	 f;
	const char	*ef;

	assert_int_equal(form_parse_multipart(*state, CT, body,
	    sizeof(body) - 1, &f, &ef), FORM_OK);
	assert_int_equal(f.nfields, 1);
	assert_string_equal(f.fields[0].name, "up");
	assert_string_equal(f.fields[0].filename, "C:\\dir\\a.bin");
	assert_string_equal(f.fields[0].content_type,
	    "application/octet-stream");
	assert_int_equal(f.fields[0].value_len, sizeof(content) - 1);
	assert_memory_equal(f.fields[0].value, content, sizeof(content) - 1);
	assert_int_equal(f.fields[0].value[f.fields[0].value_len], '\0');
}

static void
test_multipart_empty_file(void **state)
{
	struct form	 f;
	const char	*ef;

	assert_int_equal(multi(*state, CT,
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"up\"; filename=\"\"\r\n"
	    "\r\n"
	    "\r\n--XyZ--", &f, &ef), FORM_OK);
	assert_non_null(f.fields[0].filename);
	assert_string_equal(f.fields[0].filename, "");
	assert_int_equal(f.fields[0].value_len, 0);
}

static void
test_multipart_malformed(void **state)
{
	static const char *const bodies[] = {
		/* no closing delimiter */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "v\r\n",
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "v\r\n--XyZ",
		/* no delimiter at all */
		"just text",
		"",
		/* no name */
		"--XyZ\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XyZ--",
		"--XyZ\r\nContent-Disposition: form-data; filename=\"x\"\r\n"
		    "\r\nv\r\n--XyZ--",
		/* no Content-Disposition */
		"--XyZ\r\nContent-Type: text/plain\r\n\r\nv\r\n--XyZ--",
		/* not form-data */
		"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n"
		    "v\r\n--XyZ--",
		/* no blank line after the headers */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "--XyZ--",
		/* obsolete line folding */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "\tX-Folded: y\r\n\r\nv\r\n--XyZ--",
		/* header line without a colon */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n"
		    "junk\r\n\r\nv\r\n--XyZ--",
		/* boundary text followed by more than "--" or CRLF */
		"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
		    "v\r\n--XyZW\r\n--XyZ--",
	};
	struct form	 f;
	const char	*ef;
	size_t		 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(multi(*state, CT, bodies[i], &f, &ef),
		    FORM_EMALFORMED);
		assert_int_equal(f.nfields, 0);
	}
}

static void
test_multipart_bad_content_type(void **state)
{
	struct form	 f;
	const char	*ef;
	const char	*ok = "--XyZ--";
	char		*b;

	assert_int_equal(multi(*state, NULL, ok, &f, &ef), FORM_EMALFORMED);
	assert_int_equal(multi(*state, "multipart/form-data", ok, &f, &ef),
	    FORM_EMALFORMED);
	assert_int_equal(multi(*state, "multipart/form-data; boundary=", ok,
	    &f, &ef), FORM_EMALFORMED);
	assert_int_equal(multi(*state, "text/plain; boundary=XyZ", ok, &f,
	    &ef), FORM_EMALFORMED);
	assert_int_equal(multi(*state, "multipart/form-dataX; boundary=XyZ",
	    ok, &f, &ef), FORM_EMALFORMED);
	assert_int_equal(multi(*state, CT, ok, &f, &ef), FORM_OK);
	assert_int_equal(f.nfields, 0);
	/* RFC 2046 caps a boundary at 70 bytes. */
	b = repeat(*state, "", 'b', 70);
	assert_int_equal(multi(*state, arena_printf(*state,
	    "multipart/form-data; boundary=%s", b),
	    arena_printf(*state, "--%s--", b), &f, &ef), FORM_OK);
	b = repeat(*state, "", 'b', 71);
	assert_int_equal(multi(*state, arena_printf(*state,
	    "multipart/form-data; boundary=%s", b),
	    arena_printf(*state, "--%s--", b), &f, &ef), FORM_EMALFORMED);
}

static void
test_multipart_text_rules(void **state)
{
	static const char nul[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
	    "a\0b\r\n--XyZ--";
	struct form	 f;
	const char	*ef;
	char		*body;

	assert_int_equal(multi(*state, CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"ok\"\r\n\r\n"
	    "fine\r\n--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
	    "a\x01" "b\r\n--XyZ--", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "title");
	assert_int_equal(f.nfields, 0);
	assert_int_equal(form_parse_multipart(*state, CT, nul, sizeof(nul) - 1,
	    &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "t");
	assert_int_equal(multi(*state, CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
	    "\xc0\xaf\r\n--XyZ--", &f, &ef), FORM_ECONTROL);
	assert_int_equal(multi(*state, CT,
	    "--XyZ\r\nContent-Disposition: form-data; name=\"t\x01\"\r\n\r\n"
	    "v\r\n--XyZ--", &f, &ef), FORM_ECONTROL);
	assert_string_equal(ef, "");
	body = repeat(*state, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"big\"\r\n\r\n", 'x', BR_MAX_FIELD_VALUE + 1);
	body = arena_printf(*state, "%s\r\n--XyZ--", body);
	assert_non_null(body);
	assert_int_equal(multi(*state, CT, body, &f, &ef), FORM_ETOOLONG);
	assert_string_equal(ef, "big");
	/* The same size is fine as a file. */
	body = repeat(*state, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"big\"; filename=\"b\"\r\n\r\n", 'x',
	    BR_MAX_FIELD_VALUE + 1);
	body = arena_printf(*state, "%s\r\n--XyZ--", body);
	assert_int_equal(multi(*state, CT, body, &f, &ef), FORM_OK);
	assert_int_equal(f.fields[0].value_len, BR_MAX_FIELD_VALUE + 1);
}

static void
test_multipart_too_many(void **state)
{
	struct form	 f;
	const char	*ef;
	char		*body;
	size_t		 i;

	body = arena_strdup(*state, "");
	for (i = 0; i <= BR_MAX_FIELDS; i++) {
		body = arena_printf(*state, "%s--XyZ\r\nContent-Disposition: "
		    "form-data; name=\"p%zu\"\r\n\r\nv\r\n", body, i);
		assert_non_null(body);
	}
	body = arena_printf(*state, "%s--XyZ--", body);
	assert_int_equal(multi(*state, CT, body, &f, &ef), FORM_ETOOMANY);
	assert_string_equal(ef, "p256");
}

static void
test_cookies(void **state)
{
	struct form	f;

	assert_int_equal(form_parse_cookies(*state, NULL, &f), FORM_OK);
	assert_int_equal(f.nfields, 0);
	assert_int_equal(form_parse_cookies(*state, "", &f), FORM_OK);
	assert_int_equal(f.nfields, 0);
	assert_int_equal(form_parse_cookies(*state,
	    "sid=\"abc def\";  theme = dark ;junk; tok=a=b; p=%41; q=\"; e=",
	    &f), FORM_OK);
	assert_int_equal(f.nfields, 6);
	assert_string_equal(form_get(&f, "sid"), "abc def");
	assert_int_equal(form_field(&f, "sid")->value_len, 7);
	assert_string_equal(form_get(&f, "theme"), "dark");
	assert_null(form_get(&f, "junk"));
	assert_string_equal(form_get(&f, "tok"), "a=b");
	assert_string_equal(form_get(&f, "p"), "%41");	/* not decoded */
	assert_string_equal(form_get(&f, "q"), "\"");	/* lone quote */
	assert_string_equal(form_get(&f, "e"), "");
	assert_null(f.fields[0].filename);
}

static void
test_cookies_control(void **state)
{
	struct form	f;

	assert_int_equal(form_parse_cookies(*state, "a=1; b=x\x01y", &f),
	    FORM_ECONTROL);
	assert_int_equal(f.nfields, 0);
	assert_int_equal(form_parse_cookies(*state, "a=1;\tb=2", &f),
	    FORM_ECONTROL);
	assert_int_equal(form_parse_cookies(*state, "a=\x7f", &f),
	    FORM_ECONTROL);
	/* Even in a pair that would be skipped. */
	assert_int_equal(form_parse_cookies(*state, "a=1; \x1b", &f),
	    FORM_ECONTROL);
}

static void
test_cookies_too_many(void **state)
{
	struct form	f;

	assert_int_equal(form_parse_cookies(*state, many_fields(*state,
	    BR_MAX_COOKIES, "; "), &f), FORM_OK);
	assert_int_equal(f.nfields, BR_MAX_COOKIES);
	/* Excess cookies are ignored; the first BR_MAX_COOKIES stay. */
	assert_int_equal(form_parse_cookies(*state, many_fields(*state,
	    BR_MAX_COOKIES + 5, "; "), &f), FORM_OK);
	assert_int_equal(f.nfields, BR_MAX_COOKIES);
}

static void
test_strerror(void **state)
{
	int	i, j;

	(void)state;
	for (i = FORM_OK; i <= FORM_ENOMEM; i++) {
		assert_true(strlen(form_strerror(i)) > 0);
		for (j = FORM_OK; j < i; j++)
			assert_string_not_equal(form_strerror(i),
			    form_strerror(j));
	}
	assert_string_equal(form_strerror(FORM_ENOMEM + 1),
	    "unknown form error");
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_urlenc_basic),
		T(test_urlenc_empty_pairs),
		T(test_urlenc_bad_escape),
		T(test_urlenc_control),
		T(test_urlenc_utf8),
		T(test_urlenc_too_long),
		T(test_urlenc_too_many),
		T(test_urlenc_errfield_escaped),
		T(test_lookup_helpers),
		T(test_multipart_basic),
		T(test_multipart_quoted_boundary),
		T(test_multipart_file_binary),
		T(test_multipart_empty_file),
		T(test_multipart_malformed),
		T(test_multipart_bad_content_type),
		T(test_multipart_text_rules),
		T(test_multipart_too_many),
		T(test_cookies),
		T(test_cookies_control),
		T(test_cookies_too_many),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
