/*
 * app.h -- the process-wide, read-only-after-fork context: configuration,
 * templates, scoreboard.  The master owns it and replaces it on reload;
 * a worker sees the copy it was forked with.
 */
#ifndef APP_H
#define APP_H

#include <sys/types.h>

#include "config.h"

struct scoreboard;
struct sb_slot;
struct tmpl_set;

struct app {
	struct config		 cfg;
	struct tmpl_set		*tmpl;
	struct scoreboard	*sb;
	struct sb_slot		*slot;		/* a worker's own slot */
	int			 listen_fd;
	/* Passes kept connections between workers: send on [0], take
	 * from [1]. */
	int			 handoff[2];
	int			 generation;
	char			 host[64];	/* host_name, or the system's */
	pid_t			 master_pid;
};

extern struct app	app;

/* master.c: binds, forks and supervises; returns the exit status. */
int	master_run(void);
/* worker.c: serves requests until told to stop; never returns. */
void	worker_main(int slot) __attribute__((noreturn));
/* worker.c: setuid/setgid to the configured user, no_new_privs, and leave
 * with the master. */
void	worker_privdrop(void);

#endif /* APP_H */
