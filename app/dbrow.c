/*
 * dbrow.c -- the checked cell readers of db.h: the only way the domain
 * turns a result row into a typed struct.  A NULL cell where a value is
 * required, or a cell that is not a number in range, is an error (logged
 * with its column), never a silent 0.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "db.h"
#include "log.h"
#include "str.h"

/* --- checked cell readers ------------------------------------------------ */

static const char *
db_cell_at(const struct db_rows *rows, size_t r, size_t c)
{
	if (r >= rows->nrows || c >= rows->ncols)
		return NULL;
	return DB_CELL(rows, r, c);
}

int
db_cell_i64(const struct db_rows *rows, size_t r, size_t c, int64_t *out)
{
	const char	*s = db_cell_at(rows, r, c);

	*out = 0;
	if (s == NULL || str_to_i64(s, INT64_MIN, INT64_MAX, out) == -1) {
		log_warn("row %zu column %zu: %s", r, c, s == NULL ?
		    "NULL or missing where a number is required" :
		    "not a whole number");
		*out = 0;
		return -1;
	}
	return 0;
}

int
db_cell_i64_or(const struct db_rows *rows, size_t r, size_t c, int64_t def,
    int64_t *out)
{
	if (r < rows->nrows && c < rows->ncols && DB_CELL(rows, r, c) == NULL) {
		*out = def;
		return 0;
	}
	return db_cell_i64(rows, r, c, out);
}

int
db_cell_str(const struct db_rows *rows, size_t r, size_t c, const char **out)
{
	*out = db_cell_at(rows, r, c);
	if (*out == NULL) {
		log_warn("row %zu column %zu: NULL or missing where text is "
		    "required", r, c);
		*out = "";
		return -1;
	}
	return 0;
}

void
db_row_start(struct db_row *rd, const struct db_rows *rows, size_t r)
{
	memset(rd, 0, sizeof(*rd));
	rd->rows = rows;
	rd->row = r;
	if (r >= rows->nrows) {
		rd->bad = 1;
		rd->bad_col = 0;
	}
}

static void
db_row_fail(struct db_row *rd, size_t c)
{
	if (!rd->bad) {
		rd->bad = 1;
		rd->bad_col = c;
	}
}

int64_t
db_row_i64(struct db_row *rd)
{
	int64_t	v;
	size_t	c = rd->col++;

	if (rd->bad)
		return 0;
	if (db_cell_i64(rd->rows, rd->row, c, &v) == -1) {
		db_row_fail(rd, c);
		return 0;
	}
	return v;
}

int64_t
db_row_i64_or(struct db_row *rd, int64_t def)
{
	int64_t	v;
	size_t	c = rd->col++;

	if (rd->bad)
		return def;
	if (db_cell_i64_or(rd->rows, rd->row, c, def, &v) == -1) {
		db_row_fail(rd, c);
		return def;
	}
	return v;
}

int
db_row_bool(struct db_row *rd)
{
	size_t	c = rd->col;
	int64_t	v = db_row_i64(rd);

	if (!rd->bad && v != 0 && v != 1) {
		log_warn("row %zu column %zu: not 0 or 1", rd->row, c);
		db_row_fail(rd, c);
		return 0;
	}
	return v == 1;
}

const char *
db_row_str(struct db_row *rd)
{
	const char	*s;
	size_t		 c = rd->col++;

	if (rd->bad)
		return "";
	if (db_cell_str(rd->rows, rd->row, c, &s) == -1) {
		db_row_fail(rd, c);
		return "";
	}
	return s;
}

const char *
db_row_str_or(struct db_row *rd, const char *def)
{
	size_t	c = rd->col++;

	if (rd->bad)
		return def;
	if (c >= rd->rows->ncols) {
		db_row_fail(rd, c);
		return def;
	}
	return DB_CELL(rd->rows, rd->row, c) != NULL ?
	    DB_CELL(rd->rows, rd->row, c) : def;
}

int
db_row_null(struct db_row *rd)
{
	size_t	c = rd->col++;

	if (rd->bad)
		return 1;
	if (c >= rd->rows->ncols) {
		db_row_fail(rd, c);
		return 1;
	}
	return DB_CELL(rd->rows, rd->row, c) == NULL;
}

int
db_row_end(struct db_row *rd)
{
	if (!rd->bad && rd->col != rd->rows->ncols) {
		log_warn("row %zu: %zu of %zu columns read", rd->row, rd->col,
		    rd->rows->ncols);
		return -1;
	}
	if (rd->bad) {
		log_warn("row %zu: column %zu is bad", rd->row, rd->bad_col);
		return -1;
	}
	return 0;
}

/* --- rows read in one call ---------------------------------------------- */

static void
db_row_vfields(struct db_row *rd, const char *types, va_list ap)
{
	const char	**sp;
	int64_t		 *ip;
	int		 *bp;

	for (; *types != '\0'; types++) {
		switch (*types) {
		case 'i':
		case 'I':
			ip = va_arg(ap, int64_t *);
			*ip = *types == 'i' ? db_row_i64(rd) :
			    db_row_i64_or(rd, 0);
			break;
		case 'b':
			bp = va_arg(ap, int *);
			*bp = db_row_bool(rd);
			break;
		case 's':
		case 'S':
			sp = va_arg(ap, const char **);
			*sp = *types == 's' ? db_row_str(rd) :
			    db_row_str_or(rd, NULL);
			break;
		default:
			fatalx("db_row_fields: type '%c'", *types);
		}
	}
}

void
db_row_fields(struct db_row *rd, const char *types, ...)
{
	va_list	ap;

	va_start(ap, types);
	db_row_vfields(rd, types, ap);
	va_end(ap);
}

int
db_row_scan(const struct db_rows *rows, size_t r, const char *types, ...)
{
	struct db_row	rd;
	va_list		ap;

	db_row_start(&rd, rows, r);
	va_start(ap, types);
	db_row_vfields(&rd, types, ap);
	va_end(ap);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

int
db_read_i64(const struct db_rows *rows, size_t r, void *out)
{
	return db_row_scan(rows, r, "i", (int64_t *)out);
}

int
db_rows_read(struct arena *a, const struct db_rows *rows, size_t size,
    db_reader fn, void **v, size_t *n)
{
	char	*out;
	size_t	 i;

	*v = NULL;
	*n = 0;
	if (rows->nrows == 0)
		return DB_OK;
	if ((out = arena_calloc(a, rows->nrows, size)) == NULL)
		return DB_ERROR;
	for (i = 0; i < rows->nrows; i++)
		if (fn(rows, i, out + i * size) != DB_OK)
			return DB_ERROR;
	*v = out;
	*n = rows->nrows;
	return DB_OK;
}
