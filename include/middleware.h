/*
 * middleware.h -- authentication, forced password change, CSRF, permission
 * and token scope, run by router_dispatch() between routing and the
 * handler.  See middleware.c for the order and the refusals.
 */
#ifndef MIDDLEWARE_H
#define MIDDLEWARE_H

struct audit_ctx;
struct request;
struct response;
struct route;

/* 0: go on to the handler; -1: the response is written (refused). */
int	middleware_run(const struct route *, struct request *,
	    struct response *);
/* Fills an audit context from the request (actor, address, request id). */
void	middleware_audit_ctx(const struct request *, struct audit_ctx *);
/* The text of a flash code, or NULL for an unknown one. */
const char *middleware_flash_text(const char *code);
/* 1 if Origin / Sec-Fetch-Site allow an unsafe request (sign-in form). */
int	middleware_origin_ok(struct request *);

#endif /* MIDDLEWARE_H */
