"""The declared input fields (app/handlers/fields.c's tables, printed by
`backroomd fields`) against the request schemas of app/data/openapi.json,
both ways: every request body the document describes has a declaration,
every declaration names schemas that exist, and for each one the field
names, which are required, their types and nullability agree (list items
included).  Then, over HTTP, an undeclared member is a 400 naming it."""
import json
import os
import subprocess

import pytest

from conftest import BACKROOMD, ROOT
from inventory_util import mgr, problem, product, warehouse

DOC = os.path.join(ROOT, "app", "data", "openapi.json")
TYPES = {"string": "string", "integer": "integer", "id": "integer",
         "boolean": "boolean", "array": "array"}


def declared():
    p = subprocess.run([BACKROOMD, "fields"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def schemas():
    with open(DOC, encoding="utf-8") as f:
        return json.load(f)["components"]["schemas"]


def body_schemas():
    """Names of the schemas used as a request body by some operation."""
    with open(DOC, encoding="utf-8") as f:
        doc = json.load(f)
    out = set()
    for ops in doc["paths"].values():
        for op in ops.values():
            if isinstance(op, dict) and "requestBody" in op:
                ref = op["requestBody"]["content"]["application/json"][
                    "schema"]["$ref"]
                out.add(ref.rsplit("/", 1)[1])
    return out


def compare(decl, schema, mode, where):
    """decl: a set's description; schema: an object schema; mode: create or
    replace (which fields and which requirement)."""
    fields = {f["name"]: f for f in decl["fields"] if f[mode]}
    props = schema.get("properties", {})
    assert set(fields) == set(props), (where, sorted(fields), sorted(props))
    req = {n for n, f in fields.items() if f["required_" + mode]}
    assert req == set(schema.get("required", [])), (where, sorted(req))
    for name, f in fields.items():
        p = props[name]
        types = p["type"] if isinstance(p["type"], list) else [p["type"]]
        assert TYPES[f["type"]] in types, (where, name, f["type"], types)
        assert ("null" in types) == f["nullable"], (where, name)
        if f["type"] == "array":
            compare(f["items"], p["items"], "create", where + "." + name)


def test_every_declaration_matches_its_schema():
    s = schemas()
    for d in declared():
        assert d["create"] or d["replace"], d["name"]
        for mode in ("create", "replace"):
            if d[mode]:
                assert d[mode] in s, (d["name"], d[mode])
                compare(d, s[d[mode]], mode, d[mode])


def test_every_request_body_is_declared():
    names = {d[m] for d in declared() for m in ("create", "replace") if d[m]}
    assert body_schemas() == names, sorted(body_schemas() ^ names)


@pytest.mark.parametrize("path,body,field", [
    ("/products", {"sku": "U-1", "name": "x", "colour": "red"}, "colour"),
    ("/products", {"sku": "U-2", "name": "x", "version": 1}, "version"),
    ("/suppliers", {"name": "x", "active": True}, "active"),
    ("/warehouses", {"code": "UW", "name": "x", "id": 5}, "id"),
    ("/movements", {"kind": "receipt", "product_id": 1, "warehouse_id": 1,
                    "qty": 1, "when": "now"}, "when"),
])
def test_undeclared_member_is_400_naming_it(path, body, field):
    r = mgr().post(path, body)
    p = problem(r, 400)
    assert field in p["detail"], p


def test_undeclared_member_of_a_line_is_named():
    """A sales order line has no cost (a purchase order line has)."""
    w, p = warehouse(), product()
    r = mgr().post("/orders", {"customer": "c", "warehouse_id": w["id"],
                               "lines": [{"product_id": p["id"], "qty": 1,
                                          "cost_cents": 5}]})
    pr = problem(r, 400)
    assert "lines[0].cost_cents" in pr["detail"], pr
