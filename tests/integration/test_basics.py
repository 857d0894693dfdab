"""The request kit seen from outside, beyond test_http.py: HEAD and 405 on
every kind of route, the body and content type of each error, the RFC 9457
shape of every API error, security headers on responses made by nginx as
well as by backroomd, request ids tied to the page and the log, the body
size limit at its exact boundary, multipart bodies that look like their
own boundary, and backroomd's own caps when spoken to without nginx."""
import http.client
import json
import os
import re
import socket
import ssl
import struct
import time
from urllib.parse import urlsplit

import pytest

from conftest import BASE, CERT, CONF, get, log_since, log_size, post

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
REASON = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
          413: "Content Too Large", 415: "Unsupported Media Type"}
MAX_BODY = 8 * 1024 * 1024          # backroomd max_body_size = nginx's 8m


def raw(method, target, body=None, headers=None):
    """One request with the target sent byte for byte (requests would
    re-quote bad escapes); HEAD handled as HEAD (no body read)."""
    u = urlsplit(BASE)
    ctx = ssl.create_default_context(cafile=CERT)
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                    timeout=15)
    try:
        c.request(method, target, body=body, headers=headers or {})
        r = c.getresponse()
        r.body = r.read()
        r.status_code = r.status
        return r
    finally:
        c.close()


def _headers(r):
    """requests' headers, http.client's headers, or a headers mapping."""
    return getattr(r, "headers", r)


def assert_security_headers(r, what):
    h = _headers(r)
    hsts = h.get("Strict-Transport-Security", "")
    m = re.search(r"max-age=(\d+)", hsts)
    assert m and int(m.group(1)) >= 31536000, (what, hsts)
    csp = h.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, (what, csp)
    assert "frame-ancestors 'none'" in csp, (what, csp)
    assert h.get("X-Content-Type-Options") == "nosniff", what
    assert h.get("Referrer-Policy") in ("no-referrer", "same-origin",
                                        "strict-origin",
                                        "strict-origin-when-cross-origin"), what
    server = h.get("Server", "")
    assert not re.search(r"\d", server), (what, server)   # no version


def assert_request_id(r, what):
    rid = _headers(r).get("X-Request-Id", "")
    assert re.fullmatch(r"[0-9a-f]{32}", rid), (what, rid)
    return rid


def assert_problem(r, code, what):
    """RFC 9457: application/problem+json with type, title, status, detail."""
    ct = r.headers.get("Content-Type", "")
    assert ct == "application/problem+json", (what, ct)
    body = json.loads(r.body if hasattr(r, "body") else r.content)
    assert body["type"] == "about:blank", what
    assert body["title"] == REASON[code], (what, body)
    assert body["status"] == code and isinstance(body["status"], int), what
    assert isinstance(body.get("detail"), str) and body["detail"], (what, body)
    return body


def assert_html_error(r, code, what):
    assert r.headers.get("Content-Type", "").startswith("text/html"), what
    text = r.body.decode() if hasattr(r, "body") else r.text
    assert "%d %s" % (code, REASON[code]) in text, (what, text[:300])
    return text


# -- HEAD ----------------------------------------------------------------

def test_head_is_get_without_body():
    g = raw("GET", "/healthz")
    h = raw("HEAD", "/healthz")
    assert h.status_code == 200 and h.body == b""
    assert h.getheader("Content-Length") == str(len(g.body)) == "3"
    assert h.getheader("Content-Type") == g.getheader("Content-Type")
    assert_request_id(h, "HEAD /healthz")
    # HEAD of an unknown page is a bodiless 404, not a 405.
    h = raw("HEAD", "/no/such/page")
    assert h.status_code == 404 and h.body == b""
    assert int(h.getheader("Content-Length")) > 0
    # HEAD on a POST-only route: 405, and HEAD is not offered there.
    h = raw("HEAD", "/debug/echo")
    assert h.status_code == 405 and h.body == b""
    assert h.getheader("Allow") == "POST"


