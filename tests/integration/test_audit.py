"""The audit trail: a row for every security event and account change,
tied to the response by its X-Request-Id and to the actor; no password,
token or session id in audit_log or in backroomd's log; the trail through
/admin/audit and GET /api/v1/audit with its filters and pages;
`backroomd audit-verify` passing on an intact chain and naming a row
changed or deleted by hand (each put back afterwards, so the chain verifies
again); `backroomd housekeeping` deleting expired sessions and pruning old
audit rows with the chain still verifying."""
import re
import uuid

import pytest

from conftest import CONF
from accounts_util import (Client, admin, api, assert_no_secrets, audit_for, audit_max_id,
                           audit_rows, audit_verify, clear_addr_throttle, cli, create_token,
                           db_date, new_user, raw_request, reconfigured, session_row_exists,
                           signed_in, sql, temp_conf, uniq_email)

ITEM_KEYS = {"id", "at", "actor_id", "actor_email", "action", "entity", "entity_id", "details",
             "client_addr", "request_id"}


@pytest.fixture(autouse=True)
def fresh_address():
    clear_addr_throttle()
    yield
    clear_addr_throttle()


def one(resp, action):
    """The single row of `action` written for this response."""
    rows = [r for r in audit_for(resp) if r["action"] == action]
    assert len(rows) == 1, (action, audit_for(resp))
    row = rows[0]
    assert row["request_id"] == resp.headers["X-Request-Id"]
    assert row["client_addr"], row
    return row


def row_text(row):
    return " ".join(str(row.get(k)) for k in ("action", "entity", "entity_id", "details"))


# --- a row for each event -------------------------------------------------------

def test_login_success_and_logout():
    u = new_user("viewer", "aud")
    c = Client(u)
    r = c.login()
    row = one(r, "login.success")
    assert row["actor_id"] == u.id
    assert row["entity"] == "user" and row["entity_id"] == str(u.id)
    sid = c.sid
    c.refresh_csrf()
    r = c.post("/logout")
    assert r.status_code == 303
    row = one(r, "logout")
    assert row["actor_id"] == u.id
    assert_no_secrets(u.password, sid)


def test_login_failure_names_the_email_not_the_password():
    u = new_user("viewer", "aud")
    wrong = "Wrong-" + uuid.uuid4().hex
    r = raw_request("POST", "/login", data={"email": u.email, "password": wrong})
    assert r.status_code == 401
    row = one(r, "login.failure")
    assert u.email in row_text(row)
    ghost = uniq_email("aud-ghost")
    r = raw_request("POST", "/login", data={"email": ghost, "password": wrong})
    assert r.status_code == 401
    row = one(r, "login.failure")
    assert ghost in row_text(row)
    assert row["actor_id"] is None
    assert_no_secrets(wrong, u.password)


def test_lockout_and_throttled_attempts():
    u = new_user("viewer", "aud")
    wrong = "Wrong-" + uuid.uuid4().hex
    resps = []
    for _ in range(101):        # login_max_failures is at most 100
        r = raw_request("POST", "/login", data={"email": u.email, "password": wrong})
        resps.append(r)
        if r.status_code == 429:
            break
    assert resps[-1].status_code == 429, [r.status_code for r in resps]
    with open(CONF) as f:
        if not re.search(r"^\s*login_max_failures\s*=", f.read(), re.M):
            assert len(resps) == 6, "default login_max_failures is 5"
    actions = [[x["action"] for x in audit_for(r)] for r in resps]
    flat = [a for acts in actions for a in acts]
    assert flat.count("login.lockout") == 1, actions
    for acts in actions[:-1]:       # each failed attempt, the locking one too
        assert acts and set(acts) <= {"login.failure", "login.lockout"}, actions
    assert "login.lockout" in actions[-2] + actions[-1], actions
    # The attempt refused while locked is recorded too.
    assert actions[-1] in (["login.throttled"], ["login.lockout"]), actions
    assert u.email in row_text(audit_for(resps[-1])[0])
    # Right password while locked: refused, recorded, no secret kept.
    r = raw_request("POST", "/login", data={"email": u.email, "password": u.password})
    assert r.status_code == 429
    assert [x["action"] for x in audit_for(r)] in (["login.throttled"], ["login.lockout"])
    assert_no_secrets(wrong, u.password)


def test_address_throttle_is_recorded():
    u = new_user("viewer", "aud")
    with reconfigured(login_addr_max_failures=2):
        clear_addr_throttle()
        for _ in range(3):
            raw_request("POST", "/login", data={"email": uniq_email("aud-addr"),
                                                "password": "Wrong-password-1"})
        r = raw_request("POST", "/login", data={"email": u.email, "password": u.password})
        clear_addr_throttle()
    assert r.status_code == 429
    one(r, "login.throttled")


