/*
 * h_audit.c -- /admin/audit and GET /api/v1/audit: the audit trail,
 * filtered by actor email, action, entity and date, newest first, paged.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "handlers.h"
#include "hutil.h"
#include "json.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"
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

/* An action or entity name as the audit log stores them (ASCII: the
 * columns are CHARACTER SET ascii, and MariaDB refuses to compare them
 * with other text). */
static int
audit_name_ok(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++)
		if (i >= 64 || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

struct audit_query {
	const char		*actor, *action, *entity, *from, *to;
	int64_t			 page, limit;
	struct audit_list	 rows;
	size_t			 n;		/* rows shown (at most limit) */
	int			 more;		/* another page follows */
};

/* Reads the filters and the page; 0, or 400 with *msg. */
static int
audit_params(struct request *r, struct audit_query *aq, int64_t max_limit,
    int64_t def_limit, const char **msg)
{
	const char	*p = q(r, "page"), *l = q(r, "limit");

	aq->actor = q(r, "actor");
	aq->action = q(r, "action");
	aq->entity = q(r, "entity");
	aq->from = q(r, "from");
	aq->to = q(r, "to");
	aq->page = 1;
	aq->limit = def_limit;
	if (p[0] != '\0' && str_to_i64(p, 1, 1000000, &aq->page) == -1)
		*msg = "page must be a number from 1.";
	else if (l[0] != '\0' && str_to_i64(l, 1, max_limit, &aq->limit) == -1)
		*msg = arena_printf(r->arena, "limit must be a number from 1 "
		    "to %" PRId64 ".", max_limit);
	else if (!audit_name_ok(aq->action))
		*msg = "action must be an audit action name (at most 64 "
		    "letters, digits, dots, dashes or underscores).";
	else if (!audit_name_ok(aq->entity))
		*msg = "entity must be an entity name (at most 64 letters, "
		    "digits, dots, dashes or underscores).";
	else if (strlen(aq->actor) > 254)
		*msg = "actor must be an email address of at most 254 "
		    "characters.";
	else if (!valid_date(aq->from))
		*msg = "from must be a date as YYYY-MM-DD.";
	else if (!valid_date(aq->to))
		*msg = "to must be a date as YYYY-MM-DD.";
	else
		return 0;
	return 400;
}

/*
 * Validates the filters and runs the query: 0, 400 with *msg, or a
 * negative db_status.
 */
static int
audit_fetch(struct request *r, struct audit_query *aq, int64_t max_limit,
    int64_t def_limit, const char **msg)
{
	struct audit_filter	 f;
	int			 st;

	if ((st = audit_params(r, aq, max_limit, def_limit, msg)) != 0)
		return st;
	memset(&f, 0, sizeof(f));
	f.actor = aq->actor;
	f.action = aq->action;
	f.entity = aq->entity;
	f.from = aq->from;
	f.to = aq->to;
	f.limit = aq->limit + 1;
	f.offset = (aq->page - 1) * aq->limit;
	if ((st = audit_query(r->arena, &f, &aq->rows)) != DB_OK)
		return st;
	aq->more = aq->rows.n > (size_t)aq->limit;
	aq->n = aq->more ? (size_t)aq->limit : aq->rows.n;
	return 0;
}

/* One entry as the API shows it, details parsed.  Unowned. */
static struct json_object *
entry_json(const struct audit_entry *e)
{
	struct json_object	*o = json_object_new_object(), *d = NULL;

	json_add_i64(o, "id", e->id);
	json_object_object_add(o, "at", h_jstr(e->at));
	json_object_object_add(o, "actor_id", e->actor_id > 0 ?
	    json_object_new_int64(e->actor_id) : NULL);
	json_object_object_add(o, "actor_email", h_jstr(e->actor_email));
	json_object_object_add(o, "action", h_jstr(e->action));
	json_object_object_add(o, "entity", h_jstr(e->entity));
	json_object_object_add(o, "entity_id", h_jstr(e->entity_id));
	if (e->details != NULL)
		d = json_tokener_parse(e->details);
	json_object_object_add(o, "details", d);
	json_object_object_add(o, "client_addr", h_jstr(e->client_addr));
	json_object_object_add(o, "request_id", h_jstr(e->request_id));
	return o;
}

/* One entry as the page shows it (the keys of entry_json(), details as
 * text), in a. */
static struct tval *
entry_tv(struct arena *a, const struct audit_entry *e)
{
	struct tval	*o = tv_obj(a);

	tv_set_i64(o, "id", e->id);
	tv_set_opt(o, "at", e->at);
	if (e->actor_id > 0)
		tv_set_i64(o, "actor_id", e->actor_id);
	else
		tv_set_null(o, "actor_id");
	tv_set_opt(o, "actor_email", e->actor_email);
	tv_set_opt(o, "action", e->action);
	tv_set_opt(o, "entity", e->entity);
	tv_set_opt(o, "entity_id", e->entity_id);
	tv_set_opt(o, "details", e->details);
	tv_set_opt(o, "client_addr", e->client_addr);
	tv_set_opt(o, "request_id", e->request_id);
	return o;
}

/* The entries shown of aq; unowned. */
static struct json_object *
entries_json(const struct audit_query *aq)
{
	struct json_object	*list = json_object_new_array();
	size_t			 i;

	for (i = 0; i < aq->n; i++)
		json_object_array_add(list, entry_json(&aq->rows.v[i]));
	return list;
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

/* The filters as the page's form shows them, in a. */
static struct tval *
filter_tv(struct arena *a, const struct audit_query *aq)
{
	struct tval	*f = tv_obj(a);

	tv_set_opt(f, "actor", aq->actor);
	tv_set_opt(f, "action", aq->action);
	tv_set_opt(f, "entity", aq->entity);
	tv_set_opt(f, "from", aq->from);
	tv_set_opt(f, "to", aq->to);
	return f;
}

/* The page's context; in the arena, NULL if out of memory. */
static struct tval *
audit_ctx(struct request *r, const struct audit_query *aq)
{
	struct tval	*ctx, *rows;
	size_t		 i;

	if ((ctx = tv_obj(r->arena)) == NULL)
		return NULL;
	rows = tv_arr(r->arena);
	for (i = 0; i < aq->n; i++)
		tv_push(rows, entry_tv(r->arena, &aq->rows.v[i]));
	tv_set_str(ctx, "title", "Audit");
	tv_set_tv(ctx, "filter", filter_tv(r->arena, aq));
	tv_set_tv(ctx, "rows", rows);
	tv_set_i64(ctx, "page", aq->page);
	/* A link too long to make (logged) is no link, as before. */
	if (aq->page > 1)
		tv_set_opt(ctx, "prev", page_link(r, aq, aq->page - 1));
	if (aq->more)
		tv_set_opt(ctx, "next", page_link(r, aq, aq->page + 1));
	return ctx;
}

/* The API's answer; arena-owned, NULL if out of memory. */
static struct json_object *
audit_json(struct request *r, const struct audit_query *aq)
{
	struct json_object	*o;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	json_object_object_add(o, "items", entries_json(aq));
	json_add_i64(o, "page", aq->page);
	json_add_bool(o, "has_more", aq->more);
	return o;
}

/* The listing as a page or (api) as JSON; the API allows a larger page. */
static void
audit_answer(struct request *r, struct response *resp, int api)
{
	struct audit_query	 aq;
	const char		*msg = NULL;
	int			 st;

	st = audit_fetch(r, &aq, api ? 200 : AUDIT_PAGE, AUDIT_PAGE, &msg);
	if (st < 0)
		response_db_error(resp, r, st);
	else if (st != 0)
		response_error(resp, r, st, msg);
	else if (api)
		response_json(resp, 200, audit_json(r, &aq));
	else
		h_page(r, resp, 200, "admin_audit", audit_ctx(r, &aq));
}

void
h_audit(struct request *r, struct response *resp)
{
	audit_answer(r, resp, 0);
}

void
h_api_audit(struct request *r, struct response *resp)
{
	audit_answer(r, resp, 1);
}
