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
#include "scoreboard.h"
#include "str.h"

#define DB_MAX_PARAMS	32
#define DB_FAIL_LOG_MS	10000

struct stmt_cache {
	const char	*sql;
	MYSQL_STMT	*stmt;
};

/* A connection and the statements prepared on it: the primary, or one of
 * the replicas. */
struct db_link {
	MYSQL			*conn;
	struct stmt_cache	 stmts[BR_MAX_STMTS];
	size_t			 nstmts;
};

static const struct config	*db_cfg;
static char			 db_password[256];
static struct db_link		 db_primary;
static struct db_link		*db_cur = &db_primary;	/* this statement's */
static int			 db_schema_ok;
static int			 db_in_tx;
static int			 db_lost;	/* connection died mid-call */
static unsigned int		 db_errno;	/* of the last failure */
static struct db_stats		 db_stats;
static char			 db_errbuf[256];
static MYSQL			*db_ping_conn;	/* db_ping()'s own */
static uint64_t			 db_fails;	/* connects failed in a row */
static uint64_t			 db_fails_logged;
static int64_t			 db_fail_log_ms;

static void	db_replicas_close(void);
static void	db_replica_leave(void);
static int	db_replica_query(struct arena *, struct db_rows *,
		    const char *, const char *, va_list);
static void	db_gtid_note(void);
static int	db_max_retries(void);
static void	db_backoff(int);
static int	db_text_run(const char *, const char *, va_list,
		    struct arena *, struct db_rows *, int64_t *);

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
	db_replicas_close();
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

/* A connection to host:port, or to sock when host is NULL. */
static MYSQL *
db_open_to(const char *host, unsigned int port, const char *sock, int multi,
    unsigned int tmo, unsigned int rtmo)
{
	MYSQL		*m;
	char		 init[256], sync[40] = "";

	if ((m = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &tmo);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &rtmo);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &rtmo);
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/*
	 * With replicas, each commit reports its GTID (db_gtid_note()).  On
	 * Galera, reads wait until this node has applied what the cluster
	 * committed before them (a token revoked through another node is
	 * refused here at once).
	 */
	if (db_cfg->db_galera)
		snprintf(sync, sizeof(sync), ", wsrep_sync_wait = 1");
	snprintf(init, sizeof(init), "SET SESSION time_zone = '+00:00', "
	    "max_statement_time = %.3f, sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO'%s%s",
	    (double)db_cfg->max_statement_time / 1000.0,
	    db_cfg->db_replicas.n > 0 ?
	    ", session_track_system_variables = 'last_gtid'" : "", sync);
	mysql_options(m, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(m, host, db_cfg->db_user, db_password,
	    db_cfg->db_name, port, host ? NULL : sock,
	    multi ? CLIENT_MULTI_STATEMENTS : 0) == NULL) {
		snprintf(db_errbuf, sizeof(db_errbuf), "%u: %s",
		    mysql_errno(m), mysql_error(m));
		metrics_db(MDB_CONNECT_FAILED);
		mysql_close(m);
		return NULL;
	}
	return m;
}

