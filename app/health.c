/*
 * health.c -- the database as the operations endpoints see it (health.h).
 */
#include <stdint.h>

#include "db.h"
#include "health.h"
#include "scoreboard.h"

#define HEALTH_CACHE_MS	1000

int
health_db_ready(void)
{
	static int64_t	ok_until;
	int		st;

	if (now_mono_ms() < ok_until)
		return DB_OK;
	if ((st = db_ping()) == DB_OK)
		ok_until = now_mono_ms() + HEALTH_CACHE_MS;
	return st;
}

uint64_t
health_db_queries(void)
{
	return db_get_stats()->queries;
}
