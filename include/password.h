/*
 * password.h -- password hashing (argon2id) and the password policy.
 *
 * Hashes are argon2id with OWASP's parameters (m = 19 MiB, t = 2, p = 1,
 * 16-byte salt, 32-byte hash) in libargon2's encoded form, which carries
 * its own parameters and salt:
 *   $argon2id$v=19$m=19456,t=2,p=1$<salt, base64>$<hash, base64>
 * so a login can tell an old hash (password_needs_rehash()) and replace it.
 *
 * The policy follows NIST SP 800-63B / OWASP ASVS 2.1: 12 to 128
 * characters counted as Unicode code points, any printable character,
 * no composition rules, and not on the list of common passwords that
 * password_policy_load() reads at start-up.
 *
 * Memory: one hash or verify allocates m = 19 MiB for its duration.  A
 * worker serves one request at a time and a request hashes at most one
 * password at a time, so the peak is workers x 19 MiB (about 4.75 GiB at
 * the BR_MAX_WORKERS cap, 190 MiB for 10 workers); size the pool with
 * that in mind.  Never hash from a thread pool or in a loop over users.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

#include <stddef.h>

#define PASSWORD_T_COST		2	/* passes */
#define PASSWORD_M_COST		19456	/* KiB: 19 MiB */
#define PASSWORD_PARALLELISM	1
#define PASSWORD_SALT_LEN	16	/* bytes */
#define PASSWORD_HASH_LEN	32	/* bytes */
#define PASSWORD_ENCODED_MAX	128	/* room for an encoded hash and NUL */
#define PASSWORD_MIN_CHARS	12	/* code points */
#define PASSWORD_MAX_CHARS	128	/* code points */
#define PASSWORD_MAX_BYTES	(4 * PASSWORD_MAX_CHARS) /* UTF-8 worst case */
/*
 * Caps on the parameters of a stored hash that password_verify() will
 * run: a hash edited in the database must not make a login allocate
 * gigabytes or spin for minutes.
 */
#define PASSWORD_VERIFY_MAX_M	65536	/* KiB */
#define PASSWORD_VERIFY_MAX_T	10
#define PASSWORD_VERIFY_MAX_P	4
#define PASSWORD_LIST_MAX_BYTES	(4 * 1024 * 1024) /* common-password file */

/*
 * Hashes the NUL-terminated pw (at most PASSWORD_MAX_BYTES bytes) with a
 * fresh salt and the current parameters, writing the encoded form into
 * out (outsz >= PASSWORD_ENCODED_MAX is always enough).  The caller owns
 * pw and wipes it.  0 on success; -1 (logged) on a too long pw, a too
 * small out, no randomness or no memory; out is "" then.
 */
int	password_hash(const char *pw, char *out, size_t outsz);
/*
 * Checks pw against an argon2id encoded hash in constant time.  1 on a
 * match, 0 on a mismatch, -1 (logged) if encoded is malformed, not
 * argon2id, above the PASSWORD_VERIFY_MAX_* caps, or memory ran out.
 */
int	password_verify(const char *encoded, const char *pw);
/*
 * 1 if encoded was made with other parameters (type, version, m, t, p,
 * salt or hash length) than password_hash() uses now, 0 if they are the
 * current ones, -1 if encoded is not an argon2 encoded hash at all.  Call
 * it after a successful verify and store a new hash when it is not 0.
 */
int	password_needs_rehash(const char *encoded);
/*
 * Costs what a password_verify() against a current hash costs and never
 * matches: run it when a login names an unknown account, so the answer
 * takes as long as for a known one.  Returns 0, or -1 (logged) if argon2
 * failed, e.g. out of memory.
 */
int	password_dummy_verify(const char *pw);
/*
 * Reads the common-password list at path: one password per line, '#'
 * starting a comment line, empty lines and a trailing '\r' ignored,
 * compared case-insensitively (ASCII).  Replaces any list loaded before;
 * call it at start-up, before the workers fork.  0 on success; -1 (logged)
 * if the file cannot be read, exceeds PASSWORD_LIST_MAX_BYTES, holds a
 * NUL byte or no entry, with the previous list kept.
 */
int	password_policy_load(const char *path);
/* Frees the loaded list (tests, clean exit). */
void	password_policy_unload(void);
/*
 * 0 if pw may be chosen as a new password, -1 otherwise with *why (if
 * why is not NULL) set to a static, user-facing sentence: invalid UTF-8,
 * control characters, fewer than PASSWORD_MIN_CHARS or more than
 * PASSWORD_MAX_CHARS code points, or on the common list.  With no list
 * loaded every password is refused (fail closed) and that is logged.
 */
int	password_check_policy(const char *pw, const char **why);

#endif /* PASSWORD_H */
