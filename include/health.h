/*
 * health.h -- what the operations endpoints (/readyz, /status) ask of the
 * database layer, so that no handler includes db.h.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include <stdint.h>

#include "outcome.h"

/*
 * Whether the database answers with a schema this binary can use: DB_OK,
 * DB_SCHEMA (behind) or DB_UNAVAILABLE.  A check opens a fresh connection
 * with 1 s timeouts (db_ping()); a success is kept for HEALTH_CACHE_MS in
 * this process, so a public /readyz cannot make one connection per hit.
 * A failure is not kept: recovery shows at once.
 */
int		 health_db_ready(void);
/* Statements this process has run (its db_stats). */
uint64_t	 health_db_queries(void);

#endif /* HEALTH_H */
