/*
 * audit.c -- writing, verifying and pruning the audit trail.  See audit.h;
 * the hash itself is auditchain.c's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "audit.h"
#include "auditchain.h"
#include "buf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "str.h"

/* The time format the database gives back for a DATETIME(6). */
#define AUDIT_TIME_FMT	"'%Y-%m-%d %H:%i:%s.%f'"

static const char SQL_HEAD_LOCK[] =
    "SELECT last_id, last_hash, DATE_FORMAT(NOW(6), " AUDIT_TIME_FMT ") "
    "FROM audit_chain WHERE id = 1 FOR UPDATE";
static const char SQL_INSERT[] =
    "INSERT INTO audit_log (id, at, actor_id, action, entity, entity_id, "
    "details, client_addr, request_id, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_HEAD_SET[] =
    "UPDATE audit_chain SET last_id = ?, last_hash = ? WHERE id = 1";
static const char SQL_HEAD[] =
    "SELECT last_id, last_hash, pruned_id, pruned_hash FROM audit_chain "
    "WHERE id = 1";
static const char SQL_ROWS[] =
    "SELECT id, DATE_FORMAT(at, " AUDIT_TIME_FMT "), actor_id, action, "
    "entity, entity_id, details, client_addr, request_id, prev_hash, hash "
    "FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000";
/* The end of the next batch: the last of the oldest 5000 rows past the
 * retention (ids and times rise together: ids come from the head). */
static const char SQL_PRUNE_FIND[] =
    "SELECT id, hash FROM audit_log WHERE id = (SELECT MAX(id) FROM "
    "(SELECT id FROM audit_log WHERE at < NOW(6) - INTERVAL ? DAY "
    "ORDER BY id LIMIT 5000) b)";
static const char SQL_PRUNE_MIN[] =
    "SELECT COALESCE(MIN(id), 0) FROM audit_log";
static const char SQL_PRUNE_DELETE[] =
    "DELETE FROM audit_log WHERE id <= ?";
static const char SQL_PRUNE_ANCHOR[] =
    "UPDATE audit_chain SET pruned_id = ?, pruned_hash = ? WHERE id = 1";

static const char SQL_AUDIT[] =
    "SELECT a.id, DATE_FORMAT(a.at, '%Y-%m-%d %H:%i:%s.%f'), a.actor_id, "
    "u.email, a.action, a.entity, a.entity_id, a.details, a.client_addr, "
    "a.request_id FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
    "WHERE (? = '' OR u.email = ?) AND (? = '' OR a.action = ?) "
    "AND (? = '' OR a.entity = ?) AND a.at >= ? "
    "AND a.at < DATE(?) + INTERVAL 1 DAY AND a.id < ? "
    "ORDER BY a.id DESC LIMIT ? OFFSET ?";

/* The locked chain head: the last id, its hash and the time now. */
struct audit_head {
	int64_t		 last_id;
	const char	*last_hash;
	const char	*now;
};

static int
audit_head_read(const struct db_rows *rows, struct audit_head *h)
{
	return db_row_scan(rows, 0, "iss", &h->last_id, &h->last_hash,
	    &h->now);
}

