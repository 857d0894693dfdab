"""The database layer: /readyz and pages answer 503 with Retry-After while
MariaDB is down, no worker dies, and everything recovers by itself;
migrations on an empty database and re-run."""
import os
import signal
import subprocess
import time

from conftest import (CONF, admin_cookies, BACKROOMD, PREFIX, get, log_since,
                      log_size, pid_alive, stack_start, wait_until, worker_pids)

SOCK = os.path.join(PREFIX, "mysqld.sock")


def mysqld_pid():
    with open(os.path.join(PREFIX, "mysqld.pid")) as f:
        return int(f.read())


def sql(stmt):
    return subprocess.run(["mariadb", "-S", SOCK, "-u", "root", "-N", "-e", stmt],
                          check=True, capture_output=True, text=True).stdout


def assert_none_died(pids, off):
    """Every worker of pids is still there or left by recycling
    (max_requests = 300 in the test config), none by dying."""
    text = log_since(off)
    for p in set(pids) - set(worker_pids()):
        assert "backroomd[%d] [-] worker_main: recycling after" % p in text, \
            (p, text[-2000:])
    assert "killed by signal" not in text, text[-2000:]


def test_database_down_gives_503_and_recovers(healthy_pool):
    assert get("/readyz").status_code == 200
    cookies = admin_cookies()
    off = log_size()
    pids = worker_pids()
    pid = mysqld_pid()
    os.kill(pid, signal.SIGTERM)
    assert wait_until(lambda: not pid_alive(pid), timeout=60)
    try:
        for path in ("/readyz", "/"):
            t0 = time.monotonic()
            r = get(path, cookies=cookies, allow_redirects=False)
            assert time.monotonic() - t0 < 2
            assert r.status_code == 503, path
            assert r.headers["Retry-After"] == "2"
        assert get("/healthz").status_code == 200
        assert_none_died(pids, off)
    finally:
        stack_start()
    assert wait_until(lambda: get("/readyz").status_code == 200, timeout=15)
    assert get("/", cookies=cookies).status_code == 200
    assert_none_died(pids, off)


def test_readyz_bounded_when_database_stalls(healthy_pool):
    """A stopped (not dead) server: /readyz still answers within ~1 s."""
    pid = mysqld_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        r = get("/readyz")
        took = time.monotonic() - t0
        assert r.status_code == 503
        assert took < 2.5, took
    finally:
        os.kill(pid, signal.SIGCONT)
    assert wait_until(lambda: get("/readyz").status_code == 200, timeout=15)


def migrate(conf):
    return subprocess.run([BACKROOMD, "-c", conf, "migrate"],
                          capture_output=True, text=True)


def test_migrate_rerun_applies_nothing():
    p = migrate(CONF)
    assert p.returncode == 0, p.stderr
    assert "migrate: 0 applied" in p.stdout


def test_migrate_empty_database(tmp_path):
    sql("DROP DATABASE IF EXISTS backroom_scratch; "
        "CREATE DATABASE backroom_scratch; "
        "GRANT ALL ON backroom_scratch.* TO 'backroom'@'localhost'")
    try:
        text = open(CONF).read().replace("db_name = backroom\n",
                                         "db_name = backroom_scratch\n")
        conf = tmp_path / "scratch.conf"
        conf.write_text(text)
        p = migrate(str(conf))
        assert p.returncode == 0, p.stderr
        n = len(os.listdir(os.path.join(os.path.dirname(BACKROOMD), "..",
                                        "sql", "migrations")))
        assert "migrate: %d applied" % n in p.stdout
        rows = sql("SELECT COUNT(*) FROM backroom_scratch.schema_migrations")
        assert int(rows) == n
        p = migrate(str(conf))
        assert p.returncode == 0 and "migrate: 0 applied" in p.stdout
    finally:
        sql("DROP DATABASE IF EXISTS backroom_scratch")


def test_server_refuses_schema_behind(tmp_path):
    sql("DROP DATABASE IF EXISTS backroom_behind; CREATE DATABASE backroom_behind; "
        "GRANT ALL ON backroom_behind.* TO 'backroom'@'localhost'")
    try:
        text = open(CONF).read().replace("db_name = backroom\n",
                                         "db_name = backroom_behind\n")
        text = "\n".join(l for l in text.splitlines()
                         if not l.startswith(("listen", "pid_file", "log_file")))
        text += "\nlisten = %s\n" % (tmp_path / "b.sock")
        conf = tmp_path / "behind.conf"
        conf.write_text(text)
        p = subprocess.run([BACKROOMD, "-c", str(conf)], capture_output=True,
                           text=True, timeout=20)
        assert p.returncode != 0
        assert "migrate" in p.stderr and "behind" in p.stderr
    finally:
        sql("DROP DATABASE IF EXISTS backroom_behind")
