/*
 * fcgi.h -- the FastCGI adapter: the only module that includes
 * <fcgiapp.h>.  One fcgi_req stands for one connection a worker holds;
 * a worker owns up to worker_connections of them and reuses each.
 */
#ifndef FCGI_H
#define FCGI_H

#include <stddef.h>

struct fcgi_req;

/* A free connection slot; NULL on failure. */
struct fcgi_req	*fcgi_req_new(void);
/* Takes over fd, a connected socket (accepted, or passed by a worker
 * that left): the next fcgi_accept() reads a request from it. */
void		 fcgi_adopt(struct fcgi_req *, int fd);
/* The connection's socket, or -1 when the slot is free. */
int		 fcgi_fd(const struct fcgi_req *);
/*
 * Reads the next request's params from the connection.  0 on success;
 * -1 when the peer closed it or broke the protocol: the connection is
 * closed and the slot free.
 */
int		 fcgi_accept(struct fcgi_req *);
/* 1 when the request came on a connection that served one before. */
int		 fcgi_kept(const struct fcgi_req *);
/* 1 when nginx asked to keep the connection (FCGI_KEEP_CONN). */
int		 fcgi_keep_asked(const struct fcgi_req *);
char		**fcgi_envp(struct fcgi_req *);
/* Body reader for struct request (ctx is the fcgi_req). */
int		 fcgi_read(void *ctx, char *buf, size_t n);
/* Writes all of p to stdout; -1 if the peer went away. */
int		 fcgi_write(struct fcgi_req *, const char *p, size_t n);
/*
 * Ends the request.  The connection stays open when nginx asked to keep
 * it (FCGI_KEEP_CONN) and the unread body could be read off; otherwise
 * it is closed and the slot free.
 */
void		 fcgi_finish(struct fcgi_req *);
/* Forgets the connection without closing it and returns its socket (to
 * pass to another worker); the slot is free. */
int		 fcgi_release(struct fcgi_req *);
/* Closes the connection; the slot is free. */
void		 fcgi_close(struct fcgi_req *);

#endif /* FCGI_H */