def test_permission_denied_by_page_and_by_token():
    u = new_user("viewer", "aud")
    c = signed_in(u)
    r = c.get("/admin/users")
    assert r.status_code == 403
    row = one(r, "permission.denied")
    assert row["actor_id"] == u.id
    t = create_token(u.id, ("read", "write"))
    r = api("GET", "/api/v1/audit", t)
    assert r.status_code == 403
    row = one(r, "permission.denied")
    assert row["actor_id"] == u.id
    assert_no_secrets(t.value, c.sid, u.password)


def test_csrf_rejected():
    u = new_user("viewer", "aud")
    c = signed_in(u)
    r = c.post("/account/password", {"current_password": u.password}, csrf=False)
    assert r.status_code == 403
    row = one(r, "csrf.rejected")
    assert row["actor_id"] == u.id


def test_token_created_and_revoked():
    a = admin()
    u = new_user("clerk", "aud")
    t = create_token(u.id, ("read", "write"), by=a)
    row = one(t.response, "token.created")
    assert row["actor_id"] == a.user.id
    assert row["entity_id"] == str(t.id)
    r = a.post("/admin/tokens/%d/revoke" % t.id)
    assert r.status_code == 303
    row = one(r, "token.revoked")
    assert row["actor_id"] == a.user.id and row["entity_id"] == str(t.id)
    # By API, with the actor being the token's owner.
    t2 = create_token(u.id, ("read",), by=a)
    at = create_token(a.user.id, ("read", "write"), by=a)
    r = api("POST", "/api/v1/tokens/%d/revoke" % t2.id, at)
    assert r.status_code == 200
    row = one(r, "token.revoked")
    assert row["actor_id"] == a.user.id and row["entity_id"] == str(t2.id)
    assert_no_secrets(t.value, t2.value, at.value, a.sid)


def test_user_created_updated_and_password_reset():
    a = admin()
    email = uniq_email("aud-made")
    pw = "Initial-" + uuid.uuid4().hex[:12]
    r = a.post("/admin/users", {"email": email, "name": "Audited", "role": "viewer",
                                "password": pw})
    assert r.status_code == 303
    uid = int(r.headers["Location"].rsplit("/", 1)[1])
    row = one(r, "user.created")
    assert row["actor_id"] == a.user.id and row["entity_id"] == str(uid)
    assert email in row_text(row)
    r = a.post("/admin/users/%d" % uid, {"name": "Audited Too", "role": "clerk"})
    assert r.status_code == 303
    row = one(r, "user.updated")
    assert row["actor_id"] == a.user.id and row["entity_id"] == str(uid)
    assert "clerk" in row_text(row)
    reset = "Reset-" + uuid.uuid4().hex[:12]
    r = a.post("/admin/users/%d/password" % uid, {"password": reset})
    assert r.status_code == 303
    row = one(r, "user.password_reset")
    assert row["actor_id"] == a.user.id and row["entity_id"] == str(uid)
    assert_no_secrets(pw, reset)


def test_account_password_changed():
    u = new_user("viewer", "aud")
    c = signed_in(u)
    old_sid = c.sid
    new = "Changed-" + uuid.uuid4().hex[:12]
    r = c.post("/account/password", {"current_password": u.password, "new_password": new,
                                     "confirm_password": new})
    assert r.status_code == 303
    row = one(r, "account.password_changed")
    assert row["actor_id"] == u.id
    assert_no_secrets(u.password, new, old_sid, c.sid)


# --- reading the trail ------------------------------------------------------------

@pytest.fixture(scope="module")
def trail():
    """A viewer with a known little history: a sign-in, three denied
    pages, one failed sign-in."""
    u = new_user("viewer", "trail")
    c = signed_in(u)
    rids = {"login.success": [], "permission.denied": []}
    rids["login.success"] = [r["request_id"] for r in
                             audit_rows("action = 'login.success' AND actor_id = %d" % u.id)]
    for p in ("/admin/users", "/admin/tokens", "/admin/audit"):
        r = c.get(p)
        assert r.status_code == 403
        rids["permission.denied"].append(r.headers["X-Request-Id"])
    return u, c, rids