# -- 405 -----------------------------------------------------------------

@pytest.mark.parametrize("method,path,allow", [
    ("DELETE", "/", "GET, HEAD"),
    ("OPTIONS", "/healthz", "GET, HEAD"),
    ("PUT", "/readyz", "GET, HEAD"),
    ("GET", "/debug/echo", "POST"),
    ("PUT", "/debug/echo", "POST"),
])
def test_405_html_routes(method, path, allow):
    r = raw(method, path, body=b"" if method in ("PUT",) else None)
    assert r.status_code == 405, (method, path)
    assert r.getheader("Allow") == allow, (method, path)
    assert_html_error(r, 405, (method, path))
    assert_security_headers(r, (method, path))
    assert_request_id(r, (method, path))


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_405_api_route_is_problem_json(method):
    r = raw(method, "/api/v1/debug/echo/x", body=b"{}" if method == "PATCH"
            else None, headers=JSON if method == "PATCH" else None)
    assert r.status_code == 405
    assert r.getheader("Allow") == "POST, PUT"
    assert_problem(r, 405, method)
    assert_security_headers(r, method)


# -- 400 -----------------------------------------------------------------

def test_400_bad_query_is_an_html_page_with_the_request_id():
    r = raw("GET", "/?a=%zz")
    assert r.status_code == 400
    text = assert_html_error(r, 400, "/?a=%zz")
    rid = assert_request_id(r, "/?a=%zz")
    assert rid in text                  # the footer names the request
    assert_security_headers(r, "/?a=%zz")


@pytest.mark.parametrize("query", ["", "?ms=", "?ms=abc", "?ms=-1",
                                   "?ms=600001", "?ms=1e3"])
def test_debug_sleep_rejects_bad_numbers(query):
    r = raw("GET", "/debug/sleep" + query)
    assert r.status_code == 400, query
    assert_html_error(r, 400, query)


@pytest.mark.parametrize("body,field", [
    (b"a=%00", "a"), (b"a=1&b=%01", "b"), (b"a=%ff", "a"),
    (b"good=1&bad=%g0", "bad"), (b"a=%4", "a"),
])
def test_400_form_names_the_bad_field(body, field):
    r = raw("POST", "/debug/echo", body=body, headers=FORM)
    assert r.status_code == 400, body
    problem = assert_problem(r, 400, body)
    assert problem["errors"] == {field: "invalid value"}, (body, problem)


def test_form_keeps_whitespace_controls_a_textarea_needs():
    r = post("/debug/echo", data=b"note=line1%0D%0Aline2%09tab&plus=a+b",
             headers=FORM)
    assert r.status_code == 200, r.text
    assert r.json() == {"note": "line1\r\nline2\ttab", "plus": "a b"}


def test_400_form_value_over_the_field_cap():
    r = post("/debug/echo", data=b"a=" + b"x" * (64 * 1024 + 1), headers=FORM)
    assert r.status_code == 400
    assert r.json()["errors"] == {"a": "invalid value"}
    r = post("/debug/echo", data=b"a=" + b"x" * (64 * 1024), headers=FORM)
    assert r.status_code == 200 and len(r.json()["a"]) == 64 * 1024


@pytest.mark.parametrize("body,detail_re", [
    (b"", "invalid JSON"),
    (b"null", "null"),
    (b"[1", "invalid JSON"),
    (b'{"a":1,}', ""),
    (b'{"a":"\xff"}', "UTF-8"),
    (b"1e999", "range"),
    (b"[" * 17 + b"1" + b"]" * 17, ""),
    (b'{"a":' * 17 + b"1" + b"}" * 17, ""),
])
def test_400_json_is_problem_json(body, detail_re):
    r = raw("POST", "/api/v1/debug/echo/x", body=body, headers=JSON)
    assert r.status_code == 400, body
    p = assert_problem(r, 400, body)
    assert re.search(detail_re, p["detail"]), (body, p)
    assert_security_headers(r, body)
    assert_request_id(r, body)


