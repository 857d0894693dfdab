"""Sign-in, sessions and passwords, over HTTPS through nginx: the sign-in
form, wrong passwords, unknown and known accounts failing alike (body,
status and time), the per-email lockout and its end (doubling, capped at an
hour), the per-address throttle, a new session id at every sign-in, the
session cookie's attributes, idle and absolute expiry (short timeouts
configured by reloading backroomd), sign-out, disabling a user, changing a
password, an admin's reset that forces a change, and users made through
/admin/users."""
import random
import re
import statistics
import subprocess
import threading
import time
import uuid

import pytest

from accounts_util import (HEX64, SESSION_COOKIE, Client, admin, clear_addr_throttle, cli,
                           cookie_cleared, create_token, field_error, forms, input_attrs,
                           is_login_redirect, location, login_next, new_user, q,
                           raw_request, reconfigured, routes, fill, api, session_row_exists,
                           set_cookies, signed_in, sql, temp_conf, uniq_email, user_sessions,
                           www_authenticate)
from conftest import BACKROOMD

WRONG = "Wrong email or password."


@pytest.fixture(autouse=True)
def fresh_address():
    """All tests sign in from 127.0.0.1; failures made on purpose here must
    not throttle the address for the tests that follow."""
    clear_addr_throttle()
    yield
    clear_addr_throttle()


def attempt(email, password, **extra):
    data = {"email": email, "password": password}
    data.update(extra)
    return raw_request("POST", "/login", data=data)


def retry_after(r):
    v = r.headers.get("Retry-After", "")
    assert re.fullmatch(r"[0-9]+", v), "Retry-After %r" % v
    return int(v)


def strong_password(n=20):
    return "Pw-" + uuid.uuid4().hex[:n - 3]


# --- the form and a successful sign-in ---------------------------------------

def test_login_form_has_email_password_and_next():
    r = raw_request("GET", "/login?next=%2Fadmin%2Fusers%3Fx%3D1")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    login = [(a, body) for a, body in forms(r.text) if a.get("action") == "/login"]
    assert len(login) == 1, r.text
    attrs, body = login[0]
    assert attrs.get("method", "").lower() == "post"
    assert input_attrs(body, "email") is not None
    assert input_attrs(body, "password")["type"] == "password"
    nxt = input_attrs(body, "next")
    assert nxt["type"] == "hidden" and nxt["value"] == "/admin/users?x=1"


def test_sign_in_sets_a_secure_host_only_session_cookie():
    u = new_user("viewer")
    r = attempt(u.email, u.password)
    assert r.status_code == 303, r.text[:300]
    assert location(r) == "/"
    raw = [h for h in r.raw.headers.getlist("Set-Cookie")
           if h.startswith(SESSION_COOKIE + "=")]
    assert len(raw) == 1, raw
    parts = [p.strip() for p in raw[0].split(";")]
    assert re.fullmatch(SESSION_COOKIE + r"=[0-9a-f]{64}", parts[0]), raw
    assert {"Path=/", "Secure", "HttpOnly", "SameSite=Lax"} <= set(parts[1:]), raw
    # __Host- cookies carry no Domain; a session cookie no lifetime.
    assert not [p for p in parts[1:] if p.lower().startswith(("domain", "max-age", "expires"))], raw
    sid = parts[0].split("=", 1)[1]
    c = Client(u)
    c.cookies[SESSION_COOKIE] = sid
    r = c.get("/account")
    assert r.status_code == 200 and u.email in r.text
    # Only a hash of the id is stored.
    assert session_row_exists(sid)
    assert sql("SELECT COUNT(*) FROM sessions WHERE id_hash = %s OR csrf_token = %s"
               % (q(sid), q(sid))) == "0"


