/*
 * test_tmpl.c -- unit tests for app/tmpl.c: escaping by default, the raw
 * form, sections over every json type, inverted sections, partials and
 * their depth cap, dotted and outer-context lookups, parse errors with
 * line numbers, render failures, and loading a directory.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <json-c/json.h>

#include "bounds.h"
#include "buf.h"
#include "tmpl.h"

struct fixture {
	struct tmpl_set	*set;
	struct buf	 out;
	char		 err[256];
};

static void	fmt(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* snprintf that fails the test rather than truncate. */
static void
fmt(char *dst, size_t size, const char *f, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, f);
	n = vsnprintf(dst, size, f, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < size);
}

static int
setup(void **state)
{
	struct fixture	*fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL ||
	    (fx->set = tmpl_set_new()) == NULL) {
		free(fx);
		return -1;
	}
	buf_init(&fx->out, 1 << 20);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	tmpl_set_free(fx->set);
	buf_free(&fx->out);
	free(fx);
	return 0;
}

static void
add(struct fixture *fx, const char *name, const char *text)
{
	fx->err[0] = '\0';
	if (tmpl_set_add(fx->set, name, text, strlen(text), fx->err,
	    sizeof(fx->err)) == -1)
		fail_msg("tmpl_set_add %s: %s", name, fx->err);
}

/* Renders name with the JSON text ctx (NULL for no context). */
static const char *
render(struct fixture *fx, const char *name, const char *ctx)
{
	struct json_object	*o = NULL;

	if (ctx != NULL)
		assert_non_null(o = json_tokener_parse(ctx));
	buf_reset(&fx->out);
	assert_int_equal(tmpl_render(fx->set, name, o, &fx->out), 0);
	json_object_put(o);
	return fx->out.data != NULL ? fx->out.data : "";
}

/* Adds a one-off template "t" and renders it. */
static const char *
run(struct fixture *fx, const char *text, const char *ctx)
{
	static int	seq;
	char		name[32];

	fmt(name, sizeof(name), "t%d", seq++);
	add(fx, name, text);
	return render(fx, name, ctx);
}

static void
test_escape_default(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(run(fx, "<p>{{x}}</p>",
	    "{\"x\":\"<b>&\\\"'</b>\"}"),
	    "<p>&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;</p>");
	assert_string_equal(run(fx, "{{{x}}}|{{ x }}|{{{ x }}}",
	    "{\"x\":\"<i>\"}"), "<i>|&lt;i&gt;|<i>");
}

static void
test_values(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(run(fx, "[{{n}}][{{d}}][{{t}}][{{f}}][{{z}}]"
	    "[{{missing}}]", "{\"n\":-42,\"d\":1.5,\"t\":true,\"f\":false,"
	    "\"z\":null}"), "[-42][1.5][true][false][][]");
	/* Objects render as their (escaped) JSON text. */
	assert_string_equal(run(fx, "{{o}}", "{\"o\":{\"a\":\"<\"}}"),
	    "{&quot;a&quot;:&quot;&lt;&quot;}");
	assert_string_equal(run(fx, "no tags at all", NULL),
	    "no tags at all");
	assert_string_equal(run(fx, "{{x}}", NULL), "");
	assert_string_equal(run(fx, "a{{! a comment {with} braces\n }}b",
	    NULL), "ab");
	assert_string_equal(run(fx, "", "{}"), "");
}

static void
test_dotted_and_dot(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(run(fx, "{{a.b.c}}|{{a.x.c}}|{{a.b}}",
	    "{\"a\":{\"b\":{\"c\":\"deep\"}}}"), "deep||{&quot;c&quot;:"
	    "&quot;deep&quot;}");
	assert_string_equal(run(fx, "{{#l}}<{{.}}>{{/l}}",
	    "{\"l\":[\"a&\",2,true]}"), "<a&amp;><2><true>");
}

static void
test_sections(void **state)
{
	struct fixture	*fx = *state;
	const char	*t = "{{#s}}Y{{/s}}";

	/* Arrays: once per element, element pushed. */
	assert_string_equal(run(fx, "{{#items}}[{{name}}]{{/items}}",
	    "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"), "[a][b]");
	assert_string_equal(run(fx, t, "{\"s\":[]}"), "");
	/* Objects: once, pushed. */
	assert_string_equal(run(fx, "{{#u}}{{name}}{{/u}}",
	    "{\"u\":{\"name\":\"ann\"}}"), "ann");
	assert_string_equal(run(fx, t, "{\"s\":{}}"), "Y");
	/* Scalars. */
	assert_string_equal(run(fx, t, "{\"s\":true}"), "Y");
	assert_string_equal(run(fx, t, "{\"s\":false}"), "");
	assert_string_equal(run(fx, t, "{\"s\":null}"), "");
	assert_string_equal(run(fx, t, "{}"), "");
	assert_string_equal(run(fx, t, "{\"s\":\"\"}"), "");
	assert_string_equal(run(fx, t, "{\"s\":\"x\"}"), "Y");
	assert_string_equal(run(fx, t, "{\"s\":0}"), "");
	assert_string_equal(run(fx, t, "{\"s\":0.0}"), "");
	assert_string_equal(run(fx, t, "{\"s\":3}"), "Y");
	assert_string_equal(run(fx, t, "{\"s\":-0.5}"), "Y");
	assert_string_equal(run(fx, t, NULL), "");
}