def test_audit_api_items_and_filters(trail):
    u, c, rids = trail
    tok = create_token(admin().user.id, ("read",))
    r = api("GET", "/api/v1/audit?actor=%s&limit=200" % u.email, tok)
    assert r.status_code == 200
    body = r.json()
    assert body["page"] == 1 and body["has_more"] is False
    items = body["items"]
    for it in items:
        assert set(it) == ITEM_KEYS, it
        assert it["actor_email"] == u.email and it["actor_id"] == u.id
        assert it["details"] is None or isinstance(it["details"], dict)
    got = {it["request_id"] for it in items}
    assert set(rids["permission.denied"]) | set(rids["login.success"]) <= got
    r = api("GET", "/api/v1/audit?actor=%s&action=permission.denied" % u.email, tok)
    items = r.json()["items"]
    assert sorted(it["request_id"] for it in items) == sorted(rids["permission.denied"])
    r = api("GET", "/api/v1/audit?actor=%s&entity=user" % u.email, tok)
    assert {it["entity"] for it in r.json()["items"]} == {"user"}
    assert rids["login.success"][0] in {it["request_id"] for it in r.json()["items"]}
    # Dates, inclusive, on the database's calendar.
    today, yesterday, tomorrow = db_date(0), db_date(-1), db_date(1)
    for frm, to, n in ((today, today, len(got)), ("", yesterday, 0), (tomorrow, "", 0),
                       (yesterday, tomorrow, len(got))):
        r = api("GET", "/api/v1/audit?actor=%s&from=%s&to=%s&limit=200" % (u.email, frm, to), tok)
        assert r.status_code == 200
        assert len(r.json()["items"]) == n, (frm, to)


def test_audit_api_pages(trail):
    u, c, rids = trail
    tok = create_token(admin().user.id, ("read",))
    seen = []
    page = 1
    while True:
        r = api("GET", "/api/v1/audit?actor=%s&limit=1&page=%d" % (u.email, page), tok)
        assert r.status_code == 200
        b = r.json()
        assert b["page"] == page and len(b["items"]) == 1
        seen.append(b["items"][0]["id"])
        if not b["has_more"]:
            break
        page += 1
        assert page < 50
    assert len(seen) == len(set(seen)) == 4
    r = api("GET", "/api/v1/audit?actor=%s&limit=1&page=%d" % (u.email, page + 1), tok)
    assert r.json()["items"] == [] and r.json()["has_more"] is False


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "page=0", "page=-1",
                                   "from=2024-13-01", "to=yesterday", "from=2024-1-1"])
def test_audit_api_refuses_bad_filters(query):
    tok = create_token(admin().user.id, ("read",))
    r = api("GET", "/api/v1/audit?" + query, tok)
    assert r.status_code in (400, 422), (query, r.status_code)
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_audit_api_limit_200_is_allowed():
    tok = create_token(admin().user.id, ("read",))
    r = api("GET", "/api/v1/audit?limit=200", tok)
    assert r.status_code == 200
    assert len(r.json()["items"]) <= 200


def tbody_rows(page):
    m = re.search(r"<tbody\b[^>]*>(.*?)</tbody>", page, re.S)
    assert m, page[:2000]
    return re.findall(r"<tr\b.*?</tr>", m.group(1), re.S)


def test_audit_page_filters_and_pages_of_50():
    u = new_user("viewer", "pages")
    c = signed_in(u)
    rids = []
    for _ in range(51):
        r = c.get("/admin/audit")
        assert r.status_code == 403
        rids.append(r.headers["X-Request-Id"])
    a = admin()
    base = "/admin/audit?actor=%s&action=permission.denied" % u.email
    r = a.get(base)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    rows = tbody_rows(r.text)
    assert len(rows) == 50, len(rows)
    assert all("permission.denied" in tr and u.email in tr for tr in rows)
    r2 = a.get(base + "&page=2")
    rows2 = tbody_rows(r2.text)
    assert len(rows2) == 1 and "permission.denied" in rows2[0]
    assert rows2[0] not in rows
    r3 = a.get(base + "&page=3")
    assert not [tr for tr in tbody_rows(r3.text) if "permission.denied" in tr]
    # The other filters narrow the same way.
    r = a.get("/admin/audit?actor=%s&entity=user" % u.email)
    assert not [tr for tr in tbody_rows(r.text) if "permission.denied" in tr]
    assert [tr for tr in tbody_rows(r.text) if "login.success" in tr]
    r = a.get("/admin/audit?actor=%s&to=%s" % (u.email, db_date(-1)))
    assert not [tr for tr in tbody_rows(r.text) if u.email in tr]
    r = a.get("/admin/audit?actor=%s&from=%s&to=%s&action=permission.denied"
              % (u.email, db_date(0), db_date(0)))
    assert len([tr for tr in tbody_rows(r.text) if u.email in tr]) == 50
    assert a.get("/admin/audit?from=not-a-date").status_code in (400, 422)


# --- audit-verify -------------------------------------------------------------------

def fresh_rows(n=3):
    """Writes n audit rows (failed sign-ins of a made-up email) and one
    more after them; returns the ids of the n."""
    email = uniq_email("chain")
    ids = []
    for i in range(n + 1):
        r = raw_request("POST", "/login", data={"email": email, "password": "Wrong-%d" % i})
        assert r.status_code == 401
        ids.append(audit_for(r)[0]["id"])
    return ids[:n]


