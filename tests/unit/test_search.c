/*
 * test_search.c -- unit tests for app/domain/search.c: a search split
 * into a LIKE prefix, boolean-mode terms and a REGEXP, with nothing of q
 * ever becoming syntax.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "search.h"

#define RE(w)	"(?=.*(^|[^[:alnum:]_])" w ")"

static struct arena	*a;

static int
setup(void **state)
{
	(void)state;
	return (a = arena_create(1 << 20)) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_destroy(a);
	return 0;
}

static void
parse(const char *q, const char *prefix, const char *terms, const char *rest)
{
	struct search_query	sq;

	assert_int_equal(search_parse(a, q, &sq), 0);
	assert_string_equal(sq.prefix, prefix);
	assert_string_equal(sq.terms, terms);
	assert_string_equal(sq.rest, rest);
}

static void
test_empty(void **state)
{
	(void)state;
	parse(NULL, "", "", "");
	parse("", "", "", "");
}

static void
test_words_become_prefix_terms(void **state)
{
	(void)state;
	parse("clamp", "clamp", "+clamp*", "");
	parse("heavy clamp", "heavy clamp", "+heavy* +clamp*", "");
	/* Digits first, then the longer: InnoDB stops at an empty term. */
	parse("bench product 123", "bench product 123",
	    "+123* +product* +bench*", "");
	parse("Heavy-duty", "Heavy-duty", "+Heavy* +duty*", "");
	parse("x_y", "x\\_y", "+x_y*", "");
}

static void
test_unindexed_words_go_to_the_regexp(void **state)
{
	(void)state;
	parse("TV", "TV", "", RE("TV"));
	parse("tv stand", "tv stand", "+stand*", RE("tv"));
	parse("The box of", "The box of", "+box*", RE("The") RE("of"));
	parse("with WWW about", "with WWW about", "", RE("about") RE("with")
	    RE("WWW"));
	/* Characters, not bytes: "éé" is short, "ééé" is not. */
	parse("\xc3\xa9\xc3\xa9", "\xc3\xa9\xc3\xa9", "",
	    RE("\xc3\xa9\xc3\xa9"));
	parse("\xc3\xa9\xc3\xa9\xc3\xa9", "\xc3\xa9\xc3\xa9\xc3\xa9",
	    "+\xc3\xa9\xc3\xa9\xc3\xa9*", "");
}

static void
test_operators_are_separators(void **state)
{
	(void)state;
	parse("+-<>()~*\"@", "+-<>()~*\"@", "", "");
	parse("-clamp", "-clamp", "+clamp*", "");
	parse("\"heavy clamp\"", "\"heavy clamp\"", "+heavy* +clamp*", "");
	parse("clamp* @2 (x) ~y <z >w", "clamp* @2 (x) ~y <z >w", "+clamp*",
	    RE("2") RE("x") RE("y") RE("z") RE("w"));
	parse("a.b|c[d]e{f}g$h^i?j\\k", "a.b|c[d]e{f}g$h^i?j\\\\k", "",
	    RE("a") RE("b") RE("c") RE("d") RE("e") RE("f") RE("g") RE("h")
	    RE("i") RE("j") RE("k"));
	/* Unicode punctuation too: an en dash and a no-break space. */
	parse("foo\xe2\x80\x93" "bar\xc2\xa0qux", "foo\xe2\x80\x93"
	    "bar\xc2\xa0qux", "+foo* +bar* +qux*", "");
}

static void
test_like_wildcards_are_escaped(void **state)
{
	(void)state;
	parse("100%", "100\\%", "+100*", "");
	parse("a_b%c\\", "a\\_b\\%c\\\\", "+a_b*", RE("c"));
	assert_string_equal(search_like_literal(a, "%_\\"), "\\%\\_\\\\");
	assert_string_equal(search_like_literal(a, NULL), "");
}

static void
test_every_byte_is_safe(void **state)
{
	struct search_query	sq;
	char			q[256];
	size_t			i, j;

	(void)state;
	/* No ASCII byte but letters, digits and '_' reaches the terms or
	 * the REGEXP outside their decoration. */
	for (i = 1; i < 128; i++) {
		for (j = 0; j < sizeof(q) - 1; j++)
			q[j] = (j % 4 == 0) ? (char)i : "ab1"[j % 4 - 1];
		q[sizeof(q) - 1] = '\0';
		assert_int_equal(search_parse(a, q, &sq), 0);
		for (j = 0; sq.terms[j] != '\0'; j++)
			assert_true(strchr("+* _", sq.terms[j]) != NULL ||
			    (sq.terms[j] >= 'a' && sq.terms[j] <= 'z') ||
			    (sq.terms[j] >= 'A' && sq.terms[j] <= 'Z') ||
			    (sq.terms[j] >= '0' && sq.terms[j] <= '9'));
		arena_reset(a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_words_become_prefix_terms),
		cmocka_unit_test(test_unindexed_words_go_to_the_regexp),
		cmocka_unit_test(test_operators_are_separators),
		cmocka_unit_test(test_like_wildcards_are_escaped),
		cmocka_unit_test(test_every_byte_is_safe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
