/*
 * main.c -- the command line.
 *
 *   backroomd [-c file]            serve (master in the foreground)
 *   backroomd [-c file] -t         check the config and templates
 *   backroomd [-c file] migrate    apply pending migrations
 *   backroomd -T                   print the directive table
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "tmpl.h"


static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: backroomd [-c config] [-t | -T] "
	    "[serve | migrate]\n");
	exit(2);
}

static int
check_config(void)
{
	struct tmpl_set	*t;
	char		 err[512];

	if ((t = tmpl_load_dir(app.cfg.templates_dir, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "backroomd: templates: %s\n", err);
		return 1;
	}
	tmpl_set_free(t);
	printf("backroomd: %s: configuration ok\n", app.cfg.path);
	return 0;
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
	if (config_load(conf, &app.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "backroomd: %s\n", err);
		return 1;
	}
	if (test)
		return check_config();
	if (strcmp(cmd, "serve") == 0 && optind == argc)
		return master_run();
	if (strcmp(cmd, "migrate") == 0 && optind == argc) {
		db_configure(&app.cfg);
		return db_migrate(app.cfg.migrations_dir) == 0 ? 0 : 1;
	}
	usage();
}
