/*
 * fcgi.c -- libfcgi behind a small interface: one fcgi_req per FastCGI
 * connection a worker holds.
 *
 * libfcgi never accepts here: its requests have no listening socket
 * (listen_sock -1, so the accept it would try after a closed connection
 * fails at once), and the worker hands each connection it accepted or
 * was passed to fcgi_adopt().  When nginx sets FCGI_KEEP_CONN, libfcgi
 * keeps the socket open after the request and FCGX_Accept_r() reads the
 * next request from it; fcgi_finish() first reads off whatever body the
 * handler left unread, so the next request starts at a record boundary.
 */
#include <limits.h>
#include <stdlib.h>

#include <fcgiapp.h>

#include "bounds.h"
#include "fcgi.h"

struct fcgi_req {
	FCGX_Request	req;
	int		accepted;
	unsigned	served;		/* requests since fcgi_adopt() */
};

struct fcgi_req *
fcgi_req_new(void)
{
	struct fcgi_req	*f;

	if (FCGX_Init() != 0)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if (FCGX_InitRequest(&f->req, -1, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

void
fcgi_adopt(struct fcgi_req *f, int fd)
{
	f->req.ipcFd = fd;
	/* Else FCGX_Accept_r() would close it as a finished connection. */
	f->req.keepConnection = 1;
	f->accepted = 0;
	f->served = 0;
}

int
fcgi_fd(const struct fcgi_req *f)
{
	return f->req.ipcFd;
}

int
fcgi_accept(struct fcgi_req *f)
{
	if (f->req.ipcFd < 0 || FCGX_Accept_r(&f->req) < 0)
		return -1;
	f->accepted = 1;
	f->served++;
	return 0;
}

int
fcgi_kept(const struct fcgi_req *f)
{
	return f->served > 1;
}

int
fcgi_keep_asked(const struct fcgi_req *f)
{
	return f->req.keepConnection != 0;
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

/* Reads the rest of the body; 0 at its end, -1 past the cap or on error. */
static int
fcgi_drain(struct fcgi_req *f)
{
	char	buf[8192];
	size_t	total = 0;
	int	n;

	while ((n = FCGX_GetStr(buf, sizeof(buf), f->req.in)) > 0)
		if ((total += (size_t)n) > BR_MAX_BODY)
			return -1;
	return FCGX_GetError(f->req.in) != 0 ? -1 : 0;
}

void
fcgi_finish(struct fcgi_req *f)
{
	if (!f->accepted)
		return;
	if (f->req.keepConnection && fcgi_drain(f) == -1)
		f->req.keepConnection = 0;
	FCGX_Finish_r(&f->req);
	f->accepted = 0;
}

int
fcgi_release(struct fcgi_req *f)
{
	int	fd = f->req.ipcFd;

	f->req.ipcFd = -1;
	return fd;
}

void
fcgi_close(struct fcgi_req *f)
{
	f->req.keepConnection = 0;
	FCGX_Free(&f->req, 1);
	f->accepted = 0;
}
