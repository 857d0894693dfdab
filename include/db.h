/*
 * db.h -- the worker's MariaDB connection: the only module (with tx and
 * migrate) that includes <mysql.h>.
 *
 * One persistent connection per process, opened lazily and reopened once
 * when the server has gone away.  Statements are prepared once per
 * connection and cached by their SQL text's address (callers pass string
 * literals).  Parameters are described by a type string:
 *   'i' int64_t   's' const char * (NULL: SQL NULL)
 * Every result column is fetched as text into the caller's arena.
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

#include "outcome.h"

struct arena;
struct config;


struct db_rows {
	size_t	 nrows;
	size_t	 ncols;
	char	**cells;	/* nrows * ncols; NULL for SQL NULL */
};

#define DB_CELL(rows, r, c)	((rows)->cells[(r) * (rows)->ncols + (c)])

/*
 * Checked cell readers: the only way the domain turns a row into a typed
 * struct.  A NULL cell where a value is required, or a cell that is not
 * a number in range, is an error (-1, logged with the column), never a
 * silent 0.  The *_or forms take NULL as def.
 */
int	db_cell_i64(const struct db_rows *, size_t row, size_t col,
	    int64_t *out) __attribute__((warn_unused_result));
int	db_cell_i64_or(const struct db_rows *, size_t row, size_t col,
	    int64_t def, int64_t *out) __attribute__((warn_unused_result));
int	db_cell_str(const struct db_rows *, size_t row, size_t col,
	    const char **out) __attribute__((warn_unused_result));

/*
 * A row read left to right, one call per column in the SELECT's order, so
 * that the column order is written once, beside the SQL:
 *
 *	db_row_start(&rd, &rows, i);
 *	p->id = db_row_i64(&rd);
 *	p->sku = db_row_str(&rd);
 *	if (db_row_end(&rd) == -1)
 *		return DB_ERROR;
 *
 * A bad cell makes the reader sticky-bad (its getters then return 0 or
 * ""); db_row_end() says whether every cell was good and every column
 * was read, and logs the first bad column.
 */
struct db_row {
	const struct db_rows	*rows;
	size_t			 row;
	size_t			 col;		/* next column */
	size_t			 bad_col;	/* first bad one */
	int			 bad;
};
void		 db_row_start(struct db_row *, const struct db_rows *,
		    size_t row);
int64_t		 db_row_i64(struct db_row *);
int64_t		 db_row_i64_or(struct db_row *, int64_t def);	/* NULL: def */
int		 db_row_bool(struct db_row *);			/* 0 or 1 */
const char	*db_row_str(struct db_row *);
const char	*db_row_str_or(struct db_row *, const char *def);
/* Skips a column; true if it is SQL NULL. */
int		 db_row_null(struct db_row *);
/* 0 when every cell was good and all ncols were read; else -1. */
int		 db_row_end(struct db_row *)
		    __attribute__((warn_unused_result));

/*
 * A row read in one call, scanf-style: a type string names the columns
 * in the SELECT's order and each is stored through the next pointer:
 *   'i' int64_t		'I' int64_t, SQL NULL read as 0
 *   'b' int (0 or 1)	's' const char *	'S' const char *, NULL kept
 *
 *	return db_row_scan(rows, i, "isb", &s->id, &s->name, &s->active);
 *
 * db_row_scan() reads a whole row: DB_OK, or DB_ERROR (logged) for a
 * bad cell or a column too many or too few.  db_row_fields() reads some
 * of the columns through rd, for a reader that goes on by hand.  An
 * unknown type letter is a bug: fatalx().
 */
int	db_row_scan(const struct db_rows *, size_t row, const char *types,
	    ...) __attribute__((warn_unused_result));
void	db_row_fields(struct db_row *, const char *types, ...);

/* A type's reader: row i of rows into out (a struct), DB_OK or DB_ERROR. */
typedef int	(*db_reader)(const struct db_rows *, size_t, void *);
/* The reader of a one-column row into an int64_t (COUNT(*), an id). */
int	db_read_i64(const struct db_rows *, size_t, void *);
/* Every row through fn into a new array of size-byte elements in a (NULL
 * when there are none).  DB_OK or DB_ERROR. */
