"""Permissions, CSRF and API tokens, over HTTPS through nginx.

The route walk is generated from `backroomd routes`: for every role and
every non-public, non-loopback route and method, a request with a valid
CSRF token (pages, by session) or a read+write token (API) gets 403 exactly
when the README's permission matrix denies the route's permission, and
neither 401 nor 403 when it allows it.  Unsafe requests carry no fields, and
{id} parameters name throwaway objects (or no object at all), so an allowed
request changes nothing that other tests use.

CSRF: missing, wrong, another session's token, a foreign Origin or
Sec-Fetch-Site: cross-site are refused with a 403 page; tokens: scopes,
expiry, revocation, bad tokens, last use."""
import hashlib
import os
import re
import uuid
from urllib.parse import urlsplit

import pytest

from conftest import BASE, ROOT
from accounts_util import (HEX64, MATRIX, ROLES, SESSION_COOKIE, TOKEN_RE, admin, api,
                           audit_for, create_token, field_error, fill, forms, input_attrs,
                           is_login_redirect, location, login_next, new_user, q, raw_request,
                           routes, set_cookies, signed_in, sql, www_authenticate)

HOST = urlsplit(BASE).netloc
ORIGIN = "https://" + HOST
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
INVALID_TOKEN = 'Bearer realm="backroom", error="invalid_token"'


def walked():
    """(method, route) for every non-public, non-loopback route."""
    return [(m, rt) for rt in routes() if not rt["public"] and not rt["loopback"]
            for m in rt["methods"]]


def rid(method, rt):
    return "%s %s" % (method, rt["pattern"])


WALK = walked()


# --- the table itself ----------------------------------------------------------

def test_every_protected_route_names_a_known_permission():
    assert WALK, "no protected routes"
    for rt in routes():
        if rt["public"]:
            continue
        assert rt["perm"] in MATRIX, rt
    for rt in routes():
        assert rt["pattern"].startswith("/")
        assert rt["api"] == rt["pattern"].startswith("/api/"), rt
        assert set(rt["methods"]) <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
        if "GET" in rt["methods"]:
            assert "HEAD" in rt["methods"], rt


def test_only_sign_in_and_health_checks_are_public():
    public = {rt["pattern"] for rt in routes() if rt["public"] and not rt["loopback"]}
    # The README names /login, /healthz and /readyz; the OpenAPI document
    # (a description of the API, no data) is public too.
    assert public <= {"/login", "/healthz", "/readyz", "/api/v1/openapi.json"}, public
    assert "/login" in public
    pats = {rt["pattern"]: rt for rt in routes()}
    assert pats["/status"]["loopback"]


def test_readme_documents_the_same_matrix():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    header = re.search(r"^\|\s*permission\s*\|(.*)\|\s*$", text, re.M)
    assert header, "no permission table in the README"
    cols = [c.strip() for c in header.group(1).split("|")]
    roles = cols[:4]
    assert roles == ["viewer", "clerk", "manager", "admin"], cols
    doc = {}
    for line in text[header.end():].lstrip("\n").splitlines()[1:]:
        if not line.startswith("|"):
            break                   # the end of the table
        m = re.match(r"^\|\s*`([a-z.]+)`\s*\|(.*)$", line)
        assert m, line
        cells = [c.strip() for c in m.group(2).split("|")]
        doc[m.group(1)] = {r for r, c in zip(roles, cells[:4]) if c}
    assert doc == MATRIX


# --- the walk ------------------------------------------------------------------

@pytest.fixture(scope="module")
def actors():
    """Per role: a user, its signed-in client and a read+write token."""
    out = {}
    for role in ROLES:
        u = new_user(role, "walk")
        out[role] = {"user": u, "client": signed_in(u),
                     "token": create_token(u.id, ("read", "write"))}
    return out


