"""Sign-in throttling holds under concurrency: an attempt is counted under
the throttle row's lock before the password is checked, so twenty parallel
guesses for one email get at most login_max_failures (5) real checks; the
rest are refused with 429 while argon2 is still running for the first."""
import concurrent.futures
import uuid

import requests

from accounts_util import sql
from conftest import BASE, CERT, create_user


def attempt(email):
    s = requests.Session()
    s.trust_env = False
    return s.post(BASE + "/login", data={"email": email, "password": "wrong-" * 3},
                  headers={"Origin": BASE}, verify=CERT, timeout=30, allow_redirects=False).status_code


def test_parallel_guesses_are_capped():
    email = "race-%s@example.com" % uuid.uuid4().hex[:10]
    create_user(email, "viewer")
    sql("DELETE FROM login_throttle WHERE kind = 'addr'")
    try:
        with concurrent.futures.ThreadPoolExecutor(20) as ex:
            codes = list(ex.map(lambda _: attempt(email), range(20)))
        assert set(codes) <= {401, 429}, codes
        assert codes.count(401) <= 5, codes
        assert codes.count(429) >= 15, codes
        uid = sql("SELECT id FROM users WHERE email = '%s'" % email)
        failures = sql("SELECT COUNT(*) FROM audit_log WHERE action = "
                       "'login.failure' AND actor_id = %s" % uid)
        assert int(failures) == codes.count(401)
    finally:
        sql("DELETE FROM login_throttle WHERE kind = 'addr'")