int	db_rows_read(struct arena *, const struct db_rows *, size_t size,
	    db_reader fn, void **v, size_t *n)
	    __attribute__((warn_unused_result));
/*
 * A query read in one call: db_query() then db_rows_read().  DB_OK or a
 * status; *v and *n are NULL and 0 on failure.
 */
int	db_list(struct arena *, size_t size, db_reader fn, void **v,
	    size_t *n, const char *sql, const char *types, ...)
	    __attribute__((warn_unused_result));
/*
 * A query read for its first row: DB_OK with *found 1 and out filled by
 * fn, DB_OK with *found 0 (out untouched) when there is no row, or a
 * status.
 */
int	db_get(struct arena *, db_reader fn, void *out, int *found,
	    const char *sql, const char *types, ...)
	    __attribute__((warn_unused_result));

/* Remembers the settings; no connection yet.  Call again after a reload. */
void	db_configure(const struct config *);
/* Connects if needed and checks the schema.  DB_OK or a status. */
int	db_connect(void);
void	db_close(void);
/* Readiness: a connection of its own with 1 s timeouts, kept between
 * calls, reads the schema version; DB_OK, DB_SCHEMA (behind) or
 * DB_UNAVAILABLE.  Not for the request path. */
int	db_ping(void);
/*
 * Runs a statement that returns no rows.  Returns the affected-row count
 * (>= 0) or a db_status.
 */
int64_t	db_exec(const char *sql, const char *types, ...);
/* Runs a query; rows are allocated in a.  DB_OK or a status. */
int	db_query(struct arena *a, struct db_rows *out, const char *sql,
	    const char *types, ...);
int64_t	db_last_insert_id(void);
/*
 * Runs fn(arg) inside one transaction.  fn returns DB_OK to commit or a
 * db_status / positive code to roll back (returned as is).  DB_RETRY from
 * fn or from COMMIT re-runs the whole transaction with jittered backoff, up
 * to BR_TX_MAX_RETRIES times; a connection lost before COMMIT is retried
 * once on a new connection.
 */
int	db_tx(int (*fn)(void *arg), void *arg);
/*
 * Replicas (db_replicas).  A request that may read a little stale data
 * calls db_replica_begin() after its authentication: its later queries
 * outside a transaction go to a replica that replicates, is at most
 * replica_max_lag_ms behind and has applied gtid (the caller's own last
 * commit, or NULL), waiting up to replica_wait_ms for it; 1 when the
 * request now reads on a replica, 0 when it stays on the primary.  A
 * write or transaction, or a query that fails on the replica, takes the
 * request back to the primary.  db_request_start() at every request's
 * start: the primary, and no GTID noted.  db_request_gtid(): the GTID of
 * the last transaction this request committed (with replicas
 * configured), or NULL.
 */
#define DB_GTID_LEN	64
enum db_replica_state {
	REPLICA_UNKNOWN, REPLICA_UP, REPLICA_LAGGING, REPLICA_STOPPED,
	REPLICA_DOWN, REPLICA_NSTATES
};
int		 db_replica_begin(const char *gtid);
void		 db_request_start(void);
const char	*db_request_gtid(void);
const char	*db_replica_state_name(int);

/* Counters for /status and /metrics. */
struct db_stats {
	uint64_t	queries;
	uint64_t	errors;
	uint64_t	retries;
	uint64_t	reconnects;
};
const struct db_stats *db_get_stats(void);
/* Text of the last error (for logs). */
const char *db_last_error(void);
/* Opens a new connection (migrations: with multi-statements); NULL on
 * failure with the reason logged.  The caller closes it. */
struct st_mysql *db_open(int multi_statements);
/* Applies pending migrations from dir; prints progress.  0 or -1. */
int	db_migrate(const char *dir);
/* Highest applied migration, or a negative db_status. */
int64_t	db_schema_version(void);

#endif /* DB_H */
