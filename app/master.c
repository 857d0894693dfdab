/*
 * master.c -- the process manager (php-fpm's master, OpenBSD slowcgi).
 *
 * Binds the FastCGI socket once, forks workers, and then only supervises:
 * it never serves a request and never holds a database connection.  All
 * signals are blocked and taken synchronously with sigtimedwait(), so
 * there are no handlers racing with the loop.
 *
 * Reload (SIGHUP): a new config and templates are parsed; if either is
 * invalid the old ones stay.  Otherwise a new generation of workers is
 * forked and the old one told to finish its in-flight request and exit
 * (SIGQUIT).  The listening socket is never closed, so nginx's connections
 * queue in the backlog instead of being refused.  `listen`, `user` and
 * `group` need a restart: a reload keeps the old values and says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "assets.h"
#include "auditchain.h"
#include "db.h"
#include "escape.h"
#include "housekeeping.h"
#include "log.h"
#include "metrics.h"
#include "password.h"
#include "scoreboard.h"
#include "str.h"
#include "tmpl.h"

#define CRASH_WINDOW_MS		2000	/* died this soon after start: crash */
#define BACKOFF_MAX_MS		10000

struct app	app;

static int	stopping;
static int64_t	stop_deadline, old_deadline;
static int	crashes;
static int64_t	next_spawn_ms;
static pid_t	hk_pid;		/* housekeeping child, 0: none */
/*
 * What the master knows of each slot's worker, in its own memory: the
 * shared scoreboard is written by the workers too, so a pid or generation
 * read from it must never decide whom the (root) master signals.
 */
static struct {
	pid_t	 pid;		/* 0: free */
	int	 generation;
	int	 timed_out;	/* killed by the watchdog (logged) */
} own[BR_SCOREBOARD_SLOTS];
static int64_t	next_hk_ms;

