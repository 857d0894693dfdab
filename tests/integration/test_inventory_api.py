"""The inventory JSON API (/api/v1) over HTTPS against its contract:
warehouses, suppliers, products (optimistic locking), stock, the movement
ledger, sales orders, purchase orders, reorder suggestions, Idempotency-Key,
permissions and token scopes, and bad input of every kind.  Every refused
request is also checked against the database: the inventory tables are
exactly as they were.  The concurrency tests race confirmations (no
oversell, no deadlock surfacing, no 5xx) and idempotent retries, and run
`backroomd check` afterwards.

Each test makes its own warehouses, suppliers and products (unique codes),
so the tests do not depend on each other or on what is already stored."""
import concurrent.futures as cf
import random
import re
import threading

import pytest
import requests

from conftest import BASE, CERT
from inventory_util import (Unchanged, assert_check, check, client, is_problem,
                            ledger, mgr, order, problem, product,
                            purchase_order, receive, sql, sql_int, sql_rows,
                            stock_row, supplier, uniq, warehouse)

MISSING = object()          # "leave the field out" in parametrized bodies
BIG = 10 ** 12              # price/cost cap
NOT_THERE = 9_000_000_001   # an id no test creates


STOCK_KEYS = ("warehouse_id", "on_hand", "reserved", "available")
ORDER_LINE_KEYS = ("line_no", "product_id", "qty", "price_cents")
PO_LINE_KEYS = ("line_no", "product_id", "qty", "received", "cost_cents")
SHORT_KEYS = ("line_no", "product_id", "requested", "available")


def pick(d, keys):
    """The contract's keys of d (more may be there); a missing one shows
    as "<missing>"."""
    return {k: d.get(k, "<missing>") for k in keys}


def with_field(body, field, value):
    b = dict(body)
    if value is MISSING:
        b.pop(field, None)
    else:
        b[field] = value
    return b


def location_path(r):
    loc = r.headers.get("Location")
    assert loc, ("no Location", r.status_code, r.text[:300])
    return loc[len(BASE):] if loc.startswith(BASE) else loc


def unknown_ref(r, field):
    """A body naming an id that does not exist: 404, or 422 naming the
    field (the contract says "must exist" for some, "404" for ids in
    general)."""
    assert r.status_code in (404, 422), (r.status_code, r.text[:500])
    problem(r, r.status_code, field if r.status_code == 422 else None)


def bad_query(r):
    assert r.status_code in (400, 422), (r.status_code, r.text[:300])
    problem(r, r.status_code)


# == authentication, scopes, roles ===========================================

def test_no_token_is_401_with_www_authenticate():
    r = requests.get(BASE + "/api/v1/products", verify=CERT, timeout=10)
    problem(r, 401)
    assert "Bearer" in r.headers.get("WWW-Authenticate", "")


def test_bad_token_is_401():
    r = requests.get(BASE + "/api/v1/products", verify=CERT, timeout=10,
                     headers={"Authorization": "Bearer brt_" + "0" * 64})
    problem(r, 401)


def test_read_scope_allows_get_only():
    c = client("manager", ("read",))
    assert c.get("/products", params={"limit": 1}).status_code == 200
    assert c.get("/warehouses").status_code == 200
    with Unchanged("read-scope POST"):
        problem(c.post("/warehouses", {"code": uniq("W"), "name": "x"}), 403)
        problem(c.post("/suppliers", {"name": uniq("S")}), 403)


def test_viewer_may_read_but_not_write():
    v = client("viewer")
    w, p = warehouse(), product()
    for path in ("/warehouses", "/suppliers", "/products", "/stock",
                 "/movements", "/orders", "/purchase-orders",
                 "/reorder-suggestions", "/products/%d" % p["id"]):
        assert v.get(path).status_code == 200, path
    with Unchanged("viewer writes"):
        problem(v.post("/movements", {"kind": "receipt", "product_id": p["id"],
                                      "warehouse_id": w["id"], "qty": 1}), 403)
        problem(v.post("/orders", {"customer": "c", "warehouse_id": w["id"],
                                   "lines": [{"product_id": p["id"], "qty": 1}]}),
                403)
        problem(v.post("/products", {"sku": uniq("V-"), "name": "x"}), 403)
        problem(v.post("/warehouses", {"code": uniq("W"), "name": "x"}), 403)


def test_clerk_moves_stock_and_drafts_orders_but_manages_nothing():
    c = client("clerk")
    w, p, s = warehouse(), product(), supplier()
    c.ok("POST", "/movements", {"kind": "receipt", "product_id": p["id"],
                                "warehouse_id": w["id"], "qty": 5}, 201)
    o = order(w["id"], [(p["id"], 1)], c=c)
    assert o["status"] == "draft"
    with Unchanged("clerk managing"):
        problem(c.post("/orders/%d/confirm" % o["id"]), 403)
        problem(c.post("/orders/%d/cancel" % o["id"]), 403)
        problem(c.post("/products", {"sku": uniq("C-"), "name": "x"}), 403)
        problem(c.put("/products/%d" % p["id"], dict(p, name="y")), 403)
        problem(c.post("/products/%d/archive" % p["id"]), 403)
        problem(c.post("/suppliers", {"name": uniq("S")}), 403)
        problem(c.put("/warehouses/%d" % w["id"], {"code": w["code"],
                                                   "name": "y", "active": True}),
                403)
        problem(c.post("/purchase-orders", {
            "supplier_id": s["id"], "warehouse_id": w["id"],
            "lines": [{"product_id": p["id"], "qty": 1}]}), 403)
        problem(c.post("/reorder-suggestions/purchase-orders", {
            "items": [{"product_id": p["id"], "warehouse_id": w["id"]}]}), 403)


# == warehouses ===============================================================

def test_warehouse_create_get_update_list():
    m = mgr()
    code = uniq("W")
    r = m.post("/warehouses", {"code": code, "name": "Harbour store"})
    assert r.status_code == 201, r.text
    w = r.json()
    assert location_path(r) == "/api/v1/warehouses/%d" % w["id"]
    assert (w["code"], w["name"], w["active"]) == (code, "Harbour store", True)
    assert isinstance(w["id"], int)
    g = m.ok("GET", location_path(r))
    assert {k: g[k] for k in ("id", "code", "name", "active")} == \
        {k: w[k] for k in ("id", "code", "name", "active")}

    code2 = uniq("X")
    u = m.ok("PUT", "/warehouses/%d" % w["id"],
             {"code": code2, "name": "Harbour store (old)", "active": False})
    assert (u["id"], u["code"], u["name"], u["active"]) == \
        (w["id"], code2, "Harbour store (old)", False)
    assert sql_rows("SELECT code, name, active FROM warehouses WHERE id = %d"
                    % w["id"]) == [(code2, "Harbour store (old)", "0")]
    listed = {x["id"]: x for x in m.items("/warehouses")}
    assert listed[w["id"]]["code"] == code2


def test_warehouse_boundaries_accepted():
    code = uniq("W") + "A" * 9
    assert len(code) == 20
    w = warehouse(code=code, name="n" * 100)
    assert (w["code"], w["name"]) == (code, "n" * 100)


@pytest.mark.parametrize("field,value", [
    ("code", ""), ("code", "C" * 21), ("code", MISSING), ("code", 12),
    ("code", None), ("name", ""), ("name", "n" * 101), ("name", MISSING),
    ("name", ["x"]),
])
def test_warehouse_create_validation(field, value):
    body = with_field({"code": uniq("W"), "name": "Valid"}, field, value)
    with Unchanged("warehouse %s=%r" % (field, value)):
        problem(mgr().post("/warehouses", body), 422, field)


def test_warehouse_duplicate_code_is_422():
    w = warehouse()
    with Unchanged("duplicate code"):
        problem(mgr().post("/warehouses", {"code": w["code"], "name": "x"}),
                422, "code")


@pytest.mark.parametrize("field,value", [
    ("code", ""), ("name", "n" * 101), ("active", "yes"), ("active", MISSING),
    ("code", MISSING), ("name", MISSING), ("active", None),
])
def test_warehouse_update_validation(field, value):
    """PUT carries the whole warehouse: a field left out is a 422, not a
    reset to its default."""
    w = warehouse()
    body = with_field({"code": w["code"], "name": "Renamed", "active": True},
                      field, value)
    with Unchanged("warehouse update %s=%r" % (field, value)):
        problem(mgr().put("/warehouses/%d" % w["id"], body), 422, field)


# == suppliers ================================================================

def test_supplier_create_defaults_get_update_list():
    m = mgr()
    name = "Supplier " + uniq("")
    r = m.post("/suppliers", {"name": name})
    assert r.status_code == 201, r.text
    s = r.json()
    assert (s["name"], s["lead_time_days"], s["active"]) == (name, 7, True)
    assert s["email"] in ("", None)
    g = m.ok("GET", "/suppliers/%d" % s["id"])
    assert (g["id"], g["name"], g["lead_time_days"]) == (s["id"], name, 7)

    u = m.ok("PUT", "/suppliers/%d" % s["id"], {
        "name": name + " Ltd", "email": "buy@example.com",
        "lead_time_days": 365, "active": False})
    assert (u["name"], u["email"], u["lead_time_days"], u["active"]) == \
        (name + " Ltd", "buy@example.com", 365, False)
    listed = {x["id"]: x for x in m.items("/suppliers")}
    assert listed[s["id"]]["name"] == name + " Ltd"
    s0 = supplier(lead_time_days=0)
    assert s0["lead_time_days"] == 0


