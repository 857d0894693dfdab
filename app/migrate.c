/*
 * migrate.c -- `backroomd migrate`: applies sql/migrations/NNNN_name.sql in
 * order and records each in schema_migrations.
 *
 * DDL commits implicitly in MariaDB, so a migration is not atomic; each
 * file is written to be re-runnable (IF NOT EXISTS) and is recorded only
 * after it succeeded, so re-running after a failure resumes where it
 * stopped.  GET_LOCK serializes concurrent runs (several hosts deploying).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "bounds.h"
#include "db.h"
#include "log.h"
#include "str.h"

struct migration {
	int	version;
	char	name[256];
};

static int
migration_cmp(const void *a, const void *b)
{
	return ((const struct migration *)a)->version -
	    ((const struct migration *)b)->version;
}

/* Lists NNNN_*.sql in dir, sorted.  Count, or -1. */
static int
migration_list(const char *dir, struct migration *m, int max)
{
	DIR		*d;
	struct dirent	*de;
	int64_t		 v;
	size_t		 len;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "migrate: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 9 || de->d_name[4] != '_' ||
		    strcmp(de->d_name + len - 4, ".sql") != 0 ||
		    str_to_i64n(de->d_name, 4, 1, 9999, &v) == -1)
			continue;
		if (n == max || str_copy(m[n].name, sizeof(m[n].name),
		    de->d_name) == -1) {
			closedir(d);
			return -1;
		}
		m[n++].version = (int)v;
	}
	closedir(d);
	qsort(m, (size_t)n, sizeof(m[0]), migration_cmp);
	return n;
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*text;
	long	 size;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 ||
	    (text = malloc((size_t)size + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		free(text);
		fclose(f);
		return NULL;
	}
	text[size] = '\0';
	fclose(f);
	return text;
}

/* Runs a multi-statement script, draining every result. */
static int
run_script(MYSQL *m, const char *sql)
{
	MYSQL_RES	*res;
	int		 st;

	if (mysql_query(m, sql) != 0)
		return -1;
	do {
		if ((res = mysql_store_result(m)) != NULL)
			mysql_free_result(res);
		else if (mysql_errno(m) != 0)
			return -1;
		if ((st = mysql_next_result(m)) > 0)
			return -1;
	} while (st == 0);
	return 0;
}

static int
applied(MYSQL *m, int version)
{
	char		 q[128];
	MYSQL_RES	*res;
	int		 found;

	snprintf(q, sizeof(q), "SELECT 1 FROM schema_migrations WHERE "
	    "version = %d", version);
	if (mysql_query(m, q) != 0 || (res = mysql_store_result(m)) == NULL)
		return -1;
	found = mysql_num_rows(res) > 0;
	mysql_free_result(res);
	return found;
}

static int
apply_one(MYSQL *m, const char *dir, const struct migration *mg)
{
	char	 path[BR_MAX_PATH + 300], q[1200], esc[520];
	char	*sql;
	int	 rv;

	snprintf(path, sizeof(path), "%s/%s", dir, mg->name);
	if ((sql = read_file(path)) == NULL) {
		fprintf(stderr, "migrate: cannot read %s\n", path);
		return -1;
	}
	printf("migrate: applying %s\n", mg->name);
	rv = run_script(m, sql);
	free(sql);
	if (rv == -1) {
		fprintf(stderr, "migrate: %s failed: %s\n", mg->name,
		    mysql_error(m));
		return -1;
	}
	mysql_real_escape_string(m, esc, mg->name, strlen(mg->name));
	snprintf(q, sizeof(q), "INSERT INTO schema_migrations (version, name)"
	    " VALUES (%d, '%s')", mg->version, esc);
	if (mysql_query(m, q) != 0) {
		fprintf(stderr, "migrate: cannot record %s: %s\n", mg->name,
		    mysql_error(m));
		return -1;
	}
	return 0;
}

int
db_migrate(const char *dir)
{
	struct migration	 list[512];
	MYSQL			*m;
	int			 n, i, rv = -1, done = 0, a;

	if ((n = migration_list(dir, list, 512)) == -1)
		return -1;
	if ((m = db_open(1)) == NULL) {
		fprintf(stderr, "migrate: cannot connect: %s\n",
		    db_last_error());
		return -1;
	}
	/* Created only when missing: the app's own user has no DDL rights
	 * (`backroomd grants`), yet may check that nothing is pending. */
	if (run_script(m, "SELECT GET_LOCK('backroom_migrate', 60)") == -1 ||
	    (run_script(m, "SELECT 1 FROM schema_migrations LIMIT 0") == -1 &&
	    run_script(m, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, "
	    "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) "
	    "ENGINE=InnoDB") == -1)) {
		fprintf(stderr, "migrate: %s\n", mysql_error(m));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((a = applied(m, list[i].version)) == -1)
			goto out;
		if (a)
			continue;
		if (apply_one(m, dir, &list[i]) == -1)
			goto out;
		done++;
	}
	printf("migrate: %d applied, schema at version %d\n", done,
	    n > 0 ? list[n - 1].version : 0);
	rv = 0;
out:
	(void)run_script(m, "SELECT RELEASE_LOCK('backroom_migrate')");
	mysql_close(m);
	return rv;
}
