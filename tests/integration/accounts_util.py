"""Helpers shared by test_accounts.py, test_permissions.py and test_audit.py:
users made with `backroomd create-user`, a small HTTPS client that keeps its
session cookie and CSRF token, API tokens made through /admin/tokens, the
permission matrix of the README, direct SQL for set-up and checks, audit
rows by request id, and a context manager that reloads backroomd with
changed directives and puts the old config back afterwards."""
import contextlib
import email.utils
import hashlib
import html
import json
import os
import re
import secrets
import signal
import subprocess
import time
import uuid
from urllib.parse import quote, quote_plus, urlsplit, parse_qs

import requests

from conftest import BASE, BACKROOMD, CERT, CONF, LOG, PREFIX, master_pid, status, wait_until

SESSION_COOKIE = "__Host-br_session"
SOCK = os.path.join(PREFIX, "mysqld.sock")
ROLES = ("viewer", "clerk", "manager", "admin")

# The permission matrix as the README documents it (and the issue
# specifies it): permission -> roles that hold it.
MATRIX = {
    "read": {"viewer", "clerk", "manager", "admin"},
    "stock.move": {"clerk", "manager", "admin"},
    "orders.draft": {"clerk", "manager", "admin"},
    "products.manage": {"manager", "admin"},
    "suppliers.manage": {"manager", "admin"},
    "warehouses.manage": {"manager", "admin"},
    "orders.manage": {"manager", "admin"},
    "purchasing.manage": {"manager", "admin"},
    "users.manage": {"admin"},
    "tokens.manage": {"admin"},
    "webhooks.manage": {"admin"},
    "audit.read": {"admin"},
    "analytics.read": {"admin"},
}

CSRF_META = re.compile(r'<meta\s+name="csrf-token"\s+content="([^"]*)"')
CSRF_INPUT = re.compile(r'<input\b[^>]*\bname="csrf"[^>]*>')
HEX64 = re.compile(r"^[0-9a-f]{64}$")
TOKEN_RE = re.compile(r'<code\b[^>]*\bid="new-token"[^>]*>\s*(brt_[0-9a-f]{64})\s*</code>')


# --- the database -----------------------------------------------------------

def sql(stmt):
    """Runs statements as root on the stack's MariaDB; stdout, raw, no
    column names (one row a line, columns tab-separated)."""
    p = subprocess.run(["mariadb", "-S", SOCK, "-u", "root", "-N", "-B", "-r",
                        "backroom", "-e", stmt], capture_output=True, text=True)
    assert p.returncode == 0, (stmt, p.stderr)
    return p.stdout.rstrip("\n")


def sql_json(stmt):
    """Rows of a SELECT whose only column is a JSON_OBJECT(...)."""
    out = sql(stmt)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def q(s):
    """A SQL string literal."""
    if s is None:
        return "NULL"
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


def db_date(days=0):
    """The database's current date plus `days`, as YYYY-MM-DD (the audit
    filters compare against the database's clock)."""
    return sql("SELECT DATE_FORMAT(CURDATE() + INTERVAL %d DAY, '%%Y-%%m-%%d')" % days)


def clear_addr_throttle():
    """Every test signs in from 127.0.0.1: forget that address's failures
    so tests that fail sign-ins on purpose do not throttle the others."""
    sql("DELETE FROM login_throttle WHERE kind = 'addr'")


def session_hashes(sid):
    """The forms a session id may be stored as (SHA-256 of its hex text,
    or of its 32 bytes)."""
    return (hashlib.sha256(sid.encode()).hexdigest(),
            hashlib.sha256(bytes.fromhex(sid)).hexdigest())


def session_row_exists(sid):
    a, b = session_hashes(sid)
    return sql("SELECT COUNT(*) FROM sessions WHERE id_hash IN (%s, %s)"
               % (q(a), q(b))) != "0"


def user_sessions(user_id):
    return int(sql("SELECT COUNT(*) FROM sessions WHERE user_id = %d" % user_id))


# --- users ------------------------------------------------------------------

def uniq_email(tag="u"):
    return "%s-%s@example.com" % (tag, uuid.uuid4().hex[:12])


def cli(*args, conf=CONF):
    return subprocess.run([BACKROOMD, "-c", conf] + list(args),
                          capture_output=True, text=True, timeout=120)


