/*
 * idempotency.c -- see idempotency.h.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "crypto.h"
#include "db.h"
#include "idempotency.h"
#include "log.h"
#include "request.h"
#include "response.h"
#include "str.h"

#define IDEM_REPLAY	100	/* the key exists: replay it */
#define IDEM_KEY_MAX	100

static const char SQL_CLAIM[] =
    "INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, status, "
    "body) VALUES (?, ?, ?, 0, '')";
static const char SQL_USED[] =
    "SELECT 1 FROM idempotency_keys WHERE user_id = ? AND idem_key = ?";
static const char SQL_STORE[] =
    "UPDATE idempotency_keys SET status = ?, location = ?, "
    "content_type = ?, body = ? WHERE user_id = ? AND idem_key = ?";
static const char SQL_LOAD[] =
    "SELECT fingerprint, status, location, content_type, body "
    "FROM idempotency_keys WHERE user_id = ? AND idem_key = ?";
static const char SQL_PURGE[] =
    "DELETE FROM idempotency_keys WHERE created_at < NOW(6) - INTERVAL 1 DAY "
    "LIMIT 10000";

struct idem {
	struct request	*r;
	struct response	*resp;
	const char	*key;
	const char	*fp;
	idem_op		 op;
	idem_refuse	 refuse;
	void		*arg;
	int		 refused;	/* the op's code, refusal not written */
};

/* A clean response for each attempt: a re-run must not inherit headers
 * (Location, flash) of the attempt before it. */
static void
idem_reset(struct idem *x)
{
	buf_reset(&x->resp->body);
	x->resp->nheaders = 0;
	x->resp->status = 200;
	x->resp->content_type = NULL;
	if (x->r->request_id[0] != '\0')
		response_header(x->resp, "X-Request-Id", x->r->request_id);
}

static int
key_ok(const char *k)
{
	size_t	i, n = strlen(k);

	if (n < 1 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)k[i] < 0x21 || (unsigned char)k[i] > 0x7e)
			return 0;
	return 1;
}

int
idem_api_key(struct request *r, struct response *resp, const char **key)
{
	*key = request_env(r, "HTTP_IDEMPOTENCY_KEY");
	if (*key == NULL)
		return 0;
	if (!key_ok(*key)) {
		response_error(resp, r, 400, "Idempotency-Key must be 1 to 100 "
		    "visible ASCII characters.");
		return -1;
	}
	return 0;
}

int
idem_form_key(struct request *r, struct response *resp, const char **key)
{
	const char	*t, *field;
	int		 st;

	if ((st = request_parse_form(r, &field)) != 0) {
		response_error(resp, r, st, "The form could not be read.");
		return -1;
	}
	t = form_get(&r->form, "form_token");
	if (t == NULL || strlen(t) != CRYPTO_SECRET_HEX_LEN || !key_ok(t)) {
		response_error(resp, r, 400, "The form is missing its one-time "
		    "token. Reload the page and submit it again.");
		return -1;
	}
	*key = arena_printf(r->arena, "form:%s", t);
	return 0;
}

const char *
idem_fingerprint(struct request *r)
{
	static const char	 label[] = "backroom-idempotency-v1";
	struct buf		 b;
	char			 hex[CRYPTO_DIGEST_HEX_LEN + 1];
	int			 ok;

	buf_init(&b, BR_MAX_BODY + 8192);
	ok = buf_printf(&b, "%s\n%s\n", r->method_str, r->path) == 0 &&
	    (r->body_len == 0 || buf_append(&b, r->body, r->body_len) == 0) &&
	    crypto_hmac_hex(label, sizeof(label) - 1, b.data, b.len, hex) == 0;
	buf_free(&b);
	return ok ? arena_strdup(r->arena, hex) : NULL;
}

static const char *
resp_location(const struct response *resp)
{
	size_t	i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcmp(resp->headers[i].name, "Location") == 0)
			return resp->headers[i].value;
	return "";
}

int
idem_claim(int64_t user_id, const char *key, const char *fingerprint)
{
	int64_t	n = db_exec(SQL_CLAIM, "iss", user_id, key, fingerprint);

	return n < 0 ? (int)n : DB_OK;
}

int
idem_used(struct arena *a, int64_t user_id, const char *key)
{
	struct db_rows	rows;
	int		rv;

	if ((rv = db_query(a, &rows, SQL_USED, "is", user_id, key)) != DB_OK)
		return rv;
	return rows.nrows > 0 ? DB_DUPLICATE : DB_OK;
}

static int
idem_store(struct idem *x)
{
	int64_t	n;

	n = db_exec(SQL_STORE, "isssis", (int64_t)x->resp->status,
	    resp_location(x->resp), x->resp->content_type != NULL ?
	    x->resp->content_type : "", buf_cstr(&x->resp->body),
	    x->r->auth.user_id, x->key);
	return n < 0 ? (int)n : DB_OK;
}

