/*
 * h_accounts.h -- what the account handlers (h_auth.c, h_users.c,
 * h_tokens.c) share: starting a one-time form and its refusal on a page.
 */
#ifndef H_ACCOUNTS_H
#define H_ACCOUNTS_H

struct acct_error;
struct arena;
struct audit_ctx;
struct request;
struct response;
struct tval;

/* A handler's outcome when h_acct_form() has answered already (it is none
 * of DB_OK, the db statuses or the ACCT_* codes). */
#define FORM_ANSWERED	100

/*
 * Reads the form's one-time token and fills ctx for the change, with the
 * token as ctx->form_key.  DB_OK, or FORM_ANSWERED having answered 400.
 */
int	h_acct_form(struct request *, struct response *, struct audit_ctx *);
/* {field: message} of a refused form (empty for NULL or no field), as
 * page context in a (tmpl.h); NULL on ENOMEM. */
struct tval *h_acct_errors(struct arena *, const struct acct_error *);

#endif /* H_ACCOUNTS_H */
