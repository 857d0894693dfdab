"""Smoke: the stack answers through nginx over HTTPS, and the production
site file and the generated dev site differ only in ports and paths."""
import os
import re
import subprocess

import requests
import urllib3

urllib3.disable_warnings()
BASE = os.environ.get("BR_BASE_URL", "https://127.0.0.1:9443")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PREFIX = os.path.abspath(os.path.join(ROOT, os.environ.get("BR_PREFIX", "var/test")))

from conftest import CERT, admin_cookies

def test_healthz_over_https():
    r = requests.get(BASE + "/healthz", verify=False, timeout=5)
    assert r.status_code == 200
    assert r.text == "ok\n"
    assert r.headers["X-Request-Id"]
    assert "nginx/" not in r.headers.get("Server", "")


def test_home_page_renders_from_db():
    r = requests.get(BASE + "/", verify=CERT, timeout=5, cookies=admin_cookies())
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<h1>Dashboard</h1>" in r.text
    assert re.search(r'href="/static/style\.[0-9a-f]{16}\.css"', r.text)


def test_static_served_by_nginx():
    r = requests.get(BASE + "/static/style.css", verify=False, timeout=5)
    assert r.status_code == 200
    assert "text/css" in r.headers["Content-Type"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_fingerprinted_static_is_immutable():
    """Pages link style.<fingerprint>.css, which nginx serves as the same
    bytes, cacheable for a year (a changed file gets a new name), with
    the security headers still on."""
    page = requests.get(BASE + "/login", verify=CERT, timeout=5).text
    m = re.search(r'href="(/static/style\.([0-9a-f]{16})\.css)"', page)
    assert m, page[:500]
    r = requests.get(BASE + m.group(1), verify=CERT, timeout=5)
    assert r.status_code == 200
    assert r.content == open(os.path.join(ROOT, "app/static/style.css"),
                             "rb").read()
    assert r.headers["Cache-Control"] == \
        "public, max-age=31536000, immutable"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    # Only files of static_dir: a name it does not hold is a 404.
    r = requests.get(BASE + "/static/nosuch.%s.css" % m.group(2),
                     verify=CERT, timeout=5)
    assert r.status_code == 404


def test_dev_site_generated_from_production_file():
    prod = open(os.path.join(ROOT, "conf/nginx/backroom.conf")).read().splitlines()
    dev = open(os.path.join(PREFIX, "nginx/backroom.conf")).read().splitlines()
    prod = [l for l in prod if "listen [::]" not in l]
    assert len(prod) == len(dev)
    # The host names, the rate numbers and the debug_routes snippet are
    # the test stack's own too.
    allowed = re.compile(r"listen|return 301|server unix:|ssl_certificate|alias|include|zone|ssl_session_cache|"
                         r"server_name|backroom\.example\.com|limit_conn backroom_conn")
    for p, d in zip(prod, dev):
        if p != d:
            assert allowed.search(p), (p, d)


def test_backroomd_config_check_rejects_bad_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("workers = 4\nworkers = 9999\n")
    exe = os.path.join(ROOT, os.environ.get("BACKROOMD", "build/backroomd"))
    p = subprocess.run([exe, "-c", str(conf), "-t"], capture_output=True, text=True)
    assert p.returncode != 0
    assert "bad.conf:2:" in p.stderr
