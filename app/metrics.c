/*
 * metrics.c -- see metrics.h.  The exposition follows the Prometheus text
 * format 0.0.4: HELP and TYPE lines, counters ending in _total, histograms
 * as cumulative _bucket{le} lines with _sum and _count.  Only routes that
 * have served something are written.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "metrics.h"
#include "request.h"
#include "router.h"
#include "scoreboard.h"
#include "str.h"

/* Upper bounds of the latency buckets, in microseconds. */
static const uint32_t bucket_us[METRICS_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};
static const char *const bucket_le[METRICS_BUCKETS] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "5", "10"
};

static const char *const db_names[MDB_COUNT] = {
	"query", "conflict", "transaction_retry", "statement_timeout",
	"connection_lost", "connect", "connect_failed", "error"
};

static const char *const conn_names[MC_COUNT] = {
	"accepted", "kept", "passed", "taken", "closed", "queue_deadline",
	"refused"
};

static const char *const replica_read_names[MR_COUNT] = {
	"replica", "waited", "wait_timeout", "skipped", "failed"
};

static struct metrics	*mx;
static uint64_t		 own_statements;	/* this process's */

void
metrics_attach(struct metrics *m)
{
	mx = m;
}

static void
add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void
metrics_request(const struct route *rt, int status, uint32_t us,
    uint64_t statements)
{
	struct metrics_route	*m;
	size_t			 i = METRICS_ROUTES - 1, b;
	int			 cls = status / 100 - 1;

	if (mx == NULL)
		return;
	if (rt != NULL && rt >= routes && rt < routes + nroutes &&
	    (size_t)(rt - routes) < METRICS_ROUTES - 1)
		i = (size_t)(rt - routes);
	m = &mx->route[i];
	if (cls < 0 || cls > 4)
		cls = 4;
	for (b = 0; b < METRICS_BUCKETS && us > bucket_us[b]; b++)
		;
	add(&m->status[cls], 1);
	add(&m->bucket[b], 1);
	add(&m->sum_us, us);
	add(&m->statements, statements);
}

uint64_t
metrics_own_statements(void)
{
	return own_statements;
}

void
metrics_db(enum metrics_db e)
{
	if (e == MDB_QUERY)
		own_statements++;
	if (mx != NULL && e < MDB_COUNT)
		add(&mx->db[e], 1);
}

void
metrics_worker_died(void)
{
	if (mx != NULL)
		add(&mx->worker_deaths, 1);
}

void
metrics_conn(enum metrics_conn e)
{
	if (mx != NULL && e < MC_COUNT)
		add(&mx->conn[e], 1);
}

void
metrics_replica_read(enum metrics_replica_read e)
{
	if (mx != NULL && e < MR_COUNT)
		add(&mx->replica_reads[e], 1);
}

void
metrics_replica(size_t i, const char *name, int state, int64_t lag_ms)
{
	struct metrics_replica	*m;

	if (mx == NULL || i >= METRICS_REPLICAS)
		return;
	m = &mx->replica[i];
	if (strcmp(m->name, name) != 0 &&
	    str_copy(m->name, sizeof(m->name), name) == -1)
		return;
	m->state = state;
	m->lag_ms = lag_ms;
	m->checked_ms = now_wall_ms();
}

const struct metrics_replica *
metrics_replica_get(size_t i)
{
	if (mx == NULL || i >= METRICS_REPLICAS || mx->replica[i].name[0] ==
	    '\0')
		return NULL;
	return &mx->replica[i];
}

/* A counter family with one label: its HELP and TYPE lines, then
 * name{label="names[i]"} v[i] for each of the n. */
static int
render_counters(struct buf *b, const char *name, const char *help,
    const char *label, const char *const *names, const uint64_t *v,
    size_t n)
{
	size_t	i;
	int	rc;

	rc = buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help,
	    name);
	for (i = 0; i < n; i++)
		rc |= buf_printf(b, "%s{%s=\"%s\"} %llu\n", name, label,
		    names[i], (unsigned long long)get(&v[i]));
	return rc;
}

/* The replicas' state and lag, and where list reads went. */
static int
render_replicas(struct buf *b)
{
	const struct metrics_replica	*m;
	size_t				 i;
	int				 rc;

	rc = buf_puts(b, "# HELP backroomd_replica_up 1 while a replica "
	    "serves reads (replicating, within replica_max_lag_ms); state "
	    "names why not.\n# TYPE backroomd_replica_up gauge\n");
	for (i = 0; (m = metrics_replica_get(i)) != NULL; i++)
		rc |= buf_printf(b, "backroomd_replica_up{replica=\"%s\","
		    "state=\"%s\"} %d\n", m->name,
		    db_replica_state_name(m->state), m->state == REPLICA_UP);
	rc |= buf_puts(b, "# HELP backroomd_replica_lag_seconds "
	    "Seconds_Behind_Master at the last check.\n"
	    "# TYPE backroomd_replica_lag_seconds gauge\n");
	for (i = 0; (m = metrics_replica_get(i)) != NULL; i++)
		if (m->lag_ms >= 0)
			rc |= buf_printf(b, "backroomd_replica_lag_seconds{"
			    "replica=\"%s\"} %.3f\n", m->name,
			    (double)m->lag_ms / 1000.0);
	rc |= render_counters(b, "backroomd_replica_reads_total", "Requests "
	    "that may read on a replica: read there (waited: after the "
	    "reader's own last write arrived), or on the primary because "
	    "the wait timed out, no replica was usable, or it failed.",
	    "outcome", replica_read_names, mx->replica_reads, MR_COUNT);
	return rc;
}