@pytest.mark.parametrize("field,value", [
    ("name", ""), ("name", "n" * 101), ("name", MISSING), ("name", 5),
    ("lead_time_days", -1), ("lead_time_days", 366), ("lead_time_days", "7"),
    ("lead_time_days", 1.5), ("email", 5),
])
def test_supplier_create_validation(field, value):
    body = with_field({"name": "Supplier " + uniq(""), "lead_time_days": 3},
                      field, value)
    with Unchanged("supplier %s=%r" % (field, value)):
        problem(mgr().post("/suppliers", body), 422, field)


@pytest.mark.parametrize("field,value", [
    ("name", MISSING), ("email", MISSING), ("lead_time_days", MISSING),
    ("active", MISSING), ("name", ""), ("lead_time_days", -1),
    ("active", "no"),
])
def test_supplier_update_validation(field, value):
    """PUT carries the whole supplier: a field left out is a 422, not a
    reset to its default."""
    s = supplier(lead_time_days=12, email="keep@example.com")
    body = with_field({"name": s["name"], "email": "keep@example.com",
                       "lead_time_days": 12, "active": True}, field, value)
    with Unchanged("supplier put %s=%r" % (field, value)):
        problem(mgr().put("/suppliers/%d" % s["id"], body), 422, field)


def test_supplier_duplicate_name_and_update_validation():
    s, s2 = supplier(), supplier()
    with Unchanged("supplier dup"):
        problem(mgr().post("/suppliers", {"name": s["name"]}), 422, "name")
        problem(mgr().put("/suppliers/%d" % s2["id"], {
            "name": s["name"], "email": "", "lead_time_days": 1,
            "active": True}), 422, "name")
        problem(mgr().put("/suppliers/%d" % s2["id"], {
            "name": s2["name"], "email": "", "lead_time_days": 366,
            "active": True}), 422, "lead_time_days")


# == products =================================================================

PRODUCT_KEYS = ("id", "sku", "name", "description", "unit", "price_cents",
                "cost_cents", "reorder_point", "reorder_qty", "supplier_id",
                "active", "version")


def test_product_create_get_with_stock():
    m, s, w = mgr(), supplier(), warehouse()
    body = {"sku": uniq("BR-"), "name": "Brass hinge 75 mm",
            "description": "Solid brass, pair", "unit": "pair",
            "price_cents": 1299, "cost_cents": 650, "reorder_point": 12,
            "reorder_qty": 48, "supplier_id": s["id"]}
    r = m.post("/products", body)
    assert r.status_code == 201, r.text
    p = r.json()
    assert location_path(r) == "/api/v1/products/%d" % p["id"]
    for k in PRODUCT_KEYS:
        assert k in p, (k, p)
    assert {k: p[k] for k in body} == body
    assert (p["active"], p["version"]) == (True, 1)

    g = m.ok("GET", "/products/%d" % p["id"])
    assert {k: g[k] for k in PRODUCT_KEYS} == {k: p[k] for k in PRODUCT_KEYS}
    assert isinstance(g["stock"], list)
    assert all(x["on_hand"] == 0 for x in g["stock"])

    receive(p["id"], w["id"], 30)
    g = m.ok("GET", "/products/%d" % p["id"])
    st = [pick(x, STOCK_KEYS) for x in g["stock"]
          if x["warehouse_id"] == w["id"]]
    assert st == [{"warehouse_id": w["id"], "on_hand": 30, "reserved": 0,
                   "available": 30}], g["stock"]


def test_product_defaults():
    p = mgr().ok("POST", "/products", {"sku": uniq("D-"), "name": "Plain"}, 201)
    assert (p["unit"], p["description"], p["price_cents"], p["cost_cents"],
            p["reorder_point"], p["reorder_qty"], p["supplier_id"],
            p["active"], p["version"]) == ("pcs", "", 0, 0, 0, 0, None, True, 1)


def test_product_boundaries_accepted():
    sku = (uniq("b.") + "_-" + "Z" * 40)[:40]
    p = product(sku=sku, name="n" * 200, description="d" * 4000,
                unit="u" * 20, price_cents=BIG, cost_cents=BIG,
                reorder_point=10 ** 9, reorder_qty=10 ** 9)
    assert (p["sku"], len(p["name"]), len(p["description"]), p["unit"],
            p["price_cents"], p["cost_cents"], p["reorder_point"],
            p["reorder_qty"]) == (sku, 200, 4000, "u" * 20, BIG, BIG,
                                  10 ** 9, 10 ** 9)


@pytest.mark.parametrize("field,value", [
    ("sku", ""), ("sku", "S" * 41), ("sku", "has space"), ("sku", "slash/x"),
    ("sku", "caf\u00e9"), ("sku", MISSING), ("sku", 12),
    ("name", ""), ("name", "n" * 201), ("name", MISSING), ("name", None),
    ("description", "d" * 4001), ("description", 3),
    ("unit", ""), ("unit", "u" * 21), ("unit", 1),
    ("price_cents", -1), ("price_cents", BIG + 1), ("price_cents", "100"),
    ("price_cents", 1.5), ("price_cents", True),
    ("cost_cents", -1), ("cost_cents", BIG + 1), ("cost_cents", "1"),
    ("reorder_point", -1), ("reorder_point", 10 ** 9 + 1),
    ("reorder_point", "5"),
    ("reorder_qty", -1), ("reorder_qty", 10 ** 9 + 1), ("reorder_qty", 2.5),
    ("supplier_id", NOT_THERE), ("supplier_id", "1"), ("supplier_id", -1),
])
def test_product_create_validation(field, value):
    s = supplier()
    body = with_field({"sku": uniq("V-"), "name": "Valid", "unit": "pcs",
                       "price_cents": 100, "cost_cents": 50,
                       "reorder_point": 1, "reorder_qty": 2,
                       "supplier_id": s["id"]}, field, value)
    with Unchanged("product %s=%r" % (field, value)):
        problem(mgr().post("/products", body), 422, field)


def test_product_duplicate_sku_is_422_already_exists():
    p = product()
    with Unchanged("duplicate sku"):
        pr = problem(mgr().post("/products", {"sku": p["sku"], "name": "x"}),
                     422, "sku")
    assert "exist" in pr["errors"]["sku"].lower(), pr


def product_put_body(p, **over):
    b = {k: p[k] for k in PRODUCT_KEYS if k != "id"}
    b.update(over)
    return b


def test_product_update_and_stale_version_409_with_current():
    m, s = mgr(), supplier()
    p = product()
    u = m.ok("PUT", "/products/%d" % p["id"], product_put_body(
        p, name="Renamed", price_cents=2000, supplier_id=s["id"],
        description="now with a supplier"))
    assert (u["id"], u["name"], u["price_cents"], u["supplier_id"],
            u["version"]) == (p["id"], "Renamed", 2000, s["id"], 2)
    assert sql_rows("SELECT name, price_cents, version FROM products WHERE "
                    "id = %d" % p["id"]) == [("Renamed", "2000", "2")]

    with Unchanged("stale version"):
        r = m.put("/products/%d" % p["id"], product_put_body(
            p, name="Lost update", version=1))
        pr = problem(r, 409)
    cur = pr.get("current")
    assert isinstance(cur, dict), pr
    assert (cur["id"], cur["name"], cur["price_cents"], cur["version"]) == \
        (p["id"], "Renamed", 2000, 2), cur

    u3 = m.ok("PUT", "/products/%d" % p["id"], product_put_body(
        u, active=False))
    assert (u3["active"], u3["version"]) == (False, 3)


@pytest.mark.parametrize("field,value", [
    ("version", MISSING), ("version", "1"), ("price_cents", -1),
    ("name", ""), ("sku", "bad sku"), ("supplier_id", NOT_THERE),
    ("reorder_qty", -5), ("active", "true"),
] + [(f, MISSING) for f in PRODUCT_KEYS if f not in ("id", "version")])
def test_product_update_validation(field, value):
    """PUT carries all the product's fields and the version: one left out
    is a 422 (never a silent reset of, say, the price to 0)."""
    # (No reorder point: a product with one is suggested in every
    # warehouse, which would only lengthen the reorder list.)
    p = product(description="keep me", unit="box", reorder_point=0,
                reorder_qty=9, supplier_id=supplier()["id"])
    with Unchanged("product put %s=%r" % (field, value)):
        problem(mgr().put("/products/%d" % p["id"],
                          with_field(product_put_body(p), field, value)),
                422, field)


def test_product_update_to_another_products_sku_is_422():
    p, q = product(), product()
    with Unchanged("put dup sku"):
        problem(mgr().put("/products/%d" % q["id"],
                          product_put_body(q, sku=p["sku"])), 422, "sku")


def test_product_archive_and_active_filter():
    m = mgr()
    tag = uniq("arch")
    p = product(sku=tag + "-1")
    keep = product(sku=tag + "-2")
    r = m.post("/products/%d/archive" % p["id"])
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False
    assert m.ok("GET", "/products/%d" % p["id"])["active"] is False
    act = {x["id"] for x in m.items("/products", {"q": tag, "active": "true"})}
    arch = {x["id"] for x in m.items("/products", {"q": tag, "active": "false"})}
    assert act == {keep["id"]} and arch == {p["id"]}


