/*
 * h_audit.c -- /admin/audit and GET /api/v1/audit: the audit trail,
 * filtered by actor email, action, entity and date, newest first, paged.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "buf.h"
#include "db.h"
#include "escape.h"
#include "handlers.h"
#include "hutil.h"
#include "request.h"
#include "response.h"
#include "str.h"

#define AUDIT_PAGE	50


/* YYYY-MM-DD with plausible ranges, or empty. */
static int
valid_date(const char *s)
{
	int	i;

	if (s == NULL || s[0] == '\0')
		return 1;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return (s[5] == '0' || (s[5] == '1' && s[6] <= '2')) &&
	    !(s[5] == '0' && s[6] == '0') && s[8] <= '3' &&
	    !(s[8] == '0' && s[9] == '0');
}

static const char *
q(const struct request *r, const char *name)
{
	const char	*v = request_query(r, name);

	return v != NULL ? v : "";
}

struct audit_query {
	const char	*actor, *action, *entity, *from, *to;
	int64_t		 page, limit;
	struct db_rows	 rows;
};

/* Validates the filters and runs the query; 0, or an HTTP status. */
static int
audit_fetch(struct request *r, struct response *resp, struct audit_query *aq,
    int64_t max_limit, int64_t def_limit)
{
	struct audit_filter	 f;
	const char		*p = q(r, "page"), *l = q(r, "limit");
	int			 st;

	aq->actor = q(r, "actor");
	aq->action = q(r, "action");
	aq->entity = q(r, "entity");
	aq->from = q(r, "from");
	aq->to = q(r, "to");
	aq->page = 1;
	aq->limit = def_limit;
	if (p[0] != '\0' && str_to_i64(p, 1, 1000000, &aq->page) == -1) {
		response_error(resp, r, 400, "page must be a number from 1.");
		return 400;
	}
	if (l[0] != '\0' && str_to_i64(l, 1, max_limit, &aq->limit) == -1) {
		response_error(resp, r, 400, arena_printf(r->arena, "limit "
		    "must be a number from 1 to %" PRId64 ".", max_limit));
		return 400;
	}
	if (!valid_date(aq->from) || !valid_date(aq->to)) {
		response_error(resp, r, 400, !valid_date(aq->from) ?
		    "from must be a date as YYYY-MM-DD." :
		    "to must be a date as YYYY-MM-DD.");
		return 400;
	}
	memset(&f, 0, sizeof(f));
	f.actor = aq->actor;
	f.action = aq->action;
	f.entity = aq->entity;
	f.from = aq->from;
	f.to = aq->to;
	f.limit = aq->limit + 1;
	f.offset = (aq->page - 1) * aq->limit;
	if ((st = audit_query(r->arena, &f, &aq->rows)) != DB_OK) {
		response_db_error(resp, r, st);
		return 503;
	}
	return 0;
}

static struct json_object *
jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static struct json_object *
row_json(struct db_rows *rows, size_t i, int parse_details)
{
	struct json_object	*o = json_object_new_object(), *d = NULL;
	int64_t			 v = 0;

	(void)str_to_i64(DB_CELL(rows, i, 0), 0, INT64_MAX, &v);
	json_object_object_add(o, "id", json_object_new_int64(v));
	json_object_object_add(o, "at", jstr(DB_CELL(rows, i, 1)));
	v = 0;
	if (DB_CELL(rows, i, 2) != NULL)
		(void)str_to_i64(DB_CELL(rows, i, 2), 0, INT64_MAX, &v);
	json_object_object_add(o, "actor_id", v > 0 ?
	    json_object_new_int64(v) : NULL);
	json_object_object_add(o, "actor_email", jstr(DB_CELL(rows, i, 3)));
	json_object_object_add(o, "action", jstr(DB_CELL(rows, i, 4)));
	json_object_object_add(o, "entity", jstr(DB_CELL(rows, i, 5)));
	json_object_object_add(o, "entity_id", jstr(DB_CELL(rows, i, 6)));
	if (DB_CELL(rows, i, 7) != NULL && parse_details)
		d = json_tokener_parse(DB_CELL(rows, i, 7));
	json_object_object_add(o, "details", parse_details ? d :
	    jstr(DB_CELL(rows, i, 7)));
	json_object_object_add(o, "client_addr", jstr(DB_CELL(rows, i, 8)));
	json_object_object_add(o, "request_id", jstr(DB_CELL(rows, i, 9)));
	return o;
}

/* The query string of this listing for another page. */
static const char *
page_link(struct request *r, const struct audit_query *aq, int64_t page)
{
	const char	*names[] = { "page", "actor", "action", "entity",
			    "from", "to" };
	const char	*vals[] = { arena_printf(r->arena, "%" PRId64, page),
			    aq->actor, aq->action, aq->entity, aq->from,
			    aq->to };

	return h_link(r->arena, "/admin/audit", names, vals, 6);
}

void
h_audit(struct request *r, struct response *resp)
{
	struct audit_query	 aq;
	struct json_object	*ctx, *list, *f;
	size_t			 i, n;

	if (audit_fetch(r, resp, &aq, AUDIT_PAGE, AUDIT_PAGE) != 0)
		return;
	n = aq.rows.nrows > (size_t)aq.limit ? (size_t)aq.limit : aq.rows.nrows;
	list = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(list, row_json(&aq.rows, i, 0));
	ctx = json_object_new_object();
	f = json_object_new_object();
	json_object_object_add(f, "actor", jstr(aq.actor));
	json_object_object_add(f, "action", jstr(aq.action));
	json_object_object_add(f, "entity", jstr(aq.entity));
	json_object_object_add(f, "from", jstr(aq.from));
	json_object_object_add(f, "to", jstr(aq.to));
	json_object_object_add(ctx, "title", json_object_new_string("Audit"));
	json_object_object_add(ctx, "filter", f);
	json_object_object_add(ctx, "rows", list);
	json_object_object_add(ctx, "page", json_object_new_int64(aq.page));
	if (aq.page > 1)
		json_object_object_add(ctx, "prev", jstr(page_link(r, &aq,
		    aq.page - 1)));
	if (aq.rows.nrows > (size_t)aq.limit)
		json_object_object_add(ctx, "next", jstr(page_link(r, &aq,
		    aq.page + 1)));
	response_html(resp, r, 200, "admin_audit", json_own(resp->arena, ctx));
}

void
h_api_audit(struct request *r, struct response *resp)
{
	struct audit_query	 aq;
	struct json_object	*o, *list;
	size_t			 i, n;

	if (audit_fetch(r, resp, &aq, 200, AUDIT_PAGE) != 0)
		return;
	n = aq.rows.nrows > (size_t)aq.limit ? (size_t)aq.limit : aq.rows.nrows;
	list = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(list, row_json(&aq.rows, i, 1));
	o = json_object_new_object();
	json_object_object_add(o, "items", list);
	json_object_object_add(o, "page", json_object_new_int64(aq.page));
	json_object_object_add(o, "has_more", json_object_new_boolean(
	    aq.rows.nrows > (size_t)aq.limit));
	response_json(resp, 200, json_own(resp->arena, o));
}