static void
test_inverted(void **state)
{
	struct fixture	*fx = *state;
	const char	*t = "{{#s}}yes{{/s}}{{^s}}no{{/s}}";
	static const char *const ctx[][2] = {
		{ "{\"s\":[]}", "no" }, { "{\"s\":[1]}", "yes" },
		{ "{\"s\":{}}", "yes" }, { "{\"s\":true}", "yes" },
		{ "{\"s\":false}", "no" }, { "{\"s\":null}", "no" },
		{ "{}", "no" }, { "{\"s\":\"\"}", "no" },
		{ "{\"s\":\"x\"}", "yes" }, { "{\"s\":0}", "no" },
		{ "{\"s\":7}", "yes" },
	};
	size_t		 i;

	for (i = 0; i < sizeof(ctx) / sizeof(ctx[0]); i++)
		assert_string_equal(run(fx, t, ctx[i][0]), ctx[i][1]);
	/* Inverted does not push: names still resolve outside. */
	assert_string_equal(run(fx, "{{^l}}{{msg}}{{/l}}",
	    "{\"l\":[],\"msg\":\"empty\"}"), "empty");
}

static void
test_outer_lookup(void **state)
{
	struct fixture	*fx = *state;

	assert_string_equal(run(fx,
	    "{{#rows}}{{#cells}}{{title}}:{{row}}.{{v}} {{/cells}}{{/rows}}",
	    "{\"title\":\"T\",\"rows\":[{\"row\":1,\"cells\":[{\"v\":\"a\"},"
	    "{\"v\":\"b\",\"title\":\"inner\"}]},{\"row\":2,\"cells\":"
	    "[{\"v\":\"c\"}]}]}"), "T:1.a inner:1.b T:2.c ");
	/*
	 * A dotted name resolves its first segment outward, then walks
	 * only from there: u.name misses in the inner u, no fallback.
	 */
	assert_string_equal(run(fx, "{{#inner}}[{{u.name}}]{{/inner}}",
	    "{\"u\":{\"name\":\"outer\"},\"inner\":{\"u\":{}}}"), "[]");
	assert_string_equal(run(fx, "{{#inner}}[{{u.name}}]{{/inner}}",
	    "{\"u\":{\"name\":\"outer\"},\"inner\":{\"x\":1}}"), "[outer]");
}

static void
test_partials(void **state)
{
	struct fixture	*fx = *state;

	add(fx, "item", "<li>{{name}}</li>");
	add(fx, "list", "<ul>{{#items}}{{> item}}{{/items}}</ul>");
	assert_string_equal(render(fx, "list",
	    "{\"items\":[{\"name\":\"<a>\"},{\"name\":\"b\"}]}"),
	    "<ul><li>&lt;a&gt;</li><li>b</li></ul>");
	assert_int_equal(tmpl_exists(fx->set, "item"), 1);
	assert_int_equal(tmpl_exists(fx->set, "nope"), 0);
}

static void
test_missing_partial(void **state)
{
	struct fixture	*fx = *state;

	add(fx, "page", "before {{> later}} after");
	buf_reset(&fx->out);
	assert_int_equal(buf_puts(&fx->out, "kept"), 0);
	assert_int_equal(tmpl_render(fx->set, "page", NULL, &fx->out), -1);
	/* Nothing of the failed render is left behind. */
	assert_string_equal(fx->out.data, "kept");
	add(fx, "later", "L");
	assert_string_equal(render(fx, "page", NULL), "before L after");
	assert_int_equal(tmpl_render(fx->set, "unknown", NULL, &fx->out), -1);
}

static void
test_include_depth(void **state)
{
	struct fixture	*fx = *state;
	char		 name[16], text[32];
	int		 i;

	/* p0 includes p1 ... includes p8: eight nested includes. */
	for (i = 0; i < 8; i++) {
		fmt(name, sizeof(name), "p%d", i);
		fmt(text, sizeof(text), "%d{{> p%d}}", i, i + 1);
		add(fx, name, text);
	}
	add(fx, "p8", "8");
	assert_string_equal(render(fx, "p0", NULL), "012345678");
	add(fx, "q", "{{> p0}}");		/* nine */
	assert_int_equal(tmpl_render(fx->set, "q", NULL, &fx->out), -1);
}

