/*
 * h_ops.c -- /healthz (process alive, no database), /readyz (database
 * answers), /status (the scoreboard as JSON or, with ?text, as text),
 * /metrics (Prometheus text, metrics.c).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "app.h"
#include "buf.h"
#include "health.h"
#include "handlers.h"
#include "json.h"
#include "metrics.h"
#include "request.h"
#include "response.h"
#include "scoreboard.h"

void
h_healthz(struct request *r, struct response *resp)
{
	(void)r;
	response_header(resp, "Cache-Control", "no-store");
	response_text(resp, 200, NULL, "ok\n");
}

/*
 * The replicas as workers last saw them, one line each, by number (the
 * addresses only in /status and /metrics, which are loopback only).  A
 * replica that is down does not make the host unready: reads go to the
 * primary.
 */
static void
readyz_replicas(struct response *resp)
{
	const struct metrics_replica	*m;
	size_t				 i;

	for (i = 0; (m = metrics_replica_get(i)) != NULL; i++)
		if (buf_printf(&resp->body, "replica %zu: %s\n", i + 1,
		    health_replica_state(m->state)) == -1)
			return;
}

void
h_readyz(struct request *r, struct response *resp)
{
	int	st;

	(void)r;
	response_header(resp, "Cache-Control", "no-store");
	if ((st = health_db_ready()) == DB_OK) {
		response_text(resp, 200, NULL, "ready\n");
		readyz_replicas(resp);
		return;
	}
	response_header(resp, "Retry-After", "2");
	response_text(resp, 503, NULL, st == DB_SCHEMA ?
	    "database schema behind: run backroomd migrate\n" :
	    "database unavailable\n");
}

static struct json_object *
status_slot(const struct sb_slot *s, int64_t now_mono)
{
	struct json_object	*o = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int(s->pid));
	json_add_str(o, "state", scoreboard_state_name(s->state));
	json_object_object_add(o, "generation",
	    json_object_new_int(s->generation));
	json_add_i64(o, "requests", (int64_t)s->requests);
	json_add_i64(o, "last_duration_us", s->last_duration_us);
	if (s->state == SB_BUSY || s->state == SB_READING) {
		json_add_str(o, "method", s->method);
		json_add_str(o, "uri", s->uri);
		json_add_str(o, "request_id", s->request_id);
		json_object_object_add(o, "request_start",
		    json_object_new_double((double)s->req_start_wall / 1000));
		json_add_i64(o, "request_ms", now_mono - s->req_start_ms);
	}
	return o;
}

static void
status_text(struct response *resp, struct json_object *o)
{
	struct json_object	*ws = json_object_object_get(o, "workers");
	size_t			 i;
	int			 rc = 0;

	response_text(resp, 200, NULL, "");
	json_object_object_foreach(o, k, v) {
		if (strcmp(k, "workers") != 0)
			rc |= buf_printf(&resp->body, "%s: %s\n", k,
			    json_object_get_string(v));
	}
	rc |= buf_puts(&resp->body,
	    "\npid      state     gen  requests  last_us  current\n");
	for (i = 0; i < json_object_array_length(ws); i++) {
		struct json_object *w = json_object_array_get_idx(ws, i), *m;
		rc |= buf_printf(&resp->body, "%-8s %-9s %-4s %-9s %-8s",
		    json_object_get_string(json_object_object_get(w, "pid")),
		    json_object_get_string(json_object_object_get(w, "state")),
		    json_object_get_string(json_object_object_get(w,
		    "generation")),
		    json_object_get_string(json_object_object_get(w,
		    "requests")),
		    json_object_get_string(json_object_object_get(w,
		    "last_duration_us")));
		if ((m = json_object_object_get(w, "method")) != NULL)
			rc |= buf_printf(&resp->body, " %s %s",
			    json_object_get_string(m), json_object_get_string(
			    json_object_object_get(w, "uri")));
		rc |= buf_putc(&resp->body, '\n');
	}
	json_object_put(o);
	if (rc != 0)
		response_text(resp, 500, NULL, "status did not fit the "
		    "response buffer\n");
}

/* The replicas as workers last saw them. */
static struct json_object *
status_replicas(void)
{
	const struct metrics_replica	*m;
	struct json_object		*a = json_object_new_array(), *o;
	size_t				 i;

	for (i = 0; (m = metrics_replica_get(i)) != NULL; i++) {
		o = json_object_new_object();
		json_add_str(o, "name", m->name);
		json_add_str(o, "state", health_replica_state(m->state));
		if (m->lag_ms >= 0)
			json_add_i64(o, "lag_ms", m->lag_ms);
		json_add_i64(o, "checked_ms_ago", now_wall_ms() -
		    m->checked_ms);
		json_object_array_add(a, o);
	}
	return a;
}

void
h_status(struct request *r, struct response *resp)
{
	const struct scoreboard	*sb = app.sb;
	struct json_object	*o = json_object_new_object(), *ws;
	int64_t			 now = now_mono_ms();
	int			 i, idle = 0, busy = 0;

	ws = json_object_new_array();
	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++) {
		const struct sb_slot *s = &sb->slots[i];
		if (s->pid == 0)
			continue;
		idle += s->state == SB_IDLE;
		busy += s->state == SB_BUSY || s->state == SB_READING;
		json_object_array_add(ws, status_slot(s, now));
	}
	json_add_str(o, "pool", "backroomd");
	json_add_str(o, "host", app.host);
	json_add_i64(o, "start_time", sb->started_ms / 1000);
	json_add_i64(o, "uptime_s", (now_wall_ms() - sb->started_ms) / 1000);
	json_object_object_add(o, "configured_workers",
	    json_object_new_int((int)sb->workers));
	json_object_object_add(o, "idle_workers", json_object_new_int(idle));
	json_object_object_add(o, "active_workers", json_object_new_int(busy));
	json_add_i64(o, "accepted_requests", (int64_t)sb->accepted);
	json_object_object_add(o, "max_active",
	    json_object_new_int((int)sb->max_active));
	json_add_i64(o, "all_busy", (int64_t)sb->all_busy);
	json_add_i64(o, "slow_requests", (int64_t)sb->slow);
	json_add_i64(o, "this_worker_db_queries", (int64_t)health_db_queries());
	json_object_object_add(o, "replicas", status_replicas());
	json_object_object_add(o, "workers", ws);
	response_header(resp, "Cache-Control", "no-store");
	if (request_query(r, "text") != NULL)
		status_text(resp, o);
	else
		response_json(resp, 200, json_own(resp->arena, o));
}

void
h_metrics(struct request *r, struct response *resp)
{
	(void)r;
	response_header(resp, "Cache-Control", "no-store");
	response_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
	    "");
	if (metrics_render(&resp->body, app.sb, app.host) == -1)
		response_text(resp, 503, NULL, "metrics not attached or past "
		    "the response cap\n");
}
