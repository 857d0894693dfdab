/*
 * h_debug.c -- test hooks, answered 404 unless debug_routes = yes, and
 * loopback-only through the route table:  /debug/sleep?ms=N holds a
 * worker busy (request_timeout and graceful-stop tests); /debug/echo and
 * /api/v1/debug/echo/{name} decode a form or JSON body and echo it, so the
 * integration tests exercise the real decoding path end to end;
 * /debug/forbidden makes a system call the seccomp allowlist forbids (a
 * packet socket), which must kill the worker.
 */
#include <sys/socket.h>

#include <string.h>
#include <unistd.h>
#include <time.h>

#include <json-c/json.h>

#include "app.h"
#include "handlers.h"
#include "request.h"
#include "response.h"
#include "str.h"

static int
debug_enabled(struct request *r, struct response *resp)
{
	if (app.cfg.debug_routes)
		return 1;
	response_error(resp, r, 404, "No such page.");
	return 0;
}

void
h_debug_sleep(struct request *r, struct response *resp)
{
	struct timespec	 ts;
	const char	*ms = request_query(r, "ms");
	int64_t		 v;

	if (!debug_enabled(r, resp))
		return;
	if (ms == NULL || str_to_i64(ms, 0, 600000, &v) == -1) {
		response_error(resp, r, 400, "ms: an integer 0..600000");
		return;
	}
	ts.tv_sec = v / 1000;
	ts.tv_nsec = (v % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1)
		;
	response_text(resp, 200, NULL, "slept\n");
}

void
h_debug_echo(struct request *r, struct response *resp)
{
	struct json_object	*o, *errors;
	const char		*field;
	size_t			 i;
	int			 st;

	if (!debug_enabled(r, resp))
		return;
	if ((st = request_parse_form(r, &field)) != 0) {
		errors = NULL;
		if (field != NULL && field[0] != '\0') {
			errors = json_object_new_object();
			json_object_object_add(errors, field,
			    json_object_new_string("invalid value"));
		}
		response_problem(resp, st, st == 415 ? "Send a form." :
		    st == 413 ? "Request body too large." :
		    "Malformed form data.", json_own(resp->arena, errors));
		return;
	}
	o = json_object_new_object();
	for (i = 0; i < r->form.nfields; i++) {
		const struct form_field *f = &r->form.fields[i];
		if (f->filename != NULL)
			json_object_object_add(o, f->name,
			    json_object_new_int64((int64_t)f->value_len));
		else
			json_object_object_add(o, f->name,
			    json_object_new_string(f->value));
	}
	response_json(resp, 200, json_own(resp->arena, o));
}

void
h_debug_echo_json(struct request *r, struct response *resp)
{
	const char	*msg;
	int		 st;

	if (!debug_enabled(r, resp))
		return;
	if ((st = request_parse_json(r, 0, &msg)) != 0) {
		response_problem(resp, st, msg, NULL);
		return;
	}
	response_json(resp, 200, json_own(resp->arena,
	    json_object_get(r->json)));
}

void
h_debug_forbidden(struct request *r, struct response *resp)
{
	int	fd;

	if (!debug_enabled(r, resp))
		return;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd != -1)
		close(fd);
	response_text(resp, 200, NULL, "still alive: no seccomp filter\n");
}
