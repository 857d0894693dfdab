"""Several app hosts (issue 12, item 1): a second backroomd, "host B",
listens on TCP 127.0.0.1 (fastcgi_allow = 127.0.0.1) beside the stack's
own, and a second nginx balances one upstream over both, with the site's
retry rules (fastcgi_next_upstream error timeout, never non_idempotent).
Everything a request needs lives in MariaDB, so a token made on one host
works on the other, both serve, and host B killed costs no request."""
import os
import random
import re
import signal
import subprocess
import time
import uuid

import pytest
import requests

from conftest import BACKROOMD, CONF, PREFIX, wait_until
from inventory_util import mgr, product, warehouse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def conf_lines(text, drop):
    return [l for l in text.splitlines()
            if not re.match(r"\s*(%s)\s*=" % "|".join(drop), l)]


@pytest.fixture(scope="module")
def two_hosts(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hosts")
    os.chmod(tmp, 0o755)
    bport = random.randint(30000, 34999)
    nport = random.randint(35000, 39999)
    # Host B: the same config but its own socket, pid, log and name.
    keep = conf_lines(open(CONF).read(), ["listen", "listen_mode", "pid_file",
                                          "log_file", "workers", "host_name",
                                          "housekeeping_interval"])
    bconf = tmp / "b.conf"
    bconf.write_text("\n".join(keep) + "\nlisten = 127.0.0.1:%d\n"
                     "fastcgi_allow = 127.0.0.1\nhost_name = host-b\n"
                     "workers = 2\nhousekeeping_interval = 0\n"
                     "log_file = %s\n" % (bport, tmp / "b.log"))
    os.chmod(bconf, 0o600)
    b = subprocess.Popen([BACKROOMD, "-c", str(bconf)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    # A second nginx: one upstream over the stack's socket and host B.
    main_nginx = open(os.path.join(PREFIX, "nginx.conf")).read()
    user = re.search(r"^user [^;]+;", main_nginx, re.M).group(0)
    sock = re.search(r"^listen\s*=\s*(\S+)", open(CONF).read(), re.M).group(1)
    os.makedirs(tmp / "t", mode=0o777, exist_ok=True)
    os.chmod(tmp / "t", 0o777)
    nconf = tmp / "nginx.conf"
    nconf.write_text("""%(user)s
worker_processes 1;
pid %(tmp)s/nginx.pid;
error_log %(tmp)s/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %(tmp)s/t/body;
    fastcgi_temp_path %(tmp)s/t/fastcgi;
    proxy_temp_path %(tmp)s/t/proxy;
    uwsgi_temp_path %(tmp)s/t/uwsgi;
    scgi_temp_path %(tmp)s/t/scgi;
    upstream app {
        server unix:%(sock)s max_fails=3 fail_timeout=10s;
        server 127.0.0.1:%(bport)d max_fails=3 fail_timeout=10s;
        keepalive 2;
    }
    server {
        listen 127.0.0.1:%(nport)d;
        location / {
            include %(root)s/conf/nginx/fastcgi_params;
            fastcgi_param HTTPS on;
            fastcgi_pass app;
        }
        fastcgi_keep_conn on;
        fastcgi_next_upstream error timeout;
        fastcgi_next_upstream_timeout 3s;
        fastcgi_connect_timeout 2s;
    }
}
""" % {"user": user, "tmp": tmp, "sock": sock, "bport": bport,
       "nport": nport, "root": ROOT})
    subprocess.run(["nginx", "-c", str(nconf), "-p", str(tmp)], check=True)
    base = "http://127.0.0.1:%d" % nport

    def b_up():
        try:
            return "host-b" in hosts_seen(base, 4)
        except (requests.RequestException, ValueError, KeyError):
            return False
    try:
        assert wait_until(b_up, timeout=20)
        yield {"base": base, "b": b, "log": tmp / "b.log"}
    finally:
        try:
            pid = int(open(tmp / "nginx.pid").read())
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError):
            pass
        if b.poll() is None:
            os.killpg(b.pid, signal.SIGTERM)
            b.wait(timeout=30)


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
