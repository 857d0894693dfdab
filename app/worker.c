/*
 * worker.c -- one request at a time: wait, accept, parse, route, answer.
 *
 * A worker holds up to worker_connections FastCGI connections.  nginx
 * keeps a connection open between requests when its upstream has
 * `keepalive` and `fastcgi_keep_conn on`; the worker then waits on the
 * connections it holds and, while it has a free slot, on the listening
 * socket and on the hand-over socket, all in one epoll set, and serves
 * whichever request comes first.  When it starts a request it passes the
 * other connections it holds to the hand-over socket, so a request nginx
 * sends on one of them meanwhile goes to a free worker rather than
 * waiting behind this one.  A connection with no free slot anywhere waits
 * in the listen queue; config.c's check (nginx's idle connections fewer
 * than all workers' slots) keeps one slot free or busy with a request
 * that ends, so it is never stuck behind idle ones.
 *
 * backroomd never closes a connection nginx may be about to send on (a
 * POST sent on a connection closed under it is a 502 nginx must not
 * retry).  A worker that leaves -- reload, recycling, stop -- passes each
 * connection it holds, idle and at a request boundary, to the others
 * over a unix socket pair (SCM_RIGHTS), so the next request on it is
 * served by a worker of the new generation; only when no worker can take
 * it (stop) is it closed.
 *
 * Signals are blocked except while waiting in epoll_pwait(), so SIGTERM or
 * SIGQUIT never interrupts a request half-way: a worker busy with a request
 * finishes it, then sees the flag and leaves; a worker idle in the wait
 * wakes at once.  EPOLLEXCLUSIVE wakes one idle worker per connection
 * instead of the whole pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
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

#define WORKER_PASS_WAIT_MS 1000	/* a full hand-over socket */
#define EV_LISTEN	0	/* epoll data: the listening socket */
#define EV_HANDOFF	1	/* the hand-over socket */
#define EV_CONN		2	/* + the index of a held connection; the
				 * upper 32 bits: the slot's serial */

struct worker {
	struct fcgi_req	*conn[BR_MAX_WORKER_CONNS];
	/* Bumped at each adoption: an event of a batch that names a slot
	 * since given another connection is stale. */
	uint32_t	 serial[BR_MAX_WORKER_CONNS];
	size_t		 nconn;		/* slots (worker_connections) */
	int		 ep;
	int		 accepting;	/* listen and hand-over in ep */
	struct arena	*a;
	struct response	 resp;
	struct buf	 out;
};

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


/*
 * nginx's $msec when it handed the request over (fastcgi_param
 * REQUEST_START): 1 when the request waited longer than
 * queue_deadline_ms, so the client has likely given up on it.
 */
static int
worker_queue_expired(const struct request *req)
{
	const char	*v = request_env(req, "REQUEST_START");
	struct timespec	 now;
	int64_t		 sec, ms = 0, age;
	char		*end;

	if (app.cfg.queue_deadline_ms == 0 || v == NULL)
		return 0;
	errno = 0;
	sec = strtoll(v, &end, 10);
	if (errno != 0 || end == v || sec < 0)
		return 0;
	if (*end == '.') {
		if (strlen(end + 1) != 3 || strspn(end + 1, "0123456789") != 3)
			return 0;
		ms = (end[1] - '0') * 100 + (end[2] - '0') * 10 + end[3] - '0';
	} else if (*end != '\0')
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	age = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 -
	    (sec * 1000 + ms);
	return age > app.cfg.queue_deadline_ms;
}

