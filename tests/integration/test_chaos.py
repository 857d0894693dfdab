"""Chaos under load (issue 13, machinery item 3): workers SIGKILLed every
second and mariadbd SIGKILLed and restarted while client threads write
stock movements with Idempotency-Keys and read; slow clients held open
against nginx; thousands of malformed inputs that reach the handlers.
The invariants: only in-flight requests fail, no acknowledged write is
lost or applied twice, `backroomd check` passes, the pool and the database
recover by themselves, bad input never answers 5xx.

Each test writes its figures to PREFIX/chaos.txt (one line per test) and
puts them in its assertion messages.  The loads are small enough for the
ASan stack too; CHAOS_SECONDS scales the load phases (default 10 s);
CHAOS=0 skips the file."""
import concurrent.futures as cf
import json
import os
import random
import re
import secrets
import signal
import socket
import ssl
import threading
import time
import urllib.parse
import uuid

import pytest
import requests

from conftest import (BASE, CERT, PREFIX, get, master_pid, pid_alive, stack_start,
                      status, wait_until)
from accounts_util import (SESSION_COOKIE, Client, clear_addr_throttle,
                           create_token, forms, new_user, routes)
from inventory_util import (assert_check, client, mgr, product, sql_int, sql_rows,
                            supplier, warehouse)
from test_db_reconnect import mysqld_pid

ASAN = os.environ.get("ASAN", "0") == "1"
PHASE = float(os.environ.get("CHAOS_SECONDS", "10"))
THREADS = 4 if ASAN else 8
FIGURES = os.path.join(PREFIX, "chaos.txt")
HOST = urllib.parse.urlsplit(BASE).hostname
# CHAOS=0 skips the file (a quick run of the suite).
pytestmark = pytest.mark.skipif(os.environ.get("CHAOS") == "0",
                                reason="CHAOS=0")
PORT = urllib.parse.urlsplit(BASE).port


def report(name, figures):
    line = "%s: %s" % (name, " ".join("%s=%s" % kv for kv in figures.items()))
    with open(FIGURES, "a") as f:
        f.write(time.strftime("%Y-%m-%dT%H:%M:%S ") + line + "\n")
    return line


def codes_str(codes):
    return ",".join("%s:%d" % (k, codes[k]) for k in sorted(codes, key=str))


def pool_recovered(n):
    st = status()
    return (len(st["workers"]) == n and
            all(w["state"] in ("idle", "busy") for w in st["workers"]) and
            get("/healthz").status_code == 200)


@pytest.fixture
def healthy_stack():
    """A full pool before; afterwards MariaDB up (started again if a test
    left it down), every worker back, sign-in throttles cleared."""
    n = int(status()["configured_workers"])
    assert wait_until(lambda: pool_recovered(n), timeout=20)
    yield n
    try:
        if not pid_alive(mysqld_pid()):
            stack_start()
    except (OSError, ValueError):
        stack_start()
    assert wait_until(lambda: pool_recovered(n), timeout=30), status()
    assert wait_until(lambda: get("/readyz").status_code == 200, timeout=30)
    clear_addr_throttle()


# -- the writers ---------------------------------------------------------------