static void
test_recursive_partial(void **state)
{
	struct fixture		*fx = *state;
	struct json_object	*o;

	add(fx, "self", "x{{#more}}{{> self}}{{/more}}");
	assert_string_equal(render(fx, "self", "{\"more\":false}"), "x");
	o = json_tokener_parse("{\"more\":true}");
	assert_non_null(o);
	buf_reset(&fx->out);
	assert_int_equal(tmpl_render(fx->set, "self", o, &fx->out), -1);
	assert_int_equal(fx->out.len, 0);
	json_object_put(o);
}

static void
test_buf_cap(void **state)
{
	struct fixture		*fx = *state;
	struct json_object	*o;
	struct buf		 small;

	add(fx, "big", "0123456789{{x}}");
	buf_init(&small, 12);
	assert_int_equal(tmpl_render(fx->set, "big", NULL, &small), 0);
	assert_int_equal(small.len, 10);
	/* "<" is 4 bytes once escaped: 14 > 12. */
	assert_non_null(o = json_tokener_parse("{\"x\":\"<\"}"));
	buf_reset(&small);
	assert_int_equal(tmpl_render(fx->set, "big", o, &small), -1);
	assert_int_equal(small.len, 0);
	json_object_put(o);
	/* Cap hit in the middle of a section. */
	add(fx, "loop", "{{#l}}abcd{{/l}}");
	assert_non_null(o = json_tokener_parse("{\"l\":[1,2,3,4]}"));
	buf_reset(&small);
	assert_int_equal(tmpl_render(fx->set, "loop", o, &small), -1);
	assert_int_equal(small.len, 0);
	json_object_put(o);
	buf_free(&small);
}

