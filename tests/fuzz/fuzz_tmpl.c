/*
 * fuzz_tmpl.c -- the template engine (app/tmpl.c) on both of its inputs.
 *
 * Odd first byte: the real templates (app/templates, or $FUZZ_TEMPLATES)
 * rendered with a context decoded from the rest of the input by
 * json_parse_body() and made a page context by h_tv_of_json(), as a
 * handler's data would reach them: every value goes through the escaper
 * unless the template says {{{raw}}}.  Even
 * first byte: the rest is template text, parsed; when it has no partial
 * ({{> x}} could include itself eight deep), it is rendered too.
 *
 * Invariants: a refused template names a reason; a failed render leaves
 * the output buffer as it was.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "bounds.h"
#include "buf.h"
#include "fuzz.h"
#include "hutil.h"
#include "json.h"
#include "tmpl.h"

static struct tmpl_set	*real;
static char		*names[BR_MAX_TEMPLATES];
static size_t		 nnames;

/* Loads the real templates and their names, once. */
static void
load_real(void)
{
	const char	*dir = getenv("FUZZ_TEMPLATES");
	struct dirent	*de;
	DIR		*d;
	size_t		 n;
	char		 err[256];

	if (dir == NULL)
		dir = "app/templates";
	if ((real = tmpl_load_dir(dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_tmpl: %s\n", err);
		fuzz_fail("the real templates do not load");
	}
	if ((d = opendir(dir)) == NULL)
		fuzz_fail("opendir");
	while ((de = readdir(d)) != NULL && nnames < BR_MAX_TEMPLATES) {
		n = strlen(de->d_name);
		if (n > 5 && strcmp(de->d_name + n - 5, ".html") == 0 &&
		    (names[nnames] = strndup(de->d_name, n - 5)) != NULL)
			nnames++;
	}
	closedir(d);
	if (nnames == 0)
		fuzz_fail("no templates");
}

static void
render_real(struct arena *a, unsigned int pick, const char *s, size_t len)
{
	struct json_object	*j;
	struct tval		*ctx;
	struct buf		 out;

	if (json_parse_body(a, s, len, BR_MAX_JSON_BODY, BR_MAX_JSON_DEPTH,
	    &j, NULL) != JSON_OK || (ctx = h_tv_of_json(a, j, 0)) == NULL)
		return;
	buf_init(&out, BR_MAX_RESPONSE);
	if (tmpl_render(real, names[pick % nnames], ctx, &out) == -1 &&
	    out.len != 0)
		fuzz_fail("a failed render left output");
	buf_free(&out);
}

static void
parse_text(struct arena *a, const char *s, size_t len)
{
	struct tmpl_set	*set;
	struct tval	*ctx;
	struct buf	 out;
	char		 err[256];

	if ((set = tmpl_set_new()) == NULL)
		fuzz_fail("tmpl_set_new");
	err[0] = '\0';
	if (tmpl_set_add(set, "t", s, len, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			fuzz_fail("a refused template without a reason");
	} else if (memmem(s, len, "{{>", 3) == NULL) {
		buf_init(&out, BR_MAX_RESPONSE);
		ctx = tv_obj(a);
		(void)tv_set_str(ctx, "a", "<&>");
		(void)tmpl_render(set, "t", ctx, &out);
		buf_free(&out);
	}
	tmpl_set_free(set);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct arena	*a = fuzz_arena();

	if (len < 1)
		return 0;
	if (real == NULL)
		load_real();
	if (data[0] & 1)
		render_real(a, data[0] >> 1, (const char *)data + 1, len - 1);
	else
		parse_text(a, (const char *)data + 1, len - 1);
	arena_reset(a);
	return 0;
}
