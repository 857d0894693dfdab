/*
 * h_reorder_html.c -- the /reorder page: suggestions below their reorder
 * point, picked and turned into draft purchase orders.  The API is in
 * h_reorder.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "domain.h"
#include "h_stock.h"
#include "handlers.h"
#include "hutil.h"
#include "idempotency.h"
#include "reorder.h"
#include "request.h"
#include "response.h"
#include "str.h"
#include "tmpl.h"

#define REORDER_PAGE	200

/* One page of suggestions as "suggestions", "prev" and "next" of ctx,
 * each row with the "pick" value of its checkbox.  DB_OK or a db_status. */
static int
reorder_rows(struct request *r, struct tval *ctx, int64_t page)
{
	struct suggestion_list	 l;
	struct tval		*list, *o;
	size_t			 i;
	int			 st;

	if ((st = reorder_suggestions(r->arena, (page - 1) * REORDER_PAGE,
	    REORDER_PAGE + 1, &l)) != DB_OK)
		return st;
	list = tv_arr(r->arena);
	tv_set_tv(ctx, "suggestions", list);
	for (i = 0; i < l.n && i < REORDER_PAGE; i++) {
		o = h_suggestion_tv(r->arena, &l.v[i]);
		tv_set_str(o, "pick", arena_printf(r->arena,
		    "%" PRId64 ":%" PRId64, l.v[i].product_id,
		    l.v[i].warehouse_id));
		tv_push(list, o);
	}
	if (page > 1)
		tv_set_i64(ctx, "prev", page - 1);
	if (l.n > REORDER_PAGE)
		tv_set_i64(ctx, "next", page + 1);
	return DB_OK;
}

static void
reorder_page(struct request *r, struct response *resp, int status,
    const char *message)
{
	struct tval	*ctx;
	const char	*pg = request_query(r, "page");
	int64_t		 page = 1;
	int		 st = DB_ERROR;

	if (pg != NULL && pg[0] != '\0' && str_to_i64(pg, 1, 1000000, &page)
	    == -1)
		page = 1;
	if ((ctx = tv_obj(r->arena)) == NULL ||
	    (st = reorder_rows(r, ctx, page)) != DB_OK)
		goto out;
	tv_set_str(ctx, "title", "Reorder");
	tv_set_i64(ctx, "page", page);
	if (message != NULL)
		tv_set_str(ctx, "message", message);
	response_html(resp, r, status, "reorder", ctx);
out:
	if (st != DB_OK)
		response_db_error(resp, r, st);
}

void
h_reorder_page(struct request *r, struct response *resp)
{
	reorder_page(r, resp, 200, NULL);
}

static void
reorder_form_refuse(struct request *r, struct response *resp, void *arg,
    int rv)
{
	struct h_reorder	*op = arg;

	(void)rv;
	reorder_page(r, resp, 422, op->err.message);
}

/* The picked "product:warehouse" values into op; NULL or the message
 * of a 422. */
static const char *
reorder_picks(struct request *r, struct h_reorder *op)
{
	size_t	i;

	op->picks = arena_calloc(r->arena, r->form.nfields + 1,
	    sizeof(*op->picks));
	for (i = 0; op->picks != NULL && i < r->form.nfields; i++) {
		if (strcmp(r->form.fields[i].name, "pick") != 0)
			continue;
		if (sscanf(r->form.fields[i].value, "%" SCNd64 ":%" SCNd64,
		    &op->picks[op->n].product_id,
		    &op->picks[op->n].warehouse_id) != 2)
			return "A picked suggestion is not valid; reload the "
			    "page.";
		op->n++;
	}
	return op->n == 0 ? "Pick at least one suggestion." : NULL;
}

void
h_reorder_form(struct request *r, struct response *resp)
{
	struct h_reorder	 op;
	const char		*key, *bad;

	memset(&op, 0, sizeof(op));
	op.html = 1;
	if (idem_form_key(r, resp, &key) == -1)
		;	/* answered */
	else if ((bad = reorder_picks(r, &op)) != NULL)
		reorder_page(r, resp, 422, bad);
	else
		idem_run(r, resp, key, h_reorder_op, reorder_form_refuse,
		    &op);
}
