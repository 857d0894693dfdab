"""Findings of the hardening review (issue 13), each with the request that
reproduced it against a running stack."""
import os
import signal
import subprocess
import time

import pytest

from conftest import (BACKROOMD, CONF, PREFIX, admin_cookies, get, log_since,
                      log_size, master_pid, pid_alive, stack_start, wait_until,
                      worker_pids)
from inventory_util import mgr, sql_int
from test_db_reconnect import mysqld_pid

MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_json_of_many_values_costs_no_memory():
    """1 MiB of '[{},{},...]' made json-c allocate ~270 MB in the worker,
    which it kept after the 400; the pre-scan now refuses it first."""
    body = ("[" + "{}," * (MIB // 3 - 1) + "{}]").encode()
    assert len(body) <= MIB
    nested = ('{"a":[' + "1," * (MIB // 2 - 10) + "1]}").encode()
    c = mgr()
    for _ in range(2 * len(worker_pids())):
        r = c.post("/movements", data=body, headers=JSON)
        assert r.status_code == 413, (r.status_code, r.text[:200])
        assert "too many values" in r.json()["detail"]
        r = c.post("/movements", data=nested, headers=JSON)
        assert r.status_code == 413, (r.status_code, r.text[:200])
    for pid in worker_pids():
        assert rss_kib(pid) < 96 * 1024, (pid, rss_kib(pid))


def test_json_top_level_must_be_an_object():
    c = mgr()
    for text in (b"[]", b"[1,2]", b"12", b'"x"', b"true"):
        r = c.post("/movements", data=text, headers=JSON)
        assert r.status_code == 400, (text, r.status_code)
        assert r.json()["detail"] == "The JSON body must be an object."


def _conf_without(tmp_path, drop, extra):
    text = open(CONF).read()
    keep = [l for l in text.splitlines() if not l.startswith(drop)]
    conf = tmp_path / "h.conf"
    conf.write_text("\n".join(keep + extra) + "\n")
    return conf


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_root_without_user_is_refused(tmp_path):
    """Started as root with no `user`, the workers served as root,
    silently; now the master refuses to start."""
    conf = _conf_without(tmp_path, ("listen", "pid_file", "log_file", "user",
                                    "group"),
                         ["listen = %s" % (tmp_path / "h.sock"),
                          "pid_file = %s" % (tmp_path / "h.pid"),
                          "log_file = %s" % (tmp_path / "h.log")])
    p = subprocess.run([BACKROOMD, "-c", str(conf)], capture_output=True,
                       text=True, timeout=20)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "without `user`" in p.stderr
    assert not (tmp_path / "h.sock").exists()


def test_no_core_files():
    """A core of the master or a worker would hold the database password:
    RLIMIT_CORE is 0 for all of them, and workers are not dumpable (their
    /proc files then belong to root whatever user they run as)."""
    for pid in [master_pid()] + worker_pids():
        with open("/proc/%d/limits" % pid) as f:
            line = [l for l in f if l.startswith("Max core file size")][0]
        assert line.split()[4:6] == ["0", "0"], line
    for pid in worker_pids():
        assert os.stat("/proc/%d/environ" % pid).st_uid == 0


def _connections():
    return sql_int("SELECT VARIABLE_VALUE FROM information_schema."
                   "GLOBAL_STATUS WHERE VARIABLE_NAME = 'CONNECTIONS'")


def test_readyz_does_not_open_a_connection_per_hit():
    """/readyz is public; each hit opened a new MariaDB connection.  A
    success is now kept for a second per worker."""
    assert get("/readyz").status_code == 200
    before = _connections()
    codes = [get("/readyz").status_code for _ in range(40)]
    after = _connections()
    assert codes == [200] * 40
    # At most one fresh ping per worker in that second or two, and the
    # query of the count itself.
    assert after - before <= 2 * len(worker_pids()) + 1, (before, after)


def test_db_commands_close_their_connection():
    """check, audit-verify and housekeeping left their connection open at
    exit: MariaDB logged an "Aborted connection" for each run."""
    err = os.path.join(PREFIX, "mysqld.err")
    before = open(err, errors="replace").read().count("Aborted connection")
    for cmd in ("check", "audit-verify", "housekeeping"):
        p = subprocess.run([BACKROOMD, "-c", CONF, cmd], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, (cmd, p.stdout, p.stderr)
    time.sleep(0.5)
    after = open(err, errors="replace").read().count("Aborted connection")
    assert after == before, open(err, errors="replace").read()[-2000:]


def test_database_outage_is_logged_once_not_per_request(healthy_pool):
    """With MariaDB down every request logged "cannot connect" (5,195
    lines in 7.3 s); now each worker logs the change and then a count."""
    cookies = admin_cookies()
    assert get("/", cookies=cookies).status_code == 200
    off = log_size()
    pid = mysqld_pid()
    os.kill(pid, signal.SIGTERM)
    try:
        assert wait_until(lambda: not pid_alive(pid), timeout=60)
        codes = [get("/", cookies=cookies, allow_redirects=False).status_code
                 for _ in range(150)]
        assert set(codes) == {503}, codes
    finally:
        stack_start()
    assert wait_until(lambda: get("/", cookies=cookies).status_code == 200,
                      timeout=30)
    text = log_since(off)
    n = text.count("cannot connect to MariaDB")
    assert 1 <= n <= 2 * len(worker_pids()) + 2, text[-3000:]
