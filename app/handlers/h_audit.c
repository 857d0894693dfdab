/*
 * h_audit.c -- /admin/audit and GET /api/v1/audit: the audit trail,
 * filtered by actor email, action, entity and date, newest first, paged
 * by id (keyset: ?cursor= in the API, ?before= on the page, as the order
 * lists do), so the oldest page costs what the newest does.  ?page= is
 * still read, for old links, but only BR_MAX_PAGE_DEPTH rows deep: an
 * OFFSET makes MariaDB read every row it skips.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "bounds.h"
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

#define AUDIT_STR2(x)	#x
#define AUDIT_STR(x)	AUDIT_STR2(x)
#define AUDIT_DEEP	"page reaches at most " AUDIT_STR(BR_MAX_PAGE_DEPTH) \
			" entries deep (page x limit); use "

/* How each surface pages: its cursor's name and the refusals naming it
 * (the API as its other lists, the page as the order pages). */
struct audit_pager {
	const char	*name;
	const char	*bad, *mixed, *deep;
};

static const struct audit_pager AUDIT_API_PAGER = {
	"cursor",
	"cursor must be an audit entry id (the next_cursor of the page "
	    "before).",
	"page cannot be combined with cursor.",
	AUDIT_DEEP "cursor (next_cursor) to go further back."
};
static const struct audit_pager AUDIT_PAGE_PAGER = {
	"before",
	"before must be an audit entry id (the last one of the page "
	    "before).",
	"page cannot be combined with before.",
	AUDIT_DEEP "the Older link (before) to go further back."
};

struct audit_query {
	const struct audit_pager *pager;
	const char		*actor, *action, *entity, *from, *to;
	int64_t			 page;		/* 0: paged by cursor */
	int64_t			 before, limit;	/* before 0: the newest */
	const char		*field;		/* refused: the parameter */
	struct audit_list	 rows;
	size_t			 n;		/* rows shown (at most limit) */
	int			 more;		/* another page follows */
};

/*
 * The page: by cursor (the last id shown, so a page deep in the trail
 * costs what the first does), or by ?page= (kept for old links), only
 * BR_MAX_PAGE_DEPTH rows deep.  NULL, or the detail of a 400 with
 * aq->field set.
 */
static const char *
audit_page_params(struct request *r, struct audit_query *aq)
{
	const struct audit_pager	*pg = aq->pager;
	const char			*p = q(r, "page");
	const char			*c = q(r, pg->name);

	aq->page = c[0] == '\0' ? 1 : 0;
	aq->before = 0;
	aq->field = pg->name;
	if (c[0] != '\0' && str_to_i64(c, 1, INT64_MAX, &aq->before) == -1)
		return pg->bad;
	aq->field = "page";
	if (p[0] == '\0')
		return NULL;
	if (c[0] != '\0')
		return pg->mixed;
	if (str_to_i64(p, 1, 1000000, &aq->page) == -1)
		return "page must be a number from 1.";
	if (aq->page > BR_MAX_PAGE_DEPTH / aq->limit)
		return pg->deep;
	return NULL;
}

/* The filters: NULL, or the detail of a 400 with aq->field set. */
static const char *
audit_filter_params(struct request *r, struct audit_query *aq)
{
	aq->actor = q(r, "actor");
	aq->action = q(r, "action");
	aq->entity = q(r, "entity");
	aq->from = q(r, "from");
	aq->to = q(r, "to");
	aq->field = "action";
	if (!audit_name_ok(aq->action))
		return "action must be an audit action name (at most 64 "
		    "letters, digits, dots, dashes or underscores).";
	aq->field = "entity";
	if (!audit_name_ok(aq->entity))
		return "entity must be an entity name (at most 64 letters, "
		    "digits, dots, dashes or underscores).";
	aq->field = "actor";
	if (strlen(aq->actor) > 254)
		return "actor must be an email address of at most 254 "
		    "characters.";
	aq->field = "from";
	if (!valid_date(aq->from))
		return "from must be a date as YYYY-MM-DD.";
	aq->field = "to";
	if (!valid_date(aq->to))
		return "to must be a date as YYYY-MM-DD.";
	aq->field = NULL;
	return NULL;
}

/* Reads the filters and the page (the API allows larger pages); 0, or
 * 400 with *msg and aq->field. */
