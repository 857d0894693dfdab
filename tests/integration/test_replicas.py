"""Read replicas with read-your-writes (issue 12, item 2).

The stack's MariaDB is a primary (tests/stack.sh with DB_PORT: a binary
log with GTIDs, TCP on 127.0.0.1).  This suite starts a replica of it
(mariadb-dump --gtid, then GTID replication over loopback, read_only) and
a second backroomd, "host-r", with db_replicas naming it, behind an nginx
of its own.  List routes of host-r read on the replica; a session or
token that wrote waits there for its own last write (MASTER_GTID_WAIT) or
reads on the primary; a replica that is down, or does not replicate, is
skipped without a failed request, and /status, /readyz and /metrics show
its state."""
import os
import re
import signal
import subprocess
import threading
import time
import uuid

import pytest
import requests

from conftest import PREFIX, wait_until
from hosts_util import start_host, start_nginx, stop
from inventory_util import new_client, product, warehouse

DB_PORT = int(os.environ.get("BR_DB_PORT") or 0)
PRIMARY = os.path.join(PREFIX, "mysqld.sock")
WAIT_MS = 1500

pytestmark = pytest.mark.skipif(
    DB_PORT == 0, reason="the stack's MariaDB has no binary log "
    "(tests/integration/run.sh sets DB_PORT)")


def sql(sock, text, **kw):
    return subprocess.run(["mariadb", "-S", sock, "-u", "root", "-N", "-B",
                           "-e", text], check=True, capture_output=True,
                          text=True, **kw).stdout.strip()


class Replica:
    """A replica mariadbd under PREFIX/replica (reachable by the workers'
    user), on a socket, following the stack's MariaDB."""

    def __init__(self):
        self.dir = os.path.join(PREFIX, "replica")
        self.sock = os.path.join(self.dir, "r.sock")
        self.proc = None

    def start(self):
        d = self.dir
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--user=root",
             "--datadir=%s/data" % d, "--tmpdir=%s/tmp" % d,
             "--socket=" + self.sock, "--skip-networking",
             "--pid-file=%s/r.pid" % d, "--log-error=%s/r.err" % d,
             "--server-id=2", "--read-only=1", "--skip-slave-start",
             "--relay-log=%s/data/relay" % d,
             "--innodb-buffer-pool-size=64M",
             "--innodb-flush-log-at-trx-commit=2",
             "--character-set-server=utf8mb4",
             "--collation-server=utf8mb4_unicode_ci"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

        def up():
            try:
                return sql(self.sock, "SELECT 1") == "1"
            except subprocess.CalledProcessError:
                return False
        assert wait_until(up, timeout=60), open(d + "/r.err").read()[-2000:]
        os.chmod(self.sock, 0o777)

    def create(self):
        d = self.dir
        os.makedirs(d + "/tmp", exist_ok=True)
        os.chmod(d, 0o755)
        subprocess.run(["mariadb-install-db", "--no-defaults", "--user=root",
                        "--datadir=%s/data" % d, "--tmpdir=%s/tmp" % d,
                        "--auth-root-authentication-method=socket",
                        "--skip-test-db"], check=True,
                       capture_output=True)
        self.start()
        # What replication and the lag check need, on the primary (so the
        # dump carries it): a replication user, and SLAVE MONITOR for the
        # app's user (SHOW REPLICA STATUS).
        sql(PRIMARY, "CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' "
            "IDENTIFIED BY 'replpw'; GRANT REPLICATION SLAVE ON *.* TO "
            "'repl'@'127.0.0.1'; GRANT SLAVE MONITOR ON *.* TO "
            "'backroom'@'localhost'")
        dump = subprocess.run(
            ["mariadb-dump", "-S", PRIMARY, "-u", "root", "--all-databases",
             "--single-transaction", "--gtid", "--master-data=2"],
            check=True, capture_output=True).stdout
        gtid = re.search(rb"gtid_slave_pos='([0-9,-]*)'", dump).group(1)
        subprocess.run(["mariadb", "-S", self.sock, "-u", "root"],
                       input=dump, check=True, capture_output=True)
        sql(self.sock, "FLUSH PRIVILEGES; SET GLOBAL gtid_slave_pos = '%s'; "
            "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = %d, "
            "MASTER_USER = 'repl', MASTER_PASSWORD = 'replpw', "
            "MASTER_USE_GTID = slave_pos; START SLAVE"
            % (gtid.decode(), DB_PORT))
        self.catch_up()

    def catch_up(self, timeout=60):
        pos = sql(PRIMARY, "SELECT @@gtid_binlog_pos")
        assert sql(self.sock, "SELECT MASTER_GTID_WAIT('%s', %d)"
                   % (pos, timeout)) == "0", self.status()

    def status(self):
        return sql(self.sock, "SHOW REPLICA STATUS\\G")

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def replica_host(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    os.chmod(tmp, 0o755)
    rep = Replica()
    h = None
    try:
        rep.create()
        h, port, log = start_host(
            tmp, "host-r", "db_replicas = %s\nreplica_wait_ms = %d\n"
            "replica_max_lag_ms = 5000" % (rep.sock, WAIT_MS), workers=3)
        base = start_nginx(tmp, ["127.0.0.1:%d" % port])
        assert wait_until(lambda: host_status(base) is not None, timeout=20)
        yield {"base": base, "replica": rep, "log": log}
    finally:
        if h is not None:
            stop(tmp, h)
        rep.stop()


def host_status(base):
    try:
        r = requests.get(base + "/status", timeout=5)
        return r.json() if r.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None


def replica_reads(base):
    text = requests.get(base + "/metrics", timeout=5).text
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'^backroomd_replica_reads_total\{host="host-r",outcome="(\w+)"\} '
        r'(\d+)$', text, re.M)}


