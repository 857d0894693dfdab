"""Helpers for the inventory API suites: API clients with bearer tokens made
through the admin page, the database read directly (to prove that a
refused request changed nothing), builders for warehouses, suppliers,
products and stock, and the invariant checker (`backroomd check`)."""
import json
import os
import re
import subprocess
import threading
import uuid

import requests

from conftest import BACKROOMD, BASE, CERT, CONF, PREFIX, admin_cookies, create_user

SOCK = os.path.join(PREFIX, "mysqld.sock")
API = "/api/v1"
JSON_CT = "application/json"
PROBLEM_CT = "application/problem+json"

# The inventory's tables: a refused request must leave every one of them
# as it was.  (audit_log is left out on purpose: refusals may be audited.)
TABLES = ("warehouses", "suppliers", "products", "stock", "stock_movements",
          "sales_orders", "sales_order_lines", "purchase_orders",
          "purchase_order_lines", "idempotency_keys")


# -- the database -----------------------------------------------------------

def sql(stmt):
    """Runs statements as root over the stack's socket; stdout (tab
    separated, no column names)."""
    return subprocess.run(["mariadb", "-S", SOCK, "-u", "root", "-N", "-B",
                           "backroom", "-e", stmt],
                          check=True, capture_output=True, text=True).stdout


def sql_rows(stmt):
    return [tuple(line.split("\t")) for line in sql(stmt).splitlines()]


def sql_val(stmt):
    rows = sql_rows(stmt)
    assert len(rows) == 1 and len(rows[0]) == 1, (stmt, rows)
    v = rows[0][0]
    return None if v == "NULL" else v


def sql_int(stmt):
    v = sql_val(stmt)
    return 0 if v is None else int(v)


def snapshot():
    """A checksum of every inventory table (CHECKSUM TABLE reads every
    row), plus row counts."""
    out = {}
    for row in sql_rows("CHECKSUM TABLE " + ", ".join(TABLES) + " EXTENDED"):
        out[row[0].split(".")[-1]] = row[1]
    counts = sql_rows("SELECT " + ", ".join(
        "(SELECT COUNT(*) FROM %s)" % t for t in TABLES))[0]
    for t, c in zip(TABLES, counts):
        out[t + "#rows"] = c
    return out


def assert_unchanged(before, what=""):
    after = snapshot()
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed, ("data changed by a refused request", what, changed)


class Unchanged:
    """with Unchanged("what"): ...  -- asserts the tables are as before."""

    def __init__(self, what=""):
        self.what = what

    def __enter__(self):
        self.before = snapshot()
        return self

    def __exit__(self, et, ev, tb):
        if et is None:
            assert_unchanged(self.before, self.what)
        return False


def stock_row(product_id, warehouse_id):
    """(on_hand, reserved) from the database, (None, None) without a row."""
    rows = sql_rows("SELECT on_hand, reserved FROM stock WHERE product_id = %d "
                    "AND warehouse_id = %d" % (product_id, warehouse_id))
    if not rows:
        return (None, None)
    return (int(rows[0][0]), int(rows[0][1]))


def ledger(product_id, warehouse_id):
    """[(id, kind, qty_delta, balance_after, reference)] oldest first."""
    return [(int(a), b, int(c), int(d), e) for a, b, c, d, e in sql_rows(
        "SELECT id, kind, qty_delta, balance_after, reference FROM "
        "stock_movements WHERE product_id = %d AND warehouse_id = %d "
        "ORDER BY id" % (product_id, warehouse_id))]