def backup(where):
    name = "audit_bk_" + uuid.uuid4().hex[:10]
    sql("CREATE TABLE %s AS SELECT * FROM audit_log WHERE %s" % (name, where))
    return name


def test_verify_passes_on_the_intact_chain():
    fresh_rows(1)
    rc, out = audit_verify()
    assert rc == 0, out


@pytest.mark.parametrize("column,value", [
    ("details", "'{\"email\":\"someone-else@example.com\"}'"),
    ("action", "'login.success'"),
    ("actor_id", "1"),
    ("at", "at - INTERVAL 1 SECOND"),
    ("client_addr", "'10.9.8.7'"),
    ("request_id", "'0123456789abcdef0123456789abcdef'"),
])
def test_verify_names_a_row_changed_by_hand(column, value):
    rid = fresh_rows(1)[0]
    bk = backup("id = %d" % rid)
    try:
        sql("UPDATE audit_log SET %s = %s WHERE id = %d" % (column, value, rid))
        rc, out = audit_verify()
        assert rc != 0, out
        assert re.search(r"\b%d\b" % rid, out), out
    finally:
        sql("UPDATE audit_log a JOIN %s b ON b.id = a.id SET a.%s = b.%s"
            % (bk, column, column))
        sql("DROP TABLE %s" % bk)
    rc, out = audit_verify()
    assert rc == 0, out


def test_verify_names_a_row_deleted_from_the_middle():
    ids = fresh_rows(3)
    mid = ids[1]
    bk = backup("id = %d" % mid)
    try:
        sql("DELETE FROM audit_log WHERE id = %d" % mid)
        rc, out = audit_verify()
        assert rc != 0, out
        assert re.search(r"\b%d\b" % mid, out), out
    finally:
        sql("INSERT INTO audit_log SELECT * FROM %s" % bk)
        sql("DROP TABLE %s" % bk)
    rc, out = audit_verify()
    assert rc == 0, out


def test_verify_notices_rows_cut_from_the_end():
    fresh_rows(1)
    last = audit_max_id()
    bk = backup("id = %d" % last)
    try:
        sql("DELETE FROM audit_log WHERE id = %d" % last)
        rc, out = audit_verify()
        assert rc != 0, out
    finally:
        sql("INSERT INTO audit_log SELECT * FROM %s" % bk)
        sql("DROP TABLE %s" % bk)
    rc, out = audit_verify()
    assert rc == 0, out


# --- housekeeping --------------------------------------------------------------------

def test_housekeeping_deletes_expired_sessions():
    old, fresh = new_user("viewer", "hk"), new_user("viewer", "hk")
    a, b = signed_in(old), signed_in(fresh)
    sql("UPDATE sessions SET last_seen_at = NOW(6) - INTERVAL 2 DAY, "
        "created_at = NOW(6) - INTERVAL 2 DAY WHERE user_id = %d" % old.id)
    p = cli("housekeeping")
    assert p.returncode == 0, p.stderr
    assert not session_row_exists(a.sid)
    assert session_row_exists(b.sid)
    assert b.get("/account").status_code == 200


def test_housekeeping_prunes_old_audit_rows_and_the_chain_verifies(tmp_path):
    rc, out = audit_verify()
    assert rc == 0, out
    fresh_rows(1)
    first = int(sql("SELECT MIN(id) FROM audit_log"))
    old = (first, first + 2)
    assert sql("SELECT COUNT(*) FROM audit_log WHERE id BETWEEN %d AND %d" % old) == "3"
    bk = backup("id BETWEEN %d AND %d" % old)
    try:
        # Three rows at the start of the chain become 200 days old (the
        # running config keeps 365 days, so only the runs below prune).
        sql("UPDATE audit_log SET at = at - INTERVAL 200 DAY WHERE id BETWEEN %d AND %d" % old)
        top = audit_max_id()
        p = cli("housekeeping", conf=temp_conf(tmp_path, audit_retention_days=300))
        assert p.returncode == 0, p.stderr
        assert sql("SELECT COUNT(*) FROM audit_log WHERE id BETWEEN %d AND %d" % old) == "3"
        p = cli("housekeeping", conf=temp_conf(tmp_path, audit_retention_days=100))
        assert p.returncode == 0, p.stderr
        assert sql("SELECT COUNT(*) FROM audit_log WHERE id BETWEEN %d AND %d" % old) == "0"
        assert sql("SELECT COUNT(*) FROM audit_log WHERE id = %d" % (old[1] + 1)) == "1"
        assert [r["action"] for r in audit_rows("id > %d" % top)] == ["audit.pruned"]
    finally:
        # Put the dates back if the rows are still there (a failed run).
        sql("UPDATE audit_log a JOIN %s b ON b.id = a.id SET a.at = b.at" % bk)
        sql("DROP TABLE %s" % bk)
    rc, out = audit_verify()
    assert rc == 0, out