static int
audit_params(struct request *r, struct audit_query *aq, int api,
    const char **msg)
{
	const char	*l = q(r, "limit");

	aq->limit = AUDIT_PAGE;
	aq->field = "limit";
	if (l[0] != '\0' && str_to_i64(l, 1, api ? BR_MAX_PAGE_SIZE :
	    AUDIT_PAGE, &aq->limit) == -1)
		*msg = api ? "limit must be a number from 1 to "
		    AUDIT_STR(BR_MAX_PAGE_SIZE) "." : "limit must be a "
		    "number from 1 to " AUDIT_STR(AUDIT_PAGE) ".";
	else if ((*msg = audit_page_params(r, aq)) == NULL)
		*msg = audit_filter_params(r, aq);
	return *msg != NULL ? 400 : 0;
}

/*
 * Validates the filters and runs the query: 0, 400 with *msg, or a
 * negative db_status.
 */
static int
audit_fetch(struct request *r, struct audit_query *aq, int api,
    const char **msg)
{
	struct audit_filter	 f;
	int			 st;

	if ((st = audit_params(r, aq, api, msg)) != 0)
		return st;
	memset(&f, 0, sizeof(f));
	f.actor = aq->actor;
	f.action = aq->action;
	f.entity = aq->entity;
	f.from = aq->from;
	f.to = aq->to;
	f.before = aq->before;
	f.limit = aq->limit + 1;
	f.offset = aq->page > 1 ? (aq->page - 1) * aq->limit : 0;
	if ((st = audit_query(r->arena, &f, &aq->rows)) != DB_OK)
		return st;
	aq->more = aq->rows.n > (size_t)aq->limit;
	aq->n = aq->more ? (size_t)aq->limit : aq->rows.n;
	return 0;
}

/* The cursor of the page after this one: the last id shown; 0 if none. */
static int64_t
audit_next(const struct audit_query *aq)
{
	return aq->more ? aq->rows.v[aq->n - 1].id : 0;
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

/*
 * This listing from before id (0: from the newest), its filters and page
 * size kept, each value URL-encoded.
 */
static const char *
page_link(struct request *r, const struct audit_query *aq, int64_t before)
{
	const char	*names[] = { "actor", "action", "entity", "from", "to",
			    "limit", "before" };
	const char	*vals[] = { aq->actor, aq->action, aq->entity,
			    aq->from, aq->to, NULL, NULL };

	/* Out of memory is no link, never a link elsewhere. */
	if ((aq->limit != AUDIT_PAGE && (vals[5] = arena_printf(r->arena,
	    "%" PRId64, aq->limit)) == NULL) || (before > 0 &&
	    (vals[6] = arena_printf(r->arena, "%" PRId64, before)) == NULL))
		return NULL;
	return h_link(r->arena, "/admin/audit", names, vals, 7);
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
	/* A link too long to make (logged) is no link, as before.  Newer
	 * pages are not kept: "Newest" goes back to the top. */
	if (aq->before > 0 || aq->page > 1)
		tv_set_opt(ctx, "prev", page_link(r, aq, 0));
	if (aq->more)
		tv_set_opt(ctx, "next", page_link(r, aq, audit_next(aq)));
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
	json_object_object_add(o, "next_cursor", aq->more ?
	    json_object_new_string(arena_printf(r->arena, "%" PRId64,
	    audit_next(aq))) : NULL);
	json_add_bool(o, "has_more", aq->more);
	json_object_object_add(o, "page", aq->page > 0 ?
	    json_object_new_int64(aq->page) : NULL);
	return o;
}

/* A refused listing: 400 naming the parameter (in the API's problem as
 * its errors, as the other lists do). */
static void
audit_refuse(struct request *r, struct response *resp,
    const struct audit_query *aq, const char *msg)
{
	struct json_object	*errors;

	if (!r->is_api || aq->field == NULL || (errors = json_own(r->arena,
	    json_object_new_object())) == NULL) {
		response_error(resp, r, 400, msg);
		return;
	}
	json_add_str(errors, aq->field, msg);
	response_problem(resp, 400, msg, errors);
}

/* The listing as a page or (api) as JSON. */
static void
audit_answer(struct request *r, struct response *resp, int api)
{
	struct audit_query	 aq;
	const char		*msg = NULL;
	int			 st;

	memset(&aq, 0, sizeof(aq));
	aq.pager = api ? &AUDIT_API_PAGER : &AUDIT_PAGE_PAGER;
	st = audit_fetch(r, &aq, api, &msg);
	if (st < 0)
		response_db_error(resp, r, st);
	else if (st != 0)
		audit_refuse(r, resp, &aq, msg);
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