def replica_state(base, api):
    """The replica's state in /status after a few list reads (a worker
    checks a replica when a read wants one, at most once a second)."""
    for _ in range(3):
        api.s.get(base + "/api/v1/warehouses", timeout=10)
    reps = host_status(base)["replicas"]
    return reps[0]["state"] if reps else None


class Api:
    """A token client against host-r's nginx (plain HTTP on loopback)."""

    def __init__(self, base, client):
        self.base = base
        self.s = requests.Session()
        self.s.headers["Authorization"] = "Bearer " + client.token

    def move(self, p, w, qty=1):
        r = self.s.post(self.base + "/api/v1/movements", json={
            "kind": "receipt", "product_id": p, "warehouse_id": w,
            "qty": qty}, headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=10)
        assert r.status_code == 201, r.text
        return r.json()["movements"][0]["id"]

    def newest_move(self, p):
        r = self.s.get(self.base + "/api/v1/movements",
                       params={"product_id": p, "limit": 1}, timeout=10)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        return items[0]["id"] if items else None


def test_a_write_then_a_read_on_a_replica_sees_the_write_every_time(
        replica_host):
    base = replica_host["base"]
    api = Api(base, new_client("manager"))
    assert wait_until(lambda: replica_state(base, api) == "up",
                      timeout=10), host_status(base)
    p, w = product()["id"], warehouse()["id"]
    before = replica_reads(base)
    n = 1000
    for i in range(n):
        mid = api.move(p, w)
        got = api.newest_move(p)
        assert got == mid, (i, mid, got)
    after = replica_reads(base)
    # The reads went to the replica, after waiting for the write there;
    # none fell back to the primary for want of a usable replica.
    assert after["replica"] - before["replica"] >= n * 0.95, (before, after)
    assert after["waited"] - before["waited"] >= n * 0.95, (before, after)
    assert after["skipped"] == before["skipped"]


