/*
 * crypto.h -- random secrets and their digests: session ids, API tokens,
 * CSRF tokens, webhook signatures.
 *
 * Randomness comes from the kernel's CSPRNG through getrandom(2) and
 * nothing else (no userspace generator to reseed after fork()).  Digests
 * are SHA-256 and HMAC-SHA256 from OpenSSL, written as lower-case hex so
 * they can be stored in a CHAR(64) column and compared with str_ct_equal().
 * Secrets are stored only as their digest; the caller wipes the plain
 * token with explicit_bzero() once it has been sent.
 */
#ifndef CRYPTO_H
#define CRYPTO_H

#include <stddef.h>

#define CRYPTO_SECRET_BYTES	32	/* 256 bits: session ids, API tokens */
#define CRYPTO_SECRET_HEX_LEN	(2 * CRYPTO_SECRET_BYTES)
#define CRYPTO_MAX_BYTES	64	/* largest crypto_random_hex() size */
#define CRYPTO_DIGEST_HEX_LEN	64	/* SHA-256 as hex, without the NUL */

/*
 * Fills p[0..n) from getrandom(2), retrying on EINTR and short reads.
 * 0 on success; -1 (logged) if the kernel refuses, with p wiped.
 */
int	crypto_bytes(void *p, size_t n);
/*
 * Writes 2 * bytes lower-case hex characters and a NUL to hex_out, which
 * the caller provides with room for 2 * bytes + 1.  bytes is 1 to
 * CRYPTO_MAX_BYTES; use CRYPTO_SECRET_BYTES for anything that guards access.
 * 0 on success; -1 on a bad size or no randomness (hex_out is "" then
 * when bytes is in range).
 */
int	crypto_random_hex(char *hex_out, size_t bytes);
/*
 * SHA-256 of the NUL-terminated token, as 64 lower-case hex characters
 * and a NUL in out.  This is the form a session id or API token is stored
 * and looked up in.  0 on success, -1 (logged) on an OpenSSL failure.
 */
int	crypto_sha256_hex(const char *token,
	    char out[CRYPTO_DIGEST_HEX_LEN + 1]);
/*
 * HMAC-SHA256 of msg[0..len) under key[0..keylen), as lower-case hex in
 * out: CSRF tokens (key = server secret, msg = session) and webhook
 * signatures.  An empty key is a bug and fails.  0 on success, -1
 * (logged) otherwise; out is "" on failure.
 */
int	crypto_hmac_hex(const void *key, size_t keylen, const char *msg,
	    size_t len, char out[CRYPTO_DIGEST_HEX_LEN + 1]);
/* True if s is exactly n lower-case hex characters (then a NUL): the
 * shape of a session id or of an API token's secret part. */
int	crypto_is_hex(const char *s, size_t n);
/* Writes n bytes as 2n lower-case hex characters and a NUL (2n + 1). */
void	crypto_hex(const unsigned char *p, size_t n, char *out);

#endif /* CRYPTO_H */
