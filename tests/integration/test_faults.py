"""Fault injection (`make faults`): against the fault build (-DBR_FAULTS,
include/fault.h), walk N = 1, 2, ... over the database statements and the
arena allocations of four representative requests -- a sign-in, a stock
movement, a sales order confirm, a purchase order receipt -- making the
N-th fail (the header X-Backroom-Fault), until a request runs to its end
without the fault firing.  After each faulted request:

- the answer is clean: the success the request would have had (the fault
  absorbed by a retry), or a 500/503 with a body from backroomd -- never a
  reset connection or nginx's 502;
- nothing changed when it failed (CHECKSUM TABLE of the inventory tables,
  or the user's sessions for a sign-in), and nothing is ever applied twice;
- a connection lost at COMMIT has the outcome db.c documents: a 503 and
  the transaction never re-run (with "lost", COMMIT reached the server, so
  the change is there exactly once; with "gone" it never did, so it is
  not); a retry with the same Idempotency-Key replays, never re-applies;
- no worker died (the master's log), and `backroomd check` and
  `backroomd audit-verify` pass after each walk.

Skipped unless BR_FAULTS=1 (set by `make faults`, which runs this suite on
its own stack against build-faults/backroomd).  The counts of faults
injected and their outcomes are printed at the end.
"""
import collections
import os
import subprocess
import uuid

import pymysql
import pytest
import requests

from conftest import (BACKROOMD, BASE, CERT, CONF, create_user, log_since,
                      log_size)
from inventory_util import (SOCK, assert_check, mgr, order, product,
                            purchase_order, receive, supplier, uniq,
                            warehouse)

pytestmark = pytest.mark.skipif(os.environ.get("BR_FAULTS") != "1",
                                reason="needs the fault build: make faults")

KINDS = ("lost", "gone", "deadlock", "timeout", "error")
DB_CAP = 80        # every request here makes fewer than ~40 statements
ALLOC_CAP = 400    # ... and fewer than ~200 arena allocations
INVENTORY = ("stock", "stock_movements", "sales_orders", "sales_order_lines",
             "purchase_orders", "purchase_order_lines", "idempotency_keys")
REPORT = collections.OrderedDict()
# Outcomes the walk found that are left as they are, by (request, kind,
# status, times applied); reported, not failed.
KNOWN = {
    # accounts_normalize_email() cannot tell out-of-memory from a
    # malformed address: the sign-in is refused as a wrong password (and
    # counted as a failure).  Fails closed.
    ("sign-in", "alloc", 401, 0): "ENOMEM normalizing the email",
    # The session committed, then its cookie could not be built: a 500,
    # and a session row no client ever holds (it expires).
    ("sign-in", "alloc", 500, 1): "cookie after the session committed",
}


# -- the database, read directly ---------------------------------------------

_DB = {}


def db():
    if "c" not in _DB:
        _DB["c"] = pymysql.connect(unix_socket=SOCK, user="root",
                                   database="backroom", autocommit=True)
    return _DB["c"]


def q(stmt, *args):
    with db().cursor() as cur:
        cur.execute(stmt, args)
        return cur.fetchall()


def q1(stmt, *args):
    rows = q(stmt, *args)
    assert len(rows) == 1 and len(rows[0]) == 1, (stmt, rows)
    return rows[0][0]


def checksums():
    return dict(q("CHECKSUM TABLE " + ", ".join(INVENTORY) + " EXTENDED"))


# -- the requests --------------------------------------------------------------

class Movement:
    """POST /api/v1/movements, a receipt of 1 with an Idempotency-Key; the
    attempt's own reference tells how many times it was applied."""
    name = "movement"
    ok = 201

    def __init__(self):
        self.w, self.p = warehouse(), product()

    def prepare(self):
        self.ref = uniq("fi-")
        self.key = uuid.uuid4().hex

    def send(self, headers):
        return mgr().post("/movements", {
            "kind": "receipt", "product_id": self.p["id"],
            "warehouse_id": self.w["id"], "qty": 1,
            "reference": self.ref}, key=self.key, headers=headers)

    def applied(self):
        return q1("SELECT COUNT(*) FROM stock_movements WHERE reference = %s",
                  self.ref)

    def after_failure(self):
        """The client's retry with the same key: applied exactly once,
        whether or not the failed attempt had committed."""
        r = self.send({})
        assert r.status_code == 201, (r.status_code, r.text[:300])
        assert self.applied() == 1


class Confirm:
    """POST /api/v1/orders/ID/confirm of a new draft order of 2."""
    name = "confirm"
    ok = 200

    def __init__(self):
        self.w, self.p = warehouse(), product()
        receive(self.p["id"], self.w["id"], 1000000)

    def prepare(self):
        self.o = order(self.w["id"], [(self.p["id"], 2)])
        self.reserved = self.reserved_now()

    def reserved_now(self):
        return q1("SELECT reserved FROM stock WHERE product_id = %s AND "
                  "warehouse_id = %s", self.p["id"], self.w["id"])

    def send(self, headers):
        return mgr().post("/orders/%d/confirm" % self.o["id"],
                          headers=headers)

    def applied(self):
        st = q1("SELECT status FROM sales_orders WHERE id = %s", self.o["id"])
        delta = self.reserved_now() - self.reserved
        assert delta in (0, 2, 4), delta
        assert (st == "confirmed") == (delta > 0), (st, delta)
        return delta // 2

    def after_failure(self):
        pass


