/*
 * metrics.h -- pool-wide counters for /metrics, in the Prometheus text
 * format: requests by route and status class, latency histograms by route,
 * database events, worker deaths; worker states and pool totals come from
 * the scoreboard.
 *
 * The counters live in the scoreboard's shared memory, so they add up over
 * all workers and survive reloads (the route table is compiled in: a
 * route's index never changes while the master lives).  Workers add with
 * relaxed atomics; a scrape may see a request in its status count a moment
 * before it appears in its histogram.  A process that never attached (the
 * command line) counts nothing.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>

#include "bounds.h"

struct buf;
struct route;
struct scoreboard;

#define METRICS_ROUTES	(BR_MAX_ROUTES + 1)	/* the last: no route */
#define METRICS_BUCKETS	14		/* finite upper bounds, see .c */

enum metrics_db {
	MDB_QUERY,		/* statements executed */
	MDB_CONFLICT,		/* deadlock, lock wait timeout, write
				 * conflict */
	MDB_TX_RETRY,		/* transactions re-run after a conflict */
	MDB_TIMEOUT,		/* max_statement_time reached */
	MDB_LOST,		/* connection lost */
	MDB_RECONNECT,		/* connections (re)opened */
	MDB_CONNECT_FAILED,
	MDB_ERROR,		/* any other server or client error */
	MDB_COUNT
};

enum metrics_conn {
	MC_ACCEPTED,		/* FastCGI connections accepted */
	MC_KEPT,		/* requests on a connection nginx kept */
	MC_PASSED,		/* held connections passed to others */
	MC_TAKEN,		/* passed connections a worker took over */
	MC_CLOSED,		/* kept connections closed by backroomd */
	MC_QUEUE_DEADLINE,	/* requests answered 503: queue_deadline_ms */
	MC_REFUSED,		/* connections not in fastcgi_allow */
	MC_COUNT
};

/* Reads of routes that may go to a replica (db_replica_begin()). */
enum metrics_replica_read {
	MR_REPLICA,		/* read on a replica */
	MR_WAITED,		/* of those: after waiting for the reader's
				 * own last write */
	MR_WAIT_TIMEOUT,	/* the replica did not catch up: primary */
	MR_SKIPPED,		/* no replica usable: primary */
	MR_FAILED,		/* failed on the replica: run on the primary */
	MR_COUNT
};

#define METRICS_REPLICAS	4	/* CONFIG_REPLICAS */
/* A replica as the last worker to check it saw it. */
struct metrics_replica {
	char		name[256];	/* as configured; "" = unused */
	int		state;		/* enum db_replica_state */
	int64_t		lag_ms;		/* -1: unknown */
	int64_t		checked_ms;	/* realtime */
};

struct metrics_route {
	uint64_t	status[5];		/* 1xx .. 5xx */
	uint64_t	bucket[METRICS_BUCKETS + 1]; /* not cumulative; +Inf */
	uint64_t	sum_us;
	uint64_t	statements;		/* database statements */
};

struct metrics {
	struct metrics_route	route[METRICS_ROUTES];
	uint64_t		db[MDB_COUNT];
	uint64_t		worker_deaths;
	uint64_t		conn[MC_COUNT];
	uint64_t		replica_reads[MR_COUNT];
	struct metrics_replica	replica[METRICS_REPLICAS];
};

/* Where this process counts (the master, before forking). */
void	metrics_attach(struct metrics *);
/* One answered request: its route (NULL: none matched), status, time,
 * and the database statements it ran. */
void	metrics_request(const struct route *, int status, uint32_t us,
	    uint64_t statements);
/* Statements this process has run (metrics_db(MDB_QUERY) calls). */
uint64_t metrics_own_statements(void);
void	metrics_db(enum metrics_db);
void	metrics_worker_died(void);
void	metrics_conn(enum metrics_conn);
void	metrics_replica_read(enum metrics_replica_read);
/* Publishes replica i's state and lag (ms, -1 unknown). */
void	metrics_replica(size_t i, const char *name, int state,
	    int64_t lag_ms);
/* Replica i as last published, or NULL (unused, or not attached). */
const struct metrics_replica *metrics_replica_get(size_t i);
/* The whole exposition, every sample labelled host="host", appended to
 * b.  0, or -1 when the metrics are not attached or the text does not fit
 * b (b is then not to be sent). */
int	metrics_render(struct buf *b, const struct scoreboard *,
	    const char *host);

#endif /* METRICS_H */
