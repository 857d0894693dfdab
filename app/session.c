/*
 * session.c -- sessions and API tokens.  See session.h.
 */
#include <string.h>

#include "arena.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "request.h"
#include "session.h"
#include "str.h"
#include "token.h"

static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, "
    "last_seen_at, client_addr) VALUES (?, ?, ?, NOW(6), NOW(6), ?)";
/* One round trip: the session, its user, and how long since last seen. */
static const char SQL_SESSION_GET[] =
    "SELECT s.user_id, s.csrf_token, "
    "TIMESTAMPDIFF(SECOND, s.last_seen_at, NOW(6)), u.email, u.name, "
    "u.role, u.must_change_password FROM sessions s "
    "JOIN users u ON u.id = s.user_id "
    "WHERE s.id_hash = ? AND u.disabled = 0 "
    "AND s.last_seen_at > NOW(6) - INTERVAL ? SECOND "
    "AND s.created_at > NOW(6) - INTERVAL ? SECOND";
static const char SQL_SESSION_TOUCH[] =
    "UPDATE sessions SET last_seen_at = NOW(6) WHERE id_hash = ?";
static const char SQL_SESSION_DELETE[] =
    "DELETE FROM sessions WHERE id_hash = ?";
static const char SQL_SESSION_END_USER[] =
    "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?";
static const char SQL_SESSION_PURGE[] =
    "DELETE FROM sessions WHERE last_seen_at < NOW(6) - INTERVAL ? SECOND "
    "OR created_at < NOW(6) - INTERVAL ? SECOND LIMIT 10000";
static const char SQL_TOKEN_GET[] =
    "SELECT t.id, t.user_id, t.scope_read, t.scope_write, u.email, u.name, "
    "u.role, (t.last_used_at IS NULL OR "
    "t.last_used_at < NOW(6) - INTERVAL 60 SECOND) FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0 "
    "AND (t.expires_at IS NULL OR t.expires_at > NOW(6))";
static const char SQL_TOKEN_TOUCH[] =
    "UPDATE api_tokens SET last_used_at = NOW(6) WHERE id = ?";

static int
is_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

static int64_t
i64(const char *s)
{
	int64_t	v = 0;

	if (s != NULL)
		(void)str_to_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

int
session_create(int64_t user_id, const char *client_addr,
    char id_out[TOKEN_HEX_LEN + 1], char hash_out[TOKEN_DIGEST_HEX_LEN + 1],
    char csrf_out[TOKEN_HEX_LEN + 1])
{
	int64_t	n;

	if (token_random(id_out, TOKEN_BYTES) == -1 ||
	    token_random(csrf_out, TOKEN_BYTES) == -1 ||
	    token_hash_hex(id_out, hash_out) == -1)
		return DB_ERROR;
	n = db_exec(SQL_SESSION_INSERT, "siss", hash_out, user_id, csrf_out,
	    client_addr != NULL ? client_addr : "");
	return n < 0 ? (int)n : DB_OK;
}

int
session_lookup(struct arena *a, const struct config *c, const char *cookie,
    struct principal *p)
{
	struct db_rows	 rows;
	char		 hash[TOKEN_DIGEST_HEX_LEN + 1];
	int64_t		 age, touch;
	int		 rv, role;

	memset(p, 0, sizeof(*p));
	if (cookie == NULL || strlen(cookie) != TOKEN_HEX_LEN ||
	    !is_hex(cookie, TOKEN_HEX_LEN))
		return DB_OK;
	if (token_hash_hex(cookie, hash) == -1)
		return DB_ERROR;
	if ((rv = db_query(a, &rows, SQL_SESSION_GET, "sii", hash,
	    (int64_t)c->session_idle_timeout,
	    (int64_t)c->session_absolute_timeout)) != DB_OK)
		return rv;
	if (rows.nrows != 1 ||
	    (role = authz_role_from_name(DB_CELL(&rows, 0, 5))) < 0)
		return DB_OK;
	p->via = AUTH_SESSION;
	p->user_id = i64(DB_CELL(&rows, 0, 0));
	p->csrf = DB_CELL(&rows, 0, 1);
	p->email = DB_CELL(&rows, 0, 3);
	p->name = DB_CELL(&rows, 0, 4);
	p->role = role;
	p->must_change = i64(DB_CELL(&rows, 0, 6)) != 0;
	p->session_hash = arena_strdup(a, hash);
	p->scope_read = p->scope_write = 1;
	/* Refresh last_seen_at only when it is getting old. */
	age = i64(DB_CELL(&rows, 0, 2));
	touch = c->session_idle_timeout / 10;
	if (touch > 60)
		touch = 60;
	if (age >= touch && (rv = (int)db_exec(SQL_SESSION_TOUCH, "s",
	    hash)) < 0)
		return rv;
	return DB_OK;
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
	int64_t	n, total = 0;

	do {
		if ((n = db_exec(SQL_SESSION_PURGE, "ii",
		    (int64_t)c->session_idle_timeout,
		    (int64_t)c->session_absolute_timeout)) < 0)
			return n;
		total += n;
	} while (n > 0);
	return total;
}

int
token_lookup(struct arena *a, const char *bearer, struct principal *p)
{
	struct db_rows	 rows;
	char		 hash[TOKEN_DIGEST_HEX_LEN + 1];
	int		 rv, role;

	memset(p, 0, sizeof(*p));
	if (bearer == NULL || strlen(bearer) != API_TOKEN_LEN ||
	    !str_has_prefix(bearer, API_TOKEN_PREFIX) ||
	    !is_hex(bearer + 4, TOKEN_HEX_LEN))
		return DB_OK;
	if (token_hash_hex(bearer, hash) == -1)
		return DB_ERROR;
	if ((rv = db_query(a, &rows, SQL_TOKEN_GET, "s", hash)) != DB_OK)
		return rv;
	if (rows.nrows != 1 ||
	    (role = authz_role_from_name(DB_CELL(&rows, 0, 6))) < 0)
		return DB_OK;
	p->via = AUTH_TOKEN;
	p->token_id = i64(DB_CELL(&rows, 0, 0));
	p->user_id = i64(DB_CELL(&rows, 0, 1));
	p->scope_read = i64(DB_CELL(&rows, 0, 2)) != 0;
	p->scope_write = i64(DB_CELL(&rows, 0, 3)) != 0;
	p->email = DB_CELL(&rows, 0, 4);
	p->name = DB_CELL(&rows, 0, 5);
	p->role = role;
	if (i64(DB_CELL(&rows, 0, 7)) != 0 &&
	    (rv = (int)db_exec(SQL_TOKEN_TOUCH, "i", p->token_id)) < 0)
		return rv;
	return DB_OK;
}

int
token_new(char out[API_TOKEN_LEN + 1], char hash_out[TOKEN_DIGEST_HEX_LEN + 1])
{
	memcpy(out, API_TOKEN_PREFIX, 4);
	if (token_random(out + 4, TOKEN_BYTES) == -1 ||
	    token_hash_hex(out, hash_out) == -1) {
		explicit_bzero(out, API_TOKEN_LEN + 1);
		return -1;
	}
	return 0;
}
