/*
 * housekeeping.c -- see housekeeping.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "housekeeping.h"
#include "idempotency.h"
#include "log.h"
#include "login.h"
#include "session.h"

/* audit_prune_user's password, read by housekeeping_secrets(). */
static char	prune_password[sizeof(((struct config *)0)->db_password)];

int
housekeeping_secrets(const struct config *c)
{
	explicit_bzero(prune_password, sizeof(prune_password));
	if (c->audit_prune_user[0] == '\0' ||
	    c->audit_prune_password_file[0] == '\0')
		return 0;
	return config_read_secret(c->audit_prune_password_file,
	    prune_password, sizeof(prune_password)) == -1 ? -1 : 0;
}

/*
 * Prunes the audit trail, as audit_prune_user when one is configured (the
 * app's own user then needs no DELETE on audit_log: `backroomd grants`),
 * and logs the chain head.  The last step: the connection stays the
 * pruner's.
 */
static int64_t
housekeeping_prune_audit(struct arena *a, const struct config *c)
{
	struct config	pc;
	int64_t		n;

	if (c->audit_prune_user[0] != '\0') {
		pc = *c;
		memcpy(pc.db_user, c->audit_prune_user, sizeof(pc.db_user));
		memcpy(pc.db_password, prune_password, sizeof(pc.db_password));
		pc.db_password_file[0] = '\0';
		db_close();
		db_configure(&pc);
	}
	n = audit_prune(a, c->audit_retention_days);
	audit_log_head(a);
	return n;
}

int
housekeeping_run(struct arena *a, const struct config *c)
{
	int64_t	sessions, throttle, audit, keys;

	sessions = session_purge(c);
	keys = idem_purge();
	throttle = login_purge_throttle(c);
	audit = housekeeping_prune_audit(a, c);
	if (sessions < 0 || throttle < 0 || audit < 0 || keys < 0) {
		log_err("housekeeping failed: %s", db_last_error());
		return -1;
	}
	if (sessions + throttle + audit + keys > 0)
		log_info("housekeeping: %" PRId64 " expired sessions, %" PRId64
		    " throttle rows, %" PRId64 " idempotency keys, %" PRId64
		    " audit rows past %ld days removed", sessions, throttle,
		    keys, audit, c->audit_retention_days);
	return 0;
}
