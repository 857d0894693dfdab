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
 * DB_SCHEMA (behind) or DB_UNAVAILABLE, asked each time on a connection
 * this process keeps for it (db_ping()), so a public /readyz costs no
 * connection per hit and shows an outage or a recovery at once.
 */
int		 health_db_ready(void);
/* Statements this process has run (its db_stats). */
uint64_t	 health_db_queries(void);
/* A replica state's name (enum db_replica_state): "up", "lagging", ... */
const char	*health_replica_state(int);

#endif /* HEALTH_H */
