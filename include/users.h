/*
 * users.h -- user accounts and their passwords, independent of HTTP:
 * create, edit, disable, reset and change a password, and the listings
 * of the admin pages.  Every change is one transaction with its audit row
 * and claims the form's one-time token (accounts.h).
 */
#ifndef USERS_H
#define USERS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct acct_error;
struct arena;
struct audit_ctx;
struct config;

/* A user as the admin pages show it; strings in the caller's arena. */
struct user {
	int64_t		 id;
	const char	*email;
	const char	*name;
	const char	*role;		/* a role name */
	int		 disabled;
	int		 must_change;	/* password set by an admin */
	const char	*created;	/* YYYY-MM-DD HH:MM (UTC) */
	int64_t		 sessions;	/* open sessions: users_get() only */
};

struct user_list {
	struct user	*v;
	size_t		 n;
};

/*
 * Creates a user.  role is a role name; password must pass the policy.
 * must_change: the user sets a new password at first sign-in.  DB_OK with
 * *id_out, ACCT_INVALID (err says which field), ACCT_REPLAYED, or a
 * db_status.
 */
int	users_create(const struct audit_ctx *, const char *email,
	    const char *name, const char *role, const char *password,
	    int must_change, int64_t *id_out, struct acct_error *err);
/*
 * Changes name, role and disabled of user id, by ctx->actor_id (who may
 * not demote or disable themselves).  Disabling ends the user's sessions.
 * DB_OK, ACCT_INVALID, ACCT_NOT_FOUND, ACCT_REPLAYED or a db_status.
 */
int	users_update(const struct audit_ctx *, int64_t id, const char *name,
	    const char *role, int disabled, struct acct_error *err);
/* An admin sets a new password; the user must change it at next sign-in;
 * all of the user's sessions end.  Outcomes as users_update(). */
int	users_reset_password(const struct audit_ctx *, int64_t id,
	    const char *password, struct acct_error *err);
/*
 * A user changes their own password (current one required).  Ends every
 * other session and replaces the current one: the new cookie value is
 * written to new_session ("" on failure).  Wrong current passwords are
 * throttled (login.h): besides the outcomes of users_update(), ACCT_LOCKED
 * (wait err->retry_after seconds) and ACCT_SIGNED_OUT (this failure ended
 * the user's sessions).
 */
int	users_change_password(const struct audit_ctx *, const struct config *,
	    int64_t user_id, const char *current, const char *next,
	    const char *confirm, char new_session[CRYPTO_SECRET_HEX_LEN + 1],
	    struct acct_error *err);

/*
 * Listings for the admin pages, in the arena; DB_OK or a db_status (a
 * malformed row is DB_ERROR).
 *   users_list:    every user by email, at most 1000 (sessions is 0);
 *   users_get:     one user with its open sessions, or ACCT_NOT_FOUND;
 *   users_enabled: enabled users by email (only id and email are set),
 *                  for the token form's owner choice.
 */
int	users_list(struct arena *, struct user_list *);
int	users_get(struct arena *, int64_t id, struct user *);
int	users_enabled(struct arena *, struct user_list *);

#endif /* USERS_H */
