#!/usr/bin/python3
"""make bench: Backroom against its own ceilings, side by side in one run.

Brings up a stack in var/bench (the same nginx template plus two ceiling
locations), seeds products across 3 warehouses, and drives each workload
with wrk over HTTPS keep-alive from this machine, alternating with the
ceilings, several rounds, reporting medians:

  ceiling_http  nginx returns a fixed body (no upstream)
  ceiling_fcgi  a bare libfcgi responder (tests/bench/hello.c), as many
                processes as backroomd workers, same upstream settings
  healthz       backroomd's /healthz: the framework's own overhead
  api_read      GET /api/v1/products/{random id} with a bearer token
  page_list     GET /products?page={random} with a session cookie
  api_write     POST /api/v1/movements (a receipt) with a fresh
                Idempotency-Key: one durable transaction
  form_post     a stock adjustment form (session, CSRF, form token) -> 303
  not_modified  api_read of one product with If-None-Match: its ETag -> 304
                (the database read and the tag, no rendering)
  overload      page_list with OVERLOAD_CONNECTIONS connections: more than
                the workers can serve within queue_deadline_ms (set low
                here), so some answers are 503 by design; reports p99 of
                the answered ones and the 503s counted in /metrics

FastCGI keep-alive is on in the site (upstream keepalive, fastcgi_keep_conn)
and in the ceiling's upstream alike.

During every run a probe client asks /healthz one request at a time and
must get every answer, and requests/s x mean latency is compared with the
number of connections: both detect starvation that wrk alone would not.
CPU shares come from /proc (utime + stime of each process group).

  bench.py [--smoke] [--rounds N] [--seconds S] [--products N] [--growth]
           [--only api_read,page_list,...]  (the ceilings always run)
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid

import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PREFIX = os.path.join(ROOT, "var/bench")
HTTPS_PORT = 9343
BASE = "https://127.0.0.1:%d" % HTTPS_PORT
CERT = os.path.join(PREFIX, "tls/cert.pem")
CONF = os.path.join(PREFIX, "backroomd.conf")
BACKROOMD = os.path.join(ROOT, "build/backroomd")
HELLO = os.path.join(ROOT, "build/bench-hello")
LUA = os.path.join(ROOT, "tests/bench")
WORKERS = 16
CONNECTIONS = 32
OVERLOAD_CONNECTIONS = 256
QUEUE_DEADLINE_MS = 250
TICK = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1

TARGETS = {"healthz": 0.90, "api_read": 0.45, "page_list": 0.30}


def sh(*args, **kw):
    kw.setdefault("check", True)
    return subprocess.run(args, cwd=ROOT, **kw)


def sql(stmt):
    return sh("mariadb", "-S", os.path.join(PREFIX, "mysqld.sock"), "-u", "root",
              "-N", "-B", "backroom", "-e", stmt, capture_output=True,
              text=True).stdout.strip()


def session():
    s = requests.Session()
    s.trust_env = False
    s.verify = CERT
    return s


# -- the stack --------------------------------------------------------------

def stack_start():
    env = dict(os.environ, HTTPS_PORT=str(HTTPS_PORT), HTTP_PORT="9380",
               WORKERS=str(WORKERS), BACKROOMD="build/backroomd", BENCH_SITE="1",
               BACKROOMD_EXTRA="max_requests = 0\nslow_request_ms = 10000\n"
               "login_addr_max_failures = 100000\nhousekeeping_interval = 0\n"
               "queue_deadline_ms = %d\n" % QUEUE_DEADLINE_MS +
               # Experiments: more directives, e.g. worker_connections = 1.
               os.environ.get("BENCH_BACKROOMD_EXTRA", ""),
               LOGIN_RATE="60000r/m", LOGIN_BURST="5000",
               # Room for the million-product growth run's working set, as
               # a database server sized for its data would have.
               MYSQL_BUFFER_POOL="2G")
    env.pop("SEED", None)
    sh("sh", "tests/stack.sh", "start", PREFIX, env=env, stdout=subprocess.DEVNULL)
    # Durable commits, as in production (the bench reports what they cost).
    sql("SET GLOBAL innodb_flush_log_at_trx_commit = 1")


def hello_start():
    sock = os.path.join(PREFIX, "hello.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    p = subprocess.Popen([HELLO, sock, str(WORKERS)], start_new_session=True)
    for _ in range(50):
        if os.path.exists(sock):
            break
        time.sleep(0.1)
    return p


def hello_stop(p):
    try:
        os.killpg(p.pid, 15)
    except ProcessLookupError:
        pass
    p.wait()


def seed(n_products):
    """n products (BENCH-nnnnnnn) across 3 warehouses with opening stock.
    Ids are given explicitly (BENCH-n has id base + n), so they are dense
    and the load scripts can pick any id in the range."""
    have = int(sql("SELECT COUNT(*) FROM products WHERE sku LIKE 'BENCH-%'") or 0)
    if have >= n_products:
        return
    for code in ("B1", "B2", "B3"):
        sql("INSERT IGNORE INTO warehouses (code, name) VALUES ('%s', 'Bench %s')"
            % (code, code))
    if have == 0:
        base = int(sql("SELECT COALESCE(MAX(id), 0) FROM products"))
    else:
        base = int(sql("SELECT id FROM products WHERE sku = 'BENCH-0000001'")) - 1
    step = 50000
    for lo in range(have + 1, n_products + 1, step):
        hi = min(lo + step - 1, n_products)
        sql("INSERT INTO products (id, sku, name, description, unit, price_cents, "
            "cost_cents, reorder_point, reorder_qty) SELECT %d + seq, "
            "CONCAT('BENCH-', LPAD(seq, 7, '0')), CONCAT('Bench product ', seq, "
            "' <&>'), '', 'pcs', 100 + seq %% 9000, 50 + seq %% 4000, 0, 0 "
            "FROM seq_%d_to_%d" % (base, lo, hi))
        sql("INSERT INTO stock (product_id, warehouse_id, on_hand) "
            "SELECT p.id, w.id, 1000000 FROM products p JOIN warehouses w "
            "ON w.code IN ('B1', 'B2', 'B3') WHERE p.id BETWEEN %d AND %d"
            % (base + lo, base + hi))
        sql("INSERT INTO stock_movements (product_id, warehouse_id, kind, "
            "qty_delta, balance_after, reference, note) SELECT s.product_id, "
            "s.warehouse_id, 'receipt', s.on_hand, s.on_hand, 'bench', "
            "'opening balance' FROM stock s WHERE s.product_id BETWEEN %d AND %d"
            % (base + lo, base + hi))
    sql("ANALYZE TABLE products, stock, stock_movements")


def credentials():
    """An admin's session cookie, CSRF token and a read+write API token."""
    email = "bench-%s@example.com" % uuid.uuid4().hex[:8]
    pw = sh(BACKROOMD, "-c", CONF, "create-user", email, "admin",
            capture_output=True, text=True).stdout.strip()
    s = session()
    r = s.post(BASE + "/login", data={"email": email, "password": pw},
               headers={"Origin": BASE})
    csrf = re.search(r'name="csrf-token" content="([0-9a-f]+)"', r.text).group(1)
    r = s.get(BASE + "/admin/tokens")
    uid = re.search(r'<option value="(\d+)">%s' % re.escape(email), r.text).group(1)
    ftok = re.search(r'name="form_token" value="([0-9a-f]+)"', r.text).group(1)
    r = s.post(BASE + "/admin/tokens", data={"csrf": csrf, "form_token": ftok,
                                              "user_id": uid, "name": "bench",
                                              "scopes": ["read", "write"]})
    token = re.search(r'id="new-token">(brt_[0-9a-f]+)<', r.text).group(1)
    return {"cookie": "__Host-br_session=" + s.cookies["__Host-br_session"],
            "csrf": csrf, "token": token}


