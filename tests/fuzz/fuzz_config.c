/*
 * fuzz_config.c -- config_parse(), the reader of backroomd.conf, on any
 * text (cut at its first NUL: config_load() reads a C string).
 *
 * Invariants: a refused file leaves the config untouched and names its
 * line; an accepted one keeps every number inside its directive's bounds
 * (a few spot checks against bounds.h) and every string terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "bounds.h"
#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct config	 c, before;
	struct arena		*a = fuzz_arena();
	char			 err[256];
	int			 rv;

	config_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	err[0] = '\0';
	rv = config_parse("fuzz.conf", fuzz_cstr(a, data, len), &c, err,
	    sizeof(err));
	if (rv == -1) {
		if (strncmp(err, "fuzz.conf", 9) != 0)
			fuzz_fail("an error that does not name the file");
		if (memcmp(&c, &before, sizeof(c)) != 0)
			fuzz_fail("a refused file changed the config");
	} else {
		if (c.workers < 1 || c.workers > BR_MAX_WORKERS ||
		    c.max_body_size < 0 || c.max_body_size > BR_MAX_BODY ||
		    c.listen_mode < 0 || c.listen_mode > 0777 ||
		    c.log_level < 0 || c.log_level > 3)
			fuzz_fail("a value outside its bounds");
		if (strnlen(c.listen, sizeof(c.listen)) == sizeof(c.listen) ||
		    strnlen(c.db_password, sizeof(c.db_password)) ==
		    sizeof(c.db_password))
			fuzz_fail("a string not terminated");
		(void)config_listen_is_unix(&c);
	}
	arena_reset(a);
	return 0;
}