def test_json_depth_16_objects_is_fine_17_is_not():
    ok = b'{"a":' * 15 + b"[1]" + b"}" * 15            # 16 levels
    r = post("/api/v1/debug/echo/x", data=ok, headers=JSON)
    assert r.status_code == 200, r.text
    d, n = r.json(), 1
    while isinstance(d, dict):
        d, n = d["a"], n + 1
    assert d == [1] and n == 16


# -- 404 -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/nope", "/healthz/", "/status/x", "/api",
                                  "/HEALTHZ"])
def test_404_html(path):
    r = raw("GET", path)
    assert r.status_code == 404, path
    text = assert_html_error(r, 404, path)
    assert "<title>" in text
    assert_security_headers(r, path)
    assert_request_id(r, path)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/debug/echo",
                                  "/api/v1/debug/echo/a/b", "/api/v2/x"])
def test_404_api_problem_json(path):
    r = raw("GET", path)
    assert r.status_code == 404, path
    assert_problem(r, 404, path)
    assert_security_headers(r, path)


# -- 415 -----------------------------------------------------------------

@pytest.mark.parametrize("ctype", ["text/plain", "application/json",
                                   "application/x-www-form-urlencodedx",
                                   "multipartform-data"])
def test_415_form_endpoint(ctype):
    r = raw("POST", "/debug/echo", body=b"a=1", headers={"Content-Type": ctype})
    assert r.status_code == 415, ctype
    assert_problem(r, 415, ctype)
    assert_security_headers(r, ctype)


@pytest.mark.parametrize("ctype", [None, "text/plain", "text/json",
                                   "application/jsonx",
                                   "application/x-www-form-urlencoded"])
