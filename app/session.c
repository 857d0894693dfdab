/*
 * session.c -- sign-in sessions.  See session.h.
 */
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "authz.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "request.h"
#include "session.h"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, "
    "last_seen_at, client_addr) VALUES (?, ?, ?, NOW(6), NOW(6), ?)";
/* One round trip: the session, its user, and how long since last seen. */
static const char SQL_SESSION_GET[] =
    "SELECT s.user_id, s.csrf_token, "
    "TIMESTAMPDIFF(SECOND, s.last_seen_at, NOW(6)), u.email, u.name, "
    "u.role, u.must_change_password, s.last_gtid FROM sessions s "
    "JOIN users u ON u.id = s.user_id "
    "WHERE s.id_hash = ? AND u.disabled = 0 "
    "AND s.last_seen_at > NOW(6) - INTERVAL ? SECOND "
    "AND s.created_at > NOW(6) - INTERVAL ? SECOND";
static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_at = NOW(6) WHERE id_hash = ?";
static const char SQL_SESSION_GTID[] =
    "UPDATE sessions SET last_gtid = ? WHERE id_hash = ?";
static const char SQL_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE id_hash = ?";
static const char SQL_SESSION_END_USER[] =
    "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM sessions WHERE last_seen_at < NOW(6) - INTERVAL ? SECOND "
    "OR created_at < NOW(6) - INTERVAL ? SECOND LIMIT 10000";

/* A live session and its user, as SQL_SESSION_GET reads them. */
struct session_row {
	int64_t		 user_id;
	const char	*csrf;
	int64_t		 age;		/* seconds since last seen */
	const char	*email, *name, *role;
	int		 must_change;
	const char	*gtid;		/* its last write's, or NULL */
};

static int
session_read(const struct db_rows *rows, struct session_row *s)
{
	struct db_row	rd;

	db_row_start(&rd, rows, 0);
	s->user_id = db_row_i64(&rd);
	s->csrf = db_row_str(&rd);
	s->age = db_row_i64(&rd);
	s->email = db_row_str(&rd);
	s->name = db_row_str(&rd);
	s->role = db_row_str(&rd);
	s->must_change = db_row_i64(&rd) != 0;
	s->gtid = db_row_str_or(&rd, NULL);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

int
session_create(int64_t user_id, const char *client_addr,
    char id_out[CRYPTO_SECRET_HEX_LEN + 1],
    char hash_out[CRYPTO_DIGEST_HEX_LEN + 1],
    char csrf_out[CRYPTO_SECRET_HEX_LEN + 1])
{
	int64_t	n;

	if (crypto_random_hex(id_out, CRYPTO_SECRET_BYTES) == -1 ||
	    crypto_random_hex(csrf_out, CRYPTO_SECRET_BYTES) == -1 ||
	    crypto_sha256_hex(id_out, hash_out) == -1)
		return DB_ERROR;
	n = db_exec(SQL_SESSION_INSERT, "siss", hash_out, user_id, csrf_out,
	    client_addr != NULL ? client_addr : "");
	return n < 0 ? (int)n : DB_OK;
}

int
session_lookup(struct arena *a, const struct config *c, const char *cookie,
    struct principal *p)
{
	struct db_rows		 rows;
	struct session_row	 s;
	char			 hash[CRYPTO_DIGEST_HEX_LEN + 1];
	int			 rv, role;

	memset(p, 0, sizeof(*p));
	if (cookie == NULL || !crypto_is_hex(cookie, CRYPTO_SECRET_HEX_LEN))
		return DB_OK;
	if (crypto_sha256_hex(cookie, hash) == -1)
		return DB_ERROR;
	if ((rv = db_query(a, &rows, SQL_SESSION_GET, "sii", hash,
	    (int64_t)c->session_idle_timeout,
	    (int64_t)c->session_absolute_timeout)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DB_OK;
	if ((rv = session_read(&rows, &s)) != DB_OK)
		return rv;
	if ((role = authz_role_from_name(s.role)) < 0)
		return DB_OK;
	p->via = AUTH_SESSION;
	p->user_id = s.user_id;
	p->csrf = s.csrf;
	p->email = s.email;
	p->name = s.name;
	p->role = role;
	p->must_change = s.must_change;
	p->gtid = s.gtid;
	p->session_hash = arena_strdup(a, hash);
	p->scope_read = p->scope_write = 1;
	if (session_touch_due(c, s.age) &&
	    (rv = (int)db_exec(SQL_SESSION_TOUCH, "s", hash)) < 0)
		return rv;
	return DB_OK;
}

int
session_remember_gtid(const char *id_hash, const char *gtid)
{
	int64_t	n = db_exec(SQL_SESSION_GTID, "ss", gtid, id_hash);

	return n < 0 ? (int)n : DB_OK;
}

int
session_touch_due(const struct config *c, int64_t age)
{
	int64_t	every = c->session_idle_timeout / 10;

	if (every > 60)
		every = 60;
	return age >= every;
}

int
session_delete(const char *id_hash)
{
	int64_t	n = db_exec(SQL_SESSION_DELETE, "s", id_hash);

	return n < 0 ? (int)n : DB_OK;
}

int64_t
session_end_user(int64_t user_id, const char *keep_hash)
{
	return db_exec(SQL_SESSION_END_USER, "is", user_id,
	    keep_hash != NULL ? keep_hash : "");
}

int64_t
session_purge(const struct config *c)
{
	return accounts_purge(SQL_SESSION_PURGE,
	    (int64_t)c->session_idle_timeout,
	    (int64_t)c->session_absolute_timeout);
}
