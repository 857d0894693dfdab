/*
 * accounts.h -- users, sign-in, passwords and API tokens: the rules of the
 * accounts capability, independent of HTTP (handlers and the command line
 * both call them).  Every change is one transaction with its audit row.
 *
 * Sign-in throttling (login_throttle) counts failures per email -- known
 * or not, so a lockout tells nothing about which emails exist -- and per
 * client address.  After login_max_failures failures an email is locked for
 * login_lockout_seconds, doubling with each further failure (cap 1 h); a
 * success clears it.  An address with login_addr_max_failures failures in
 * login_addr_window seconds is refused until the window ends.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <stdint.h>

#include "session.h"

struct audit_ctx;
struct config;

/* A refused input: the form field and a sentence for the user. */
struct acct_error {
	const char	*field;
	const char	*message;
};

/* Returned by the functions below besides DB_OK and db_status values. */
#define ACCT_INVALID	1	/* see struct acct_error */
#define ACCT_NOT_FOUND	2
#define ACCT_REPLAYED	3	/* the form's one-time token was used before */

enum login_result {
	LOGIN_OK = 0,
	LOGIN_FAILED,		/* wrong email or password, disabled user */
	LOGIN_LOCKED,		/* this email is locked for retry_after s */
	LOGIN_THROTTLED,	/* this address is throttled for retry_after s */
	LOGIN_ERROR		/* database or hashing failure */
};

struct login_outcome {
	enum login_result	 result;
	int			 db_status;	/* LOGIN_ERROR */
	long			 retry_after;	/* LOCKED, THROTTLED */
	int64_t			 user_id;
	int			 must_change;
	char			 session_id[TOKEN_HEX_LEN + 1];
	char			 csrf[TOKEN_HEX_LEN + 1];
};

/*
 * Signs in: throttling, password check (a dummy check for unknown emails,
 * so both take as long), rehash on changed parameters, a new session (the
 * one named by old_session_hash, if any, is deleted), audit rows for
 * success, failure, lockout and refusal.
 */
void	accounts_login(const struct audit_ctx *, const struct config *,
	    const char *email, const char *password,
	    const char *old_session_hash, struct login_outcome *out);
/* Signs out: deletes the session and audits it. */
int	accounts_logout(const struct audit_ctx *, const char *session_hash);

/*
 * Creates a user.  role is a role name; password must pass the policy.
 * must_change: the user sets a new password at first sign-in.  DB_OK with
 * *id_out, ACCT_INVALID (err says which field), or a db_status.
 */
int	accounts_create_user(const struct audit_ctx *, const char *email,
	    const char *name, const char *role, const char *password,
	    int must_change, int64_t *id_out, struct acct_error *err);
/*
 * Changes name, role and disabled of user id, by actor_id (who may not
 * demote or disable themselves).  Disabling ends the user's sessions.
 */
int	accounts_update_user(const struct audit_ctx *, int64_t id,
	    const char *name, const char *role, int disabled,
	    struct acct_error *err);
/* An admin sets a new password; the user must change it at next sign-in;
 * all of the user's sessions end. */
int	accounts_reset_password(const struct audit_ctx *, int64_t id,
	    const char *password, struct acct_error *err);
/*
 * A user changes their own password (current one required).  Ends every
 * other session and replaces the current one: the new cookie value is
 * written to new_session.
 */
int	accounts_change_password(const struct audit_ctx *, int64_t user_id,
	    const char *session_hash, const char *current, const char *next,
	    const char *confirm, char new_session[TOKEN_HEX_LEN + 1],
	    struct acct_error *err);

/*
 * Creates an API token for user_id; expires_days 0 means never.  The plain
 * token goes to token_out (shown once, never stored).
 */
int	accounts_create_token(const struct audit_ctx *, int64_t user_id,
	    const char *name, int scope_read, int scope_write,
	    long expires_days, int64_t *id_out,
	    char token_out[API_TOKEN_LEN + 1], struct acct_error *err);
/* Revokes token id at once.  ACCT_NOT_FOUND if there is no such token. */
int	accounts_revoke_token(const struct audit_ctx *, int64_t id);

/*
 * Listings for the admin pages, rows in a (DB_OK or a db_status):
 *   users:   id, email, name, role, disabled, must_change_password,
 *            created (YYYY-MM-DD HH:MM), ordered by email, at most 1000;
 *   user:    the same columns and the number of open sessions; 0 or 1 row;
 *   tokens:  id, name, owner email, scope_read, scope_write, created,
 *            expires, last used, revoked (NULL when not), expired (0/1),
 *            live ones first, newest first, at most 500;
 *   owners:  id, email of enabled users (for the token form).
 */
struct db_rows;
int	accounts_list_users(struct arena *, struct db_rows *);
int	accounts_get_user(struct arena *, int64_t id, struct db_rows *);
int	accounts_list_tokens(struct arena *, struct db_rows *);
int	accounts_token_owners(struct arena *, struct db_rows *);

/* Housekeeping: old throttle rows; count or a db_status. */
int64_t	accounts_purge_throttle(const struct config *);

/* Lower-cases and trims an email into the arena; NULL if not plausible. */
const char *accounts_normalize_email(struct arena *, const char *email);

#endif /* ACCOUNTS_H */
