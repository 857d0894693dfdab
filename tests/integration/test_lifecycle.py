"""The process manager beyond test_process.py: a worker killed in the middle
of a request (what the client gets, what the log and the scoreboard say),
a reload that waits for the request in flight and really applies the new
config, more clients than workers all answered (no starvation), an idle
pool that stops at once on SIGTERM, and workers that do not outlive a
killed master.  Tests that stop backroomd start the stack again."""
import concurrent.futures
import os
import re
import signal
import threading
import time

import requests

from conftest import (BASE, CERT, CONF, PREFIX, get, log_since, log_size, master_pid,
                      pid_alive, stack_start, status, wait_until, worker_pids)
from test_basics import assert_security_headers


def request(method, path, **kw):
    """get() or a POST from the site's origin (debug routes need no
    session)."""
    if method == "GET":
        return get(path, **kw)
    return requests.post(BASE + path, verify=CERT, headers={
        "Origin": BASE.rstrip("/")}, **kw)


def busy_slot(uri, timeout=3.0):
    """The scoreboard entry of the worker serving uri, once it is busy."""
    found = {}

    def look():
        for w in status()["workers"]:
            if w["state"] == "busy" and w.get("uri") == uri:
                found.update(w)
                return True
        return False
    assert wait_until(look, timeout=timeout, step=0.05), status()
    return found


def in_thread(fn):
    box = {}

    def run():
        t0 = time.monotonic()
        try:
            box["r"] = fn()
        except Exception as e:          # reported by the test
            box["e"] = e
        box["took"] = time.monotonic() - t0
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, box


