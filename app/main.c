/*
 * main.c -- the command line.
 *
 *   backroomd [-c file]            serve (master in the foreground)
 *   backroomd [-c file] -t         check the config and templates
 *   backroomd [-c file] migrate    apply pending migrations
 *   backroomd [-c file] create-admin EMAIL
 *   backroomd [-c file] create-user EMAIL ROLE
 *                                  make a user; prints its generated
 *                                  password alone on stdout
 *   backroomd [-c file] audit-verify  check the audit trail's hash chain
 *   backroomd [-c file] audit-rekey   rehash a plain chain with the audit key
 *   backroomd [-c file] grants USER [HOST]  least-privilege GRANTs for USER
 *   backroomd [-c file] housekeeping  run the clean-up once
 *   backroomd [-c file] check      verify the inventory invariants
 *   backroomd -T                   print the directive table
 *   backroomd routes               print the route table as JSON
 *   backroomd fields               print the declared input fields as JSON
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "accounts.h"
#include "app.h"
#include "arena.h"
#include "assets.h"
#include "audit.h"
#include "auditchain.h"
#include "grants.h"
#include "authz.h"
#include "config.h"
#include "crypto.h"
#include "db.h"
#include "fields.h"
#include "housekeeping.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "reorder.h"
#include "request.h"
#include "router.h"
#include "tmpl.h"
#include "users.h"


static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: backroomd [-c config] [-t | -T] [serve | "
	    "migrate | create-admin EMAIL | create-user EMAIL ROLE |\n"
	    "       audit-verify [ID HASH] | audit-rekey | "
	    "grants USER [HOST] |\n"
	    "       housekeeping | check | routes | fields]\n");
	exit(2);
}

static int
check_config(void)
{
	static struct assets	 a;
	struct tmpl_set	*t;
	char		 err[512];

	if ((t = tmpl_load_dir(app.cfg.templates_dir, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "backroomd: templates: %s\n", err);
		return 1;
	}
	tmpl_set_free(t);
	if (assets_load(app.cfg.static_dir, &a) == -1) {
		fprintf(stderr, "backroomd: cannot read static_dir %s\n",
		    app.cfg.static_dir);
		return 1;
	}
	printf("backroomd: %s: configuration ok\n", app.cfg.path);
	return 0;
}

/* The route table as JSON, for the tests that walk it. */
static int
print_routes(void)
{
	static const int methods[] = { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH,
	    M_DELETE };
	struct json_object	*list = json_object_new_array();
	size_t			 i, j;

	for (i = 0; i < nroutes; i++) {
		struct json_object *o = json_object_new_object();
		struct json_object *m = json_object_new_array();
		for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
			if ((routes[i].methods & methods[j]) ||
			    (methods[j] == M_HEAD &&
			    (routes[i].methods & M_GET)))
				json_object_array_add(m, json_object_new_string(
				    request_method_name(methods[j])));
		json_object_object_add(o, "methods", m);
		json_add_str(o, "pattern", routes[i].pattern);
		json_add_str(o, "perm", routes[i].perm);
		json_add_bool(o, "public", (routes[i].flags & R_PUBLIC) != 0);
		json_add_bool(o, "loopback",
		    (routes[i].flags & R_LOOPBACK) != 0);
		json_add_bool(o, "api", (routes[i].flags & R_API) != 0);
		json_object_array_add(list, o);
	}
	printf("%s\n", json_object_to_json_string_ext(list,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(list);
	return 0;
}

/* `backroomd fields`: every declared input (fields.h) as JSON. */
static int
print_fields(void)
{
	struct json_object	*list = json_object_new_array();
	size_t			 i;

	for (i = 0; i < nfield_sets; i++)
		json_object_array_add(list, fields_describe(field_sets[i]));
	printf("%s\n", json_object_to_json_string_ext(list,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(list);
	return 0;
}

/* 20 characters from 56 unambiguous ones: about 116 bits. */
static int
generate_password(char *out, size_t n)
{
	static const char alphabet[] =
	    "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char	rnd[64];
	size_t		i, k = 0, len = 20;

	if (n < len + 1)
		return -1;
	if (crypto_bytes(rnd, sizeof(rnd)) == -1)
		return -1;
	/* Rejection sampling keeps every character equally likely. */
	for (i = 0; i < sizeof(rnd) && k < len; i++)
		if (rnd[i] < 224)	/* 224 = 4 * 56 */
			out[k++] = alphabet[rnd[i] % 56];
	explicit_bzero(rnd, sizeof(rnd));
	if (k < len)
		return -1;
	out[k] = '\0';
	return 0;
}

static int
create_user(const char *email, const char *role)
{
	struct audit_ctx	 ctx;
	struct acct_error	 err = { NULL, NULL, 0 };
	char			 pw[32];
	int64_t			 id;
	int			 rv;

	if (password_policy_load(app.cfg.password_list) == -1 ||
	    audit_key_load(app.cfg.audit_key_file) == -1)
		return 1;
	if ((ctx.arena = arena_create(BR_ARENA_CAP)) == NULL)
		return 1;
	ctx.actor_id = 0;
	ctx.client_addr = NULL;
	ctx.request_id = NULL;
	ctx.form_key = NULL;
	db_configure(&app.cfg);
	if (generate_password(pw, sizeof(pw)) == -1) {
		fprintf(stderr, "backroomd: no randomness\n");
		return 1;
	}
	rv = users_create(&ctx, email, "", role, pw, 0, &id, &err);
	if (rv == ACCT_INVALID) {
		fprintf(stderr, "backroomd: %s: %s\n", err.field, err.message);
		explicit_bzero(pw, sizeof(pw));
		return 1;
	}
	if (rv != DB_OK) {
		fprintf(stderr, "backroomd: cannot create the user: %s\n",
		    db_last_error());
		explicit_bzero(pw, sizeof(pw));
		return 1;
	}
	printf("%s\n", pw);
	fflush(stdout);
	explicit_bzero(pw, sizeof(pw));
	fprintf(stderr, "backroomd: created %s user %s (id %lld)\n", role,
	    email, (long long)id);
	return 0;
}

static int
run_db_command(const char *cmd, char **args)
{
	struct arena	*a;
	int		 rv;

	if (audit_key_load(app.cfg.audit_key_file) == -1 ||
	    (a = arena_create(BR_ARENA_CAP)) == NULL)
		return 1;
	db_configure(&app.cfg);
	if (strcmp(cmd, "audit-verify") == 0) {
		rv = audit_verify(a);
		if (rv == 0 && args[0] != NULL)
			rv = audit_verify_anchor(a, args[0], args[1]);
	} else if (strcmp(cmd, "audit-rekey") == 0)
		rv = audit_rekey(a);
	else if (strcmp(cmd, "grants") == 0)
		rv = grants_print(a, &app.cfg, args[0], args[1]);
	else if (strcmp(cmd, "check") == 0)
		rv = inventory_check(a);
	else if ((rv = housekeeping_secrets(&app.cfg)) == 0)
		rv = housekeeping_run(a, &app.cfg);
	/* A connection left open is an "Aborted connection" in the server's
	 * log. */
	db_close();
	arena_destroy(a);
	return rv == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	const char	*conf = "/etc/backroom/backroomd.conf";
	const char	*cmd = "serve";
	char		 err[512];
	int		 ch, test = 0;

	log_init("backroomd", LOG_INFO);
	while ((ch = getopt(argc, argv, "c:tT")) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 't':
			test = 1;
			break;
		case 'T':
			config_dump_table();
			return 0;
		default:
			usage();
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	if (strcmp(cmd, "routes") == 0 && optind == argc)
		return print_routes();
	if (strcmp(cmd, "fields") == 0 && optind == argc)
		return print_fields();
	if (config_load(conf, &app.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "backroomd: %s\n", err);
		return 1;
	}
	if (test)
		return check_config();
	if (strcmp(cmd, "serve") == 0 && optind == argc) {
		if (geteuid() == 0 && app.cfg.user[0] == '\0') {
			fprintf(stderr, "backroomd: started as root without "
			    "`user`: the workers would serve as root.  Set "
			    "user (user = root to insist).\n");
			return 1;
		}
		return master_run();
	}
	if (strcmp(cmd, "migrate") == 0 && optind == argc) {
		db_configure(&app.cfg);
		return db_migrate(app.cfg.migrations_dir) == 0 ? 0 : 1;
	}
	if (strcmp(cmd, "create-admin") == 0 && optind + 1 == argc)
		return create_user(argv[optind], "admin");
	if (strcmp(cmd, "create-user") == 0 && optind + 2 == argc)
		return create_user(argv[optind], argv[optind + 1]);
	if (strcmp(cmd, "grants") == 0 && (optind + 1 == argc ||
	    optind + 2 == argc))
		return run_db_command(cmd, argv + optind);
	if (strcmp(cmd, "audit-verify") == 0 && optind + 2 == argc)
		return run_db_command(cmd, argv + optind);
	if ((strcmp(cmd, "audit-verify") == 0 ||
	    strcmp(cmd, "audit-rekey") == 0 || strcmp(cmd, "check") == 0 ||
	    strcmp(cmd, "housekeeping") == 0) && optind == argc)
		return run_db_command(cmd, argv + optind);
	usage();
}