@pytest.mark.parametrize("nxt,goes_to", [
    ("/account", "/account"),
    ("/admin/users?x=1", "/admin/users?x=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("", "/"),
])
def test_sign_in_goes_to_a_local_next_only(nxt, goes_to):
    u = new_user("viewer")
    r = attempt(u.email, u.password, next=nxt)
    assert r.status_code == 303
    assert location(r) == goes_to


def test_generated_passwords_need_no_change():
    c = signed_in(new_user("viewer"))
    r = c.get("/")
    assert r.status_code == 200


# --- failures ------------------------------------------------------------------

def test_wrong_password_is_401_and_keeps_the_email():
    u = new_user("viewer")
    r = attempt(u.email, u.password + "x", next="/account")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("text/html")
    assert WRONG in r.text
    assert input_attrs(r.text, "email")["value"] == u.email
    assert input_attrs(r.text, "password").get("value", "") == ""
    assert input_attrs(r.text, "next")["value"] == "/account"
    assert SESSION_COOKIE not in set_cookies(r)
    assert (u.password + "x") not in r.text
    # The right one still works (one failure is no lockout).
    assert attempt(u.email, u.password).status_code == 303


def test_typed_email_is_escaped_in_the_form():
    evil = '"><script>alert(1)</script>@example.com'
    r = attempt(evil, "whatever-password")
    assert r.status_code in (401, 422)
    assert "<script>alert(1)" not in r.text
    assert input_attrs(r.text, "email")["value"] == evil


def _normalized(r, email):
    text = r.text.replace(email, "EMAIL")
    rid = r.headers.get("X-Request-Id")
    if rid:
        text = text.replace(rid, "RID")
    return text


def test_unknown_disabled_and_known_accounts_fail_alike():
    known = [new_user("viewer", "same") for _ in range(4)]
    gone = new_user("viewer", "same")
    sql("UPDATE users SET disabled = 1 WHERE id = %d" % gone.id)
    unknown = [uniq_email("same") for _ in range(4)]
    times = {"known": [], "unknown": []}
    seen = {}
    for rnd in range(2):            # two failures per email: no lockout
        for u, email in zip(known, unknown):
            for kind, em in (("known", u.email), ("unknown", email)):
                t0 = time.monotonic()
                r = attempt(em, "Not-the-password-%d" % rnd)
                times[kind].append(time.monotonic() - t0)
                assert r.status_code == 401, (kind, r.status_code)
                seen[kind] = (r, em)
    r = attempt(gone.email, gone.password)          # right password, disabled
    assert r.status_code == 401
    seen["disabled"] = (r, gone.email)
    bodies = {k: _normalized(r, em) for k, (r, em) in seen.items()}
    assert WRONG in bodies["known"]
    assert bodies["known"] == bodies["unknown"] == bodies["disabled"]
    heads = {k: sorted(h for h in r.headers if h.lower() not in ("date", "x-request-id"))
             for k, (r, em) in seen.items()}
    assert heads["known"] == heads["unknown"] == heads["disabled"]
    # An unknown email runs a dummy verify: its time is that of a wrong
    # password for a real account, not that of a quick miss.
    k, u = statistics.median(times["known"]), statistics.median(times["unknown"])
    assert u >= 0.5 * k, times
    assert u <= 2.0 * k + 0.05, times


def _lockout_sequence(email, good, known, out):
    """The schedule both a known and an unknown email go through with
    login_max_failures = 3 and login_lockout_seconds = 2."""
    seq = []

    def go(pw):
        r = attempt(email, pw)
        ra = retry_after(r) if r.status_code == 429 else None
        seq.append((r.status_code, ra, SESSION_COOKIE in set_cookies(r), WRONG in r.text))
        return r
    for i in range(3):
        go("wrong-password-%d" % i)
    go(good)                        # locked: even the right password
    time.sleep(2.6)
    go("wrong-password-again")      # the lockout is over: a failure...
    go(good)                        # ...locks again, twice as long
    time.sleep(4.6)
    go(good)                        # over again
    if known:
        # A success resets the count: two more failures lock nothing.
        go("wrong-password-x")
        go("wrong-password-y")
        go(good)
    out[email] = seq


def _run(fn, *args):
    try:
        fn(*args)
    except Exception as e:          # reported by the test, not the thread
        args[-1]["error"] = repr(e)


def test_lockout_after_max_failures_and_its_end_alike_for_unknown_emails():
    u = new_user("viewer")
    ghost = uniq_email("ghost")
    out = {}
    with reconfigured(login_max_failures=3, login_lockout_seconds=2):
        ts = [threading.Thread(target=_run, args=(_lockout_sequence, u.email, u.password, True, out)),
              threading.Thread(target=_run, args=(_lockout_sequence, ghost, "Any-password-123", False, out))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
    assert "error" not in out, out
    k, g = out[u.email], out[ghost]
    codes = [s[0] for s in k]
    assert codes == [401, 401, 401, 429, 401, 429, 303, 401, 401, 303], k
    assert 1 <= k[3][1] <= 2, k                     # the base lockout
    assert 3 <= k[5][1] <= 4, k                     # doubled
    assert not any(s[2] for s in k[:6]), "a session cookie while locked"
    assert k[6][2] and k[9][2]
    # The unknown email: the same answers, the same Retry-After.
    assert [s[0] for s in g] == [401, 401, 401, 429, 401, 429, 401], g
    assert 1 <= g[3][1] <= 2 and 3 <= g[5][1] <= 4, g
    assert [s[3] for s in g] == [s[3] for s in k[:6]] + [True]


def test_lockout_doubles_up_to_one_hour():
    ghost = uniq_email("cap")

    def unlock():
        # Ends long lockouts (only this test makes any) instead of waiting.
        sql("UPDATE login_throttle SET locked_until = NOW(6) - INTERVAL 1 SECOND "
            "WHERE kind = 'account' AND locked_until > NOW(6) + INTERVAL 900 SECOND")
    seen = []
    with reconfigured(login_max_failures=1, login_lockout_seconds=1000):
        try:
            for _ in range(4):
                r = attempt(ghost, "wrong-password-1")
                assert r.status_code == 401, r.status_code
                r = attempt(ghost, "wrong-password-2")
                assert r.status_code == 429
                seen.append(retry_after(r))
                unlock()
        finally:
            unlock()
    assert 990 <= seen[0] <= 1000, seen
    assert 1990 <= seen[1] <= 2000, seen
    assert 3590 <= seen[2] <= 3600, seen
    assert 3590 <= seen[3] <= 3600, seen


def test_too_many_failures_from_one_address_throttle_it():
    u = new_user("viewer")
    window = 8
    with reconfigured(login_addr_max_failures=3, login_addr_window=window, login_max_failures=50):
        clear_addr_throttle()
        t0 = time.monotonic()
        for i in range(3):
            r = attempt(uniq_email("addr"), "wrong-password")
            assert r.status_code == 401, (i, r.status_code)
        r = attempt(uniq_email("addr"), "wrong-password")
        assert r.status_code in (401, 429)
        # Now even a right password from this address is refused.
        r = attempt(u.email, u.password)
        assert r.status_code == 429, r.status_code
        assert SESSION_COOKIE not in set_cookies(r)
        ra = retry_after(r)
        assert 1 <= ra <= window, ra
        # The window ends.
        time.sleep(max(0.0, t0 + window + 0.5 - time.monotonic()))
        r = attempt(u.email, u.password)
        assert r.status_code == 303, r.status_code


# --- sessions -----------------------------------------------------------------

def test_every_sign_in_gets_a_new_session_id():
    u = new_user("viewer")
    a, b = Client(u), Client(u)
    a.login()
    b.login()
    sid1, sid2 = a.sid, b.sid
    assert HEX64.match(sid1) and HEX64.match(sid2) and sid1 != sid2
    # Signing in again while sending the old cookie: a new id, and the
    # old one is deleted on the server.
    a.login()
    sid3 = a.sid
    assert sid3 not in (sid1, sid2)
    assert not session_row_exists(sid1)
    stale = Client(u)
    stale.cookies[SESSION_COOKIE] = sid1
    assert is_login_redirect(stale.get("/account"))
    assert a.get("/account").status_code == 200
    # A cookie value chosen by someone else is never adopted (fixation).
    fixed = uuid.uuid4().hex * 2
    c = Client(u)
    c.cookies[SESSION_COOKIE] = fixed
    c.login()
    assert c.sid != fixed and HEX64.match(c.sid)
    assert not session_row_exists(fixed)


def test_not_signed_in_html_goes_to_login_with_next():
    for path in ("/account", "/admin/users?x=1", "/"):
        r = raw_request("GET", path)
        assert is_login_redirect(r), (path, r.status_code, location(r))
        assert login_next(r) == path
    # A made-up or malformed cookie is no session either.
    for bad in (uuid.uuid4().hex * 2, "zz", "x" * 300):
        r = raw_request("GET", "/account", cookies={SESSION_COOKIE: bad})
        assert is_login_redirect(r), bad


def test_not_signed_in_api_gets_a_bearer_challenge():
    r = raw_request("GET", "/api/v1/me")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert www_authenticate(r) == 'Bearer realm="backroom"'
    assert r.json()["status"] == 401


def test_logout_ends_the_session_on_the_server():
    u = new_user("viewer")
    c = signed_in(u)
    sid, csrf = c.sid, c.csrf
    r = c.post("/logout")
    assert r.status_code == 303 and location(r) == "/login"
    value, attrs = set_cookies(r)[SESSION_COOKIE]
    assert cookie_cleared(value, attrs), (value, attrs)
    assert not session_row_exists(sid)
    stale = Client(u)
    stale.cookies[SESSION_COOKIE] = sid
    stale.csrf = csrf
    assert is_login_redirect(stale.get("/account"))
    new = strong_password()
    r = stale.post("/account/password", {"current_password": u.password,
                                         "new_password": new, "confirm_password": new})
    assert r.status_code in (303, 401, 403) and location(r) != "/account", r.status_code
    assert attempt(u.email, u.password).status_code == 303      # unchanged


def test_logout_needs_the_csrf_token():
    u = new_user("viewer")
    c = signed_in(u)
    r = c.post("/logout", {}, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert c.signed_in()


def test_idle_session_expires():
    u = new_user("viewer")
    with reconfigured(session_idle_timeout=3, session_absolute_timeout=3600):
        c = signed_in(u)
        for _ in range(3):          # used every 1.5 s: alive for 4.5 s
            time.sleep(1.5)
            assert c.get("/account").status_code == 200
        time.sleep(4)
        assert is_login_redirect(c.get("/account"))
        assert is_login_redirect(c.get("/account"))
        other = signed_in(u)        # a fresh sign-in works
        assert other.get("/account").status_code == 200


def test_absolute_timeout_ends_a_session_in_use():
    u = new_user("viewer")
    with reconfigured(session_absolute_timeout=4, session_idle_timeout=3600):
        c = Client(u)
        c.login()
        t0 = time.monotonic()
        ended = None
        while time.monotonic() - t0 < 9:
            r = c.get("/account")
            if r.status_code != 200:
                assert is_login_redirect(r)
                ended = time.monotonic() - t0
                break
            time.sleep(0.4)
    assert ended is not None, "still signed in after 9 s"
    assert 3.3 <= ended <= 5.5, ended


def test_a_reload_with_a_shorter_timeout_applies_to_existing_sessions():
    u = new_user("viewer")
    c = signed_in(u)
    time.sleep(2.5)
    with reconfigured(session_absolute_timeout=2):
        assert is_login_redirect(c.get("/account"))


def test_disabling_a_user_ends_sessions_and_tokens():
    u = new_user("clerk")
    c1, c2 = signed_in(u), signed_in(u)
    tok = create_token(u.id, ("read",))
    assert api("GET", "/api/v1/me", tok).status_code == 200
    a = admin()
    r = a.post("/admin/users/%d" % u.id, {"name": "Gone", "role": "clerk", "disabled": "1"})
    assert r.status_code == 303, r.text[:500]
    assert location(r) == "/admin/users/%d" % u.id
    assert sql("SELECT disabled FROM users WHERE id = %d" % u.id) == "1"
    assert is_login_redirect(c1.get("/account"))
    assert is_login_redirect(c2.get("/account"))
    assert user_sessions(u.id) == 0
    r = api("GET", "/api/v1/me", tok)
    assert r.status_code == 401
    assert 'error="invalid_token"' in www_authenticate(r)
    r = attempt(u.email, u.password)
    assert r.status_code == 401 and WRONG in r.text
    # Enabled again: signing in works; the ended sessions stay ended.
    r = a.post("/admin/users/%d" % u.id, {"name": "Back", "role": "clerk"})
    assert r.status_code == 303
    assert sql("SELECT disabled FROM users WHERE id = %d" % u.id) == "0"
    assert is_login_redirect(c1.get("/account"))
    assert signed_in(u).get("/account").status_code == 200


def test_an_admin_cannot_disable_or_demote_themselves():
    me = new_user("admin")
    c = signed_in(me)
    r = c.post("/admin/users/%d" % me.id, {"name": "", "role": "admin", "disabled": "1"})
    assert r.status_code == 422
    r = c.post("/admin/users/%d" % me.id, {"name": "", "role": "manager"})
    assert r.status_code == 422
    assert field_error(r.text, "role") != ""
    assert sql("SELECT CONCAT(role, ' ', disabled) FROM users WHERE id = %d" % me.id) == "admin 0"
    assert c.get("/admin/users").status_code == 200
    # Their own name they may change.
    r = c.post("/admin/users/%d" % me.id, {"name": "Me Myself", "role": "admin"})
    assert r.status_code == 303
    assert sql("SELECT name FROM users WHERE id = %d" % me.id) == "Me Myself"


# --- passwords ------------------------------------------------------------------

PW_FIELDS = ("current_password", "new_password", "confirm_password")


def test_account_page_shows_email_role_and_the_password_form():
    u = new_user("clerk")
    c = signed_in(u)
    r = c.get("/account")
    assert r.status_code == 200
    assert u.email in r.text and "clerk" in r.text
    f = [(a, body) for a, body in forms(r.text) if a.get("action") == "/account/password"]
    assert len(f) == 1
    attrs, body = f[0]
    assert attrs.get("method", "").lower() == "post"
    for name in ("csrf",) + PW_FIELDS:
        assert input_attrs(body, name) is not None, name
    assert input_attrs(body, "csrf")["value"] == c.csrf


def _mixed(n):
    """n code points, most of them two bytes long in UTF-8."""
    rnd = random.Random(n)
    return "".join(rnd.choice("äöüßéñøåçłžЖЩ7Kq") for _ in range(n))


@pytest.mark.parametrize("case", [
    "wrong_current", "too_short", "too_short_in_code_points", "too_long",
    "common_1", "common_2", "mismatch"])
def test_password_change_errors_are_shown_at_their_field(case):
    u = new_user("viewer")
    c = signed_in(u)
    good = strong_password()
    new, cur, confirm, field = good, u.password, None, "new_password"
    if case == "wrong_current":
        cur, field = u.password + "x", "current_password"
    elif case == "too_short":
        new = "Sh0rt-pw-11"
    elif case == "too_short_in_code_points":
        new = _mixed(11)            # 11 code points, ~20 bytes
        assert len(new.encode()) >= 12
    elif case == "too_long":
        new = _mixed(129)
    elif case == "common_1":
        new = "password1234"
    elif case == "common_2":
        new = "qwertyuiop123"
    elif case == "mismatch":
        confirm, field = good + "x", "confirm_password"
    before = sql("SELECT password_hash FROM users WHERE id = %d" % u.id)
    r = c.post("/account/password", {"current_password": cur, "new_password": new,
                                     "confirm_password": confirm if confirm is not None else new})
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("text/html")
    assert field_error(r.text, field) != "", r.text
    for other in PW_FIELDS:
        if other != field:
            assert field_error(r.text, other) == "", (other, r.text)
    # Nothing changed; no password is echoed back.
    assert sql("SELECT password_hash FROM users WHERE id = %d" % u.id) == before
    assert c.get("/account").status_code == 200
    for s in (new, cur):
        assert 'value="%s"' % s not in r.text


def test_password_change_rotates_the_session_and_ends_the_others():
    u = new_user("viewer")
    c, other = signed_in(u), signed_in(u)
    old_sid = c.sid
    new = _mixed(128)               # the longest allowed, ~250 bytes
    r = c.post("/account/password", {"current_password": u.password, "new_password": new,
                                     "confirm_password": new})
    assert r.status_code == 303, (r.status_code, r.text[:500])
    assert location(r) == "/account"
    value, attrs = set_cookies(r)[SESSION_COOKIE]
    assert HEX64.match(value) and value != old_sid
    assert {"path", "secure", "httponly", "samesite"} <= set(attrs)
    assert c.get("/account").status_code == 200
    assert is_login_redirect(other.get("/account"))
    stale = Client(u)
    stale.cookies[SESSION_COOKIE] = old_sid
    assert is_login_redirect(stale.get("/account"))
    assert not session_row_exists(old_sid)
    assert user_sessions(u.id) == 1
    assert attempt(u.email, u.password).status_code == 401
    assert attempt(u.email, new).status_code == 303
    # The shortest allowed, counted in code points (12 of them, ~22 bytes).
    short = _mixed(12)
    r = c.post("/account/password", {"current_password": new, "new_password": short,
                                     "confirm_password": short})
    assert r.status_code == 303, r.text[:500]
    assert attempt(u.email, short).status_code == 303


def test_admin_reset_forces_a_change_and_ends_sessions():
    u = new_user("clerk")
    c = signed_in(u)
    a = admin()
    temp = strong_password()
    r = a.post("/admin/users/%d/password" % u.id, {"password": "password1234"})
    assert r.status_code == 422 and field_error(r.text, "password") != ""
    assert c.get("/account").status_code == 200          # nothing happened
    r = a.post("/admin/users/%d/password" % u.id, {"password": temp})
    assert r.status_code == 303 and location(r) == "/admin/users/%d" % u.id
    assert is_login_redirect(c.get("/account"))
    assert user_sessions(u.id) == 0
    assert attempt(u.email, u.password).status_code == 401
    c = Client(u)
    c.login(password=temp)
    # Every page but /account, /account/password and /logout sends the
    # user to /account until a new password is chosen.
    pages = sorted({rt["pattern"] for rt in routes()
                    if "GET" in rt["methods"] and not rt["public"] and not rt["api"]
                    and rt["pattern"] != "/account"})
    assert "/" in pages
    for p in pages:
        r = c.get(fill(p, default="1"))
        assert r.status_code == 303 and location(r) == "/account", (p, r.status_code, location(r))
    r = c.get("/account")
    assert r.status_code == 200
    # Forms too (with a valid CSRF token): nothing is done, off to /account.
    posts = sorted({rt["pattern"] for rt in routes()
                    if "POST" in rt["methods"] and not rt["public"] and not rt["api"]
                    and rt["pattern"] not in ("/account/password", "/logout")})
    assert "/admin/users" in posts
    n = sql("SELECT COUNT(*) FROM users")
    for p in posts:
        r = c.post(fill(p, default=str(u.id)), {"email": uniq_email("nope"), "name": "x",
                                                "role": "viewer", "password": strong_password()})
        assert r.status_code == 303 and location(r) == "/account", (p, r.status_code)
    assert sql("SELECT COUNT(*) FROM users") == n
    new = strong_password()
    r = c.post("/account/password", {"current_password": temp, "new_password": new,
                                     "confirm_password": new})
    assert r.status_code == 303 and location(r) == "/account"
    assert c.get("/").status_code == 200
    assert sql("SELECT must_change_password FROM users WHERE id = %d" % u.id) == "0"


def test_a_user_in_forced_change_can_sign_out():
    u = new_user("viewer")
    temp = strong_password()
    assert admin().post("/admin/users/%d/password" % u.id, {"password": temp}).status_code == 303
    c = Client(u)
    c.login(password=temp)
    c.refresh_csrf()
    sid = c.sid
    r = c.post("/logout")
    assert r.status_code == 303 and location(r) == "/login"
    assert not session_row_exists(sid)


def test_admin_creates_a_user_who_must_change_the_password():
    a = admin()
    email = uniq_email("made")
    pw = strong_password()
    r = a.post("/admin/users", {"email": email, "name": "Made Here", "role": "clerk",
                                "password": pw})
    assert r.status_code == 303, r.text[:800]
    m = re.fullmatch(r"/admin/users/([0-9]+)", location(r))
    assert m, location(r)
    uid = int(m.group(1))
    assert sql("SELECT CONCAT(email, ' ', role, ' ', disabled) FROM users WHERE id = %d"
               % uid) == "%s clerk 0" % email
    assert email in a.get("/admin/users").text
    page = a.get(location(r))
    assert page.status_code == 200 and email in page.text
    c = Client()
    r = c.login(email, pw)
    assert c.get("/").status_code == 303 and location(c.get("/")) == "/account"
    # Errors name their field.
    bad = [
        ({"email": email, "name": "", "role": "viewer", "password": strong_password()}, "email"),
        ({"email": email.upper(), "name": "", "role": "viewer", "password": strong_password()},
         "email"),
        ({"email": "not-an-email", "name": "", "role": "viewer",
          "password": strong_password()}, "email"),
        ({"email": uniq_email("made"), "name": "", "role": "root",
          "password": strong_password()}, "role"),
        ({"email": uniq_email("made"), "name": "", "role": "viewer",
          "password": "qwertyuiop123"}, "password"),
        ({"email": uniq_email("made"), "name": "", "role": "viewer", "password": "short"},
         "password"),
    ]
    n = sql("SELECT COUNT(*) FROM users")
    for data, field in bad:
        r = a.post("/admin/users", data)
        assert r.status_code == 422, (data, r.status_code)
        assert field_error(r.text, field) != "", (field, r.text)
        for other in ("email", "name", "role", "password"):
            if other != field:
                assert field_error(r.text, other) == "", (data, other)
    assert sql("SELECT COUNT(*) FROM users") == n


def test_create_user_cli_refuses_an_existing_email():
    u = new_user("viewer")
    p = cli("create-user", u.email, "viewer")
    assert p.returncode != 0
    assert p.stdout.strip() == ""
    p = cli("create-admin", u.email)
    assert p.returncode != 0
    p = cli("create-user", uniq_email("x"), "emperor")
    assert p.returncode != 0


def test_create_admin_makes_an_admin():
    email = uniq_email("cli-admin")
    p = cli("create-admin", email)
    assert p.returncode == 0, p.stderr
    pw = p.stdout.strip()
    assert len(pw) >= 12 and "\n" not in pw
    assert sql("SELECT role FROM users WHERE email = %s" % q(email)) == "admin"
    c = Client()
    c.login(email, pw)
    assert c.get("/admin/users").status_code == 200


# --- the directives -------------------------------------------------------------

DEFAULTS = {"session_idle_timeout": 1800, "session_absolute_timeout": 43200,
            "login_max_failures": 5, "login_lockout_seconds": 60,
            "login_addr_max_failures": 50, "login_addr_window": 900,
            "audit_retention_days": 365}


def test_account_directives_and_their_defaults():
    p = subprocess.run([BACKROOMD, "-T"], capture_output=True, text=True)
    assert p.returncode == 0
    for name, default in DEFAULTS.items():
        line = [ln for ln in p.stdout.splitlines() if ln.split()[:1] == [name]]
        assert len(line) == 1, name
        assert re.search(r"\b1\.\.[0-9]+\b", line[0]), line       # min 1
        assert re.search(r"default %d\b" % default, line[0]), line


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_account_directives_refuse_zero(name, tmp_path):
    bad = temp_conf(tmp_path, **{name: 0})
    p = subprocess.run([BACKROOMD, "-c", bad, "-t"], capture_output=True, text=True)
    assert p.returncode != 0
    # The README: -t names the line and the reason.
    with open(bad) as f:
        lineno = [i for i, ln in enumerate(f.read().splitlines(), 1)
                  if ln.split("=")[0].strip() == name]
    assert re.search(r"\b%d\b" % lineno[-1], p.stdout + p.stderr) or name in p.stdout + p.stderr
    good = temp_conf(tmp_path, **{name: 1})
    p = subprocess.run([BACKROOMD, "-c", good, "-t"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
