/*
 * apitokens.c -- API tokens: creation, revocation, the admin listing and
 * bearer lookup.  See apitokens.h.
 *
 * token_read() is the one place that knows SQL_TOKENS' column order and
 * token_auth_read() the one for SQL_TOKEN_GET's.
 */
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "apitokens.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "crypto.h"
#include "db.h"
#include "request.h"
#include "str.h"

static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (token_hash, user_id, name, scope_read, "
    "scope_write, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, "
    "IF(? > 0, NOW(6) + INTERVAL ? DAY, NULL))";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = NOW(6) WHERE id = ? AND "
    "revoked_at IS NULL";
static const char SQL_TOKEN_REVOKE_USER[] =
    "UPDATE api_tokens SET revoked_at = NOW(6) WHERE user_id = ? AND "
    "revoked_at IS NULL";
static const char SQL_TOKEN_OWNER[] =
    "SELECT user_id FROM api_tokens WHERE id = ?";
static const char SQL_USER_ENABLED[] =
    "SELECT id FROM users WHERE id = ? AND disabled = 0";
static const char SQL_TOKENS[] =
    "SELECT t.id, t.name, u.email, t.scope_read, t.scope_write, "
    "DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i'), "
    "DATE_FORMAT(t.expires_at, '%Y-%m-%d %H:%i'), "
    "DATE_FORMAT(t.last_used_at, '%Y-%m-%d %H:%i:%s'), "
    "DATE_FORMAT(t.revoked_at, '%Y-%m-%d %H:%i'), "
    "t.expires_at IS NOT NULL AND t.expires_at <= NOW(6) "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "ORDER BY t.revoked_at IS NOT NULL, t.id DESC LIMIT 500";
static const char SQL_TOKEN_GET[] =
    "SELECT t.id, t.user_id, t.scope_read, t.scope_write, u.email, u.name, "
    "u.role, (t.last_used_at IS NULL OR "
    "t.last_used_at < NOW(6) - INTERVAL 60 SECOND), t.last_gtid "
    "FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id "
    "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0 "
    "AND (t.expires_at IS NULL OR t.expires_at > NOW(6))";
static const char SQL_TOKEN_TOUCH[] =
    "UPDATE api_tokens SET last_used_at = NOW(6) WHERE id = ?";
static const char SQL_TOKEN_GTID[] =
    "UPDATE api_tokens SET last_gtid = ? WHERE id = ?";

static int
token_read(const struct db_rows *rows, size_t i, void *out)
{
	struct api_token	*t = out;
	struct db_row		 rd;

	db_row_start(&rd, rows, i);
	t->id = db_row_i64(&rd);
	t->name = db_row_str(&rd);
	t->owner = db_row_str(&rd);
	t->scope_read = db_row_i64(&rd) != 0;
	t->scope_write = db_row_i64(&rd) != 0;
	t->created = db_row_str(&rd);
	t->expires = db_row_str_or(&rd, NULL);
	t->last_used = db_row_str_or(&rd, NULL);
	t->revoked = db_row_str_or(&rd, NULL);
	t->expired = db_row_i64(&rd) != 0;
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

int
apitoken_list(struct arena *a, struct api_token_list *out)
{
	void	*v;
	int	 rv;

	rv = db_list(a, sizeof(*out->v), token_read, &v, &out->n, SQL_TOKENS,
	    "");
	out->v = v;
	return rv;
}

/* A new token: out gets the plain token, hash_out its digest; 0 or -1. */
static int
apitoken_new(char out[API_TOKEN_LEN + 1],
    char hash_out[CRYPTO_DIGEST_HEX_LEN + 1])
{
	memcpy(out, API_TOKEN_PREFIX, 4);
	if (crypto_random_hex(out + 4, CRYPTO_SECRET_BYTES) == -1 ||
	    crypto_sha256_hex(out, hash_out) == -1) {
		explicit_bzero(out, API_TOKEN_LEN + 1);
		return -1;
	}
	return 0;
}

struct token_tx {
	const struct audit_ctx	*ctx;
	int64_t			 user_id, id;
	const char		*name, *hash;
	int			 rd, wr;
	long			 days;
	struct acct_error	*err;
};

static struct json_object *
token_created_json(const struct token_tx *t)
{
	struct json_object	*d = json_object_new_object();

	json_object_object_add(d, "user_id", json_object_new_int64(t->user_id));
	json_object_object_add(d, "name", json_object_new_string(t->name));
	json_object_object_add(d, "read", json_object_new_boolean(t->rd));
	json_object_object_add(d, "write", json_object_new_boolean(t->wr));
	json_object_object_add(d, "expires_days",
	    json_object_new_int64(t->days));
	return d;
}

static int
create_token_tx(void *p)
{
	struct token_tx		*t = p;
	struct db_rows		 rows;
	int64_t			 n;
	int			 rv;

	if ((rv = accounts_form_claim(t->ctx)) != DB_OK)
		return rv;
	if ((rv = db_query(t->ctx->arena, &rows, SQL_USER_ENABLED, "i",
	    t->user_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return accounts_refuse(t->err, "user_id",
		    "Choose an enabled user.");
	if ((n = db_exec(SQL_TOKEN_INSERT, "sisiiiii", t->hash, t->user_id,
	    t->name, (int64_t)t->rd, (int64_t)t->wr, t->ctx->actor_id,
	    (int64_t)t->days, (int64_t)t->days)) < 0)
		return (int)n;
	t->id = db_last_insert_id();
	return audit_write(t->ctx, "token.created", "api_token",
	    accounts_id_str(t->ctx->arena, t->id), token_created_json(t));
}

/* The checks of a new token that need no database. */
static int
token_check(const char *name, int scope_read, int scope_write,
    long expires_days, struct acct_error *err)
{
	if (name == NULL || name[0] == '\0')
		return accounts_refuse(err, "name", "Name the token.");
	if (accounts_check_name(name, err) != DB_OK)
		return ACCT_INVALID;
	if (!scope_read && !scope_write)
		return accounts_refuse(err, "scopes",
		    "Choose at least one scope.");
	if (expires_days < 0 || expires_days > 3650)
		return accounts_refuse(err, "expires_days",
		    "Use 1 to 3650 days, or leave it empty for no expiry.");
	return DB_OK;
}

int
apitoken_create(const struct audit_ctx *ctx, int64_t user_id,
    const char *name, int scope_read, int scope_write, long expires_days,
    int64_t *id_out, char token_out[API_TOKEN_LEN + 1],
    struct acct_error *err)
{
	struct token_tx	t;
	char		hash[CRYPTO_DIGEST_HEX_LEN + 1];
	int		rv;

	token_out[0] = '\0';
	if ((rv = token_check(name, scope_read, scope_write, expires_days,
	    err)) != DB_OK)
		return rv;
	if (apitoken_new(token_out, hash) == -1)
		return DB_ERROR;
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.user_id = user_id;
	t.name = name;
	t.hash = hash;
	t.rd = scope_read != 0;
	t.wr = scope_write != 0;
	t.days = expires_days;
	t.err = err;
	if ((rv = db_tx(create_token_tx, &t)) != DB_OK) {
		explicit_bzero(token_out, API_TOKEN_LEN + 1);
		return rv;
	}
	if (id_out != NULL)
		*id_out = t.id;
	return DB_OK;
}

static int
revoke_token_tx(void *p)
{
	struct token_tx		*t = p;
	struct db_rows		 rows;
	struct db_row		 rd;
	struct json_object	*d;
	int64_t			 n, owner;
	int			 rv;

	if ((rv = db_query(t->ctx->arena, &rows, SQL_TOKEN_OWNER, "i",
	    t->id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	db_row_start(&rd, &rows, 0);
	owner = db_row_i64(&rd);
	if (db_row_end(&rd) == -1)
		return DB_ERROR;
	if ((n = db_exec(SQL_TOKEN_REVOKE, "i", t->id)) < 0)
		return (int)n;
	if (n == 0)
		return DB_OK;	/* revoked before: nothing changed */
	d = json_object_new_object();
	json_object_object_add(d, "user_id", json_object_new_int64(owner));
	return audit_write(t->ctx, "token.revoked", "api_token",
	    accounts_id_str(t->ctx->arena, t->id), d);
}

int
apitoken_revoke(const struct audit_ctx *ctx, int64_t id)
{
	struct token_tx	t;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.id = id;
	return db_tx(revoke_token_tx, &t);
}

/* A live token and its owner, as SQL_TOKEN_GET reads them. */
struct token_auth {
	int64_t		 id, user_id;
	int		 scope_read, scope_write;
	const char	*email, *name, *role;
	int		 stale;		/* last_used_at wants a refresh */
	const char	*gtid;		/* its last write's, or NULL */
};

static int
token_auth_read(const struct db_rows *rows, struct token_auth *t)
{
	struct db_row	rd;

	db_row_start(&rd, rows, 0);
	t->id = db_row_i64(&rd);
	t->user_id = db_row_i64(&rd);
	t->scope_read = db_row_i64(&rd) != 0;
	t->scope_write = db_row_i64(&rd) != 0;
	t->email = db_row_str(&rd);
	t->name = db_row_str(&rd);
	t->role = db_row_str(&rd);
	t->stale = db_row_i64(&rd) != 0;
	t->gtid = db_row_str_or(&rd, NULL);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

int
apitoken_lookup(struct arena *a, const char *bearer, struct principal *p)
{
	struct db_rows		 rows;
	struct token_auth	 t;
	char			 hash[CRYPTO_DIGEST_HEX_LEN + 1];
	int			 rv, role;

	memset(p, 0, sizeof(*p));
	if (bearer == NULL || !str_has_prefix(bearer, API_TOKEN_PREFIX) ||
	    !crypto_is_hex(bearer + 4, CRYPTO_SECRET_HEX_LEN))
		return DB_OK;
	if (crypto_sha256_hex(bearer, hash) == -1)
		return DB_ERROR;
	if ((rv = db_query(a, &rows, SQL_TOKEN_GET, "s", hash)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return DB_OK;
	if ((rv = token_auth_read(&rows, &t)) != DB_OK)
		return rv;
	if ((role = authz_role_from_name(t.role)) < 0)
		return DB_OK;
	p->via = AUTH_TOKEN;
	p->token_id = t.id;
	p->user_id = t.user_id;
	p->scope_read = t.scope_read;
	p->scope_write = t.scope_write;
	p->email = t.email;
	p->name = t.name;
	p->role = role;
	p->gtid = t.gtid;
	if (t.stale && (rv = (int)db_exec(SQL_TOKEN_TOUCH, "i", t.id)) < 0)
		return rv;
	return DB_OK;
}

int
apitoken_remember_gtid(int64_t id, const char *gtid)
{
	int64_t	n = db_exec(SQL_TOKEN_GTID, "si", gtid, id);

	return n < 0 ? (int)n : DB_OK;
}

int64_t
apitoken_revoke_user(int64_t user_id)
{
	return db_exec(SQL_TOKEN_REVOKE_USER, "i", user_id);
}
