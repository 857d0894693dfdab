"""app/data/openapi.json against the route table and the served copy.

The set of (method, path) in the document must equal the set of API routes
in `backroomd routes`, both ways: every route whose pattern starts with
/api/v1/, HEAD left out (the router serves it from GET), /api/v1/debug/*
left out (test-only, loopback).  /api/v1/openapi.json itself is a route
and is documented too (as public: `security: []`).  The document must be
served as is, without authentication, at GET /api/v1/openapi.json; its
permissions (x-permission), public flags, parameters, problem responses
and Idempotency-Key headers are checked against the routes and the
contract."""
import json
import os
import re
import subprocess

import pytest
import requests

from conftest import BACKROOMD, BASE, CERT, ROOT

DOC_PATH = os.path.join(ROOT, "app", "data", "openapi.json")
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head",
                "trace")


def load_doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return json.load(f)


def routes():
    p = subprocess.run([BACKROOMD, "routes"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def api_routes():
    """{(METHOD, pattern): route} of the documented kind."""
    out = {}
    for r in routes():
        pat = r["pattern"]
        if not pat.startswith("/api/v1/") or pat.startswith("/api/v1/debug/"):
            continue
        for m in r["methods"]:
            if m != "HEAD":
                out[(m, pat)] = r
    return out


def doc_ops(doc):
    """{(METHOD, path): operation}."""
    return {(m.upper(), path): item[m]
            for path, item in doc["paths"].items()
            for m in HTTP_METHODS if m in item}


def resolve(doc, obj):
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), ref
        cur = doc
        for part in ref[2:].split("/"):
            assert part in cur, ("dangling $ref", ref)
            cur = cur[part]
        obj = cur
        seen += 1
        assert seen < 20, "ref loop"
    return obj


def params_of(doc, path_item, op):
    ps = [resolve(doc, p) for p in path_item.get("parameters", [])]
    ps += [resolve(doc, p) for p in op.get("parameters", [])]
    return ps


def test_routes_and_document_agree_both_ways():
    want, have = set(api_routes()), set(doc_ops(load_doc()))
    assert want, "no /api/v1 routes"
    assert sorted(want - have) == [], "routes missing from openapi.json"
    assert sorted(have - want) == [], "documented but not routed"


def test_document_is_served_publicly_as_is():
    r = requests.get(BASE + "/api/v1/openapi.json", verify=CERT, timeout=10)
    assert r.status_code == 200, r.text[:300]
    assert r.headers.get("Content-Type", "").split(";")[0].strip() in (
        "application/json", "application/vnd.oai.openapi+json"), \
        r.headers.get("Content-Type")
    assert r.json() == load_doc()
    # No token is needed; a bad one may be refused (401) or ignored, but
    # is never a server error.
    r2 = requests.get(BASE + "/api/v1/openapi.json", verify=CERT, timeout=10,
                      headers={"Authorization": "Bearer brt_" + "0" * 64})
    assert r2.status_code in (200, 401), r2.status_code


def test_openapi_route_is_public_and_documented_so():
    rt = api_routes()[("GET", "/api/v1/openapi.json")]
    assert rt["public"] is True, rt
    op = doc_ops(load_doc())[("GET", "/api/v1/openapi.json")]
    assert op.get("security") == [], op


def test_document_shape():
    doc = load_doc()
    assert doc["openapi"].startswith("3.1"), doc["openapi"]
    assert doc["info"]["title"] and doc["info"]["version"]
    sch = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (sch["type"], sch["scheme"]) == ("http", "bearer")
    assert doc["security"] == [{"bearerAuth": []}]
    # Every $ref anywhere resolves.

    def walk(o):
        if isinstance(o, dict):
            if "$ref" in o:
                resolve(doc, o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(doc)
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return
    validate(doc)


def test_security_matches_the_public_flags():
    doc, rts = load_doc(), api_routes()
    for key, op in doc_ops(doc).items():
        public = rts[key]["public"]
        assert (op.get("security") == []) == public, (key, op.get("security"))


def test_permissions_match_the_route_table():
    doc, rts = load_doc(), api_routes()
    for key, op in doc_ops(doc).items():
        rt = rts[key]
        if rt["public"]:
            continue
        assert op.get("x-permission") == rt["perm"], \
            (key, op.get("x-permission"), rt["perm"])


# The contract's permissions (what the route table must say, too).
CONTRACT_PERMS = {
    ("POST", "/api/v1/warehouses"): "warehouses.manage",
    ("PUT", "/api/v1/warehouses/{id}"): "warehouses.manage",
    ("POST", "/api/v1/suppliers"): "suppliers.manage",
    ("PUT", "/api/v1/suppliers/{id}"): "suppliers.manage",
    ("POST", "/api/v1/products"): "products.manage",
    ("PUT", "/api/v1/products/{id}"): "products.manage",
    ("POST", "/api/v1/products/{id}/archive"): "products.manage",
    ("POST", "/api/v1/movements"): "stock.move",
    ("POST", "/api/v1/orders"): "orders.draft",
    ("POST", "/api/v1/orders/{id}/confirm"): "orders.manage",
    ("POST", "/api/v1/orders/{id}/ship"): "orders.manage",
    ("POST", "/api/v1/orders/{id}/cancel"): "orders.manage",
    ("POST", "/api/v1/purchase-orders"): "purchasing.manage",
    ("POST", "/api/v1/purchase-orders/{id}/order"): "purchasing.manage",
    ("POST", "/api/v1/purchase-orders/{id}/receive"): "purchasing.manage",
    ("POST", "/api/v1/purchase-orders/{id}/cancel"): "purchasing.manage",
    ("POST", "/api/v1/reorder-suggestions/purchase-orders"):
        "purchasing.manage",
}
CONTRACT_GETS = ["/api/v1/warehouses", "/api/v1/warehouses/{id}",
                 "/api/v1/suppliers", "/api/v1/suppliers/{id}",
                 "/api/v1/products", "/api/v1/products/{id}", "/api/v1/stock",
                 "/api/v1/movements", "/api/v1/orders", "/api/v1/orders/{id}",
                 "/api/v1/purchase-orders", "/api/v1/purchase-orders/{id}",
                 "/api/v1/reorder-suggestions"]


@pytest.mark.parametrize("key", sorted(CONTRACT_PERMS) +
                         [("GET", p) for p in CONTRACT_GETS])
def test_route_table_has_the_contract_routes_and_permissions(key):
    rts = api_routes()
    assert key in rts, key
    want = CONTRACT_PERMS.get(key, "read")
    assert rts[key]["perm"] == want, (key, rts[key]["perm"], want)
    assert rts[key]["public"] is False and rts[key]["api"] is True, rts[key]


def test_path_parameters_declared():
    doc = load_doc()
    for path, item in doc["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for m in HTTP_METHODS:
            if m not in item:
                continue
            declared = {p["name"] for p in params_of(doc, item, item[m])
                        if p["in"] == "path"}
            assert declared == names, (m, path, declared, names)
            for p in params_of(doc, item, item[m]):
                if p["in"] == "path":
                    assert p["required"] is True, (path, p)


def test_every_post_takes_an_idempotency_key():
    doc = load_doc()
    for path, item in doc["paths"].items():
        if "post" not in item:
            continue
        hdrs = [p for p in params_of(doc, item, item["post"])
                if p["in"] == "header"]
        assert [p["name"] for p in hdrs] == ["Idempotency-Key"], path
        assert hdrs[0]["schema"]["maxLength"] == 100, path
        assert hdrs[0]["schema"]["minLength"] == 1, path


def test_errors_are_problem_json_and_bodies_are_json():
    doc = load_doc()
    for (method, path), op in doc_ops(doc).items():
        responses = op["responses"]
        assert responses, (method, path)
        ok = [c for c in responses if c.startswith("2")]
        assert len(ok) == 1, (method, path, ok)
        for code, resp in responses.items():
            resp = resolve(doc, resp)
            assert resp.get("description"), (method, path, code)
            if code[0] in "45":
                assert list(resp["content"]) == ["application/problem+json"], \
                    (method, path, code)
            else:
                assert "application/json" in resp["content"], (method, path)
        if path.startswith("/api/v1/openapi.json"):
            continue
        assert "401" in responses, (method, path)
        if "requestBody" in op:
            body = resolve(doc, op["requestBody"])
            assert body["required"] is True
            assert list(body["content"]) == ["application/json"], path
            for code in ("400", "413", "415", "422"):
                assert code in responses, (method, path, code)
        if "{id}" in path:
            assert "404" in responses, (method, path)


def test_creations_answer_201_with_location():
    doc = load_doc()
    for path in ("/api/v1/warehouses", "/api/v1/suppliers", "/api/v1/products",
                 "/api/v1/orders", "/api/v1/purchase-orders"):
        resp = resolve(doc, doc["paths"][path]["post"]["responses"]["201"])
        assert "Location" in resp.get("headers", {}), path
    for path in ("/api/v1/movements",
                 "/api/v1/reorder-suggestions/purchase-orders"):
        assert "201" in doc["paths"][path]["post"]["responses"], path
