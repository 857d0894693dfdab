/*
 * audit.h -- the audit trail: one hash-chained row per change of data and
 * per security event, written in the transaction of the change.
 *
 * audit_write() locks the chain's head (audit_chain, one row), so the rows
 * of concurrent transactions get gapless ids in commit order and each links
 * to the hash of the one before.  Call it as the last statement before the
 * transaction commits: the head stays locked only until COMMIT.
 * details is JSON and never holds a secret (no password, token or session
 * id): callers pass names and values they would show an admin.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct arena;

/* Who did it and from where; no HTTP types, so the domain can use it. */
struct audit_ctx {
	struct arena	*arena;
	int64_t		 actor_id;	/* 0: anonymous or the system */
	const char	*client_addr;	/* NULL: none (command line) */
	const char	*request_id;	/* NULL: none */
	/*
	 * The one-time token of the HTML form that asked for the change, or
	 * NULL.  The accounts changes claim it in their transaction, so a
	 * double-submitted form applies once (ACCT_REPLAYED the second time).
	 */
	const char	*form_key;
};

/*
 * Appends one row inside the caller's transaction.  Consumes details (may
 * be NULL).  DB_OK or a db_status (the caller rolls back).
 */
int	audit_write(const struct audit_ctx *, const char *action,
	    const char *entity, const char *entity_id,
	    struct json_object *details);
/* The same as a transaction of its own (security events). */
int	audit_event(const struct audit_ctx *, const char *action,
	    const char *entity, const char *entity_id,
	    struct json_object *details);
/*
 * Recomputes the whole chain: every row's hash, every link, the first row
 * against the pruning anchor and the last against the head.  Prints each
 * problem naming the row id.  Returns the number of problems (0: intact)
 * or -1 when the database cannot be read.
 */
int	audit_verify(struct arena *);
/*
 * Rewrites a plain (SHA-256) chain as a keyed one, once audit_key_file is
 * set on an existing trail: under the head's lock, every row is checked
 * against the plain chain and rehashed with the key, in one transaction
 * (nothing changes if any row fails).  0, or -1 with the reason printed.
 * Needs UPDATE on audit_log: run it with the administrator's config.
 */
int	audit_rekey(struct arena *);
/*
 * Logs the chain head ("audit head ID HASH"), each housekeeping run: an
 * anchor outside the database.  A later `audit-verify` prints the head
 * too; a row id of a logged anchor whose hash differs, or a chain that no
 * longer passes through it, shows history was rewritten.
 */
void	audit_log_head(struct arena *);
/* `audit-verify ID HASH`: whether row ID still has the logged hash.  0,
 * 1 (printed: differs or gone), -1 on a usage or database error. */
int	audit_verify_anchor(struct arena *, const char *id, const char *hash);
/*
 * Deletes rows older than days, keeping the chain verifiable (the head
 * records the last pruned hash), and audits the pruning.  Returns the
 * number of rows deleted or a db_status.
 */
int64_t	audit_prune(struct arena *, long days);

/*
 * Filters for audit_query(); strings are "" for "any"; from and to are
 * YYYY-MM-DD (validated by the caller), to inclusive.  Pages go by id
 * (keyset): before is the last id of the page before, so a page deep in
 * the trail reads no more rows than the first.  offset skips rows after
 * that and costs as many reads: callers bound it (BR_MAX_PAGE_DEPTH).
 */
struct audit_filter {
	const char	*actor;		/* user email */
	const char	*action;
	const char	*entity;
	const char	*from, *to;
	int64_t		 before;	/* ids below it; 0: from the newest */
	int64_t		 limit, offset;
};
/* One row of the trail as audit_query() lists it; strings in the arena. */
struct audit_entry {
	int64_t		 id;
	const char	*at;		/* UTC, microseconds */
	int64_t		 actor_id;	/* 0: anonymous or the system */
	const char	*actor_email;	/* NULL: no such user */
	const char	*action;
	const char	*entity;	/* NULL: none */
	const char	*entity_id;	/* NULL: none */
	const char	*details;	/* JSON text; NULL: none */
	const char	*client_addr;	/* NULL: none */
	const char	*request_id;	/* NULL: none */
};

struct audit_list {
	struct audit_entry	*v;
	size_t			 n;
};

/*
 * The rows matching f, newest first, into out (in the arena).  DB_OK or
 * a db_status (a malformed row is DB_ERROR).
 */
int	audit_query(struct arena *, const struct audit_filter *,
	    struct audit_list *out);

#endif /* AUDIT_H */
