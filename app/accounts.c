/*
 * accounts.c -- users, sign-in, passwords and API tokens.  See accounts.h.
 *
 * Password hashing (argon2id, tens of milliseconds) always happens outside
 * a transaction, so no row lock is held while it runs.
 */
#include <inttypes.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "idempotency.h"
#include "log.h"
#include "password.h"
#include "session.h"
#include "str.h"
#include "token.h"

#define LOCKOUT_CAP	3600	/* seconds */

/* A row is stale (its count starts again) when its window has passed and
 * it is not locked, nor was locked within the window. */
static const char SQL_THROTTLE_LOCK[] =
    "SELECT failures, window_start < NOW(6) - INTERVAL ? SECOND AND "
    "(locked_until IS NULL OR locked_until < NOW(6) - INTERVAL ? SECOND), "
    "CEIL(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, NOW(6), "
    "COALESCE(locked_until, NOW(6)))) / 1000000), "
    "CEIL(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, NOW(6), window_start + "
    "INTERVAL ? SECOND)) / 1000000) "
    "FROM login_throttle WHERE kind = ? AND key_hash = ? FOR UPDATE";
static const char SQL_THROTTLE_INSERT[] =
    "INSERT INTO login_throttle (kind, key_hash, failures, window_start, "
    "locked_until) VALUES (?, ?, 1, NOW(6), NULL)";
static const char SQL_THROTTLE_RESET[] =
    "UPDATE login_throttle SET failures = 1, window_start = NOW(6), "
    "locked_until = NULL WHERE kind = ? AND key_hash = ?";
static const char SQL_THROTTLE_COUNT[] =
    "UPDATE login_throttle SET failures = ? WHERE kind = ? AND key_hash = ?";
static const char SQL_THROTTLE_LOCKOUT[] =
    "UPDATE login_throttle SET failures = ?, "
    "locked_until = NOW(6) + INTERVAL ? SECOND WHERE kind = ? AND "
    "key_hash = ?";
static const char SQL_THROTTLE_UNCOUNT[] =
    "UPDATE login_throttle SET failures = GREATEST(failures, 1) - 1 "
    "WHERE kind = 'addr' AND key_hash = ?";
static const char SQL_THROTTLE_CLEAR[] =
    "DELETE FROM login_throttle WHERE kind = 'account' AND key_hash = ?";
static const char SQL_THROTTLE_PURGE[] =
    "DELETE FROM login_throttle WHERE window_start < NOW(6) - INTERVAL ? "
    "SECOND AND (locked_until IS NULL OR locked_until < NOW(6) - INTERVAL ? "
    "SECOND) LIMIT 10000";

static const char SQL_USER_BY_EMAIL[] =
    "SELECT id, password_hash, disabled, must_change_password FROM users "
    "WHERE email = ?";
static const char SQL_USER_GET[] =
    "SELECT id, email, name, role, disabled, password_hash FROM users "
    "WHERE id = ? FOR UPDATE";
static const char SQL_USER_PASSWORD[] =
    "SELECT password_hash FROM users WHERE id = ?";