@pytest.fixture(scope="module")
def ids():
    """Real objects for the {id} parameters of the account routes: a
    throwaway user and a throwaway token (revoking it harms no one)."""
    victim = new_user("viewer", "victim")
    tok = create_token(victim.id, ("read",))
    return {"/admin/users/{id}": victim.id,
            "/admin/users/{id}/password": victim.id,
            "/admin/tokens/{id}/revoke": tok.id,
            "/api/v1/tokens/{id}/revoke": tok.id}


def client_of(actor):
    c = actor["client"]
    if not c.signed_in():           # e.g. after walking POST /logout
        c.login()
        c.refresh_csrf()
    return c


def send(actor, method, rt, path):
    if rt["api"]:
        kw = {"json": {}} if method in UNSAFE else {}
        return api(method, path, actor["token"], **kw)
    c = client_of(actor)
    if method in UNSAFE:
        return c.request(method, path, data={"csrf": c.csrf})
    return c.request(method, path)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,rt", WALK, ids=[rid(m, rt) for m, rt in WALK])
def test_route_permission_for_role(role, method, rt, actors, ids):
    actor = actors[role]
    path = fill(rt["pattern"], ids)
    r = send(actor, method, rt, path)
    allowed = role in MATRIX[rt["perm"]]
    if not allowed:
        assert r.status_code == 403, (r.status_code, location(r))
        ctype = r.headers.get("Content-Type", "")
        if rt["api"]:
            assert ctype.startswith("application/problem+json"), ctype
            if method != "HEAD":
                assert r.json()["status"] == 403
        else:
            assert ctype.startswith("text/html"), ctype
        rows = audit_for(r)
        assert [x["action"] for x in rows] == ["permission.denied"], rows
        assert rows[0]["actor_id"] == actor["user"].id
        return
    assert r.status_code not in (401, 403), (r.status_code, r.text[:300])
    if rt["pattern"] != "/logout":     # signing out ends at /login
        assert not is_login_redirect(r), location(r)
    assert r.status_code < 500, r.status_code
    if method in ("GET", "HEAD") and ("{" not in rt["pattern"] or rt["pattern"] in ids):
        assert r.status_code == 200, r.status_code
    assert not [x for x in audit_for(r) if x["action"] == "permission.denied"]


@pytest.mark.parametrize("method,rt", WALK, ids=[rid(m, rt) for m, rt in WALK])
def test_route_refuses_anonymous_requests(method, rt, ids):
    path = fill(rt["pattern"], ids)
    kw = {"data": {"x": "1"}} if method in UNSAFE and not rt["api"] else \
        {"json": {}} if method in UNSAFE else {}
    r = raw_request(method, path, **kw)
    if rt["api"]:
        assert r.status_code == 401, r.status_code
        assert www_authenticate(r) == 'Bearer realm="backroom"'
    elif method in ("GET", "HEAD"):
        assert is_login_redirect(r), (r.status_code, location(r))
        assert login_next(r) == path
    else:
        assert r.status_code in (303, 401, 403), r.status_code
        if r.status_code == 303:
            assert is_login_redirect(r), location(r)


UNSAFE_API = [(m, rt) for m, rt in WALK if rt["api"] and m in UNSAFE]
SAFE_API = [(m, rt) for m, rt in WALK if rt["api"] and m not in UNSAFE]