class Load:
    """THREADS client threads, each posting receipts of one product (qty
    1..5, reference = the Idempotency-Key) and reading its stock and
    ledger.  A write that fails (connection error or 5xx) is retried with
    the same key until it is answered 2xx or `deadline` passes: the
    answer must then be the first one's (same movement id), never a
    second movement."""

    def __init__(self, c, product_id, warehouse_id):
        self.c = c
        self.pid = product_id
        self.wid = warehouse_id
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = {}         # key -> (qty, movement id)
        self.tried = set()      # every key sent at least once
        self.n = {"requests": 0, "failures": 0, "retries": 0, "reads": 0,
                  "errors_4xx": 0}
        self.codes = {}
        self.samples = []       # (t_start, seconds, status or exception name)
        self.retry_deadline = None

    def count(self, k, d=1):
        with self.lock:
            self.n[k] += d

    def one(self, method, path, **kw):
        t0 = time.monotonic()
        try:
            r = self.c.req(method, path, timeout=10, **kw)
            code = r.status_code
        except requests.RequestException as e:
            r, code = None, type(e).__name__
        dt = time.monotonic() - t0
        with self.lock:
            self.n["requests"] += 1
            self.codes[code] = self.codes.get(code, 0) + 1
            self.samples.append((t0, dt, code))
            if r is None or r.status_code >= 500:
                self.n["failures"] += 1
        return r

    def write(self):
        key = "chaos-" + uuid.uuid4().hex
        qty = random.randint(1, 5)
        body = {"kind": "receipt", "product_id": self.pid,
                "warehouse_id": self.wid, "qty": qty, "reference": key}
        with self.lock:
            self.tried.add(key)
        first = True
        while True:
            if not first:
                self.count("retries")
                time.sleep(0.05)
            first = False
            r = self.one("POST", "/movements", body=body, key=key)
            if r is not None and r.status_code == 201:
                mid = r.json()["movements"][0]["id"]
                with self.lock:
                    assert key not in self.acked
                    self.acked[key] = (qty, mid)
                return
            if r is not None and r.status_code < 500:
                # Not a fault of the chaos: record it, it fails the test.
                self.count("errors_4xx")
                return
            dl = self.retry_deadline
            if self.stop.is_set() and (dl is None or time.monotonic() > dl):
                return

    def read(self):
        path = random.choice(["/stock?product_id=%d" % self.pid,
                              "/movements?product_id=%d&limit=5" % self.pid,
                              "/products/%d" % self.pid])
        self.one("GET", path)
        self.count("reads")

    def run(self):
        while not self.stop.is_set():
            if random.random() < 0.6:
                self.write()
            else:
                self.read()

    def start(self, n=THREADS):
        self.threads = [threading.Thread(target=self.run, daemon=True)
                        for _ in range(n)]
        for t in self.threads:
            t.start()

    def finish(self, retry_for=20.0):
        self.retry_deadline = time.monotonic() + retry_for
        self.stop.set()
        for t in self.threads:
            t.join(retry_for + 15)
        assert not any(t.is_alive() for t in self.threads), "a client hangs"

    def verify(self):
        """Every acknowledged write is in the ledger exactly once, under
        the id it was answered with; nothing else was applied but the
        writes the clients sent.  Returns the figures."""
        rows = sql_rows("SELECT reference, id, qty_delta FROM stock_movements "
                        "WHERE product_id = %d AND warehouse_id = %d"
                        % (self.pid, self.wid))
        by_ref = {}
        for ref, mid, qty in rows:
            by_ref.setdefault(ref, []).append((int(qty), int(mid)))
        lost = [k for k in self.acked if k not in by_ref]
        twice = [k for k, v in by_ref.items() if len(v) > 1]
        wrong = [k for k, v in self.acked.items()
                 if k in by_ref and by_ref[k][0] != v]
        foreign = [k for k in by_ref if k not in self.tried]
        unacked = [k for k in by_ref if k not in self.acked]
        on_hand = sql_int("SELECT on_hand FROM stock WHERE product_id = %d "
                          "AND warehouse_id = %d" % (self.pid, self.wid))
        fig = dict(self.n)
        fig.update(acked_writes=len(self.acked), ledger_rows=len(rows),
                   applied_unacked=len(unacked), lost=len(lost),
                   applied_twice=len(twice), on_hand=on_hand)
        assert not lost and not twice and not wrong and not foreign, \
            (fig, lost[:3], twice[:3], wrong[:3], foreign[:3])
        assert on_hand == sum(q for v in by_ref.values() for q, _ in v), fig
        return fig


def workers_now():
    """The workers' pids: from /status, or when it does not answer in
    time, the master's children that /proc shows."""
    try:
        return [w["pid"] for w in get("/status", timeout=2).json()["workers"]]
    except (requests.RequestException, ValueError, KeyError):
        pass
    m = master_pid()
    out = []
    for task in os.listdir("/proc/%d/task" % m):
        with open("/proc/%d/task/%s/children" % (m, task)) as f:
            out += [int(x) for x in f.read().split()]
    return out


