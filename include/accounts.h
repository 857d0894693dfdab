/*
 * accounts.h -- what the accounts modules share: a refused input, the
 * outcome codes besides DB_OK and the db statuses, the field checks, the
 * one-time form token claim and email normalization.
 *
 * The accounts capability is split by what it holds: login.c (sign-in,
 * sign-out, throttling), users.c (users and passwords), apitokens.c (API
 * tokens) and session.c (sessions).  None of them sees HTTP types:
 * handlers and the command line both call them, and every change is one
 * transaction with its audit row.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

struct arena;
struct audit_ctx;

/* A refused input: the form field and a sentence for the user. */
struct acct_error {
	const char	*field;
	const char	*message;
	long		 retry_after;	/* seconds, with ACCT_LOCKED */
};

/* Returned by the accounts functions besides DB_OK and db_status values. */
#define ACCT_INVALID	1	/* see struct acct_error */
#define ACCT_NOT_FOUND	2
#define ACCT_REPLAYED	3	/* the form's one-time token was used before */
#define ACCT_LOCKED	4	/* too many failures: wait err->retry_after s */
#define ACCT_SIGNED_OUT	5	/* too many failures: user's sessions ended */

/* Fills err (may be NULL) with field and msg; returns ACCT_INVALID. */
int	accounts_refuse(struct acct_error *err, const char *field,
	    const char *msg);
/* A display or token name: at most 100 characters, no control bytes.
 * DB_OK or ACCT_INVALID (field "name"). */
int	accounts_check_name(const char *name, struct acct_error *err);
/* A new password against the policy; DB_OK or ACCT_INVALID for field. */
int	accounts_check_password(const char *pw, const char *field,
	    struct acct_error *err);
/*
 * Claims ctx's one-time form key inside the change's transaction (the
 * Idempotency-Key table; no response is kept, as the first one may show a
 * secret: a token, a new session).  DB_OK when there is no key or it is
 * new, ACCT_REPLAYED when it was claimed before, or a db_status.
 */
int	accounts_form_claim(const struct audit_ctx *);
/* The same, read only: before checks that the first submission changed.
 * DB_OK, ACCT_REPLAYED or a db_status. */
int	accounts_form_used(const struct audit_ctx *);
/* id as decimal text in the arena (an audit entity id); NULL if out of
 * memory. */
const char *accounts_id_str(struct arena *, int64_t id);

/*
 * Housekeeping: runs sql, a DELETE ... LIMIT with two integer parameters,
 * until it deletes nothing, so no batch holds its locks for long.
 * Returns the rows deleted or a db_status.
 */
int64_t	accounts_purge(const char *sql, int64_t a, int64_t b);

/* Lower-cases and trims an email into the arena; NULL if not plausible. */
const char *accounts_normalize_email(struct arena *, const char *email);
/*
 * The part of a client address the throttles count by: an IPv4 address
 * whole, an IPv6 one by its /64 (what one subscriber gets, so rotating
 * addresses inside it starts no fresh count), an IPv4-mapped one as IPv4;
 * anything else as given.  Written to buf when changed; never NULL.
 */
#define ACCOUNTS_ADDR_PREFIX_MAX	(INET6_ADDRSTRLEN + 4)
const char *accounts_addr_prefix(const char *addr, char *buf, size_t size);

#endif /* ACCOUNTS_H */