int
audit_write(const struct audit_ctx *ctx, const char *action,
    const char *entity, const char *entity_id, struct json_object *details)
{
	struct audit_fields	 f;
	struct db_rows		 rows;
	struct audit_head	 head;
	struct buf		 canon;
	const char		*dj = NULL, *actor = NULL;
	char			 hash[AUDIT_HASH_HEX_LEN + 1];
	int			 rv;

	/* Before the hash: a NULL here (out of memory) stored as the actor
	 * would no longer match it (make faults found such rows). */
	if (ctx->actor_id > 0 && (actor = arena_printf(ctx->arena, "%" PRId64,
	    ctx->actor_id)) == NULL) {
		json_object_put(details);
		return DB_ERROR;
	}
	if (details != NULL) {
		dj = arena_strdup(ctx->arena, json_object_to_json_string_ext(
		    details, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(details);
		if (dj == NULL)
			return DB_ERROR;
	}
	if ((rv = db_query(ctx->arena, &rows, SQL_HEAD_LOCK, "")) != DB_OK)
		return rv;
	if (rows.nrows != 1) {
		log_err("audit_chain has no head row: was migration 0002 run?");
		return DB_ERROR;
	}
	if ((rv = audit_head_read(&rows, &head)) != DB_OK)
		return rv;
	memset(&f, 0, sizeof(f));
	f.id = head.last_id + 1;
	f.time = head.now;
	f.actor_id = ctx->actor_id;
	f.action = action;
	f.entity = entity;
	f.entity_id = entity_id;
	f.details = dj;
	f.client_addr = ctx->client_addr;
	f.request_id = ctx->request_id;
	buf_init(&canon, AUDIT_CANONICAL_MAX);
	rv = audit_canonical(&canon, &f) == 0 &&
	    audit_row_hash(head.last_hash, buf_cstr(&canon), hash) == 0 ?
	    DB_OK : DB_ERROR;
	buf_free(&canon);
	if (rv != DB_OK) {
		log_err("audit row for %s could not be hashed", action);
		return rv;
	}
	if ((rv = (int)db_exec(SQL_INSERT, "issssssssss", f.id, f.time, actor,
	    action, entity, entity_id, dj, f.client_addr, f.request_id,
	    head.last_hash, hash)) < 0)
		return rv;
	rv = (int)db_exec(SQL_HEAD_SET, "is", f.id, hash);
	return rv < 0 ? rv : DB_OK;
}

struct event_arg {
	const struct audit_ctx	*ctx;
	const char		*action, *entity, *entity_id;
	struct json_object	*details;
};

static int
audit_event_tx(void *p)
{
	struct event_arg	*e = p;

	/* db_tx may run us twice; audit_write consumes one reference. */
	return audit_write(e->ctx, e->action, e->entity, e->entity_id,
	    e->details != NULL ? json_object_get(e->details) : NULL);
}

int
audit_event(const struct audit_ctx *ctx, const char *action,
    const char *entity, const char *entity_id, struct json_object *details)
{
	struct event_arg	e = { ctx, action, entity, entity_id, details };
	int			rv;

	rv = db_tx(audit_event_tx, &e);
	json_object_put(details);
	if (rv != DB_OK)
		log_err("audit event %s not recorded: %s", action,
		    db_last_error());
	return rv;
}

/*
 * Reads row i of SQL_ROWS (id, time, actor_id, action, entity, entity_id,
 * details, client_addr, request_id, prev_hash, hash) into f, *link and
 * *stored (NULL when absent).  -1 when the row cannot be read.
 */
static int
audit_row_read(struct db_rows *rows, size_t i, struct audit_fields *f,
    const char **link, const char **stored)
{
	memset(f, 0, sizeof(*f));
	*link = *stored = NULL;
	return db_row_scan(rows, i, "iSISSSSSSSS", &f->id, &f->time,
	    &f->actor_id, &f->action, &f->entity, &f->entity_id, &f->details,
	    &f->client_addr, &f->request_id, link, stored) == DB_OK ? 0 : -1;
}

/*
 * Checks row i against the hash it links to; prints problems and returns
 * their number.
 */
static int
verify_row(struct db_rows *rows, size_t i, const char *prev_hash,
    int64_t prev_id, struct buf *canon, int64_t *id_out,
    const char **hash_out)
{
	struct audit_fields	 f;
	const char		*link, *stored;
	char			 hash[AUDIT_HASH_HEX_LEN + 1];
	int			 bad = 0, rv;

	rv = audit_row_read(rows, i, &f, &link, &stored);
	*id_out = f.id;
	*hash_out = stored != NULL ? stored : "";
	if (rv == -1) {
		printf("audit-verify: a row after %" PRId64 " cannot be read "
		    "(its id is not a number)\n", prev_id);
		*id_out = prev_id + 1;
		return 1;
	}
	if (f.id != prev_id + 1) {
		printf("audit-verify: rows %" PRId64 " to %" PRId64
		    " are missing\n", prev_id + 1, f.id - 1);
		bad++;
	}
	if (link == NULL || strcmp(link, prev_hash) != 0) {
		printf("audit-verify: row %" PRId64 ": does not link to the "
		    "row before it (a row was deleted or changed)\n", f.id);
		bad++;
	}
	/* The content against the row's own link, so a deleted row before
	 * it is reported as a broken link only, not as a change here too. */
	if (link == NULL || audit_canonical(canon, &f) == -1 ||
	    audit_row_hash(link, buf_cstr(canon), hash) == -1 ||
	    stored == NULL || strcmp(hash, stored) != 0) {
		printf("audit-verify: row %" PRId64 ": content does not match "
		    "its hash (changed%s)\n", f.id, audit_keyed() ?
		    ", or not made with this audit key" : "");
		bad++;
	}
	return bad;
}

/* The chain head as SQL_HEAD (or its locking form) reads it. */
struct chain_head {
	int64_t		 last_id, start_id;
	const char	*last_hash, *start_hash;
};

/* Runs sql (SQL_HEAD or SQL_HEAD_LOCK_ALL) into h: DB_OK, DB_ERROR when
 * the row is missing or malformed, or a db_status. */
static int
chain_head(struct arena *a, const char *sql, struct chain_head *h)
{
	struct db_rows	rows;
	int		rv;

	if ((rv = db_query(a, &rows, sql, "")) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DB_ERROR;
	return db_row_scan(&rows, 0, "isis", &h->last_id, &h->last_hash,
	    &h->start_id, &h->start_hash);
}

/*
 * The head (row 1 of audit_head): last id, last hash, and the id and hash
 * the kept chain starts after (pruning moves them).  0, or -1 printed.
 */
static int
verify_head(struct arena *a, int64_t *last_id, char *last_hash,
    int64_t *start_id, char *start_hash)
{
	struct chain_head	h;
	int			rv;

	if ((rv = chain_head(a, SQL_HEAD, &h)) != DB_OK) {
		fprintf(stderr, "audit-verify: cannot read the chain head: "
		    "%s\n", rv == DB_ERROR ? "missing or malformed" :
		    db_last_error());
		return -1;
	}
	*last_id = h.last_id;
	*start_id = h.start_id;
	if (str_copy(last_hash, AUDIT_HASH_HEX_LEN + 1, h.last_hash) == -1 ||
	    str_copy(start_hash, AUDIT_HASH_HEX_LEN + 1, h.start_hash) == -1) {
		fprintf(stderr, "audit-verify: the chain head is malformed\n");
		return -1;
	}
	return 0;
}

int
audit_verify(struct arena *a)
{
	struct db_rows	 rows;
	struct buf	 canon;
	const char	*stored;
	char		 prev_hash[AUDIT_HASH_HEX_LEN + 1];
	char		 last_hash[AUDIT_HASH_HEX_LEN + 1];
	int64_t		 prev_id, last_id, n = 0;
	size_t		 i;
	int		 bad = 0, rv;

	if (verify_head(a, &last_id, last_hash, &prev_id, prev_hash) == -1)
		return -1;
	buf_init(&canon, AUDIT_CANONICAL_MAX);
	for (;;) {
		/* One batch at a time in the arena: a long chain must not
		 * outgrow it. */
		arena_reset(a);
		if ((rv = db_query(a, &rows, SQL_ROWS, "i", prev_id)) !=
		    DB_OK) {
			fprintf(stderr, "audit-verify: cannot read the rows "
			    "after %" PRId64 ": %s\n", prev_id,
			    db_last_error());
			buf_free(&canon);
			return -1;
		}
		for (i = 0; i < rows.nrows; i++) {
			bad += verify_row(&rows, i, prev_hash, prev_id, &canon,
			    &prev_id, &stored);
			/* Link the next row to the stored hash, so one change
			 * is reported once, not for every row after it. */
			if (str_copy(prev_hash, sizeof(prev_hash), stored) ==
			    -1)
				prev_hash[0] = '\0';
			n++;
		}
		if (rows.nrows < 1000)
			break;
	}
	buf_free(&canon);
	if (prev_id != last_id || strcmp(prev_hash, last_hash) != 0) {
		printf("audit-verify: the chain ends at row %" PRId64
		    " but the head says %" PRId64
		    " (rows at the end were deleted)\n",
		    prev_id, last_id);
		bad++;
	}
	if (bad == 0)
		printf("audit-verify: %" PRId64 " rows, chain intact (%s)\n", n,
		    audit_keyed() ? "HMAC-SHA256 with the audit key" :
		    "SHA-256, no audit key");
	printf("audit-verify: head %" PRId64 " %s\n", last_id, last_hash);
	return bad;
}

struct prune_arg {
	struct arena	*a;
	long		 days;
	int64_t		 deleted;
};

static int
audit_prune_tx(void *p)
{
	struct prune_arg	*pa = p;
	struct audit_ctx	 ctx = { pa->a, 0, NULL, NULL, NULL };
	struct db_rows		 head, last;
	struct json_object	*d;
	const char		*through_hash;
	int64_t			 through, from, n, total;
	int			 found, rv;

	pa->deleted = 0;
	if ((rv = db_query(pa->a, &head, SQL_HEAD_LOCK, "")) != DB_OK)
		return rv;
	if ((rv = db_query(pa->a, &last, SQL_PRUNE_FIND, "i",
	    (int64_t)pa->days)) != DB_OK)
		return rv;
	if (last.nrows == 0)
		return DB_OK;
	if (db_row_scan(&last, 0, "is", &through, &through_hash) != DB_OK)
		return DB_ERROR;
	if ((rv = db_get(pa->a, db_read_i64, &from, &found, SQL_PRUNE_MIN,
	    "")) != DB_OK)
		return rv;
	if (!found)
		return DB_ERROR;
	if ((n = db_exec(SQL_PRUNE_DELETE, "i", through)) < 0)
		return (int)n;
	total = n;
	if ((rv = (int)db_exec(SQL_PRUNE_ANCHOR, "is", through,
	    through_hash)) < 0)
		return rv;
	pa->deleted = total;
	d = json_object_new_object();
	json_add_i64(d, "from_id", from);
	json_add_i64(d, "through_id", through);
	json_add_i64(d, "rows", total);
	json_add_i64(d, "retention_days", pa->days);
	return audit_write(&ctx, "audit.pruned", "audit_log", NULL, d);
}

/* Batches of at most 5000 rows, each its own short transaction, so the
 * chain head (which every write needs) is never held for long. */
int64_t
audit_prune(struct arena *a, long days)
{
	struct prune_arg	pa = { a, days, 0 };
	int64_t			total = 0;
	int			rv;

	do {
		if ((rv = db_tx(audit_prune_tx, &pa)) != DB_OK)
			return rv;
		total += pa.deleted;
	} while (pa.deleted > 0);
	return total;
}

static int
audit_entry_read(const struct db_rows *rows, size_t i, void *out)
{
	struct audit_entry	*e = out;

	return db_row_scan(rows, i, "isISsSSSSS", &e->id, &e->at,
	    &e->actor_id, &e->actor_email, &e->action, &e->entity,
	    &e->entity_id, &e->details, &e->client_addr, &e->request_id);
}

int
audit_query(struct arena *a, const struct audit_filter *f,
    struct audit_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), audit_entry_read, &v, &out->n,
	    SQL_AUDIT, "ssssssssiii", f->actor, f->actor, f->action,
	    f->action, f->entity, f->entity, f->from[0] ? f->from :
	    "1970-01-01", f->to[0] ? f->to : "9999-12-30", f->before > 0 ?
	    f->before : INT64_MAX, f->limit, f->offset);
	out->v = v;
	return rv;
}

static const char SQL_HEAD_LOCK_ALL[] =
    "SELECT last_id, last_hash, pruned_id, pruned_hash FROM audit_chain "
    "WHERE id = 1 FOR UPDATE";
static const char SQL_REHASH[] =
    "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?";
static const char SQL_HEAD_REHASH[] =
    "UPDATE audit_chain SET last_hash = ? WHERE id = 1";

struct rekey_arg {
	struct arena	*a;
	struct buf	 canon;
	int64_t		 n;
	const char	*why;		/* refused: the reason */
};

/*
 * Row i, checked against the plain chain (old: its expected link, then
 * its stored hash) and rehashed under the key from link (then the new
 * hash).  DB_OK, or DB_ERROR with ra->why set, or a db_status.
 */
static int
rekey_row(struct rekey_arg *ra, struct db_rows *rows, size_t i, char *old,
    char *link)
{
	struct audit_fields	 f;
	const char		*plink, *stored;
	char			 h[AUDIT_HASH_HEX_LEN + 1];
	int			 rv;

	if (audit_row_read(rows, i, &f, &plink, &stored) == -1 ||
	    plink == NULL || stored == NULL || strcmp(plink, old) != 0 ||
	    audit_canonical(&ra->canon, &f) == -1) {
		ra->why = arena_printf(ra->a, "row %" PRId64 " does not "
		    "verify", f.id);
		return DB_ERROR;
	}
	audit_key_swap(1);
	rv = audit_row_hash(plink, buf_cstr(&ra->canon), h);
	audit_key_swap(0);
	if (rv == -1 || strcmp(h, stored) != 0) {
		ra->why = arena_printf(ra->a, "row %" PRId64 " does not "
		    "verify", f.id);
		return DB_ERROR;
	}
	memcpy(old, stored, AUDIT_HASH_HEX_LEN + 1);
	if (audit_row_hash(link, buf_cstr(&ra->canon), h) == -1)
		return DB_ERROR;
	if ((rv = (int)db_exec(SQL_REHASH, "ssi", link, h, f.id)) < 0)
		return rv;
	memcpy(link, h, AUDIT_HASH_HEX_LEN + 1);
	ra->n++;
	return DB_OK;
}

/* Under the head's lock: every row checked plain and rehashed keyed. */
static int
audit_rekey_tx(void *p)
{
	struct rekey_arg	*ra = p;
	struct chain_head	 h;
	struct db_rows		 rows;
	char			 old[AUDIT_HASH_HEX_LEN + 1];
	char			 link[AUDIT_HASH_HEX_LEN + 1];
	int64_t			 last_id, prev_id;
	size_t			 i;
	int			 rv;

	ra->n = 0;
	if ((rv = chain_head(ra->a, SQL_HEAD_LOCK_ALL, &h)) != DB_OK)
		return rv;
	last_id = h.last_id;
	prev_id = h.start_id;
	if (str_copy(old, sizeof(old), h.start_hash) == -1)
		return DB_ERROR;
	/* The kept chain starts from the pruning anchor, as it is. */
	memcpy(link, old, sizeof(link));
	do {
		if ((rv = db_query(ra->a, &rows, SQL_ROWS, "i", prev_id))
		    != DB_OK)
			return rv;
		for (i = 0; i < rows.nrows; i++)
			if ((rv = rekey_row(ra, &rows, i, old, link)) != DB_OK)
				return rv;
		prev_id += (int64_t)rows.nrows;
	} while (rows.nrows == 1000);
	if (prev_id != last_id) {
		ra->why = "the rows do not end at the head";
		return DB_ERROR;
	}
	rv = (int)db_exec(SQL_HEAD_REHASH, "s", link);
	return rv < 0 ? rv : DB_OK;
}

int
audit_rekey(struct arena *a)
{
	struct rekey_arg	ra;
	int			rv;

	if (!audit_keyed()) {
		fprintf(stderr, "audit-rekey: no audit_key_file is "
		    "configured\n");
		return -1;
	}
	memset(&ra, 0, sizeof(ra));
	ra.a = a;
	buf_init(&ra.canon, AUDIT_CANONICAL_MAX);
	rv = db_tx(audit_rekey_tx, &ra);
	buf_free(&ra.canon);
	if (rv != DB_OK) {
		fprintf(stderr, "audit-rekey: not rekeyed: %s\n",
		    ra.why != NULL ? ra.why : db_last_error());
		return -1;
	}
	printf("audit-rekey: %" PRId64 " rows rehashed with the audit key\n",
	    ra.n);
	return 0;
}

void
audit_log_head(struct arena *a)
{
	struct chain_head	h;

	if (chain_head(a, SQL_HEAD, &h) == DB_OK)
		log_info("audit head %" PRId64 " %s", h.last_id, h.last_hash);
}

static const char SQL_ROW_HASH[] =
    "SELECT hash FROM audit_log WHERE id = ?";

int
audit_verify_anchor(struct arena *a, const char *id_s, const char *hash)
{
	struct db_rows	 rows;
	const char	*stored;
	int64_t		 id;

	if (str_to_i64(id_s, 1, INT64_MAX, &id) == -1) {
		fprintf(stderr, "audit-verify: the anchor's id is not a row "
		    "id\n");
		return -1;
	}
	if (db_query(a, &rows, SQL_ROW_HASH, "i", id) != DB_OK) {
		fprintf(stderr, "audit-verify: %s\n", db_last_error());
		return -1;
	}
	if (rows.nrows != 1) {
		printf("audit-verify: anchor row %" PRId64 " is not in the "
		    "trail (pruned, or deleted)\n", id);
		return 1;
	}
	if (db_row_scan(&rows, 0, "s", &stored) != DB_OK ||
	    strcmp(stored, hash) != 0) {
		printf("audit-verify: row %" PRId64 " differs from its logged "
		    "anchor: history was rewritten\n", id);
		return 1;
	}
	printf("audit-verify: row %" PRId64 " matches its anchor\n", id);
	return 0;
}
