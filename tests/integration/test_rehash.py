"""Passwords stored with older argon2 parameters are rehashed with the
current ones (m = 19 MiB, t = 2, p = 1) at the next successful sign-in,
and the sign-in is audited as such; a failed sign-in changes nothing."""
import subprocess
import uuid

from accounts_util import sql
from conftest import BASE, create_user, login_cookies, post


def old_hash(password):
    p = subprocess.run(["argon2", "saltsaltsalt16by", "-id", "-t", "1", "-k", "4096",
                        "-p", "1", "-e"], input=password, capture_output=True,
                       text=True, check=True)
    return p.stdout.strip()


def test_old_parameters_are_rehashed_at_sign_in():
    email = "rehash-%s@example.com" % uuid.uuid4().hex[:10]
    pw = create_user(email, "viewer")
    h = old_hash(pw)
    assert h.startswith("$argon2id$v=19$m=4096,t=1,p=1$")
    sql("UPDATE users SET password_hash = '%s' WHERE email = '%s'" % (h, email))

    # A wrong password does not touch the stored hash.
    r = post("/login", data={"email": email, "password": pw + "x"},
             headers={"Origin": BASE},
             allow_redirects=False)
    assert r.status_code == 401
    assert sql("SELECT password_hash FROM users WHERE email = '%s'" % email) == h

    login_cookies(email, pw)                       # old hash still verifies
    new = sql("SELECT password_hash FROM users WHERE email = '%s'" % email)
    assert new.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), new
    assert new != h
    details = sql("SELECT details FROM audit_log WHERE action = 'login.success' "
                  "AND actor_id = (SELECT id FROM users WHERE email = '%s') "
                  "ORDER BY id DESC LIMIT 1" % email)
    assert '"rehashed":true' in details

    login_cookies(email, pw)                       # and the new one too
    assert sql("SELECT password_hash FROM users WHERE email = '%s'" % email) == new