static void
worker_serve(struct worker *w, struct fcgi_req *fr)
{
	struct response	*resp = &w->resp;
	struct request	 req;
	int64_t		 t0 = now_mono_ms();
	struct timespec	 s, e;
	uint64_t	 stmt0 = metrics_own_statements();
	uint32_t	 us;
	char		 uri[256];
	int		 st;

	clock_gettime(CLOCK_MONOTONIC, &s);
#ifdef BR_FAULTS
	fault_begin(fcgi_envp(fr));
#endif
	response_reset(resp, w->a, app.tmpl);
	st = request_init(&req, w->a, fcgi_envp(fr), &app.cfg);
	req.body_read = fcgi_read;
	req.body_ctx = fr;
	log_set_request(req.request_id);
	scoreboard_request_start(app.sb, app.slot, req.method_str, req.uri,
	    req.request_id);
	if (st == 0 && worker_queue_expired(&req)) {
		metrics_conn(MC_QUEUE_DEADLINE);
		response_header(resp, "Retry-After", "1");
		response_error(resp, &req, 503, "The server is busy; the "
		    "request waited too long to be served.  Try again.");
	} else if (st != 0) {
		if (req.request_id[0] != '\0')
			response_header(resp, "X-Request-Id", req.request_id);
		response_error(resp, &req, st, st == 414 ? "URI too long." :
		    "Malformed query string, cookie or header.");
	} else {
		db_request_start();
		router_dispatch(&req, resp);
		db_request_start();
	}
#ifdef BR_FAULTS
	fault_end(resp);
	if (fault_drop_answer()) {
		log_info("fault: answer dropped, connection closed");
		fcgi_close(fr);
	} else
#endif
	if (response_serialize(resp, &req, &w->out) == -1 ||
	    fcgi_write(fr, w->out.data, w->out.len) == -1)
		log_info("client went away");
	clock_gettime(CLOCK_MONOTONIC, &e);
	us = (uint32_t)((e.tv_sec - s.tv_sec) * 1000000 +
	    (e.tv_nsec - s.tv_nsec) / 1000);
	metrics_request(req.route, resp->status, us,
	    metrics_own_statements() - stmt0);
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
	arena_reset(w->a);
}

/* Puts a held connection's socket in the epoll set; 0, or -1 (closed). */
static int
worker_watch(struct worker *w, size_t i)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)++w->serial[i] << 32 | (EV_CONN + (uint32_t)i);
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fcgi_fd(w->conn[i]), &ev) == -1) {
		log_warn("epoll_ctl: %s", strerror(errno));
		fcgi_close(w->conn[i]);
		return -1;
	}
	return 0;
}

/* Slots with a connection (at most worker_connections, 4 by default). */
static size_t
worker_held(const struct worker *w)
{
	size_t	i, n = 0;

	for (i = 0; i < w->nconn; i++)
		n += fcgi_fd(w->conn[i]) >= 0;
	return n;
}

static struct fcgi_req *
worker_free_slot(struct worker *w, size_t *idx)
{
	size_t	i;

	for (i = 0; i < w->nconn; i++)
		if (fcgi_fd(w->conn[i]) < 0) {
			*idx = i;
			return w->conn[i];
		}
	return NULL;
}

/* Listen and hand-over sockets in the epoll set exactly when on. */
static void
worker_accepting(struct worker *w, int on)
{
	struct epoll_event	ev;
	int			fds[2] = { app.listen_fd, app.handoff[1] };
	uint32_t		tags[2] = { EV_LISTEN, EV_HANDOFF };
	int			k;

	if (w->accepting == on)
		return;
	for (k = 0; k < 2; k++) {
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.u64 = tags[k];
		if (epoll_ctl(w->ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    fds[k], &ev) == -1)
			fatal("epoll_ctl");
	}
	w->accepting = on;
}

/*
 * A connection from the listen queue; -1 when another worker was quicker
 * or the peer is not in fastcgi_allow (closed at once, logged at most once
 * a second per worker).
 */
static int
worker_accept(void)
{
	static time_t		 last;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	char			 host[INET6_ADDRSTRLEN];
	const void		*ip;
	int			 fd;

	if ((fd = accept4(app.listen_fd, (struct sockaddr *)&ss, &len,
	    SOCK_CLOEXEC)) == -1)
		return -1;
	if (app.cfg.fastcgi_allow.n > 0 && (ss.ss_family == AF_INET ||
	    ss.ss_family == AF_INET6) &&
	    !config_allow_match(&app.cfg.fastcgi_allow,
	    (struct sockaddr *)&ss)) {
		if (time(NULL) != last) {
			if (ss.ss_family == AF_INET)
				ip = &((struct sockaddr_in *)&ss)->sin_addr;
			else
				ip = &((struct sockaddr_in6 *)&ss)->sin6_addr;
			log_warn("FastCGI connection from %s refused: not in "
			    "fastcgi_allow", inet_ntop(ss.ss_family, ip, host,
			    sizeof(host)) != NULL ? host : "?");
			last = time(NULL);
		}
		metrics_conn(MC_REFUSED);
		close(fd);
		return -1;
	}
	metrics_conn(MC_ACCEPTED);
	return fd;
}

/* One passed connection on the hand-over socket: a byte and its fd. */
struct handoff_msg {
	struct msghdr	msg;
	struct iovec	iov;
	char		byte;
	/* Last: clang takes CMSG_SPACE() for a variable size. */
	union {
		char		buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} u;
};

