/*
 * test_tmpl.c -- unit tests for app/tmpl.c and app/tval.c: escaping by
 * default, the raw form, sections over every value type, inverted
 * sections, partials and their depth cap, dotted and outer-context
 * lookups, parse errors with line numbers, render failures, loading a
 * directory, and the context API (tv_*): values, replacement, int64
 * limits, falsy empties, broken contexts.
 *
 * Most contexts are written as JSON text for brevity and built with the
 * tv_* API by ctx_of() (json-c only parses the literal here; the
 * renderer never sees it).
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

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "tmpl.h"

struct fixture {
	struct tmpl_set	*set;
	struct arena	*arena;
	struct buf	 out;
	char		 err[256];
};

/* The json-c value j as a tval built with the tv_* API, into *out. */
static void
tv_of(struct arena *a, struct json_object *j, struct tval *out)
{
	struct tval	 c, *box;
	size_t		 i, n;

	memset(out, 0, sizeof(*out));
	switch (json_object_get_type(j)) {
	case json_type_object:
		assert_non_null(box = tv_obj(a));
		json_object_object_foreach(j, key, val) {
			tv_of(a, val, &c);
			assert_int_equal(tv_set_tv(box, arena_strdup(a, key),
			    &c), 0);
		}
		*out = *box;
		break;
	case json_type_array:
		assert_non_null(box = tv_arr(a));
		n = json_object_array_length(j);
		for (i = 0; i < n; i++) {
			tv_of(a, json_object_array_get_idx(j, i), &c);
			assert_int_equal(tv_push(box, &c), 0);
		}
		*out = *box;
		break;
	case json_type_boolean:
		out->type = TV_BOOL;
		out->u.b = json_object_get_boolean(j);
		break;
	case json_type_int:
		out->type = TV_INT;
		out->u.i = json_object_get_int64(j);
		break;
	case json_type_double:
		out->type = TV_DBL;
		out->u.d = json_object_get_double(j);
		break;
	case json_type_string:
		out->type = TV_STR;
		out->u.str.s = arena_strdup(a, json_object_get_string(j));
		out->u.str.len = strlen(out->u.str.s);
		break;
	case json_type_null:
	default:
		out->type = TV_NULL;
		break;
	}
}

/* The context written as JSON text, in the fixture's arena. */
static const struct tval *
ctx_of(struct fixture *fx, const char *json)
{
	struct json_object	*o;
	struct tval		*v;

	assert_non_null(o = json_tokener_parse(json));
	assert_non_null(v = arena_alloc(fx->arena, sizeof(*v)));
	tv_of(fx->arena, o, v);
	json_object_put(o);
	return v;
}

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
	    (fx->set = tmpl_set_new()) == NULL ||
	    (fx->arena = arena_create(1 << 20)) == NULL) {
		if (fx != NULL)
			tmpl_set_free(fx->set);
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
	arena_destroy(fx->arena);
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
	buf_reset(&fx->out);
	assert_int_equal(tmpl_render(fx->set, name, ctx != NULL ?
	    ctx_of(fx, ctx) : NULL, &fx->out), 0);
	return fx->out.data != NULL ? fx->out.data : "";
}

/* Renders name with a built context. */
static const char *
render_tv(struct fixture *fx, const char *name, const struct tval *ctx)
{
	buf_reset(&fx->out);
	assert_int_equal(tmpl_render(fx->set, name, ctx, &fx->out), 0);
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
	struct fixture	*fx = *state;

	add(fx, "self", "x{{#more}}{{> self}}{{/more}}");
	assert_string_equal(render(fx, "self", "{\"more\":false}"), "x");
	buf_reset(&fx->out);
	assert_int_equal(tmpl_render(fx->set, "self", ctx_of(fx,
	    "{\"more\":true}"), &fx->out), -1);
	assert_int_equal(fx->out.len, 0);
}

