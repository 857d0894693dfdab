/*
 * password.c -- argon2id hashing through libargon2 and the password
 * policy.  See password.h for the contract and the memory budget.
 *
 * libargon2 does the hashing, the encoding and the constant-time compare;
 * this file adds a salt from getrandom(2), a parser for the encoded
 * parameters (to refuse absurd ones before libargon2 allocates, and to
 * notice old ones) and the policy.  The common-password list is read once
 * into one buffer, lower-cased, sorted and de-duplicated, then searched
 * with bsearch(); the workers inherit it across fork() read-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <argon2.h>

#include "buf.h"
#include "crypto.h"
#include "escape.h"
#include "log.h"
#include "password.h"
#include "str.h"

#define PW_STR2(x)	#x
#define PW_STR(x)	PW_STR2(x)

/*
 * What password_dummy_verify() checks against: the current parameters
 * (spelled from the macros, so they cannot drift) with a fixed salt and a
 * random 32-byte "hash" that no known password produces.
 */
static const char pw_dummy[] = "$argon2id$v=19$m=" PW_STR(PASSWORD_M_COST)
    ",t=" PW_STR(PASSWORD_T_COST) ",p=" PW_STR(PASSWORD_PARALLELISM)
    "$c3DHR0wQBgVe38a7XBBklw$vEGiAA3sw09rdYGUFBwcV4zA+q20JNu2S0pIariA0/0";

/* Base64 length without padding, as libargon2 writes it. */
#define PW_B64LEN(n)	(((n) * 4 + 2) / 3)

struct pw_params {
	argon2_type	type;
	int64_t		version;	/* 0x10 when the v= field is absent */
	int64_t		m, t, p;
	size_t		saltlen, hashlen;	/* base64 characters */
};

static char		 *pw_list_mem;	/* the file, lines NUL-terminated */
static const char	**pw_list;	/* sorted, unique, lower-case */
static size_t		  pw_list_n;

static const char *const pw_why_utf8 =
    "The password is not valid UTF-8 text.";
static const char *const pw_why_ctrl =
    "The password must not contain control characters.";
static const char *const pw_why_short =
    "Use at least " PW_STR(PASSWORD_MIN_CHARS) " characters.";
static const char *const pw_why_long =
    "Use at most " PW_STR(PASSWORD_MAX_CHARS) " characters.";
static const char *const pw_why_common =
    "This password is too common; choose another.";
static const char *const pw_why_nolist =
    "Passwords cannot be checked right now; try again later.";

/* Reads "key<digits>" then the byte stop, advancing *sp.  -1 if absent. */
static int
pw_num(const char **sp, const char *key, char stop, int64_t *out)
{
	const char	*s = *sp;
	size_t		 n;

	if (!str_has_prefix(s, key))
		return -1;
	s += strlen(key);
	n = strspn(s, "0123456789");
	if (s[n] != stop || str_to_i64n(s, n, 0, UINT32_MAX, out) == -1)
		return -1;
	*sp = s + n + 1;
	return 0;
}

/* Parses libargon2's encoded form.  0 on success, -1 if malformed. */
static int
pw_parse(const char *enc, struct pw_params *pp)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*s = enc;

	if (str_has_prefix(s, "$argon2id$"))
		pp->type = Argon2_id;
	else if (str_has_prefix(s, "$argon2i$"))
		pp->type = Argon2_i;
	else if (str_has_prefix(s, "$argon2d$"))
		pp->type = Argon2_d;
	else
		return -1;
	s = strchr(s + 1, '$') + 1;
	pp->version = ARGON2_VERSION_10;
	if (str_has_prefix(s, "v=") &&
	    pw_num(&s, "v=", '$', &pp->version) == -1)
		return -1;
	if (pw_num(&s, "m=", ',', &pp->m) == -1 ||
	    pw_num(&s, "t=", ',', &pp->t) == -1 ||
	    pw_num(&s, "p=", '$', &pp->p) == -1)
		return -1;
	pp->saltlen = strspn(s, b64);
	if (pp->saltlen == 0 || s[pp->saltlen] != '$')
		return -1;
	s += pp->saltlen + 1;
	pp->hashlen = strspn(s, b64);
	if (pp->hashlen == 0 || s[pp->hashlen] != '\0')
		return -1;
	return 0;
}

