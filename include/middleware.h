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
/*
 * After the handler: when it committed a write and replicas are
 * configured, the session or token remembers the write's GTID, so that
 * its next read on a replica waits for it.  Before the response is sent.
 */
void	middleware_after(struct request *);
/* Fills an audit context from the request (actor, address, request id). */
void	middleware_audit_ctx(const struct request *, struct audit_ctx *);
/* The text of a flash code, or NULL for an unknown one. */
const char *middleware_flash_text(const char *code);
/*
 * Whether an unsafe request comes from the site: Sec-Fetch-Site, when
 * sent, is same-origin or none, and Origin, when sent, is site_origin (or,
 * when that is empty, https:// and the Host).  required: one of the two
 * headers must be there (the sign-in form, which has no session to carry
 * a CSRF token; every browser since 2020 sends them on a POST).  1 or 0.
 */
int	middleware_origin_check(const char *origin, const char *fetch_site,
	    const char *host, const char *site_origin, int required);
/* middleware_origin_check() of the request, one header required. */
int	middleware_origin_ok(struct request *);

#endif /* MIDDLEWARE_H */