static void
test_buf_cap(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 small;

	add(fx, "big", "0123456789{{x}}");
	buf_init(&small, 12);
	assert_int_equal(tmpl_render(fx->set, "big", NULL, &small), 0);
	assert_int_equal(small.len, 10);
	/* "<" is 4 bytes once escaped: 14 > 12. */
	buf_reset(&small);
	assert_int_equal(tmpl_render(fx->set, "big", ctx_of(fx,
	    "{\"x\":\"<\"}"), &small), -1);
	assert_int_equal(small.len, 0);
	/* Cap hit in the middle of a section. */
	add(fx, "loop", "{{#l}}abcd{{/l}}");
	buf_reset(&small);
	assert_int_equal(tmpl_render(fx->set, "loop", ctx_of(fx,
	    "{\"l\":[1,2,3,4]}"), &small), -1);
	assert_int_equal(small.len, 0);
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
	struct fixture	*fx = *state;
	struct tmpl_set	*set;
	char		 dir[] = "/tmp/test_tmpl.XXXXXX";

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
	assert_int_equal(tmpl_render(set, "page", ctx_of(fx,
	    "{\"t\":\"&\",\"r\":[1,2]}"), &fx->out), 0);
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

static void
test_tv_nested(void **state)
{
	struct fixture		*fx = *state;
	struct tval		*ctx, *a, *b, *l;
	const struct tval	*v;

	assert_non_null(ctx = tv_obj(fx->arena));
	assert_non_null(a = tv_obj(fx->arena));
	assert_non_null(b = tv_obj(fx->arena));
	assert_non_null(l = tv_arr(fx->arena));
	/* Children given before they are filled: storage is shared. */
	assert_int_equal(tv_set_tv(ctx, "a", a), 0);
	assert_int_equal(tv_set_tv(a, "b", b), 0);
	assert_int_equal(tv_set_str(b, "c", "first"), 0);
	assert_int_equal(tv_set_str(b, "c", "<deep>"), 0);	/* replaces */
	assert_int_equal(tv_set_tv(ctx, "l", l), 0);
	assert_int_equal(tv_push(l, b), 0);
	assert_int_equal(tv_push(l, a), 0);
	add(fx, "nest", "{{a.b.c}}|{{a.x.c}}|{{#a}}{{#b}}{{c}}{{/b}}{{/a}}|"
	    "{{#l}}[{{c}}{{b.c}}]{{/l}}|{{{a.b.c}}}");
	assert_string_equal(render_tv(fx, "nest", ctx), "&lt;deep&gt;||"
	    "&lt;deep&gt;|[&lt;deep&gt;][&lt;deep&gt;]|<deep>");
	/* The getters see the same tree. */
	assert_int_equal(tv_len(b), 1);
	assert_string_equal(tv_key(b, 0), "c");
	assert_string_equal(tv_cstr(tv_at(b, 0)), "<deep>");
	assert_non_null(v = tv_get(ctx, "l"));
	assert_int_equal(tv_len(v), 2);
	assert_null(tv_get(ctx, "nope"));
	assert_null(tv_at(v, 2));
	assert_null(tv_cstr(tv_get(ctx, "a")));
	/* Objects render as JSON text, keys in insertion order. */
	add(fx, "js", "{{{a}}}");
	assert_string_equal(render_tv(fx, "js", ctx),
	    "{\"b\":{\"c\":\"<deep>\"}}");
}

static void
test_tv_int64_limits(void **state)
{
	struct fixture	*fx = *state;
	struct tval	*ctx = tv_obj(fx->arena), *l = tv_arr(fx->arena), v;

	assert_int_equal(tv_set_i64(ctx, "min", INT64_MIN), 0);
	assert_int_equal(tv_set_i64(ctx, "max", INT64_MAX), 0);
	assert_int_equal(tv_set_i64(ctx, "zero", 0), 0);
	assert_int_equal(tv_set_i64(ctx, "neg", -1), 0);
	assert_int_equal(tv_set_bool(ctx, "t", 7), 0);
	assert_int_equal(tv_set_bool(ctx, "f", 0), 0);
	v.type = TV_INT;
	v.u.i = INT64_MIN;
	assert_int_equal(tv_push(l, &v), 0);
	v.u.i = INT64_MAX;
	assert_int_equal(tv_push(l, &v), 0);
	assert_int_equal(tv_set_tv(ctx, "l", l), 0);
	add(fx, "ints", "{{min}} {{max}} {{zero}} {{neg}} {{t}} {{f}} "
	    "{{#zero}}Z{{/zero}}{{#min}}M{{/min}} {{l}}");
	assert_string_equal(render_tv(fx, "ints", ctx),
	    "-9223372036854775808 9223372036854775807 0 -1 true false M "
	    "[-9223372036854775808,9223372036854775807]");
}

static void
test_tv_falsy(void **state)
{
	struct fixture	*fx = *state;
	struct tval	*ctx = tv_obj(fx->arena);

	assert_int_equal(tv_set_tv(ctx, "arr", tv_arr(fx->arena)), 0);
	assert_int_equal(tv_set_tv(ctx, "obj", tv_obj(fx->arena)), 0);
	assert_int_equal(tv_set_str(ctx, "empty", ""), 0);
	assert_int_equal(tv_set_strn(ctx, "cut", "abc", 0), 0);
	assert_int_equal(tv_set_opt(ctx, "none", NULL), 0);
	assert_int_equal(tv_set_null(ctx, "null"), 0);
	assert_int_equal(tv_set_strn(ctx, "two", "abc", 2), 0);
	add(fx, "falsy", "{{#arr}}A{{/arr}}{{^arr}}a{{/arr}}"
	    "{{#obj}}O{{/obj}}{{^obj}}o{{/obj}}"
	    "{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}"
	    "{{#cut}}C{{/cut}}{{^cut}}c{{/cut}}"
	    "{{#none}}N{{/none}}{{^none}}n{{/none}}[{{none}}]"
	    "{{#null}}U{{/null}}{{^null}}u{{/null}}[{{two}}]{{arr}}{{obj}}");
	assert_string_equal(render_tv(fx, "falsy", ctx),
	    "aOecn[]u[ab][]{}");
}

static void
test_tv_copies(void **state)
{
	struct fixture	*fx = *state;
	struct tval	*ctx = tv_obj(fx->arena);
	char		 src[8] = "before";

	/* tv_set_str() borrows, tv_set_strdup() copies. */
	assert_int_equal(tv_set_str(ctx, "b", src), 0);
	assert_int_equal(tv_set_strdup(ctx, "c", src), 0);
	memcpy(src, "after!", 7);
	add(fx, "copies", "{{b}} {{c}}");
	assert_string_equal(render_tv(fx, "copies", ctx), "after! before");
}

static void
test_tv_broken(void **state)
{
	struct fixture	*fx = *state;
	struct tval	*ctx, *l, *other;
	struct arena	*tiny;
	int		 i, rv = 0;

	add(fx, "x", "{{x}}");
	add(fx, "each", "{{#l}}{{.}}{{/l}}");
	/* Calls on a NULL container do nothing. */
	assert_int_equal(tv_set_str(NULL, "k", "v"), -1);
	assert_int_equal(tv_push(NULL, NULL), -1);
	assert_int_equal(tv_len(NULL), 0);
	/* A failed string (NULL) breaks the object: no render at all. */
	ctx = tv_obj(fx->arena);
	assert_int_equal(tv_set_str(ctx, "x", "shown"), 0);
	assert_int_equal(tv_set_str(ctx, "y", NULL), -1);
	assert_int_equal(tv_ok(ctx), 0);
	buf_reset(&fx->out);
	assert_int_equal(buf_puts(&fx->out, "kept"), 0);
	assert_int_equal(tmpl_render(fx->set, "x", ctx, &fx->out), -1);
	assert_string_equal(fx->out.data, "kept");
	/* A NULL child or key breaks the parent. */
	ctx = tv_obj(fx->arena);
	assert_int_equal(tv_set_tv(ctx, "c", NULL), -1);
	assert_int_equal(tmpl_render(fx->set, "x", ctx, &fx->out), -1);
	ctx = tv_obj(fx->arena);
	assert_int_equal(tv_set_i64(ctx, NULL, 1), -1);
	assert_int_equal(tmpl_render(fx->set, "x", ctx, &fx->out), -1);
	/* A broken array fails the section that walks it ... */
	ctx = tv_obj(fx->arena);
	l = tv_arr(fx->arena);
	assert_int_equal(tv_set_tv(ctx, "l", l), 0);
	assert_int_equal(tv_push(l, NULL), -1);
	assert_int_equal(tmpl_render(fx->set, "each", ctx, &fx->out), -1);
	/* ... and {{l}}, but a template that does not read it renders. */
	add(fx, "l", "{{l}}");
	assert_int_equal(tmpl_render(fx->set, "l", ctx, &fx->out), -1);
	add(fx, "other", "{{#other}}o{{/other}}");
	other = tv_obj(fx->arena);
	assert_int_equal(tv_set_tv(other, "broken", l), 0);
	assert_int_equal(tv_set_bool(other, "other", 1), 0);
	assert_string_equal(render_tv(fx, "other", other), "o");
	/* An arena out of room breaks the container that grows. */
	assert_non_null(tiny = arena_create(4096));
	assert_non_null(l = tv_arr(tiny));
	ctx = tv_obj(fx->arena);
	assert_int_equal(tv_set_tv(ctx, "l", l), 0);
	for (i = 0; i < 100000 && rv == 0; i++)
		rv = tv_push(l, ctx);
	assert_int_equal(rv, -1);
	assert_int_equal(tv_ok(l), 0);
	assert_int_equal(tmpl_render(fx->set, "each", ctx, &fx->out), -1);
	arena_destroy(tiny);
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
		T(test_tv_nested),
		T(test_tv_int64_limits),
		T(test_tv_falsy),
		T(test_tv_copies),
		T(test_tv_broken),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
