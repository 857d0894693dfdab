/*
 * login.h -- sign-in, sign-out and their throttling, independent of HTTP.
 *
 * Sign-in throttling (login_throttle) counts failures per account -- by
 * user id, or by the email when no user has it, so a lockout tells
 * nothing about which emails exist -- and per client address (IPv6 by its
 * /64).  After login_max_failures failures from one address an account is
 * locked there for login_lockout_seconds, doubling with each further
 * failure (cap 1 h); a success clears it.  Locks are per address so that
 * failures from one address cannot lock the owner out everywhere; an
 * account with login_account_max_failures failures from all addresses, or
 * an address with login_addr_max_failures, in login_addr_window seconds is
 * refused until the window ends.
 */
#ifndef LOGIN_H
#define LOGIN_H

#include <stdint.h>

#include "crypto.h"

struct acct_error;
struct audit_ctx;
struct config;

enum login_result {
	LOGIN_OK = 0,
	LOGIN_FAILED,		/* wrong email or password, disabled user */
	LOGIN_LOCKED,		/* this email is locked for retry_after s */
	LOGIN_THROTTLED,	/* this address is throttled, retry_after s */
	LOGIN_ERROR		/* database or hashing failure */
};

struct login_outcome {
	enum login_result	 result;
	int			 db_status;	/* LOGIN_ERROR */
	long			 retry_after;	/* LOCKED, THROTTLED */
	int64_t			 user_id;
	int			 must_change;
	int64_t			 failed_since;	/* failures since last OK */
	char			 session_id[CRYPTO_SECRET_HEX_LEN + 1];
	char			 csrf[CRYPTO_SECRET_HEX_LEN + 1];
};

/*
 * Signs in: throttling, password check (a dummy check for unknown emails,
 * so both take as long), rehash on changed parameters, a new session (the
 * one named by old_session_hash, if any, is deleted), audit rows for
 * success, failure, lockout and refusal.  The outcome is in *out; the
 * caller wipes out->session_id once it has been sent.
 */
void	login_signin(const struct audit_ctx *, const struct config *,
	    const char *email, const char *password,
	    const char *old_session_hash, struct login_outcome *out);
/* Signs out: deletes the session and audits it.  DB_OK or a db_status. */
int	login_signout(const struct audit_ctx *, const char *session_hash);
/*
 * A signed-in user's own password change is throttled like sign-in, per
 * user (kind 'pwchange').  login_pwchange_claim() counts the attempt before
 * the current password is checked (argon2 runs only for a counted one):
 * DB_OK with *at filled, ACCT_LOCKED (err->retry_after set, audited) or a
 * db_status.  After a wrong current password login_pwchange_failed()
 * audits it and, when the attempt reached login_max_failures, ends every
 * session of the user: DB_OK, ACCT_SIGNED_OUT or a db_status.
 * login_pwchange_clear() deletes the count; it runs inside the caller's
 * transaction once the change succeeds.
 */
struct login_attempt {
	int64_t	failures;	/* the count with this attempt */
	long	lock_seconds;	/* > 0: this attempt locked the user */
};
int	login_pwchange_claim(const struct audit_ctx *, const struct config *,
	    int64_t user_id, struct login_attempt *, struct acct_error *err);
int	login_pwchange_failed(const struct audit_ctx *, int64_t user_id,
	    const struct login_attempt *);
int	login_pwchange_clear(int64_t user_id);
/* Housekeeping: old throttle rows; count or a db_status. */
int64_t	login_purge_throttle(const struct config *);

#endif /* LOGIN_H */
