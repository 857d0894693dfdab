/*
 * config.c -- table-driven directives (the Redis config table, Kore's
 * directive list).  Each directive names its type, bounds and default; the
 * parser knows nothing about individual directives.  Integer maximums come
 * from bounds.h so a config can lower a hard limit but never raise it.
 *
 * Syntax: "name = value" lines; '#' or ';' starts a comment line; "[pool]"
 * style section headers are accepted and ignored; a value may be wrapped in
 * double quotes.  A directive given twice keeps the last value.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "str.h"

enum dir_type {
	DIR_INT, DIR_STR, DIR_OCTAL, DIR_BOOL, DIR_LEVEL, DIR_ORIGIN,
	DIR_ALLOW, DIR_REPLICAS
};

struct directive {
	const char	*name;
	enum dir_type	 type;
	size_t		 off;
	size_t		 size;		/* for strings */
	long		 min, max;	/* for numbers */
	const char	*def;
	const char	*help;
};

#define S(f)	DIR_STR, offsetof(struct config, f), \
		sizeof(((struct config *)0)->f), 0, 0
#define N(f, t, lo, hi)	t, offsetof(struct config, f), 0, lo, hi

static const struct directive directives[] = {
	{ "listen", S(listen), "var/run/backroomd.sock",
	    "unix socket path, or 127.0.0.1:PORT / [::1]:PORT" },
	{ "listen_mode", N(listen_mode, DIR_OCTAL, 0, 0777), "0660",
	    "permissions of the unix socket" },
	{ "listen_backlog", N(listen_backlog, DIR_INT, 16, 65535), "511",
	    "listen(2) backlog" },
	{ "fastcgi_allow", DIR_ALLOW, offsetof(struct config, fastcgi_allow),
	    0, 0, 0, "", "addresses or networks (a.b.c.d/n, x::/n; comma "
	    "separated) nginx connects from; a TCP listen on a non-loopback "
	    "address needs it, and refuses other peers at accept" },
	{ "user", S(user), "", "user workers run as (when started as root)" },
	{ "group", S(group), "", "group workers and the socket use" },
	{ "host_name", S(host_name), "", "this host's name in /status and "
	    "the host label of /metrics (empty: the system's host name)" },
	{ "workers", N(workers, DIR_INT, 1, BR_MAX_WORKERS), "4",
	    "worker processes" },
	{ "worker_connections", N(worker_connections, DIR_INT, 1,
	    BR_MAX_WORKER_CONNS), "4", "FastCGI connections one worker holds "
	    "at once (nginx keeps them open between requests)" },
	{ "nginx_keepalive", N(nginx_keepalive, DIR_INT, 0, 65535), "0",
	    "the nginx upstream's `keepalive`: idle connections each nginx "
	    "worker keeps (checked against workers x worker_connections)" },
	{ "nginx_workers", N(nginx_workers, DIR_INT, 1, 1024), "1",
	    "nginx's worker_processes (for the same check)" },
	{ "queue_deadline_ms", N(queue_deadline_ms, DIR_INT, 0, 3600000),
	    "10000", "a request nginx handed over longer ago than this is "
	    "answered 503 at once (0: off)" },
	{ "max_requests", N(max_requests, DIR_INT, 0, 100000000), "10000",
	    "requests before a worker is recycled (0: never)" },
	{ "max_requests_jitter", N(max_requests_jitter, DIR_INT, 0, 1000000),
	    "500", "random extra requests, so workers do not recycle at once" },
	{ "request_timeout", N(request_timeout, DIR_INT, 0, 3600), "30",
	    "seconds a request may run before its worker is killed (0: off)" },
	{ "shutdown_timeout", N(shutdown_timeout, DIR_INT, 1, 3600), "30",
	    "seconds in-flight requests get on stop or reload" },
	{ "max_body_size", N(max_body_size, DIR_INT, 0, BR_MAX_BODY), "8388608",
	    "largest request body in bytes (413 past it)" },
	{ "slow_request_ms", N(slow_request_ms, DIR_INT, 1, 3600000), "1000",
	    "requests slower than this are logged and counted" },
	{ "log_file", S(log_file), "", "log file (empty: stderr)" },
	{ "log_level", N(log_level, DIR_LEVEL, 0, 3), "info",
	    "error, warn, info or debug" },
	{ "pid_file", S(pid_file), "", "master pid file (empty: none)" },
	{ "templates_dir", S(templates_dir), "app/templates",
	    "directory of the HTML templates" },
	{ "static_dir", S(static_dir), "app/static",
	    "the files nginx serves under /static/; pages link them by a "
	    "fingerprint of their content" },
	{ "migrations_dir", S(migrations_dir), "sql/migrations",
	    "directory of NNNN_name.sql migrations" },
	{ "db_socket", S(db_socket), "/run/mysqld/mysqld.sock",
	    "MariaDB unix socket (used when db_host is empty)" },
	{ "db_host", S(db_host), "", "MariaDB host for TCP (empty: socket)" },
	{ "db_port", N(db_port, DIR_INT, 0, 65535), "3306",
	    "MariaDB TCP port" },
	{ "db_name", S(db_name), "backroom", "database name" },
	{ "db_user", S(db_user), "backroom", "database user" },
	{ "db_password", S(db_password), "", "database password" },
	{ "db_password_file", S(db_password_file), "",
	    "file holding the database password (wins over db_password)" },
	{ "db_connect_timeout", N(db_connect_timeout, DIR_INT, 1, 60), "1",
	    "seconds to wait for a database connection" },
	{ "db_replicas", DIR_REPLICAS, offsetof(struct config, db_replicas),
	    0, 0, 0, "", "read replicas (host:port or a socket path; comma "
	    "separated, at most 4): lists and dashboards read there, after "
	    "the reader's own last write has arrived" },
	{ "replica_max_lag_ms", N(replica_max_lag_ms, DIR_INT, 1000,
	    86400000), "5000", "a replica further behind than this "
	    "(Seconds_Behind_Master), or not replicating, is skipped" },
	{ "replica_wait_ms", N(replica_wait_ms, DIR_INT, 0, 10000), "500",
	    "how long a read waits for a replica to reach the reader's last "
	    "write (MASTER_GTID_WAIT) before it goes to the primary" },
	{ "db_galera", N(db_galera, DIR_BOOL, 0, 1), "no",
	    "the database is a Galera cluster node: every read first waits "
	    "until the node has applied what the cluster committed before it "
	    "(wsrep_sync_wait = 1), and statements go as text, not prepared" },
	{ "max_statement_time", N(max_statement_time, DIR_INT, 0, 3600000),
	    "5000", "milliseconds a statement may run (0: server default)" },
	{ "seccomp", N(seccomp, DIR_BOOL, 0, 1), "yes",
	    "workers install a seccomp allowlist after their setup" },
	{ "debug_routes", N(debug_routes, DIR_BOOL, 0, 1), "no",
	    "enable /debug/sleep and /debug/echo (loopback only; tests)" },
	{ "site_origin", DIR_ORIGIN, offsetof(struct config, site_origin),
	    sizeof(((struct config *)0)->site_origin), 0, 0, "",
	    "https://host[:port] the pages are served from; unsafe requests "
	    "must come from it (empty: https:// and the request's Host)" },
	{ "password_list", S(password_list), "app/data/common-passwords.txt",
	    "common passwords refused as new passwords (one per line)" },
	{ "openapi_file", S(openapi_file), "app/data/openapi.json",
	    "the OpenAPI document served at /api/v1/openapi.json" },
	{ "session_idle_timeout", N(session_idle_timeout, DIR_INT, 1, 86400),
	    "1800", "seconds a session may sit unused" },
	{ "session_absolute_timeout", N(session_absolute_timeout, DIR_INT, 1,
	    2592000), "43200", "seconds a session lives after sign-in" },
	{ "login_max_failures", N(login_max_failures, DIR_INT, 1, 100), "5",
	    "failed sign-ins of one email from one address before it is "
	    "locked there" },
	{ "login_lockout_seconds", N(login_lockout_seconds, DIR_INT, 1, 3600),
	    "60", "first lockout; doubles with each further failure "
	    "(cap 1 h)" },
	{ "login_addr_max_failures", N(login_addr_max_failures, DIR_INT, 1,
	    100000), "50", "failed sign-ins from one address per window" },
	{ "login_account_max_failures", N(login_account_max_failures, DIR_INT,
	    1, 100000), "20", "failed sign-ins of one account from all "
	    "addresses per window" },
	{ "login_addr_window", N(login_addr_window, DIR_INT, 1, 86400), "900",
	    "seconds of the per-address window" },
	{ "audit_key_file", S(audit_key_file), "",
	    "file with the audit chain's HMAC key, 32 to 256 bytes, outside "
	    "the database (empty: plain SHA-256)" },
	{ "audit_prune_user", S(audit_prune_user), "",
	    "database user housekeeping prunes the audit trail as (empty: "
	    "db_user, which then needs DELETE on audit_log)" },
	{ "audit_prune_password_file", S(audit_prune_password_file), "",
	    "file holding audit_prune_user's password" },
	{ "audit_retention_days", N(audit_retention_days, DIR_INT, 1, 36500),
	    "365", "days audit rows are kept (housekeeping prunes older "
	    "ones)" },
	{ "housekeeping_interval", N(housekeeping_interval, DIR_INT, 0, 86400),
	    "300", "seconds between housekeeping runs (0: off)" },
};