static MYSQL *
db_open_timeouts(int multi, unsigned int tmo, unsigned int rtmo)
{
	MYSQL		*m;
	const char	*host = db_cfg->db_host[0] ? db_cfg->db_host : NULL;

	if ((m = db_open_to(host, (unsigned int)db_cfg->db_port,
	    db_cfg->db_socket, multi, tmo, rtmo)) == NULL) {
		db_connect_failed();
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

static void
db_link_close(struct db_link *l)
{
	size_t	i;

	for (i = 0; i < l->nstmts; i++)
		mysql_stmt_close(l->stmts[i].stmt);
	l->nstmts = 0;
	if (l->conn != NULL)
		mysql_close(l->conn);
	l->conn = NULL;
}

void
db_close(void)
{
	db_replicas_close();
	db_cur = &db_primary;
	db_link_close(&db_primary);
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

	MYSQL		*m = db_primary.conn;

	if (mysql_query(m, "SELECT COALESCE(MAX(version), 0) FROM "
	    "schema_migrations") != 0) {
		if (mysql_errno(m) == ER_NO_SUCH_TABLE)
			return 0;
		return db_classify(mysql_errno(m), mysql_error(m));
	}
	if ((res = mysql_store_result(m)) == NULL)
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

	if (db_primary.conn == NULL) {
		db_lost = 0;
		if ((db_primary.conn = db_open(0)) == NULL)
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
	int	fd = (int)mysql_get_socket(db_cur->conn);

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
			(void)mysql_query(db_cur->conn, "ROLLBACK");
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
	struct db_link	*l = db_cur;
	MYSQL_STMT	*st;
	size_t		 i;

	for (i = 0; i < l->nstmts; i++)
		if (l->stmts[i].sql == sql)
			return l->stmts[i].stmt;
	if ((st = mysql_stmt_init(l->conn)) == NULL)
		return NULL;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		(void)db_classify(mysql_stmt_errno(st), mysql_stmt_error(st));
		mysql_stmt_close(st);
		return NULL;
	}
	if (l->nstmts == BR_MAX_STMTS) {
		/* More distinct statements than expected: start over. */
		log_warn("statement cache full (%d), clearing", BR_MAX_STMTS);
		for (i = 0; i < l->nstmts; i++)
			mysql_stmt_close(l->stmts[i].stmt);
		l->nstmts = 0;
	}
	l->stmts[l->nstmts].sql = sql;
	l->stmts[l->nstmts].stmt = st;
	l->nstmts++;
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

	if (db_cur == &db_primary && (rv = db_connect()) != DB_OK)
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

/*
 * Galera (db_galera): statements go as text with their parameters escaped
 * into them, not prepared.  When Galera aborts a transaction for a
 * conflicting write certified on another node while one of its prepared
 * statements executes, the server never answers that COM_STMT_EXECUTE
 * (MariaDB 10.11.19 with galera-4 26.4.23: the client waits for its read
 * timeout, 10 s stalls in tests/cluster); as text the same abort is a
 * 1213 at once, and the transaction is re-run.
 */

/* sql with each ? outside quotes replaced by the next parameter as an SQL
 * literal; malloc'ed, NULL when out of memory. */
static char *
db_text_sql(MYSQL *m, const char *sql, const char *types, va_list ap)
{
	va_list		 cp;
	const char	*p, *s;
	char		*out, *o, q = 0;
	size_t		 i, n = strlen(types), max = strlen(sql) + 1;

	va_copy(cp, ap);
	for (i = 0; i < n; i++) {
		if (types[i] == 'i') {
			(void)va_arg(cp, int64_t);
			max += 21;
		} else if (types[i] == 's') {
			s = va_arg(cp, const char *);
			max += s != NULL ? 2 * strlen(s) + 2 : 4;
		} else
			fatalx("bad parameter type '%c'", types[i]);
	}
	va_end(cp);
	if ((out = malloc(max)) == NULL)
		return NULL;
	for (o = out, i = 0, p = sql; *p != '\0'; p++) {
		if (q != 0 || *p == '\'' || *p == '"' || *p == '`' ||
		    *p != '?') {
			if (q != 0 && *p == '\\' && p[1] != '\0') {
				*o++ = *p++;	/* an escaped character */
				*o++ = *p;
				continue;
			}
			if (q != 0 && *p == q)
				q = 0;
			else if (q == 0 && (*p == '\'' || *p == '"' ||
			    *p == '`'))
				q = *p;
			*o++ = *p;
			continue;
		}
		if (i == n)
			fatalx("parameter count mismatch for: %s", sql);
		if (types[i++] == 'i')
			o += snprintf(o, 21, "%lld",
			    (long long)va_arg(ap, int64_t));
		else if ((s = va_arg(ap, const char *)) == NULL) {
			memcpy(o, "NULL", 4);
			o += 4;
		} else {
			*o++ = '\'';
			o += mysql_real_escape_string(m, o, s, strlen(s));
			*o++ = '\'';
		}
	}
	if (i != n)
		fatalx("parameter count mismatch for: %s", sql);
	*o = '\0';
	return out;
}

/* The text protocol's result into out (rows in a). */
static int
db_text_fetch(MYSQL *m, struct arena *a, struct db_rows *out)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	unsigned long	*lens;
	size_t		 r, c;
	int		 rv = DB_ERROR;

	if ((res = mysql_store_result(m)) == NULL)
		return mysql_field_count(m) == 0 ? DB_OK :
		    db_classify(mysql_errno(m), mysql_error(m));
	if (out == NULL) {
		mysql_free_result(res);
		return DB_OK;
	}
	out->ncols = mysql_num_fields(res);
	out->nrows = (size_t)mysql_num_rows(res);
	if ((out->cells = arena_calloc(a, out->nrows * out->ncols + 1,
	    sizeof(char *))) == NULL)
		goto done;
	for (r = 0; r < out->nrows; r++) {
		if ((row = mysql_fetch_row(res)) == NULL ||
		    (lens = mysql_fetch_lengths(res)) == NULL)
			goto done;
		for (c = 0; c < out->ncols; c++)
			if (row[c] != NULL && (DB_CELL(out, r, c) =
			    arena_strndup(a, row[c], lens[c])) == NULL)
				goto done;
	}
	rv = DB_OK;
done:
	mysql_free_result(res);
	return rv;
}

/* db_run() and db_fetch() as text: rows into out (NULL for none), the
 * affected-row count into *affected (may be NULL). */
static int
db_text_run(const char *sql, const char *types, va_list ap, struct arena *a,
    struct db_rows *out, int64_t *affected)
{
	MYSQL	*m;
	char	*q;
	int	 rv;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (db_cur == &db_primary && (rv = db_connect()) != DB_OK)
		return rv;
	m = db_cur->conn;
	if ((q = db_text_sql(m, sql, types, ap)) == NULL) {
		db_errno = 0;	/* nothing executed: safe to repeat */
		return DB_ERROR;
	}
	db_stats.queries++;
	metrics_db(MDB_QUERY);
#ifdef BR_FAULTS
	if ((rv = db_fault_pre(sql)) != DB_OK) {
		free(q);
		return rv;
	}
#endif
	rv = mysql_real_query(m, q, strlen(q)) != 0 ?
	    db_classify(mysql_errno(m), mysql_error(m)) : DB_OK;
	free(q);
	if (rv != DB_OK)
		return rv;
#ifdef BR_FAULTS
	if ((rv = db_fault_post()) != DB_OK)
		return rv;
#endif
	if (affected != NULL)
		*affected = (int64_t)mysql_affected_rows(m);
	return db_text_fetch(m, a, out);
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
	int64_t		 n;
	int		 rv;

	if (db_cfg->db_galera)
		return (rv = db_text_run(sql, types, ap, NULL, NULL, &n)) !=
		    DB_OK ? rv : n;
	if ((rv = db_run(sql, types, ap, &st)) != DB_OK)
		return rv;
	return (int64_t)mysql_stmt_affected_rows(st);
}

int64_t
db_exec(const char *sql, const char *types, ...)
{
	va_list	ap;
	int64_t	rv;
	int	attempt;

	db_replica_leave();
	DB_WITH_RECONNECT((va_start(ap, types),
	    rv = db_exec_v(sql, types, ap), va_end(ap), rv), 1);
	/* A statement of its own that lost a conflict was not applied. */
	for (attempt = 0; rv == DB_RETRY && !db_in_tx &&
	    attempt < db_max_retries(); attempt++) {
		db_backoff(attempt);
		va_start(ap, types);
		rv = db_exec_v(sql, types, ap);
		va_end(ap);
	}
	return rv;
}

static int
db_query_v(struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	MYSQL_STMT	*st;
	int		 rv;

	memset(out, 0, sizeof(*out));
	if (db_cfg->db_galera)
		return db_text_run(sql, types, ap, a, out, NULL);
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
	int	rv, attempt;

	if (db_cur != &db_primary &&
	    db_replica_query(a, out, sql, types, ap) == DB_OK)
		return DB_OK;
	DB_WITH_RECONNECT((va_copy(cp, ap),
	    rv = db_query_v(a, out, sql, types, cp), va_end(cp), rv), 0);
	for (attempt = 0; rv == DB_RETRY && !db_in_tx &&
	    attempt < db_max_retries(); attempt++) {
		db_backoff(attempt);
		va_copy(cp, ap);
		rv = db_query_v(a, out, sql, types, cp);
		va_end(cp);
	}
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
	return db_primary.conn ? (int64_t)mysql_insert_id(db_primary.conn) :
	    0;
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
	if (mysql_query(db_primary.conn, sql) != 0)
		return db_classify(mysql_errno(db_primary.conn),
		    mysql_error(db_primary.conn));
#ifdef BR_FAULTS
	rv = db_fault_post();
#endif
	return rv;
}

/* Re-runs of a conflicting transaction: on Galera every node's writers
 * conflict with every other's, so a hot row needs more. */
static int
db_max_retries(void)
{
	return db_cfg->db_galera ? BR_TX_MAX_RETRIES_GALERA :
	    BR_TX_MAX_RETRIES;
}

/* Exponential, capped at 80 ms, with as much again of jitter. */
static void
db_backoff(int attempt)
{
	long	base = 5000L << (attempt < 4 ? attempt : 4);
	long	us = base + (long)(random() % base);

	db_stats.retries++;
	metrics_db(MDB_TX_RETRY);
	usleep((useconds_t)us);
}

int
db_tx(int (*fn)(void *), void *arg)
{
	int	attempt, rv = DB_ERROR, reconnected = 0;

	db_replica_leave();
	for (attempt = 0; attempt <= db_max_retries(); attempt++) {
		if ((rv = db_connect()) != DB_OK)
			return rv;
		if ((rv = db_simple("START TRANSACTION")) == DB_OK) {
			db_in_tx = 1;
			rv = fn(arg);
			if (rv == DB_OK) {
				rv = db_simple("COMMIT");
				db_in_tx = 0;
				if (rv == DB_OK)
					db_gtid_note();
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
		if (rv == DB_RETRY && attempt < db_max_retries()) {
			log_info("transaction conflict (%s), retry %d",
			    db_errbuf, attempt + 1);
			db_backoff(attempt);
			continue;
		}
		if (rv == DB_RETRY)
			log_warn("transaction conflict (%s): gave up after %d "
			    "runs", db_errbuf, attempt + 1);
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

/* --- replicas ----------------------------------------------------------- */

/*
 * Reads that may be a little stale (lists, dashboards) go to a replica
 * when the route says so (db_replica_begin()).  A replica is used only
 * while it replicates and is at most replica_max_lag_ms behind (SHOW
 * REPLICA STATUS, checked at most once a second per worker); one that
 * cannot be reached is left alone for a second.  Read-your-writes: the
 * caller passes the GTID of its own last commit, and the replica waits
 * for it (MASTER_GTID_WAIT, up to replica_wait_ms) before the request
 * reads there, else the request stays on the primary.  A statement that
 * fails on a replica is run again on the primary.
 */
#define DB_REPLICA_CHECK_MS	1000

struct db_replica {
	struct db_link			 link;
	const struct db_replica_addr	*addr;
	int				 state;	/* enum db_replica_state */
	int64_t				 checked; /* monotonic ms */
};

static struct db_replica	 db_reps[CONFIG_REPLICAS];
static size_t			 db_nreps;
static size_t			 db_rep_next;	/* round robin */
static char			 db_gtid[DB_GTID_LEN + 1]; /* last commit */

static const char *const db_replica_states[] = {
	"unknown", "up", "lagging", "stopped", "down"
};

const char *
db_replica_state_name(int st)
{
	if (st < 0 || st >= REPLICA_NSTATES)
		return "unknown";
	return db_replica_states[st];
}

static void
db_replicas_close(void)
{
	size_t	i;

	db_cur = &db_primary;
	for (i = 0; i < db_nreps; i++)
		db_link_close(&db_reps[i].link);
	db_nreps = 0;
}

/* The configured replicas, after db_configure(). */
static void
db_replicas_init(void)
{
	size_t	i;

	if (db_nreps == db_cfg->db_replicas.n)
		return;
	for (i = 0; i < db_cfg->db_replicas.n; i++) {
		memset(&db_reps[i], 0, sizeof(db_reps[i]));
		db_reps[i].addr = &db_cfg->db_replicas.v[i];
	}
	db_nreps = db_cfg->db_replicas.n;
}

/* Logs a change to or from "up" (why: what made it down), and shows the
 * state in /status and /metrics. */
static void
db_replica_state(struct db_replica *r, int st, int64_t lag_ms,
    const char *why)
{
	if (st != r->state && (st == REPLICA_UP || r->state == REPLICA_UP ||
	    r->state == REPLICA_UNKNOWN))
		log_info("replica %s: %s%s%s%s", r->addr->name,
		    db_replica_state_name(st), why ? " (" : "", why ? why : "",
		    why ? ")" : "");
	r->state = st;
	metrics_replica((size_t)(r - db_reps), r->addr->name, st, lag_ms);
}

static void
db_replica_down(struct db_replica *r, const char *why)
{
	char	msg[256];

	snprintf(msg, sizeof(msg), "%s", why);
	db_link_close(&r->link);
	r->checked = now_mono_ms();
	db_replica_state(r, REPLICA_DOWN, -1, msg);
}

/*
 * SHOW REPLICA STATUS on r: its lag in ms; -1 when it does not replicate
 * (a thread stopped, or no primary configured); -2 when the query failed.
 */
static int64_t
db_replica_lag(struct db_replica *r)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	MYSQL_FIELD	*f;
	const char	*io = NULL, *sq = NULL, *behind = NULL;
	unsigned int	 i, n;
	int64_t		 lag = -1, v;

	if (mysql_query(r->link.conn, "SHOW REPLICA STATUS") != 0 ||
	    (res = mysql_store_result(r->link.conn)) == NULL)
		return -2;
	if ((row = mysql_fetch_row(res)) != NULL) {
		n = mysql_num_fields(res);
		f = mysql_fetch_fields(res);
		for (i = 0; i < n; i++) {
			if (strcmp(f[i].name, "Slave_IO_Running") == 0)
				io = row[i];
			else if (strcmp(f[i].name, "Slave_SQL_Running") == 0)
				sq = row[i];
			else if (strcmp(f[i].name,
			    "Seconds_Behind_Master") == 0)
				behind = row[i];
		}
		if (io != NULL && sq != NULL && behind != NULL &&
		    strcmp(io, "Yes") == 0 && strcmp(sq, "Yes") == 0 &&
		    str_to_i64(behind, 0, INT64_MAX / 1000, &v) == 0)
			lag = v * 1000;
	}
	mysql_free_result(res);
	return lag;
}

/* 1 when r may serve reads now: connected, replicating, not too far
 * behind. */
static int
db_replica_usable(struct db_replica *r, int64_t now)
{
	const struct db_replica_addr	*ra = r->addr;
	int64_t				 lag;

	if (r->checked != 0 && now - r->checked < DB_REPLICA_CHECK_MS)
		return r->state == REPLICA_UP && r->link.conn != NULL;
	r->checked = now;
	if (r->link.conn == NULL && (r->link.conn = db_open_to(ra->host[0] ?
	    ra->host : NULL, ra->port, ra->socket, 0, 1, (unsigned int)
	    (db_cfg->max_statement_time / 1000 + 5))) == NULL) {
		db_replica_down(r, db_errbuf);
		return 0;
	}
	if ((lag = db_replica_lag(r)) == -2) {
		db_replica_down(r, mysql_error(r->link.conn));
		return 0;
	}
	db_replica_state(r, lag < 0 ? REPLICA_STOPPED :
	    lag > db_cfg->replica_max_lag_ms ? REPLICA_LAGGING : REPLICA_UP,
	    lag, NULL);
	return r->state == REPLICA_UP;
}

/* 1 when gtid is a GTID list as MariaDB writes it ("0-1-42,1-2-7"). */
static int
db_gtid_ok(const char *gtid)
{
	size_t	n = strlen(gtid);

	return n > 0 && n <= DB_GTID_LEN &&
	    strspn(gtid, "0123456789-,") == n;
}

/*
 * Waits on r until it has applied gtid: 1 when it has, 0 after
 * replica_wait_ms (or on an error, which also marks r down).
 */
static int
db_replica_wait(struct db_replica *r, const char *gtid)
{
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	char		 q[DB_GTID_LEN + 64];
	int		 ok;

	snprintf(q, sizeof(q), "SELECT MASTER_GTID_WAIT('%s', %.3f)", gtid,
	    (double)db_cfg->replica_wait_ms / 1000.0);
	metrics_db(MDB_QUERY);
	if (mysql_query(r->link.conn, q) != 0 ||
	    (res = mysql_store_result(r->link.conn)) == NULL) {
		db_replica_down(r, mysql_error(r->link.conn));
		return 0;
	}
	row = mysql_fetch_row(res);
	ok = row != NULL && row[0] != NULL && strcmp(row[0], "0") == 0;
	mysql_free_result(res);
	return ok;
}

int
db_replica_begin(const char *gtid)
{
	struct db_replica	*r = NULL;
	int64_t			 now;
	size_t			 i;

	if (db_cfg == NULL || db_cfg->db_replicas.n == 0 || db_in_tx)
		return 0;
	db_replicas_init();
	now = now_mono_ms();
	for (i = 0; i < db_nreps && r == NULL; i++) {
		r = &db_reps[(db_rep_next + i) % db_nreps];
		if (!db_replica_usable(r, now))
			r = NULL;
	}
	if (r == NULL) {
		metrics_replica_read(MR_SKIPPED);
		return 0;
	}
	db_rep_next = (size_t)(r - db_reps + 1) % db_nreps;
	if (gtid != NULL && db_gtid_ok(gtid)) {
		if (!db_replica_wait(r, gtid)) {
			metrics_replica_read(MR_WAIT_TIMEOUT);
			return 0;
		}
		metrics_replica_read(MR_WAITED);
	}
	metrics_replica_read(MR_REPLICA);
	db_cur = &r->link;
	return 1;
}

/* A write, a transaction, or the end of a request: the primary again. */
static void
db_replica_leave(void)
{
	db_cur = &db_primary;
}

void
db_request_start(void)
{
	db_cur = &db_primary;
	db_gtid[0] = '\0';
}

/*
 * A query on the current replica; on failure the replica is marked down,
 * the request goes back to the primary, and the caller runs the query
 * there.
 */
static int
db_replica_query(struct arena *a, struct db_rows *out, const char *sql,
    const char *types, va_list ap)
{
	struct db_replica	*r;
	va_list			 cp;
	int			 rv;

	va_copy(cp, ap);
	rv = db_query_v(a, out, sql, types, cp);
	va_end(cp);
	if (rv == DB_OK)
		return rv;
	r = (struct db_replica *)(void *)db_cur;	/* link is first */
	db_lost = 0;
	db_errno = 0;
	db_replica_down(r, db_errbuf);
	db_cur = &db_primary;
	metrics_replica_read(MR_FAILED);
	return rv;
}

/* The GTID the COMMIT just sent reported (session tracking of
 * last_gtid); falls back to asking for @@last_gtid. */
static void
db_gtid_note(void)
{
	MYSQL		*m = db_primary.conn;
	MYSQL_RES	*res;
	MYSQL_ROW	 row;
	const char	*d;
	size_t		 len;

	if (db_cfg->db_replicas.n == 0)
		return;
	if (mysql_session_track_get_first(m, SESSION_TRACK_SYSTEM_VARIABLES,
	    &d, &len) == 0) {
		do {
			if (len != 9 || memcmp(d, "last_gtid", 9) != 0)
				continue;
			if (mysql_session_track_get_next(m,
			    SESSION_TRACK_SYSTEM_VARIABLES, &d, &len) == 0 &&
			    len > 0 && len <= DB_GTID_LEN) {
				memcpy(db_gtid, d, len);
				db_gtid[len] = '\0';
				return;
			}
			break;
		} while (mysql_session_track_get_next(m,
		    SESSION_TRACK_SYSTEM_VARIABLES, &d, &len) == 0);
	}
	if (mysql_query(m, "SELECT @@last_gtid") != 0 ||
	    (res = mysql_store_result(m)) == NULL)
		return;
	if ((row = mysql_fetch_row(res)) != NULL && row[0] != NULL)
		if (str_copy(db_gtid, sizeof(db_gtid), row[0]) == -1)
			db_gtid[0] = '\0';
	mysql_free_result(res);
}

const char *
db_request_gtid(void)
{
	return db_gtid[0] != '\0' && db_gtid_ok(db_gtid) ? db_gtid : NULL;
}