class Receipt:
    """POST /api/v1/purchase-orders/ID/receive of 1 on an ordered PO."""
    name = "po-receipt"
    ok = 200

    def __init__(self):
        m, s, self.w, self.p = mgr(), supplier(), warehouse(), product()
        self.po = purchase_order(s["id"], self.w["id"], [(self.p["id"],
                                                          1000000)])
        r = m.post("/purchase-orders/%d/order" % self.po["id"])
        assert r.status_code == 200, r.text

    def counts(self):
        return (q1("SELECT received FROM purchase_order_lines WHERE "
                   "order_id = %s AND line_no = 1", self.po["id"]),
                q1("SELECT COUNT(*) FROM stock_movements WHERE product_id = "
                   "%s AND warehouse_id = %s", self.p["id"], self.w["id"]))

    def prepare(self):
        self.before = self.counts()

    def send(self, headers):
        return mgr().post("/purchase-orders/%d/receive" % self.po["id"],
                          {"lines": [{"line_no": 1, "qty": 1}]},
                          headers=headers)

    def applied(self):
        rec, mv = self.counts()
        assert rec - self.before[0] == mv - self.before[1], \
            (self.before, rec, mv)
        return rec - self.before[0]

    def after_failure(self):
        pass


class SignIn:
    """POST /login with the right password; the user's sessions tell."""
    name = "sign-in"
    ok = 303

    def __init__(self):
        self.email = "fi-%s@example.com" % uniq("")
        self.password = create_user(self.email, "clerk")
        self.uid = q1("SELECT id FROM users WHERE email = %s", self.email)

    def sessions(self):
        return q1("SELECT COUNT(*) FROM sessions WHERE user_id = %s",
                  self.uid)

    def prepare(self):
        self.before = self.sessions()

    def send(self, headers):
        h = dict(headers, Origin=BASE)
        return requests.post(BASE + "/login", data={
            "email": self.email, "password": self.password}, headers=h,
            verify=CERT, timeout=30, allow_redirects=False)

    def applied(self):
        return self.sessions() - self.before

    def after_failure(self):
        """A sign-in that failed after its claim leaves the claim counted
        (login.c: the claim commits before the password is checked, and a
        failure after it fails closed); forget the claims so the walk
        never runs into the lockout of the account or of 127.0.0.1."""
        q("DELETE FROM login_throttle")


SCENARIOS = {c.name: c for c in (SignIn, Movement, Confirm, Receipt)}
_MADE = {}


def scenario(name):
    if name not in _MADE:
        _MADE[name] = SCENARIOS[name]()
    return _MADE[name]


# -- the walk --------------------------------------------------------------------

def outcome(r, scn, kind, at, times, before):
    """Checks one faulted answer; its outcome's name for the report."""
    assert times in (0, 1), ("applied %d times" % times, kind, at)
    known = KNOWN.get((scn.name, kind, r.status_code, times))
    if known:
        return "known: %d %s" % (r.status_code, known)
    if r.status_code == scn.ok:
        assert times == 1, ("success but not applied", kind, at)
        return "absorbed (%d)" % r.status_code
    # An allocation failure while the body is read or decoded is a 413
    # (request.c: the body does not fit the request's memory).
    # A declared list field whose items cannot be allocated is a 422
    # naming the field (fields.c: "Out of memory." / "Too many items.").
    clean = (500, 503, 413) if kind == "alloc" else (500, 503)
    if kind == "alloc" and r.status_code == 422:
        assert "Out of memory" in r.text or "Too many items" in r.text, \
            r.text[:300]
    else:
        assert r.status_code in clean, (r.status_code, kind, at,
                                        r.text[:300])
    assert r.content, ("empty %d" % r.status_code, kind, at)
    if r.status_code == 503:
        assert r.headers.get("Retry-After"), (kind, at)
    if at == "COMMIT" and kind in ("lost", "gone"):
        # db_tx: "connection lost at COMMIT" -- outcome unknown, never
        # re-run, reported as 503.  A lost answer means COMMIT ran.  (A
        # sign-in has two transactions: its claim's COMMIT adds no
        # session.)
        assert r.status_code == 503, (r.status_code, kind)
        if kind == "gone":
            assert times == 0, (times, kind)
        elif scn.name != "sign-in":
            assert times == 1, (times, kind)
        return "503 at COMMIT, %s" % ("applied once" if times else
                                      "not applied")
    assert times == 0, ("failed but applied", r.status_code, kind, at)
    if scn.name != "sign-in":
        assert checksums() == before, ("partial change", r.status_code,
                                       kind, at)
    return str(r.status_code)


