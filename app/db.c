/*
 * db.c -- the worker's MariaDB connection, statement cache, queries and
 * transactions.  See db.h for the contract.
 *
 * Design: the connection is opened on first use, not at fork, so a worker
 * starts (and answers /healthz) while the database is down; a failed
 * connect costs one socket call, so requests get a fast 503 and the next
 * request tries again -- workers recover by themselves.  Results are
 * fetched as strings (MYSQL_TYPE_STRING binds sized from max_length after
 * mysql_stmt_store_result), copied into the request arena.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#ifdef BR_FAULTS
#include <sys/socket.h>
#endif

#include "arena.h"
#include "bounds.h"
#include "config.h"
#include "db.h"
#include "fault.h"
#include "log.h"
#include "metrics.h"
#include "str.h"

#define DB_MAX_PARAMS	32
#define DB_FAIL_LOG_MS	10000

struct stmt_cache {
	const char	*sql;
	MYSQL_STMT	*stmt;
};

static const struct config	*db_cfg;
static char			 db_password[256];
static MYSQL			*db_conn;
static int			 db_schema_ok;
static int			 db_in_tx;
static int			 db_lost;	/* connection died mid-call */
static unsigned int		 db_errno;	/* of the last failure */
static struct stmt_cache	 db_stmts[BR_MAX_STMTS];
static size_t			 db_nstmts;
static struct db_stats		 db_stats;
static char			 db_errbuf[256];
static MYSQL			*db_ping_conn;	/* db_ping()'s own */
static uint64_t			 db_fails;	/* connects failed in a row */
static uint64_t			 db_fails_logged;
static int64_t			 db_fail_log_ms;

static void
db_read_password(void)
{
	db_password[0] = '\0';
	if (db_cfg->db_password_file[0] == '\0') {
		if (str_copy(db_password, sizeof(db_password),
		    db_cfg->db_password) == -1) {
			log_warn("db_password is longer than %zu bytes: not "
			    "used", sizeof(db_password) - 1);
			db_password[0] = '\0';
		}
		return;
	}
	(void)config_read_secret(db_cfg->db_password_file, db_password,
	    sizeof(db_password));
}

void
db_configure(const struct config *cfg)
{
	db_cfg = cfg;
	db_read_password();
}

const struct db_stats *
db_get_stats(void)
{
	return &db_stats;
}

const char *
db_last_error(void)
{
	return db_errbuf;
}

/* Maps a server or client error number to a db_status. */
static int
db_classify(unsigned int err, const char *msg)
{
	snprintf(db_errbuf, sizeof(db_errbuf), "%u: %s", err, msg);
	db_errno = err;
	switch (err) {
	case ER_LOCK_DEADLOCK:
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_CHECKREAD:
		metrics_db(MDB_CONFLICT);
		return DB_RETRY;
	case ER_DUP_ENTRY:
		return DB_DUPLICATE;
	case ER_ROW_IS_REFERENCED_2:
	case ER_NO_REFERENCED_ROW_2:
	case 4025:	/* ER_CONSTRAINT_FAILED (CHECK) */
		return DB_CONSTRAINT;
	case 1969:	/* ER_STATEMENT_TIMEOUT */
		metrics_db(MDB_TIMEOUT);
		return DB_TIMEOUT;
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case CR_COMMANDS_OUT_OF_SYNC:
		db_lost = 1;
		metrics_db(MDB_LOST);
		return DB_UNAVAILABLE;
	default:
		db_stats.errors++;
		metrics_db(MDB_ERROR);
		log_err("mysql error %s", db_errbuf);
		return DB_ERROR;
	}
}

/*
 * A failed connect is logged when the database goes away and then once
 * per DB_FAIL_LOG_MS with the count, not once per request: during an
 * outage every request tries (a fast 503 each), and one line apiece was
 * thousands of lines a second.
 */
static void
db_connect_failed(void)
{
	struct timespec	ts;
	int64_t		now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (db_fails++ == 0) {
		log_warn("cannot connect to MariaDB: %s", db_errbuf);
		db_fails_logged = 1;
		db_fail_log_ms = now;
		return;
	}
	if (now - db_fail_log_ms >= DB_FAIL_LOG_MS) {
		log_warn("still cannot connect to MariaDB: %s (%llu failed "
		    "attempts in %lld ms)", db_errbuf, (unsigned long long)
		    (db_fails - db_fails_logged), (long long)(now -
		    db_fail_log_ms));
		db_fails_logged = db_fails;
		db_fail_log_ms = now;
	}
}

