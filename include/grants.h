/*
 * grants.h -- the least privileges of the app's database users, printed as
 * SQL for an administrator to run after each migration:
 *
 *	backroomd -c admin.conf grants USER [HOST] | mariadb -u root
 *
 * The statements only add rights (re-running them under a live app is
 * safe); a user that had broader ones is told, in a comment, to revoke
 * them once.  USER (the app's db_user; never the user the command
 * connects as) gets
 * SELECT, INSERT, UPDATE and DELETE on each table of the
 * schema (no DDL: migrations run as an administrator), but only SELECT
 * and INSERT on audit_log, so the app cannot rewrite its own trail.
 * Pruning the trail needs DELETE there: audit_prune_user gets it (with
 * what writing the prune's own audit row needs); without one, USER keeps
 * DELETE on audit_log, and the output says so.
 */
#ifndef GRANTS_H
#define GRANTS_H

struct arena;
struct config;

/* Prints the statements for 'user'@host (host: "localhost" if NULL).  0,
 * or -1 with the reason on stderr. */
int	grants_print(struct arena *, const struct config *, const char *user,
	    const char *host);

#endif /* GRANTS_H */