static void
handoff_msg(struct handoff_msg *h)
{
	memset(h, 0, sizeof(*h));
	h->byte = 'c';
	h->iov.iov_base = &h->byte;
	h->iov.iov_len = 1;
	h->msg.msg_iov = &h->iov;
	h->msg.msg_iovlen = 1;
	h->msg.msg_control = h->u.buf;
	h->msg.msg_controllen = sizeof(h->u.buf);
}

/* A new connection from the listen queue, or one a leaving worker passed:
 * -1 when another worker was quicker. */
static int
worker_take(int tag)
{
	struct handoff_msg	 h;
	struct cmsghdr		*cm;
	int			 fd = -1;

	if (tag == EV_LISTEN)
		return worker_accept();
	handoff_msg(&h);
	if (recvmsg(app.handoff[1], &h.msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)
	    != 1)
		return -1;
	if ((cm = CMSG_FIRSTHDR(&h.msg)) != NULL &&
	    cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(sizeof(int))) {
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		metrics_conn(MC_TAKEN);
	}
	return fd;
}

/*
 * Passes an idle connection to whichever worker has a free slot; 0, or -1
 * when the hand-over socket stays full for wait_ms (or is gone).
 */
static int
worker_pass(int fd, int wait_ms)
{
	struct handoff_msg	 h;
	struct cmsghdr		*cm;
	struct pollfd		 pfd;
	int64_t			 end = now_mono_ms() + wait_ms;

	handoff_msg(&h);
	cm = CMSG_FIRSTHDR(&h.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	while (sendmsg(app.handoff[0], &h.msg, MSG_DONTWAIT | MSG_NOSIGNAL)
	    != 1) {
		if ((errno != EAGAIN && errno != EINTR) ||
		    now_mono_ms() >= end)
			return -1;
		pfd.fd = app.handoff[0];
		pfd.events = POLLOUT;
		(void)poll(&pfd, 1, (int)(end - now_mono_ms()));
	}
	metrics_conn(MC_PASSED);
	return 0;
}

/*
 * Takes one waiting connection (tag: listening or hand-over socket) and
 * passes it on, closing it only when that fails.  EPOLLEXCLUSIVE woke
 * this worker alone; when it cannot take the connection itself (no free
 * slot, or leaving), the pass is a fresh wake-up for one of the others.
 * -1 when there was none.
 */
static int
worker_forward(int tag)
{
	int	fd;

	if ((fd = worker_take(tag)) == -1)
		return -1;
	if (worker_pass(fd, WORKER_PASS_WAIT_MS) == -1) {
		log_warn("hand-over socket full: closing a FastCGI connection");
		metrics_conn(MC_CLOSED);
	}
	close(fd);
	return 0;
}

/*
 * Passes every held connection but the one in slot keep (w->nconn: all)
 * to the other workers.  A worker holds them only while it waits: when it
 * starts a request, the others go, so a request nginx sends on one of
 * them meanwhile is served by a free worker instead of waiting behind
 * this one (nginx may use any idle connection it keeps).  When the
 * hand-over socket is full, a worker that stays keeps the connection (a
 * wait is better than a close under nginx); one that leaves waits up to
 * WORKER_PASS_WAIT_MS, then closes it.
 */
static void
worker_pass_held(struct worker *w, size_t keep, int leaving)
{
	size_t	i;
	int	fd;

	for (i = 0; i < w->nconn; i++) {
		if (i == keep || (fd = fcgi_fd(w->conn[i])) < 0)
			continue;
		if (worker_pass(fd, leaving ? WORKER_PASS_WAIT_MS : 0) == 0) {
			epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
			fcgi_release(w->conn[i]);
			close(fd);
		} else if (leaving) {
			log_warn("hand-over socket full: closing a FastCGI "
			    "connection");
			metrics_conn(MC_CLOSED);
			fcgi_close(w->conn[i]);
		}
	}
}

/*
 * Leaving: every held connection is idle at a request boundary (requests
 * are served whole), so it goes to another worker as it is, unread bytes
 * and all.  Then whatever waits on the listening and hand-over sockets is
 * forwarded too: a wake-up that reached this worker as it left would
 * otherwise be lost.  On stop no worker takes them and the master's exit
 * closes them.
 */
static void
worker_pass_all(struct worker *w)
{
	size_t	i;
	int	pending = 0;

	worker_accepting(w, 0);
	worker_pass_held(w, w->nconn, 1);
	/* Each passed connection is one byte; those passed above too. */
	if (ioctl(app.handoff[1], FIONREAD, &pending) == -1)
		pending = 0;
	while (pending-- > 0 && worker_forward(EV_HANDOFF) == 0)
		;
	for (i = 0; i < 1024 && worker_forward(EV_LISTEN) == 0; i++)
		;
}

/* One request from the connection in slot i, if it has one. */
static int
worker_conn_ready(struct worker *w, size_t i)
{
	static int	 warned;
	struct fcgi_req	*fr = w->conn[i];

	scoreboard_reading(app.slot);
	if (fcgi_accept(fr) == -1)
		return 0;		/* closed by libfcgi */
	if (worker_held(w) > 1)
		worker_pass_held(w, i, 0);
	if (fcgi_kept(fr))
		metrics_conn(MC_KEPT);
	if (fcgi_keep_asked(fr) && app.cfg.nginx_keepalive == 0 && !warned) {
		log_warn("nginx keeps FastCGI connections open but "
		    "nginx_keepalive is 0: set it (and nginx_workers) to "
		    "nginx's numbers so backroomd -t can check them");
		warned = 1;
	}
	worker_serve(w, fr);
	return 1;
}

/* 1 when fd has bytes (or an end) to read now. */
static int
worker_readable(int fd)
{
	struct pollfd	pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLIN | POLLHUP));
}

