"""The one-time form token on the account forms (/admin/users, a user's
page, /admin/tokens, /account): every form that changes data carries one;
a form submitted twice -- one after the other or at the same moment --
applies once and the second submission is sent back to the page with a
notice; a refused form (422) does not use its token up; a form without its
token is refused (400) with nothing changed."""
import concurrent.futures
import re
import secrets

from accounts_util import (HEX64, Client, admin, audit_rows, forms, location, new_user, q,
                           set_cookies, signed_in, sql, uniq_email)

NOTICE = "That form was submitted twice"


def fresh_token():
    return secrets.token_hex(32)


def flash_of(resp):
    return set_cookies(resp).get("__Host-br_flash", (None, {}))[0]


def tokens_named(name):
    return int(sql("SELECT COUNT(*) FROM api_tokens WHERE name = %s" % q(name)))


def test_every_account_form_that_changes_data_carries_a_form_token():
    a = admin()
    u = new_user("viewer", "ftok")
    seen = 0
    for path in ("/admin/users", "/admin/users/%d" % u.id, "/admin/tokens", "/account"):
        r = a.get(path)
        assert r.status_code == 200, path
        for attrs, body in forms(r.text):
            if attrs.get("method", "get").lower() != "post":
                continue
            action = attrs.get("action", "")
            if action == "/logout" or action.endswith("/revoke"):
                continue            # no change to repeat: both are idempotent
            m = re.search(r'<input[^>]*name="form_token"[^>]*value="([^"]*)"', body)
            assert m and HEX64.match(m.group(1)), (path, action)
            seen += 1
    assert seen == 5          # users: create; user: save, reset; tokens: create; account


def test_token_form_submitted_twice_creates_one_token_and_says_so():
    a = admin()
    u = new_user("clerk", "ftok")
    name = "twice-" + fresh_token()[:8]
    form = {"user_id": str(u.id), "name": name, "scopes": "read", "expires_days": "",
            "form_token": fresh_token()}
    first = a.post("/admin/tokens", form)
    assert first.status_code == 201 and "brt_" in first.text
    second = a.post("/admin/tokens", form)
    assert second.status_code == 303 and location(second) == "/admin/tokens"
    assert flash_of(second) == "token_already_created"
    assert "brt_" not in second.text
    page = a.get("/admin/tokens")
    assert NOTICE in page.text and "revoke it and create another" in page.text
    assert tokens_named(name) == 1
    created = [r for r in audit_rows("action = 'token.created'")
               if name in (r.get("details") or "")]
    assert len(created) == 1


def test_user_form_submitted_at_once_by_eight_clients_creates_one_user():
    a = admin()
    email = uniq_email("ftok-race")
    form = {"email": email, "name": "Race", "role": "viewer",
            "password": "Correct-Horse-" + fresh_token()[:12], "form_token": fresh_token(),
            "csrf": a.refresh_csrf()}

    def submit(_):
        c = Client(a.user)
        c.cookies = dict(a.cookies)
        return c.request("POST", "/admin/users", data=form)

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(submit, range(8)))
    assert [r.status_code for r in rs] == [303] * 8
    made = [r for r in rs if re.fullmatch(r"/admin/users/[0-9]+", location(r))]
    again = [r for r in rs if location(r) == "/admin/users"]
    assert len(made) == 1 and len(again) == 7, [location(r) for r in rs]
    assert all(flash_of(r) == "already_submitted" for r in again)
    assert flash_of(made[0]) == "user_created"
    assert int(sql("SELECT COUNT(*) FROM users WHERE email = %s" % q(email))) == 1
    assert len(audit_rows("action = 'user.created' AND details LIKE %s"
                          % q("%" + email + "%"))) == 1


def test_password_reset_submitted_twice_applies_once():
    a = admin()
    u = new_user("viewer", "ftok")
    form = {"password": "Reset-Once-" + fresh_token()[:14], "form_token": fresh_token()}
    r1 = a.post("/admin/users/%d/password" % u.id, form)
    assert r1.status_code == 303 and flash_of(r1) == "password_reset"
    r2 = a.post("/admin/users/%d/password" % u.id, form)
    assert r2.status_code == 303 and location(r2) == "/admin/users/%d" % u.id
    assert flash_of(r2) == "already_submitted"
    assert len(audit_rows("action = 'user.password_reset' AND entity_id = '%d'" % u.id)) == 1


def test_refused_form_keeps_its_token_for_the_corrected_submission():
    a = admin()
    u = new_user("clerk", "ftok")
    name = "fixed-" + fresh_token()[:8]
    tok = fresh_token()
    bad = a.post("/admin/tokens", {"user_id": str(u.id), "name": name, "expires_days": "",
                                   "form_token": tok})           # no scope chosen
    assert bad.status_code == 422 and tokens_named(name) == 0
    good = a.post("/admin/tokens", {"user_id": str(u.id), "name": name, "scopes": "write",
                                    "expires_days": "", "form_token": tok})
    assert good.status_code == 201 and tokens_named(name) == 1


def test_account_form_without_its_token_is_refused_and_changes_nothing():
    a = admin()
    email = uniq_email("ftok-none")
    n = int(sql("SELECT COUNT(*) FROM users"))
    r = a.request("POST", "/admin/users", data={
        "csrf": a.refresh_csrf(), "email": email, "name": "No token",
        "role": "viewer", "password": "Correct-Horse-" + fresh_token()[:12]})
    assert r.status_code == 400 and "one-time" in r.text
    assert int(sql("SELECT COUNT(*) FROM users")) == n

    u = new_user("viewer", "ftok-pw")
    c = signed_in(u)
    before = sql("SELECT password_hash FROM users WHERE id = %d" % u.id)
    new = "Changed-" + fresh_token()[:16]
    r = c.request("POST", "/account/password", data={
        "csrf": c.csrf, "current_password": u.password, "new_password": new,
        "confirm_password": new})
    assert r.status_code == 400
    assert sql("SELECT password_hash FROM users WHERE id = %d" % u.id) == before