class User:
    def __init__(self, email, password, role):
        self.email = email
        self.password = password
        self.role = role
        self.id = int(sql("SELECT id FROM users WHERE email = %s" % q(email)))

    def __repr__(self):
        return "User(%s, %s)" % (self.email, self.role)


def new_user(role, tag=None):
    """A user made by `backroomd create-user`, with its generated
    password (no change needed at first sign-in)."""
    email = uniq_email(tag or role)
    p = cli("create-user", email, role)
    assert p.returncode == 0, p.stderr
    password = p.stdout.strip()
    assert password and "\n" not in password, p.stdout
    return User(email, password, role)


# --- HTTP -------------------------------------------------------------------

def set_cookies(resp):
    """name -> (value, {attribute (lower-case): value}) of every Set-Cookie
    header of a response."""
    out = {}
    for h in resp.raw.headers.getlist("Set-Cookie"):
        parts = [p.strip() for p in h.split(";")]
        name, _, value = parts[0].partition("=")
        attrs = {}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            attrs[k.strip().lower()] = v.strip()
        out[name.strip()] = (value, attrs)
    return out


def cookie_cleared(value, attrs):
    """A Set-Cookie that deletes the cookie: empty, Max-Age=0 or an
    Expires in the past."""
    if value == "" or attrs.get("max-age", "1").lstrip("-").isdigit() and \
            int(attrs.get("max-age", "1")) <= 0:
        return True
    if "expires" in attrs:
        try:
            when = email.utils.parsedate_to_datetime(attrs["expires"])
        except (TypeError, ValueError):
            return False
        return when.timestamp() < time.time()
    return False


def location(resp):
    return resp.headers.get("Location", "")


def is_login_redirect(resp):
    """A 303 to /login (any query)."""
    return resp.status_code == 303 and urlsplit(location(resp)).path == "/login"


def login_next(resp):
    """The next= of a redirect to /login, decoded."""
    qs = parse_qs(urlsplit(location(resp)).query)
    return qs.get("next", [None])[0]


def raw_request(method, path, **kw):
    """One request, no redirects followed.  A POST to /login carries
    Origin as browsers send it, unless the test sets Origin or
    Sec-Fetch-Site itself (the sign-in form requires one of them)."""
    if method == "POST" and path == "/login":
        h = dict(kw.get("headers") or {})
        if not {"origin", "sec-fetch-site"} & {k.lower() for k in h}:
            h["Origin"] = BASE
        kw["headers"] = h
    kw.setdefault("timeout", 15)
    kw.setdefault("verify", CERT)
    kw.setdefault("allow_redirects", False)
    return requests.request(method, BASE + path, **kw)


class Client:
    """One browser-like signed-in (or not) client: keeps the cookies the
    server sets (session, flash), remembers the last CSRF token seen on a
    page, never follows redirects."""

    def __init__(self, user=None):
        self.user = user
        self.cookies = {}
        self.csrf = None

    @property
    def sid(self):
        return self.cookies.get(SESSION_COOKIE)

    def request(self, method, path, cookies=None, **kw):
        jar = dict(self.cookies)
        if cookies is not None:
            jar.update(cookies)
        return self.absorb(raw_request(method, path, cookies=jar, **kw))

    def absorb(self, r):
        """Keeps the cookies r sets or clears and the CSRF token of its
        page, as a browser would; returns r."""
        for name, (value, attrs) in set_cookies(r).items():
            if cookie_cleared(value, attrs):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if "text/html" in r.headers.get("Content-Type", ""):
            m = CSRF_META.search(r.text)
            if m:
                self.csrf = m.group(1)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def head(self, path, **kw):
        return self.request("HEAD", path, **kw)

    def post(self, path, data=None, csrf=True, **kw):
        """POSTs a form; with csrf=True the session's token is added, and a
        fresh one-time form token unless data has one."""
        if csrf:
            if self.csrf is None:
                self.refresh_csrf()
            if data is None:
                data = {}
            if isinstance(data, dict):
                data = dict(data)
                data.setdefault("csrf", self.csrf)
                data.setdefault("form_token", secrets.token_hex(32))
            else:
                data = list(data) + [("csrf", self.csrf)]
                if not any(k == "form_token" for k, _ in data):
                    data.append(("form_token", secrets.token_hex(32)))
        return self.request("POST", path, data=data, **kw)

    def login(self, email=None, password=None, expect=303, **extra):
        email = email if email is not None else self.user.email
        password = password if password is not None else self.user.password
        data = {"email": email, "password": password}
        data.update(extra)
        r = self.request("POST", "/login", data=data)
        if expect is not None:
            assert r.status_code == expect, (r.status_code, r.text[:500])
        if r.status_code == 303:
            self.csrf = None
        return r

    def refresh_csrf(self):
        r = self.get("/account")
        assert r.status_code == 200, (r.status_code, location(r))
        assert self.csrf, "no csrf-token meta on /account"
        return self.csrf

    def signed_in(self):
        return self.get("/account").status_code == 200