static const char SQL_USER_REHASH[] =
    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (email, name, password_hash, role, "
    "must_change_password) VALUES (?, ?, ?, ?, ?)";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET name = ?, role = ?, disabled = ?, "
    "updated_at = NOW(6) WHERE id = ?";
static const char SQL_USER_SET_PASSWORD[] =
    "UPDATE users SET password_hash = ?, must_change_password = ?, "
    "password_changed_at = NOW(6), updated_at = NOW(6) WHERE id = ?";
static const char SQL_TOKEN_INSERT[] =
    "INSERT INTO api_tokens (token_hash, user_id, name, scope_read, "
    "scope_write, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, "
    "IF(? > 0, NOW(6) + INTERVAL ? DAY, NULL))";
static const char SQL_TOKEN_REVOKE[] =
    "UPDATE api_tokens SET revoked_at = NOW(6) WHERE id = ? AND "
    "revoked_at IS NULL";
static const char SQL_TOKEN_EXISTS[] =
    "SELECT user_id FROM api_tokens WHERE id = ?";
static const char SQL_USER_ENABLED[] =
    "SELECT id FROM users WHERE id = ? AND disabled = 0";

static const char SQL_USERS[] =
    "SELECT id, email, name, role, disabled, must_change_password, "
    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') FROM users ORDER BY email "
    "LIMIT 1000";
static const char SQL_USER[] =
    "SELECT id, email, name, role, disabled, must_change_password, "
    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i'), "
    "(SELECT COUNT(*) FROM sessions s WHERE s.user_id = users.id) "
    "FROM users WHERE id = ?";
static const char SQL_TOKENS[] =
    "SELECT t.id, t.name, u.email, t.scope_read, t.scope_write, "
    "DATE_FORMAT(t.created_at, '%Y-%m-%d %H:%i'), "
    "DATE_FORMAT(t.expires_at, '%Y-%m-%d %H:%i'), "
    "DATE_FORMAT(t.last_used_at, '%Y-%m-%d %H:%i:%s'), "
    "DATE_FORMAT(t.revoked_at, '%Y-%m-%d %H:%i'), "
    "t.expires_at IS NOT NULL AND t.expires_at <= NOW(6) "
    "FROM api_tokens t JOIN users u ON u.id = t.user_id "
    "ORDER BY t.revoked_at IS NOT NULL, t.id DESC LIMIT 500";
static const char SQL_TOKEN_USERS[] =
    "SELECT id, email FROM users WHERE disabled = 0 ORDER BY email "
    "LIMIT 1000";

static int64_t
i64(const char *s)
{
	int64_t	v = 0;

	if (s != NULL)
		(void)str_to_i64(s, INT64_MIN, INT64_MAX, &v);
	return v;
}

static const char *
id_str(struct arena *a, int64_t id)
{
	return arena_printf(a, "%" PRId64, id);
}

static int
set_err(struct acct_error *err, const char *field, const char *msg)
{
	if (err != NULL) {
		err->field = field;
		err->message = msg;
	}
	return ACCT_INVALID;
}

const char *
accounts_normalize_email(struct arena *a, const char *email)
{
	char		*e;
	size_t		 i, n, at = 0, nat = 0;
	const char	*p = email;

	if (p == NULL)
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n < 3 || n > 254 || (e = arena_strndup(a, p, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == ',' || c == ';')
			return NULL;
		if (c >= 'A' && c <= 'Z')
			e[i] = (char)(c + 32);
		if (c == '@') {
			at = i;
			nat++;
		}
	}
	if (nat != 1 || at == 0 || at == n - 1)
		return NULL;
	return e;
}

/* --- sign-in ------------------------------------------------------------ */

/*
 * Throttling counts an attempt before the password is checked, under the
 * row's lock, so concurrent attempts cannot slip past the limit while
 * argon2 runs: the claim refuses a locked email or a throttled address,
 * otherwise counts the attempt and, from login_max_failures on, locks the
 * email at once (provisionally).  A success then deletes the email's row
 * (clearing the lock) and takes the attempt back from the address's count.
 */
struct login_tx {
	const struct audit_ctx	*ctx;
	const struct config	*cfg;
	const char		*email;
	const char		*acct_key, *addr_key;
	int64_t			 user_id;	/* 0: unknown email */
	const char		*new_hash;	/* rehash, or NULL */
	const char		*old_hash;	/* password_hash read */
	const char		*old_session;
	struct login_outcome	*out;
	long			 lock_seconds;	/* set by this attempt */
};

/* The lock for the nth failure: base, doubling per failure past max. */
static long
lockout_seconds(const struct config *c, int64_t failures)
{
	int64_t	shift = failures - c->login_max_failures;
	long	secs = c->login_lockout_seconds;

	while (shift-- > 0 && secs < LOCKOUT_CAP)
		secs *= 2;
	return secs > LOCKOUT_CAP ? LOCKOUT_CAP : secs;
}

/*
 * Counts one attempt for (kind, key); *failures gets the new count.  For
 * kind 'account': refuses with *retry when locked, and locks from the
 * max-th attempt on.  For 'addr': refuses when the window is full.
 */
static int
throttle_claim(struct login_tx *t, const char *kind, const char *key,
    int64_t *failures, long *retry)
{
	struct db_rows	rows;
	int64_t		window = t->cfg->login_addr_window, left;
	int		rv, account = strcmp(kind, "account") == 0;

	*retry = 0;
	if ((rv = db_query(t->ctx->arena, &rows, SQL_THROTTLE_LOCK, "iiiss",
	    window, window, window, kind, key)) != DB_OK)
		return rv;
	if (rows.nrows == 0) {
		/* A concurrent first attempt inserted it: run again. */
		if ((rv = (int)db_exec(SQL_THROTTLE_INSERT, "ss", kind,
		    key)) < 0)
			return rv == DB_DUPLICATE ? DB_RETRY : rv;
		*failures = 1;
	} else if (i64(DB_CELL(&rows, 0, 1)) != 0) {	/* stale */
		if ((rv = (int)db_exec(SQL_THROTTLE_RESET, "ss", kind,
		    key)) < 0)
			return rv;
		*failures = 1;
	} else {
		left = i64(DB_CELL(&rows, 0, 2));
		if (account && left > 0) {
			*retry = (long)left;
			return DB_OK;
		}
		if (!account && i64(DB_CELL(&rows, 0, 0)) >=
		    t->cfg->login_addr_max_failures) {
			*retry = (long)i64(DB_CELL(&rows, 0, 3));
			if (*retry < 1)
				*retry = 1;
			return DB_OK;
		}
		*failures = i64(DB_CELL(&rows, 0, 0)) + 1;
	}
	if (account && *failures >= t->cfg->login_max_failures) {
		t->lock_seconds = lockout_seconds(t->cfg, *failures);
		rv = (int)db_exec(SQL_THROTTLE_LOCKOUT, "iiss", *failures,
		    (int64_t)t->lock_seconds, kind, key);
	} else
		rv = (int)db_exec(SQL_THROTTLE_COUNT, "iss", *failures, kind,
		    key);
	return rv < 0 ? rv : DB_OK;
}

static int
login_claim_tx(void *p)
{
	struct login_tx	*t = p;
	int64_t		 n;
	long		 retry;
	int		 rv;

	t->lock_seconds = 0;
	t->out->result = LOGIN_OK;
	if ((rv = throttle_claim(t, "account", t->acct_key, &n, &retry))
	    != DB_OK)
		return rv;
	if (retry > 0) {
		t->out->result = LOGIN_LOCKED;
		t->out->retry_after = retry;
		return DB_OK;
	}
	if ((rv = throttle_claim(t, "addr", t->addr_key, &n, &retry)) != DB_OK)
		return rv;
	if (retry > 0) {
		/* Refused: this attempt is not counted against the email. */
		t->out->result = LOGIN_THROTTLED;
		t->out->retry_after = retry;
		return ACCT_INVALID;
	}
	return DB_OK;
}

static int
login_failure_tx(void *p)
{
	struct login_tx		*t = p;
	struct audit_ctx	 ctx = *t->ctx;
	struct json_object	*d;
	const char		*eid;
	int			 rv;

	ctx.actor_id = t->user_id;
	eid = t->user_id ? id_str(ctx.arena, t->user_id) : NULL;
	d = json_object_new_object();
	json_object_object_add(d, "email", json_object_new_string(t->email));
	if (t->lock_seconds > 0) {
		if ((rv = audit_write(&ctx, "login.failure", "user", eid,
		    json_object_get(d))) != DB_OK) {
			json_object_put(d);
			return rv;
		}
		json_object_object_add(d, "seconds",
		    json_object_new_int64(t->lock_seconds));
		return audit_write(&ctx, "login.lockout", "user", eid, d);
	}
	return audit_write(&ctx, "login.failure", "user", eid, d);
}

static int
login_success_tx(void *p)
{
	struct login_tx		*t = p;
	struct audit_ctx	 ctx = *t->ctx;
	struct json_object	*d;
	char			 hash[TOKEN_DIGEST_HEX_LEN + 1];
	int			 rv;

	if ((rv = (int)db_exec(SQL_THROTTLE_CLEAR, "s", t->acct_key)) < 0 ||
	    (rv = (int)db_exec(SQL_THROTTLE_UNCOUNT, "s", t->addr_key)) < 0)
		return rv;
	if (t->new_hash != NULL && (rv = (int)db_exec(SQL_USER_REHASH, "sis",
	    t->new_hash, t->user_id, t->old_hash)) < 0)
		return rv;
	if (t->old_session != NULL &&
	    (rv = session_delete(t->old_session)) != DB_OK)
		return rv;
	if ((rv = session_create(t->user_id, ctx.client_addr,
	    t->out->session_id, hash, t->out->csrf)) != DB_OK)
		return rv;
	ctx.actor_id = t->user_id;
	d = json_object_new_object();
	json_object_object_add(d, "rehashed",
	    json_object_new_boolean(t->new_hash != NULL));
	return audit_write(&ctx, "login.success", "user",
	    id_str(ctx.arena, t->user_id), d);
}

/* Records a refused attempt (locked or throttled) as a security event. */
static void
login_refused(struct login_tx *t, const char *why, long retry)
{
	struct json_object	*d = json_object_new_object();

	json_object_object_add(d, "email", json_object_new_string(t->email));
	json_object_object_add(d, "reason", json_object_new_string(why));
	json_object_object_add(d, "retry_after", json_object_new_int64(retry));
	(void)audit_event(t->ctx, "login.throttled", "user", NULL, d);
}

void
accounts_login(const struct audit_ctx *ctx, const struct config *cfg,
    const char *email_in, const char *password, const char *old_session,
    struct login_outcome *out)
{
	struct login_tx	 t;
	struct db_rows	 user;
	char		 akey[TOKEN_DIGEST_HEX_LEN + 1];
	char		 ckey[TOKEN_DIGEST_HEX_LEN + 1];
	char		 newhash[PASSWORD_ENCODED_MAX];
	const char	*email;
	int		 rv, ok = 0, disabled = 1;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.cfg = cfg;
	t.out = out;
	t.old_session = old_session;
	email = accounts_normalize_email(ctx->arena, email_in);
	t.email = email != NULL ? email : "(malformed)";
	if (token_hash_hex(t.email, akey) == -1 ||
	    token_hash_hex(ctx->client_addr ? ctx->client_addr : "", ckey)
	    == -1) {
		out->result = LOGIN_ERROR;
		out->db_status = DB_ERROR;
		return;
	}
	t.acct_key = akey;
	t.addr_key = ckey;
	rv = db_tx(login_claim_tx, &t);
	if (rv != DB_OK && rv != ACCT_INVALID)
		goto dberr;
	if (out->result != LOGIN_OK) {
		login_refused(&t, out->result == LOGIN_LOCKED ? "account locked" :
		    "address throttled", out->retry_after);
		return;
	}
	if (email != NULL && (rv = db_query(ctx->arena, &user,
	    SQL_USER_BY_EMAIL, "s", email)) != DB_OK)
		goto dberr;
	if (email != NULL && user.nrows == 1) {
		t.user_id = i64(DB_CELL(&user, 0, 0));
		t.old_hash = DB_CELL(&user, 0, 1);
		disabled = i64(DB_CELL(&user, 0, 2)) != 0;
		out->must_change = i64(DB_CELL(&user, 0, 3)) != 0;
		ok = password_verify(t.old_hash, password) == 1;
	} else
		(void)password_dummy_verify(password);
	if (ok && !disabled) {
		if (password_needs_rehash(t.old_hash) == 1 &&
		    password_hash(password, newhash, sizeof(newhash)) == 0)
			t.new_hash = newhash;
		if ((rv = db_tx(login_success_tx, &t)) != DB_OK)
			goto dberr;
		out->result = LOGIN_OK;
		out->user_id = t.user_id;
		return;
	}
	if ((rv = db_tx(login_failure_tx, &t)) != DB_OK)
		goto dberr;
	out->result = LOGIN_FAILED;
	return;
dberr:
	explicit_bzero(out->session_id, sizeof(out->session_id));
	out->result = LOGIN_ERROR;
	out->db_status = rv;
}

struct logout_tx {
	const struct audit_ctx	*ctx;
	const char		*hash;
};

static int
logout_tx(void *p)
{
	struct logout_tx	*l = p;
	int			 rv;

	if ((rv = session_delete(l->hash)) != DB_OK)
		return rv;
	return audit_write(l->ctx, "logout", "user",
	    id_str(l->ctx->arena, l->ctx->actor_id), NULL);
}

int
accounts_logout(const struct audit_ctx *ctx, const char *session_hash)
{
	struct logout_tx	l = { ctx, session_hash };

	return db_tx(logout_tx, &l);
}

int64_t
accounts_purge_throttle(const struct config *c)
{
	int64_t	n, total = 0;

	do {
		if ((n = db_exec(SQL_THROTTLE_PURGE, "ii",
		    (int64_t)c->login_addr_window,
		    (int64_t)c->login_addr_window)) < 0)
			return n;
		total += n;
	} while (n > 0);
	return total;
}

/* --- users -------------------------------------------------------------- */

static int
check_password(const char *pw, const char *field, struct acct_error *err)
{
	const char	*why;

	if (pw == NULL || pw[0] == '\0')
		return set_err(err, field, "Enter a password.");
	if (password_check_policy(pw, &why) == -1)
		return set_err(err, field, why);
	return DB_OK;
}

static int
check_name(const char *name, struct acct_error *err)
{
	size_t	i;

	if (name == NULL || strlen(name) > 100)
		return set_err(err, "name", "Use at most 100 characters.");
	for (i = 0; name[i] != '\0'; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return set_err(err, "name",
			    "Control characters are not allowed.");
	return DB_OK;
}

/*
 * Claims ctx's one-time form key inside the change's transaction (the
 * Idempotency-Key table; no response is kept, as the first one may show a
 * secret: a token, a new session).
 */
static int
form_claim(const struct audit_ctx *ctx)
{
	int	rv;

	if (ctx->form_key == NULL)
		return DB_OK;
	rv = idem_claim(ctx->actor_id, ctx->form_key, "form");
	return rv == DB_DUPLICATE ? ACCT_REPLAYED : rv;
}

/* The same, read only: before checks that the first submission changed. */
static int
form_used(const struct audit_ctx *ctx)
{
	int	rv;

	if (ctx->form_key == NULL)
		return DB_OK;
	rv = idem_used(ctx->arena, ctx->actor_id, ctx->form_key);
	return rv == DB_DUPLICATE ? ACCT_REPLAYED : rv;
}

struct user_tx {
	const struct audit_ctx	*ctx;
	int64_t			 id;
	const char		*email, *name, *role, *hash;
	int			 must_change, disabled;
	struct acct_error	*err;
	char			*new_session;	/* change_password */
	const char		*session_hash;
};

static int
create_user_tx(void *p)
{
	struct user_tx		*u = p;
	struct json_object	*d;
	int64_t			 n;
	int			 rv;

	if ((rv = form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((n = db_exec(SQL_USER_INSERT, "ssssi", u->email, u->name, u->hash,
	    u->role, (int64_t)u->must_change)) < 0)
		return n == DB_DUPLICATE ? set_err(u->err, "email",
		    "A user with this email exists already.") : (int)n;
	u->id = db_last_insert_id();
	d = json_object_new_object();
	json_object_object_add(d, "email", json_object_new_string(u->email));
	json_object_object_add(d, "name", json_object_new_string(u->name));
	json_object_object_add(d, "role", json_object_new_string(u->role));
	return audit_write(u->ctx, "user.created", "user",
	    id_str(u->ctx->arena, u->id), d);
}

int
accounts_create_user(const struct audit_ctx *ctx, const char *email_in,
    const char *name, const char *role, const char *password,
    int must_change, int64_t *id_out, struct acct_error *err)
{
	struct user_tx	 u;
	char		 hash[PASSWORD_ENCODED_MAX];
	int		 rv;

	memset(&u, 0, sizeof(u));
	if ((u.email = accounts_normalize_email(ctx->arena, email_in)) == NULL)
		return set_err(err, "email", "Enter a valid email address.");
	if ((rv = check_name(name ? name : "", err)) != DB_OK)
		return rv;
	if (authz_role_from_name(role) < 0)
		return set_err(err, "role", "Choose a role.");
	if ((rv = check_password(password, "password", err)) != DB_OK)
		return rv;
	if (password_hash(password, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	u.ctx = ctx;
	u.name = name ? name : "";
	u.role = role;
	u.hash = hash;
	u.must_change = must_change;
	u.err = err;
	rv = db_tx(create_user_tx, &u);
	if (rv == DB_OK && id_out != NULL)
		*id_out = u.id;
	return rv;
}

static int
update_user_tx(void *p)
{
	struct user_tx		*u = p;
	struct db_rows		 rows;
	struct json_object	*d, *ch;
	int			 rv, was_disabled;
	const char		*old_role, *old_name;

	if ((rv = form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((rv = db_query(u->ctx->arena, &rows, SQL_USER_GET, "i", u->id))
	    != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	old_name = DB_CELL(&rows, 0, 2);
	old_role = DB_CELL(&rows, 0, 3);
	was_disabled = i64(DB_CELL(&rows, 0, 4)) != 0;
	if (u->id == u->ctx->actor_id && u->disabled)
		return set_err(u->err, "disabled",
		    "You cannot disable your own account.");
	if (u->id == u->ctx->actor_id && strcmp(u->role, old_role) != 0)
		return set_err(u->err, "role", "You cannot change your own "
		    "role; ask another admin.");
	if ((rv = (int)db_exec(SQL_USER_UPDATE, "ssii", u->name, u->role,
	    (int64_t)u->disabled, u->id)) < 0)
		return rv;
	if (u->disabled && !was_disabled &&
	    (rv = (int)session_end_user(u->id, NULL)) < 0)
		return rv;
	d = json_object_new_object();
	ch = json_object_new_object();
	if (strcmp(old_name, u->name) != 0)
		json_object_object_add(ch, "name", json_object_new_string(
		    u->name));
	if (strcmp(old_role, u->role) != 0)
		json_object_object_add(ch, "role", json_object_new_string(
		    u->role));
	if (was_disabled != u->disabled)
		json_object_object_add(ch, "disabled",
		    json_object_new_boolean(u->disabled));
	json_object_object_add(d, "email", json_object_new_string(
	    DB_CELL(&rows, 0, 1)));
	json_object_object_add(d, "changes", ch);
	return audit_write(u->ctx, "user.updated", "user",
	    id_str(u->ctx->arena, u->id), d);
}

int
accounts_update_user(const struct audit_ctx *ctx, int64_t id,
    const char *name, const char *role, int disabled, struct acct_error *err)
{
	struct user_tx	u;
	int		rv;

	if ((rv = check_name(name ? name : "", err)) != DB_OK)
		return rv;
	if (authz_role_from_name(role) < 0)
		return set_err(err, "role", "Choose a role.");
	memset(&u, 0, sizeof(u));
	u.ctx = ctx;
	u.id = id;
	u.name = name ? name : "";
	u.role = role;
	u.disabled = disabled != 0;
	u.err = err;
	return db_tx(update_user_tx, &u);
}

static int
reset_password_tx(void *p)
{
	struct user_tx	*u = p;
	struct db_rows	 rows;
	int		 rv;

	if ((rv = form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((rv = db_query(u->ctx->arena, &rows, SQL_USER_GET, "i", u->id))
	    != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	if ((rv = (int)db_exec(SQL_USER_SET_PASSWORD, "sii", u->hash,
	    (int64_t)1, u->id)) < 0)
		return rv;
	if ((rv = (int)session_end_user(u->id, NULL)) < 0)
		return rv;
	return audit_write(u->ctx, "user.password_reset", "user",
	    id_str(u->ctx->arena, u->id), NULL);
}

int
accounts_reset_password(const struct audit_ctx *ctx, int64_t id,
    const char *password, struct acct_error *err)
{
	struct user_tx	u;
	char		hash[PASSWORD_ENCODED_MAX];
	int		rv;

	if ((rv = check_password(password, "password", err)) != DB_OK)
		return rv;
	if (password_hash(password, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	memset(&u, 0, sizeof(u));
	u.ctx = ctx;
	u.id = id;
	u.hash = hash;
	return db_tx(reset_password_tx, &u);
}

static int
change_password_tx(void *p)
{
	struct user_tx	*u = p;
	char		 hash[TOKEN_DIGEST_HEX_LEN + 1];
	char		 csrf[TOKEN_HEX_LEN + 1];
	int		 rv;

	if ((rv = form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((rv = (int)db_exec(SQL_USER_SET_PASSWORD, "sii", u->hash,
	    (int64_t)0, u->id)) < 0)
		return rv;
	/* Every session ends, this one included; a new one replaces it. */
	if ((rv = (int)session_end_user(u->id, NULL)) < 0)
		return rv;
	if ((rv = session_create(u->id, u->ctx->client_addr, u->new_session,
	    hash, csrf)) != DB_OK)
		return rv;
	return audit_write(u->ctx, "account.password_changed", "user",
	    id_str(u->ctx->arena, u->id), NULL);
}

int
accounts_change_password(const struct audit_ctx *ctx, int64_t user_id,
    const char *session_hash, const char *current, const char *next,
    const char *confirm, char new_session[TOKEN_HEX_LEN + 1],
    struct acct_error *err)
{
	struct user_tx	 u;
	struct db_rows	 rows;
	char		 hash[PASSWORD_ENCODED_MAX];
	int		 rv;

	new_session[0] = '\0';
	/* Before the current password is checked: after the first
	 * submission it is no longer the current one. */
	if ((rv = form_used(ctx)) != DB_OK)
		return rv;
	if (current == NULL || current[0] == '\0')
		return set_err(err, "current_password",
		    "Enter your current password.");
	if ((rv = check_password(next, "new_password", err)) != DB_OK)
		return rv;
	if (confirm == NULL || strcmp(next, confirm) != 0)
		return set_err(err, "confirm_password",
		    "The two new passwords differ.");
	if ((rv = db_query(ctx->arena, &rows, SQL_USER_PASSWORD, "i",
	    user_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	if (password_verify(DB_CELL(&rows, 0, 0), current) != 1)
		return set_err(err, "current_password",
		    "This is not your current password.");
	if (strcmp(current, next) == 0)
		return set_err(err, "new_password",
		    "Choose a password different from the current one.");
	if (password_hash(next, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	memset(&u, 0, sizeof(u));
	u.ctx = ctx;
	u.id = user_id;
	u.hash = hash;
	u.new_session = new_session;
	u.session_hash = session_hash;
	if ((rv = db_tx(change_password_tx, &u)) != DB_OK)
		explicit_bzero(new_session, TOKEN_HEX_LEN + 1);
	return rv;
}

/* --- API tokens --------------------------------------------------------- */

struct token_tx {
	const struct audit_ctx	*ctx;
	int64_t			 user_id, id;
	const char		*name, *hash;
	int			 rd, wr;
	long			 days;
	struct acct_error	*err;
};

static int
create_token_tx(void *p)
{
	struct token_tx		*t = p;
	struct db_rows		 rows;
	struct json_object	*d;
	int64_t			 n;
	int			 rv;

	if ((rv = form_claim(t->ctx)) != DB_OK)
		return rv;
	if ((rv = db_query(t->ctx->arena, &rows, SQL_USER_ENABLED, "i",
	    t->user_id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return set_err(t->err, "user_id", "Choose an enabled user.");
	if ((n = db_exec(SQL_TOKEN_INSERT, "sisiiiii", t->hash, t->user_id,
	    t->name, (int64_t)t->rd, (int64_t)t->wr, t->ctx->actor_id,
	    (int64_t)t->days, (int64_t)t->days)) < 0)
		return (int)n;
	t->id = db_last_insert_id();
	d = json_object_new_object();
	json_object_object_add(d, "user_id", json_object_new_int64(t->user_id));
	json_object_object_add(d, "name", json_object_new_string(t->name));
	json_object_object_add(d, "read", json_object_new_boolean(t->rd));
	json_object_object_add(d, "write", json_object_new_boolean(t->wr));
	json_object_object_add(d, "expires_days",
	    json_object_new_int64(t->days));
	return audit_write(t->ctx, "token.created", "api_token",
	    id_str(t->ctx->arena, t->id), d);
}

int
accounts_create_token(const struct audit_ctx *ctx, int64_t user_id,
    const char *name, int scope_read, int scope_write, long expires_days,
    int64_t *id_out, char token_out[API_TOKEN_LEN + 1],
    struct acct_error *err)
{
	struct token_tx	t;
	char		hash[TOKEN_DIGEST_HEX_LEN + 1];
	int		rv;

	token_out[0] = '\0';
	if (name == NULL || name[0] == '\0')
		return set_err(err, "name", "Name the token.");
	if (check_name(name, err) != DB_OK)
		return ACCT_INVALID;
	if (!scope_read && !scope_write)
		return set_err(err, "scopes", "Choose at least one scope.");
	if (expires_days < 0 || expires_days > 3650)
		return set_err(err, "expires_days",
		    "Use 1 to 3650 days, or leave it empty for no expiry.");
	if (token_new(token_out, hash) == -1)
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
	struct json_object	*d;
	int64_t			 n;
	int			 rv;

	if ((rv = db_query(t->ctx->arena, &rows, SQL_TOKEN_EXISTS, "i",
	    t->id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	if ((n = db_exec(SQL_TOKEN_REVOKE, "i", t->id)) < 0)
		return (int)n;
	if (n == 0)
		return DB_OK;	/* revoked before: nothing changed */
	d = json_object_new_object();
	json_object_object_add(d, "user_id", json_object_new_int64(
	    i64(DB_CELL(&rows, 0, 0))));
	return audit_write(t->ctx, "token.revoked", "api_token",
	    id_str(t->ctx->arena, t->id), d);
}

int
accounts_revoke_token(const struct audit_ctx *ctx, int64_t id)
{
	struct token_tx	t;

	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.id = id;
	return db_tx(revoke_token_tx, &t);
}

/* --- listings ----------------------------------------------------------- */

int
accounts_list_users(struct arena *a, struct db_rows *out)
{
	return db_query(a, out, SQL_USERS, "");
}

int
accounts_get_user(struct arena *a, int64_t id, struct db_rows *out)
{
	return db_query(a, out, SQL_USER, "i", id);
}

int
accounts_list_tokens(struct arena *a, struct db_rows *out)
{
	return db_query(a, out, SQL_TOKENS, "");
}

int
accounts_token_owners(struct arena *a, struct db_rows *out)
{
	return db_query(a, out, SQL_TOKEN_USERS, "");
}
