/*
 * h_accounts.c -- what the account handlers share.  See h_accounts.h.
 */
#include "accounts.h"
#include "audit.h"
#include "h_accounts.h"
#include "idempotency.h"
#include "middleware.h"
#include "outcome.h"
#include "request.h"
#include "response.h"
#include "tmpl.h"

int
h_acct_form(struct request *r, struct response *resp, struct audit_ctx *ctx)
{
	const char	*key;

	if (idem_form_key(r, resp, &key) == -1)
		return FORM_ANSWERED;
	middleware_audit_ctx(r, ctx);
	ctx->form_key = key;
	return DB_OK;
}

struct tval *
h_acct_errors(struct arena *a, const struct acct_error *err)
{
	struct tval	*e = tv_obj(a);

	if (err != NULL && err->field != NULL)
		tv_set_str(e, err->field, err->message);
	return e;
}
