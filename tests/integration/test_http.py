"""The request kit end to end through nginx: status codes, bodies,
security headers, request ids, HEAD, redirects, forms and JSON."""
import http.client
import json
import ssl
from urllib.parse import urlsplit

import requests

from conftest import BASE, CERT, HTTP_URL, admin_cookies, get, post

SECURITY = {
    "Strict-Transport-Security": "max-age=",
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def raw(method, target, body=None, headers=None):
    """Sends target exactly as given (requests would re-quote bad escapes)."""
    u = urlsplit(BASE)
    ctx = ssl.create_default_context(cafile=CERT)
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=10)
    c.request(method, target, body=body, headers=headers or {})
    r = c.getresponse()
    r.text = r.read().decode("utf-8", "replace")
    r.status_code = r.status
    c.close()
    return r


def assert_security_headers(r):
    for name, want in SECURITY.items():
        assert want in r.headers.get(name, ""), (name, r.status_code)
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers.get("Server", "") == "nginx"   # no version


def test_security_headers_on_success_and_errors():
    for path, code in (("/healthz", 200), ("/no/such/page", 404),
                       ("/static/missing.css", 404), ("/?a=%zz", 400)):
        r = raw("GET", path)
        assert r.status_code == code, path
        assert_security_headers(r)


def test_request_id_unique_and_echoed():
    ids = {get("/healthz").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) == 32 for i in ids)


def test_404_html_and_api_problem_json():
    r = get("/nope")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert "404 Not Found" in r.text
    r = get("/api/v1/nope")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 404 and body["title"] == "Not Found"
    assert body["type"] == "about:blank" and body["detail"]


def test_405_with_allow():
    r = post("/healthz", data="x")
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    r = requests.delete(BASE + "/api/v1/debug/echo/x", verify=CERT, timeout=5)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST, PUT"
    assert r.json()["status"] == 405


def test_head_served_by_get_without_body():
    r = requests.head(BASE + "/", verify=CERT, timeout=5, cookies=admin_cookies())
    assert r.status_code == 200
    assert r.text == ""
    assert int(r.headers["Content-Length"]) > 100


def test_http_redirects_to_https():
    r = requests.get(HTTP_URL + "/healthz?x=1", allow_redirects=False, timeout=5)
    assert r.status_code == 301
    assert r.headers["Location"].startswith("https://")
    assert r.headers["Location"].endswith("/healthz?x=1")
    assert_security_headers(r)


def test_malformed_query_and_form_400():
    assert raw("GET", "/?a=%zz").status_code == 400
    assert raw("GET", "/?a=%4").status_code == 400
    assert raw("GET", "/?a=%00").status_code == 400
    assert raw("GET", "/?a=1").status_code == 303      # valid: on to the login
    r = post("/debug/echo", data="a=%00",
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert r.json()["errors"] == {"a": "invalid value"}
    r = post("/debug/echo", data="qty=1&note=%zz",
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    assert "note" in r.json()["errors"]
    many = "&".join("f%d=1" % i for i in range(300))
    r = post("/debug/echo", data=many,
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400


def test_form_round_trip_utf8():
    r = post("/debug/echo", data={"name": "Crème brûlée <b>", "n": "2"})
    assert r.status_code == 200
    assert r.json() == {"name": "Crème brûlée <b>", "n": "2"}


def test_multipart_file_upload():
    blob = bytes(range(256)) * 40
    r = post("/debug/echo", files={"file": ("stock.csv", blob, "text/csv")},
             data={"warehouse": "Main"})
    assert r.status_code == 200
    assert r.json() == {"file": len(blob), "warehouse": "Main"}


def test_415_wrong_content_type():
    r = post("/debug/echo", data="{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = post("/api/v1/debug/echo/x", data="a=1",
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    assert r.headers["Content-Type"] == "application/problem+json"


def test_413_body_too_large():
    big = b"a=" + b"x" * (9 * 1024 * 1024)
    r = post("/debug/echo", data=big,
             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert_security_headers(r)


def test_json_body_caps():
    ok = {"a": [1, 2, {"b": "c"}], "s": "<x>"}
    r = post("/api/v1/debug/echo/t", json=ok)
    assert r.status_code == 200 and r.json() == ok
    r = post("/api/v1/debug/echo/t", data="[" * 16 + "1" + "]" * 16,
             headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    deep = "[" * 17 + "1" + "]" * 17
    r = post("/api/v1/debug/echo/t", data=deep,
             headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["detail"]
    r = post("/api/v1/debug/echo/t", data='{"a":1,}',
             headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    r = post("/api/v1/debug/echo/t", data='{"a":1} x',
             headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    big = json.dumps({"k": "x" * (1024 * 1024 + 10)})
    r = post("/api/v1/debug/echo/t", data=big,
             headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_status_loopback_only_in_backroomd_and_text_form():
    r = get("/status?text")
    assert r.status_code == 200
    assert "accepted_requests:" in r.text and "pid" in r.text
    d = get("/status").json()
    for k in ("accepted_requests", "max_active", "all_busy", "slow_requests",
              "workers"):
        assert k in d
    w = d["workers"][0]
    for k in ("pid", "state", "requests", "last_duration_us", "generation"):
        assert k in w


def test_templates_escape_request_id_and_values():
    r = get("/nope", headers={"X-Request-Id": "<script>"})
    assert "<script>" not in r.text


def test_many_cookies_are_not_refused():
    """A browser sends every cookie of the host; past the cap they are
    ignored, not answered with 400."""
    jar = "; ".join("c%d=v%d" % (i, i) for i in range(60))
    r = get("/", headers={"Cookie": jar})
    assert r.status_code != 400
    assert get("/healthz", headers={"Cookie": jar}).status_code == 200
