/*
 * apitokens.h -- API tokens: create (shown once), revoke, list, and
 * resolve a bearer token to a principal.  Independent of HTTP.
 *
 * A token is "brt_" + 64 hex characters, stored only as its SHA-256;
 * last_used_at is written at most once a minute per token.
 */
#ifndef APITOKENS_H
#define APITOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct acct_error;
struct arena;
struct audit_ctx;
struct principal;

#define API_TOKEN_PREFIX "brt_"
#define API_TOKEN_LEN	(4 + CRYPTO_SECRET_HEX_LEN)

/* A token as the admin page lists it; strings in the caller's arena. */
struct api_token {
	int64_t		 id;
	const char	*name;
	const char	*owner;		/* the owner's email */
	int		 scope_read, scope_write;
	const char	*created;	/* YYYY-MM-DD HH:MM (UTC) */
	const char	*expires;	/* NULL: never */
	const char	*last_used;	/* YYYY-MM-DD HH:MM:SS; NULL: never */
	const char	*revoked;	/* NULL: live */
	int		 expired;
};

struct api_token_list {
	struct api_token	*v;
	size_t			 n;
};

/*
 * Creates an API token for user_id (an enabled user); expires_days 0
 * means never.  The plain token goes to token_out (shown once, never
 * stored; "" on failure).  DB_OK with *id_out, ACCT_INVALID,
 * ACCT_REPLAYED or a db_status.
 */
int	apitoken_create(const struct audit_ctx *, int64_t user_id,
	    const char *name, int scope_read, int scope_write,
	    long expires_days, int64_t *id_out,
	    char token_out[API_TOKEN_LEN + 1], struct acct_error *err);
/* Revokes token id at once.  DB_OK (also when revoked before),
 * ACCT_NOT_FOUND if there is no such token, or a db_status. */
int	apitoken_revoke(const struct audit_ctx *, int64_t id);
/* Revokes every live token of user_id inside the caller's transaction
 * (an admin's password reset); the count, or a db_status. */
int64_t	apitoken_revoke_user(int64_t user_id);
/*
 * Every token, live ones first, newest first, at most 500, in the arena.
 * DB_OK or a db_status (a malformed row is DB_ERROR).
 */
int	apitoken_list(struct arena *, struct api_token_list *);
/*
 * Resolves "brt_..." from an Authorization: Bearer header.  Like
 * session_lookup(): DB_OK with p->via = AUTH_TOKEN for a live token of an
 * enabled user, AUTH_NONE for a bad, expired or revoked one; a db_status
 * on a database failure.
 */
int	apitoken_lookup(struct arena *, const char *bearer,
	    struct principal *p);
/* Notes gtid as token id's last write (read-your-writes on replicas);
 * DB_OK or a db_status. */
int	apitoken_remember_gtid(int64_t id, const char *gtid);

#endif /* APITOKENS_H */
