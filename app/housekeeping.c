/*
 * housekeeping.c -- see housekeeping.h.
 */
#include <inttypes.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "housekeeping.h"
#include "idempotency.h"
#include "log.h"
#include "login.h"
#include "session.h"

int
housekeeping_run(struct arena *a, const struct config *c)
{
	int64_t	sessions, throttle, audit, keys;

	sessions = session_purge(c);
	keys = idem_purge();
	throttle = login_purge_throttle(c);
	audit = audit_prune(a, c->audit_retention_days);
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