@pytest.fixture(scope="module")
def read_tokens(actors):
    return {role: create_token(actors[role]["user"].id, ("read",)) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,rt", UNSAFE_API, ids=[rid(m, rt) for m, rt in UNSAFE_API])
def test_read_only_token_cannot_change_anything(role, method, rt, ids, read_tokens):
    """Whatever the owner's role: a read-only token's unsafe request is
    refused for its scope."""
    r = api(method, fill(rt["pattern"], ids), read_tokens[role], json={})
    assert r.status_code == 403, r.status_code
    assert 'error="insufficient_scope"' in www_authenticate(r), www_authenticate(r)
    assert r.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("method,rt", SAFE_API, ids=[rid(m, rt) for m, rt in SAFE_API])
def test_read_only_token_reads(method, rt, ids):
    tok = create_token(admin().user.id, ("read",))
    r = api(method, fill(rt["pattern"], ids), tok)
    assert r.status_code not in (401, 403), r.status_code


# --- CSRF ----------------------------------------------------------------------

@pytest.fixture
def victim():
    u = new_user("viewer", "csrf")
    return u, signed_in(u)


def change_password(c, u, csrf, headers=None, omit=False):
    new = "Csrf-" + uuid.uuid4().hex[:16]
    data = {"current_password": u.password, "new_password": new, "confirm_password": new,
            "form_token": uuid.uuid4().hex * 2}
    if not omit:
        data["csrf"] = csrf
    return c.request("POST", "/account/password", data=data, headers=headers or {})


def pw_hash(u):
    return sql("SELECT password_hash FROM users WHERE id = %d" % u.id)


@pytest.mark.parametrize("case", [
    "missing", "empty", "wrong", "other_users_session", "own_other_session",
    "foreign_origin", "http_origin", "null_origin", "cross_site"])
def test_csrf_refusals(case, victim):
    u, c = victim
    csrf, headers, omit = c.csrf, {}, False
    if case == "missing":
        omit = True
    elif case == "empty":
        csrf = ""
    elif case == "wrong":
        csrf = uuid.uuid4().hex * 2
    elif case == "other_users_session":
        csrf = signed_in(new_user("viewer", "csrf-other")).csrf
    elif case == "own_other_session":
        csrf = signed_in(u).csrf
        assert csrf != c.csrf
    elif case == "foreign_origin":
        headers = {"Origin": "https://evil.example"}
    elif case == "http_origin":
        headers = {"Origin": "http://" + HOST}
    elif case == "null_origin":
        headers = {"Origin": "null"}
    elif case == "cross_site":
        headers = {"Sec-Fetch-Site": "cross-site"}
    before = pw_hash(u)
    r = change_password(c, u, csrf, headers, omit)
    assert r.status_code == 403, r.status_code
    assert r.headers["Content-Type"].startswith("text/html")
    assert "CSRF" in r.text
    assert pw_hash(u) == before
    assert c.get("/account").status_code == 200     # the session lives on
    rows = audit_for(r)
    assert [x["action"] for x in rows] == ["csrf.rejected"], rows


def test_csrf_accepts_the_right_token_from_this_origin(victim):
    u, c = victim
    before = pw_hash(u)
    r = change_password(c, u, c.csrf, {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303, (r.status_code, r.text[:300])
    assert pw_hash(u) != before


UNSAFE_ALL = [(m, rt) for m, rt in WALK if m in UNSAFE]


@pytest.mark.parametrize("method,rt", UNSAFE_ALL, ids=[rid(m, rt) for m, rt in UNSAFE_ALL])
def test_every_unsafe_route_needs_csrf_with_a_cookie(method, rt, ids):
    """Generated: by session cookie (pages and API alike), no token: 403."""
    c = admin()
    r = c.request(method, fill(rt["pattern"], ids), data={"x": "1"})
    assert r.status_code == 403, r.status_code
    assert "CSRF" in r.text
    r = c.request(method, fill(rt["pattern"], ids),
                  data={"csrf": c.csrf}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403, r.status_code
    assert "CSRF" in r.text


def test_login_form_checks_origin_only():
    u = new_user("viewer")
    data = {"email": u.email, "password": u.password}
    for h in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
              {"Origin": "http://" + HOST}):
        r = raw_request("POST", "/login", data=data, headers=h)
        assert r.status_code == 403, (h, r.status_code)
        assert SESSION_COOKIE not in set_cookies(r)
    r = raw_request("POST", "/login", data=data,
                    headers={"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303
    r = raw_request("POST", "/login", data=data)       # no csrf field needed
    assert r.status_code == 303


def html_get_routes(ids):
    return sorted({fill(rt["pattern"], ids, default="1") for m, rt in WALK
                   if m == "GET" and not rt["api"]})


def test_every_page_carries_the_session_csrf_token(ids):
    c = admin()
    other = signed_in(new_user("admin", "csrf-pages"))
    assert other.csrf != c.csrf
    pages = html_get_routes(ids)
    assert "/account" in pages and "/admin/users" in pages
    for p in pages:
        for who in (c, other):
            r = who.get(p)
            if r.status_code == 404:
                continue        # a page behind an id that does not exist
            assert r.status_code == 200, (p, r.status_code)
            m = re.findall(r'<meta\s+name="csrf-token"\s+content="([^"]*)"', r.text)
            assert m == [who.csrf], (p, m)
            assert HEX64.match(who.csrf) or len(who.csrf) >= 32
            posts = [(a, body) for a, body in forms(r.text)
                     if a.get("method", "get").lower() == "post"]
            assert posts, p
            for a, body in posts:
                tok = input_attrs(body, "csrf")
                assert tok is not None, (p, a)
                assert tok["type"] == "hidden" and tok["value"] == who.csrf, (p, a, tok)


def test_bearer_requests_skip_csrf():
    victim = new_user("viewer", "bearer")
    t = create_token(victim.id, ("read",))
    tok = create_token(admin().user.id, ("read", "write"))
    r = api("POST", "/api/v1/tokens/%d/revoke" % t.id, tok,
            headers={"Origin": "https://evil.example"})
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json() == {"id": t.id, "revoked": True}


# --- tokens ----------------------------------------------------------------------

def test_token_is_shown_once_and_stored_hashed():
    u = new_user("manager", "tok")
    t = create_token(u.id, ("read",))
    r = t.response
    assert r.status_code == 201
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert re.fullmatch(r"brt_[0-9a-f]{64}", t.value)
    assert r.text.count(t.value) == 1
    row = sql("SELECT CONCAT_WS(' ', token_hash, name, user_id) FROM api_tokens WHERE id = %d"
              % t.id)
    assert t.value not in row and t.value[4:] not in row
    # Stored as its SHA-256 (README), of the whole token or of its hex part.
    assert row.split()[0] in (hashlib.sha256(t.value.encode()).hexdigest(),
                              hashlib.sha256(t.value[4:].encode()).hexdigest()), row
    page = admin().get("/admin/tokens")
    assert page.status_code == 200 and t.name in page.text
    assert t.value not in page.text and t.value[4:] not in page.text


def test_token_me_reports_owner_and_scopes():
    u = new_user("clerk", "me")
    for scopes in (("read",), ("read", "write")):
        t = create_token(u.id, scopes)
        r = api("GET", "/api/v1/me", t)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/json")
        me = r.json()
        assert me["id"] == u.id and me["email"] == u.email and me["role"] == "clerk"
        assert me["auth"] == "token"
        assert sorted(me["scopes"]) == sorted(scopes)
        assert "name" in me


def test_users_api_lists_users_for_admins():
    u = new_user("viewer", "listed")
    t = create_token(admin().user.id, ("read",))
    r = api("GET", "/api/v1/users", t)
    assert r.status_code == 200
    items = r.json()["items"]
    assert u.email in [i["email"] for i in items]
    assert not [k for i in items for k in i if k in ("password", "password_hash") or "hash" in k]


@pytest.mark.parametrize("bad", [
    "brt_" + "0" * 64, "brt_" + "g" * 64, "brt_short", "garbage", "brt_" + "0" * 65, ""])
def test_bad_tokens_are_401_invalid_token(bad):
    r = raw_request("GET", "/api/v1/me", headers={"Authorization": "Bearer " + bad})
    assert r.status_code == 401
    if bad:
        assert www_authenticate(r) == INVALID_TOKEN
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_expired_token_is_401():
    u = new_user("viewer", "exp")
    t = create_token(u.id, ("read",), expires_days=1)
    assert sql("SELECT TIMESTAMPDIFF(HOUR, NOW(6), expires_at) FROM api_tokens WHERE id = %d"
               % t.id) in ("23", "24")
    assert api("GET", "/api/v1/me", t).status_code == 200
    sql("UPDATE api_tokens SET expires_at = NOW(6) - INTERVAL 1 SECOND WHERE id = %d" % t.id)
    r = api("GET", "/api/v1/me", t)
    assert r.status_code == 401
    assert www_authenticate(r) == INVALID_TOKEN


@pytest.mark.parametrize("days", ["0", "3651", "-1", "abc", "1.5"])
def test_token_expiry_out_of_range_is_422(days):
    a = admin()
    u = new_user("viewer", "exp")
    name = "tok-" + uuid.uuid4().hex[:10]
    r = a.post("/admin/tokens", [("user_id", str(u.id)), ("name", name), ("scopes", "read"),
                                 ("expires_days", days)])
    assert r.status_code == 422, r.status_code
    assert field_error(r.text, "expires_days") != ""
    assert not TOKEN_RE.search(r.text)
    assert sql("SELECT COUNT(*) FROM api_tokens WHERE name = %s" % q(name)) == "0"


def test_token_expiry_bounds_are_accepted():
    u = new_user("viewer", "exp")
    for days in (1, 3650):
        t = create_token(u.id, ("read",), expires_days=days)
        assert api("GET", "/api/v1/me", t).status_code == 200


def test_revocation_on_the_page_is_immediate():
    u = new_user("viewer", "rev")
    t = create_token(u.id, ("read",))
    assert api("GET", "/api/v1/me", t).status_code == 200
    r = admin().post("/admin/tokens/%d/revoke" % t.id)
    assert r.status_code == 303 and location(r) == "/admin/tokens"
    r = api("GET", "/api/v1/me", t)
    assert r.status_code == 401
    assert www_authenticate(r) == INVALID_TOKEN


def test_revocation_by_api_is_immediate():
    u = new_user("viewer", "rev")
    t = create_token(u.id, ("read", "write"))
    assert api("GET", "/api/v1/me", t).status_code == 200
    tok = create_token(admin().user.id, ("read", "write"))
    r = api("POST", "/api/v1/tokens/%d/revoke" % t.id, tok)
    assert r.status_code == 200
    assert r.json() == {"id": t.id, "revoked": True}
    r = api("GET", "/api/v1/me", t)
    assert r.status_code == 401 and www_authenticate(r) == INVALID_TOKEN
    # A token may revoke itself; after that it is dead too.
    r = api("POST", "/api/v1/tokens/%d/revoke" % tok.id, tok)
    assert r.status_code == 200
    assert api("GET", "/api/v1/me", tok).status_code == 401


def test_token_permissions_are_role_and_scope():
    """An admin's read token reads admin data but writes nothing; a
    viewer's read+write token is still a viewer."""
    ta = create_token(admin().user.id, ("read",))
    assert api("GET", "/api/v1/users", ta).status_code == 200
    v = new_user("viewer", "rs")
    tv = create_token(v.id, ("read", "write"))
    assert api("GET", "/api/v1/me", tv).status_code == 200
    assert api("GET", "/api/v1/users", tv).status_code == 403
    victim = create_token(v.id, ("read",))
    r = api("POST", "/api/v1/tokens/%d/revoke" % victim.id, tv)
    assert r.status_code == 403
    assert api("GET", "/api/v1/me", victim).status_code == 200


def test_last_used_is_recorded_and_shown():
    u = new_user("viewer", "used")
    t = create_token(u.id, ("read",))
    assert sql("SELECT last_used_at IS NULL FROM api_tokens WHERE id = %d" % t.id) == "1"

    def row():
        page = admin().get("/admin/tokens").text
        trs = [tr for tr in re.findall(r"<tr\b.*?</tr>", page, re.S) if t.name in tr]
        assert len(trs) == 1, trs
        return trs[0]
    day = sql("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d')")
    before = row()
    assert api("GET", "/api/v1/me", t).status_code == 200
    assert sql("SELECT last_used_at IS NOT NULL AND last_used_at > NOW(6) - INTERVAL 1 MINUTE "
               "FROM api_tokens WHERE id = %d" % t.id) == "1"
    after = row()
    assert after.count(day) > before.count(day), (before, after)