def fresh_load():
    w, p = warehouse(), product()
    return Load(mgr(), p["id"], w["id"])


# -- 1. workers killed every second -----------------------------------------------

def test_sigkill_a_worker_every_second_loses_no_acknowledged_write(healthy_stack):
    n = healthy_stack
    load = fresh_load()
    load.start()
    kills = 0
    t0 = time.monotonic()
    for tick in range(1, int(PHASE) + 1):
        # On a fixed schedule: a slow /status does not skip a kill.
        time.sleep(max(0.0, t0 + tick - time.monotonic()))
        pids = workers_now()
        if pids:
            try:
                os.kill(random.choice(pids), signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
    load.finish()
    fig = load.verify()
    fig["kills"] = kills
    fig["codes"] = codes_str(load.codes)
    line = report("worker-kill", fig)
    assert kills >= PHASE - 2, line
    assert fig["errors_4xx"] == 0, line
    # Only in-flight requests fail: at most a few per kill.
    assert fig["failures"] <= 4 * kills + THREADS, line
    assert fig["acked_writes"] >= 50, line
    assert wait_until(lambda: pool_recovered(n), timeout=20), (status(), line)
    assert_check()


# -- 2. mariadbd killed and restarted -------------------------------------------

def test_sigkill_mariadbd_gives_fast_503s_and_recovers(healthy_stack):
    load = fresh_load()
    load.start(THREADS // 2)
    time.sleep(PHASE * 0.3)
    pid = mysqld_pid()
    t_kill = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(pid), timeout=10)
    time.sleep(PHASE * 0.3)
    t_restart = time.monotonic()
    stack_start()                       # as the stack starts it
    t_up = time.monotonic()
    # The service comes back by itself: no reload, no restart of backroomd.
    assert wait_until(lambda: load.c.get("/products/%d" % load.pid,
                                         timeout=5).status_code == 200,
                      timeout=30)
    t_back = time.monotonic()
    time.sleep(PHASE * 0.3)
    load.finish()
    fig = load.verify()
    outage = [s for s in load.samples if t_kill <= s[0] < t_restart]
    slow = [s for s in outage if s[1] >= 1.0]
    n503 = sum(1 for s in outage if s[2] == 503)
    fig.update(outage_requests=len(outage), outage_503=n503,
               outage_max_s="%.3f" % max([s[1] for s in outage] or [0]),
               restart_s="%.1f" % (t_up - t_restart),
               recovered_after_up_s="%.2f" % (t_back - t_up),
               codes=codes_str(load.codes))
    line = report("mariadbd-kill", fig)
    assert n503 >= 10, line
    assert not slow, (line, slow[:5])
    # During the outage: 503s, and only the requests in flight at the kill
    # may fail otherwise (a 502 or a reset).
    others = [s for s in outage if s[2] != 503 and s[0] > t_kill + 0.5]
    assert not [s for s in others if s[2] != 200 and s[2] != 201], (line, others[:5])
    assert fig["errors_4xx"] == 0, line
    assert_check()


# -- 3. slow clients ----------------------------------------------------------------

def tls_connect(ctx):
    s = socket.create_connection((HOST, PORT), timeout=5)
    return ctx.wrap_socket(s, server_hostname=HOST)


def test_slow_clients_do_not_hold_workers(healthy_stack):
    n = healthy_stack
    c = mgr()
    ctx = ssl.create_default_context(cafile=CERT)
    ctx.check_hostname = False
    loris, bodies = [], []
    nloris, nbody = (60, 40) if ASAN else (150, 50)
    opened = 0
    for i in range(nloris + nbody):
        try:
            s = tls_connect(ctx)
        except OSError:
            continue
        opened += 1
        if i < nloris:
            s.sendall(b"GET /products HTTP/1.1\r\nHost: %s\r\n" % HOST.encode())
            loris.append(s)
        else:
            s.sendall(("POST /api/v1/movements HTTP/1.1\r\nHost: %s\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: 4000\r\n\r\n{" % (HOST, c.token)).encode())
            bodies.append(s)
    stop = threading.Event()
    dropped = [0]

    def drip():
        while not stop.wait(1.0):
            for group, byte in ((loris, b"X-a: b\r\n"), (bodies, b" ")):
                for s in list(group):
                    try:
                        s.sendall(byte[:1] if group is bodies else byte)
                    except OSError:
                        group.remove(s)
                        dropped[0] += 1

    t = threading.Thread(target=drip, daemon=True)
    t.start()
    times, stuck = [], []
    end = time.monotonic() + max(PHASE - 2, 8)
    try:
        while time.monotonic() < end:
            t0 = time.monotonic()
            r = c.get("/products?limit=5", timeout=5)
            times.append(time.monotonic() - t0)
            assert r.status_code == 200, r.status_code
            st = status()
            # The one serving /status is busy; no other worker is held.
            held = [w for w in st["workers"] if w["state"] not in ("idle",) and
                    w.get("uri") != "/status"]
            stuck.append(len(held))
            time.sleep(0.2)
    finally:
        stop.set()
        t.join(5)
        still = len(loris) + len(bodies)
        for s in loris + bodies:
            s.close()
    fig = {"slow_connections": opened, "still_open_at_end": still,
           "dropped_by_nginx": dropped[0], "normal_requests": len(times),
           "normal_max_s": "%.3f" % max(times or [0]),
           "max_workers_held": max(stuck or [0])}
    line = report("slow-clients", fig)
    assert opened >= 0.9 * (nloris + nbody), line
    assert max(times) < 1.0, line
    assert max(stuck) <= 1, line
    assert wait_until(lambda: pool_recovered(n), timeout=10), line


# -- 4. malformed input ------------------------------------------------------------------

BAD_STR = ["", " ", "x" * 256, "x" * 5000, "\u00e9" * 300, "a\x00b", "a\x01\x1fb",
           "\r\n\t", "<script>", "' OR 1=1 --", "%00", "\ud7ff\ue000",
           "\u202e\ufeff", "\U0001F600" * 50, "-1", "0", "1e309",
           "99999999999999999999999", "-9223372036854775809",
           "9223372036854775808", "1.5", "0x10", " 1", "1 ", "+1", "NaN",
           "true", "[]", "{}"]
BAD_JSON = ["x", "", "x" * 100000, "a\u0000b", "\u00e9" * 300, -1, 0, 1.5,
            -9223372036854775808, 9223372036854775807, 9223372036854775808,
            10**30, -10**30, 1e308, True, False, None, [], {}, [1], {"a": 1},
            "1", "\x01\x02", "\U0001F600", "2026-13-45", "receipt\x00"]
INVALID_UTF8 = b"\xff\xfe\xc3\x28\xed\xa0\x80"
# Forms that must not be fuzzed with the shared admin: signing out.
SKIP_FORMS = ("/logout",)


def new_user_client():
    """A signed-in admin of its own (a thread each)."""
    u = new_user("admin", "chaos-fuzz")
    c = SessionClient(u)
    c.login()
    c.refresh_csrf()
    return c


class SessionClient(Client):
    """accounts_util.Client over one keep-alive connection; signs in again
    when a request ends its session."""

    def __init__(self, user):
        super().__init__(user)
        self.s = requests.Session()
        self.s.verify = CERT

    def request(self, method, path, cookies=None, **kw):
        jar = dict(self.cookies)
        if cookies is not None:
            jar.update(cookies)
        h = dict(kw.pop("headers", None) or {})
        if method == "POST" and path == "/login":
            h.setdefault("Origin", BASE)
        self.s.cookies.clear()
        kw.setdefault("timeout", 15)
        kw.setdefault("allow_redirects", False)
        kw.setdefault("verify", CERT)   # a *_CA_BUNDLE would beat s.verify
        return self.absorb(self.s.request(method, BASE + path, cookies=jar,
                                          headers=h, **kw))

    def ensure(self):
        if SESSION_COOKIE not in self.cookies or not self.signed_in():
            self.cookies = {}
            self.csrf = None
            self.login()
            self.refresh_csrf()


def page_forms(c, paths):
    """(action, [(name, value)], multipart) of every POST form on these
    pages, with the values the page put in them."""
    out = {}
    for path in paths:
        r = c.get(path)
        if r.status_code != 200:
            continue
        for attrs, inner in forms(r.text):
            if attrs.get("method", "get").lower() != "post":
                continue
            action = attrs.get("action") or path
            if action.startswith(SKIP_FORMS):
                continue
            fields = []
            for m in re.finditer(r"<(input|select|textarea)\b[^>]*>", inner):
                a = dict(re.findall(r'\b([a-z_]+)="([^"]*)"', m.group(0)))
                name = a.get("name")
                if not name or name in ("csrf", "form_token"):
                    continue
                if a.get("type") in ("checkbox", "radio") and "checked" not in m.group(0):
                    continue
                fields.append((name, a.get("value", "")))
            mp = "multipart" in attrs.get("enctype", "")
            out.setdefault((action, mp), fields)
    return [(a, f, mp) for (a, mp), f in out.items()]


def resolve(doc, s):
    if "$ref" in s:
        node = doc
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part]
        return resolve(doc, node)
    return s