def signed_in(user):
    c = Client(user)
    c.login()
    c.refresh_csrf()
    return c


_ADMIN = {}


def admin():
    """A signed-in admin Client shared by the tests of one process; signs
    in again when a test ended its session."""
    c = _ADMIN.get("client")
    if c is not None and c.signed_in():
        return c
    if "user" not in _ADMIN:
        _ADMIN["user"] = new_user("admin", "kit-admin")
    c = signed_in(_ADMIN["user"])
    _ADMIN["client"] = c
    return c


def field_error(page, field):
    """The text shown right after the form control named `field`, up to the
    next label, control or button (where a per-field message goes); ''
    when there is none."""
    m = re.search(r'<(input|select|textarea)\b[^>]*\bname="%s"[^>]*>' % re.escape(field), page)
    assert m, "no control named %s in the page" % field
    rest = page[m.end():]
    end = re.search(r"<(label|input|select|textarea|button)\b|</form>", rest)
    seg = rest[:end.start()] if end else rest
    if m.group(1) in ("select", "textarea"):
        close = seg.find("</%s>" % m.group(1))
        seg = seg[close:] if close >= 0 else seg
    text = re.sub(r"<[^>]*>", " ", seg)
    return re.sub(r"\s+", " ", text).strip()


# --- API tokens -------------------------------------------------------------

class Token:
    def __init__(self, value, id_, name, user_id):
        self.value = value
        self.id = id_
        self.name = name
        self.user_id = user_id

    @property
    def auth(self):
        return {"Authorization": "Bearer " + self.value}


def create_token(user_id, scopes=("read", "write"), expires_days=None, by=None,
                 expect_status=201):
    """A token for user_id made by an admin through POST /admin/tokens."""
    c = by or admin()
    name = "tok-" + uuid.uuid4().hex[:12]
    data = [("user_id", str(user_id)), ("name", name)]
    data += [("scopes", s) for s in scopes]
    if expires_days is not None:
        data.append(("expires_days", str(expires_days)))
    r = c.post("/admin/tokens", data=data)
    assert r.status_code == expect_status, (r.status_code, r.text[:800])
    m = TOKEN_RE.search(r.text)
    assert m, r.text[:2000]
    tid = int(sql("SELECT id FROM api_tokens WHERE name = %s" % q(name)))
    tok = Token(m.group(1), tid, name, user_id)
    tok.response = r
    return tok


def api(method, path, token=None, headers=None, **kw):
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + (token.value if isinstance(token, Token) else token)
    return raw_request(method, path, headers=h, **kw)


def www_authenticate(resp):
    return resp.headers.get("WWW-Authenticate", "")


# --- the audit trail ---------------------------------------------------------

AUDIT_JSON = ("JSON_OBJECT('id', id, 'at', at, 'actor_id', actor_id, 'action', action, "
              "'entity', entity, 'entity_id', entity_id, 'details', details, "
              "'client_addr', client_addr, 'request_id', request_id)")


def audit_rows(where, order="id"):
    rows = sql_json("SELECT %s FROM audit_log WHERE %s ORDER BY %s" % (AUDIT_JSON, where, order))
    for r in rows:
        r["details_json"] = json.loads(r["details"]) if r.get("details") else None
    return rows


def audit_for(resp):
    """The audit rows written while serving this response (by its
    X-Request-Id)."""
    rid = resp.headers.get("X-Request-Id")
    assert rid, "no X-Request-Id"
    return audit_rows("request_id = %s" % q(rid))


