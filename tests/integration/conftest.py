"""Shared fixtures for the integration suites: where the stack is, an
HTTPS session that trusts the stack's self-signed certificate, and helpers
to read the scoreboard and the backroomd log."""
import os
import subprocess
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PREFIX = os.path.abspath(os.path.join(ROOT, os.environ.get("BR_PREFIX", "var/test")))
BASE = os.environ.get("BR_BASE_URL", "https://127.0.0.1:9443")
HTTP_URL = os.environ.get("BR_HTTP_URL", "http://127.0.0.1:9080")
CERT = os.path.abspath(os.path.join(ROOT, os.environ.get("BR_CERT", PREFIX + "/tls/cert.pem")))
BACKROOMD = os.path.join(ROOT, os.environ.get("BACKROOMD", "build/backroomd"))
CONF = os.path.join(PREFIX, "backroomd.conf")
LOG = os.path.join(PREFIX, "backroomd.log")


def get(path, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("verify", CERT)
    return requests.get(BASE + path, **kw)


def post(path, **kw):
    kw.setdefault("timeout", 10)
    kw.setdefault("verify", CERT)
    return requests.post(BASE + path, **kw)


_ADMIN = {}


def create_user(email, role):
    """A user made with `backroomd create-user`; returns its password."""
    p = subprocess.run([BACKROOMD, "-c", CONF, "create-user", email, role],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def login_cookies(email, password):
    r = requests.post(BASE + "/login", data={"email": email, "password": password},
                      headers={"Origin": BASE}, verify=CERT, timeout=10,
                      allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return {"__Host-br_session": r.cookies["__Host-br_session"]}


def admin_cookies():
    """A signed-in admin's session cookie for tests of pages behind the
    login; signs in again if a test ended the session."""
    if _ADMIN:
        r = requests.get(BASE + "/account", cookies=_ADMIN["cookies"],
                         verify=CERT, timeout=10, allow_redirects=False)
        if r.status_code == 200:
            return _ADMIN["cookies"]
    else:
        _ADMIN["email"] = "kit-admin-%d@example.com" % (time.time_ns() % 10**12)
        _ADMIN["password"] = create_user(_ADMIN["email"], "admin")
    _ADMIN["cookies"] = login_cookies(_ADMIN["email"], _ADMIN["password"])
    return _ADMIN["cookies"]


def status():
    r = get("/status")
    assert r.status_code == 200, r.text
    return r.json()


def worker_pids(generation=None):
    ws = status()["workers"]
    return sorted(w["pid"] for w in ws
                  if generation is None or w["generation"] == generation)


def master_pid():
    with open(os.path.join(PREFIX, "backroomd.pid")) as f:
        return int(f.read())


def log_size():
    return os.path.getsize(LOG)


def log_since(offset):
    with open(LOG, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def wait_until(pred, timeout=10.0, step=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if pred():
                return True
        except (requests.RequestException, OSError, ValueError):
            pass
        time.sleep(step)
    return False


def stack_start():
    subprocess.run(["sh", os.path.join(ROOT, "tests/stack.sh"), "start", PREFIX],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture
def healthy_pool():
    """Waits for the full pool before and after a test that disturbs it."""
    n = int(status()["configured_workers"])
    assert wait_until(lambda: len(worker_pids()) == n and
                      all(w["state"] in ("idle", "busy", "reading") for w in status()["workers"]))
    yield n
    assert wait_until(lambda: len(worker_pids()) == n, timeout=15)