/* Opens the log file onto stderr (O_APPEND: whole-line writes). */
static int
master_open_log(const char *path)
{
	int	fd;

	if (path[0] == '\0')
		return 0;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	if (dup2(fd, STDERR_FILENO) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
listen_unix(const struct config *c)
{
	struct sockaddr_un	 sun;
	struct passwd		*pw;
	struct group		*gr;
	uid_t			 uid = (uid_t)-1;
	gid_t			 gid = (gid_t)-1;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (str_copy(sun.sun_path, sizeof(sun.sun_path), c->listen) == -1)
		fatalx("listen path too long: %s", c->listen);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	(void)unlink(c->listen);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", c->listen);
	if (geteuid() == 0 && c->user[0] != '\0') {
		if ((pw = getpwnam(c->user)) == NULL)
			fatalx("unknown user %s", c->user);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (geteuid() == 0 && c->group[0] != '\0') {
		if ((gr = getgrnam(c->group)) == NULL)
			fatalx("unknown group %s", c->group);
		gid = gr->gr_gid;
	}
	if (geteuid() == 0 && chown(c->listen, uid, gid) == -1)
		fatal("chown %s", c->listen);
	if (chmod(c->listen, (mode_t)c->listen_mode) == -1)
		fatal("chmod %s", c->listen);
	return fd;
}

static int
listen_tcp(const struct config *c)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	char			 host[64];
	const char		*colon = strrchr(c->listen, ':');
	int64_t			 port;
	socklen_t		 len;
	int			 fd, on = 1;

	if (colon == NULL || (size_t)(colon - c->listen) >= sizeof(host) ||
	    str_to_i64(colon + 1, 1, 65535, &port) == -1)
		fatalx("listen: expected HOST:PORT, got %s", c->listen);
	memcpy(host, c->listen, (size_t)(colon - c->listen));
	host[colon - c->listen] = '\0';
	memset(&ss, 0, sizeof(ss));
	if (host[0] == '[') {
		host[strlen(host) - 1] = '\0';
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			fatalx("listen: bad address %s", host);
		len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			fatalx("listen: bad address %s", host);
		len = sizeof(*sin);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1)
		fatal("bind %s", c->listen);
	return fd;
}

static void
master_listen(void)
{
	const struct config	*c = &app.cfg;
	int			 fd, fl, buf = 8 * 1024 * 1024;

	fd = config_listen_is_unix(c) ? listen_unix(c) : listen_tcp(c);
	if (listen(fd, (int)c->listen_backlog) == -1)
		fatal("listen");
	/* Non-blocking: workers accept after epoll; see fcgi.c. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		fatal("fcntl");
	app.listen_fd = fd;
	/* Stream, not datagram: a datagram pair queues only
	 * net.unix.max_dgram_qlen (10) passed connections. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	    app.handoff) == -1)
		fatal("socketpair");
	/*
	 * Room for many passed connections at once (each is a message of a
	 * few hundred bytes in the kernel): past net.core.wmem_max when
	 * running as root.
	 */
	if (setsockopt(app.handoff[0], SOL_SOCKET, SO_SNDBUFFORCE, &buf,
	    sizeof(buf)) == -1)
		(void)setsockopt(app.handoff[0], SOL_SOCKET, SO_SNDBUF, &buf,
		    sizeof(buf));
}

/* Forks a worker into a free slot; -1 (and a retry in a second) if there is
 * no free slot or fork fails, so callers never spin. */
static int
master_spawn(void)
{
	struct sb_slot	*s = NULL;
	pid_t		 pid;
	int		 i;

	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++)
		if (own[i].pid == 0) {
			s = &app.sb->slots[i];
			break;
		}
	if (s == NULL) {
		log_warn("no free scoreboard slot");
		next_spawn_ms = now_mono_ms() + 1000;
		return -1;
	}
	memset(s, 0, sizeof(*s));
	s->state = SB_STARTING;
	s->generation = app.generation;
	s->started_ms = now_wall_ms();
	if ((pid = fork()) == -1) {
		log_err("fork: %s", strerror(errno));
		s->state = SB_FREE;
		next_spawn_ms = now_mono_ms() + 1000;
		return -1;
	}
	if (pid == 0) {
		s->pid = getpid();
		worker_main(i);
	}
	s->pid = pid;
	own[i].pid = pid;
	own[i].generation = app.generation;
	own[i].timed_out = 0;
	return 0;
}

static int
live_workers(int generation_only)
{
	int	i, n = 0;

	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++)
		if (own[i].pid != 0 && (!generation_only ||
		    own[i].generation == app.generation))
			n++;
	return n;
}

static void
master_signal_workers(int sig, int old_only)
{
	int	i;

	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++)
		if (own[i].pid > 0 && (!old_only ||
		    own[i].generation != app.generation))
			kill(own[i].pid, sig);
}

/* Logs how the worker of slot i ended and frees the slot; counts
 * crashes. */
static void
master_reaped(int i, int status)
{
	struct sb_slot	*s = &app.sb->slots[i];
	char		 uri[256];
	int		 busy = s->state == SB_BUSY || s->state == SB_READING;
	int		 died = WIFSIGNALED(status) || WEXITSTATUS(status) != 0;
	int64_t		 lived = now_wall_ms() - s->started_ms;

	/* A worker that died mid-request never ran scoreboard_request_end. */
	if (s->state == SB_BUSY)
		__atomic_sub_fetch(&app.sb->active, 1, __ATOMIC_RELAXED);
	if (own[i].timed_out)		/* the watchdog logged why */
		log_info("worker %d reaped after the request_timeout kill",
		    (int)own[i].pid);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
		log_err("worker %d killed by seccomp: a forbidden system call "
		    "while serving %s %s [%s]", (int)own[i].pid, s->method,
		    escape_log(uri, sizeof(uri), s->uri), s->request_id);
	else if (WIFSIGNALED(status)) {
		if (busy)
			log_err("worker %d killed by signal %d while serving "
			    "%s %s [%s]", (int)own[i].pid, WTERMSIG(status),
			    s->method, escape_log(uri, sizeof(uri), s->uri),
			    s->request_id);
		else
			log_err("worker %d killed by signal %d (idle)",
			    (int)own[i].pid, WTERMSIG(status));
	} else if (WEXITSTATUS(status) != 0)
		log_err("worker %d exited with status %d", (int)own[i].pid,
		    WEXITSTATUS(status));
	if (died)
		metrics_worker_died();
	if (died && own[i].generation == app.generation && !stopping) {
		if (lived < CRASH_WINDOW_MS) {
			int delay = 100 << (crashes < 7 ? crashes : 7);
			crashes++;
			if (delay > BACKOFF_MAX_MS)
				delay = BACKOFF_MAX_MS;
			next_spawn_ms = now_mono_ms() + delay;
			log_warn("crash loop: %d quick deaths, next worker in "
			    "%d ms", crashes, delay);
		} else
			crashes = 0;
	}
	own[i].pid = 0;
	s->pid = 0;
	s->state = SB_FREE;
}

