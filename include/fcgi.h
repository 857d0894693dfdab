/*
 * fcgi.h -- the FastCGI adapter: the only module that includes
 * <fcgiapp.h>.  A worker owns one fcgi_req and reuses it.
 */
#ifndef FCGI_H
#define FCGI_H

#include <stddef.h>

struct fcgi_req;

/* Initializes libfcgi for listen_fd; NULL on failure. */
struct fcgi_req	*fcgi_req_new(int listen_fd);
/*
 * Accepts one connection and reads its params.  0 on success, -1 when no
 * request was accepted (interrupted, another worker won, or an error):
 * the caller goes back to waiting.
 */
int		 fcgi_accept(struct fcgi_req *);
char		**fcgi_envp(struct fcgi_req *);
/* Body reader for struct request (ctx is the fcgi_req). */
int		 fcgi_read(void *ctx, char *buf, size_t n);
/* Writes all of p to stdout; -1 if the peer went away. */
int		 fcgi_write(struct fcgi_req *, const char *p, size_t n);
/* Ends the request and closes the connection. */
void		 fcgi_finish(struct fcgi_req *);

#endif /* FCGI_H */
