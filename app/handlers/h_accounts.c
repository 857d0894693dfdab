/*
 * h_accounts.c -- what the account handlers share.  See h_accounts.h.
 */
#include <json-c/json.h>

#include "accounts.h"
#include "audit.h"
#include "h_accounts.h"
#include "idempotency.h"
#include "middleware.h"
#include "outcome.h"
#include "request.h"
#include "response.h"

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

struct json_object *
h_acct_errors(const struct acct_error *err)
{
	struct json_object	*e = json_object_new_object();

	if (err != NULL && err->field != NULL)
		json_object_object_add(e, err->field,
		    json_object_new_string(err->message));
	return e;
}
