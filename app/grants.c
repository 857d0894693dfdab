/*
 * grants.c -- see grants.h.
 */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "db.h"
#include "grants.h"

static const char SQL_TABLES[] =
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = ? AND table_type = 'BASE TABLE' "
    "ORDER BY table_name";

/* A name printed inside quotes: letters, digits, '_', '-', '.', '%'. */
static int
grants_name_ok(const char *s)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("_-.%", *s) != NULL))
			return 0;
	return 1;
}

/* The privileges of the app's user on table t. */
static const char *
app_privileges(const struct config *c, const char *t)
{
	if (strcmp(t, "schema_migrations") == 0)
		return "SELECT";
	if (strcmp(t, "audit_log") != 0)
		return "SELECT, INSERT, UPDATE, DELETE";
	return c->audit_prune_user[0] != '\0' ? "SELECT, INSERT" :
	    "SELECT, INSERT, DELETE";
}

static void
grants_prune_user(const struct config *c, const char *host)
{
	const char	*u = c->audit_prune_user, *d = c->db_name;

	printf("GRANT SELECT, INSERT, DELETE ON `%s`.`audit_log` TO "
	    "'%s'@'%s';\n", d, u, host);
	printf("GRANT SELECT, UPDATE ON `%s`.`audit_chain` TO '%s'@'%s';\n",
	    d, u, host);
	printf("GRANT SELECT ON `%s`.`schema_migrations` TO '%s'@'%s';\n", d,
	    u, host);
}

int
grants_print(struct arena *a, const struct config *c, const char *user,
    const char *host)
{
	struct db_rows	 rows;
	struct db_row	 rd;
	const char	*t;
	size_t		 i;
	int		 rv;

	if (host == NULL)
		host = "localhost";
	if (strcmp(user, c->db_user) == 0 ||
	    strcmp(user, c->audit_prune_user) == 0) {
		fprintf(stderr, "grants: %s is the user this command connects "
		    "as, or the pruner: name the app's user\n", user);
		return -1;
	}
	if (!grants_name_ok(user) || !grants_name_ok(c->db_name) ||
	    !grants_name_ok(host) || (c->audit_prune_user[0] != '\0' &&
	    !grants_name_ok(c->audit_prune_user))) {
		fprintf(stderr, "grants: the user, db_name, audit_prune_user "
		    "and the host may hold only letters, digits and _-.%%\n");
		return -1;
	}
	if ((rv = db_query(a, &rows, SQL_TABLES, "s", c->db_name)) != DB_OK) {
		fprintf(stderr, "grants: %s\n", db_last_error());
		return -1;
	}
	if (rows.nrows == 0) {
		fprintf(stderr, "grants: no tables in %s: migrate first\n",
		    c->db_name);
		return -1;
	}
	printf("-- backroomd grants for schema version %d.  GRANTs only add:\n"
	    "-- a user that had broader rights (GRANT ALL) needs, once, at a\n"
	    "-- quiet moment: REVOKE ALL PRIVILEGES, GRANT OPTION FROM "
	    "'%s'@'%s';\n", SCHEMA_VERSION, user, host);
	for (i = 0; i < rows.nrows; i++) {
		db_row_start(&rd, &rows, i);
		t = db_row_str(&rd);
		if (db_row_end(&rd) == -1 || !grants_name_ok(t))
			return -1;
		printf("GRANT %s ON `%s`.`%s` TO '%s'@'%s';\n",
		    app_privileges(c, t), c->db_name, t, user, host);
	}
	if (c->db_replicas.n > 0)
		printf("-- db_replicas: the lag check (SHOW REPLICA STATUS); "
		    "give the same on each replica\nGRANT SLAVE MONITOR ON *.* "
		    "TO '%s'@'%s';\n", user, host);
	if (c->audit_prune_user[0] != '\0')
		grants_prune_user(c, host);
	else
		printf("-- no audit_prune_user: %s keeps DELETE on audit_log "
		    "for housekeeping's pruning\n", user);
	return 0;
}