#define NDIRECTIVES	(sizeof(directives) / sizeof(directives[0]))

static const char *const level_names[] = { "error", "warn", "info", "debug" };

/* An origin as browsers send it: https://host[:port], nothing after. */
static int
config_origin_ok(const char *v)
{
	const char	*h;

	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0')
		return 0;
	for (h = v + 8; *h != '\0'; h++)
		if (*h == '/' || *h == '?' || *h == '#' || *h == '@' ||
		    *h <= ' ' || *h >= 0x7f)
			return 0;
	return 1;
}

/* "a.b.c.d[/n]" or "x:y::z[/n]" into p; -1 if it is neither. */
static int
config_prefix(struct net_prefix *p, const char *s)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*slash = strchr(s, '/');
	size_t		 len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int64_t		 bits;

	if (len == 0 || len >= sizeof(host))
		return -1;
	memcpy(host, s, len);
	host[len] = '\0';
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, host, p->addr) == 1) {
		p->family = AF_INET;
		p->bits = 32;
	} else if (inet_pton(AF_INET6, host, p->addr) == 1) {
		p->family = AF_INET6;
		p->bits = 128;
	} else
		return -1;
	if (slash != NULL) {
		if (str_to_i64(slash + 1, 0, p->bits, &bits) == -1)
			return -1;
		p->bits = (unsigned)bits;
	}
	return 0;
}