static void
expect_error(struct fixture *fx, const char *text, const char *want)
{
	fx->err[0] = '\0';
	assert_int_equal(tmpl_set_add(fx->set, "bad", text, strlen(text),
	    fx->err, sizeof(fx->err)), -1);
	if (strstr(fx->err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", fx->err, want);
	assert_int_equal(tmpl_exists(fx->set, "bad"), 0);
}

static void
test_parse_errors(void **state)
{
	struct fixture	*fx = *state;

	expect_error(fx, "a\nb\n{{#s}}\nc\n", "bad:3: unclosed section 's'");
	expect_error(fx, "{{#a}}\n{{#b}}\n{{/a}}{{/b}}",
	    "bad:3: mismatched {{/a}}, expected {{/b}} (line 2)");
	expect_error(fx, "\n{{/a}}", "bad:2: {{/a}} without an open section");
	expect_error(fx, "x\n{{name", "bad:2: unclosed tag");
	expect_error(fx, "{{{raw}}", "bad:1: unclosed tag");
	expect_error(fx, "{{! never\nclosed", "bad:1: unclosed tag");
	expect_error(fx, "{{}}", "bad:1: bad tag name ''");
	expect_error(fx, "{{&x}}", "bad tag name '&x'");
	expect_error(fx, "{{a..b}}", "bad tag name 'a..b'");
	expect_error(fx, "{{a.}}", "bad tag name");
	expect_error(fx, "{{> a.b}}", "bad tag name");
	expect_error(fx, "{{a b}}", "bad tag name");
	expect_error(fx, "{{=<% %>=}}", "bad tag name");
	/* A multi-line comment moves the line count on. */
	expect_error(fx, "{{! one\ntwo\n}}\n{{/x}}", "bad:4:");
}

/* Writes n copies of the 6-byte tag at text[*len]. */
static void
tags(char *text, size_t size, size_t *len, const char *tag, int n)
{
	for (; n > 0; n--) {
		assert_true(size - *len > 6);
		memcpy(text + *len, tag, 6);
		*len += 6;
		text[*len] = '\0';
	}
}

static void
test_nesting_cap(void **state)
{
	struct fixture	*fx = *state;
	char		 text[1024];
	size_t		 len = 0;

	tags(text, sizeof(text), &len, "{{#a}}", 33);
	expect_error(fx, text, "nested deeper than 32");
	len = 0;
	tags(text, sizeof(text), &len, "{{#a}}", 32);
	tags(text, sizeof(text), &len, "{{/a}}", 32);
	add(fx, "deep", text);
	assert_string_equal(render(fx, "deep", "{\"a\":true}"), "");
}

static void
test_set_errors(void **state)
{
	struct fixture	*fx = *state;
	char		*big, name[16];
	int		 i;

	add(fx, "dup", "x");
	assert_int_equal(tmpl_set_add(fx->set, "dup", "y", 1, fx->err,
	    sizeof(fx->err)), -1);
	assert_string_equal(fx->err, "dup: duplicate template");
	assert_string_equal(render(fx, "dup", NULL), "x");
	assert_int_equal(tmpl_set_add(fx->set, "a/b", "y", 1, fx->err,
	    sizeof(fx->err)), -1);
	big = malloc(BR_MAX_TEMPLATE_SIZE + 1);
	assert_non_null(big);
	memset(big, 'x', BR_MAX_TEMPLATE_SIZE + 1);
	assert_int_equal(tmpl_set_add(fx->set, "big", big,
	    BR_MAX_TEMPLATE_SIZE + 1, fx->err, sizeof(fx->err)), -1);
	assert_non_null(strstr(fx->err, "too big"));
	assert_int_equal(tmpl_set_add(fx->set, "big", big,
	    BR_MAX_TEMPLATE_SIZE, fx->err, sizeof(fx->err)), 0);
	free(big);
	for (i = 2; i < BR_MAX_TEMPLATES; i++) {
		fmt(name, sizeof(name), "n%d", i);
		add(fx, name, "");
	}
	assert_int_equal(tmpl_set_add(fx->set, "one_more", "", 0, fx->err,
	    sizeof(fx->err)), -1);
	/* A tiny err buffer is still NUL-terminated. */
	assert_int_equal(tmpl_set_add(fx->set, "dup", "y", 1, fx->err, 4),
	    -1);
	assert_string_equal(fx->err, "dup");
}

/* Writes dir/name with text. */
static void
put_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	fmt(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

static void
rm_dir(const char *dir)
{
	static const char *const names[] = {
		"page.html", "row.html", "notes.txt", ".hidden.html",
		"broken.html", "sub", "sub.html",
	};
	char	path[512];
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fmt(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
		rmdir(path);
	}
	rmdir(dir);
}

static void
test_load_dir(void **state)
{
	struct fixture		*fx = *state;
	struct tmpl_set		*set;
	struct json_object	*o;
	char			 dir[] = "/tmp/test_tmpl.XXXXXX";

	assert_non_null(mkdtemp(dir));
	put_file(dir, "page.html", "<h1>{{t}}</h1>\n{{#r}}{{> row}}{{/r}}");
	put_file(dir, "row.html", "<p>{{.}}</p>");
	put_file(dir, "notes.txt", "{{#unclosed}}");
	put_file(dir, ".hidden.html", "{{#unclosed}}");
	set = tmpl_load_dir(dir, fx->err, sizeof(fx->err));
	if (set == NULL)
		fail_msg("tmpl_load_dir: %s", fx->err);
	assert_int_equal(tmpl_exists(set, "page"), 1);
	assert_int_equal(tmpl_exists(set, "notes"), 0);
	buf_reset(&fx->out);
	assert_non_null(o = json_tokener_parse("{\"t\":\"&\",\"r\":[1,2]}"));
	assert_int_equal(tmpl_render(set, "page", o, &fx->out), 0);
	json_object_put(o);
	assert_string_equal(fx->out.data, "<h1>&amp;</h1>\n<p>1</p><p>2</p>");
	tmpl_set_free(set);

	/* Unknown partial is a load error naming file and line. */
	put_file(dir, "broken.html", "ok\n\n{{> nowhere}}");
	assert_null(tmpl_load_dir(dir, fx->err, sizeof(fx->err)));
	assert_non_null(strstr(fx->err, "/broken.html:3: unknown partial "
	    "'nowhere'"));
	put_file(dir, "broken.html", "\n{{/x}}");
	assert_null(tmpl_load_dir(dir, fx->err, sizeof(fx->err)));
	assert_non_null(strstr(fx->err, "/broken.html:2: {{/x}} without"));
	/* Something named like a template that is not a file is an error. */
	put_file(dir, "broken.html", "");
	fmt(fx->err, sizeof(fx->err), "%s/sub.html", dir);
	assert_int_equal(mkdir(fx->err, 0700), 0);
	assert_null(tmpl_load_dir(dir, fx->err, sizeof(fx->err)));
	assert_non_null(strstr(fx->err, "sub.html: not a regular file"));
	rm_dir(dir);
	assert_null(tmpl_load_dir(dir, fx->err, sizeof(fx->err)));
	assert_non_null(strstr(fx->err, "No such file"));
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_escape_default),
		T(test_values),
		T(test_dotted_and_dot),
		T(test_sections),
		T(test_inverted),
		T(test_outer_lookup),
		T(test_partials),
		T(test_missing_partial),
		T(test_include_depth),
		T(test_recursive_partial),
		T(test_buf_cap),
		T(test_parse_errors),
		T(test_nesting_cap),
		T(test_set_errors),
		T(test_load_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