static void
master_reap(void)
{
	pid_t	pid;
	int	status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == hk_pid) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				log_warn("housekeeping child %d failed",
				    (int)pid);
			hk_pid = 0;
			continue;
		}
		for (i = 0; i < BR_SCOREBOARD_SLOTS; i++)
			if (own[i].pid == pid) {
				master_reaped(i, status);
				break;
			}
	}
}

/* Kills workers busy past request_timeout, and old ones past the drain. */
static void
master_watchdog(void)
{
	int64_t	now = now_mono_ms();
	char	uri[256];
	int	i;

	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++) {
		struct sb_slot *s = &app.sb->slots[i];
		if (own[i].pid <= 0)
			continue;
		if ((s->state == SB_BUSY || s->state == SB_READING) &&
		    app.cfg.request_timeout > 0 &&
		    now - s->req_start_ms > app.cfg.request_timeout * 1000 &&
		    !own[i].timed_out) {
			log_err("request_timeout: killing worker %d after %lld "
			    "ms serving %s %s [%s]", (int)own[i].pid,
			    (long long)(now - s->req_start_ms), s->method,
			    escape_log(uri, sizeof(uri), s->uri),
			    s->request_id);
			kill(own[i].pid, SIGKILL);
			own[i].timed_out = 1;	/* do not log twice */
		}
		if (own[i].generation != app.generation && old_deadline != 0 &&
		    now > old_deadline)
			kill(own[i].pid, SIGKILL);
	}
}

/*
 * Starts a new generation of workers and tells the old ones to finish their
 * request and leave (SIGQUIT).  The listening socket is never closed, so no
 * connection is refused meanwhile.
 */
static void
master_replace_workers(void)
{
	app.generation++;
	app.sb->workers = (uint32_t)app.cfg.workers;
	crashes = 0;
	next_spawn_ms = 0;
	/* Old workers keep their slots until they exit; whatever does not
	 * fit now is spawned by the main loop as they go. */
	while (live_workers(1) < app.cfg.workers && master_spawn() == 0)
		;
	master_signal_workers(SIGQUIT, 1);
	old_deadline = now_mono_ms() + app.cfg.shutdown_timeout * 1000;
}

/* host_name, or the system's host name made safe for a label value. */
static void
master_host_name(void)
{
	size_t	i;

	/* Both fit: host_name is as long as app.host. */
	if (app.cfg.host_name[0] != '\0') {
		memcpy(app.host, app.cfg.host_name, sizeof(app.host));
		return;
	}
	memset(app.host, 0, sizeof(app.host));
	if (gethostname(app.host, sizeof(app.host) - 1) == -1)
		memcpy(app.host, "unknown", sizeof("unknown"));
	for (i = 0; app.host[i] != '\0'; i++)
		if (strchr(CONFIG_HOST_CHARS, app.host[i]) == NULL)
			app.host[i] = '_';
}

