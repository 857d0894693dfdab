/*
 * accounts.c -- what login.c, users.c, apitokens.c and session.c share:
 * the field checks, the one-time form token, batched purges and email
 * normalization.  See accounts.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "arena.h"
#include "audit.h"
#include "db.h"
#include "domain.h"
#include "idempotency.h"
#include "outcome.h"
#include "password.h"

int
accounts_refuse(struct acct_error *err, const char *field, const char *msg)
{
	if (err != NULL) {
		err->field = field;
		err->message = msg;
	}
	return ACCT_INVALID;
}

int
accounts_check_name(const char *name, struct acct_error *err)
{
	if (name == NULL || strlen(name) > 100)
		return accounts_refuse(err, "name",
		    "Use at most 100 characters.");
	if (!dom_text_ok(name, 0, 100, 0))
		return accounts_refuse(err, "name", "Control characters and "
		    "invisible marks (bidirectional controls, U+FEFF) are not "
		    "allowed.");
	return DB_OK;
}

int
accounts_check_password(const char *pw, const char *field,
    struct acct_error *err)
{
	const char	*why;

	if (pw == NULL || pw[0] == '\0')
		return accounts_refuse(err, field, "Enter a password.");
	if (password_check_policy(pw, &why) == -1)
		return accounts_refuse(err, field, why);
	return DB_OK;
}

int
accounts_form_claim(const struct audit_ctx *ctx)
{
	int	rv;

	if (ctx->form_key == NULL)
		return DB_OK;
	rv = idem_claim(ctx->actor_id, ctx->form_key, "form");
	return rv == DB_DUPLICATE ? ACCT_REPLAYED : rv;
}

int
accounts_form_used(const struct audit_ctx *ctx)
{
	int	rv;

	if (ctx->form_key == NULL)
		return DB_OK;
	rv = idem_used(ctx->arena, ctx->actor_id, ctx->form_key);
	return rv == DB_DUPLICATE ? ACCT_REPLAYED : rv;
}

const char *
accounts_id_str(struct arena *a, int64_t id)
{
	return arena_printf(a, "%" PRId64, id);
}

int64_t
accounts_purge(const char *sql, int64_t a, int64_t b)
{
	int64_t	n, total = 0;

	do {
		if ((n = db_exec(sql, "ii", a, b)) < 0)
			return n;
		total += n;
	} while (n > 0);
	return total;
}

const char *
accounts_normalize_email(struct arena *a, const char *email)
{
	char		*e;
	size_t		 i, n, at = 0, nat = 0;
	const char	*p = email;

	if (p == NULL)
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n < 3 || n > 254 || (e = arena_strndup(a, p, n)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == ',' || c == ';')
			return NULL;
		if (c >= 'A' && c <= 'Z')
			e[i] = (char)(c + 32);
		if (c == '@') {
			at = i;
			nat++;
		}
	}
	if (nat != 1 || at == 0 || at == n - 1)
		return NULL;
	return e;
}

const char *
accounts_addr_prefix(const char *addr, char *buf, size_t size)
{
	struct in6_addr	a6;
	struct in_addr	a4;
	char		txt[INET6_ADDRSTRLEN];
	size_t		i;

	if (addr == NULL || size == 0)
		return "";
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return addr;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return addr;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		if (inet_ntop(AF_INET, &a4, buf, (socklen_t)size) == NULL)
			return addr;
		return buf;
	}
	for (i = 8; i < 16; i++)
		a6.s6_addr[i] = 0;
	if (inet_ntop(AF_INET6, &a6, txt, sizeof(txt)) == NULL ||
	    (size_t)snprintf(buf, size, "%s/64", txt) >= size)
		return addr;
	return buf;
}