int
password_hash(const char *pw, char *out, size_t outsz)
{
	unsigned char	salt[PASSWORD_SALT_LEN];
	size_t		len;
	int		r;

	if (outsz > 0)
		out[0] = '\0';
	if ((len = strnlen(pw, PASSWORD_MAX_BYTES + 1)) > PASSWORD_MAX_BYTES) {
		log_err("password longer than %d bytes", PASSWORD_MAX_BYTES);
		return -1;
	}
	if (crypto_bytes(salt, sizeof(salt)) == -1)
		return -1;
	r = argon2id_hash_encoded(PASSWORD_T_COST, PASSWORD_M_COST,
	    PASSWORD_PARALLELISM, pw, len, salt, sizeof(salt),
	    PASSWORD_HASH_LEN, out, outsz);
	explicit_bzero(salt, sizeof(salt));
	if (r != ARGON2_OK) {
		log_err("argon2id: %s", argon2_error_message(r));
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int
password_verify(const char *encoded, const char *pw)
{
	struct pw_params	pp;
	int			r;

	if (pw_parse(encoded, &pp) == -1 || pp.type != Argon2_id) {
		log_err("stored hash is not an argon2id encoded hash");
		return -1;
	}
	if (pp.m > PASSWORD_VERIFY_MAX_M || pp.t > PASSWORD_VERIFY_MAX_T ||
	    pp.p > PASSWORD_VERIFY_MAX_P) {
		log_err("stored hash parameters m=%lld,t=%lld,p=%lld over the "
		    "caps", (long long)pp.m, (long long)pp.t, (long long)pp.p);
		return -1;
	}
	r = argon2id_verify(encoded, pw, strlen(pw));
	if (r == ARGON2_OK)
		return 1;
	if (r == ARGON2_VERIFY_MISMATCH)
		return 0;
	log_err("argon2id: %s", argon2_error_message(r));
	return -1;
}

int
password_needs_rehash(const char *encoded)
{
	struct pw_params	pp;

	if (pw_parse(encoded, &pp) == -1)
		return -1;
	return pp.type != Argon2_id || pp.version != ARGON2_VERSION_NUMBER ||
	    pp.m != PASSWORD_M_COST || pp.t != PASSWORD_T_COST ||
	    pp.p != PASSWORD_PARALLELISM ||
	    pp.saltlen != PW_B64LEN(PASSWORD_SALT_LEN) ||
	    pp.hashlen != PW_B64LEN(PASSWORD_HASH_LEN);
}

int
password_dummy_verify(const char *pw)
{
	/* A match would need a preimage of random bytes: treat it as 0. */
	return password_verify(pw_dummy, pw) == -1 ? -1 : 0;
}

/*
 * Counts the code points of s[0..len) into *count.  -1 on invalid UTF-8:
 * a stray continuation byte, a truncated sequence, an overlong form, a
 * surrogate or a value above U+10FFFF (RFC 3629, Unicode table 3-7).
 * Sets *ctrl if a C0 control or DEL is present.
 */
static int
pw_utf8_count(const unsigned char *s, size_t len, size_t *count, int *ctrl)
{
	size_t		i = 0, n, k;
	unsigned char	lo, hi;

	*count = 0;
	*ctrl = 0;
	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				*ctrl = 1;
			n = 1;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 3;
			if (s[i] == 0xe0)
				lo = 0xa0;		/* overlong */
			else if (s[i] == 0xed)
				hi = 0x9f;		/* surrogates */
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 4;
			if (s[i] == 0xf0)
				lo = 0x90;		/* overlong */
			else if (s[i] == 0xf4)
				hi = 0x8f;		/* > U+10FFFF */
		} else
			return -1;
		if (n > len - i)
			return -1;
		for (k = 1; k < n; k++) {
			if (s[i + k] < lo || s[i + k] > hi)
				return -1;
			lo = 0x80;	/* only the 2nd byte has other bounds */
			hi = 0xbf;
		}
		i += n;
		(*count)++;
	}
	return 0;
}

static void
pw_ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

