/*
 * fcgi.c -- libfcgi behind a small interface.
 *
 * The listening socket is non-blocking, and the worker only calls
 * fcgi_accept() after epoll reported it readable; when another worker won
 * the race, accept() fails with EAGAIN and libfcgi returns an error that we
 * treat as "nothing to do".  Accepted sockets are blocking (Linux does not
 * inherit O_NONBLOCK through accept).  FCGI_FAIL_ACCEPT_ON_INTR keeps
 * libfcgi from restarting accept() after a signal.
 */
#include <limits.h>
#include <stdlib.h>

#include <fcgiapp.h>

#include "fcgi.h"

struct fcgi_req {
	FCGX_Request	req;
	int		accepted;
};

struct fcgi_req *
fcgi_req_new(int listen_fd)
{
	struct fcgi_req	*f;

	if (FCGX_Init() != 0)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (FCGX_InitRequest(&f->req, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR)
	    != 0) {
		free(f);
		return NULL;
	}
	return f;
}

int
fcgi_accept(struct fcgi_req *f)
{
	if (FCGX_Accept_r(&f->req) < 0)
		return -1;
	f->accepted = 1;
	return 0;
}

char **
fcgi_envp(struct fcgi_req *f)
{
	return f->req.envp;
}

int
fcgi_read(void *ctx, char *buf, size_t n)
{
	struct fcgi_req	*f = ctx;

	if (n > INT_MAX)
		n = INT_MAX;
	return FCGX_GetStr(buf, (int)n, f->req.in);
}

int
fcgi_write(struct fcgi_req *f, const char *p, size_t n)
{
	int	w;

	while (n > 0) {
		w = FCGX_PutStr(p, n > INT_MAX ? INT_MAX : (int)n, f->req.out);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
fcgi_finish(struct fcgi_req *f)
{
	if (f->accepted)
		FCGX_Finish_r(&f->req);
	f->accepted = 0;
}