/* "GET /products/{id}": the route's first method and its pattern.  The
 * patterns are ours, but escape as the format asks anyway. */
static void
route_label(char *out, size_t len, size_t i)
{
	static const int	 order[] = { M_GET, M_POST, M_PUT, M_PATCH,
	    M_DELETE, M_OPTIONS, M_HEAD };
	const char		*p, *method = "";
	size_t			 n, k;

	if (i >= nroutes) {
		snprintf(out, len, "(none)");
		return;
	}
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		if (routes[i].methods & order[k]) {
			method = request_method_name(order[k]);
			break;
		}
	n = (size_t)snprintf(out, len, "%s ", method);
	for (p = routes[i].pattern; *p != '\0' && n + 3 < len; p++) {
		if (*p == '\\' || *p == '"')
			out[n++] = '\\';
		if (*p == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
			continue;
		}
		out[n++] = *p;
	}
	out[n < len ? n : len - 1] = '\0';
}

static uint64_t
route_count(const struct metrics_route *m)
{
	uint64_t	n = 0;
	int		c;

	for (c = 0; c < 5; c++)
		n += get(&m->status[c]);
	return n;
}

static int
render_requests(struct buf *b)
{
	char	label[160];
	size_t	i, k;
	int	c, rc = 0;

	rc |= buf_puts(b, "# HELP backroomd_requests_total Requests answered, "
	    "by route and status class.\n"
	    "# TYPE backroomd_requests_total counter\n");
	for (i = 0; i < METRICS_ROUTES; i++) {
		const struct metrics_route *m = &mx->route[i];
		if (route_count(m) == 0)
			continue;
		route_label(label, sizeof(label), i);
		for (c = 0; c < 5; c++)
			if (get(&m->status[c]) != 0)
				rc |= buf_printf(b,
				    "backroomd_requests_total{route=\"%s\","
				    "status=\"%dxx\"} %llu\n", label, c + 1,
				    (unsigned long long)get(&m->status[c]));
	}
	rc |= buf_puts(b, "# HELP backroomd_request_duration_seconds Time from "
	    "the request's parameters to its last byte written, by route.\n"
	    "# TYPE backroomd_request_duration_seconds histogram\n");
	for (i = 0; i < METRICS_ROUTES; i++) {
		const struct metrics_route *m = &mx->route[i];
		uint64_t cum = 0;
		if (route_count(m) == 0)
			continue;
		route_label(label, sizeof(label), i);
		for (k = 0; k < METRICS_BUCKETS; k++) {
			cum += get(&m->bucket[k]);
			rc |= buf_printf(b,
			    "backroomd_request_duration_seconds_bucket"
			    "{route=\"%s\",le=\"%s\"} %llu\n", label,
			    bucket_le[k], (unsigned long long)cum);
		}
		cum += get(&m->bucket[METRICS_BUCKETS]);
		rc |= buf_printf(b, "backroomd_request_duration_seconds_bucket"
		    "{route=\"%s\",le=\"+Inf\"} %llu\n", label,
		    (unsigned long long)cum);
		rc |= buf_printf(b, "backroomd_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n", label,
		    (double)get(&m->sum_us) / 1e6);
		rc |= buf_printf(b, "backroomd_request_duration_seconds_count"
		    "{route=\"%s\"} %llu\n", label, (unsigned long long)cum);
	}
	rc |= buf_puts(b, "# HELP backroomd_request_db_statements_total "
	    "Database statements run for the requests of a route (divide by "
	    "its requests for statements per request).\n"
	    "# TYPE backroomd_request_db_statements_total counter\n");
	for (i = 0; i < METRICS_ROUTES; i++) {
		const struct metrics_route *m = &mx->route[i];
		if (route_count(m) == 0)
			continue;
		route_label(label, sizeof(label), i);
		rc |= buf_printf(b, "backroomd_request_db_statements_total"
		    "{route=\"%s\"} %llu\n", label,
		    (unsigned long long)get(&m->statements));
	}
	return rc;
}