def walk(scn, kind):
    spec = (lambda n: "alloc=%d" % n) if kind == "alloc" else \
        (lambda n: "db=%d:%s" % (n, kind))
    cap = ALLOC_CAP if kind == "alloc" else DB_CAP
    stats = collections.Counter()
    bad = []
    log0 = log_size()
    for n in range(1, cap + 1):
        scn.prepare()
        before = checksums()
        try:
            r = scn.send({"X-Backroom-Fault": spec(n)})
        except requests.RequestException as e:
            pytest.fail("%s %s: no answer: %r" % (scn.name, spec(n), e))
        fired = r.headers.get("X-Backroom-Fault-Fired")
        assert fired in ("0", "1"), ("not backroomd's answer", spec(n),
                                     r.status_code, r.text[:300])
        if fired == "0":
            assert r.status_code == scn.ok, (spec(n), r.status_code,
                                             r.text[:300])
            assert scn.applied() == 1
            break
        at = r.headers.get("X-Backroom-Fault-At", "")
        try:
            what = outcome(r, scn, kind, at, scn.applied(), before)
        except AssertionError as e:
            bad.append("%s [%s]: %s" % (spec(n), r.headers.get(
                "X-Request-Id", ""), e))
            what = "BAD %d" % r.status_code
        stats[what] += 1
        if r.status_code != scn.ok:
            scn.after_failure()
    else:
        pytest.fail("%s: still firing at %s" % (scn.name, spec(cap)))
    log = log_since(log0)
    assert "killed by signal" not in log and "exited with status" not in log, \
        [x for x in log.splitlines() if "killed" in x or "exited" in x][:5]
    REPORT[(scn.name, kind)] = (n - 1, stats)
    assert not bad, "\n".join(b[:300] for b in bad)
    assert_check()
    p = subprocess.run([BACKROOMD, "-c", CONF, "audit-verify"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, (p.stdout + p.stderr)[-2000:]


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    pm = request.config.pluginmanager
    tr, cap = pm.getplugin("terminalreporter"), pm.getplugin("capturemanager")
    if tr is None or cap is None or not REPORT:
        return
    lines = ["", "faults injected (request, kind: count -> outcomes):"]
    total = 0
    for (name, kind), (n, stats) in REPORT.items():
        total += n
        lines.append("  %-10s %-8s %3d -> %s" % (name, kind, n, ", ".join(
            "%s: %d" % kv for kv in sorted(stats.items()))))
    lines.append("  total: %d faults" % total)
    with cap.global_and_fixture_disabled():
        for line in lines:
            tr.write_line(line)


@pytest.mark.parametrize("kind", KINDS + ("alloc",))
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fault_walk(name, kind):
    walk(scenario(name), kind)


def test_fault_header_malformed_arms_nothing():
    """A malformed header arms nothing; the request runs as usual.  (The
    header is honoured from loopback clients only: fault.c.)"""
    r = mgr().get("/warehouses", headers={"X-Backroom-Fault": "db=x:lost"})
    assert r.status_code == 200
    assert "X-Backroom-Fault-Fired" not in r.headers
    r = mgr().get("/warehouses", headers={"X-Backroom-Fault": "db=1:error"})
    assert r.status_code == 500 and r.headers["X-Backroom-Fault-Fired"] == "1"


def test_answer_lost_after_commit_is_replayed_not_reapplied():
    """write=drop: the movement commits, then the connection dies before
    the answer leaves (nginx answers 502 and never re-sends a POST).  The
    client's retry with the same Idempotency-Key gets the stored answer;
    the movement is applied once."""
    m = Movement()
    m.prepare()
    r = m.send({"X-Backroom-Fault": "write=drop"})
    assert r.status_code == 502, (r.status_code, r.text[:200])
    assert m.applied() == 1
    again = m.send({})
    assert again.status_code == 201, (again.status_code, again.text[:300])
    assert m.applied() == 1
    assert mgr().get("/warehouses").status_code == 200     # worker fine


def test_failed_rollback_never_leaves_half_a_transaction_open():
    """rollback=error: a statement inside the movement's transaction fails,
    then its ROLLBACK fails too, the connection still up.  Left open, the
    next START TRANSACTION on that worker's connection would commit the
    half-done movement; db_tx() closes the connection instead, so the
    server rolls it back.  Every write statement of the transaction is
    faulted in turn; then every worker serves movements, and no faulted
    one is applied, even in part."""
    m = Movement()
    faulted = []
    for n in range(2, DB_CAP):
        m.prepare()
        r = m.send({"X-Backroom-Fault": "db=%d:error,rollback=error" % n})
        at = r.headers.get("X-Backroom-Fault-At", "")
        if r.headers.get("X-Backroom-Fault-Fired") != "1" or at == "COMMIT":
            break
        if at.startswith(("INSERT", "UPDATE", "DELETE")):
            assert r.status_code == 500, (r.status_code, r.text[:300])
            faulted.append(m.ref)
    assert len(faulted) >= 2, faulted
    for _ in range(12):                 # reach every worker's connection
        m.prepare()
        assert m.send({}).status_code == 201
    marks = ", ".join(["%s"] * len(faulted))
    assert q1("SELECT COUNT(*) FROM stock_movements WHERE reference IN "
              "(%s)" % marks, *faulted) == 0
    assert_check()
