/*
 * order_doc.c -- the line handling and the readers that sales orders
 * (orders.c) and purchase orders (purchasing.c) share.  See order_doc.h.
 *
 * Each kind passes its struct order_kind: the SQL of its own tables in
 * one column order for both, so that an order, a line and a list row are
 * each filled by one reader here.  The status rules stay with each kind.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
#include "db.h"
#include "domain.h"
#include "order_doc.h"

int
order_doc_status_valid(const struct order_kind *k, const char *s)
{
	size_t	i;

	for (i = 0; s != NULL && i < k->nstatuses; i++)
		if (strcmp(s, k->statuses[i]) == 0)
			return 1;
	return 0;
}

static const char *
line_field(const struct audit_ctx *ctx, size_t i, const char *field)
{
	return arena_printf(ctx->arena, "lines[%zu].%s", i, field);
}

int
order_doc_check_lines(const struct audit_ctx *ctx,
    const struct order_kind *k, const struct line_in *lines, size_t n,
    struct dom_error *err)
{
	size_t	i, j;

	if (n == 0 || n > BR_MAX_ORDER_LINES)
		return dom_fail(err, DOM_INVALID, "lines",
		    k->lines_msg);
	for (i = 0; i < n; i++) {
		if (lines[i].qty < 1 || lines[i].qty > BR_MAX_LINE_QTY)
			return dom_fail(err, DOM_INVALID,
			    line_field(ctx, i, "qty"),
			    "Enter a quantity from 1 to 1,000,000.");
		if (k->given_cost && (lines[i].cost_cents < -1 ||
		    lines[i].cost_cents > BR_MAX_CENTS))
			return dom_fail(err, DOM_INVALID,
			    line_field(ctx, i, "cost_cents"),
			    "Enter a cost from 0 cents.");
		for (j = 0; j < i; j++)
			if (lines[j].product_id == lines[i].product_id)
				return dom_fail(err, DOM_INVALID,
				    line_field(ctx, i, "product_id"),
				    "Each product may appear on one "
				    "line only.");
	}
	return DB_OK;
}

/* The product's price (or cost) if it is active; 0 if it is not, 1 if it
 * is, or a db_status. */