def test_415_json_endpoint(ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    r = raw("POST", "/api/v1/debug/echo/x", body=b'{"a":1}', headers=headers)
    assert r.status_code == 415, ctype
    p = assert_problem(r, 415, ctype)
    assert "application/json" in p["detail"]


def test_json_content_type_parameters_and_case_accepted():
    for ct in ("application/json; charset=utf-8", "Application/JSON"):
        r = post("/api/v1/debug/echo/x", data=b'{"k":[1,"\\u00e9"]}',
                 headers={"Content-Type": ct})
        assert r.status_code == 200, (ct, r.text)
        assert r.json() == {"k": [1, "\u00e9"]}


# -- 413 and the body-size boundary --------------------------------------

def multipart(boundary, parts):
    out = b""
    for name, filename, data in parts:
        out += b"--" + boundary + b"\r\n"
        disp = b'Content-Disposition: form-data; name="' + name + b'"'
        if filename is not None:
            disp += b'; filename="' + filename + b'"'
            disp += b"\r\nContent-Type: application/octet-stream"
        out += disp + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def test_body_limit_exact_boundary():
    """nginx and backroomd agree: exactly max_body_size passes all the way
    to the handler, one byte more is 413 (from whichever is first)."""
    b = b"BoundaryLimitTest7"
    head = multipart(b, [(b"f", b"big.bin", b"")])
    fill = MAX_BODY - len(head)
    blob = (bytes(range(256)) * (fill // 256 + 1))[:fill]
    body = multipart(b, [(b"f", b"big.bin", blob)])
    assert len(body) == MAX_BODY
    ct = {"Content-Type": "multipart/form-data; boundary=" + b.decode()}
    r = post("/debug/echo", data=body, headers=ct, timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.json() == {"f": fill}
    body = multipart(b, [(b"f", b"big.bin", blob + b"x")])
    r = post("/debug/echo", data=body, headers=ct, timeout=30)
    assert r.status_code == 413
    assert_security_headers(r.headers, "413")


def test_413_json_body_is_problem_json():
    big = b'{"k":"' + b"x" * (1024 * 1024) + b'"}'
    r = raw("POST", "/api/v1/debug/echo/x", body=big, headers=JSON)
    assert r.status_code == 413
    assert_problem(r, 413, "json 413")
    assert_request_id(r, "json 413")


def test_request_id_on_responses_made_by_nginx():
    r = post("/debug/echo", data=b"a=" + b"x" * MAX_BODY, headers=FORM)
    assert r.status_code == 413
    assert_request_id(r, "nginx 413")


# -- multipart -----------------------------------------------------------

def test_multipart_parts_that_look_like_the_boundary():
    b = b"XyZ-boundary"
    # Prefixes of the delimiter, CRLFs, NUL and 0xff: all file content.
    tricky = (b"\r\n--XyZ-boundar\r\n--XyZ\x00\xff\r\n\r\n-- XyZ-boundary"
              b"\r\n" + bytes(range(256)))
    body = multipart(b, [(b"a", None, b"v1"),
                         (b"f1", b"one.bin", tricky),
                         (b"f2", b"empty.bin", b""),
                         (b"f3", b"crlf.bin", b"\r\n" * 100),
                         (b"note", None, "caf\u00e9".encode())])
    r = post("/debug/echo", data=body, headers={
        "Content-Type": 'multipart/form-data; boundary="XyZ-boundary"'})
    assert r.status_code == 200, r.text
    assert r.json() == {"a": "v1", "f1": len(tricky), "f2": 0, "f3": 200,
                        "note": "caf\u00e9"}


@pytest.mark.parametrize("body", [
    b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n",  # no end
    b"garbage without any boundary",
    b"--B\r\n\r\nno disposition\r\n--B--\r\n",
    b"--B\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--B--\r\n",
])
def test_multipart_malformed_is_400(body):
    r = raw("POST", "/debug/echo", body=body,
            headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 400, body
    assert_problem(r, 400, body)


def test_multipart_without_boundary_is_400():
    r = raw("POST", "/debug/echo", body=b"x",
            headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400


def test_large_binary_upload_echoes_its_size():
    blob = os.urandom(3 * 1024 * 1024 + 17)
    r = post("/debug/echo", files={"file": ("x.bin", blob,
                                            "application/octet-stream")},
             data={"w": "Main"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == {"file": len(blob), "w": "Main"}


# -- request ids ---------------------------------------------------------

def test_request_ids_differ_across_statuses_and_reach_the_log():
    ids = []
    for method, path in (("GET", "/healthz"), ("GET", "/nope"),
                         ("POST", "/healthz"), ("GET", "/?a=%zz"),
                         ("GET", "/api/v1/nope"), ("GET", "/healthz")):
        r = raw(method, path, body=b"" if method == "POST" else None)
        ids.append(assert_request_id(r, (method, path)))
    assert len(set(ids)) == len(ids), ids
    # A client-sent X-Request-Id does not replace nginx's id.
    r = get("/healthz", headers={"X-Request-Id": "a" * 32})
    assert r.headers["X-Request-Id"] != "a" * 32
    # The slow-request log line carries the id the client saw.
    off = log_size()
    r = get("/debug/sleep?ms=1100")
    assert r.status_code == 200
    rid = r.headers["X-Request-Id"]
    deadline = time.monotonic() + 3
    while rid not in log_since(off) and time.monotonic() < deadline:
        time.sleep(0.1)
    line = [l for l in log_since(off).splitlines() if rid in l]
    assert line and "slow request: GET /debug/sleep?ms=1100" in line[0], line


# -- backroomd without nginx ---------------------------------------------

def _fcgi_record(kind, content):
    out = b""
    for i in range(0, len(content), 65535):
        chunk = content[i:i + 65535]
        pad = (-len(chunk)) % 8
        out += struct.pack(">BBHHBB", 1, kind, 1, len(chunk), pad, 0)
        out += chunk + b"\0" * pad
    return out + struct.pack(">BBHHBB", 1, kind, 1, 0, 0, 0)


def _fcgi_pair(k, v):
    def ln(n):
        return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
    k, v = k.encode(), v.encode()
    return ln(len(k)) + ln(len(v)) + k + v


def fcgi_request(params, body=b"", send_stdin=True):
    """One FastCGI request straight to backroomd's socket; returns
    (status, headers dict, body)."""
    listen = re.search(r"^listen\s*=\s*(\S+)", open(CONF).read(), re.M)
    assert listen, "no listen line in " + CONF
    addr = listen.group(1)
    if addr.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = addr
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.socket(socket.AF_INET6 if host.startswith("[")
                          else socket.AF_INET, socket.SOCK_STREAM)
        target = (host.strip("[]"), int(port))
    s.settimeout(10)
    try:
        s.connect(target)
        msg = struct.pack(">BBHHBB", 1, 1, 1, 8, 0, 0) + \
            struct.pack(">HB5x", 1, 0)
        msg += _fcgi_record(4, b"".join(_fcgi_pair(k, v)
                                        for k, v in params.items()))
        if send_stdin:
            msg += _fcgi_record(5, body)
        s.sendall(msg)
        out = b""
        while True:
            h = s.recv(8, socket.MSG_WAITALL)
            if len(h) < 8:
                break
            _, kind, _, clen, plen, _ = struct.unpack(">BBHHBB", h)
            c = s.recv(clen + plen, socket.MSG_WAITALL)[:clen] \
                if clen + plen else b""
            if kind == 6:
                out += c
            elif kind == 3:
                break
    finally:
        s.close()
    head, _, payload = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(l.split(": ", 1) for l in lines if ": " in l)
    return int(headers["Status"].split()[0]), headers, payload


def fcgi_params(method, uri, remote="127.0.0.1", **extra):
    path, _, query = uri.partition("?")
    p = {"REQUEST_METHOD": method, "REQUEST_URI": uri, "DOCUMENT_URI": path,
         "QUERY_STRING": query, "REMOTE_ADDR": remote, "REMOTE_PORT": "5555",
         "REQUEST_ID": "f" * 32, "SERVER_PROTOCOL": "HTTP/1.1",
         "CONTENT_TYPE": "", "CONTENT_LENGTH": ""}
    p.update(extra)
    return p


@pytest.mark.parametrize("uri", ["/status", "/status?text", "/metrics",
                                 "/debug/sleep?ms=1"])
def test_backroomd_itself_keeps_ops_routes_loopback_only(uri):
    st, h, _ = fcgi_request(fcgi_params("GET", uri, remote="192.0.2.7"))
    assert st == 403, uri
    assert h["X-Request-Id"] == "f" * 32
    st, _, _ = fcgi_request(fcgi_params("GET", uri))
    assert st == 200, uri


def test_backroomd_itself_caps_the_body_before_reading_it():
    """Without nginx in front, a declared length over max_body_size is
    refused at once, without waiting for a body that never comes."""
    t0 = time.monotonic()
    st, h, body = fcgi_request(fcgi_params(
        "POST", "/debug/echo", CONTENT_TYPE=FORM["Content-Type"],
        CONTENT_LENGTH=str(MAX_BODY + 1)), send_stdin=False)
    assert time.monotonic() - t0 < 3
    assert st == 413
    assert h["Content-Type"] == "application/problem+json"
    assert json.loads(body)["status"] == 413
    # A body shorter than its declared length: 400, not a hang or a 500.
    st, _, body = fcgi_request(fcgi_params(
        "POST", "/api/v1/debug/echo/x", CONTENT_TYPE="application/json",
        CONTENT_LENGTH="10"), body=b"[1]")
    assert st == 400
    assert json.loads(body)["status"] == 400
