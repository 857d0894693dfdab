/*
 * test_db.c -- unit tests for app/db.c's checked cell readers, which need
 * no server: a NULL or malformed cell is an error, never a silent 0, and
 * a row reader notices a column left unread; db_row_scan()'s type string
 * and db_rows_read().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "db.h"
#include "log.h"

/* Two rows of (id, name, note, flag). */
static char	*cells[] = {
	"7", "bolt", NULL, "1",
	"x8", NULL, "n", "2",
};
static const struct db_rows rows = { 2, 4, cells };

static void
test_cell_i64(void **state)
{
	int64_t	v = 99;

	(void)state;
	assert_int_equal(db_cell_i64(&rows, 0, 0, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(db_cell_i64(&rows, 1, 0, &v), -1);	/* "x8" */
	assert_int_equal(v, 0);
	assert_int_equal(db_cell_i64(&rows, 0, 2, &v), -1);	/* NULL */
	assert_int_equal(db_cell_i64(&rows, 2, 0, &v), -1);	/* no row */
	assert_int_equal(db_cell_i64(&rows, 0, 4, &v), -1);	/* no col */
	assert_int_equal(db_cell_i64_or(&rows, 0, 2, -5, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(db_cell_i64_or(&rows, 1, 0, -5, &v), -1);
}

static void
test_cell_str(void **state)
{
	const char	*s = NULL;

	(void)state;
	assert_int_equal(db_cell_str(&rows, 0, 1, &s), 0);
	assert_string_equal(s, "bolt");
	assert_int_equal(db_cell_str(&rows, 1, 1, &s), -1);
	assert_string_equal(s, "");
}

static void
test_row_reader(void **state)
{
	struct db_row	 rd;
	const char	*name, *note;
	int64_t		 id;
	int		 flag;

	(void)state;
	db_row_start(&rd, &rows, 0);
	id = db_row_i64(&rd);
	name = db_row_str(&rd);
	note = db_row_str_or(&rd, "none");
	flag = db_row_bool(&rd);
	assert_int_equal(db_row_end(&rd), 0);
	assert_int_equal(id, 7);
	assert_string_equal(name, "bolt");
	assert_string_equal(note, "none");
	assert_int_equal(flag, 1);

	/* Bad cells make the reader sticky-bad. */
	db_row_start(&rd, &rows, 1);
	id = db_row_i64(&rd);
	name = db_row_str(&rd);
	assert_int_equal(id, 0);
	assert_string_equal(name, "");
	(void)db_row_null(&rd);
	(void)db_row_i64(&rd);
	assert_int_equal(db_row_end(&rd), -1);

	/* A flag of 2 is not a boolean. */
	db_row_start(&rd, &rows, 1);
	(void)db_row_str(&rd);
	(void)db_row_null(&rd);
	(void)db_row_str(&rd);
	assert_int_equal(db_row_bool(&rd), 0);
	assert_int_equal(db_row_end(&rd), -1);

	/* Every column must be read: a SELECT that grew a column and a
	 * reader that did not is caught. */
	db_row_start(&rd, &rows, 0);
	(void)db_row_i64(&rd);
	(void)db_row_str(&rd);
	assert_int_equal(db_row_end(&rd), -1);

	/* Past the last row. */
	db_row_start(&rd, &rows, 2);
	(void)db_row_i64(&rd);
	assert_int_equal(db_row_end(&rd), -1);
}

/* One call per row: the type string in the SELECT's order. */
struct thing {
	int64_t		 id;
	const char	*name, *note;
	int		 flag;
};

static int
thing_read(const struct db_rows *rs, size_t i, void *out)
{
	struct thing	*t = out;

	return db_row_scan(rs, i, "isSb", &t->id, &t->name, &t->note,
	    &t->flag);
}

static void
test_row_scan(void **state)
{
	struct thing		 t;
	struct db_row		 rd;
	int64_t			 id = 0, n = 0;
	const char		*name = NULL;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(thing_read(&rows, 0, &t), 0);
	assert_int_equal(t.id, 7);
	assert_string_equal(t.name, "bolt");
	assert_null(t.note);
	assert_int_equal(t.flag, 1);
	/* "x8", a NULL name and a flag of 2: an error, not zeros. */
	assert_int_equal(thing_read(&rows, 1, &t), DB_ERROR);
	/* Too few columns named. */
	assert_int_equal(db_row_scan(&rows, 0, "is", &id, &name), DB_ERROR);
	/* Part of a row, then the rest by hand. */
	db_row_start(&rd, &rows, 0);
	db_row_fields(&rd, "is", &id, &name);
	assert_int_equal(id, 7);
	assert_string_equal(name, "bolt");
	assert_int_equal(db_row_null(&rd), 1);
	assert_int_equal(db_row_bool(&rd), 1);
	assert_int_equal(db_row_end(&rd), 0);
	/* 'I': NULL is 0. */
	assert_int_equal(db_row_scan(&rows, 0, "isIb", &id, &name, &n,
	    &t.flag), 0);
	assert_int_equal(n, 0);
}

/* Every row into an array; a bad row leaves NULL and 0. */
static void
test_rows_read(void **state)
{
	static char			*ok_cells[] = { "3", "nut", NULL, "0",
					    "4", "washer", "m8", "1" };
	static const struct db_rows	 ok = { 2, 4, ok_cells };
	struct arena			*a = arena_create(4096);
	struct thing			*tv;
	void				*v = NULL;
	size_t				 nv = 9;

	(void)state;
	assert_non_null(a);
	assert_int_equal(db_rows_read(a, &ok, sizeof(*tv), thing_read, &v,
	    &nv), 0);
	tv = v;
	assert_int_equal(nv, 2);
	assert_int_equal(tv[0].id, 3);
	assert_null(tv[0].note);
	assert_int_equal(tv[1].id, 4);
	assert_string_equal(tv[1].note, "m8");
	assert_int_equal(db_rows_read(a, &rows, sizeof(*tv), thing_read, &v,
	    &nv), DB_ERROR);
	assert_null(v);
	assert_int_equal(nv, 0);
	arena_destroy(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_i64),
		cmocka_unit_test(test_cell_str),
		cmocka_unit_test(test_row_reader),
		cmocka_unit_test(test_row_scan),
		cmocka_unit_test(test_rows_read),
	};

	log_init("test_db", LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