def sample(doc, s, ids):
    """A plausible value for schema s (ids for *_id fields)."""
    s = resolve(doc, s)
    t = s.get("type")
    if "enum" in s:
        return s["enum"][0]
    if t == "object":
        return {k: sample(doc, v, ids) if k not in ids else ids[k]
                for k, v in s.get("properties", {}).items()}
    if t == "array":
        return [sample(doc, s.get("items", {}), ids)]
    if t == "integer":
        return max(1, s.get("minimum", 1))
    if t == "boolean":
        return True
    if t == "number":
        return 1
    return "chaos" + uuid.uuid4().hex[:6]


def body_cases(doc, schema, ids):
    """(body bytes) variants of one request body: each field (top level
    and in the first array item) with each bad value, missing, plus
    extra fields and whole-body junk."""
    base = sample(doc, schema, ids)
    cases = [b"", b"{", b"[]", b"null", b"\"x\"", b"{\"a\":", INVALID_UTF8,
             b"{\"x\":\"" + INVALID_UTF8 + b"\"}", b"{" + b"\"a\":1," * 2000 + b"\"b\":1}",
             json.dumps(dict(base, extra="x", **{"": 1})).encode(),
             json.dumps([base]).encode()]
    paths = [(k,) for k in base]
    for k, v in base.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            paths += [(k, 0, j) for j in v[0]]
            cases.append(json.dumps(dict(base, **{k: [v[0]] * 101})).encode())
            cases.append(json.dumps(dict(base, **{k: [v[0], v[0]]})).encode())

    def put(p, val, delete=False):
        b = json.loads(json.dumps(base))
        node = b
        for part in p[:-1]:
            node = node[part]
        if delete:
            del node[p[-1]]
        else:
            node[p[-1]] = val
        return b

    for p in paths:
        cases.append(json.dumps(put(p, None, delete=True)).encode())
        for val in BAD_JSON:
            cases.append(json.dumps(put(p, val)).encode())
        raw = json.dumps(put(p, "@@BAD@@")).encode()
        cases.append(raw.replace(b"@@BAD@@", INVALID_UTF8))
        cases.append(raw.replace(b"\"@@BAD@@\"", b"1e99999"))
        cases.append(raw.replace(b"\"@@BAD@@\"", b"-0"))
        cases.append(raw.replace(b"@@BAD@@", b"\\ud800"))
    return cases