def test_product_list_filters_and_cursor_paging():
    m, s = mgr(), supplier()
    tag = uniq("PG")
    ids = [product(sku="%s-%d" % (tag, i),
                   supplier_id=s["id"] if i < 3 else None)["id"]
           for i in range(5)]
    word = uniq("Zq")
    named = product(name="Heavy %s clamp" % word)
    got = m.items("/products", {"q": tag})
    assert sorted(x["id"] for x in got) == sorted(ids)
    for x in got:
        for k in PRODUCT_KEYS:
            assert k in x, (k, x)
    assert [x["id"] for x in m.items("/products", {"q": word})] == [named["id"]]
    # A SKU matches by prefix only (these names do not contain tag[2:]).
    assert not {x["id"] for x in m.items("/products", {"q": tag[2:]})} & \
        set(ids)
    assert sorted(x["id"] for x in m.items("/products",
                                          {"supplier_id": s["id"]})) == ids[:3]
    # Paging by 2: three pages, every product once, then null.
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": tag, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        j = m.ok("GET", "/products", params=params)
        pages += 1
        assert len(j["items"]) <= 2
        seen += [x["id"] for x in j["items"]]
        cursor = j["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
        assert pages < 10
    assert sorted(seen) == sorted(ids) and len(seen) == 5 and pages >= 3


@pytest.mark.parametrize("path", ["/products", "/warehouses", "/suppliers",
                                  "/stock", "/movements", "/orders",
                                  "/purchase-orders"])
@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "201"},
                                    {"limit": "ten"}, {"limit": "-1"},
                                    {"cursor": "!!not-a-cursor!!"}])
def test_list_bad_limit_or_cursor(path, params):
    bad_query(mgr().get(path, params=params))


def test_list_limit_200_is_fine():
    j = mgr().ok("GET", "/products", params={"limit": 200})
    assert len(j["items"]) <= 200 and "next_cursor" in j


@pytest.mark.parametrize("params", [{"active": "maybe"},
                                    {"supplier_id": "abc"}])
def test_products_bad_filter(params):
    bad_query(mgr().get("/products", params=params))


# == unknown ids ==============================================================

@pytest.mark.parametrize("method,path,body", [
    ("GET", "/warehouses/%d", None),
    ("PUT", "/warehouses/%d", {"code": "NOPE1", "name": "x", "active": True}),
    ("GET", "/suppliers/%d", None),
    ("PUT", "/suppliers/%d", {"name": "Nope supplier", "email": "",
                              "lead_time_days": 1, "active": True}),
    ("GET", "/products/%d", None),
    ("PUT", "/products/%d", {"sku": "NOPE-1", "name": "x", "description": "",
                             "unit": "pcs", "price_cents": 1, "cost_cents": 1,
                             "reorder_point": 0, "reorder_qty": 0,
                             "supplier_id": None, "active": True,
                             "version": 1}),
    ("POST", "/products/%d/archive", None),
    ("GET", "/orders/%d", None),
    ("POST", "/orders/%d/confirm", None),
    ("POST", "/orders/%d/ship", None),
    ("POST", "/orders/%d/cancel", None),
    ("GET", "/purchase-orders/%d", None),
    ("POST", "/purchase-orders/%d/order", None),
    ("POST", "/purchase-orders/%d/receive", {"lines": [{"line_no": 1,
                                                        "qty": 1}]}),
    ("POST", "/purchase-orders/%d/cancel", None),
])
def test_unknown_id_is_404(method, path, body):
    with Unchanged("%s %s" % (method, path)):
        problem(mgr().req(method, path % NOT_THERE, body), 404)


# == stock and movements ======================================================

def movement_keys(m):
    for k in ("id", "product_id", "warehouse_id", "kind", "qty_delta",
              "balance_after", "reference", "note", "user_id", "created_at"):
        assert k in m, (k, m)


def test_receipt_shipment_and_the_ledger():
    m, w, p = mgr(), warehouse(), product()
    j = m.ok("POST", "/movements", {
        "kind": "receipt", "product_id": p["id"], "warehouse_id": w["id"],
        "qty": 10, "reference": "GRN-1", "note": "first delivery"}, 201)
    assert len(j["movements"]) == 1
    r1 = j["movements"][0]
    movement_keys(r1)
    assert (r1["product_id"], r1["warehouse_id"], r1["kind"], r1["qty_delta"],
            r1["balance_after"], r1["reference"], r1["note"],
            r1["user_id"]) == (p["id"], w["id"], "receipt", 10, 10, "GRN-1",
                               "first delivery", m.user_id)
    r2 = m.ok("POST", "/movements", {
        "kind": "shipment", "product_id": p["id"], "warehouse_id": w["id"],
        "qty": 4}, 201)["movements"][0]
    assert (r2["kind"], r2["qty_delta"], r2["balance_after"]) == \
        ("shipment", -4, 6)
    assert stock_row(p["id"], w["id"]) == (6, 0)
    assert ledger(p["id"], w["id"]) == [
        (r1["id"], "receipt", 10, 10, "GRN-1"), (r2["id"], "shipment", -4, 6, "")]
    lst = m.items("/movements", {"product_id": p["id"], "warehouse_id": w["id"]})
    assert [x["id"] for x in lst] == [r2["id"], r1["id"]]
    assert [x["id"] for x in m.items("/movements", {
        "product_id": p["id"], "kind": "receipt"})] == [r1["id"]]
    st = m.items("/stock", {"product_id": p["id"], "warehouse_id": w["id"]})
    assert st == [{"product_id": p["id"], "sku": p["sku"],
                   "warehouse_id": w["id"], "on_hand": 6, "reserved": 0,
                   "available": 6}], st
    assert_check()


