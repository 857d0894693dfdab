/*
 * login.c -- sign-in, sign-out and sign-in throttling.  See login.h.
 *
 * Throttling counts an attempt before the password is checked, under the
 * rows' locks, so concurrent attempts cannot slip past the limit while
 * argon2 runs: the claim refuses an account locked at this address, or a
 * full window (the account's from all addresses, or the address's),
 * otherwise counts the attempt and, from login_max_failures on, locks the
 * account at this address at once (provisionally).  A success then deletes
 * that lock row and takes the attempt back from the windows' counts.
 * Password hashing (argon2id, tens of milliseconds) always happens outside
 * a transaction, so no row lock is held while it runs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "arena.h"
#include "audit.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "login.h"
#include "password.h"
#include "session.h"

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
    "WHERE kind IN ('addr', 'acctall') AND key_hash IN (?, ?)";
static const char SQL_THROTTLE_CLEAR[] =
    "DELETE FROM login_throttle WHERE kind = 'account' AND key_hash = ?";
static const char SQL_PWCHANGE_CLEAR[] =
    "DELETE FROM login_throttle WHERE kind = 'pwchange' AND key_hash = ?";
static const char SQL_THROTTLE_PURGE[] =
    "DELETE FROM login_throttle WHERE window_start < NOW(6) - INTERVAL ? "
    "SECOND AND (locked_until IS NULL OR locked_until < NOW(6) - INTERVAL ? "
    "SECOND) LIMIT 10000";
static const char SQL_USER_BY_EMAIL[] =
    "SELECT id, password_hash, disabled, must_change_password FROM users "
    "WHERE email = ?";
static const char SQL_USER_ID_BY_EMAIL[] =
    "SELECT id FROM users WHERE email = ?";
/* The account's failed sign-ins since its last success (audit_entity). */
static const char SQL_FAILED_SINCE[] =
    "SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = ? "
    "AND action = 'login.failure' AND id > COALESCE((SELECT MAX(id) FROM "
    "audit_log WHERE entity = 'user' AND entity_id = ? AND action = "
    "'login.success'), 0)";
static const char SQL_USER_REHASH[] =
    "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?";

struct login_tx {
	const struct audit_ctx	*ctx;
	const struct config	*cfg;
	const char		*email;
	const char		*acct_key;	/* account at address */
	const char		*all_key;	/* account, any address */
	const char		*addr_key;
	int64_t			 user_id;	/* 0: unknown email */
	const char		*new_hash;	/* rehash, or NULL */
	const char		*old_hash;	/* password_hash read */
	const char		*old_session;
	struct login_outcome	*out;
	long			 lock_seconds;	/* set by this attempt */
	int64_t			 failures;	/* counted by this attempt */
};

/* One login_throttle row, as SQL_THROTTLE_LOCK reads it. */
struct throttle_row {
	int64_t	failures;
	int	stale;
	int64_t	locked_left;	/* seconds the lock still runs */
	int64_t	window_left;	/* seconds the window still runs */
};

static int
throttle_read(const struct db_rows *rows, struct throttle_row *tr)
{
	struct db_row	rd;

	db_row_start(&rd, rows, 0);
	tr->failures = db_row_i64(&rd);
	tr->stale = db_row_i64(&rd) != 0;
	tr->locked_left = db_row_i64(&rd);
	tr->window_left = db_row_i64(&rd);
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

/* The throttle key of user id's own attempts ("user:<id>", hashed). */
static int
user_key(int64_t id, char key[CRYPTO_DIGEST_HEX_LEN + 1])
{
	char	s[32];

	(void)snprintf(s, sizeof(s), "user:%" PRId64, id);
	return crypto_sha256_hex(s, key) == -1 ? DB_ERROR : DB_OK;
}

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
 * How a kind counts.  TH_LOCK (sign-in per account and address, password
 * change per user): from the limit-th failure on the key is locked, the
 * lock doubling with each further failure.  TH_WINDOW (per address, per
 * account from any address): attempts past the limit within the window
 * are refused until it ends.
 */
enum throttle_mode { TH_LOCK, TH_WINDOW };

/*
 * The count after this attempt for a row that exists, or 0 with *retry
 * set when the attempt is refused: a TH_LOCK key when locked, a TH_WINDOW
 * one when its window is full.
 */
static int64_t
throttle_next(const struct throttle_row *tr, enum throttle_mode mode,
    long limit, long *retry)
{
	if (mode == TH_LOCK && tr->locked_left > 0) {
		*retry = (long)tr->locked_left;
		return 0;
	}
	if (mode == TH_WINDOW && tr->failures >= limit) {
		*retry = tr->window_left < 1 ? 1 : (long)tr->window_left;
		return 0;
	}
	return tr->failures + 1;
}

/*
 * Counts one attempt for (kind, key) under the row's lock; *failures gets
 * the new count, or *retry is set (> 0) when the attempt is refused.  A
 * TH_LOCK kind locks from the limit-th attempt on (t->lock_seconds).
 */
static int
throttle_claim(struct login_tx *t, const char *kind, const char *key,
    enum throttle_mode mode, long limit, int64_t *failures, long *retry)
{
	struct db_rows		rows;
	struct throttle_row	tr;
	int64_t			window = t->cfg->login_addr_window;
	int			rv;

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
	} else if ((rv = throttle_read(&rows, &tr)) != DB_OK)
		return rv;
	else if (tr.stale) {
		if ((rv = (int)db_exec(SQL_THROTTLE_RESET, "ss", kind,
		    key)) < 0)
			return rv;
		*failures = 1;
	} else if ((*failures = throttle_next(&tr, mode, limit, retry)) == 0)
		return DB_OK;
	if (mode == TH_LOCK && *failures >= limit) {
		t->lock_seconds = lockout_seconds(t->cfg, *failures);
		rv = (int)db_exec(SQL_THROTTLE_LOCKOUT, "iiss", *failures,
		    (int64_t)t->lock_seconds, kind, key);
	} else
		rv = (int)db_exec(SQL_THROTTLE_COUNT, "iss", *failures, kind,
		    key);
	return rv < 0 ? rv : DB_OK;
}