/* One replica address: host:port ([v6]:port) or an absolute socket path. */
static const char *
config_replica_addr(struct db_replica_addr *ra, const char *tok)
{
	const char	*colon;
	int64_t		 port;
	size_t		 len;

	if (str_copy(ra->name, sizeof(ra->name), tok) == -1)
		return "value too long";
	if (strspn(tok, CONFIG_HOST_CHARS "/:[]") != strlen(tok))
		return "a replica: letters, digits and . - _ / : [ ] only";
	if (tok[0] == '/') {
		if (str_copy(ra->socket, sizeof(ra->socket), tok) == -1)
			return "replica socket path too long";
		return NULL;
	}
	if ((colon = strrchr(tok, ':')) == NULL ||
	    str_to_i64(colon + 1, 1, 65535, &port) == -1)
		return "a replica is host:port or a socket path";
	len = (size_t)(colon - tok);
	if (len >= 2 && tok[0] == '[' && tok[len - 1] == ']') {
		tok++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(ra->host))
		return "a replica is host:port or a socket path";
	memcpy(ra->host, tok, len);
	ra->host[len] = '\0';
	ra->port = (unsigned)port;
	return NULL;
}

static const char *
config_replicas_parse(struct db_replicas *r, const char *value)
{
	char		 buf[CONFIG_STR], *tok, *save = NULL;
	const char	*why;

	memset(r, 0, sizeof(*r));
	if (str_copy(r->text, sizeof(r->text), value) == -1 ||
	    str_copy(buf, sizeof(buf), value) == -1)
		return "value too long";
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (r->n == CONFIG_REPLICAS)
			return "more than 4 replicas";
		if ((why = config_replica_addr(&r->v[r->n++], tok)) != NULL)
			return why;
	}
	return NULL;
}

/* A comma or blank separated list into a; NULL, or the reason. */
static const char *
config_allow_parse(struct net_allow *a, const char *value)
{
	char	 buf[CONFIG_STR], *tok, *save = NULL;

	memset(a, 0, sizeof(*a));
	if (str_copy(a->text, sizeof(a->text), value) == -1 ||
	    str_copy(buf, sizeof(buf), value) == -1)
		return "value too long";
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (a->n == CONFIG_ALLOW)
			return "more than 16 entries";
		if (config_prefix(&a->v[a->n++], tok) == -1)
			return "not an address or address/prefix-length";
	}
	return NULL;
}