def gone(pid):
    """Exited (a zombie not yet reaped by its new parent counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def generation():
    return max(w["generation"] for w in status()["workers"])


def kill_mid_request(method, uri):
    off = log_size()
    t, box = in_thread(lambda: request(method, uri, timeout=15))
    w = busy_slot(uri)
    assert w["method"] == method
    assert re.fullmatch(r"[0-9a-f]{32}", w["request_id"])
    assert 0 <= w["request_ms"] < 3000
    os.kill(w["pid"], signal.SIGKILL)
    t.join(15)
    assert "e" not in box, box
    return box, w, off


def test_worker_killed_mid_request(healthy_pool):
    """A POST whose worker dies is a 502 (nginx never re-sends one)."""
    uri = "/debug/sleep?ms=3000"
    box, w, off = kill_mid_request("POST", uri)
    r = box["r"]
    assert r.status_code == 502            # nginx: upstream closed early
    assert box["took"] < 2.5               # ended by the kill, not the sleep
    assert_security_headers(r, "502")
    assert wait_until(lambda: w["pid"] not in worker_pids() and
                      len(worker_pids()) == healthy_pool)
    text = log_since(off)
    assert "worker %d killed by signal 9 while serving POST %s [%s]" % (
        w["pid"], uri, w["request_id"]) in text, text
    assert "request_timeout" not in text   # the master did not do this
    for _ in range(10):
        assert get("/healthz").status_code == 200


def test_get_killed_early_is_sent_once_more(healthy_pool):
    """On a kept FastCGI connection nginx gives a request whose worker
    died one more try, but only within fastcgi_next_upstream_timeout (3 s):
    a GET killed early runs again on another worker and is answered."""
    uri = "/debug/sleep?ms=1500"
    box, w, off = kill_mid_request("GET", uri)
    assert box["r"].status_code == 200, box["r"].text
    assert box["took"] >= 1.5
    text = log_since(off)
    assert "worker %d killed by signal 9 while serving GET %s [%s]" % (
        w["pid"], uri, w["request_id"]) in text, text
    assert wait_until(lambda: len(worker_pids()) == healthy_pool)


def test_reload_waits_for_the_request_in_flight(healthy_pool):
    uri = "/debug/sleep?ms=3000"            # under request_timeout = 4
    gen0 = generation()
    off = log_size()
    t, box = in_thread(lambda: get(uri, timeout=15))
    old = busy_slot(uri)
    assert old["generation"] == gen0
    os.kill(master_pid(), signal.SIGHUP)
    # New workers serve at once while the old one is still busy.
    assert wait_until(lambda: len(worker_pids(gen0 + 1)) == healthy_pool,
                      timeout=3)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.5:
        assert get("/healthz").status_code == 200
    assert pid_alive(old["pid"])           # still finishing its request
    t.join(15)
    assert "e" not in box, box
    assert box["r"].status_code == 200 and box["r"].text == "slept\n"
    assert wait_until(lambda: old["pid"] not in worker_pids(), timeout=3)
    assert all(w["generation"] == gen0 + 1 for w in status()["workers"])
    text = log_since(off)
    assert "reloaded: generation %d" % (gen0 + 1) in text
    assert "worker %d killed" % old["pid"] not in text
    assert "worker %d exited" % old["pid"] not in text


def test_reload_applies_the_new_config(healthy_pool):
    with open(CONF) as f:
        good = f.read()
    assert re.search(r"^workers\s*=", good, re.M)
    gen0 = generation()
    try:
        with open(CONF, "w") as f:
            f.write(re.sub(r"^workers\s*=.*$", "workers = 6", good,
                           flags=re.M))
        os.kill(master_pid(), signal.SIGHUP)
        assert wait_until(lambda: status()["configured_workers"] == 6 and
                          len(worker_pids()) == 6 and
                          len(worker_pids(gen0 + 1)) == 6, timeout=10), \
            status()
    finally:
        with open(CONF, "w") as f:
            f.write(good)
        os.kill(master_pid(), signal.SIGHUP)
    assert wait_until(lambda: status()["configured_workers"] == healthy_pool
                      and len(worker_pids(gen0 + 2)) == healthy_pool and
                      len(worker_pids()) == healthy_pool, timeout=10), status()


def test_more_clients_than_workers_are_all_answered(healthy_pool):
    """One FastCGI connection per request: 24 clients on 4 workers queue
    and are all served, one request per worker at a time."""
    clients, ms = 24, 250
    busy0 = status()["all_busy"]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        rs = list(ex.map(lambda _: get("/debug/sleep?ms=%d" % ms, timeout=20),
                         range(clients)))
    took = time.monotonic() - t0
    assert [r.status_code for r in rs] == [200] * clients
    # Never more than one request per worker at a time ...
    assert took >= 0.9 * clients / healthy_pool * ms / 1000, took
    # ... and no client left waiting behind the others.
    assert took < 3 * clients / healthy_pool * ms / 1000 + 2, took
    assert status()["all_busy"] > busy0


def master_running():
    try:
        return not gone(master_pid())
    except (OSError, ValueError):
        return False


def restart_after(fn, leftovers=()):
    """Runs fn (which stops backroomd) and always brings the stack back;
    processes of the old pool still running afterwards (leftovers) are
    killed first so that they cannot answer for the new one."""
    try:
        fn()
    finally:
        for p in leftovers:
            if not gone(p):
                os.kill(p, signal.SIGKILL)
        if not master_running():
            stack_start()
        assert wait_until(lambda: get("/healthz").status_code == 200,
                          timeout=15)


def test_sigterm_on_an_idle_pool_stops_at_once(healthy_pool):
    sock = os.path.join(PREFIX, "backroomd.sock")
    pids = worker_pids()
    pid = master_pid()
    off = log_size()

    def stop():
        t0 = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        # shutdown_timeout is 10 s: idle workers must not wait for it.
        assert wait_until(lambda: gone(pid), timeout=5, step=0.05)
        assert time.monotonic() - t0 < 2.0
        assert all(gone(p) for p in pids)
        text = log_since(off)
        assert "stopped" in text
        assert "shutdown_timeout" not in text
        assert "killed by signal" not in text
        assert not os.path.exists(os.path.join(PREFIX, "backroomd.pid"))
        if re.search(r"^listen\s*=\s*/", open(CONF).read(), re.M):
            assert not os.path.exists(sock)
    restart_after(stop, leftovers=pids)
    assert wait_until(lambda: len(worker_pids()) == healthy_pool)


def test_workers_do_not_outlive_a_killed_master(healthy_pool):
    pids = worker_pids()
    pid = master_pid()

    def kill():
        os.kill(pid, signal.SIGKILL)
        assert wait_until(lambda: gone(pid), timeout=5)
        # "Exit with the master, whatever killed it" (PR_SET_PDEATHSIG):
        # idle orphans must stop, or they keep their database connections
        # and keep serving on the old socket.
        assert wait_until(lambda: all(gone(p) for p in pids),
                          timeout=5), [p for p in pids if not gone(p)]
    restart_after(kill, leftovers=pids)
    assert wait_until(lambda: len(worker_pids()) == healthy_pool)
    assert not set(worker_pids()) & set(pids)
