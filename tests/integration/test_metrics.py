"""/metrics: Prometheus text over all workers -- requests by route and
status class, latency histograms by route, database events, worker states
and deaths -- counted exactly, well-formed, and kept across a reload."""
import os
import re
import signal

from conftest import (admin_cookies, get, master_pid, post, status, wait_until,
                      worker_pids)

# Label values may hold "}" (route="GET /products/{id}"): quoted strings.
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})? '
                    r'(-?[0-9.e+]+|\+Inf|NaN)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


HOST = None


def scrape():
    """{(name, frozenset(labels)): value}, checking the format on the way:
    every sample's family has HELP and TYPE lines before it."""
    r = get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert r.headers["Cache-Control"] == "no-store"
    global HOST
    HOST = HOST or status()["host"]
    typed, out = {}, {}
    for line in r.text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram"), line
            typed[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, line
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or (family in typed and typed[family] == "histogram"), line
        if typed.get(name) == "counter":
            assert name.endswith("_total"), line
        labels = dict(LABEL.findall(m.group(2) or ""))
        # Every sample names the host (several hosts, one Prometheus).
        assert labels.pop("host", None) == HOST, line
        out[(name, frozenset(labels.items()))] = float(m.group(3))
    return out


def val(s, name, **labels):
    return s.get((name, frozenset(labels.items())), 0.0)


def hist(s, route):
    """le -> cumulative count for one route, plus sum and count."""
    b = {dict(k[1])["le"]: v for k, v in s.items()
         if k[0] == "backroomd_request_duration_seconds_bucket" and dict(k[1])["route"] == route}
    return (b, val(s, "backroomd_request_duration_seconds_sum", route=route),
            val(s, "backroomd_request_duration_seconds_count", route=route))


def test_requests_are_counted_by_route_and_status_class():
    get("/api/v1/products/1")        # a route with a {param} in its label
    s0 = scrape()
    for _ in range(7):
        assert get("/healthz").status_code == 200
    for _ in range(3):
        assert get("/no/such/page").status_code == 404
    assert post("/healthz").status_code == 405
    s1 = scrape()
    assert val(s1, "backroomd_requests_total", route="GET /healthz", status="2xx") - \
        val(s0, "backroomd_requests_total", route="GET /healthz", status="2xx") == 7
    # No route matched: counted apart, never under a raw path.
    assert val(s1, "backroomd_requests_total", route="(none)", status="4xx") - \
        val(s0, "backroomd_requests_total", route="(none)", status="4xx") == 4
    assert not [k for k in s1 if "/no/such/page" in str(k)]
    # The scrape before this one is counted too.
    assert val(s1, "backroomd_requests_total", route="GET /metrics", status="2xx") >= 1


def test_histogram_is_cumulative_and_agrees_with_the_counts():
    get("/debug/sleep?ms=30")
    s0 = scrape()
    b0, _, n0 = hist(s0, "GET /debug/sleep")
    assert get("/debug/sleep?ms=30").status_code == 200
    s = scrape()
    b, total, n = hist(s, "GET /debug/sleep")
    les = ["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
           "0.5", "1", "2.5", "5", "10", "+Inf"]
    assert sorted(b) == sorted(les)
    counts = [b[le] for le in les]
    assert counts == sorted(counts)                 # cumulative
    assert b["+Inf"] == n == sum(v for k, v in s.items()
                                 if k[0] == "backroomd_requests_total"
                                 and dict(k[1])["route"] == "GET /debug/sleep")
    assert n - n0 == 1
    # 30 ms: not in any bucket up to 25 ms, in every one from 50 ms on
    # (unless the machine stalled past 50 ms; then still in +Inf).
    assert b["0.025"] == b0["0.025"]
    assert b["+Inf"] - b0["+Inf"] == 1
    assert total >= 0.030 * n


def test_database_statements_are_counted_over_all_workers():
    cookies = admin_cookies()
    s0 = scrape()
    for _ in range(8):
        assert get("/account", cookies=cookies, allow_redirects=False).status_code == 200
    s1 = scrape()
    d = val(s1, "backroomd_db_events_total", event="query") - \
        val(s0, "backroomd_db_events_total", event="query")
    assert d >= 8                       # at least the session read of each
    for ev in ("conflict", "transaction_retry", "statement_timeout", "connection_lost",
               "connect", "connect_failed", "error"):
        assert ("backroomd_db_events_total", frozenset({("event", ev)})) in s1


def test_every_sample_and_status_name_the_host():
    """Several backroomd hosts behind one nginx feed one Prometheus: each
    sample carries host="..." (scrape() checks every line), the same name
    /status shows."""
    import re as _re
    h = status()["host"]
    assert _re.fullmatch(r"[A-Za-z0-9._-]+", h), h
    s = scrape()
    assert val(s, "backroomd_configured_workers") >= 1
    assert "host" in get("/status?text").text


def test_statements_per_request_by_route():
    """backroomd_request_db_statements_total{route}: the list page is the
    session read and one query for the block and the pager (the highest
    id comes with the block), 2 per request; the session's last-seen
    update adds one at most once a minute per session."""
    from inventory_util import product, sql_int
    if sql_int("SELECT COUNT(*) FROM products WHERE id <= 50") == 0:
        product()                       # page 1 has a row (ids from 1)
    cookies = admin_cookies()
    route = "GET /products"
    get("/products?page=1", cookies=cookies)
    s0 = scrape()
    for _ in range(10):
        r = get("/products?page=1", cookies=cookies, allow_redirects=False)
        assert r.status_code == 200
    s1 = scrape()
    d = val(s1, "backroomd_request_db_statements_total", route=route) - \
        val(s0, "backroomd_request_db_statements_total", route=route)
    n = val(s1, "backroomd_requests_total", route=route, status="2xx") - \
        val(s0, "backroomd_requests_total", route=route, status="2xx")
    assert n == 10
    assert 20 <= d <= 21, d


def test_worker_states_and_a_killed_worker(healthy_pool):
    s = scrape()
    n = healthy_pool
    states = {dict(k[1])["state"]: v for k, v in s.items() if k[0] == "backroomd_workers"}
    assert set(states) == {"starting", "idle", "busy", "exiting", "reading"}
    assert states["idle"] + states["busy"] + states["reading"] == n
    assert val(s, "backroomd_configured_workers") == n
    assert val(s, "backroomd_accepted_requests_total") >= 1
    deaths0 = val(s, "backroomd_worker_deaths_total")
    victim = [w["pid"] for w in status()["workers"] if w["state"] == "idle"][0]
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: victim not in worker_pids() and len(worker_pids()) == n)
    assert val(scrape(), "backroomd_worker_deaths_total") == deaths0 + 1


def test_counters_survive_a_reload(healthy_pool):
    before = val(scrape(), "backroomd_requests_total", route="GET /healthz", status="2xx")
    gen0 = max(w["generation"] for w in status()["workers"])
    os.kill(master_pid(), signal.SIGHUP)
    assert wait_until(lambda: min(w["generation"] for w in status()["workers"]) > gen0
                      and len(worker_pids()) == healthy_pool, timeout=20)
    get("/healthz")
    after = val(scrape(), "backroomd_requests_total", route="GET /healthz", status="2xx")
    assert after >= before + 1