int
config_allow_match(const struct net_allow *a, const struct sockaddr *sa)
{
	const unsigned char	*ip;
	unsigned char		 mask;
	int			 family;
	size_t			 i, full;

	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		ip = (const unsigned char *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		family = AF_INET6;
		ip = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr.s6_addr;
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)
		    (const void *)ip)) {
			family = AF_INET;
			ip += 12;
		}
	} else
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct net_prefix *p = &a->v[i];
		if (p->family != family)
			continue;
		full = p->bits / 8;
		if (memcmp(p->addr, ip, full) != 0)
			continue;
		if (p->bits % 8 == 0)
			return 1;
		mask = (unsigned char)(0xff << (8 - p->bits % 8));
		if (((p->addr[full] ^ ip[full]) & mask) == 0)
			return 1;
	}
	return 0;
}

/* Stores value into c for d.  NULL on success, else the reason. */
static const char *
directive_set(const struct directive *d, struct config *c, const char *value)
{
	char	*base = (char *)c + d->off;
	long	*lp = (long *)(void *)base;
	int64_t	 v;
	char	*end;
	size_t	 i;

	switch (d->type) {
	case DIR_ALLOW:
		return config_allow_parse((struct net_allow *)(void *)base,
		    value);
	case DIR_REPLICAS:
		return config_replicas_parse((struct db_replicas *)(void *)
		    base, value);
	case DIR_ORIGIN:
		if (value[0] != '\0' && !config_origin_ok(value))
			return "not an origin (https://host[:port], no path)";
		/* FALLTHROUGH */
	case DIR_STR:
		if (str_copy(base, d->size, value) == -1)
			return "value too long";
		return NULL;
	case DIR_INT:
		if (str_to_i64(value, d->min, d->max, &v) == -1)
			return "not an integer in range";
		*lp = (long)v;
		return NULL;
	case DIR_OCTAL:
		errno = 0;
		v = strtol(value, &end, 8);
		if (*value == '\0' || *end != '\0' || errno != 0 ||
		    v < d->min || v > d->max)
			return "not an octal mode in range";
		*lp = (long)v;
		return NULL;
	case DIR_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "on") ||
		    !strcmp(value, "1") || !strcmp(value, "true"))
			*lp = 1;
		else if (!strcmp(value, "no") || !strcmp(value, "off") ||
		    !strcmp(value, "0") || !strcmp(value, "false"))
			*lp = 0;
		else
			return "not yes or no";
		return NULL;
	case DIR_LEVEL:
		for (i = 0; i < 4; i++)
			if (!strcmp(value, level_names[i])) {
				*lp = (long)i;
				return NULL;
			}
		return "not one of error, warn, info, debug";
	}
	fatalx("unknown directive type %d", d->type);
}

void
config_defaults(struct config *c)
{
	size_t	i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NDIRECTIVES; i++)
		if (directive_set(&directives[i], c, directives[i].def) != NULL)
			fatalx("bad default for %s", directives[i].name);
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Parses one non-empty, non-comment line into c.  NULL or the reason. */
static const char *
config_line(char *line, struct config *c)
{
	char	*eq, *name, *value;
	size_t	 i, n;

	if (line[0] == '[')
		return line[strlen(line) - 1] == ']' ? NULL :
		    "unterminated section header";
	if ((eq = strchr(line, '=')) == NULL)
		return "expected name = value";
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	n = strlen(value);
	if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
		value[n - 1] = '\0';
		value++;
	}
	for (i = 0; i < NDIRECTIVES; i++)
		if (!strcmp(directives[i].name, name))
			return directive_set(&directives[i], c, value);
	return "unknown directive";
}

/*
 * Each idle connection nginx keeps holds a slot of one worker, and a
 * worker takes new connections only while it has a free slot.  nginx keeps
 * at most nginx_keepalive idle connections per nginx worker, so with more
 * slots than that, one is always free or busy with a request that ends:
 * a new connection never waits on idle ones.
 */
