/*
 * health.c -- the database as the operations endpoints see it (health.h).
 */
#include <stdint.h>

#include "db.h"
#include "health.h"

int
health_db_ready(void)
{
	return db_ping();
}

uint64_t
health_db_queries(void)
{
	return db_get_stats()->queries;
}

const char *
health_replica_state(int st)
{
	return db_replica_state_name(st);
}