def test_movements_newest_first_with_cursor():
    m, w, p = mgr(), warehouse(), product()
    ids = [receive(p["id"], w["id"], i + 1)["id"] for i in range(5)]
    seen, cursor = [], None
    for _ in range(10):
        params = {"product_id": p["id"], "limit": 2}
        if cursor:
            params["cursor"] = cursor
        j = m.ok("GET", "/movements", params=params)
        seen += [x["id"] for x in j["items"]]
        cursor = j["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_shipment_beyond_available_is_409():
    w, p = warehouse(), product()
    receive(p["id"], w["id"], 10)
    o = order(w["id"], [(p["id"], 4)])
    mgr().ok("POST", "/orders/%d/confirm" % o["id"])
    assert stock_row(p["id"], w["id"]) == (10, 4)
    body = {"kind": "shipment", "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 7}
    with Unchanged("shipment over available"):
        problem(mgr().post("/movements", body), 409)
    mgr().ok("POST", "/movements", dict(body, qty=6), 201)
    assert stock_row(p["id"], w["id"]) == (4, 4)
    with Unchanged("shipment of reserved stock"):
        problem(mgr().post("/movements", dict(body, qty=1)), 409)
    assert_check()


def test_shipment_without_any_stock_is_409():
    w, p = warehouse(), product()
    with Unchanged("shipment from nothing"):
        problem(mgr().post("/movements", {"kind": "shipment",
                                          "product_id": p["id"],
                                          "warehouse_id": w["id"], "qty": 1}),
                409)


def test_transfer_writes_two_ledger_rows():
    m, w1, w2, p = mgr(), warehouse(), warehouse(), product()
    receive(p["id"], w1["id"], 20)
    j = m.ok("POST", "/movements", {
        "kind": "transfer", "product_id": p["id"], "warehouse_id": w1["id"],
        "to_warehouse_id": w2["id"], "qty": 8, "reference": "TR-9"}, 201)
    out, inn = j["movements"]
    assert (out["kind"], out["warehouse_id"], out["qty_delta"],
            out["balance_after"]) == ("transfer_out", w1["id"], -8, 12)
    assert (inn["kind"], inn["warehouse_id"], inn["qty_delta"],
            inn["balance_after"]) == ("transfer_in", w2["id"], 8, 8)
    assert out["id"] < inn["id"]
    assert stock_row(p["id"], w1["id"]) == (12, 0)
    assert stock_row(p["id"], w2["id"]) == (8, 0)
    assert [x[1:] for x in ledger(p["id"], w2["id"])] == \
        [("transfer_in", 8, 8, "TR-9")]
    with Unchanged("transfer over available"):
        problem(m.post("/movements", {
            "kind": "transfer", "product_id": p["id"], "warehouse_id": w1["id"],
            "to_warehouse_id": w2["id"], "qty": 13}), 409)
    assert_check()


def test_adjustment_needs_a_note_and_stays_within_available():
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 10)
    base = {"kind": "adjustment", "product_id": p["id"],
            "warehouse_id": w["id"], "qty": -3}
    with Unchanged("adjustment without note"):
        problem(m.post("/movements", base), 422, "note")
        problem(m.post("/movements", dict(base, note="")), 422, "note")
        problem(m.post("/movements", dict(base, qty=0, note="zero")), 422,
                "qty")
    a = m.ok("POST", "/movements", dict(base, note="Damaged in transit"),
             201)["movements"][0]
    assert (a["kind"], a["qty_delta"], a["balance_after"], a["note"]) == \
        ("adjustment", -3, 7, "Damaged in transit")
    a = m.ok("POST", "/movements", dict(base, qty=5, note="Found at count"),
             201)["movements"][0]
    assert (a["qty_delta"], a["balance_after"]) == (5, 12)
    with Unchanged("adjustment below zero"):
        problem(m.post("/movements", dict(base, qty=-13, note="count")), 409)
    assert stock_row(p["id"], w["id"]) == (12, 0)
    assert_check()


@pytest.mark.parametrize("field,value,kind", [
    ("kind", MISSING, "receipt"), ("kind", "teleport", "receipt"),
    ("kind", "transfer_in", "receipt"), ("kind", 3, "receipt"),
    ("qty", 0, "receipt"), ("qty", -1, "receipt"), ("qty", -1, "shipment"),
    ("qty", -1, "transfer"), ("qty", 10 ** 9 + 1, "receipt"),
    ("qty", "5", "receipt"), ("qty", 1.5, "receipt"), ("qty", MISSING, "receipt"),
    ("qty", 10 ** 9 + 1, "adjustment"), ("qty", -(10 ** 9) - 1, "adjustment"),
    ("product_id", MISSING, "receipt"), ("product_id", "1", "receipt"),
    ("warehouse_id", MISSING, "receipt"), ("warehouse_id", 0, "receipt"),
    ("reference", "r" * 65, "receipt"), ("reference", 5, "receipt"),
    ("note", "n" * 256, "receipt"), ("note", "n" * 256, "adjustment"),
    ("to_warehouse_id", MISSING, "transfer"),
    ("to_warehouse_id", "same", "transfer"),
])
def test_movement_validation(field, value, kind):
    w, w2, p = warehouse(), warehouse(), product()
    receive(p["id"], w["id"], 50)
    body = {"kind": kind, "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 2, "note": "a reason", "reference": "REF"}
    if kind == "transfer":
        body["to_warehouse_id"] = w2["id"]
    if value == "same":
        value = w["id"]
    body = with_field(body, field, value)
    with Unchanged("movement %s %s=%r" % (kind, field, value)):
        problem(mgr().post("/movements", body), 422, field)


@pytest.mark.parametrize("field", ["product_id", "warehouse_id",
                                   "to_warehouse_id"])
def test_movement_unknown_references(field):
    w, w2, p = warehouse(), warehouse(), product()
    receive(p["id"], w["id"], 5)
    body = {"kind": "transfer", "product_id": p["id"], "warehouse_id": w["id"],
            "to_warehouse_id": w2["id"], "qty": 1}
    body[field] = NOT_THERE
    with Unchanged("movement unknown " + field):
        unknown_ref(mgr().post("/movements", body), field)


def test_receipt_upper_bound_accepted():
    w, p = warehouse(), product()
    r = receive(p["id"], w["id"], 10 ** 9)
    assert r["balance_after"] == 10 ** 9


# == sales orders =============================================================

def order_keys(o):
    for k in ("id", "customer", "warehouse_id", "status", "note", "lines",
              "created_at"):
        assert k in o, (k, o)


def test_order_lifecycle_draft_confirm_ship():
    m, w = mgr(), warehouse()
    p1, p2 = product(price_cents=1250), product(price_cents=999)
    receive(p1["id"], w["id"], 10)
    receive(p2["id"], w["id"], 5)
    r = m.post("/orders", {"customer": "Harbor Cafe Ltd", "warehouse_id": w["id"],
                           "note": "Leave at the back door",
                           "lines": [{"product_id": p1["id"], "qty": 3},
                                     {"product_id": p2["id"], "qty": 2}]})
    assert r.status_code == 201, r.text
    o = r.json()
    order_keys(o)
    if r.headers.get("Location"):
        assert location_path(r) == "/api/v1/orders/%d" % o["id"]
    assert (o["customer"], o["warehouse_id"], o["status"], o["note"]) == \
        ("Harbor Cafe Ltd", w["id"], "draft", "Leave at the back door")
    assert [pick(x, ORDER_LINE_KEYS) for x in o["lines"]] == [
        {"line_no": 1, "product_id": p1["id"], "qty": 3, "price_cents": 1250},
        {"line_no": 2, "product_id": p2["id"], "qty": 2, "price_cents": 999}]
    g = m.ok("GET", "/orders/%d" % o["id"])
    order_keys(g)
    assert {k: g[k] for k in ("id", "customer", "warehouse_id", "status",
                              "note", "lines", "created_at")} == \
        {k: o[k] for k in ("id", "customer", "warehouse_id", "status",
                           "note", "lines", "created_at")}
    assert stock_row(p1["id"], w["id"]) == (10, 0)

    r = m.post("/orders/%d/confirm" % o["id"])
    assert r.status_code == 200, r.text
    assert m.ok("GET", "/orders/%d" % o["id"])["status"] == "confirmed"
    assert stock_row(p1["id"], w["id"]) == (10, 3)
    assert stock_row(p2["id"], w["id"]) == (5, 2)
    with Unchanged("confirm twice"):
        problem(m.post("/orders/%d/confirm" % o["id"]), 409)

    r = m.post("/orders/%d/ship" % o["id"])
    assert r.status_code == 200, r.text
    assert m.ok("GET", "/orders/%d" % o["id"])["status"] == "shipped"
    assert stock_row(p1["id"], w["id"]) == (7, 0)
    assert stock_row(p2["id"], w["id"]) == (3, 0)
    assert [x[1:4] for x in ledger(p1["id"], w["id"])] == \
        [("receipt", 10, 10), ("shipment", -3, 7)]
    assert [x[1:4] for x in ledger(p2["id"], w["id"])] == \
        [("receipt", 5, 5), ("shipment", -2, 3)]
    with Unchanged("shipped order"):
        problem(m.post("/orders/%d/ship" % o["id"]), 409)
        problem(m.post("/orders/%d/cancel" % o["id"]), 409)
        problem(m.post("/orders/%d/confirm" % o["id"]), 409)
    assert_check()


def test_order_cancel_releases_and_wrong_states():
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 10)
    d = order(w["id"], [(p["id"], 2)])
    with Unchanged("ship a draft"):
        problem(m.post("/orders/%d/ship" % d["id"]), 409)
    assert m.post("/orders/%d/cancel" % d["id"]).status_code == 200
    assert m.ok("GET", "/orders/%d" % d["id"])["status"] == "cancelled"
    c = order(w["id"], [(p["id"], 6)])
    assert m.post("/orders/%d/confirm" % c["id"]).status_code == 200
    assert stock_row(p["id"], w["id"]) == (10, 6)
    assert m.post("/orders/%d/cancel" % c["id"]).status_code == 200
    assert stock_row(p["id"], w["id"]) == (10, 0)
    assert m.ok("GET", "/orders/%d" % c["id"])["status"] == "cancelled"
    with Unchanged("cancelled order"):
        for action in ("confirm", "ship", "cancel"):
            problem(m.post("/orders/%d/%s" % (c["id"], action)), 409)
    assert_check()


def test_confirm_short_is_409_naming_every_short_line():
    m, w = mgr(), warehouse()
    p1, p2, p3 = product(), product(), product()
    receive(p1["id"], w["id"], 10)
    receive(p2["id"], w["id"], 1)
    o = order(w["id"], [(p1["id"], 5), (p2["id"], 2), (p3["id"], 1)])
    with Unchanged("short confirm"):
        pr = problem(m.post("/orders/%d/confirm" % o["id"]), 409)
    lines = sorted((pick(x, SHORT_KEYS) for x in pr.get("lines") or []),
                   key=lambda x: x["line_no"])
    assert lines == [
        {"line_no": 2, "product_id": p2["id"], "requested": 2, "available": 1},
        {"line_no": 3, "product_id": p3["id"], "requested": 1, "available": 0},
    ], pr
    assert m.ok("GET", "/orders/%d" % o["id"])["status"] == "draft"
    receive(p2["id"], w["id"], 1)
    receive(p3["id"], w["id"], 1)
    assert m.post("/orders/%d/confirm" % o["id"]).status_code == 200
    assert stock_row(p1["id"], w["id"]) == (10, 5)
    assert stock_row(p2["id"], w["id"]) == (2, 2)
    assert stock_row(p3["id"], w["id"]) == (1, 1)
    assert_check()


def test_confirm_counts_other_reservations():
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 5)
    a = order(w["id"], [(p["id"], 4)])
    b = order(w["id"], [(p["id"], 2)])
    assert m.post("/orders/%d/confirm" % a["id"]).status_code == 200
    with Unchanged("short after another reservation"):
        pr = problem(m.post("/orders/%d/confirm" % b["id"]), 409)
    assert [pick(x, SHORT_KEYS) for x in pr["lines"]] == [
        {"line_no": 1, "product_id": p["id"], "requested": 2,
         "available": 1}], pr


def order_body(w, p, **over):
    b = {"customer": "Valid Customer", "warehouse_id": w["id"],
         "note": "ok", "lines": [{"product_id": p["id"], "qty": 1}]}
    b.update(over)
    return b