static const char *
config_check(const struct config *c)
{
	static char	why[200];

	if (strspn(c->host_name, CONFIG_HOST_CHARS) != strlen(c->host_name))
		return "host_name: use letters, digits, '.', '-' and '_'";
	if (!config_listen_is_local(c) && c->fastcgi_allow.n == 0)
		return "listen on a non-loopback address needs fastcgi_allow "
		    "(the addresses nginx connects from)";

	if (c->nginx_keepalive * c->nginx_workers <
	    c->workers * c->worker_connections)
		return NULL;
	snprintf(why, sizeof(why), "nginx_keepalive x nginx_workers (%ld) "
	    "must be below workers x worker_connections (%ld): idle kept "
	    "connections would hold every worker", c->nginx_keepalive *
	    c->nginx_workers, c->workers * c->worker_connections);
	return why;
}

int
config_parse(const char *label, const char *text, struct config *c,
    char *err, size_t errsz)
{
	struct config	 tmp;
	char		 line[1024], *s;
	const char	*p = text, *nl, *why;
	size_t		 len;
	int		 lineno = 0;

	config_defaults(&tmp);
	while (*p != '\0') {
		lineno++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line)) {
			snprintf(err, errsz, "%s:%d: line too long", label,
			    lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if ((why = config_line(s, &tmp)) != NULL) {
			snprintf(err, errsz, "%s:%d: %s", label, lineno, why);
			return -1;
		}
	}
	if ((why = config_check(&tmp)) != NULL) {
		snprintf(err, errsz, "%s: %s", label, why);
		return -1;
	}
	if (str_copy(tmp.path, sizeof(tmp.path), label) == -1) {
		snprintf(err, errsz, "%s: path too long", label);
		return -1;
	}
	*c = tmp;
	return 0;
}

int
config_load(const char *path, struct config *c, char *err, size_t errsz)
{
	FILE	*f;
	char	*text;
	long	 size;
	int	 rv;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (size = ftell(f)) < 0 ||
	    size > 1024 * 1024 || fseek(f, 0, SEEK_SET) == -1) {
		snprintf(err, errsz, "%s: unreadable or too large", path);
		fclose(f);
		return -1;
	}
	if ((text = malloc((size_t)size + 1)) == NULL ||
	    fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errsz, "%s: read error", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[size] = '\0';
	if (memchr(text, '\0', (size_t)size) != NULL) {
		snprintf(err, errsz, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rv = config_parse(path, text, c, err, errsz);
	free(text);
	return rv;
}

void
config_dump_table(void)
{
	/* In enum dir_type's order. */
	static const char *const tn[] = { "int", "string", "octal", "bool",
	    "level", "origin", "allow", "list" };
	size_t	i;

	for (i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];
		if (d->type == DIR_INT || d->type == DIR_OCTAL)
			printf(d->type == DIR_OCTAL ?
			    "%-26s %-6s %lo..%lo default %s: %s\n" :
			    "%-26s %-6s %ld..%ld default %s: %s\n", d->name,
			    tn[d->type], d->min, d->max, d->def, d->help);
		else
			printf("%-26s %-6s default \"%s\": %s\n", d->name,
			    tn[d->type], d->def, d->help);
	}
}

int
config_listen_is_unix(const struct config *c)
{
	return strchr(c->listen, '/') != NULL || strchr(c->listen, ':') == NULL;
}

int
config_listen_is_local(const struct config *c)
{
	const char	*colon;
	char		 host[INET6_ADDRSTRLEN + 2];
	unsigned char	 a[16];
	size_t		 len;

	if (config_listen_is_unix(c))
		return 1;
	colon = strrchr(c->listen, ':');
	len = (size_t)(colon - c->listen);
	if (len >= sizeof(host))
		return 0;
	memcpy(host, c->listen, len);
	host[len] = '\0';
	if (inet_pton(AF_INET, host, a) == 1)
		return a[0] == 127;
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, a) == 1 &&
		    IN6_IS_ADDR_LOOPBACK((struct in6_addr *)(void *)a);
	}
	return 0;
}

long
config_read_secret(const char *path, char *buf, size_t size)
{
	struct stat	st;
	ssize_t		n;
	size_t		len = 0;
	int		fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		log_err("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & 077) != 0) {
		log_err("%s: refused, a secret must be a regular file that "
		    "only its owner can read (chmod 600)", path);
		close(fd);
		return -1;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	return (long)len;
}