def test_ten_thousand_malformed_inputs_get_no_5xx(healthy_stack):
    t_start = time.monotonic()
    budget = 36.0 if not ASAN else 60.0
    m = mgr()
    w, w2, s = warehouse(), warehouse(), supplier()
    p = product(supplier_id=s["id"], reorder_point=10, reorder_qty=5)
    m.post("/movements", {"kind": "receipt", "product_id": p["id"],
                          "warehouse_id": w["id"], "qty": 50})
    o = m.ok("POST", "/orders", {"customer": "Chaos", "warehouse_id": w["id"],
                                 "lines": [{"product_id": p["id"], "qty": 1}]}, 201)
    po = m.ok("POST", "/purchase-orders", {"supplier_id": s["id"], "warehouse_id": w["id"],
                                           "note": "", "lines": [{"product_id": p["id"], "qty": 2}]},
              201)
    victim = new_user("viewer", "chaos-victim")
    fuzzers = [new_user_client() for _ in range(THREADS // 2)]
    c0 = fuzzers[0]
    victim_token = create_token(victim.id, scopes=("read",), by=c0)
    ids = {"product_id": p["id"], "warehouse_id": w["id"], "to_warehouse_id": w2["id"],
           "supplier_id": s["id"], "id": p["id"]}
    path_ids = {"products": p["id"], "warehouses": w["id"], "suppliers": s["id"],
                "orders": o["id"], "purchase-orders": po["id"], "users": victim.id,
                "tokens": victim_token.id}

    def fill(pattern):
        def one(mt):
            seg = pattern[:mt.start()].rstrip("/").split("/")[-1]
            return str(path_ids.get(seg, 999999999))
        return re.sub(r"\{[^}/]+\}", one, pattern)

    doc = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..",
                                      "app", "data", "openapi.json")))
    table = routes()
    # Every page route a manager/admin can GET, for its forms and filters.
    pages = [fill(r["pattern"]) for r in table
             if "GET" in r["methods"] and not r["api"] and not r["public"]]
    pages += ["/admin/users/%d" % victim.id]
    cases = []          # (kind, method, path, kwargs)
    # Forms: each field with each bad value, missing, plus an extra field
    # and invalid UTF-8 in the raw body.
    for action, fields, mp in page_forms(c0, pages):
        # Only this test's own entities: a form on a list page may name
        # another test's user or token (revoked, the later tests fail).
        ids_in = re.findall(r"/([a-z-]+)/(\d+)", action)
        if any(int(n) != path_ids.get(seg) for seg, n in ids_in):
            continue
        for i, (name, _) in enumerate(fields):
            for val in BAD_STR:
                f = list(fields)
                f[i] = (name, val)
                cases.append(("form", "POST", action, {"data": f, "mp": mp}))
            cases.append(("form", "POST", action,
                          {"data": fields[:i] + fields[i + 1:], "mp": mp}))
            f = list(fields)
            f[i] = (name, "@@BAD@@")
            raw = urllib.parse.urlencode(f).encode().replace(
                b"%40%40BAD%40%40", INVALID_UTF8)
            cases.append(("form", "POST", action, {"raw": raw}))
            cases.append(("form", "POST", action,
                          {"data": fields + [(name, "dup")], "mp": mp}))
        cases.append(("form", "POST", action,
                      {"data": fields + [("extra", "x"), ("", "y"), ("a" * 300, "z")],
                       "mp": mp}))
    nforms = len(cases)
    # API bodies, from the OpenAPI document.
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method not in ("post", "put") or "/debug/" in path:
                continue
            schema = op.get("requestBody", {}).get("content", {}).get(
                "application/json", {}).get("schema", {"type": "object"})
            for b in body_cases(doc, schema, ids):
                cases.append(("api", method.upper(), fill(path), {"body": b}))
    napi = len(cases) - nforms
    # Every list's filters, pages and API, with junk.
    filters = set()
    for ops in doc["paths"].values():
        for op in ops.values():
            for prm in op.get("parameters", []):
                prm = resolve(doc, prm)
                if prm.get("in") == "query":
                    filters.add(prm["name"])
    filters |= {"q", "sort", "after", "before", "page", "limit", "cursor", "active",
                "supplier_id", "status", "kind", "warehouse_id", "product_id",
                "actor", "action", "entity", "from", "to", "next"}
    lists = [r for r in table if "GET" in r["methods"] and "{" not in r["pattern"]
             and not r["public"]]
    qvals = ["x" * 5000, "\u00e9" * 300, "a\x01\x1fb", "' OR 1=1 --",
             "99999999999999999999999", "-1", "1.5", "%ZZ"]
    for r in lists:
        for f in sorted(filters):
            for v in qvals:
                kind = "api" if r["api"] else "form"
                cases.append((kind, "GET", r["pattern"] + "?" +
                              urllib.parse.urlencode({f: v}), {}))
            cases.append(("api" if r["api"] else "form", "GET",
                          r["pattern"] + "?" + f + "=%ff%fe&" + f + "=2", {}))
    nquery = len(cases) - nforms - napi
    random.Random(13).shuffle(cases)

    api_c = mgr()
    adm = client("admin")
    lock = threading.Lock()
    bad, codes = [], {}
    done = [0]

    def send(c, case):
        kind, method, path, kw = case
        if kind == "api":
            h = {"Content-Type": "application/json"}
            if method == "POST":
                h["Idempotency-Key"] = "chaos-" + secrets.token_hex(8)
            who = adm if path.startswith(("/api/v1/users", "/api/v1/audit",
                                          "/api/v1/tokens")) else api_c
            return who.req(method, path, data=kw.get("body"), headers=h, timeout=15)
        if method == "GET":
            return c.get(path)
        if "raw" in kw:
            body = kw["raw"] + b"&csrf=" + c.csrf.encode() + \
                b"&form_token=" + secrets.token_hex(32).encode()
            return c.request("POST", path, data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
        if kw.get("mp"):
            data = list(kw["data"]) + [("csrf", c.csrf),
                                       ("form_token", secrets.token_hex(32))]
            files = {"file": ("x.csv", b"sku,name\n\xff\xfe,\x00\n" + b"a," * 3000)}
            return c.request("POST", path, data=data, files=files)
        return c.post(path, data=list(kw["data"]))

    def worker(c, mine):
        for case in mine:
            if time.monotonic() - t_start > budget:
                return
            try:
                r = send(c, case)
                code = r.status_code
            except requests.RequestException as e:
                code = type(e).__name__
            with lock:
                done[0] += 1
                codes[code] = codes.get(code, 0) + 1
                if not isinstance(code, int) or code >= 500:
                    bad.append((code, case[1], case[2][:80],
                                repr(case[3])[:200]))
            if case[0] == "form" and case[1] == "POST" and (
                    code in (401, 403) or code == 303 and
                    r.headers.get("Location", "").startswith("/login")):
                # A form that signed us out (or a CSRF token rotated):
                # sign in again, so every value reaches its handler.
                c.ensure()
                c.refresh_csrf()

    with cf.ThreadPoolExecutor(len(fuzzers) + 2) as ex:
        k = len(fuzzers)
        futs = [ex.submit(worker, fuzzers[i], cases[i::k]) for i in range(k)]
        for f in futs:
            f.result()
    fig = {"generated": len(cases), "sent": done[0], "form_cases": nforms,
           "api_body_cases": napi, "query_cases": nquery, "5xx_or_errors": len(bad),
           "seconds": "%.1f" % (time.monotonic() - t_start),
           "codes": codes_str(codes)}
    line = report("malformed-input", fig)
    assert done[0] >= 2000, line
    assert bad == [], (line, bad[:20])
    assert_check()


@pytest.mark.parametrize("raw", [b"name=a%00b", b"name=a%01b", b"name=%FF%FE",
                                 b"a" * 300 + b"=1"],
                         ids=["nul", "control", "utf8", "long-name"])
def test_unreadable_form_is_400_not_a_csrf_refusal(raw):
    """A signed-in form with a control byte, invalid UTF-8 or an overlong
    field name answered "403: the CSRF token is missing" (and audited a
    CSRF refusal): the body could not be read, which is a 400."""
    c = new_user_client()
    before = sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
                     "'csrf.rejected'")
    body = b"csrf=" + c.csrf.encode() + b"&form_token=" + \
        secrets.token_hex(32).encode() + b"&code=W1&" + raw
    r = c.request("POST", "/warehouses", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert "could not be read" in r.text
    assert sql_int("SELECT COUNT(*) FROM audit_log WHERE action = "
                   "'csrf.rejected'") == before
    # A missing token is still the CSRF refusal.
    r = c.request("POST", "/warehouses", data=b"code=W1&name=x", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403 and "CSRF" in r.text, r.status_code
