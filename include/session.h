/*
 * session.h -- sign-in sessions in MariaDB.
 *
 * A session id is 256 bits from getrandom(2), sent once as the cookie
 * __Host-br_session and stored only as its SHA-256, so any worker on any
 * host serves any session and a database dump yields no usable id.  Each
 * session carries its own CSRF token (the synchronizer token of every
 * form).  Validity is checked in SQL against the running configuration:
 * idle (last_seen_at) and absolute (created_at) timeouts, and the user not
 * disabled.  last_seen_at is written at most every min(60 s, idle / 10),
 * not on every request.  API tokens are apitokens.h's.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stdint.h>

#include "crypto.h"

struct arena;
struct config;
struct principal;

#define SESSION_COOKIE	"__Host-br_session"
#define FLASH_COOKIE	"__Host-br_flash"

/*
 * Inserts a new session for user_id (inside the caller's transaction).
 * id_out gets the cookie value, hash_out its digest, csrf_out the form
 * token.  DB_OK or a db_status.
 */
int	session_create(int64_t user_id, const char *client_addr,
	    char id_out[CRYPTO_SECRET_HEX_LEN + 1],
	    char hash_out[CRYPTO_DIGEST_HEX_LEN + 1],
	    char csrf_out[CRYPTO_SECRET_HEX_LEN + 1]);
/*
 * Resolves a cookie value.  DB_OK with p->via = AUTH_SESSION for a live
 * session, DB_OK with p->via = AUTH_NONE for anything else (malformed,
 * unknown, expired, disabled user); a db_status on a database failure.
 */
int	session_lookup(struct arena *, const struct config *,
	    const char *cookie, struct principal *p);
/* Whether a session last seen age seconds ago gets last_seen_at written:
 * at most every min(60 s, session_idle_timeout / 10). */
int	session_touch_due(const struct config *, int64_t age);
/* Notes gtid as the session's last write (read-your-writes on
 * replicas); DB_OK or a db_status. */
int	session_remember_gtid(const char *id_hash, const char *gtid);
/* Deletes one session by digest; DB_OK or a db_status. */
int	session_delete(const char *id_hash);
/* Deletes every session of user_id except keep_hash (may be NULL);
 * returns the number deleted or a db_status. */
int64_t	session_end_user(int64_t user_id, const char *keep_hash);
/* Deletes expired sessions (housekeeping); count or a db_status. */
int64_t	session_purge(const struct config *);
#endif /* SESSION_H */