static MYSQL *
db_open_timeouts(int multi, unsigned int tmo, unsigned int rtmo)
{
	MYSQL		*m;
	char		 init[160];
	const char	*host = db_cfg->db_host[0] ? db_cfg->db_host : NULL;

	if ((m = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &tmo);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rtmo);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rtmo);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	snprintf(init, sizeof(init), "SET SESSION time_zone = '+00:00', "
	    "max_statement_time = %.3f, sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'",
	    (double)db_cfg->max_statement_time / 1000.0);
	mysql_options(m, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(m, host, db_cfg->db_user, db_password,
	    db_cfg->db_name, (unsigned int)db_cfg->db_port,
	    host ? NULL : db_cfg->db_socket,
	    multi ? CLIENT_MULTI_STATEMENTS : 0) == NULL) {
		snprintf(db_errbuf, sizeof(db_errbuf), "%u: %s",
		    mysql_errno(m), mysql_error(m));
		db_connect_failed();
		metrics_db(MDB_CONNECT_FAILED);
		mysql_close(m);
		return NULL;
	}
	if (db_fails > 0) {
		log_info("connected to MariaDB again after %llu failed "
		    "attempts", (unsigned long long)db_fails);
		db_fails = 0;
	}
	return m;
}

struct st_mysql *
db_open(int multi)
{
	return db_open_timeouts(multi, (unsigned int)db_cfg->db_connect_timeout,
	    (unsigned int)(db_cfg->max_statement_time / 1000 + 5));
}

void
db_close(void)
{
	size_t	i;

	for (i = 0; i < db_nstmts; i++)
		mysql_stmt_close(db_stmts[i].stmt);
	db_nstmts = 0;
	if (db_conn != NULL)
		mysql_close(db_conn);
	db_conn = NULL;
	if (db_ping_conn != NULL)
		mysql_close(db_ping_conn);
	db_ping_conn = NULL;
	db_schema_ok = 0;
	db_in_tx = 0;
}

int64_t
db_schema_version(void)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	int64_t		 v = 0;

	if (mysql_query(db_conn, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations") != 0) {
		if (mysql_errno(db_conn) == ER_NO_SUCH_TABLE)
			return 0;
		return db_classify(mysql_errno(db_conn), mysql_error(db_conn));
	}
	if ((res = mysql_store_result(db_conn)) == NULL)
		return DB_ERROR;
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		(void)str_to_i64(row[0], 0, INT64_MAX, &v);
	mysql_free_result(res);
	return v;
}

int
db_connect(void)
{
	int64_t	v;

	if (db_conn == NULL) {
		db_lost = 0;
		if ((db_conn = db_open(0)) == NULL)
			return DB_UNAVAILABLE;
		db_stats.reconnects++;
		metrics_db(MDB_RECONNECT);
	}
	if (!db_schema_ok) {
		if ((v = db_schema_version()) < 0) {
			db_close();
			return (int)v == DB_ERROR ? DB_UNAVAILABLE : (int)v;
		}
		if (v < SCHEMA_VERSION) {
			log_err("database schema is at version %lld, this "
			    "backroomd needs %d: run `backroomd -c %s migrate`",
			    (long long)v, SCHEMA_VERSION, db_cfg->path);
			return DB_SCHEMA;
		}
		db_schema_ok = 1;
	}
	return DB_OK;
}

/*
 * The readiness probe: its own connection with one-second timeouts, so a
 * stalled server answers 503 within about a second instead of holding the
 * worker for the read timeout of the request connection.  Also reports a
 * schema that is behind.
 */
/* db_ping()'s schema query on m: DB_OK, DB_SCHEMA, or DB_UNAVAILABLE
 * with db_errbuf set. */
static int
db_ping_query(MYSQL *m)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	int64_t		 v = -1;

	if (mysql_query(m, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations") == 0 &&
	    (res = mysql_store_result(m)) != NULL) {
		if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
			(void)str_to_i64(row[0], 0, INT64_MAX, &v);
		mysql_free_result(res);
		return v < 0 ? DB_UNAVAILABLE : v < SCHEMA_VERSION ? DB_SCHEMA :
		    DB_OK;
	}
	if (mysql_errno(m) == ER_NO_SUCH_TABLE)
		return DB_SCHEMA;
	snprintf(db_errbuf, sizeof(db_errbuf), "%u: %s", mysql_errno(m),
	    mysql_error(m));
	return DB_UNAVAILABLE;
}