static int
product_cents(const struct audit_ctx *ctx, const struct order_kind *k,
    int64_t product_id, int64_t *cents)
{
	struct db_rows	rows;
	int		rv, active;

	if ((rv = db_query(ctx->arena, &rows, k->sql_product, "i",
	    product_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return 0;
	if (db_row_scan(&rows, 0, "ib", cents, &active) != DB_OK)
		return DB_ERROR;
	return active;
}

int
order_doc_insert_lines(const struct audit_ctx *ctx,
    const struct order_kind *k, int64_t id, const struct line_in *lines,
    size_t n, int64_t *total, struct dom_error *err)
{
	size_t	i;
	int64_t	cents = 0, amount;
	int	rv;

	*total = 0;
	for (i = 0; i < n; i++) {
		if ((rv = product_cents(ctx, k, lines[i].product_id,
		    &cents)) < 0)
			return rv;
		if (rv == 0)
			return dom_fail(err, DOM_INVALID,
			    line_field(ctx, i, "product_id"),
			    "No such active product.");
		if (k->given_cost && lines[i].cost_cents >= 0)
			cents = lines[i].cost_cents;
		if (__builtin_mul_overflow(lines[i].qty, cents, &amount) ||
		    __builtin_add_overflow(*total, amount, total))
			return dom_fail(err, DOM_INVALID, "lines",
			    "The order's total is too large.");
		if ((rv = (int)db_exec(k->sql_line_insert, "iiiii", id,
		    (int64_t)(i + 1), lines[i].product_id, lines[i].qty,
		    cents)) < 0)
			return rv;
	}
	return DB_OK;
}

int
order_doc_move(const struct audit_ctx *ctx, const struct order_kind *k,
    int64_t id, const char *from1, const char *from2, const char *to,
    struct dom_error *err)
{
	struct db_rows	 rows;
	const char	*cur;
	int64_t		 n;
	int		 rv;

	if ((n = db_exec(k->sql_move, "siss", to, id, from1, from2)) < 0)
		return (int)n;
	if (n == 1)
		return DB_OK;
	if ((rv = db_query(ctx->arena, &rows, k->sql_status, "i", id))
	    != DB_OK)
		return rv;
	if (rows.nrows == 0)
		return dom_fail(err, DOM_NOT_FOUND, NULL,
		    arena_printf(ctx->arena, "No such %s.", k->noun));
	if (db_row_scan(&rows, 0, "s", &cur) != DB_OK)
		return DB_ERROR;
	return dom_fail(err, DOM_CONFLICT, "status", arena_printf(ctx->arena,
	    "The %s is %s%s%s.", k->noun, cur,
	    k->say_target ? "; it cannot go to " : "",
	    k->say_target ? to : ""));
}

/* The one reader of an order's head (sql_get). */
static int
order_read(const struct db_rows *rows, size_t i, void *out)
{
	struct order	*o = out;

	return db_row_scan(rows, i, "isiissss", &o->id, &o->party,
	    &o->supplier_id, &o->warehouse_id, &o->status, &o->note,
	    &o->created_at, &o->updated_at);
}

/* The one reader of an order's lines (sql_lines). */
static int
line_read(const struct db_rows *rows, size_t i, void *out)
{
	struct order_line	*l = out;

	return db_row_scan(rows, i, "iiiiiss", &l->line_no, &l->product_id,
	    &l->qty, &l->price_cents, &l->received, &l->sku, &l->name);
}

/* The one reader of a list row (sql_list). */
static int
summary_read(const struct db_rows *rows, size_t i, void *out)
{
	struct order_summary	*s = out;

	return db_row_scan(rows, i, "isiisssiiii", &s->id, &s->party,
	    &s->supplier_id, &s->warehouse_id, &s->status, &s->note,
	    &s->created_at, &s->nlines, &s->total_cents, &s->units_ordered,
	    &s->units_received);
}

int
order_doc_get(struct arena *a, const struct order_kind *k, int64_t id,
    struct order *o)
{
	void	*v;
	int	 found, rv;

	memset(o, 0, sizeof(*o));
	if ((rv = db_get(a, order_read, o, &found, k->sql_get, "i", id)) !=
	    DB_OK)
		return rv;
	if (!found)
		return DOM_NOT_FOUND;
	if ((rv = db_list(a, sizeof(*o->lines), line_read, &v, &o->nlines,
	    k->sql_lines, "i", id)) != DB_OK)
		return rv;
	o->lines = v;
	/* A purchase order's party is its supplier id, as text. */
	if (o->supplier_id != 0 &&
	    (o->party = arena_printf(a, "%" PRId64, o->supplier_id)) == NULL)
		return DB_ERROR;
	return DB_OK;
}

int
order_doc_list(struct arena *a, const struct order_kind *k,
    const char *status, int64_t before_id, int64_t limit,
    struct order_list *out)
{
	const char	*st = status != NULL ? status : "";
	void		*v;
	int		 rv;

	rv = db_list(a, sizeof(*out->v), summary_read, &v, &out->n,
	    k->sql_list, "ssii", st, st, before_id > 0 ? before_id : INT64_MAX,
	    limit);
	out->v = v;
	return rv;
}

static int
line_cmp(const void *a, const void *b)
{
	const struct order_line	*x = a, *y = b;

	if (x->product_id != y->product_id)
		return x->product_id < y->product_id ? -1 : 1;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

void
order_doc_sort_lines(struct order_line *l, size_t n)
{
	qsort(l, n, sizeof(*l), line_cmp);
}

const char *
order_doc_id(const struct audit_ctx *ctx, int64_t id)
{
	return arena_printf(ctx->arena, "%" PRId64, id);
}
