/*
 * fault.c -- fault injection for the fault build (-DBR_FAULTS, `make
 * faults`); see fault.h.  In a normal build this file compiles to nothing
 * and no caller refers to it.
 */
#include "fault.h"

#ifdef BR_FAULTS

#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "response.h"
#include "str.h"

#define FAULT_MAX_N	1000000

static const struct {
	const char	*name;
	enum fault_db	 kind;
} fault_kinds[] = {
	{ "lost",	FAULT_DB_LOST },
	{ "gone",	FAULT_DB_GONE },
	{ "deadlock",	FAULT_DB_DEADLOCK },
	{ "timeout",	FAULT_DB_TIMEOUT },
	{ "error",	FAULT_DB_ERROR },
};

static struct {
	int		armed;
	int		fired;
	int64_t		db_at, alloc_at;	/* 0: none */
	enum fault_db	db_kind;
	int64_t		db_count, alloc_count;
	char		db_sql[64];	/* the statement the fault hit */
	int		drop;		/* write=drop: lose the answer */
	enum fault_db	rb_kind;	/* rollback=KIND: the first ROLLBACK */
} fault;

/*
 * Where an injected fault hit, as raw frames on the log (stderr):
 * `addr2line -f -e backroomd OFFSET` names them.  backtrace() loads
 * libgcc_s on first use, so it is called once at startup, before the
 * workers' seccomp filter.
 */
static void
fault_where(void)
{
	void	*frames[12];
	int	 n;

	n = backtrace(frames, 12);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
}

__attribute__((constructor)) static void
fault_init(void)
{
	void	*frames[2];

	(void)backtrace(frames, 2);
}

static const char *
fault_env(char **envp, const char *name)
{
	size_t	len = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* One "db=N:KIND" or "alloc=N" item of len bytes; -1 if malformed. */
static int
fault_parse_item(const char *s, size_t len)
{
	char		 item[64], *colon;
	int64_t		 n;
	size_t		 i;

	if (len >= sizeof(item))
		return -1;
	memcpy(item, s, len);
	item[len] = '\0';
	if (strcmp(item, "write=drop") == 0) {
		fault.drop = 1;
		return 0;
	}
	if (strncmp(item, "alloc=", 6) == 0) {
		if (str_to_i64(item + 6, 1, FAULT_MAX_N, &n) == -1)
			return -1;
		fault.alloc_at = n;
		return 0;
	}
	if (strncmp(item, "rollback=", 9) == 0) {
		for (i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]);
		    i++)
			if (strcmp(item + 9, fault_kinds[i].name) == 0) {
				fault.rb_kind = fault_kinds[i].kind;
				return 0;
			}
		return -1;
	}
	if (strncmp(item, "db=", 3) != 0 ||
	    (colon = strchr(item + 3, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (str_to_i64(item + 3, 1, FAULT_MAX_N, &n) == -1)
		return -1;
	for (i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]); i++)
		if (strcmp(colon + 1, fault_kinds[i].name) == 0) {
			fault.db_at = n;
			fault.db_kind = fault_kinds[i].kind;
			return 0;
		}
	return -1;
}

void
fault_begin(char **envp)
{
	const char	*addr, *spec, *comma;

	memset(&fault, 0, sizeof(fault));
	addr = fault_env(envp, "REMOTE_ADDR");
	spec = fault_env(envp, "HTTP_X_BACKROOM_FAULT");
	if (spec == NULL || addr == NULL || (!str_has_prefix(addr, "127.") &&
	    strcmp(addr, "::1") != 0 && strcmp(addr, "::ffff:127.0.0.1") != 0))
		return;
	for (;;) {
		comma = strchr(spec, ',');
		if (fault_parse_item(spec, comma ? (size_t)(comma - spec) :
		    strlen(spec)) == -1) {
			log_warn("fault: malformed X-Backroom-Fault, ignored");
			memset(&fault, 0, sizeof(fault));
			return;
		}
		if (comma == NULL)
			break;
		spec = comma + 1;
	}
	fault.armed = 1;
}

void
fault_end(struct response *resp)
{
	char	count[64];
	int	armed = fault.armed;

	fault.armed = 0;	/* the headers' own allocations do not count */
	if (!armed)
		return;
	snprintf(count, sizeof(count), "db=%lld,alloc=%lld",
	    (long long)fault.db_count, (long long)fault.alloc_count);
	(void)response_header(resp, "X-Backroom-Fault-Fired",
	    fault.fired ? "1" : "0");
	(void)response_header(resp, "X-Backroom-Fault-Count", count);
	if (fault.db_sql[0] != '\0')
		(void)response_header(resp, "X-Backroom-Fault-At",
		    fault.db_sql);
}

int
fault_drop_answer(void)
{
	return fault.drop;
}

enum fault_db
fault_db_next(const char *sql)
{
	size_t	i;

	enum fault_db	kind;

	if (!fault.armed)
		return FAULT_DB_NONE;
	++fault.db_count;
	if (fault.rb_kind != FAULT_DB_NONE && strcmp(sql, "ROLLBACK") == 0) {
		kind = fault.rb_kind;
		fault.rb_kind = FAULT_DB_NONE;		/* the first only */
	} else if (fault.db_count == fault.db_at)
		kind = fault.db_kind;
	else
		return FAULT_DB_NONE;
	/* One line, whitespace folded: it goes into a header.  The first
	 * fault's statement (a faulted ROLLBACK follows another). */
	if (!fault.fired) {
		for (i = 0; i < sizeof(fault.db_sql) - 1 && sql[i] != '\0';
		    i++)
			fault.db_sql[i] = (unsigned char)sql[i] < 0x20 ? ' ' :
			    sql[i];
		fault.db_sql[i] = '\0';
	}
	fault.fired = 1;
	log_info("fault: database statement %lld fails (%s): %.40s",
	    (long long)fault.db_count, fault_kinds[kind - 1].name, sql);
	fault_where();
	return kind;
}

int
fault_alloc_next(void)
{
	if (!fault.armed)
		return 0;
	if (++fault.alloc_count != fault.alloc_at)
		return 0;
	fault.fired = 1;
	log_info("fault: arena allocation %lld fails",
	    (long long)fault.alloc_count);
	fault_where();
	return 1;
}

#else
/* ISO C wants a translation unit to declare something. */
typedef int	fault_unused;
#endif /* BR_FAULTS */