/*
 * Runs the op.  A success whose answer could not be built (the arena ran
 * out: response_json() wrote a 500) is rolled back, not committed: the
 * client would be told it failed while it applied, and with a key that
 * 500 would be stored and replayed.
 */
static int
idem_op_run(struct idem *x)
{
	int	rv;

	rv = x->op(x->r, x->resp, x->arg);
	if (rv == DB_OK && x->resp->status >= 500) {
		log_err("the answer could not be built: rolled back");
		return DB_ERROR;
	}
	return rv;
}

static int
idem_tx(void *p)
{
	struct idem	*x = p;
	int64_t		 n;
	int		 rv;

	idem_reset(x);
	x->refused = 0;
	if (x->key == NULL)
		return idem_op_run(x);
	if ((rv = idem_claim(x->r->auth.user_id, x->key, x->fp)) ==
	    DB_DUPLICATE)
		return IDEM_REPLAY;
	if (rv != DB_OK)
		return rv;
	if ((n = db_exec("SAVEPOINT idem", "")) < 0)
		return (int)n;
	rv = idem_op_run(x);
	if (rv < 0)
		return rv;
	if (rv > 0 && (n = db_exec("ROLLBACK TO SAVEPOINT idem", "")) < 0)
		return (int)n;
	if (rv > 0 && x->refuse != NULL) {
		/* Rendered from the rolled-back state, then stored. */
		idem_reset(x);
		x->refuse(x->r, x->resp, x->arg, rv);
	}
	/* Stored: the refusal as well as the success. */
	return idem_store(x);
}

/* A stored response, as SQL_LOAD reads it. */
struct idem_saved {
	const char	*fp;
	int64_t		 status;
	const char	*location;
	const char	*content_type;
	const char	*body;
};

static int
idem_saved_read(const struct db_rows *rows, struct idem_saved *v)
{
	if (db_row_scan(rows, 0, "sisss", &v->fp, &v->status, &v->location,
	    &v->content_type, &v->body) != DB_OK || v->status < 100 ||
	    v->status > 599)
		return DB_ERROR;
	return DB_OK;
}

static void
idem_replay(struct idem *x)
{
	struct db_rows		rows;
	struct idem_saved	v;
	int			rv;

	if ((rv = db_query(x->r->arena, &rows, SQL_LOAD, "is",
	    x->r->auth.user_id, x->key)) != DB_OK) {
		response_db_error(x->resp, x->r, rv);
		return;
	}
	if (rows.nrows != 1) {		/* the first one rolled back: retry */
		response_header(x->resp, "Retry-After", "1");
		response_error(x->resp, x->r, 409, "A request with this key is "
		    "still being processed. Try again.");
		return;
	}
	if ((rv = idem_saved_read(&rows, &v)) != DB_OK) {
		response_db_error(x->resp, x->r, rv);
		return;
	}
	if (strcmp(v.fp, x->fp) != 0) {
		response_error(x->resp, x->r, 422, "This key was already used "
		    "for a different request.");
		return;
	}
	buf_reset(&x->resp->body);
	x->resp->nheaders = 0;
	if (x->r->request_id[0] != '\0')
		response_header(x->resp, "X-Request-Id", x->r->request_id);
	x->resp->status = (int)v.status;
	x->resp->content_type = v.content_type[0] != '\0' ?
	    v.content_type : NULL;
	if (v.location[0] != '\0')
		response_header(x->resp, "Location", v.location);
	response_header(x->resp, "Idempotent-Replayed", "true");
	response_header(x->resp, "Cache-Control", "no-store");
	if (buf_puts(&x->resp->body, v.body) == -1)
		response_error(x->resp, x->r, 500, "Internal error.");
}

void
idem_run(struct request *r, struct response *resp, const char *key,
    idem_op op, idem_refuse refuse, void *arg)
{
	struct idem	x = { r, resp, key, NULL, op, refuse, arg, 0 };
	int		rv;

	if (key != NULL && (x.fp = idem_fingerprint(r)) == NULL) {
		response_error(resp, r, 500, "Internal error.");
		return;
	}
	rv = db_tx(idem_tx, &x);
	if (rv == IDEM_REPLAY)
		idem_replay(&x);
	else if (rv < 0) {
		idem_reset(&x);
		response_db_error(resp, r, rv);
	} else if (rv > 0 && refuse != NULL) {
		/* Without a key the whole transaction was rolled back. */
		idem_reset(&x);
		refuse(r, resp, arg, rv);
	}
	/* Otherwise the op wrote the refusal or the answer. */
}

long long
idem_purge(void)
{
	int64_t	n, total = 0;

	do {
		if ((n = db_exec(SQL_PURGE, "")) < 0)
			return n;
		total += n;
	} while (n > 0);
	return total;
}
