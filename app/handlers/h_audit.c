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

/* One entry; details parsed (API) or as text (page).  Unowned. */
static struct json_object *
entry_json(const struct audit_entry *e, int parse_details)
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
	if (e->details != NULL && parse_details)
		d = json_tokener_parse(e->details);
	json_object_object_add(o, "details", parse_details ? d :
	    h_jstr(e->details));
	json_object_object_add(o, "client_addr", h_jstr(e->client_addr));
	json_object_object_add(o, "request_id", h_jstr(e->request_id));
	return o;
}

/* The entries shown of aq; unowned. */
static struct json_object *
entries_json(const struct audit_query *aq, int parse_details)
{
	struct json_object	*list = json_object_new_array();
	size_t			 i;

	for (i = 0; i < aq->n; i++)
		json_object_array_add(list, entry_json(&aq->rows.v[i],
		    parse_details));
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

/* The filters as the page's form shows them; unowned. */
static struct json_object *
filter_json(const struct audit_query *aq)
{
	struct json_object	*f = json_object_new_object();

	json_object_object_add(f, "actor", h_jstr(aq->actor));
	json_object_object_add(f, "action", h_jstr(aq->action));
	json_object_object_add(f, "entity", h_jstr(aq->entity));
	json_object_object_add(f, "from", h_jstr(aq->from));
	json_object_object_add(f, "to", h_jstr(aq->to));
	return f;
}

/* The page's context; arena-owned, NULL if out of memory. */
static struct json_object *
audit_ctx(struct request *r, const struct audit_query *aq)
{
	struct json_object	*ctx;

	if ((ctx = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	json_add_str(ctx, "title", "Audit");
	json_object_object_add(ctx, "filter", filter_json(aq));
	json_object_object_add(ctx, "rows", entries_json(aq, 0));
	json_add_i64(ctx, "page", aq->page);
	if (aq->page > 1)
		json_object_object_add(ctx, "prev", h_jstr(page_link(r, aq,
		    aq->page - 1)));
	if (aq->more)
		json_object_object_add(ctx, "next", h_jstr(page_link(r, aq,
		    aq->page + 1)));
	return ctx;
}

/* The API's answer; arena-owned, NULL if out of memory. */
static struct json_object *
audit_json(struct request *r, const struct audit_query *aq)
{
	struct json_object	*o;

	if ((o = json_own(r->arena, json_object_new_object())) == NULL)
		return NULL;
	json_object_object_add(o, "items", entries_json(aq, 1));
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
