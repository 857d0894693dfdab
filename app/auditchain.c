/*
 * auditchain.c -- canonical serialization and chained SHA-256 of audit
 * rows.  See auditchain.h for the format and why it is length-prefixed.
 *
 * Field names are part of the text only to make a mismatch found by
 * audit-verify readable in a debugger; the length prefixes are what make
 * the form unambiguous.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "auditchain.h"
#include "buf.h"
#include "config.h"
#include "crypto.h"
#include "log.h"

/* Appends "name=<len>:<value>\n", or "name=-\n" when value is NULL. */
static int
audit_field(struct buf *b, const char *name, const char *value)
{
	size_t	len;

	if (value == NULL)
		return buf_printf(b, "%s=-\n", name);
	len = strlen(value);
	if (buf_printf(b, "%s=%zu:", name, len) == -1 ||
	    buf_append(b, value, len) == -1 || buf_putc(b, '\n') == -1)
		return -1;
	return 0;
}

/* Integer fields go through the same length-prefixed form as text. */
static int
audit_field_i64(struct buf *b, const char *name, int64_t v, int null_if_zero)
{
	char	num[24];
	int	n;

	if (null_if_zero && v == 0)
		return audit_field(b, name, NULL);
	n = snprintf(num, sizeof(num), "%" PRId64, v);
	if (n < 0 || (size_t)n >= sizeof(num))
		return -1;
	return audit_field(b, name, num);
}

int
audit_canonical(struct buf *b, const struct audit_fields *f)
{
	buf_reset(b);
	if (f->id < 1 || f->actor_id < 0 || f->time == NULL ||
	    f->time[0] == '\0' || f->action == NULL || f->action[0] == '\0') {
		log_err("incomplete audit row");
		return -1;
	}
	if (buf_puts(b, AUDIT_CANONICAL_VERSION "\n") == -1 ||
	    audit_field_i64(b, "id", f->id, 0) == -1 ||
	    audit_field(b, "time", f->time) == -1 ||
	    audit_field_i64(b, "actor", f->actor_id, 1) == -1 ||
	    audit_field(b, "action", f->action) == -1 ||
	    audit_field(b, "entity", f->entity) == -1 ||
	    audit_field(b, "entity_id", f->entity_id) == -1 ||
	    audit_field(b, "details", f->details) == -1 ||
	    audit_field(b, "client", f->client_addr) == -1 ||
	    audit_field(b, "request", f->request_id) == -1 ||
	    b->len > AUDIT_CANONICAL_MAX) {
		log_err("audit row %" PRId64 " too large", f->id);
		buf_reset(b);
		return -1;
	}
	return 0;
}

/* The chain key (audit_key_file), or none: plain SHA-256. */
static unsigned char	chain_key[AUDIT_KEY_MAX];
static size_t		chain_keylen;

int
audit_key_load(const char *path)
{
	char	key[AUDIT_KEY_MAX + 2];
	long	n;

	if (path == NULL || path[0] == '\0') {
		explicit_bzero(chain_key, sizeof(chain_key));
		chain_keylen = 0;
		return 0;
	}
	if ((n = config_read_secret(path, key, sizeof(key))) == -1)
		return -1;
	if (n < AUDIT_KEY_MIN || n > AUDIT_KEY_MAX) {
		log_err("audit_key_file %s: the key must be %d to %d bytes",
		    path, AUDIT_KEY_MIN, AUDIT_KEY_MAX);
		explicit_bzero(key, sizeof(key));
		return -1;
	}
	memcpy(chain_key, key, (size_t)n);
	chain_keylen = (size_t)n;
	explicit_bzero(key, sizeof(key));
	return 0;
}

int
audit_keyed(void)
{
	return chain_keylen > 0;
}

void
audit_key_swap(int off)
{
	static size_t	saved;

	if (off) {
		saved = chain_keylen;
		chain_keylen = 0;
	} else
		chain_keylen = saved;
}

/* The keyed form: HMAC-SHA256 over the same bytes. */
static int
audit_row_hmac(const char *prev_hash_hex, const char *canonical_row,
    char out[AUDIT_HASH_HEX_LEN + 1])
{
	struct buf	b;
	int		rv;

	buf_init(&b, AUDIT_CANONICAL_MAX + AUDIT_HASH_HEX_LEN + 2);
	rv = buf_append(&b, prev_hash_hex, AUDIT_HASH_HEX_LEN) == 0 &&
	    buf_putc(&b, '\n') == 0 && buf_puts(&b, canonical_row) == 0 &&
	    crypto_hmac_hex(chain_key, chain_keylen, b.data, b.len, out) == 0 ?
	    0 : -1;
	buf_free(&b);
	return rv;
}

int
audit_row_hash(const char *prev_hash_hex, const char *canonical_row,
    char out[AUDIT_HASH_HEX_LEN + 1])
{
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	int		 rv = -1;

	out[0] = '\0';
	if (!crypto_is_hex(prev_hash_hex, AUDIT_HASH_HEX_LEN)) {
		log_err("previous hash is not 64 lower-case hex characters");
		return -1;
	}
	if (chain_keylen > 0)
		return audit_row_hmac(prev_hash_hex, canonical_row, out);
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		log_err("EVP_MD_CTX_new failed");
		return -1;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev_hash_hex, AUDIT_HASH_HEX_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, "\n", 1) != 1 ||
	    EVP_DigestUpdate(ctx, canonical_row, strlen(canonical_row)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 != AUDIT_HASH_HEX_LEN) {
		log_err("SHA-256 failed");
		goto out;
	}
	crypto_hex(md, mdlen, out);
	rv = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rv;
}