/*
 * The readiness connection is kept between calls (a public /readyz must
 * not cost a connection per hit) and has 1 s timeouts of its own, so a
 * stalled server answers "unavailable" within about a second.  A kept
 * connection that fails at once (the server restarted) is replaced and
 * asked again; one that timed out is not, which would double the wait.
 */
int
db_ping(void)
{
	struct timespec	t0, t1;
	int		rv, kept = db_ping_conn != NULL;
	int64_t		ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!kept && (db_ping_conn = db_open_timeouts(0, 1, 1)) == NULL)
		return DB_UNAVAILABLE;
	if ((rv = db_ping_query(db_ping_conn)) != DB_UNAVAILABLE)
		return rv;
	mysql_close(db_ping_conn);
	db_ping_conn = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (!kept || ms >= 200)
		return DB_UNAVAILABLE;
	if ((db_ping_conn = db_open_timeouts(0, 1, 1)) == NULL)
		return DB_UNAVAILABLE;
	if ((rv = db_ping_query(db_ping_conn)) == DB_UNAVAILABLE) {
		mysql_close(db_ping_conn);
		db_ping_conn = NULL;
	}
	return rv;
}

#ifdef BR_FAULTS
/*
 * The fault build's hooks around every statement (fault.h): db_fault_pre()
 * before it is sent, db_fault_post() after it ran.  A dead connection is
 * made by shutting its socket down, so the server sees the client go (and
 * rolls back an open transaction) just as it would for a real one.
 */
static int	db_fault_lost;	/* the running statement's answer is lost */

static void
db_fault_kill(void)
{
	int	fd = (int)mysql_get_socket(db_conn);

	if (fd >= 0)
		(void)shutdown(fd, SHUT_RDWR);
}

static int
db_fault_pre(const char *sql)
{
	db_fault_lost = 0;
	switch (fault_db_next(sql)) {
	case FAULT_DB_NONE:
		return DB_OK;
	case FAULT_DB_LOST:
		db_fault_lost = 1;
		return DB_OK;
	case FAULT_DB_GONE:
		db_fault_kill();
		return db_classify(CR_SERVER_GONE_ERROR,
		    "fault: MySQL server has gone away");
	case FAULT_DB_DEADLOCK:
		if (db_in_tx)
			(void)mysql_query(db_conn, "ROLLBACK");
		return db_classify(ER_LOCK_DEADLOCK, "fault: Deadlock found "
		    "when trying to get lock");
	case FAULT_DB_TIMEOUT:
		return db_classify(1969, "fault: Query execution was "
		    "interrupted (max_statement_time exceeded)");
	case FAULT_DB_ERROR:
		return db_classify(ER_UNKNOWN_ERROR, "fault: Unknown error");
	}
	return DB_OK;
}

static int
db_fault_post(void)
{
	if (!db_fault_lost)
		return DB_OK;
	db_fault_lost = 0;
	db_fault_kill();
	return db_classify(CR_SERVER_LOST, "fault: Lost connection to "
	    "server during query");
}
#endif /* BR_FAULTS */