def check():
    """`backroomd check`: (exit code, output)."""
    p = subprocess.run([BACKROOMD, "-c", CONF, "check"], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def assert_check():
    rc, out = check()
    assert rc == 0, out


# -- HTTP ---------------------------------------------------------------------

def uniq(prefix="t"):
    return prefix + uuid.uuid4().hex[:10]


def is_problem(r):
    return r.headers.get("Content-Type", "").split(";")[0].strip() == PROBLEM_CT


def problem(r, status, field=None):
    """Asserts an RFC 9457 problem of this status (naming field in
    `errors` when given) and returns its body."""
    assert r.status_code == status, (r.status_code, status, r.text[:600])
    assert is_problem(r), (r.headers.get("Content-Type"), r.text[:300])
    p = r.json()
    for k in ("type", "title", "status"):
        assert k in p, (k, p)
    assert p["status"] == status, p
    if field is not None:
        errs = p.get("errors")
        assert isinstance(errs, dict) and errs, ("no errors", field, p)
        if field.endswith("*"):
            assert any(k.startswith(field[:-1]) for k in errs), (field, p)
        else:
            assert field in errs, (field, p)
            assert isinstance(errs[field], str) and errs[field], p
    return p


class Client:
    """A bearer-token API client; one requests.Session per thread."""

    def __init__(self, token, user_id=None, email=None, role=None):
        self.token = token
        self.user_id = user_id
        self.email = email
        self.role = role
        self._local = threading.local()

    @property
    def s(self):
        s = getattr(self._local, "s", None)
        if s is None:
            s = requests.Session()
            s.verify = CERT
            s.headers["Authorization"] = "Bearer " + self.token
            self._local.s = s
        return s

    def req(self, method, path, body=None, data=None, headers=None, key=None,
            timeout=30, **kw):
        h = dict(headers or {})
        if key is not None:
            h["Idempotency-Key"] = key
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", JSON_CT)
        url = path if path.startswith("http") else BASE + (
            path if path.startswith("/api/") else API + path)
        # verify per request: a *_CA_BUNDLE variable would beat s.verify.
        kw.setdefault("verify", CERT)
        return self.s.request(method, url, data=data, headers=h,
                              timeout=timeout, allow_redirects=False, **kw)

    def get(self, path, **kw):
        return self.req("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.req("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.req("PUT", path, body, **kw)

    def ok(self, method, path, body=None, status=200, **kw):
        """The JSON body of a request that must answer status."""
        r = self.req(method, path, body, **kw)
        assert r.status_code == status, (method, path, body, r.status_code,
                                         r.text[:800])
        ct = r.headers.get("Content-Type", "")
        assert ct.split(";")[0].strip() == JSON_CT, (path, ct)
        return r.json()

    def items(self, path, params=None, limit=200, max_pages=1000):
        """Every item of a list, following next_cursor."""
        params = dict(params or {})
        params["limit"] = limit
        out = []
        for _ in range(max_pages):
            r = self.get(path, params=params)
            assert r.status_code == 200, (path, params, r.status_code, r.text[:500])
            j = r.json()
            assert "items" in j and "next_cursor" in j, (path, sorted(j))
            out.extend(j["items"])
            if j["next_cursor"] is None:
                return out
            params["cursor"] = j["next_cursor"]
        raise AssertionError("more than %d pages of %s" % (max_pages, path))


_CLIENTS = {}
_LOCK = threading.Lock()


def csrf_token(cookies):
    r = requests.get(BASE + "/admin/tokens", cookies=cookies, verify=CERT,
                     timeout=10, allow_redirects=False)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', r.text)
    assert m, "no csrf meta"
    return m.group(1)


def make_token(user_id, scopes=("read", "write"), name=None):
    """A new API token for user_id, made through POST /admin/tokens."""
    cookies = admin_cookies()
    form = [("csrf", csrf_token(cookies)), ("user_id", str(user_id)),
            ("name", name or uniq("tok-")), ("expires_days", ""),
            ("form_token", uuid.uuid4().hex * 2)]
    form += [("scopes", s) for s in scopes]
    r = requests.post(BASE + "/admin/tokens", data=form, cookies=cookies,
                      verify=CERT, timeout=10, allow_redirects=False)
    assert r.status_code == 201, (r.status_code, r.text[:500])
    m = re.search(r'<code[^>]*id="new-token"[^>]*>(brt_[0-9a-f]{64})</code>',
                  r.text)
    assert m, r.text[:500]
    return m.group(1)


def new_client(role, scopes=("read", "write")):
    email = "%s-%s@example.com" % (role, uuid.uuid4().hex[:10])
    create_user(email, role)
    uid = sql_int("SELECT id FROM users WHERE email = '%s'" % email)
    return Client(make_token(uid, scopes), uid, email, role)


def client(role, scopes=("read", "write")):
    """A cached client per role and scopes."""
    k = (role, tuple(scopes))
    with _LOCK:
        if k not in _CLIENTS:
            _CLIENTS[k] = new_client(role, scopes)
        return _CLIENTS[k]


# -- builders -----------------------------------------------------------------

def mgr():
    return client("manager")


def warehouse(**over):
    body = {"code": uniq("W")[:20], "name": "Test warehouse " + uniq("")}
    body.update(over)
    return mgr().ok("POST", "/warehouses", body, 201)


def supplier(**over):
    body = {"name": "Supplier " + uniq(""), "email": "orders@example.com",
            "lead_time_days": 5}
    body.update(over)
    return mgr().ok("POST", "/suppliers", body, 201)


def product(**over):
    body = {"sku": uniq("T-"), "name": "Test product " + uniq(""),
            "price_cents": 1250, "cost_cents": 700}
    body.update(over)
    return mgr().ok("POST", "/products", body, 201)


def receive(product_id, warehouse_id, qty, reference=""):
    """Receipt movement; the new row."""
    j = mgr().ok("POST", "/movements", {"kind": "receipt",
                                        "product_id": product_id,
                                        "warehouse_id": warehouse_id,
                                        "qty": qty, "reference": reference},
                 201)
    return j["movements"][0]


def order(warehouse_id, lines, customer="Test customer", c=None, **over):
    """A draft order; lines as [(product_id, qty)]."""
    body = {"customer": customer, "warehouse_id": warehouse_id,
            "lines": [{"product_id": p, "qty": q} for p, q in lines]}
    body.update(over)
    return (c or mgr()).ok("POST", "/orders", body, 201)


def purchase_order(supplier_id, warehouse_id, lines, **over):
    """A draft PO; lines as [(product_id, qty)] or [(product_id, qty, cost)]."""
    ls = []
    for t in lines:
        d = {"product_id": t[0], "qty": t[1]}
        if len(t) > 2:
            d["cost_cents"] = t[2]
        ls.append(d)
    body = {"supplier_id": supplier_id, "warehouse_id": warehouse_id,
            "note": "", "lines": ls}
    body.update(over)
    return mgr().ok("POST", "/purchase-orders", body, 201)
