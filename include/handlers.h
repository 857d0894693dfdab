/*
 * handlers.h -- every handler the route table names.  One file per
 * resource in app/handlers/.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

struct request;
struct response;

/* h_ops.c: operations endpoints */
void	h_healthz(struct request *, struct response *);
void	h_readyz(struct request *, struct response *);
void	h_status(struct request *, struct response *);
/* h_home.c */
void	h_home(struct request *, struct response *);
/* h_debug.c: only with debug_routes = yes */
void	h_debug_sleep(struct request *, struct response *);
void	h_debug_echo(struct request *, struct response *);
void	h_debug_echo_json(struct request *, struct response *);

/* Answers a database failure (503 with Retry-After, or 500). */
void	h_db_error(struct request *, struct response *, int db_status);

#endif /* HANDLERS_H */