static MYSQL_STMT *
db_stmt(const char *sql)
{
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < db_nstmts; i++)
		if (db_stmts[i].sql == sql)
			return db_stmts[i].stmt;
	if ((st = mysql_stmt_init(db_conn)) == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		(void)db_classify(mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (db_nstmts == BR_MAX_STMTS) {
		/* More distinct statements than expected: start over. */
		log_warn("statement cache full (%d), clearing", BR_MAX_STMTS);
		for (i = 0; i < db_nstmts; i++)
			mysql_stmt_close(db_stmts[i].stmt);
		db_nstmts = 0;
	}
	db_stmts[db_nstmts].sql = sql;
	db_stmts[db_nstmts].stmt = st;
	db_nstmts++;
	return st;
}

/* Binds the parameters described by types and executes.  The statement
 * or a negative db_status. */
static int
db_run(const char *sql, const char *types, va_list ap, MYSQL_STMT **out)
{
	MYSQL_BIND	 b[DB_MAX_PARAMS];
	long long	 ints[DB_MAX_PARAMS];
	unsigned long	 lens[DB_MAX_PARAMS];
	MYSQL_STMT	*st;
	size_t		 i, n = strlen(types);
	const char	*s;
	int		 rv;

	if ((rv = db_connect()) != DB_OK)
		return rv;
	if ((st = db_stmt(sql)) == NULL) {
		db_errno = 0;	/* nothing executed: safe to repeat */
		return db_lost ? DB_UNAVAILABLE : DB_ERROR;
	}
	if (n > DB_MAX_PARAMS || n != mysql_stmt_param_count(st))
		fatalx("parameter count mismatch for: %s", sql);
	memset(b, 0, sizeof(b[0]) * n);
	for (i = 0; i < n; i++) {
		switch (types[i]) {
		case 'i':
			ints[i] = (long long)va_arg(ap, int64_t);
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (s == NULL) {
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			lens[i] = strlen(s);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)s;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		default:
			fatalx("bad parameter type '%c'", types[i]);
		}
	}
	db_stats.queries++;
	metrics_db(MDB_QUERY);
#ifdef BR_FAULTS
	if ((rv = db_fault_pre(sql)) != DB_OK)
		return rv;
#endif
	if ((n > 0 && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0)
		return db_classify(mysql_stmt_errno(st), mysql_stmt_error(st));
#ifdef BR_FAULTS
	if ((rv = db_fault_post()) != DB_OK)
		return rv;
#endif
	*out = st;
	return DB_OK;
}

/* Fetches every row of st into a as strings. */
static int
db_fetch(MYSQL_STMT *st, struct arena *a, struct db_rows *out)
{
	MYSQL_RES	*meta;
	MYSQL_FIELD	*f;
	MYSQL_BIND	*b;
	unsigned long	*lens;
	char		*isnull;
	my_bool		 upd = 1;
	size_t		 c, r, nc;
	int		 rv = DB_ERROR;

	memset(out, 0, sizeof(*out));
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return DB_OK;
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &upd);
	if (mysql_stmt_store_result(st) != 0) {
		rv = db_classify(mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	nc = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	out->ncols = nc;
	out->nrows = (size_t)mysql_stmt_num_rows(st);
	b = arena_calloc(a, nc, sizeof(*b));
	lens = arena_calloc(a, nc, sizeof(*lens));
	isnull = arena_calloc(a, nc, 1);
	out->cells = arena_calloc(a, out->nrows * nc + 1, sizeof(char *));
	if (b == NULL || lens == NULL || isnull == NULL || out->cells == NULL)
		goto out;
	for (c = 0; c < nc; c++) {
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer_length = f[c].max_length + 1;
		if ((b[c].buffer = arena_alloc(a, b[c].buffer_length)) == NULL)
			goto out;
		b[c].length = &lens[c];
		b[c].is_null = (my_bool *)&isnull[c];
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		goto out;
	for (r = 0; r < out->nrows; r++) {
		if (mysql_stmt_fetch(st) != 0)
			goto out;
		for (c = 0; c < nc; c++) {
			if (isnull[c])
				continue;
			DB_CELL(out, r, c) = arena_strndup(a, b[c].buffer,
			    lens[c]);
			if (DB_CELL(out, r, c) == NULL)
				goto out;
		}
	}
	rv = DB_OK;
out:
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	return rv;
}

/* Runs fn once, and once more on a fresh connection if the old one had
 * died (outside a transaction only: inside one the caller decides). */
/*
 * Runs call again once on a fresh connection when the connection was found
 * dead outside a transaction.  A read is always safe to repeat; a write only
 * when it never reached the server (CR_SERVER_GONE_ERROR: the send failed,
 * or the failure came before execute).  After CR_SERVER_LOST a write may
 * have committed, so it is reported as unavailable, not repeated.
 */
#define DB_WITH_RECONNECT(call, is_write)	do {			\
	int _try;							\
	for (_try = 0; _try < 2; _try++) {				\
		db_errno = 0;						\
		rv = (call);						\
		if (rv != DB_UNAVAILABLE || !db_lost || db_in_tx ||	\
		    _try == 1)						\
			break;						\
		db_close();						\
		if ((is_write) && db_errno != 0 &&			\
		    db_errno != CR_SERVER_GONE_ERROR) {			\
			log_warn("lost the database connection during a "\
			    "write; not repeating it");			\
			break;						\
		}							\
		log_warn("lost the database connection, reconnecting"); \
	}								\
} while (0)

static int64_t
db_exec_v(const char *sql, const char *types, va_list ap)
{
	MYSQL_STMT	*st;
	int		 rv;

	if ((rv = db_run(sql, types, ap, &st)) != DB_OK)
		return rv;
	return (int64_t)mysql_stmt_affected_rows(st);
}

int64_t
db_exec(const char *sql, const char *types, ...)
{
	va_list	ap;
	int64_t	rv;

	DB_WITH_RECONNECT((va_start(ap, types),
	    rv = db_exec_v(sql, types, ap), va_end(ap), rv), 1);
	return rv;
}

static int
db_query_v(struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	MYSQL_STMT	*st;
	int		 rv;

	memset(out, 0, sizeof(*out));
	if ((rv = db_run(sql, types, ap, &st)) != DB_OK)
		return rv;
	return db_fetch(st, a, out);
}

/* db_query() on a va_list, reconnecting as DB_WITH_RECONNECT does. */
static int
db_query_ap(struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	va_list	cp;
	int	rv;

	DB_WITH_RECONNECT((va_copy(cp, ap),
	    rv = db_query_v(a, out, sql, types, cp), va_end(cp), rv), 0);
	return rv;
}

int
db_query(struct arena *a, struct db_rows *out, const char *sql,
    const char *types, ...)
{
	va_list	ap;
	int	rv;

	va_start(ap, types);
	rv = db_query_ap(a, out, sql, types, ap);
	va_end(ap);
	return rv;
}

int
db_list(struct arena *a, size_t size, db_reader fn, void **v, size_t *n,
    const char *sql, const char *types, ...)
{
	struct db_rows	rows;
	va_list		ap;
	int		rv;

	*v = NULL;
	*n = 0;
	va_start(ap, types);
	rv = db_query_ap(a, &rows, sql, types, ap);
	va_end(ap);
	return rv != DB_OK ? rv : db_rows_read(a, &rows, size, fn, v, n);
}

int
db_get(struct arena *a, db_reader fn, void *out, int *found,
    const char *sql, const char *types, ...)
{
	struct db_rows	rows;
	va_list		ap;
	int		rv;

	va_start(ap, types);
	rv = db_query_ap(a, &rows, sql, types, ap);
	va_end(ap);
	if ((*found = rv == DB_OK && rows.nrows > 0) == 0)
		return rv;
	return fn(&rows, 0, out);
}

int64_t
db_last_insert_id(void)
{
	return db_conn ? (int64_t)mysql_insert_id(db_conn) : 0;
}

static int
db_simple(const char *sql)
{
	int	rv = DB_OK;

	metrics_db(MDB_QUERY);
#ifdef BR_FAULTS
	if ((rv = db_fault_pre(sql)) != DB_OK)
		return rv;
#endif
	if (mysql_query(db_conn, sql) != 0)
		return db_classify(mysql_errno(db_conn), mysql_error(db_conn));
#ifdef BR_FAULTS
	rv = db_fault_post();
#endif
	return rv;
}

static void
db_backoff(int attempt)
{
	long	us = (5000L << attempt) + (long)(random() % 5000);

	db_stats.retries++;
	metrics_db(MDB_TX_RETRY);
	usleep((useconds_t)us);
}

int
db_tx(int (*fn)(void *), void *arg)
{
	int	attempt, rv, reconnected = 0;

	for (attempt = 0; attempt <= BR_TX_MAX_RETRIES; attempt++) {
		if ((rv = db_connect()) != DB_OK)
			return rv;
		if ((rv = db_simple("START TRANSACTION")) == DB_OK) {
			db_in_tx = 1;
			rv = fn(arg);
			if (rv == DB_OK) {
				rv = db_simple("COMMIT");
				db_in_tx = 0;
				if (rv == DB_UNAVAILABLE) {
					/* Outcome unknown: never re-run. */
					log_err("connection lost at COMMIT");
					db_close();
					return rv;
				}
			}
			db_in_tx = 0;
		}
		if (rv != DB_OK && !db_lost && db_simple("ROLLBACK") != DB_OK &&
		    !db_lost) {
			/*
			 * Still open: the next START TRANSACTION on this
			 * connection would commit what this one left half
			 * done.  Closing it makes the server roll it back.
			 */
			log_err("ROLLBACK failed (%s): closing the connection",
			    db_errbuf);
			db_close();
		}
		if (rv == DB_RETRY && attempt < BR_TX_MAX_RETRIES) {
			log_info("transaction conflict (%s), retry %d",
			    db_errbuf, attempt + 1);
			db_backoff(attempt);
			continue;
		}
		if (rv == DB_UNAVAILABLE && db_lost && !reconnected) {
			reconnected = 1;
			db_close();
			continue;
		}
		if (db_lost)
			db_close();
		return rv;
	}
	return rv;
}