static int
render_pool(struct buf *b, const struct scoreboard *sb)
{
	unsigned	states[SB_READING + 1] = { 0 };
	int		i, rc = 0;

	for (i = 0; i < BR_SCOREBOARD_SLOTS; i++) {
		int st = __atomic_load_n(&sb->slots[i].state, __ATOMIC_RELAXED);
		if (sb->slots[i].pid != 0 && st > SB_FREE && st <= SB_READING)
			states[st]++;
	}
	rc |= buf_puts(b,
	    "# HELP backroomd_workers Worker processes by state.\n"
	    "# TYPE backroomd_workers gauge\n");
	for (i = SB_STARTING; i <= SB_READING; i++)
		rc |= buf_printf(b, "backroomd_workers{state=\"%s\"} %u\n",
		    scoreboard_state_name(i), states[i]);
	rc |= buf_printf(b, "# HELP backroomd_configured_workers The workers "
	    "setting of the running configuration.\n"
	    "# TYPE backroomd_configured_workers gauge\n"
	    "backroomd_configured_workers %u\n"
	    "# HELP backroomd_active_requests Requests being served now.\n"
	    "# TYPE backroomd_active_requests gauge\n"
	    "backroomd_active_requests %u\n"
	    "# HELP backroomd_max_active_requests Most requests served at "
	    "once since the start.\n"
	    "# TYPE backroomd_max_active_requests gauge\n"
	    "backroomd_max_active_requests %u\n"
	    "# HELP backroomd_accepted_requests_total Requests accepted.\n"
	    "# TYPE backroomd_accepted_requests_total counter\n"
	    "backroomd_accepted_requests_total %llu\n"
	    "# HELP backroomd_all_workers_busy_total Requests that found "
	    "every worker busy.\n"
	    "# TYPE backroomd_all_workers_busy_total counter\n"
	    "backroomd_all_workers_busy_total %llu\n"
	    "# HELP backroomd_slow_requests_total Requests that took "
	    "slow_request_ms or longer.\n"
	    "# TYPE backroomd_slow_requests_total counter\n"
	    "backroomd_slow_requests_total %llu\n"
	    "# HELP backroomd_worker_deaths_total Workers killed by a signal "
	    "or exiting with an error (not recycling, reloads or stops).\n"
	    "# TYPE backroomd_worker_deaths_total counter\n"
	    "backroomd_worker_deaths_total %llu\n"
	    "# HELP backroomd_start_time_seconds When the master started, "
	    "in seconds since the epoch.\n"
	    "# TYPE backroomd_start_time_seconds gauge\n"
	    "backroomd_start_time_seconds %lld\n",
	    __atomic_load_n(&sb->workers, __ATOMIC_RELAXED),
	    __atomic_load_n(&sb->active, __ATOMIC_RELAXED),
	    __atomic_load_n(&sb->max_active, __ATOMIC_RELAXED),
	    (unsigned long long)get(&sb->accepted),
	    (unsigned long long)get(&sb->all_busy),
	    (unsigned long long)get(&sb->slow),
	    (unsigned long long)get(&mx->worker_deaths),
	    (long long)(sb->started_ms / 1000));
	return rc;
}

/*
 * Copies the exposition in to out with host="..." added to every sample:
 * several backroomd hosts behind one nginx, scraped into one Prometheus,
 * stay apart even where the scrape's own instance label is the same.
 */
static int
label_host(const struct buf *in, struct buf *out, const char *host)
{
	const char	*p = in->data, *end = in->data + in->len, *nl, *sp;
	int		 rc = 0;

	while (p < end && rc == 0) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		sp = p;
		while (sp < nl && *sp != '{' && *sp != ' ')
			sp++;
		if (*p == '#' || sp == nl)
			rc |= buf_append(out, p, (size_t)(nl - p));
		else {
			rc |= buf_append(out, p, (size_t)(sp - p));
			rc |= buf_printf(out, *sp == '{' ? "{host=\"%s\"," :
			    "{host=\"%s\"}", host);
			sp += *sp == '{';
			rc |= buf_append(out, sp, (size_t)(nl - sp));
		}
		if (nl < end)
			rc |= buf_putc(out, '\n');
		p = nl + 1;
	}
	return rc;
}

int
metrics_render(struct buf *out, const struct scoreboard *sb,
    const char *host)
{
	struct buf	 tmp, *b = &tmp;
	int		 rc;

	if (mx == NULL)
		return -1;
	buf_init(&tmp, out->max);
	rc = render_requests(b);
	rc |= render_counters(b, "backroomd_db_events_total", "Database "
	    "statements and what went wrong with them, over all workers.",
	    "event", db_names, mx->db, MDB_COUNT);
	rc |= render_counters(b, "backroomd_fastcgi_events_total", "FastCGI "
	    "connections accepted, requests on kept connections, kept "
	    "connections passed between workers and closed, requests shed "
	    "by queue_deadline_ms, connections refused by fastcgi_allow.",
	    "event", conn_names, mx->conn, MC_COUNT);
	rc |= render_replicas(b);
	rc |= render_pool(b, sb);
	if (rc == 0)
		rc = label_host(&tmp, out, host);
	buf_free(&tmp);
	return rc == 0 ? 0 : -1;
}
