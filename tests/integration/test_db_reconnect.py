"""A MariaDB restart the workers did not see happen: each worker's
persistent connection is dead, and the first request on it must reconnect
once by itself (DESIGN: "A lost database connection is retried once by
reconnecting") instead of answering 503."""
import concurrent.futures
import os
import signal

import pytest

from conftest import (PREFIX, admin_cookies, get, log_since, log_size, pid_alive, stack_start,
                      status, wait_until, worker_pids)


def mysqld_pid():
    with open(os.path.join(PREFIX, "mysqld.pid")) as f:
        return int(f.read())


def spread(path, n=48, clients=12):
    """n requests from `clients` concurrent clients, so that every worker
    serves some; their status codes.  Signed in, so "/" reads the
    database (the session) on every request."""
    cookies = admin_cookies()
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        return list(ex.map(lambda _: get(path, cookies=cookies,
                                         allow_redirects=False).status_code,
                           range(n)))


def restart_mariadb():
    pid = mysqld_pid()
    os.kill(pid, signal.SIGTERM)
    try:
        assert wait_until(lambda: not pid_alive(pid), timeout=60)
    finally:
        stack_start()                   # starts only what is not running
    assert mysqld_pid() != pid


@pytest.mark.parametrize("path", ["/", "/readyz"])
def test_first_request_after_a_database_restart_reconnects(healthy_pool, path):
    assert spread(path) == [200] * 48          # every worker connected
    # The log offset first, then the workers not already on their way out:
    # one that recycles after this logs it past the offset.
    off = log_size()
    pids = [w["pid"] for w in status()["workers"] if w["state"] != "exiting"]
    restart_mariadb()
    codes = spread(path)
    assert codes == [200] * len(codes), codes
    # Nobody died (a worker may have been recycled by max_requests = 300).
    # The scoreboard first: a worker logs "recycling" before it exits, so
    # one missing from the scoreboard has its line in the log read after.
    gone = set(pids) - set(worker_pids())
    text = log_since(off)
    assert "killed by signal" not in text and "exited with status" not in text
    assert len(gone) <= text.count("recycling after"), text
    if path == "/":
        # The stale connections were really used, and replaced.
        assert "lost the database connection, reconnecting" in log_since(off)
