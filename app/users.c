/*
 * users.c -- user accounts and passwords.  See users.h.
 *
 * Password hashing (argon2id, tens of milliseconds) always happens before
 * the transaction, so no row lock is held while it runs.  The listings
 * select USER_COLS and user_read() is the one place that knows its order.
 */
#include <string.h>

#include <json-c/json.h>

#include "accounts.h"
#include "apitokens.h"
#include "arena.h"
#include "audit.h"
#include "authz.h"
#include "db.h"
#include "login.h"
#include "password.h"
#include "session.h"
#include "users.h"

#define USER_COLS \
    "id, email, name, role, disabled, must_change_password, " \
    "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i')"

static const char SQL_USER_LOCK[] =
    "SELECT " USER_COLS " FROM users WHERE id = ? FOR UPDATE";
static const char SQL_USER_PASSWORD[] =
    "SELECT password_hash FROM users WHERE id = ?";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (email, name, password_hash, role, "
    "must_change_password) VALUES (?, ?, ?, ?, ?)";
static const char SQL_USER_UPDATE[] =
    "UPDATE users SET name = ?, role = ?, disabled = ?, "
    "updated_at = NOW(6) WHERE id = ?";
static const char SQL_USER_SET_PASSWORD[] =
    "UPDATE users SET password_hash = ?, must_change_password = ?, "
    "password_changed_at = NOW(6), updated_at = NOW(6) WHERE id = ?";
/* Locks every enabled admin, in id order: whether an edit leaves one is
 * decided under these locks, so two admins demoting each other at once
 * cannot both win (the second waits and then sees the first's change). */
static const char SQL_ADMINS_LOCK[] =
    "SELECT id FROM users WHERE role = 'admin' AND disabled = 0 "
    "ORDER BY id FOR UPDATE";
static const char SQL_USERS[] =
    "SELECT " USER_COLS " FROM users ORDER BY email LIMIT 1000";
static const char SQL_USERS_ENABLED[] =
    "SELECT " USER_COLS " FROM users WHERE disabled = 0 ORDER BY email "
    "LIMIT 1000";
static const char SQL_USER[] =
    "SELECT " USER_COLS ", "
    "(SELECT COUNT(*) FROM sessions s WHERE s.user_id = users.id) "
    "FROM users WHERE id = ?";

/* Row i of a USER_COLS query, and the session count when with_sessions. */
static int
user_read(const struct db_rows *rows, size_t i, int with_sessions,
    struct user *u)
{
	struct db_row	rd;

	db_row_start(&rd, rows, i);
	u->id = db_row_i64(&rd);
	u->email = db_row_str(&rd);
	u->name = db_row_str(&rd);
	u->role = db_row_str(&rd);
	u->disabled = db_row_i64(&rd) != 0;
	u->must_change = db_row_i64(&rd) != 0;
	u->created = db_row_str(&rd);
	u->sessions = with_sessions ? db_row_i64(&rd) : 0;
	return db_row_end(&rd) == -1 ? DB_ERROR : DB_OK;
}

/* Runs a USER_COLS listing into out. */
static int
users_query(struct arena *a, const char *sql, struct user_list *out)
{
	struct db_rows	rows;
	size_t		i;
	int		rv;

	out->v = NULL;
	out->n = 0;
	if ((rv = db_query(a, &rows, sql, "")) != DB_OK)
		return rv;
	if (rows.nrows > 0 && (out->v = arena_calloc(a, rows.nrows,
	    sizeof(*out->v))) == NULL)
		return DB_ERROR;
	for (i = 0; i < rows.nrows; i++)
		if ((rv = user_read(&rows, i, 0, &out->v[i])) != DB_OK)
			return rv;
	out->n = rows.nrows;
	return DB_OK;
}

int
users_list(struct arena *a, struct user_list *out)
{
	return users_query(a, SQL_USERS, out);
}

int
users_enabled(struct arena *a, struct user_list *out)
{
	return users_query(a, SQL_USERS_ENABLED, out);
}

int
users_get(struct arena *a, int64_t id, struct user *u)
{
	struct db_rows	rows;
	int		rv;

	memset(u, 0, sizeof(*u));
	if ((rv = db_query(a, &rows, SQL_USER, "i", id)) != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	return user_read(&rows, 0, 1, u);
}

struct user_tx {
	const struct audit_ctx	*ctx;
	int64_t			 id;
	const char		*email, *name, *role, *hash;
	int			 must_change, disabled;
	struct acct_error	*err;
	char			*new_session;	/* change_password */
};

static void
user_tx_init(struct user_tx *u, const struct audit_ctx *ctx, int64_t id,
    const char *hash, struct acct_error *err)
{
	memset(u, 0, sizeof(*u));
	u->ctx = ctx;
	u->id = id;
	u->hash = hash;
	u->err = err;
}

/* User u->id locked into *old. */
static int
user_row_lock(struct user_tx *u, struct user *old)
{
	struct db_rows	rows;
	int		rv;

	if ((rv = db_query(u->ctx->arena, &rows, SQL_USER_LOCK, "i", u->id))
	    != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	return user_read(&rows, 0, 0, old);
}

/* The transaction's form claim, then user u->id locked into *old. */
static int
user_lock(struct user_tx *u, struct user *old)
{
	int	rv;

	if ((rv = accounts_form_claim(u->ctx)) != DB_OK)
		return rv;
	return user_row_lock(u, old);
}

static int
create_user_tx(void *p)
{
	struct user_tx		*u = p;
	struct json_object	*d;
	int64_t			 n;
	int			 rv;

	if ((rv = accounts_form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((n = db_exec(SQL_USER_INSERT, "ssssi", u->email, u->name, u->hash,
	    u->role, (int64_t)u->must_change)) < 0)
		return n == DB_DUPLICATE ? accounts_refuse(u->err, "email",
		    "A user with this email exists already.") : (int)n;
	u->id = db_last_insert_id();
	d = json_object_new_object();
	json_object_object_add(d, "email", json_object_new_string(u->email));
	json_object_object_add(d, "name", json_object_new_string(u->name));
	json_object_object_add(d, "role", json_object_new_string(u->role));
	return audit_write(u->ctx, "user.created", "user",
	    accounts_id_str(u->ctx->arena, u->id), d);
}

int
users_create(const struct audit_ctx *ctx, const char *email_in,
    const char *name, const char *role, const char *password,
    int must_change, int64_t *id_out, struct acct_error *err)
{
	struct user_tx	 u;
	char		 hash[PASSWORD_ENCODED_MAX];
	const char	*email;
	int		 rv;

	if ((email = accounts_normalize_email(ctx->arena, email_in)) == NULL)
		return accounts_refuse(err, "email",
		    "Enter a valid email address.");
	if ((rv = accounts_check_name(name ? name : "", err)) != DB_OK)
		return rv;
	if (authz_role_from_name(role) < 0)
		return accounts_refuse(err, "role", "Choose a role.");
	if ((rv = accounts_check_password(password, "password", err)) != DB_OK)
		return rv;
	if (password_hash(password, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	user_tx_init(&u, ctx, 0, hash, err);
	u.email = email;
	u.name = name ? name : "";
	u.role = role;
	u.must_change = must_change;
	rv = db_tx(create_user_tx, &u);
	if (rv == DB_OK && id_out != NULL)
		*id_out = u.id;
	return rv;
}

/* The audit details of an edit: the email and what changed. */
static struct json_object *
user_changes_json(const struct user_tx *u, const struct user *old)
{
	struct json_object	*d = json_object_new_object();
	struct json_object	*ch = json_object_new_object();

	if (strcmp(old->name, u->name) != 0)
		json_object_object_add(ch, "name", json_object_new_string(
		    u->name));
	if (strcmp(old->role, u->role) != 0)
		json_object_object_add(ch, "role", json_object_new_string(
		    u->role));
	if (old->disabled != u->disabled)
		json_object_object_add(ch, "disabled",
		    json_object_new_boolean(u->disabled));
	json_object_object_add(d, "email", json_object_new_string(
	    old->email));
	json_object_object_add(d, "changes", ch);
	return d;
}

/*
 * An edit that may take away an admin (a role other than admin, or
 * disabled) first locks the enabled admins; *admins gets their count, and
 * -1 when the edit cannot take one away.
 */
static int
admins_lock(struct user_tx *u, int64_t *admins)
{
	struct db_rows	rows;
	int		rv;

	*admins = -1;
	if (strcmp(u->role, "admin") == 0 && !u->disabled)
		return DB_OK;
	if ((rv = db_query(u->ctx->arena, &rows, SQL_ADMINS_LOCK, "")) != DB_OK)
		return rv;
	*admins = (int64_t)rows.nrows;
	return DB_OK;
}

static int
update_user_tx(void *p)
{
	struct user_tx	*u = p;
	struct user	 old;
	int64_t		 admins;
	int		 rv;

	if ((rv = accounts_form_claim(u->ctx)) != DB_OK ||
	    (rv = admins_lock(u, &admins)) != DB_OK ||
	    (rv = user_row_lock(u, &old)) != DB_OK)
		return rv;
	if (u->id == u->ctx->actor_id && u->disabled)
		return accounts_refuse(u->err, "disabled",
		    "You cannot disable your own account.");
	if (u->id == u->ctx->actor_id && strcmp(u->role, old.role) != 0)
		return accounts_refuse(u->err, "role", "You cannot change "
		    "your own role; ask another admin.");
	if (admins == 1 && strcmp(old.role, "admin") == 0 && !old.disabled)
		return accounts_refuse(u->err,
		    u->disabled ? "disabled" : "role",
		    "This is the last enabled admin: make another user an "
		    "admin first.");
	if ((rv = (int)db_exec(SQL_USER_UPDATE, "ssii", u->name, u->role,
	    (int64_t)u->disabled, u->id)) < 0)
		return rv;
	if (u->disabled && !old.disabled &&
	    (rv = (int)session_end_user(u->id, NULL)) < 0)
		return rv;
	return audit_write(u->ctx, "user.updated", "user",
	    accounts_id_str(u->ctx->arena, u->id), user_changes_json(u, &old));
}

int
users_update(const struct audit_ctx *ctx, int64_t id, const char *name,
    const char *role, int disabled, struct acct_error *err)
{
	struct user_tx	u;
	int		rv;

	if ((rv = accounts_check_name(name ? name : "", err)) != DB_OK)
		return rv;
	if (authz_role_from_name(role) < 0)
		return accounts_refuse(err, "role", "Choose a role.");
	user_tx_init(&u, ctx, id, NULL, err);
	u.name = name ? name : "";
	u.role = role;
	u.disabled = disabled != 0;
	return db_tx(update_user_tx, &u);
}

static int
reset_password_tx(void *p)
{
	struct user_tx		*u = p;
	struct user		 old;
	struct json_object	*d;
	int64_t			 n;
	int			 rv;

	if ((rv = user_lock(u, &old)) != DB_OK)
		return rv;
	if ((rv = (int)db_exec(SQL_USER_SET_PASSWORD, "sii", u->hash,
	    (int64_t)1, u->id)) < 0)
		return rv;
	if ((rv = (int)session_end_user(u->id, NULL)) < 0)
		return rv;
	/* Whoever knew the old password may have made tokens with it. */
	if ((n = apitoken_revoke_user(u->id)) < 0)
		return (int)n;
	d = json_object_new_object();
	json_object_object_add(d, "tokens_revoked", json_object_new_int64(n));
	return audit_write(u->ctx, "user.password_reset", "user",
	    accounts_id_str(u->ctx->arena, u->id), d);
}

int
users_reset_password(const struct audit_ctx *ctx, int64_t id,
    const char *password, struct acct_error *err)
{
	struct user_tx	u;
	char		hash[PASSWORD_ENCODED_MAX];
	int		rv;

	if ((rv = accounts_check_password(password, "password", err)) != DB_OK)
		return rv;
	if (password_hash(password, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	user_tx_init(&u, ctx, id, hash, err);
	return db_tx(reset_password_tx, &u);
}

static int
change_password_tx(void *p)
{
	struct user_tx	*u = p;
	char		 hash[CRYPTO_DIGEST_HEX_LEN + 1];
	char		 csrf[CRYPTO_SECRET_HEX_LEN + 1];
	int		 rv;

	if ((rv = accounts_form_claim(u->ctx)) != DB_OK)
		return rv;
	if ((rv = (int)db_exec(SQL_USER_SET_PASSWORD, "sii", u->hash,
	    (int64_t)0, u->id)) < 0)
		return rv;
	/* Every session ends, this one included; a new one replaces it. */
	if ((rv = (int)session_end_user(u->id, NULL)) < 0 ||
	    (rv = login_pwchange_clear(u->id)) != DB_OK)
		return rv;
	if ((rv = session_create(u->id, u->ctx->client_addr, u->new_session,
	    hash, csrf)) != DB_OK)
		return rv;
	return audit_write(u->ctx, "account.password_changed", "user",
	    accounts_id_str(u->ctx->arena, u->id), NULL);
}

/* The checks of a password change that need no database. */
static int
change_password_check(const char *current, const char *next,
    const char *confirm, struct acct_error *err)
{
	int	rv;

	if (current == NULL || current[0] == '\0')
		return accounts_refuse(err, "current_password",
		    "Enter your current password.");
	if ((rv = accounts_check_password(next, "new_password", err)) != DB_OK)
		return rv;
	if (confirm == NULL || strcmp(next, confirm) != 0)
		return accounts_refuse(err, "confirm_password",
		    "The two new passwords differ.");
	return DB_OK;
}

/* Whether current is user_id's password: DB_OK, ACCT_INVALID or
 * ACCT_NOT_FOUND, or a db_status. */
static int
current_password_check(struct arena *a, int64_t user_id, const char *current,
    struct acct_error *err)
{
	struct db_rows	 rows;
	struct db_row	 rd;
	const char	*stored;
	int		 rv;

	if ((rv = db_query(a, &rows, SQL_USER_PASSWORD, "i", user_id))
	    != DB_OK)
		return rv;
	if (rows.nrows != 1)
		return ACCT_NOT_FOUND;
	db_row_start(&rd, &rows, 0);
	stored = db_row_str(&rd);
	if (db_row_end(&rd) == -1)
		return DB_ERROR;
	if (password_verify(stored, current) != 1)
		return accounts_refuse(err, "current_password",
		    "This is not your current password.");
	return DB_OK;
}

int
users_change_password(const struct audit_ctx *ctx, const struct config *cfg,
    int64_t user_id, const char *current, const char *next,
    const char *confirm, char new_session[CRYPTO_SECRET_HEX_LEN + 1],
    struct acct_error *err)
{
	struct user_tx		u;
	struct login_attempt	at;
	char			hash[PASSWORD_ENCODED_MAX];
	int			rv;

	new_session[0] = '\0';
	/* Before the current password is checked: after the first
	 * submission it is no longer the current one.  The attempt is
	 * counted before argon2 runs. */
	if ((rv = accounts_form_used(ctx)) != DB_OK ||
	    (rv = change_password_check(current, next, confirm, err))
	    != DB_OK ||
	    (rv = login_pwchange_claim(ctx, cfg, user_id, &at, err)) != DB_OK)
		return rv;
	rv = current_password_check(ctx->arena, user_id, current, err);
	if (rv == ACCT_INVALID && (rv = login_pwchange_failed(ctx, user_id,
	    &at)) == DB_OK)
		return ACCT_INVALID;
	if (rv != DB_OK)
		return rv;
	if (strcmp(current, next) == 0)
		return accounts_refuse(err, "new_password",
		    "Choose a password different from the current one.");
	if (password_hash(next, hash, sizeof(hash)) == -1)
		return DB_ERROR;
	user_tx_init(&u, ctx, user_id, hash, err);
	u.new_session = new_session;
	if ((rv = db_tx(change_password_tx, &u)) != DB_OK)
		explicit_bzero(new_session, CRYPTO_SECRET_HEX_LEN + 1);
	return rv;
}