def audit_max_id():
    return int(sql("SELECT COALESCE(MAX(id), 0) FROM audit_log"))


def audit_verify():
    p = cli("audit-verify")
    return p.returncode, p.stdout + p.stderr


def assert_no_secrets(*secrets):
    """None of the secrets (passwords, tokens, session ids), nor their
    URL-encoded forms, appears in audit_log or in backroomd's log."""
    dump = sql("SELECT CONCAT_WS(' ', id, at, actor_id, action, entity, entity_id, details, "
               "client_addr, request_id) FROM audit_log")
    with open(LOG, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    for s in secrets:
        if not s:
            continue
        for form in {s, quote_plus(s), quote(s, safe="")}:
            assert form not in dump, "a secret is in audit_log"
            assert form not in log, "a secret is in the backroomd log"


# --- configuration -----------------------------------------------------------

def _generation_settled(gen0):
    st = status()
    ws = st["workers"]
    return (len(ws) == int(st["configured_workers"]) and
            all(w["generation"] > gen0 for w in ws))


def _apply_conf(text):
    gen0 = max(w["generation"] for w in status()["workers"])
    with open(CONF, "w") as f:
        f.write(text)
    p = subprocess.run([BACKROOMD, "-c", CONF, "-t"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    os.kill(master_pid(), signal.SIGHUP)
    assert wait_until(lambda: _generation_settled(gen0), timeout=20), status()


def conf_with(text, directives):
    for k in directives:
        text = re.sub(r"^[ \t]*%s[ \t]*=.*(\n|$)" % re.escape(k), "", text, flags=re.M)
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join("%s = %s\n" % (k, v) for k, v in directives.items())


@contextlib.contextmanager
def reconfigured(**directives):
    """Runs the block with these directives in $CONF (reloaded with
    SIGHUP; the reload is done when every worker is of the new
    generation) and housekeeping off; the old config is put back and
    reloaded afterwards."""
    with open(CONF) as f:
        good = f.read()
    # No housekeeping run in the middle: with short timeouts it would
    # delete every other test's sessions.
    directives.setdefault("housekeeping_interval", 0)
    try:
        _apply_conf(conf_with(good, directives))
        yield
    finally:
        _apply_conf(good)


def temp_conf(tmp_path, **directives):
    """A copy of $CONF with these directives, for the one-shot commands."""
    with open(CONF) as f:
        text = f.read()
    path = os.path.join(str(tmp_path), "backroomd.conf")
    with open(path, "w") as f:
        f.write(conf_with(text, directives))
    return path


def _attrs(tag):
    out = {}
    for m in re.finditer(r'\s([A-Za-z_:][-A-Za-z0-9_:.]*)(?:=(?:"([^"]*)"|\'([^\']*)\'|([^\s>"\']+)))?', tag):
        v = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        out[m.group(1).lower()] = html.unescape(v) if v is not None else ""
    return out


def input_attrs(page, name):
    """Attributes of the first form control named `name`, or None."""
    m = re.search(r'<(input|select|textarea)\b[^>]*\bname="%s"[^>]*>' % re.escape(name), page)
    return _attrs(m.group(0)) if m else None


def forms(page):
    """(start-tag attributes, inner HTML) of every <form> of a page."""
    return [(_attrs(m.group(1)), m.group(2))
            for m in re.finditer(r"(<form\b[^>]*>)(.*?)</form>", page, re.S | re.I)]


# --- the route table ---------------------------------------------------------

_ROUTES = []


def routes():
    """`backroomd routes`, parsed (needs no config)."""
    if not _ROUTES:
        p = subprocess.run([BACKROOMD, "routes"], capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        _ROUTES.extend(json.loads(p.stdout))
    return _ROUTES


def fill(pattern, values=None, default="999999999"):
    """The pattern with each {param} replaced: by values[pattern] (a dict
    param -> value, or one value for all), else by `default`."""
    v = (values or {}).get(pattern)

    def one(m):
        if isinstance(v, dict):
            return str(v.get(m.group(1), default))
        return str(v if v is not None else default)
    return re.sub(r"\{([^}/]+)\}", one, pattern)