/* The listening or hand-over socket is readable. */
static int
worker_new_conn(struct worker *w, int tag)
{
	struct fcgi_req	*fr;
	size_t		 i;
	int		 fd;

	if ((fr = worker_free_slot(w, &i)) == NULL) {
		(void)worker_forward(tag);
		return 0;
	}
	if ((fd = worker_take(tag)) == -1)
		return 0;
	fcgi_adopt(fr, fd);
	if (worker_watch(w, i) == -1)
		return 0;
	/*
	 * A passed connection may have nothing to read yet: then wait for
	 * it.  One with a request waiting is the oldest in the queue: serve
	 * it now, before the other ready ones, or it would be passed on
	 * again and go to the back.
	 */
	if (tag == EV_HANDOFF && !worker_readable(fd))
		return 0;
	return worker_conn_ready(w, i);
}

static void
worker_setup(struct worker *w)
{
	size_t	i;

	memset(w, 0, sizeof(*w));
	w->nconn = (size_t)app.cfg.worker_connections;
	if ((w->a = arena_create(BR_ARENA_CAP)) == NULL)
		fatalx("worker setup failed");
	for (i = 0; i < w->nconn; i++)
		if ((w->conn[i] = fcgi_req_new()) == NULL)
			fatalx("worker setup failed");
	buf_init(&w->resp.body, BR_MAX_RESPONSE);
	buf_init(&w->out, BR_MAX_RESPONSE + 64 * 1024);
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	worker_accepting(w, 1);
}

void
worker_main(int slot)
{
	struct epoll_event	 ev[8];
	struct worker		 w;
	sigset_t		 waitmask;
	uint64_t		 served = 0, limit = 0;
	uint32_t		 tag;
	size_t			 i;
	int			 n, k;

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
	worker_setup(&w);
	/* db_configure() ran in the master (it reads the password file as
	 * root); the settings are inherited.  From here on, only the system
	 * calls serving needs (sandbox.h). */
	if (app.cfg.seccomp && sandbox_enter() == -1)
		fatalx("seccomp");
	while (!worker_stop && (limit == 0 || served < limit)) {
		app.slot->state = SB_IDLE;
		worker_accepting(&w, worker_held(&w) < w.nconn);
		n = epoll_pwait(w.ep, ev, 8, -1, &waitmask);
		/* Serve what is ready; a signal ends the round. */
		for (k = 0; k < n && !worker_stop; k++) {
			tag = (uint32_t)ev[k].data.u64;
			i = tag - EV_CONN;
			if (tag >= EV_CONN && i < w.nconn &&
			    fcgi_fd(w.conn[i]) >= 0 && w.serial[i] ==
			    (uint32_t)(ev[k].data.u64 >> 32))
				served += (uint64_t)worker_conn_ready(&w, i);
			else if (tag == EV_LISTEN || tag == EV_HANDOFF)
				served += (uint64_t)worker_new_conn(&w,
				    (int)tag);
			if (limit != 0 && served >= limit)
				break;
		}
	}
	app.slot->state = SB_EXITING;
	worker_pass_all(&w);
	if (!worker_stop)
		log_info("recycling after %llu requests",
		    (unsigned long long)served);
	db_close();
	exit(0);
}