@pytest.mark.parametrize("case", [
    "customer-empty", "customer-long", "customer-missing", "customer-number",
    "warehouse-missing", "warehouse-string", "note-long", "lines-missing",
    "lines-empty", "lines-101", "lines-not-array", "line-dup", "qty-0",
    "qty-neg", "qty-over", "qty-string", "line-product-missing",
    "line-not-object",
])
def test_order_validation(case):
    w, p, p2 = warehouse(), product(), product()
    ln = [{"product_id": p["id"], "qty": 1}]
    field, body = {
        "customer-empty": ("customer", order_body(w, p, customer="")),
        "customer-long": ("customer", order_body(w, p, customer="c" * 201)),
        "customer-missing": ("customer", with_field(order_body(w, p),
                                                    "customer", MISSING)),
        "customer-number": ("customer", order_body(w, p, customer=7)),
        "warehouse-missing": ("warehouse_id", with_field(
            order_body(w, p), "warehouse_id", MISSING)),
        "warehouse-string": ("warehouse_id", order_body(
            w, p, warehouse_id=str(w["id"]))),
        "note-long": ("note", order_body(w, p, note="n" * 256)),
        "lines-missing": ("lines*", with_field(order_body(w, p), "lines",
                                               MISSING)),
        "lines-empty": ("lines*", order_body(w, p, lines=[])),
        "lines-101": ("lines*", order_body(w, p, lines=[
            {"product_id": p["id"] + i, "qty": 1} for i in range(101)])),
        "lines-not-array": ("lines*", order_body(w, p, lines=ln[0])),
        "line-dup": ("lines*", order_body(w, p, lines=ln + [
            {"product_id": p2["id"], "qty": 1}, {"product_id": p["id"],
                                                 "qty": 2}])),
        "qty-0": ("lines*", order_body(w, p, lines=[{"product_id": p["id"],
                                                      "qty": 0}])),
        "qty-neg": ("lines*", order_body(w, p, lines=[{"product_id": p["id"],
                                                        "qty": -1}])),
        "qty-over": ("lines*", order_body(w, p, lines=[
            {"product_id": p["id"], "qty": 10 ** 6 + 1}])),
        "qty-string": ("lines*", order_body(w, p, lines=[
            {"product_id": p["id"], "qty": "1"}])),
        "line-product-missing": ("lines*", order_body(w, p, lines=[
            {"qty": 1}])),
        "line-not-object": ("lines*", order_body(w, p, lines=[5])),
    }[case]
    with Unchanged("order " + case):
        problem(mgr().post("/orders", body), 422, field)


def test_order_limits_accepted():
    w = warehouse()
    ps = [product() for _ in range(3)]
    o = order(w["id"], [(ps[0]["id"], 10 ** 6), (ps[1]["id"], 1),
                        (ps[2]["id"], 7)], customer="c" * 200, note="n" * 255)
    assert [x["qty"] for x in o["lines"]] == [10 ** 6, 1, 7]


def test_order_unknown_references():
    w, p = warehouse(), product()
    with Unchanged("order unknown warehouse"):
        unknown_ref(mgr().post("/orders", order_body(
            w, p, warehouse_id=NOT_THERE)), "warehouse_id")
    with Unchanged("order unknown product"):
        r = mgr().post("/orders", order_body(w, p, lines=[
            {"product_id": NOT_THERE, "qty": 1}]))
        assert r.status_code in (404, 422), r.text
        problem(r, r.status_code, "lines*" if r.status_code == 422 else None)


def test_orders_list_status_filter():
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 5)
    d = order(w["id"], [(p["id"], 1)])
    c = order(w["id"], [(p["id"], 1)])
    m.ok("POST", "/orders/%d/confirm" % c["id"])
    conf = m.items("/orders", {"status": "confirmed"})
    assert all(x["status"] == "confirmed" for x in conf)
    ids = {x["id"] for x in conf}
    assert c["id"] in ids and d["id"] not in ids
    drafts = {x["id"] for x in m.items("/orders", {"status": "draft"})}
    assert d["id"] in drafts and c["id"] not in drafts
    bad_query(m.get("/orders", params={"status": "lost"}))


# == purchase orders ==========================================================

def po_keys(o):
    for k in ("id", "supplier_id", "warehouse_id", "status", "note", "lines",
              "created_at"):
        assert k in o, (k, o)


def test_po_lifecycle_with_partial_receipt_and_over_receipt_refused():
    m, s, w = mgr(), supplier(), warehouse()
    p1, p2 = product(cost_cents=700), product(cost_cents=450)
    r = m.post("/purchase-orders", {
        "supplier_id": s["id"], "warehouse_id": w["id"], "note": "urgent",
        "lines": [{"product_id": p1["id"], "qty": 10},
                  {"product_id": p2["id"], "qty": 5, "cost_cents": 400}]})
    assert r.status_code == 201, r.text
    po = r.json()
    po_keys(po)
    assert (po["supplier_id"], po["warehouse_id"], po["status"], po["note"]) \
        == (s["id"], w["id"], "draft", "urgent")
    assert [pick(x, PO_LINE_KEYS) for x in po["lines"]] == [
        {"line_no": 1, "product_id": p1["id"], "qty": 10, "received": 0,
         "cost_cents": 700},
        {"line_no": 2, "product_id": p2["id"], "qty": 5, "received": 0,
         "cost_cents": 400}]
    path = "/purchase-orders/%d" % po["id"]
    with Unchanged("receive a draft"):
        problem(m.post(path + "/receive", {"lines": [{"line_no": 1,
                                                      "qty": 1}]}), 409)
    assert m.post(path + "/order").status_code == 200
    assert m.ok("GET", path)["status"] == "ordered"
    with Unchanged("order twice"):
        problem(m.post(path + "/order"), 409)
    with Unchanged("over-receipt at once"):
        problem(m.post(path + "/receive", {"lines": [{"line_no": 1,
                                                      "qty": 11}]}), 409)

    r = m.post(path + "/receive", {"lines": [{"line_no": 1, "qty": 4}]})
    assert r.status_code == 200, r.text
    g = m.ok("GET", path)
    assert g["status"] == "partially_received"
    assert [(x["line_no"], x["received"]) for x in g["lines"]] == [(1, 4), (2, 0)]
    assert stock_row(p1["id"], w["id"]) == (4, 0)
    assert [x[1:4] for x in ledger(p1["id"], w["id"])] == [("receipt", 4, 4)]

    with Unchanged("over-receipt on one line of two"):
        problem(m.post(path + "/receive", {"lines": [
            {"line_no": 1, "qty": 6}, {"line_no": 2, "qty": 6}]}), 409)
        problem(m.post(path + "/receive", {"lines": [{"line_no": 1,
                                                      "qty": 7}]}), 409)
    with Unchanged("cancel partially received"):
        problem(m.post(path + "/cancel"), 409)

    r = m.post(path + "/receive", {"lines": [{"line_no": 1, "qty": 6},
                                             {"line_no": 2, "qty": 5}]})
    assert r.status_code == 200, r.text
    g = m.ok("GET", path)
    assert g["status"] == "received"
    assert [(x["line_no"], x["received"]) for x in g["lines"]] == [(1, 10), (2, 5)]
    assert stock_row(p1["id"], w["id"]) == (10, 0)
    assert stock_row(p2["id"], w["id"]) == (5, 0)
    with Unchanged("received PO"):
        problem(m.post(path + "/receive", {"lines": [{"line_no": 2,
                                                      "qty": 1}]}), 409)
        problem(m.post(path + "/cancel"), 409)
        problem(m.post(path + "/order"), 409)
    assert_check()


def test_po_cancel_from_draft_and_ordered():
    m, s, w, p = mgr(), supplier(), warehouse(), product()
    a = purchase_order(s["id"], w["id"], [(p["id"], 3)])
    assert m.post("/purchase-orders/%d/cancel" % a["id"]).status_code == 200
    assert m.ok("GET", "/purchase-orders/%d" % a["id"])["status"] == "cancelled"
    b = purchase_order(s["id"], w["id"], [(p["id"], 3)])
    m.ok("POST", "/purchase-orders/%d/order" % b["id"])
    assert m.post("/purchase-orders/%d/cancel" % b["id"]).status_code == 200
    assert m.ok("GET", "/purchase-orders/%d" % b["id"])["status"] == "cancelled"
    with Unchanged("cancelled PO"):
        for action, body in (("order", None), ("cancel", None),
                             ("receive", {"lines": [{"line_no": 1, "qty": 1}]})):
            problem(m.post("/purchase-orders/%d/%s" % (b["id"], action), body),
                    409)


def po_body(s, w, p, **over):
    b = {"supplier_id": s["id"], "warehouse_id": w["id"], "note": "",
         "lines": [{"product_id": p["id"], "qty": 2}]}
    b.update(over)
    return b


@pytest.mark.parametrize("case", [
    "supplier-missing", "warehouse-missing", "note-long", "lines-missing",
    "lines-empty", "lines-101", "qty-0", "qty-string", "cost-neg",
    "cost-over", "product-missing",
])
def test_po_validation(case):
    s, w, p = supplier(), warehouse(), product()
    field, body = {
        "supplier-missing": ("supplier_id", with_field(po_body(s, w, p),
                                                       "supplier_id", MISSING)),
        "warehouse-missing": ("warehouse_id", with_field(po_body(s, w, p),
                                                         "warehouse_id",
                                                         MISSING)),
        "note-long": ("note", po_body(s, w, p, note="n" * 256)),
        "lines-missing": ("lines*", with_field(po_body(s, w, p), "lines",
                                               MISSING)),
        "lines-empty": ("lines*", po_body(s, w, p, lines=[])),
        "lines-101": ("lines*", po_body(s, w, p, lines=[
            {"product_id": p["id"] + i, "qty": 1} for i in range(101)])),
        "qty-0": ("lines*", po_body(s, w, p, lines=[{"product_id": p["id"],
                                                      "qty": 0}])),
        "qty-string": ("lines*", po_body(s, w, p, lines=[
            {"product_id": p["id"], "qty": "2"}])),
        "cost-neg": ("lines*", po_body(s, w, p, lines=[
            {"product_id": p["id"], "qty": 2, "cost_cents": -1}])),
        "cost-over": ("lines*", po_body(s, w, p, lines=[
            {"product_id": p["id"], "qty": 2, "cost_cents": BIG + 1}])),
        "product-missing": ("lines*", po_body(s, w, p, lines=[{"qty": 2}])),
    }[case]
    with Unchanged("po " + case):
        problem(mgr().post("/purchase-orders", body), 422, field)