static int
pw_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads all of path into b (capped).  0 or -1 (logged). */
static int
pw_read_file(const char *path, struct buf *b)
{
	char	chunk[8192], esc[256];
	ssize_t	n;
	int	fd, rv = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_err("%s: %s", escape_log(esc, sizeof(esc), path),
		    strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			log_err("%s: %s", escape_log(esc, sizeof(esc), path),
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (buf_append(b, chunk, (size_t)n) == -1) {
			log_err("%s: larger than %d bytes", escape_log(esc,
			    sizeof(esc), path), PASSWORD_LIST_MAX_BYTES);
			goto out;
		}
	}
	rv = 0;
out:
	close(fd);
	return rv;
}

/*
 * Splits mem[0..len) into lines in place, lower-cases them and collects
 * the entries into a new sorted, unique array.  NULL on ENOMEM or if no
 * entry was found; *np gets the count.
 */
static const char **
pw_build_list(char *mem, size_t len, size_t *np)
{
	const char	**list;
	char		 *line, *end, *nl;
	size_t		  cap = 1, i, n = 0;

	for (i = 0; i < len; i++)
		if (mem[i] == '\n')
			cap++;
	if ((list = calloc(cap, sizeof(*list))) == NULL)
		return NULL;
	for (line = mem, end = mem + len; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;	/* mem[len] is the buf's NUL */
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		pw_ascii_lower(line);
		list[n++] = line;
	}
	if (n == 0) {
		free(list);
		return NULL;
	}
	qsort(list, n, sizeof(*list), pw_cmp);
	for (i = 1, *np = 1; i < n; i++)
		if (strcmp(list[i], list[*np - 1]) != 0)
			list[(*np)++] = list[i];
	return list;
}

int
password_policy_load(const char *path)
{
	struct buf	  b;
	const char	**list;
	char		  esc[256];
	size_t		  n = 0;

	buf_init(&b, PASSWORD_LIST_MAX_BYTES);
	if (pw_read_file(path, &b) == -1)
		goto fail;
	if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
		log_err("%s: holds a NUL byte",
		    escape_log(esc, sizeof(esc), path));
		goto fail;
	}
	if (b.len == 0 || (list = pw_build_list(b.data, b.len, &n)) == NULL) {
		log_err("%s: no entries or no memory",
		    escape_log(esc, sizeof(esc), path));
		goto fail;
	}
	password_policy_unload();
	pw_list_mem = b.data;	/* the entries point into it */
	pw_list = list;
	pw_list_n = n;
	log_debug("%zu common passwords", n);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

void
password_policy_unload(void)
{
	free(pw_list);
	free(pw_list_mem);
	pw_list = NULL;
	pw_list_mem = NULL;
	pw_list_n = 0;
}

/* 1 if pw (at most PASSWORD_MAX_BYTES) is on the list, any ASCII case. */
static int
pw_is_common(const char *pw)
{
	char		 low[PASSWORD_MAX_BYTES + 1];
	const char	*key = low;
	int		 found;

	if (str_copy(low, sizeof(low), pw) == -1)
		return 0;
	pw_ascii_lower(low);
	found = bsearch(&key, pw_list, pw_list_n, sizeof(*pw_list),
	    pw_cmp) != NULL;
	explicit_bzero(low, sizeof(low));
	return found;
}

int
password_check_policy(const char *pw, const char **why)
{
	const char	*reason;
	size_t		 len, count;
	int		 ctrl;

	len = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	if (len > PASSWORD_MAX_BYTES)
		reason = pw_why_long;	/* > 128 code points even at 4 bytes */
	else if (pw_utf8_count((const unsigned char *)pw, len, &count,
	    &ctrl) == -1)
		reason = pw_why_utf8;
	else if (ctrl)
		reason = pw_why_ctrl;
	else if (count < PASSWORD_MIN_CHARS)
		reason = pw_why_short;
	else if (count > PASSWORD_MAX_CHARS)
		reason = pw_why_long;
	else if (pw_list == NULL) {
		log_err("no common-password list loaded");
		reason = pw_why_nolist;
	} else if (pw_is_common(pw))
		reason = pw_why_common;
	else
		reason = NULL;
	if (why != NULL)
		*why = reason;
	return reason == NULL ? 0 : -1;
}
