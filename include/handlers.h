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

/* h_auth.c: sign-in, sign-out, one's own account */
void	h_login_form(struct request *, struct response *);
void	h_login(struct request *, struct response *);
void	h_logout(struct request *, struct response *);
void	h_account(struct request *, struct response *);
void	h_account_password(struct request *, struct response *);
void	h_api_me(struct request *, struct response *);
/* h_users.c */
void	h_users(struct request *, struct response *);
void	h_users_create(struct request *, struct response *);
void	h_user(struct request *, struct response *);
void	h_user_update(struct request *, struct response *);
void	h_user_password(struct request *, struct response *);
void	h_api_users(struct request *, struct response *);
/* h_tokens.c */
void	h_tokens(struct request *, struct response *);
void	h_tokens_create(struct request *, struct response *);
void	h_tokens_revoke(struct request *, struct response *);
/* h_audit.c */
void	h_audit(struct request *, struct response *);
void	h_api_audit(struct request *, struct response *);

/* Answers a database failure (503 with Retry-After, or 500). */
void	h_db_error(struct request *, struct response *, int db_status);

#endif /* HANDLERS_H */
