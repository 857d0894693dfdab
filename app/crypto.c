/*
 * crypto.c -- CSPRNG bytes, SHA-256 and HMAC-SHA256 as hex.  See crypto.h.
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
#include "crypto.h"

int
crypto_bytes(void *p, size_t n)
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
crypto_hex(const unsigned char *p, size_t n, char *out)
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
crypto_is_hex(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

int
crypto_random_hex(char *hex_out, size_t bytes)
{
	unsigned char	raw[CRYPTO_MAX_BYTES];

	if (bytes == 0 || bytes > CRYPTO_MAX_BYTES) {
		log_err("bad token size %zu", bytes);
		return -1;
	}
	if (crypto_bytes(raw, bytes) == -1) {
		hex_out[0] = '\0';
		return -1;
	}
	crypto_hex(raw, bytes, hex_out);
	explicit_bzero(raw, sizeof(raw));
	return 0;
}

/*
 * Writes the digest md[0..mdlen) as hex to out when ok and it is a
 * SHA-256, and wipes md (EVP_MAX_MD_SIZE bytes).  0, or -1 logged as
 * what failed.
 */
static int
digest_hex(int ok, unsigned char *md, unsigned int mdlen, const char *what,
    char out[CRYPTO_DIGEST_HEX_LEN + 1])
{
	int	rv = -1;

	if (ok && mdlen * 2 == CRYPTO_DIGEST_HEX_LEN) {
		crypto_hex(md, mdlen, out);
		rv = 0;
	} else
		log_err("%s failed", what);
	explicit_bzero(md, EVP_MAX_MD_SIZE);
	return rv;
}

int
crypto_sha256_hex(const char *token, char out[CRYPTO_DIGEST_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	int		ok;

	out[0] = '\0';
	ok = EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(),
	    NULL) == 1;
	return digest_hex(ok, md, mdlen, "EVP_Digest", out);
}

int
crypto_hmac_hex(const void *key, size_t keylen, const char *msg, size_t len,
    char out[CRYPTO_DIGEST_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	int		ok;

	out[0] = '\0';
	if (keylen == 0 || keylen > INT_MAX) {
		log_err("bad key length %zu", keylen);
		return -1;
	}
	ok = HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
	    len, md, &mdlen) != NULL;
	return digest_hex(ok, md, mdlen, "HMAC", out);
}