/* A window refused the attempt: ACCT_INVALID rolls its counts back. */
static int
claim_refused(struct login_tx *t, enum login_result result, long retry)
{
	t->out->result = result;
	t->out->retry_after = retry;
	return ACCT_INVALID;
}

/*
 * Counts a sign-in attempt: per account at this address (locks), per
 * account from anywhere and per address (windows).  A refusal by a window
 * rolls the transaction back (ACCT_INVALID), so it counts nowhere.
 */
static int
login_claim_tx(void *p)
{
	struct login_tx	*t = p;
	const struct config *c = t->cfg;
	int64_t		 n;
	long		 retry;
	int		 rv;

	t->lock_seconds = 0;
	t->out->result = LOGIN_OK;
	if ((rv = throttle_claim(t, "account", t->acct_key, TH_LOCK,
	    c->login_max_failures, &n, &retry)) != DB_OK)
		return rv;
	if (retry > 0) {
		t->out->result = LOGIN_LOCKED;
		t->out->retry_after = retry;
		return DB_OK;
	}
	if ((rv = throttle_claim(t, "acctall", t->all_key, TH_WINDOW,
	    c->login_account_max_failures, &n, &retry)) != DB_OK)
		return rv;
	if (retry > 0)
		return claim_refused(t, LOGIN_LOCKED, retry);
	if ((rv = throttle_claim(t, "addr", t->addr_key, TH_WINDOW,
	    c->login_addr_max_failures, &n, &retry)) != DB_OK)
		return rv;
	if (retry > 0)
		return claim_refused(t, LOGIN_THROTTLED, retry);
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
	eid = t->user_id ? accounts_id_str(ctx.arena, t->user_id) : NULL;
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
	struct db_rows		 rows;
	const char		*eid;
	char			 hash[CRYPTO_DIGEST_HEX_LEN + 1];
	int			 rv;

	if ((rv = (int)db_exec(SQL_THROTTLE_CLEAR, "s", t->acct_key)) < 0 ||
	    (rv = (int)db_exec(SQL_THROTTLE_UNCOUNT, "ss", t->addr_key,
	    t->all_key)) < 0)
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
	/* Told to the owner at once: someone else may be guessing. */
	eid = accounts_id_str(ctx.arena, t->user_id);
	if ((rv = db_query(ctx.arena, &rows, SQL_FAILED_SINCE, "ss", eid,
	    eid)) != DB_OK || (rv = db_row_scan(&rows, 0, "i",
	    &t->out->failed_since)) != DB_OK)
		return rv;
	d = json_object_new_object();
	json_object_object_add(d, "rehashed",
	    json_object_new_boolean(t->new_hash != NULL));
	return audit_write(&ctx, "login.success", "user", eid, d);
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

/*
 * Reads the user by email (NULL: malformed) and checks the password, or
 * runs the dummy check for an unknown email.  *ok when the password is
 * right and the user enabled.  DB_OK or a db_status.
 */
static int
login_check(struct login_tx *t, const char *email, const char *password,
    int *ok)
{
	struct db_rows	rows;
	struct db_row	rd;
	int		rv, disabled;

	*ok = 0;
	if (email != NULL && (rv = db_query(t->ctx->arena, &rows,
	    SQL_USER_BY_EMAIL, "s", email)) != DB_OK)
		return rv;
	if (email == NULL || rows.nrows != 1) {
		(void)password_dummy_verify(password);
		return DB_OK;
	}
	db_row_start(&rd, &rows, 0);
	t->user_id = db_row_i64(&rd);
	t->old_hash = db_row_str(&rd);
	disabled = db_row_i64(&rd) != 0;
	t->out->must_change = db_row_i64(&rd) != 0;
	if (db_row_end(&rd) == -1)
		return DB_ERROR;
	*ok = password_verify(t->old_hash, password) == 1 && !disabled;
	return DB_OK;
}

/* The password was right: rehash if its parameters changed, sign in. */
static int
login_succeed(struct login_tx *t, const char *password)
{
	char	newhash[PASSWORD_ENCODED_MAX];
	int	rv;

	if (password_needs_rehash(t->old_hash) == 1 &&
	    password_hash(password, newhash, sizeof(newhash)) == 0)
		t->new_hash = newhash;
	rv = db_tx(login_success_tx, t);
	t->new_hash = NULL;
	explicit_bzero(newhash, sizeof(newhash));
	if (rv == DB_OK) {
		t->out->result = LOGIN_OK;
		t->out->user_id = t->user_id;
	}
	return rv;
}

/*
 * The throttle keys of a sign-in.  The account is its user id once the
 * email resolves, so no spelling of an address starts a fresh count for
 * it, else the normalized email (unknown addresses are throttled alike);
 * the address is its /64 for IPv6.  acct: the account at this address
 * (what locks, so one address cannot lock the owner out elsewhere); all:
 * the account from anywhere; addr: the address.
 */
static int
login_keys(struct login_tx *t, const char *email,
    char acct[CRYPTO_DIGEST_HEX_LEN + 1], char all[CRYPTO_DIGEST_HEX_LEN + 1],
    char addr[CRYPTO_DIGEST_HEX_LEN + 1])
{
	struct db_rows	 rows;
	struct db_row	 rd;
	char		 pbuf[ACCOUNTS_ADDR_PREFIX_MAX];
	const char	*prefix, *base, *both;
	int64_t		 id = 0;
	int		 rv;

	if (email != NULL) {
		if ((rv = db_query(t->ctx->arena, &rows, SQL_USER_ID_BY_EMAIL,
		    "s", email)) != DB_OK)
			return rv;
		if (rows.nrows == 1) {
			db_row_start(&rd, &rows, 0);
			id = db_row_i64(&rd);
			if (db_row_end(&rd) == -1)
				return DB_ERROR;
		}
	}
	prefix = accounts_addr_prefix(t->ctx->client_addr, pbuf, sizeof(pbuf));
	base = id > 0 ? arena_printf(t->ctx->arena, "user:%" PRId64, id) :
	    t->email;
	if (base == NULL || (both = arena_printf(t->ctx->arena, "%s|%s", base,
	    prefix)) == NULL)
		return DB_ERROR;
	if (crypto_sha256_hex(base, all) == -1 ||
	    crypto_sha256_hex(prefix, addr) == -1 ||
	    crypto_sha256_hex(both, acct) == -1)
		return DB_ERROR;
	return DB_OK;
}

void
login_signin(const struct audit_ctx *ctx, const struct config *cfg,
    const char *email_in, const char *password, const char *old_session,
    struct login_outcome *out)
{
	struct login_tx	 t;
	char		 akey[CRYPTO_DIGEST_HEX_LEN + 1];
	char		 allkey[CRYPTO_DIGEST_HEX_LEN + 1];
	char		 ckey[CRYPTO_DIGEST_HEX_LEN + 1];
	const char	*email;
	int		 rv, ok;

	memset(out, 0, sizeof(*out));
	memset(&t, 0, sizeof(t));
	t.ctx = ctx;
	t.cfg = cfg;
	t.out = out;
	t.old_session = old_session;
	email = accounts_normalize_email(ctx->arena, email_in);
	t.email = email != NULL ? email : "(malformed)";
	t.acct_key = akey;
	t.all_key = allkey;
	t.addr_key = ckey;
	if ((rv = login_keys(&t, email, akey, allkey, ckey)) != DB_OK)
		goto dberr;
	rv = db_tx(login_claim_tx, &t);
	if (rv != DB_OK && rv != ACCT_INVALID)
		goto dberr;
	if (out->result != LOGIN_OK) {
		login_refused(&t, out->result == LOGIN_LOCKED ?
		    "account locked" : "address throttled", out->retry_after);
		return;
	}
	if ((rv = login_check(&t, email, password, &ok)) != DB_OK)
		goto dberr;
	if (ok)
		rv = login_succeed(&t, password);
	else if ((rv = db_tx(login_failure_tx, &t)) == DB_OK)
		out->result = LOGIN_FAILED;
	if (rv == DB_OK)
		return;
dberr:
	explicit_bzero(out->session_id, sizeof(out->session_id));
	out->result = LOGIN_ERROR;
	out->db_status = rv;
}

static int
pwchange_claim_tx(void *p)
{
	struct login_tx	*t = p;
	long		 retry;
	int		 rv;

	t->lock_seconds = 0;
	if ((rv = throttle_claim(t, "pwchange", t->acct_key, TH_LOCK,
	    t->cfg->login_max_failures, &t->failures, &retry)) != DB_OK)
		return rv;
	t->out->retry_after = retry;
	t->out->result = retry > 0 ? LOGIN_LOCKED : LOGIN_OK;
	return DB_OK;
}

int
login_pwchange_claim(const struct audit_ctx *ctx, const struct config *cfg,
    int64_t user_id, struct login_attempt *at, struct acct_error *err)
{
	struct login_tx		 t;
	struct login_outcome	 out;
	struct json_object	*d;
	char			 key[CRYPTO_DIGEST_HEX_LEN + 1];
	int			 rv;

	memset(&t, 0, sizeof(t));
	memset(&out, 0, sizeof(out));
	memset(at, 0, sizeof(*at));
	t.ctx = ctx;
	t.cfg = cfg;
	t.out = &out;
	t.acct_key = key;
	if ((rv = user_key(user_id, key)) != DB_OK ||
	    (rv = db_tx(pwchange_claim_tx, &t)) != DB_OK)
		return rv;
	at->failures = t.failures;
	at->lock_seconds = t.lock_seconds;
	if (out.result == LOGIN_OK)
		return DB_OK;
	d = json_object_new_object();
	json_object_object_add(d, "retry_after",
	    json_object_new_int64(out.retry_after));
	(void)audit_event(ctx, "account.password_change_throttled", "user",
	    accounts_id_str(ctx->arena, user_id), d);
	err->retry_after = out.retry_after;
	(void)accounts_refuse(err, "current_password", "Too many wrong "
	    "passwords. Wait a while and try again.");
	return ACCT_LOCKED;
}

struct pwchange_tx {
	const struct audit_ctx		*ctx;
	int64_t				 user_id;
	const struct login_attempt	*at;
};

static int
pwchange_failure_tx(void *p)
{
	struct pwchange_tx	*t = p;
	struct json_object	*d;
	const char		*eid;
	int			 rv;

	eid = accounts_id_str(t->ctx->arena, t->user_id);
	d = json_object_new_object();
	json_object_object_add(d, "failures",
	    json_object_new_int64(t->at->failures));
	if ((rv = audit_write(t->ctx, "account.password_change_failed",
	    "user", eid, d)) != DB_OK || t->at->lock_seconds == 0)
		return rv;
	if ((rv = (int)session_end_user(t->user_id, NULL)) < 0)
		return rv;
	d = json_object_new_object();
	json_object_object_add(d, "seconds",
	    json_object_new_int64(t->at->lock_seconds));
	return audit_write(t->ctx, "account.password_change_lockout", "user",
	    eid, d);
}

int
login_pwchange_failed(const struct audit_ctx *ctx, int64_t user_id,
    const struct login_attempt *at)
{
	struct pwchange_tx	t = { ctx, user_id, at };
	int			rv;

	if ((rv = db_tx(pwchange_failure_tx, &t)) != DB_OK)
		return rv;
	return at->lock_seconds > 0 ? ACCT_SIGNED_OUT : DB_OK;
}

int
login_pwchange_clear(int64_t user_id)
{
	char	key[CRYPTO_DIGEST_HEX_LEN + 1];
	int64_t	n;

	if (user_key(user_id, key) != DB_OK)
		return DB_ERROR;
	n = db_exec(SQL_PWCHANGE_CLEAR, "s", key);
	return n < 0 ? (int)n : DB_OK;
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
	    accounts_id_str(l->ctx->arena, l->ctx->actor_id), NULL);
}

int
login_signout(const struct audit_ctx *ctx, const char *session_hash)
{
	struct logout_tx	l = { ctx, session_hash };

	return db_tx(logout_tx, &l);
}

int64_t
login_purge_throttle(const struct config *c)
{
	return accounts_purge(SQL_THROTTLE_PURGE,
	    (int64_t)c->login_addr_window, (int64_t)c->login_addr_window);
}