# -- measuring --------------------------------------------------------------

def pids_of(name):
    out = sh("pgrep", "-x", name, capture_output=True, text=True, check=False).stdout
    return [int(p) for p in out.split()]


def group_pids():
    return {"nginx": pids_of("nginx"), "backroomd": pids_of("backroomd"),
            "mariadbd": pids_of("mariadbd"), "hello": pids_of("bench-hello")}


def cpu_ticks(pids):
    t = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            t += int(fields[11]) + int(fields[12])   # utime, stime
        except (OSError, IndexError):
            pass
    return t


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_rss():
    """VmRSS of each backroomd worker (not the master), in KiB."""
    r = session().get(BASE + "/status")
    return [rss_kb(w["pid"]) for w in r.json()["workers"]]


class Probe(threading.Thread):
    """One request at a time to /healthz; every one must be answered."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.sent = self.ok = 0
        self.worst = 0.0

    def run(self):
        s = session()
        while not self.stop.is_set():
            self.sent += 1
            t0 = time.monotonic()
            try:
                if s.get(BASE + "/healthz", timeout=5).status_code == 200:
                    self.ok += 1
            except requests.RequestException:
                pass
            self.worst = max(self.worst, time.monotonic() - t0)
            time.sleep(0.05)


def parse_latency(s):
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    if m is None:
        raise RuntimeError("wrk latency %r" % s)
    v = float(m.group(1))
    return v / 1000.0 if m.group(2) == "us" else v if m.group(2) == "ms" else v * 1000


def wrk(path, script, seconds, env, conns=CONNECTIONS):
    cmd = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency",
           "--timeout", "5s"]
    if script:
        cmd += ["-s", os.path.join(LUA, script)]
    cmd.append(BASE + path)
    pids = group_pids()
    before = {k: cpu_ticks(v) for k, v in pids.items()}
    probe = Probe()
    probe.start()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=dict(os.environ, **env))
    out, _ = p.communicate()
    elapsed = time.monotonic() - t0
    probe.stop.set()
    probe.join()
    after = {k: cpu_ticks(v) for k, v in pids.items()}
    return out, elapsed, before, after, probe


def run_workload(name, seconds, creds, nproducts, wids):
    path, script = {
        "ceiling_http": ("/bench/fixed", None),
        "ceiling_fcgi": ("/bench/fcgi", None),
        "healthz": ("/healthz", None),
        "api_read": ("/api/v1/products/1", "api_read.lua"),
        "page_list": ("/products?page=1", "page_list.lua"),
        "api_write": ("/api/v1/movements", "api_write.lua"),
        "form_post": ("/stock/movements", "form_post.lua"),
        "overload": ("/products?page=1", "page_list.lua"),
        "not_modified": ("/api/v1/products/1", "not_modified.lua"),
    }[name]
    env = {"BENCH_TOKEN": creds["token"], "BENCH_COOKIE": creds["cookie"],
           "BENCH_CSRF": creds["csrf"], "BENCH_PRODUCTS": str(nproducts),
           "BENCH_MIN_ID": str(creds["min_id"]), "BENCH_WAREHOUSE": str(wids[0]),
           "BENCH_LUA": LUA, "BENCH_ETAG": creds.get("etag", "")}
    wrk_cpu0 = os.times()
    shed0 = queue_shed()
    out, elapsed, before, after, probe = wrk(
        path, script, seconds, env,
        OVERLOAD_CONNECTIONS if name == "overload" else CONNECTIONS)
    shed = queue_shed() - shed0
    wrk_cpu1 = os.times()
    wrk_s = (wrk_cpu1.children_user - wrk_cpu0.children_user +
             wrk_cpu1.children_system - wrk_cpu0.children_system)
    if "requests in" not in out or "50%" not in out:
        raise RuntimeError("%s: wrk said:\n%s" % (name, out))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = re.search(r"Latency\s+(\S+)", out).group(1)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockerr = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                        r"timeout (\d+)", out)
    errors = sum(int(x) for x in sockerr.groups()) if sockerr else 0
    mean_ms = parse_latency(lat)
    cap = elapsed * TICK * NCPU
    cpu = {k: round(100.0 * (after[k] - before[k]) / cap, 1) for k in before}
    cpu["wrk"] = round(100.0 * wrk_s / (elapsed * NCPU), 1)
    return {
        "workload": name, "requests": reqs, "rps": rps,
        "p50_ms": parse_latency(p50), "p99_ms": parse_latency(p99),
        "mean_ms": mean_ms, "errors": errors,
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        # Little's law: busy connections = throughput x time in system.
        "littles_law_conns": round(rps * mean_ms / 1000.0, 1),
        "probe_sent": probe.sent, "probe_ok": probe.ok,
        "probe_worst_ms": round(probe.worst * 1000, 1),
        "cpu_pct": cpu,
        "queue_deadline_503": shed,
    }


def queue_shed():
    """Requests answered 503 by queue_deadline_ms so far (/metrics)."""
    text = requests.get(BASE + "/metrics", verify=CERT, timeout=10).text
    m = re.search(r'^backroomd_fastcgi_events_total\{host="[^"]*",'
                  r'event="queue_deadline"\} '
                  r'(\d+)$', text, re.M)
    return int(m.group(1)) if m else 0


def summarize(runs):
    med = {}
    for name in {r["workload"] for r in runs}:
        rs = [r for r in runs if r["workload"] == name]
        m = {k: statistics.median(r[k] for r in rs) for k in
             ("rps", "p50_ms", "p99_ms", "mean_ms", "littles_law_conns")}
        m["errors"] = sum(r["errors"] for r in rs)
        m["non_2xx_3xx"] = sum(r["non_2xx_3xx"] for r in rs)
        m["queue_deadline_503"] = sum(r["queue_deadline_503"] for r in rs)
        m["probe_missed"] = sum(r["probe_sent"] - r["probe_ok"] for r in rs)
        m["cpu_pct"] = {k: statistics.median(r["cpu_pct"][k] for r in rs)
                        for k in rs[0]["cpu_pct"]}
        m["runs"] = len(rs)
        med[name] = m
    return med


def table(med, order):
    fcgi = med.get("ceiling_fcgi", {}).get("rps") or 0
    lines = ["| workload | req/s | ratio to fcgi | target | p50 ms | p99 ms | "
             "errors | non-2xx/3xx | probe missed | conns (Little) | CPU wrk/nginx/"
             "backroomd/mariadbd % |", "|---|---:|---:|---:|---:|---:|---:|---:|"
             "---:|---:|---|"]
    for name in order:
        if name not in med:
            continue
        m = med[name]
        ratio = m["rps"] / fcgi if fcgi else 0
        c = m["cpu_pct"]
        lines.append("| %s | %.0f | %.2f | %s | %.2f | %.2f | %d | %d | %d | %.1f | "
                     "%.0f / %.0f / %.0f / %.0f |" % (
                         name, m["rps"], ratio,
                         "≥ %.2f" % TARGETS[name] if name in TARGETS else "",
                         m["p50_ms"], m["p99_ms"], m["errors"], m["non_2xx_3xx"],
                         m["probe_missed"], m["littles_law_conns"], c["wrk"],
                         c["nginx"], c["backroomd"] + c.get("hello", 0),
                         c["mariadbd"]))
    return "\n".join(lines)


def main():
    global QUEUE_DEADLINE_MS
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true",
                    help="each workload once for 2 s; fail on any error")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--products", type=int, default=100000)
    ap.add_argument("--growth", action="store_true",
                    help="also page_list and api_read at 10k and 1M products")
    ap.add_argument("--keep", action="store_true", help="leave the stack running")
    ap.add_argument("--queue-deadline-ms", type=int, default=QUEUE_DEADLINE_MS,
                    help="backroomd's queue_deadline_ms (0: off) for the run")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads (the ceilings always run)")
    a = ap.parse_args()
    if a.smoke:
        a.rounds, a.seconds, a.products = 1, 2, 2000
    QUEUE_DEADLINE_MS = a.queue_deadline_ms
    order = ["ceiling_http", "ceiling_fcgi", "healthz", "api_read", "page_list",
             "api_write", "form_post", "not_modified", "overload"]
    if a.only:
        want = set(a.only.split(","))
        unknown = want - set(order)
        if unknown:
            ap.error("unknown workloads: %s" % ", ".join(sorted(unknown)))
        order = [n for n in order if n.startswith("ceiling") or n in want]
    os.makedirs(PREFIX, exist_ok=True)
    stack_start()
    hello = hello_start()
    try:
        creds = None
        grow = []
        if a.growth and not a.smoke:
            # The small end first, on a table that small.
            seed(10000)
            creds, wids = setup_ids()
            grow += growth_at(10000, creds, wids, a.seconds)
        seed(a.products)
        if creds is None:
            creds = credentials()
        creds["min_id"] = int(sql("SELECT MIN(id) FROM products WHERE sku LIKE "
                                  "'BENCH-%'"))
        wids = [int(x) for x in sql("SELECT id FROM warehouses WHERE code IN "
                                    "('B1','B2','B3') ORDER BY id").split()]
        creds["etag"] = requests.get(
            BASE + "/api/v1/products/%d" % creds["min_id"], verify=CERT,
            timeout=10, headers={"Authorization": "Bearer " + creds["token"]}
        ).headers.get("ETag", "")
        rss_before = worker_rss()
        runs = []
        for rnd in range(a.rounds):
            for name in order:
                r = run_workload(name, a.seconds, creds, a.products, wids)
                r["round"] = rnd + 1
                runs.append(r)
                print("  round %d %-13s %8.0f req/s  p99 %6.2f ms  errors %d  "
                      "non-2xx %d  probe %d/%d" % (rnd + 1, name, r["rps"],
                                                   r["p99_ms"], r["errors"],
                                                   r["non_2xx_3xx"], r["probe_ok"],
                                                   r["probe_sent"]), flush=True)
        rss_after = worker_rss()
        med = summarize(runs)
        result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "products": a.products, "workers": WORKERS,
                  "connections": CONNECTIONS, "rounds": a.rounds,
                  "seconds": a.seconds, "ncpu": NCPU, "medians": med, "runs": runs,
                  "worker_rss_kb": {"before": rss_before, "after": rss_after},
                  "requests_total": sum(r["requests"] for r in runs
                                        if not r["workload"].startswith("ceiling"))}
        if a.growth and not a.smoke:
            seed(1000000)
            grow += growth_at(1000000, creds, wids, a.seconds)
            result["growth"] = grow
        print()
        print(table(med, order))
        print()
        print("worker RSS KiB before: %s" % rss_before)
        print("worker RSS KiB after %d backroomd requests: %s" % (result["requests_total"],
                                                         rss_after))
        for g in result.get("growth", []):
            print("growth: %(products)d products  %(workload)s  %(rps).0f req/s  "
                  "p50 %(p50_ms).2f ms  p99 %(p99_ms).2f ms" % g)
        with open(os.path.join(PREFIX, "results.json"), "w") as f:
            json.dump(result, f, indent=2)
        print("results: var/bench/results.json")
        # The overload run answers 503 by design: its non-2xx must all be
        # queue-deadline ones, and the probe may wait like any client.
        bad = [n for n, m in med.items()
               if m["errors"] or (m["non_2xx_3xx"] if n != "overload" else
                                  max(0, m["non_2xx_3xx"] -
                                      m["queue_deadline_503"]))
               or (m["probe_missed"] and n != "overload")]
        if bad:
            print("bench: errors, non-2xx/3xx or unanswered probes in: %s"
                  % ", ".join(sorted(bad)))
            return 1
        print("bench: every workload ran without errors")
        return 0
    finally:
        hello_stop(hello)
        if not a.keep:
            sh("sh", "tests/stack.sh", "stop", PREFIX, stdout=subprocess.DEVNULL,
               check=False)


def setup_ids():
    creds = credentials()
    creds["min_id"] = int(sql("SELECT MIN(id) FROM products WHERE sku LIKE "
                              "'BENCH-%'"))
    wids = [int(x) for x in sql("SELECT id FROM warehouses WHERE code IN "
                                "('B1','B2','B3') ORDER BY id").split()]
    return creds, wids


def growth_at(n, creds, wids, seconds):
    """page_list and api_read with n products in the table: the time per
    request must stay flat (index paging, no OFFSET scan)."""
    out = []
    for name in ("api_read", "page_list"):
        r = run_workload(name, seconds, creds, n, wids)
        r["products"] = n
        out.append(r)
        print("  growth %8d %-10s %8.0f req/s  p50 %.2f ms  p99 %.2f ms  "
              "non-2xx %d" % (n, name, r["rps"], r["p50_ms"], r["p99_ms"],
                              r["non_2xx_3xx"]), flush=True)
    return out


if __name__ == "__main__":
    sys.exit(main())