static void
master_reload(void)
{
	static struct assets	 na;
	struct config	 nc;
	struct tmpl_set	*nt;
	char		 err[512];

	log_info("reloading %s", app.cfg.path);
	if (config_load(app.cfg.path, &nc, err, sizeof(err)) == -1) {
		log_err("reload refused, keeping the running config: %s", err);
		return;
	}
	if (geteuid() == 0 && nc.user[0] == '\0') {
		log_err("reload refused: no `user`, the workers would serve "
		    "as root (user = root to insist)");
		return;
	}
	if ((nt = tmpl_load_dir(nc.templates_dir, err, sizeof(err))) == NULL) {
		log_err("reload refused, templates: %s", err);
		return;
	}
	if (password_policy_load(nc.password_list) == -1) {
		log_err("reload refused: cannot load password_list %s",
		    nc.password_list);
		tmpl_set_free(nt);
		return;
	}
	if (audit_key_load(nc.audit_key_file) == -1) {
		log_err("reload refused: cannot load audit_key_file %s",
		    nc.audit_key_file);
		(void)audit_key_load(app.cfg.audit_key_file);
		tmpl_set_free(nt);
		return;
	}
	if (assets_load(nc.static_dir, &na) == -1) {
		log_err("reload refused: cannot read static_dir %s",
		    nc.static_dir);
		(void)audit_key_load(app.cfg.audit_key_file);
		tmpl_set_free(nt);
		return;
	}
	assets_use(&na);
	if (strcmp(nc.listen, app.cfg.listen) || strcmp(nc.user, app.cfg.user)
	    || strcmp(nc.group, app.cfg.group)) {
		log_warn("listen, user and group need a restart; keeping %s",
		    app.cfg.listen);
		memcpy(nc.listen, app.cfg.listen, sizeof(nc.listen));
		memcpy(nc.user, app.cfg.user, sizeof(nc.user));
		memcpy(nc.group, app.cfg.group, sizeof(nc.group));
	}
	if (strcmp(nc.log_file, app.cfg.log_file) != 0 &&
	    master_open_log(nc.log_file) == -1)
		log_err("cannot open %s: %s", nc.log_file, strerror(errno));
	app.cfg = nc;
	master_host_name();
	tmpl_set_free(app.tmpl);
	app.tmpl = nt;
	log_set_level((enum log_level)app.cfg.log_level);
	db_configure(&app.cfg);
	master_replace_workers();
	log_info("reloaded: generation %d, %ld workers", app.generation,
	    app.cfg.workers);
}