def test_a_delayed_replica_is_waited_for_then_left_for_the_primary(
        replica_host):
    base, rep = replica_host["base"], replica_host["replica"]
    sql(rep.sock, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 3; "
        "START SLAVE")
    try:
        writer = Api(base, new_client("manager"))
        other = Api(base, new_client("manager"))
        p, w = product()["id"], warehouse()["id"]
        rep.catch_up()                  # the product reached the replica
        before = replica_reads(base)
        mid = writer.move(p, w)
        # Another reader, who did not write, reads the replica as it is:
        # the movement is not there yet (this is what the wait is for).
        assert other.newest_move(p) != mid
        t0 = time.monotonic()
        assert writer.newest_move(p) == mid     # waited, then primary
        took = time.monotonic() - t0
        after = replica_reads(base)
        assert after["wait_timeout"] - before["wait_timeout"] >= 1
        assert WAIT_MS / 1000 * 0.9 <= took < WAIT_MS / 1000 + 2, took
    finally:
        sql(rep.sock, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; "
            "START SLAVE")
        rep.catch_up()


def test_a_replica_that_stopped_replicating_is_skipped(replica_host):
    base, rep = replica_host["base"], replica_host["replica"]
    writer = Api(base, new_client("manager"))
    reader = Api(base, new_client("manager"))
    p, w = product()["id"], warehouse()["id"]
    sql(rep.sock, "STOP SLAVE SQL_THREAD")
    try:
        assert wait_until(lambda: replica_state(base, reader) ==
                          "stopped", timeout=10), host_status(base)
        time.sleep(1.2)         # every worker has checked again since
        before = replica_reads(base)
        mid = writer.move(p, w)
        # A reader without writes of its own would see the replica frozen
        # in time; it is skipped, so the read is current.
        for _ in range(5):
            assert reader.newest_move(p) == mid
        after = replica_reads(base)
        assert after["skipped"] - before["skipped"] >= 5
        r = requests.get(base + "/readyz", timeout=5)
        assert r.status_code == 200 and "replica 1: stopped" in r.text, \
            r.text
        m = requests.get(base + "/metrics", timeout=5).text
        assert re.search(r'^backroomd_replica_up\{host="host-r",replica="'
                         + re.escape(rep.sock) + r'",state="stopped"\} 0$',
                         m, re.M), m
    finally:
        sql(rep.sock, "START SLAVE SQL_THREAD")
    rep.catch_up()
    assert wait_until(lambda: replica_state(base, reader) == "up",
                      timeout=10)


def test_a_replica_killed_costs_no_failed_request(replica_host):
    base, rep = replica_host["base"], replica_host["replica"]
    api = Api(base, new_client("manager"))
    p, w = product()["id"], warehouse()["id"]
    mid = api.move(p, w)
    failures, served = [], [0]
    stop_at = time.monotonic() + 6

    def reads():
        s = requests.Session()
        s.headers.update(api.s.headers)
        while time.monotonic() < stop_at:
            r = s.get(base + "/api/v1/movements",
                      params={"product_id": p, "limit": 1}, timeout=10)
            if r.status_code != 200 or r.json()["items"][0]["id"] != mid:
                failures.append((r.status_code, r.text[:200]))
            served[0] += 1
    threads = [threading.Thread(target=reads) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    rep.kill()
    for t in threads:
        t.join()
    assert failures == [] and served[0] > 50, (failures[:5], served)
    assert replica_state(base, api) == "down", host_status(base)
    r = requests.get(base + "/readyz", timeout=5)
    assert r.status_code == 200 and "replica 1: down" in r.text
    # Back again: it resumes replicating and serves reads once more.
    rep.start()
    sql(rep.sock, "START SLAVE")
    rep.catch_up()
    assert wait_until(lambda: replica_state(base, api) == "up",
                      timeout=15), \
        host_status(base)
    before = replica_reads(base)
    assert api.newest_move(p) == mid
    assert replica_reads(base)["replica"] > before["replica"]
