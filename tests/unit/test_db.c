/*
 * test_db.c -- unit tests for app/db.c's checked cell readers, which need
 * no server: a NULL or malformed cell is an error, never a silent 0, and
 * a row reader notices a column left unread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_i64),
		cmocka_unit_test(test_cell_str),
		cmocka_unit_test(test_row_reader),
	};

	log_init("test_db", LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
