/*
 * token.c -- CSPRNG bytes, SHA-256 and HMAC-SHA256 as hex.  See token.h.
 *
 * getrandom(2) with no flags blocks only until the kernel's pool is first
 * seeded (early boot) and never returns short for requests of 256 bytes
 * or less once it is; the loop still handles EINTR and short reads so the
 * contract does not depend on that.  Every intermediate buffer holding a
 * secret or a digest of one is wiped with explicit_bzero() before return.
 */
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "token.h"

int
token_bytes(void *p, size_t n)
{
	unsigned char	*q = p;
	size_t		 got = 0;
	ssize_t		 r;

	while (got < n) {
		r = getrandom(q + got, n - got, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			log_err("getrandom: %s", strerror(errno));
			explicit_bzero(p, n);
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

void
token_hex(const unsigned char *p, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

int
token_random(char *hex_out, size_t bytes)
{
	unsigned char	raw[TOKEN_MAX_BYTES];

	if (bytes == 0 || bytes > TOKEN_MAX_BYTES) {
		log_err("bad token size %zu", bytes);
		return -1;
	}
	if (token_bytes(raw, bytes) == -1) {
		hex_out[0] = '\0';
		return -1;
	}
	token_hex(raw, bytes, hex_out);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

int
token_hash_hex(const char *token, char out[TOKEN_DIGEST_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	out[0] = '\0';
	if (EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen * 2 != TOKEN_DIGEST_HEX_LEN) {
		log_err("EVP_Digest failed");
		explicit_bzero(md, sizeof(md));
		return -1;
	}
	token_hex(md, mdlen, out);
	explicit_bzero(md, sizeof(md));
	return 0;
}

int
token_hmac_hex(const void *key, size_t keylen, const char *msg, size_t len,
    char out[TOKEN_DIGEST_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	out[0] = '\0';
	if (keylen == 0 || keylen > INT_MAX) {
		log_err("bad key length %zu", keylen);
		return -1;
	}
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
	    len, md, &mdlen) == NULL || mdlen * 2 != TOKEN_DIGEST_HEX_LEN) {
		log_err("HMAC failed");
		explicit_bzero(md, sizeof(md));
		return -1;
	}
	token_hex(md, mdlen, out);
	explicit_bzero(md, sizeof(md));
	return 0;
}
