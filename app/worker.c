/*
 * worker.c -- one request at a time: wait, accept, parse, route, answer.
 *
 * Signals are blocked except while waiting in epoll_pwait(), so SIGTERM or
 * SIGQUIT never interrupts a request half-way: a worker busy with a request
 * finishes it, then sees the flag and exits; a worker idle in the wait
 * wakes at once.  EPOLLEXCLUSIVE wakes one idle worker per connection
 * instead of the whole pool.
 */
#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "db.h"
#include "escape.h"
#include "fault.h"
#include "fcgi.h"
#include "log.h"
#include "metrics.h"
#include "request.h"
#include "response.h"
#include "sandbox.h"
#include "router.h"
#include "scoreboard.h"

static volatile sig_atomic_t	worker_stop;

static void
worker_on_signal(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void
worker_signals(sigset_t *waitmask)
{
	struct sigaction	sa;
	sigset_t		block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(waitmask);
}

/* Drops to the configured user and group when running as root (workers
 * and the housekeeping child). */
void
worker_privdrop(void)
{
	const struct config	*c = &app.cfg;
	struct passwd		*pw;
	struct group		*gr;
	gid_t			 gid;

	if (geteuid() == 0 && c->user[0] != '\0') {
		if ((pw = getpwnam(c->user)) == NULL)
			fatalx("unknown user %s", c->user);
		gid = pw->pw_gid;
		if (c->group[0] != '\0') {
			if ((gr = getgrnam(c->group)) == NULL)
				fatalx("unknown group %s", c->group);
			gid = gr->gr_gid;
		}
		if (setgroups(1, &gid) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
			fatal("cannot drop privileges to %s", c->user);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("no_new_privs");
	/* setresuid() may have made the process dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	/*
	 * Leave with the master, whatever killed it.  Set after the uid
	 * change, which clears it (prctl(2)); if the master died before this
	 * line, we are already orphaned.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("pdeathsig");
	if (getppid() != app.master_pid)
		fatalx("master is gone");
}

static void
worker_serve(struct fcgi_req *fr, struct arena *a, struct response *resp,
    struct buf *out)
{
	struct request	req;
	int64_t		t0 = now_mono_ms();
	struct timespec	s, e;
	uint32_t	us;
	char		uri[256];
	int		st;

	clock_gettime(CLOCK_MONOTONIC, &s);
#ifdef BR_FAULTS
	fault_begin(fcgi_envp(fr));
#endif
	response_reset(resp, a, app.tmpl);
	st = request_init(&req, a, fcgi_envp(fr), &app.cfg);
	req.body_read = fcgi_read;
	req.body_ctx = fr;
	log_set_request(req.request_id);
	scoreboard_request_start(app.sb, app.slot, req.method_str, req.uri,
	    req.request_id);
	if (st != 0) {
		if (req.request_id[0] != '\0')
			response_header(resp, "X-Request-Id", req.request_id);
		response_error(resp, &req, st, st == 414 ? "URI too long." :
		    "Malformed query string, cookie or header.");
	} else
		router_dispatch(&req, resp);
#ifdef BR_FAULTS
	fault_end(resp);
#endif
	if (response_serialize(resp, &req, out) == -1 ||
	    fcgi_write(fr, out->data, out->len) == -1)
		log_info("client went away");
	clock_gettime(CLOCK_MONOTONIC, &e);
	us = (uint32_t)((e.tv_sec - s.tv_sec) * 1000000 +
	    (e.tv_nsec - s.tv_nsec) / 1000);
	metrics_request(req.route, resp->status, us);
	if (now_mono_ms() - t0 >= app.cfg.slow_request_ms) {
		log_warn("slow request: %s %s took %u ms, status %d",
		    req.method_str, escape_log(uri, sizeof(uri), req.uri),
		    us / 1000, resp->status);
		scoreboard_request_end(app.sb, app.slot, us, 1);
	} else
		scoreboard_request_end(app.sb, app.slot, us, 0);
	/* Frees the params req points into: keep it after the last use. */
	fcgi_finish(fr);
	log_set_request(NULL);
	arena_reset(a);
}

void
worker_main(int slot)
{
	struct epoll_event	 ev;
	struct fcgi_req		*fr;
	struct arena		*a;
	struct response		 resp;
	struct buf		 out;
	sigset_t		 waitmask;
	uint64_t		 served = 0, limit = 0;
	int			 ep, n;

	app.slot = &app.sb->slots[slot];
	/*
	 * A fixed mmap threshold: a large block (argon2's 19 MiB, a big
	 * response) is mapped and returned to the kernel when freed, instead
	 * of raising glibc's dynamic threshold and staying in the heap.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	worker_signals(&waitmask);
	worker_privdrop();
	srandom((unsigned int)(getpid() ^ time(NULL)));
	if (app.cfg.max_requests > 0)
		limit = (uint64_t)app.cfg.max_requests +
		    (app.cfg.max_requests_jitter > 0 ? (uint64_t)(random() %
		    (app.cfg.max_requests_jitter + 1)) : 0);
	if ((a = arena_create(BR_ARENA_CAP)) == NULL ||
	    (fr = fcgi_req_new(app.listen_fd)) == NULL)
		fatalx("worker setup failed");
	buf_init(&resp.body, BR_MAX_RESPONSE);
	buf_init(&out, BR_MAX_RESPONSE + 64 * 1024);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = app.listen_fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, app.listen_fd, &ev) == -1)
		fatal("epoll_ctl");
	/* db_configure() ran in the master (it reads the password file as
	 * root); the settings are inherited.  From here on, only the system
	 * calls serving needs (sandbox.h). */
	if (app.cfg.seccomp && sandbox_enter() == -1)
		fatalx("seccomp");
	while (!worker_stop && (limit == 0 || served < limit)) {
		app.slot->state = SB_IDLE;
		n = epoll_pwait(ep, &ev, 1, -1, &waitmask);
		if (n <= 0 || worker_stop)
			continue;
		scoreboard_reading(app.slot);
		if (fcgi_accept(fr) == -1)
			continue;
		worker_serve(fr, a, &resp, &out);
		served++;
	}
	app.slot->state = SB_EXITING;
	if (!worker_stop)
		log_info("recycling after %llu requests",
		    (unsigned long long)served);
	db_close();
	exit(0);
}
