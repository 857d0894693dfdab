/*
 * config.h -- backroomd's configuration: an INI file in the style of a
 * php-fpm pool, read through a table of directives (name, type, min, max,
 * default).  The table is the reference; README documents every entry.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "bounds.h"

#define CONFIG_STR	256
#define CONFIG_ALLOW	16	/* entries of an address allow list */
/* What host_name may hold (a Prometheus label value without escapes). */
#define CONFIG_HOST_CHARS	"abcdefghijklmnopqrstuvwxyz" \
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_"

/* An allow list of addresses and networks ("10.0.0.5, 10.1.0.0/16,
 * fd00::/8"), parsed at load. */
struct net_prefix {
	int		family;		/* AF_INET or AF_INET6 */
	unsigned	bits;		/* prefix length */
	unsigned char	addr[16];
};
struct net_allow {
	char			text[CONFIG_STR];
	size_t			n;
	struct net_prefix	v[CONFIG_ALLOW];
};

/* MariaDB replicas ("10.0.0.7:3306, /run/mysqld/replica.sock"): TCP
 * host:port, or a unix socket path. */
#define CONFIG_REPLICAS	4
struct db_replica_addr {
	char		host[128];	/* "" for a socket */
	unsigned	port;
	char		socket[108];	/* sun_path */
	char		name[CONFIG_STR]; /* as written: labels, /status */
};
struct db_replicas {
	char			text[CONFIG_STR];
	size_t			n;
	struct db_replica_addr	v[CONFIG_REPLICAS];
};

struct config {
	char	path[BR_MAX_PATH];	/* file it was read from */
	char	listen[CONFIG_STR];
	long	listen_mode;
	long	listen_backlog;
	struct net_allow fastcgi_allow;	/* peers a TCP listen accepts */
	char	user[64];
	char	group[64];
	char	host_name[64];		/* "" = gethostname() */
	long	workers;
	long	worker_connections;	/* FastCGI connections per worker */
	long	nginx_keepalive;	/* nginx upstream keepalive */
	long	nginx_workers;		/* nginx worker_processes */
	long	queue_deadline_ms;	/* 0 = off */
	long	max_requests;
	long	max_requests_jitter;
	long	request_timeout;	/* seconds, 0 = none */
	long	shutdown_timeout;	/* seconds */
	long	max_body_size;		/* bytes */
	long	slow_request_ms;
	char	log_file[BR_MAX_PATH];
	long	log_level;
	char	pid_file[BR_MAX_PATH];
	char	templates_dir[BR_MAX_PATH];
	char	static_dir[BR_MAX_PATH];	/* fingerprinted for links */
	char	migrations_dir[BR_MAX_PATH];
	char	db_socket[BR_MAX_PATH];
	char	db_host[CONFIG_STR];
	long	db_port;
	char	db_name[64];
	char	db_user[64];
	char	db_password[CONFIG_STR];
	char	db_password_file[BR_MAX_PATH];
	long	db_connect_timeout;	/* seconds */
	struct db_replicas db_replicas;	/* read replicas */
	long	replica_max_lag_ms;	/* skip a replica further behind */
	long	replica_wait_ms;	/* MASTER_GTID_WAIT timeout */
	long	db_galera;		/* a Galera cluster: text protocol,
					 * causal reads */
	long	max_statement_time;	/* milliseconds, 0 = server default */
	long	debug_routes;		/* /debug/sleep and /debug/echo */
	long	seccomp;		/* workers' system call allowlist */
	char	site_origin[CONFIG_STR];	/* https://host[:port] or "" */
	char	password_list[BR_MAX_PATH];	/* common passwords */
	char	openapi_file[BR_MAX_PATH]; /* served at /api/v1/openapi.json */
	long	session_idle_timeout;	/* seconds */
	long	session_absolute_timeout; /* seconds */
	long	login_max_failures;	/* per account, before lockout */
	long	login_lockout_seconds;	/* first lockout; doubles */
	long	login_addr_max_failures; /* per client address and window */
	long	login_account_max_failures; /* per account, any address */
	long	login_addr_window;	/* seconds */
	char	audit_key_file[BR_MAX_PATH];	/* chain HMAC key, or "" */
	char	audit_prune_user[64];		/* prunes audit_log, or "" */
	char	audit_prune_password_file[BR_MAX_PATH];
	long	audit_retention_days;
	long	housekeeping_interval;	/* seconds, 0 = off */
};

/* Fills c with every directive's default. */
void	config_defaults(struct config *c);
/*
 * Reads path over the defaults.  0 on success; -1 with "path:line: reason"
 * in err on a syntax error, an unknown directive, a value out of range or
 * of the wrong type, or an unreadable file.  c is only written on success.
 */
int	config_load(const char *path, struct config *c, char *err,
	    size_t errsz);
/* Same, from memory (tests). */
int	config_parse(const char *label, const char *text, struct config *c,
	    char *err, size_t errsz);
/* Writes the directive table (name, type, min, max, default) as text. */
void	config_dump_table(void);
/* 1 if listen is a unix socket path, 0 for host:port. */
int	config_listen_is_unix(const struct config *c);
/* 1 if listen is a unix socket or a loopback address. */
int	config_listen_is_local(const struct config *c);
/*
 * 1 when the peer address sa (AF_INET or AF_INET6; an IPv4-mapped IPv6
 * address counts as IPv4) is in the list.
 */
struct sockaddr;
int	config_allow_match(const struct net_allow *, const struct sockaddr *);
/*
 * Reads a secret (a password, the audit key) from path into buf, without
 * the trailing newline: its length, or -1 (logged) when the file cannot be
 * read or others than its owner may read it (mode & 077: it must be
 * 0600).  At most size - 1 bytes; buf is always terminated.
 */
long	config_read_secret(const char *path, char *buf, size_t size);

#endif /* CONFIG_H */
