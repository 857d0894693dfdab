"""The process manager: respawn after SIGKILL, request_timeout, recycling
after max_requests, SIGHUP reload under load with zero failed requests,
an invalid reload refused, and a graceful SIGTERM (last: it restarts the
stack)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import (CONF, PREFIX, admin_cookies, BACKROOMD as BACKROOMD_BIN, get, log_since, log_size, master_pid, pid_alive,
                      stack_start, status, wait_until, worker_pids, BASE)


def test_killed_worker_is_replaced(healthy_pool):
    before = worker_pids()
    victim = before[0]
    off = log_size()
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: victim not in worker_pids() and
                      len(worker_pids()) == healthy_pool)
    for _ in range(20):
        assert get("/healthz").status_code == 200
    assert "worker %d killed by signal 9" % victim in log_since(off)


def test_request_timeout_kills_and_logs(healthy_pool):
    off = log_size()
    t0 = time.monotonic()
    r = get("/debug/sleep?ms=8000", timeout=15)
    took = time.monotonic() - t0
    assert r.status_code in (502, 504)
    assert took < 7.5, took          # request_timeout = 4 in the test config
    text = log_since(off)
    assert re.search(r"request_timeout: killing worker \d+ after \d+ ms "
                     r"serving GET /debug/sleep\?ms=8000", text), text
    # The master reaps the worker just after nginx got its 502/504: the
    # line may land a few milliseconds after the answer (it raced).
    assert wait_until(lambda: re.search(
        r"worker \d+ reaped after the request_timeout kill", log_since(off)))
    text = log_since(off)
    assert "killed by signal 9 while serving" not in text   # logged once
    assert get("/healthz").status_code == 200


def test_sigusr1_reopens_log_in_workers_too(healthy_pool):
    """logrotate: rename the log, SIGUSR1; requests after it are logged by
    workers into the new file, and no request fails meanwhile."""
    from conftest import LOG
    rotated = LOG + ".1"
    old = worker_pids()
    os.rename(LOG, rotated)
    try:
        os.kill(master_pid(), signal.SIGUSR1)
        assert wait_until(lambda: os.path.exists(LOG))
        assert wait_until(lambda: not set(worker_pids()) & set(old), timeout=15)
        slow = get("/debug/sleep?ms=1100", timeout=10)   # slow_request_ms logs it
        assert slow.status_code == 200
        assert wait_until(lambda: "slow request: GET /debug/sleep" in log_since(0))
    finally:
        if os.path.exists(rotated):
            with open(rotated, "rb") as f, open(LOG + ".keep", "wb") as g:
                g.write(f.read())
            os.remove(rotated)


def test_stalled_fastcgi_peer_is_killed(healthy_pool):
    """A local client that connects to the FastCGI socket and sends half a
    record must not wedge a worker: the watchdog times the read."""
    off = log_size()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(PREFIX, "backroomd.sock"))
    s.sendall(b"\x01\x01\x00\x01\x00\x08")   # half a BEGIN_REQUEST header
    try:
        assert wait_until(lambda: "(reading request)" in log_since(off),
                          timeout=10)
        assert re.search(r"request_timeout: killing worker \d+ after \d+ ms "
                         r"serving - \(reading request\)", log_since(off))
    finally:
        s.close()
    assert wait_until(lambda: len(worker_pids()) == healthy_pool)
    assert get("/healthz").status_code == 200


def test_max_requests_recycles_workers(healthy_pool):
    off = log_size()
    before = set(worker_pids())
    # max_requests = 300, no jitter: 4 workers x 300 < 1400 requests.
    for _ in range(1400):
        assert get("/healthz").status_code == 200
    assert wait_until(lambda: "recycling after 300 requests" in log_since(off))
    after = set(worker_pids())
    assert after - before, "no new worker pid after recycling"
    assert len(after) == healthy_pool


def run_wrk(seconds, path="/healthz", conns=16):
    wrk = shutil.which("wrk")
    assert wrk, "wrk is installed by make deps"
    # Signed in: "/" then reads the session and the page from the database.
    cookie = "; ".join("%s=%s" % kv for kv in admin_cookies().items())
    return subprocess.Popen([wrk, "-t2", "-c%d" % conns, "-d%ds" % seconds,
                             "--timeout", "5s", "-H", "Cookie: " + cookie,
                             BASE + path],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def parse_wrk(out):
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockerr = re.search(r"Socket errors: (.*)", out)
    return reqs, rps, int(non2xx.group(1)) if non2xx else 0, sockerr


@pytest.mark.parametrize("path", ["/healthz", "/account"])
def test_reload_under_load_drops_nothing(healthy_pool, path):
    gen0 = max(w["generation"] for w in status()["workers"])
    off = log_size()
    p = run_wrk(6, path)
    time.sleep(1.5)
    os.kill(master_pid(), signal.SIGHUP)
    time.sleep(2)
    os.kill(master_pid(), signal.SIGHUP)
    out, _ = p.communicate(timeout=30)
    reqs, rps, non2xx, sockerr = parse_wrk(out)
    assert non2xx == 0, out
    assert sockerr is None, out
    assert rps > 300, out
    assert log_since(off).count("reloaded: generation") == 2
    assert wait_until(lambda: min(w["generation"] for w in
                                  status()["workers"]) == gen0 + 2)


def test_invalid_reload_is_refused(healthy_pool):
    gen0 = max(w["generation"] for w in status()["workers"])
    with open(CONF) as f:
        good = f.read()
    off = log_size()
    try:
        with open(CONF, "a") as f:
            f.write("workers = 0\n")
        os.kill(master_pid(), signal.SIGHUP)
        assert wait_until(lambda: "reload refused" in log_since(off))
    finally:
        with open(CONF, "w") as f:
            f.write(good)
    assert get("/healthz").status_code == 200
    # No new generation: the running workers were kept (pids may change
    # only through max_requests recycling, which keeps the generation).
    assert {w["generation"] for w in status()["workers"]} == {gen0}
    assert "backroomd.conf:" in log_since(off)


def test_sigterm_lets_inflight_request_finish():
    pid = master_pid()
    result = {}

    def slow():
        result["r"] = get("/debug/sleep?ms=2000", timeout=15)

    t = threading.Thread(target=slow)
    t.start()
    assert wait_until(lambda: status()["active_workers"] >= 2, timeout=3)
    off = log_size()
    os.kill(pid, signal.SIGTERM)
    t.join(15)
    assert result["r"].status_code == 200
    assert result["r"].text == "slept\n"
    assert wait_until(lambda: not pid_alive(pid), timeout=15)
    assert "stopped" in log_since(off)
    stack_start()
    assert get("/healthz").status_code == 200


def test_crash_loop_backs_off(tmp_path):
    """Workers that die at once (unknown user) are respawned with a growing
    delay, not in a tight loop; the master still stops cleanly."""
    if os.geteuid() != 0:
        pytest.skip("needs root to test privilege drop")
    text = open(CONF).read()
    keep = [l for l in text.splitlines()
            if not l.startswith(("listen", "pid_file", "log_file", "user",
                                 "group"))]
    log = tmp_path / "crash.log"
    keep += ["listen = 127.0.0.1:19777", "user = no-such-user-br",
             "log_file = %s" % log]
    conf = tmp_path / "crash.conf"
    conf.write_text("\n".join(keep) + "\n")
    p = subprocess.Popen([BACKROOMD_BIN, "-c", str(conf)])
    try:
        time.sleep(4)
        text = log.read_text()
        deaths = text.count("exited with status 1")
        assert "crash loop" in text
        # Without backoff 4 workers would die thousands of times in 4 s.
        assert 4 <= deaths <= 20, deaths
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=15) == 0
