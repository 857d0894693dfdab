/*
 * idempotency.h -- runs a change once per key: the API's Idempotency-Key
 * header and the one-time token of every HTML form that changes data.
 *
 * idem_run() opens the transaction.  With a key it first inserts the key's
 * row (user, key, fingerprint of method + path + body): a concurrent
 * request with the same key waits on that row and, once the first commits,
 * replays its stored response -- same status, body, Content-Type and
 * Location -- without running anything.  The first response is stored in
 * the same transaction as the change; a refusal (4xx from the domain) is
 * stored too, after rolling the change back to a savepoint.  The same key
 * with another fingerprint is 422.  Without a key the change simply runs
 * in its own transaction.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include <stdint.h>

struct arena;
struct request;
struct response;

/*
 * The change: writes the whole response; returns DB_OK to commit, a
 * positive domain code to roll back (the response already says why), or a
 * negative db_status (DB_RETRY re-runs everything; others become 503/500).
 */
typedef int (*idem_op)(struct request *, struct response *, void *arg);
/*
 * Writes the refusal for the op's positive code, after the change was
 * rolled back, so a page it renders from the database shows the state
 * that is really there.  NULL: the op wrote its refusal itself (fine when
 * it reads nothing the change touched).
 */
typedef void (*idem_refuse)(struct request *, struct response *, void *arg,
	    int code);

/* key NULL: no idempotency.  Always leaves a complete response; the
 * response is reset before each attempt of the transaction. */
void	idem_run(struct request *, struct response *, const char *key,
	    idem_op, idem_refuse, void *arg);
/* The API's key: the Idempotency-Key header (NULL if absent).  -1 with a
 * 400 response if it is malformed. */
int	idem_api_key(struct request *, struct response *, const char **key);
/* The HTML form's key from its "form_token" field (the form is parsed
 * here); -1 with a 400 page if it is missing or malformed. */
int	idem_form_key(struct request *, struct response *, const char **key);
/*
 * A keyed SHA-256 (HMAC with a fixed key: a fingerprint, not a secret)
 * over method, path and the body bytes: what "the same request" means.
 * In the request's arena; NULL when out of memory.
 */
const char *idem_fingerprint(struct request *);
/*
 * Inside the caller's transaction, claims key for user_id: DB_OK, or
 * DB_DUPLICATE when it was claimed before (a concurrent claim waits for
 * the first to end), or another db_status.  For changes that keep no
 * response to replay (the account forms: theirs may show a secret).
 */
int	idem_claim(int64_t user_id, const char *key, const char *fingerprint);
/* Whether key was claimed: DB_OK (no), DB_DUPLICATE (yes) or a db_status. */
int	idem_used(struct arena *, int64_t user_id, const char *key);
/* Deletes keys older than a day (housekeeping); count or a db_status. */
long long idem_purge(void);

#endif /* IDEMPOTENCY_H */
