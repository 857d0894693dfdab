"""Several app hosts (issue 12, item 1): a second backroomd, "host B",
listens on TCP 127.0.0.1 (fastcgi_allow = 127.0.0.1) beside the stack's
own, and a second nginx balances one upstream over both, with the site's
retry rules (fastcgi_next_upstream error timeout, never non_idempotent).
Everything a request needs lives in MariaDB, so a token made on one host
works on the other, both serve, and host B killed costs no request."""
import os
import signal
import uuid

import pytest
import requests

from conftest import wait_until
from hosts_util import stack_socket, start_host, start_nginx, stop
from inventory_util import mgr, product, warehouse


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hosts")
    os.chmod(tmp, 0o755)
    # Host B: the same config but its own port, pid, log and name; one
    # nginx upstream over the stack's socket and host B.
    b, bport, blog = start_host(tmp, "host-b")
    base = start_nginx(tmp, ["unix:" + stack_socket(),
                             "127.0.0.1:%d" % bport])

    def b_up():
        try:
            return "host-b" in hosts_seen(base, 4)
        except (requests.RequestException, ValueError, KeyError):
            return False
    try:
        assert wait_until(b_up, timeout=20)
        yield {"base": base, "b": b, "log": blog}
    finally:
        stop(tmp, b)


def hosts_seen(base, n=40):
    return {requests.get(base + "/status", timeout=5).json()["host"]
            for _ in range(n)}


def test_both_hosts_serve_and_share_everything_through_mariadb(two_hosts):
    base = two_hosts["base"]
    seen = hosts_seen(base)
    assert "host-b" in seen and len(seen) == 2, seen
    c = mgr()                               # a token made on the stack
    p, w = product(), warehouse()
    h = {"Authorization": "Bearer " + c.token}
    for i in range(20):                     # reads and writes on both
        r = requests.get(base + "/api/v1/products/%d" % p["id"], headers=h,
                         timeout=10)
        assert r.status_code == 200, r.text
        r = requests.post(base + "/api/v1/movements", headers=dict(
            h, **{"Idempotency-Key": uuid.uuid4().hex,
                  "Content-Type": "application/json"}),
            json={"kind": "receipt", "product_id": p["id"],
                  "warehouse_id": w["id"], "qty": 1}, timeout=10)
        assert r.status_code == 201, r.text
    r = requests.get(base + "/api/v1/products/%d" % p["id"], headers=h,
                     timeout=10)
    assert sum(s["on_hand"] for s in r.json()["stock"]) == 20
    # The same Idempotency-Key answers once, whichever host gets it.
    key = uuid.uuid4().hex
    hk = dict(h, **{"Idempotency-Key": key,
                    "Content-Type": "application/json"})
    body = {"kind": "receipt", "product_id": p["id"],
            "warehouse_id": w["id"], "qty": 5}
    first = requests.post(base + "/api/v1/movements", headers=hk, json=body,
                          timeout=10)
    assert first.status_code == 201
    for _ in range(6):
        again = requests.post(base + "/api/v1/movements", headers=hk,
                              json=body, timeout=10)
        assert again.status_code == 201 and again.json() == first.json()
    r = requests.get(base + "/api/v1/products/%d" % p["id"], headers=h,
                     timeout=10)
    assert sum(s["on_hand"] for s in r.json()["stock"]) == 25


def test_a_host_killed_costs_no_request(two_hosts):
    base, b = two_hosts["base"], two_hosts["b"]
    c = mgr()
    p, w = product(), warehouse()
    h = {"Authorization": "Bearer " + c.token}
    os.killpg(b.pid, signal.SIGKILL)        # host B goes away at once
    b.wait(timeout=10)
    for i in range(30):
        r = requests.get(base + "/api/v1/products/%d" % p["id"], headers=h,
                         timeout=10)
        assert r.status_code == 200, (i, r.status_code, r.text[:200])
        r = requests.post(base + "/api/v1/movements", headers=dict(
            h, **{"Idempotency-Key": uuid.uuid4().hex,
                  "Content-Type": "application/json"}),
            json={"kind": "receipt", "product_id": p["id"],
                  "warehouse_id": w["id"], "qty": 1}, timeout=10)
        assert r.status_code == 201, (i, r.status_code, r.text[:200])
    assert "host-b" not in hosts_seen(base, 10)
