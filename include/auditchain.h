/*
 * auditchain.h -- the hash chain over the audit trail.
 *
 * Each audit row carries hash = SHA-256(prev_hash || "\n" || canonical)
 * (HMAC-SHA256 under the audit key when one is configured),
 * where canonical is the row's content serialized by audit_canonical() and
 * prev_hash is the previous row's hash (AUDIT_GENESIS_HASH for the first
 * row).  Changing any field of a row changes its hash; deleting a row
 * breaks the next row's link; `backroomd audit-verify` recomputes the
 * chain from the stored fields.  This module only computes: reading and
 * locking the chain's tail is the database layer's job.
 *
 * The canonical form is versioned and injective: every field is written as
 * "name=<length>:<bytes>\n", or "name=-\n" for an absent (SQL NULL) value,
 * so no two different rows -- including ones that differ only in where a
 * field boundary falls, or in empty versus absent -- serialize alike.
 * Changing the format means a new version line, never an edit of v1.
 */
#ifndef AUDITCHAIN_H
#define AUDITCHAIN_H

#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_HEX_LEN	64
/* The previous hash of the first row of the chain. */
#define AUDIT_GENESIS_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_CANONICAL_VERSION	"backroom-audit-v1"
#define AUDIT_CANONICAL_MAX	(128 * 1024)	/* bytes of one canonical row */

struct buf;

/*
 * One audit row as stored.  The caller formats time exactly as the
 * database returns it (the verifier must reproduce the same bytes), e.g.
 * "2024-05-01 12:34:56.123456" in UTC.  NULL pointers and actor_id 0 stand
 * for SQL NULL (an anonymous or system actor, no entity, ...).
 */
struct audit_fields {
	int64_t		 id;		/* row id, >= 1 */
	const char	*time;		/* required */
	int64_t		 actor_id;	/* user id; 0 = none */
	const char	*action;	/* required, e.g. "login.failure" */
	const char	*entity;	/* e.g. "product" */
	const char	*entity_id;
	const char	*details;	/* JSON text; never a secret */
	const char	*client_addr;
	const char	*request_id;
};

/*
 * Resets b and writes the canonical text of f into it (see above).  The
 * result is a NUL-terminated string without NUL bytes, at most
 * AUDIT_CANONICAL_MAX bytes (or b's cap, if lower).  0 on success; -1 if a
 * required field is missing, id < 1, actor_id < 0, or the text does not
 * fit; b is empty then.
 */
int	audit_canonical(struct buf *b, const struct audit_fields *f);
/*
 * The chain key.  With audit_key_file set, every hash of the chain is an
 * HMAC-SHA256 under a key kept outside the database, so whoever can write
 * the database (the app's own user included) cannot rewrite a row and
 * recompute the chain after it.  audit_key_load() reads the file (empty
 * path: no key, plain SHA-256); -1 (logged) when it cannot be read or the
 * key is not AUDIT_KEY_MIN to AUDIT_KEY_MAX bytes.  audit_keyed(): whether
 * a key is loaded.  audit_key_swap(1) sets the key aside, (0) puts it
 * back (audit-rekey verifies the unkeyed chain first).
 */
#define AUDIT_KEY_MIN	32
#define AUDIT_KEY_MAX	256
int	audit_key_load(const char *path);
int	audit_keyed(void);
void	audit_key_swap(int off);
/*
 * out = hex SHA-256 over prev_hash_hex || "\n" || canonical_row, or with a
 * key its HMAC-SHA256.
 * prev_hash_hex must be 64 lower-case hex characters (a stored hash or
 * AUDIT_GENESIS_HASH): anything else is refused so the concatenation stays
 * unambiguous.  0 on success; -1 (logged) otherwise, with out "".
 */
int	audit_row_hash(const char *prev_hash_hex, const char *canonical_row,
	    char out[AUDIT_HASH_HEX_LEN + 1]);

#endif /* AUDITCHAIN_H */
