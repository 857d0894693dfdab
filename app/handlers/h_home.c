/*
 * h_home.c -- "/": the start page.  Until the accounts issue puts a login
 * in front of it, it shows the instance name from the database and the
 * state of the worker pool.
 */
#include <json-c/json.h>

#include "app.h"
#include "db.h"
#include "handlers.h"
#include "request.h"
#include "response.h"
#include "scoreboard.h"

static const char SQL_SETTING[] =
    "SELECT value FROM app_settings WHERE name = ?";

void
h_home(struct request *r, struct response *resp)
{
	struct json_object	*ctx;
	struct db_rows		 rows;
	int			 st;

	if ((st = db_query(r->arena, &rows, SQL_SETTING, "s",
	    "instance_name")) != DB_OK) {
		h_db_error(r, resp, st);
		return;
	}
	ctx = json_object_new_object();
	json_object_object_add(ctx, "title", json_object_new_string("Home"));
	json_object_object_add(ctx, "instance", json_object_new_string(
	    rows.nrows > 0 && DB_CELL(&rows, 0, 0) ? DB_CELL(&rows, 0, 0) :
	    "Backroom"));
	json_object_object_add(ctx, "workers",
	    json_object_new_int((int)app.sb->workers));
	json_object_object_add(ctx, "accepted",
	    json_object_new_int64((int64_t)app.sb->accepted));
	json_object_object_add(ctx, "schema",
	    json_object_new_int(SCHEMA_VERSION));
	response_html(resp, r, 200, "home", ctx);
}