/* Every housekeeping_interval seconds, one short-lived child cleans up. */
static void
master_housekeeping(void)
{
	struct arena	*a;
	sigset_t	 none;
	pid_t		 pid;
	int		 rv;

	if (app.cfg.housekeeping_interval == 0 || hk_pid != 0 ||
	    now_mono_ms() < next_hk_ms)
		return;
	next_hk_ms = now_mono_ms() + app.cfg.housekeeping_interval * 1000;
	if (housekeeping_secrets(&app.cfg) == -1)
		return;
	if ((pid = fork()) == -1) {
		log_err("fork housekeeping: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		hk_pid = pid;
		return;
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	worker_privdrop();
	if ((a = arena_create(BR_ARENA_CAP)) == NULL)
		_exit(1);
	rv = housekeeping_run(a, &app.cfg);
	/* Closed, not dropped: MariaDB logs a dropped one as aborted. */
	db_close();
	_exit(rv == 0 ? 0 : 1);
}

static void
master_write_pid(void)
{
	FILE	*f;

	if (app.cfg.pid_file[0] == '\0')
		return;
	if ((f = fopen(app.cfg.pid_file, "w")) == NULL)
		fatal("cannot write %s", app.cfg.pid_file);
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

/* Refuses to start against a schema that is behind this binary. */
static void
master_check_schema(void)
{
	int	rv;

	db_configure(&app.cfg);
	rv = db_connect();
	db_close();
	if (rv == DB_SCHEMA)
		fatalx("the database schema is behind this backroomd (needs "
		    "version %d): run `backroomd -c %s migrate` first",
		    SCHEMA_VERSION, app.cfg.path);
	if (rv != DB_OK)
		log_warn("database not reachable (%s); serving 503 until it is",
		    db_last_error());
}

static void
master_handle(int sig)
{
	switch (sig) {
	case SIGCHLD:
		break;
	case SIGHUP:
		if (!stopping)
			master_reload();
		break;
	case SIGUSR1:
		/* Workers have dropped privileges and may not open the log
		 * themselves: they are replaced, inheriting the new file. */
		if (master_open_log(app.cfg.log_file) == -1)
			log_err("cannot reopen %s", app.cfg.log_file);
		else if (!stopping) {
			master_replace_workers();
			log_info("log reopened; workers replaced (generation "
			    "%d)", app.generation);
		}
		break;
	case SIGTERM:
	case SIGQUIT:
	case SIGINT:
		if (stopping)
			break;
		log_info("stopping: waiting up to %lds for in-flight requests",
		    app.cfg.shutdown_timeout);
		stopping = 1;
		stop_deadline = now_mono_ms() + app.cfg.shutdown_timeout * 1000;
		master_signal_workers(SIGTERM, 0);
		break;
	default:
		fatalx("unexpected signal %d", sig);
	}
}

/*
 * No core files and no ptrace by the workers' user: a core of the master
 * or a worker would hold the database password and session secrets.
 * Workers inherit both; they set PR_SET_DUMPABLE again after setresuid.
 */
static void
master_no_core(void)
{
	struct rlimit	rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		log_warn("setrlimit RLIMIT_CORE: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		log_warn("PR_SET_DUMPABLE: %s", strerror(errno));
}

int
master_run(void)
{
	static struct assets	 na;
	struct timespec	 tick = { 0, 100 * 1000000 };
	sigset_t	 set;
	char		 err[512];
	int		 sig;

	app.master_pid = getpid();
	master_host_name();
	master_no_core();
	if (master_open_log(app.cfg.log_file) == -1)
		fatal("cannot open log %s", app.cfg.log_file);
	log_set_level((enum log_level)app.cfg.log_level);
	if ((app.tmpl = tmpl_load_dir(app.cfg.templates_dir, err,
	    sizeof(err))) == NULL)
		fatalx("templates: %s", err);
	if (password_policy_load(app.cfg.password_list) == -1)
		fatalx("cannot load password_list %s", app.cfg.password_list);
	if (audit_key_load(app.cfg.audit_key_file) == -1)
		fatalx("cannot load audit_key_file %s", app.cfg.audit_key_file);
	if (assets_load(app.cfg.static_dir, &na) == -1)
		fatalx("cannot read static_dir %s", app.cfg.static_dir);
	assets_use(&na);
	master_check_schema();
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	master_listen();
	master_write_pid();
	app.sb = scoreboard_create();
	metrics_attach(&app.sb->metrics);
	app.sb->workers = (uint32_t)app.cfg.workers;
	log_info("listening on %s with %ld workers", app.cfg.listen,
	    app.cfg.workers);
	for (;;) {
		master_reap();
		if (stopping) {
			if (live_workers(0) == 0)
				break;
			if (now_mono_ms() > stop_deadline) {
				log_warn("shutdown_timeout: killing workers");
				master_signal_workers(SIGKILL, 0);
			}
		} else {
			while (live_workers(1) < app.cfg.workers &&
			    now_mono_ms() >= next_spawn_ms &&
			    master_spawn() == 0)
				;
			if (live_workers(0) == live_workers(1))
				old_deadline = 0;
		}
		master_watchdog();
		if (!stopping)
			master_housekeeping();
		if ((sig = sigtimedwait(&set, NULL, &tick)) > 0)
			master_handle(sig);
	}
	if (config_listen_is_unix(&app.cfg))
		(void)unlink(app.cfg.listen);
	if (app.cfg.pid_file[0] != '\0')
		(void)unlink(app.cfg.pid_file);
	log_info("stopped");
	return 0;
}