def test_po_unknown_references():
    s, w, p = supplier(), warehouse(), product()
    with Unchanged("po unknown supplier"):
        unknown_ref(mgr().post("/purchase-orders", po_body(
            s, w, p, supplier_id=NOT_THERE)), "supplier_id")
    with Unchanged("po unknown warehouse"):
        unknown_ref(mgr().post("/purchase-orders", po_body(
            s, w, p, warehouse_id=NOT_THERE)), "warehouse_id")


@pytest.mark.parametrize("lines", [
    [], [{"line_no": 1, "qty": 0}], [{"line_no": 1, "qty": -2}],
    [{"line_no": 1}], [{"qty": 1}], [{"line_no": 1, "qty": "1"}], "x",
])
def test_po_receive_validation(lines):
    s, w, p = supplier(), warehouse(), product()
    po = purchase_order(s["id"], w["id"], [(p["id"], 5)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po["id"])
    with Unchanged("receive %r" % (lines,)):
        problem(mgr().post("/purchase-orders/%d/receive" % po["id"],
                           {"lines": lines}), 422, "lines*")


def test_po_receive_unknown_line_changes_nothing():
    s, w, p = supplier(), warehouse(), product()
    po = purchase_order(s["id"], w["id"], [(p["id"], 5)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po["id"])
    with Unchanged("receive unknown line"):
        r = mgr().post("/purchase-orders/%d/receive" % po["id"],
                       {"lines": [{"line_no": 1, "qty": 1},
                                  {"line_no": 9, "qty": 1}]})
        assert r.status_code in (404, 409, 422), r.text
        assert is_problem(r)


def test_po_list_status_filter():
    m, s, w, p = mgr(), supplier(), warehouse(), product()
    d = purchase_order(s["id"], w["id"], [(p["id"], 1)])
    o = purchase_order(s["id"], w["id"], [(p["id"], 1)])
    m.ok("POST", "/purchase-orders/%d/order" % o["id"])
    ordered = m.items("/purchase-orders", {"status": "ordered"})
    assert all(x["status"] == "ordered" for x in ordered)
    ids = {x["id"] for x in ordered}
    assert o["id"] in ids and d["id"] not in ids
    bad_query(m.get("/purchase-orders", params={"status": "lost"}))


# == reorder suggestions ======================================================

def all_suggestions():
    """Every suggestion, following next_cursor where there is one (paging
    itself is test_reorder_suggestions_are_paged's concern)."""
    out, params = [], {"limit": 200}
    for _ in range(1000):
        j = mgr().ok("GET", "/reorder-suggestions", params=params)
        out += j["items"]
        if j.get("next_cursor") is None:
            return out
        params["cursor"] = j["next_cursor"]
    raise AssertionError("too many pages")


def test_reorder_suggestions_are_paged():
    """A list like the others: limit 1..200, next_cursor (null at the end);
    small pages give the same items in the same order as big ones."""
    s, w = supplier(), warehouse()
    for _ in range(3):
        p = product(supplier_id=s["id"], reorder_point=5, reorder_qty=10)
        receive(p["id"], w["id"], 1)
    j = mgr().ok("GET", "/reorder-suggestions", params={"limit": 2})
    assert "next_cursor" in j, sorted(j)
    assert len(j["items"]) == 2 and j["next_cursor"], j
    whole = mgr().items("/reorder-suggestions")
    keys = [(x["product_id"], x["warehouse_id"]) for x in whole]
    assert len(keys) == len(set(keys)), "an item twice"
    small, params = [], {"limit": 3}
    for _ in range(15):
        j = mgr().ok("GET", "/reorder-suggestions", params=params)
        small += [(x["product_id"], x["warehouse_id"]) for x in j["items"]]
        if j["next_cursor"] is None:
            break
        params["cursor"] = j["next_cursor"]
    assert small == keys[:len(small)]
    bad_query(mgr().get("/reorder-suggestions", params={"limit": "0"}))
    bad_query(mgr().get("/reorder-suggestions", params={"cursor": "!!"}))


SQL_SUGGESTED = """
SELECT p.id, w.id FROM products p JOIN warehouses w
LEFT JOIN stock s ON s.product_id = p.id AND s.warehouse_id = w.id
LEFT JOIN (SELECT l.product_id, o.warehouse_id, SUM(l.qty - l.received) AS q
           FROM purchase_order_lines l JOIN purchase_orders o
           ON o.id = l.order_id
           WHERE o.status IN ('draft', 'ordered', 'partially_received')
           GROUP BY l.product_id, o.warehouse_id) oo
  ON oo.product_id = p.id AND oo.warehouse_id = w.id
WHERE p.active = 1 AND w.active = 1 AND p.reorder_point > 0
  AND p.reorder_qty > 0
  AND COALESCE(s.on_hand, 0) - COALESCE(s.reserved, 0) + COALESCE(oo.q, 0)
      <= p.reorder_point"""


def test_reorder_suggestions_are_complete_beyond_5000():
    """Every product x warehouse that the contract's rule selects is listed
    (here more than 5,000 of them), each once.  (reorder_qty > 0 as well:
    a suggestion of 0 units could not become a PO line.)"""
    m = mgr()
    extra_w, ps = [], []
    try:
        while sql_int("SELECT COUNT(*) FROM warehouses WHERE active = 1") < 60:
            extra_w.append(warehouse())
        nw = sql_int("SELECT COUNT(*) FROM warehouses WHERE active = 1")
        ps = [product(reorder_point=1, reorder_qty=1)
              for _ in range(5200 // nw + 1)]
        want = {(int(a), int(b)) for a, b in sql_rows(SQL_SUGGESTED)}
        assert len(want) > 5000
        got = [(x["product_id"], x["warehouse_id"])
               for x in m.items("/reorder-suggestions")]
        assert len(got) == len(set(got)), "an item twice"
        missing, extra = want - set(got), set(got) - want
        assert not missing and not extra, (len(want), len(got),
                                           sorted(missing)[:5],
                                           sorted(extra)[:5])
    finally:
        for p in ps:
            m.ok("POST", "/products/%d/archive" % p["id"])
        for w in extra_w:
            m.ok("PUT", "/warehouses/%d" % w["id"],
                 {"code": w["code"], "name": w["name"], "active": False})


def test_reorder_suggestions_and_draft_pos_per_supplier_and_warehouse():
    m = mgr()
    w, w2 = warehouse(), warehouse()
    s1, s2 = supplier(), supplier()
    P = {}
    P[1] = product(supplier_id=s1["id"], reorder_point=10, reorder_qty=50,
                   cost_cents=300)
    P[2] = product(supplier_id=s2["id"], reorder_point=10, reorder_qty=40,
                   cost_cents=200)
    P[3] = product(supplier_id=s1["id"], reorder_point=10, reorder_qty=40)
    P[4] = product(reorder_point=5, reorder_qty=10)          # no supplier
    P[5] = product(supplier_id=s1["id"], reorder_point=0, reorder_qty=10)
    P[6] = product(supplier_id=s1["id"], reorder_point=10, reorder_qty=10)
    P[7] = product(supplier_id=s1["id"], reorder_point=20, reorder_qty=30,
                   cost_cents=125)
    P[8] = product(supplier_id=s2["id"], reorder_point=20, reorder_qty=30)
    P[9] = product(supplier_id=s2["id"], reorder_point=20, reorder_qty=25,
                   cost_cents=80)
    for i, q in ((1, 5), (2, 10), (3, 11), (4, 1), (5, 3), (6, 1), (7, 30),
                 (8, 10)):
        receive(P[i]["id"], w["id"], q)
    receive(P[1]["id"], w2["id"], 2)
    m.ok("POST", "/products/%d/archive" % P[6]["id"])
    o = order(w["id"], [(P[7]["id"], 15)])
    m.ok("POST", "/orders/%d/confirm" % o["id"])
    po8 = purchase_order(s2["id"], w["id"], [(P[8]["id"], 50)])
    m.ok("POST", "/purchase-orders/%d/order" % po8["id"])
    po9 = purchase_order(s2["id"], w["id"], [(P[9]["id"], 10)])
    m.ok("POST", "/purchase-orders/%d/order" % po9["id"])
    m.ok("POST", "/purchase-orders/%d/receive" % po9["id"],
         {"lines": [{"line_no": 1, "qty": 4}]})

    items = all_suggestions()
    pids = {p["id"] for p in P.values()}
    fields = ("product_id", "sku", "name", "warehouse_id", "supplier_id",
              "on_hand", "reserved", "on_order", "available", "reorder_point",
              "reorder_qty")
    mine = {}
    for x in items:
        k = (x["product_id"], x["warehouse_id"])
        # All of w; of w2 only product 1, the one with a stock row there
        # (whether a product x warehouse without a stock row is listed is
        # not this test's concern).
        if x["product_id"] in pids and (x["warehouse_id"] == w["id"] or
                                        k == (P[1]["id"], w2["id"])):
            assert k not in mine, ("listed twice", x)
            mine[k] = {f: x.get(f, "<missing>") for f in fields}

    def want(i, wh, on_hand, reserved, on_order):
        p = P[i]
        return {"product_id": p["id"], "sku": p["sku"], "name": p["name"],
                "warehouse_id": wh["id"], "supplier_id": p["supplier_id"],
                "on_hand": on_hand, "reserved": reserved, "on_order": on_order,
                "available": on_hand - reserved + on_order,
                "reorder_point": p["reorder_point"],
                "reorder_qty": p["reorder_qty"]}

    # Not suggested: 3 (above its point), 5 (no point), 6 (archived), 8
    # (enough on order).  2 is exactly at its point; 7 is short because of
    # a reservation; 9 counts what its partially received PO still brings.
    assert mine == {
        (P[1]["id"], w["id"]): want(1, w, 5, 0, 0),
        (P[1]["id"], w2["id"]): want(1, w2, 2, 0, 0),
        (P[2]["id"], w["id"]): want(2, w, 10, 0, 0),
        (P[4]["id"], w["id"]): want(4, w, 1, 0, 0),
        (P[7]["id"], w["id"]): want(7, w, 30, 15, 0),
        (P[9]["id"], w["id"]): want(9, w, 4, 0, 6),
    }

    # Grouped by supplier: each supplier's items are contiguous.
    seen, last = set(), object()
    for x in items:
        if x["supplier_id"] != last:
            assert x["supplier_id"] not in seen, ("not grouped", x)
            seen.add(x["supplier_id"])
            last = x["supplier_id"]

    picks = [(P[1]["id"], w["id"]), (P[2]["id"], w["id"]),
             (P[7]["id"], w["id"]), (P[9]["id"], w["id"]),
             (P[1]["id"], w2["id"])]
    npos = sql_int("SELECT COUNT(*) FROM purchase_orders")
    r = m.post("/reorder-suggestions/purchase-orders", {
        "items": [{"product_id": a, "warehouse_id": b} for a, b in picks]})
    assert r.status_code == 201, r.text
    pos = r.json()["purchase_orders"]
    assert sql_int("SELECT COUNT(*) FROM purchase_orders") == npos + 3
    assert sorted((x["supplier_id"], x["warehouse_id"]) for x in pos) == sorted(
        [(s1["id"], w["id"]), (s2["id"], w["id"]), (s1["id"], w2["id"])])
    lines = {}
    for x in pos:
        g = m.ok("GET", "/purchase-orders/%d" % x["id"])
        assert (g["status"], g["supplier_id"], g["warehouse_id"]) == \
            ("draft", x["supplier_id"], x["warehouse_id"])
        lines[(x["supplier_id"], x["warehouse_id"])] = sorted(
            (ln["product_id"], ln["qty"], ln["cost_cents"], ln["received"])
            for ln in g["lines"])
    assert lines == {
        (s1["id"], w["id"]): sorted([(P[1]["id"], 50, 300, 0),
                                     (P[7]["id"], 30, 125, 0)]),
        (s2["id"], w["id"]): sorted([(P[2]["id"], 40, 200, 0),
                                     (P[9]["id"], 25, 80, 0)]),
        (s1["id"], w2["id"]): [(P[1]["id"], 50, 300, 0)],
    }
    # Now on order: no longer suggested; the supplier-less one still is.
    left = {(x["product_id"], x["warehouse_id"]) for x in all_suggestions()}
    for k in picks:
        assert k not in left, k
    assert (P[4]["id"], w["id"]) in left

    with Unchanged("reorder without preferred supplier"):
        problem(m.post("/reorder-suggestions/purchase-orders", {
            "items": [{"product_id": P[4]["id"], "warehouse_id": w["id"]}]}),
            422)
    with Unchanged("reorder mixed with a supplier-less product"):
        problem(m.post("/reorder-suggestions/purchase-orders", {
            "items": [{"product_id": P[4]["id"], "warehouse_id": w["id"]},
                      {"product_id": P[3]["id"], "warehouse_id": w["id"]}]}),
            422)


@pytest.mark.parametrize("body", [
    {}, {"items": []}, {"items": "x"}, {"items": [{"product_id": 1}]},
    {"items": [{"warehouse_id": 1}]},
    {"items": [{"product_id": "1", "warehouse_id": 1}]},
])
def test_reorder_to_pos_validation(body):
    with Unchanged("reorder %r" % (body,)):
        problem(mgr().post("/reorder-suggestions/purchase-orders", body), 422,
                "items*")


# == Idempotency-Key ==========================================================

def same_response(a, b):
    assert a.status_code == b.status_code, (a.status_code, b.status_code)
    assert a.content == b.content, (a.text[:300], b.text[:300])
    assert a.headers.get("Location") == b.headers.get("Location")
    assert a.headers.get("Content-Type") == b.headers.get("Content-Type")


def test_idempotent_receipt_replays_and_applies_once():
    m, w, p = mgr(), warehouse(), product()
    key = uniq("idem-")
    body = {"kind": "receipt", "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 7, "reference": key[:60]}
    first = m.post("/movements", body, key=key)
    assert first.status_code == 201, first.text
    for _ in range(3):
        with Unchanged("replay"):
            again = m.post("/movements", body, key=key)
        same_response(first, again)
    assert stock_row(p["id"], w["id"]) == (7, 0)
    assert len(ledger(p["id"], w["id"])) == 1


def test_idempotent_create_replays_201_with_location():
    m = mgr()
    key = uniq("idem-")
    body = {"sku": uniq("I-"), "name": "Idempotent product"}
    first = m.post("/products", body, key=key)
    assert first.status_code == 201, first.text
    assert first.headers.get("Location")
    with Unchanged("create replay"):
        again = m.post("/products", body, key=key)
    same_response(first, again)
    assert sql_int("SELECT COUNT(*) FROM products WHERE sku = '%s'"
                   % body["sku"]) == 1
    # Without the key it is a new request: the SKU exists now.
    with Unchanged("same body without key"):
        problem(m.post("/products", body), 422, "sku")


def test_idempotent_confirm_replays_its_first_answer():
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 3)
    o = order(w["id"], [(p["id"], 2)])
    key = uniq("idem-")
    first = m.post("/orders/%d/confirm" % o["id"], key=key)
    assert first.status_code == 200, first.text
    with Unchanged("confirm replay"):
        again = m.post("/orders/%d/confirm" % o["id"], key=key)
    same_response(first, again)
    assert stock_row(p["id"], w["id"]) == (3, 2)


def test_same_key_other_body_or_path_is_422():
    m, w, p = mgr(), warehouse(), product()
    key = uniq("idem-")
    body = {"kind": "receipt", "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 5}
    assert m.post("/movements", body, key=key).status_code == 201
    with Unchanged("same key, other body"):
        problem(m.post("/movements", dict(body, qty=6), key=key), 422)
    with Unchanged("same key, other path"):
        problem(m.post("/warehouses", {"code": uniq("W"), "name": "x"},
                       key=key), 422)
    assert stock_row(p["id"], w["id"]) == (5, 0)


@pytest.mark.parametrize("key", ["k" * 101, "has space", "tab\tkey"])
def test_bad_idempotency_key_is_refused(key):
    w, p = warehouse(), product()
    with Unchanged("bad key %r" % key):
        r = mgr().post("/movements", {"kind": "receipt", "product_id": p["id"],
                                      "warehouse_id": w["id"], "qty": 1},
                       key=key)
        assert r.status_code in (400, 422), (r.status_code, r.text[:300])
        problem(r, r.status_code)


def test_idempotency_key_of_100_chars_is_fine():
    w, p = warehouse(), product()
    key = (uniq("k") + "~!#" * 40)[:100]
    body = {"kind": "receipt", "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 1}
    a = mgr().post("/movements", body, key=key)
    assert a.status_code == 201, a.text
    same_response(a, mgr().post("/movements", body, key=key))
    assert stock_row(p["id"], w["id"]) == (1, 0)


# == bad bodies: 413, 415, 400 ===============================================

@pytest.fixture(scope="module")
def targets():
    s, w, p = supplier(), warehouse(), product()
    po = purchase_order(s["id"], w["id"], [(p["id"], 5)])
    mgr().ok("POST", "/purchase-orders/%d/order" % po["id"])
    return {"s": s["id"], "w": w["id"], "p": p["id"], "po": po["id"]}


BODY_ENDPOINTS = [
    ("POST", "/warehouses"), ("PUT", "/warehouses/{w}"),
    ("POST", "/suppliers"), ("PUT", "/suppliers/{s}"),
    ("POST", "/products"), ("PUT", "/products/{p}"),
    ("POST", "/movements"), ("POST", "/orders"), ("POST", "/purchase-orders"),
    ("POST", "/purchase-orders/{po}/receive"),
    ("POST", "/reorder-suggestions/purchase-orders"),
]


def ep(targets, path):
    return path.format(**targets)


@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
def test_413_body_over_max_body_size(targets, method, path):
    big = b'{"name":"' + b"x" * (9 * 1024 * 1024) + b'"}'
    with Unchanged("413 " + path):
        r = mgr().req(method, ep(targets, path), data=big,
                      headers={"Content-Type": "application/json"}, timeout=60)
        assert r.status_code == 413, (r.status_code, r.text[:300])


def test_413_on_the_api_is_problem_json():
    """API errors are problem+json, the 413 for a body over the limit too
    (whichever of nginx and backroomd answers it)."""
    big = b'{"name":"' + b"x" * (9 * 1024 * 1024) + b'"}'
    with Unchanged("413 shape"):
        r = mgr().req("POST", "/products", data=big, timeout=60,
                      headers={"Content-Type": "application/json"})
    problem(r, 413)


@pytest.mark.parametrize("ctype", ["text/plain",
                                   "application/x-www-form-urlencoded"])
@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
def test_415_wrong_content_type(targets, method, path, ctype):
    with Unchanged("415 " + path):
        r = mgr().req(method, ep(targets, path),
                      data=b'{"code":"X1","name":"y"}',
                      headers={"Content-Type": ctype})
        problem(r, 415)


@pytest.mark.parametrize("body", [b"", b"{", b'{"name": "x",}', b"[1",
                                  b'{"name":"\xff"}', b"null"])
@pytest.mark.parametrize("method,path", BODY_ENDPOINTS)
def test_400_malformed_json(targets, method, path, body):
    with Unchanged("400 %s %r" % (path, body)):
        r = mgr().req(method, ep(targets, path), data=body,
                      headers={"Content-Type": "application/json"})
        problem(r, 400)


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42"])
@pytest.mark.parametrize("method,path", [("POST", "/products"),
                                         ("POST", "/movements"),
                                         ("POST", "/orders")])
def test_json_that_is_not_an_object_is_refused(targets, method, path, body):
    with Unchanged("non-object %s %r" % (path, body)):
        r = mgr().req(method, ep(targets, path), data=body,
                      headers={"Content-Type": "application/json"})
        assert r.status_code in (400, 422), (r.status_code, r.text[:300])
        problem(r, r.status_code)


# == concurrency ==============================================================

def run_all(n_threads, fn, args):
    with cf.ThreadPoolExecutor(max_workers=n_threads) as ex:
        return list(ex.map(fn, args))


def test_concurrent_confirmations_never_oversell():
    """64 clients confirm 2,000 one-unit orders of a product with 100 on
    hand: exactly 100 succeed, the rest are 409, nothing is a 5xx."""
    m, w, p = mgr(), warehouse(), product()
    receive(p["id"], w["id"], 100)
    body = {"customer": "Rush", "warehouse_id": w["id"],
            "lines": [{"product_id": p["id"], "qty": 1}]}

    def create(_):
        r = m.post("/orders", body, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    ids = run_all(16, create, range(2000))
    assert len(set(ids)) == 2000

    def confirm(oid):
        try:
            r = m.post("/orders/%d/confirm" % oid, timeout=120)
        except requests.RequestException as e:
            return ("exc", repr(e), oid)
        return (r.status_code, r.text, oid)

    res = run_all(64, confirm, ids)
    codes = {}
    for st, _, _ in res:
        codes[st] = codes.get(st, 0) + 1
    assert codes.get(200) == 100 and codes.get(409) == 1900, codes
    for st, text, oid in res:
        if st == 409:
            assert '"lines"' in text and "deadlock" not in text.lower(), text
    ok_ids = sorted(oid for st, _, oid in res if st == 200)
    assert stock_row(p["id"], w["id"]) == (100, 100)
    assert sql_int("SELECT COUNT(*) FROM sales_orders WHERE warehouse_id = %d "
                   "AND status = 'confirmed'" % w["id"]) == 100
    assert sorted(int(x[0]) for x in sql_rows(
        "SELECT id FROM sales_orders WHERE warehouse_id = %d AND status = "
        "'confirmed'" % w["id"])) == ok_ids
    assert_check()


def test_concurrent_multi_line_orders_in_random_line_order():
    """200 orders of 3-5 lines over 10 products, lines in random order,
    confirmed by 32 threads, then shipped or cancelled by 32 threads: all
    succeed, no 5xx, no deadlock surfaces, the books balance."""
    m, w = mgr(), warehouse()
    ps = [product()["id"] for _ in range(10)]
    for pid in ps:
        receive(pid, w["id"], 10000)
    rnd = random.Random(20240607)
    specs = []
    for _ in range(200):
        chosen = rnd.sample(ps, rnd.randint(3, 5))      # random order
        specs.append([(pid, rnd.randint(1, 20)) for pid in chosen])

    def create(lines):
        r = m.post("/orders", {"customer": "Mixed", "warehouse_id": w["id"],
                               "lines": [{"product_id": a, "qty": b}
                                         for a, b in lines]}, timeout=60)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    ids = run_all(16, create, specs)

    def act(arg):
        oid, action = arg
        try:
            r = m.post("/orders/%d/%s" % (oid, action), timeout=120)
        except requests.RequestException as e:
            return ("exc", repr(e))
        return (r.status_code, r.text)

    res = run_all(32, act, [(i, "confirm") for i in ids])
    bad = [x for x in res if x[0] != 200 or "deadlock" in x[1].lower()]
    assert not bad, bad[:5]
    reserved = {pid: 0 for pid in ps}
    for lines in specs:
        for pid, q in lines:
            reserved[pid] += q
    for pid in ps:
        assert stock_row(pid, w["id"]) == (10000, reserved[pid])
    assert_check()

    plan = [(oid, "ship" if i % 2 == 0 else "cancel")
            for i, oid in enumerate(ids)]
    rnd.shuffle(plan)
    res = run_all(32, act, plan)
    bad = [x for x in res if x[0] != 200 or "deadlock" in x[1].lower()]
    assert not bad, bad[:5]
    shipped = {pid: 0 for pid in ps}
    for i, lines in enumerate(specs):
        if i % 2 == 0:
            for pid, q in lines:
                shipped[pid] += q
    for pid in ps:
        assert stock_row(pid, w["id"]) == (10000 - shipped[pid], 0)
    assert_check()


def test_concurrent_confirmations_with_scarce_overlapping_stock():
    """Orders over the same 3 scarce products, lines in random order:
    each confirmation reserves all its lines or none, never more than on
    hand; every answer is 200 or 409."""
    m, w = mgr(), warehouse()
    ps = [product()["id"] for _ in range(3)]
    for pid in ps:
        receive(pid, w["id"], 40)
    rnd = random.Random(7)
    specs = [[(pid, rnd.randint(1, 3)) for pid in rnd.sample(ps, rnd.randint(2, 3))]
             for _ in range(120)]
    ids = [order(w["id"], lines)["id"] for lines in specs]

    def confirm(oid):
        try:
            r = m.post("/orders/%d/confirm" % oid, timeout=120)
        except requests.RequestException as e:
            return ("exc", repr(e))
        return (r.status_code, r.text)

    res = run_all(32, confirm, ids)
    assert all(st in (200, 409) for st, _ in res), \
        [x for x in res if x[0] not in (200, 409)][:5]
    assert not [t for _, t in res if "deadlock" in t.lower()]
    want = {pid: 0 for pid in ps}
    for (st, _), lines in zip(res, specs):
        if st == 200:
            for pid, q in lines:
                want[pid] += q
    for pid in ps:
        on_hand, reserved = stock_row(pid, w["id"])
        assert on_hand == 40 and reserved == want[pid] <= 40
    assert_check()


def test_same_idempotency_key_ten_at_once_applies_once():
    m, w, p = mgr(), warehouse(), product()
    key = uniq("race-")
    body = {"kind": "receipt", "product_id": p["id"], "warehouse_id": w["id"],
            "qty": 3, "reference": key}
    barrier = threading.Barrier(10)

    def send(_):
        barrier.wait()
        r = m.post("/movements", body, key=key, timeout=60)
        return (r.status_code, r.content, r.headers.get("Location"),
                r.headers.get("Content-Type"))

    res = run_all(10, send, range(10))
    assert res[0][0] == 201, res[0]
    assert all(x == res[0] for x in res), [x[:1] + (x[1][:200],) for x in res]
    assert sql_int("SELECT COUNT(*) FROM stock_movements WHERE reference = "
                   "'%s'" % key) == 1
    assert stock_row(p["id"], w["id"]) == (3, 0)
    assert_check()


def test_check_names_each_violation():
    """`backroomd check` exits non-zero and names the product and
    warehouse of each broken invariant (made here by hand, then undone)."""
    w, p, q = warehouse(), product(), product()
    receive(p["id"], w["id"], 5)
    receive(q["id"], w["id"], 5)
    assert_check()
    try:
        sql("UPDATE stock SET on_hand = on_hand + 1 WHERE product_id = %d AND "
            "warehouse_id = %d" % (p["id"], w["id"]))
        sql("UPDATE stock SET reserved = 2 WHERE product_id = %d AND "
            "warehouse_id = %d" % (q["id"], w["id"]))
        rc, out = check()
        assert rc != 0, out
        lines = out.splitlines()
        for pid in (p["id"], q["id"]):
            assert [ln for ln in lines if re.search(
                r"\bproduct %d\b.*\bwarehouse %d\b" % (pid, w["id"]), ln)], \
                (pid, out)
    finally:
        sql("UPDATE stock SET on_hand = 5, reserved = 0 WHERE warehouse_id = "
            "%d AND product_id IN (%d, %d)" % (w["id"], p["id"], q["id"]))
    assert_check()


def test_invariants_hold_at_the_end():
    assert_check()


@pytest.mark.parametrize("round_", range(5))
def test_concurrent_reorders_of_one_suggestion_make_one_purchase_order(round_):
    """Eight managers turn the same suggestion into a purchase order at
    the same moment: the first one's draft PO puts the quantity on order,
    so the other seven find it no longer suggested (422) -- no duplicate
    order goes to the supplier.  Five rounds: one may miss the race."""
    m = mgr()
    w, s = warehouse(), supplier()
    p = product(supplier_id=s["id"], reorder_point=10, reorder_qty=40)
    receive(p["id"], w["id"], 3)
    body = {"items": [{"product_id": p["id"], "warehouse_id": w["id"]}]}
    barrier = threading.Barrier(8)

    def go(_):
        barrier.wait()
        return m.post("/reorder-suggestions/purchase-orders", body)

    with cf.ThreadPoolExecutor(8) as ex:
        rs = list(ex.map(go, range(8)))
    codes = sorted(r.status_code for r in rs)
    assert codes == [201] + [422] * 7, [(r.status_code, r.text[:200]) for r in rs]
    assert sql_int("SELECT COUNT(*) FROM purchase_order_lines WHERE product_id = %d"
                   % p["id"]) == 1
    assert_check()
